// SPDX-License-Identifier: GPL-2.0-or-later
/* port.c - tapd's bridge port for a guest's tap: a veth pair, joined by tc
 *
 * The tap a client holds is never a bridge port. Whoever holds a tap's fd
 * can change the tap's MAC (SIOCSIFHWADDR on the fd checks no capability),
 * and a bridge turns each port's address into a local FDB entry (taking a
 * LAN host's or another guest's traffic) and, where its own MAC was never
 * set, takes the lowest as its own (and its STP bridge id). So for a tap
 * T = tapdXXXXXXXX tapd makes two more links only it controls:
 *
 *	tdpXXXXXXXX	a veth end on the bridge: the port, with tapd's MAC
 *			and the policy's options (flags, VLAN, pinned MAC)
 *	tdrXXXXXXXX	its peer, on no bridge
 *
 * and joins T and tdr with tc: a clsact qdisc on each, and on each one's
 * ingress a u32 filter matching every frame with a mirred action that
 * redirects it to the other's egress. A frame the guest writes comes in on
 * T, leaves through tdr, arrives on tdp and enters the bridge there; a
 * frame the bridge sends to tdp comes in on tdr and leaves through T to the
 * guest. The host's stack sees neither on T. Whatever the fd's holder does
 * to T (its MAC, its flags, its queues) stays on T.
 *
 * All three get the bridge's MTU and no IPv6 address of their own
 * (addrgenmode none): the host has no business on them. The two veth ends
 * carry the alias "tapd-port tap=IFINDEX"; link.c deletes the pair when its
 * tap goes, the tap when its pair goes, and at start pairs whose tap is gone.
 *
 * This file and link.c are the only ones that speak rtnetlink.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>

#include "alias.h"
#include "kernel.h"
#include "port.h"
#include "portopt.h"
#include "util.h"

#ifndef NTF_STICKY
#define NTF_STICKY	(1 << 6)
#endif

/* The veth pair: the port (down, on the bridge, tapd's MAC) and its peer. */
static int port_veth(struct kernel *k, const char *name, const char *peer_name,
		     int bridge, unsigned int mtu,
		     const uint8_t mac[6])
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	struct nl_addr *addr = nl_addr_build(AF_LLC, mac, 6);
	struct nl_msg *msg;
	int ret = -ENOMEM;

	if (!l || !addr)
		goto out;
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, addr);
	rtnl_link_set_mtu(l, mtu);
	rtnl_link_set_master(l, bridge);
	rtnl_link_set_name(peer, peer_name);
	rtnl_link_set_mtu(peer, mtu);
	rtnl_link_put(peer);
	ret = kernel_errno(rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, &msg));
	if (!ret)
		ret = kernel_send_sync(k, msg);	/* EXFULL: the bridge is full */
out:
	nl_addr_put(addr);
	if (l)
		rtnl_link_veth_release(l);
	return ret;
}

/* A request about one link's traffic control: the header. */
static struct nl_msg *port_tc_msg(int type, int ifindex, uint32_t handle, uint32_t parent,
				  uint32_t info, const char *kind)
{
	struct tcmsg tcm = {
		.tcm_family = AF_UNSPEC,
		.tcm_ifindex = ifindex,
		.tcm_handle = handle,
		.tcm_parent = parent,
		.tcm_info = info,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_ACK |
						NLM_F_CREATE | NLM_F_EXCL);

	if (!msg || nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, TCA_KIND, kind)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * Every frame that comes in on @from leaves through @to: a clsact qdisc on
 * @from, and on its ingress "u32 match u32 0 0" (matchall is not in every
 * kernel) with "action mirred egress redirect dev @to".
 */
static int port_redirect(struct kernel *k, int from, int to)
{
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
	struct tc_mirred mirred = {
		.action = TC_ACT_STOLEN,
		.eaction = TCA_EGRESS_REDIR,
		.ifindex = (uint32_t)to,
	};
	struct nlattr *opts, *acts, *act, *actopts;
	struct nl_msg *msg;
	int ret;

	msg = port_tc_msg(RTM_NEWQDISC, from, TC_H_MAKE(TC_H_CLSACT, 0), TC_H_CLSACT, 0, "clsact");
	if (!msg)
		return -ENOMEM;
	ret = kernel_send_sync(k, msg);
	if (ret)
		return ret;

	msg = port_tc_msg(RTM_NEWTFILTER, from, 0, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
			  TC_H_MAKE(1 << 16, htons(ETH_P_ALL)), "u32");
	if (!msg || !(opts = nla_nest_start(msg, TCA_OPTIONS)) ||
	    nla_put(msg, TCA_U32_SEL, sizeof(sel), &sel) ||
	    !(acts = nla_nest_start(msg, TCA_U32_ACT)) ||
	    !(act = nla_nest_start(msg, 1)) ||
	    nla_put_string(msg, TCA_ACT_KIND, "mirred") ||
	    !(actopts = nla_nest_start(msg, TCA_ACT_OPTIONS)) ||
	    nla_put(msg, TCA_MIRRED_PARMS, sizeof(mirred), &mirred)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, actopts);
	nla_nest_end(msg, act);
	nla_nest_end(msg, acts);
	nla_nest_end(msg, opts);
	return kernel_send_sync(k, msg);
}

struct port_read {
	uint8_t flag[IFLA_BRPORT_MAX + 1];
	bool seen[IFLA_BRPORT_MAX + 1];
};

/* The port's flags, as the bridge reports a port's (IFLA_INFO_SLAVE_DATA). */
static int port_read_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *pt[IFLA_BRPORT_MAX + 1];
	struct port_read *r = arg;

	if (kernel_info_nested(msg, IFLA_INFO_SLAVE_DATA, pt, IFLA_BRPORT_MAX))
		return NL_OK;
	for (int t = 1; t <= IFLA_BRPORT_MAX; t++) {
		if (pt[t] && nla_len(pt[t]) == 1) {
			r->seen[t] = true;
			r->flag[t] = nla_get_u8(pt[t]);
		}
	}
	return NL_OK;
}

