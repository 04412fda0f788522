// SPDX-License-Identifier: GPL-2.0-or-later
/* port.c - tapd's port for a guest's tap: an ifb device, joined to it by tc
 *
 * The tap a client holds is never a bridge port. Whoever holds a tap's fd
 * can change the tap's MAC (SIOCSIFHWADDR on the fd checks no capability),
 * and a bridge turns each port's address into a local FDB entry (taking a
 * LAN host's or another guest's traffic) and, where its own MAC was never
 * set, takes the lowest as its own (and its STP bridge id). So for a tap
 * T = tapdXXXXXXXX tapd makes one more link only it controls:
 *
 *	tdpXXXXXXXX	an ifb device on the bridge: the port, with tapd's MAC
 *			and the policy's options (flags, VLAN, pinned MAC)
 *
 * and joins T and it with tc: a clsact qdisc on each; on T's ingress a u32
 * filter matching every frame with a mirred action that redirects it into
 * tdp's ingress, on tdp's egress one that redirects every frame to T's
 * egress. A frame the guest writes comes in on T and enters the bridge as
 * if it had come in on tdp; a frame the bridge sends out of tdp leaves
 * through T to the guest. The host's stack sees neither on T, and nothing
 * reaches tdp's own transmit (an ifb device drops what was not redirected
 * to it). Whatever the fd's holder does to T (its MAC, its flags, its
 * queues) stays on T.
 *
 * Why ifb: it is the one kind of link in every kernel that has no other
 * end and may be a bridge port (a veth pair, tapd's port before, is two
 * links and one hop more for every frame; dummy is not built everywhere).
 *
 * Both get the bridge's MTU and no IPv6 address of their own (addrgenmode
 * none): the host has no business on them. The port carries the alias
 * "tapd-port tap=IFINDEX"; link.c deletes the port when its tap goes, the
 * tap when its port goes, and at start ports whose tap is gone.
 *
 * The master is of a kind in port_kinds[]: how a port joins it and takes
 * its options is the kind's; the port device, the redirect and their
 * removal are the same for all. A Linux bridge is the kernel's master of
 * the port; an Open vSwitch bridge has it as a Port record in its database
 * (ovsdb.c), which the port's alias names so that tapd removes it with the
 * port (priv.c) or, were the port gone while tapd was not running, at start.
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

#include "alias.h"
#include "kernel.h"
#include "port.h"
#include "portopt.h"
#include "util.h"

#ifndef NTF_STICKY
#define NTF_STICKY	(1 << 6)
#endif

/* The port: an ifb device, down, on no master yet, with tapd's MAC. */
static int port_ifb(struct nl_sock *sk, const char *name, unsigned int mtu, const uint8_t mac[6])
{
	struct nl_msg *msg = netlink_ifi_msg(RTM_NEWLINK, AF_UNSPEC, 0);
	struct nlattr *info;

	if (!msg || nla_put_string(msg, IFLA_IFNAME, name) || nla_put(msg, IFLA_ADDRESS, 6, mac) ||
	    nla_put_u32(msg, IFLA_MTU, mtu) || !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "ifb")) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, info);
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	return netlink_talk(sk, msg, NULL, NULL);
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
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);

	if (!msg || nlmsg_append(msg, &tcm, sizeof(tcm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, TCA_KIND, kind)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* A clsact qdisc on @ifindex, for port_redirect(). Return: 0 or -errno. */
static int port_clsact(struct nl_sock *sk, int ifindex)
{
	struct nl_msg *msg = port_tc_msg(RTM_NEWQDISC, ifindex, TC_H_MAKE(TC_H_CLSACT, 0),
					 TC_H_CLSACT, 0, "clsact");

	return msg ? netlink_talk(sk, msg, NULL, NULL) : -ENOMEM;
}

/*
 * Every frame that passes @from's @hook (TC_H_MIN_INGRESS or _EGRESS) goes
 * to @to, into its ingress or out of its egress (@how, TCA_INGRESS_REDIR or
 * TCA_EGRESS_REDIR): on the hook of @from's clsact qdisc (port_clsact()),
 * "u32 match u32 0 0" (matchall is not in every kernel) with
 * "action mirred ingress|egress redirect dev @to".
 */
static int port_redirect(struct nl_sock *sk, int from, uint16_t hook, int to, int how)
{
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
	struct tc_mirred mirred = {
		.action = TC_ACT_STOLEN,
		.eaction = how,
		.ifindex = (uint32_t)to,
	};
	struct nlattr *opts, *acts, *act, *actopts;
	struct nl_msg *msg = port_tc_msg(RTM_NEWTFILTER, from, 0, TC_H_MAKE(TC_H_CLSACT, hook),
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
	return netlink_talk(sk, msg, NULL, NULL);
}

/* The sets of port flags the kernel was seen to keep (port_verify()). */
#define PORT_KEPT_MAX	16
static uint8_t port_kept[PORT_KEPT_MAX][PORTOPT_MAX];
static size_t port_nkept;

/*
 * The kernel ignores port flags it does not know: read them back, so that a
 * protection the kernel cannot give is a refusal, never a silent gap. A set
 * the kernel kept once on a fresh port it keeps on every fresh port (what it
 * knows does not change under tapd, and nothing else touches a port before
 * it is up): each distinct set is read back until it was seen kept, not for
 * every tap (a policy has a few sets; the read-back was one round trip more
 * in each request).
 */
static int port_verify(struct nl_sock *sk, int ifindex, const struct priv_port *port,
		       enum priv_why *why, uint32_t *missing)
{
	struct netlink_link l;
	int ret;

	for (size_t i = 0; i < port_nkept; i++)
		if (!memcmp(port_kept[i], port->opt, sizeof(port->opt)))
			return 0;
	ret = netlink_link_get(sk, ifindex, NULL, &l);
	for (int o = 0; o < PORTOPT_MAX && !ret; o++) {
		uint16_t a = portopt_table[o].attr;

		if (!l.brport_seen[a] || l.brport[a] != port->opt[o]) {
			*why = PRIV_WHY_NO_FLAG;
			*missing = (uint32_t)o;
			ret = -EOPNOTSUPP;
		}
	}
	if (!ret && port_nkept < PORT_KEPT_MAX)
		memcpy(port_kept[port_nkept++], port->opt, sizeof(port->opt));
	return ret;
}

/* VLAN @vid as the port's untagged PVID, and not the default VLAN 1. */
static int port_vlan(struct nl_sock *sk, int ifindex, uint16_t vid, enum priv_why *why)
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
		msg = netlink_ifi_msg(pass ? RTM_DELLINK : RTM_SETLINK, AF_BRIDGE, ifindex);
		if (!msg || !(nest = nla_nest_start(msg, IFLA_AF_SPEC)) ||
		    nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info)) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
		nla_nest_end(msg, nest);
		ret = netlink_talk(sk, msg, NULL, NULL);
		/* The default VLAN may not be there (default_pvid 0 or other). */
		if (ret && !(pass && (ret == -ENOENT || ret == -EINVAL))) {
			*why = pass ? PRIV_WHY_VLAN1 : PRIV_WHY_VLAN;
			return ret;
		}
	}
	return 0;
}

