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
#include "model-test.h"

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

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The table in the kernel's format, then "kind[/severity] start-end type
 * pid N comm" for each anomaly, in the order found, or sorted (@sorted)
 * for a comparison that the order of unrelated events must not change.
 */
static char *summarize_model(struct pt_model *m, bool sorted)
{
	size_t n = pt_model_anomaly_count(m), len = 0;
	_cleanup_free_ char **lines = calloc(n + 1, sizeof(*lines));
	char *text = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(lines);
	f = open_memstream(&text, &len);
	pt_model_foreach_entry(m, 0, UINT64_MAX, table_line, f);
	for (size_t i = 0; i < n; i++) {
		const struct pt_anomaly *a = pt_model_anomaly(m, i);
		const char *sev = pt_severity_name(a->severity);
		const char *comm = pt_strtab_get(pt_model_strings(m), a->comm);

		ck_assert_int_gt(asprintf(&lines[i], "%s%s%s 0x%" PRIx64 "-0x%" PRIx64 " %s pid %" PRId32 " %s\n",
					  pt_anomaly_kind_name(a->kind), sev ? "/" : "", sev ? sev : "",
					  a->start, a->end, pt_type_name(a->type) ?: "-", a->pid,
					  *comm ? comm : "-"), 0);
	}
	if (sorted)
		qsort(lines, n, sizeof(*lines), by_text);
	for (size_t i = 0; i < n; i++) {
		fputs(lines[i], f);
		free(lines[i]);
	}
	fclose(f);
	return text;
}

static char *summarize(const char *path)
{
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *r = NULL;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_event ev;
	int k;

	ck_assert_int_eq(pt_trace_reader_open(path, &r), 0);
	ck_assert_int_eq(pt_model_new(&m), 0);
	while ((k = pt_trace_read(r, &ev)) != 0) {
		ck_assert_msg(k == 1, "%s:%lu: unreadable: %s", path, pt_trace_line(r), pt_trace_error(r));
		ck_assert_msg(pt_model_apply(m, &ev) == 0, "%s:%lu: rejected", path, pt_trace_line(r));
	}
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	return summarize_model(m, false);
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

/* ---- the order of events of different processes -------------------------- */

/*
 * The BPF programs take a number and a ring buffer slot apart, so on
 * several CPUs (and on PREEMPT_RT, where a program is preempted between
 * the two) events of different processes come out of number order.  Each
 * process's own events keep their order: a process makes its next call
 * only once the last one's program has put its event in the ring.  The
 * model's verdicts on what different processes do with different ranges
 * must not depend on how their events interleave.  (The same range used
 * by several processes at once is another matter: no probe after the
 * call, the shim's or BPF's, sees the order the kernel's lock gave.)
 */
#define TASKS 5
#define TASK_EVENTS 40

struct task_events {
	struct pt_event ev[TASK_EVENTS];
	size_t n, next;
};

static const char *const comms[TASKS] = { "t0", "t1", "t2", "t3", "t4" };

/* Task @t's calls on its own two pages: maps and unmaps, a failed free, a leak, its exit. */
static void make_task(struct task_events *te, unsigned t, unsigned seed)
{
	uint64_t page = P(16 * t);
	bool leaked = false;

	te->n = te->next = 0;
	for (unsigned i = 0; te->n + 3 < TASK_EVENTS; i++) {
		unsigned what = (unsigned)random() % 8;
		uint64_t s = page + (uint64_t)(what % 2) * 0x1000;
		struct pt_event r = {
			.kind = PT_EV_RESERVE, .start = s, .end = s + 0x1000, .req = WC, .got = WC,
			.has_ret = true, .pid = 100 + (int32_t)t, .comm = comms[t], .comm_len = 2,
			.stack = USER_MMAP_STACK, .stack_len = strlen(USER_MMAP_STACK),
		};
		struct pt_event f = {
			.kind = PT_EV_FREE, .start = s, .end = s + 0x1000, .has_ret = true,
			.pid = r.pid, .comm = r.comm, .comm_len = 2,
		};

		if (what == 7) {
			f.start = f.end = page + 0x8000;	/* never mapped: an invalid free */
			f.end += 0x1000;
			f.ret = -EINVAL;
			te->ev[te->n++] = f;
			continue;
		}
		te->ev[te->n++] = r;
		if (what == 6 && !leaked && seed % 2) {
			leaked = true;	/* kept past the exit: a leak */
			continue;
		}
		te->ev[te->n++] = f;
	}
	te->ev[te->n++] = (struct pt_event){ .kind = PT_EV_EXIT, .pid = 100 + (int32_t)t };
}

/* The tasks' events into @m, merged in a random order that keeps each task's own. */
static char *replay_merged(struct task_events *tasks, bool shuffle)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	size_t left = 0;
	unsigned rr = 0;

	for (unsigned t = 0; t < TASKS; t++) {
		tasks[t].next = 0;
		left += tasks[t].n;
	}
	for (; left; left--) {
		unsigned t = shuffle ? (unsigned)random() % TASKS : rr++ % TASKS;

		while (tasks[t].next == tasks[t].n)
			t = (t + 1) % TASKS;
		ck_assert_int_eq(pt_model_apply(m, &tasks[t].ev[tasks[t].next++]), 0);
	}
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	return summarize_model(m, true);
}

START_TEST(test_cross_task_order_is_harmless)
{
	struct task_events tasks[TASKS];
	_cleanup_free_ char *want = NULL;
	uint64_t seq = 1;

	srandom((unsigned)_i + 1);
	for (unsigned t = 0; t < TASKS; t++)
		make_task(&tasks[t], t, (unsigned)_i);
	/* numbered in the order of a round robin, as if that were the kernel's */
	for (size_t k = 0; k < TASK_EVENTS; k++)
		for (unsigned t = 0; t < TASKS; t++)
			if (k < tasks[t].n) {
				tasks[t].ev[k].has_seq = true;
				tasks[t].ev[k].seq = seq++;
			}
	want = replay_merged(tasks, false);
	ck_assert_msg(strstr(want, "invalid-free") != NULL, "%s", want);
	ck_assert_msg(!strstr(want, "drift"), "%s", want);
	for (unsigned shuffle = 0; shuffle < 20; shuffle++) {
		_cleanup_free_ char *got = replay_merged(tasks, true);

		ck_assert_msg(strcmp(got, want) == 0, "seed %d, shuffle %u:\n--- got\n%s--- in order\n%s",
			      _i + 1, shuffle, got, want);
	}
}
END_TEST

CHECK_MAIN("scenarios",
	   TEST_ONCE(test_scenarios), TEST_LOOP(test_cross_task_order_is_harmless, 8))
