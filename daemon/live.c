// SPDX-License-Identifier: GPL-2.0-or-later
/* What every live source shares: loss detection by sequence numbers. */
#include <inttypes.h>

#include "live.h"
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
