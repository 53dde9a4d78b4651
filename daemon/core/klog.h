/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The kernel log's x86/PAT lines, as text: what a line says, and the
 * anomaly it is.  Reading the log is host/kmsg.h's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum pt_kmsg_kind {
	PT_KMSG_CONFLICT,		/* "comm:pid conflicting memory types a-b T1<->T2" */
	PT_KMSG_RESERVE_FAILED,		/* "memtype_reserve failed [mem a-b], track T, req T" */
	PT_KMSG_INVALID_FREE,		/* "comm:pid freeing invalid memtype [mem a-b]" */
	PT_KMSG_RAM_PAGES_FAILED,	/* "reserve_ram_pages_type failed [mem a-b], track 0x%x, req 0x%x" */
	PT_KMSG_CHANGE_ATTR_FAILED,	/* "comm:pid ioremap_change_attr failed T for [mem a-b]" */
	PT_KMSG_PFN_RAM,		/* "comm:pid map pfn RAM range req T for [mem a-b], got T" */
	PT_KMSG_PFN_EXPECTED,		/* "comm:pid map pfn expected mapping type T for [mem a-b], got T" */
};

struct pt_kmsg_pat {
	enum pt_kmsg_kind kind;
	bool has_task;
	char comm[64];
	int32_t pid;
	uint64_t start, end;	/* [start, end), whatever the line's own convention */
	int type_a, type_b;	/* see the kinds: (found, other) (track, req) (req, got) ... */
	uint64_t ts_us;		/* from a /dev/kmsg record or a dmesg "[sec.usec]" prefix */
	uint64_t seq;
	const char *message;	/* the x86/PAT text, pointing into the parsed input */
	size_t message_len;
};

/*
 * Parses one record: a /dev/kmsg record ("6,1234,5678,-;x86/PAT: ..."), a
 * dmesg line ("[  5.678] x86/PAT: ...") or a bare message.  1 when it is one
 * of the anomaly lines above, 0 for any other line, -EBADMSG for an
 * x86/PAT anomaly line that is truncated or garbled.
 */
int pt_kmsg_parse(const char *line, size_t len, struct pt_kmsg_pat *ret);

/* Turns one parsed line into an anomaly (the raw line kept as its note). */
int pt_kmsg_to_anomaly(struct pt_model *m, const struct pt_kmsg_pat *k, struct pt_anomaly *a);

/* What folding needs of the line before: a conflict and its "memtype_reserve failed". */
struct pt_klog {
	struct pt_kmsg_pat prev;
	bool have_prev;
};

/*
 * Adds one parsed line to @m as an anomaly: 1 when one was added, 0 when
 * the line was a "memtype_reserve failed" folded into the conflict right
 * before it, or a negative errno.
 */
int pt_klog_add(struct pt_model *m, struct pt_klog *st, const struct pt_kmsg_pat *k);
