// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every scenario class of docs/kernel-notes.md as a hand-written trace
 * (tests/traces/NAME.jsonl) replayed into the model; the final table and
 * the anomalies must equal NAME.expected.
 */
#include "check-main.h"
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include "core/trace.h"
#include "core/util.h"
#include "ctl/report.h"

static const char *traces_dir(void)
{
	const char *d = getenv("PATTRACK_TRACES");

	return d ? d : "tests/traces";
}

static int table_line(const struct pt_entry_info *e, void *userdata)
{
	FILE *f = userdata;

	pt_print_entry_line(f, e->start, e->end, e->type);
	fputc('\n', f);
	return 0;
}

/* The table in the kernel's format, then "kind[/severity] start-end type pid N comm". */
static char *summarize(const char *path)
{
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *r = NULL;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_event ev;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int k;

	ck_assert_int_eq(pt_trace_reader_open(path, &r), 0);
	ck_assert_int_eq(pt_model_new(&m), 0);
	while ((k = pt_trace_read(r, &ev)) != 0) {
		ck_assert_msg(k == 1, "%s:%lu: unreadable: %s", path, pt_trace_line(r), pt_trace_error(r));
		ck_assert_msg(pt_model_apply(m, &ev) == 0, "%s:%lu: rejected", path, pt_trace_line(r));
	}
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);

	f = open_memstream(&text, &len);
	pt_model_foreach_entry(m, 0, UINT64_MAX, table_line, f);
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++) {
		const struct pt_anomaly *a = pt_model_anomaly(m, i);
		const char *sev = pt_severity_name(a->severity);
		const char *comm = pt_strtab_get(pt_model_strings(m), a->comm);

		fprintf(f, "%s%s%s 0x%" PRIx64 "-0x%" PRIx64 " %s pid %" PRId32 " %s\n",
			pt_anomaly_kind_name(a->kind), sev ? "/" : "", sev ? sev : "", a->start,
			a->end, pt_type_name(a->type) ?: "-", a->pid, *comm ? comm : "-");
	}
	fclose(f);
	return text;
}

START_TEST(test_scenarios)
{
	DIR *d = opendir(traces_dir());
	struct dirent *de;
	unsigned n = 0;

	ck_assert_msg(d != NULL, "no traces at %s", traces_dir());
	while ((de = readdir(d))) {
		char path[PATH_MAX], expected_path[PATH_MAX];
		_cleanup_free_ char *got = NULL, *want = NULL;
		size_t l = strlen(de->d_name);

		if (l < 7 || strcmp(de->d_name + l - 6, ".jsonl") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", traces_dir(), de->d_name);
		snprintf(expected_path, sizeof(expected_path), "%s/%.*s.expected", traces_dir(),
			 (int)(l - 6), de->d_name);
		ck_assert_msg(read_full_file(expected_path, &want, NULL) == 0, "missing %s", expected_path);
		got = summarize(path);
		ck_assert_msg(strcmp(got, want) == 0, "%s:\n--- got\n%s--- expected\n%s", de->d_name, got, want);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 12);
}
END_TEST

CHECK_MAIN("scenarios",
	   TEST_ONCE(test_scenarios))
