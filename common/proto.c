// SPDX-License-Identifier: GPL-2.0-or-later
/* proto.c - build, validate, send and receive tapd protocol messages
 *
 * Messages are built and checked with libnl-3's nlmsg/nla API and an
 * nla_policy, so no TLV parser is written by hand. Everything proto_parse()
 * accepts has been checked for: exact length, version, type, which attributes
 * that type may carry in that direction, no duplicates, no trailing bytes,
 * attribute sizes, and strings that are one NUL-terminated C string.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/socket.h>

#include "names.h"
#include "util.h"
#include "proto.h"

static const struct nla_policy proto_policy[PROTO_A_MAX + 1] = {
	[PROTO_A_BRIDGE]	= { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[PROTO_A_LABEL]		= { .type = NLA_STRING, .maxlen = NAMES_LABEL_MAX + 1 },
	[PROTO_A_QUEUES]	= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_IFNAME]	= { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[PROTO_A_IFINDEX]	= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_MTU]		= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_MAC]		= { .type = NLA_UNSPEC, .minlen = 6, .maxlen = 6 },
	[PROTO_A_FDS]		= { .type = NLA_NESTED },
	[PROTO_A_ERRNO]		= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_MESSAGE]	= { .type = NLA_STRING, .maxlen = PROTO_MESSAGE_MAX },
	[PROTO_A_GRANT]		= { .type = NLA_NESTED },
	[PROTO_A_MAX_TAPS]	= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_TAP]		= { .type = NLA_NESTED },
	[PROTO_A_PID]		= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_SINCE]		= { .type = NLA_U64, .maxlen = 8 },
	[PROTO_A_VHOST]		= { .type = NLA_U8, .maxlen = 1 },
	[PROTO_A_VHOST_ERRNO]	= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_A_GUEST_MAC]	= { .type = NLA_UNSPEC, .minlen = 6, .maxlen = 6 },
	[PROTO_A_VLAN]		= { .type = NLA_U16, .maxlen = 2 },
};

static const struct nla_policy proto_fd_policy[PROTO_FD_MAX + 1] = {
	[PROTO_FD_TAP]		= { .type = NLA_U32, .maxlen = 4 },
	[PROTO_FD_VHOST]	= { .type = NLA_U32, .maxlen = 4 },
};

#define BIT(a) (1u << (a))

/**
 * struct proto_shape - what one message type may carry in one direction
 * @type:	message type
 * @allowed:	attribute types it may carry
 * @repeated:	attribute types that may appear more than once
 * @required:	attribute types it must carry
 */
struct proto_shape {
	int type;
	uint32_t allowed, repeated, required;
};

static const struct proto_shape proto_requests[] = {
	{ PROTO_MSG_CREATE,
	  BIT(PROTO_A_BRIDGE) | BIT(PROTO_A_LABEL) | BIT(PROTO_A_QUEUES) |
	  BIT(PROTO_A_VHOST) | BIT(PROTO_A_GUEST_MAC) | BIT(PROTO_A_VLAN),
	  0, BIT(PROTO_A_BRIDGE) },
	{ PROTO_MSG_LIST, 0, 0, 0 },
};

static const struct proto_shape proto_replies[] = {
	{ PROTO_MSG_CREATE,
	  BIT(PROTO_A_BRIDGE) | BIT(PROTO_A_LABEL) | BIT(PROTO_A_IFNAME) |
	  BIT(PROTO_A_IFINDEX) | BIT(PROTO_A_MTU) | BIT(PROTO_A_MAC) |
	  BIT(PROTO_A_FDS) | BIT(PROTO_A_VHOST_ERRNO) | BIT(PROTO_A_VLAN),
	  0, BIT(PROTO_A_IFNAME) | BIT(PROTO_A_FDS) },
	{ PROTO_MSG_LIST, BIT(PROTO_A_GRANT) | BIT(PROTO_A_TAP),
	  BIT(PROTO_A_GRANT) | BIT(PROTO_A_TAP), 0 },
	{ PROTO_MSG_ERROR, BIT(PROTO_A_ERRNO) | BIT(PROTO_A_MESSAGE), 0,
	  BIT(PROTO_A_ERRNO) | BIT(PROTO_A_MESSAGE) },
};

