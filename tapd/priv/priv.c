// SPDX-License-Identifier: GPL-2.0-or-later
/* priv.c - tapd's back: the one process that holds CAP_NET_ADMIN
 *
 * Theory of operation. tapd is two processes. The front (the files in tapd/) has no
 * capability: it speaks to clients, parses their bytes, applies the policy,
 * keeps the books and logs. The back (this folder, and the code both run
 * in tapd/shared/: reading links, the aliases, dropping privileges,
 * installing an allow-list, logging) is forked from it before
 * either drops privileges, keeps CAP_NET_ADMIN alone, closes every fd but
 * stdio and its end of a SOCK_SEQPACKET pair, and installs its own seccomp
 * allow-list (filter.c). Then it answers the front, one request at a time,
 * with these verbs (priv.h), each a fixed struct taken only at its exact
 * size, every field checked before anything is done:
 *
 *	PRIV_CREATE	a tap owned by a uid, with 1 to PROTO_QUEUES_MAX queues
 *			(and vhost-net fds), configured and up, and its port on
 *			a bridge given by ifindex, with the options given.
 *			Needs the capability for TUNSETIFF and TUNSETOWNER, and
 *			for the RTM_NEWLINK, RTM_SETLINK, RTM_NEWNEIGH,
 *			RTM_NEWQDISC and RTM_NEWTFILTER requests of kernel.c
 *			and port.c (the master's kind is a row of port.c's
 *			port_kinds[]: a Linux bridge, or an Open vSwitch
 *			bridge, whose Port records it writes over ovsdb.c's
 *			connection to ovsdb-server).
 *	PRIV_DELETE_TAP	a tap whose alias is tapd's, if it is persistent with no
 *			queue attached (made so and let go), or its port is
 *			gone. RTM_DELLINK needs the capability.
 *	PRIV_DELETE_PORT a port whose alias is tapd's, if its tap is gone.
 *
 * Deletions are done by threads of their own (PRIV_DELETERS), each with its
 * own rtnetlink socket, and answered when done: the kernel takes tens of
 * milliseconds to delete a link (RCU grace periods), and a CREATE is not
 * kept waiting for that. The threads share nothing but the socket to the
 * front, on which each sends whole datagrams, and the pipe the deleters
 * take their work from.
 *
 * The back never sees a client's bytes, a bridge's name, the policy or the
 * user database: names it uses are ones it made (tapdXXXXXXXX), the label
 * is a fixed field checked against the label charset, and the bridge is an
 * ifindex it checks is a bridge. The front, were it taken over, could make
 * taps on any bridge with any options, and delete tapd's taps and ports
 * that are abandoned or cut off anyway: nothing else (docs/security.md).
 *
 * When the front goes (its socket closes), the back exits; when the back
 * goes, the front exits. Taps made stay valid: their fds are the clients'.
 */

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "alias.h"
#include "caps.h"
#include "filter.h"
#include "kernel.h"
#include "log.h"
#include "ovsdb.h"
#include "port.h"
#include "priv.h"
#include "tun.h"
#include "util.h"

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS	83	/* Linux 6.16: 0 refuses SCM_RIGHTS */
#endif

#define PRIV_TAP_TRIES	16

union priv_req {
	uint32_t verb;
	struct priv_create create;
	struct priv_delete del;
};

