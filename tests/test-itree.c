// SPDX-License-Identifier: GPL-2.0-or-later
/* The interval tree against a brute-force list: randomized, fixed seeds. */
#include "check-main.h"
#include <stdlib.h>

#include "core/itree.h"
#include "core/util.h"

#define MAX_NODES 2000

struct ref {
	struct itree_node node;
	bool linked;
};

static int by_start_order(const void *a, const void *b)
{
	const struct itree_node *x = *(struct itree_node *const *)a;
	const struct itree_node *y = *(struct itree_node *const *)b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The reference: every linked node, in (start, order) order, by scanning. */
static size_t ref_overlaps(struct ref *nodes, size_t n, uint64_t s, uint64_t e,
			   struct itree_node **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (nodes[i].linked && nodes[i].node.start < e && nodes[i].node.end > s)
			out[k++] = &nodes[i].node;
	qsort(out, k, sizeof(*out), by_start_order);
	return k;
}

struct collect {
	struct itree_node **out;
	size_t n;
};

static int collect(struct itree_node *node, void *userdata)
{
	struct collect *c = userdata;

	c->out[c->n++] = node;
	return 0;
}

/* A random query answered by the tree, and by brute force over @nodes. */
static void check_query(const struct itree *t, struct ref *nodes, uint64_t space,
			struct itree_node **got, struct itree_node **want)
{
	uint64_t qs = (uint64_t)random() % space;
	uint64_t qe = qs + 1 + (uint64_t)random() % (space / 8 + 1);
	struct collect c = { got, 0 };
	size_t k = ref_overlaps(nodes, MAX_NODES, qs, qe, want);

	itree_visit(t, qs, qe, collect, &c);
	ck_assert_uint_eq(c.n, k);
	for (size_t i = 0; i < k; i++)
		ck_assert_ptr_eq(got[i], want[i]);
	ck_assert_ptr_eq(itree_first(t, qs, qe), k ? want[0] : NULL);
}

static void run_seed(unsigned seed, unsigned ops, uint64_t space)
{
	static struct ref nodes[MAX_NODES];
	static struct itree_node *want[MAX_NODES], *got[MAX_NODES];
	struct itree t = ITREE_INIT;

	memset(nodes, 0, sizeof(nodes));
	srandom(seed);
	for (unsigned op = 0; op < ops; op++) {
		struct ref *r = &nodes[random() % MAX_NODES];
		int what = random() % 10;

		if (what < 5 && !r->linked) {
			size_t before;

			r->node.start = (uint64_t)random() % space;
			r->node.end = r->node.start + 1 + (uint64_t)random() % (space / 16 + 1);
			before = ref_overlaps(nodes, MAX_NODES, r->node.start, r->node.end, want);
			ck_assert_msg(itree_insert(&t, &r->node) == (before > 0),
				      "seed %u op %u: insert says %s overlap, there are %zu", seed, op,
				      before ? "no" : "an", before);
			r->linked = true;
		} else if (what < 8 && r->linked) {
			itree_remove(&t, &r->node);
			r->linked = false;
		} else if (r->linked) {
			/* shrink, as memtype_erase() does: remove, cut, re-insert */
			itree_remove(&t, &r->node);
			if (r->node.end - r->node.start > 1)
				r->node.end = r->node.start + (r->node.end - r->node.start) / 2;
			itree_insert(&t, &r->node);
		}
		if (op % 64 == 0)
			ck_assert_msg(itree_check(&t), "invariants broken at seed %u op %u", seed, op);
		check_query(&t, nodes, space, got, want);
	}
	ck_assert(itree_check(&t));
}

START_TEST(test_random_dense)
{
	/* few distinct starts: many equal keys, exercising the insertion-order tie-break */
	run_seed(1u + (unsigned)_i, 20000, 64);
}
END_TEST

START_TEST(test_random_sparse)
{
	run_seed(100u + (unsigned)_i, 20000, 1u << 20);
}
END_TEST

START_TEST(test_equal_starts_keep_insertion_order)
{
	struct itree t = ITREE_INIT;
	struct itree_node n[5] = { 0 };
	struct itree_node *out[5];
	struct collect c = { out, 0 };

	for (int i = 0; i < 5; i++) {
		n[i].start = 0x1000;
		n[i].end = 0x2000 + (uint64_t)i;
		itree_insert(&t, &n[i]);
	}
	/* re-inserting moves a node behind its equals, as the kernel's shrink does */
	itree_remove(&t, &n[1]);
	itree_insert(&t, &n[1]);
	itree_visit(&t, 0, UINT64_MAX, collect, &c);
	ck_assert_uint_eq(c.n, 5);
	ck_assert_ptr_eq(out[0], &n[0]);
	ck_assert_ptr_eq(out[1], &n[2]);
	ck_assert_ptr_eq(out[4], &n[1]);
	ck_assert(itree_check(&t));
}
END_TEST

START_TEST(test_stamps_renumbered_before_wrap)
{
	struct itree t = ITREE_INIT;
	struct itree_node n[8] = { 0 };
	struct itree_node *out[8];
	struct collect c = { out, 0 };

	t.next_order = UINT32_MAX - 3;	/* as after four billion inserts */
	for (int i = 0; i < 8; i++) {
		n[i].start = 0x1000 * (uint64_t)(i % 2);	/* two runs of equal starts */
		n[i].end = n[i].start + 0x1000 + (uint64_t)i;
		itree_insert(&t, &n[i]);
		ck_assert(itree_check(&t));
	}
	ck_assert_uint_lt(t.next_order, 16);	/* renumbered once, on the way */
	itree_visit(&t, 0, UINT64_MAX, collect, &c);
	ck_assert_uint_eq(c.n, 8);
	/* equal starts still in insertion order: 0, 2, 4, 6 then 1, 3, 5, 7 */
	for (int i = 0; i < 4; i++) {
		ck_assert_ptr_eq(out[i], &n[2 * i]);
		ck_assert_ptr_eq(out[4 + i], &n[2 * i + 1]);
	}
}
END_TEST

START_TEST(test_empty_and_boundaries)
{
	struct itree t = ITREE_INIT;
	struct itree_node a = { .start = 10, .end = 20 };

	ck_assert_ptr_null(itree_first(&t, 0, UINT64_MAX));
	itree_insert(&t, &a);
	/* half-open: touching ranges do not overlap */
	ck_assert_ptr_null(itree_first(&t, 20, 30));
	ck_assert_ptr_null(itree_first(&t, 0, 10));
	ck_assert_ptr_eq(itree_first(&t, 19, 20), &a);
	ck_assert_ptr_eq(itree_first(&t, 0, 11), &a);
	ck_assert_ptr_null(itree_first(&t, 15, 15));	/* empty query */
	itree_remove(&t, &a);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_ptr_null(t.root);
}
END_TEST

CHECK_MAIN("itree",
	   TEST_LOOP(test_random_dense, 5), TEST_LOOP(test_random_sparse, 5),
	   TEST_ONCE(test_equal_starts_keep_insertion_order),
	   TEST_ONCE(test_stamps_renumbered_before_wrap), TEST_ONCE(test_empty_and_boundaries))
