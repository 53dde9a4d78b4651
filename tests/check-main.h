/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The main() of every Check test program: run one suite, exit non-zero on a failure. */

#include <check.h>
#include <stdlib.h>

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
