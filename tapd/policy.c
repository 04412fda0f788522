// SPDX-License-Identifier: GPL-2.0-or-later
/* policy.c - parse tapd.conf and decide who may use which bridge
 *
 * The language, as tapd.conf(5) (docs/man/tapd.conf.5.scd) documents it:
 *
 *	# comment
 *	allow SUBJECT BRIDGE[,BRIDGE...] [MAX] [KEY=VALUE...]
 *	deny  SUBJECT BRIDGE[,BRIDGE...]
 *	include /absolute/path.conf
 *
 * SUBJECT is user:NAME, user:#UID, group:NAME, group:#GID or all. Names are
 * resolved once, at load, so a request never waits on NSS. Anything else is
 * an error naming file:line, and tapd does not start: a policy that is only
 * partly understood must not be half applied.
 */

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <libgen.h>
#include <unistd.h>
#include <sys/stat.h>

#include "names.h"
#include "policy.h"
#include "subid.h"
#include "util.h"

struct policy_parser {
	struct policy *p;
	uid_t owner;
	char *err;
	size_t errlen;
	const char *file;
	unsigned int line;
};

static int __attribute__((format(printf, 3, 4)))
policy_error(struct policy_parser *pp, int ret, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (pp->file) {
		int w = snprintf(pp->err, pp->errlen, "%s:%u: ", pp->file, pp->line);

		n = w < 0 ? 0 : ((size_t)w < pp->errlen ? (size_t)w : pp->errlen - 1);
	}
	va_start(ap, fmt);
	vsnprintf(pp->err + n, pp->errlen - n, fmt, ap);
	va_end(ap);
	return ret;
}

/* Decimal digits only, no sign, no leading junk; 0 or -ERANGE/-EINVAL. */
static int policy_parse_uint(const char *s, unsigned long max,
			     unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		if (d > max || v > (max - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int policy_parse_subject(struct policy_parser *pp, const char *s,
				struct policy_rule *r)
{
	char buf[16384];
	unsigned long id;
	const char *name;
	bool user;

	if (!strcmp(s, "all")) {
		r->subject = POLICY_ALL;
		return 0;
	}
	if (!strncmp(s, "user:", 5)) {
		user = true;
		name = s + 5;
	} else if (!strncmp(s, "group:", 6)) {
		user = false;
		name = s + 6;
	} else {
		return policy_error(pp, -EINVAL,
				    "subject '%s' is not user:NAME, user:#UID, group:NAME, group:#GID or all",
				    s);
	}
	r->subject = user ? POLICY_UID : POLICY_GID;

	if (name[0] == '#') {
		/* (uid_t)-1 means "no change" to the kernel: never a subject. */
		if (policy_parse_uint(name + 1, 0xfffffffeUL, &id))
			return policy_error(pp, -EINVAL, "'%s' is not a valid numeric %s id",
					    name + 1, user ? "user" : "group");
		r->id = (unsigned int)id;
		return 0;
	}
	if (!*name)
		return policy_error(pp, -EINVAL, "subject '%s' has no name", s);

	if (user) {
		struct passwd pw, *res = NULL;

		if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) || !res)
			return policy_error(pp, -ENOENT, "unknown user '%s'", name);
		r->id = res->pw_uid;
	} else {
		struct group gr, *res = NULL;

		if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) || !res)
			return policy_error(pp, -ENOENT, "unknown group '%s'", name);
		r->id = res->gr_gid;
	}
	return 0;
}

static int policy_parse_bridges(struct policy_parser *pp, char *list,
				struct policy_rule *r)
{
	char *save = NULL, *tok;
	size_t n = 1;

	for (const char *c = list; *c; c++)
		n += *c == ',';
	r->bridges = calloc(n, sizeof(*r->bridges));
	if (!r->bridges)
		return policy_error(pp, -ENOMEM, "out of memory");

	if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
		return policy_error(pp, -EINVAL, "empty bridge name in '%s'", list);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!names_ifname_valid(tok))
			return policy_error(pp, -EINVAL,
					    "'%s' is not a valid bridge name (1 to %d bytes, no '/', ':' or spaces)",
					    tok, IFNAMSIZ - 1);
		memcpy(r->bridges[r->nbridges++], tok, strlen(tok) + 1);
	}
	return 0;
}

/*
 * A port option (KEY=VALUE, the '=' already cut): set it in @port.
 * Return: 0, -ENOENT if KEY is no port option, or an error already said.
 */
