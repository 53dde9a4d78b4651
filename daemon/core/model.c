// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The model's policy, as the kernel's memtype.c: RAM, the ISA hole, MTRR,
 * what a reserve is granted, what a free erases, exits.  Each
 * function names the kernel function whose decision it reproduces
 * (Linux 6.1, arch/x86/mm/pat/).
 */
#include "model-internal.h"
#include "util.h"

int pt_model_new(struct pt_model **ret)
{
	struct pt_model *m;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->anomaly_limit = PT_ANOMALY_LIMIT;
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
	free(m->devices);
	free(m->gone);
	free(m->driver_leaks);
	free(m->dropped);
	free(m->anomalies);
	free(m->anomaly_slot);
	free(m->pending);
	pt_strtab_done(&m->strings);
	free(m);
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

int model_exits_record(struct pt_model *m, int32_t pid, uint64_t clock)
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

uint64_t model_exits_lookup(const struct pt_model *m, int32_t pid)
{
	if (pid <= 0 || !m->cap_exits)
		return 0;
	for (size_t i = exit_index(m->cap_exits, pid); m->exits[i].pid;
	     i = (i + 1) & (m->cap_exits - 1))
		if (m->exits[i].pid == pid)
			return m->exits[i].clock;
	return 0;
}

bool model_owner_exited(const struct pt_model *m, const struct pt_entry *e)
{
	return e->pid > 0 && model_exits_lookup(m, e->pid) > e->born;
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

/* ---- reserve: memtype_reserve() / memtype_check_conflict() --------------- */

enum path {
	PATH_INVALID,	/* start >= end */
	PATH_ISA,	/* untracked, always write-back */
	PATH_RAM,	/* page-flag tracked, not in the tree */
	PATH_MIXED,	/* RAM and non-RAM: -EINVAL */
	PATH_TREE,
};

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
			model_tree_scan_overlaps(m, ev->start, ev->end, o);
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
	r = pt_strtab_intern_safe(&m->strings, ev->comm, ev->comm_len, PT_STR_COMM, comm);
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
		r = pt_strtab_intern_safe(&m->strings, ev->stack, ev->stack_len, PT_STR_STACK,
					  stack);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The owner class of the reservation made along the interned stack @stack (0: none). */
static enum pt_owner_class owner_of_stack(struct pt_model *m, const struct pt_event *ev,
					  uint32_t stack)
{
	struct owner_cache *c;

	if (!stack)
		return PT_OWNER_UNKNOWN;
	c = &m->owner_cache[stack % OWNER_CACHE_SIZE];
	if (c->stack != stack) {
		c->stack = stack;
		c->owner = (uint8_t)pt_owner_classify(ev->stack, ev->stack_len);
	}
	return (enum pt_owner_class)c->owner;
}

static int record_drift(struct pt_model *m, const struct pt_event *ev, uint32_t comm,
			uint32_t stack, int ret, int got, const struct prediction *p, int type)
{
	struct pt_anomaly *a = model_anomaly_new(m, PT_AN_DRIFT, ev, comm, stack);

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

/* @e is the reservation @ev made: its owner and birth are the call's. */
static inline void take_owner(struct pt_model *m, struct pt_entry *e, const struct pt_event *ev,
			      uint32_t comm, uint32_t stack)
{
	e->born = m->clock;
	e->seq = ev->has_seq ? ev->seq : m->clock;
	e->ts_ns = ev->ts_ns;
	e->pid = ev->pid;
	e->comm = comm;
	e->stack = stack;
	if (owner_of_stack(m, ev, stack) == PT_OWNER_DRIVER)
		e->flags |= ENTRY_DRIVER;
}

/*
 * After a loss's block, a reserve that completed while the kernel's list was
 * read comes after the block though its entry is in the list: the resync
 * added that entry, owner unknown.  Such a reserve takes the entry over,
 * owner and all, instead of doubling it, and counts as an event applied.
 * 0 when it did, 1 when the event goes the usual way, or a negative errno.
 */
static int adopt(struct pt_model *m, const struct pt_event *ev)
{
	int type = ev->strict ? ev->req : ev->got;
	struct pt_entry *e;
	uint32_t comm, stack;
	int r;

	if (!ev->has_ret || ev->ret != 0 || pt_type_name(ev->req) == NULL)
		return 1;
	e = model_tree_find_exact(m, ev->start, ev->end, type, ENTRY_ADOPTABLE);
	/*
	 * Or the list's entry matched one the model held of the same process,
	 * which a lost free had left: the loss made a stale twin of it.
	 */
	if (!e)
		e = model_tree_find_own(m, ev->start, ev->end, type, ENTRY_KEPT_AT_LOSS, ev->pid);
	if (!e)
		return 1;
	r = intern_owner(m, ev, &comm, &stack);
	if (r < 0)
		return r;
	m->clock++;
	e->flags &= (uint8_t)~(ENTRY_ADOPTABLE | ENTRY_KEPT_AT_LOSS | ENTRY_RESYNCED |
			       ENTRY_PREEXISTING);
	take_owner(m, e, ev, comm, stack);
	m->stats.events[PT_EV_RESERVE]++;
	m->stats.adopted++;
	return 0;
}

/*
 * The events a mode (enum model_mode) treats otherwise: in a sync block only
 * the kernel's list; after a loss's block, a reserve may take over its
 * entry.  1 when the event goes the usual way.
 */
static _cold_ int apply_in_mode(struct pt_model *m, const struct pt_event *ev)
{
	if ((m->mode & MODE_SYNCING) && ev->kind != PT_EV_ENTRY && ev->kind != PT_EV_SYNC_END &&
	    ev->kind != PT_EV_SYNC)
		return -EINVAL;
	if (!(m->mode & MODE_ADOPTING) || ev->kind != PT_EV_RESERVE)
		return 1;
	return adopt(m, ev);
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
		e = model_entry_alloc(m, ev->start, ev->end);
		if (!e)
			return -ENOMEM;
		r = model_entry_insert(m, e);
		if (r < 0) {
			model_entry_release(m, e);
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
			model_entry_unlink(m, e);
			model_entry_release(m, e);
		}
		if (ret == -EBUSY) {
			struct pt_anomaly *a = model_anomaly_new(m, PT_AN_CONFLICT, ev, comm, stack);

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
		take_owner(m, e, ev, comm, stack);
		if (m->tree.count > m->stats.max_entries)
			m->stats.max_entries = m->tree.count;
	}

	if (got != PT_TYPE_NONE && got != ev->req && p.path != PATH_ISA) {
		struct pt_anomaly *a = model_anomaly_new(m, PT_AN_DEGRADED, ev, comm, stack);

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
		model_entry_unlink(m, e);
		model_entry_release(m, e);
	}
	return r;
}

/* ---- free: memtype_free() / memtype_erase() ------------------------------ */

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
		target = model_tree_erase_target(m, &mt, !ev->has_ret || ev->ret == 0);
		p.ret = target ? 0 : -EINVAL;
		p.path = PATH_TREE;
		break;
	}

	ret = ev->has_ret ? ev->ret : p.ret;
	if (ev->has_ret && p.known && ret != p.ret) {
		if (ret == 0 && !target && model_dropped_free(m, ev))
			return 0;	/* the free a loss's list read had seen done already */
		r = record_drift(m, ev, comm, stack, ret, PT_TYPE_NONE, &p,
				 target ? target->type : PT_TYPE_NONE);
		if (r < 0)
			return r;
	}

	if (ret != 0) {
		m->stats.frees_failed++;
		if (ret == -EINVAL && (p.path == PATH_TREE || p.path == PATH_MIXED)) {
			struct pt_anomaly *a = model_anomaly_new(m, PT_AN_INVALID_FREE, ev, comm, stack);

			if (!a)
				return -ENOMEM;
			a->ret = ret;
			if (p.path == PATH_MIXED) {
				static const char mixed[] = "range mixes System RAM and other memory";

				r = pt_strtab_intern(&m->strings, mixed, sizeof(mixed) - 1, &a->note);
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

	model_entry_unlink(m, target);
	if (node_of(target)->start == ev->start) {
		model_entry_release(m, target);
		return 0;
	}
	/* mremap shrink: keep the head, re-inserted after its equals as the kernel does */
	node_of(target)->end = ev->start;
	target->flags |= ENTRY_SHRUNK;
	r = model_entry_link(m, target);
	if (r < 0)
		model_entry_release(m, target);
	return r;
}

/* ---- the rest ------------------------------------------------------------ */

static int apply_entry(struct pt_model *m, const struct pt_event *ev)
{
	struct pt_entry *e;
	int r;

	if (!kentry_valid(ev->start, ev->end, ev->type))
		return -EINVAL;
	e = model_entry_alloc(m, ev->start, ev->end);
	if (!e)
		return -ENOMEM;
	e->type = (uint8_t)ev->type;
	e->born = m->clock;
	e->seq = ev->has_seq ? ev->seq : m->clock;
	e->flags = ENTRY_PREEXISTING;
	r = model_entry_link(m, e);
	if (r < 0)
		model_entry_release(m, e);
	return r;
}

static int apply_lost(struct pt_model *m, const struct pt_event *ev)
{
	uint32_t excused = model_loss_excuse(m, ev->since);	/* before: it moves anomalies */
	struct pt_anomaly *a = model_anomaly_new(m, PT_AN_LOSS, ev, 0, 0);

	if (!a)
		return -ENOMEM;
	a->pid = 0;
	a->lost = ev->lost;
	a->excused = excused;
	m->anomalies_final = m->n_anomalies;
	m->last_loss = m->n_anomalies;
	return 0;
}

/* The kernel's own word for a call no tracer saw: the anomaly its log line is. */
_cold_ static int apply_kmsg(struct pt_model *m, const struct pt_event *ev)
{
	struct pt_kmsg_pat k;
	int r;

	if (!ev->text)
		return -EINVAL;
	r = pt_kmsg_parse(ev->text, ev->text_len, &k);
	if (r == 0)
		return 0;	/* an x86/PAT line that is no anomaly */
	if (r < 0)
		return -EINVAL;
	r = pt_klog_add(m, &m->klog, &k);
	return r < 0 ? r : 0;
}

int pt_model_apply(struct pt_model *m, const struct pt_event *ev)
{
	const enum pt_event_kind kind = ev->kind;	/* read once: a call below may not change it */
	int r;

	/* an unknown kind: the switch's default (one bounds check, the jump table's) */
	if (_unlikely_(m->mode)) {
		r = apply_in_mode(m, ev);
		if (r != 1)
			return r;
	}
	m->clock++;
	switch (kind) {
	case PT_EV_ENTRY:
		r = m->mode & MODE_SYNCING ? model_sync_entry(m, ev) : apply_entry(m, ev);
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
		r = model_exits_record(m, ev->pid, m->clock);
		break;
	case PT_EV_FORK:
		r = ev->pid > 0 && ev->child > 0 ? 0 : -EINVAL;	/* lineage is the caller's to follow */
		break;
	case PT_EV_LOST:
		r = apply_lost(m, ev);
		break;
	case PT_EV_SYNC:
		r = model_sync_begin(m, ev);
		break;
	case PT_EV_SYNC_END:
		r = model_sync_end(m);
		break;
	case PT_EV_DEVICE:
		r = model_device_apply(m, ev);
		break;
	case PT_EV_UNBIND:
		r = model_unbind_apply(m, ev);
		break;
	case PT_EV_UNLOAD:
		r = model_unload_apply(m, ev);
		break;
	case PT_EV_LOAD:
		r = model_load_apply(m, ev);
		break;
	case PT_EV_KMSG:
		r = apply_kmsg(m, ev);
		break;
	case PT_EV_SETTLED:
		r = model_loss_settled(m);
		break;
	default:
		m->clock--;	/* no event: no tick */
		return -EINVAL;
	}
	if (r == 0)
		m->stats.events[kind]++;
	return r;
}

uint64_t pt_model_clock(const struct pt_model *m)
{
	return m->clock;
}

size_t pt_model_entry_count(const struct pt_model *m)
{
	return m->tree.count;
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

