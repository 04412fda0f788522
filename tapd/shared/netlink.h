/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - rtnetlink through libnl, as both halves read it: one socket,
 * requests answered with the kernel's own errno, links parsed. libnl's
 * NLE_* codes stop here: 0 or -errno. */
#ifndef TAPD_NETLINK_H
#define TAPD_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/if_link.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

/**
 * struct netlink_link - one link, as one RTM_NEWLINK message reports it
 * @name:	its name
 * @alias:	its alias, "" if none
 * @kind:	its IFLA_INFO_KIND ("bridge", "tun", "ifb"), "" if none
 * @ifindex:	its ifindex
 * @mtu:	its MTU
 * @flags:	its IFF_* flags
 * @master:	its master's ifindex, 0 if none
 * @tun_seen:	the kernel said what follows (a tun link)
 * @multi_queue: IFF_MULTI_QUEUE
 * @persist:	it outlives its fds
 * @attached:	queues attached (said of multiqueue taps only)
 * @disabled:	queues detached (IFF_DETACH_QUEUE), still held
 * @owner:	its owner, -1 for none
 * @group:	its group, -1 for none
 * @br_vlan_filtering: a bridge that filters VLANs
 * @brport:	as a bridge port: each one-byte IFLA_BRPORT_* flag, and
 * @brport_seen: whether the kernel reported it
 */
struct netlink_link {
	char name[IFNAMSIZ];
	char alias[256];
	char kind[16];
	int ifindex;
	unsigned int mtu, flags;
	int master;
	bool tun_seen, multi_queue, persist;
	unsigned int attached, disabled;
	int64_t owner, group;
	bool br_vlan_filtering;
	uint8_t brport[IFLA_BRPORT_MAX + 1];
	bool brport_seen[IFLA_BRPORT_MAX + 1];
};

int netlink_open(struct nl_sock **sk);
int netlink_errno(int nlerr);
struct nl_msg *netlink_ifi_msg(int type, int family, int ifindex);
int netlink_talk(struct nl_sock *sk, struct nl_msg *msg,
		 int (*fn)(struct nl_msg *msg, void *arg), void *arg);
int netlink_link_parse(struct nlmsghdr *nlh, struct netlink_link *l);
int netlink_link_get(struct nl_sock *sk, int ifindex, const char *name, struct netlink_link *l);
int netlink_ifindex(struct nl_sock *sk, const char *name);
int netlink_mtu(struct nl_sock *sk, const char *name);
int netlink_bridge_get(struct nl_sock *sk, int ifindex, const char *name,
		       struct netlink_link *l);
bool netlink_tun_abandoned(const struct netlink_link *l);

#endif /* TAPD_NETLINK_H */
