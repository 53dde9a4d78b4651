/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * pattrackd's state file (pattrackd(8), FILES): what the kernel's list
 * cannot tell the next pattrackd of the same boot.  The owners of live
 * entries, their owners' exits, the anomalies, and the clock and tag that
 * cookies are made of.  JSON Lines, a header and one record a line, written
 * whole to a temporary file and renamed over the last one: every
 * PT_STATE_INTERVAL_USEC when anything changed, and at the stop, so a crash
 * loses at most that much.  The format is pattrackd's own, not an API: the
 * header's version changes with it, and another version is not read.
 */

#include <stdbool.h>

#define PT_STATE_FILE "state.jsonl"	/* in $STATE_DIRECTORY */
#define PT_STATE_INTERVAL_USEC (5 * 1000000ULL)

struct manager;

/*
 * Before the kernel's list is read: opens the saved state and, when it is
 * this boot's, resumes the model's clock and the cookie tag from its header.
 * 0 also when there is none, or it is another boot's (said and ignored).
 */
int manager_state_begin(struct manager *m);

/*
 * After the kernel's list: files the saved anomalies again and gives the
 * saved owners back to the entries still in the list; says what came back
 * and what did not.  0, or -ENOMEM.
 */
int manager_state_restore(struct manager *m);

/* Writes the state if anything changed since it was last written (or @always). */
int manager_state_save(struct manager *m, bool always);

/* Saves every PT_STATE_INTERVAL_USEC; nothing without a state file. */
int manager_state_watch(struct manager *m);

/* What the state holds of the manager: for manager_free(). */
void manager_state_done(struct manager *m);
