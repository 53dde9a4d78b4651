// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The anomaly store: repeats count on one record, the limit drops and
 * counts, losses are always kept; the index of repeats follows records
 * that move.  Randomized against a brute-force store (fixed seeds).
 */
#include "check-main.h"
#include <stdlib.h>

#include "model-test.h"

/* A strict WC request over an uncached-minus entry: refused, a conflict. */
static void conflict(struct pt_model *m, int32_t pid, const char *comm, uint64_t page)
{
	ck_assert_int_eq(RESERVE(m, P(page), P(page + 1), .req = WC, .got = PT_TYPE_NONE,
				 .ret = -EBUSY, .pid = pid, .comm = comm), 0);
}

START_TEST(test_repeats_fold)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();

	RESERVE(m, P(0), P(4), .req = UCM, .got = UCM, .pid = 1, .comm = "owner");
	for (int i = 0; i < 1000; i++)
		conflict(m, 7, "retry", 0);
	conflict(m, 8, "other", 0);	/* another process */
	conflict(m, 7, "retry", 1);	/* another range */
	ck_assert_uint_eq(count_kind(m, PT_AN_CONFLICT), 3);
	ck_assert_uint_eq(pt_model_anomaly(m, 0)->repeats, 999);
	ck_assert_uint_eq(pt_model_stats(m)->anomaly_repeats, 999);
	ck_assert_uint_eq(pt_model_stats(m)->anomalies[PT_AN_CONFLICT], 3);
	ck_assert(pt_model_check(m));
}
END_TEST

START_TEST(test_limit_drops_and_counts)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event lost = { .kind = PT_EV_LOST, .lost = 5 };

	pt_model_set_anomaly_limit(m, 10);
	RESERVE(m, P(0), P(100), .req = UCM, .got = UCM, .pid = 1, .comm = "owner");
	for (int i = 0; i < 50; i++)
		conflict(m, 100 + i, "many", 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 10);
	ck_assert_uint_eq(pt_model_stats(m)->anomalies_dropped, 40);
	/* a repeat of a kept one still counts on it */
	conflict(m, 100, "many", 0);
	ck_assert_uint_eq(pt_model_anomaly(m, 0)->repeats, 1);
	/* a loss is kept past the limit */
	ck_assert_int_eq(pt_model_apply(m, &lost), 0);
	ck_assert_uint_eq(pt_model_anomaly_count(m), 11);
	ck_assert_int_eq(pt_model_anomaly(m, 10)->kind, PT_AN_LOSS);
	ck_assert_ptr_eq(pt_model_last_anomaly(m), pt_model_anomaly(m, 10));
	/* a dropped one is what "the last anomaly" names, so a follow-up line cannot touch a kept one */
	conflict(m, 999, "late", 0);
	ck_assert_ptr_ne(pt_model_last_anomaly(m), pt_model_anomaly(m, 10));
}
END_TEST

/* Drift taken back by a loss moves the records after it: repeats still find theirs. */
START_TEST(test_index_follows_moved_records)
{
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	struct pt_event lost = { .kind = PT_EV_LOST, .lost = 1, .since = 1 };
	struct pt_event free_nothing = {
		.kind = PT_EV_FREE, .start = P(50), .end = P(51), .has_ret = true, .ret = 0,
		.pid = 3, .comm = "t", .comm_len = 1, .has_seq = true, .seq = 5,
	};

	RESERVE(m, P(0), P(4), .req = UCM, .got = UCM, .pid = 1, .comm = "owner");
	pt_model_settle(m);
	ck_assert_int_eq(pt_model_apply(m, &free_nothing), 0);	/* drift: nothing to free */
	conflict(m, 7, "retry", 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 1);
	ck_assert_int_eq(pt_model_apply(m, &lost), 0);	/* takes the drift back */
	ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), 0);
	conflict(m, 7, "retry", 0);
	ck_assert_uint_eq(count_kind(m, PT_AN_CONFLICT), 1);
	ck_assert_uint_eq(find_kind(m, PT_AN_CONFLICT)->repeats, 1);
}
END_TEST

/* The store against a brute force: a list of keys, each with its count. */
START_TEST(test_random_against_brute_force)
{
	enum { LIMIT = 40, CALLS = 3000 };
	struct { int32_t pid; int page; unsigned n; } ref[LIMIT];
	unsigned nref = 0, dropped = 0, repeats = 0, seed = 0xa0a0u + (unsigned)_i;
	_cleanup_(pt_model_freep) struct pt_model *m = new_model();
	char comm[16];

	srand(seed);
	pt_model_set_anomaly_limit(m, LIMIT);
	RESERVE(m, P(0), P(16), .req = UCM, .got = UCM, .pid = 1, .comm = "owner");
	for (int i = 0; i < CALLS; i++) {
		int32_t pid = 10 + rand() % 12;
		int page = rand() % 6;
		unsigned j;

		snprintf(comm, sizeof(comm), "p%d", pid);
		conflict(m, pid, comm, (uint64_t)page);
		for (j = 0; j < nref && !(ref[j].pid == pid && ref[j].page == page); j++)
			;
		if (j < nref) {
			ref[j].n++;
			repeats++;
		} else if (nref < LIMIT) {
			ref[nref].pid = pid;
			ref[nref].page = page;
			ref[nref++].n = 0;
		} else {
			dropped++;
		}
	}
	ck_assert_uint_eq(pt_model_anomaly_count(m), nref);
	for (unsigned j = 0; j < nref; j++) {
		const struct pt_anomaly *a = pt_model_anomaly(m, j);

		ck_assert_msg(a->pid == ref[j].pid && a->start == P(ref[j].page) &&
			      a->repeats == ref[j].n, "seed %u record %u", seed, j);
	}
	ck_assert_uint_eq(pt_model_stats(m)->anomalies_dropped, dropped);
	ck_assert_uint_eq(pt_model_stats(m)->anomaly_repeats, repeats);
}
END_TEST

CHECK_MAIN("anomalies",
	   TEST_ONCE(test_repeats_fold),
	   TEST_ONCE(test_limit_drops_and_counts),
	   TEST_ONCE(test_index_follows_moved_records),
	   TEST_LOOP(test_random_against_brute_force, 4))
