// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's resynchronisation from the kernel's list: owners kept, drift
 * named on both sides, one loss anomaly, the kernel's order, sync blocks,
 * torn lists, and a randomized run under fixed seeds.
 */
#include "check-main.h"
#include <stdlib.h>

#include "model-test.h"

START_TEST(test_resync_identical_keeps_owners)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	const struct pt_kentry k[] = { { P(0), P(1), WC }, { P(0), P(1), UCM } };
	struct pt_sync_result res;
	struct table t;

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "a"), 0);
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = UCM, .got = WC, .pid = 8, .comm = "b"), 0);
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

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "xorg"), 0);
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

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "a"), 0);
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

/* A free the kernel made, of what the model never saw reserved: drift, numbered @seq. */
static void free_unseen(struct pt_model *m, unsigned page, uint64_t seq)
{
	struct pt_event ev = {
		.kind = PT_EV_FREE, .start = P(page), .end = P(page + 1), .has_ret = true,
		.pid = 7, .comm = "a", .comm_len = 1, .has_seq = true, .seq = seq,
	};

	ck_assert_int_eq(pt_model_apply(m, &ev), 0);
}

START_TEST(test_loss_excuses_drift_since)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 1, .since = 5 };
	struct pt_event end = { .kind = PT_EV_SYNC_END };
	const struct pt_anomaly *a;
	char buf[512];

	free_unseen(m, 0, 2);	/* before the loss window: the model's own fault */
	free_unseen(m, 1, 6);	/* numbered after the window began: the loss's */
	free_unseen(m, 2, 5);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 3);
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_uint_eq(pt_model_stats(m)->anomalies[PT_AN_DRIFT], 1);
	ck_assert_uint_eq(pt_model_anomaly(m, 0)->seq, 2);
	a = find_kind(m, PT_AN_LOSS);
	ck_assert_uint_eq(a->excused, 2);
	pt_anomaly_explain(m, a, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "2 disagreements over the events around it are put down to it"),
		      "%s", buf);

	/* what came before that block is final: a later loss takes back only its own */
	free_unseen(m, 3, 9);
	sync.since = 1;
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_LOSS), 2);
	ck_assert_uint_eq(pt_model_anomaly(m, pt_model_anomaly_count(m) - 1)->excused, 1);
}
END_TEST

START_TEST(test_loss_settled_excuses_what_came_after_its_block)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 2, .since = 5 };
	struct pt_event end = { .kind = PT_EV_SYNC_END }, settled = { .kind = PT_EV_SETTLED };

	free_unseen(m, 0, 5);
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	/* freed before the list was read, reported after: the block had it already */
	free_unseen(m, 1, 9);
	free_unseen(m, 2, 8);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 2);
	ck_assert_int_eq(pt_model_apply(m, &settled), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(find_kind(m, PT_AN_LOSS)->excused, 3);
	/* after that, drift is drift again */
	free_unseen(m, 3, 12);
	ck_assert_int_eq(pt_model_apply(m, &settled), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LOSS)->excused, 3);
}
END_TEST

START_TEST(test_loss_excuses_nothing_settled_or_unnumbered)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event lost = { .kind = PT_EV_LOST, .lost = 4, .since = 1 };
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 1 };
	struct pt_event end = { .kind = PT_EV_SYNC_END };

	/* shown already (pattrackd settles once it has announced them): they stay */
	free_unseen(m, 0, 3);
	pt_model_settle(m);
	free_unseen(m, 1, 4);
	ck_assert_int_eq(pt_model_apply(m, &lost), 0);	/* a loss with the list unreadable */
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_LOSS)->excused, 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_DRIFT)->seq, 3);

	/* a loss with no events in its window (since 0) excuses nothing */
	free_unseen(m, 2, 8);
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 2);
	/* a reconcile is no loss: its differences are drift, and nothing is taken back */
	free_unseen(m, 4, 9);
	sync = (struct pt_event){ .kind = PT_EV_SYNC, .reason = PT_SYNC_RECONCILE, .since = 1 };
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 3);
}
END_TEST

START_TEST(test_resync_restores_kernel_order)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	/* the same two entries in the other order among equal starts */
	const struct pt_kentry k[] = { { P(0), P(2), WC }, { P(0), P(1), WC } };
	struct table t;

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 1, .comm = "a"), 0);
	ck_assert_int_eq(RESERVE(m, P(0), P(2), .req = WC, .got = WC, .pid = 2, .comm = "b"), 0);
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

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "a"), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), -EINVAL);	/* no block open */
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	apply_simple(m, PT_EV_ENTRY, P(4), P(5), UC, 0);
	/* only the kernel's list belongs in a block */
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "a"), -EINVAL);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_uint_eq(table_of(m).e[0].start, P(4));
	ck_assert_uint_eq(find_kind(m, PT_AN_LOSS)->lost, 3);
}
END_TEST

