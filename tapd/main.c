// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - tapd: hands unprivileged users taps on the bridges they may use
 *
 * Theory of operation, in the order the stages run:
 *
 *	1. --help, --version and --list, before anything else. Then every
 *	   fd tapd was started with is closed, but stdio and systemd's.
 *	2. Read the policy (policy.c): root-owned, read once; a syntax error
 *	   stops tapd, naming file:line. Then /dev/net/tun must open.
 *	3. Get the listening socket (activation.c): systemd's, or bind our own.
 *	4. Subscribe to link notifications (link.c), with a buffer only
 *	   CAP_NET_ADMIN can make that large.
 *	5. Split (priv/priv.c): fork the back, which keeps CAP_NET_ADMIN
 *	   alone, checks /dev/net/tun as tapd's user, installs its seccomp
 *	   filter and says hello. This process, the front, drops every
 *	   capability (shared/caps.c); both are never uid 0, with no_new_privs.
 *	6. Count the taps tapd made before (quota.c), deleting through the
 *	   back what a tapd gone meanwhile left behind; start the thread that
 *	   closes what clients send (release.c); install the front's seccomp
 *	   filter (sandbox.c).
 *	7. Serve (server.c): per request SO_PEERCRED and SO_PEERGROUPS,
 *	   validation, policy, quota, bridge; the tap and its port from the
 *	   back; SCM_RIGHTS. SIGHUP reloads the policy, whole or not at all.
 *	   If the back exits, so does the front, and the other way round.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <pwd.h>
#include <unistd.h>
#include <sys/resource.h>

#include "activation.h"
#include "age.h"
#include "back.h"
#include "caps.h"
#include "link.h"
#include "log.h"
#include "ovsdb.h"
#include "policy.h"
#include "proto.h"
#include "quota.h"
#include "subid.h"
#include "release.h"
#include "sandbox.h"
#include "server.h"
#include "tun.h"
#include "user.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tapd [OPTION]...\n"
"Give unprivileged users TAP devices on the bridges the policy grants them.\n"
"\n"
"  -c, --config PATH     policy file (default " POLICY_DEFAULT_PATH ")\n"
"  -s, --socket PATH     socket to listen on when not socket-activated\n"
"                        (default " PROTO_DEFAULT_SOCKET ")\n"
"  -u, --user NAME       user to run as when started as root: a name or a\n"
"                        number (uid and gid) of tapd's own, never root or\n"
"                        nobody (default " USER_DEFAULT ")\n"
"      --idle-exit SECS  when socket-activated, exit after SECS with no\n"
"                        client (default 0: never)\n"
"      --max-taps N      most taps tapd keeps on this host, for all users\n"
"                        together (default %d)\n"
"      --ovsdb PATH      Open vSwitch's database socket, for Open vSwitch\n"
"                        bridges (default " OVSDB_DEFAULT_PATH ")\n"
"      --check           read the policy, report errors, and exit\n"
"  -l, --list            list every tap tapd made on this host (from the\n"
"                        kernel: works whether or not tapd runs), and exit\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"tapd needs CAP_NET_ADMIN: start it as root (it becomes --user, keeping\n"
"only CAP_NET_ADMIN) or from systemd's tapd.socket. SIGHUP reloads the\n"
"policy. Manual pages: tapd(8), the policy language tapd.conf(5), tapvm(1),\n"
"tapd-bridge-helper(8).\n",
		QUOTA_MAX_TAPS_DEFAULT);
}

/* A tap someone made persistent and let go of: deleted, and said. */
static void main_reaped(int ifindex, uid_t uid, int err)
{
	if (err)
		log_warn("cannot delete abandoned persistent tap ifindex=%d uid=%u: %s", ifindex,
			 (unsigned int)uid, strerror(-err));
	else
		log_warn("deleted tap ifindex=%d uid=%u: made persistent and abandoned by its holder",
			 ifindex, (unsigned int)uid);
}

