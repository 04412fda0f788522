/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server.h - tapd's request loop */
#ifndef TAPD_SERVER_H
#define TAPD_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

struct policy;
struct link_ctx;
struct quota;

/**
 * struct server_cfg - what the loop serves with
 * @listen_fd:	listening socket (non-blocking)
 * @activated:	started by socket activation
 * @idle_exit:	when activated, exit after this many seconds with no client
 * @policy:	the policy (replaced on SIGHUP)
 * @policy_path: where it is read from, again on SIGHUP
 * @policy_owner: the uid its files must belong to (0)
 * @link:	rtnetlink context
 * @quota:	the taps each user holds
 * @ovsdb:	Open vSwitch's database socket (--ovsdb), for the back and
 *		for what refusals say
 */
struct server_cfg {
	int listen_fd;
	bool activated;
	unsigned int idle_exit;
	struct policy *policy;
	const char *policy_path;
	uid_t policy_owner;
	struct link_ctx *link;
	struct quota *quota;
	const char *ovsdb;
};

int server_run(struct server_cfg *cfg);

#endif /* TAPD_SERVER_H */
