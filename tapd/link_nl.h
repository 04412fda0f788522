/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link_nl.h - what link.c shares with port.c, the other file that speaks
 * rtnetlink; nothing else in tapd includes it. */
#ifndef TAPD_LINK_NL_H
#define TAPD_LINK_NL_H

#include <netlink/netlink.h>

struct link_ctx;

struct nl_sock *link_sock(struct link_ctx *ctx);
int link_errno(int nlerr);
struct nl_msg *link_ifi_msg(int type, int flags, int family, int ifindex);
int link_send_sync(struct link_ctx *ctx, struct nl_msg *msg);
int link_get_one(int ifindex, int (*fn)(struct nl_msg *msg, void *arg), void *arg);
int link_info_nested(struct nl_msg *msg, int which, struct nlattr **tb, int max);

#endif /* TAPD_LINK_NL_H */
