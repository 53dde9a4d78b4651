/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The model's insides, shared by its files as the kernel's memtype.h is by
 * memtype.c and memtype_interval.c:
 *   model-tree.c    the tree side: entries in slabs, the exact-range index,
 *                   linking and unlinking, the conflict walk, erase matching
 *   model.c         the policy: RAM, ISA, MTRR, reserve and free, exits
 *   model-leaks.c   which entries outlived their owners
 *   model-resync.c  making the table the kernel's list again
 *   model-devices.c PCI BARs, and the unbinds and unloads that end a driver's hold
 *   model-restore.c a model brought back after a restart
 */

#include <stdbool.h>
#include <stdint.h>

#include "itree.h"
#include "klog.h"
#include "model.h"
#include "owner.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ULL << PAGE_SHIFT)

enum {
	ENTRY_PREEXISTING = 1 << 0,	/* from an "entry" record / debugfs */
	ENTRY_SHRUNK = 1 << 1,		/* cut by an end-matching free */
	ENTRY_LEAK_REPORTED = 1 << 2,
	ENTRY_RESYNCED = 1 << 3,	/* added at a resync: owner unknown */
	ENTRY_NEW = 1 << 4,		/* made by a resync, not linked yet */
	ENTRY_DRIVER = 1 << 5,		/* a kernel mapping: its driver owns it (core/owner.h) */
	ENTRY_ADOPTABLE = 1 << 6,	/* added at a loss's resync: its reserve may come after */
	ENTRY_KEPT_AT_LOSS = 1 << 7,	/* matched at a loss's resync: may be a stale twin */
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

/* A PCI memory BAR: from a "device" record, or from an unbind, which leaves it unbound. */
struct device_bar {
	uint64_t start, end;	/* [start, end) */
	uint32_t device;	/* strtab: "0000:00:03.0" */
	uint32_t driver;	/* strtab: bound driver, 0 none */
	int8_t bar;
};

/*
 * An owner gone: a driver unbound from a device (one record per BAR), or a
 * module unloaded.  Driver-owned entries born before it that it names are
 * leaks once it has been judged; then it is dropped.
 */
struct gone {
	uint64_t clock;		/* model clock of the event */
	uint64_t start, end;	/* unbind: the BAR */
	uint32_t device;	/* strtab: unbind: the device */
	uint32_t name;		/* strtab: unbind: the driver; unload: the module */
	int8_t bar;		/* unbind: the BAR's index; -1 for an unload */
	uint64_t seq, ts_ns;
	int32_t pid;		/* who unbound or unloaded */
	uint32_t comm;
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

/*
 * The owner class of a stack, by its strtab id: call paths repeat, so most
 * reserves skip reading their stack.  Direct-mapped by the id's low bits.
 */
#define OWNER_CACHE_SIZE 64

struct owner_cache {
	uint32_t stack;		/* 0: empty */
	uint8_t owner;		/* enum pt_owner_class */
};

/* What makes an event take the slow way in (pt_model_apply()). */
enum model_mode {
	MODE_SYNCING = 1 << 0,	/* inside a sync block */
	MODE_ADOPTING = 1 << 1,	/* after a loss's block, until it is settled */
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
	struct owner_cache owner_cache[OWNER_CACHE_SIZE];
	struct pt_stats stats;
	uint64_t clock;		/* one tick per applied event */

	/* Inside a PT_EV_SYNC block: the kernel's list as it arrives. */
	uint8_t mode;		/* enum model_mode: what the hot path checks, once */
	enum pt_sync_reason sync_reason;
	uint64_t sync_lost;
	uint32_t sync_excused;	/* drift the loss took back (model_loss_excuse()) */
	struct pt_kentry *pending;
	size_t n_pending, cap_pending;

