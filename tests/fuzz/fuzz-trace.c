// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A trace line, as the reader takes it.  An event it accepts is written
 * back and read again: the writer's line must parse, and to the same
 * event kind and range (the string rule is idempotent, so a second round
 * writes the same line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/trace.h"
#include "core/util.h"
#include "fuzz.h"

static size_t write_line(const struct pt_event *ev, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	size_t n;

	if (!f)
		abort();
	if (pt_trace_write_event(f, ev) < 0)
		abort();
	n = (size_t)ftell(f);
	fclose(f);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[1 << 16], first[1 << 17], second[1 << 17];
	struct pt_trace_parser p = { 0 };
	struct pt_event ev, again;
	const char *why;
	size_t n, m;

	log_set_quiet(true);

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (pt_trace_parse_line(&p, line, size, &ev, &why) != PT_LINE_EVENT)
		goto out;
	n = write_line(&ev, first, sizeof(first));
	FUZZ_ASSERT(n > 0 && n < sizeof(first) && first[n - 1] == '\n');
	FUZZ_ASSERT(pt_trace_parse_line(&p, first, n, &again, &why) == PT_LINE_EVENT);
	FUZZ_ASSERT(again.kind == ev.kind);
	/* these kinds have a range in the format (a load's when it is one); the others' is not written */
	if (ev.kind == PT_EV_ENTRY || ev.kind == PT_EV_RAM || ev.kind == PT_EV_RESERVE ||
	    ev.kind == PT_EV_FREE || ev.kind == PT_EV_DEVICE || ev.kind == PT_EV_UNBIND ||
	    (ev.kind == PT_EV_LOAD && ev.start < ev.end))
		FUZZ_ASSERT(again.start == ev.start && again.end == ev.end);
	m = write_line(&again, second, sizeof(second));
	/* first was parsed in place: write it again to compare */
	n = write_line(&again, first, sizeof(first));
	FUZZ_ASSERT(m == n && memcmp(first, second, n) == 0);
out:
	pt_trace_parser_done(&p);
	return 0;
}
