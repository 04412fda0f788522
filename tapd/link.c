// SPDX-License-Identifier: GPL-2.0-or-later
/* link.c - the front's view of links: bridges, tapd's taps, notifications
 *
 * Everything here reads: any process may, so the front does it without a
 * capability. What changes a link is the back's (tapd/priv/): deletions
 * are asked of it (back.c), and it checks them again.
 */

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/filter.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rtnl.h>

#include "alias.h"
#include "back.h"
#include "netlink.h"
#include "link.h"
#include "log.h"
#include "quota.h"
#include "util.h"

/* linux/if.h's, which cannot be included beside glibc's net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif
#define LINK_OPER_UP	6	/* linux/if.h's IF_OPER_UP (RFC 2863) */
#define LINK_OPER_UNKNOWN	0	/* IF_OPER_UNKNOWN: up, no carrier managed */

#define LINK_DUMP_TRIES		8		/* dumps interrupted by changes */
#define LINK_DRAIN_MAX		100000		/* stale notifications thrown away */
#define LINK_WATCH_RCVBUF	(4 << 20)	/* bytes of notifications queued */
#define LINK_WATCH_MSG_MAX	65536		/* one read: a notification is a few kB */
#define LINK_SWEEP_MAX		1024		/* ports checked after one dump */
#define LINK_REAP_MAX		256		/* abandoned taps being deleted */
#define LINK_MAC_CHECKED_MAX	64		/* bridges whose MAC was looked at */
#define LINK_BRIDGES_KNOWN	16		/* bridges resolved, by name */

/* The kernel's NET_ADDR_SET: the address was set by someone on purpose. */
#define LINK_NET_ADDR_SET	3

struct link_ctx {
	struct nl_sock *sk;		/* for reads */
	struct nl_sock *watch;		/* RTNLGRP_LINK notifications */
	struct quota *quota;
	void (*reaped)(int ifindex, uid_t uid, int err);
	void (*port_disabled)(int ifindex, uid_t uid);
	bool dumping;			/* in link_watch_dump() */
	size_t nswept;
	int swept[LINK_SWEEP_MAX][2];	/* ports seen in a dump, and their tap */
	size_t nmac_checked;
	int mac_checked[LINK_MAC_CHECKED_MAX];
	size_t nreaping;
	struct {
		int ifindex;
		uid_t uid;
	} reaping[LINK_REAP_MAX];	/* abandoned taps the back was asked to delete */
	size_t nbridges, bridge_next;
	struct {
		char name[IFNAMSIZ];
		struct link_bridge br;
	} bridges[LINK_BRIDGES_KNOWN];	/* link_bridge_lookup()'s answers */
};


/**
 * link_open() - open the rtnetlink socket tapd keeps for its lifetime
 * @ctx:	set to the context
 *
 * Return: 0 or -errno.
 */
int link_open(struct link_ctx **ctx)
{
	struct link_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	ret = netlink_open(&c->sk);	/* only reads go over it here */
	if (ret) {
		free(c);
		return ret;
	}
	*ctx = c;
	return 0;
}

void link_close(struct link_ctx *ctx)
{
	if (!ctx)
		return;
	nl_socket_free(ctx->sk);
	nl_socket_free(ctx->watch);
	free(ctx);
}

