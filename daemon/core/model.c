// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memtype model.  Each function below names the kernel function whose
 * decision it reproduces (Linux 6.1, arch/x86/mm/pat/).
 */
#include "model.h"

#include <assert.h>

#include "itree.h"
#include "util.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

enum {
	ENTRY_PREEXISTING = 1 << 0,	/* from an "entry" record / debugfs */
	ENTRY_SHRUNK = 1 << 1,		/* cut by an end-matching free */
	ENTRY_LEAK_REPORTED = 1 << 2,
	ENTRY_RESYNCED = 1 << 3,	/* added at a resync: owner unknown */
};

/*
 * An entry is two halves in one slab: its tree node, one cache line that
 * searches touch, and this, which only the entries they report touch.
 */
struct pt_entry {
	uint64_t born;		/* model clock at the reserve */
	uint64_t seq;
	uint64_t ts_ns;
	int32_t pid;
	uint32_t comm;
	uint32_t stack;
	uint8_t type;
	uint8_t flags;
};

/*
 * Entries come from slabs and go back to a free list: no malloc per event.
 * A slab is aligned to its own size, so either half of an entry finds its
 * slab, and so the other half, by masking its address.
 */
#define SLAB_BYTES (512 * 1024)
#define SLAB_ENTRIES ((SLAB_BYTES - 64) / (sizeof(struct itree_node) + sizeof(struct pt_entry)))

struct slab {
	struct itree_node node[SLAB_ENTRIES];
	struct pt_entry entry[SLAB_ENTRIES];
	struct slab *next;
};

_Static_assert(sizeof(struct slab) <= SLAB_BYTES, "slab too large");

static inline struct slab *slab_of(const void *p)
{
	return (struct slab *)((uintptr_t)p & ~(uintptr_t)(SLAB_BYTES - 1));
}

static inline struct pt_entry *entry_of(const struct itree_node *n)
{
	struct slab *s = slab_of(n);

	return &s->entry[n - s->node];
}

static inline struct itree_node *node_of(const struct pt_entry *e)
{
	struct slab *s = slab_of(e);

	return &s->node[e - s->entry];
}

/* Exited processes: pid -> model clock at its exit.  Open addressing. */
struct exit_slot {
	int32_t pid;		/* 0 = empty */
	uint64_t clock;
};

struct ram_range {
	uint64_t start, end;	/* [start, end) */
};

/*
 * A process keeps its name: the last name interned for a pid, so that most
 * events skip hashing it.  Indexed by the pid's low bits.
 */
#define COMM_CACHE_SIZE 256
#define COMM_CACHE_LEN 16

struct comm_cache {
	int32_t pid;
	uint32_t id;
	uint32_t len;
	char comm[COMM_CACHE_LEN];
};

/*
 * Every node of the tree by its exact range.  memtype_free() nearly always
 * names a reservation exactly; this finds the candidates in a probe or two
 * instead of a descent through the tree.  Open addressing, linear probing,
 * deletion by backward shift (no tombstones); at most half full.
 */
struct exact_index {
	struct itree_node **slot;
	size_t cap, n;		/* cap is a power of two */
	unsigned shift;		/* 64 - log2(cap) */
};

struct pt_model {
	struct itree tree;
	struct exact_index exact;
	struct slab *slabs;
	size_t slab_used;	/* entries handed out of the newest slab */
	struct itree_node *free_list;	/* linked through left */

	struct ram_range *ram;
	size_t n_ram, cap_ram;

	struct exit_slot *exits;
	size_t n_exits, cap_exits;	/* cap is a power of two */

	struct pt_anomaly *anomalies;
	size_t n_anomalies, cap_anomalies;

	struct pt_strtab strings;
	struct comm_cache comm_cache[COMM_CACHE_SIZE];
	struct pt_stats stats;
	uint64_t clock;		/* one tick per applied event */

	/* Inside a PT_EV_SYNC block: the kernel's list as it arrives. */
	bool syncing;
	enum pt_sync_reason sync_reason;
	uint64_t sync_lost;
	struct pt_kentry *pending;
	size_t n_pending, cap_pending;
};

int pt_model_new(struct pt_model **ret)
{
	struct pt_model *m;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	r = pt_strtab_init(&m->strings);
	if (r < 0) {
		free(m);
		return r;
	}
	*ret = m;
	return 0;
}

void pt_model_free(struct pt_model *m)
{
	if (!m)
		return;
	while (m->slabs) {
		struct slab *next = m->slabs->next;

		free(m->slabs);
		m->slabs = next;
	}
	free(m->exact.slot);
	free(m->ram);
	free(m->exits);
	free(m->anomalies);
	free(m->pending);
	pt_strtab_done(&m->strings);
	free(m);
}

/* A zeroed entry whose node has @start and @end. */
static struct pt_entry *entry_alloc(struct pt_model *m, uint64_t start, uint64_t end)
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

