// SPDX-License-Identifier: GPL-2.0-or-later
/* floor.c - the kernel work for one tap, done as plainly as one process
 * can: the benchmark's baselines
 *
 * Written apart from tapd: raw rtnetlink on one socket, no libnl, nothing
 * of tapd's code or headers, so that a figure beside these shows what tapd
 * itself costs (its IPC, its checks, its read-backs, its bookkeeping).
 *
 *	naive		what qemu-bridge-helper and xkvm leave behind: open
 *			/dev/net/tun, TUNSETIFF, TUNSETOWNER, and one
 *			RTM_NEWLINK naming the tap that sets its MTU, its
 *			address, its master and up. The tap is the bridge port.
 *	topology	the port design of tapd(8): the tap, configured (address,
 *			MTU, alias, no IPv6 address); an ifb device made
 *			on the bridge (name, address, MTU, master), given an
 *			alias and no IPv6 address; the port's flags; clsact on
 *			each, then a u32 filter redirecting with mirred each way
 *			(the tap's ingress into the port's, the port's egress
 *			out of the tap), both links still down (the cheapest
 *			order: a qdisc on a link that is up waits to stop its
 *			queues, and a filter on a new clsact for an RCU grace
 *			period, which one wait serves for both); the tap up,
 *			the port up. Nothing is read back.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "floor.h"

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE	1
#endif

#define FLOOR_MSG_MAX	2048

struct floor_msg {
	union {
		struct nlmsghdr h;
		char buf[FLOOR_MSG_MAX];
	};
};

/* A request with its family header (ifinfomsg, tcmsg) after the netlink one. */
static struct nlmsghdr *floor_msg(struct floor_msg *m, int type, int flags, const void *fam,
				  size_t famlen)
{
	memset(m, 0, sizeof(*m));
	m->h.nlmsg_len = NLMSG_LENGTH(famlen);
	m->h.nlmsg_type = (uint16_t)type;
	m->h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	memcpy(NLMSG_DATA(&m->h), fam, famlen);
	return &m->h;
}

static struct rtattr *floor_put(struct nlmsghdr *h, int type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static void floor_put_u32(struct nlmsghdr *h, int type, uint32_t v)
{
	floor_put(h, type, &v, sizeof(v));
}

static void floor_put_str(struct nlmsghdr *h, int type, const char *s)
{
	floor_put(h, type, s, strlen(s) + 1);
}

static struct rtattr *floor_nest(struct nlmsghdr *h, int type)
{
	return floor_put(h, type, NULL, 0);
}

static void floor_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

/* Send @h and read up to its ACK. Return: 0 or the kernel's -errno. */
static int floor_talk(struct floor *f, struct nlmsghdr *h)
{
	char buf[8192] __attribute__((aligned(4)));

	h->nlmsg_seq = ++f->seq;
	if (send(f->nl, h, h->nlmsg_len, 0) != (ssize_t)h->nlmsg_len)
		return -errno;
	for (;;) {
		ssize_t n = recv(f->nl, buf, sizeof(buf), 0);

		if (n < 0)
			return -errno;
		for (struct nlmsghdr *r = (struct nlmsghdr *)buf; NLMSG_OK(r, (size_t)n);
		     r = NLMSG_NEXT(r, n))
			if (r->nlmsg_seq == f->seq && r->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(r))->error;
	}
}

static int floor_ifindex(struct floor *f, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	return ioctl(f->ioc, SIOCGIFINDEX, &ifr) ? -errno : ifr.ifr_ifindex;
}

int floor_open(struct floor *f)
{
	memset(f, 0, sizeof(*f));
	f->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	f->ioc = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return f->nl < 0 || f->ioc < 0 ? -errno : 0;
}

void floor_close(struct floor *f)
{
	close(f->nl);
	close(f->ioc);
}

int floor_bridge(struct floor *f, const char *name, int *ifindex, unsigned int *mtu)
{
	struct ifreq ifr = { 0 };

	*ifindex = floor_ifindex(f, name);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (*ifindex < 0 || ioctl(f->ioc, SIOCGIFMTU, &ifr))
		return -ENODEV;
	*mtu = (unsigned int)ifr.ifr_mtu;
	return 0;
}

/* A tap of a random name with @queues queues, owned by the caller's uid. */
static int floor_tap(char name[IFNAMSIZ], const char *prefix, unsigned int queues, int *fds)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL |
					  (queues > 1 ? IFF_MULTI_QUEUE : 0) };
	uint32_t r;
	int e;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s%08x", prefix, r);
	for (unsigned int q = 0; q < queues; q++) {
		fds[q] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fds[q] < 0 || ioctl(fds[q], TUNSETIFF, &ifr) ||
		    (!q && ioctl(fds[q], TUNSETOWNER, (unsigned long)getuid()))) {
			e = -errno;
			for (unsigned int k = 0; k <= q; k++)
				if (fds[k] >= 0)
					close(fds[k]);
			return e;
		}
		ifr.ifr_flags &= (short)~IFF_TUN_EXCL;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	return 0;
}