/* One number from /sys/class/net/NAME/FILE, or -1. */
static int link_sysfs_int(const char *name, const char *file)
{
	char path[96], buf[32];
	cleanup_fd int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/*
 * Whether a bridge's MAC was set explicitly: only sysfs says. Read by name,
 * so first checked to still be the ifindex just resolved (another
 * namespace's sysfs, or a rename, would not); and once per bridge, as its
 * warning is given once.
 */
static bool link_bridge_mac_set(struct link_ctx *ctx, const char *name, int ifindex)
{
	for (size_t i = 0; i < ctx->nmac_checked; i++)
		if (ctx->mac_checked[i] == ifindex)
			return true;	/* said already, if it was not */
	if (ctx->nmac_checked < LINK_MAC_CHECKED_MAX)
		ctx->mac_checked[ctx->nmac_checked++] = ifindex;
	if (link_sysfs_int(name, "ifindex") != ifindex)
		return true;		/* cannot tell: do not warn */
	return link_sysfs_int(name, "addr_assign_type") == LINK_NET_ADDR_SET;
}

/* A bridge resolved before, if @name still names that link (SIOCGIFINDEX). */
static bool link_bridge_known(struct link_ctx *ctx, const char *name, struct link_bridge *br)
{
	for (size_t i = 0; i < ctx->nbridges; i++) {
		if (strcmp(ctx->bridges[i].name, name))
			continue;
		if (netlink_ifindex(ctx->sk, name) != ctx->bridges[i].br.ifindex)
			return false;
		*br = ctx->bridges[i].br;
		return true;
	}
	return false;
}

static void link_bridge_remember(struct link_ctx *ctx, const char *name,
				 const struct link_bridge *br)
{
	size_t i;

	for (i = 0; i < ctx->nbridges && strcmp(ctx->bridges[i].name, name); i++)
		;
	if (i == ctx->nbridges) {
		if (ctx->nbridges < LINK_BRIDGES_KNOWN)
			ctx->nbridges++;
		else
			i = ctx->bridge_next++ % LINK_BRIDGES_KNOWN;
	}
	snprintf(ctx->bridges[i].name, sizeof(ctx->bridges[i].name), "%s", name);
	ctx->bridges[i].br = *br;
}

/**
 * link_bridge_lookup() - resolve a bridge name, once, to an ifindex
 * @ctx:	context
 * @name:	bridge name, validated and granted by the policy already
 * @fresh:	read what the kernel says now (@br->mtu, @br->vlan_filtering
 *		can change), not what it said before
 * @br:		filled on success
 *
 * Among the host's Linux bridges (netlink_bridge_get(): no RTM_GETLINK,
 * which would run the bridge's pending link-state events first); a name
 * that is none of them, with one RTM_GETLINK. Callers use @br->ifindex from
 * here on, never the name. A link that is no Linux bridge may be an Open
 * vSwitch bridge (its own internal port): the back, which may ask Open
 * vSwitch's database, tells (the front may not).
 *
 * Without @fresh a name resolved before is not asked of the kernel again
 * while it still names the same link (its ifindex, by SIOCGIFINDEX, which
 * takes no lock): a link's kind never changes, and the back checks the
 * ifindex is a bridge anyway. The dump cost the front about 35 us of CPU
 * a tap, and a round trip.
 *
 * Return: 0, -ENODEV (no such link), or -errno.
 */
int link_bridge_lookup(struct link_ctx *ctx, const char *name, bool fresh,
		       struct link_bridge *br)
{
	struct netlink_link l;
	int ret;

	if (!fresh && link_bridge_known(ctx, name, br))
		return 0;
	ret = netlink_bridge_get(ctx->sk, 0, name, &l);
	if (ret == -ENODEV)
		ret = netlink_link_get(ctx->sk, 0, name, &l);

	if (ret)
		return ret;
	br->ifindex = l.ifindex;
	br->mtu = l.mtu;
	br->kernel = !strcmp(l.kind, "bridge");
	br->vlan_filtering = br->kernel && l.br_vlan_filtering;
	br->mac_set = !br->kernel || link_bridge_mac_set(ctx, name, l.ifindex);
	link_bridge_remember(ctx, name, br);
	return 0;
}

static void link_tapinfo_from(struct link_tapinfo *t, const struct alias_tap *a)
{
	t->uid = a->uid;
	t->pid = a->pid;
	t->since = a->since;
	memcpy(t->label, a->label, sizeof(t->label));
}

struct link_walk {
	struct nl_cache *cache;
	uid_t uid;
	void (*fn)(void *arg, const struct link_tapinfo *t);
	void *arg;
};

/*
 * A port on an Open vSwitch bridge has no kernel master (or OVS's datapath
 * as its master): its alias names the bridge. Return: whether it did.
 */
static bool link_port_ovs(const char *alias, char bridge[IFNAMSIZ])
{
	int tap;

	return !alias_port_parse(alias, &tap, bridge) && bridge[0];
}

static void link_walk_one(struct nl_object *obj, void *data)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	struct link_walk *w = data;
	char port[IFNAMSIZ];
	struct rtnl_link *pl;
	struct link_tapinfo t;
	struct alias_tap a;
	int master;

	memset(&t, 0, sizeof(t));
	if (alias_tap_parse(rtnl_link_get_ifalias(link), &a) ||
	    (w->uid != LINK_ANY_UID && a.uid != w->uid))
		return;
	link_tapinfo_from(&t, &a);
	snprintf(t.ifname, sizeof(t.ifname), "%s", rtnl_link_get_name(link));
	t.ifindex = (unsigned int)rtnl_link_get_ifindex(link);
	/* The bridge is its port's: tdp..., named after the tap. */
	if (!alias_port_name(t.ifname, port) &&
	    (pl = rtnl_link_get_by_name(w->cache, port)) != NULL) {
		master = rtnl_link_get_master(pl);
		if (!link_port_ovs(rtnl_link_get_ifalias(pl), t.bridge) && master > 0)
			rtnl_link_i2name(w->cache, master, t.bridge, sizeof(t.bridge));
		rtnl_link_put(pl);
	}
	w->fn(w->arg, &t);
}

