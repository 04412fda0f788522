// SPDX-License-Identifier: GPL-2.0-or-later
/* link.c - rtnetlink through libnl-route-3: resolve bridges, attach taps
 *
 * The only file in tapd that speaks rtnetlink. libnl's NLE_* codes stop
 * here: every function returns 0 or -errno.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <linux/if_bridge.h>
#include <linux/neighbour.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/rtnl.h>

#include "link.h"
#include "link_nl.h"
#include "port.h"
#include "quota.h"
#include "util.h"

/* linux/if.h's, which cannot be included beside glibc's net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif
#define LINK_OPER_UP	6	/* linux/if.h's IF_OPER_UP (RFC 2863) */

#define LINK_DUMP_TRIES		8		/* dumps interrupted by changes */
#define LINK_DRAIN_MAX		100000		/* stale notifications thrown away */
#define LINK_WATCH_RCVBUF	(4 << 20)	/* bytes of notifications queued */
#define LINK_SWEEP_MAX		1024		/* ports checked after one dump */

/* The kernel's NET_ADDR_SET: the address was set by someone on purpose. */
#define LINK_NET_ADDR_SET	3

struct link_ctx {
	struct nl_sock *sk;
	struct nl_sock *watch;		/* RTNLGRP_LINK notifications */
	struct quota *quota;
	void (*reaped)(int ifindex, uid_t uid, int err);
	void (*port_disabled)(int ifindex, uid_t uid);
	bool dumping;			/* in link_watch_dump() */
	size_t nswept;
	int swept[LINK_SWEEP_MAX][2];	/* ports seen in a dump, and their tap */
};

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE	1
#endif

