// SPDX-License-Identifier: GPL-2.0-or-later
/* Loss detection by sequence numbers, for the sources that number their events. */
#include <inttypes.h>

#include "core/util.h"
#include "seq.h"

static bool take_bit(struct pt_seq_tracker *t, uint64_t seq)
{
	uint64_t *w = &t->seen[(seq % PT_SEQ_WINDOW) / 64], bit = 1ULL << (seq % 64);
	bool set = *w & bit;

	*w &= ~bit;
	return set;
}

/*
 * Gives up on the numbers below @upto that never came.  Only the window's
 * numbers can have come, so a jump of any size costs one window at most.
 */
static void slide(struct pt_seq_tracker *t, uint64_t upto)
{
	uint64_t span = upto - t->base, came = 0, gap;

	if (upto <= t->base)
		return;
	for (uint64_t i = 0; i < span && i < PT_SEQ_WINDOW; i++)
		came += take_bit(t, t->base + i);
	gap = span - came;
	t->base = upto;
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
	if (t->ordered && seq > t->base)
		slide(t, seq);
	else if (seq >= t->base + PT_SEQ_WINDOW)
		slide(t, seq - PT_SEQ_WINDOW + 1);
	t->seen[(seq % PT_SEQ_WINDOW) / 64] |= 1ULL << (seq % 64);
	if (seq > t->max_seq)
		t->max_seq = seq;
	/* move past what has all arrived */
	while (t->base <= t->max_seq && take_bit(t, t->base))
		t->base++;
}

bool pt_seq_complete(const struct pt_seq_tracker *t, uint64_t from, uint64_t to)
{
	if (!t->base || to >= t->base + PT_SEQ_WINDOW)
		return true;	/* nothing seen yet, or past what the window can tell */
	for (uint64_t s = from > t->base ? from : t->base; s <= to; s++)
		if (!(t->seen[(s % PT_SEQ_WINDOW) / 64] & (1ULL << (s % 64))))
			return false;
	return true;
}

uint64_t pt_seq_finish(struct pt_seq_tracker *t)
{
	if (t->base)
		slide(t, t->max_seq + 1);
	return t->lost;
}