/*
 * The kernel ignores port flags it does not know: read them back, so that a
 * protection the kernel cannot give is a refusal, never a silent gap.
 */
static int port_verify(int ifindex, const struct priv_port *port, enum priv_why *why,
		       uint32_t *missing)
{
	struct port_read r = { 0 };
	int ret = kernel_get_one(ifindex, NULL, port_read_msg, &r);

	if (ret)
		return ret;
	for (int o = 0; o < PORTOPT_MAX; o++) {
		uint16_t a = portopt_table[o].attr;

		if (!r.seen[a] || r.flag[a] != port->opt[o]) {
			*why = PRIV_WHY_NO_FLAG;
			*missing = (uint32_t)o;
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

/* VLAN @vid as the port's untagged PVID, and not the default VLAN 1. */
static int port_vlan(struct kernel *k, int ifindex, uint16_t vid, enum priv_why *why)
{
	for (int pass = 0; pass < 2; pass++) {
		struct bridge_vlan_info info = {
			.flags = pass ? 0 : BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED,
			.vid = pass ? 1 : vid,
		};
		struct nl_msg *msg;
		struct nlattr *nest;
		int ret;

		if (pass && vid == 1)
			break;
		msg = kernel_ifi_msg(pass ? RTM_DELLINK : RTM_SETLINK,
				   NLM_F_REQUEST | NLM_F_ACK, AF_BRIDGE, ifindex);
		if (!msg || !(nest = nla_nest_start(msg, IFLA_AF_SPEC)) ||
		    nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info)) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
		nla_nest_end(msg, nest);
		ret = kernel_send_sync(k, msg);
		/* The default VLAN may not be there (default_pvid 0 or other). */
		if (ret && !(pass && (ret == -ENOENT || ret == -EINVAL))) {
			*why = pass ? PRIV_WHY_VLAN1 : PRIV_WHY_VLAN;
			return ret;
		}
	}
	return 0;
}

/* One static FDB entry: @mac on the port (in @vid), through a locked port. */
static int port_fdb(struct kernel *k, int ifindex, const uint8_t mac[6], uint16_t vid)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *addr = nl_addr_build(AF_LLC, mac, 6);
	int ret = -ENOMEM;

	if (n && addr) {
		rtnl_neigh_set_family(n, AF_BRIDGE);
		rtnl_neigh_set_ifindex(n, ifindex);
		rtnl_neigh_set_lladdr(n, addr);
		rtnl_neigh_set_state(n, NUD_NOARP);
		rtnl_neigh_set_flags(n, NTF_MASTER | NTF_STICKY);
		if (vid)
			rtnl_neigh_set_vlan(n, vid);
		ret = kernel_errno(rtnl_neigh_add(kernel_sock(k), n, NLM_F_CREATE | NLM_F_EXCL));
	}
	nl_addr_put(addr);
	rtnl_neigh_put(n);
	return ret;
}

/**
 * port_options() - make a new port what the policy says, before it is up
 * @k:		context
 * @ifindex:	the port, tapd's veth end on the bridge
 * @port:	the options
 * @why:	on failure, what could not be done
 * @missing:	with PRIV_WHY_NO_FLAG, the option whose flag the kernel lacks
 *
 * One RTM_SETLINK carries every port flag (one per portopt.c row (IFLA_PROTINFO; libnl-route-3
 * wraps some of them, not isolated or locked, so the message is built with
 * libnl-3's attribute API and sent whole), and the flags are read back: a
 * kernel that ignores one fails the request. With a VLAN, the port gets it
 * as untagged PVID and loses the default VLAN 1; with a pinned MAC, one
 * static FDB entry (in that VLAN) lets exactly that source through the
 * locked port; sticky, so that no frame can move it to another port.
 *
 * Return: 0 or -errno (@why set).
 */
static int port_options(struct kernel *k, int ifindex, const struct priv_port *port,
			enum priv_why *why, uint32_t *missing)
{
	struct nl_msg *msg = kernel_ifi_msg(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, AF_BRIDGE, ifindex);
	struct nlattr *nest;
	int ret;

	*why = PRIV_WHY_PORT_FLAGS;
	if (!msg || !(nest = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)))
		goto oom;
	for (int o = 0; o < PORTOPT_MAX; o++)
		if (nla_put_u8(msg, portopt_table[o].attr, port->opt[o]))
			goto oom;
	nla_nest_end(msg, nest);
	ret = kernel_send_sync(k, msg);
	if (!ret)
		ret = port_verify(ifindex, port, why, missing);
	if (ret)
		return ret;

	if (port->vid) {
		ret = port_vlan(k, ifindex, port->vid, why);
		if (ret)
			return ret;
	}
	if (port->opt[PORTOPT_PINNED]) {
		*why = PRIV_WHY_FDB;
		ret = port_fdb(k, ifindex, port->mac, port->vid);
		if (ret)
			return ret;
	}
	return 0;
oom:
	nlmsg_free(msg);
	return -ENOMEM;
}

