// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model when memory runs out: every allocation the model makes is
 * failed in turn (the allocator is wrapped at link time, -Wl,--wrap), and
 * each time the model must either do the whole job or leave its table as
 * it was, never half of it.
 */
#include "check-main.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/util.h"

/* ---- the allocator: fails the Nth call from when it is armed ------------- */

static long fail_countdown = -1;	/* -1: never fail */
static long failures;

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);

static bool fail_now(void)
{
	if (fail_countdown < 0 || fail_countdown-- > 0)
		return false;
	failures++;
	return true;
}

void *__wrap_malloc(size_t size)
{
	return fail_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return fail_now() ? NULL : __real_realloc(p, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	return fail_now() ? NULL : __real_aligned_alloc(align, size);
}

/* ---- the tables ----------------------------------------------------------- */

#define P(n) (0xfe000000ULL + (uint64_t)(n) * 0x1000)
#define MAX_ENTRIES 600

struct row {
	uint64_t start, end;
	int type;
	int32_t pid;
};

struct table {
	size_t n;
	struct row row[MAX_ENTRIES];
};

static int add_row(const struct pt_entry_info *e, void *userdata)
{
	struct table *t = userdata;

	ck_assert_uint_lt(t->n, MAX_ENTRIES);
	t->row[t->n++] = (struct row){ e->start, e->end, e->type, e->pid };
	return 0;
}

static void table_of(const struct pt_model *m, struct table *t)
{
	t->n = 0;
	pt_model_foreach_entry(m, 0, UINT64_MAX, add_row, t);
}

/*
 * A model holding @n entries of its own: pages 0..n-1, reserved by pids
 * 1..n.  Enough of them that the resync below must grow the exact index,
 * the slabs and the anomaly list.
 */
static struct pt_model *model_with(size_t n)
{
	struct pt_model *m;

	ck_assert_int_eq(pt_model_new(&m), 0);
	for (size_t i = 0; i < n; i++) {
		struct pt_event ev = {
			.kind = PT_EV_RESERVE, .start = P(i), .end = P(i + 1),
			.req = PATTRACK_TYPE_WC, .got = PATTRACK_TYPE_WC, .has_ret = true,
			.pid = (int32_t)i + 1, .comm = "t", .comm_len = 1,
		};

		ck_assert_int_eq(pt_model_apply(m, &ev), 0);
	}
	return m;
}

/* The kernel's list: the model's even pages, and as many new pages again. */
static size_t kernel_list(size_t n, struct pt_kentry *k)
{
	size_t nk = 0;

	for (size_t i = 0; i < n; i += 2)
		k[nk++] = (struct pt_kentry){ P(i), P(i + 1), PATTRACK_TYPE_WC };
	for (size_t i = 0; i < n; i++)
		k[nk++] = (struct pt_kentry){ P(1000 + i), P(1001 + i), PATTRACK_TYPE_UC_MINUS };
	return nk;
}

static size_t count_kind(const struct pt_model *m, enum pt_anomaly_kind kind)
{
	size_t c = 0;

	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		c += pt_model_anomaly(m, i)->kind == kind;
	return c;
}

/*
 * Fails the 1st, 2nd, ... allocation of one resync until one runs through
 * without a failure.  Each failed run must leave the table exactly as it
 * was; a loss resync must still say that events were lost.
 */
static void resync_under_failures(enum pt_sync_reason why, size_t n)
{
	static struct pt_kentry k[3 * MAX_ENTRIES / 2];
	static struct table before, after;
	size_t nk = kernel_list(n, k);
	long at;

	for (at = 0;; at++) {
		struct pt_model *m = model_with(n);
		size_t losses = count_kind(m, PT_AN_LOSS), drifts = count_kind(m, PT_AN_DRIFT);
		int r;

		table_of(m, &before);
		failures = 0;
		fail_countdown = at;
		r = pt_model_resync(m, why, 7, k, nk, NULL);
		fail_countdown = -1;
		ck_assert(pt_model_check(m));
		table_of(m, &after);
		if (failures == 0) {
			/* every allocation went through: the whole resync happened */
			ck_assert_int_eq(r, 0);
			ck_assert_uint_eq(after.n, nk);
			for (size_t i = 0; i < nk; i++)
				ck_assert_uint_eq(after.row[i].start, k[i].start);
			if (why == PT_SYNC_RECONCILE)
				ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), drifts + n / 2 + n);
			pt_model_free(m);
			break;
		}
		ck_assert_msg(r == -ENOMEM, "allocation %ld failed, resync returned %d", at, r);
		ck_assert_msg(after.n == before.n &&
			      memcmp(after.row, before.row, before.n * sizeof(before.row[0])) == 0,
			      "allocation %ld failed and the table changed (%zu entries, was %zu)",
			      at, after.n, before.n);
		ck_assert_uint_eq(count_kind(m, PT_AN_DRIFT), drifts);
		if (why == PT_SYNC_LOSS && pt_model_anomaly_count(m)) {
			/* the loss is said, unless there was no room even for saying it */
			const struct pt_anomaly *a = pt_model_last_anomaly(m);

			ck_assert_uint_le(count_kind(m, PT_AN_LOSS), losses + 1);
			if (count_kind(m, PT_AN_LOSS) > losses) {
				ck_assert(!a->resynced);
				ck_assert_uint_eq(a->lost, 7);
			}
		}
		pt_model_free(m);
	}
	ck_assert_msg(at >= 3, "only %ld allocations to fail: the test does not reach the rebuild", at);
}

START_TEST(test_resync_reconcile_out_of_memory)
{
	resync_under_failures(PT_SYNC_RECONCILE, 300);
}
END_TEST

START_TEST(test_resync_loss_out_of_memory)
{
	resync_under_failures(PT_SYNC_LOSS, 300);
}
END_TEST

CHECK_MAIN("nomem",
	   TEST_ONCE(test_resync_reconcile_out_of_memory), TEST_ONCE(test_resync_loss_out_of_memory))
