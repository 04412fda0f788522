/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port.h - tapd's bridge port for a guest's tap: a veth pair, joined by tc */
#ifndef TAPD_PORT_H
#define TAPD_PORT_H

#include <stdint.h>

#include "priv.h"

struct kernel;

int port_create(struct kernel *k, int tap, const char *tap_name, int bridge, unsigned int mtu,
		const uint8_t mac[6], const struct priv_port *opts, enum priv_why *why,
		uint32_t *missing);

#endif /* TAPD_PORT_H */