/* One reply, and @n fds beside it. */
static int priv_send(int sock, const struct priv_reply *r, const int *fds, size_t n)
{
	union {
		char buf[CMSG_SPACE(PROTO_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (n) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof(*r) ? 0 : -errno;
}

/* Every field of a PRIV_CREATE, before anything acts on it. */
static int priv_create_valid(const struct priv_create *c)
{
	const struct priv_port *p = &c->port;

	if (c->pid <= 0 || c->bridge <= 0 || c->queues < 1 || c->queues > PROTO_QUEUES_MAX ||
	    c->vhost > 1 || p->vid > 4094)
		return -EINVAL;
	for (int o = 0; o < PORTOPT_MAX; o++)
		if (p->opt[o] > 1)
			return -EINVAL;
	if (p->opt[PORTOPT_PINNED] && !names_mac_unicast(p->mac))
		return -EINVAL;
	if (!memchr(c->label, '\0', sizeof(c->label)) ||
	    (c->label[0] && !names_label_valid(c->label)))
		return -EINVAL;
	return 0;
}

/*
 * A new tap owned by @owner with @queues queues, and no queue of anyone
 * else's. A multiqueue tap has no owner between TUNSETIFF and TUNSETOWNER,
 * and the kernel lets anyone attach a queue to an ownerless one (its name is
 * in the link notifications every process may read): so once the owner is
 * set and our queues are attached, the kernel's count must be exactly ours.
 * A tap someone joined (or, through a queue held for a moment, gave a group
 * or made persistent) is deleted, the intruder's queue going dead with it,
 * and another is made. A single-queue tap cannot be joined while its one
 * queue is attached.
 */
static int priv_new_tap(struct nl_sock *sk, const struct priv_create *c, struct priv_reply *r,
			int *fds)
{
	for (int i = 0; i < PRIV_TAP_TRIES; i++) {
		struct netlink_link t;
		int ret = tun_create(c->owner, c->queues, r->ifname, fds);

		if (ret)
			return ret;
		r->nfds = c->queues;
		if (c->queues == 1) {
			ret = netlink_ifindex(sk, r->ifname);
			r->ifindex = ret > 0 ? ret : 0;
			return ret > 0 ? 0 : ret;
		}
		ret = netlink_link_get(sk, 0, r->ifname, &t);
		if (ret)
			return ret;
		r->ifindex = t.ifindex;
		if (t.tun_seen && t.attached == c->queues && !t.disabled && !t.persist &&
		    t.owner == (int64_t)c->owner && t.group == -1)
			return 0;
		log_warn("tap=%s uid=%u: %u queues attached and %u detached where tapd attached %u, persist=%d group=%lld: someone joined it before its owner was set; deleted",
			 r->ifname, c->uid, t.attached, t.disabled, c->queues, t.persist,
			 (long long)t.group);
		kernel_delete(sk, t.ifindex);
		proto_close_fds(fds, r->nfds);
		r->nfds = 0;
	}
	return -EAGAIN;
}

/*
 * Linux bridges checked before, by ifindex. A link's kind never changes and
 * the kernel does not give an ifindex out again (it counts up), so a bridge
 * whose name still resolves to its ifindex (SIOCGIFINDEX, after its MTU is
 * read: SIOCGIFMTU) is the same bridge, and no dump is needed: the kernel
 * walks every link of the host for one (at 1,000 taps it was 8% of the
 * back's CPU, on every request). A bridge renamed or gone is asked about
 * again. Open vSwitch bridges are not kept: ovsdb.c asks the database each
 * time.
 */
#define PRIV_BRIDGES_KNOWN	16
static struct netlink_link priv_bridges[PRIV_BRIDGES_KNOWN];
static size_t priv_nbridges, priv_bridge_next;

static bool priv_bridge_known(struct nl_sock *sk, int ifindex, struct netlink_link *l)
{
	for (size_t i = 0; i < priv_nbridges; i++) {
		int mtu;

		if (priv_bridges[i].ifindex != ifindex)
			continue;
		mtu = netlink_mtu(sk, priv_bridges[i].name);
		if (mtu <= 0 || netlink_ifindex(sk, priv_bridges[i].name) != ifindex)
			return false;
		*l = priv_bridges[i];
		l->mtu = (unsigned int)mtu;
		return true;
	}
	return false;
}

static void priv_bridge_remember(const struct netlink_link *l)
{
	size_t i;

	for (i = 0; i < priv_nbridges && priv_bridges[i].ifindex != l->ifindex; i++)
		;
	if (i == priv_nbridges) {
		if (priv_nbridges < PRIV_BRIDGES_KNOWN)
			priv_nbridges++;
		else
			i = priv_bridge_next++ % PRIV_BRIDGES_KNOWN;
	}
	priv_bridges[i] = *l;
}

/* PRIV_CREATE. Return: 0 or -errno (@r->why set); @fds hold @r->nfds. */
static int priv_create(struct nl_sock *sk, const struct priv_create *c, struct priv_reply *r,
		       int *fds)
{
	struct alias_tap a = { .uid = c->uid, .pid = (unsigned int)c->pid, .since = c->since };
	enum priv_why why = PRIV_WHY_PORT;
	char alias[ALIAS_MAX];
	const struct port_kind *kind = NULL;
	struct port_master br;
	uint8_t port_mac[6];
	int ret;

	r->why = PRIV_WHY_BRIDGE;
	ret = priv_create_valid(c);
	if (ret)
		return ret;
	/*
	 * A Linux bridge known already, or without an RTM_GETLINK
	 * (netlink_bridge_get()); else whatever it is.
	 */
	memset(&br, 0, sizeof(br));
	ret = priv_bridge_known(sk, c->bridge, &br.link) ? 0 :
	      netlink_bridge_get(sk, c->bridge, NULL, &br.link);
	if (ret == -ENODEV)
		ret = netlink_link_get(sk, c->bridge, NULL, &br.link);
	if (ret)
		return ret;
	ret = port_kind_find(&br, &kind);
	if (ret) {
		r->why = ret == -EMEDIUMTYPE ? PRIV_WHY_NOT_BRIDGE : PRIV_WHY_OVSDB;
		return ret;
	}
	if (!strcmp(br.link.kind, "bridge"))
		priv_bridge_remember(&br.link);
	r->mtu = br.link.mtu;

	r->why = PRIV_WHY_TAP;
	ret = priv_new_tap(sk, c, r, fds);
	if (ret == -EAGAIN)
		r->why = PRIV_WHY_TAP_JOINED;
	if (ret)
		return ret;
	/* One vhost-net fd per queue, or none: QEMU may try on its own. */
	for (unsigned int q = 0; c->vhost && q < c->queues; q++) {
		fds[r->nfds] = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
		if (fds[r->nfds] < 0) {
			r->vhost_err = -errno;
			proto_close_fds(fds + c->queues, r->nfds - c->queues);
			r->nfds = c->queues;
			break;
		}
		r->nfds++;
	}
	r->why = PRIV_WHY_RANDOM;
	if (getrandom(r->mac + 1, 5, 0) != 5 || getrandom(port_mac + 1, 5, 0) != 5)
		return -EAGAIN;
	r->mac[0] = port_mac[0] = 0xfe;	/* local, unicast; high, so the bridge keeps its own */

	r->why = PRIV_WHY_TAP_SETUP;
	memcpy(a.label, c->label, sizeof(a.label));
	ret = alias_tap_format(alias, sizeof(alias), &a);
	if (!ret)
		ret = kernel_configure(sk, r->ifindex, r->mac, r->mtu, 0, alias);
	if (ret)
		return ret;
	/*
	 * The tap is never a bridge port: tapd's own port is, joined to it by
	 * tc, set up as the policy says before it is up. port_create() brings
	 * the tap up too, once the tc is in place.
	 */
	ret = port_create(sk, kind, r->ifindex, r->ifname, &br, port_mac, &c->port, &why, &r->opt);
	r->why = ret ? why : PRIV_WHY_NONE;
	return ret;
}

/* PRIV_DELETE_TAP: a tap of tapd's, abandoned or cut off from its port. */
static int priv_delete_tap(struct nl_sock *sk, int ifindex)
{
	char port[IFNAMSIZ];
	struct netlink_link l, p;
	struct alias_tap a;
	int ret = netlink_link_get(sk, ifindex, NULL, &l);

	if (ret)
		return ret;
	if (!l.tun_seen || alias_tap_parse(l.alias, &a) || alias_port_name(l.name, port))
		return -EPERM;
	if (!netlink_tun_abandoned(&l) && netlink_link_get(sk, 0, port, &p) != -ENODEV)
		return -EBUSY;
	return kernel_delete(sk, ifindex);
}

/*
 * PRIV_DELETE_PORT: a port of tapd's whose tap is gone. A veth is one too:
 * tapd made its ports of veth pairs before, and a tapd started after an
 * upgrade still removes those of taps that are gone.
 */
static int priv_delete_port(struct nl_sock *sk, int ifindex)
{
	struct netlink_link l, t;
	char ovs[IFNAMSIZ];
	struct alias_tap a;
	int tap, ret = netlink_link_get(sk, ifindex, NULL, &l);

	if (ret)
		return ret;
	if ((strcmp(l.kind, "ifb") && strcmp(l.kind, "veth")) ||
	    alias_port_parse(l.alias, &tap, ovs))
		return -EPERM;
	ret = netlink_link_get(sk, tap, NULL, &t);
	if (!ret && !alias_tap_parse(t.alias, &a))
		return -EBUSY;
	if (ret && ret != -ENODEV)
		return ret;
	/* Its Port first, so that ovs-vswitchd lets go of the device. */
	if (ovs[0] && (ret = ovsdb_port_del(l.name)))
		log_warn("port=%s bridge=%s: cannot remove its Open vSwitch Port (%s): tapd removes it when it next starts",
			 l.name, ovs, strerror(-ret));
	return kernel_delete(sk, ifindex);
}

/*
 * Deletions at once. The kernel spends a link's deletion mostly in
 * rcu_barrier(), after it lets go of the rtnl lock: deletions on as many
 * threads wait together, and one more thread costs the back about 16 KiB.
 * As many as tapd has clients: with 64 clients making and closing taps in
 * a loop, 4 threads kept tapd at a third of the taps per second of 64
 * processes doing the same themselves, and the clients' ports queued for
 * seconds; 64 put it above them (tapd's benchmark, README).
 */
#define PRIV_DELETERS	64

/**
 * struct priv_deleter - a thread that deletes
 * @in:		the read end of the pipe all of them read: struct priv_delete,
 *		one at a time (a read of one is atomic, under PIPE_BUF)
 * @sock:	the front's socket, for the answers
 * @sk:		its own rtnetlink socket
 * @started:	posted once it runs: the system calls a thread makes as it
 *		starts (set_robust_list, rseq) are not on the filter's list
 * @thread:	it
 */
struct priv_deleter {
	int in, sock;
	struct nl_sock *sk;
	sem_t started;
	pthread_t thread;
};

static void *priv_deleter_run(void *arg)
{
	struct priv_deleter *d = arg;
	struct priv_delete del;

	sem_post(&d->started);
	while (read(d->in, &del, sizeof(del)) == (ssize_t)sizeof(del)) {
		struct priv_reply r = { .verb = del.verb, .ifindex = del.ifindex };

		r.err = del.verb == PRIV_DELETE_TAP ? priv_delete_tap(d->sk, del.ifindex) :
						      priv_delete_port(d->sk, del.ifindex);
		if (priv_send(d->sock, &r, NULL, 0))
			break;
	}
	return NULL;
}

/*
 * Start the deleters, and wait until each runs: before the filter, which
 * allows neither a socket nor clone(), nor what a new thread does first.
 * Their few allocations share the main thread's malloc arena: one arena of
 * its own each would cost RSS and save nothing.
 */
static int priv_deleters_start(struct priv_deleter d[PRIV_DELETERS], int sock, int *out)
{
	int p[2], ret;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	*out = p[1];
	mallopt(M_ARENA_MAX, 1);
	for (int i = 0; i < PRIV_DELETERS; i++) {
		d[i].sock = sock;
		d[i].in = p[0];
		ret = netlink_open(&d[i].sk);
		if (ret)
			return ret;
		if (sem_init(&d[i].started, 0, 0))
			return -errno;
		ret = -pthread_create(&d[i].thread, NULL, priv_deleter_run, &d[i]);
		while (!ret && sem_wait(&d[i].started) && errno == EINTR)
			;
		if (ret)
			return ret;
	}
	return 0;
}

/* Did the front close its end? (A SOCK_SEQPACKET read of 0 may be an empty datagram.) */
static bool priv_closed(int sock)
{
	struct pollfd p = { .fd = sock, .events = POLLRDHUP };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

/* Serve the front until it closes its end; deletions go to @deleter. */
static int priv_serve(struct nl_sock *sk, int sock, int deleter)
{
	for (;;) {
		union priv_req req;
		struct priv_reply r = { 0 };
		int fds[PROTO_FDS_MAX];
		struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = ovsdb_fd(), .events = POLLIN } };
		ssize_t n;

		/* ovsdb-server's echo requests are answered while idle too. */
		if (poll(p, p[1].fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].fd >= 0 && p[1].revents)
			ovsdb_pump();
		if (!p[0].revents)
			continue;
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n == 0 && priv_closed(sock))
			return 0;	/* else an empty datagram: refused below */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		r.verb = n >= (ssize_t)sizeof(req.verb) ? req.verb : 0;
		if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
			r.err = -EBADMSG;
		else if (r.verb == PRIV_CREATE && n == sizeof(req.create))
			r.err = priv_create(sk, &req.create, &r, fds);
		else if ((r.verb == PRIV_DELETE_TAP || r.verb == PRIV_DELETE_PORT) &&
			 n == sizeof(req.del)) {
			/* Answered by the deleter, when done. */
			if (write(deleter, &req.del, sizeof(req.del)) != (ssize_t)sizeof(req.del))
				return -EPIPE;
			continue;
		} else {
			r.err = -EBADMSG;
		}
		if (r.err) {
			proto_close_fds(fds, r.nfds);
			r.nfds = 0;
		}
		n = priv_send(sock, &r, fds, r.nfds);
		/* Our copies go at once: the copies in flight keep the tap. */
		proto_close_fds(fds, r.nfds);
		if (n)
			return (int)n;
	}
}

/* The back, from fork() to exit. Return: its exit status. */
static int priv_main(int sock, pid_t front, uid_t uid, gid_t gid, const char *ovsdb)
{
	struct priv_reply hello = { .verb = PRIV_HELLO };
	struct priv_deleter deleters[PRIV_DELETERS];
	struct nl_sock *sk = NULL;
	char err[256];
	int off = 0, to_deleter = -1, ret;

	/* Nothing of the front's: stdio and our socket only. */
	if (sock > 3)
		close_range(3, (unsigned int)sock - 1, 0);
	close_range((unsigned int)sock + 1, ~0U, 0);
	/* Signals are the front's to act on; the back goes when it does. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);

	ret = caps_drop(uid, gid, true, err, sizeof(err));
	if (ret)
		log_err("refusing to run with more privileges than CAP_NET_ADMIN: %s", err);
	if (!ret && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != front))
		ret = -ESRCH;	/* the front is gone already */
	/* As root it opened; as tapd's user it must too, for every tap. */
	if (!ret && (ret = tun_check(err, sizeof(err))))
		log_err("%s", err);
	if (!ret && (ret = netlink_open(&sk)))
		log_err("cannot open rtnetlink: %s", strerror(-ret));
	if (!ret && (ret = priv_deleters_start(deleters, sock, &to_deleter)))
		log_err("cannot start the back's deleting threads: %s", strerror(-ret));
	if (!ret && (ret = ovsdb_init(ovsdb)))
		log_err("--ovsdb: a socket path is at most %d bytes", OVSDB_PATH_MAX);
	/* Ports of tapd's on Open vSwitch bridges whose device went meanwhile. */
	if (!ret) {
		int n = ovsdb_clean(sk);

		if (n == -EACCES || n == -ECONNREFUSED || n == -EPERM)
			log_warn("cannot connect to Open vSwitch's database at %s: %s: Open vSwitch bridges cannot be granted until tapd's user may write to it (tapd.conf(5), OPEN VSWITCH)",
				 ovsdb_path(), strerror(-n));
		else if (n < 0 && n != -ENOENT)
			log_warn("cannot look for stale Open vSwitch ports at %s: %s",
				 ovsdb_path(), strerror(-n));
	}
	/* The front sends no fds; where the kernel can refuse them, it does. */
	setsockopt(sock, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off));
	if (!ret && (ret = filter_apply_back()))
		log_err("cannot install the back's seccomp filter: %s", strerror(-ret));
	hello.err = ret;
	if (priv_send(sock, &hello, NULL, 0) || ret) {
		nl_socket_free(sk);
		return 1;
	}
	ret = priv_serve(sk, sock, to_deleter);
	nl_socket_free(sk);
	if (ret)
		log_err("back: the front's socket failed: %s", strerror(-ret));
	return ret ? 1 : 0;
}

/**
 * priv_spawn() - fork the back, before either half drops privileges
 * @uid:	the user both become when started as root (user_resolve())
 * @gid:	its group
 * @ovsdb:	Open vSwitch's database socket (tapd --ovsdb), or NULL
 * @sock:	set to the front's end of the socket pair
 * @pid:	set to the back's pid
 * @err:	reason for people on failure
 * @errlen:	its size
 *
 * Return: 0 or -errno.
 */
int priv_spawn(uid_t uid, gid_t gid, const char *ovsdb, int *sock, pid_t *pid, char *err,
	       size_t errlen)
{
	pid_t front = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, errlen, "cannot make the socket pair for the back: %s",
			 strerror(errno));
		return -errno;
	}
	fflush(stderr);
	*pid = fork();
	if (*pid < 0) {
		snprintf(err, errlen, "cannot fork the back: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (!*pid) {
		close(sv[0]);
		_exit(priv_main(sv[1], front, uid, gid, ovsdb));
	}
	close(sv[1]);
	*sock = sv[0];
	return 0;
}