/**
 * link_tap_get() - one of tapd's taps, as its alias and the kernel say
 * @ctx:	context
 * @ifindex:	the tap
 * @t:		filled: name, alias's uid, pid, since and label, and the
 *		bridge its port is on
 *
 * A few RTM_GETLINKs by ifindex and name: the cost of listing a user's taps
 * grows with that user's taps, never with the links on the host.
 *
 * Return: 0, -ENOENT if it is not one of tapd's taps (any more), or -errno.
 */
int link_tap_get(struct link_ctx *ctx, int ifindex, struct link_tapinfo *t)
{
	char port[IFNAMSIZ];
	struct rtnl_link *link = NULL, *pl = NULL, *br = NULL;
	struct alias_tap a;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = rtnl_link_get_kernel(ctx->sk, ifindex, NULL, &link);
	if (ret < 0)
		return ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND ? -ENOENT : netlink_errno(ret);
	if (alias_tap_parse(rtnl_link_get_ifalias(link), &a)) {
		rtnl_link_put(link);
		return -ENOENT;
	}
	link_tapinfo_from(t, &a);
	snprintf(t->ifname, sizeof(t->ifname), "%s", rtnl_link_get_name(link));
	t->ifindex = (unsigned int)ifindex;
	rtnl_link_put(link);
	if (!alias_port_name(t->ifname, port) &&
	    rtnl_link_get_kernel(ctx->sk, 0, port, &pl) >= 0) {
		int master = rtnl_link_get_master(pl);

		if (!link_port_ovs(rtnl_link_get_ifalias(pl), t->bridge) && master > 0 &&
		    rtnl_link_get_kernel(ctx->sk, master, NULL, &br) >= 0) {
			snprintf(t->bridge, sizeof(t->bridge), "%s", rtnl_link_get_name(br));
			rtnl_link_put(br);
		}
		rtnl_link_put(pl);
	}
	return 0;
}

/**
 * link_taps_of() - the taps tapd made for a user, or for everyone
 * @ctx:	context
 * @uid:	the user, or LINK_ANY_UID
 * @fn:		called for each
 * @arg:	passed to @fn
 *
 * A full dump: for the list request only, never on the create path.
 *
 * Return: 0 or -errno.
 */