/* One static FDB entry: @mac on the port (in @vid), through a locked port. */
static int port_fdb(struct nl_sock *sk, int ifindex, const uint8_t mac[6], uint16_t vid)
{
	struct ndmsg nd = {
		.ndm_family = AF_BRIDGE,
		.ndm_ifindex = ifindex,
		.ndm_state = NUD_NOARP,
		.ndm_flags = NTF_MASTER | NTF_STICKY,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE |
						NLM_F_EXCL);

	if (!msg || nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_LLADDR, 6, mac) || (vid && nla_put_u16(msg, NDA_VLAN, vid))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return netlink_talk(sk, msg, NULL, NULL);
}

/**
 * port_bridge_join() - a new port of a Linux bridge set up as the policy
 *			says, before it is up
 * @sk:		the back's socket
 * @m:		the bridge, the port's master already (kernel_configure())
 * @p:		the port, tapd's ifb device
 * @tap_name:	unused
 * @port:	the options
 * @why:	on failure, what could not be done
 * @missing:	with PRIV_WHY_NO_FLAG, the option whose flag the kernel lacks
 *
 * One RTM_SETLINK carries every port flag (one per portopt.c row, in
 * IFLA_PROTINFO; libnl-route-3 wraps some of them, not isolated or locked,
 * so the message is built with libnl-3's attribute API), and the flags are
 * read back (port_verify()): a kernel that ignores one fails the request.
 * With a VLAN, the port gets it as untagged PVID and loses the default
 * VLAN 1; with a pinned MAC, one static FDB entry (in that VLAN) lets
 * exactly that source through the locked port; sticky, so that no frame
 * can move it to another port.
 *
 * Return: 0 or -errno (@why set).
 */
