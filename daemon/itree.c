// SPDX-License-Identifier: GPL-2.0-or-later
#include "itree.h"

#include "util.h"

static inline int height(const struct itree_node *n)
{
	return n ? n->height : 0;
}

/* The largest end in the subtree rooted at @n. */
static inline uint64_t max_end(const struct itree_node *n)
{
	uint64_t m;

	if (!n)
		return 0;
	m = n->lmax > n->rmax ? n->lmax : n->rmax;
	return m > n->end ? m : n->end;
}

static inline void update(struct itree_node *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	n->lmax = max_end(n->left);
	n->rmax = max_end(n->right);
}

static inline bool before(const struct itree_node *a, const struct itree_node *b)
{
	return a->start < b->start || (a->start == b->start && a->order < b->order);
}

static struct itree_node *rotate_right(struct itree_node *y)
{
	struct itree_node *x = y->left;

	y->left = x->right;
	x->right = y;
	update(y);
	update(x);
	return x;
}

static struct itree_node *rotate_left(struct itree_node *x)
{
	struct itree_node *y = x->right;

	x->right = y->left;
	y->left = x;
	update(x);
	update(y);
	return y;
}

static struct itree_node *rebalance(struct itree_node *n)
{
	int balance;

	update(n);
	balance = height(n->left) - height(n->right);
	if (balance > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (balance < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

/*
 * An AVL tree of n nodes is at most 1.44 log2(n + 2) high: 96 levels hold
 * more nodes than a 64-bit address space could.
 */
#define MAX_HEIGHT 96

/*
 * The subtree maxima are raised on the way down; on the way up a node is
 * rebalanced only while the height of the subtree below it changed, which
 * spares reading the siblings along most of the path.
 */
void itree_insert(struct itree *t, struct itree_node *node)
{
	struct itree_node **path[MAX_HEIGHT], **link = &t->root;
	int depth = 0;

	node->order = t->next_order++;
	while (*link) {
		struct itree_node *p = *link;

		path[depth++] = link;
		if (before(node, p)) {
			if (node->end > p->lmax)
				p->lmax = node->end;
			link = &p->left;
		} else {
			if (node->end > p->rmax)
				p->rmax = node->end;
			link = &p->right;
		}
	}
	node->left = node->right = NULL;
	update(node);
	*link = node;
	t->count++;

	while (depth > 0) {
		struct itree_node **l = path[--depth];
		int h = (*l)->height;

		*l = rebalance(*l);
		if ((*l)->height == h)
			break;
	}
}

/*
 * Above the removed node a subtree loses just that node: its maximum can
 * only drop when the removed end was that maximum, and nothing needs
 * rebalancing where the height below did not change.
 */
void itree_remove(struct itree *t, struct itree_node *node)
{
	struct itree_node **path[MAX_HEIGHT], **link = &t->root;
	bool left[MAX_HEIGHT];
	int child_height[MAX_HEIGHT];	/* of the path's child, before the removal */
	int depth = 0, above;
	uint64_t lost = node->end;

	while (*link != node) {
		struct itree_node *p = *link;

		path[depth] = link;
		left[depth] = before(node, p);
		link = left[depth] ? &p->left : &p->right;
		child_height[depth] = height(*link);
		depth++;
	}
	above = depth;	/* path[0..above) lead down to the removed node */

	if (!node->right) {
		*link = node->left;
	} else {
		/* the successor, the leftmost node on the right, takes its place */
		struct itree_node **sl = &node->right, *succ;

		path[depth++] = link;	/* will hold succ */
		while ((*sl)->left) {
			path[depth++] = sl;
			sl = &(*sl)->left;
		}
		succ = *sl;
		*sl = succ->right;
		succ->left = node->left;
		succ->right = node->right;
		*link = succ;
		/* the path went down through node->right, which is now succ->right */
		if (depth > above + 1)
			path[above + 1] = &succ->right;
		/* from succ's old parent up to its new place, subtrees lost succ: recompute */
		while (depth > above)
			*path[depth - 1] = rebalance(*path[depth - 1]), depth--;
	}
	node->left = node->right = NULL;
	t->count--;

	while (depth > 0) {
		struct itree_node **l = path[--depth];
		struct itree_node *p = *l;

		if (height(left[depth] ? p->left : p->right) == child_height[depth] &&
		    lost < (left[depth] ? p->lmax : p->rmax))
			break;
		*l = rebalance(p);
	}
}

/* In order; a subtree is entered only when its maximum end reaches past @start. */
int itree_visit(const struct itree *t, uint64_t start, uint64_t end,
		itree_visit_fn fn, void *userdata)
{
	struct itree_node *stack[MAX_HEIGHT], *n = t->root;
	int sp = 0, r;

	if (start >= end || max_end(n) <= start)
		return 0;
	for (;;) {
		while (n->lmax > start) {
			stack[sp++] = n;
			n = n->left;
		}
		for (;;) {
			/* Everything from here on starts at or after n->start. */
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

static int take_first(struct itree_node *node, void *userdata)
{
	*(struct itree_node **)userdata = node;
	return 1;
}

struct itree_node *itree_first(const struct itree *t, uint64_t start, uint64_t end)
{
	struct itree_node *first = NULL;

	itree_visit(t, start, end, take_first, &first);
	return first;
}

static bool check(const struct itree_node *n, const struct itree_node *lo,
		  const struct itree_node *hi, size_t *count)
{
	int hl, hr;

	if (!n)
		return true;
	if ((lo && !before(lo, n)) || (hi && !before(n, hi)))
		return false;
	if (n->start >= n->end)
		return false;
	if (!check(n->left, lo, n, count) || !check(n->right, n, hi, count))
		return false;
	hl = height(n->left);
	hr = height(n->right);
	if (n->height != 1 + (hl > hr ? hl : hr) || hl - hr > 1 || hr - hl > 1)
		return false;
	if (n->lmax != max_end(n->left) || n->rmax != max_end(n->right))
		return false;
	(*count)++;
	return true;
}

bool itree_check(const struct itree *t)
{
	size_t count = 0;

	return check(t->root, NULL, NULL, &count) && count == t->count;
}