/* libnl's error codes to errno, at the boundary. */
int link_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:			return 0;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND:	return -ENODEV;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	}
	return -EIO;
}

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
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		free(c);
		return -ENOMEM;
	}
	ret = nl_connect(c->sk, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(c->sk);
		free(c);
		return link_errno(ret);
	}
	fcntl(nl_socket_get_fd(c->sk), F_SETFD, FD_CLOEXEC);
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
 * What only sysfs says of a bridge: whether its MAC was set explicitly, and
 * whether it filters VLANs. Read by name, so first checked to still be the
 * ifindex just resolved (another namespace's sysfs, or a rename, would not).
 */
static void link_bridge_sysfs(const char *name, struct link_bridge *br)
{
	br->mac_set = true;	/* cannot tell: do not warn */
	br->vlan_filtering = false;
	if (link_sysfs_int(name, "ifindex") != br->ifindex)
		return;
	br->mac_set = link_sysfs_int(name, "addr_assign_type") == LINK_NET_ADDR_SET;
	br->vlan_filtering = link_sysfs_int(name, "bridge/vlan_filtering") == 1;
}

/**
 * link_bridge_lookup() - resolve a bridge name, once, to an ifindex
 * @ctx:	context
 * @name:	bridge name, validated and granted by the policy already
 * @br:		filled on success
 *
 * One RTM_GETLINK by name: the cost does not grow with the number of links.
 * Callers use @br->ifindex from here on, never the name.
 *
 * Return: 0, -ENODEV (no such link), -EMEDIUMTYPE (not a bridge), or -errno.
 */
int link_bridge_lookup(struct link_ctx *ctx, const char *name,
		       struct link_bridge *br)
{
	struct rtnl_link *link = NULL;
	const char *kind;
	int ret;

	ret = rtnl_link_get_kernel(ctx->sk, 0, name, &link);
	if (ret < 0)
		return link_errno(ret);
	kind = rtnl_link_get_type(link);
	if (!kind || strcmp(kind, "bridge")) {
		rtnl_link_put(link);
		return -EMEDIUMTYPE;
	}
	br->ifindex = rtnl_link_get_ifindex(link);
	br->mtu = rtnl_link_get_mtu(link);
	link_bridge_sysfs(name, br);
	rtnl_link_put(link);
	return 0;
}

/**
 * link_alias_format() - the alias that marks a tap as tapd's
 * @buf:	output
 * @size:	its size
 * @uid:	the client's uid
 * @pid:	the client's pid
 * @since:	now, in seconds since the epoch: the kernel keeps no
 *		creation time for links, and `tapd --list` shows their age
 * @label:	VM label (validated), or NULL
 *
 * An interface alias can only be changed with CAP_NET_ADMIN, unlike a tap's
 * owner, which the fd's holder can change: so the alias, not the owner, says
 * whose tap it is.
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int link_alias_format(char *buf, size_t size, uid_t uid, pid_t pid,
		      unsigned long long since, const char *label)
{
	int n = snprintf(buf, size, "tapd uid=%u pid=%d since=%llu%s%s", (unsigned int)uid,
			 (int)pid, since, label ? " vm=" : "", label ? label : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * link_alias_parse() - whose tap is this, by the alias link_alias_format() wrote?
 * @alias:	the link's alias, or NULL
 * @uid:	set to the uid it names
 * @t:		filled with what the alias says (uid, pid, since, label), or
 *		NULL not to read (nor check) what follows the pid
 *
 * Taps made by tapd 0.1 have no since=.
 *
 * Return: 0 if the alias is one tapd writes, else -ENOENT.
 */
static int link_alias_parse(const char *alias, uid_t *uid, struct link_tapinfo *t)
{
	unsigned long long since = 0;
	int p, n = 0, m = 0;
	unsigned int u;

	if (!alias || sscanf(alias, "tapd uid=%u pid=%d%n", &u, &p, &n) != 2)
		return -ENOENT;
	*uid = (uid_t)u;
	if (!t)
		return 0;
	alias += n;
	if (sscanf(alias, " since=%llu%n", &since, &m) == 1)
		alias += m;
	t->label[0] = '\0';
	if (*alias && sscanf(alias, " vm=%64s", t->label) != 1)
		return -ENOENT;
	t->uid = (uid_t)u;
	t->pid = (unsigned int)p;
	t->since = since;
	return 0;
}

/**
 * link_configure() - configure a new link of tapd's while it is down
 * @ctx:	context
 * @ifindex:	the link: a tap, or a veth end of its port
 * @mac:	its MAC, or NULL to keep the one it has
 * @mtu:	its MTU (the bridge's), or 0 to keep it
 * @alias:	from link_alias_format() for a tap, "tapd-port tap=N" for a
 *		veth end (the kernel takes no alias when it creates a link)
 *
 * One RTM_NEWLINK sets address, MTU, alias and no IPv6 address (the host
 * has no business on tapd's links), before one could be made. The tap is
 * never a bridge port: port_create() makes the port and joins the two.
 *
 * Return: 0 or -errno.
 */
int link_configure(struct link_ctx *ctx, int ifindex, const uint8_t *mac, unsigned int mtu,
		   const char *alias)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	struct nl_addr *addr = mac ? nl_addr_build(AF_LLC, mac, 6) : NULL;
	int ret = -ENOMEM;

	if (!orig || !chg || (mac && !addr))
		goto out;
	rtnl_link_set_ifindex(orig, ifindex);
	if (addr)
		rtnl_link_set_addr(chg, addr);
	if (mtu)
		rtnl_link_set_mtu(chg, mtu);
	rtnl_link_set_ifalias(chg, alias);
	ret = link_errno(rtnl_link_inet6_set_addr_gen_mode(chg, IN6_ADDR_GEN_MODE_NONE));
	if (!ret)
		ret = link_errno(rtnl_link_change(ctx->sk, orig, chg, 0));
out:
	nl_addr_put(addr);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return ret;
}

/**
 * link_set_up() - bring a configured port up
 * @ctx:	context
 * @ifindex:	the tap
 *
 * Return: 0 or -errno.
 */
int link_set_up(struct link_ctx *ctx, int ifindex)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (orig && chg) {
		rtnl_link_set_ifindex(orig, ifindex);
		rtnl_link_set_flags(chg, IFF_UP);
		ret = link_errno(rtnl_link_change(ctx->sk, orig, chg, 0));
	}
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return ret;
}

