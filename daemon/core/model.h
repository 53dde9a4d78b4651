/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The model: pattrack's own copy of the kernel's memtype tree
 * (arch/x86/mm/pat/memtype.c, memtype_interval.c), fed with the same
 * reserve/free calls the kernel saw.  It applies the outcome the kernel
 * reported, predicts the outcome on its own, and records anomalies:
 * conflicts, degraded grants, invalid frees, leaks, and drift where the
 * kernel and the model disagree.
 *
 * A model is a plain value: no global state, create as many as you like.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtype.h"
#include "strtab.h"

/* x86-64 physical addresses have at most 52 bits (MAXPHYADDR): ranges end at or below */
#define PT_PHYS_LIMIT (1ULL << 52)

enum pt_event_kind {
	PT_EV_ENTRY,	/* a reservation present before the trace began */
	PT_EV_RAM,	/* a System RAM range */
	PT_EV_RESERVE,	/* one memtype_reserve() call */
	PT_EV_FREE,	/* one memtype_free() call */
	PT_EV_EXIT,	/* a process exited, after its own frees */
	PT_EV_FORK,	/* a process created another */
	PT_EV_LOST,	/* the source lost events and the table was not resynchronised */
	PT_EV_SYNC,	/* the kernel's list follows as PT_EV_ENTRY events ... */
	PT_EV_SYNC_END,	/* ... up to here; the table becomes that list */
	PT_EV_DEVICE,	/* a PCI device's memory BAR, and the driver bound to it */
	PT_EV_UNBIND,	/* a driver is about to be unbound from a device: one per memory BAR */
	PT_EV_UNLOAD,	/* a module has gone, after its exit function */
	PT_EV_LOAD,	/* a module was loaded */
	PT_EV_KMSG,	/* an x86/PAT line of the kernel log, where no tracer saw the call */
	PT_EV_SETTLED,	/* after a loss's block: the source's next look found nothing more lost */
	_PT_EV_MAX,
};

/* Why a table is resynchronised from the kernel's list. */
enum pt_sync_reason {
	PT_SYNC_RECONCILE,	/* a periodic check: every difference is drift */
	PT_SYNC_LOSS,		/* events were lost: differences are their traces */
	PT_SYNC_POLL,		/* the debugfs source: the list is the only news there is */
	_PT_SYNC_MAX,
};

struct pt_event {
	enum pt_event_kind kind;
	int type;		/* entry: its memtype */
	uint64_t start, end;	/* [start, end) */
	int req;		/* reserve: requested memtype */
	int got;		/* reserve, not strict: the granted memtype */
	int ret;		/* 0 or a negative errno */
	int32_t pid;
	bool strict;		/* reserve: new_type == NULL ("got": null) */
	bool has_ret;		/* false: the model's own prediction is applied */
	bool has_seq;
	const char *comm;	/* may be NULL */
	size_t comm_len;
	uint64_t seq;
	uint64_t ts_ns;
	const char *stack;	/* frames separated by '\n', or NULL */
	size_t stack_len;
	/* what only some kinds carry, in one place: a reader sets only its kind's */
	union {
		int32_t child;	/* fork: the new process */
		struct {	/* sync, lost */
			enum pt_sync_reason reason;	/* sync */
			uint64_t lost;		/* events the source lost */
			/*
			 * A loss's: the lowest sequence number of the events the
			 * source handed on since it last found none lost; the
			 * loss may have been before any of them (0: none).
			 */
			uint64_t since;
		};
		struct {	/* device, unbind, load, unload */
			const char *device;	/* device, unbind: the PCI device, "0000:00:03.0" */
			const char *name;	/* device, unbind: the driver (device: may be NULL);
						 * load, unload: the module */
			uint32_t device_len, name_len;
			int bar;	/* device, unbind: the BAR's index; start and end its range */
		};
		struct {	/* kmsg */
			const char *text;	/* the line, as /dev/kmsg or dmesg gives it */
			size_t text_len;
		};
	};
};

_Static_assert(sizeof(struct pt_event) <= 128, "an event is copied for every call: keep it small");

