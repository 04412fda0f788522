// SPDX-License-Identifier: GPL-2.0-or-later
/* test_log.c - tapd's log lines: the journal prefix, and the refusal burst
 *
 * Both read stderr back through a temporary file. The burst rule is given
 * its seconds, so the test does not depend on how fast the machine is.
 */

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

#include "log.h"

static char path[] = "/tmp/tapvm-test-log.XXXXXX";
static int saved_stderr = -1;

/* stderr to a new, empty temporary file */
static int capture(void **state)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	return 0;
}

static int restore(void **state)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(path);
	strcpy(path, "/tmp/tapvm-test-log.XXXXXX");
	unsetenv("JOURNAL_STREAM");
	return 0;
}

/* what was written to stderr so far */
static char *captured(void)
{
	static char buf[4096];
	FILE *f;
	size_t n;

	fflush(stderr);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_prefix_only_on_the_journal(void **state)
{
	struct stat st;
	char js[64];

	/* A file that is not the journal: no prefix, even with one set. */
	setenv("JOURNAL_STREAM", "1:2", 1);
	log_init();
	log_info("plain");
	assert_string_equal(captured(), "tapd: plain\n");

	/* JOURNAL_STREAM naming stderr itself: the priority comes first. */
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	log_init();
	log_warn("warned");
	assert_string_equal(captured(), "tapd: plain\n<4>tapd: warned\n");

	/* Not a number pair: no prefix. */
	setenv("JOURNAL_STREAM", "journal", 1);
	log_init();
	log_err("again");
	assert_string_equal(captured(), "tapd: plain\n<4>tapd: warned\ntapd: again\n");
}

static void test_burst(void **state)
{
	int logged = 0;

	log_init();
	/* 120 refusals in one second: 50 logged. */
	for (int i = 0; i < 120; i++)
		logged += log_burst_at(1000);
	assert_int_equal(logged, LOG_BURST);
	assert_string_equal(captured(), "");
	/* The next second's first refusal says how many were left out. */
	assert_true(log_burst_at(1001));
	assert_string_equal(captured(), "tapd: 70 refusals not logged (more than 50 a second)\n");
	/* A quiet second after: nothing more to say, 50 more allowed. */
	logged = 0;
	for (int i = 0; i < LOG_BURST; i++)
		logged += log_burst_at(1005);
	assert_int_equal(logged, LOG_BURST);
	assert_false(log_burst_at(1005));
	assert_true(log_burst_at(1006));
	assert_non_null(strstr(captured(), "\ntapd: 1 refusals not logged"));
}

/* A client's string cannot end a quoted value or forge a key. */
static void test_values(void **state)
{
	char buf[64];

	assert_string_equal(log_value(buf, sizeof(buf), "br0"), "br0");
	assert_string_equal(log_value(buf, sizeof(buf), "virbr0-nic.1"), "virbr0-nic.1");
	assert_string_equal(log_value(buf, sizeof(buf), "a\"uid=0"), "\"a\\\"uid=0\"");
	assert_string_equal(log_value(buf, sizeof(buf), "x=y"), "\"x=y\"");
	assert_string_equal(log_value(buf, sizeof(buf), "b\\\""), "\"b\\\\\\\"\"");
	assert_string_equal(log_value(buf, sizeof(buf), ""), "\"\"");
	assert_string_equal(log_escape(buf, sizeof(buf), "say \"hi\"\n"), "say \\\"hi\\\"?");
	/* Cut, never overrun, and never leave a lone backslash. */
	assert_string_equal(log_escape(buf, 6, "\"\"\"\""), "\\\"\\\"");
	assert_string_equal(log_escape(buf, 5, "\"\"\"\""), "\\\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_prefix_only_on_the_journal, capture, restore),
		cmocka_unit_test_setup_teardown(test_burst, capture, restore),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