static int policy_parse_port(struct policy_parser *pp, const char *key, char *val,
			     struct policy_port *port)
{
	for (int i = 0; i < PORTOPT_MAX; i++) {
		const struct portopt_row *o = &portopt_table[i];

		if (strcmp(key, o->key))
			continue;
		if (strcmp(val, o->on) && strcmp(val, o->off))
			return policy_error(pp, -EINVAL, "%s '%s' is not %s or %s", key, val,
					    o->on, o->off);
		port->opt[i] = !strcmp(val, o->on);
		return 0;
	}
	if (!strcmp(key, "vlan")) {
		char *save = NULL;

		port->nvlans = 0;
		for (char *v = strtok_r(val, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
			unsigned long id;

			if (policy_parse_uint(v, 4094, &id) || id == 0)
				return policy_error(pp, -EINVAL, "VLAN '%s' is not a number from 1 to 4094",
						    v);
			if (port->nvlans == POLICY_VLANS_MAX)
				return policy_error(pp, -EINVAL, "more than %d VLANs in one rule",
						    POLICY_VLANS_MAX);
			port->vlans[port->nvlans++] = (unsigned short)id;
		}
		if (!port->nvlans)
			return policy_error(pp, -EINVAL, "vlan= lists no VLAN");
		return 0;
	}
	return -ENOENT;
}

/* The keys a rule takes, for the error that names an unknown one. */
static const char *policy_keys(void)
{
	static char keys[256];

	if (!keys[0]) {
		size_t n = (size_t)snprintf(keys, sizeof(keys), "queues, vlan");

		for (int o = 0; o < PORTOPT_MAX && n < sizeof(keys); o++)
			n += (size_t)snprintf(keys + n, sizeof(keys) - n, ", %s",
					      portopt_table[o].key);
	}
	return keys;
}

static int policy_add_rule(struct policy_parser *pp, bool deny, char **tok,
			   size_t ntok)
{
	struct policy *p = pp->p;
	struct policy_rule *rules, *r;
	unsigned long max;
	size_t i = 3;
	int ret;

	/* qemu-bridge-helper's bridge.conf says "allow br0": who is missing. */
	if (ntok == 2 && !strchr(tok[1], ':') && strcmp(tok[1], "all"))
		return policy_error(pp, -EINVAL,
				    "'%s %s' has no subject: tapd.conf needs one, as in '%s group:kvm %s' (qemu-bridge-helper's bridge.conf has none; see tapd.conf(5))",
				    tok[0], tok[1], tok[0], tok[1]);
	if (ntok < 3)
		return policy_error(pp, -EINVAL, "'%s' needs a subject and a bridge list",
				    tok[0]);
	rules = reallocarray(p->rules, p->nrules + 1, sizeof(*rules));
	if (!rules)
		return policy_error(pp, -ENOMEM, "out of memory");
	p->rules = rules;
	r = &p->rules[p->nrules++];
	memset(r, 0, sizeof(*r));
	r->deny = deny;
	r->max_taps = POLICY_MAX_DEFAULT;
	r->max_queues = POLICY_QUEUES_DEFAULT;
	for (int o = 0; o < PORTOPT_MAX; o++)
		r->port.opt[o] = portopt_table[o].dflt;

	ret = policy_parse_subject(pp, tok[1], r);
	if (ret)
		return ret;
	ret = policy_parse_bridges(pp, tok[2], r);
	if (ret)
		return ret;

	if (i < ntok && !strchr(tok[i], '=')) {
		if (deny)
			return policy_error(pp, -EINVAL, "deny takes no MAX ('%s')", tok[i]);
		ret = policy_parse_uint(tok[i], POLICY_MAX_LIMIT, &max);
		if (ret || max == 0)
			return policy_error(pp, -EINVAL, "MAX '%s' is not a number from 1 to %d",
					    tok[i], POLICY_MAX_LIMIT);
		r->max_taps = (unsigned int)max;
		i++;
	}
	/* Per-rule KEY=VALUE options: how the ports the rule grants may be. */
	for (; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		unsigned long v;

		if (!eq)
			return policy_error(pp, -EINVAL, "unexpected '%s' after the options",
					    tok[i]);
		*eq = '\0';
		if (deny)
			return policy_error(pp, -EINVAL, "deny takes no options ('%s')", tok[i]);
		if (!strcmp(tok[i], "queues")) {
			if (policy_parse_uint(eq + 1, POLICY_QUEUES_LIMIT, &v) || v == 0)
				return policy_error(pp, -EINVAL,
						    "queues '%s' is not a number from 1 to %d",
						    eq + 1, POLICY_QUEUES_LIMIT);
			r->max_queues = (unsigned int)v;
			continue;
		}
		ret = policy_parse_port(pp, tok[i], eq + 1, &r->port);
		if (!ret)
			continue;
		if (ret != -ENOENT)
			return ret;
		return policy_error(pp, -EINVAL, "unknown rule option '%s' (%s)", tok[i],
				    policy_keys());
	}
	return 0;
}

static int policy_load_file(struct policy_parser *pp, const char *path,
			    unsigned int depth);

/*
 * Fail closed: a policy someone else could have written is no policy. The
 * file must be a regular file of the owner (root for tapd), not writable by
 * group or others, in a directory others cannot write to.
 */
static int policy_check_file(struct policy_parser *pp, FILE *f, const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (fstat(fileno(f), &st))
		return policy_error(pp, -errno, "cannot stat policy %s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return policy_error(pp, -EINVAL, "policy %s is not a regular file", path);
	if (st.st_uid != pp->owner)
		return policy_error(pp, -EPERM, "policy %s is owned by uid %u, not %u: chown it",
				    path, (unsigned int)st.st_uid, (unsigned int)pp->owner);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return policy_error(pp, -EPERM, "policy %s is writable by group or others: chmod go-w it",
				    path);
	snprintf(dir, sizeof(dir), "%s", path);
	if (stat(dirname(dir), &st))
		return policy_error(pp, -errno, "cannot stat the directory of %s: %s", path,
				    strerror(errno));
	if (st.st_mode & S_IWOTH)
		return policy_error(pp, -EPERM, "policy %s is in a directory others can write to: move it",
				    path);
	return 0;
}

/*
 * Every directory on the way to a policy file, from /: no symbolic link
 * (else whoever may change the link's target or the directories it leads
 * through chooses the policy), owned by root or the policy's owner, and
 * not writable by group or others, unless it is root's and sticky (/tmp:
 * others can add entries there, never replace root's). The file itself, a
 * regular file, not a link, is checked by policy_check_file().
 */
static int policy_check_path(struct policy_parser *pp, const char *path)
{
	char abs[PATH_MAX], *save = NULL, *comp, *next;
	cleanup_fd int dir = -1;
	struct stat st;
	int n;

	if (path[0] == '/') {
		n = snprintf(abs, sizeof(abs), "%s", path);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return policy_error(pp, -errno, "cannot resolve policy %s: %s", path,
					    strerror(errno));
		n = snprintf(abs, sizeof(abs), "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= sizeof(abs))
		return policy_error(pp, -ENAMETOOLONG, "policy path %s is too long", path);
	dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return policy_error(pp, -errno, "cannot open /: %s", strerror(errno));
	comp = strtok_r(abs, "/", &save);
	while (comp) {
		int fd;

		if (fstat(dir, &st))
			return policy_error(pp, -errno, "cannot stat a directory of policy %s: %s",
					    path, strerror(errno));
		if ((st.st_uid != 0 && st.st_uid != pp->owner) ||
		    ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_uid == 0 && (st.st_mode & S_ISVTX))))
			return policy_error(pp, -EPERM,
					    "policy %s is in a directory others can write to (or not root's): move it",
					    path);
		next = strtok_r(NULL, "/", &save);
		if (!next) {	/* the file: not a link */
			if (fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW))
				return 0;	/* missing: the open says so */
			if (S_ISLNK(st.st_mode))
				return policy_error(pp, -ELOOP,
						    "policy %s is a symbolic link: name the file itself", path);
			return 0;
		}
		fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			int e = errno;

			if (!fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
				return policy_error(pp, -ELOOP,
						    "policy %s is reached through a symbolic link (%s): name the real path",
						    path, comp);
			return policy_error(pp, -e, "cannot read policy %s: %s", path, strerror(e));
		}
		close(dir);
		dir = fd;
		comp = next;
	}
	return policy_error(pp, -EINVAL, "policy %s names no file", path);
}

/* Split on blanks; a '#' at the start of a word starts a comment. */
static size_t policy_split(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (t[0] == '#')
			break;
		if (n == max)
			return max + 1;
		tok[n++] = t;
	}
	return n;
}

