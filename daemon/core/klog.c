// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel log's x86/PAT lines (arch/x86/mm/pat/memtype.c, 6.1), as text. */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "klog.h"
#include "util.h"

#define PAT_PREFIX "x86/PAT: "

/* "6,1234,5678,-;" (/dev/kmsg) or "[   5.678901] " (dmesg): sets seq/ts, returns the message. */
static struct cursor strip_record_prefix(struct cursor c, struct pt_kmsg_pat *k)
{
	struct cursor save = c;
	uint64_t prio, seq, ts, sec, usec;

	if (cursor_dec(&c, &prio) && cursor_lit(&c, ",") && cursor_dec(&c, &seq) &&
	    cursor_lit(&c, ",") && cursor_dec(&c, &ts) && cursor_lit(&c, ",")) {
		const char *semi = memchr(c.p, ';', (size_t)(c.end - c.p));

		if (semi) {
			const char *nl;

			k->seq = seq;
			k->ts_us = ts;
			c.p = semi + 1;
			/* continuation lines (" SUBSYSTEM=...") are not part of the text */
			nl = memchr(c.p, '\n', (size_t)(c.end - c.p));
			if (nl)
				c.end = nl;
			return c;
		}
	}
	c = save;
	if (cursor_lit(&c, "[")) {
		cursor_spaces(&c);
		if (cursor_dec(&c, &sec) && cursor_lit(&c, ".") && cursor_dec(&c, &usec) &&
		    cursor_lit(&c, "]")) {
			cursor_spaces(&c);
			k->ts_us = sec * 1000000 + usec;
			return c;
		}
	}
	return save;
}

/* "[mem 0x%010Lx-0x%010Lx]": inclusive end, returned exclusive. */
static bool mem_range(struct cursor *c, uint64_t *start, uint64_t *end)
{
	uint64_t last;

	if (!cursor_lit(c, "[mem ") || !cursor_hex(c, start) || !cursor_lit(c, "-") ||
	    !cursor_hex(c, &last) || !cursor_lit(c, "]") || last < *start)
		return false;
	*end = last == UINT64_MAX ? last : last + 1;
	return true;
}

static const struct {
	const char *marker;
	enum pt_kmsg_kind kind;
} task_formats[] = {
	{ " conflicting memory types ", PT_KMSG_CONFLICT },
	{ " freeing invalid memtype ", PT_KMSG_INVALID_FREE },
	{ " ioremap_change_attr failed ", PT_KMSG_CHANGE_ATTR_FAILED },
	{ " map pfn RAM range req ", PT_KMSG_PFN_RAM },
	{ " map pfn expected mapping type ", PT_KMSG_PFN_EXPECTED },
};

/* "comm:pid" where comm may hold spaces and colons: the pid follows the last colon. */
static bool parse_task(const char *s, size_t len, struct pt_kmsg_pat *k)
{
	const char *colon = NULL;
	struct cursor c;
	uint64_t pid;

	for (size_t i = 0; i < len; i++)
		if (s[i] == ':')
			colon = s + i;
	if (!colon || colon == s)
		return false;
	c = cursor_make(colon + 1, (size_t)(s + len - colon - 1));
	if (!cursor_dec(&c, &pid) || c.p != c.end || pid > INT32_MAX)
		return false;
	strscpy_trunc(k->comm, sizeof(k->comm), s, (size_t)(colon - s));
	k->pid = (int32_t)pid;
	k->has_task = true;
	return true;
}

static int parse_task_line(struct cursor c, struct pt_kmsg_pat *k)
{
	const char *best = NULL;
	size_t best_i = 0;

	for (size_t i = 0; i < ELEMENTSOF(task_formats); i++) {
		const char *q = memmem(c.p, (size_t)(c.end - c.p), task_formats[i].marker,
				       strlen(task_formats[i].marker));

		if (q && (!best || q < best)) {
			best = q;
			best_i = i;
		}
	}
	if (!best)
		return 0;	/* some other x86/PAT line: configuration, ... */
	k->kind = task_formats[best_i].kind;
	if (!parse_task(c.p, (size_t)(best - c.p), k))
		return -EBADMSG;
	c.p = best + strlen(task_formats[best_i].marker);

	switch (k->kind) {
	case PT_KMSG_CONFLICT:
		/* "%Lx-%Lx %s<->%s": exclusive end, no 0x */
		if (!cursor_hex(&c, &k->start) || !cursor_lit(&c, "-") || !cursor_hex(&c, &k->end) ||
		    !cursor_lit(&c, " ") || !cursor_type(&c, &k->type_a) || !cursor_lit(&c, "<->") ||
		    !cursor_type(&c, &k->type_b))
			return -EBADMSG;
		break;
	case PT_KMSG_INVALID_FREE:
		if (!mem_range(&c, &k->start, &k->end))
			return -EBADMSG;
		break;
	case PT_KMSG_CHANGE_ATTR_FAILED:
		if (!cursor_type(&c, &k->type_a) || !cursor_lit(&c, " for ") ||
		    !mem_range(&c, &k->start, &k->end))
			return -EBADMSG;
		break;
	case PT_KMSG_PFN_RAM:
	case PT_KMSG_PFN_EXPECTED:
		if (!cursor_type(&c, &k->type_a) || !cursor_lit(&c, " for ") ||
		    !mem_range(&c, &k->start, &k->end) || !cursor_lit(&c, ", got ") ||
		    !cursor_type(&c, &k->type_b))
			return -EBADMSG;
		break;
	default:
		return -EBADMSG;
	}
	return cursor_at_end(&c) ? 1 : -EBADMSG;
}