enum pt_anomaly_kind {
	PT_AN_CONFLICT,
	PT_AN_DEGRADED,
	PT_AN_INVALID_FREE,
	PT_AN_LEAK,
	PT_AN_DRIFT,
	PT_AN_LOSS,	/* the source lost events */
	_PT_AN_MAX,
};

enum pt_severity {
	PT_SEV_NONE,
	PT_SEV_SLOW,	/* granted a stronger (slower) type than asked */
	PT_SEV_HAZARD,	/* granted a weaker type: device memory cached or combined */
};

/* A reservation named by an anomaly: the entry that forced or blocked it. */
struct pt_party {
	uint64_t start, end;
	uint64_t seq;
	int32_t pid;
	uint32_t comm;
	int8_t type;
};

#define PT_MAX_PARTIES 3

struct pt_anomaly {
	enum pt_anomaly_kind kind;
	enum pt_severity severity;	/* degraded only */
	enum pt_event_kind event;	/* the call concerned */
	uint64_t start, end;
	int8_t type;		/* memtype of the entry concerned, or PT_TYPE_NONE */
	int8_t req, got;	/* reserve: as reported */
	int8_t pred_got;	/* drift: what the model predicted */
	int32_t ret, pred_ret;
	int32_t pid;
	uint32_t comm;		/* strtab id */
	uint32_t stack;		/* strtab id, 0 = none */
	uint32_t note;		/* strtab id of a free-form remark, 0 = none */
	uint32_t excused;	/* loss: drift over the events just before, put down to it */
	uint64_t seq, ts_ns;
	uint32_t n_overlap;	/* how many entries overlapped (capped scan) */
	bool overlap_more;	/* ... and the scan stopped before the end */
	bool shrunk;		/* leak: what is left after a partial free */
	bool kernel_only;	/* drift at a resync: the kernel had it, the model did not */
	bool resynced;		/* loss: the table was resynchronised */
	uint32_t added, removed;	/* loss: what the resync changed */
	uint64_t lost;		/* loss: how many events */
	uint8_t n_parties;
	uint8_t owner;		/* leak: enum pt_owner_class (core/owner.h) of what leaked */
	uint32_t driver_leak;	/* a driver's leak: 1 + its pt_model_driver_leak() record, else 0 */
	uint32_t repeats;	/* seen again since: the same call, range, process and request */
	struct pt_party party[PT_MAX_PARTIES];
};

/* A driver's leak: whose code made it, and the unbind or unload that ended the hold. */
struct pt_driver_leak {
	uint32_t module;	/* strtab: the module whose code made it, or "built-in" */
	uint32_t driver;	/* strtab: the driver unbound, or the module unloaded */
	uint32_t device;	/* strtab: after an unbind: the device; else 0 */
	int8_t bar;		/* after an unbind: the BAR's index; else -1 */
	bool unloaded;		/* its module went (else its driver was unbound) */
	int32_t pid;		/* who unbound or unloaded */
	uint32_t comm;		/* strtab */
	uint64_t seq;
};

/* A live entry as the model holds it. */
struct pt_entry_info {
	uint64_t start, end;
	int type;
	int32_t pid;		/* 0: present before tracing began */
	const char *comm;
	const char *stack;	/* "" when unknown */
	uint32_t comm_id, stack_id;	/* the same, as ids of pt_model_strings() */
	uint64_t seq, ts_ns;
	uint64_t born;		/* model clock when it was reserved (pt_model_clock()) */
	bool preexisting;
	bool resynced;		/* found at a resync: owner unknown */
	bool shrunk;
	bool owner_exited;
	bool leaked;		/* judged a leak already */
	uint64_t exited;	/* model clock of its owning process's last exit, or 0 */
	int owner;		/* enum pt_owner_class (core/owner.h), from the call path */
	const char *driver;	/* a driver's: the module whose code made it, or "built-in"; else "" */
	const char *call;	/* a driver's: "ioremap", "memremap", ...; else "" */
};

