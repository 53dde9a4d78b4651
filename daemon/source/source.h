/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What every live source is: events as the kernel reports them, handed to
 * a callback; a table of operations; and what the sources share (the sync
 * block, resynchronising after a loss).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"
#include "host/kallsyms.h"

typedef int (*pt_live_fn)(const struct pt_event *ev, void *userdata);

/* What a source can tell beyond the table itself: its flags. */
enum pt_source_caps {
	PT_SOURCE_CALLS = 1 << 0,	/* every reserve and free, failed ones too: checkable against the kernel */
	PT_SOURCE_OWNERS = 1 << 1,	/* who made each call; forks and exits */
	PT_SOURCE_STACKS = 1 << 2,	/* a reserve's kernel stack */
};

/* What pattrackctl and pattrackd need of any source. */
struct pt_source_ops {
	const char *name;
	unsigned caps;		/* enum pt_source_caps */
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
	/* May be NULL: a source that cannot tell what it missed (debugfs polling). */
	uint64_t (*lost)(void *impl);			/* events known lost so far */
	/*
	 * May be NULL: a source without sequence numbers.  The lowest number
	 * handed on since the last call, 0 if none: a loss found now may have
	 * been before any of these, so the model's disagreements over them
	 * may be the loss's doing (see pt_live_resync_on_loss()).
	 */
	uint64_t (*cycle)(void *impl);
	/* May be NULL: a source without stacks. */
	void (*set_kallsyms)(void *impl, struct pt_kallsyms *syms);
	void (*free)(void *impl);
};

struct pt_source {
	const struct pt_source_ops *ops;
	void *impl;
	const char *detail;	/* e.g. the BPF attach mode; may be NULL */
};

/* Hands @fn the kernel's list @k as a block: @sync (a PT_EV_SYNC), entries, PT_EV_SYNC_END. */
int pt_live_emit_sync(pt_live_fn fn, void *userdata, const struct pt_event *sync,
		      const struct pt_kentry *k, size_t n);

/* What pt_live_resync_on_loss() keeps between calls; zeroed at the start. */
struct pt_live_loss {
	uint64_t seen;		/* the source's lost count, as last acted on */
	bool unsettled;		/* a loss's block was the last call's doing */
};

/*
 * Call after every dispatch and after finish: when the source has lost
 * events since the last call, hands @fn what the kernel has reported up
 * to now (pt_source_drain()), then its list from @debugfs as a sync block
 * (reason loss), or a PT_EV_LOST event when the list cannot be read.
 * The block says where the loss's effects may begin ("since": the events
 * handed on since the last call, which may have come after a lost one),
 * so that the model does not blame its own table for the loss.  What the
 * kernel changed before the list was read but reports after it (a probe
 * still running) applies twice: the next call that has had events and
 * finds nothing more lost hands on PT_EV_SETTLED, for the model to put
 * that on the loss too.
 */
int pt_live_resync_on_loss(const struct pt_source *s, struct pt_live_loss *st,
			   const char *debugfs, pt_live_fn fn, void *userdata);

/* Everything reported so far, handed to the callback. */
static inline int pt_source_drain(const struct pt_source *s)
{
	int r = s->ops->barrier ? s->ops->barrier(s->impl) : 0;

	return r < 0 ? r : s->ops->dispatch(s->impl);
}

static inline uint64_t pt_source_lost(const struct pt_source *s)
{
	return s->ops->lost ? s->ops->lost(s->impl) : 0;
}

static inline uint64_t pt_source_cycle(const struct pt_source *s)
{
	return s->ops->cycle ? s->ops->cycle(s->impl) : 0;
}

/* @syms must outlive the source. */
static inline void pt_source_set_kallsyms(const struct pt_source *s, struct pt_kallsyms *syms)
{
	if (s->ops->set_kallsyms)
		s->ops->set_kallsyms(s->impl, syms);
}

static inline void pt_source_close(struct pt_source *s)
{
	if (s->ops)
		s->ops->free(s->impl);
	*s = (struct pt_source){ 0 };
}
