/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wire.h - each message of the tapd protocol as a typed struct: the one
 * place that encodes and decodes attributes (docs/protocol.md) */
#ifndef TAPVM_WIRE_H
#define TAPVM_WIRE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

/**
 * struct wire_create - a CREATE request
 * @bridge:	the bridge (a valid interface name)
 * @label:	the VM's label, or NULL
 * @queues:	1 to PROTO_QUEUES_MAX
 * @vhost:	a vhost-net fd per queue too
 * @guest_mac:	the guest's MAC (6 bytes, unicast), or NULL
 * @vlan:	1 to 4094, or 0 for none asked
 */
struct wire_create {
	const char *bridge;
	const char *label;
	unsigned int queues;
	bool vhost;
	const uint8_t *guest_mac;
	unsigned int vlan;
};

/**
 * struct wire_created - a CREATE reply; its fds come beside it
 * @bridge:	the bridge, as asked
 * @label:	the label, as asked, or NULL
 * @ifname:	the tap's name
 * @ifindex:	its ifindex
 * @mtu:	its MTU
 * @mac:	its MAC
 * @vhost_errno: why there are no vhost-net fds (positive), or 0
 * @vlan:	the port's VLAN, or 0
 * @nqueues:	fds that are the tap's queues, in order
 * @nvhost:	fds after them that are vhost-net fds, one per queue, or 0
 */
struct wire_created {
	const char *bridge, *label, *ifname;
	uint32_t ifindex, mtu;
	uint8_t mac[6];
	uint32_t vhost_errno;
	unsigned int vlan;
	unsigned int nqueues, nvhost;
};

/* One GRANT of a LIST reply. */
struct wire_grant {
	const char *bridge;
	uint32_t max_taps;
};

/* One TAP of a LIST reply; only @ifname is always there. */
struct wire_tap {
	const char *ifname, *bridge, *label;
	uint32_t ifindex, pid;
	uint64_t since;
};

int wire_create_encode(struct nl_msg **msg, uint32_t seq, const struct wire_create *c);
int wire_create_decode(const struct proto_parsed *p, struct wire_create *c, const char **why);
int wire_created_encode(struct nl_msg **msg, uint32_t seq, const struct wire_created *r);
int wire_created_decode(const struct proto_parsed *p, struct wire_created *r,
			const char **why);
int wire_list_add_grant(struct nl_msg *msg, const struct wire_grant *g);
int wire_list_add_tap(struct nl_msg *msg, const struct wire_tap *t);
int wire_list_decode(const struct proto_parsed *p,
		     int (*grant)(void *arg, const struct wire_grant *g),
		     int (*tap)(void *arg, const struct wire_tap *t), void *arg,
		     const char **why);
int wire_error_decode(const struct proto_parsed *p, const char **message);

#endif /* TAPVM_WIRE_H */
