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
	/* no short circuit: the direction of a descent is a coin toss for the branch predictor */
	return (a->start < b->start) | ((a->start == b->start) & (a->order < b->order));
}

/* Rotations keep parent pointers; the caller links the new subtree root in. */
static struct itree_node *rotate_right(struct itree_node *y)
{
	struct itree_node *x = y->left;

	y->left = x->right;
	if (x->right)
		x->right->parent = y;
	x->right = y;
	x->parent = y->parent;
	y->parent = x;
	update(y);
	update(x);
	return x;
}

static struct itree_node *rotate_left(struct itree_node *x)
{
	struct itree_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->left = x;
	y->parent = x->parent;
	x->parent = y;
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

static void replace_child(struct itree *t, struct itree_node *parent,
			  struct itree_node *old, struct itree_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 * Recomputes the nodes from @p up, rebalancing; stops below @stop, or where
 * a subtree comes out with the height and the largest end its parent
 * already records, since then nothing above can change.
 */
static void retrace(struct itree *t, struct itree_node *p, struct itree_node *stop)
{
	while (p != stop) {
		struct itree_node *gp = p->parent, *r;
		int old_height = p->height;
		uint64_t old_max = 0;

		if (gp)
			old_max = gp->left == p ? gp->lmax : gp->rmax;
		r = rebalance(p);
		replace_child(t, gp, p, r);
		if (!gp || (r->height == old_height && max_end(r) == old_max))
			return;
		p = gp;
	}
}

/* Stamps the nodes 0, 1, ... in tree order: same order, room for 2^32 more. */
static void renumber(struct itree *t)
{
	struct itree_node *stack[ITREE_MAX_HEIGHT], *n = t->root;
	uint32_t order = 0;
	int sp = 0;

	while (n || sp) {
		while (n) {
			stack[sp++] = n;
			n = n->left;
		}
		n = stack[--sp];
		n->order = order++;
		n = n->right;
	}
	t->next_order = order;
}

/*
 * The subtree maxima are raised on the way down, so the way back up only
 * has to go as far as heights change.
 */
void itree_insert(struct itree *t, struct itree_node *node)
{
	struct itree_node **link = &t->root, *parent = NULL;

	if (t->next_order == UINT32_MAX)
		renumber(t);
	node->order = t->next_order++;
	while (*link) {
		struct itree_node *p = *link;
		bool l = before(node, p);
		uint64_t *side_max = l ? &p->lmax : &p->rmax;

		*side_max = *side_max > node->end ? *side_max : node->end;
		parent = p;
		link = l ? &p->left : &p->right;
	}
	node->left = node->right = NULL;
	node->parent = parent;
	update(node);
	*link = node;
	t->count++;
	if (parent)
		retrace(t, parent, NULL);
}

void itree_remove(struct itree *t, struct itree_node *node)
{
	struct itree_node *parent = node->parent;

	if (!node->left || !node->right) {
		struct itree_node *child = node->left ? node->left : node->right;

		if (child)
			child->parent = parent;
		replace_child(t, parent, node, child);
		if (parent)
			retrace(t, parent, NULL);
	} else {
		/* the successor, the leftmost node on the right, takes its place */
		struct itree_node *succ = node->right, *from;

		while (succ->left)
			succ = succ->left;
		if (succ->parent != node) {
			from = succ->parent;
			from->left = succ->right;
			if (succ->right)
				succ->right->parent = from;
			succ->right = node->right;
			node->right->parent = succ;
		} else {
			from = succ;
		}
		succ->left = node->left;
		node->left->parent = succ;
		succ->parent = parent;
		succ->height = node->height;
		succ->lmax = node->lmax;
		succ->rmax = node->rmax;
		replace_child(t, parent, node, succ);
		/* below succ the subtrees lost succ; from succ up they lost node */
		retrace(t, from, succ);
		retrace(t, succ, NULL);
	}
	node->left = node->right = node->parent = NULL;
	t->count--;
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

static bool check(const struct itree_node *n, const struct itree_node *parent,
		  const struct itree_node *lo, const struct itree_node *hi, size_t *count)
{
	int hl, hr;

	if (!n)
		return true;
	if (n->parent != parent)
		return false;
	if ((lo && !before(lo, n)) || (hi && !before(n, hi)))
		return false;
	if (n->start >= n->end)
		return false;
	if (!check(n->left, n, lo, n, count) || !check(n->right, n, n, hi, count))
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

	return check(t->root, NULL, NULL, NULL, &count) && count == t->count;
}
