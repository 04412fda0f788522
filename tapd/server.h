/* SPDX-License-Identifier: GPL-2.0-or-later */
/* server.h - tapd's request loop */
#ifndef TAPD_SERVER_H
#define TAPD_SERVER_H

#include <stdbool.h>

struct policy;
struct link_ctx;

/**
 * struct server_cfg - what the loop serves with
 * @listen_fd:	listening socket (non-blocking)
 * @activated:	started by socket activation
 * @idle_exit:	when activated, exit after this many seconds with no client
 * @policy:	the policy
 * @link:	rtnetlink context
 */
struct server_cfg {
	int listen_fd;
	bool activated;
	unsigned int idle_exit;
	struct policy *policy;
	struct link_ctx *link;
};

int server_run(struct server_cfg *cfg);

#endif /* TAPD_SERVER_H */