/* A request about one link: the header, for the caller to fill. */
struct nl_msg *link_ifi_msg(int type, int flags, int family, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int link_ack_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	*(int *)arg = e->error;
	return NL_STOP;
}

static int link_ack_ok(struct nl_msg *msg, void *arg)
{
	return NL_STOP;
}

/**
 * link_send_sync() - send a request and wait for its answer, keeping the
 *		      kernel's own errno
 * @ctx:	context
 * @msg:	the request (NLM_F_ACK is added); freed here
 *
 * libnl's nl_send_sync() turns the kernel's errno into one of its codes, and
 * many (EXFULL: a bridge has no free port) come back as "failure"; tapd's
 * refusals should say what the kernel said.
 *
 * Return: 0 or the kernel's -errno.
 */
int link_send_sync(struct link_ctx *ctx, struct nl_msg *msg)
{
	struct nl_cb *orig = nl_socket_get_cb(ctx->sk);
	struct nl_cb *cb = nl_cb_clone(orig);
	int err = 0, ret;

	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	nl_cb_err(cb, NL_CB_CUSTOM, link_ack_err, &err);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, link_ack_ok, NULL);
	ret = nl_send_auto(ctx->sk, msg);
	nlmsg_free(msg);
	if (ret >= 0)
		ret = nl_recvmsgs(ctx->sk, cb);
	nl_cb_put(cb);
	if (err)
		return err;
	return ret < 0 ? link_errno(ret) : 0;
}

struct nl_sock *link_sock(struct link_ctx *ctx)
{
	return ctx->sk;
}

/**
 * link_info_nested() - the attributes nested in a link message's linkinfo
 * @msg:	an RTM_NEWLINK message
 * @which:	IFLA_INFO_DATA (its kind's: tun's queues) or
 *		IFLA_INFO_SLAVE_DATA (its master's: a bridge port's flags)
 * @tb:		filled, @max + 1 entries
 * @max:	the highest attribute type
 *
 * Return: 0, or -ENOENT when the message has none.
 */
int link_info_nested(struct nl_msg *msg, int which, struct nlattr **tb, int max)
{
	struct nlattr *lt[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), lt, IFLA_MAX, NULL) < 0 ||
	    !lt[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, lt[IFLA_LINKINFO], NULL) < 0 ||
	    !info[which] || nla_parse_nested(tb, max, info[which], NULL) < 0)
		return -ENOENT;
	return 0;
}

/**
 * link_get_one() - one RTM_GETLINK by ifindex, its answer to a callback
 * @ifindex:	the link
 * @fn:		called with the answer
 * @arg:	passed to @fn
 *
 * On a socket of its own: tapd's own is not taken off its path with a
 * one-off callback (libnl would hand the next request's answer to it).
 *
 * Return: 0 or -errno.
 */
int link_get_one(int ifindex, int (*fn)(struct nl_msg *msg, void *arg), void *arg)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = link_ifi_msg(RTM_GETLINK, NLM_F_REQUEST, AF_UNSPEC, ifindex);
	int ret = -ENOMEM;

	if (sk && msg && !(ret = nl_connect(sk, NETLINK_ROUTE)) &&
	    !(ret = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, fn, arg)) &&
	    (ret = nl_send_auto(sk, msg)) >= 0)
		ret = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret < 0 ? link_errno(ret) : 0;
}