static int policy_parse_line(struct policy_parser *pp, char *line,
			     unsigned int depth)
{
	char *tok[64];
	size_t n;

	for (const char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return policy_error(pp, -EINVAL, "control character in line");

	n = policy_split(line, tok, ARRAY_SIZE(tok));
	if (n == 0)
		return 0;
	if (n > ARRAY_SIZE(tok))
		return policy_error(pp, -EINVAL, "too many words on one line");
	if (!strcmp(tok[0], "allow"))
		return policy_add_rule(pp, false, tok, n);
	if (!strcmp(tok[0], "deny"))
		return policy_add_rule(pp, true, tok, n);
	if (!strcmp(tok[0], "include")) {
		if (n != 2)
			return policy_error(pp, -EINVAL, "include takes one absolute path");
		if (tok[1][0] != '/')
			return policy_error(pp, -EINVAL, "include path '%s' is not absolute",
					    tok[1]);
		if (depth + 1 >= POLICY_INCLUDE_DEPTH)
			return policy_error(pp, -ELOOP,
					    "includes nested deeper than %d (a loop?)",
					    POLICY_INCLUDE_DEPTH);
		return policy_load_file(pp, tok[1], depth + 1);
	}
	return policy_error(pp, -EINVAL, "unknown directive '%s' (allow, deny or include)",
			    tok[0]);
}

static int policy_load_file(struct policy_parser *pp, const char *path,
			    unsigned int depth)
{
	const char *outer_file = pp->file;
	unsigned int outer_line = pp->line;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	struct stat st;
	ssize_t len;
	FILE *f;
	int fd, ret = 0;

	/*
	 * Never open anything but a regular file (a FIFO would hang tapd's
	 * start; some devices act when opened); fstat() checks again below.
	 */
	ret = policy_check_path(pp, path);
	if (ret)
		return ret;
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return policy_error(pp, -EINVAL, "policy %s is not a regular file", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		ret = -errno;
		if (fd >= 0)
			close(fd);
		return policy_error(pp, ret, "cannot read policy %s: %s", path,
				    strerror(-ret));
	}
	ret = policy_check_file(pp, f, path);
	if (ret) {
		fclose(f);
		return ret;
	}
	pp->file = path;
	pp->line = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		pp->line++;
		if (len > POLICY_LINE_MAX) {
			ret = policy_error(pp, -E2BIG, "line longer than %d bytes",
					   POLICY_LINE_MAX);
			break;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			ret = policy_error(pp, -EINVAL, "NUL byte in line");
			break;
		}
		ret = policy_parse_line(pp, line, depth);
		if (ret)
			break;
	}
	if (!ret && ferror(f))
		ret = policy_error(pp, -EIO, "read error");
	fclose(f);
	if (!ret) {
		pp->file = outer_file;
		pp->line = outer_line;
	}
	return ret;
}

