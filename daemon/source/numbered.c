// SPDX-License-Identifier: GPL-2.0-or-later
/* The numbered sources' delivery: sequence numbers, decoding, the callback. */
#include <inttypes.h>

#include "core/util.h"
#include "decode.h"
#include "numbered.h"

int pt_numbered_deliver(struct pt_numbered *n, const struct pattrack_event *e)
{
	struct pt_event ev;
	int r;

	if (pt_decode_event(e, n->syms, n->stack, sizeof(n->stack), &ev) < 0) {
		log_warning("event %" PRIu64 " of unknown kind %u: counted lost", (uint64_t)e->seq,
			    e->kind);
		return 0;
	}
	pt_seq_note(&n->seq, e->seq);
	if (!n->cycle_first || e->seq < n->cycle_first)
		n->cycle_first = e->seq;
	if (ev.stack && n->fix_stack) {
		ev.stack_len = n->fix_stack(n->stack, ev.stack_len);
		ev.stack = ev.stack_len ? n->stack : NULL;
	}
	r = n->fn(&ev, n->userdata);
	if (r < 0)
		n->error = r;
	return r;
}

uint64_t pt_numbered_finish(void *impl)
{
	return pt_seq_finish(&((struct pt_numbered *)impl)->seq);
}

uint64_t pt_numbered_lost(void *impl)
{
	return ((struct pt_numbered *)impl)->seq.lost;
}

uint64_t pt_numbered_cycle(void *impl)
{
	struct pt_numbered *n = impl;
	uint64_t first = n->cycle_first;

	n->cycle_first = 0;
	return first;
}

void pt_numbered_set_kallsyms(void *impl, struct pt_kallsyms *syms)
{
	((struct pt_numbered *)impl)->syms = syms;
}
