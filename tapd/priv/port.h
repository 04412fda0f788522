/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.h - tapd's port for a guest's tap: an ifb device joined to it by tc,
 * on a master of a kind port.c knows */
#ifndef TAPD_PORT_H
#define TAPD_PORT_H

#include <stdint.h>

#include "netlink.h"
#include "priv.h"

/**
 * struct port_kind - one kind of master a port can be put on
 * @kind:	the master's IFLA_INFO_KIND
 * @join:	put the port (down, configured) on @master and set it up as
 *		the policy says; on failure set @why (and @missing)
 *
 * Lookup is port_kind_of(); making the port device and the redirect, and
 * removing them, is the same for every kind. A kind whose membership
 * outlives the link (an Open vSwitch Port record) adds its removal here.
 */
struct port_kind {
	const char *kind;
	int (*join)(struct nl_sock *sk, int port, int master, const struct priv_port *opts,
		    enum priv_why *why, uint32_t *missing);
};

const struct port_kind *port_kind_of(const struct netlink_link *master);
int port_create(struct nl_sock *sk, const struct port_kind *kind, int tap, const char *tap_name,
		const struct netlink_link *master, const uint8_t mac[6],
		const struct priv_port *opts, enum priv_why *why, uint32_t *missing);

#endif /* TAPD_PORT_H */
