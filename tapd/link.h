/* SPDX-License-Identifier: GPL-2.0-or-later */
/* link.h - the front's view of links: bridges, tapd's taps, notifications */
#ifndef TAPD_LINK_H
#define TAPD_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "names.h"

struct link_ctx;

/**
 * struct link_bridge - a bridge resolved by name, used by ifindex after
 * @ifindex:	its ifindex
 * @mtu:	its MTU, given to its new ports
 * @mac_set:	its MAC was set explicitly (else it changes as ports come and go)
 * @vlan_filtering: it filters VLANs (so a port can be given one)
 * @kernel:	a Linux bridge; else a link that may be an Open vSwitch
 *		bridge's own port, which the back asks Open vSwitch about
 */
struct link_bridge {
	int ifindex;
	unsigned int mtu;
	bool mac_set;
	bool vlan_filtering;
	bool kernel;
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
int link_bridge_lookup(struct link_ctx *ctx, const char *name, bool fresh,
		       struct link_bridge *br);
int link_tap_get(struct link_ctx *ctx, int ifindex, struct link_tapinfo *t);
int link_taps_of(struct link_ctx *ctx, uid_t uid,
		 void (*fn)(void *arg, const struct link_tapinfo *t), void *arg);

struct quota;
int link_watch_open(struct link_ctx *ctx);
int link_watch_start(struct link_ctx *ctx, struct quota *q,
		     void (*reaped)(int ifindex, uid_t uid, int err),
		     void (*port_disabled)(int ifindex, uid_t uid));
int link_watch_fd(const struct link_ctx *ctx);
int link_watch_read(struct link_ctx *ctx);
bool link_reaping(const struct link_ctx *ctx);

#endif /* TAPD_LINK_H */