/*
 * A reserve that completed while the list was read: its entry is in the
 * loss's block, its event after it.  It takes over the entry the resync
 * added (owner and all) instead of doubling it; after the loss is
 * settled, the same reserve is a new entry.
 */
START_TEST(test_reserve_after_loss_block_adopts_its_entry)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 1 };
	struct pt_event end = { .kind = PT_EV_SYNC_END }, settled = { .kind = PT_EV_SETTLED };
	struct table t;

	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	apply_simple(m, PT_EV_ENTRY, P(0), P(1), WC, 0);
	apply_simple(m, PT_EV_ENTRY, P(2), P(3), WC, 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	/* the reserve whose entry the block holds */
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "late"), 0);
	t = table_of(m);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_int_eq(t.e[0].pid, 7);
	ck_assert(!t.e[0].resynced);
	ck_assert_uint_eq(pt_model_stats(m)->adopted, 1);
	/* its free leaves nothing behind, and is no drift */
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 7), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	/* settled: a reserve of the other range is a reserve like any */
	ck_assert_int_eq(pt_model_apply(m, &settled), 0);
	ck_assert_int_eq(RESERVE(m, P(2), P(3), .req = WC, .got = WC, .pid = 8, .comm = "new"), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_uint_eq(pt_model_stats(m)->adopted, 1);
}
END_TEST

/*
 * A lost free left the model a stale entry of pid 7; the list read after
 * the loss holds the same range because pid 7's next reserve had just
 * completed, so the resync matched the stale entry.  That reserve's event,
 * after the block, takes the entry over; another process's is its own.
 */
START_TEST(test_reserve_after_loss_block_replaces_a_stale_twin)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 1 };
	struct pt_event end = { .kind = PT_EV_SYNC_END };

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "loop"), 0);
	/* its free was lost */
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	apply_simple(m, PT_EV_ENTRY, P(0), P(1), WC, 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "loop"), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 1);
	ck_assert_uint_eq(pt_model_stats(m)->adopted, 1);
	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 8, .comm = "other"), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 2);
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 7), 0);
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 8), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
}
END_TEST

START_TEST(test_free_after_loss_block_of_an_entry_it_dropped)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event sync = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 1 };
	struct pt_event end = { .kind = PT_EV_SYNC_END }, settled = { .kind = PT_EV_SETTLED };

	ck_assert_int_eq(RESERVE(m, P(0), P(1), .req = WC, .got = WC, .pid = 7, .comm = "loop"), 0);
	ck_assert_int_eq(RESERVE(m, P(2), P(3), .req = WC, .got = WC, .pid = 8, .comm = "loop"), 0);
	/* both freed before the list was read, their events sent after its block */
	ck_assert_int_eq(pt_model_apply(m, &sync), 0);
	ck_assert_int_eq(pt_model_apply(m, &end), 0);
	ck_assert_int_eq(pt_model_apply(m, &settled), 0);
	ck_assert_uint_eq(pt_model_entry_count(m), 0);
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 7), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	ck_assert_uint_eq(pt_model_stats(m)->late_frees, 1);
	/* once only, and only for the process that held it */
	ck_assert_int_eq(fre(m, P(0), P(1), 0, 7), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_int_eq(fre(m, P(2), P(3), 0, 9), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 2);
	/* a later resync ends it */
	ck_assert_int_eq(pt_model_resync(m, PT_SYNC_RECONCILE, 0, NULL, 0, NULL), 0);
	ck_assert_int_eq(fre(m, P(2), P(3), 0, 8), 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 3);
	ck_assert_uint_eq(pt_model_stats(m)->late_frees, 1);
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
		RESERVE(m, s, s + len, .req = type, .got = type, .pid = 1 + rand() % 100, .comm = "r");
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

CHECK_MAIN("resync",
	   TEST_ONCE(test_resync_identical_keeps_owners),
	   TEST_ONCE(test_resync_drift_names_both_sides),
	   TEST_ONCE(test_resync_after_loss_is_one_loss_anomaly),
	   TEST_ONCE(test_loss_excuses_drift_since),
	   TEST_ONCE(test_loss_excuses_nothing_settled_or_unnumbered),
	   TEST_ONCE(test_loss_settled_excuses_what_came_after_its_block),
	   TEST_ONCE(test_resync_restores_kernel_order), TEST_ONCE(test_sync_block_events),
	   TEST_ONCE(test_reserve_after_loss_block_adopts_its_entry),
	   TEST_ONCE(test_reserve_after_loss_block_replaces_a_stale_twin),
	   TEST_ONCE(test_free_after_loss_block_of_an_entry_it_dropped),
	   TEST_ONCE(test_resync_sorts_torn_list), TEST_LOOP(test_resync_random, 4))
