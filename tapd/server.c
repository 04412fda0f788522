// SPDX-License-Identifier: GPL-2.0-or-later
/* server.c - tapd's request loop: authenticate, validate, decide, create
 *
 * One thread, poll(2) over the listening socket, a signalfd and up to
 * SERVER_CLIENTS_MAX clients. Every request is handled to its end before the
 * next: the work is a few syscalls, and no client can make another wait
 * longer than that. A client that sends nothing for SERVER_CLIENT_IDLE_S is
 * dropped, so idle connections cannot hold all the slots for long.
 *
 * The order of a create request, which must not change:
 *	1. validate the message (proto_parse()) and every value in it;
 *	2. the policy: a bridge not granted gets one refusal, whether or not
 *	   it exists, so nothing about other interfaces leaks;
 *	3. resolve the granted name once to an ifindex; only now may errors
 *	   say "does not exist" or "is not a bridge";
 *	4. create the tap, owned by the client; configure and attach it;
 *	5. send its fd and close tapd's copy. On any failure the fd is closed
 *	   and the non-persistent tap vanishes with it.
 */

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "back.h"
#include "link.h"
#include "log.h"
#include "names.h"
#include "ovsdb.h"
#include "policy.h"
#include "proto.h"
#include "quota.h"
#include "release.h"
#include "subid.h"
#include "server.h"
#include "util.h"
#include "wire.h"

#define SERVER_CLIENTS_MAX	64
#define SERVER_CLIENTS_PER_UID	8	/* so one user cannot take every slot */
#define SERVER_REQUESTS_PER_CONN 256	/* then the client connects again */
#define SERVER_CLIENT_IDLE_S	30
#define SERVER_GROUPS_MAX	65536
#define SERVER_WARNED_MAX	64
#define SERVER_LIST_TAPS	64	/* taps in one list reply, at most */
#define SERVER_FIXED_FDS	4	/* signals, listener, notifications, the back */
#define SERVER_NAME_MAX		33	/* a user or group name in a refusal */
#define SERVER_EXPLAIN_GROUPS	4	/* groups a refusal names, at most */

struct server_client {
	int fd;
	pid_t pid;
	uid_t uid;		/* who it counts as: a subordinate uid's owner */
	uid_t peer_uid;		/* SO_PEERCRED's: the tap's owner */
	gid_t *gids;		/* primary first, then supplementary */
	size_t ngids;
	char user[SERVER_NAME_MAX];	/* the account's name, or "" */
	unsigned int requests;
	time_t deadline;
	bool clean;		/* its close cannot block (release_clean()) */
};

struct server {
	struct server_cfg *cfg;
	struct server_client clients[SERVER_CLIENTS_MAX];
	size_t nclients;
	int warned[SERVER_WARNED_MAX];	/* bridges warned about */
	time_t accept_paused;		/* out of fds: accept again then */
	size_t nwarned;
	void *buf;			/* request buffer */
};

static time_t server_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* SO_PEERGROUPS: the client's supplementary groups, at connect() time. */
static int server_peer_groups(int fd, gid_t primary, gid_t **out, size_t *n)
{
	socklen_t len = 64 * sizeof(gid_t);
	gid_t *g = NULL;

	for (;;) {
		gid_t *ng = realloc(g, sizeof(gid_t) + len);

		if (!ng) {
			free(g);
			return -ENOMEM;
		}
		g = ng;
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g + 1, &len))
			break;
		if (errno != ERANGE || len > SERVER_GROUPS_MAX * sizeof(gid_t)) {
			int e = errno;

			free(g);
			return -e;
		}
	}
	g[0] = primary;
	*out = g;
	*n = 1 + len / sizeof(gid_t);
	return 0;
}

/* A client's connection: closed here if that cannot block, else aside. */
static void server_release_conn(int fd, uid_t uid, bool clean)
{
	if (clean)
		close(fd);
	else
		release_fd(fd, uid);
}

/*
 * One refusal: logged (client strings escaped, at most LOG_BURST a second)
 * and answered with an ERROR reply carrying the same line.
 */
static int server_say_refusal(int fd, uint32_t seq, uid_t uid, pid_t pid, const char *bridge,
			      int err, const char *line)
{
	char esc[2 * PROTO_MESSAGE_MAX], br[2 * IFNAMSIZ + 2];
	struct nl_msg *msg;
	int ret;

	if (log_burst_ok())
		log_info("refuse uid=%u pid=%d bridge=%s errno=%d reason=\"%s\"", uid, pid,
			 log_value(br, sizeof(br), bridge ? bridge : "-"), -err,
			 log_escape(esc, sizeof(esc), line));
	if (proto_error_new(&msg, seq, err, "%s", line))
		return -ENOMEM;
	ret = proto_send(fd, msg, NULL, 0);
	nlmsg_free(msg);
	return ret;
}