int link_taps_of(struct link_ctx *ctx, uid_t uid,
		 void (*fn)(void *arg, const struct link_tapinfo *t), void *arg)
{
	struct link_walk w = { .uid = uid, .fn = fn, .arg = arg };
	int ret;

	ret = rtnl_link_alloc_cache(ctx->sk, AF_UNSPEC, &w.cache);
	if (ret < 0)
		return netlink_errno(ret);
	nl_cache_foreach(w.cache, link_walk_one, &w);
	nl_cache_free(w.cache);
	return 0;
}

/*
 * A deletion asked of the back: one it refuses (the link is not what the
 * notification said, or no longer) is said; one already gone is not.
 */
static void link_ask(int ret, const char *what, int ifindex)
{
	if (ret && ret != -ENODEV)
		log_warn("cannot delete %s ifindex=%d of tapd's: %s", what, ifindex,
			 strerror(-ret));
}

/* The back's answer to a deletion asked of it (back_on_deleted()). */
static void link_deleted(void *arg, uint32_t verb, int ifindex, int err)
{
	struct link_ctx *ctx = arg;

	for (size_t i = 0; verb == PRIV_DELETE_TAP && i < ctx->nreaping; i++) {
		if (ctx->reaping[i].ifindex != ifindex)
			continue;
		if (ctx->reaped)
			ctx->reaped(ifindex, ctx->reaping[i].uid, err == -ENODEV ? 0 : err);
		ctx->reaping[i] = ctx->reaping[--ctx->nreaping];
		return;
	}
	link_ask(err, verb == PRIV_DELETE_TAP ? "tap" : "port", ifindex);
}

/* An abandoned tap: asked of the back once, said when it answers. */
static void link_reap(struct link_ctx *ctx, int ifindex, uid_t uid)
{
	for (size_t i = 0; i < ctx->nreaping; i++)
		if (ctx->reaping[i].ifindex == ifindex)
			return;		/* asked already */
	if (ctx->nreaping == LINK_REAP_MAX || back_delete_tap(ifindex))
		return;			/* the next notification asks again */
	ctx->reaping[ctx->nreaping].ifindex = ifindex;
	ctx->reaping[ctx->nreaping++].uid = uid;
}

/**
 * link_reaping() - is an abandoned tap's deletion asked and not yet answered?
 * @ctx:	context
 *
 * Its answer is said in the log (link_deleted()): the front waits for the
 * back's answers at once only then, and takes the others (ports deleted,
 * which are said only when they fail) when it next wakes.
 *
 * Return: true while one is.
 */
bool link_reaping(const struct link_ctx *ctx)
{
	return ctx->nreaping > 0;
}

/* Is this link up (IFF_UP)? A link that cannot be read is not. */
static bool link_is_up(struct link_ctx *ctx, int ifindex)
{
	struct rtnl_link *l = NULL;
	bool up;

	if (ifindex <= 0 || rtnl_link_get_kernel(ctx->sk, ifindex, NULL, &l) < 0)
		return false;
	up = rtnl_link_get_flags(l) & IFF_UP;
	rtnl_link_put(l);
	return up;
}

/* The tap of a port named tdp...: tapd... . Return: 0 or -ENOENT. */
static int link_port_tap(const char *port, char tap[IFNAMSIZ])
{
	if (strncmp(port, "tdp", 3) || strlen(port) != 11 ||
	    strspn(port + 3, "0123456789abcdef") != 8)
		return -ENOENT;
	snprintf(tap, IFNAMSIZ, "tapd%s", port + 3);
	return 0;
}

/*
 * A port (alias "tapd-port tap=N"; a veth end, from a tapd before, too):
 * when it goes, its tap goes too, so no tap is left cut off. In a dump, it is remembered, and deleted
 * after the dump if its tap is gone (a tapd restarted after its taps went).
 */
