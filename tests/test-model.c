// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model: one test per semantic rule, and a randomized comparison with
 * a brute-force transcription of the kernel's memtype_check_conflict() and
 * memtype_erase() (fixed seeds).
 */
#include "check-main.h"
#include <stdlib.h>

#include "core/model.h"
#include "core/util.h"

#define WB PATTRACK_TYPE_WB
#define WC PATTRACK_TYPE_WC
#define UCM PATTRACK_TYPE_UC_MINUS
#define UC PATTRACK_TYPE_UC
#define WT PATTRACK_TYPE_WT
#define P(n) (0xfe000000ULL + (uint64_t)(n) * 0x1000)

static struct pt_model *new_model(void)
{
	struct pt_model *m;

	ck_assert_int_eq(pt_model_new(&m), 0);
	return m;
}

static int reserve(struct pt_model *m, uint64_t s, uint64_t e, int req, int got, int ret,
		   int32_t pid, const char *comm)
{
	struct pt_event ev = {
		.kind = PT_EV_RESERVE, .start = s, .end = e, .req = req,
		.strict = got == PT_TYPE_NONE, .got = got, .has_ret = true, .ret = ret,
		.pid = pid, .comm = comm, .comm_len = strlen(comm),
	};

	return pt_model_apply(m, &ev);
}

static int fre(struct pt_model *m, uint64_t s, uint64_t e, int ret, int32_t pid)
{
	struct pt_event ev = {
		.kind = PT_EV_FREE, .start = s, .end = e, .has_ret = true, .ret = ret, .pid = pid,
		.comm = "t", .comm_len = 1,
	};

	return pt_model_apply(m, &ev);
}

static void apply_simple(struct pt_model *m, enum pt_event_kind kind, uint64_t s, uint64_t e,
			 int type, int32_t pid)
{
	struct pt_event ev = { .kind = kind, .start = s, .end = e, .type = type, .pid = pid };

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

struct table {
	size_t n;
	struct pt_entry_info e[64];
};

static int grab(const struct pt_entry_info *e, void *userdata)
{
	struct table *t = userdata;

	if (t->n < ELEMENTSOF(t->e))
		t->e[t->n] = *e;
	t->n++;
	return 0;
}

static struct table table_of(const struct pt_model *m)
{
	struct table t = { 0 };

	pt_model_foreach_entry(m, 0, UINT64_MAX, grab, &t);
	return t;
}

static unsigned count_kind(const struct pt_model *m, enum pt_anomaly_kind k)
{
	return (unsigned)pt_model_stats(m)->anomalies[k];
}

static const struct pt_anomaly *find_kind(const struct pt_model *m, enum pt_anomaly_kind k)
{
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		if (pt_model_anomaly(m, i)->kind == k)
			return pt_model_anomaly(m, i);
	return NULL;
}

/* ---- one test per rule --------------------------------------------------- */

START_TEST(test_identical_ranges_are_separate_entries)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 1, "a"), 0);
	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 2, "b"), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_first_overlap_sets_found_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	reserve(m, P(0), P(1), UCM, UCM, 0, 1, "a");
	/* non-strict WC over UC-: granted UC-, degraded (slow), no drift */
	reserve(m, P(0), P(2), WC, UCM, 0, 2, "b");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_DEGRADED);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->severity, PT_SEV_SLOW);
	ck_assert_int_eq(a->party[0].pid, 1);	/* names the entry that forced it */
	ck_assert_int_eq(table_of(m).e[1].type, UCM);
}
END_TEST

START_TEST(test_every_overlap_must_match_found_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	reserve(m, P(0), P(1), WC, WC, 0, 10, "A");
	reserve(m, P(1), P(2), UCM, UCM, 0, 11, "B");
	reserve(m, P(0), P(2), WC, WC, -EBUSY, 12, "C");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_CONFLICT);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->pid, 12);
	ck_assert_uint_eq(a->n_parties, 2);
	ck_assert_int_eq(a->party[0].pid, 10);
	ck_assert_int_eq(a->party[1].pid, 11);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
}
END_TEST