/* A refusal before the client has a slot: one error reply, then the close. */
static void server_refuse_conn(int fd, const struct ucred *cred, bool clean, int err,
			       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void server_refuse_conn(int fd, const struct ucred *cred, bool clean, int err,
			       const char *fmt, ...)
{
	char line[PROTO_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	server_say_refusal(fd, 0, cred->uid, cred->pid, NULL, err, line);
	server_release_conn(fd, cred->uid, clean);
}

/* A user or group name as a refusal may quote it: the portable characters. */
static bool server_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-$", *p))
			return false;
	return true;
}

/*
 * The account's own groups beside the connection's: a process can drop its
 * supplementary groups (setgroups() in a user namespace of its own) and
 * must not escape a group rule by it.
 */
static int server_account_groups(uid_t uid, gid_t **gids, size_t *ngids, char *user,
				 size_t userlen)
{
	char buf[16384];
	struct passwd pw, *pwp = NULL;
	gid_t *acct = NULL, *all;
	int n = 64;

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) || !pwp)
		return 0;	/* no account: the connection's groups alone */
	if (strlen(pw.pw_name) < userlen && server_name_ok(pw.pw_name))
		snprintf(user, userlen, "%s", pw.pw_name);
	for (;;) {
		gid_t *a = realloc(acct, (size_t)n * sizeof(gid_t));
		int want = n;

		if (!a) {
			free(acct);
			return -ENOMEM;
		}
		acct = a;
		if (getgrouplist(pw.pw_name, pw.pw_gid, acct, &want) >= 0) {
			n = want;
			break;
		}
		if (want <= n || want > SERVER_GROUPS_MAX) {
			free(acct);
			return -E2BIG;
		}
		n = want;
	}
	all = realloc(*gids, (*ngids + (size_t)n) * sizeof(gid_t));
	if (!all) {
		free(acct);
		return -ENOMEM;
	}
	memcpy(all + *ngids, acct, (size_t)n * sizeof(gid_t));
	*gids = all;
	*ngids += (size_t)n;
	free(acct);
	return 0;
}

/* One waiting connection. Return: whether there was one (taken, or refused). */
static bool server_accept(struct server *s)
{
	struct server_client c = { .fd = -1 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	uid_t peer_uid;
	bool clean;
	int fd, ret;

	if (s->nclients >= SERVER_CLIENTS_MAX)
		return false;	/* the caller checks; a slot past the table is never written */
	fd = accept4(s->cfg->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			/* Neither spin on it nor stop: try again in a second. */
			log_warn("out of file descriptors: not accepting for 1 s");
			s->accept_paused = server_now() + 1;
		} else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
			log_warn("accept failed: %s", strerror(errno));
		}
		return false;
	}
	clean = release_clean(fd);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		log_warn("refused a client: cannot read SO_PEERCRED: %s", strerror(errno));
		release_fd(fd, (uid_t)-1);
		return true;
	}
	/* A subordinate uid is its owner, for every rule, quota and limit. */
	peer_uid = cred.uid;
	cred.uid = subid_uid_owner(s->cfg->policy->subids, cred.uid);
	if (release_busy(cred.uid)) {
		server_refuse_conn(fd, &cred, clean, -EAGAIN,
				   "tapd is still closing file descriptors uid %u sent it: try again later",
				   cred.uid);
		return true;
	}
	for (size_t i = 0, n = 0; i < s->nclients; i++) {
		if (s->clients[i].uid == cred.uid && ++n >= SERVER_CLIENTS_PER_UID) {
			server_refuse_conn(fd, &cred, clean, -EUSERS,
					   "uid %u already has %d connections to tapd: close some",
					   cred.uid, SERVER_CLIENTS_PER_UID);
			return true;
		}
	}
	/*
	 * Filled aside and put in its slot whole: clang's analyzer, which
	 * cannot tell that the caller's loop keeps nclients below the
	 * table's end, saw the groups allocated into a slot it could not place.
	 */
	ret = server_peer_groups(fd, cred.gid, &c.gids, &c.ngids);
	if (!ret)
		ret = server_account_groups(cred.uid, &c.gids, &c.ngids, c.user,
					    sizeof(c.user));
	if (ret) {
		log_warn("refused uid=%u pid=%d: cannot read its groups: %s",
			 cred.uid, cred.pid, strerror(-ret));
		free(c.gids);
		server_release_conn(fd, cred.uid, clean);
		return true;
	}
	c.uid = cred.uid;
	c.peer_uid = peer_uid;
	c.pid = cred.pid;
	c.deadline = server_now() + SERVER_CLIENT_IDLE_S;
	c.clean = clean;
	c.fd = fd;
	s->clients[s->nclients] = c;
	s->nclients++;
	return true;
}