	/* cold, and last: what the hot fields above share a cache line with stays put */
	struct device_bar *devices;
	size_t n_devices, cap_devices;
	struct gone *gone;
	size_t n_gone, cap_gone;
	struct pt_driver_leak *driver_leaks;	/* the anomalies' (pt_anomaly.driver_leak) */
	size_t n_driver_leaks, cap_driver_leaks;
	struct dropped_at_loss *dropped;	/* the last loss's resync's: model_dropped_free() */
	size_t n_dropped, cap_dropped;
	struct pt_klog klog;	/* kmsg events: the line before, for folding */
	/* anomalies before it stay: those of the last sync block's time, or shown */
	size_t anomalies_final;
	size_t last_loss;	/* 1 + the index of the loss anomaly not yet settled, 0: none */
	size_t anomaly_limit;	/* past it, new anomalies are counted and dropped */
	uint32_t *anomaly_slot;	/* the anomalies that fold (model-anomalies.c): index + 1 */
	size_t anomaly_nslots, anomaly_folded;
	struct pt_anomaly scratch;	/* what a repeat or a dropped anomaly is written to */
	bool last_is_scratch;
};

static inline struct pt_party party_of(const struct pt_entry *e)
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

/* A line of the kernel's list, or an "entry" record, that can be one. */
static inline bool kentry_valid(uint64_t start, uint64_t end, int type)
{
	return start < end && pt_type_name(type) != NULL;
}

/* ---- model-tree.c -------------------------------------------------------- */

/* A zeroed entry whose node has @start and @end, from a slab; NULL when out of memory. */
struct pt_entry *model_entry_alloc(struct pt_model *m, uint64_t start, uint64_t end);
void model_entry_release(struct pt_model *m, struct pt_entry *e);

/*
 * Into the tree and the index, or neither.  Returns 1 when another entry
 * overlaps @e, 0 when none does, or a negative errno.
 */
int model_entry_insert(struct pt_model *m, struct pt_entry *e);
/* The same, for good: counted in the table's high-water mark; 0 or a negative errno. */
int model_entry_link(struct pt_model *m, struct pt_entry *e);
void model_entry_unlink(struct pt_model *m, struct pt_entry *e);

/* Room in the index for @n entries, so that linking that many cannot fail. */
int model_tree_reserve(struct pt_model *m, size_t n);

/* Empties the tree and the index; the entries stay allocated, the caller's to relink or release. */
void model_tree_clear(struct pt_model *m);

/* Every entry in tree order into @v, which has room for all of them. */
void model_tree_collect(const struct pt_model *m, struct pt_entry **v);

/* How far a conflict scan goes on after the verdict, to name the parties. */
#define OVERLAP_SCAN_LIMIT 64

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

/*
 * memtype_check_conflict(): the entries overlapping [start, end) other than
 * o->self, in tree order, into @o (set up by the caller).
 */
void model_tree_scan_overlaps(const struct pt_model *m, uint64_t start, uint64_t end, struct overlap *o);

struct match {
	uint64_t start, end;
	int32_t pid;
	struct pt_entry *exact, *exact_own;
	struct pt_entry *tail, *tail_own;	/* END_MATCH candidates */
	struct pt_entry *first;			/* first overlapping entry */
};

/*
 * memtype_erase()'s choice for a free of [mt->start, mt->end): the entry
 * the kernel erases or shrinks, or NULL.  @indexed: look the exact match
 * up in the index (a free that succeeded); a failed free takes the walk,
 * which also names what it overlapped (mt->first).
 */
struct pt_entry *model_tree_erase_target(const struct pt_model *m, struct match *mt, bool indexed);

/* The first entry (tree order) of exactly [start, end) with @type and all of @flags, or NULL. */
struct pt_entry *model_tree_find_exact(const struct pt_model *m, uint64_t start, uint64_t end,
				       int type, uint8_t flags);
/* The same, held by @pid. */
struct pt_entry *model_tree_find_own(const struct pt_model *m, uint64_t start, uint64_t end,
				     int type, uint8_t flags, int32_t pid);

/* ---- model-anomalies.c --------------------------------------------------- */

/*
 * A new anomaly of @kind about @ev (may be NULL), counted; NULL when out of
 * memory.  For a repeat, or past the limit, a record that is not kept: the
 * caller fills it all the same.
 */
struct pt_anomaly *model_anomaly_new(struct pt_model *m, enum pt_anomaly_kind kind,
				     const struct pt_event *ev, uint32_t comm, uint32_t stack);
/*
 * Files the record made in the array's next slot (complete as far as its
 * key): kept, or, for a repeat or past the limit, moved to the scratch.
 * NULL only for -ENOMEM.
 */
struct pt_anomaly *model_anomaly_file(struct pt_model *m);
/* The anomalies moved in their array: the index of repeats follows them. */
void model_anomalies_moved(struct pt_model *m);

/* ---- model.c ------------------------------------------------------------- */
/* @pid exited at model clock @clock: its last exit. */
int model_exits_record(struct pt_model *m, int32_t pid, uint64_t clock);
/* The clock of @pid's last exit, 0 if it never exited. */
uint64_t model_exits_lookup(const struct pt_model *m, int32_t pid);
bool model_owner_exited(const struct pt_model *m, const struct pt_entry *e);

/* ---- model-devices.c ----------------------------------------------------- */

int model_device_apply(struct pt_model *m, const struct pt_event *ev);
int model_unbind_apply(struct pt_model *m, const struct pt_event *ev);
int model_load_apply(struct pt_model *m, const struct pt_event *ev);
int model_unload_apply(struct pt_model *m, const struct pt_event *ev);
/* The BAR holding all of [start, end), or NULL. */
const struct device_bar *model_device_at(const struct pt_model *m, uint64_t start, uint64_t end);
/* The first unbind or unload after @e's birth, at or before @upto, that ends its driver's hold. */
const struct gone *model_driver_gone(const struct pt_model *m, const struct pt_entry *e,
				     uint64_t upto);
/* Drops the records at or before @upto, once a judgement has seen them. */
void model_gone_prune(struct pt_model *m, uint64_t upto);

/* ---- model-resync.c ------------------------------------------------------ */

/* A PT_EV_SYNC ... PT_EV_SYNC_END block: its start, each entry of it, its end. */
int model_sync_begin(struct pt_model *m, const struct pt_event *ev);
int model_sync_entry(struct pt_model *m, const struct pt_event *ev);
int model_sync_end(struct pt_model *m);
/*
 * A loss's events: takes back the drift over the events numbered @since
 * and later that came since the anomalies were last final, for the loss
 * may have come before them; returns how many.  0 @since: none.
 */
uint32_t model_loss_excuse(struct pt_model *m, uint64_t since);
/*
 * An entry with a known owner that the last loss's resync dropped because
 * the kernel's list did not have it.  Its free may still come: a free the
 * kernel had done by the time the list was read, whose event was sent
 * later (on PREEMPT_RT a task can be preempted between the two, while
 * others' events go out).
 */
struct dropped_at_loss {
	uint64_t start, end;
	int32_t pid;
};

/*
 * A successful free of nothing the model holds: true, once, when it is the
 * free of an entry the last loss's resync dropped (same range, same
 * process), so that it is not drift.
 */
bool model_dropped_free(struct pt_model *m, const struct pt_event *ev);

/* PT_EV_SETTLED: the last loss takes back the drift since its block too. */
int model_loss_settled(struct pt_model *m);