START_TEST(test_strict_request_fails_on_other_type)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve(m, P(0), P(1), UCM, PT_TYPE_NONE, 0, 1, "a");
	reserve(m, P(0), P(1), UCM, PT_TYPE_NONE, 0, 2, "b");	/* same type: fine */
	reserve(m, P(0), P(1), WC, PT_TYPE_NONE, -EBUSY, 3, "c");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_CONFLICT), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
}
END_TEST

START_TEST(test_free_exact_match)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve(m, P(0), P(4), WC, WC, 0, 1, "a");
	ck_assert_int_eq(fre(m, P(0), P(4), 0, 1), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_free_end_match_shrinks)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	reserve(m, P(0), P(4), WC, WC, 0, 1, "a");
	fre(m, P(1), P(4), 0, 1);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].start, P(0));
	ck_assert_uint_eq(t.e[0].end, P(1));
	ck_assert(t.e[0].shrunk);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_free_exact_before_end_match)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	reserve(m, P(0), P(4), WC, WC, 0, 1, "a");
	reserve(m, P(2), P(4), WC, WC, 0, 2, "b");
	fre(m, P(2), P(4), 0, 1);	/* exact match wins over shrinking a's */
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].end, P(4));
}
END_TEST

START_TEST(test_free_nothing_is_invalid)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	reserve(m, P(0), P(4), WC, WC, 0, 1, "a");
	fre(m, P(0), P(1), -EINVAL, 1);	/* head: neither exact nor same end */
	fre(m, P(1), P(2), -EINVAL, 1);	/* middle */
	ck_assert_uint_eq(count_kind(m, PT_AN_INVALID_FREE), 2);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	a = find_kind(m, PT_AN_INVALID_FREE);
	ck_assert_int_eq(a->type, WC);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

START_TEST(test_ram_never_in_tree)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	apply_simple(m, PT_EV_RAM, 0x100000, 0x40000000, 0, 0);
	reserve(m, 0x10000000, 0x10001000, WC, WC, 0, 1, "a");
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	fre(m, 0x10000000, 0x10001000, 0, 1);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
	/* a hole before RAM makes it mixed: -EINVAL */
	apply_simple(m, PT_EV_RAM, 0x50000000, 0x60000000, 0, 0);
	reserve(m, 0x4ffff000, 0x50001000, WC, WC, -EINVAL, 1, "a");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
}
END_TEST

START_TEST(test_isa_range_untracked)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve(m, 0xc0000, 0xc1000, UCM, WB, 0, 1, "devmem");
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);	/* WB granted, but untracked */
	fre(m, 0xc0000, 0xc1000, 0, 1);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
	/* straddling the ISA start is tracked */
	reserve(m, 0x9f000, 0xa1000, WB, WB, 0, 1, "x");
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

START_TEST(test_drift_applies_kernel_outcome)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_anomaly *a;

	reserve(m, P(0), P(1), WC, WC, 0, 1, "a");
	/* the kernel says UC- was granted where the model expects WC */
	reserve(m, P(0), P(1), UCM, UCM, 0, 2, "b");
	a = find_kind(m, PT_AN_DRIFT);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(a->pred_got, WC);
	ck_assert_int_eq(a->got, UCM);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_int_eq(table_of(m).e[1].type, UCM);
}
END_TEST

START_TEST(test_prediction_without_ret)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event ev = { .kind = PT_EV_RESERVE, .start = P(0), .end = P(1), .req = WC };

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
	ev.req = UCM;
	ck_assert_int_eq(pt_model_apply(m, &ev), 0);	/* predicted: WC granted */
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_int_eq(table_of(m).e[1].type, WC);
}
END_TEST

