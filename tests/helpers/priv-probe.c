// SPDX-License-Identifier: GPL-2.0-or-later
/* priv-probe.c - a front taken over, against tapd's real back
 *
 *   priv-probe UID BRIDGE NOTBRIDGE OTHERLINK
 *
 * Forks the back as tapd does (priv_spawn(), as root: the back becomes UID
 * with CAP_NET_ADMIN alone and its seccomp filter) and sends it what a front
 * under an attacker's control could: datagrams of every wrong size, unknown
 * verbs, fields out of range, fds, a "bridge" that is not one, deletions of
 * links that are not tapd's and of a tap in use. Prints TAP lines; the
 * back must refuse each, stay up, and exit when its socket closes.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "priv.h"

static int sock, failed, n;

static void ok(int cond, const char *what, int got)
{
	printf("%sok %d - %s (got %d)\n", cond ? "" : "not ", ++n, what, got);
	failed |= !cond;
}

/*
 * One datagram to the back (none if @buf is NULL), with @fd beside it if
 * >= 0; its answer's err.
 */
static int call(const void *buf, size_t len, int fd, struct priv_reply *r, int *fds)
{
	union {
		char b[CMSG_SPACE(PROTO_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t got;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.b;
		mh.msg_controllen = CMSG_SPACE(sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (buf && sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	if (poll(&p, 1, 10000) != 1)
		return -ETIMEDOUT;
	iov.iov_base = r;
	iov.iov_len = sizeof(*r);
	mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			      .msg_controllen = sizeof(u.b) };
	got = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (got != sizeof(*r))
		return got == 0 ? -EPIPE : -EPROTO;
	for (cm = CMSG_FIRSTHDR(&mh); cm && fds; cm = CMSG_NXTHDR(&mh, cm))
		memcpy(fds, CMSG_DATA(cm), cm->cmsg_len - CMSG_LEN(0));
	return r->err;
}

/* @expr must come to @want. */
#define EXPECT(expr, want, what) do { int r_ = (expr); ok(r_ == (want), what, r_); } while (0)

static int create(struct priv_create *c, struct priv_reply *r, int *fds)
{
	return call(c, sizeof(*c), -1, r, fds);
}

static int del(uint32_t verb, int ifindex)
{
	struct priv_delete d = { .verb = verb, .ifindex = ifindex };
	struct priv_reply r;

	return call(&d, sizeof(d), -1, &r, NULL);
}

int main(int argc, char **argv)
{
	struct priv_create good = { .verb = PRIV_CREATE, .pid = 1, .queues = 1,
				    .port = { .opt = { [PORTOPT_BPDU_GUARD] = 1 } } }, c;
	struct priv_reply r = { 0 }, hello = { 0 };
	char big[4096] = { 0 };
	int fds[PROTO_FDS_MAX] = { 0 }, status, ret;
	pid_t pid;
	uid_t uid;

	if (argc != 5) {
		fprintf(stderr, "usage: priv-probe UID BRIDGE NOTBRIDGE OTHERLINK\n");
		return 2;
	}
	uid = (uid_t)atoi(argv[1]);
	good.owner = good.uid = 65534;
	good.bridge = (int)if_nametoindex(argv[2]);
	if (priv_spawn(uid, uid, NULL, &sock, &pid, big, sizeof(big))) {
		fprintf(stderr, "priv-probe: %s\n", big);
		return 1;
	}
	call(NULL, 0, -1, &hello, NULL);
	ok(hello.verb == PRIV_HELLO && hello.err == 0, "the back says hello", hello.err);

	/* Sizes and verbs. */
	EXPECT(call(big, 0, -1, &r, NULL), -EBADMSG, "an empty datagram is refused");
	EXPECT(call(big, 3, -1, &r, NULL), -EBADMSG, "3 bytes are refused");
	EXPECT(call(big, sizeof(good) - 1, -1, &r, NULL), -EBADMSG, "a create one byte short");
	memcpy(big, &good, sizeof(good));
	EXPECT(call(big, sizeof(good) + 1, -1, &r, NULL), -EBADMSG, "... one byte long");
	EXPECT(call(big, sizeof(big), -1, &r, NULL), -EBADMSG, "... 4096 bytes");
	*(uint32_t *)big = 99;
	EXPECT(call(big, sizeof(struct priv_delete), -1, &r, NULL), -EBADMSG, "an unknown verb");
	*(uint32_t *)big = PRIV_HELLO;
	EXPECT(call(big, sizeof(struct priv_delete), -1, &r, NULL), -EBADMSG, "hello as a request");

	/* Fields out of range: nothing is made. */
#define BAD(field, value, what) do { c = good; c.field; \
	EXPECT(create(&c, &r, fds), -EINVAL, what); } while (0)
	BAD(queues = 0, 0, "0 queues");
	BAD(queues = PROTO_QUEUES_MAX + 1, 0, "one queue too many");
	BAD(pid = 0, 0, "pid 0");
	BAD(bridge = 0, 0, "bridge ifindex 0");
	BAD(bridge = -5, 0, "a negative bridge ifindex");
	BAD(vhost = 2, 0, "vhost 2");
	BAD(port.opt[PORTOPT_ISOLATED] = 2, 0, "a port flag of 2");
	BAD(port.opt[PORTOPT_FLOOD] = 255, 0, "a port flag of 255");
	BAD(port.vid = 4095, 0, "VLAN 4095");
	BAD(port.opt[PORTOPT_PINNED] = 1, 0, "a locked port with no MAC");
	c = good;
	c.port.opt[PORTOPT_PINNED] = 1;
	memcpy(c.port.mac, "\x01\x02\x03\x04\x05\x06", 6);
	EXPECT(create(&c, &r, fds), -EINVAL, "a locked port with a multicast MAC");
	c = good;
	memset(c.label, 'a', sizeof(c.label));
	EXPECT(create(&c, &r, fds), -EINVAL, "a label with no terminating NUL");
	c = good;
	strcpy(c.label, "a b");
	EXPECT(create(&c, &r, fds), -EINVAL, "a label with a space");
	strcpy(c.label, "x\"uid=0");
	EXPECT(create(&c, &r, fds), -EINVAL, "a label that would forge the alias");
	c = good;
	c.bridge = (int)if_nametoindex(argv[3]);
	EXPECT(create(&c, &r, fds), -EMEDIUMTYPE, "a link that is not a bridge");
	c.bridge = 999999;
	EXPECT(create(&c, &r, fds), -ENODEV, "an ifindex that does not exist");

	/* An fd sent to the back is not taken. */
	ret = call(&good, sizeof(good), 0, &r, NULL);
	ok(ret == -EPERM || ret == -EBADMSG, "an fd sent with a request is refused", ret);

	/* A good request works; its tap and port cannot be deleted while used. */
	c = good;
	strcpy(c.label, "probe");
	ret = create(&c, &r, fds);
	ok(ret == 0 && r.nfds == 1, "a valid create gives one fd", ret);
	if (!ret) {
		char port[IFNAMSIZ + 4];
		int p;

		snprintf(port, sizeof(port), "tdp%s", r.ifname + 4);
		p = (int)if_nametoindex(port);
		ok(p > 0, "... and a port", p);
		EXPECT(del(PRIV_DELETE_TAP, r.ifindex), -EBUSY, "a tap in use is not deleted");
		EXPECT(del(PRIV_DELETE_PORT, p), -EBUSY, "nor its port while the tap is there");
		EXPECT(del(PRIV_DELETE_TAP, p), -EPERM, "a port is not a tap");
		EXPECT(del(PRIV_DELETE_PORT, r.ifindex), -EPERM, "a tap is not a port");
		close(fds[0]);
		for (int i = 0; i < 100 && if_nametoindex(r.ifname); i++)
			usleep(30000);
		EXPECT(del(PRIV_DELETE_PORT, p), 0, "the port of a tap that is gone is deleted");
		ok(!if_nametoindex(port), "... and is gone", 0);
	}
	/* Links that are not tapd's. */
	EXPECT(del(PRIV_DELETE_TAP, good.bridge), -EPERM, "the bridge is not deleted as a tap");
	EXPECT(del(PRIV_DELETE_PORT, good.bridge), -EPERM, "... nor as a port");
	EXPECT(del(PRIV_DELETE_TAP, (int)if_nametoindex(argv[4])), -EPERM,
	       "another link is not deleted as a tap");
	EXPECT(del(PRIV_DELETE_PORT, (int)if_nametoindex(argv[4])), -EPERM, "... nor as a port");
	/* The back's own check stays up: kill(0) of a zombie succeeds too. */
	EXPECT(del(PRIV_DELETE_TAP, 1), -EPERM, "lo is not deleted");
	EXPECT(del(PRIV_DELETE_TAP, 999999), -ENODEV, "an ifindex that does not exist");

	/* After all that, still serving; then gone when the front is. */
	ok(waitpid(pid, &status, WNOHANG) == 0, "the back is still up", 0);
	close(sock);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	   "the back exits when the front's socket closes", status);
	printf("1..%d\n", n);
	return failed;
}
