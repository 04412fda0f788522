/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.h - tapd's bridge port for a guest's tap: a veth pair, joined by tc */
#ifndef TAPD_PORT_H
#define TAPD_PORT_H

#include <net/if.h>
#include <stdint.h>

struct link_ctx;
struct link_bridge;
struct link_port;

int port_names(const char *tap, char port[IFNAMSIZ], char peer[IFNAMSIZ]);
int port_alias_parse(const char *alias, int *tap);
int port_create(struct link_ctx *ctx, int tap, const char *tap_name,
		const struct link_bridge *br, const uint8_t mac[6],
		const struct link_port *opts, const char **why);

#endif /* TAPD_PORT_H */