static int port_bridge_join(struct nl_sock *sk, const struct port_master *m,
			    const struct netlink_link *p, const char *tap_name,
			    const struct priv_port *port, enum priv_why *why, uint32_t *missing)
{
	int ifindex = p->ifindex;
	struct nl_msg *msg;
	struct nlattr *nest;
	int ret;

	(void)m;
	(void)tap_name;
	*why = PRIV_WHY_PORT_FLAGS;
	msg = netlink_ifi_msg(RTM_SETLINK, AF_BRIDGE, ifindex);
	if (!msg || !(nest = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)))
		goto oom;
	for (int o = 0; o < PORTOPT_MAX; o++)
		if (nla_put_u8(msg, portopt_table[o].attr, port->opt[o]))
			goto oom;
	nla_nest_end(msg, nest);
	ret = netlink_talk(sk, msg, NULL, NULL);
	if (!ret)
		ret = port_verify(sk, ifindex, port, why, missing);
	if (!ret && port->vid)
		ret = port_vlan(sk, ifindex, port->vid, why);
	if (!ret && port->opt[PORTOPT_PINNED]) {
		*why = PRIV_WHY_FDB;
		ret = port_fdb(sk, ifindex, port->mac, port->vid);
	}
	return ret;
oom:
	nlmsg_free(msg);
	return -ENOMEM;
}

static int port_bridge_find(struct port_master *m)
{
	return strcmp(m->link.kind, "bridge") ? -EMEDIUMTYPE : 0;
}

/* A link that is no Linux bridge may be an Open vSwitch bridge's own port. */
static int port_ovs_find(struct port_master *m)
{
	int ret = ovsdb_bridge_find(m->link.name, &m->ovs);

	/* No database at all: no Open vSwitch here, so not a bridge. */
	return ret == -ENOENT ? -EMEDIUMTYPE : ret;
}

/**
 * port_ovs_join() - a new port on an Open vSwitch bridge, before it is up
 * @sk:		unused: the bridge is the database's
 * @m:		the bridge
 * @p:		the port device
 * @tap_name:	its tap's name, recorded on the Port
 * @port:	the options
 * @why:	on failure, what could not be done
 * @missing:	with PRIV_WHY_OVS_OPT, the option Open vSwitch cannot give
 *
 * The options as tapd.conf(5) says for Open vSwitch: vlan= is the Port's
 * tag (an access port), isolated=yes makes it protected, and bpdu_guard=
 * or root_block= keep it out of spanning tree (STP and RSTP off on the
 * port: never a root port, its BPDUs dropped), which holds only on a
 * bridge that does not forward BPDUs. mac=pinned, learning=no and flood=no
 * have no Port setting: refused, as is BPDU guard on a bridge with
 * forward-bpdu, rather than a port without them.
 *
 * Return: 0 or -errno (@why set).
 */
static int port_ovs_join(struct nl_sock *sk, const struct port_master *m,
			 const struct netlink_link *p, const char *tap_name,
			 const struct priv_port *port, enum priv_why *why, uint32_t *missing)
{
	struct ovsdb_port op = {
		.tag = port->vid,
		.protect = port->opt[PORTOPT_ISOLATED],
		.no_stp = port->opt[PORTOPT_BPDU_GUARD] || port->opt[PORTOPT_ROOT_BLOCK],
	};
	int ret;

	(void)sk;
	for (int o = 0; o < PORTOPT_MAX; o++) {
		bool guard = o == PORTOPT_BPDU_GUARD || o == PORTOPT_ROOT_BLOCK;

		if (port->opt[o] ? !portopt_table[o].ovs_on || (guard && m->ovs.forward_bpdu) :
				   !portopt_table[o].ovs_off) {
			*why = PRIV_WHY_OVS_OPT;
			*missing = (uint32_t)o;
			return -EOPNOTSUPP;
		}
	}
	*why = PRIV_WHY_OVS;
	ret = ovsdb_port_add(&m->ovs, p->name, tap_name, &op);
	if (ret == -ETIME)
		*why = PRIV_WHY_OVS_APPLY;
	return ret;
}

static const struct port_kind port_kinds[] = {
	{ "Linux bridge", port_bridge_find, port_bridge_join, NULL, true, false },
	{ "Open vSwitch bridge", port_ovs_find, port_ovs_join, ovsdb_port_del, false, true },
};

