// SPDX-License-Identifier: GPL-2.0-or-later
/* What the live sources share: the sync block, and resynchronising after a loss. */
#include <inttypes.h>

#include "core/util.h"
#include "host/debugfs.h"
#include "source.h"

int pt_live_emit_sync(pt_live_fn fn, void *userdata, enum pt_sync_reason why, uint64_t lost,
		      const struct pt_kentry *k, size_t n)
{
	struct pt_event ev = { .kind = PT_EV_SYNC, .reason = why, .lost = lost };
	int r;

	r = fn(&ev, userdata);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		ev = pt_event_of_kentry(&k[i]);
		r = fn(&ev, userdata);
	}
	if (r < 0)
		return r;
	ev = (struct pt_event){ .kind = PT_EV_SYNC_END };
	return fn(&ev, userdata);
}

int pt_live_resync_on_loss(const struct pt_source *s, uint64_t *seen, const char *debugfs,
			   pt_live_fn fn, void *userdata)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	uint64_t lost = pt_source_lost(s), gap;
	size_t n;
	int r;

	if (lost <= *seen)
		return 0;
	gap = lost - *seen;
	*seen = lost;
	r = pt_debugfs_read(debugfs, &k, &n, NULL);
	if (r < 0) {
		struct pt_event ev = { .kind = PT_EV_LOST, .lost = gap };

		log_warning("%" PRIu64 " events lost and %s unreadable (%s): the table may be wrong",
			    gap, debugfs, strerror(-r));
		return fn(&ev, userdata);
	}
	log_warning("%" PRIu64 " events lost: resynchronising from %s (%zu entries)", gap,
		    debugfs, n);
	return pt_live_emit_sync(fn, userdata, PT_SYNC_LOSS, gap, k, n);
}
