// SPDX-License-Identifier: GPL-2.0-or-later
/* back.c - the front's way to ask the back (tapd/priv/) for its verbs
 *
 * A CREATE is answered before the front goes on: the back's work for it is
 * a few system calls. Deletions are not waited for: the kernel takes tens
 * of milliseconds to delete a link (RCU grace periods), and the back does
 * them on threads of their own, so that neither half stops serving
 * meanwhile; their answers come when they come, to back_read() or while a
 * CREATE's answer is awaited, and go to the function back_on_deleted()
 * set. A back that closes its end, or answers what was not asked, is gone
 * for good: every later call fails with -EPIPE, and the front exits. A back
 * that is slow is waited for, as long as it lives: its work waits on the
 * kernel's rtnl lock, which anyone who makes or deletes links holds in turn
 * (a user in a network namespace of their own too), and under such a load
 * a CREATE can take seconds. Giving up then would end tapd for every user;
 * a warning every PRIV_REPLY_SLOW_S says why nobody is served meanwhile.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "back.h"
#include "log.h"
#include "proto.h"

static int back_sock = -1;
static unsigned int back_pending;	/* deletions not answered yet */
static void (*back_deleted)(void *arg, uint32_t verb, int ifindex, int err);
static void *back_deleted_arg;

static const char *const back_whys[PRIV_WHY_MAX] = {
	[PRIV_WHY_NONE] = "cannot create a tap",
	[PRIV_WHY_BRIDGE] = "the bridge is gone",
	[PRIV_WHY_TAP] = "cannot create a tap",
	[PRIV_WHY_TAP_JOINED] = "cannot create a tap: others kept attaching queues to it; try again",
	[PRIV_WHY_RANDOM] = "no random bytes for a MAC",
	[PRIV_WHY_TAP_SETUP] = "cannot set up the tap",
	[PRIV_WHY_PORT] = "cannot make the tap's port",
	[PRIV_WHY_PORT_IFB] = "cannot make the tap's port: the kernel has no ifb (CONFIG_IFB)",
	[PRIV_WHY_PORT_FLAGS] = "cannot set the port's flags",
	[PRIV_WHY_NO_FLAG] = "one of the bridge port flags",
	[PRIV_WHY_VLAN] = "cannot set the port's VLAN",
	[PRIV_WHY_VLAN1] = "cannot take the default VLAN off the port",
	[PRIV_WHY_FDB] = "cannot add the static FDB entry for the pinned MAC",
	[PRIV_WHY_JOIN] = "cannot join the tap to its port (tc clsact, u32, mirred)",
	[PRIV_WHY_UP] = "cannot bring the tap's port up",
	[PRIV_WHY_NOT_BRIDGE] = "not a bridge",
	[PRIV_WHY_OVSDB] = "cannot reach Open vSwitch's database",
	[PRIV_WHY_OVS] = "cannot add the tap's port to the Open vSwitch bridge",
	[PRIV_WHY_OVS_APPLY] = "Open vSwitch did not apply the tap's port in time (is ovs-vswitchd running?)",
	[PRIV_WHY_OVS_OPT] = "an option Open vSwitch cannot give",
};

/* What the back could not do, in words (its answer's @why). */
const char *back_why(unsigned int why)
{
	return why < PRIV_WHY_MAX && back_whys[why] ? back_whys[why] : back_whys[PRIV_WHY_NONE];
}

int back_fd(void)
{
	return back_sock;
}

/* The back is gone, or said what it should not: never ask it again. */
static int back_lost(void)
{
	if (back_sock >= 0)
		close(back_sock);
	back_sock = -1;
	return -EPIPE;
}

/*
 * One answer of the back's, fds beside it into @fds (at most @max), without
 * waiting. Return: 0, -EAGAIN when none has come, or -EPIPE.
 */
