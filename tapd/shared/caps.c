// SPDX-License-Identifier: GPL-2.0-or-later
/* caps.c - drop to CAP_NET_ADMIN alone (the back) or nothing (the front),
 * as an unprivileged user
 *
 * The back keeps CAP_NET_ADMIN, for:
 *	TUNSETIFF	a new tap, and each queue attached to a multiqueue one
 *	TUNSETOWNER	its owner, before anyone else can attach
 *	RTM_NEWLINK	its port (an ifb device); a link's address, MTU,
 *			alias, addrgenmode, master; up
 *	RTM_SETLINK	the port's flags (AF_BRIDGE IFLA_PROTINFO), its VLAN
 *	RTM_DELLINK	a tap or port of tapd's; the default VLAN off a port
 *	RTM_NEWNEIGH	the pinned MAC's static FDB entry
 *	RTM_NEWQDISC	clsact on the tap and its port
 *	RTM_NEWTFILTER	u32 with mirred between them
 * The front keeps nothing. Both drop after the socket is bound, the policy
 * read and the notification socket opened (its buffer past rmem_max).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <linux/capability.h>

#include <cap-ng.h>

#include "caps.h"

/**
 * caps_verify() - refuse to go on with more than CAP_NET_ADMIN, or any
 * @was_root:	tapd started as uid 0 and must have left it
 * @keep:	CAP_NET_ADMIN must be there (the back), or must not (the front)
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
 * @uid:	user to become when started as uid 0 (user_resolve())
 * @gid:	its group
 * @keep:	keep CAP_NET_ADMIN (the back), or nothing (the front)
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Must run after the socket is bound and the policy read, and before the
 * first client is served. As root: become @uid keeping only CAP_NET_ADMIN (or
 * nothing), drop supplementary groups and clear the bounding set. Not as root (a unit
 * with AmbientCapabilities=): keep only CAP_NET_ADMIN, and clear the bounding
 * set only where CAP_SETPCAP allows it. Either way: clear the ambient set,
 * set no_new_privs, and check the result; anything more is an error.
 *
 * Return: 0 or -errno.
 */
int caps_drop(uid_t uid, gid_t gid, bool keep, char *err, size_t errlen)
{
	int was_root = getuid() == 0 || geteuid() == 0;
	int bounding, ret;

	/* Read afresh: what this process holds now, not what was read before. */
	capng_get_caps_process();
	bounding = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	if (was_root) {
		if (!uid || !gid) {
			snprintf(err, errlen, "refusing to stay root");
			return -EPERM;
		}
		ret = capng_change_id((int)uid, (int)gid,
				      CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
		if (ret) {
			snprintf(err, errlen, "cannot switch to uid %u (libcap-ng error %d)",
				 (unsigned int)uid, ret);
			return -EPERM;
		}
	} else {
		if (getuid() == CAPS_NOBODY) {
			snprintf(err, errlen,
				 "tapd runs as nobody, whom other processes share: give it a user of its own (User= in its unit)");
			return -EPERM;
		}
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