static void server_drop(struct server *s, size_t i)
{
	server_release_conn(s->clients[i].fd, s->clients[i].uid, s->clients[i].clean);
	free(s->clients[i].gids);
	s->clients[i] = s->clients[--s->nclients];
}

/* Send a reply; a client that cannot take it is dropped by the caller. */
static int server_reply(struct server_client *c, struct nl_msg *msg,
			const int *fds, size_t nfds)
{
	int ret = proto_send(c->fd, msg, fds, nfds);

	nlmsg_free(msg);
	return ret;
}

static int __attribute__((format(printf, 5, 6)))
server_refuse(struct server_client *c, uint32_t seq, const char *bridge, int err,
	      const char *fmt, ...)
{
	char line[PROTO_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return server_say_refusal(c->fd, seq, c->uid, c->pid, bridge, err, line);
}

static void server_warn_bridge_mac(struct server *s, const char *name,
				   const struct link_bridge *br)
{
	char v[2 * IFNAMSIZ + 2];

	if (br->mac_set)
		return;
	for (size_t i = 0; i < s->nwarned; i++)
		if (s->warned[i] == br->ifindex)
			return;
	if (s->nwarned < SERVER_WARNED_MAX)
		s->warned[s->nwarned++] = br->ifindex;
	log_value(v, sizeof(v), name);
	log_warn("bridge=%s has no MAC address set explicitly: it will change address as ports come and go; set one (ip link set %s address ...)",
		 v, v);
}

/* A refusal was answered: 1 to stop the request there, or the send error. */
static int server_refused(int sent)
{
	return sent < 0 ? sent : 1;
}

/*
 * The port a grant gives: the policy's options, the guest's MAC where the
 * port is pinned, the VLAN asked for (or the first granted). What the grant
 * or the bridge cannot give is refused here: then 1 (or a send error).
 */
static int server_port(struct server_client *c, uint32_t seq, const char *bridge,
		       const struct policy_port *pol, const struct link_bridge *br,
		       const uint8_t *guest_mac, unsigned int *vid, struct priv_port *port)
{
	bool listed = false;

	memset(port, 0, sizeof(*port));
	for (int o = 0; o < PORTOPT_MAX; o++)
		port->opt[o] = pol->opt[o];
	if (pol->opt[PORTOPT_PINNED] && !guest_mac)
		return server_refused(server_refuse(c, seq, bridge, -EINVAL,
				     "the tapd policy pins the guest's MAC on bridge %s: the request must declare it (tapvm does)",
				     bridge));
	if (guest_mac)
		memcpy(port->mac, guest_mac, 6);
	if (!*vid && pol->nvlans)
		*vid = pol->vlans[0];
	for (size_t i = 0; i < pol->nvlans && !listed; i++)
		listed = pol->vlans[i] == *vid;
	if (*vid && !listed)
		return server_refused(server_refuse(c, seq, bridge, -EACCES,
				     "uid %u may not use VLAN %u on bridge %s: ask the admin (vlan= in the tapd policy)",
				     c->uid, *vid, bridge));
	if (*vid && br->kernel && !br->vlan_filtering)
		return server_refused(server_refuse(c, seq, bridge, -EOPNOTSUPP,
				     "bridge %s does not filter VLANs, so the tapd policy's vlan= cannot be honoured: ask the admin (ip link set %s type bridge vlan_filtering 1)",
				     bridge, bridge));
	port->vid = (uint16_t)*vid;
	return 0;
}

/* The options on, by their names in portopt.c, comma-separated; "-" for none. */
static const char *server_port_log(char *buf, size_t size, const struct priv_port *port)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int o = 0; o < PORTOPT_MAX && n < size; o++)
		if (port->opt[o])
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "",
					      portopt_table[o].log);
	return buf[0] ? buf : "-";
}