static void link_watch_pair(struct link_ctx *ctx, struct nlmsghdr *nlh, struct ifinfomsg *ifi,
			    int tap)
{
	uid_t uid;

	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (!quota_owner(ctx->quota, tap, &uid))
			link_ask(back_delete_tap(tap), "tap", tap);
		return;
	}
	if (ctx->dumping && ctx->nswept < LINK_SWEEP_MAX) {
		ctx->swept[ctx->nswept][0] = ifi->ifi_index;
		ctx->swept[ctx->nswept++][1] = tap;
	}
}

/*
 * One link, from the dump or a notification: count it if its alias says it
 * is tapd's; delete it if someone made it persistent and let go of it, so
 * that taps still vanish with the VM.
 */
static void link_watch_port(struct link_ctx *ctx, struct nlmsghdr *nlh, struct ifinfomsg *ifi)
{
	struct nlattr *tb[IFLA_MAX + 1], *pt[IFLA_BRPORT_MAX + 1];
	uid_t uid;

	char tap[IFNAMSIZ];
	int tap_ifindex;

	if (nlh->nlmsg_type != RTM_NEWLINK || !(ifi->ifi_flags & IFF_LOWER_UP) ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 || !tb[IFLA_IFNAME] ||
	    link_port_tap(nla_get_string(tb[IFLA_IFNAME]), tap) || !tb[IFLA_PROTINFO] ||
	    /*
	     * Not yet up as far as the bridge knows (linkwatch runs later).
	     * An ifb device manages no carrier: up, it is "unknown", which the
	     * bridge takes as up (netif_oper_up()).
	     */
	    !tb[IFLA_OPERSTATE] || (nla_get_u8(tb[IFLA_OPERSTATE]) != LINK_OPER_UP &&
				    nla_get_u8(tb[IFLA_OPERSTATE]) != LINK_OPER_UNKNOWN) ||
	    nla_parse_nested(pt, IFLA_BRPORT_MAX, tb[IFLA_PROTINFO], NULL) < 0 ||
	    !pt[IFLA_BRPORT_STATE] || !pt[IFLA_BRPORT_GUARD] ||
	    nla_get_u8(pt[IFLA_BRPORT_STATE]) != BR_STATE_DISABLED ||
	    !nla_get_u8(pt[IFLA_BRPORT_GUARD]) ||
	    (tap_ifindex = netlink_ifindex(ctx->sk, tap)) <= 0 ||
	    quota_owner(ctx->quota, tap_ifindex, &uid))
		return;
	/* A bridge that is down keeps every port disabled: no guard at work. */
	if (!tb[IFLA_MASTER] || !link_is_up(ctx, (int)nla_get_u32(tb[IFLA_MASTER])))
		return;
	if (ctx->port_disabled)
		ctx->port_disabled(tap_ifindex, uid);
}

static int link_watch_msg(struct nl_msg *msg, void *arg)
{
	struct link_ctx *ctx = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	char port[IFNAMSIZ];
	struct netlink_link l;
	struct ifinfomsg *ifi;
	struct alias_tap a;
	int tap;
	uid_t uid;

	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    !nlmsg_valid_hdr(nlh, sizeof(*ifi)))
		return NL_OK;
	ifi = nlmsg_data(nlh);
	/*
	 * A bridge speaks of its ports in AF_BRIDGE messages (joining,
	 * leaving, STP state): not of links coming and going, and without
	 * their alias. They never count; one of tapd's ports disabled while
	 * its link is up is a BPDU guard at work, and said.
	 */
	if (ifi->ifi_family == AF_BRIDGE) {
		link_watch_port(ctx, nlh, ifi);
		return NL_OK;
	}
	if (netlink_link_parse(nlh, &l)) {
		quota_remove(ctx->quota, ifi->ifi_index);
		return NL_OK;
	}
	if (!alias_port_parse(l.alias, &tap, NULL)) {
		link_watch_pair(ctx, nlh, ifi, tap);
		return NL_OK;
	}
	if (nlh->nlmsg_type == RTM_DELLINK || alias_tap_parse(l.alias, &a)) {
		/* One of tapd's taps gone: its port goes with it. */
		if (nlh->nlmsg_type == RTM_DELLINK && !quota_owner(ctx->quota, l.ifindex, &uid) &&
		    !alias_port_name(l.name, port) && (tap = netlink_ifindex(ctx->sk, port)) > 0)
			link_ask(back_delete_port(tap), "port", tap);
		quota_remove(ctx->quota, l.ifindex);
		return NL_OK;
	}
	quota_set(ctx->quota, l.ifindex, a.uid);
	if (netlink_tun_abandoned(&l))
		link_reap(ctx, l.ifindex, a.uid);	/* its deletion's notification uncounts it */
	return NL_OK;
}

