// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - rtnetlink through libnl, as both halves read it
 *
 * Reading links needs no capability, so the front reads and follows them
 * with this code too; the back sends its requests (priv/kernel.c, port.c)
 * through netlink_talk() on the one socket it opened.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>

#include "netlink.h"

/* linux/if.h's, which cannot be included beside glibc's net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

#define NETLINK_READ_MAX	65536	/* one read: any answer to one request of tapd's */
#define NETLINK_DUMP_TRIES	4	/* a dump links changed under, done again */

/* libnl's error codes to errno, at the boundary. */
int netlink_errno(int nlerr)
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
 * netlink_open() - an rtnetlink socket, for a lifetime
 * @sk:		set to it
 *
 * libnl peeks at each message to size its buffer, two system calls a read;
 * a buffer no answer to tapd's requests outgrows (a link is 2 kB) makes it
 * one.
 *
 * Return: 0 or -errno.
 */
int netlink_open(struct nl_sock **sk)
{
	struct nl_sock *s = nl_socket_alloc();
	int ret;

	if (!s)
		return -ENOMEM;
	ret = nl_connect(s, NETLINK_ROUTE);
	if (ret < 0) {
		nl_socket_free(s);
		return netlink_errno(ret);
	}
	fcntl(nl_socket_get_fd(s), F_SETFD, FD_CLOEXEC);
	nl_socket_disable_msg_peek(s);
	nl_socket_set_msg_buf_size(s, NETLINK_READ_MAX);
	*sk = s;
	return 0;
}

/* A request about one link: the header, for the caller to fill. */
struct nl_msg *netlink_ifi_msg(int type, int family, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = (unsigned char)family, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, NLM_F_REQUEST);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* The end of an answer: its ACK or NLMSG_DONE (0) or its error (-errno), in *arg. */
static int netlink_ack_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	*(int *)arg = e->error < 0 ? e->error : -EPROTO;
	return NL_STOP;
}

static int netlink_ack_ok(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

/**
 * netlink_talk() - send a request and wait for its answer, keeping the
 *		    kernel's own errno
 * @sk:		the socket (netlink_open())
 * @msg:	the request; freed here
 * @fn:		called with each message of the answer (a read's), or NULL
 * @arg:	passed to @fn
 *
 * Every request asks for an ACK and the answer is read up to it, so that
 * nothing of it is left on the socket for the next request. libnl's own
 * calls turn the kernel's errno into one of their codes, and many (EXFULL:
 * a bridge has no free port) come back as "failure"; tapd's refusals say
 * what the kernel said.
 *
 * Return: 0 or the kernel's -errno.
 */
int netlink_talk(struct nl_sock *sk, struct nl_msg *msg,
		 int (*fn)(struct nl_msg *msg, void *arg), void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int end = 1, ret = -NLE_NOMEM;	/* end: 1 until the ACK or error */

	if (cb) {
		if (fn)
			nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
		nl_cb_err(cb, NL_CB_CUSTOM, netlink_ack_err, &end);
		nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, netlink_ack_ok, &end);
		nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
		ret = nl_send_auto(sk, msg);
		while (ret >= 0 && end == 1)
			ret = nl_recvmsgs(sk, cb);
		nl_cb_put(cb);
	}
	nlmsg_free(msg);
	return end != 1 ? end : netlink_errno(ret);
}

static uint32_t netlink_u32(struct nlattr *a, uint32_t dflt)
{
	return a && nla_len(a) == 4 ? nla_get_u32(a) : dflt;
}

/* What a tun link's IFLA_INFO_DATA says. */
static void netlink_tun_parse(struct nlattr *data, struct netlink_link *l)
{
	struct nlattr *tun[IFLA_TUN_MAX + 1];

	if (nla_parse_nested(tun, IFLA_TUN_MAX, data, NULL) < 0)
		return;
	l->tun_seen = true;
	l->multi_queue = tun[IFLA_TUN_MULTI_QUEUE] && nla_get_u8(tun[IFLA_TUN_MULTI_QUEUE]);
	l->persist = tun[IFLA_TUN_PERSIST] && nla_get_u8(tun[IFLA_TUN_PERSIST]);
	l->attached = netlink_u32(tun[IFLA_TUN_NUM_QUEUES], 0);
	l->disabled = netlink_u32(tun[IFLA_TUN_NUM_DISABLED_QUEUES], 0);
	if (tun[IFLA_TUN_OWNER] && nla_len(tun[IFLA_TUN_OWNER]) == 4)
		l->owner = nla_get_u32(tun[IFLA_TUN_OWNER]);
	if (tun[IFLA_TUN_GROUP] && nla_len(tun[IFLA_TUN_GROUP]) == 4)
		l->group = nla_get_u32(tun[IFLA_TUN_GROUP]);
}