/* The back's answer to a create that failed, as a refusal. */
static int server_create_failed(struct server *s, struct server_client *c, uint32_t seq,
				const char *bridge, int err, const struct priv_reply *r)
{
	const char *why = r->why == PRIV_WHY_NO_FLAG && r->opt < PORTOPT_MAX ?
			  portopt_table[r->opt].missing : back_why(r->why);

	switch (r->why) {
	case PRIV_WHY_TAP_JOINED:
	case PRIV_WHY_RANDOM:
		return server_refuse(c, seq, bridge, err, "%s", why);
	case PRIV_WHY_TAP_SETUP:
		return server_refuse(c, seq, bridge, err, "cannot set up tap %s: %s",
				     r->ifname, strerror(-err));
	case PRIV_WHY_NO_FLAG:
		return server_refuse(c, seq, bridge, err,
				     "this kernel does not support %s, which the tapd policy asks for on bridge %s: ask the admin",
				     why, bridge);
	case PRIV_WHY_BRIDGE:
		return server_refuse(c, seq, bridge, err,
				     "bridge %s went away while the tap was made: try again",
				     bridge);
	case PRIV_WHY_NOT_BRIDGE:
		return server_refuse(c, seq, bridge, err,
				     "%s is not a bridge: the tapd policy must name bridges only",
				     bridge);
	case PRIV_WHY_OVSDB:
		return server_refuse(c, seq, bridge, err,
				     "%s is no Linux bridge, and tapd cannot reach Open vSwitch's database at %s to ask whether it is an Open vSwitch bridge (%s): ask the admin to let tapd's user write to that socket (tapd.conf(5), OPEN VSWITCH)",
				     bridge, s->cfg->ovsdb, strerror(-err));
	case PRIV_WHY_OVS_OPT:
		return server_refuse(c, seq, bridge, err,
				     "%s is an Open vSwitch bridge, whose ports cannot have %s%s, which the tapd policy asks for: ask the admin (tapd.conf(5), OPEN VSWITCH)",
				     bridge, r->opt < PORTOPT_MAX ? portopt_table[r->opt].missing : "?",
				     r->opt == PORTOPT_BPDU_GUARD || r->opt == PORTOPT_ROOT_BLOCK ?
				     " while it forwards BPDUs (other_config:forward-bpdu)" : "");
	case PRIV_WHY_OVS:
		if (err == -EEXIST)
			return server_refuse(c, seq, bridge, err,
					     "Open vSwitch has a Port or Interface of the name tapd gave the tap's port on bridge %s, not tapd's: try again, or ask the admin to remove it",
					     bridge);
		return server_refuse(c, seq, bridge, err,
				     "cannot add the tap's port to Open vSwitch bridge %s: %s",
				     bridge, err == -ENXIO ? "ovs-vswitchd could not use it (see its log)" :
				     strerror(-err));
	case PRIV_WHY_OVS_APPLY:
		return server_refuse(c, seq, bridge, err,
				     "Open vSwitch did not apply the tap's port on bridge %s within %d s: is ovs-vswitchd running? Ask the admin",
				     bridge, OVSDB_TIMEOUT_MS / 1000);
	case PRIV_WHY_TAP:
	case PRIV_WHY_NONE:
		return server_refuse(c, seq, bridge, err, "cannot create a tap: %s",
				     strerror(-err));
	}
	if (err == -EXFULL || err == -ENOSPC)
		return server_refuse(c, seq, bridge, err,
				     "bridge %s has no free port: ask the admin", bridge);
	return server_refuse(c, seq, bridge, err, "%s on bridge %s: %s", why, bridge,
			     strerror(-err));
}

/* The fds a reply carries; whatever is left in it is closed on return. */
struct server_fds {
	int fd[PROTO_FDS_MAX];
	size_t n;
};

static void server_fds_close(struct server_fds *f)
{
	proto_close_fds(f->fd, f->n);
	f->n = 0;
}

/*
 * The policy refused: say who asked and what would grant it, so that the
 * user knows whom to ask for what ("user alice (uid 1003) may not use
 * bridge br0: the policy grants it to group kvm, which alice is not in").
 * The policy is root's to read anyway (tapd.conf(5)); names come from NSS.
 */
static int server_refuse_policy(struct server *s, struct server_client *c, uint32_t seq,
				const struct policy_cred *cred, const char *bridge)
{
	char who[SERVER_NAME_MAX + 32], groups[SERVER_EXPLAIN_GROUPS * (SERVER_NAME_MAX + 2)] = "";
	gid_t gids[SERVER_EXPLAIN_GROUPS];
	size_t n;

	if (c->user[0])
		snprintf(who, sizeof(who), "user %s (uid %u)", c->user, c->uid);
	else
		snprintf(who, sizeof(who), "uid %u", c->uid);
	if (policy_explain(s->cfg->policy, cred, bridge, gids, SERVER_EXPLAIN_GROUPS, &n))
		return server_refuse(c, seq, bridge, -EACCES,
				     "%s may not use bridge %s: a deny rule of the tapd policy refuses it",
				     who, bridge);
	if (!n)
		return server_refuse(c, seq, bridge, -EACCES,
				     "%s may not use bridge %s: ask the admin to allow it in the tapd policy",
				     who, bridge);
	for (size_t i = 0; i < n; i++) {
		char buf[4096], name[SERVER_NAME_MAX + 8];
		struct group gr, *res = NULL;

		if (!getgrgid_r(gids[i], &gr, buf, sizeof(buf), &res) && res &&
		    strlen(gr.gr_name) < SERVER_NAME_MAX && server_name_ok(gr.gr_name))
			snprintf(name, sizeof(name), "%s", gr.gr_name);
		else
			snprintf(name, sizeof(name), "#%u", (unsigned int)gids[i]);
		snprintf(groups + strlen(groups), sizeof(groups) - strlen(groups), "%s%s",
			 i ? ", " : "", name);
	}
	return server_refuse(c, seq, bridge, -EACCES,
			     "%s may not use bridge %s: the policy grants it to group%s %s, which %s is %s: ask the admin to add you",
			     who, bridge, n > 1 ? "s" : "", groups, c->user[0] ? c->user : "this user",
			     n > 1 ? "in none of" : "not in");
}

