// SPDX-License-Identifier: GPL-2.0-or-later
#include "trace.h"

#include <inttypes.h>

#include "jscan.h"
#include "util.h"

struct pt_trace_reader {
	FILE *f;
	bool owns_f;
	char *name;
	char *line;
	size_t line_cap;
	struct pt_trace_parser parser;
	struct pt_trace_counts counts;
	const char *why;	/* the last malformed line's fault */
};

/* ---- one line ------------------------------------------------------------ */

void pt_trace_parser_done(struct pt_trace_parser *p)
{
	free(p->stack);
	*p = (struct pt_trace_parser){ 0 };
}

enum {
	HAVE_START = 1 << 0,
	HAVE_END = 1 << 1,
	HAVE_TYPE = 1 << 2,
	HAVE_REQ = 1 << 3,
	HAVE_PID = 1 << 4,
	HAVE_GOT = 1 << 5,
	HAVE_CHILD = 1 << 6,
	HAVE_REASON = 1 << 7,
	HAVE_DEVICE = 1 << 8,
	HAVE_BAR = 1 << 9,
	HAVE_NAME = 1 << 10,
};

/* ---- the trace format's words ------------------------------------------- */

static const char *const event_kind_names[_PT_EV_MAX] = {
	[PT_EV_ENTRY] = "entry", [PT_EV_RAM] = "ram", [PT_EV_RESERVE] = "reserve",
	[PT_EV_FREE] = "free", [PT_EV_EXIT] = "exit", [PT_EV_FORK] = "fork",
	[PT_EV_LOST] = "lost", [PT_EV_SYNC] = "sync", [PT_EV_SYNC_END] = "sync_end",
	[PT_EV_DEVICE] = "device", [PT_EV_UNBIND] = "unbind", [PT_EV_UNLOAD] = "unload",
	[PT_EV_LOAD] = "load", [PT_EV_KMSG] = "kmsg", [PT_EV_SETTLED] = "settled",
};

DEFINE_STRING_TABLE_LOOKUP(pt_event_kind_name, pt_event_kind_from_string, enum pt_event_kind,
			   event_kind_names)

static const char *const sync_reason_names[_PT_SYNC_MAX] = {
	[PT_SYNC_RECONCILE] = "reconcile", [PT_SYNC_LOSS] = "loss", [PT_SYNC_POLL] = "poll",
};

DEFINE_STRING_TABLE_LOOKUP(pt_sync_reason_name, pt_sync_reason_from_string, enum pt_sync_reason,
			   sync_reason_names)

static bool key_is(const char *key, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(key, want, len) == 0;
}

static int parse_hex(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0 || len > 16)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*ret = v;
	return 0;
}

