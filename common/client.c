// SPDX-License-Identifier: GPL-2.0-or-later
/* client.c - the client side of the tapd protocol (tapvm, tests) */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "client.h"
#include "util.h"

/* tapd answers at once; this only bounds a wedged or hostile server. */
#define CLIENT_TIMEOUT_MS	30000

/**
 * client_socket_path() - which socket to talk to
 * @option:	--socket, or NULL
 *
 * Return: @option, else $TAPD_SOCKET, else the default.
 */
const char *client_socket_path(const char *option)
{
	const char *env = getenv("TAPD_SOCKET");

	if (option && *option)
		return option;
	if (env && *env)
		return env;
	return PROTO_DEFAULT_SOCKET;
}

/**
 * client_connect() - connect to tapd
 * @path:	socket path
 * @sock:	set to the connected socket
 *
 * Return: 0, -ENAMETOOLONG, or connect()'s -errno (-ENOENT and
 * -ECONNREFUSED mean tapd is not running there).
 */
int client_connect(const char *path, int *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	cleanup_fd int s = -1;
	int n;

	n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return -errno;
	*sock = util_steal_fd(&s);
	return 0;
}

/**
 * client_call() - send a request and wait for its reply
 * @sock:	connected socket
 * @req:	the request
 * @buf:	reply buffer of PROTO_REPLY_MAX bytes
 * @p:		the parsed reply
 * @fds:	received fds, PROTO_FDS_MAX of them; owned by the caller
 * @nfds:	how many arrived
 * @err:	on failure, one line for people
 * @errlen:	its size
 *
 * An error reply from tapd becomes its errno, with tapd's line in @err.
 *
 * Return: 0 or -errno.
 */
static int client_call(int sock, struct nl_msg *req, void *buf,
		       struct proto_parsed *p, int *fds, size_t *nfds,
		       char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	uint32_t seq = nlmsg_hdr(req)->nlmsg_seq;
	const char *why = NULL;
	ssize_t n;
	int ret;

	*nfds = 0;
	ret = proto_send(sock, req, NULL, 0);
	/* tapd may have refused the connection itself, and said why first. */
	if (ret && ret != -EPIPE && ret != -ECONNRESET) {
		snprintf(err, errlen, "cannot send to tapd: %s", strerror(-ret));
		return ret;
	}
	do
		ret = poll(&pfd, 1, CLIENT_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		snprintf(err, errlen, "tapd did not answer within %d s",
			 CLIENT_TIMEOUT_MS / 1000);
		return ret < 0 ? -errno : -ETIMEDOUT;
	}
	n = proto_recv(sock, buf, PROTO_REPLY_MAX, fds, nfds);
	/*
	 * tapd closing with our request unread resets the connection, and the
	 * kernel reports that before the reply already queued: read it next.
	 */
	if (n == -ECONNRESET)
		n = proto_recv(sock, buf, PROTO_REPLY_MAX, fds, nfds);
	if (n <= 0) {
		snprintf(err, errlen, "tapd closed the connection without an answer%s%s",
			 n < 0 ? ": " : "", n < 0 ? strerror((int)-n) : "");
		return n < 0 ? (int)n : -ECONNRESET;
	}
	ret = proto_parse(buf, (size_t)n, false, p, &why);
	/* An error with seq 0 answers the connection, not one request. */
	if (!ret && p->seq != seq && !(p->type == PROTO_MSG_ERROR && p->seq == 0)) {
		why = "reply does not match the request";
		ret = -EPROTO;
	}
	if (ret) {
		proto_close_fds(fds, *nfds);
		*nfds = 0;
		snprintf(err, errlen, "tapd sent a bad reply: %s", why);
		return ret;
	}
	if (p->type == PROTO_MSG_ERROR) {
		uint32_t e = nla_get_u32(p->tb[PROTO_A_ERRNO]);

		proto_close_fds(fds, *nfds);
		*nfds = 0;
		snprintf(err, errlen, "%s", nla_get_string(p->tb[PROTO_A_MESSAGE]));
		return e > 0 && e < 4096 ? -(int)e : -EPROTO;
	}
	return 0;
}

/*
 * The FDS description must be the tap's queues 0..n-1, then no vhost fd or
 * (if asked for) one per queue, 0..n-1, matching the fds that came:
 * anything else is a tapd this client does not understand.
 */
