/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * An intrusive augmented interval tree of half-open ranges [start, end).
 *
 * It is balanced (AVL) and ordered like the kernel's memtype tree: by start,
 * and among equal starts by insertion order, so a node inserted later sorts
 * after the nodes already there with the same start (the kernel's
 * interval_insert() goes right on equal keys).  Each node carries the
 * largest end of each of its two subtrees, so overlap queries prune whole
 * subtrees without even reading them, and cost O(log n) per node reported,
 * as the kernel's interval_iter_next().
 *
 * Embed struct itree_node in your own structure and use container_of().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct itree_node {
	/* what a search reads, first: one cache line in all */
	struct itree_node *left, *right, *parent;
	uint64_t start;
	uint64_t lmax, rmax;	/* largest end in the left / right subtree, 0 if empty */
	uint64_t end;		/* [start, end) */
	uint32_t order;		/* insertion stamp: tie-break among equal starts */
	uint8_t lheight, rheight;	/* height of the left / right subtree, 0 if empty */
	uint16_t unused;
};

/* Exactly one cache line: a search reads one line per level. */
_Static_assert(offsetof(struct itree_node, right) == offsetof(struct itree_node, left) + sizeof(void *) &&
	       offsetof(struct itree_node, rmax) == offsetof(struct itree_node, lmax) + sizeof(uint64_t) &&
	       offsetof(struct itree_node, rheight) == offsetof(struct itree_node, lheight) + 1,
	       "descents and retraces index a node's two sides");
_Static_assert(sizeof(struct itree_node) == 64, "itree_node is not one cache line");

struct itree {
	struct itree_node *root;
	size_t count;
	uint32_t next_order;	/* when it would wrap, the stamps are renumbered */
};

#define ITREE_INIT { NULL, 0, 0 }

/*
 * A descent is a chain of dependent loads, one per level.  Asking for both
 * children while the comparison at this level is still being decided puts
 * the next level's load in flight early, whichever way the descent goes.
 */
static inline void prefetch_children(const struct itree_node *n)
{
	__builtin_prefetch(n->left);
	__builtin_prefetch(n->right);
}

/*
 * Links @node with node->start and node->end already set.  Returns whether
 * any node already in the tree overlaps it, found on the way down.
 */
bool itree_insert(struct itree *t, struct itree_node *node);

/* Unlinks @node, which must be in @t: no search, a walk up from the node. */
void itree_remove(struct itree *t, struct itree_node *node);

/* An AVL tree of n nodes is at most 1.44 log2(n + 2) high: 96 levels are plenty. */
#define ITREE_MAX_HEIGHT 96

/*
 * Calls @fn on every node overlapping [start, end) in tree order; stops at
 * and returns the first non-zero value @fn returns, else 0.  Always
 * inline, so that each caller gets its own copy with @fn inlined into it,
 * the way the kernel generates one interval tree per use: left to itself
 * the compiler may share one copy that calls @fn through a pointer, which
 * costs the overlap scan a mispredicted branch per node.
 */
typedef int (*itree_visit_fn)(struct itree_node *node, void *userdata);

static inline __attribute__((always_inline)) int itree_visit(const struct itree *t, uint64_t start, uint64_t end,
			      itree_visit_fn fn, void *userdata)
{
	struct itree_node *stack[ITREE_MAX_HEIGHT], *n = t->root;
	int sp = 0, r;

	if (start >= end || !n ||
	    (n->lmax <= start && n->rmax <= start && n->end <= start))
		return 0;
	for (;;) {
		/* a subtree is entered only when its maximum end reaches past start */
		while (n->lmax > start) {
			prefetch_children(n);
			stack[sp++] = n;
			n = n->left;
		}
		for (;;) {
			/* everything from here on starts at or after n->start */
			if (n->start >= end)
				return 0;
			if (n->end > start) {
				r = fn(n, userdata);
				if (r)
					return r;
			}
			if (n->rmax > start) {
				n = n->right;
				break;
			}
			if (sp == 0)
				return 0;
			n = stack[--sp];
		}
	}
}

/* The first node (in tree order) overlapping [start, end), or NULL. */
struct itree_node *itree_first(const struct itree *t, uint64_t start, uint64_t end);

/* Checks every invariant (order, balance, augmentation); for tests. */
bool itree_check(const struct itree *t);