static int parse_decimal(const char *s, size_t len, uint64_t *ret)
{
	uint64_t v = 0;

	if (len == 0)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

/* An address: a hex string "0x...", a decimal string, or a JSON number. */
static bool read_address(struct jscan *s, uint64_t *ret)
{
	const char *str;
	size_t len;
	struct jnumber n;

	switch (jscan_peek(s)) {
	case J_STRING:
		if (!jscan_string(s, &str, &len))
			return false;
		if (len > 2 && str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
			return parse_hex(str + 2, len - 2, ret) == 0;
		return parse_decimal(str, len, ret) == 0;
	case J_NUMBER:
		if (!jscan_number(s, &n))
			return false;
		if (!n.is_integer || n.negative || n.overflow)
			return false;
		*ret = n.magnitude;
		return true;
	default:
		return false;
	}
}

static bool read_int(struct jscan *s, int64_t min, int64_t max, int64_t *ret)
{
	struct jnumber n;
	int64_t v;

	if (jscan_peek(s) != J_NUMBER || !jscan_number(s, &n))
		return false;
	if (!n.is_integer || n.overflow || n.magnitude > (uint64_t)INT64_MAX)
		return false;
	v = n.negative ? -(int64_t)n.magnitude : (int64_t)n.magnitude;
	if (v < min || v > max)
		return false;
	*ret = v;
	return true;
}

static bool read_u64(struct jscan *s, uint64_t *ret)
{
	struct jnumber n;

	if (jscan_peek(s) != J_NUMBER || !jscan_number(s, &n))
		return false;
	if (!n.is_integer || n.overflow || n.negative)
		return false;
	*ret = n.magnitude;
	return true;
}

/* A type name, or null when @nullable. */
static bool read_type(struct jscan *s, bool nullable, int *ret)
{
	const char *str;
	size_t len;
	int t;

	if (nullable && jscan_peek(s) == J_NULL) {
		*ret = PT_TYPE_NONE;
		return jscan_literal(s);
	}
	if (!jscan_string(s, &str, &len))
		return false;
	t = pt_type_from_string(str, len);
	if (t < 0)
		return false;
	*ret = t;
	return true;
}

static int stack_reserve(struct pt_trace_parser *p, size_t need)
{
	return GROW_ARRAY(p->stack, p->stack_cap, need, 256);
}

/* "stack": an array of symbol strings or numeric addresses, joined by '\n'. */
static int read_stack(struct pt_trace_parser *p, struct jscan *s, struct pt_event *ev)
{
	size_t len = 0;

	if (!jscan_enter(s, '['))
		return -EBADMSG;
	while (jscan_next_item(s)) {
		char num[24];
		const char *frame;
		size_t flen;
		uint64_t addr;

		if (jscan_peek(s) == J_NUMBER) {
			if (!read_u64(s, &addr))
				return -EBADMSG;
			flen = (size_t)snprintf(num, sizeof(num), "0x%" PRIx64, addr);
			frame = num;
		} else if (!jscan_string(s, &frame, &flen)) {
			return -EBADMSG;
		}
		if (stack_reserve(p, len + flen + 2) < 0)
			return -ENOMEM;
		if (len)
			p->stack[len++] = '\n';
		memcpy(p->stack + len, frame, flen);
		len += flen;
	}
	if (s->error)
		return -EBADMSG;
	ev->stack = len ? p->stack : NULL;
	ev->stack_len = len;
	return 0;
}

#define BAD(msg)             \
	do {                 \
		*why = (msg); \
		return -EBADMSG; \
	} while (0)

int pt_trace_parse_line(struct pt_trace_parser *p, char *line, size_t len,
			struct pt_event *ev, const char **why)
{
	struct jscan s;
	const char *key, *event = NULL;
	size_t klen, event_len = 0;
	unsigned have = 0;
	bool header = false;
	int64_t v;
	int r;
	/* the fields only some kinds carry share their place in *ev: kept apart until the kind is known */
	struct {
		int32_t child;
		enum pt_sync_reason reason;
		uint64_t lost, since;
		const char *device, *name, *text;
		size_t device_len, name_len, text_len;
		int bar;
	} x = { 0 };

	*ev = (struct pt_event){ .type = PT_TYPE_NONE, .req = PT_TYPE_NONE, .got = PT_TYPE_NONE };
	*why = NULL;

	jscan_init(&s, line, len);
	if (jscan_at_end(&s))
		return PT_LINE_BLANK;
	if (jscan_peek(&s) != J_OBJECT)
		BAD("not a JSON object");
	jscan_enter(&s, '{');
	while (jscan_next_key(&s, &key, &klen)) {
		switch (key[0]) {
		case 'e':
			if (key_is(key, klen, "event")) {
				if (!jscan_string(&s, &event, &event_len))
					BAD("\"event\" must be a string");
				continue;
			}
			if (key_is(key, klen, "end")) {
				if (!read_address(&s, &ev->end))
					BAD("\"end\" must be an address (\"0x...\" or a number)");
				have |= HAVE_END;
				continue;
			}
			break;
		case 's':
			if (key_is(key, klen, "start")) {
				if (!read_address(&s, &ev->start))
					BAD("\"start\" must be an address (\"0x...\" or a number)");
				have |= HAVE_START;
				continue;
			}
			if (key_is(key, klen, "since")) {
				if (!read_u64(&s, &x.since))
					BAD("\"since\" must be a non-negative integer");
				continue;
			}
			if (key_is(key, klen, "seq")) {
				if (!read_u64(&s, &ev->seq))
					BAD("\"seq\" must be a non-negative integer");
				ev->has_seq = true;
				continue;
			}
			if (key_is(key, klen, "stack")) {
				if (jscan_peek(&s) == J_NULL) {
					jscan_literal(&s);
					continue;
				}
				r = read_stack(p, &s, ev);
				if (r == -ENOMEM)
					return r;
				if (r < 0)
					BAD("\"stack\" must be an array of symbols or addresses");
				continue;
			}
			break;
		case 't':
			if (key_is(key, klen, "type")) {
				if (!read_type(&s, false, &ev->type))
					BAD("\"type\" must be a memory type name");
				have |= HAVE_TYPE;
				continue;
			}
			if (key_is(key, klen, "text")) {
				if (!jscan_string(&s, &x.text, &x.text_len))
					BAD("\"text\" must be a string");
				continue;
			}
			if (key_is(key, klen, "ts_ns")) {
				if (!read_u64(&s, &ev->ts_ns))
					BAD("\"ts_ns\" must be a non-negative integer");
				continue;
			}
			break;
		case 'r':
			if (key_is(key, klen, "req")) {
				if (!read_type(&s, false, &ev->req))
					BAD("\"req\" must be a memory type name");
				have |= HAVE_REQ;
				continue;
			}
			if (key_is(key, klen, "ret")) {
				if (!read_int(&s, -4095, 0, &v))
					BAD("\"ret\" must be 0 or a negative errno");
				ev->ret = (int)v;
				ev->has_ret = true;
				continue;
			}
			if (key_is(key, klen, "reason")) {
				const char *rs;
				size_t rlen;

				if (!jscan_string(&s, &rs, &rlen) ||
				    (r = pt_sync_reason_from_string(rs, rlen)) < 0)
					BAD("\"reason\" must be reconcile, loss or poll");
				x.reason = (enum pt_sync_reason)r;
				have |= HAVE_REASON;
				continue;
			}
			break;
		case 'd':
			if (key_is(key, klen, "device")) {
				if (!jscan_string(&s, &x.device, &x.device_len))
					BAD("\"device\" must be a string");
				have |= HAVE_DEVICE;
				continue;
			}
			if (key_is(key, klen, "driver")) {
				if (jscan_peek(&s) == J_NULL) {
					jscan_literal(&s);
					continue;
				}
				if (!jscan_string(&s, &x.name, &x.name_len))
					BAD("\"driver\" must be a string or null");
				have |= HAVE_NAME;
				continue;
			}
			break;
		case 'm':
			if (key_is(key, klen, "module")) {
				if (!jscan_string(&s, &x.name, &x.name_len))
					BAD("\"module\" must be a string");
				have |= HAVE_NAME;
				continue;
			}
			break;
		case 'b':
			if (key_is(key, klen, "bar")) {
				if (!read_int(&s, 0, 63, &v))
					BAD("\"bar\" must be a BAR's index, 0 to 63");
				x.bar = (int)v;
				have |= HAVE_BAR;
				continue;
			}
			break;
		case 'l':
			if (key_is(key, klen, "lost")) {
				if (!read_u64(&s, &x.lost))
					BAD("\"lost\" must be a non-negative integer");
				continue;
			}
			break;
		case 'g':
			if (key_is(key, klen, "got")) {
				if (!read_type(&s, true, &ev->got))
					BAD("\"got\" must be a memory type name or null");
				have |= HAVE_GOT;
				continue;
			}
			break;
		case 'p':
			if (key_is(key, klen, "pid")) {
				if (!read_int(&s, 0, INT32_MAX, &v))
					BAD("\"pid\" must be a non-negative integer");
				ev->pid = (int32_t)v;
				have |= HAVE_PID;
				continue;
			}
			if (key_is(key, klen, "pattrack_trace")) {
				if (!read_int(&s, 0, INT32_MAX, &v))
					BAD("\"pattrack_trace\" must be a version number");
				if (v != PT_TRACE_VERSION)
					BAD("unsupported trace version (this reads version 1)");
				header = true;
				continue;
			}
			break;
		case 'c':
			if (key_is(key, klen, "child")) {
				if (!read_int(&s, 1, INT32_MAX, &v))
					BAD("\"child\" must be a positive integer");
				x.child = (int32_t)v;
				have |= HAVE_CHILD;
				continue;
			}
			if (key_is(key, klen, "comm")) {
				if (jscan_peek(&s) == J_NULL) {
					jscan_literal(&s);
					continue;
				}
				if (!jscan_string(&s, &ev->comm, &ev->comm_len))
					BAD("\"comm\" must be a string");
				continue;
			}
			break;
		}
		if (!jscan_skip(&s))
			break;
	}
	if (s.error)
		BAD(s.error);
	if (!jscan_at_end(&s))
		BAD("text after the JSON object");

	if (!event) {
		if (header)
			return PT_LINE_HEADER;
		BAD("no \"event\" field");
	}
	r = pt_event_kind_from_string(event, event_len);
	if (r < 0)
		return PT_LINE_UNKNOWN;
	ev->kind = (enum pt_event_kind)r;

	switch (ev->kind) {
	case PT_EV_ENTRY:
		if ((have & (HAVE_START | HAVE_END | HAVE_TYPE)) != (HAVE_START | HAVE_END | HAVE_TYPE))
			BAD("\"entry\" needs start, end and type");
		break;
	case PT_EV_RAM:
	case PT_EV_FREE:
		if ((have & (HAVE_START | HAVE_END)) != (HAVE_START | HAVE_END))
			BAD("this event needs start and end");
		break;
	case PT_EV_RESERVE:
		if ((have & (HAVE_START | HAVE_END | HAVE_REQ)) != (HAVE_START | HAVE_END | HAVE_REQ))
			BAD("\"reserve\" needs start, end and req");
		/* "got": null or absent is a strict request (new_type == NULL) */
		ev->strict = ev->got == PT_TYPE_NONE;
		break;
	case PT_EV_EXIT:
		if (!(have & HAVE_PID) || ev->pid == 0)
			BAD("\"exit\" needs a pid");
		break;
	case PT_EV_FORK:
		if (!(have & HAVE_PID) || ev->pid == 0 || !(have & HAVE_CHILD))
			BAD("\"fork\" needs a pid and a child");
		ev->child = x.child;
		break;
	case PT_EV_SYNC:
		if (!(have & HAVE_REASON))
			BAD("\"sync\" needs a reason");
		ev->reason = x.reason;
		ev->lost = x.lost;
		ev->since = x.since;
		break;
	case PT_EV_LOST:
		ev->lost = x.lost;
		ev->since = x.since;
		break;
	case PT_EV_DEVICE:
	case PT_EV_UNBIND:
		if ((have & (HAVE_START | HAVE_END | HAVE_DEVICE | HAVE_BAR)) !=
		    (HAVE_START | HAVE_END | HAVE_DEVICE | HAVE_BAR) || !x.device_len)
			BAD("this event needs device, bar, start and end");
		if (ev->kind == PT_EV_UNBIND && (!(have & HAVE_NAME) || !x.name_len))
			BAD("\"unbind\" needs the driver");
		if (x.device_len > UINT32_MAX || x.name_len > UINT32_MAX)
			BAD("a name longer than 4 GiB");
		ev->device = x.device;
		ev->device_len = (uint32_t)x.device_len;
		ev->name = x.name;
		ev->name_len = (uint32_t)x.name_len;
		ev->bar = x.bar;
		break;
	case PT_EV_KMSG:
		if (!x.text)
			BAD("\"kmsg\" needs the text");
		ev->text = x.text;
		ev->text_len = x.text_len;
		break;
	case PT_EV_LOAD:
	case PT_EV_UNLOAD:
		if (!(have & HAVE_NAME) || !x.name_len || x.name_len > UINT32_MAX)
			BAD("this event needs the module");
		ev->name = x.name;
		ev->name_len = (uint32_t)x.name_len;
		break;
	default:
		break;
	}
	if ((ev->kind == PT_EV_ENTRY || ev->kind == PT_EV_RAM || ev->kind == PT_EV_DEVICE ||
	     ev->kind == PT_EV_UNBIND) && ev->start >= ev->end)
		BAD("start must be below end");
	/* a physical range: 52 bits (it may end at 2^52); other kinds have none */
	if (pt_event_has_range(ev->kind) && (ev->start > PT_PHYS_LIMIT || ev->end > PT_PHYS_LIMIT))
		BAD("a physical address has at most 52 bits");
	return PT_LINE_EVENT;
}

/* ---- a file -------------------------------------------------------------- */

int pt_trace_reader_new(FILE *f, const char *name, struct pt_trace_reader **ret)
{
	struct pt_trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->name = strdup(name);
	if (!r->name) {
		free(r);
		return -ENOMEM;
	}
	r->f = f;
	*ret = r;
	return 0;
}

int pt_trace_reader_open(const char *path, struct pt_trace_reader **ret)
{
	FILE *f;
	int r;

	if (strcmp(path, "-") == 0)
		return pt_trace_reader_new(stdin, "<stdin>", ret);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	r = pt_trace_reader_new(f, path, ret);
	if (r < 0) {
		fclose(f);
		return r;
	}
	(*ret)->owns_f = true;
	return 0;
}

void pt_trace_reader_free(struct pt_trace_reader *r)
{
	if (r->owns_f)
		fclose(r->f);
	pt_trace_parser_done(&r->parser);
	free(r->line);
	free(r->name);
	free(r);
}

/*
 * getline() with a bound: the next line into r->line, its length (0 at the
 * end), -E2BIG for a line longer than PT_TRACE_LINE_MAX (passed over
 * whole), -EILSEQ for one with a NUL byte, or -EIO.  fgets() stops at the newline, so a pipe that is still
 * being written is read a line at a time.
 */
static ssize_t read_line(struct pt_trace_reader *r)
{
	const size_t most = PT_TRACE_LINE_MAX + 2;	/* the line, its newline, a NUL */
	size_t n = 0;

	for (;;) {
		size_t room, got;

		if (n + 1 >= r->line_cap) {
			size_t cap = r->line_cap ? r->line_cap * 2 : 4096;
			char *p;

			if (r->line_cap == most) {
				/* too long: read on to its end, keeping nothing */
				while (fgets(r->line, (int)r->line_cap, r->f) &&
				       !strchr(r->line, '\n'))
					;
				return ferror(r->f) ? -EIO : -E2BIG;
			}
			p = realloc(r->line, cap < most ? cap : most);
			if (!p)
				return -ENOMEM;
			r->line = p;
			r->line_cap = cap < most ? cap : most;
		}
		room = r->line_cap - n;
		if (!fgets(r->line + n, (int)room, r->f))
			break;
		got = strlen(r->line + n);
		n += got;
		if (r->line[n - 1] == '\n' || feof(r->f))
			break;
		/* fgets() stops short only at a newline or the end: short, it held a NUL */
		if (got + 1 < room)
			return -EILSEQ;
	}
	if (ferror(r->f))
		return -EIO;
	return n > PT_TRACE_LINE_MAX ? -E2BIG : (ssize_t)n;
}

int pt_trace_read(struct pt_trace_reader *r, struct pt_event *ev)
{
	for (;;) {
		const char *why;
		ssize_t n;
		int k;

		n = read_line(r);
		if (n == 0)
			return 0;
		if (n == -E2BIG) {
			r->counts.lines++;
			r->counts.malformed++;
			r->why = "the line is longer than " PT_STRINGIFY(PT_TRACE_LINE_MAX) " bytes";
			return -EBADMSG;
		}
		if (n == -EILSEQ) {
			r->counts.lines++;
			r->counts.malformed++;
			r->why = "a NUL byte in the line";
			return -EBADMSG;
		}
		if (n < 0)
			return (int)n;
		r->counts.lines++;
		k = pt_trace_parse_line(&r->parser, r->line, (size_t)n, ev, &why);
		switch (k) {
		case PT_LINE_EVENT:
			r->counts.events++;
			return 1;
		case PT_LINE_HEADER:
			r->counts.headers++;
			continue;
		case PT_LINE_UNKNOWN:
			r->counts.unknown_events++;
			continue;
		case PT_LINE_BLANK:
			continue;
		case -EBADMSG:
			r->counts.malformed++;
			r->why = why;
			return -EBADMSG;
		default:
			return k;
		}
	}
}

const struct pt_trace_counts *pt_trace_counts(const struct pt_trace_reader *r)
{
	return &r->counts;
}

const char *pt_trace_name(const struct pt_trace_reader *r)
{
	return r->name;
}

const char *pt_trace_error(const struct pt_trace_reader *r)
{
	return r->why ? r->why : "";
}

unsigned long pt_trace_line(const struct pt_trace_reader *r)
{
	return (unsigned long)r->counts.lines;
}
