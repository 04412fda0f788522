/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proto.h - the tapd wire protocol: netlink-style messages on SOCK_SEQPACKET */
#ifndef TAPVM_PROTO_H
#define TAPVM_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

/* See docs/protocol.md, which is the reference for other clients. */

#define PROTO_VERSION		1
#define PROTO_DEFAULT_SOCKET	"/run/tapd/tapd.sock"

/* Bounds: a request is tiny; a reply may list many taps. */
#define PROTO_REQUEST_MAX	1024
#define PROTO_REPLY_MAX		65536
/* Most queues a tap may have: a reply carries a tap fd and a vhost fd each. */
#define PROTO_QUEUES_MAX	8
#define PROTO_FDS_MAX		(2 * PROTO_QUEUES_MAX)
#define PROTO_RECV_FDS_MAX	253	/* the kernel's SCM_MAX_FD: one message's most */
#define PROTO_MESSAGE_MAX	256

/* Message types (nlmsg_type); below NLMSG_MIN_TYPE is netlink's own. */
enum proto_type {
	PROTO_MSG_CREATE = 0x10,	/* request a tap; reply: same type */
	PROTO_MSG_LIST = 0x11,		/* what may I use; reply: same type */
	PROTO_MSG_ERROR = 0x1f,		/* reply to any request that failed */
};

/* Follows the nlmsghdr in every message, like genetlink's genlmsghdr. */
struct proto_hdr {
	uint8_t version;
	uint8_t reserved[3];	/* zero */
};

/* Attributes, one namespace for all message types. */
enum proto_attr {
	PROTO_A_UNSPEC,
	PROTO_A_BRIDGE,		/* string: bridge name */
	PROTO_A_LABEL,		/* string: VM label */
	PROTO_A_QUEUES,		/* u32: queues wanted (1 until multiqueue) */
	PROTO_A_IFNAME,		/* string: tap name */
	PROTO_A_IFINDEX,	/* u32: tap ifindex */
	PROTO_A_MTU,		/* u32: tap MTU (the bridge's) */
	PROTO_A_MAC,		/* binary, 6 bytes: the tap's host-side MAC */
	PROTO_A_FDS,		/* nested: what each SCM_RIGHTS fd is, in order */
	PROTO_A_ERRNO,		/* u32: positive errno */
	PROTO_A_MESSAGE,	/* string: one line for people */
	PROTO_A_GRANT,		/* nested: BRIDGE, MAX_TAPS (repeated) */
	PROTO_A_MAX_TAPS,	/* u32 */
	PROTO_A_TAP,		/* nested: IFNAME, IFINDEX, BRIDGE, LABEL, PID */
	PROTO_A_PID,		/* u32 */
	PROTO_A_SINCE,		/* u64: when the tap was made, seconds since the epoch */
	PROTO_A_VHOST,		/* u8: 1 to ask for a vhost-net fd per queue */
	PROTO_A_VHOST_ERRNO,	/* u32: why the reply has no vhost-net fds */
	PROTO_A_GUEST_MAC,	/* 6 bytes: the MAC the guest's NIC will use */
	PROTO_A_VLAN,		/* u16: the VLAN asked for, among the granted */
	__PROTO_A_MAX,
};
#define PROTO_A_MAX (__PROTO_A_MAX - 1)

/* Attribute types inside PROTO_A_FDS; the payload is the queue index. */
enum proto_fd_kind {
	PROTO_FD_UNSPEC,
	PROTO_FD_TAP,		/* a queue of the tap (u32 queue index) */
	PROTO_FD_VHOST,		/* a /dev/vhost-net fd for that queue */
	__PROTO_FD_MAX,
};
#define PROTO_FD_MAX (__PROTO_FD_MAX - 1)

/**
 * struct proto_parsed - a validated message
 * @type:	nlmsg_type
 * @seq:	nlmsg_seq, echoed in the reply
 * @tb:		attributes by type, last of each (repeated ones: iterate @attrs)
 * @attrs:	first attribute, for iterating repeated attributes
 * @attrlen:	length of all attributes
 */
struct proto_parsed {
	int type;
	uint32_t seq;
	struct nlattr *tb[PROTO_A_MAX + 1];
	struct nlattr *attrs;
	int attrlen;
};

int proto_new(struct nl_msg **msg, int type, uint32_t seq, size_t size);
int proto_error_new(struct nl_msg **msg, uint32_t seq, int err,
		    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int proto_parse(void *buf, size_t len, bool request,
		    struct proto_parsed *p,
		    const char **why);
int proto_parse_nested(struct nlattr *tb[], int maxtype,
		       const struct nlattr *nla, const char **why);
int proto_send(int sock, struct nl_msg *msg, const int *fds, size_t nfds);
int proto_send_bytes(int sock, const void *buf, size_t len, const int *fds, size_t nfds);
ssize_t proto_recv(int sock, void *buf, size_t size, int *fds, size_t *nfds);
ssize_t proto_recv_all(int sock, void *buf, size_t size, int *fds, size_t *nfds);
void proto_close_fds(int *fds, size_t nfds);

#endif /* TAPVM_PROTO_H */