static void entry_release(struct pt_model *m, struct pt_entry *e)
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

/*
 * Into the tree and the index, or neither.  The index grows first, so a
 * failure leaves the table as it was.  Returns 1 when another entry
 * overlaps @e, 0 when none does, or a negative errno.
 */
static int entry_insert(struct pt_model *m, struct pt_entry *e)
{
	int r = exact_add(&m->exact, node_of(e));

	if (r < 0)
		return r;
	return itree_insert(&m->tree, node_of(e));
}

/* For good: counted in the table's high-water mark. */
static int entry_link(struct pt_model *m, struct pt_entry *e)
{
	int r = entry_insert(m, e);

	if (r < 0)
		return r;
	if (m->tree.count > m->stats.max_entries)
		m->stats.max_entries = m->tree.count;
	return 0;
}

static void entry_unlink(struct pt_model *m, struct pt_entry *e)
{
	exact_del(&m->exact, node_of(e));
	itree_remove(&m->tree, node_of(e));
}

/* ---- exited processes ---------------------------------------------------- */

static size_t exit_index(size_t cap, int32_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static int exits_grow(struct pt_model *m)
{
	size_t cap = m->cap_exits ? m->cap_exits * 2 : 256;
	struct exit_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap_exits; i++) {
		size_t j;

		if (!m->exits[i].pid)
			continue;
		for (j = exit_index(cap, m->exits[i].pid); slots[j].pid; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->exits[i];
	}
	free(m->exits);
	m->exits = slots;
	m->cap_exits = cap;
	return 0;
}

static int exits_record(struct pt_model *m, int32_t pid, uint64_t clock)
{
	size_t i;
	int r;

	if (pid <= 0)
		return 0;
	if ((m->n_exits + 1) * 2 > m->cap_exits) {
		r = exits_grow(m);
		if (r < 0)
			return r;
	}
	for (i = exit_index(m->cap_exits, pid); m->exits[i].pid; i = (i + 1) & (m->cap_exits - 1))
		if (m->exits[i].pid == pid) {
			m->exits[i].clock = clock;
			return 0;
		}
	m->exits[i] = (struct exit_slot){ .pid = pid, .clock = clock };
	m->n_exits++;
	return 0;
}

/* The clock of @pid's last exit, 0 if it never exited. */
static uint64_t exits_lookup(const struct pt_model *m, int32_t pid)
{
	if (pid <= 0 || !m->cap_exits)
		return 0;
	for (size_t i = exit_index(m->cap_exits, pid); m->exits[i].pid;
	     i = (i + 1) & (m->cap_exits - 1))
		if (m->exits[i].pid == pid)
			return m->exits[i].clock;
	return 0;
}

static bool owner_exited(const struct pt_model *m, const struct pt_entry *e)
{
	return e->pid > 0 && exits_lookup(m, e->pid) > e->born;
}

/* ---- System RAM: pat_pagerange_is_ram() ---------------------------------- */

static int ram_add(struct pt_model *m, uint64_t start, uint64_t end)
{
	size_t i;

	/* Sorted by start; a range nested in another adds nothing. */
	for (i = 0; i < m->n_ram && m->ram[i].start <= start; i++)
		if (m->ram[i].end >= end)
			return 0;
	if (GROW_ARRAY(m->ram, m->cap_ram, m->n_ram + 1, 16) < 0)
		return -ENOMEM;
	memmove(&m->ram[i + 1], &m->ram[i], (m->n_ram - i) * sizeof(*m->ram));
	m->ram[i] = (struct ram_range){ start, end };
	m->n_ram++;
	return 0;
}

enum ram_state {
	RANGE_NOT_RAM = 0,
	RANGE_RAM = 1,
	RANGE_MIXED = -1,
};

/*
 * pat_pagerange_is_ram() over walk_system_ram_range(): pages below 1 MiB
 * count as non-RAM, System RAM resources are clipped to whole pages, and a
 * gap before a RAM chunk makes the range mixed.  As in the kernel, a gap
 * after the last RAM chunk does not.
 */
static enum ram_state ram_state(const struct pt_model *m, uint64_t start, uint64_t end)
{
	uint64_t start_pfn = start >> PAGE_SHIFT;
	uint64_t end_pfn = (end + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t cur_pfn, qstart, qend;
	bool ram = false, not_ram = false;

	if (start_pfn < (PT_ISA_END >> PAGE_SHIFT))
		start_pfn = PT_ISA_END >> PAGE_SHIFT;
	if (start_pfn >= end_pfn)
		return RANGE_NOT_RAM;

	cur_pfn = start_pfn;
	qstart = start_pfn << PAGE_SHIFT;
	qend = (end_pfn << PAGE_SHIFT) - 1;	/* inclusive, as the kernel's */
	for (size_t i = 0; i < m->n_ram; i++) {
		uint64_t rs = m->ram[i].start, re = m->ram[i].end - 1;
		uint64_t pfn, epfn;

		if (re < qstart)
			continue;
		if (rs > qend)
			break;
		rs = rs > qstart ? rs : qstart;
		re = re < qend ? re : qend;
		pfn = (rs + PAGE_SIZE - 1) >> PAGE_SHIFT;
		epfn = (re + 1) >> PAGE_SHIFT;
		if (epfn <= pfn)
			continue;
		not_ram |= pfn > cur_pfn;
		ram = true;
		cur_pfn = epfn;
		if (not_ram)
			return RANGE_MIXED;
	}
	return ram ? RANGE_RAM : RANGE_NOT_RAM;
}

/* ---- anomalies ----------------------------------------------------------- */

static struct pt_anomaly *anomaly_new(struct pt_model *m, enum pt_anomaly_kind kind,
				      const struct pt_event *ev, uint32_t comm, uint32_t stack)
{
	struct pt_anomaly *a;

	if (GROW_ARRAY(m->anomalies, m->cap_anomalies, m->n_anomalies + 1, 64) < 0)
		return NULL;
	a = &m->anomalies[m->n_anomalies++];
	*a = (struct pt_anomaly){
		.kind = kind,
		.type = PT_TYPE_NONE,
		.req = PT_TYPE_NONE,
		.got = PT_TYPE_NONE,
		.pred_got = PT_TYPE_NONE,
		.comm = comm,
		.stack = stack,
	};
	if (ev) {
		a->event = ev->kind;
		a->start = ev->start;
		a->end = ev->end;
		a->pid = ev->pid;
		a->seq = ev->has_seq ? ev->seq : m->clock;
		a->ts_ns = ev->ts_ns;
	}
	m->stats.anomalies[kind]++;
	return a;
}

int pt_model_add_anomaly(struct pt_model *m, const struct pt_anomaly *in)
{
	struct pt_anomaly *a;

	if ((unsigned)in->kind >= _PT_AN_MAX)
		return -EINVAL;
	a = anomaly_new(m, in->kind, NULL, 0, 0);
	if (!a)
		return -ENOMEM;
	*a = *in;
	return 0;
}

static struct pt_party party_of(const struct pt_entry *e)
{
	return (struct pt_party){
		.start = node_of(e)->start,
		.end = node_of(e)->end,
		.seq = e->seq,
		.pid = e->pid,
		.comm = e->comm,
		.type = (int8_t)e->type,
	};
}

/* ---- reserve: memtype_reserve() / memtype_check_conflict() --------------- */

/* How far a conflict scan goes on after the verdict, to name the parties. */
#define OVERLAP_SCAN_LIMIT 64

enum path {
	PATH_INVALID,	/* start >= end */
	PATH_ISA,	/* untracked, always write-back */
	PATH_RAM,	/* page-flag tracked, not in the tree */
	PATH_MIXED,	/* RAM and non-RAM: -EINVAL */
	PATH_TREE,
};

struct overlap {
	const struct itree_node *self;	/* the request's own node, already linked */
	int req;
	bool strict;
	int found;		/* the first overlapping entry's type */
	bool conflict;
	struct pt_entry *first;
	uint32_t count;
	bool more;
	uint8_t n_parties;
	struct pt_party party[PT_MAX_PARTIES];
};

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

static enum path classify(const struct pt_model *m, uint64_t start, uint64_t end)
{
	if (start >= end)
		return PATH_INVALID;
	if (pt_range_is_isa(start, end))
		return PATH_ISA;
	switch (ram_state(m, start, end)) {
	case RANGE_RAM:
		return PATH_RAM;
	case RANGE_MIXED:
		return PATH_MIXED;
	default:
		return PATH_TREE;
	}
}

struct prediction {
	enum path path;
	bool known;	/* false: depends on state the model does not keep */
	int ret;
	int got;	/* what new_type would hold */
};

/*
 * @self is the request's own node, already linked; @overlaps says whether
 * linking it found any other entry over its range.
 */
static void predict_reserve(const struct pt_model *m, const struct pt_event *ev, enum path path,
			    const struct itree_node *self, bool overlaps,
			    struct prediction *p, struct overlap *o)
{
	/* field by field: the party array is filled as found, not cleared per event */
	o->self = self;
	o->req = ev->req;
	o->strict = ev->strict;
	o->found = ev->req;
	o->conflict = false;
	o->first = NULL;
	o->count = 0;
	o->more = false;
	o->n_parties = 0;
	*p = (struct prediction){ .path = path, .known = true };

	switch (p->path) {
	case PATH_INVALID:
	case PATH_MIXED:
		p->ret = -EINVAL;
		p->got = ev->req;
		return;
	case PATH_ISA:
		p->got = PATTRACK_TYPE_WB;
		return;
	case PATH_RAM:
		/* reserve_ram_pages_type(): page flags we do not mirror. */
		if (ev->req == PATTRACK_TYPE_WP) {
			p->ret = -EINVAL;
			p->got = PATTRACK_TYPE_UC_MINUS;
			return;
		}
		p->known = false;
		p->got = ev->req == PATTRACK_TYPE_UC ? PATTRACK_TYPE_UC_MINUS : ev->req;
		return;
	case PATH_TREE:
		if (overlaps)
			itree_visit(&m->tree, ev->start, ev->end, overlap_step, o);
		p->ret = o->conflict ? -EBUSY : 0;
		p->got = o->found;
		return;
	}
}

static bool mtrr_explains(int req, int got, const struct overlap *o)
{
	/* pat_x_mtrr_type(): a write-back request over non-WB MTRRs becomes UC-. */
	return req == PATTRACK_TYPE_WB && got == PATTRACK_TYPE_UC_MINUS && o->count == 0;
}

static int intern_comm(struct pt_model *m, const struct pt_event *ev, uint32_t *comm)
{
	struct comm_cache *c = &m->comm_cache[(uint32_t)ev->pid % COMM_CACHE_SIZE];
	int r;

	/* memcmp() compares in vectors: no branch per byte to mispredict where the name ends */
	if (c->pid == ev->pid && c->len == ev->comm_len && memcmp(c->comm, ev->comm, c->len) == 0) {
		*comm = c->id;
		return 0;
	}
	r = pt_strtab_intern(&m->strings, ev->comm, ev->comm_len, comm);
	if (r < 0)
		return r;
	if (ev->comm_len <= COMM_CACHE_LEN) {
		c->pid = ev->pid;
		c->id = *comm;
		c->len = (uint32_t)ev->comm_len;
		memcpy(c->comm, ev->comm, ev->comm_len);
	}
	return 0;
}

static int intern_owner(struct pt_model *m, const struct pt_event *ev,
			uint32_t *comm, uint32_t *stack)
{
	int r;

	*comm = *stack = 0;
	if (ev->comm && ev->comm_len) {
		r = intern_comm(m, ev, comm);
		if (r < 0)
			return r;
	}
	if (ev->stack && ev->stack_len) {
		r = pt_strtab_intern(&m->strings, ev->stack, ev->stack_len, stack);
		if (r < 0)
			return r;
	}
	return 0;
}

static int record_drift(struct pt_model *m, const struct pt_event *ev, uint32_t comm,
			uint32_t stack, int ret, int got, const struct prediction *p, int type)
{
	struct pt_anomaly *a = anomaly_new(m, PT_AN_DRIFT, ev, comm, stack);

	if (!a)
		return -ENOMEM;
	a->type = (int8_t)type;
	a->req = (int8_t)(ev->kind == PT_EV_RESERVE ? ev->req : PT_TYPE_NONE);
	a->got = (int8_t)got;
	a->ret = ret;
	a->pred_ret = p->ret;
	a->pred_got = (int8_t)(ev->kind == PT_EV_RESERVE ? p->got : PT_TYPE_NONE);
	return 0;
}

static void copy_parties(struct pt_anomaly *a, const struct overlap *o)
{
	a->n_overlap = o->count;
	a->overlap_more = o->more;
	a->n_parties = o->n_parties;
	memcpy(a->party, o->party, o->n_parties * sizeof(a->party[0]));
}

static enum pt_severity degrade_severity(int req, int got)
{
	return pt_type_strength(got) < pt_type_strength(req) ? PT_SEV_HAZARD : PT_SEV_SLOW;
}

static int apply_reserve(struct pt_model *m, const struct pt_event *ev)
{
	struct prediction p;
	struct overlap o;
	struct pt_entry *e = NULL;
	enum path path;
	uint32_t comm, stack;
	bool overlaps = false;
	int ret, got, r;

	if (pt_type_name(ev->req) == NULL ||
	    (!ev->strict && ev->has_ret && ev->ret == 0 && pt_type_name(ev->got) == NULL))
		return -EINVAL;
	r = intern_owner(m, ev, &comm, &stack);
	if (r < 0)
		return r;

	/*
	 * Link the new entry first: the descent tells whether anything
	 * overlaps it, which for most requests is all the checking there is;
	 * otherwise the overlap scan that decides its fate walks the path the
	 * insert has just brought into the cache.  The scan passes over the
	 * entry itself; a refused request takes it out again.
	 */
	path = classify(m, ev->start, ev->end);
	if (path == PATH_TREE) {
		e = entry_alloc(m, ev->start, ev->end);
		if (!e)
			return -ENOMEM;
		r = entry_insert(m, e);
		if (r < 0) {
			entry_release(m, e);
			return r;
		}
		overlaps = r > 0;
	}
	predict_reserve(m, ev, path, e ? node_of(e) : NULL, overlaps, &p, &o);
	ret = ev->has_ret ? ev->ret : p.ret;
	got = ev->strict ? PT_TYPE_NONE : ev->has_ret ? ev->got : p.got;

	if (ev->has_ret && p.known) {
		bool agree = ret == p.ret;

		if (agree && ret == 0 && got != PT_TYPE_NONE && got != p.got)
			agree = mtrr_explains(ev->req, got, &o);
		if (!agree) {
			r = record_drift(m, ev, comm, stack, ret, got, &p, ev->req);
			if (r < 0)
				goto fail;
		}
	}

	if (ret != 0) {
		m->stats.reserves_failed++;
		if (e) {
			entry_unlink(m, e);
			entry_release(m, e);
		}
		if (ret == -EBUSY) {
			struct pt_anomaly *a = anomaly_new(m, PT_AN_CONFLICT, ev, comm, stack);

			if (!a)
				return -ENOMEM;
			a->type = (int8_t)ev->req;
			a->req = (int8_t)ev->req;
			a->got = (int8_t)got;
			a->ret = ret;
			copy_parties(a, &o);
		}
		return 0;
	}

	if (e) {
		/* A strict request that succeeded holds the requested type. */
		e->type = (uint8_t)(got == PT_TYPE_NONE ? ev->req : got);
		e->born = m->clock;
		e->seq = ev->has_seq ? ev->seq : m->clock;
		e->ts_ns = ev->ts_ns;
		e->pid = ev->pid;
		e->comm = comm;
		e->stack = stack;
		if (m->tree.count > m->stats.max_entries)
			m->stats.max_entries = m->tree.count;
	}

	if (got != PT_TYPE_NONE && got != ev->req && p.path != PATH_ISA) {
		struct pt_anomaly *a = anomaly_new(m, PT_AN_DEGRADED, ev, comm, stack);

		if (!a)
			return -ENOMEM;
		a->type = (int8_t)got;
		a->req = (int8_t)ev->req;
		a->got = (int8_t)got;
		a->severity = degrade_severity(ev->req, got);
		copy_parties(a, &o);
	}
	return 0;

fail:
	if (e) {
		entry_unlink(m, e);
		entry_release(m, e);
	}
	return r;
}

/* ---- free: memtype_free() / memtype_erase() ------------------------------ */

struct match {
	uint64_t start, end;
	int32_t pid;
	struct pt_entry *exact, *exact_own;
	struct pt_entry *tail, *tail_own;	/* END_MATCH candidates */
	struct pt_entry *first;			/* first overlapping entry */
};

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

static int apply_free(struct pt_model *m, const struct pt_event *ev)
{
	struct prediction p = { .path = classify(m, ev->start, ev->end), .known = true };
	struct match mt = { .start = ev->start, .end = ev->end, .pid = ev->pid };
	struct pt_entry *target = NULL;
	uint32_t comm, stack;
	int ret, r;

	r = intern_owner(m, ev, &comm, &stack);
	if (r < 0)
		return r;

	switch (p.path) {
	case PATH_ISA:
	case PATH_RAM:
		p.ret = 0;	/* free_ram_pages_type() always succeeds */
		break;
	case PATH_MIXED:
		p.ret = -EINVAL;
		break;
	case PATH_INVALID:
	case PATH_TREE:
		/* a failed free names what it overlapped: that takes the walk */
		if (!ev->has_ret || ev->ret == 0)
			exact_match(m, &mt);
		if (!mt.exact && ev->start < ev->end)
			itree_visit(&m->tree, ev->start, ev->end, match_step, &mt);
		target = erase_target(&mt);
		p.ret = target ? 0 : -EINVAL;
		p.path = PATH_TREE;
		break;
	}

	ret = ev->has_ret ? ev->ret : p.ret;
	if (ev->has_ret && p.known && ret != p.ret) {
		r = record_drift(m, ev, comm, stack, ret, PT_TYPE_NONE, &p,
				 target ? target->type : PT_TYPE_NONE);
		if (r < 0)
			return r;
	}

	if (ret != 0) {
		m->stats.frees_failed++;
		if (ret == -EINVAL && (p.path == PATH_TREE || p.path == PATH_MIXED)) {
			struct pt_anomaly *a = anomaly_new(m, PT_AN_INVALID_FREE, ev, comm, stack);

			if (!a)
				return -ENOMEM;
			a->ret = ret;
			if (p.path == PATH_MIXED) {
				r = pt_strtab_intern(&m->strings, "range mixes System RAM and other memory",
						     39, &a->note);
				if (r < 0)
					return r;
			}
			if (mt.first) {
				a->type = (int8_t)mt.first->type;
				a->n_overlap = 1;
				a->n_parties = 1;
				a->party[0] = party_of(mt.first);
			}
		}
		return 0;
	}

	if (!target)
		return 0;	/* the kernel freed what the model does not hold: drift, recorded */

	entry_unlink(m, target);
	if (node_of(target)->start == ev->start) {
		entry_release(m, target);
		return 0;
	}
	/* mremap shrink: keep the head, re-inserted after its equals as the kernel does */
	node_of(target)->end = ev->start;
	target->flags |= ENTRY_SHRUNK;
	r = entry_link(m, target);
	if (r < 0)
		entry_release(m, target);
	return r;
}

/* ---- the rest ------------------------------------------------------------ */

/* A line of the kernel's list, or an "entry" record, that can be one. */
static bool kentry_valid(uint64_t start, uint64_t end, int type)
{
	return start < end && pt_type_name(type) != NULL;
}

static int apply_entry(struct pt_model *m, const struct pt_event *ev)
{
	struct pt_entry *e;
	int r;

	if (!kentry_valid(ev->start, ev->end, ev->type))
		return -EINVAL;
	e = entry_alloc(m, ev->start, ev->end);
	if (!e)
		return -ENOMEM;
	e->type = (uint8_t)ev->type;
	e->born = m->clock;
	e->seq = ev->has_seq ? ev->seq : m->clock;
	e->flags = ENTRY_PREEXISTING;
	r = entry_link(m, e);
	if (r < 0)
		entry_release(m, e);
	return r;
}

static int pending_add(struct pt_model *m, const struct pt_event *ev)
{
	if (!kentry_valid(ev->start, ev->end, ev->type))
		return -EINVAL;
	if (GROW_ARRAY(m->pending, m->cap_pending, m->n_pending + 1, 64) < 0)
		return -ENOMEM;
	m->pending[m->n_pending++] = (struct pt_kentry){ ev->start, ev->end, ev->type };
	return 0;
}

static int apply_sync(struct pt_model *m, const struct pt_event *ev)
{
	if ((unsigned)ev->reason >= _PT_SYNC_MAX)
		return -EINVAL;
	m->syncing = true;
	m->sync_reason = ev->reason;
	m->sync_lost = ev->lost;
	m->n_pending = 0;
	return 0;
}

static int apply_sync_end(struct pt_model *m)
{
	if (!m->syncing)
		return -EINVAL;
	m->syncing = false;
	return pt_model_resync(m, m->sync_reason, m->sync_lost, m->pending, m->n_pending, NULL);
}

static int apply_lost(struct pt_model *m, const struct pt_event *ev)
{
	struct pt_anomaly *a = anomaly_new(m, PT_AN_LOSS, ev, 0, 0);

	if (!a)
		return -ENOMEM;
	a->pid = 0;
	a->lost = ev->lost;
	return 0;
}

int pt_model_apply(struct pt_model *m, const struct pt_event *ev)
{
	int r;

	if ((unsigned)ev->kind >= _PT_EV_MAX)
		return -EINVAL;
	/* A sync block holds the kernel's list and nothing else. */
	if (m->syncing && ev->kind != PT_EV_ENTRY && ev->kind != PT_EV_SYNC_END &&
	    ev->kind != PT_EV_SYNC)
		return -EINVAL;
	m->clock++;
	switch (ev->kind) {
	case PT_EV_ENTRY:
		r = m->syncing ? pending_add(m, ev) : apply_entry(m, ev);
		break;
	case PT_EV_RAM:
		r = ev->start < ev->end ? ram_add(m, ev->start, ev->end) : -EINVAL;
		break;
	case PT_EV_RESERVE:
		r = apply_reserve(m, ev);
		break;
	case PT_EV_FREE:
		r = apply_free(m, ev);
		break;
	case PT_EV_EXIT:
		r = exits_record(m, ev->pid, m->clock);
		break;
	case PT_EV_FORK:
		r = ev->pid > 0 && ev->child > 0 ? 0 : -EINVAL;	/* lineage is the caller's to follow */
		break;
	case PT_EV_LOST:
		r = apply_lost(m, ev);
		break;
	case PT_EV_SYNC:
		r = apply_sync(m, ev);
		break;
	case PT_EV_SYNC_END:
		r = apply_sync_end(m);
		break;
	default:
		r = -EINVAL;
	}
	if (r == 0)
		m->stats.events[ev->kind]++;
	return r;
}

/* ---- names: the trace format's words ------------------------------------- */

static const char *const event_kind_names[_PT_EV_MAX] = {
	[PT_EV_ENTRY] = "entry",
	[PT_EV_RAM] = "ram",
	[PT_EV_RESERVE] = "reserve",
	[PT_EV_FREE] = "free",
	[PT_EV_EXIT] = "exit",
	[PT_EV_FORK] = "fork",
	[PT_EV_LOST] = "lost",
	[PT_EV_SYNC] = "sync",
	[PT_EV_SYNC_END] = "sync_end",
};

const char *pt_event_kind_name(enum pt_event_kind kind)
{
	return (unsigned)kind < _PT_EV_MAX ? event_kind_names[kind] : NULL;
}

/* ---- resynchronisation from the kernel's list ----------------------------- */

static const char *const sync_reason_names[_PT_SYNC_MAX] = {
	[PT_SYNC_RECONCILE] = "reconcile",
	[PT_SYNC_LOSS] = "loss",
	[PT_SYNC_POLL] = "poll",
};

const char *pt_sync_reason_name(enum pt_sync_reason why)
{
	return (unsigned)why < _PT_SYNC_MAX ? sync_reason_names[why] : NULL;
}

int pt_sync_reason_from_string(const char *s, size_t len)
{
	for (int i = 0; i < _PT_SYNC_MAX; i++)
		if (strlen(sync_reason_names[i]) == len && strncmp(sync_reason_names[i], s, len) == 0)
			return i;
	return -EINVAL;
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

static int drift_entry(struct pt_model *m, uint64_t start, uint64_t end, int type,
		       const struct pt_entry *e)
{
	struct pt_anomaly *a = anomaly_new(m, PT_AN_DRIFT, NULL, e ? e->comm : 0, e ? e->stack : 0);

	if (!a)
		return -ENOMEM;
	a->event = PT_EV_SYNC_END;
	a->start = start;
	a->end = end;
	a->type = (int8_t)type;
	a->kernel_only = !e;
	a->pid = e ? e->pid : 0;
	a->seq = e ? e->seq : m->clock;
	a->ts_ns = e ? e->ts_ns : 0;
	return 0;
}

/* Insertion sort by start: stable, and the lists are short and nearly sorted. */
static void kentry_sort(struct pt_kentry *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct pt_kentry x = k[i];
		size_t j = i;

		for (; j > 0 && k[j - 1].start > x.start; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

int pt_model_resync(struct pt_model *m, enum pt_sync_reason why, uint64_t lost,
		    const struct pt_kentry *k, size_t n, struct pt_sync_result *res)
{
	_cleanup_free_ struct pt_entry **have = NULL, **keep = NULL;
	_cleanup_free_ bool *used = NULL;
	_cleanup_free_ struct pt_kentry *sorted_k = NULL;
	struct collect c;
	struct pt_sync_result sr = { 0 };
	size_t nhave = m->tree.count, i = 0;
	bool same, sorted = true;
	int r;

	if ((unsigned)why >= _PT_SYNC_MAX)
		return -EINVAL;
	for (size_t j = 0; j < n; j++) {
		if (!kentry_valid(k[j].start, k[j].end, k[j].type))
			return -EINVAL;
		if (j && k[j].start < k[j - 1].start)
			sorted = false;
	}
	if (!sorted) {
		/*
		 * debugfs copies the list one entry per lock hold, so a read
		 * racing changes can come out of order: sort it, stably.
		 */
		sorted_k = malloc((n + 1) * sizeof(*sorted_k));
		if (!sorted_k)
			return -ENOMEM;
		memcpy(sorted_k, k, n * sizeof(*k));
		kentry_sort(sorted_k, n);
		k = sorted_k;
	}

	have = calloc(nhave + 1, sizeof(*have));
	used = calloc(nhave + 1, sizeof(*used));
	keep = calloc(n + 1, sizeof(*keep));
	if (!have || !used || !keep)
		return -ENOMEM;
	c = (struct collect){ have, 0 };
	itree_visit(&m->tree, 0, UINT64_MAX, collect_step, &c);

	/* Match group by group of equal starts, in order, by end and type. */
	for (size_t j = 0; j < n; j++) {
		size_t g;

		while (i < nhave && node_of(have[i])->start < k[j].start)
			i++;
		for (g = i; g < nhave && node_of(have[g])->start == k[j].start; g++) {
			if (!used[g] && node_of(have[g])->end == k[j].end &&
			    have[g]->type == k[j].type) {
				used[g] = true;
				keep[j] = have[g];
				sr.kept++;
				break;
			}
		}
	}
	sr.added = n - sr.kept;
	sr.removed = nhave - sr.kept;
	same = sr.added == 0 && sr.removed == 0;
	for (size_t j = 0; same && j < n; j++)
		same = keep[j] == have[j];

	if (!same) {
		for (size_t h = 0; h < nhave; h++) {
			if (used[h])
				continue;
			if (why == PT_SYNC_RECONCILE) {
				r = drift_entry(m, node_of(have[h])->start, node_of(have[h])->end,
						have[h]->type, have[h]);
				if (r < 0)
					return r;
			}
		}
		/* Rebuild in the kernel's order: equal starts go in behind their equals. */
		m->tree = (struct itree)ITREE_INIT;
		exact_clear(&m->exact);
		for (size_t h = 0; h < nhave; h++)
			if (!used[h])
				entry_release(m, have[h]);
		for (size_t j = 0; j < n; j++) {
			struct pt_entry *e = keep[j];

			if (!e) {
				if (why == PT_SYNC_RECONCILE) {
					r = drift_entry(m, k[j].start, k[j].end, k[j].type, NULL);
					if (r < 0)
						return r;
				}
				e = entry_alloc(m, k[j].start, k[j].end);
				if (!e)
					return -ENOMEM;	/* the table is short; the next resync mends it */
				e->type = (uint8_t)k[j].type;
				e->born = m->clock;
				e->seq = m->clock;
				e->flags = ENTRY_PREEXISTING | ENTRY_RESYNCED;
			}
			r = entry_link(m, e);
			if (r < 0) {
				entry_release(m, e);
				return r;
			}
		}
	}

	if (why == PT_SYNC_LOSS) {
		struct pt_anomaly *a = anomaly_new(m, PT_AN_LOSS, NULL, 0, 0);

		if (!a)
			return -ENOMEM;
		a->event = PT_EV_SYNC_END;
		a->seq = m->clock;
		a->lost = lost;
		a->resynced = true;
		a->added = (uint32_t)sr.added;
		a->removed = (uint32_t)sr.removed;
	}
	if (res)
		*res = sr;
	return 0;
}

struct judge {
	struct pt_model *m;
	uint64_t exited_by;
};

static int judge_step(struct itree_node *n, void *userdata)
{
	struct judge *j = userdata;
	struct pt_model *m = j->m;
	struct pt_entry *e = entry_of(n);
	struct pt_anomaly *a;
	uint64_t exit_clock;

	if ((e->flags & ENTRY_LEAK_REPORTED) || !owner_exited(m, e))
		return 0;
	exit_clock = exits_lookup(m, e->pid);
	if (exit_clock > j->exited_by)
		return 0;
	a = anomaly_new(m, PT_AN_LEAK, NULL, e->comm, e->stack);
	if (!a)
		return -ENOMEM;
	a->event = PT_EV_RESERVE;
	a->start = n->start;
	a->end = n->end;
	a->type = (int8_t)e->type;
	a->pid = e->pid;
	a->seq = e->seq;
	a->ts_ns = e->ts_ns;
	a->shrunk = e->flags & ENTRY_SHRUNK;
	e->flags |= ENTRY_LEAK_REPORTED;
	return 0;
}

int pt_model_judge_leaks_upto(struct pt_model *m, uint64_t exited_by)
{
	struct judge j = { m, exited_by };

	return itree_visit(&m->tree, 0, UINT64_MAX, judge_step, &j);
}

int pt_model_judge_leaks(struct pt_model *m)
{
	return pt_model_judge_leaks_upto(m, UINT64_MAX);
}

uint64_t pt_model_clock(const struct pt_model *m)
{
	return m->clock;
}

struct foreach_ctx {
	const struct pt_model *m;
	pt_entry_fn fn;
	void *userdata;
};

static int foreach_step(struct itree_node *n, void *userdata)
{
	struct foreach_ctx *c = userdata;
	struct pt_entry *e = entry_of(n);
	struct pt_entry_info info = {
		.start = n->start,
		.end = n->end,
		.type = e->type,
		.pid = e->pid,
		.comm = pt_strtab_get(&c->m->strings, e->comm),
		.stack = pt_strtab_get(&c->m->strings, e->stack),
		.seq = e->seq,
		.ts_ns = e->ts_ns,
		.born = e->born,
		.preexisting = e->flags & ENTRY_PREEXISTING,
		.resynced = e->flags & ENTRY_RESYNCED,
		.shrunk = e->flags & ENTRY_SHRUNK,
		.owner_exited = owner_exited(c->m, e),
	};

	return c->fn(&info, c->userdata);
}

int pt_model_foreach_entry(const struct pt_model *m, uint64_t start, uint64_t end,
			   pt_entry_fn fn, void *userdata)
{
	struct foreach_ctx c = { m, fn, userdata };

	return itree_visit(&m->tree, start, end, foreach_step, &c);
}

size_t pt_model_entry_count(const struct pt_model *m)
{
	return m->tree.count;
}

size_t pt_model_anomaly_count(const struct pt_model *m)
{
	return m->n_anomalies;
}

const struct pt_anomaly *pt_model_anomaly(const struct pt_model *m, size_t i)
{
	return i < m->n_anomalies ? &m->anomalies[i] : NULL;
}

struct pt_anomaly *pt_model_last_anomaly(struct pt_model *m)
{
	return m->n_anomalies ? &m->anomalies[m->n_anomalies - 1] : NULL;
}

const struct pt_stats *pt_model_stats(const struct pt_model *m)
{
	return &m->stats;
}

struct pt_strtab *pt_model_strings(struct pt_model *m)
{
	return &m->strings;
}

const struct pt_strtab *pt_model_strings_const(const struct pt_model *m)
{
	return &m->strings;
}

size_t pt_model_memory(const struct pt_model *m)
{
	size_t slabs = 0;

	for (const struct slab *s = m->slabs; s; s = s->next)
		slabs++;
	return slabs * SLAB_BYTES + m->exact.cap * sizeof(*m->exact.slot) +
	       m->cap_ram * sizeof(struct ram_range) +
	       m->cap_exits * sizeof(struct exit_slot) +
	       m->cap_anomalies * sizeof(struct pt_anomaly) + pt_strtab_memory(&m->strings);
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
