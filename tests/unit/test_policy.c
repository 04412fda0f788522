// SPDX-License-Identifier: GPL-2.0-or-later
/* test_policy.c - the policy language: good files, bad files, decisions */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "policy.h"

static char dir[] = "/tmp/tapvm-policy-XXXXXX";
static char err[POLICY_ERR_MAX];

static const char *write_file(const char *name, const char *text)
{
	static char paths[8][256];
	static int next;
	char *path = paths[next++ % 8];
	FILE *f;

	snprintf(path, 256, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct policy *load_ok(const char *text)
{
	struct policy *p = NULL;
	int ret = policy_load(write_file("ok.conf", text), getuid(), &p, err, sizeof(err));

	if (ret)
		print_error("unexpected policy error: %s\n", err);
	assert_int_equal(ret, 0);
	return p;
}

/* Load must fail; err must name the file and line and contain @what. */
static void load_bad(const char *text, int line, const char *what)
{
	const char *path = write_file("bad.conf", text);
	struct policy *p = NULL;
	char where[300];

	assert_true(policy_load(path, getuid(), &p, err, sizeof(err)) < 0);
	assert_null(p);
	snprintf(where, sizeof(where), "%s:%d: ", path, line);
	if (strncmp(err, where, strlen(where)) || !strstr(err, what)) {
		print_error("error '%s' lacks '%s' or '%s'\n", err, where, what);
		fail();
	}
}

static int check(const struct policy *p, uid_t uid, const gid_t *gids,
		 size_t ngids, const char *bridge, unsigned int *max)
{
	struct policy_cred c = { uid, gids, ngids };
	struct policy_grant g;
	int ret = policy_check(p, &c, bridge, &g);

	if (!ret && max)
		*max = g.max_taps;
	return ret;
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_every_construct(void **state)
{
	const char *inc = write_file("inc.conf", "allow group:#300 br5\n");
	char text[1024];
	struct policy *p;
	gid_t g100[] = { 100 }, g300[] = { 1000, 300 }, g0[] = { 0 };
	unsigned int max = 0;

	snprintf(text, sizeof(text),
		 "# a comment\n"
		 "\n"
		 "   \t\n"
		 "allow user:#1000 br0            # MAX defaults to 1\n"
		 "allow user:#1000 br0,br1 3\n"
		 "allow\tgroup:#100\tbr2 2\n"
		 "allow all br-all\n"
		 "allow user:root rootbr 4\n"
		 "allow group:root rootgrp\n"
		 "include %s\n", inc);
	p = load_ok(text);
	assert_int_equal(p->nrules, 7);

	/* The largest MAX among the granting rules. */
	assert_int_equal(check(p, 1000, g100, 0, "br0", &max), 0);
	assert_int_equal(max, 3);
	assert_int_equal(check(p, 1000, g100, 0, "br1", &max), 0);
	assert_int_equal(max, 3);
	assert_int_equal(check(p, 1001, g100, 0, "br0", &max), -EACCES);
	/* Groups: the primary, or a supplementary one. */
	assert_int_equal(check(p, 5, g100, 1, "br2", &max), 0);
	assert_int_equal(max, 2);
	assert_int_equal(check(p, 5, g300, 2, "br5", &max), 0);
	assert_int_equal(max, 1);
	assert_int_equal(check(p, 5, g300, 1, "br5", &max), -EACCES);
	/* all, and names resolved at load. */
	assert_int_equal(check(p, 12345, NULL, 0, "br-all", &max), 0);
	assert_int_equal(check(p, 0, NULL, 0, "rootbr", &max), 0);
	assert_int_equal(max, 4);
	assert_int_equal(check(p, 7, g0, 1, "rootgrp", &max), 0);
	policy_free(p);
}

/* queues=: one tap's most queues, the largest among the granting rules. */
static void test_queues_option(void **state)
{
	struct policy_cred c = { 1000, NULL, 0 };
	struct policy_grant g;
	struct policy *p;

	p = load_ok("allow user:#1000 br0 2 queues=4\n"
		    "allow all br0,br1\n"
		    "allow user:#1000 br1 1 queues=8\n");
	assert_int_equal(policy_check(p, &c, "br0", &g), 0);
	assert_int_equal(g.max_taps, 2);
	assert_int_equal(g.max_queues, 4);
	assert_int_equal(policy_check(p, &c, "br1", &g), 0);
	assert_int_equal(g.max_taps, 1);
	assert_int_equal(g.max_queues, 8);
	c.uid = 1001;
	assert_int_equal(policy_check(p, &c, "br0", &g), 0);
	assert_int_equal(g.max_queues, 1);	/* the default */
	policy_free(p);
}

/* Port options: defaults, and the most protective among granting rules. */
static void test_port_options(void **state)
{
	struct policy_cred c = { 1000, NULL, 0 };
	struct policy_grant g;
	struct policy *p;

	p = load_ok("allow all br0\n"
		    "allow user:#1000 br1 isolated=yes mac=pinned vlan=10,20 learning=no\n"
		    "allow all br1 bpdu_guard=no root_block=no flood=no vlan=30,10\n"
		    "allow user:#1000 br2 bpdu_guard=no root_block=no\n");
	assert_int_equal(policy_check(p, &c, "br0", &g), 0);
	assert_false(g.port.opt[PORTOPT_ISOLATED]);
	assert_false(g.port.opt[PORTOPT_PINNED]);
	assert_true(g.port.opt[PORTOPT_BPDU_GUARD]);		/* on unless every rule says no */
	assert_true(g.port.opt[PORTOPT_ROOT_BLOCK]);
	assert_true(g.port.opt[PORTOPT_LEARNING]);
	assert_true(g.port.opt[PORTOPT_FLOOD]);
	assert_int_equal(g.port.nvlans, 0);

	assert_int_equal(policy_check(p, &c, "br1", &g), 0);
	assert_true(g.port.opt[PORTOPT_ISOLATED]);
	assert_true(g.port.opt[PORTOPT_PINNED]);
	assert_true(g.port.opt[PORTOPT_BPDU_GUARD]);		/* the first rule keeps it */
	assert_false(g.port.opt[PORTOPT_LEARNING]);
	assert_false(g.port.opt[PORTOPT_FLOOD]);
	assert_int_equal(g.port.nvlans, 3);	/* 10, 20, 30: each once */
	assert_int_equal(g.port.vlans[0], 10);
	assert_int_equal(g.port.vlans[1], 20);
	assert_int_equal(g.port.vlans[2], 30);

	assert_int_equal(policy_check(p, &c, "br2", &g), 0);
	assert_false(g.port.opt[PORTOPT_BPDU_GUARD]);
	assert_false(g.port.opt[PORTOPT_ROOT_BLOCK]);
	policy_free(p);
}

static void test_deny_wins(void **state)
{
	gid_t g[] = { 50, 60 };
	struct policy *p;

	/* Deny before or after the allow, by user or by group. */
	p = load_ok("deny user:#1000 br0\nallow all br0,br1 9\n"
		    "allow user:#1000 br1\ndeny group:#60 br1\n");
	assert_int_equal(check(p, 1000, g, 1, "br0", NULL), -EACCES);
	assert_int_equal(check(p, 1001, g, 1, "br0", NULL), 0);
	assert_int_equal(check(p, 1000, g, 1, "br1", NULL), 0);
	assert_int_equal(check(p, 1000, g, 2, "br1", NULL), -EACCES);
	policy_free(p);
	p = load_ok("allow all br0\ndeny all br0\n");
	assert_int_equal(check(p, 1, NULL, 0, "br0", NULL), -EACCES);
	policy_free(p);
}

static void test_exact_names(void **state)
{
	struct policy *p = load_ok("allow all br0\n");

	assert_int_equal(check(p, 1, NULL, 0, "br0", NULL), 0);
	assert_int_equal(check(p, 1, NULL, 0, "br", NULL), -EACCES);
	assert_int_equal(check(p, 1, NULL, 0, "br00", NULL), -EACCES);
	assert_int_equal(check(p, 1, NULL, 0, "BR0", NULL), -EACCES);
	assert_int_equal(check(p, 1, NULL, 0, "", NULL), -EACCES);
	policy_free(p);
	/* The longest valid name works; one byte more is a syntax error. */
	p = load_ok("allow all abcdefghijklmno\n");
	assert_int_equal(check(p, 1, NULL, 0, "abcdefghijklmno", NULL), 0);
	policy_free(p);
	load_bad("allow all abcdefghijklmnop\n", 1, "not a valid bridge name");
}

static void test_empty_policy_grants_nothing(void **state)
{
	struct policy *p = load_ok("# nothing\n");

	assert_int_equal(check(p, 0, NULL, 0, "br0", NULL), -EACCES);
	policy_free(p);
}

static void test_syntax_errors(void **state)
{
	load_bad("allow user:#1 br0\npermit all br0\n", 2, "unknown directive 'permit'");
	load_bad("allow\n", 1, "needs a subject and a bridge list");
	load_bad("allow all\n", 1, "needs a subject and a bridge list");
	load_bad("allow everyone br0\n", 1, "subject 'everyone'");
	load_bad("allow user: br0\n", 1, "has no name");
	load_bad("allow user:#abc br0\n", 1, "not a valid numeric user id");
	load_bad("allow group:#-1 br0\n", 1, "not a valid numeric group id");
	load_bad("allow user:#4294967295 br0\n", 1, "not a valid numeric user id");
	load_bad("allow user:#99999999999999999999 br0\n", 1, "not a valid numeric");
	load_bad("allow user:no-such-user-tapvm br0\n", 1, "unknown user");
	load_bad("allow group:no-such-group-tapvm br0\n", 1, "unknown group");
	load_bad("allow all br0,,br1\n", 1, "empty bridge name");
	load_bad("allow all br0,\n", 1, "empty bridge name");
	load_bad("allow all ,br0\n", 1, "empty bridge name");
	load_bad("allow all br/0\n", 1, "not a valid bridge name");
	load_bad("allow all br:0\n", 1, "not a valid bridge name");
	load_bad("allow all ..\n", 1, "not a valid bridge name");
	load_bad("allow all br0 0\n", 1, "MAX '0'");
	load_bad("allow all br0 4097\n", 1, "MAX '4097'");
	load_bad("allow all br0 -1\n", 1, "MAX '-1'");
	load_bad("allow all br0 2x\n", 1, "MAX '2x'");
	load_bad("allow all br0 2 3\n", 1, "unexpected '3'");
	load_bad("deny all br0 2\n", 1, "deny takes no MAX");
	load_bad("allow all br0 2 isolated=maybe\n", 1, "isolated 'maybe' is not yes or no");
	load_bad("allow all br0 mac=fixed\n", 1, "mac 'fixed' is not pinned or any");
	load_bad("allow all br0 vlan=0\n", 1, "VLAN '0' is not a number from 1 to 4094");
	load_bad("allow all br0 vlan=4095\n", 1, "VLAN '4095' is not a number from 1 to 4094");
	load_bad("allow all br0 vlan=10,,x\n", 1, "VLAN 'x'");
	load_bad("allow all br0 vlan=\n", 1, "vlan= lists no VLAN");
	load_bad("allow all br0 flood=off\n", 1, "flood 'off' is not yes or no");
	load_bad("allow all br0 2 queues=0\n", 1, "queues '0' is not a number from 1 to 8");
	load_bad("allow all br0 2 queues=9\n", 1, "queues '9' is not a number from 1 to 8");
	load_bad("deny all br0 queues=2\n", 1, "deny takes no options");
	load_bad("allow all br0 color=red\n", 1, "unknown rule option 'color'");
	load_bad("allow all br0\x01\n", 1, "control character");
	load_bad("include\n", 1, "include takes one absolute path");
	load_bad("include relative.conf\n", 1, "not absolute");
	load_bad("\n\ninclude /nonexistent/tapvm.conf\n", 3, "cannot read policy /nonexistent/tapvm.conf");
}

static void test_long_line(void **state)
{
	char *text = malloc(POLICY_LINE_MAX + 64);

	assert_non_null(text);
	memset(text, '#', POLICY_LINE_MAX + 10);
	strcpy(text + POLICY_LINE_MAX + 10, "\n");
	load_bad(text, 1, "longer than");
	free(text);
}

static void test_include_errors_name_the_included_file(void **state)
{
	char text[512], where[300];
	const char *inc = write_file("broken.conf", "allow all br0\nallow nobody\n");
	const char *loop = write_file("loop.conf", "");
	struct policy *p = NULL;

	snprintf(text, sizeof(text), "allow all br1\ninclude %s\n", inc);
	assert_true(policy_load(write_file("top.conf", text), getuid(), &p, err, sizeof(err)) < 0);
	snprintf(where, sizeof(where), "%s:2: ", inc);
	assert_true(!strncmp(err, where, strlen(where)));

	/* A file that includes itself ends, with an error. */
	snprintf(text, sizeof(text), "include %s\n", loop);
	loop = write_file("loop.conf", text);
	assert_int_equal(policy_load(loop, getuid(), &p, err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "nested deeper"));
	assert_int_equal(policy_load("/nonexistent/tapd.conf", getuid(), &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/tapd.conf"));
}

struct seen {
	char names[8][IFNAMSIZ];
	unsigned int max[8];
	int n;
};

static void collect(void *ctx, const char *bridge, unsigned int max)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	snprintf(s->names[s->n], IFNAMSIZ, "%s", bridge);
	s->max[s->n++] = max;
}

static void test_grants(void **state)
{
	struct policy *p = load_ok("allow user:#7 br0,br1 2\nallow all br1,br2\n"
				   "allow user:#7 br0 5\ndeny user:#7 br2\n"
				   "allow user:#8 secret\n");
	struct policy_cred c = { 7, NULL, 0 };
	struct seen s = { 0 };

	assert_int_equal(policy_grants(p, &c, collect, &s), 2);
	assert_string_equal(s.names[0], "br0");
	assert_int_equal(s.max[0], 5);
	assert_string_equal(s.names[1], "br1");
	assert_int_equal(s.max[1], 2);
	policy_free(p);
}

static void test_fail_closed(void **state)
{
	const char *path = write_file("perm.conf", "allow all br0\n");
	struct policy *p = NULL;
	char sub[300];

	/* Another owner. */
	assert_int_equal(policy_load(path, getuid() + 1, &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "is owned by uid"));
	/* Writable by group, or by others. */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), 0);
	policy_free(p);
	p = NULL;
	/* In a directory others can write to; also for an included file. */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	path = write_file("open/inc.conf", "allow all br1\n");
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "in a directory others can write to"));
	snprintf(sub, sizeof(sub), "allow all br0\ninclude %s\n", path);
	assert_int_equal(policy_load(write_file("top2.conf", sub), getuid(), &p, err, sizeof(err)), -EPERM);
	/* Group-writable, or another user's, anywhere on the way. */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(chmod(sub, 0775), 0);
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "in a directory others can write to"));
	assert_int_equal(chmod(sub, 0755), 0);
	if (getuid() == 0) {
		assert_int_equal(chown(sub, 4242, 4242), 0);
		assert_int_equal(policy_load(path, 0, &p, err, sizeof(err)), -EPERM);
		assert_int_equal(chown(sub, 0, 0), 0);
	}
	assert_int_equal(policy_load(path, getuid(), &p, err, sizeof(err)), 0);
	policy_free(p);
	p = NULL;
	/* Through a symbolic link, or one itself: never followed. */
	{
		char link[300], target[700];

		snprintf(link, sizeof(link), "%s/via", dir);
		assert_int_equal(symlink(sub, link), 0);
		snprintf(target, sizeof(target), "%s/inc.conf", link);
		assert_int_equal(policy_load(target, getuid(), &p, err, sizeof(err)), -ELOOP);
		assert_non_null(strstr(err, "through a symbolic link (via)"));
		snprintf(target, sizeof(target), "allow all br0\ninclude %s/inc.conf\n", link);
		assert_int_equal(policy_load(write_file("top3.conf", target), getuid(), &p, err,
					     sizeof(err)), -ELOOP);
		snprintf(link, sizeof(link), "%s/link.conf", dir);
		assert_int_equal(symlink(path, link), 0);
		assert_int_equal(policy_load(link, getuid(), &p, err, sizeof(err)), -ELOOP);
		assert_non_null(strstr(err, "is a symbolic link"));
		assert_null(p);
	}
	/* Not a regular file: a directory; a FIFO, which must not hang us. */
	assert_int_equal(policy_load(dir, getuid(), &p, err, sizeof(err)) < 0, 1);
	assert_null(p);
	snprintf(sub, sizeof(sub), "%s/fifo", dir);
	assert_int_equal(mkfifo(sub, 0600), 0);
	assert_int_equal(policy_load(sub, getuid(), &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not a regular file"));
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_construct),
		cmocka_unit_test(test_deny_wins),
		cmocka_unit_test(test_exact_names),
		cmocka_unit_test(test_empty_policy_grants_nothing),
		cmocka_unit_test(test_queues_option),
		cmocka_unit_test(test_port_options),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_include_errors_name_the_included_file),
		cmocka_unit_test(test_grants),
		cmocka_unit_test(test_fail_closed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