START_TEST(test_degraded_hazard_and_mtrr)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve(m, P(0), P(1), WC, WC, 0, 1, "a");
	reserve(m, P(0), P(1), UCM, WC, 0, 2, "regs");
	ck_assert_int_eq(find_kind(m, PT_AN_DEGRADED)->severity, PT_SEV_HAZARD);
	/* a WB request granted UC- on an empty range: the MTRRs, not drift */
	reserve(m, P(8), P(9), WB, UCM, 0, 3, "x");
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DEGRADED), 2);
}
END_TEST

START_TEST(test_leak_after_exit_only)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	reserve(m, P(0), P(1), WC, WC, 0, 7, "a");
	apply_simple(m, PT_EV_ENTRY, P(4), P(5), UCM, 0);	/* pre-existing: never a leak */
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 7);
	reserve(m, P(2), P(3), WC, WC, 0, 7, "reused");	/* same pid, after the exit */
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);	/* judged once */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LEAK)->start, P(0));
}
END_TEST

START_TEST(test_leaks_judged_up_to_an_exit)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	uint64_t first_exit;

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 1, "a"), 0);
	ck_assert_int_eq(reserve(m, P(2), P(3), WC, WC, 0, 2, "b"), 0);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 1);
	first_exit = pt_model_clock(m);
	apply_simple(m, PT_EV_EXIT, 0, 0, 0, 2);
	/* the daemon's grace period: only the exits old enough are judged */
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, first_exit - 1), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 0);
	ck_assert_int_eq(pt_model_judge_leaks_upto(m, first_exit), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 1);
	ck_assert_int_eq(find_kind(m, PT_AN_LEAK)->pid, 1);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 2);
	ck_assert_int_eq(pt_model_judge_leaks(m), 0);	/* once each */
	ck_assert_uint_eq(count_kind(m, PT_AN_LEAK), 2);
}
END_TEST

START_TEST(test_free_prefers_own_identical_entry)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct table t;

	reserve(m, P(0), P(1), WC, WC, 0, 1, "a");
	reserve(m, P(0), P(1), WC, WC, 0, 2, "b");
	fre(m, P(0), P(1), 0, 2);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(t.e[0].pid, 1);
}
END_TEST

START_TEST(test_bad_events_rejected)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event ev = { .kind = PT_EV_ENTRY, .start = 5, .end = 5, .type = WC };

	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	ev = (struct pt_event){ .kind = PT_EV_RESERVE, .start = 0, .end = 1, .req = 42 };
	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	ev = (struct pt_event){ .kind = (enum pt_event_kind)99 };
	ck_assert_int_eq(pt_model_apply(m, &ev), -EINVAL);
	/* an empty reserve range is the kernel's -EINVAL, not a model error */
	ck_assert_int_eq(reserve(m, P(1), P(1), WC, WC, -EINVAL, 1, "a"), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_models_are_independent)
{
	_cleanup_(pt_model_freep) struct pt_model *a = new_model();
	_cleanup_(pt_model_freep) struct pt_model *b = new_model();

	reserve(a, P(0), P(1), WC, WC, 0, 1, "a");
	ck_assert_uint_eq(pt_model_entry_count(a), 1);
	ck_assert_uint_eq(pt_model_entry_count(b), 0);
}
END_TEST

/* ---- randomized against the kernel, transcribed by brute force ----------- */

struct kentry {
	uint64_t start, end, order;
	int type;
	int32_t pid;	/* the owner the model should name: not the kernel's, the model's rule */
};

struct kernel {
	struct kentry e[4096];
	size_t n;
	uint64_t next_order;
};