/**
 * netlink_link_parse() - what an RTM_NEWLINK message says of its link
 * @nlh:	the message (from the kernel)
 * @l:		filled
 *
 * Return: 0, or -EINVAL for a message that is not a link's.
 */
int netlink_link_parse(struct nlmsghdr *nlh, struct netlink_link *l)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *bp[IFLA_BRPORT_MAX + 1];
	struct nlattr *br[IFLA_BR_MAX + 1];
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
	l->mtu = netlink_u32(tb[IFLA_MTU], 0);
	l->master = (int)netlink_u32(tb[IFLA_MASTER], 0);
	if (!tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0)
		return 0;
	if (info[IFLA_INFO_KIND])
		nla_strlcpy(l->kind, info[IFLA_INFO_KIND], sizeof(l->kind));
	if (!strcmp(l->kind, "tun") && info[IFLA_INFO_DATA])
		netlink_tun_parse(info[IFLA_INFO_DATA], l);
	if (!strcmp(l->kind, "bridge") && info[IFLA_INFO_DATA] &&
	    nla_parse_nested(br, IFLA_BR_MAX, info[IFLA_INFO_DATA], NULL) >= 0 &&
	    br[IFLA_BR_VLAN_FILTERING] && nla_len(br[IFLA_BR_VLAN_FILTERING]) == 1)
		l->br_vlan_filtering = nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	/* A bridge port's flags: its master's data, one byte each. */
	if (info[IFLA_INFO_SLAVE_KIND] && !nla_strcmp(info[IFLA_INFO_SLAVE_KIND], "bridge") &&
	    info[IFLA_INFO_SLAVE_DATA] &&
	    nla_parse_nested(bp, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], NULL) >= 0)
		for (int t = 1; t <= IFLA_BRPORT_MAX; t++)
			if (bp[t] && nla_len(bp[t]) == 1) {
				l->brport_seen[t] = true;
				l->brport[t] = nla_get_u8(bp[t]);
			}
	return 0;
}

struct netlink_read {
	struct netlink_link *l;
	bool seen;
};

static int netlink_link_msg(struct nl_msg *msg, void *arg)
{
	struct netlink_read *r = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWLINK && !netlink_link_parse(nlmsg_hdr(msg), r->l))
		r->seen = true;
	return NL_OK;
}

/**
 * netlink_link_get() - one link as the kernel says it now: one RTM_GETLINK
 * @sk:		the socket (netlink_open())
 * @ifindex:	the link, or 0 to name it
 * @name:	its name when @ifindex is 0
 * @l:		filled
 *
 * Return: 0, -ENODEV when there is no such link, or -errno.
 */
int netlink_link_get(struct nl_sock *sk, int ifindex, const char *name, struct netlink_link *l)
{
	struct nl_msg *msg = netlink_ifi_msg(RTM_GETLINK, AF_UNSPEC, ifindex);
	struct netlink_read r = { .l = l };
	int ret;

	if (!msg || (!ifindex && nla_put_string(msg, IFLA_IFNAME, name))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = netlink_talk(sk, msg, netlink_link_msg, &r);
	if (!ret && !r.seen)
		ret = -ENODEV;
	return ret;
}

/* One SIOCGIF* ioctl of link @name into @ifr: no lock, no link-state events run. */
static int netlink_ifreq(struct nl_sock *sk, const char *name, unsigned long cmd,
			 struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(name) >= sizeof(ifr->ifr_name))
		return -EINVAL;
	strcpy(ifr->ifr_name, name);
	return ioctl(nl_socket_get_fd(sk), cmd, ifr) < 0 ? -errno : 0;
}

/**
 * netlink_ifindex() - a link's ifindex by name, without a netlink request
 * @sk:		a socket of ours (netlink_open()); its fd takes the ioctl
 * @name:	the link's name
 *
 * SIOCGIFINDEX, not an RTM_GETLINK: the kernel looks the name up without
 * its rtnl lock and writes no reply with the link's whole state, so neither
 * half waits behind the host's other link changes for it; nor a new socket
 * per call, as if_nametoindex() opens.
 *
 * Return: the ifindex, or -errno.
 */