/**
 * proto_new() - start a message
 * @msg:	set to the new message, which the caller frees with nlmsg_free()
 * @type:	message type
 * @seq:	sequence number (a reply echoes its request's)
 * @size:	most bytes the message may grow to
 *
 * Return: 0 or -ENOMEM.
 */
int proto_new(struct nl_msg **msg, int type, uint32_t seq, size_t size)
{
	struct nl_msg *m = nlmsg_alloc_size(size);
	struct nlmsghdr *nlh;
	struct proto_hdr *hdr;

	if (!m)
		return -ENOMEM;
	nlh = nlmsg_put(m, 0, seq, type, sizeof(*hdr), 0);
	if (!nlh) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	hdr = nlmsg_data(nlh);
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = PROTO_VERSION;
	*msg = m;
	return 0;
}

/**
 * proto_error_new() - build an error reply
 * @msg:	set to the new message
 * @seq:	the request's sequence number
 * @err:	negative errno
 * @fmt:	one line for people, without a newline; cut to PROTO_MESSAGE_MAX
 *
 * Return: 0 or -ENOMEM.
 */
int proto_error_new(struct nl_msg **msg, uint32_t seq, int err,
		    const char *fmt, ...)
{
	char line[PROTO_MESSAGE_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	ret = proto_new(msg, PROTO_MSG_ERROR, seq, 1024);
	if (ret)
		return ret;
	if (nla_put_u32(*msg, PROTO_A_ERRNO, (uint32_t)(err < 0 ? -err : err)) ||
	    nla_put_string(*msg, PROTO_A_MESSAGE, line)) {
		nlmsg_free(*msg);
		*msg = NULL;
		return -ENOMEM;
	}
	return 0;
}

static const struct proto_shape *proto_shape_find(int type, bool request)
{
	const struct proto_shape *t = request ? proto_requests : proto_replies;
	size_t n = request ? ARRAY_SIZE(proto_requests) : ARRAY_SIZE(proto_replies);

	for (size_t i = 0; i < n; i++)
		if (t[i].type == type)
			return &t[i];
	return NULL;
}

/* A string attribute must be exactly one C string: no NUL before its end. */
static bool proto_string_exact(const struct nlattr *nla)
{
	const char *s = nla_data(nla);
	int len = nla_len(nla);

	return len > 0 && memchr(s, '\0', len) == s + len - 1;
}

/**
 * proto_attrs_check() - check attribute types, repeats and trailing bytes
 * @head:	first attribute
 * @len:	length of the attribute stream
 * @shape:	what the message type may carry
 * @request:	a request (tapd reads it), not a reply
 * @why:	set to a reason on failure
 *
 * nla_parse() ignores unknown attributes and leftover bytes; tapd does
 * not, so that an option a newer client relies on is refused rather than
 * silently dropped.
 *
 * Return: 0 or -errno.
 */
static int proto_attrs_check(struct nlattr *head, int len, const struct proto_shape *shape,
			     bool request, const char **why)
{
	uint32_t seen = 0;
	struct nlattr *nla;
	int rem;

	nla_for_each_attr(nla, head, len, rem) {
		int t = nla_type(nla);

		/* Flag bits: tapd's replies nest (NLA_F_NESTED); no request has any. */
		if (request && (nla->nla_type & ~NLA_TYPE_MASK)) {
			*why = "attribute type has flag bits set (NLA_F_NESTED or NLA_F_NET_BYTEORDER)";
			return -EINVAL;
		}

		if (t <= 0 || t > PROTO_A_MAX || !(shape->allowed & BIT(t))) {
			*why = "message carries an attribute its type does not allow";
			return -EOPNOTSUPP;
		}
		if ((seen & BIT(t)) && !(shape->repeated & BIT(t))) {
			*why = "message repeats an attribute";
			return -EINVAL;
		}
		seen |= BIT(t);
		if (proto_policy[t].type == NLA_STRING && nla_len(nla) > 0 &&
		    nla_len(nla) <= proto_policy[t].maxlen &&
		    !proto_string_exact(nla)) {
			*why = "string attribute is not one NUL-terminated string";
			return -EINVAL;
		}
	}
	/* libnl's walk takes each attribute with its padding. */
	if (rem < 0) {
		*why = "message ends inside its last attribute's padding: nlmsg_len must count it";
		return -EBADMSG;
	}
	if (rem > 0) {
		*why = "message has bytes after its last attribute";
		return -EBADMSG;
	}
	if ((seen & shape->required) != shape->required) {
		*why = "message lacks a required attribute";
		return -EINVAL;
	}
	return 0;
}

/**
 * proto_parse() - validate a received datagram
 * @buf:	the datagram; must be aligned for struct nlmsghdr
 * @len:	bytes received (not what the header claims)
 * @request:	true in tapd (requests), false in clients (replies)
 * @p:		filled on success; points into @buf
 * @why:	set to a reason for people on failure
 *
 * Return: 0, or -EBADMSG (framing: lengths, padding, header fields),
 * -EPROTONOSUPPORT (version), -EOPNOTSUPP (unknown type or attribute),
 * -EINVAL (bad attribute).
 */
int proto_parse(void *buf, size_t len, bool request,
		    struct proto_parsed *p, const char **why)
{
	struct nlmsghdr *nlh = buf;
	const struct proto_shape *shape;
	const struct proto_hdr *hdr;
	int hdrlen = NLMSG_ALIGN(sizeof(*hdr));
	int ret;

	memset(p, 0, sizeof(*p));
	if (len < NLMSG_HDRLEN) {
		*why = "message is shorter than a netlink header";
		return -EBADMSG;
	}
	if (nlh->nlmsg_len != len) {
		*why = "message length in the header differs from the bytes received";
		return -EBADMSG;
	}
	if (len < (size_t)NLMSG_HDRLEN + hdrlen) {
		*why = "message is shorter than the tapd header";
		return -EBADMSG;
	}
	hdr = nlmsg_data(nlh);
	if (hdr->version != PROTO_VERSION) {
		*why = "protocol version not supported (this side speaks version 1)";
		return -EPROTONOSUPPORT;
	}
	if (hdr->reserved[0] || hdr->reserved[1] || hdr->reserved[2] ||
	    nlh->nlmsg_flags || nlh->nlmsg_pid) {
		*why = "nlmsg_flags, nlmsg_pid or the reserved bytes are not zero";
		return -EBADMSG;
	}
	shape = proto_shape_find(nlh->nlmsg_type, request);
	if (!shape) {
		*why = "unknown message type";
		return -EOPNOTSUPP;
	}

	p->attrs = nlmsg_attrdata(nlh, hdrlen);
	p->attrlen = nlmsg_attrlen(nlh, hdrlen);
	ret = proto_attrs_check(p->attrs, p->attrlen, shape, request, why);
	if (ret)
		return ret;
	if (nlmsg_parse(nlh, hdrlen, p->tb, PROTO_A_MAX, proto_policy) < 0) {
		*why = "malformed or oversized attribute";
		return -EINVAL;
	}
	p->type = nlh->nlmsg_type;
	p->seq = nlh->nlmsg_seq;
	return 0;
}

/**
 * proto_parse_nested() - validate and parse a nested attribute
 * @tb:		filled with the inner attributes
 * @maxtype:	PROTO_A_MAX, or PROTO_FD_MAX inside PROTO_A_FDS
 * @nla:	the nested attribute
 * @why:	set to a reason on failure
 *
 * Return: 0 or -EINVAL.
 */
int proto_parse_nested(struct nlattr *tb[], int maxtype,
		       const struct nlattr *nla, const char **why)
{
	const struct nla_policy *policy =
		maxtype == PROTO_FD_MAX ? proto_fd_policy : proto_policy;

	if (nla_parse_nested(tb, maxtype, (struct nlattr *)nla,
			     (struct nla_policy *)policy) < 0) {
		*why = "malformed nested attribute";
		return -EINVAL;
	}
	for (int t = 1; t <= maxtype; t++)
		if (tb[t] && policy[t].type == NLA_STRING &&
		    !proto_string_exact(tb[t])) {
			*why = "string attribute is not one NUL-terminated string";
			return -EINVAL;
		}
	return 0;
}

/**
 * proto_send() - send one message, with fds if any
 * @sock:	connected SOCK_SEQPACKET socket
 * @msg:	the message
 * @fds:	fds to pass with SCM_RIGHTS, or NULL
 * @nfds:	how many, at most PROTO_FDS_MAX
 *
 * Return: 0 or -errno.
 */
int proto_send(int sock, struct nl_msg *msg, const int *fds, size_t nfds)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	return proto_send_bytes(sock, nlh, nlh->nlmsg_len, fds, nfds);
}