static int kcmp(const void *a, const void *b)
{
	const struct kentry *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Entries overlapping [s, e) in tree order. */
static size_t koverlaps(struct kernel *k, uint64_t s, uint64_t e, size_t *idx)
{
	size_t n = 0;

	qsort(k->e, k->n, sizeof(k->e[0]), kcmp);
	for (size_t i = 0; i < k->n; i++)
		if (k->e[i].start < e && k->e[i].end > s)
			idx[n++] = i;
	return n;
}

/* memtype_check_conflict() + memtype_check_insert(), word for word. */
static int kreserve(struct kernel *k, uint64_t s, uint64_t e, int req, bool strict, int *got,
		    int32_t pid)
{
	static size_t idx[4096];
	size_t n = koverlaps(k, s, e, idx);
	int found = req;

	if (n) {
		if (k->e[idx[0]].type != found && strict)
			return -EBUSY;
		found = k->e[idx[0]].type;
		for (size_t i = 1; i < n; i++)
			if (k->e[idx[i]].type != found)
				return -EBUSY;
	}
	*got = found;
	k->e[k->n++] = (struct kentry){ s, e, k->next_order++, strict ? req : found, pid };
	return 0;
}

/*
 * memtype_erase(), word for word; and the model's owner rule on top: when
 * the freeing process owns an entry just like the one the kernel takes,
 * the two swap owners first.
 */
static int kfree(struct kernel *k, uint64_t s, uint64_t e, int32_t pid)
{
	static size_t idx[4096];
	size_t n = koverlaps(k, s, e, idx), hit = SIZE_MAX;

	for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
		if (k->e[idx[i]].start == s && k->e[idx[i]].end == e)
			hit = idx[i];
	for (size_t i = 0; i < n && hit == SIZE_MAX; i++)
		if (k->e[idx[i]].start < s && k->e[idx[i]].end == e)
			hit = idx[i];
	if (hit == SIZE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct kentry *x = &k->e[idx[i]];

		if (x->start == k->e[hit].start && x->end == e && x->type == k->e[hit].type &&
		    x->pid == pid) {
			x->pid = k->e[hit].pid;
			k->e[hit].pid = pid;
			break;
		}
	}
	if (k->e[hit].start == s) {
		k->e[hit] = k->e[--k->n];
	} else {
		k->e[hit].end = s;
		k->e[hit].order = k->next_order++;
	}
	return 0;
}

struct walk {
	const struct kentry *want;
	size_t i;
	bool ok;
};

static int walk_step(const struct pt_entry_info *e, void *userdata)
{
	struct walk *w = userdata;
	const struct kentry *k = &w->want[w->i++];

	if (e->start != k->start || e->end != k->end || e->type != k->type || e->pid != k->pid) {
		if (w->ok)
			fprintf(stderr, "at %zu: model %llx-%llx %d pid %d, kernel %llx-%llx %d pid %d\n",
				w->i - 1, (unsigned long long)e->start, (unsigned long long)e->end,
				e->type, e->pid, (unsigned long long)k->start,
				(unsigned long long)k->end, k->type, k->pid);
		w->ok = false;
	}
	return 0;
}

/* The model's table, in order, must equal the kernel's value by value. */
static void compare_tables(struct kernel *k, const struct pt_model *m, unsigned seed, unsigned op)
{
	static struct kentry want[4096];
	struct walk w = { want, 0, true };

	memcpy(want, k->e, k->n * sizeof(want[0]));
	qsort(want, k->n, sizeof(want[0]), kcmp);
	ck_assert_msg(pt_model_entry_count(m) == k->n, "seed %u op %u: %zu entries, kernel %zu",
		      seed, op, pt_model_entry_count(m), k->n);
	pt_model_foreach_entry(m, 0, UINT64_MAX, walk_step, &w);
	ck_assert_msg(w.ok, "seed %u op %u: table differs from the kernel's", seed, op);
}

/* A free of [s, e), or more often of an existing range or its tail, applied to both. */
static void random_free(struct pt_model *m, struct kernel *k, uint64_t s, uint64_t e, int32_t pid,
			bool report_outcome)
{
	struct pt_event ev;

	if (k->n && random() % 3) {
		struct kentry *x = &k->e[random() % k->n];

		s = x->start + (random() % 2 ? 0 : 0x1000 * (uint64_t)(random() % 3));
		e = x->end;
		if (s >= e)
			s = x->start;
	}
	ev = (struct pt_event){
		.kind = PT_EV_FREE, .start = s, .end = e,
		.has_ret = report_outcome, .ret = kfree(k, s, e, pid), .pid = pid,
	};
	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

static void random_run(unsigned seed, bool report_outcome)
{
	static struct kernel k;
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	static const int types[] = { WB, WC, UCM, UC };

	memset(&k, 0, sizeof(k));
	srandom(seed);
	for (unsigned op = 0; op < 6000; op++) {
		uint64_t s = P(random() % 48), e = s + 0x1000 * (1 + (uint64_t)(random() % 6));
		int32_t pid = 1 + (int32_t)(random() % 5);
		unsigned drift0 = count_kind(m, PT_AN_DRIFT);

		if (random() % 2 && k.n < 4000) {
			int req = types[random() % 4], got = req;
			bool strict = random() % 4 == 0;
			int ret = kreserve(&k, s, e, req, strict, &got, pid);
			struct pt_event ev = {
				.kind = PT_EV_RESERVE, .start = s, .end = e, .req = req,
				.strict = strict, .got = strict ? PT_TYPE_NONE : got,
				.has_ret = report_outcome, .ret = ret, .pid = pid,
			};

			ck_assert_int_eq(pt_model_apply(m, &ev), 0);
		} else {
			random_free(m, &k, s, e, pid, report_outcome);
		}
		ck_assert_msg(count_kind(m, PT_AN_DRIFT) == drift0,
			      "seed %u op %u: the model's prediction differs from the kernel's", seed, op);
		if (op % 16 == 0) {
			compare_tables(&k, m, seed, op);
			ck_assert_msg(pt_model_check(m), "seed %u op %u: tree or index broken", seed, op);
		}
	}
	compare_tables(&k, m, seed, 6000);
}

START_TEST(test_random_vs_kernel_reported)
{
	/* the kernel's outcome is reported: no drift may be recorded, tables equal */
	random_run(1000u + (unsigned)_i, true);
}
END_TEST

START_TEST(test_random_vs_kernel_predicted)
{
	/* nothing reported: the model's own prediction must end in the kernel's table */
	random_run(2000u + (unsigned)_i, false);
}
END_TEST

/* ---- resynchronisation from the kernel's list ----------------------------- */

START_TEST(test_resync_identical_keeps_owners)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(0), P(1), WC }, { P(0), P(1), UCM } };
	struct pt_sync_result res;
	struct table t;

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 7, "a"), 0);
	ck_assert_int_eq(reserve(m, P(0), P(1), UCM, WC, 0, 8, "b"), 0);
	/* the kernel granted WC to b, but its list says UC-: b's entry is not the kernel's */
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, k, 2, &res), 0);
	ck_assert_uint_eq(res.kept, 1);
	ck_assert_uint_eq(res.added, 1);
	ck_assert_uint_eq(res.removed, 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 2);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.e[0].pid, 7);
	ck_assert_int_eq(t.e[1].type, UCM);
	ck_assert(t.e[1].resynced);
	ck_assert_int_eq(t.e[1].pid, 0);

	/* again: nothing differs now */
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, k, 2, &res), 0);
	ck_assert_uint_eq(res.kept, 2);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 2);
}
END_TEST