static int link_tun_msg(struct nl_msg *msg, void *arg)
{
	struct nlattr *tun[IFLA_TUN_MAX + 1];
	struct link_tun *t = arg;

	if (link_info_nested(msg, IFLA_INFO_DATA, tun, IFLA_TUN_MAX) ||
	    !tun[IFLA_TUN_NUM_QUEUES] || nla_len(tun[IFLA_TUN_NUM_QUEUES]) != 4)
		return NL_OK;
	t->seen = true;
	t->attached = nla_get_u32(tun[IFLA_TUN_NUM_QUEUES]);
	t->disabled = tun[IFLA_TUN_NUM_DISABLED_QUEUES] &&
		      nla_len(tun[IFLA_TUN_NUM_DISABLED_QUEUES]) == 4 ?
		      nla_get_u32(tun[IFLA_TUN_NUM_DISABLED_QUEUES]) : 0;
	t->persist = tun[IFLA_TUN_PERSIST] && nla_get_u8(tun[IFLA_TUN_PERSIST]);
	t->owner = tun[IFLA_TUN_OWNER] && nla_len(tun[IFLA_TUN_OWNER]) == 4 ?
		   (int64_t)nla_get_u32(tun[IFLA_TUN_OWNER]) : -1;
	t->group = tun[IFLA_TUN_GROUP] && nla_len(tun[IFLA_TUN_GROUP]) == 4 ?
		   (int64_t)nla_get_u32(tun[IFLA_TUN_GROUP]) : -1;
	return NL_OK;
}

/**
 * link_tun_get() - a multiqueue tap as the kernel sees it
 * @ctx:	context
 * @ifindex:	the tap
 * @t:		filled: queues attached and detached, owner, group, persist
 *
 * A multiqueue tap has no owner between TUNSETIFF and TUNSETOWNER, and the
 * kernel lets anyone attach a queue to an ownerless one (and, through it,
 * set its group or make it persistent): tapd looks once it has set the
 * owner and attached its own queues.
 *
 * Return: 0, -ENODATA if the kernel did not say, or -errno.
 */
int link_tun_get(struct link_ctx *ctx, int ifindex, struct link_tun *t)
{
	int ret;

	memset(t, 0, sizeof(*t));
	ret = link_get_one(ifindex, link_tun_msg, t);
	if (ret)
		return ret;
	return t->seen ? 0 : -ENODATA;
}

/**
 * link_delete() - delete a link, whoever holds it
 * @ctx:	context
 * @ifindex:	the link, or 0 to name it
 * @name:	its name when @ifindex is 0: only tapd makes links in its
 *		namespace, and only tapd names them tapd..., tdp..., tdr...
 *
 * Deleting either end of a veth pair deletes both.
 *
 * Return: 0, -ENODEV if it is gone already, or -errno.
 */
int link_delete(struct link_ctx *ctx, int ifindex, const char *name)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (l) {
		if (ifindex)
			rtnl_link_set_ifindex(l, ifindex);
		else
			rtnl_link_set_name(l, name);
		ret = link_errno(rtnl_link_delete(ctx->sk, l));
		rtnl_link_put(l);
	}
	return ret;
}

struct link_walk {
	struct nl_cache *cache;
	uid_t uid;
	void (*fn)(void *arg, const struct link_tapinfo *t);
	void *arg;
};

