// SPDX-License-Identifier: GPL-2.0-or-later
/* activation.c - the listening socket: systemd's, or one tapd binds
 *
 * With libsystemd (the "systemd" meson feature) a socket passed by socket
 * activation is used; without it, or when none is passed, tapd binds its
 * own. Either way the socket is ready before privileges are dropped.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "activation.h"
#include "util.h"

#define ACTIVATION_BACKLOG	64

static int activation_bind(const char *path, int *fd, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	cleanup_fd int s = -1;
	struct stat st;
	int n;

	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path %s is longer than %zu bytes", path,
			 sizeof(sun.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(dir, sun.sun_path, sizeof(dir));
	if (mkdir(dirname(dir), 0755) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the directory of %s: %s", path,
			 strerror(errno));
		return -errno;
	}

	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;

	if (!lstat(path, &st)) {
		cleanup_fd int probe = -1;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket: remove it or pass --socket",
				 path);
			return -EEXIST;
		}
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sun, sizeof(sun))) {
			snprintf(err, errlen, "another tapd is already listening at %s", path);
			return -EADDRINUSE;
		}
		unlink(path);	/* a stale socket of a tapd that is gone */
	}

	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0666) || listen(s, ACTIVATION_BACKLOG)) {
		int e = errno;

		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(e));
		return -e;
	}
	*fd = util_steal_fd(&s);
	return 0;
}

/**
 * activation_listen() - get the socket to serve clients on
 * @path:	where to bind when not socket-activated
 * @fd:		set to the listening socket (non-blocking, close-on-exec)
 * @activated:	set to whether systemd passed it
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Everyone may connect: the policy, not the socket's mode, decides.
 *
 * Return: 0 or -errno.
 */
int activation_listen(const char *path, int *fd, bool *activated,
		      char *err, size_t errlen)
{
	*activated = false;
#ifdef HAVE_SYSTEMD
	int n = sd_listen_fds(1);

	if (n < 0) {
		snprintf(err, errlen, "socket activation failed: %s", strerror(-n));
		return n;
	}
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets; tapd.socket must have one", n);
		return -EINVAL;
	}
	if (n == 1) {
		int s = SD_LISTEN_FDS_START;

		if (sd_is_socket_unix(s, SOCK_SEQPACKET, 1, NULL, 0) <= 0) {
			snprintf(err, errlen,
				 "the socket systemd passed is not a listening SOCK_SEQPACKET Unix socket: use ListenSequentialPacket= in tapd.socket");
			return -EINVAL;
		}
		if (fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK) ||
		    fcntl(s, F_SETFD, FD_CLOEXEC))
			return -errno;
		*fd = s;
		*activated = true;
		return 0;
	}
#endif
	return activation_bind(path, fd, err, errlen);
}

/**
 * activation_close_inherited() - close every fd tapd was started with but
 *				  stdio and systemd's sockets
 *
 * Whoever starts tapd may leave fds open in it (a shell's redirections, a
 * supervisor's pipes, a socket to something else): tapd, which holds
 * CAP_NET_ADMIN, keeps none of them. systemd's are fds 3 to 3 + LISTEN_FDS
 * - 1 when LISTEN_PID is tapd.
 */
void activation_close_inherited(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned int keep = 0;

	if (pid && fds && strtol(pid, NULL, 10) == (long)getpid()) {
		long n = strtol(fds, NULL, 10);

		if (n > 0 && n < 64)
			keep = (unsigned int)n;
	}
	close_range(3 + keep, ~0U, 0);
}

/**
 * activation_ready() - tell systemd that tapd serves requests now
 */
void activation_ready(void)
{
#ifdef HAVE_SYSTEMD
	sd_notify(0, "READY=1");
#endif
}
