// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackd.conf: durations, keys, drop-ins in order, errors named. */
#include "check-main.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "service/conf.h"
#include "source/open.h"

START_TEST(test_durations)
{
	uint64_t v;

	ck_assert_int_eq(pt_parse_duration("90", &v), 0);
	ck_assert_uint_eq(v, 90000000);
	ck_assert_int_eq(pt_parse_duration("1.5s", &v), 0);
	ck_assert_uint_eq(v, 1500000);
	ck_assert_int_eq(pt_parse_duration("500ms", &v), 0);
	ck_assert_uint_eq(v, 500000);
	ck_assert_int_eq(pt_parse_duration("2min", &v), 0);
	ck_assert_uint_eq(v, 120000000);
	ck_assert_int_eq(pt_parse_duration("1h", &v), 0);
	ck_assert_uint_eq(v, 3600000000ULL);
	ck_assert_int_eq(pt_parse_duration("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	ck_assert_int_eq(pt_parse_duration("", &v), -EINVAL);
	ck_assert_int_eq(pt_parse_duration("soon", &v), -EINVAL);
	ck_assert_int_eq(pt_parse_duration("-1s", &v), -EINVAL);
	ck_assert_int_eq(pt_parse_duration("5 parsecs", &v), -EINVAL);
	ck_assert_int_eq(pt_parse_duration("nan", &v), -EINVAL);
	ck_assert_int_eq(pt_parse_duration("1e30", &v), -ERANGE);
}
END_TEST

START_TEST(test_keys)
{
	struct pt_conf c;

	pt_conf_defaults(&c);
	ck_assert_str_eq(pt_source_kind_name(c.source), "auto");
	ck_assert_uint_eq(c.reconcile_usec, 60000000);
	ck_assert_uint_eq(c.leak_grace_usec, 2000000);
	ck_assert_int_eq(pt_conf_set(&c, "Source", "netlink"), 0);
	ck_assert_str_eq(pt_source_kind_name(c.source), "netlink");
	ck_assert_int_eq(pt_conf_set(&c, "Source", "carrier-pigeon"), -EINVAL);
	ck_assert_int_eq(pt_conf_set(&c, "PollSec", "1ms"), -ERANGE);
	ck_assert_int_eq(pt_conf_set(&c, "History", "12x"), -EINVAL);
	ck_assert_int_eq(pt_conf_set(&c, "History", "0"), 0);
	ck_assert_uint_eq(c.history, 0);
	ck_assert_int_eq(pt_conf_set(&c, "Colour", "blue"), -ENOENT);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_files_and_drop_ins)
{
	char dir[] = "/tmp/pattrack-conf-XXXXXX", path[128], d[160], p[256];
	struct pt_conf c;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pattrackd.conf", dir);
	snprintf(d, sizeof(d), "%s.d", path);

	/* none at all: the defaults */
	pt_conf_defaults(&c);
	ck_assert_int_eq(pt_conf_load(&c, path), 0);
	ck_assert_uint_eq(c.leak_grace_usec, 2000000);

	write_file(path, "# comment\n[Tracker]\nLeakGraceSec = 5s\nReconcileSec=0\n"
			 "Colour=blue\n[Other]\nLeakGraceSec=oops\n");
	ck_assert_int_eq(mkdir(d, 0755), 0);
	snprintf(p, sizeof(p), "%s/20-b.conf", d);
	write_file(p, "[Tracker]\nLeakGraceSec=7s\n");
	snprintf(p, sizeof(p), "%s/10-a.conf", d);
	write_file(p, "[Tracker]\nLeakGraceSec=6s\nSource=debugfs\n");
	snprintf(p, sizeof(p), "%s/30-c.txt", d);
	write_file(p, "[Tracker]\nLeakGraceSec=oops\n");	/* not *.conf: ignored */

	pt_conf_defaults(&c);
	ck_assert_int_eq(pt_conf_load(&c, path), 0);
	ck_assert_uint_eq(c.leak_grace_usec, 7000000);	/* 20-b comes last */
	ck_assert_uint_eq(c.reconcile_usec, 0);
	ck_assert_str_eq(pt_source_kind_name(c.source), "debugfs");

	snprintf(p, sizeof(p), "%s/40-bad.conf", d);
	write_file(p, "[Tracker]\nPollSec=fast\n");
	ck_assert_int_eq(pt_conf_load(&c, path), -EINVAL);
	write_file(p, "[Tracker]\nno equals sign\n");
	ck_assert_int_eq(pt_conf_load(&c, path), -EINVAL);

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(p), 0);
}
END_TEST

CHECK_MAIN("conf",
	   TEST_ONCE(test_durations), TEST_ONCE(test_keys), TEST_ONCE(test_files_and_drop_ins))
