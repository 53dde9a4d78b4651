// SPDX-License-Identifier: GPL-2.0-or-later
/* What the live sources share: the sync block, and resynchronising after a loss. */
#include <assert.h>
#include <inttypes.h>

#include "core/util.h"
#include "host/debugfs.h"
#include "source.h"

int pt_live_emit_sync(pt_live_fn fn, void *userdata, const struct pt_event *sync,
		      const struct pt_kentry *k, size_t n)
{
	struct pt_event ev;
	int r;

	assert(sync->kind == PT_EV_SYNC);
	r = fn(sync, userdata);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		ev = pt_event_of_kentry(&k[i]);
		r = fn(&ev, userdata);
	}
	if (r < 0)
		return r;
	ev = (struct pt_event){ .kind = PT_EV_SYNC_END };
	return fn(&ev, userdata);
}

/*
 * Reads of the list for one that two in a row agree on (pt_debugfs_read_settled()).
 * Under a burst of mappings the list changes every few reads: 8 tries once
 * ended in a torn read on 6.1 (a burst page listed twice, an entry the
 * replay then kept); reads of a small list cost microseconds.
 */
#define LIST_TRIES 64

int pt_live_resync_on_loss(const struct pt_source *s, struct pt_live_loss *st,
			   const char *debugfs, pt_live_fn fn, void *userdata)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	struct pt_event ev = { .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS };
	uint64_t lost = pt_source_lost(s);
	size_t n;
	int r;

	if (lost <= st->seen) {
		/*
		 * What came so far needs no excuse.  A loss's block is settled
		 * only once events have come after it: the first to come are
		 * those its list held already.
		 */
		if (!pt_source_cycle(s) || !st->unsettled)
			return 0;
		st->unsettled = false;
		return fn(&(struct pt_event){ .kind = PT_EV_SETTLED }, userdata);
	}
	/*
	 * What the kernel changed before the list is read, in the model
	 * first: the list then holds its change, and the block repeats it.
	 * The drain may find more lost.
	 */
	r = pt_source_drain(s);
	if (r < 0)
		return r;
	lost = pt_source_lost(s);
	ev.lost = lost - st->seen;
	ev.since = pt_source_cycle(s);
	st->seen = lost;
	st->unsettled = true;
	r = pt_debugfs_read_settled(debugfs, LIST_TRIES, &k, &n);
	if (r == 0)
		log_warning("%s changed at each of %u reads: the list may be torn, until the next resync",
			    debugfs, LIST_TRIES);
	if (r < 0) {
		ev = (struct pt_event){ .kind = PT_EV_LOST, .lost = ev.lost, .since = ev.since };
		log_warning("%" PRIu64 " events lost and %s unreadable (%s): the table may be wrong",
			    ev.lost, debugfs, strerror(-r));
		return fn(&ev, userdata);
	}
	log_warning("%" PRIu64 " events lost: resynchronising from %s (%zu entries)", ev.lost,
		    debugfs, n);
	return pt_live_emit_sync(fn, userdata, &ev, k, n);
}
