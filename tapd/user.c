// SPDX-License-Identifier: GPL-2.0-or-later
/* user.c - who tapd runs as: the --user account, and the capability it
 * must start with. Resolved by the front, before it forks the back: the
 * back never reads the user database.
 */

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>

#include <cap-ng.h>

#include "caps.h"
#include "user.h"

/**
 * user_check_caps() - can this process do tapd's work at all?
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0 or -EPERM.
 */
int user_check_caps(char *err, size_t errlen)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		snprintf(err, errlen,
			 "tapd needs CAP_NET_ADMIN: start it as root, or with AmbientCapabilities=CAP_NET_ADMIN");
		return -EPERM;
	}
	return 0;
}

/**
 * user_resolve() - the user tapd becomes when started as root
 * @user:	--user's value
 * @uid:	set to its uid
 * @gid:	set to its gid
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * A name, or a number (uid and gid both) that no
 * one else uses. Never root, and never nobody: every process that runs as
 * nobody (tapd's own clients among them) could signal tapd, ptrace it or
 * lower its limits.
 *
 * Return: 0 or -errno.
 */
int user_resolve(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(user, &end, 10);
	if (!pw && *user && !*end && !errno && n < 4294967295UL) {
		*uid = (uid_t)n;
		*gid = (gid_t)n;
	} else if (!pw && !strcmp(user, USER_DEFAULT)) {
		snprintf(err, errlen,
			 "user '%s' does not exist: create it (systemd-sysusers, or useradd --system --no-create-home --shell /usr/sbin/nologin %s), or name another with --user",
			 user, user);
		return -ENOENT;
	} else if (!pw) {
		snprintf(err, errlen, "unknown user '%s' for --user: create it or name another",
			 user);
		return -ENOENT;
	} else {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (*uid == 0 || *gid == 0) {
		snprintf(err, errlen, "--user '%s' is root: name an unprivileged user", user);
		return -EINVAL;
	}
	if (*uid == CAPS_NOBODY || !strcmp(user, "nobody")) {
		snprintf(err, errlen,
			 "--user '%s' is nobody, whom other processes share: create a user of tapd's own (systemd-sysusers, or useradd --system tapd)",
			 user);
		return -EINVAL;
	}
	return 0;
}

