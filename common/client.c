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
#include "wire.h"

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
/* Send @req. A connection tapd refused (it said why first) is no error here. */
static int client_send(int sock, struct nl_msg *req, char *err, size_t errlen)
{
	int ret = proto_send(sock, req, NULL, 0);

	if (ret && ret != -EPIPE && ret != -ECONNRESET) {
		snprintf(err, errlen, "cannot send to tapd: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

/* The answer to the request numbered @seq: the next one on @sock. */
static int client_recv(int sock, uint32_t seq, void *buf, struct proto_parsed *p, int *fds,
		       size_t *nfds, char *err, size_t errlen)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	const char *why = NULL;
	ssize_t n;
	int ret;

	*nfds = 0;
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
		const char *line;

		ret = wire_error_decode(p, &line);
		proto_close_fds(fds, *nfds);
		*nfds = 0;
		snprintf(err, errlen, "%s", line);
		return ret;
	}
	return 0;
}

static int client_call(int sock, struct nl_msg *req, void *buf,
		       struct proto_parsed *p, int *fds, size_t *nfds,
		       char *err, size_t errlen)
{
	int ret = client_send(sock, req, err, errlen);

	*nfds = 0;
	return ret ? ret : client_recv(sock, nlmsg_hdr(req)->nlmsg_seq, buf, p, fds, nfds,
				       err, errlen);
}

/**
 * client_send_create() - send a CREATE, not waiting for its answer
 * @sock:	connected socket
 * @rq:		what to ask for
 * @seq:	set to its number, for client_recv_created()
 * @err:	on failure, one line for people
 * @errlen:	its size
 *
 * tapd answers requests in order: a client may send several (a VM's NICs)
 * before reading the answers, at most 256 on a connection.
 *
 * Return: 0 or -errno.
 */
int client_send_create(int sock, const struct wire_create *rq, uint32_t *seq, char *err,
		       size_t errlen)
{
	static uint32_t next;
	struct nl_msg *req;
	int ret;

	*seq = ++next;
	ret = wire_create_encode(&req, *seq, rq);	/* queues 0: 1, as here */
	if (ret) {
		snprintf(err, errlen, "cannot build a request: %s", strerror(-ret));
		return ret;
	}
	ret = client_send(sock, req, err, errlen);
	nlmsg_free(req);
	return ret;
}

/**
 * client_recv_created() - the answer to a CREATE sent by client_send_create()
 * @sock:	connected socket
 * @rq:		what was asked for
 * @seq:	its number
 * @tap:	filled on success; the caller owns tap->fds
 * @err:	on failure, one line for people (tapd's own when it refused)
 * @errlen:	its size
 *
 * Return: 0, tapd's -errno when it refused, or -EPROTO, -ECONNRESET, ...
 */
int client_recv_created(int sock, const struct wire_create *rq, uint32_t seq,
			struct client_tap *tap, char *err, size_t errlen)
{
	unsigned int queues = rq->queues ? rq->queues : 1;
	cleanup_free void *buf = malloc(PROTO_REPLY_MAX);
	struct proto_parsed p = { 0 };
	struct wire_created r;
	const char *why;
	size_t nfds;
	int ret;

	memset(tap, 0, sizeof(*tap));
	if (!buf) {
		snprintf(err, errlen, "cannot read tapd's answer: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	ret = client_recv(sock, seq, buf, &p, tap->fds, &nfds, err, errlen);
	if (ret)
		return ret;
	if (p.type != PROTO_MSG_CREATE) {
		why = "reply of another type";
		ret = -EPROTO;
		goto bad;
	}
	ret = wire_created_decode(&p, &r, &why);
	if (!ret && (r.nqueues != queues || (r.nvhost && !rq->vhost) ||
		     r.nqueues + r.nvhost != nfds)) {
		why = "the number of fds differs from what was asked or described";
		ret = -EPROTO;
	}
	if (ret)
		goto bad;
	tap->nqueues = r.nqueues;
	tap->nvhost = r.nvhost;
	if (rq->vhost && !tap->nvhost)
		tap->vhost_err = r.vhost_errno ? (int)r.vhost_errno : EOPNOTSUPP;
	tap->nfds = nfds;
	snprintf(tap->ifname, sizeof(tap->ifname), "%s", r.ifname);
	tap->ifindex = r.ifindex;
	tap->mtu = r.mtu;
	memcpy(tap->mac, r.mac, 6);
	return 0;

bad:
	proto_close_fds(tap->fds, nfds);
	snprintf(err, errlen, "tapd sent a bad reply: %s", why);
	return ret;
}

/**
 * client_request_tap() - ask tapd for a tap on a bridge, and wait for it
 * @sock:	connected socket
 * @rq:		what to ask for
 * @tap:	filled on success; the caller owns tap->fds
 * @err:	on failure, one line for people (tapd's own when it refused)
 * @errlen:	its size
 *
 * Return: 0, tapd's -errno when it refused, or -EPROTO, -ECONNRESET, ...
 */
int client_request_tap(int sock, const struct wire_create *rq,
		       struct client_tap *tap, char *err, size_t errlen)
{
	uint32_t seq;
	int ret = client_send_create(sock, rq, &seq, err, errlen);

	if (ret) {
		memset(tap, 0, sizeof(*tap));
		return ret;
	}
	return client_recv_created(sock, rq, seq, tap, err, errlen);
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
	struct wire_create rq = { .bridge = bridge, .label = label, .queues = 1 };

	return client_request_tap(sock, &rq, tap, err, errlen);
}

static int client_list_grant(void *arg, const struct wire_grant *w)
{
	struct client_listing *out = arg;
	struct client_grant *g = reallocarray(out->grants, out->ngrants + 1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	out->grants = g;
	g += out->ngrants++;
	snprintf(g->bridge, sizeof(g->bridge), "%s", w->bridge);
	g->max_taps = w->max_taps;
	return 0;
}

static int client_list_tap(void *arg, const struct wire_tap *w)
{
	struct client_listing *out = arg;
	struct client_tapinfo *t = reallocarray(out->taps, out->ntaps + 1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	out->taps = t;
	t += out->ntaps++;
	memset(t, 0, sizeof(*t));
	snprintf(t->ifname, sizeof(t->ifname), "%s", w->ifname);
	snprintf(t->bridge, sizeof(t->bridge), "%s", w->bridge ? w->bridge : "");
	snprintf(t->label, sizeof(t->label), "%s", w->label ? w->label : "");
	t->ifindex = w->ifindex;
	t->pid = w->pid;
	t->since = w->since;
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
	size_t nfds;
	int ret;
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
	ret = wire_list_decode(&p, client_list_grant, client_list_tap, out, &why);
	if (ret) {
		client_listing_free(out);
		snprintf(err, errlen, "tapd sent a bad reply: %s", why ? why : strerror(-ret));
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