START_TEST(test_resync_drift_names_both_sides)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(2), P(3), UC } };
	const struct pt_anomaly *a;
	char buf[512];

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 7, "xorg"), 0);
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, k, 1, NULL), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 2);
	a = pt_model_anomaly(m, 0);
	ck_assert_int_eq(a->kind, PT_AN_DRIFT);
	ck_assert(!a->kernel_only);
	ck_assert_int_eq(a->pid, 7);
	ck_assert_uint_eq(a->start, P(0));
	pt_anomaly_explain(m, a, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "pid 7 (xorg)") && strstr(buf, "kernel's list lacks"), "%s", buf);
	a = pt_model_anomaly(m, 1);
	ck_assert(a->kernel_only);
	ck_assert_int_eq(a->type, UC);
	pt_anomaly_explain(m, a, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "0xfe002000-0xfe003000 uncached") != NULL, "%s", buf);
}
END_TEST

START_TEST(test_resync_after_loss_is_one_loss_anomaly)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(1), P(2), WC } };
	const struct pt_anomaly *a;

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 7, "a"), 0);
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_LOSS, 42, k, 1, NULL), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_LOSS), 1);
	a = find_kind(m, PT_AN_LOSS);
	ck_assert_uint_eq(a->lost, 42);
	ck_assert(a->resynced);
	ck_assert_uint_eq(a->added, 1);
	ck_assert_uint_eq(a->removed, 1);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
}
END_TEST