/**
 * proto_send_bytes() - send one datagram of @len bytes, with fds if any
 * @sock:	connected socket
 * @buf:	the bytes
 * @len:	how many (all are sent, or it is an error)
 * @fds:	fds to pass with SCM_RIGHTS, or NULL
 * @nfds:	how many, at most PROTO_FDS_MAX
 *
 * Never waits (a peer that does not read is not waited for) and never
 * raises SIGPIPE. Also tapd-bridge-helper's one byte and fd to QEMU.
 *
 * Return: 0 or -errno.
 */
int proto_send_bytes(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > PROTO_FDS_MAX)
		return -E2BIG;
	if (nfds) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EMSGSIZE;
	return 0;
}

/**
 * proto_close_fds() - close received fds
 * @fds:	the fds
 * @nfds:	how many
 */
void proto_close_fds(int *fds, size_t nfds)
{
	for (size_t i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/**
 * proto_recv_all() - receive one datagram and every fd that came with it
 * @sock:	connected SOCK_SEQPACKET socket
 * @buf:	buffer, aligned for struct nlmsghdr
 * @size:	its size: PROTO_REQUEST_MAX or PROTO_REPLY_MAX
 * @fds:	array of PROTO_RECV_FDS_MAX, filled with received fds
 *		(close-on-exec)
 * @nfds:	set to how many fds arrived
 *
 * Room for as many fds as one message can carry (SCM_MAX_FD), so that the
 * kernel never closes any itself, in this process, on the way: tapd must
 * choose where what a client sent is closed (release.c). Control messages
 * are checked field by field; anything but SCM_RIGHTS is an error. Every fd
 * that arrived is the caller's, whatever the return.
 *
 * Return: bytes received, 0 at end of stream, -EMSGSIZE for a datagram larger
 * than @size, -ENOBUFS when control data was cut (fds may have been lost),
 * -EBADMSG for an unexpected control message, or another -errno.
 */
ssize_t proto_recv_all(int sock, void *buf, size_t size, int *fds, size_t *nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * PROTO_RECV_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	bool bad = false;
	ssize_t n;

	*nfds = 0;
	n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return -errno;

	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t len, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0)) {
			bad = true;
			continue;
		}
		len = c->cmsg_len - CMSG_LEN(0);
		if (len % sizeof(int))
			bad = true;
		for (k = 0; k + sizeof(int) <= len && *nfds < PROTO_RECV_FDS_MAX; k += sizeof(int))
			memcpy(&fds[(*nfds)++], CMSG_DATA(c) + k, sizeof(int));
	}

	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (mh.msg_flags & MSG_CTRUNC)
		return -ENOBUFS;
	if (bad)
		return -EBADMSG;
	return n;
}

/**
 * proto_recv() - receive one datagram and the fds a reply may carry
 * @sock:	connected SOCK_SEQPACKET socket
 * @buf:	buffer, aligned for struct nlmsghdr
 * @size:	its size: PROTO_REQUEST_MAX or PROTO_REPLY_MAX
 * @fds:	array of PROTO_FDS_MAX, filled with received fds (close-on-exec)
 * @nfds:	set to how many fds arrived
 *
 * proto_recv_all() for clients: more than PROTO_FDS_MAX fds is -ENOBUFS. On
 * an error return no fd is left open. On success the caller owns the fds.
 *
 * Return: as proto_recv_all().
 */
ssize_t proto_recv(int sock, void *buf, size_t size, int *fds, size_t *nfds)
{
	int all[PROTO_RECV_FDS_MAX];
	size_t n_all;
	ssize_t n = proto_recv_all(sock, buf, size, all, &n_all);

	*nfds = 0;
	if (n >= 0 && n_all > PROTO_FDS_MAX)
		n = -ENOBUFS;
	if (n < 0) {
		proto_close_fds(all, n_all);
		return n;
	}
	memcpy(fds, all, n_all * sizeof(int));
	*nfds = n_all;
	return n;
}
