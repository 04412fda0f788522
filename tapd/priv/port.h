/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.h - tapd's port for a guest's tap: an ifb device joined to it by tc,
 * on a master of a kind port.c knows */
#ifndef TAPD_PORT_H
#define TAPD_PORT_H

#include <stdint.h>

#include "netlink.h"
#include "ovsdb.h"
#include "priv.h"

/**
 * struct port_master - what a port is put on
 * @link:	the master's link (an Open vSwitch bridge's own internal port)
 * @ovs:	for an Open vSwitch bridge, its record
 */
struct port_master {
	struct netlink_link link;
	struct ovsdb_bridge ovs;
};

/**
 * struct port_kind - one kind of master a port can be put on
 * @name:	for people
 * @find:	is @m of this kind? 0, -EMEDIUMTYPE (no), or -errno (cannot
 *		tell); fills what the kind keeps in @m
 * @join:	put the port (down, configured) on @m and set it up as the
 *		policy says; on failure set @why (and @missing)
 * @kernel_master: @m is the port's master in the kernel (IFLA_MASTER), set
 *		in the message that configures the port, before @join
 * @leave:	undo @join, where the membership outlives the port device
 *		(an Open vSwitch Port record), or NULL
 * @named:	the port's alias names the master (no kernel master says it)
 *
 * Lookup is port_kind_find(); making the port device and the redirect, and
 * removing them, is the same for every kind.
 */
struct port_kind {
	const char *name;
	int (*find)(struct port_master *m);
	int (*join)(struct nl_sock *sk, const struct port_master *m,
		    const struct netlink_link *port, const char *tap_name,
		    const struct priv_port *opts, enum priv_why *why, uint32_t *missing);
	int (*leave)(const char *port);
	bool kernel_master;
	bool named;
};

int port_kind_find(struct port_master *m, const struct port_kind **kind);
int port_create(struct nl_sock *sk, const struct port_kind *kind, int tap, const char *tap_name,
		const struct port_master *master, const uint8_t mac[6],
		const struct priv_port *opts, enum priv_why *why, uint32_t *missing);

#endif /* TAPD_PORT_H */