START_TEST(test_resync_restores_kernel_order)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	/* the same two entries in the other order among equal starts */
	const struct pt_kentry k[] = { { P(0), P(2), WC }, { P(0), P(1), WC } };
	struct table t;

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 1, "a"), 0);
	ck_assert_int_eq(reserve(m, P(0), P(2), WC, WC, 0, 2, "b"), 0);
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_POLL, 0, k, 2, NULL), 0);
	t = table_of(m);
	ck_assert_uint_eq(t.e[0].end, P(2));
	ck_assert_int_eq(t.e[0].pid, 2);
	ck_assert_int_eq(t.e[1].pid, 1);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 0);
}
END_TEST

START_TEST(test_sync_block_events)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 3 };
	struct pt_event end = { .kind = PT_EV_SYNC_END };

	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 7, "a"), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), -EINVAL);	/* no block open */
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	apply_simple(m, PT_EV_ENTRY, P(4), P(5), UC, 0);
	/* only the kernel's list belongs in a block */
	ck_assert_int_eq(reserve(m, P(0), P(1), WC, WC, 0, 7, "a"), -EINVAL);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_uint_eq(table_of(m).e[0].start, P(4));
	ck_assert_uint_eq(find_kind(m, PT_AN_LOSS)->lost, 3);
}
END_TEST

START_TEST(test_resync_sorts_torn_list)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	/* a debugfs read racing changes: out of order; equal starts keep their order */
	const struct pt_kentry k[] = { { P(3), P(4), WC }, { P(1), P(3), UC }, { P(1), P(2), WC } };
	const struct pt_kentry bad[] = { { P(3), P(3), WC } };
	struct table t;

	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_LOSS, 1, k, 3, NULL), 0);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 3);
	ck_assert_uint_eq(t.e[0].end, P(3));
	ck_assert_uint_eq(t.e[1].end, P(2));
	ck_assert_uint_eq(t.e[2].start, P(3));
	ck_assert_uint_eq(count_kind(m, PT_AN_LOSS), 1);
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, bad, 1, NULL), -EINVAL);
	ck_assert_int_eq(pt_model_resync(m, _PT_SYNC_MAX, 0, NULL, 0, NULL), -EINVAL);
}
END_TEST

struct table_big {
	size_t n;
	struct pt_entry_info e[4096];
};

static int grab_big(const struct pt_entry_info *e, void *userdata)
{
	struct table_big *t = userdata;

	if (t->n < ELEMENTSOF(t->e))
		t->e[t->n] = *e;
	t->n++;
	return 0;
}

