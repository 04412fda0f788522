// SPDX-License-Identifier: GPL-2.0-or-later
/* tapd_error.c - turn a failed exchange with tapd into a message and status */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "exitcode.h"
#include "tapd_error.h"

/**
 * tapd_connect_why() - why connecting to tapd failed, and what to do
 * @err:	client_connect()'s -errno
 * @path:	tapd's socket
 * @socket_option: the program has --socket, to be suggested
 * @buf:	the line, without the program's name
 * @size:	its size
 */
void tapd_connect_why(int err, const char *path, bool socket_option, char *buf, size_t size)
{
	if (err == -ENOENT || err == -ECONNREFUSED)
		snprintf(buf, size,
			 "tapd is not running at %s: start tapd.socket (systemctl start tapd.socket), or %sset TAPD_SOCKET",
			 path, socket_option ? "pass --socket or " : "");
	else if (err == -ENAMETOOLONG)
		snprintf(buf, size, "tapd socket path %s is too long", path);
	else
		snprintf(buf, size, "cannot connect to tapd at %s: %s", path, strerror(-err));
}

/**
 * tapd_connect_or_explain() - connect, or say in one line why not
 * @prog:	the program speaking, first on the line
 * @path:	tapd's socket
 * @sock:	set to the connected socket
 *
 * Return: 0, or the exit status to leave with.
 */
int tapd_connect_or_explain(const char *prog, const char *path, int *sock)
{
	int ret = client_connect(path, sock);
	char why[PATH_MAX + 160];

	if (!ret)
		return 0;
	tapd_connect_why(ret, path, !strcmp(prog, "tapvm"), why, sizeof(why));
	fprintf(stderr, "%s: %s\n", prog, why);
	return EXIT_NOTAPD;
}

/**
 * tapd_exit_status() - the exit status for a failed tapd request
 * @err:	the request's -errno (tapd's own errno where it answered)
 *
 * Return: a status from exitcode.h.
 */
int tapd_exit_status(int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
	case EDQUOT:
	case ENOSPC:
		return EXIT_REFUSED;
	case ENODEV:
	case EMEDIUMTYPE:
		return EXIT_NOBRIDGE;
	case ECONNRESET:
	case ETIMEDOUT:
	case EPIPE:
		return EXIT_NOTAPD;
	case EPROTO:
	case EBADMSG:
	case EPROTONOSUPPORT:
		return EXIT_PROTOCOL;
	}
	return EXIT_OSERR;
}