static void floor_mac(uint8_t mac[6])
{
	if (getrandom(mac + 1, 5, 0) != 5)
		memset(mac + 1, 0x5a, 5);
	mac[0] = 0xfe;
}

int floor_naive(struct floor *f, int bridge, unsigned int mtu, unsigned int queues,
		char name[IFNAMSIZ], int *fds)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct floor_msg m;
	struct nlmsghdr *h;
	uint8_t mac[6];
	int ret = floor_tap(name, "fln", queues, fds);

	if (ret)
		return ret;
	floor_mac(mac);
	h = floor_msg(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	floor_put_str(h, IFLA_IFNAME, name);
	floor_put_u32(h, IFLA_MTU, mtu);
	floor_put(h, IFLA_ADDRESS, mac, 6);
	floor_put_u32(h, IFLA_MASTER, (uint32_t)bridge);
	ret = floor_talk(f, h);
	for (unsigned int q = 0; ret && q < queues; q++)
		close(fds[q]);
	return ret;
}

/* Address (if any), MTU (if any), alias, and no IPv6 address of its own. */
static int floor_configure(struct floor *f, int ifindex, const uint8_t *mac, unsigned int mtu,
			   const char *alias)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct rtattr *af, *in6;
	struct floor_msg m;
	struct nlmsghdr *h = floor_msg(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	uint8_t mode = IN6_ADDR_GEN_MODE_NONE;

	if (mac)
		floor_put(h, IFLA_ADDRESS, mac, 6);
	if (mtu)
		floor_put_u32(h, IFLA_MTU, mtu);
	floor_put_str(h, IFLA_IFALIAS, alias);
	af = floor_nest(h, IFLA_AF_SPEC);
	in6 = floor_nest(h, AF_INET6);
	floor_put(h, IFLA_INET6_ADDR_GEN_MODE, &mode, 1);
	floor_end(h, in6);
	floor_end(h, af);
	return floor_talk(f, h);
}

static int floor_up(struct floor *f, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex,
				 .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
	struct floor_msg m;

	return floor_talk(f, floor_msg(&m, RTM_NEWLINK, 0, &ifi, sizeof(ifi)));
}

/* The port: an ifb device @port on @bridge with @mac, down. */
static int floor_ifb(struct floor *f, const char *port, int bridge, unsigned int mtu,
		     const uint8_t mac[6])
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *info;
	struct floor_msg m;
	struct nlmsghdr *h = floor_msg(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi,
				       sizeof(ifi));

	floor_put_str(h, IFLA_IFNAME, port);
	floor_put(h, IFLA_ADDRESS, mac, 6);
	floor_put_u32(h, IFLA_MTU, mtu);
	floor_put_u32(h, IFLA_MASTER, (uint32_t)bridge);
	info = floor_nest(h, IFLA_LINKINFO);
	floor_put_str(h, IFLA_INFO_KIND, "ifb");
	floor_end(h, info);
	return floor_talk(f, h);
}

/* tapd's default port flags: BPDU guard, root block, learning, flooding. */
static int floor_port_flags(struct floor *f, int ifindex)
{
	static const struct { int attr; uint8_t v; } flags[] = {
		{ IFLA_BRPORT_ISOLATED, 0 }, { IFLA_BRPORT_LOCKED, 0 },
		{ IFLA_BRPORT_GUARD, 1 }, { IFLA_BRPORT_PROTECT, 1 },
		{ IFLA_BRPORT_LEARNING, 1 }, { IFLA_BRPORT_UNICAST_FLOOD, 1 },
	};
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	struct floor_msg m;
	struct nlmsghdr *h = floor_msg(&m, RTM_SETLINK, 0, &ifi, sizeof(ifi));
	struct rtattr *p = floor_nest(h, IFLA_PROTINFO | NLA_F_NESTED);

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		floor_put(h, flags[i].attr, &flags[i].v, 1);
	floor_end(h, p);
	return floor_talk(f, h);
}