/*
 * Rebuild the counts from one dump of every link, and delete the ports
 * whose tap is gone. A dump the kernel flags
 * as interrupted (links changed while it ran: NLE_DUMP_INTR) may have missed
 * some, so it is done again; notifications that came meanwhile are read
 * after it and applied in order, which leaves the counts exact.
 */
static int link_watch_dump(struct link_ctx *ctx)
{
	int ret = -NLE_DUMP_INTR;

	for (int i = 0; i < LINK_DUMP_TRIES && ret == -NLE_DUMP_INTR; i++) {
		struct nl_sock *sk = nl_socket_alloc();

		if (!sk)
			return -ENOMEM;
		quota_clear(ctx->quota);
		ctx->nswept = 0;
		ctx->dumping = true;
		ret = nl_connect(sk, NETLINK_ROUTE);
		if (!ret)
			ret = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, link_watch_msg, ctx);
		if (!ret)
			ret = nl_rtgen_request(sk, RTM_GETLINK, AF_UNSPEC, NLM_F_DUMP);
		if (ret >= 0)
			ret = nl_recvmsgs_default(sk);
		nl_socket_free(sk);
		ctx->dumping = false;
	}
	if (ret < 0)
		return netlink_errno(ret);
	/* Ports whose tap is gone (it went while no tapd ran). */
	for (size_t i = 0; i < ctx->nswept; i++) {
		uid_t uid;

		if (quota_owner(ctx->quota, ctx->swept[i][1], &uid))
			link_ask(back_delete_port(ctx->swept[i][0]), "port", ctx->swept[i][0]);
	}
	return 0;
}

/*
 * The watch socket overran: the kernel dropped notifications. What is still
 * queued dates from before the loss, so it is thrown away, and the counts
 * are rebuilt from a dump.
 */
static int link_watch_resync(struct link_ctx *ctx)
{
	int fd = nl_socket_get_fd(ctx->watch);
	char buf[8192];

	for (int n = 0; n < LINK_DRAIN_MAX; n++) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
			continue;
		if (errno != ENOBUFS && errno != EINTR)
			break;
	}
	return link_watch_dump(ctx);
}

/*
 * In the kernel, before any notification reaches tapd: a classic BPF
 * program on the watch socket passes those about tapd's links (named
 * tapdXXXXXXXX or tdpXXXXXXXX: tapd names both) that it acts on, and drops
 * the rest, so that a host busy with other links (containers, other VMs)
 * does not wake tapd for each change, and a port's own setup does not make
 * the front parse what it has no use for. Every message about a tap passes
 * (it is counted, and reaped when abandoned). Of a port it passes the
 * deletion (AF_UNSPEC: the tap goes too), and the bridge's word on one that
 * is up and disabled (AF_BRIDGE: a BPDU guard at work), not the rest (its
 * setup, its STP state going to forwarding): a grant's notifications went
 * from 18 to 6, about 75 us less of the front's CPU. Other links'
 * deletions each cost the front about 0.1 ms, waking it (tapd's benchmark,
 * whose floors delete three links a turn).
 *
 * The kernel writes a link's name as a notification's first attribute,
 * and in a bridge's message of a port (br_fill_ifinfo()) then its master,
 * MTU, operstate and address, then IFLA_PROTINFO, whose first attribute is
 * the port's STP state: for one of tapd's names and a 6-byte address the
 * state is at a fixed offset. A message of any other shape is passed, to
 * be read as before: the filter only drops what it has read. (A load
 * beyond a message's end drops it: so the length is checked first.) A link
 * of tapd's renamed (only who has CAP_NET_ADMIN over tapd's network
 * namespace can, and only while it is down) is not followed from then on:
 * tapd(8) says so.
 */
