// SPDX-License-Identifier: GPL-2.0-or-later
/* The trace v1 reader: every field form, malformed and truncated lines, round trips. */
#include "check-main.h"
#include <stdlib.h>

#include "core/trace.h"
#include "core/util.h"

static struct pt_trace_parser parser;

static int parse(const char *text, struct pt_event *ev, char *buf, size_t size)
{
	const char *why;

	snprintf(buf, size, "%s", text);
	return pt_trace_parse_line(&parser, buf, strlen(buf), ev, &why);
}

START_TEST(test_reserve_line)
{
	char buf[512];
	struct pt_event ev;

	ck_assert_int_eq(parse("{\"event\":\"reserve\",\"start\":\"0xfe000000\",\"end\":\"0xfe004000\","
			       "\"req\":\"write-combining\",\"got\":\"WC\",\"ret\":0,\"pid\":89,"
			       "\"comm\":\"scen\",\"seq\":7,\"ts_ns\":123,\"stack\":[\"memtype_reserve\","
			       "18446744071578999488],\"future_field\":{\"a\":[1,2,{\"b\":null}]}}\n",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert_int_eq(ev.kind, PT_EV_RESERVE);
	ck_assert_uint_eq(ev.start, 0xfe000000);
	ck_assert_uint_eq(ev.end, 0xfe004000);
	ck_assert_int_eq(ev.req, PATTRACK_TYPE_WC);
	ck_assert_int_eq(ev.got, PATTRACK_TYPE_WC);
	ck_assert(!ev.strict);
	ck_assert(ev.has_ret);
	ck_assert_int_eq(ev.ret, 0);
	ck_assert_int_eq(ev.pid, 89);
	ck_assert_uint_eq(ev.comm_len, 4);
	ck_assert(memcmp(ev.comm, "scen", 4) == 0);
	ck_assert(ev.has_seq);
	ck_assert_uint_eq(ev.seq, 7);
	ck_assert_uint_eq(ev.ts_ns, 123);
	ck_assert_uint_eq(ev.stack_len, strlen("memtype_reserve\n0xffffffff81025ac0"));
	ck_assert(memcmp(ev.stack, "memtype_reserve\n0xffffffff81025ac0", ev.stack_len) == 0);
}
END_TEST

START_TEST(test_field_forms)
{
	char buf[512];
	struct pt_event ev;

	/* numbers for addresses, null got = strict, no ret = predict */
	ck_assert_int_eq(parse("{\"end\":8192,\"start\":4096,\"event\":\"reserve\",\"req\":\"UC-\",\"got\":null}",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert_uint_eq(ev.start, 4096);
	ck_assert(ev.strict);
	ck_assert(!ev.has_ret);
	ck_assert_int_eq(ev.req, PATTRACK_TYPE_UC_MINUS);
	/* absent got is strict too */
	ck_assert_int_eq(parse("{\"event\":\"reserve\",\"start\":\"0x1000\",\"end\":\"0x2000\",\"req\":\"uc\",\"ret\":-16}",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert(ev.strict);
	ck_assert_int_eq(ev.ret, -16);
	ck_assert_int_eq(ev.req, PATTRACK_TYPE_UC);
	/* escapes in comm, white space everywhere */
	ck_assert_int_eq(parse(" { \"event\" : \"exit\" , \"pid\" : 5 , \"comm\" : \"NDK \\\"x\\\" \\u00e9\\ud83d\\ude00\" } ",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert_int_eq(ev.kind, PT_EV_EXIT);
	ck_assert_uint_eq(ev.comm_len, strlen("NDK \"x\" \xc3\xa9\xf0\x9f\x98\x80"));
	ck_assert(memcmp(ev.comm, "NDK \"x\" \xc3\xa9\xf0\x9f\x98\x80", ev.comm_len) == 0);
	ck_assert_int_eq(parse("{\"event\":\"entry\",\"start\":\"0xA0000000\",\"end\":\"2684358656\",\"type\":\"write-through\"}",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert_uint_eq(ev.end, 0xa0001000);
	ck_assert_int_eq(ev.type, PATTRACK_TYPE_WT);
	/* physical addresses have 52 bits: a range may end at 2^52, not beyond */
	ck_assert_int_eq(parse("{\"event\":\"entry\",\"start\":\"0xffffffffff000\",\"end\":\"0x10000000000000\",\"type\":\"uc\"}",
			       &ev, buf, sizeof(buf)), PT_LINE_EVENT);
	ck_assert_int_eq(parse("{\"event\":\"entry\",\"start\":\"0x10000000000000\",\"end\":\"0x10000000001000\",\"type\":\"uc\"}",
			       &ev, buf, sizeof(buf)), -EBADMSG);
}
END_TEST

START_TEST(test_header_unknown_blank)
{
	char buf[512];
	struct pt_event ev;

	ck_assert_int_eq(parse("{\"pattrack_trace\":1,\"host\":\"x\",\"kernel\":\"6.1.0\"}", &ev, buf, sizeof(buf)),
			 PT_LINE_HEADER);
	ck_assert_int_eq(parse("{\"event\":\"migrate\",\"x\":[]}", &ev, buf, sizeof(buf)), PT_LINE_UNKNOWN);
	ck_assert_int_eq(parse("   \n", &ev, buf, sizeof(buf)), PT_LINE_BLANK);
	ck_assert_int_eq(parse("{\"pattrack_trace\":2}", &ev, buf, sizeof(buf)), -EBADMSG);
	ck_assert_int_eq(parse("{\"event\":\"fork\",\"pid\":10,\"child\":11,\"comm\":\"make\"}", &ev, buf,
			       sizeof(buf)), PT_LINE_EVENT);
	ck_assert_int_eq(ev.kind, PT_EV_FORK);
	ck_assert_int_eq(ev.child, 11);
	ck_assert_int_eq(parse("{\"event\":\"fork\",\"pid\":10}", &ev, buf, sizeof(buf)), -EBADMSG);
}
END_TEST

START_TEST(test_malformed)
{
	static const char *const bad[] = {
		"{\"event\":\"reserve\",\"start\":\"0xfe000000\",\"end\":\"0xfe0",	/* truncated */
		"{\"event\":\"reserve\",\"start\":\"0xfe000000\"",
		"{\"event\":\"free\",\"start\":\"0x1000\",\"end\":\"0x2000\",}",
		"{\"event\":\"free\",\"start\":\"0x1000\" \"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":\"0x1000\",\"end\":\"0x2000\"} trailing",
		"[\"event\",\"free\"]",
		"{\"event\":\"free\",\"start\":\"0xzz\",\"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":-1,\"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":1.5,\"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":\"0x10000000000000000\",\"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":18446744073709551616,\"end\":\"0x2000\"}",
		"{\"event\":\"free\",\"start\":\"0x1000\"}",
		"{\"event\":\"reserve\",\"start\":\"0x1000\",\"end\":\"0x2000\",\"req\":\"write-combined\"}",
		"{\"event\":\"reserve\",\"start\":\"0x1000\",\"end\":\"0x2000\",\"req\":\"WC\",\"ret\":5}",
		"{\"event\":\"reserve\",\"start\":\"0x1000\",\"end\":\"0x2000\"}",
		"{\"event\":\"entry\",\"start\":\"0x2000\",\"end\":\"0x1000\",\"type\":\"WB\"}",
		"{\"event\":\"exit\"}",
		"{\"event\":\"exit\",\"pid\":-3}",
		"{\"event\":\"exit\",\"pid\":1,\"comm\":\"bad\\q\"}",
		"{\"event\":\"exit\",\"pid\":1,\"comm\":\"\\ud800\"}",
		"{\"event\":\"exit\",\"pid\":1,\"comm\":\"unterminated}",
		"{\"event\":\"exit\",\"pid\":01}",
		"{\"event\":17}",
		"{\"start\":\"0x1000\"}",
		"{\"event\":\"free\",\"start\":\"0x1000\",\"end\":\"0x2000\",\"stack\":[\"a\",{}]}",
		"{\"event\":\"exit\",\"pid\":1,\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		"nul",
		"{",
		"\"just a string\"",
	};
	char buf[1024];
	struct pt_event ev;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		ck_assert_msg(parse(bad[i], &ev, buf, sizeof(buf)) == -EBADMSG, "accepted: %s", bad[i]);
}
END_TEST

START_TEST(test_reader_counts_and_errors)
{
	static const char text[] =
		"{\"pattrack_trace\":1}\n"
		"{\"event\":\"ram\",\"start\":\"0x100000\",\"end\":\"0x200000\"}\n"
		"{\"event\":\"teleport\"}\n"
		"this is not json\n"
		"\n"
		"{\"event\":\"exit\",\"pid\":3}";	/* no final newline */
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *r = NULL;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct pt_event ev;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pt_trace_reader_new(f, "mem", &r), 0);
	ck_assert_int_eq(pt_trace_read(r, &ev), 1);
	ck_assert_int_eq(ev.kind, PT_EV_RAM);
	ck_assert_int_eq(pt_trace_read(r, &ev), -EBADMSG);
	ck_assert_uint_eq(pt_trace_line(r), 4);
	ck_assert_int_eq(pt_trace_read(r, &ev), 1);
	ck_assert_int_eq(ev.kind, PT_EV_EXIT);
	ck_assert_int_eq(pt_trace_read(r, &ev), 0);
	ck_assert_uint_eq(pt_trace_counts(r)->headers, 1);
	ck_assert_uint_eq(pt_trace_counts(r)->unknown_events, 1);
	ck_assert_uint_eq(pt_trace_counts(r)->malformed, 1);
	ck_assert_uint_eq(pt_trace_counts(r)->events, 2);
	fclose(f);
}
END_TEST

START_TEST(test_write_read_round_trip)
{
	struct pt_event in = {
		.kind = PT_EV_RESERVE, .start = 0xfe000000, .end = 0xfe001000,
		.req = PATTRACK_TYPE_UC_MINUS, .got = PATTRACK_TYPE_WC, .has_ret = true, .ret = 0,
		.pid = 42, .comm = "a \"q\"\\\n", .comm_len = 7, .has_seq = true, .seq = 9,
		.ts_ns = 77, .stack = "memtype_reserve\nremap_pfn_range", .stack_len = 31,
	};
	char *text = NULL, line[1024];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct pt_event out;
	const char *why;

	ck_assert_int_eq(pt_trace_write_event(f, &in), 0);
	fclose(f);
	snprintf(line, sizeof(line), "%s", text);
	ck_assert_int_eq(pt_trace_parse_line(&parser, line, strlen(line), &out, &why), PT_LINE_EVENT);
	ck_assert_uint_eq(out.start, in.start);
	ck_assert_uint_eq(out.end, in.end);
	ck_assert_int_eq(out.req, in.req);
	ck_assert_int_eq(out.got, in.got);
	ck_assert_int_eq(out.pid, 42);
	/* the newline comes back as the string rule wrote it (safe.h) */
	ck_assert_uint_eq(out.comm_len, 10);
	ck_assert(memcmp(out.comm, "a \"q\"\\\\x0a", 10) == 0);
	ck_assert_uint_eq(out.stack_len, in.stack_len);
	ck_assert(memcmp(out.stack, in.stack, in.stack_len) == 0);
	ck_assert_uint_eq(out.seq, 9);
	free(text);
}
END_TEST

/* A line of 2 MiB and a line with a NUL byte: each one malformed line, nothing else lost. */
START_TEST(test_reader_bounds_lines)
{
	static const char ok[] = "{\"event\":\"exit\",\"pid\":1}\n";
	size_t big = 2 << 20, n = 0;
	char *buf = malloc(big + 256);
	struct pt_trace_reader *r;
	struct pt_event ev;
	FILE *f;

	ck_assert_ptr_nonnull(buf);
	n += (size_t)sprintf(buf + n, "%s", ok);
	n += (size_t)sprintf(buf + n, "{\"event\":\"exit\",\"comm\":\"");
	memset(buf + n, 'a', big);
	n += big;
	n += (size_t)sprintf(buf + n, "\",\"pid\":2}\n");
	memcpy(buf + n, "{\"event\":\"exit\",\"pid\":3,\"comm\":\"a\0b\"}\n", 38);
	n += 38;
	n += (size_t)sprintf(buf + n, "%s", ok);
	f = fmemopen(buf, n, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pt_trace_reader_new(f, "mem", &r), 0);
	ck_assert_int_eq(pt_trace_read(r, &ev), 1);
	ck_assert_int_eq(pt_trace_read(r, &ev), -EBADMSG);
	ck_assert_str_eq(pt_trace_error(r), "the line is longer than 1048576 bytes");
	ck_assert_int_eq(pt_trace_read(r, &ev), -EBADMSG);
	ck_assert_str_eq(pt_trace_error(r), "a NUL byte in the line");
	ck_assert_int_eq(pt_trace_read(r, &ev), 1);
	ck_assert_int_eq(ev.pid, 1);
	ck_assert_int_eq(pt_trace_read(r, &ev), 0);
	ck_assert_uint_eq(pt_trace_line(r), 4);
	pt_trace_reader_free(r);
	fclose(f);
	free(buf);
}
END_TEST

START_TEST(test_write_hostile_strings)
{
	struct pt_event in = {
		.kind = PT_EV_FREE, .start = 0xfe000000, .end = 0xfe001000,
		.pid = 7, .comm = "\xff\xfe\0x\n{\"event\"", .comm_len = 13,
		.stack = "ok+0x1/0x2\nbad\x1b[2J+0x3/0x4", .stack_len = 26,
	};
	char *text = NULL, line[1024];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct pt_event out;
	const char *why;

	ck_assert_int_eq(pt_trace_write_event(f, &in), 0);
	fclose(f);
	/* one line, of printable ASCII, that reads back as the escaped names */
	ck_assert_ptr_eq(strchr(text, '\n'), text + len - 1);
	for (size_t i = 0; i + 1 < len; i++)
		ck_assert_msg(text[i] >= 0x20 && text[i] < 0x7f, "byte %zu of %s", i, text);
	snprintf(line, sizeof(line), "%s", text);
	ck_assert_int_eq(pt_trace_parse_line(&parser, line, strlen(line), &out, &why), PT_LINE_EVENT);
	ck_assert(out.comm_len == strlen("\\xff\\xfe\\x00x\\x0a{\"event\"") &&
		  !memcmp(out.comm, "\\xff\\xfe\\x00x\\x0a{\"event\"", out.comm_len));
	ck_assert(out.stack_len == strlen("ok+0x1/0x2\nbad\\x1b[2J+0x3/0x4") &&
		  !memcmp(out.stack, "ok+0x1/0x2\nbad\\x1b[2J+0x3/0x4", out.stack_len));
	free(text);
}
END_TEST

static void write_to(const struct pt_event *ev, char *buf, size_t size)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_int_eq(pt_trace_write_event(f, ev), 0);
	fclose(f);
	snprintf(buf, size, "%s", text);
	free(text);
}

/* The owner records: written, read back, and refused without what they need. */
START_TEST(test_owner_records)
{
	static const struct {
		const char *line;
		enum pt_event_kind kind;
	} good[] = {
		{ "{\"event\":\"device\",\"device\":\"0000:00:03.0\",\"bar\":0,\"start\":\"0xfebc0000\","
		  "\"end\":\"0xfebe0000\",\"driver\":null}", PT_EV_DEVICE },
		{ "{\"event\":\"unbind\",\"device\":\"0000:00:03.0\",\"bar\":0,\"start\":\"0xfebc0000\","
		  "\"end\":\"0xfebe0000\",\"driver\":\"e1000\",\"pid\":5,\"comm\":\"sh\",\"seq\":3}",
		  PT_EV_UNBIND },
		{ "{\"event\":\"unload\",\"module\":\"leaky\",\"pid\":6,\"comm\":\"rmmod\"}", PT_EV_UNLOAD },
		{ "{\"event\":\"load\",\"module\":\"leaky\",\"start\":\"0xffffffffc0200000\","
		  "\"end\":\"0xffffffffc0201000\",\"pid\":6,\"comm\":\"insmod\"}", PT_EV_LOAD },
		{ "{\"event\":\"kmsg\",\"text\":\"4,512,9000,-;x86/PAT: a.out:77 freeing invalid "
		  "memtype [mem 0xfe000000-0xfe000fff]\"}", PT_EV_KMSG },
	};
	static const char *const bad[] = {
		"{\"event\":\"unbind\",\"device\":\"0000:00:03.0\",\"bar\":0,\"start\":\"0x1000\",\"end\":\"0x2000\"}",
		"{\"event\":\"unbind\",\"bar\":0,\"start\":\"0x1000\",\"end\":\"0x2000\",\"driver\":\"x\"}",
		"{\"event\":\"device\",\"device\":\"d\",\"bar\":64,\"start\":\"0x1000\",\"end\":\"0x2000\"}",
		"{\"event\":\"device\",\"device\":\"d\",\"bar\":0,\"start\":\"0x2000\",\"end\":\"0x1000\"}",
		"{\"event\":\"unload\"}",
		"{\"event\":\"kmsg\"}",
	};
	char line[512], again[512];
	const char *why;

	for (size_t i = 0; i < ELEMENTSOF(good); i++) {
		char first[512];
		struct pt_event ev;

		snprintf(line, sizeof(line), "%s", good[i].line);
		ck_assert_int_eq(pt_trace_parse_line(&parser, line, strlen(line), &ev, &why),
				 PT_LINE_EVENT);
		ck_assert_int_eq(ev.kind, good[i].kind);
		write_to(&ev, first, sizeof(first));
		/* what is written reads back as the same event: it writes the same again */
		snprintf(line, sizeof(line), "%s", first);
		ck_assert_int_eq(pt_trace_parse_line(&parser, line, strlen(line), &ev, &why),
				 PT_LINE_EVENT);
		write_to(&ev, again, sizeof(again));
		ck_assert_str_eq(again, first);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct pt_event ev;

		snprintf(line, sizeof(line), "%s", bad[i]);
		ck_assert_msg(pt_trace_parse_line(&parser, line, strlen(line), &ev, &why) == -EBADMSG,
			      "accepted: %s", bad[i]);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_sync_records)
{
	struct pt_event in[] = {
		{ .kind = PT_EV_SYNC, .reason = PT_SYNC_LOSS, .lost = 17, .since = 40 },
		{ .kind = PT_EV_ENTRY, .start = 0xfe000000, .end = 0xfe001000,
		  .type = PATTRACK_TYPE_WC },
		{ .kind = PT_EV_SYNC_END },
		{ .kind = PT_EV_LOST, .lost = 5, .since = 99 },
		{ .kind = PT_EV_SYNC, .reason = PT_SYNC_POLL },
		{ .kind = PT_EV_SETTLED },
	};
	char *text = NULL, buf[512];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct pt_event out;
	char *line, *save = NULL;
	size_t i = 0;

	for (size_t k = 0; k < ELEMENTSOF(in); k++)
		ck_assert_int_eq(pt_trace_write_event(f, &in[k]), 0);
	fclose(f);
	ck_assert_str_eq(text, "{\"event\":\"sync\",\"reason\":\"loss\",\"lost\":17,\"since\":40}\n"
			       "{\"event\":\"entry\",\"start\":\"0xfe000000\",\"end\":\"0xfe001000\","
			       "\"type\":\"write-combining\"}\n"
			       "{\"event\":\"sync_end\"}\n"
			       "{\"event\":\"lost\",\"lost\":5,\"since\":99}\n"
			       "{\"event\":\"sync\",\"reason\":\"poll\",\"lost\":0}\n"
			       "{\"event\":\"settled\"}\n");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		ck_assert_int_eq(parse(line, &out, buf, sizeof(buf)), PT_LINE_EVENT);
		ck_assert_int_eq(out.kind, in[i].kind);
		ck_assert_int_eq(out.reason, in[i].reason);
		ck_assert_uint_eq(out.lost, in[i].lost);
		ck_assert_uint_eq(out.since, in[i].since);
	}
	ck_assert_uint_eq(i, ELEMENTSOF(in));
	ck_assert_int_eq(parse("{\"event\":\"sync\"}", &out, buf, sizeof(buf)), -EBADMSG);
	ck_assert_int_eq(parse("{\"event\":\"lost\",\"since\":-1}", &out, buf, sizeof(buf)),
			 -EBADMSG);
	ck_assert_int_eq(parse("{\"event\":\"sync\",\"reason\":\"whim\"}", &out, buf, sizeof(buf)),
			 -EBADMSG);
	free(text);
}
END_TEST

CHECK_MAIN("trace",
	   TEST_ONCE(test_reserve_line), TEST_ONCE(test_field_forms),
	   TEST_ONCE(test_header_unknown_blank), TEST_ONCE(test_malformed),
	   TEST_ONCE(test_reader_counts_and_errors), TEST_ONCE(test_write_read_round_trip),
	   TEST_ONCE(test_write_hostile_strings),
	   TEST_ONCE(test_reader_bounds_lines),
	   TEST_ONCE(test_sync_records), TEST_ONCE(test_owner_records))
