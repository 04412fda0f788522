// SPDX-License-Identifier: GPL-2.0-or-later
/* wire.c - each message of the tapd protocol as a typed struct
 *
 * proto.c frames, bounds and shapes messages (which attributes each type
 * may carry, their sizes); this file is the one that reads and writes
 * attributes, message by message, and checks their values: tapd's server
 * and the clients see only the structs in wire.h. A new attribute is a
 * field here, a line of proto.c's policy and shapes, and docs/protocol.md.
 */

#include <errno.h>
#include <string.h>

#include "names.h"
#include "wire.h"

#define WIRE_STR2(x)	#x
#define WIRE_STR(x)	WIRE_STR2(x)

/**
 * wire_create_encode() - a CREATE request
 * @msg:	set to the message; the caller frees it
 * @seq:	its sequence number
 * @c:		what to ask for
 *
 * Return: 0 or -ENOMEM.
 */
int wire_create_encode(struct nl_msg **msg, uint32_t seq, const struct wire_create *c)
{
	struct nl_msg *m;
	int ret = proto_new(&m, PROTO_MSG_CREATE, seq, PROTO_REQUEST_MAX);

	if (ret)
		return ret;
	if (nla_put_string(m, PROTO_A_BRIDGE, c->bridge) ||
	    (c->label && nla_put_string(m, PROTO_A_LABEL, c->label)) ||
	    nla_put_u32(m, PROTO_A_QUEUES, c->queues ? c->queues : 1) ||
	    (c->vhost && nla_put_u8(m, PROTO_A_VHOST, 1)) ||
	    (c->guest_mac && nla_put(m, PROTO_A_GUEST_MAC, 6, c->guest_mac)) ||
	    (c->vlan && nla_put_u16(m, PROTO_A_VLAN, (uint16_t)c->vlan))) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	*msg = m;
	return 0;
}

/**
 * wire_create_decode() - a CREATE request, every value checked
 * @p:		the request, as proto_parse() accepted it
 * @c:		filled; its strings point into the request
 * @why:	on failure, one line for people (what tapd answers)
 *
 * @c->bridge is NULL when it is not a valid interface name (so that it is
 * never logged as one).
 *
 * Return: 0 or -EINVAL.
 */
int wire_create_decode(const struct proto_parsed *p, struct wire_create *c, const char **why)
{
	struct nlattr *const *tb = p->tb;
	const uint8_t *m;

	memset(c, 0, sizeof(*c));
	c->queues = tb[PROTO_A_QUEUES] ? nla_get_u32(tb[PROTO_A_QUEUES]) : 1;
	c->vhost = tb[PROTO_A_VHOST] && nla_get_u8(tb[PROTO_A_VHOST]);
	c->vlan = tb[PROTO_A_VLAN] ? nla_get_u16(tb[PROTO_A_VLAN]) : 0;
	c->label = tb[PROTO_A_LABEL] ? nla_get_string(tb[PROTO_A_LABEL]) : NULL;
	m = c->guest_mac = tb[PROTO_A_GUEST_MAC] ? nla_data(tb[PROTO_A_GUEST_MAC]) : NULL;
	if (!tb[PROTO_A_BRIDGE] || !names_ifname_valid(nla_get_string(tb[PROTO_A_BRIDGE]))) {
		*why = "bridge name is not a valid interface name";
		return -EINVAL;
	}
	c->bridge = nla_get_string(tb[PROTO_A_BRIDGE]);
	*why = c->label && !names_label_valid(c->label) ?
	       "VM label must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}" :
	       c->queues < 1 || c->queues > PROTO_QUEUES_MAX ? "queues must be from 1 to " WIRE_STR(PROTO_QUEUES_MAX) :
	       m && !names_mac_unicast(m) ? "the guest's MAC must be a unicast address" :
	       c->vlan > 4094 ? "VLAN must be from 1 to 4094" : NULL;
	return *why ? -EINVAL : 0;
}

/**
 * wire_created_encode() - a CREATE reply (its fds go beside it)
 * @msg:	set to the message; the caller frees it
 * @seq:	the request's sequence number
 * @r:		what was made
 *
 * Return: 0 or -ENOMEM.
 */