/**
 * policy_load() - read a policy file and the files it includes
 * @path:	the file
 * @owner:	the uid every file must belong to (root, for tapd)
 * @out:	set to the policy on success; free with policy_free()
 * @err:	on failure, "file:line: reason" for people
 * @errlen:	size of @err
 *
 * Return: 0 or -errno; on failure nothing is allocated.
 */
int policy_load(const char *path, uid_t owner, struct policy **out, char *err,
		size_t errlen)
{
	struct policy_parser pp = { .err = err, .errlen = errlen, .owner = owner };
	int ret;

	err[0] = '\0';
	pp.p = calloc(1, sizeof(*pp.p));
	if (!pp.p)
		return policy_error(&pp, -ENOMEM, "out of memory");
	ret = policy_load_file(&pp, path, 0);
	if (ret) {
		policy_free(pp.p);
		return ret;
	}
	*out = pp.p;
	return 0;
}

/**
 * policy_load_subids() - read the subordinate ids with the policy
 * @p:		the policy just loaded
 * @uid_path:	/etc/subuid
 * @gid_path:	/etc/subgid
 * @err:	on failure, the reason for people
 * @errlen:	size of @err
 *
 * They are part of the policy: a subordinate uid counts as its owner for
 * every rule (subid.c), and both are reloaded together.
 *
 * Return: 0 or -errno.
 */
int policy_load_subids(struct policy *p, const char *uid_path, const char *gid_path,
		       char *err, size_t errlen)
{
	return subid_load(uid_path, gid_path, &p->subids, err, errlen);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].bridges);
	free(p->rules);
	subid_free(p->subids);
	free(p);
}

static bool policy_subject_matches(const struct policy_rule *r,
				   const struct policy_cred *c)
{
	switch (r->subject) {
	case POLICY_ALL:
		return true;
	case POLICY_UID:
		return r->id == c->uid;
	case POLICY_GID:
		for (size_t i = 0; i < c->ngids; i++)
			if (c->gids[i] == r->id)
				return true;
		return false;
	}
	return false;
}