/**
 * port_kind_find() - the kind of master @m is
 * @m:		the master's link filled in; the kind fills the rest
 * @kind:	set on success
 *
 * Return: 0; -EMEDIUMTYPE (no kind a port can join); or -errno when a kind
 * could not tell (its database cannot be reached).
 */
int port_kind_find(struct port_master *m, const struct port_kind **kind)
{
	int ret = -EMEDIUMTYPE;

	for (size_t i = 0; i < ARRAY_SIZE(port_kinds) && ret == -EMEDIUMTYPE; i++) {
		ret = port_kinds[i].find(m);
		if (!ret)
			*kind = &port_kinds[i];
	}
	return ret;
}

/**
 * port_create() - the port of a new tap, on its master, set up and open
 * @sk:		the back's socket
 * @kind:	the master's kind (port_kind_of())
 * @tap:	the tap's ifindex, configured and still down
 * @tap_name:	its name
 * @master:	the master (a bridge, port_kind_find())
 * @mac:	the port's MAC (first byte 0xfe, so the bridge prefers real ports')
 * @opts:	the policy's port options
 * @why:	on failure, what could not be done
 * @missing:	with PRIV_WHY_NO_FLAG, the option whose flag the kernel lacks
 *
 * In order: the port (down); its alias and no IPv6, and for a Linux bridge
 * the bridge as its master (EXFULL: the bridge is full), in one message;
 * the port on its master with its options; the redirects both ways; the
 * tap (configured, down) up; and last the port up: it is never open without
 * its options. On failure nothing of it is left (the tap goes when its fds
 * are closed).
 *
 * Return: 0 or -errno (@why set).
 */
int port_create(struct nl_sock *sk, const struct port_kind *kind, int tap, const char *tap_name,
		const struct port_master *master, const uint8_t mac[6],
		const struct priv_port *opts, enum priv_why *why, uint32_t *missing)
{
	char name[IFNAMSIZ], alias[48];
	struct netlink_link port;
	bool joined = false;
	int ret;

	ret = alias_port_name(tap_name, name);
	if (!ret)
		ret = alias_port_format(alias, sizeof(alias), tap,
					kind->named ? master->link.name : NULL);
	if (ret)
		return ret;
	*why = PRIV_WHY_PORT;
	ret = port_ifb(sk, name, master->link.mtu, mac);
	if (ret == -EOPNOTSUPP)
		*why = PRIV_WHY_PORT_IFB;
	if (ret)
		return ret;
	memset(&port, 0, sizeof(port));
	port.ifindex = netlink_ifindex(sk, name);
	ret = port.ifindex > 0 ? 0 : port.ifindex;
	snprintf(port.name, sizeof(port.name), "%s", name);
	if (!ret)
		ret = kernel_configure(sk, port.ifindex, NULL, 0,
				       kind->kernel_master ? master->link.ifindex : 0, alias);
	if (!ret) {
		ret = kind->join(sk, master, &port, tap_name, opts, why, missing);
		joined = !ret;
	}
	/*
	 * Both qdiscs before either filter, and both links still down: a
	 * qdisc put on a link that is up first stops its queues and waits
	 * for an RCU grace period, and the first filter on a new clsact waits
	 * for one since the qdisc was made; made this way, one wait serves
	 * both (perf trace here: the four requests took 0.79-0.95 ms, against
	 * 0.96 ms for qdisc and filter on the tap, up, then on the port).
	 */
	if (!ret) {
		*why = PRIV_WHY_JOIN;
		ret = port_clsact(sk, tap);
	}
	if (!ret)
		ret = port_clsact(sk, port.ifindex);
	if (!ret)
		ret = port_redirect(sk, tap, TC_H_MIN_INGRESS, port.ifindex, TCA_INGRESS_REDIR);
	if (!ret)
		ret = port_redirect(sk, port.ifindex, TC_H_MIN_EGRESS, tap, TCA_EGRESS_REDIR);
	if (!ret) {
		*why = PRIV_WHY_TAP_SETUP;
		ret = kernel_set_up(sk, tap);
	}
	if (!ret) {
		*why = PRIV_WHY_UP;
		ret = kernel_set_up(sk, port.ifindex);	/* last: now the port is open */
	}
	if (ret && joined && kind->leave)
		kind->leave(name);
	if (ret && !netlink_link_get(sk, 0, name, &port))
		kernel_delete(sk, port.ifindex);
	return ret;
}
