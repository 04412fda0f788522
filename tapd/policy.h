/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy.h - tapd's policy: who may use which bridge, how many taps */
#ifndef TAPD_POLICY_H
#define TAPD_POLICY_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "portopt.h"
#include "proto.h"

#define POLICY_DEFAULT_PATH	"/etc/tapd/tapd.conf"
#define POLICY_MAX_DEFAULT	1
#define POLICY_MAX_LIMIT	4096
#define POLICY_LINE_MAX		4096
#define POLICY_INCLUDE_DEPTH	8
#define POLICY_ERR_MAX		(PATH_MAX + 256)
#define POLICY_QUEUES_DEFAULT	1
#define POLICY_QUEUES_LIMIT	PROTO_QUEUES_MAX
#define POLICY_VLANS_MAX	16

/**
 * struct policy_port - how a granted port is configured on its bridge
 * @opt:	each per-port option on or off (portopt.c has one row each:
 *		isolated=, mac=pinned, bpdu_guard=, root_block=, learning=,
 *		flood=)
 * @vlans:	vlan=: the VLANs a request may choose from (the first by
 *		default), untagged PVID on a VLAN-filtering bridge; none: no VLAN
 * @nvlans:	how many
 */
struct policy_port {
	bool opt[PORTOPT_MAX];
	unsigned short vlans[POLICY_VLANS_MAX];
	size_t nvlans;
};

enum policy_subject { POLICY_ALL, POLICY_UID, POLICY_GID };

/**
 * struct policy_rule - one allow or deny line
 * @deny:	a deny rule
 * @subject:	who it applies to
 * @id:		uid or gid for POLICY_UID and POLICY_GID
 * @bridges:	bridge names, exact
 * @nbridges:	how many
 * @max_taps:	MAX (allow only)
 * @max_queues:	queues=: most queues one tap may have (allow only)
 * @port:	the port options (allow only)
 */
struct policy_rule {
	bool deny;
	enum policy_subject subject;
	unsigned int id;
	char (*bridges)[IFNAMSIZ];
	size_t nbridges;
	unsigned int max_taps;
	unsigned int max_queues;
	struct policy_port port;
};

/**
 * struct policy_grant - what the rules that grant a bridge allow together
 * @max_taps:	the largest MAX among them
 * @max_queues:	the largest queues= among them
 * @port:	the most protective port of them: isolated, pinned, guarded or
 *		root-blocked if any says so, learning and flooding only if all
 *		allow it; the VLANs any of them lists
 */
struct policy_grant {
	unsigned int max_taps;
	unsigned int max_queues;
	struct policy_port port;
};

struct subids;

/**
 * struct policy - the rules, and the subordinate ids read with them
 * @rules:	the allow and deny lines, in order
 * @nrules:	how many
 * @subids:	/etc/subuid and /etc/subgid (subid.c)
 */
struct policy {
	struct policy_rule *rules;
	size_t nrules;
	struct subids *subids;
};

/**
 * struct policy_cred - who is asking
 * @uid:	SO_PEERCRED's uid
 * @gids:	SO_PEERCRED's gid, then SO_PEERGROUPS
 * @ngids:	how many
 */
struct policy_cred {
	uid_t uid;
	const gid_t *gids;
	size_t ngids;
};

int policy_load(const char *path, uid_t owner, struct policy **out, char *err,
		size_t errlen);
int policy_load_subids(struct policy *p, const char *uid_path, const char *gid_path,
		       char *err, size_t errlen);
void policy_free(struct policy *p);
int policy_check(const struct policy *p, const struct policy_cred *cred,
		 const char *bridge, struct policy_grant *grant);
bool policy_explain(const struct policy *p, const struct policy_cred *cred, const char *bridge,
		    gid_t *gids, size_t max, size_t *ngids);
size_t policy_grants(const struct policy *p, const struct policy_cred *cred,
		     void (*fn)(void *ctx, const char *bridge, unsigned int max),
		     void *ctx);

#endif /* TAPD_POLICY_H */