/* Whole, exact names: never a prefix (a grant of br0 is no grant of br0-lab) nor a cut name. */
static bool policy_names_bridge(const struct policy_rule *r, const char *bridge)
{
	for (size_t i = 0; i < r->nbridges; i++)
		if (!strcmp(r->bridges[i], bridge))
			return true;
	return false;
}

/* Several rules grant a bridge: the most protective port, every VLAN listed. */
static void policy_port_merge(struct policy_port *into, const struct policy_port *r)
{
	for (int o = 0; o < PORTOPT_MAX; o++)
		into->opt[o] = portopt_table[o].all ? into->opt[o] && r->opt[o] :
						      into->opt[o] || r->opt[o];
	for (size_t i = 0; i < r->nvlans; i++) {
		bool seen = false;

		for (size_t k = 0; k < into->nvlans && !seen; k++)
			seen = into->vlans[k] == r->vlans[i];
		if (!seen && into->nvlans < POLICY_VLANS_MAX)
			into->vlans[into->nvlans++] = r->vlans[i];
	}
}

/**
 * policy_check() - may this caller have a tap on this bridge?
 * @p:		the policy
 * @cred:	the caller
 * @bridge:	the bridge name it asked for (already validated)
 * @grant:	set, when granted, to the largest MAX and queues= among the
 *		granting rules (or NULL)
 *
 * A deny rule wins over any allow rule, whatever their order.
 *
 * Return: 0 if granted, -EACCES if not.
 */
int policy_check(const struct policy *p, const struct policy_cred *cred,
		 const char *bridge, struct policy_grant *grant)
{
	struct policy_grant g = { 0 };
	bool allowed = false;

	/* Each option's identity for its merge: on for "all", off for "any". */
	for (int o = 0; o < PORTOPT_MAX; o++)
		g.port.opt[o] = portopt_table[o].all;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (!policy_subject_matches(r, cred) || !policy_names_bridge(r, bridge))
			continue;
		if (r->deny)
			return -EACCES;
		allowed = true;
		if (r->max_taps > g.max_taps)
			g.max_taps = r->max_taps;
		if (r->max_queues > g.max_queues)
			g.max_queues = r->max_queues;
		policy_port_merge(&g.port, &r->port);
	}
	if (!allowed)
		return -EACCES;
	if (grant)
		*grant = g;
	return 0;
}

/**
 * policy_explain() - why policy_check() refused, for the refusal's line
 * @p:		the policy
 * @cred:	the caller
 * @bridge:	the bridge
 * @gids:	filled with the groups whose allow rules name @bridge
 * @max:	room in @gids
 * @ngids:	set to how many (at most @max)
 *
 * Return: true when a deny rule for the caller names @bridge (what refused
 * it then), false when no allow rule grants it to the caller.
 */
bool policy_explain(const struct policy *p, const struct policy_cred *cred, const char *bridge,
		    gid_t *gids, size_t max, size_t *ngids)
{
	*ngids = 0;
	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];
		bool seen = false;

		if (!policy_names_bridge(r, bridge))
			continue;
		if (r->deny && policy_subject_matches(r, cred))
			return true;
		if (r->deny || r->subject != POLICY_GID)
			continue;
		for (size_t k = 0; k < *ngids && !seen; k++)
			seen = gids[k] == r->id;
		if (!seen && *ngids < max)
			gids[(*ngids)++] = r->id;
	}
	return false;
}

/**
 * policy_grants() - the bridges a caller may use, each once
 * @p:		the policy
 * @cred:	the caller
 * @fn:		called with each granted bridge and its MAX
 * @ctx:	passed to @fn
 *
 * Return: how many bridges were reported.
 */
size_t policy_grants(const struct policy *p, const struct policy_cred *cred,
		     void (*fn)(void *ctx, const char *bridge, unsigned int max),
		     void *ctx)
{
	size_t count = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct policy_rule *r = &p->rules[i];

		if (r->deny || !policy_subject_matches(r, cred))
			continue;
		for (size_t b = 0; b < r->nbridges; b++) {
			const char *br = r->bridges[b];
			struct policy_grant g;
			bool seen = false;

			for (size_t j = 0; j < i && !seen; j++)
				seen = !p->rules[j].deny &&
				       policy_subject_matches(&p->rules[j], cred) &&
				       policy_names_bridge(&p->rules[j], br);
			for (size_t k = 0; k < b && !seen; k++)
				seen = !strcmp(r->bridges[k], br);
			if (seen || policy_check(p, cred, br, &g))
				continue;
			fn(ctx, br, g.max_taps);
			count++;
		}
	}
	return count;
}
