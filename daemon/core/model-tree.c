// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's tree side, as the kernel's memtype_interval.c: entries in
 * slabs, the exact-range index beside the interval tree, linking and
 * unlinking, the conflict walk and memtype_erase()'s matching.
 */
#include <assert.h>

#include "model-internal.h"
#include "util.h"

/* ---- entries: slabs and a free list -------------------------------------- */

struct pt_entry *model_entry_alloc(struct pt_model *m, uint64_t start, uint64_t end)
{
	struct itree_node *n;
	struct pt_entry *e;

	if (m->free_list) {
		n = m->free_list;
		m->free_list = n->left;
	} else {
		if (!m->slabs || m->slab_used == SLAB_ENTRIES) {
			struct slab *s = aligned_alloc(SLAB_BYTES, SLAB_BYTES);

			if (!s)
				return NULL;
			s->next = m->slabs;
			m->slabs = s;
			m->slab_used = 0;
		}
		n = &m->slabs->node[m->slab_used++];
	}
	n->start = start;
	n->end = end;
	e = entry_of(n);
	*e = (struct pt_entry){ 0 };
	return e;
}

void model_entry_release(struct pt_model *m, struct pt_entry *e)
{
	struct itree_node *n = node_of(e);

	n->left = m->free_list;
	m->free_list = n;
}

/* ---- the exact index ------------------------------------------------------ */

