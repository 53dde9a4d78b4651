// SPDX-License-Identifier: GPL-2.0-or-later
#include "itree.h"

#include "util.h"

static inline int height(const struct itree_node *n)
{
	if (!n)
		return 0;
	return 1 + (n->lheight > n->rheight ? n->lheight : n->rheight);
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

/* What @n records of its children, from the children themselves. */
static inline void set_left(struct itree_node *n, struct itree_node *child)
{
	n->left = child;
	n->lheight = (uint8_t)height(child);
	n->lmax = max_end(child);
}

static inline void set_right(struct itree_node *n, struct itree_node *child)
{
	n->right = child;
	n->rheight = (uint8_t)height(child);
	n->rmax = max_end(child);
}

static inline bool before(const struct itree_node *a, const struct itree_node *b)
{
	/* no short circuit: the direction of a descent is a coin toss for the branch predictor */
	return (a->start < b->start) | ((a->start == b->start) & (a->order < b->order));
}

/*
 * Rotations keep parent pointers; the caller links the new subtree root in.
 * The node that goes down is recomputed first, from children whose figures
 * the two rotated nodes already hold.
 */
static struct itree_node *rotate_right(struct itree_node *y)
{
	struct itree_node *x = y->left;

	y->left = x->right;
	y->lheight = x->rheight;
	y->lmax = x->rmax;
	if (x->right)
		x->right->parent = y;
	x->parent = y->parent;
	y->parent = x;
	set_right(x, y);
	return x;
}

static struct itree_node *rotate_left(struct itree_node *x)
{
	struct itree_node *y = x->right;

	x->right = y->left;
	x->rheight = y->lheight;
	x->rmax = y->lmax;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	x->parent = y;
	set_left(y, x);
	return y;
}

/* @n records its children rightly; rotates it if they differ in height by 2. */
static struct itree_node *rebalance(struct itree_node *n)
{
	int balance = n->lheight - n->rheight;

	if (balance > 1) {
		if (n->left->lheight < n->left->rheight)
			set_left(n, rotate_left(n->left));
		return rotate_right(n);
	}
	if (balance < -1) {
		if (n->right->rheight < n->right->lheight)
			set_right(n, rotate_right(n->right));
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
 * Rebalances from @p up, @p recording its own children rightly, and
 * tells each parent what its child became; stops at @stop, or where a
 * subtree comes out with the height and the largest end its parent
 * already records, since then nothing above can change.
 */
static void retrace(struct itree *t, struct itree_node *p, struct itree_node *stop)
{
	while (p != stop) {
		struct itree_node *gp = p->parent, *r;
		size_t right;
		uint8_t h, *side_height;
		uint64_t m, *side_max;

		r = rebalance(p);
		if (!gp) {
			t->root = r;
			return;
		}
		/* which side p hangs on is a coin toss too: indexed, not branched on */
		right = gp->right == p;
		(&gp->left)[right] = r;
		h = (uint8_t)height(r);
		m = max_end(r);
		side_height = &gp->lheight + right;
		side_max = &gp->lmax + right;
		if (*side_height == h && *side_max == m)
			return;
		*side_height = h;
		*side_max = m;
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
 *
 * Every other node is on the way down or in a subtree the descent passes
 * by, so the descent also tells whether any of them overlaps: going right
 * past p passes p and its left subtree, which start no later than the new
 * node and overlap it only if they end after its start; going left past p
 * passes p and its right subtree, which start no earlier than p, so one of
 * them overlaps exactly when p does.
 */
bool itree_insert(struct itree *t, struct itree_node *node)
{
	struct itree_node **link = &t->root, *parent = NULL;
	size_t overlap = 0;

	if (t->next_order == UINT32_MAX)
		renumber(t);
	node->order = t->next_order++;
	while (*link) {
		struct itree_node *p = *link;
		/* indexed, not branched on: the direction is a coin toss for the predictor */
		size_t right = !before(node, p);
		uint64_t *side_max = &p->lmax + right;
		uint64_t passed_end = p->end > p->lmax ? p->end : p->lmax;

		overlap |= (right & (passed_end > node->start)) | ((right ^ 1) & (p->start < node->end));
		*side_max = *side_max > node->end ? *side_max : node->end;
		parent = p;
		link = &p->left + right;
	}
	node->left = node->right = NULL;
	node->parent = parent;
	node->lheight = node->rheight = 0;
	node->lmax = node->rmax = 0;
	*link = node;
	t->count++;
	if (parent) {
		/* the maximum was raised on the way down; the height is 1 now */
		if (link == &parent->left)
			parent->lheight = 1;
		else
			parent->rheight = 1;
		retrace(t, parent, NULL);
	}
	return overlap;
}

void itree_remove(struct itree *t, struct itree_node *node)
{
	struct itree_node *parent = node->parent;

	if (!node->left || !node->right) {
		struct itree_node *child = node->left ? node->left : node->right;

		if (child)
			child->parent = parent;
		if (!parent)
			t->root = child;
		else if (parent->left == node)
			set_left(parent, child);
		else
			set_right(parent, child);
		if (parent)
			retrace(t, parent, NULL);
	} else {
		/* the successor, the leftmost node on the right, takes its place */
		struct itree_node *succ = node->right, *from;

		while (succ->left)
			succ = succ->left;
		if (succ->parent != node) {
			from = succ->parent;
			if (succ->right)
				succ->right->parent = from;
			set_left(from, succ->right);
			succ->right = node->right;
			succ->rheight = node->rheight;
			succ->rmax = node->rmax;
			node->right->parent = succ;
		} else {
			from = succ;
		}
		succ->left = node->left;
		succ->lheight = node->lheight;
		succ->lmax = node->lmax;
		node->left->parent = succ;
		succ->parent = parent;
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

/* The height of the subtree at @n, or -1 where an invariant fails. */
static int check(const struct itree_node *n, const struct itree_node *parent,
		 const struct itree_node *lo, const struct itree_node *hi, size_t *count)
{
	int hl, hr;

	if (!n)
		return 0;
	if (n->parent != parent)
		return -1;
	if ((lo && !before(lo, n)) || (hi && !before(n, hi)))
		return -1;
	if (n->start >= n->end)
		return -1;
	hl = check(n->left, n, lo, n, count);
	hr = check(n->right, n, n, hi, count);
	if (hl < 0 || hr < 0 || hl - hr > 1 || hr - hl > 1)
		return -1;
	if (n->lheight != hl || n->rheight != hr)
		return -1;
	if (n->lmax != max_end(n->left) || n->rmax != max_end(n->right))
		return -1;
	(*count)++;
	return 1 + (hl > hr ? hl : hr);
}

bool itree_check(const struct itree *t)
{
	size_t count = 0;

	return check(t->root, NULL, NULL, NULL, &count) >= 0 && count == t->count;
}
