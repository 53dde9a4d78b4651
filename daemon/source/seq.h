/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * Loss detection by sequence numbers.  The BPF programs' numbers arrive
 * slightly out of order when several CPUs emit at once: a number is lost
 * only when it has not arrived by the time the numbers seen run
 * PT_SEQ_WINDOW past it.  The shim sends in order (@ordered): a number
 * skipped is lost as soon as a later one comes.
 */
#define PT_SEQ_WINDOW 4096

struct pt_seq_tracker {
	uint64_t base;		/* lowest number not yet seen or given up; 0: none yet */
	uint64_t max_seq;
	uint64_t lost;
	bool ordered;		/* numbers arrive in order: a gap is a loss at once */
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
/* Whether every number in [@from, @to] has come, or was given up on. */
bool pt_seq_complete(const struct pt_seq_tracker *t, uint64_t from, uint64_t to);
/* At the end: gives up on every number still missing; returns all lost. */
uint64_t pt_seq_finish(struct pt_seq_tracker *t);