static inline size_t exact_home(const struct exact_index *x, uint64_t start, uint64_t end)
{
	return (size_t)(((start ^ (end * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL) >> x->shift);
}

/* Into the first free slot of @n's run; the caller counts it. */
static void exact_place(struct exact_index *x, struct itree_node *n)
{
	size_t i;

	for (i = exact_home(x, n->start, n->end); x->slot[i]; i = (i + 1) & (x->cap - 1))
		;
	x->slot[i] = n;
}

/* The slot holding @n, or x->cap when the index does not hold it. */
static size_t exact_find(const struct exact_index *x, const struct itree_node *n)
{
	if (!x->cap)
		return 0;
	for (size_t i = exact_home(x, n->start, n->end); x->slot[i]; i = (i + 1) & (x->cap - 1))
		if (x->slot[i] == n)
			return i;
	return x->cap;
}

static int exact_grow(struct exact_index *x)
{
	struct exact_index bigger = { .cap = x->cap ? x->cap * 2 : 256, .n = x->n };

	bigger.shift = 64 - (unsigned)__builtin_ctzll(bigger.cap);
	bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
	if (!bigger.slot)
		return -ENOMEM;
	for (size_t i = 0; i < x->cap; i++)
		if (x->slot[i])
			exact_place(&bigger, x->slot[i]);
	free(x->slot);
	*x = bigger;
	return 0;
}

static int exact_add(struct exact_index *x, struct itree_node *n)
{
	int r;

	if ((x->n + 1) * 2 > x->cap) {
		r = exact_grow(x);
		if (r < 0)
			return r;
	}
	exact_place(x, n);
	x->n++;
	return 0;
}

static void exact_del(struct exact_index *x, const struct itree_node *n)
{
	size_t mask = x->cap - 1, i = exact_find(x, n), j;

	assert(i < x->cap);
	/* pull back every later slot of the run that may live at or before i */
	for (j = (i + 1) & mask; x->slot[j]; j = (j + 1) & mask) {
		size_t home = exact_home(x, x->slot[j]->start, x->slot[j]->end);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			x->slot[i] = x->slot[j];
			i = j;
		}
	}
	x->slot[i] = NULL;
	x->n--;
}

static void exact_clear(struct exact_index *x)
{
	if (x->slot)
		memset(x->slot, 0, x->cap * sizeof(*x->slot));
	x->n = 0;
}

/* ---- the tree and the index together ------------------------------------ */

int model_entry_insert(struct pt_model *m, struct pt_entry *e)
{
	int r = exact_add(&m->exact, node_of(e));

	if (r < 0)
		return r;
	return itree_insert(&m->tree, node_of(e));
}

int model_entry_link(struct pt_model *m, struct pt_entry *e)
{
	int r = model_entry_insert(m, e);

	if (r < 0)
		return r;
	if (m->tree.count > m->stats.max_entries)
		m->stats.max_entries = m->tree.count;
	return 0;
}

void model_entry_unlink(struct pt_model *m, struct pt_entry *e)
{
	exact_del(&m->exact, node_of(e));
	itree_remove(&m->tree, node_of(e));
}

int model_tree_reserve(struct pt_model *m, size_t n)
{
	while (n * 2 > m->exact.cap) {
		int r = exact_grow(&m->exact);

		if (r < 0)
			return r;
	}
	return 0;
}

void model_tree_clear(struct pt_model *m)
{
	m->tree = (struct itree)ITREE_INIT;
	exact_clear(&m->exact);
}

struct collect {
	struct pt_entry **v;
	size_t n;
};

static int collect_step(struct itree_node *n, void *userdata)
{
	struct collect *c = userdata;

	c->v[c->n++] = entry_of(n);
	return 0;
}

void model_tree_collect(const struct pt_model *m, struct pt_entry **v)
{
	struct collect c = { v, 0 };

	itree_visit(&m->tree, 0, UINT64_MAX, collect_step, &c);
}

/* ---- the conflict walk: memtype_check_conflict() -------------------------- */

static int overlap_step(struct itree_node *n, void *userdata)
{
	struct overlap *o = userdata;
	struct pt_entry *e;

	if (n == o->self)
		return 0;
	e = entry_of(n);

	if (o->count == 0) {
		o->first = e;
		o->found = e->type;
		if (o->strict && e->type != o->req)
			o->conflict = true;
	} else if (e->type != o->found) {
		o->conflict = true;
	}
	o->count++;
	if (o->n_parties < PT_MAX_PARTIES)
		o->party[o->n_parties++] = party_of(e);
	if (o->conflict && o->count >= OVERLAP_SCAN_LIMIT) {
		o->more = true;
		return 1;
	}
	return 0;
}

void model_tree_scan_overlaps(const struct pt_model *m, uint64_t start, uint64_t end, struct overlap *o)
{
	itree_visit(&m->tree, start, end, overlap_step, o);
}

/* ---- erase matching: memtype_erase() -------------------------------------- */

static int match_step(struct itree_node *n, void *userdata)
{
	struct match *mt = userdata;
	struct pt_entry *e = entry_of(n);

	if (!mt->first)
		mt->first = e;
	if (n->end != mt->end)
		return 0;
	if (n->start == mt->start) {
		if (!mt->exact)
			mt->exact = e;
		if (!mt->exact_own && e->pid == mt->pid && e->type == mt->exact->type)
			mt->exact_own = e;
	} else if (n->start < mt->start) {
		if (!mt->tail)
			mt->tail = e;
		if (!mt->tail_own && e->pid == mt->pid && n->start == node_of(mt->tail)->start &&
		    e->type == mt->tail->type)
			mt->tail_own = e;
	}
	return 0;
}

/*
 * The exact candidates match_step() would find, from the index: the
 * kernel's is the first in tree order, and among equal starts that is the
 * lowest insertion stamp.
 */
static void exact_match(const struct pt_model *m, struct match *mt)
{
	const struct exact_index *x = &m->exact;
	size_t mask = x->cap - 1, home;
	const struct itree_node *kernel = NULL, *own = NULL;

	if (!x->cap)
		return;
	home = exact_home(x, mt->start, mt->end);
	for (size_t i = home; x->slot[i]; i = (i + 1) & mask) {
		const struct itree_node *n = x->slot[i];

		if (n->start == mt->start && n->end == mt->end && (!kernel || n->order < kernel->order))
			kernel = n;
	}
	if (!kernel)
		return;
	mt->exact = entry_of(kernel);
	for (size_t i = home; x->slot[i]; i = (i + 1) & mask) {
		const struct itree_node *n = x->slot[i];
		const struct pt_entry *e = entry_of(n);

		if (n->start == mt->start && n->end == mt->end && e->pid == mt->pid &&
		    e->type == mt->exact->type && (!own || n->order < own->order))
			own = n;
	}
	mt->exact_own = own ? entry_of(own) : NULL;
}

static struct pt_entry *find_exact(const struct pt_model *m, uint64_t start, uint64_t end,
				   int type, uint8_t flags, bool any_pid, int32_t pid)
{
	const struct exact_index *x = &m->exact;
	const struct itree_node *best = NULL;

	if (!x->cap)
		return NULL;
	for (size_t i = exact_home(x, start, end); x->slot[i]; i = (i + 1) & (x->cap - 1)) {
		const struct itree_node *n = x->slot[i];
		const struct pt_entry *e = entry_of(n);

		if (n->start == start && n->end == end && e->type == type &&
		    (e->flags & flags) == flags && (any_pid || e->pid == pid) &&
		    (!best || n->order < best->order))
			best = n;
	}
	return best ? entry_of(best) : NULL;
}

struct pt_entry *model_tree_find_exact(const struct pt_model *m, uint64_t start, uint64_t end,
				       int type, uint8_t flags)
{
	return find_exact(m, start, end, type, flags, true, 0);
}

struct pt_entry *model_tree_find_own(const struct pt_model *m, uint64_t start, uint64_t end,
				     int type, uint8_t flags, int32_t pid)
{
	return find_exact(m, start, end, type, flags, false, pid);
}

/*
 * memtype_erase(): an exact match first, else an entry with the same end
 * and a lower start, which is shrunk to [entry.start, start).  The model
 * erases or shrinks exactly the node the kernel does (the first in tree
 * order), so the table and its order stay the kernel's.  Identical
 * candidates differ only in whom the model thinks they belong to: when the
 * freeing process owns one of them, its owner moves onto the node the
 * kernel takes, which keeps owners (and leak verdicts) right.
 */
static struct pt_entry *erase_target(struct match *mt)
{
	struct pt_entry *kernel = mt->exact ? mt->exact : mt->tail;
	struct pt_entry *own = mt->exact ? mt->exact_own : mt->tail_own;

	if (own && own != kernel) {
		struct pt_entry tmp = *kernel;

		*kernel = *own;
		*own = tmp;
	}
	return kernel;
}

struct pt_entry *model_tree_erase_target(const struct pt_model *m, struct match *mt, bool indexed)
{
	if (indexed)
		exact_match(m, mt);
	if (!mt->exact && mt->start < mt->end)
		itree_visit(&m->tree, mt->start, mt->end, match_step, mt);
	return erase_target(mt);
}

/* ---- walks and checks ----------------------------------------------------- */

struct foreach_ctx {
	const struct pt_model *m;
	pt_entry_fn fn;
	void *userdata;
};

/* Who owns @e: its driver, its process, or nobody known. */
static enum pt_owner_class entry_owner(const struct pt_entry *e)
{
	if (e->flags & ENTRY_DRIVER)
		return PT_OWNER_DRIVER;
	if (!e->stack || (e->flags & (ENTRY_PREEXISTING | ENTRY_RESYNCED)))
		return PT_OWNER_UNKNOWN;
	return PT_OWNER_PROCESS;
}

static int foreach_step(struct itree_node *n, void *userdata)
{
	struct foreach_ctx *c = userdata;
	struct pt_entry *e = entry_of(n);
	char module[PT_OWNER_DRIVER_MAX] = "";
	const char *call = "";
	struct pt_entry_info info = {
		.start = n->start,
		.end = n->end,
		.type = e->type,
		.pid = e->pid,
		.comm = pt_strtab_get(&c->m->strings, e->comm),
		.stack = pt_strtab_get(&c->m->strings, e->stack),
		.comm_id = e->comm,
		.stack_id = e->stack,
		.seq = e->seq,
		.ts_ns = e->ts_ns,
		.born = e->born,
		.preexisting = e->flags & ENTRY_PREEXISTING,
		.resynced = e->flags & ENTRY_RESYNCED,
		.shrunk = e->flags & ENTRY_SHRUNK,
		.exited = e->flags & ENTRY_DRIVER ? 0 : model_exits_lookup(c->m, e->pid),
		.leaked = e->flags & ENTRY_LEAK_REPORTED,
		.owner = entry_owner(e),
	};

	info.owner_exited = e->pid > 0 && info.exited > e->born;
	if (info.owner == PT_OWNER_DRIVER) {
		pt_owner_driver(info.stack, strlen(info.stack), module, sizeof(module));
		call = pt_owner_call(info.stack, strlen(info.stack));
	}
	info.driver = module;
	info.call = call;
	return c->fn(&info, c->userdata);
}

int pt_model_foreach_entry(const struct pt_model *m, uint64_t start, uint64_t end,
			   pt_entry_fn fn, void *userdata)
{
	struct foreach_ctx c = { m, fn, userdata };

	return itree_visit(&m->tree, start, end, foreach_step, &c);
}

size_t pt_model_memory(const struct pt_model *m)
{
	size_t slabs = 0;

	for (const struct slab *s = m->slabs; s; s = s->next)
		slabs++;
	return slabs * SLAB_BYTES + m->exact.cap * sizeof(*m->exact.slot) +
	       m->cap_ram * sizeof(struct ram_range) +
	       m->cap_exits * sizeof(struct exit_slot) +
	       m->cap_anomalies * sizeof(struct pt_anomaly) +
	       m->cap_devices * sizeof(struct device_bar) + m->cap_gone * sizeof(struct gone) +
	       pt_strtab_memory(&m->strings);
}

static int indexed_step(struct itree_node *n, void *userdata)
{
	const struct exact_index *x = userdata;

	return exact_find(x, n) == x->cap;
}

bool pt_model_check(const struct pt_model *m)
{
	/* as many in the index as in the tree, and each of the tree's found in it */
	return itree_check(&m->tree) && m->exact.n == m->tree.count &&
	       itree_visit(&m->tree, 0, UINT64_MAX, indexed_step, (void *)&m->exact) == 0;
}
