// SPDX-License-Identifier: GPL-2.0-or-later
/* caps.c - drop to CAP_NET_ADMIN alone (the back) or nothing (the front),
 * as an unprivileged user
 *
 * The back keeps CAP_NET_ADMIN, for:
 *	TUNSETIFF	a new tap, and each queue attached to a multiqueue one
 *	TUNSETOWNER	its owner, before anyone else can attach
 *	RTM_NEWLINK	the veth pair of its port (with master); a link's
 *			address, MTU, alias, addrgenmode; up
 *	RTM_SETLINK	the port's flags (AF_BRIDGE IFLA_PROTINFO), its VLAN
 *	RTM_DELLINK	a tap or port of tapd's; the default VLAN off a port
 *	RTM_NEWNEIGH	the pinned MAC's static FDB entry
 *	RTM_NEWQDISC	clsact on the tap and the port's peer
 *	RTM_NEWTFILTER	u32 with mirred between them
 * The front keeps nothing. Both drop after the socket is bound, the policy
 * read and the notification socket opened (its buffer past rmem_max).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include <cap-ng.h>

#include "caps.h"

/**
 * caps_check() - can this process do tapd's work at all?
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0 or -EPERM.
 */
int caps_check(char *err, size_t errlen)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		snprintf(err, errlen,
			 "tapd needs CAP_NET_ADMIN: start it as root, or with AmbientCapabilities=CAP_NET_ADMIN");
		return -EPERM;
	}
	return 0;
}

/*
 * The user tapd becomes: a name, or a number (uid and gid both) that no
 * one else uses. Never root, and never nobody: every process that runs as
 * nobody (tapd's own clients among them) could signal tapd, ptrace it or
 * lower its limits.
 */
static int caps_lookup_user(const char *user, uid_t *uid, gid_t *gid,
			    char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(user, &end, 10);
	if (!pw && *user && !*end && !errno && n < 4294967295UL) {
		*uid = (uid_t)n;
		*gid = (gid_t)n;
	} else if (!pw && !strcmp(user, CAPS_DEFAULT_USER)) {
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

/**
 * caps_verify() - refuse to go on with more than CAP_NET_ADMIN
 * @was_root:	tapd started as uid 0 and must have left it
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0 or -EPERM.
 */
static int caps_verify(int was_root, bool keep, char *err, size_t errlen)
{
	uid_t r, e, s;

	capng_get_caps_process();
	for (unsigned int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap == CAP_NET_ADMIN && keep)
			continue;
		if (capng_have_capability(CAPNG_EFFECTIVE, cap) ||
		    capng_have_capability(CAPNG_PERMITTED, cap) ||
		    capng_have_capability(CAPNG_INHERITABLE, cap)) {
			snprintf(err, errlen, "could not drop capability %s",
				 capng_capability_to_name(cap));
			return -EPERM;
		}
	}
	if (keep != !!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN)) {
		snprintf(err, errlen, keep ? "lost CAP_NET_ADMIN while dropping privileges" :
			 "could not drop CAP_NET_ADMIN");
		return -EPERM;
	}
	if (getresuid(&r, &e, &s) || (was_root && (!r || !e || !s))) {
		snprintf(err, errlen, "still uid 0 after dropping privileges");
		return -EPERM;
	}
	return 0;
}

/**
 * caps_drop() - keep CAP_NET_ADMIN and nothing else, or nothing, never as root
 * @user:	user to become when started as uid 0
 * @keep:	keep CAP_NET_ADMIN (the back), or nothing (the front)
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Must run after the socket is bound and the policy read, and before the
 * first client is served. As root: become @user keeping only CAP_NET_ADMIN,
 * drop supplementary groups and clear the bounding set. Not as root (a unit
 * with AmbientCapabilities=): keep only CAP_NET_ADMIN, and clear the bounding
 * set only where CAP_SETPCAP allows it. Either way: clear the ambient set,
 * set no_new_privs, and check the result; anything more is an error.
 *
 * Return: 0 or -errno.
 */
int caps_drop(const char *user, bool keep, char *err, size_t errlen)
{
	int was_root = getuid() == 0 || geteuid() == 0;
	int ret;

	ret = caps_check(err, errlen);
	if (ret)
		return ret;

	if (was_root) {
		uid_t uid;
		gid_t gid;

		ret = caps_lookup_user(user, &uid, &gid, err, errlen);
		if (ret)
			return ret;
		capng_clear(CAPNG_SELECT_BOTH);
		if (keep)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				     CAP_NET_ADMIN);
		ret = capng_change_id((int)uid, (int)gid,
				      CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (ret) {
			snprintf(err, errlen, "cannot switch to user '%s' (libcap-ng error %d)",
				 user, ret);
			return -EPERM;
		}
	} else {
		int bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);

		if (getuid() == CAPS_NOBODY) {
			snprintf(err, errlen,
				 "tapd runs as nobody, whom other processes share: give it a user of its own (User= in its unit)");
			return -EPERM;
		}

		capng_clear(CAPNG_SELECT_BOTH);
		if (keep)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				     CAP_NET_ADMIN);
		if (capng_apply(bounding ? CAPNG_SELECT_BOTH : CAPNG_SELECT_CAPS)) {
			snprintf(err, errlen, "cannot drop capabilities");
			return -EPERM;
		}
	}

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
			 strerror(errno));
		return -errno;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	/* Neither half may be ptraced or dumped by the other, nor by the user. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, errlen, "cannot clear the dumpable flag: %s", strerror(errno));
		return -errno;
	}
	return caps_verify(was_root, keep, err, errlen);
}