int wire_created_encode(struct nl_msg **msg, uint32_t seq, const struct wire_created *r)
{
	struct nl_msg *m;
	struct nlattr *fds;
	int ret = proto_new(&m, PROTO_MSG_CREATE, seq, PROTO_REQUEST_MAX);

	if (ret)
		return ret;
	if (nla_put_string(m, PROTO_A_BRIDGE, r->bridge) ||
	    (r->label && nla_put_string(m, PROTO_A_LABEL, r->label)) ||
	    nla_put_string(m, PROTO_A_IFNAME, r->ifname) ||
	    nla_put_u32(m, PROTO_A_IFINDEX, r->ifindex) ||
	    nla_put_u32(m, PROTO_A_MTU, r->mtu) ||
	    nla_put(m, PROTO_A_MAC, 6, r->mac) ||
	    (r->vhost_errno && nla_put_u32(m, PROTO_A_VHOST_ERRNO, r->vhost_errno)) ||
	    (r->vlan && nla_put_u16(m, PROTO_A_VLAN, (uint16_t)r->vlan)) ||
	    !(fds = nla_nest_start(m, PROTO_A_FDS)))
		goto oom;
	for (unsigned int i = 0; i < r->nqueues + r->nvhost; i++)
		if (nla_put_u32(m, i < r->nqueues ? PROTO_FD_TAP : PROTO_FD_VHOST,
				i < r->nqueues ? i : i - r->nqueues))
			goto oom;
	nla_nest_end(m, fds);
	*msg = m;
	return 0;
oom:
	nlmsg_free(m);
	return -ENOMEM;
}

/**
 * wire_created_decode() - a CREATE reply, as a client reads it
 * @p:		the reply
 * @r:		filled; its strings point into the reply
 * @why:	on failure, what is wrong with it
 *
 * The fd description must be the tap's queues 0..n-1, then none or one
 * vhost-net fd per queue, 0..n-1: anything else is a tapd this client does
 * not understand.
 *
 * Return: 0 or -EPROTO.
 */
int wire_created_decode(const struct proto_parsed *p, struct wire_created *r,
			const char **why)
{
	struct nlattr *const *tb = p->tb;
	struct nlattr *nla;
	int rem;

	memset(r, 0, sizeof(*r));
	nla_for_each_nested(nla, tb[PROTO_A_FDS], rem) {
		bool is_tap = nla_type(nla) == PROTO_FD_TAP;

		if ((!is_tap && nla_type(nla) != PROTO_FD_VHOST) || nla_len(nla) != 4 ||
		    (is_tap && r->nvhost) ||
		    nla_get_u32(nla) != (is_tap ? r->nqueues : r->nvhost)) {
			*why = "fd description is not the one expected";
			return -EPROTO;
		}
		*(is_tap ? &r->nqueues : &r->nvhost) += 1;
	}
	if (r->nvhost && r->nvhost != r->nqueues) {
		*why = "the number of fds differs from what was asked or described";
		return -EPROTO;
	}
	r->ifname = nla_get_string(tb[PROTO_A_IFNAME]);
	r->bridge = tb[PROTO_A_BRIDGE] ? nla_get_string(tb[PROTO_A_BRIDGE]) : NULL;
	r->label = tb[PROTO_A_LABEL] ? nla_get_string(tb[PROTO_A_LABEL]) : NULL;
	r->ifindex = tb[PROTO_A_IFINDEX] ? nla_get_u32(tb[PROTO_A_IFINDEX]) : 0;
	r->mtu = tb[PROTO_A_MTU] ? nla_get_u32(tb[PROTO_A_MTU]) : 0;
	if (tb[PROTO_A_MAC])
		memcpy(r->mac, nla_data(tb[PROTO_A_MAC]), 6);
	r->vhost_errno = tb[PROTO_A_VHOST_ERRNO] ? nla_get_u32(tb[PROTO_A_VHOST_ERRNO]) : 0;
	r->vlan = tb[PROTO_A_VLAN] ? nla_get_u16(tb[PROTO_A_VLAN]) : 0;
	return 0;
}