/*
 * Steps 2 and 3 of a create: the policy, the quotas, the bridge, the port
 * the grant gives. Return: 0 to go on, 1 when refused (and answered), or
 * the error sending the refusal.
 */
static int server_decide(struct server *s, struct server_client *c, uint32_t seq,
			 const struct wire_create *rq, struct policy_grant *grant,
			 struct link_bridge *br, unsigned int *vid, struct priv_port *port)
{
	struct policy_cred cred = { c->uid, c->gids, c->ngids };
	const char *bridge = rq->bridge;
	int ret;

	/* 2. The policy, before the bridge is even looked at. */
	if (policy_check(s->cfg->policy, &cred, bridge, grant))
		return server_refused(server_refuse_policy(s, c, seq, &cred, bridge));
	if (rq->queues > grant->max_queues)
		return server_refused(server_refuse(c, seq, bridge, -EPERM,
				     "uid %u may have taps of at most %u queue%s on bridge %s, not %u: ask the admin (queues= in the tapd policy)",
				     c->uid, grant->max_queues, grant->max_queues == 1 ? "" : "s",
				     bridge, rq->queues));

	/* Quotas: counted from the kernel's links, by the alias tapd wrote. */
	if (quota_count(s->cfg->quota, c->uid) >= grant->max_taps)
		return server_refused(server_refuse(c, seq, bridge, -EDQUOT,
				     "uid %u holds %u taps already, the most the tapd policy allows: end a VM first",
				     c->uid, quota_count(s->cfg->quota, c->uid)));
	if (quota_total(s->cfg->quota) >= quota_max(s->cfg->quota))
		return server_refused(server_refuse(c, seq, bridge, -ENOSPC,
				     "tapd's limit of %u taps on this host is reached: ask the admin (tapd --max-taps)",
				     quota_max(s->cfg->quota)));

	/*
	 * 3. Resolve the granted name once; the ifindex from here on. Whether
	 * it filters VLANs (which its admin may switch) is asked afresh when
	 * a VLAN may be given.
	 */
	ret = link_bridge_lookup(s->cfg->link, bridge, *vid || grant->port.nvlans, br);
	if (ret == -ENODEV) {
		char line[PROTO_MESSAGE_MAX];

		names_bridge_missing(bridge, line, sizeof(line));
		return server_refused(server_refuse(c, seq, bridge, ret, "%s", line));
	}
	if (ret == -EMEDIUMTYPE)
		return server_refused(server_refuse(c, seq, bridge, ret,
				     "%s is not a bridge: the tapd policy must name bridges only",
				     bridge));
	if (ret)
		return server_refused(server_refuse(c, seq, bridge, ret, "cannot look up bridge %s: %s",
				     bridge, strerror(-ret)));
	server_warn_bridge_mac(s, bridge, br);

	/* The port the policy says, or no tap at all. */
	return server_port(c, seq, bridge, &grant->port, br, rq->guest_mac, vid, port);
}