/* A PCI memory BAR as the trace named it ("device", "unbind" events). */
struct pt_device_info {
	uint64_t start, end;
	const char *device;	/* "0000:00:03.0" */
	const char *driver;	/* bound, as last heard; "" when none */
	int bar;
};


/* One line of the kernel's pat_memtype_list. */
struct pt_kentry {
	uint64_t start, end;
	int type;
};

/* A line of the kernel's list as the event that says the entry is there. */
static inline struct pt_event pt_event_of_kentry(const struct pt_kentry *k)
{
	return (struct pt_event){ .kind = PT_EV_ENTRY, .start = k->start, .end = k->end, .type = k->type };
}

struct pt_sync_result {
	size_t kept, added, removed;
};

struct pt_stats {
	uint64_t events[_PT_EV_MAX];
	uint64_t reserves_failed;
	uint64_t frees_failed;
	uint64_t anomalies[_PT_AN_MAX];	/* records kept */
	uint64_t anomaly_repeats;	/* the same anomaly again: counted on its record */
	uint64_t anomalies_dropped;	/* new ones past the limit */
	uint64_t adopted;		/* reserves after a loss's block whose entry it had */
	uint64_t late_frees;		/* frees after a loss's block of entries it had dropped */
	uint64_t max_entries;
};

struct pt_model;

int pt_model_new(struct pt_model **ret);
void pt_model_free(struct pt_model *m);
static inline void pt_model_freep(struct pt_model **m)
{
	if (*m)
		pt_model_free(*m);
}

/* Applies one event.  Returns 0, or a negative errno (bad event, -ENOMEM). */
int pt_model_apply(struct pt_model *m, const struct pt_event *ev);

/*
 * Records a leak anomaly, once, for every entry whose owner has gone: the
 * process that mapped it exited, or the driver that made it was unbound
 * from the device it lies in, or its module was unloaded.  Entries whose
 * owner is unknown are never leaks.  Replays call it at the end of the trace.
 */
int pt_model_judge_leaks(struct pt_model *m);
/* The same, for owners that went at or before model clock @exited_by only. */
int pt_model_judge_leaks_upto(struct pt_model *m, uint64_t exited_by);

/* One tick per event applied: a cookie for "since then". */
uint64_t pt_model_clock(const struct pt_model *m);

/*
 * Makes the table equal to the kernel's list @k (in the kernel's order, as
 * debugfs prints it; a list torn by a racing read is sorted by start).  Entries that match keep their owners; the others are
 * removed or added (owner unknown).  For PT_SYNC_RECONCILE each difference
 * is a drift anomaly; for PT_SYNC_LOSS one loss anomaly of @lost events
 * carries the counts.  The same as a PT_EV_SYNC ... PT_EV_SYNC_END block.
 */
int pt_model_resync(struct pt_model *m, enum pt_sync_reason why, uint64_t lost,
		    const struct pt_kentry *k, size_t n, struct pt_sync_result *res);


/*
 * The anomalies so far are final: a loss found later does not take back
 * their drift (see PT_EV_SYNC's since).  For a reader that has shown them.
 */
void pt_model_settle(struct pt_model *m);

/* Adds an anomaly found elsewhere (e.g. in the kernel log). */
int pt_model_add_anomaly(struct pt_model *m, const struct pt_anomaly *a);

/*
 * At most @limit anomalies are stored (PT_ANOMALY_LIMIT unless set); past
 * it new ones are counted in pt_stats.anomalies_dropped, except losses.
 * Conflicts, degraded mappings and invalid frees that repeat one already
 * stored (same call, range, process and request) count on it (repeats).
 */
#define PT_ANOMALY_LIMIT 100000
void pt_model_set_anomaly_limit(struct pt_model *m, size_t limit);

/*
 * A model brought back after its keeper restarted within the same boot
 * (pattrackd's state file): resume the clock of a new model, file the saved
 * anomalies, read the kernel's list (PT_EV_ENTRY events), then give the
 * saved owners back to the entries still in it, and their exits.
 */
