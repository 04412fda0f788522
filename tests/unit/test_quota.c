// SPDX-License-Identifier: GPL-2.0-or-later
/* test_quota.c - tapd's per-user tap counts */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "quota.h"

static void test_counts(void **state)
{
	struct quota *q;

	assert_int_equal(quota_new(&q, 0), -EINVAL);
	assert_int_equal(quota_new(&q, 8), 0);
	assert_int_equal(quota_max(q), 8);
	assert_int_equal(quota_set(q, 10, 1000), 0);
	assert_int_equal(quota_set(q, 11, 1000), 0);
	assert_int_equal(quota_set(q, 12, 1001), 0);
	/* A notification for a tap already counted changes nothing. */
	assert_int_equal(quota_set(q, 11, 1000), 0);
	assert_int_equal(quota_count(q, 1000), 2);
	assert_int_equal(quota_count(q, 1001), 1);
	assert_int_equal(quota_count(q, 7), 0);
	assert_int_equal(quota_total(q), 3);
	/* Its alias moved it to another uid. */
	assert_int_equal(quota_set(q, 11, 1001), 0);
	assert_int_equal(quota_count(q, 1000), 1);
	assert_int_equal(quota_count(q, 1001), 2);
	quota_remove(q, 10);
	quota_remove(q, 10);	/* twice: no harm */
	quota_remove(q, 99);	/* never known: no harm */
	assert_int_equal(quota_count(q, 1000), 0);
	assert_int_equal(quota_total(q), 2);
	quota_clear(q);
	assert_int_equal(quota_total(q), 0);
	assert_int_equal(quota_count(q, 1001), 0);
	assert_int_equal(quota_set(q, 0, 1), -EINVAL);
	quota_free(q);
}

/* Many taps come and go: counts stay right and the table does not clog. */
static void test_churn(void **state)
{
	struct quota *q;
	unsigned int seed = 7;
	int live[64] = { 0 };

	assert_int_equal(quota_new(&q, 64), 0);
	for (int round = 0; round < 200000; round++) {
		int slot = (int)(rand_r(&seed) % 64);

		if (live[slot]) {
			quota_remove(q, live[slot]);
			live[slot] = 0;
		} else {
			live[slot] = 1 + round;
			assert_int_equal(quota_set(q, live[slot], (uid_t)(slot % 5)), 0);
		}
	}
	for (uid_t u = 0; u < 5; u++) {
		unsigned int n = 0;

		for (int i = 0; i < 64; i++)
			n += live[i] && (uid_t)(i % 5) == u;
		assert_int_equal(quota_count(q, u), n);
	}
	quota_free(q);
}

/*
 * Users who come and go: a user whose count fell to 0 kept its slot for
 * good, so once as many users as the table's slots had come, nobody new
 * was counted (and tapd granted beyond --max-taps).
 */
static void test_many_users(void **state)
{
	struct quota *q;

	assert_int_equal(quota_new(&q, 8), 0);
	for (int i = 1; i <= 1000; i++) {
		assert_int_equal(quota_set(q, i, (uid_t)(5000 + i)), 0);
		assert_int_equal(quota_count(q, (uid_t)(5000 + i)), 1);
		if (i % 4)	/* some stay: 250 at the end would not fit, so few do */
			quota_remove(q, i);
		else if (quota_total(q) > 4)
			quota_remove(q, i - 4 * 4);
	}
	assert_true(quota_total(q) <= 5);
	assert_int_equal(quota_set(q, 5000, 42), 0);
	assert_int_equal(quota_count(q, 42), 1);
	assert_int_equal(quota_owner(q, 5000, &(uid_t){ 0 }), 0);
	quota_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_many_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