static int server_create(struct server *s, struct server_client *c,
			 const struct proto_parsed *p)
{
	struct wire_create rq;
	struct wire_created made = { 0 };
	const char *bridge, *label, *why;
	unsigned int queues, vid;
	struct server_fds f __attribute__((cleanup(server_fds_close))) = { .n = 0 };
	struct priv_create req = { .verb = PRIV_CREATE };
	struct priv_reply r = { 0 };
	char esc[2 * IFNAMSIZ + 2], ports[128];
	struct policy_grant grant;
	struct link_bridge br;
	struct nl_msg *msg;
	int ret;

	/* 1. Every value, before anything acts on it (wire.c). */
	ret = wire_create_decode(p, &rq, &why);
	if (ret)
		return server_refuse(c, p->seq, rq.bridge, ret, "%s", why);
	bridge = rq.bridge;
	label = rq.label;
	queues = rq.queues;
	vid = rq.vlan;

	ret = server_decide(s, c, p->seq, &rq, &grant, &br, &vid, &req.port);
	if (ret)
		return ret < 0 ? ret : 0;

	/* 4. The tap and its port: the back's work, on fixed fields only. */
	req.owner = c->peer_uid;
	req.uid = c->uid;
	req.pid = c->pid;
	req.since = (uint64_t)time(NULL);
	req.bridge = br.ifindex;
	req.queues = queues;
	req.vhost = rq.vhost;
	if (label)
		snprintf(req.label, sizeof(req.label), "%s", label);
	ret = back_create(&req, &r, f.fd);
	f.n = r.nfds;
	if (ret == -EPIPE && back_fd() < 0)
		return server_refuse(c, p->seq, bridge, -EIO,
				     "tapd's privileged half is gone: tapd is restarting, try again");
	if (ret)
		return server_create_failed(s, c, p->seq, bridge, ret, &r);

	/* 5. The reply carries the fds; tapd's copies go when we return. */
	made.bridge = bridge;
	made.label = label;
	made.ifname = r.ifname;
	made.ifindex = (uint32_t)r.ifindex;
	made.mtu = r.mtu;
	memcpy(made.mac, r.mac, 6);
	made.vhost_errno = (uint32_t)-r.vhost_err;
	made.vlan = vid;
	made.nqueues = queues;
	made.nvhost = (unsigned int)f.n - queues;
	ret = wire_created_encode(&msg, p->seq, &made);
	if (ret)
		return ret;
	/* Counted before the notification comes, or not granted at all. */
	ret = quota_set(s->cfg->quota, r.ifindex, c->uid);
	if (ret) {
		nlmsg_free(msg);
		return server_refuse(c, p->seq, bridge, ret, "cannot count the tap for uid %u: %s",
				     c->uid, strerror(-ret));
	}
	ret = server_reply(c, msg, f.fd, f.n);
	/*
	 * tapd's copies go at once: the copies in flight keep the tap alive.
	 * Were tapd's close the last (the client already done with the tap),
	 * the kernel would delete the tap here, waiting for RCU grace periods
	 * (milliseconds) while nobody else is served.
	 */
	server_fds_close(&f);
	if (ret) {
		log_warn("grant undone uid=%u pid=%d bridge=%s tap=%s: cannot send the fd: %s",
			 c->uid, c->pid, log_value(esc, sizeof(esc), bridge), r.ifname, strerror(-ret));
		return ret;
	}
	log_info("grant uid=%u pid=%d bridge=%s tap=%s vm=%s max=%u queues=%u vhost=%s port=%s vlan=%u",
		 c->uid, c->pid, log_value(esc, sizeof(esc), bridge), r.ifname, label ? label : "-",
		 grant.max_taps, queues, !rq.vhost ? "no" : r.vhost_err ? strerror(-r.vhost_err) : "yes",
		 server_port_log(ports, sizeof(ports), &req.port), vid);
	return 0;
}

struct server_list_ctx {
	struct nl_msg *msg;
	int ret;
};

static void server_list_grant(void *arg, const char *bridge, unsigned int max)
{
	struct server_list_ctx *l = arg;
	struct wire_grant g = { bridge, max };

	if (!l->ret)
		l->ret = wire_list_add_grant(l->msg, &g);
}

static int server_list(struct server *s, struct server_client *c,
		       const struct proto_parsed *p)
{
	struct policy_cred cred = { c->uid, c->gids, c->ngids };
	struct server_list_ctx l = { 0 };
	int taps[SERVER_LIST_TAPS];
	size_t n;
	int ret;

	ret = proto_new(&l.msg, PROTO_MSG_LIST, p->seq, PROTO_REPLY_MAX);
	if (ret)
		return ret;
	policy_grants(s->cfg->policy, &cred, server_list_grant, &l);
	/* The user's taps from tapd's own table: no dump of the host's links. */
	n = quota_taps_of(s->cfg->quota, c->uid, taps, ARRAY_SIZE(taps));
	for (size_t i = 0; i < n && !l.ret; i++) {
		struct link_tapinfo t;

		if (!link_tap_get(s->cfg->link, taps[i], &t)) {
			struct wire_tap w = { t.ifname, t.bridge, t.label, t.ifindex, t.pid,
					      t.since };

			l.ret = wire_list_add_tap(l.msg, &w);
		}
	}
	ret = l.ret;
	if (ret) {
		nlmsg_free(l.msg);
		return server_refuse(c, p->seq, NULL, ret, "cannot list: %s", strerror(-ret));
	}
	return server_reply(c, l.msg, NULL, 0);
}

