// SPDX-License-Identifier: GPL-2.0-or-later
/* Writing a trace (pattrack-trace(5)): one event a line, strings by the rule of safe.h. */
#include <inttypes.h>

#include "trace.h"
#include "util.h"

/* A string already safe (safe.h) as a JSON string. */
static void write_json_safe(FILE *f, const char *s, size_t len)
{
	const char *end = s + len;

	fputc('"', f);
	while (s < end) {
		size_t run = 0;

		/* a run to copy whole: @s need not end in a NUL (a frame of a stack, a comm) */
		while (s + run < end && s[run] != '"' && s[run] != '\\')
			run++;
		fwrite(s, 1, run, f);
		s += run;
		if (s < end) {
			fputc('\\', f);
			fputc(*s++, f);
		}
	}
	fputc('"', f);
}

/* @s as the rule of safe.h writes it for @kind, as a JSON string. */
static void write_json_string(FILE *f, const char *s, size_t len, enum pt_str_kind kind)
{
	char buf[PT_SAFE_SIZE(PT_TEXT_MAX)];

	if (pt_safe_is_clean(s, len, kind))
		write_json_safe(f, s, len);
	else
		write_json_safe(f, buf, pt_safe_escape(s, len, kind, buf));
}

static void write_stack(FILE *f, const char *s, size_t len)
{
	char buf[PT_SAFE_SIZE(PT_STACK_MAX)];
	const char *p, *end;

	if (!pt_safe_is_clean(s, len, PT_STR_STACK)) {
		len = pt_safe_escape(s, len, PT_STR_STACK, buf);
		s = buf;
	}
	fputs(",\"stack\":[", f);
	for (p = s, end = s + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *fe = nl ? nl : end;

		if (p != s)
			fputc(',', f);
		write_json_safe(f, p, (size_t)(fe - p));
		p = nl ? nl + 1 : end;
	}
	fputc(']', f);
}

/* The kinds that name a process (pattrack-trace(5)). */
static bool kind_has_process(enum pt_event_kind k)
{
	return k == PT_EV_RESERVE || k == PT_EV_FREE || k == PT_EV_EXIT || k == PT_EV_FORK ||
	       k == PT_EV_UNBIND || k == PT_EV_UNLOAD || k == PT_EV_LOAD;
}

int pt_trace_write_event(FILE *f, const struct pt_event *ev)
{
	if ((unsigned)ev->kind >= _PT_EV_MAX)
		return -EINVAL;
	fprintf(f, "{\"event\":\"%s\"", pt_event_kind_name(ev->kind));
	if (ev->kind == PT_EV_SYNC)
		fprintf(f, ",\"reason\":\"%s\"", pt_sync_reason_name(ev->reason));
	if (ev->kind == PT_EV_SYNC || ev->kind == PT_EV_LOST)
		fprintf(f, ",\"lost\":%" PRIu64, ev->lost);
	if ((ev->kind == PT_EV_SYNC || ev->kind == PT_EV_LOST) && ev->since)
		fprintf(f, ",\"since\":%" PRIu64, ev->since);
	if (pt_event_has_range(ev->kind))
		fprintf(f, ",\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"", ev->start, ev->end);
	if (ev->kind == PT_EV_ENTRY)
		fprintf(f, ",\"type\":\"%s\"", pt_type_name(ev->type));
	if (ev->kind == PT_EV_RESERVE) {
		fprintf(f, ",\"req\":\"%s\"", pt_type_name(ev->req));
		if (ev->strict || !pt_type_name(ev->got))
			fputs(",\"got\":null", f);
		else
			fprintf(f, ",\"got\":\"%s\"", pt_type_name(ev->got));
	}
	if ((ev->kind == PT_EV_RESERVE || ev->kind == PT_EV_FREE) && ev->has_ret)
		fprintf(f, ",\"ret\":%d", ev->ret);
	if (ev->kind == PT_EV_FORK)
		fprintf(f, ",\"child\":%" PRId32, ev->child);
	if (ev->kind == PT_EV_DEVICE || ev->kind == PT_EV_UNBIND) {
		fputs(",\"device\":", f);
		write_json_string(f, ev->device ? ev->device : "", ev->device ? ev->device_len : 0,
				  PT_STR_NAME);
		fprintf(f, ",\"bar\":%d,\"driver\":", ev->bar);
		if (ev->name && ev->name_len)
			write_json_string(f, ev->name, ev->name_len, PT_STR_NAME);
		else
			fputs("null", f);
	}
	if (ev->kind == PT_EV_KMSG) {
		fputs(",\"text\":", f);
		write_json_string(f, ev->text ? ev->text : "", ev->text ? ev->text_len : 0,
				  PT_STR_TEXT);
	}
	if (ev->kind == PT_EV_UNLOAD || ev->kind == PT_EV_LOAD) {
		fputs(",\"module\":", f);
		write_json_string(f, ev->name ? ev->name : "", ev->name ? ev->name_len : 0,
				  PT_STR_NAME);
	}
	/* a module's code, when the recorder knew it (a virtual range) */
	if (ev->kind == PT_EV_LOAD && ev->start < ev->end)
		fprintf(f, ",\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\"", ev->start, ev->end);
	if (kind_has_process(ev->kind)) {
		fprintf(f, ",\"pid\":%" PRId32 ",\"comm\":", ev->pid);
		write_json_string(f, ev->comm ? ev->comm : "", ev->comm ? ev->comm_len : 0,
				  PT_STR_COMM);
	}
	if (ev->has_seq)
		fprintf(f, ",\"seq\":%" PRIu64, ev->seq);
	if (ev->ts_ns)
		fprintf(f, ",\"ts_ns\":%" PRIu64, ev->ts_ns);
	if (ev->stack && ev->stack_len)
		write_stack(f, ev->stack, ev->stack_len);
	fputs("}\n", f);
	return ferror(f) ? -EIO : 0;
}
