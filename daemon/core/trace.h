/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * "pattrack trace v1": JSON Lines, one event per line (pattrack-trace(5)).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

#define PT_TRACE_VERSION 1

struct pt_trace_counts {
	uint64_t lines;
	uint64_t events;
	uint64_t headers;
	uint64_t unknown_events;
	uint64_t malformed;
};

struct pt_trace_reader;

/* @path "-" reads standard input.  @name labels error messages. */
int pt_trace_reader_open(const char *path, struct pt_trace_reader **ret);
/* Reads from an open stream it does not own (tests, pipes). */
int pt_trace_reader_new(FILE *f, const char *name, struct pt_trace_reader **ret);
void pt_trace_reader_free(struct pt_trace_reader *r);
static inline void pt_trace_reader_freep(struct pt_trace_reader **r)
{
	if (*r)
		pt_trace_reader_free(*r);
}

/*
 * The next event: 1 with *ev filled (its strings live until the next call),
 * 0 at the end, -EBADMSG for a malformed line (already reported as
 * "FILE:LINE: reason"; reading may go on), another negative errno for I/O.
 * Headers and unknown events are counted and passed over.
 */
int pt_trace_read(struct pt_trace_reader *r, struct pt_event *ev);

const struct pt_trace_counts *pt_trace_counts(const struct pt_trace_reader *r);
const char *pt_trace_name(const struct pt_trace_reader *r);
/* After -EBADMSG from pt_trace_read(): what is wrong with the line (pt_trace_line()). */
const char *pt_trace_error(const struct pt_trace_reader *r);
unsigned long pt_trace_line(const struct pt_trace_reader *r);

/* The kinds that name a range (pattrack-trace(5)). */
static inline bool pt_event_has_range(enum pt_event_kind k)
{
	return k == PT_EV_ENTRY || k == PT_EV_RAM || k == PT_EV_RESERVE || k == PT_EV_FREE ||
	       k == PT_EV_DEVICE || k == PT_EV_UNBIND;
}

/* The longest line a reader takes (a line of the longest stack is under 8 KiB). */
#define PT_TRACE_LINE_MAX 1048576

enum pt_line_kind {
	PT_LINE_EVENT = 1,
	PT_LINE_HEADER,
	PT_LINE_UNKNOWN,	/* an event this version does not know */
	PT_LINE_BLANK,
};

/* Scratch space for one line's decoded stack; zero-initialise, pt_trace_parser_done() after. */
struct pt_trace_parser {
	char *stack;
	size_t stack_cap;
};

void pt_trace_parser_done(struct pt_trace_parser *p);

/*
 * Parses one line (mutated in place) into *ev: a pt_line_kind, or -EBADMSG
 * with *why saying what is wrong.
 */
int pt_trace_parse_line(struct pt_trace_parser *p, char *line, size_t len,
			struct pt_event *ev, const char **why);

/* "entry", "reserve", ... as a trace names events; NULL for a bad kind. */
const char *pt_event_kind_name(enum pt_event_kind kind);
int pt_event_kind_from_string(const char *s, size_t len);

/* "reconcile", "loss", "poll": a sync block's reason. */
const char *pt_sync_reason_name(enum pt_sync_reason why);
int pt_sync_reason_from_string(const char *s, size_t len);

/* Writes one event as a trace line. */
int pt_trace_write_event(FILE *f, const struct pt_event *ev);