int netlink_ifindex(struct nl_sock *sk, const char *name)
{
	struct ifreq ifr;
	int ret = netlink_ifreq(sk, name, SIOCGIFINDEX, &ifr);

	return ret ? ret : ifr.ifr_ifindex;
}

/* The MTU of link @name (SIOCGIFMTU), or -errno. */
int netlink_mtu(struct nl_sock *sk, const char *name)
{
	struct ifreq ifr;
	int ret = netlink_ifreq(sk, name, SIOCGIFMTU, &ifr);

	return ret ? ret : ifr.ifr_mtu;
}

struct netlink_find {
	struct netlink_link *l;
	int ifindex;
	const char *name;
	int end;		/* 1 until NLMSG_DONE or an error */
	bool seen;
};

static int netlink_find_msg(struct nl_msg *msg, void *arg)
{
	struct netlink_find *f = arg;
	struct netlink_link l;

	if (f->seen || nlmsg_hdr(msg)->nlmsg_type != RTM_NEWLINK ||
	    netlink_link_parse(nlmsg_hdr(msg), &l) ||
	    (f->ifindex ? l.ifindex != f->ifindex : strcmp(l.name, f->name)))
		return NL_OK;
	*f->l = l;
	f->seen = true;
	return NL_OK;
}

/**
 * netlink_bridge_get() - one Linux bridge as the kernel says it now
 * @sk:		the socket (netlink_open())
 * @ifindex:	the bridge, or 0 to name it
 * @name:	its name when @ifindex is 0
 * @l:		filled
 *
 * A dump of the links of kind "bridge" (the kernel filters: it walks its
 * list of links, but writes out only the bridges), not an RTM_GETLINK:
 * since Linux 6.x an RTM_GETLINK first runs the link's pending
 * link-state events, and a bridge has one after each port joins or
 * leaves, whose IPv6 handling walks the whole routing table. With
 * thousands of links that walk is milliseconds, paid on every request,
 * where the kernel would otherwise run those events once a second for
 * all of them. A kernel without the filter (before 4.17) sends every
 * link, and the one asked for is picked out all the same.
 *
 * Return: 0, -ENODEV when there is no such bridge (no link of that name or
 * ifindex, or one that is no Linux bridge), or -errno.
 */
int netlink_bridge_get(struct nl_sock *sk, int ifindex, const char *name,
		       struct netlink_link *l)
{
	struct netlink_find f = { .l = l, .ifindex = ifindex, .name = name };
	int ret = -NLE_DUMP_INTR;

	/* Links that came or went meanwhile may have hidden it: ask again. */
	for (int i = 0; i < NETLINK_DUMP_TRIES && ret == -NLE_DUMP_INTR && !f.seen; i++) {
		struct nl_msg *msg = netlink_ifi_msg(RTM_GETLINK, AF_UNSPEC, 0);
		struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
		struct nlattr *info;

		ret = -NLE_NOMEM;
		f.end = 1;
		if (msg && cb && (info = nla_nest_start(msg, IFLA_LINKINFO)) &&
		    !nla_put_string(msg, IFLA_INFO_KIND, "bridge")) {
			nla_nest_end(msg, info);
			nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP;
			nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, netlink_find_msg, &f);
			nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, netlink_ack_ok, &f.end);
			nl_cb_err(cb, NL_CB_CUSTOM, netlink_ack_err, &f.end);
			ret = nl_send_auto(sk, msg);
			while (ret >= 0 && f.end == 1)
				ret = nl_recvmsgs(sk, cb);
		}
		if (cb)
			nl_cb_put(cb);
		nlmsg_free(msg);
		if (f.end < 0)
			return f.end;
	}
	/* Found in a dump flagged as interrupted: what it says of it holds. */
	if (f.seen)
		return strcmp(l->kind, "bridge") ? -ENODEV : 0;
	return ret < 0 ? netlink_errno(ret) : -ENODEV;
}

/*
 * Is this tap persistent with no queue attached? The kernel counts queues
 * (IFLA_TUN_NUM_QUEUES) only for multiqueue taps, and a single-queue tap
 * that is up has a carrier exactly while its queue is attached.
 */
bool netlink_tun_abandoned(const struct netlink_link *l)
{
	if (!l->tun_seen || !l->persist)
		return false;
	if (l->multi_queue)
		return !l->attached && !l->disabled;
	return (l->flags & IFF_LOWER_UP) == 0 && (l->flags & IFF_UP);
}
