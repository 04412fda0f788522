// SPDX-License-Identifier: GPL-2.0-or-later
/* state.c - where a named VM's runtime state lives
 *
 * $XDG_RUNTIME_DIR/tapvm/NAME/, mode 0700; without XDG_RUNTIME_DIR,
 * /tmp/tapvm-UID/NAME/, after checking that /tmp/tapvm-UID is a directory
 * (not a link) that this user owns and nobody else may enter. In it:
 *	lock		held (flock) by the VM's supervisor while it runs
 *	pid		the supervisor's pid
 *	control.sock	the supervisor's commands (status, stop, ...)
 *	console.sock	the serial console
 *	vnc.sock	the display
 *	console.log	everything the console said
 *	tapvm.log	the supervisor's own messages
 * A lock nobody holds with a pid file left beside it is stale state: the
 * supervisor died (SIGKILL) and its files are cleaned on the next start.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "state.h"
#include "util.h"

/* A directory of ours: exists (or is made), ours, 0700, not a link. */
static int state_own_dir(const char *path, bool create, char *err, size_t errlen)
{
	struct stat st;

	if (create && mkdir(path, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	if (lstat(path, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		snprintf(err, errlen,
			 "%s is not a directory of yours with mode 0700: remove it, or set XDG_RUNTIME_DIR",
			 path);
		return -EPERM;
	}
	return 0;
}

/**
 * state_base() - the directory that holds every named VM's state
 * @out:	its path
 * @size:	size of @out
 * @create:	create it if missing
 * @err:	reason on failure
 * @errlen:	its size
 *
 * Return: 0, -ENOENT when it does not exist and @create is false (no VM
 * was ever started), or -errno.
 */
int state_base(char *out, size_t size, bool create, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && *xdg) {
		if ((size_t)snprintf(out, size, "%s/tapvm", xdg) >= size)
			return -ENAMETOOLONG;
	} else {
		char top[64];
		int ret;

		snprintf(top, sizeof(top), "/tmp/tapvm-%u", (unsigned int)getuid());
		ret = state_own_dir(top, create, err, errlen);
		if (ret)
			return ret == -ENOENT ? -ENOENT : -EPERM;
		snprintf(out, size, "%s", top);
		return 0;
	}
	return state_own_dir(out, create, err, errlen);
}

/**
 * state_dir() - a named VM's state directory
 * @name:	the VM's name (validated by the caller)
 * @out:	its path
 * @size:	size of @out
 * @create:	create it (and the base) if missing
 * @err:	reason on failure
 * @errlen:	its size
 *
 * Return: 0, -ENOENT when it does not exist and @create is false, or -errno.
 */
int state_dir(const char *name, char *out, size_t size, bool create, char *err,
	      size_t errlen)
{
	char base[PATH_MAX];
	int ret = state_base(base, sizeof(base), create, err, errlen);

	if (ret == -ENOENT && !create)	/* no VM ever started here */
		snprintf(err, errlen, "no VM named %s is running", name);
	if (ret)
		return ret;
	if ((size_t)snprintf(out, size, "%s/%s", base, name) >= size) {
		snprintf(err, errlen, "state path for %s is too long", name);
		return -ENAMETOOLONG;
	}
	if (!create && access(out, F_OK)) {
		snprintf(err, errlen, "no VM named %s is running (no %s)", name, out);
		return -ENOENT;
	}
	return state_own_dir(out, create, err, errlen);
}

/**
 * state_socket_path() - the path of a socket in a state directory
 * @dir:	the directory
 * @file:	the socket's name
 * @out:	STATE_SUN_MAX bytes
 * @err:	reason on failure
 * @errlen:	its size
 *
 * Return: 0, or -ENAMETOOLONG when the path does not fit in sun_path.
 */
int state_socket_path(const char *dir, const char *file, char *out, char *err,
		      size_t errlen)
{
	int n = snprintf(out, STATE_SUN_MAX, "%s/%s", dir, file);

	if (n < 0 || (size_t)n >= STATE_SUN_MAX) {
		snprintf(err, errlen,
			 "socket path %s/%s is longer than the %zu bytes a Unix socket allows: use a shorter VM name or XDG_RUNTIME_DIR",
			 dir, file, STATE_SUN_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

/**
 * state_lock() - become the one supervisor of this VM
 * @dir:	its state directory
 * @fd:		set to the lock's fd, held until it is closed (close-on-exec)
 *
 * Return: 0, or -EBUSY when another process holds it.
 */
int state_lock(const char *dir, int *fd)
{
	char path[PATH_MAX + 8];
	cleanup_fd int f = -1;

	snprintf(path, sizeof(path), "%s/lock", dir);
	f = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f < 0)
		return -errno;
	if (flock(f, LOCK_EX | LOCK_NB))
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	*fd = util_steal_fd(&f);
	return 0;
}

/**
 * state_running() - does a supervisor hold this VM's lock?
 * @dir:	its state directory
 *
 * Return: true if one does.
 */
bool state_running(const char *dir)
{
	char path[PATH_MAX + 8];
	cleanup_fd int f = -1;

	snprintf(path, sizeof(path), "%s/lock", dir);
	f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return false;
	if (!flock(f, LOCK_SH | LOCK_NB)) {
		flock(f, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

/**
 * state_pid() - the supervisor's pid, as recorded
 * @dir:	the state directory
 *
 * Return: the pid, or 0.
 */
pid_t state_pid(const char *dir)
{
	char path[PATH_MAX + 8], buf[32] = "";
	cleanup_fd int f = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/pid", dir);
	f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

/**
 * state_clean() - remove what a supervisor that is gone left behind
 * @dir:	the state directory
 *
 * The console log stays: it is the last word of the VM.
 *
 * Return: 0.
 */
int state_clean(const char *dir)
{
	static const char *const files[] = { "pid", "control.sock", "console.sock", "vnc.sock" };
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	return 0;
}

/**
 * state_connect() - connect to one of a VM's sockets
 * @dir:	its state directory
 * @file:	"control.sock" or "console.sock"
 * @sock:	set to the connected socket
 *
 * Return: 0 or -errno.
 */
int state_connect(const char *dir, const char *file, int *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char err[STATE_ERR_MAX];
	cleanup_fd int s = -1;

	if (state_socket_path(dir, file, sun.sun_path, err, sizeof(err)))
		return -ENAMETOOLONG;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)))
		return -errno;
	*sock = util_steal_fd(&s);
	return 0;
}
