// SPDX-License-Identifier: GPL-2.0-or-later
/* test_escape.c - Ctrl-] and the key after it (launcher/supervise/escape.c) */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "escape.h"

static void test_keys(void **state)
{
	struct escape e = { false };

	assert_int_equal(escape_feed(&e, 'a'), ESCAPE_PASS);
	assert_int_equal(escape_feed(&e, ESCAPE_KEY), ESCAPE_BEGIN);
	assert_int_equal(escape_feed(&e, 'q'), 'q');		/* a command */
	assert_int_equal(escape_feed(&e, 'q'), ESCAPE_PASS);	/* then keys again */
	assert_int_equal(escape_feed(&e, ESCAPE_KEY), ESCAPE_BEGIN);
	assert_int_equal(escape_feed(&e, ESCAPE_KEY), ESCAPE_PASS);	/* Ctrl-] itself */
	assert_int_equal(escape_feed(&e, ESCAPE_KEY), ESCAPE_BEGIN);	/* and anew */
	assert_int_equal(escape_feed(&e, 'z'), 'z');		/* unknown: the caller drops it */
	assert_int_equal(escape_feed(&e, '\r'), ESCAPE_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