static void link_walk_one(struct nl_object *obj, void *data)
{
	struct rtnl_link *link = (struct rtnl_link *)obj;
	const char *alias = rtnl_link_get_ifalias(link);
	struct link_walk *w = data;
	char port[IFNAMSIZ], peer[IFNAMSIZ];
	struct rtnl_link *pl;
	struct link_tapinfo t;
	int master;
	uid_t uid;

	memset(&t, 0, sizeof(t));
	if (link_alias_parse(alias, &uid, &t) || (w->uid != LINK_ANY_UID && uid != w->uid))
		return;
	snprintf(t.ifname, sizeof(t.ifname), "%s", rtnl_link_get_name(link));
	t.ifindex = (unsigned int)rtnl_link_get_ifindex(link);
	/* The bridge is its port's: tdp..., named after the tap. */
	if (!port_names(t.ifname, port, peer) &&
	    (pl = rtnl_link_get_by_name(w->cache, port)) != NULL) {
		master = rtnl_link_get_master(pl);
		if (master > 0)
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
	char port[IFNAMSIZ], peer[IFNAMSIZ];
	struct rtnl_link *link = NULL, *pl = NULL, *br = NULL;
	uid_t uid;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = rtnl_link_get_kernel(ctx->sk, ifindex, NULL, &link);
	if (ret < 0)
		return ret == -NLE_NODEV || ret == -NLE_OBJ_NOTFOUND ? -ENOENT : link_errno(ret);
	if (link_alias_parse(rtnl_link_get_ifalias(link), &uid, t)) {
		rtnl_link_put(link);
		return -ENOENT;
	}
	snprintf(t->ifname, sizeof(t->ifname), "%s", rtnl_link_get_name(link));
	t->ifindex = (unsigned int)ifindex;
	rtnl_link_put(link);
	if (!port_names(t->ifname, port, peer) &&
	    rtnl_link_get_kernel(ctx->sk, 0, port, &pl) >= 0) {
		int master = rtnl_link_get_master(pl);

		if (master > 0 && rtnl_link_get_kernel(ctx->sk, master, NULL, &br) >= 0) {
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
		return link_errno(ret);
	nl_cache_foreach(w.cache, link_walk_one, &w);
	nl_cache_free(w.cache);
	return 0;
}

/*
 * Is this tun link persistent with no queue attached? IFLA_TUN_PERSIST says
 * the first; the kernel counts queues (IFLA_TUN_NUM_QUEUES) only for
 * multiqueue taps, and a single-queue tap that is up has a carrier exactly
 * while its queue is attached.
 */
static bool link_tun_abandoned(struct nlattr *linkinfo, unsigned int flags)
{
	struct nlattr *info[IFLA_INFO_MAX + 1], *tun[IFLA_TUN_MAX + 1];

	if (!linkinfo || nla_parse_nested(info, IFLA_INFO_MAX, linkinfo, NULL) < 0 ||
	    !info[IFLA_INFO_KIND] || nla_strcmp(info[IFLA_INFO_KIND], "tun") ||
	    !info[IFLA_INFO_DATA] ||
	    nla_parse_nested(tun, IFLA_TUN_MAX, info[IFLA_INFO_DATA], NULL) < 0 ||
	    !tun[IFLA_TUN_PERSIST] || !nla_get_u8(tun[IFLA_TUN_PERSIST]))
		return false;
	if (tun[IFLA_TUN_MULTI_QUEUE] && nla_get_u8(tun[IFLA_TUN_MULTI_QUEUE]))
		return tun[IFLA_TUN_NUM_QUEUES] && !nla_get_u32(tun[IFLA_TUN_NUM_QUEUES]) &&
		       (!tun[IFLA_TUN_NUM_DISABLED_QUEUES] ||
			!nla_get_u32(tun[IFLA_TUN_NUM_DISABLED_QUEUES]));
	return (flags & IFF_UP) && !(flags & IFF_LOWER_UP);
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
	if (strncmp(port, "tdp", 3) || strlen(port) != 11)
		return -ENOENT;
	snprintf(tap, IFNAMSIZ, "tapd%s", port + 3);
	return 0;
}

/*
 * A port or its peer (alias "tapd-port tap=N"): when it goes, its tap goes
 * too, so no tap is left cut off. In a dump, it is remembered, and deleted
 * after the dump if its tap is gone (a tapd restarted after its taps went).
 */
static void link_watch_pair(struct link_ctx *ctx, struct nlmsghdr *nlh, struct ifinfomsg *ifi,
			    int tap)
{
	uid_t uid;

	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (!quota_owner(ctx->quota, tap, &uid))
			link_delete(ctx, tap, NULL);
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
	    link_port_tap(nla_get_string(tb[IFLA_IFNAME]), tap) ||
	    !(tap_ifindex = (int)if_nametoindex(tap)) ||
	    quota_owner(ctx->quota, tap_ifindex, &uid) || !tb[IFLA_PROTINFO] ||
	    /* Not yet up as far as the bridge knows (linkwatch runs later). */
	    !tb[IFLA_OPERSTATE] || nla_get_u8(tb[IFLA_OPERSTATE]) != LINK_OPER_UP ||
	    nla_parse_nested(pt, IFLA_BRPORT_MAX, tb[IFLA_PROTINFO], NULL) < 0 ||
	    !pt[IFLA_BRPORT_STATE] || !pt[IFLA_BRPORT_GUARD] ||
	    nla_get_u8(pt[IFLA_BRPORT_STATE]) != BR_STATE_DISABLED ||
	    !nla_get_u8(pt[IFLA_BRPORT_GUARD]))
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
	char port[IFNAMSIZ], peer[IFNAMSIZ];
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	const char *alias;
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
	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0) {
		quota_remove(ctx->quota, ifi->ifi_index);
		return NL_OK;
	}
	alias = tb[IFLA_IFALIAS] ? nla_get_string(tb[IFLA_IFALIAS]) : NULL;
	if (!port_alias_parse(alias, &tap)) {
		link_watch_pair(ctx, nlh, ifi, tap);
		return NL_OK;
	}
	if (nlh->nlmsg_type == RTM_DELLINK || link_alias_parse(alias, &uid, NULL)) {
		/* One of tapd's taps gone: its port goes with it. */
		if (nlh->nlmsg_type == RTM_DELLINK && !quota_owner(ctx->quota, ifi->ifi_index, &uid) &&
		    tb[IFLA_IFNAME] && !port_names(nla_get_string(tb[IFLA_IFNAME]), port, peer))
			link_delete(ctx, 0, port);
		quota_remove(ctx->quota, ifi->ifi_index);
		return NL_OK;
	}
	quota_set(ctx->quota, ifi->ifi_index, uid);
	if (link_tun_abandoned(tb[IFLA_LINKINFO], ifi->ifi_flags)) {
		int ret = link_delete(ctx, ifi->ifi_index, NULL);

		if (!ret || ret == -ENODEV)
			quota_remove(ctx->quota, ifi->ifi_index);
		if (ctx->reaped)
			ctx->reaped(ifi->ifi_index, uid, ret == -ENODEV ? 0 : ret);
	}
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
		return link_errno(ret);
	/* Ports whose tap is gone (it went while no tapd ran). */
	for (size_t i = 0; i < ctx->nswept; i++) {
		uid_t uid;

		if (quota_owner(ctx->quota, ctx->swept[i][1], &uid))
			link_delete(ctx, ctx->swept[i][0], NULL);
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

/**
 * link_watch_open() - count tapd's taps now, and follow them from here on
 * @ctx:	context
 * @q:		the counts to keep
 * @reaped:	told of each abandoned persistent tap deleted (0 or -errno)
 * @port_disabled: told when the bridge disables one of tapd's ports while its
 *		link is up (a BPDU through a guarded port)
 *
 * Subscribes to RTNLGRP_LINK before the dump, so that nothing falls between
 * the two. A tapd restarted after a crash counts the taps it made before.
 *
 * Return: 0 or -errno.
 */
int link_watch_open(struct link_ctx *ctx, struct quota *q,
		    void (*reaped)(int ifindex, uid_t uid, int err),
		    void (*port_disabled)(int ifindex, uid_t uid))
{
	int ret, fd, rcvbuf = LINK_WATCH_RCVBUF;

	ctx->quota = q;
	ctx->reaped = reaped;
	ctx->port_disabled = port_disabled;
	ctx->watch = nl_socket_alloc();
	if (!ctx->watch)
		return -ENOMEM;
	nl_socket_disable_seq_check(ctx->watch);
	ret = nl_socket_modify_cb(ctx->watch, NL_CB_VALID, NL_CB_CUSTOM, link_watch_msg, ctx);
	if (!ret)
		ret = nl_connect(ctx->watch, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_add_membership(ctx->watch, RTNLGRP_LINK);
	if (!ret)
		ret = nl_socket_set_nonblocking(ctx->watch);
	if (ret)
		return link_errno(ret);
	fd = nl_socket_get_fd(ctx->watch);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Room for bursts (tapd has CAP_NET_ADMIN: past rmem_max, too). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
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
		return link_errno(ret);
	}
}
