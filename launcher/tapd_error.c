// SPDX-License-Identifier: GPL-2.0-or-later
/* tapd_error.c - turn a failed exchange with tapd into a message and status */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "exitcode.h"
#include "tapd_error.h"

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
	bool tapvm = !strcmp(prog, "tapvm");

	if (!ret)
		return 0;
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		fprintf(stderr,
			"%s: tapd is not running at %s: start tapd.socket (systemctl start tapd.socket), or %sset TAPD_SOCKET\n",
			prog, path, tapvm ? "pass --socket or " : "");
	else if (ret == -ENAMETOOLONG)
		fprintf(stderr, "%s: tapd socket path %s is too long\n", prog, path);
	else
		fprintf(stderr, "%s: cannot connect to tapd at %s: %s\n", prog, path,
			strerror(-ret));
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
