// SPDX-License-Identifier: GPL-2.0-or-later
/* activation.c - the listening socket: systemd's, or one tapd binds
 *
 * A socket passed by socket activation is used; when none is passed, tapd
 * binds its own. Either way the socket is ready before privileges are
 * dropped. Both of systemd's protocols tapd speaks are a few lines, written
 * here from sd_listen_fds(3) and sd_notify(3) rather than linked: libsystemd
 * and the libraries it pulls in were a megabyte of each half's memory.
 *
 *	LISTEN_PID=<tapd's pid> LISTEN_FDS=<n>	n sockets from fd 3
 *	NOTIFY_SOCKET=/path or @abstract	a datagram "READY=1" once it serves
 */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "activation.h"
#include "util.h"

#define ACTIVATION_BACKLOG	64
#define ACTIVATION_FDS_START	3	/* SD_LISTEN_FDS_START */
#define ACTIVATION_FDS_MAX	64	/* more is not systemd's doing */

/*
 * How many sockets systemd passed: LISTEN_FDS if LISTEN_PID is this process
 * (else they were meant for a parent, and are none of tapd's), 0 if none.
 * Return: the count, or -EINVAL for values that are not numbers.
 */
static int activation_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (!pid || !fds)
		return 0;
	errno = 0;
	n = strtol(pid, &end, 10);
	if (errno || end == pid || *end || n <= 0)
		return -EINVAL;
	if (n != (long)getpid())
		return 0;
	n = strtol(fds, &end, 10);
	if (errno || end == fds || *end || n < 0 || n > ACTIVATION_FDS_MAX)
		return -EINVAL;
	return (int)n;
}

/* A listening Unix socket of type SOCK_SEQPACKET: what tapd.socket passes. */
static bool activation_is_seqpacket(int fd)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len = sizeof(ss);
	int type = 0, listening = 0;
	struct stat st;

	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) || ss.ss_family != AF_UNIX)
		return false;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_SEQPACKET)
		return false;
	len = sizeof(listening);
	return !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) && listening;
}

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
	int n = activation_fds();

	*activated = false;
	if (n < 0) {
		snprintf(err, errlen,
			 "socket activation failed: LISTEN_PID or LISTEN_FDS is not a number: start tapd through tapd.socket or without them");
		return n;
	}
	/* Not for what tapd might start (it starts nothing, but still). */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (n > 1) {
		snprintf(err, errlen, "systemd passed %d sockets; tapd.socket must have one", n);
		return -EINVAL;
	}
	if (n == 1) {
		int s = ACTIVATION_FDS_START;

		if (!activation_is_seqpacket(s)) {
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
	int n = activation_fds();

	close_range(ACTIVATION_FDS_START + (n > 0 ? (unsigned int)n : 0), ~0U, 0);
}

/**
 * activation_ready() - tell systemd that tapd serves requests now
 *
 * Type=notify in tapd.service: one datagram "READY=1" to NOTIFY_SOCKET, a
 * path or, with a leading "@", an abstract name. Nothing without it.
 *
 * Return: 0, or -errno (the caller says so: systemd would time tapd out).
 */
int activation_ready(void)
{
	static const char ready[] = "READY=1";
	const char *where = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	cleanup_fd int s = -1;
	size_t len;

	if (!where || !*where)
		return 0;
	len = strlen(where);
	if ((where[0] != '/' && where[0] != '@') || len >= sizeof(sun.sun_path))
		return -EAFNOSUPPORT;	/* vsock: and the like: not tapd's case */
	memcpy(sun.sun_path, where, len);
	if (where[0] == '@')
		sun.sun_path[0] = '\0';
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (sendto(s, ready, sizeof(ready) - 1, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		return -errno;
	return 0;
}
