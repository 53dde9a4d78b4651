// SPDX-License-Identifier: GPL-2.0-or-later
/* What every live source shares: loss detection by sequence numbers. */
#include <inttypes.h>

#include "live.h"
#include "sources.h"
#include "util.h"

static bool take_bit(struct pt_seq_tracker *t, uint64_t seq)
{
	uint64_t *w = &t->seen[(seq % PT_SEQ_WINDOW) / 64], bit = 1ULL << (seq % 64);
	bool set = *w & bit;

	*w &= ~bit;
	return set;
}

/* Gives up on the numbers below @upto that never came. */
static void slide(struct pt_seq_tracker *t, uint64_t upto)
{
	uint64_t gap = 0;

	for (; t->base < upto; t->base++)
		if (!take_bit(t, t->base))
			gap++;
	if (gap) {
		t->lost += gap;
		log_warning("%" PRIu64 " events lost before sequence number %" PRIu64, gap, upto);
	}
}

void pt_seq_begin(struct pt_seq_tracker *t, uint64_t first)
{
	if (!t->base && first)
		t->base = first;
}

void pt_seq_expect(struct pt_seq_tracker *t, uint64_t last)
{
	if (t->base && last >= t->base && last > t->max_seq)
		t->max_seq = last;
}

void pt_seq_note(struct pt_seq_tracker *t, uint64_t seq)
{
	if (!t->base)
		t->base = seq;
	if (seq < t->base)
		return;	/* later than the window allowed: counted lost already */
	if (seq >= t->base + PT_SEQ_WINDOW)
		slide(t, seq - PT_SEQ_WINDOW + 1);
	t->seen[(seq % PT_SEQ_WINDOW) / 64] |= 1ULL << (seq % 64);
	if (seq > t->max_seq)
		t->max_seq = seq;
	/* move past what has all arrived */
	while (t->base <= t->max_seq && take_bit(t, t->base))
		t->base++;
}

uint64_t pt_seq_finish(struct pt_seq_tracker *t)
{
	if (t->base)
		slide(t, t->max_seq + 1);
	return t->lost;
}

#ifndef HAVE_BPF
int pt_bpf_source(pt_live_fn fn, void *userdata, struct pt_source *ret, char *why,
		  size_t why_size)
{
	(void)fn;
	(void)userdata;
	(void)ret;
	snprintf(why, why_size, "not built in (no clang, bpftool, libbpf or kernel BTF at build time)");
	return -EOPNOTSUPP;
}
#endif

int pt_live_emit_sync(pt_live_fn fn, void *userdata, enum pt_sync_reason why, uint64_t lost,
		      const struct pt_kentry *k, size_t n)
{
	struct pt_event ev = { .kind = PT_EV_SYNC, .reason = why, .lost = lost };
	int r;

	r = fn(&ev, userdata);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		ev = (struct pt_event){
			.kind = PT_EV_ENTRY, .start = k[i].start, .end = k[i].end, .type = k[i].type,
		};
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
	uint64_t lost = s->ops->lost(s->impl), gap;
	size_t n;
	int r;

	if (lost <= *seen)
		return 0;
	gap = lost - *seen;
	*seen = lost;
	r = pt_debugfs_read(debugfs, &k, &n);
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

/* ---- choosing a source ---------------------------------------------------- */

static int debugfs_open(const char *path, unsigned poll_ms, pt_live_fn fn, void *userdata,
			struct pt_source *s)
{
	int r = pt_debugfs_source(path, poll_ms, fn, userdata, s);

	if (r < 0)
		log_error_errno(r, "cannot poll %s", path);
	return r;
}

static const char *netlink_why(int r)
{
	return r == -ENOENT ? "pattrack_shim.ko is not loaded" :
	       r == -EPERM ? "joining its group needs CAP_NET_ADMIN" : strerror(-r);
}

/*
 * --source=auto|bpf|netlink|debugfs.  auto takes bpf, else netlink, else
 * debugfs polling, and says which it got and why each better one failed.
 */
int pt_source_open(const char *want, const char *debugfs, unsigned poll_ms, pt_live_fn fn,
		   void *userdata, struct pt_source *s)
{
	bool any = !strcmp(want, "auto");
	char why_bpf[512];
	int r;

	*s = (struct pt_source){ 0 };
	if (!strcmp(want, "debugfs")) {
		r = debugfs_open(debugfs, poll_ms, fn, userdata, s);
		if (r == 0)
			log_info("source: debugfs (polling every %u ms: the table only, "
				 "without owners, stacks or failed calls)", poll_ms);
		return r;
	}
	if (any || !strcmp(want, "bpf")) {
		r = pt_bpf_source(fn, userdata, s, why_bpf, sizeof(why_bpf));
		if (r == 0) {
			/* why_bpf holds what the better modes ran into */
			log_info("source: bpf (%s%s%s)", s->detail, *why_bpf ? "; " : "", why_bpf);
			return 0;
		}
		if (!any) {
			log_error("source bpf: %s", why_bpf);
			return r;
		}
	}
	r = pt_netlink_source(fn, userdata, s);
	if (r == 0) {
		if (any)
			log_info("source: netlink (bpf: %s)", why_bpf);
		return 0;
	}
	if (any) {
		int rn = r;

		r = debugfs_open(debugfs, poll_ms, fn, userdata, s);
		if (r < 0) {
			log_error("no live source: bpf: %s; netlink: %s; debugfs: %s", why_bpf,
				  netlink_why(rn), strerror(-r));
			return r;
		}
		log_info("source: debugfs (polling every %u ms: the table only, without owners, "
			 "stacks or failed calls; bpf: %s; netlink: %s)", poll_ms, why_bpf,
			 netlink_why(rn));
		return 0;
	}
	if (r == -ENOENT)
		log_error("no generic netlink family \"pattrack\": is pattrack_shim.ko loaded?");
	else if (r == -EPERM)
		log_error("joining the pattrack events group needs CAP_NET_ADMIN");
	else
		log_error_errno(r, "cannot subscribe to the pattrack netlink family");
	return r;
}