static int back_take(struct priv_reply *rep, int *fds, size_t max)
{
	union {
		char buf[CMSG_SPACE(PROTO_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof(*rep) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	int got[PROTO_FDS_MAX];
	struct cmsghdr *cm;
	size_t n = 0;
	ssize_t len;

	len = recvmsg(back_sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (len < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			if (k > PROTO_FDS_MAX - n)	/* cannot be: the buffer holds no more */
				k = PROTO_FDS_MAX - n;
			memcpy(got + n, CMSG_DATA(cm), k * sizeof(int));
			n += k;
		}
	}
	if (len != (ssize_t)sizeof(*rep) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    rep->nfds != n || n > max) {
		proto_close_fds(got, n);
		return back_lost();
	}
	if (n && fds)
		memcpy(fds, got, n * sizeof(int));
	return 0;
}

/* A deletion's answer: to back_on_deleted()'s function. Else the back is lost. */
static int back_dispatch(const struct priv_reply *rep)
{
	if ((rep->verb != PRIV_DELETE_TAP && rep->verb != PRIV_DELETE_PORT) || !back_pending ||
	    rep->nfds)
		return back_lost();
	back_pending--;
	if (back_deleted)
		back_deleted(back_deleted_arg, rep->verb, rep->ifindex, rep->err);
	return 0;
}

/*
 * The answer to @verb, fds beside it into @fds (at most @max); deletions'
 * answers that come first are dispatched on the way.
 */
static int back_recv(uint32_t verb, struct priv_reply *rep, int *fds, size_t max)
{
	struct pollfd p = { .fd = back_sock, .events = POLLIN };
	unsigned int waited = 0;

	for (;;) {
		int ret = poll(&p, 1, PRIV_REPLY_SLOW_S * 1000);

		if (ret == 0) {
			waited += PRIV_REPLY_SLOW_S;
			log_warn("tapd's privileged half has not answered for %u s: the kernel is slow to do what it asked (its rtnl lock busy?); still waiting",
				 waited);
			continue;
		}
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret != 1)
			return back_lost();
		ret = back_take(rep, fds, max);
		if (ret == -EAGAIN)
			continue;
		if (ret)
			return ret;
		if (rep->verb == verb)
			return 0;
		proto_close_fds(fds, rep->nfds);
		if ((ret = back_dispatch(rep)))
			return ret;
	}
}

/* Send one request. Return: 0, or -EPIPE (the back is gone, or now lost). */
static int back_send(const void *req, size_t len)
{
	if (back_sock < 0)
		return -EPIPE;
	if (send(back_sock, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return back_lost();
	return 0;
}

/* Send one request and take its answer. */
static int back_call(const void *req, size_t len, uint32_t verb, struct priv_reply *rep,
		     int *fds, size_t max)
{
	int ret = back_send(req, len);

	return ret ? ret : back_recv(verb, rep, fds, max);
}

/**
 * back_read() - take in the deletions' answers that have come
 *
 * With none awaited nothing is read (a system call each time the front
 * wakes, for nothing): anything the back sent then was not asked for, and
 * is found out when one is.
 *
 * Return: 0, or -EPIPE when the back is gone or said what was not asked.
 */
int back_read(void)
{
	if (back_sock < 0)
		return -EPIPE;
	while (back_pending) {
		struct priv_reply rep;
		int ret = back_take(&rep, NULL, 0);

		if (ret == -EAGAIN)
			return 0;
		if (ret || (ret = back_dispatch(&rep)))
			return ret;	/* back_take() lost it: -EPIPE */
	}
	return 0;
}

/**
 * back_on_deleted() - where deletions' answers go
 * @fn:		called with the verb, the ifindex asked about, and 0 or -errno
 * @arg:	its first argument
 */
void back_on_deleted(void (*fn)(void *arg, uint32_t verb, int ifindex, int err), void *arg)
{
	back_deleted = fn;
	back_deleted_arg = arg;
}

/**
 * back_start() - fork the back (before either half drops privileges)
 * @uid:	the user both become when started as root
 * @gid:	its group
 * @ovsdb:	Open vSwitch's database socket (--ovsdb)
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0 or -errno.
 */
int back_start(uid_t uid, gid_t gid, const char *ovsdb, char *err, size_t errlen)
{
	pid_t pid;

	return priv_spawn(uid, gid, ovsdb, &back_sock, &pid, err, errlen);
}

/**
 * back_ready() - wait for the back's hello: privileges dropped, filter on
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0, -ECANCELED when the back stopped and logged why, or -errno.
 */
int back_ready(char *err, size_t errlen)
{
	struct priv_reply hello;
	int ret = back_recv(PRIV_HELLO, &hello, NULL, 0);

	if (ret) {
		snprintf(err, errlen, "tapd's privileged half did not start: %s",
			 strerror(-ret));
		return ret;
	}
	return hello.err ? -ECANCELED : 0;	/* it said why itself */
}

/**
 * back_create() - PRIV_CREATE
 * @req:	the request
 * @rep:	the answer: on failure @rep->why says what failed
 * @fds:	set to @rep->nfds fds: the queues, then the vhost-net fds
 *
 * Return: 0 or -errno (-EPIPE: the back is gone).
 */
int back_create(const struct priv_create *req, struct priv_reply *rep, int *fds)
{
	int ret = back_call(req, sizeof(*req), PRIV_CREATE, rep, fds, PROTO_FDS_MAX);

	if (ret)
		rep->why = PRIV_WHY_NONE;
	return ret ? ret : rep->err;
}

/* Ask, and do not wait: the answer goes to back_on_deleted()'s function. */
static int back_delete(uint32_t verb, int ifindex)
{
	struct priv_delete req = { .verb = verb, .ifindex = ifindex };
	int ret = back_send(&req, sizeof(req));

	if (!ret)
		back_pending++;
	return ret;
}

/* A tap of tapd's that is abandoned or has lost its port. Return: 0 (asked) or -EPIPE. */
int back_delete_tap(int ifindex)
{
	return back_delete(PRIV_DELETE_TAP, ifindex);
}

/* A port of tapd's whose tap is gone. Return: 0 (asked) or -EPIPE. */
int back_delete_port(int ifindex)
{
	return back_delete(PRIV_DELETE_PORT, ifindex);
}