/* clsact on @ifindex. */
static int floor_clsact(struct floor *f, int ifindex)
{
	struct tcmsg q = { .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
			   .tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0), .tcm_parent = TC_H_CLSACT };
	struct floor_msg m;
	struct nlmsghdr *h = floor_msg(&m, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, &q, sizeof(q));

	floor_put_str(h, TCA_KIND, "clsact");
	return floor_talk(f, h);
}

/* On @from's clsact ingress (or egress) a u32 match-all with mirred to
 * @to's @eaction (TCA_INGRESS_REDIR or TCA_EGRESS_REDIR). */
static int floor_redirect(struct floor *f, int from, uint32_t hook, int to, int eaction)
{
	struct tcmsg t = { .tcm_family = AF_UNSPEC, .tcm_ifindex = from,
			   .tcm_parent = TC_H_MAKE(TC_H_CLSACT, hook),
			   .tcm_info = TC_H_MAKE(1 << 16, htons(ETH_P_ALL)) };
	struct {
		struct tc_u32_sel sel;
		struct tc_u32_key key;
	} sel = { .sel = { .flags = TC_U32_TERMINAL, .nkeys = 1 } };
	struct tc_mirred mirred = { .action = TC_ACT_STOLEN, .eaction = eaction,
				    .ifindex = (uint32_t)to };
	struct rtattr *opts, *acts, *act, *aopts;
	struct floor_msg m;
	struct nlmsghdr *h = floor_msg(&m, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, &t, sizeof(t));
	floor_put_str(h, TCA_KIND, "u32");
	opts = floor_nest(h, TCA_OPTIONS);
	floor_put(h, TCA_U32_SEL, &sel, sizeof(sel));
	acts = floor_nest(h, TCA_U32_ACT);
	act = floor_nest(h, 1);
	floor_put_str(h, TCA_ACT_KIND, "mirred");
	aopts = floor_nest(h, TCA_ACT_OPTIONS);
	floor_put(h, TCA_MIRRED_PARMS, &mirred, sizeof(mirred));
	floor_end(h, aopts);
	floor_end(h, act);
	floor_end(h, acts);
	floor_end(h, opts);
	return floor_talk(f, h);
}

int floor_topology(struct floor *f, int bridge, unsigned int mtu, char name[IFNAMSIZ], int *fd)
{
	char port[IFNAMSIZ], alias[64];
	uint8_t mac[6], port_mac[6];
	int tap, p, ret = floor_tap(name, "flt", 1, fd);

	if (ret)
		return ret;
	floor_mac(mac);
	floor_mac(port_mac);
	snprintf(port, sizeof(port), "fp%s", name + 3);
	snprintf(alias, sizeof(alias), "floor uid=%u", (unsigned int)getuid());
	tap = floor_ifindex(f, name);
	ret = tap < 0 ? tap : floor_configure(f, tap, mac, mtu, alias);
	if (!ret)
		ret = floor_ifb(f, port, bridge, mtu, port_mac);
	p = floor_ifindex(f, port);
	if (!ret && p < 0)
		ret = -ENODEV;
	if (!ret)
		ret = floor_configure(f, p, NULL, 0, "floor-port");
	if (!ret)
		ret = floor_port_flags(f, p);
	if (!ret)
		ret = floor_clsact(f, tap);
	if (!ret)
		ret = floor_clsact(f, p);
	if (!ret)
		ret = floor_redirect(f, tap, TC_H_MIN_INGRESS, p, TCA_INGRESS_REDIR);
	if (!ret)
		ret = floor_redirect(f, p, TC_H_MIN_EGRESS, tap, TCA_EGRESS_REDIR);
	if (!ret)
		ret = floor_up(f, tap);
	if (!ret)
		ret = floor_up(f, p);
	if (ret) {
		floor_delete(f, name);
		close(*fd);
	}
	return ret;
}

/* What the topology floor made beside tap @name (its port), gone. */
int floor_delete(struct floor *f, const char *name)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	char port[IFNAMSIZ];
	struct floor_msg m;

	snprintf(port, sizeof(port), "fp%s", name + 3);
	ifi.ifi_index = floor_ifindex(f, port);
	if (ifi.ifi_index <= 0)
		return 0;
	return floor_talk(f, floor_msg(&m, RTM_DELLINK, 0, &ifi, sizeof(ifi)));
}
