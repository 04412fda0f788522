/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.h - rtnetlink through libnl: the requests tapd makes, and the
 * reads both halves share. libnl's NLE_* codes stop here: 0 or -errno. */
#ifndef TAPD_KERNEL_H
#define TAPD_KERNEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <netlink/netlink.h>

struct kernel;

/**
 * struct kernel_link - one link, as one RTM_GETLINK reports it
 * @name:	its name
 * @alias:	its alias, "" if none
 * @kind:	its IFLA_INFO_KIND ("bridge", "tun", "veth"), "" if none
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
 */
struct kernel_link {
	char name[IFNAMSIZ];
	char alias[256];
	char kind[16];
	int ifindex;
	unsigned int mtu, flags;
	int master;
	bool tun_seen, multi_queue, persist;
	unsigned int attached, disabled;
	int64_t owner, group;
};

int kernel_open(struct kernel **k);
void kernel_close(struct kernel *k);
int kernel_errno(int nlerr);
struct nl_sock *kernel_sock(struct kernel *k);
struct nl_msg *kernel_ifi_msg(int type, int flags, int family, int ifindex);
int kernel_send_sync(struct kernel *k, struct nl_msg *msg);
int kernel_get_one(int ifindex, const char *name,
		   int (*fn)(struct nl_msg *msg, void *arg), void *arg);
int kernel_info_nested(struct nl_msg *msg, int which, struct nlattr **tb, int max);
int kernel_link_parse(struct nlmsghdr *nlh, struct kernel_link *l);
int kernel_link_get(int ifindex, const char *name, struct kernel_link *l);
bool kernel_tun_abandoned(const struct kernel_link *l);
int kernel_configure(struct kernel *k, int ifindex, const uint8_t *mac, unsigned int mtu,
		     const char *alias);
int kernel_set_up(struct kernel *k, int ifindex);
int kernel_delete(struct kernel *k, int ifindex);

#endif /* TAPD_KERNEL_H */
