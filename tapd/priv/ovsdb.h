/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ovsdb.h - the back's client of Open vSwitch's database (RFC 7047) */
#ifndef TAPD_OVSDB_H
#define TAPD_OVSDB_H

#include <stdbool.h>
#include <stdint.h>

#include "netlink.h"

#define OVSDB_DEFAULT_PATH	"/run/openvswitch/db.sock"
#define OVSDB_PATH_MAX		107	/* sun_path, less its NUL */
#define OVSDB_UUID_LEN		36
#define OVSDB_TIMEOUT_MS	4000	/* one call, with ovs-vswitchd's work */

/**
 * struct ovsdb_bridge - an Open vSwitch bridge, found by name
 * @uuid:		its Bridge record
 * @forward_bpdu:	other_config:forward-bpdu is true: BPDUs the port
 *			receives are forwarded, whatever the port says
 */
struct ovsdb_bridge {
	char uuid[OVSDB_UUID_LEN + 1];
	bool forward_bpdu;
};

/**
 * struct ovsdb_port - what a new Port record says
 * @tag:	its VLAN (an access port), or 0 for none
 * @protect:	Port:protected: no traffic to other protected ports
 * @no_stp:	other_config stp-enable and rstp-enable false: the port
 *		takes no part in spanning tree (never root, BPDUs dropped)
 */
struct ovsdb_port {
	uint16_t tag;
	bool protect, no_stp;
};

int ovsdb_init(const char *path);
const char *ovsdb_path(void);
int ovsdb_fd(void);
void ovsdb_pump(void);
int ovsdb_bridge_find(const char *name, struct ovsdb_bridge *br);
int ovsdb_port_add(const struct ovsdb_bridge *br, const char *port, const char *tap,
		   const struct ovsdb_port *p);
int ovsdb_port_del(const char *port);
int ovsdb_clean(struct nl_sock *sk);

#endif /* TAPD_OVSDB_H */
