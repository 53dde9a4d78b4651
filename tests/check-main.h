/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The main() of every Check test program, from its list of tests:
 *
 *   CHECK_MAIN("model", TEST_ONCE(test_a), TEST_ONCE(test_b), TEST_LOOP(test_random, 4))
 *
 * runs them as one suite, each in a process of its own; a loop test runs
 * for _i = 0 .. n - 1 (a seed each).  Check's output follows CK_VERBOSITY
 * and its timeout CK_DEFAULT_TIMEOUT; meson sets CK_TAP_LOG_FILE_NAME=- and
 * reads the results as TAP.  Exits non-zero when a test failed.
 */

#include <check.h>
#include <stddef.h>
#include <stdlib.h>

struct check_test {
	const TTest *test;
	int loops;	/* 0: once */
};

#define TEST_ONCE(t) { (t), 0 }
#define TEST_LOOP(t, n) { (t), (n) }

static inline int run_tests(const char *name, const struct check_test *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	SRunner *sr;
	int failed;

	for (size_t i = 0; i < n; i++)
		tcase_add_loop_test(tc, tests[i].test, 0, tests[i].loops ? tests[i].loops : 1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define CHECK_MAIN(name, ...)                                                       \
	int main(void)                                                              \
	{                                                                           \
		const struct check_test tests[] = { __VA_ARGS__ };                  \
		return run_tests((name), tests, sizeof(tests) / sizeof(tests[0]));  \
	}