static void main_list_one(void *arg, const struct link_tapinfo *t)
{
	struct passwd *pw = getpwuid(t->uid);
	char user[32], age[AGE_MAX];
	unsigned int *n = arg;

	if (!(*n)++)
		printf("%-15s %-12s %-8s %-15s %-7s %s\n", "TAP", "USER", "PID", "BRIDGE",
		       "AGE", "VM");
	if (pw)
		snprintf(user, sizeof(user), "%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "#%u", (unsigned int)t->uid);
	age_format(age, sizeof(age), t->since);
	printf("%-15s %-12s %-8u %-15s %-7s %s\n", t->ifname, user, t->pid,
	       t->bridge[0] ? t->bridge : "-", age, t->label[0] ? t->label : "-");
}

/* tapd --list: the kernel's view, in this network namespace. */
static int main_list(void)
{
	struct link_ctx *link;
	unsigned int n = 0;
	int ret = link_open(&link);

	if (!ret) {
		ret = link_taps_of(link, LINK_ANY_UID, main_list_one, &n);
		link_close(link);
	}
	if (ret) {
		fprintf(stderr, "tapd: cannot list links over rtnetlink: %s\n", strerror(-ret));
		return 1;
	}
	if (!n)
		printf("No tap made by tapd on this host.\n");
	return 0;
}

/* The bridge disabled one of tapd's ports while its link is up: BPDU guard. */
static void main_port_disabled(int ifindex, uid_t uid)
{
	char name[IF_NAMESIZE] = "?";

	if_indextoname((unsigned int)ifindex, name);
	log_warn("port disabled tap=%s ifindex=%d uid=%u: a spanning-tree BPDU came in through it (bpdu_guard); it stays disabled until the tap goes",
		 name, ifindex, (unsigned int)uid);
}

static int parse_seconds(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 86400 * 365 || s[0] == '-')
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

/**
 * struct main_opts - the command line
 * @config:	the policy's path
 * @sock:	the socket's path, when not socket-activated
 * @user:	the user to become, when started as root
 * @max_taps:	--max-taps
 * @check:	--check
 * @list:	--list
 */
struct main_opts {
	const char *config, *sock, *user;
	unsigned int max_taps;
	bool check, list;
};

/*
 * 1. The options, before anything privileged. Return: -1 to go on, else
 * the exit status (after --help, --version, or a usage error).
 */
static int main_options(int argc, char **argv, struct main_opts *o, struct server_cfg *cfg)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "idle-exit", required_argument, NULL, 'I' },
		{ "check", no_argument, NULL, 'C' },
		{ "max-taps", required_argument, NULL, 'T' },
		{ "list", no_argument, NULL, 'l' },
		{ "ovsdb", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	int c;

	*o = (struct main_opts){ POLICY_DEFAULT_PATH, PROTO_DEFAULT_SOCKET, USER_DEFAULT,
				 QUOTA_MAX_TAPS_DEFAULT, false, false };
	while ((c = getopt_long(argc, argv, "c:s:u:lhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 's':
			o->sock = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'I':
			if (parse_seconds(optarg, &cfg->idle_exit)) {
				fprintf(stderr, "tapd: --idle-exit takes a number of seconds, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'C':
			o->check = true;
			break;
		case 'T':
			if (parse_seconds(optarg, &o->max_taps) || !o->max_taps ||
			    o->max_taps > QUOTA_MAX_TAPS_LIMIT) {
				fprintf(stderr, "tapd: --max-taps takes a number from 1 to %d, not '%s'\n",
					QUOTA_MAX_TAPS_LIMIT, optarg);
				return 2;
			}
			break;
		case 'l':
			o->list = true;
			break;
		case 'O':
			if (!*optarg || strlen(optarg) > OVSDB_PATH_MAX) {
				fprintf(stderr, "tapd: --ovsdb takes a socket path of 1 to %d bytes\n",
					OVSDB_PATH_MAX);
				return 2;
			}
			cfg->ovsdb = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("tapd %s (protocol %d)\n", TAPVM_VERSION, PROTO_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'tapd --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tapd: unexpected argument '%s'; try 'tapd --help'\n",
			argv[optind]);
		return 2;
	}
	return -1;
}

/* 2. The policy, whole; and as many fds as allowed (taps and clients are fds). */
static int main_policy(struct server_cfg *cfg, const struct main_opts *o)
{
	char err[POLICY_ERR_MAX];
	struct rlimit rl;
	int ret;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	cfg->policy_path = o->config;
	cfg->policy_owner = 0;
	ret = policy_load(o->config, cfg->policy_owner, &cfg->policy, err, sizeof(err));
	if (!ret)
		ret = policy_load_subids(cfg->policy, SUBID_UID_PATH, SUBID_GID_PATH, err,
					 sizeof(err));
	if (ret && o->check)
		log_err("the policy has an error: %s", err);
	else if (ret)
		log_err("policy not loaded, not starting: %s", err);
	return ret;
}

/*
 * 3 and 4. What needs privileges before the split: the capability and the
 * device, the socket, the user to become, link notifications.
 */
static int main_prepare(struct server_cfg *cfg, const struct main_opts *o, uid_t *uid,
			gid_t *gid)
{
	char err[POLICY_ERR_MAX];
	int ret;

	if (user_check_caps(err, sizeof(err)) || tun_check(err, sizeof(err)) ||
	    activation_listen(o->sock, &cfg->listen_fd, &cfg->activated, err, sizeof(err))) {
		log_err("%s", err);
		return -EPERM;
	}
	/* The user both halves become, if we are root: read here, never in the back. */
	if ((!getuid() || !geteuid()) && user_resolve(o->user, uid, gid, err, sizeof(err))) {
		log_err("refusing to run with more privileges than CAP_NET_ADMIN: %s", err);
		return -EPERM;
	}
	/* Subscribed while we may size the buffer past rmem_max. */
	ret = link_open(&cfg->link);
	if (!ret)
		ret = quota_new(&cfg->quota, o->max_taps);
	if (!ret)
		ret = link_watch_open(cfg->link);
	if (ret)
		log_err("cannot open rtnetlink: %s", strerror(-ret));
	return ret;
}

/* 5. The back keeps CAP_NET_ADMIN; the front, this process, nothing. */
static int main_split(uid_t uid, gid_t gid, const char *ovsdb)
{
	char err[POLICY_ERR_MAX];
	int ret = back_start(uid, gid, ovsdb, err, sizeof(err));

	if (!ret)
		ret = back_ready(err, sizeof(err));
	if (ret) {
		if (ret != -ECANCELED)	/* else the back said why */
			log_err("%s", err);
		return ret;
	}
	ret = caps_drop(uid, gid, false, err, sizeof(err));
	if (ret)
		log_err("refusing to serve with any capability in the front: %s", err);
	return ret;
}

/* 6. The taps already there, the closing thread, then the front's filter. */
static int main_settle(struct server_cfg *cfg, bool *refuses_fds)
{
	int ret = link_watch_start(cfg->link, cfg->quota, main_reaped, main_port_disabled);

	if (ret) {
		log_err("cannot read the links: %s", strerror(-ret));
		return ret;
	}
	/* Fds clients send: refused by the kernel where it can, else closed aside. */
	ret = release_init(cfg->listen_fd, refuses_fds);
	if (ret) {
		log_err("cannot start the thread that closes what clients send: %s",
			strerror(-ret));
		return ret;
	}
	ret = sandbox_apply();
	if (ret)
		log_err("cannot install the front's seccomp filter: %s", strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	struct server_cfg cfg = { .listen_fd = -1, .ovsdb = OVSDB_DEFAULT_PATH };
	struct main_opts o;
	bool refuses_fds;
	uid_t uid = 0;
	gid_t gid = 0;
	int ret;

	ret = main_options(argc, argv, &o, &cfg);
	if (ret >= 0)
		return ret;
	if (o.list)
		return main_list();
	activation_close_inherited();
	log_init();
	if (main_policy(&cfg, &o))
		return 1;
	if (o.check) {
		printf("%s: OK, %zu rules\n", o.config, cfg.policy->nrules);
		policy_free(cfg.policy);
		return 0;
	}
	if (main_prepare(&cfg, &o, &uid, &gid) || main_split(uid, gid, cfg.ovsdb) ||
	    main_settle(&cfg, &refuses_fds))
		return 1;
	log_info("ready socket=%s activated=%s rules=%zu uid=%u taps=%u max_taps=%u client_fds=%s",
		 cfg.activated ? "(systemd)" : o.sock, cfg.activated ? "yes" : "no",
		 cfg.policy->nrules, (unsigned int)getuid(), quota_total(cfg.quota), o.max_taps,
		 refuses_fds ? "refused-by-kernel" : "closed-aside");
	ret = activation_ready();
	if (ret)
		log_warn("cannot tell systemd tapd is ready (NOTIFY_SOCKET=%s): %s; Type=notify will time out",
			 getenv("NOTIFY_SOCKET"), strerror(-ret));

	/* 7. Serve. */
	ret = server_run(&cfg);
	link_close(cfg.link);
	quota_free(cfg.quota);
	policy_free(cfg.policy);
	if (ret) {
		log_err("stopped: %s", strerror(-ret));
		return 1;
	}
	return 0;
}
