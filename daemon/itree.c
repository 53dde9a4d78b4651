// SPDX-License-Identifier: GPL-2.0-or-later
#include "itree.h"

#include "util.h"

static inline int height(const struct itree_node *n)
{
	return n ? n->height : 0;
}

static inline uint64_t max_end(const struct itree_node *n)
{
	return n ? n->max_end : 0;
}

static inline uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

static inline void update(struct itree_node *n)
{
	int hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	n->max_end = max3(n->end, max_end(n->left), max_end(n->right));
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

static struct itree_node *insert_at(struct itree_node *root, struct itree_node *n)
{
	if (!root) {
		n->left = n->right = NULL;
		update(n);
		return n;
	}
	if (before(n, root))
		root->left = insert_at(root->left, n);
	else
		root->right = insert_at(root->right, n);
	return rebalance(root);
}

void itree_insert(struct itree *t, struct itree_node *node)
{
	node->order = t->next_order++;
	t->root = insert_at(t->root, node);
	t->count++;
}

static struct itree_node *detach_min(struct itree_node *root, struct itree_node **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = detach_min(root->left, min);
	return rebalance(root);
}

static struct itree_node *remove_at(struct itree_node *root, struct itree_node *n)
{
	struct itree_node *succ, *rest;

	if (!root)
		return NULL;
	if (root == n) {
		if (!n->right)
			return n->left;
		rest = detach_min(n->right, &succ);
		succ->left = n->left;
		succ->right = rest;
		return rebalance(succ);
	}
	if (before(n, root))
		root->left = remove_at(root->left, n);
	else
		root->right = remove_at(root->right, n);
	return rebalance(root);
}

void itree_remove(struct itree *t, struct itree_node *node)
{
	t->root = remove_at(t->root, node);
	node->left = node->right = NULL;
	t->count--;
}

static int visit(struct itree_node *n, uint64_t start, uint64_t end,
		 itree_visit_fn fn, void *userdata)
{
	int r;

	while (n && n->max_end > start) {
		r = visit(n->left, start, end, fn, userdata);
		if (r)
			return r;
		/* Everything from here on starts at or after n->start. */
		if (n->start >= end)
			return 0;
		if (n->end > start) {
			r = fn(n, userdata);
			if (r)
				return r;
		}
		n = n->right;	/* tail iteration instead of recursion */
	}
	return 0;
}

int itree_visit(const struct itree *t, uint64_t start, uint64_t end,
		itree_visit_fn fn, void *userdata)
{
	if (start >= end)
		return 0;
	return visit(t->root, start, end, fn, userdata);
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
	if (n->max_end != max3(n->end, max_end(n->left), max_end(n->right)))
		return false;
	(*count)++;
	return true;
}

bool itree_check(const struct itree *t)
{
	size_t count = 0;

	return check(t->root, NULL, NULL, &count) && count == t->count;
}
