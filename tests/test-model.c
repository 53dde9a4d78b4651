// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model: one test per semantic rule, and a randomized comparison with
 * a brute-force transcription of the kernel's memtype_check_conflict() and
 * memtype_erase() (fixed seeds).
 */
#include "check-main.h"
#include <stdlib.h>

#include "model.h"
#include "util.h"

#define WB PATTRACK_TYPE_WB
#define WC PATTRACK_TYPE_WC
#define UCM PATTRACK_TYPE_UC_MINUS
#define UC PATTRACK_TYPE_UC
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
static int kreserve(struct kernel *k, uint64_t s, uint64_t e, int req, bool strict, int *got)
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
	k->e[k->n++] = (struct kentry){ s, e, k->next_order++, strict ? req : found };
	return 0;
}

/* memtype_erase(), word for word. */
static int kfree(struct kernel *k, uint64_t s, uint64_t e)
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

	if (e->start != k->start || e->end != k->end || e->type != k->type) {
		if (w->ok)
			fprintf(stderr, "at %zu: model %llx-%llx %d, kernel %llx-%llx %d\n", w->i - 1,
				(unsigned long long)e->start, (unsigned long long)e->end, e->type,
				(unsigned long long)k->start, (unsigned long long)k->end, k->type);
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
			int ret = kreserve(&k, s, e, req, strict, &got);
			struct pt_event ev = {
				.kind = PT_EV_RESERVE, .start = s, .end = e, .req = req,
				.strict = strict, .got = strict ? PT_TYPE_NONE : got,
				.has_ret = report_outcome, .ret = ret, .pid = pid,
			};

			ck_assert_int_eq(pt_model_apply(m, &ev), 0);
		} else {
			/* bias frees towards existing ranges and their tails */
			if (k.n && random() % 3) {
				struct kentry *x = &k.e[random() % k.n];

				s = x->start + (random() % 2 ? 0 : 0x1000 * (uint64_t)(random() % 3));
				e = x->end;
				if (s >= e)
					s = x->start;
			}
			int ret = kfree(&k, s, e);
			struct pt_event ev = {
				.kind = PT_EV_FREE, .start = s, .end = e,
				.has_ret = report_outcome, .ret = ret, .pid = pid,
			};

			ck_assert_int_eq(pt_model_apply(m, &ev), 0);
		}
		ck_assert_msg(count_kind(m, PT_AN_DRIFT) == drift0,
			      "seed %u op %u: the model's prediction differs from the kernel's", seed, op);
		if (op % 16 == 0)
			compare_tables(&k, m, seed, op);
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
	tcase_add_test(rules, test_bad_events_rejected);
	tcase_add_test(rules, test_models_are_independent);
	suite_add_tcase(s, rules);

	tcase_set_timeout(random, 120);
	tcase_add_loop_test(random, test_random_vs_kernel_reported, 0, 4);
	tcase_add_loop_test(random, test_random_vs_kernel_predicted, 0, 4);
	suite_add_tcase(s, random);
	return s;
}

int main(void)
{
	return run_suite(suite());
}
