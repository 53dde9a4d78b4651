/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Live sources: events as the kernel reports them, handed to a callback. */

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef int (*pt_live_fn)(const struct pt_event *ev, void *userdata);

/*
 * Loss detection by sequence numbers, which arrive slightly out of order
 * when several CPUs emit at once: a number is lost only when it has not
 * arrived by the time the numbers seen run PT_SEQ_WINDOW past it.
 */
#define PT_SEQ_WINDOW 4096

struct pt_seq_tracker {
	uint64_t base;		/* lowest number not yet seen or given up; 0: none yet */
	uint64_t max_seq;
	uint64_t lost;
	uint64_t seen[PT_SEQ_WINDOW / 64];	/* bit (seq % window), for seq >= base */
};

/* Numbers below @first are not the reader's: the first that is, when the source knows it. */
void pt_seq_begin(struct pt_seq_tracker *t, uint64_t first);
void pt_seq_note(struct pt_seq_tracker *t, uint64_t seq);
/*
 * Every number up to @last has been sent, so pt_seq_finish() counts those
 * that never came, even after the last one seen.  Needs a begun tracker.
 */
void pt_seq_expect(struct pt_seq_tracker *t, uint64_t last);
/* At the end: gives up on every number still missing; returns all lost. */
uint64_t pt_seq_finish(struct pt_seq_tracker *t);

/* ---- kernel symbols: /proc/kallsyms ------------------------------------- */

struct pt_kallsyms;

int pt_kallsyms_load(const char *path, struct pt_kallsyms **ret);
void pt_kallsyms_free(struct pt_kallsyms *k);

/*
 * Formats @n addresses as "symbol+0xoff" (with " [module]" for module
 * code, the bare address where none is known), one per line, into @buf;
 * returns the length.  @k may be NULL.
 */
size_t pt_kallsyms_format(const struct pt_kallsyms *k, const uint64_t *addr, size_t n,
			  char *buf, size_t size);

/* ---- a live source ------------------------------------------------------ */

/* What pattrackctl and pattrackd need of any source. */
struct pt_source_ops {
	const char *name;
	unsigned flush_ms;	/* call dispatch this often even when fd stays quiet; 0: no need */
	/* Readable when events wait; negative: none, the source is read every flush_ms. */
	int (*fd)(void *impl);
	int (*dispatch)(void *impl);			/* hands them to the callback */
	/*
	 * May be NULL.  Makes every event the kernel reported before the call
	 * readable, for a reader that needs all of them up to now: the shim
	 * queues events and sends them a tick later.
	 */
	int (*barrier)(void *impl);
	uint64_t (*finish)(void *impl);			/* after the last dispatch: events lost */
	uint64_t (*lost)(void *impl);			/* events known lost so far */
	void (*set_kallsyms)(void *impl, const struct pt_kallsyms *syms);
	void (*free)(void *impl);
};

struct pt_source {
	const struct pt_source_ops *ops;
	void *impl;
	const char *detail;	/* e.g. the BPF attach mode; may be NULL */
};

/*
 * pattrack_shim.ko over generic netlink: joins the "events" group of family
 * "pattrack"; -ENOENT when the shim is not loaded, -EPERM without
 * CAP_NET_ADMIN.
 */
int pt_netlink_source(pt_live_fn fn, void *userdata, struct pt_source *ret);

/* What pattrack_shim.ko says of itself (PATTRACK_CMD_GET_STATUS). */
struct pt_shim_status {
	char version[32];
	uint32_t probes;	/* PATTRACK_PROBE_* attached */
	uint64_t sent;		/* events multicast */
	uint64_t dropped;	/* events lost: queue or socket full, allocation, missed calls */
	uint64_t seq;		/* the last sequence number used */
};

/* -ENOENT when the shim is not loaded. */
int pt_netlink_shim_status(struct pt_shim_status *st);

/*
 * pattrack.bpf.c: fentry/fexit, else kprobes; tp_btf, else tracepoints.
 * On failure @why says what each mode ran into; on success, what the
 * better modes did.  -EOPNOTSUPP when built without BPF.
 */
int pt_bpf_source(pt_live_fn fn, void *userdata, struct pt_source *ret, char *why,
		  size_t why_size);

/*
 * The table as debugfs shows it, polled every @interval_ms: a sync block
 * (reason poll) whenever it changed.  Owners, conflicts and frees are not
 * in that file, so this source sees the table and nothing else.
 */
int pt_debugfs_source(const char *path, unsigned interval_ms, pt_live_fn fn, void *userdata,
		      struct pt_source *ret);

/* Hands @fn the kernel's list @k as a PT_EV_SYNC ... PT_EV_SYNC_END block. */
int pt_live_emit_sync(pt_live_fn fn, void *userdata, enum pt_sync_reason why, uint64_t lost,
		      const struct pt_kentry *k, size_t n);

/*
 * Call after every dispatch and after finish: when the source has lost
 * events since *seen, hands @fn the kernel's list from @debugfs as a sync
 * block (reason loss), or a PT_EV_LOST event when the list cannot be read.
 * Events in flight while the list is read may then apply twice and show
 * as drift: the loss anomaly says the gap happened.
 */
int pt_live_resync_on_loss(const struct pt_source *s, uint64_t *seen, const char *debugfs,
			   pt_live_fn fn, void *userdata);

/*
 * --source=auto|bpf|netlink|debugfs: auto takes bpf, else netlink, else
 * polling the list at @debugfs every @poll_ms.  Logs which it got and why
 * each better one failed; on failure, why each failed.
 */
int pt_source_open(const char *want, const char *debugfs, unsigned poll_ms, pt_live_fn fn,
		   void *userdata, struct pt_source *s);

/* Everything reported so far, handed to the callback. */
static inline int pt_source_drain(const struct pt_source *s)
{
	int r = s->ops->barrier ? s->ops->barrier(s->impl) : 0;

	return r < 0 ? r : s->ops->dispatch(s->impl);
}

static inline void pt_source_close(struct pt_source *s)
{
	if (s->ops)
		s->ops->free(s->impl);
	*s = (struct pt_source){ 0 };
}