static int parse_line(const char *line, size_t len, struct pt_kmsg_pat *k)
{
	struct cursor c = cursor_make(line, len);
	uint64_t track, req;

	*k = (struct pt_kmsg_pat){ .type_a = PT_TYPE_NONE, .type_b = PT_TYPE_NONE };
	c = strip_record_prefix(c, k);
	while (c.end > c.p && (c.end[-1] == '\n' || c.end[-1] == '\r'))
		c.end--;
	k->message = c.p;
	k->message_len = (size_t)(c.end - c.p);
	if (!cursor_lit(&c, PAT_PREFIX))
		return 0;

	if (cursor_lit(&c, "memtype_reserve failed ")) {
		k->kind = PT_KMSG_RESERVE_FAILED;
		if (!mem_range(&c, &k->start, &k->end) || !cursor_lit(&c, ", track ") ||
		    !cursor_type(&c, &k->type_a) || !cursor_lit(&c, ", req ") ||
		    !cursor_type(&c, &k->type_b))
			return -EBADMSG;
		return cursor_at_end(&c) ? 1 : -EBADMSG;
	}
	if (cursor_lit(&c, "reserve_ram_pages_type failed ")) {
		k->kind = PT_KMSG_RAM_PAGES_FAILED;
		if (!mem_range(&c, &k->start, &k->end) || !cursor_lit(&c, ", track ") ||
		    !cursor_hex(&c, &track) || !cursor_lit(&c, ", req ") || !cursor_hex(&c, &req) ||
		    track >= PATTRACK_TYPE_NR || req >= PATTRACK_TYPE_NR)
			return -EBADMSG;
		k->type_a = (int)track;
		k->type_b = (int)req;
		return cursor_at_end(&c) ? 1 : -EBADMSG;
	}
	return parse_task_line(c, k);
}

int pt_kmsg_parse(const char *line, size_t len, struct pt_kmsg_pat *k)
{
	int r = parse_line(line, len, k);

	/* what no kernel prints: an empty or upside-down range, beyond 52 address bits */
	if (r > 0 && (k->start >= k->end || k->end > PT_PHYS_LIMIT))
		return -EBADMSG;
	return r;
}

int pt_kmsg_to_anomaly(struct pt_model *m, const struct pt_kmsg_pat *k, struct pt_anomaly *a)
{
	char note[600];
	int r;

	*a = (struct pt_anomaly){
		.kind = PT_AN_CONFLICT,
		.event = PT_EV_RESERVE,
		.start = k->start,
		.end = k->end,
		.type = PT_TYPE_NONE,
		.req = PT_TYPE_NONE,
		.got = PT_TYPE_NONE,
		.pred_got = PT_TYPE_NONE,
		.pid = k->pid,
		.seq = k->seq,
		.ts_ns = k->ts_us * 1000,
	};
	switch (k->kind) {
	case PT_KMSG_CONFLICT:
		/* found type <-> the overlapping entry's type */
		a->type = (int8_t)k->type_b;
		break;
	case PT_KMSG_RESERVE_FAILED:
	case PT_KMSG_RAM_PAGES_FAILED:
		a->type = (int8_t)k->type_a;	/* what is tracked there */
		a->req = (int8_t)k->type_b;
		break;
	case PT_KMSG_INVALID_FREE:
		a->kind = PT_AN_INVALID_FREE;
		a->event = PT_EV_FREE;
		a->ret = -EINVAL;
		break;
	case PT_KMSG_CHANGE_ATTR_FAILED:
		a->req = (int8_t)k->type_a;
		break;
	case PT_KMSG_PFN_RAM:
		a->kind = PT_AN_DEGRADED;
		a->req = (int8_t)k->type_a;
		a->got = a->type = (int8_t)k->type_b;
		a->severity = pt_type_strength(k->type_b) < pt_type_strength(k->type_a) ?
				      PT_SEV_HAZARD : PT_SEV_SLOW;
		break;
	case PT_KMSG_PFN_EXPECTED:
		a->req = (int8_t)k->type_a;
		a->got = a->type = (int8_t)k->type_b;
		break;
	}
	if (k->has_task && k->comm[0]) {
		r = pt_strtab_intern_safe(pt_model_strings(m), k->comm, strlen(k->comm),
					  PT_STR_COMM, &a->comm);
		if (r < 0)
			return r;
	}
	r = snprintf(note, sizeof(note), "kernel log: %.*s", (int)k->message_len, k->message);
	return pt_strtab_intern_safe(pt_model_strings(m), note,
				     r < (int)sizeof(note) ? (size_t)r : sizeof(note) - 1,
				     PT_STR_TEXT, &a->note);
}

int pt_klog_add(struct pt_model *m, struct pt_klog *st, const struct pt_kmsg_pat *k)
{
	struct pt_anomaly a;
	int r;

	if (k->kind == PT_KMSG_RESERVE_FAILED && st->have_prev && st->prev.kind == PT_KMSG_CONFLICT &&
	    st->prev.start == k->start && st->prev.end == k->end && pt_model_last_anomaly(m)) {
		/* the last anomaly is that conflict: give it the request it refused */
		pt_model_last_anomaly(m)->req = (int8_t)k->type_b;
		st->have_prev = false;
		return 0;
	}
	r = pt_kmsg_to_anomaly(m, k, &a);
	if (r < 0)
		return r;
	r = pt_model_add_anomaly(m, &a);
	if (r < 0)
		return r;
	st->prev = *k;
	st->have_prev = true;
	return 1;
}