static int client_check_fds(const struct proto_parsed *p, size_t nfds, unsigned int queues,
			    bool vhost, struct client_tap *tap, const char **why)
{
	size_t nq = 0, nv = 0;
	struct nlattr *nla;
	int rem;

	nla_for_each_nested(nla, p->tb[PROTO_A_FDS], rem) {
		bool is_tap = nla_type(nla) == PROTO_FD_TAP;

		if ((!is_tap && nla_type(nla) != PROTO_FD_VHOST) || nla_len(nla) != 4 ||
		    (is_tap && nv) || nla_get_u32(nla) != (is_tap ? nq : nv)) {
			*why = "fd description is not the one expected";
			return -EPROTO;
		}
		*(is_tap ? &nq : &nv) += 1;
	}
	if (nq != queues || (nv && (nv != nq || !vhost)) || nq + nv != nfds) {
		*why = "the number of fds differs from what was asked or described";
		return -EPROTO;
	}
	tap->nqueues = nq;
	tap->nvhost = nv;
	return 0;
}

/**
 * client_request_tap() - ask tapd for a tap on a bridge
 * @sock:	connected socket
 * @rq:		what to ask for
 * @tap:	filled on success; the caller owns tap->fds
 * @err:	on failure, one line for people (tapd's own when it refused)
 * @errlen:	its size
 *
 * Return: 0, tapd's -errno when it refused, or -EPROTO, -ECONNRESET, ...
 */
int client_request_tap(int sock, const struct client_request *rq,
		       struct client_tap *tap, char *err, size_t errlen)
{
	unsigned int queues = rq->queues ? rq->queues : 1;
	static uint32_t seq;
	cleanup_free void *buf = NULL;
	struct proto_parsed p = { 0 };
	struct nl_msg *req;
	const char *why;
	size_t nfds;
	int ret;

	memset(tap, 0, sizeof(*tap));
	ret = proto_new(&req, PROTO_MSG_CREATE, ++seq, PROTO_REQUEST_MAX);
	if (ret)
		goto oom;
	if (nla_put_string(req, PROTO_A_BRIDGE, rq->bridge) ||
	    (rq->label && nla_put_string(req, PROTO_A_LABEL, rq->label)) ||
	    nla_put_u32(req, PROTO_A_QUEUES, queues) ||
	    (rq->vhost && nla_put_u8(req, PROTO_A_VHOST, 1)) ||
	    (rq->guest_mac && nla_put(req, PROTO_A_GUEST_MAC, 6, rq->guest_mac)) ||
	    (rq->vlan && nla_put_u16(req, PROTO_A_VLAN, (uint16_t)rq->vlan))) {
		nlmsg_free(req);
		ret = -ENOMEM;
		goto oom;
	}
	buf = malloc(PROTO_REPLY_MAX);
	if (!buf) {
		nlmsg_free(req);
		ret = -ENOMEM;
		goto oom;
	}
	ret = client_call(sock, req, buf, &p, tap->fds, &nfds, err, errlen);
	nlmsg_free(req);
	if (ret)
		return ret;
	if (p.type != PROTO_MSG_CREATE) {
		why = "reply of another type";
		ret = -EPROTO;
		goto bad;
	}
	ret = client_check_fds(&p, nfds, queues, rq->vhost, tap, &why);
	if (ret)
		goto bad;
	if (rq->vhost && !tap->nvhost)
		tap->vhost_err = p.tb[PROTO_A_VHOST_ERRNO] ?
				 (int)nla_get_u32(p.tb[PROTO_A_VHOST_ERRNO]) : EOPNOTSUPP;
	tap->nfds = nfds;
	snprintf(tap->ifname, sizeof(tap->ifname), "%s",
		 nla_get_string(p.tb[PROTO_A_IFNAME]));
	if (p.tb[PROTO_A_IFINDEX])
		tap->ifindex = nla_get_u32(p.tb[PROTO_A_IFINDEX]);
	if (p.tb[PROTO_A_MTU])
		tap->mtu = nla_get_u32(p.tb[PROTO_A_MTU]);
	if (p.tb[PROTO_A_MAC])
		memcpy(tap->mac, nla_data(p.tb[PROTO_A_MAC]), 6);
	return 0;

bad:
	proto_close_fds(tap->fds, nfds);
	snprintf(err, errlen, "tapd sent a bad reply: %s", why);
	return ret;
oom:
	snprintf(err, errlen, "cannot build a request: %s", strerror(-ret));
	return ret;
}

/**
 * client_create() - ask tapd for a one-queue tap on a bridge
 * @sock:	connected socket
 * @bridge:	the bridge
 * @label:	the VM's name, or NULL
 * @tap:	filled on success; the caller owns tap->fds
 * @err:	on failure, one line for people
 * @errlen:	its size
 *
 * Return: as client_request_tap().
 */