#define LINK_NAME_AT	(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)))
#define LINK_FAMILY_AT	(NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_family))
#define LINK_FLAGS_AT	(NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_flags))
/* "tdpXXXXXXXX", master, MTU, operstate, address; then IFLA_PROTINFO. */
#define LINK_PROTINFO_AT (LINK_NAME_AT + NLA_ALIGN(NLA_HDRLEN + IFNAMSIZ - 4) +		\
			  2 * NLA_ALIGN(NLA_HDRLEN + 4) + NLA_ALIGN(NLA_HDRLEN + 1) +	\
			  NLA_ALIGN(NLA_HDRLEN + 6))
#define LINK_STATE_AT	(LINK_PROTINFO_AT + NLA_HDRLEN)	/* its first attribute */
#define LINK_DROP	34	/* the program's last two instructions */
#define LINK_PASS	35
/* A jump from instruction @at to @to (jump offsets count from the next). */
#define LINK_TO(at, to)	((to) - (at) - 1)
static int link_watch_filter(int fd)
{
	struct sock_filter f[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, LINK_NAME_AT + NLA_HDRLEN + 4, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, ~0U),					/* short: pass */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_NEWLINK), 2, 0),
		/* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_DELLINK), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, ~0U),					/* not a link's: pass */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LINK_NAME_AT + offsetof(struct nlattr, nla_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(IFLA_IFNAME), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, ~0U),					/* no name first: pass */
		/* 10 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LINK_NAME_AT + NLA_HDRLEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x74617064, LINK_TO(11, LINK_PASS), 0), /* "tapd" */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LINK_NAME_AT + NLA_HDRLEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x7464, 0, LINK_TO(13, LINK_DROP)),	/* "td" */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, LINK_NAME_AT + NLA_HDRLEN + 2),
		/* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 'p', 0, LINK_TO(15, LINK_DROP)),
		/* A port: the link's own deletion passes, its other news do not. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, LINK_FAMILY_AT),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_BRIDGE, LINK_TO(17, 20), 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_DELLINK), LINK_TO(19, LINK_PASS),
			 LINK_TO(19, LINK_DROP)),
		/* 20: the bridge's word on it: only up and disabled passes. */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_NEWLINK), 0, LINK_TO(21, LINK_DROP)),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, LINK_FLAGS_AT),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, ntohl(IFF_LOWER_UP), 0, LINK_TO(23, LINK_DROP)),
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		/* 25 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, LINK_STATE_AT + NLA_HDRLEN + 1, 0,
				  LINK_TO(25, LINK_PASS)),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LINK_PROTINFO_AT + offsetof(struct nlattr, nla_type)),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ntohs((uint16_t)NLA_TYPE_MASK)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(IFLA_PROTINFO), 0, LINK_TO(28, LINK_PASS)),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, LINK_STATE_AT + offsetof(struct nlattr, nla_type)),
		/* 30 */ BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ntohs((uint16_t)NLA_TYPE_MASK)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(IFLA_BRPORT_STATE), 0, LINK_TO(31, LINK_PASS)),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, LINK_STATE_AT + NLA_HDRLEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BR_STATE_DISABLED, LINK_TO(33, LINK_PASS),
			 LINK_TO(33, LINK_DROP)),
		/* 34 */ BPF_STMT(BPF_RET | BPF_K, 0),				/* not wanted */
		/* 35 */ BPF_STMT(BPF_RET | BPF_K, ~0U),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(f), .filter = f };

	static_assert(ARRAY_SIZE(f) == LINK_PASS + 1, "LINK_DROP and LINK_PASS: the last two");
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ? -errno : 0;
}

