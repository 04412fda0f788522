// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel.c - rtnetlink through libnl: the requests tapd makes, and the
 * reads both halves share
 *
 * The back makes, configures and deletes links with the socket it opened
 * (kernel_open()); reads go over a socket of their own each
 * (kernel_get_one()), which any process may do, so the front reads too.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>

#include "kernel.h"

/* linux/if.h's, which cannot be included beside glibc's net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif
#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE	1
#endif

struct kernel {
	struct nl_sock *sk;
};

/* libnl's error codes to errno, at the boundary. */
int kernel_errno(int nlerr)
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
 * kernel_open() - the rtnetlink socket requests go over, for a lifetime
 * @k:		set to the context
 *
 * Return: 0 or -errno.
 */
int kernel_open(struct kernel **k)
{
	struct kernel *c = calloc(1, sizeof(*c));
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
		return kernel_errno(ret);
	}
	fcntl(nl_socket_get_fd(c->sk), F_SETFD, FD_CLOEXEC);
	*k = c;
	return 0;
}

void kernel_close(struct kernel *k)
{
	if (!k)
		return;
	nl_socket_free(k->sk);
	free(k);
}

struct nl_sock *kernel_sock(struct kernel *k)
{
	return k->sk;
}

/* A request about one link: the header, for the caller to fill. */
struct nl_msg *kernel_ifi_msg(int type, int flags, int family, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int kernel_ack_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	*(int *)arg = e->error;
	return NL_STOP;
}

static int kernel_ack_ok(struct nl_msg *msg, void *arg)
{
	return NL_STOP;
}

/**
 * kernel_send_sync() - send a request and wait for its answer, keeping the
 *			kernel's own errno
 * @k:		context
 * @msg:	the request (NLM_F_ACK is added); freed here
 *
 * libnl's nl_send_sync() turns the kernel's errno into one of its codes, and
 * many (EXFULL: a bridge has no free port) come back as "failure"; tapd's
 * refusals should say what the kernel said.
 *
 * Return: 0 or the kernel's -errno.
 */
int kernel_send_sync(struct kernel *k, struct nl_msg *msg)
{
	struct nl_cb *orig = nl_socket_get_cb(k->sk);
	struct nl_cb *cb = nl_cb_clone(orig);
	int err = 0, ret;

	nl_cb_put(orig);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	nl_cb_err(cb, NL_CB_CUSTOM, kernel_ack_err, &err);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, kernel_ack_ok, NULL);
	ret = nl_send_auto(k->sk, msg);
	nlmsg_free(msg);
	if (ret >= 0)
		ret = nl_recvmsgs(k->sk, cb);
	nl_cb_put(cb);
	if (err)
		return err;
	return ret < 0 ? kernel_errno(ret) : 0;
}

/**
 * kernel_info_nested() - the attributes nested in a link message's linkinfo
 * @msg:	an RTM_NEWLINK message
 * @which:	IFLA_INFO_DATA (its kind's: tun's queues) or
 *		IFLA_INFO_SLAVE_DATA (its master's: a bridge port's flags)
 * @tb:		filled, @max + 1 entries
 * @max:	the highest attribute type
 *
 * Return: 0, or -ENOENT when the message has none.
 */
int kernel_info_nested(struct nl_msg *msg, int which, struct nlattr **tb, int max)
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
 * kernel_get_one() - one RTM_GETLINK, its answer to a callback
 * @ifindex:	the link, or 0 to name it
 * @name:	its name when @ifindex is 0
 * @fn:		called with the answer
 * @arg:	passed to @fn
 *
 * On a socket of its own: the request socket is not taken off its path
 * with a one-off callback (libnl would hand the next answer to it).
 *
 * Return: 0, -ENODEV when there is no such link, or -errno.
 */
int kernel_get_one(int ifindex, const char *name,
		   int (*fn)(struct nl_msg *msg, void *arg), void *arg)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = kernel_ifi_msg(RTM_GETLINK, NLM_F_REQUEST, AF_UNSPEC, ifindex);
	int ret = -NLE_NOMEM;

	if (sk && msg && (ifindex || !nla_put_string(msg, IFLA_IFNAME, name)) &&
	    !(ret = nl_connect(sk, NETLINK_ROUTE)) &&
	    !(ret = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, fn, arg)) &&
	    (ret = nl_send_auto(sk, msg)) >= 0)
		ret = nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return ret < 0 ? kernel_errno(ret) : 0;
}

static uint32_t kernel_u32(struct nlattr *a, uint32_t dflt)
{
	return a && nla_len(a) == 4 ? nla_get_u32(a) : dflt;
}

/**
 * kernel_link_parse() - what an RTM_NEWLINK message says of its link
 * @nlh:	the message (from the kernel)
 * @l:		filled
 *
 * Return: 0, or -EINVAL for a message that is not a link's.
 */
