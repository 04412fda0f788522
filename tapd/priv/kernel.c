// SPDX-License-Identifier: GPL-2.0-or-later
/* kernel.c - the back's changes to links, over its rtnetlink socket
 *
 * Each is one RTM_NEWLINK or RTM_DELLINK about one ifindex, answered with
 * the kernel's errno (netlink_talk()). The port's own requests (ifb, tc,
 * bridge flags, FDB) are port.c's.
 */

#include <errno.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>

#include "kernel.h"

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE	1
#endif

/**
 * kernel_configure() - configure a new link of tapd's while it is down
 * @sk:		the back's socket
 * @ifindex:	the link: a tap, or its port
 * @mac:	its MAC, or NULL to keep the one it has
 * @mtu:	its MTU (the bridge's), or 0 to keep it
 * @master:	the Linux bridge it becomes a port of, or 0
 * @alias:	alias.c's mark (the kernel takes no alias when it creates a link)
 *
 * One RTM_NEWLINK sets address, MTU, master, alias and no IPv6 address of
 * its own (addrgenmode none: the host has no business on tapd's links),
 * before it is up and one could be made. (The kernel applies the master
 * before the alias, and says so at once: link.c takes a port's
 * notifications without its mark as it did those of its creation.)
 *
 * Return: 0 or -errno.
 */
int kernel_configure(struct nl_sock *sk, int ifindex, const uint8_t *mac, unsigned int mtu,
		     int master, const char *alias)
{
	struct nl_msg *msg = netlink_ifi_msg(RTM_NEWLINK, AF_UNSPEC, ifindex);
	struct nlattr *af, *in6;

	if (!msg || (mac && nla_put(msg, IFLA_ADDRESS, 6, mac)) ||
	    (mtu && nla_put_u32(msg, IFLA_MTU, mtu)) ||
	    (master && nla_put_u32(msg, IFLA_MASTER, (uint32_t)master)) ||
	    nla_put_string(msg, IFLA_IFALIAS, alias) ||
	    !(af = nla_nest_start(msg, IFLA_AF_SPEC)) || !(in6 = nla_nest_start(msg, AF_INET6)) ||
	    nla_put_u8(msg, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nla_nest_end(msg, in6);
	nla_nest_end(msg, af);
	return netlink_talk(sk, msg, NULL, NULL);
}

/* Bring a configured link up. Return: 0 or -errno. */
int kernel_set_up(struct nl_sock *sk, int ifindex)
{
	struct nl_msg *msg = netlink_ifi_msg(RTM_NEWLINK, AF_UNSPEC, ifindex);
	struct ifinfomsg *ifi;

	if (!msg)
		return -ENOMEM;
	ifi = nlmsg_data(nlmsg_hdr(msg));
	ifi->ifi_flags = ifi->ifi_change = IFF_UP;
	return netlink_talk(sk, msg, NULL, NULL);
}

/* Delete a link, whoever holds it (a veth end, a port of an older tapd's,
 * deletes its peer too).
 * Return: 0, -ENODEV if it is gone already, or -errno. */
int kernel_delete(struct nl_sock *sk, int ifindex)
{
	struct nl_msg *msg = netlink_ifi_msg(RTM_DELLINK, AF_UNSPEC, ifindex);

	return msg ? netlink_talk(sk, msg, NULL, NULL) : -ENOMEM;
}