static int kentry_cmp(const void *a, const void *b)
{
	const struct pt_kentry *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * A random table, a random kernel list made from it (some entries gone,
 * some new), a resync: the table is the list, in its order, and the drift
 * anomalies count exactly what differed.
 */
START_TEST(test_resync_random)
{
	unsigned seed = 3000u + (unsigned)_i;
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	static struct pt_kentry k[4096];
	static struct table_big t;
	size_t n = 0, owned = 0;
	struct pt_sync_result res;
	unsigned drift0;

	srand(seed);
	for (int i = 0; i < 1500; i++) {
		uint64_t s = P(rand() % 64), len = (uint64_t)(1 + rand() % 4) * 0x1000;
		int type = rand() % 2 ? WC : UCM;

		/* reported outcomes, whatever they are, are what the model keeps */
		reserve(m, s, s + len, type, type, 0, 1 + rand() % 100, "r");
	}
	t.n = 0;
	pt_model_foreach_entry(m, 0, UINT64_MAX, grab_big, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (rand() % 5 == 0)
			continue;
		k[n++] = (struct pt_kentry){ t.e[i].start, t.e[i].end, t.e[i].type };
	}
	for (int i = 0; i < 300; i++) {
		uint64_t s = P(rand() % 80);

		k[n++] = (struct pt_kentry){ s, s + 0x1000, rand() % 2 ? WT : UC };
	}
	/* stable: new entries go behind the kept ones of their start, as the kernel's tree */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && kentry_cmp(&k[j - 1], &k[j]) > 0; j--) {
			struct pt_kentry x = k[j];

			k[j] = k[j - 1];
			k[j - 1] = x;
		}
	drift0 = count_kind(m, PT_AN_DRIFT);	/* the reserves' own, granted regardless */
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, k, n, &res), 0);
	ck_assert(pt_model_check(m));
	ck_assert_uint_eq(res.added, 300);
	ck_assert_uint_eq(res.kept + res.removed, t.n);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT) - drift0, res.added + res.removed);

	t.n = 0;
	pt_model_foreach_entry(m, 0, UINT64_MAX, grab_big, &t);
	ck_assert_uint_eq(t.n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(t.e[i].start == k[i].start && t.e[i].end == k[i].end &&
				      t.e[i].type == k[i].type,
			      "seed %u: entry %zu differs from the kernel's list", seed, i);
		owned += t.e[i].pid != 0;
		ck_assert(t.e[i].resynced == (t.e[i].pid == 0));
	}
	ck_assert_uint_eq(owned, res.kept);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("model");
	TCase *rules = tcase_create("rules");
	TCase *random = tcase_create("random");

	tcase_add_test(rules, test_identical_ranges_are_separate_entries);
	tcase_add_test(rules, test_first_overlap_sets_found_type);
	tcase_add_test(rules, test_every_overlap_must_match_found_type);
	tcase_add_test(rules, test_strict_request_fails_on_other_type);
	tcase_add_test(rules, test_free_exact_match);
	tcase_add_test(rules, test_free_end_match_shrinks);
	tcase_add_test(rules, test_free_exact_before_end_match);
	tcase_add_test(rules, test_free_nothing_is_invalid);
	tcase_add_test(rules, test_ram_never_in_tree);
	tcase_add_test(rules, test_isa_range_untracked);
	tcase_add_test(rules, test_drift_applies_kernel_outcome);
	tcase_add_test(rules, test_prediction_without_ret);
	tcase_add_test(rules, test_degraded_hazard_and_mtrr);
	tcase_add_test(rules, test_leak_after_exit_only);
	tcase_add_test(rules, test_free_prefers_own_identical_entry);
	tcase_add_test(rules, test_leaks_judged_up_to_an_exit);
	tcase_add_test(rules, test_bad_events_rejected);
	tcase_add_test(rules, test_models_are_independent);
	tcase_add_test(rules, test_resync_identical_keeps_owners);
	tcase_add_test(rules, test_resync_drift_names_both_sides);
	tcase_add_test(rules, test_resync_after_loss_is_one_loss_anomaly);
	tcase_add_test(rules, test_resync_restores_kernel_order);
	tcase_add_test(rules, test_sync_block_events);
	tcase_add_test(rules, test_resync_sorts_torn_list);
	suite_add_tcase(s, rules);

	tcase_set_timeout(random, 120);
	tcase_add_loop_test(random, test_random_vs_kernel_reported, 0, 4);
	tcase_add_loop_test(random, test_random_vs_kernel_predicted, 0, 4);
	tcase_add_loop_test(random, test_resync_random, 0, 4);
	suite_add_tcase(s, random);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