/* One GRANT into a LIST reply. Return: 0 or -ENOBUFS. */
int wire_list_add_grant(struct nl_msg *msg, const struct wire_grant *g)
{
	struct nlattr *n = nla_nest_start(msg, PROTO_A_GRANT);

	if (!n || nla_put_string(msg, PROTO_A_BRIDGE, g->bridge) ||
	    nla_put_u32(msg, PROTO_A_MAX_TAPS, g->max_taps))
		return -ENOBUFS;
	nla_nest_end(msg, n);
	return 0;
}

/* One TAP into a LIST reply. Return: 0 or -ENOBUFS. */
int wire_list_add_tap(struct nl_msg *msg, const struct wire_tap *t)
{
	struct nlattr *n = nla_nest_start(msg, PROTO_A_TAP);

	if (!n || nla_put_string(msg, PROTO_A_IFNAME, t->ifname) ||
	    nla_put_u32(msg, PROTO_A_IFINDEX, t->ifindex) ||
	    nla_put_u32(msg, PROTO_A_PID, t->pid) ||
	    (t->since && nla_put_u64(msg, PROTO_A_SINCE, t->since)) ||
	    (t->bridge && t->bridge[0] && nla_put_string(msg, PROTO_A_BRIDGE, t->bridge)) ||
	    (t->label && t->label[0] && nla_put_string(msg, PROTO_A_LABEL, t->label)))
		return -ENOBUFS;
	nla_nest_end(msg, n);
	return 0;
}

/**
 * wire_list_decode() - a LIST reply, each GRANT and TAP to a callback
 * @p:		the reply
 * @grant:	called for each grant (0 to go on, or -errno)
 * @tap:	called for each tap
 * @arg:	passed to both
 * @why:	on failure, what is wrong with the reply (NULL when a callback
 *		failed)
 *
 * Return: 0, -EPROTO, or a callback's -errno.
 */
int wire_list_decode(const struct proto_parsed *p,
		     int (*grant)(void *arg, const struct wire_grant *g),
		     int (*tap)(void *arg, const struct wire_tap *t), void *arg,
		     const char **why)
{
	struct nlattr *nla;
	int rem;

	*why = NULL;
	nla_for_each_attr(nla, p->attrs, p->attrlen, rem) {
		struct nlattr *tb[PROTO_A_MAX + 1];
		int ret = proto_parse_nested(tb, PROTO_A_MAX, nla, why);

		if (ret)
			return ret;
		if (nla_type(nla) == PROTO_A_GRANT) {
			struct wire_grant g;

			if (!tb[PROTO_A_BRIDGE] || !tb[PROTO_A_MAX_TAPS]) {
				*why = "grant lacks its bridge or quota";
				return -EPROTO;
			}
			g.bridge = nla_get_string(tb[PROTO_A_BRIDGE]);
			g.max_taps = nla_get_u32(tb[PROTO_A_MAX_TAPS]);
			ret = grant(arg, &g);
		} else {
			struct wire_tap t = { 0 };

			if (!tb[PROTO_A_IFNAME]) {
				*why = "tap lacks its name";
				return -EPROTO;
			}
			t.ifname = nla_get_string(tb[PROTO_A_IFNAME]);
			t.bridge = tb[PROTO_A_BRIDGE] ? nla_get_string(tb[PROTO_A_BRIDGE]) : NULL;
			t.label = tb[PROTO_A_LABEL] ? nla_get_string(tb[PROTO_A_LABEL]) : NULL;
			t.ifindex = tb[PROTO_A_IFINDEX] ? nla_get_u32(tb[PROTO_A_IFINDEX]) : 0;
			t.pid = tb[PROTO_A_PID] ? nla_get_u32(tb[PROTO_A_PID]) : 0;
			t.since = tb[PROTO_A_SINCE] ? nla_get_u64(tb[PROTO_A_SINCE]) : 0;
			ret = tap(arg, &t);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * wire_error_decode() - an ERROR reply
 * @p:		the reply
 * @message:	set to its line for people (points into the reply)
 *
 * Return: its -errno, or -EPROTO for an errno no kernel has.
 */
int wire_error_decode(const struct proto_parsed *p, const char **message)
{
	uint32_t e = nla_get_u32(p->tb[PROTO_A_ERRNO]);

	*message = nla_get_string(p->tb[PROTO_A_MESSAGE]);
	return e > 0 && e < 4096 ? -(int)e : -EPROTO;
}
