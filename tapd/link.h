/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.h - rtnetlink: bridges and tap configuration (the only libnl user) */
#ifndef TAPD_LINK_H
#define TAPD_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "names.h"

#define LINK_ALIAS_MAX	192	/* IFALIASZ is 256 */

struct link_ctx;

/**
 * struct link_bridge - a bridge resolved by name, used by ifindex after
 * @ifindex:	its ifindex
 * @mtu:	its MTU, given to its new ports
 * @mac_set:	its MAC was set explicitly (else it changes as ports come and go)
 * @vlan_filtering: it filters VLANs (so a port can be given one)
 */
struct link_bridge {
	int ifindex;
	unsigned int mtu;
	bool mac_set;
	bool vlan_filtering;
};

/**
 * struct link_port - how a port is set up on its bridge (tapd.conf(5))
 * @isolated:	isolated from the bridge's other isolated ports
 * @locked:	only sources in the FDB for this port pass: @mac
 * @bpdu_guard:	a BPDU disables the port
 * @root_block:	the port never becomes the root port
 * @learning:	the bridge learns source MACs from it
 * @flood:	unknown unicast is flooded to it
 * @vid:	its untagged PVID, or 0 for no VLAN setup
 * @mac:	with @locked: the one source MAC let through
 */
struct link_port {
	bool isolated, locked, bpdu_guard, root_block, learning, flood;
	uint16_t vid;
	uint8_t mac[6];
};

#define LINK_ANY_UID	((uid_t)-1)

/**
 * struct link_tapinfo - one of tapd's taps, as its alias and the kernel say
 * @ifname:	its name
 * @bridge:	its bridge's name, "" if it has none
 * @label:	the VM label, "" if none
 * @ifindex:	its ifindex
 * @pid:	the client that asked for it
 * @uid:	the user it was made for
 * @since:	when it was made, seconds since the epoch (0: an older alias)
 */
struct link_tapinfo {
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	char label[NAMES_LABEL_MAX + 1];
	unsigned int ifindex, pid;
	uid_t uid;
	unsigned long long since;
};

int link_open(struct link_ctx **ctx);
void link_close(struct link_ctx *ctx);
int link_bridge_lookup(struct link_ctx *ctx, const char *name,
		       struct link_bridge *br);
int link_alias_format(char *buf, size_t size, uid_t uid, pid_t pid,
		      unsigned long long since, const char *label);
int link_configure(struct link_ctx *ctx, int ifindex, const uint8_t *mac, unsigned int mtu,
		   const char *alias);
int link_set_up(struct link_ctx *ctx, int ifindex);
/**
 * struct link_tun - what the kernel says of a multiqueue tap
 * @seen:	it said
 * @attached:	queues attached
 * @disabled:	queues detached (IFF_DETACH_QUEUE), still held
 * @persist:	it outlives its fds
 * @owner:	its owner, -1 for none
 * @group:	its group, -1 for none
 */
struct link_tun {
	bool seen, persist;
	unsigned int attached, disabled;
	int64_t owner, group;
};

int link_tun_get(struct link_ctx *ctx, int ifindex, struct link_tun *t);
int link_delete(struct link_ctx *ctx, int ifindex, const char *name);
int link_tap_get(struct link_ctx *ctx, int ifindex, struct link_tapinfo *t);
int link_taps_of(struct link_ctx *ctx, uid_t uid,
		 void (*fn)(void *arg, const struct link_tapinfo *t), void *arg);

struct quota;
int link_watch_open(struct link_ctx *ctx, struct quota *q,
		    void (*reaped)(int ifindex, uid_t uid, int err),
		    void (*port_disabled)(int ifindex, uid_t uid));
int link_watch_fd(const struct link_ctx *ctx);
int link_watch_read(struct link_ctx *ctx);

#endif /* TAPD_LINK_H */