/* Read and answer one datagram. Return: 0 to keep the client, else drop. */
static int server_handle(struct server *s, struct server_client *c)
{
	int fds[PROTO_RECV_FDS_MAX];
	struct proto_parsed p;
	const char *why = "";
	uint32_t seq;
	size_t nfds;
	ssize_t n;
	int ret;

	n = proto_recv_all(c->fd, s->buf, PROTO_REQUEST_MAX, fds, &nfds);
	if (nfds) {
		/*
		 * tapd takes no fd. Closing one may block (a lingering
		 * socket, a FUSE file): aside, never here; and the
		 * connection, whose queue may hold more, goes aside too.
		 */
		for (size_t i = 0; i < nfds; i++)
			release_fd(fds[i], c->uid);
		c->clean = false;
		server_refuse(c, 0, NULL, -EBADMSG, "tapd does not accept file descriptors");
		return -EBADMSG;
	}
	if (n == -EAGAIN || n == -EINTR)
		return 0;
	if (n == 0)
		return -ECONNRESET;
	c->deadline = server_now() + SERVER_CLIENT_IDLE_S;
	/* The request's own seq wherever there is a header to read it from. */
	seq = n >= (ssize_t)NLMSG_HDRLEN ? ((struct nlmsghdr *)s->buf)->nlmsg_seq : 0;
	if (++c->requests > SERVER_REQUESTS_PER_CONN) {
		server_refuse(c, seq, NULL, -ECONNABORTED,
			      "more than %d requests on one connection: connect again",
			      SERVER_REQUESTS_PER_CONN);
		return -ECONNABORTED;
	}
	if (n == -EMSGSIZE)
		return server_refuse(c, 0, NULL, n, "request larger than %d bytes",
				     PROTO_REQUEST_MAX);
	if (n == -ENOBUFS || n == -EBADMSG)
		return server_refuse(c, 0, NULL, -EBADMSG,
				     "request carries control data tapd does not accept");
	if (n < 0)
		return (int)n;
	ret = proto_parse(s->buf, (size_t)n, true, &p, &why);
	if (ret)
		return server_refuse(c, seq, NULL, ret, "bad request: %s", why);
	switch (p.type) {
	case PROTO_MSG_CREATE:
		return server_create(s, c, &p);
	case PROTO_MSG_LIST:
		return server_list(s, c, &p);
	}
	return server_refuse(c, p.seq, NULL, -EOPNOTSUPP, "bad request: unknown type");
}

/* The back exited, or broke the rules of its socket: the front exits too. */
static int server_back_gone(void)
{
	log_err("tapd's privileged half exited: exiting too (the taps made stay; a restart serves again)");
	return -EPIPE;
}

static int server_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* SIGHUP: the new policy, whole, or the old one stays. */
static void server_reload(struct server_cfg *cfg)
{
	char err[POLICY_ERR_MAX];
	struct policy *p;

	if (policy_load(cfg->policy_path, cfg->policy_owner, &p, err, sizeof(err))) {
		log_err("policy reload refused, the old policy stays in force: %s", err);
		return;
	}
	if (policy_load_subids(p, SUBID_UID_PATH, SUBID_GID_PATH, err, sizeof(err))) {
		policy_free(p);
		log_err("policy reload refused, the old policy stays in force: %s", err);
		return;
	}
	policy_free(cfg->policy);
	cfg->policy = p;
	log_info("policy reloaded from %s: %zu rules (running VMs keep their taps)",
		 cfg->policy_path, p->nrules);
}

/* Return: true to go on serving. */
static bool server_signal(struct server_cfg *cfg, int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			server_reload(cfg);
			continue;
		}
		log_info("signal %s: exiting", si.ssi_signo == SIGTERM ? "TERM" : "INT");
		return false;
	}
	return true;
}

/**
 * server_run() - serve until a signal, or idle exit when activated
 * @cfg:	what to serve with
 *
 * Return: 0 on a clean exit, or -errno.
 */