int client_create(int sock, const char *bridge, const char *label,
		  struct client_tap *tap, char *err, size_t errlen)
{
	struct client_request rq = { .bridge = bridge, .label = label, .queues = 1 };

	return client_request_tap(sock, &rq, tap, err, errlen);
}

static int client_list_add(struct client_listing *out, struct nlattr *nla,
			   const char **why)
{
	struct nlattr *tb[PROTO_A_MAX + 1];
	int ret = proto_parse_nested(tb, PROTO_A_MAX, nla, why);

	if (ret)
		return ret;
	if (nla_type(nla) == PROTO_A_GRANT) {
		struct client_grant *g;

		if (!tb[PROTO_A_BRIDGE] || !tb[PROTO_A_MAX_TAPS]) {
			*why = "grant lacks its bridge or quota";
			return -EPROTO;
		}
		g = reallocarray(out->grants, out->ngrants + 1, sizeof(*g));
		if (!g)
			return -ENOMEM;
		out->grants = g;
		g += out->ngrants++;
		snprintf(g->bridge, sizeof(g->bridge), "%s",
			 nla_get_string(tb[PROTO_A_BRIDGE]));
		g->max_taps = nla_get_u32(tb[PROTO_A_MAX_TAPS]);
	} else {
		struct client_tapinfo *t;

		if (!tb[PROTO_A_IFNAME]) {
			*why = "tap lacks its name";
			return -EPROTO;
		}
		t = reallocarray(out->taps, out->ntaps + 1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		out->taps = t;
		t += out->ntaps++;
		memset(t, 0, sizeof(*t));
		snprintf(t->ifname, sizeof(t->ifname), "%s",
			 nla_get_string(tb[PROTO_A_IFNAME]));
		if (tb[PROTO_A_BRIDGE])
			snprintf(t->bridge, sizeof(t->bridge), "%s",
				 nla_get_string(tb[PROTO_A_BRIDGE]));
		if (tb[PROTO_A_LABEL])
			snprintf(t->label, sizeof(t->label), "%s",
				 nla_get_string(tb[PROTO_A_LABEL]));
		if (tb[PROTO_A_IFINDEX])
			t->ifindex = nla_get_u32(tb[PROTO_A_IFINDEX]);
		if (tb[PROTO_A_PID])
			t->pid = nla_get_u32(tb[PROTO_A_PID]);
		if (tb[PROTO_A_SINCE])
			t->since = nla_get_u64(tb[PROTO_A_SINCE]);
	}
	return 0;
}

/**
 * client_list() - ask tapd what the caller may use and has
 * @sock:	connected socket
 * @out:	filled on success; free with client_listing_free()
 * @err:	on failure, one line for people
 * @errlen:	its size
 *
 * Return: 0 or -errno.
 */
int client_list(int sock, struct client_listing *out, char *err, size_t errlen)
{
	static uint32_t seq = 0x10000;
	int fds[PROTO_FDS_MAX];
	const char *why = NULL;
	struct proto_parsed p = { 0 };
	struct nl_msg *req;
	struct nlattr *nla;
	size_t nfds;
	int ret, rem;
	/* Freed at the one way out (clang 14's analyzer ignores cleanup attributes). */
	void *buf = malloc(PROTO_REPLY_MAX);

	memset(out, 0, sizeof(*out));
	if (!buf || proto_new(&req, PROTO_MSG_LIST, ++seq, PROTO_REQUEST_MAX)) {
		snprintf(err, errlen, "cannot build a request: out of memory");
		ret = -ENOMEM;
		goto out;
	}
	ret = client_call(sock, req, buf, &p, fds, &nfds, err, errlen);
	nlmsg_free(req);
	if (ret)
		goto out;
	if (nfds || p.type != PROTO_MSG_LIST) {
		proto_close_fds(fds, nfds);
		snprintf(err, errlen, "tapd sent a bad reply: unexpected type or fds");
		ret = -EPROTO;
		goto out;
	}
	nla_for_each_attr(nla, p.attrs, p.attrlen, rem) {
		ret = client_list_add(out, nla, &why);
		if (ret) {
			client_listing_free(out);
			snprintf(err, errlen, "tapd sent a bad reply: %s",
				 why ? why : strerror(-ret));
			break;
		}
	}
out:
	free(buf);
	return ret;
}

void client_listing_free(struct client_listing *l)
{
	free(l->grants);
	free(l->taps);
	memset(l, 0, sizeof(*l));
}