/* The clock goes on from @clock; -EBUSY once the model has applied an event. */
int pt_model_resume(struct pt_model *m, uint64_t clock);
/* A saved anomaly; @dl: its driver's leak record, or NULL.  Strings by the model's ids. */
int pt_model_restore_anomaly(struct pt_model *m, const struct pt_anomaly *a,
			     const struct pt_driver_leak *dl);
/*
 * A saved owner (pid, comm_id, stack_id, seq, ts_ns, born, owner, shrunk,
 * leaked of @e; its strings by the model's ids) onto the first entry of exactly @e's range and type whose owner is
 * unknown; -ENOENT when the table has none of them.  When it has them
 * but each has an owner already, more owners were saved than the kernel
 * still holds: none of them is known to be whose, all lose their owners,
 * and -ENOTUNIQ.
 */
int pt_model_restore_owner(struct pt_model *m, const struct pt_entry_info *e);
/* What pt_model_restore_owner() would do to @e, without doing it: 0, -ENOENT or -ENOTUNIQ. */
int pt_model_restore_check(const struct pt_model *m, const struct pt_entry_info *e);
/* @pid's last exit was at clock @clock (at most the model's). */
int pt_model_restore_exit(struct pt_model *m, int32_t pid, uint64_t clock);

/* Visits entries overlapping [start, end) in the kernel's order; stops at a non-zero return. */
typedef int (*pt_entry_fn)(const struct pt_entry_info *e, void *userdata);
int pt_model_foreach_entry(const struct pt_model *m, uint64_t start, uint64_t end,
			   pt_entry_fn fn, void *userdata);

/*
 * Whose a reservation is, in the words every output uses (the D-Bus API,
 * the journal, JSON): for an entry, or for the reservation or call an
 * anomaly is about.
 */
struct pt_owner_info {
	int owner;		/* enum pt_owner_class */
	char driver[64];	/* driver-owned: the module that made it, or "built-in";
				 * owner unknown: the driver bound to its device; else "" */
	char device[32];	/* the PCI device whose BAR holds it, or "" */
	int bar;		/* that BAR, or -1 */
};

void pt_entry_owner(const struct pt_model *m, const struct pt_entry_info *e,
		    struct pt_owner_info *ret);
void pt_anomaly_owner(const struct pt_model *m, const struct pt_anomaly *a,
		      struct pt_owner_info *ret);

/* The BAR holding all of [start, end): true with *ret filled, or false. */
bool pt_model_device_at(const struct pt_model *m, uint64_t start, uint64_t end,
			struct pt_device_info *ret);

size_t pt_model_entry_count(const struct pt_model *m);
size_t pt_model_anomaly_count(const struct pt_model *m);
/* The details of a driver's leak, or NULL for any other anomaly. */
const struct pt_driver_leak *pt_model_driver_leak(const struct pt_model *m,
						  const struct pt_anomaly *a);
const struct pt_anomaly *pt_model_anomaly(const struct pt_model *m, size_t i);
/* The newest anomaly, to complete it from a follow-up line; NULL if none. */
struct pt_anomaly *pt_model_last_anomaly(struct pt_model *m);
const struct pt_stats *pt_model_stats(const struct pt_model *m);
struct pt_strtab *pt_model_strings(struct pt_model *m);
const struct pt_strtab *pt_model_strings_const(const struct pt_model *m);

/* Bytes the model holds for its entries (pool, strings, maps). */
size_t pt_model_memory(const struct pt_model *m);

/*
 * Checks the model's own structures: the tree's invariants, and that the
 * exact-range index holds every entry of the tree and nothing else.  For tests.
 */
bool pt_model_check(const struct pt_model *m);

/* "conflict", "degraded", "invalid-free", "leak", "drift", "loss"; NULL for a bad kind. */
const char *pt_anomaly_kind_name(enum pt_anomaly_kind kind);
int pt_anomaly_kind_from_string(const char *s, size_t len);
const char *pt_severity_name(enum pt_severity s);

/* The one-line explanation; returns @buf. */
char *pt_anomaly_explain(const struct pt_model *m, const struct pt_anomaly *a,
			 char *buf, size_t size);