int server_run(struct server_cfg *cfg)
{
	struct server s = { .cfg = cfg };
	struct pollfd pfd[SERVER_FIXED_FDS + SERVER_CLIENTS_MAX];
	time_t idle_since = server_now();
	cleanup_fd int sfd = -1;
	int ret = 0;

	s.buf = malloc(PROTO_REQUEST_MAX);
	sfd = server_signalfd();
	if (!s.buf || sfd < 0) {
		free(s.buf);
		return -ENOMEM;
	}

	for (;;) {
		time_t now = server_now(), next = now + 3600;
		size_t n = s.nclients;
		int timeout;

		if (back_fd() < 0) {	/* it said what it should not (back.c) */
			ret = server_back_gone();
			break;
		}

		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		/* With every slot taken, or no fd left, leave clients in the backlog. */
		pfd[1] = (struct pollfd){ .fd = n < SERVER_CLIENTS_MAX && now >= s.accept_paused ?
					  cfg->listen_fd : -1, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = link_watch_fd(cfg->link), .events = POLLIN };
		/*
		 * The back: its end closing (reported whatever the events), and
		 * the answers to deletions. Those are taken each round while
		 * any is awaited (back_read()); woken for, only while one is awaited
		 * that the log must say (an abandoned tap reaped). A port's
		 * deletion is answered after the kernel's notification of it
		 * has woken the front: waking again for each answer cost the
		 * front a wakeup a tap (tens of microseconds of CPU on a
		 * virtual machine), to log nothing unless it failed (a failure
		 * is logged when the front next wakes). At most one answer a
		 * deleting thread waits unread meanwhile: each earlier one came
		 * before the notification of that thread's next deletion.
		 */
		pfd[3] = (struct pollfd){ .fd = back_fd(),
					  .events = link_reaping(cfg->link) ? POLLIN : 0 };
		if (now < s.accept_paused && s.accept_paused < next)
			next = s.accept_paused;
		for (size_t i = 0; i < n; i++) {
			pfd[SERVER_FIXED_FDS + i] = (struct pollfd){ .fd = s.clients[i].fd,
						      .events = POLLIN };
			if (s.clients[i].deadline < next)
				next = s.clients[i].deadline;
		}
		/*
		 * Idle: no client, and no tap of tapd's on the host. While a
		 * tap exists its port must go when it goes, and a tap made
		 * persistent and let go must be reaped: tapd stays for that.
		 */
		if (cfg->activated && cfg->idle_exit && !n && quota_total(cfg->quota) == 0) {
			if (now - idle_since >= (time_t)cfg->idle_exit) {
				log_info("idle for %u s: exiting (socket activation starts tapd again)",
					 cfg->idle_exit);
				break;
			}
			if (idle_since + (time_t)cfg->idle_exit < next)
				next = idle_since + (time_t)cfg->idle_exit;
		}
		timeout = next > now ? (int)(next - now) * 1000 : 0;

		if (poll(pfd, SERVER_FIXED_FDS + n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if ((pfd[0].revents & POLLIN) && !server_signal(cfg, sfd))
			break;
		if (pfd[3].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			ret = server_back_gone();
			break;
		}
		if (back_read())
			continue;	/* it said what it should not: said at the top */

		/*
		 * Link notifications, when poll() flagged them (POLLERR: the
		 * socket overran, and link_watch_read() rebuilds the counts).
		 * A round woken by a client alone reads them before each of
		 * its requests instead, below.
		 */
		if ((pfd[2].revents & (POLLIN | POLLERR)) && (ret = link_watch_read(cfg->link)))
			log_warn("link notifications: %s", strerror(-ret));
		ret = 0;

		now = server_now();
		/* Walk backwards: server_drop() moves the last client into i. */
		for (size_t i = n; i-- > 0;) {
			struct server_client *c = &s.clients[i];

			if (pfd[SERVER_FIXED_FDS + i].revents & POLLIN) {
				/*
				 * And again before each request: a client that
				 * closed a tap and asks again at once is then
				 * counted without it (the kernel queued the deletion
				 * before close() returned, so before the request was
				 * sent); and a round of many requests, each waiting
				 * on the back, does not hold up the ports of taps
				 * closed meanwhile (their deletion is asked for here).
				 * With nothing queued, this is one recvmsg().
				 */
				if ((ret = link_watch_read(cfg->link)))
					log_warn("link notifications: %s", strerror(-ret));
				ret = 0;
				if (server_handle(&s, c))
					server_drop(&s, i);
			} else if (pfd[SERVER_FIXED_FDS + i].revents & (POLLHUP | POLLERR)) {
				server_drop(&s, i);
			} else if (c->deadline <= now) {
				server_drop(&s, i);
			}
		}
		/*
		 * Every connection waiting, while slots last: clients that
		 * connect together (a batch of VMs starting) are served from
		 * the next round on, not one more each round. At most as many
		 * as there are slots, refused ones too: a user connecting in a
		 * loop does not keep the loop here.
		 */
		for (size_t k = 0; (pfd[1].revents & POLLIN) && k < SERVER_CLIENTS_MAX &&
				   s.nclients < SERVER_CLIENTS_MAX && server_now() >= s.accept_paused; k++)
			if (!server_accept(&s))
				break;
		if (s.nclients)
			idle_since = server_now();
	}

	while (s.nclients)
		server_drop(&s, s.nclients - 1);
	free(s.buf);
	return ret;
}