int kernel_link_parse(struct nlmsghdr *nlh, struct kernel_link *l)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *tun[IFLA_TUN_MAX + 1];
	struct ifinfomsg *ifi;

	memset(l, 0, sizeof(*l));
	l->owner = l->group = -1;
	if (!nlmsg_valid_hdr(nlh, sizeof(*ifi)) ||
	    nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	ifi = nlmsg_data(nlh);
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(l->alias, tb[IFLA_IFALIAS], sizeof(l->alias));
	l->mtu = kernel_u32(tb[IFLA_MTU], 0);
	l->master = (int)kernel_u32(tb[IFLA_MASTER], 0);
	if (!tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return 0;
	if (info[IFLA_INFO_KIND])
		nla_strlcpy(l->kind, info[IFLA_INFO_KIND], sizeof(l->kind));
	if (strcmp(l->kind, "tun") || !info[IFLA_INFO_DATA] ||
	    nla_parse_nested(tun, IFLA_TUN_MAX, info[IFLA_INFO_DATA], NULL) < 0)
		return 0;
	l->tun_seen = true;
	l->multi_queue = tun[IFLA_TUN_MULTI_QUEUE] && nla_get_u8(tun[IFLA_TUN_MULTI_QUEUE]);
	l->persist = tun[IFLA_TUN_PERSIST] && nla_get_u8(tun[IFLA_TUN_PERSIST]);
	l->attached = kernel_u32(tun[IFLA_TUN_NUM_QUEUES], 0);
	l->disabled = kernel_u32(tun[IFLA_TUN_NUM_DISABLED_QUEUES], 0);
	if (tun[IFLA_TUN_OWNER] && nla_len(tun[IFLA_TUN_OWNER]) == 4)
		l->owner = nla_get_u32(tun[IFLA_TUN_OWNER]);
	if (tun[IFLA_TUN_GROUP] && nla_len(tun[IFLA_TUN_GROUP]) == 4)
		l->group = nla_get_u32(tun[IFLA_TUN_GROUP]);
	return 0;
}

struct kernel_link_read {
	struct kernel_link *l;
	bool seen;
};

static int kernel_link_msg(struct nl_msg *msg, void *arg)
{
	struct kernel_link_read *r = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK && !kernel_link_parse(nlmsg_hdr(msg), r->l))
		r->seen = true;
	return NL_OK;
}

/**
 * kernel_link_get() - one link as the kernel says it now
 * @ifindex:	the link, or 0 to name it
 * @name:	its name when @ifindex is 0
 * @l:		filled
 *
 * Return: 0, -ENODEV when there is no such link, or -errno.
 */
int kernel_link_get(int ifindex, const char *name, struct kernel_link *l)
{
	struct kernel_link_read r = { .l = l };
	int ret = kernel_get_one(ifindex, name, kernel_link_msg, &r);

	if (!ret && !r.seen)
		ret = -ENODEV;
	return ret;
}

/*
 * Is this tap persistent with no queue attached? The kernel counts queues
 * (IFLA_TUN_NUM_QUEUES) only for multiqueue taps, and a single-queue tap
 * that is up has a carrier exactly while its queue is attached.
 */
bool kernel_tun_abandoned(const struct kernel_link *l)
{
	if (!l->tun_seen || !l->persist)
		return false;
	if (l->multi_queue)
		return !l->attached && !l->disabled;
	return (l->flags & IFF_UP) && !(l->flags & IFF_LOWER_UP);
}

/**
 * kernel_configure() - configure a new link of tapd's while it is down
 * @k:		context
 * @ifindex:	the link: a tap, or a veth end of its port
 * @mac:	its MAC, or NULL to keep the one it has
 * @mtu:	its MTU (the bridge's), or 0 to keep it
 * @alias:	alias.c's mark (the kernel takes no alias when it creates a link)
 *
 * One RTM_NEWLINK sets address, MTU, alias and no IPv6 address (the host
 * has no business on tapd's links), before one could be made.
 *
 * Return: 0 or -errno.
 */
int kernel_configure(struct kernel *k, int ifindex, const uint8_t *mac, unsigned int mtu,
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
	ret = kernel_errno(rtnl_link_inet6_set_addr_gen_mode(chg, IN6_ADDR_GEN_MODE_NONE));
	if (!ret)
		ret = kernel_errno(rtnl_link_change(k->sk, orig, chg, 0));
out:
	nl_addr_put(addr);
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return ret;
}

/**
 * kernel_set_up() - bring a configured link up
 * @k:		context
 * @ifindex:	the link
 *
 * Return: 0 or -errno.
 */
int kernel_set_up(struct kernel *k, int ifindex)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (orig && chg) {
		rtnl_link_set_ifindex(orig, ifindex);
		rtnl_link_set_flags(chg, IFF_UP);
		ret = kernel_errno(rtnl_link_change(k->sk, orig, chg, 0));
	}
	rtnl_link_put(chg);
	rtnl_link_put(orig);
	return ret;
}

/**
 * kernel_delete() - delete a link, whoever holds it
 * @k:		context
 * @ifindex:	the link (either end of a veth pair deletes both)
 *
 * Return: 0, -ENODEV if it is gone already, or -errno.
 */
int kernel_delete(struct kernel *k, int ifindex)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int ret = -ENOMEM;

	if (l) {
		rtnl_link_set_ifindex(l, ifindex);
		ret = kernel_errno(rtnl_link_delete(k->sk, l));
		rtnl_link_put(l);
	}
	return ret;
}