/**
 * link_watch_open() - subscribe to link notifications, before privileges go
 * @ctx:	context
 *
 * Before the dump (link_watch_start()), so that nothing falls between the
 * two; and before the drop, so that the socket's buffer can pass rmem_max
 * (SO_RCVBUFFORCE needs CAP_NET_ADMIN; the socket keeps its size after).
 *
 * Return: 0 or -errno.
 */
int link_watch_open(struct link_ctx *ctx)
{
	int ret, fd, rcvbuf = LINK_WATCH_RCVBUF;

	ctx->watch = nl_socket_alloc();
	if (!ctx->watch)
		return -ENOMEM;
	nl_socket_disable_seq_check(ctx->watch);
	ret = nl_socket_modify_cb(ctx->watch, NL_CB_VALID, NL_CB_CUSTOM, link_watch_msg, ctx);
	if (!ret)
		ret = nl_connect(ctx->watch, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_set_nonblocking(ctx->watch);
	if (!ret)
		ret = nl_socket_set_msg_buf_size(ctx->watch, LINK_WATCH_MSG_MAX);
	if (ret)
		return netlink_errno(ret);
	/* One read a notification, not a peek to size the buffer first. */
	nl_socket_disable_msg_peek(ctx->watch);
	fd = nl_socket_get_fd(ctx->watch);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* The filter before the subscription: nothing unfiltered is queued. */
	ret = link_watch_filter(fd);
	if (ret)
		return ret;
	ret = nl_socket_add_membership(ctx->watch, RTNLGRP_LINK);
	if (ret)
		return netlink_errno(ret);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return 0;
}

/**
 * link_watch_start() - count tapd's taps now, and follow them from here on
 * @ctx:	context, link_watch_open() done
 * @q:		the counts to keep
 * @reaped:	told of each abandoned persistent tap deleted (0 or -errno)
 * @port_disabled: told when the bridge disables one of tapd's ports while its
 *		link is up (a BPDU through a guarded port)
 *
 * One dump of every link: a tapd restarted after a crash counts the taps it
 * made before, and ports whose tap went meanwhile are deleted (by the back).
 *
 * Return: 0 or -errno.
 */
int link_watch_start(struct link_ctx *ctx, struct quota *q,
		     void (*reaped)(int ifindex, uid_t uid, int err),
		     void (*port_disabled)(int ifindex, uid_t uid))
{
	ctx->quota = q;
	ctx->reaped = reaped;
	ctx->port_disabled = port_disabled;
	back_on_deleted(link_deleted, ctx);
	return link_watch_dump(ctx);
}

int link_watch_fd(const struct link_ctx *ctx)
{
	return ctx->watch ? nl_socket_get_fd(ctx->watch) : -1;
}

/**
 * link_watch_read() - take in the link notifications that arrived
 * @ctx:	context
 *
 * When the kernel dropped notifications (the socket overran), the counts
 * are rebuilt from a new dump.
 *
 * Return: 0 or -errno.
 */
int link_watch_read(struct link_ctx *ctx)
{
	for (;;) {
		int ret = nl_recvmsgs_default(ctx->watch);

		if (ret >= 0)
			continue;
		if (ret == -NLE_AGAIN)
			return 0;
		if (ret == -NLE_NOMEM || ret == -NLE_MSG_OVERFLOW)
			return link_watch_resync(ctx);
		return netlink_errno(ret);
	}
}