/**
 * port_create() - the port of a new tap, on its bridge, set up and open
 * @k:		context
 * @tap:	the tap's ifindex
 * @tap_name:	its name
 * @bridge:	the bridge's ifindex
 * @mtu:	its MTU
 * @mac:	the port's MAC (first byte 0xfe, so the bridge prefers real ports')
 * @opts:	the policy's port options
 * @why:	on failure, what could not be done
 * @missing:	with PRIV_WHY_NO_FLAG, the option whose flag the kernel lacks
 *
 * In order: the veth pair (the port on the bridge, down), no IPv6 on either
 * end, the port's options, the redirects both ways, the peer up, and last
 * the port up: it is never open without its options. On failure nothing of
 * it is left (the tap goes when its fds are closed).
 *
 * Return: 0 or -errno (@why set).
 */
int port_create(struct kernel *k, int tap, const char *tap_name, int bridge, unsigned int mtu,
		const uint8_t mac[6], const struct priv_port *opts, enum priv_why *why,
		uint32_t *missing)
{
	char name[IFNAMSIZ], peer_name[IFNAMSIZ], alias[32];
	struct kernel_link port, peer;
	int ret;

	ret = alias_port_names(tap_name, name, peer_name);
	if (!ret)
		ret = alias_port_format(alias, sizeof(alias), tap);
	if (ret)
		return ret;
	*why = PRIV_WHY_PORT;
	ret = port_veth(k, name, peer_name, bridge, mtu, mac);
	if (ret == -EOPNOTSUPP)
		*why = PRIV_WHY_PORT_VETH;
	if (ret)
		return ret;
	ret = kernel_link_get(0, name, &port);
	if (!ret)
		ret = kernel_link_get(0, peer_name, &peer);
	if (!ret)
		ret = kernel_configure(k, port.ifindex, NULL, 0, alias);
	if (!ret)
		ret = kernel_configure(k, peer.ifindex, NULL, 0, alias);
	if (!ret)
		ret = port_options(k, port.ifindex, opts, why, missing);
	if (!ret) {
		*why = PRIV_WHY_JOIN;
		ret = port_redirect(k, tap, peer.ifindex);
	}
	if (!ret)
		ret = port_redirect(k, peer.ifindex, tap);
	if (!ret) {
		*why = PRIV_WHY_UP;
		ret = kernel_set_up(k, peer.ifindex);
	}
	if (!ret)
		ret = kernel_set_up(k, port.ifindex);	/* last: now the port is open */
	if (ret && !kernel_link_get(0, name, &port))
		kernel_delete(k, port.ifindex);
	return ret;
}
