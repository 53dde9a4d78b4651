// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The state file (state.h).  One table of fields per record kind drives
 * both the writer and the reader, so the two cannot disagree on a name.
 * Strings are written once each, as the model interns them: a "string"
 * record before the first record that names its id.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stddef.h>
#include <string.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include "core/owner.h"
#include "core/util.h"
#include "host/proc.h"
#include "manager.h"
#include "state.h"

#define STATE_VERSION 1
#define STATE_LINE_MAX (1024 * 1024)	/* far above any record: names and stacks are bounded */

static void json_putp(struct json_object **o)
{
	json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* ---- the records' fields -------------------------------------------------- */

enum field_kind {
	F_INT,
	F_UINT,
	F_BOOL,
	F_STR,	/* a strtab id: the file's "string" record of that id */
};

struct field {
	const char *name;
	uint16_t offset;
	uint8_t size;
	uint8_t kind;		/* enum field_kind */
	uint8_t str;		/* F_STR: enum pt_str_kind, the rule it is read back with */
};

#define MEMBER(type, m) (((type *)0)->m)
#define NUM(type, m)                                                                        \
	{ #m, offsetof(type, m), sizeof(MEMBER(type, m)),                                   \
	  _Generic(MEMBER(type, m), bool: F_BOOL, int8_t: F_INT, int16_t: F_INT,            \
		   int32_t: F_INT, int64_t: F_INT, default: F_UINT), 0 }
#define STR(type, m, rule) { #m, offsetof(type, m), sizeof(uint32_t), F_STR, rule }

static const struct field anomaly_fields[] = {
	NUM(struct pt_anomaly, kind), NUM(struct pt_anomaly, severity),
	NUM(struct pt_anomaly, event), NUM(struct pt_anomaly, start),
	NUM(struct pt_anomaly, end), NUM(struct pt_anomaly, type),
	NUM(struct pt_anomaly, req), NUM(struct pt_anomaly, got),
	NUM(struct pt_anomaly, pred_got), NUM(struct pt_anomaly, ret),
	NUM(struct pt_anomaly, pred_ret), NUM(struct pt_anomaly, pid),
	STR(struct pt_anomaly, comm, PT_STR_COMM), STR(struct pt_anomaly, stack, PT_STR_STACK),
	STR(struct pt_anomaly, note, PT_STR_TEXT), NUM(struct pt_anomaly, excused),
	NUM(struct pt_anomaly, seq), NUM(struct pt_anomaly, ts_ns),
	NUM(struct pt_anomaly, n_overlap), NUM(struct pt_anomaly, overlap_more),
	NUM(struct pt_anomaly, shrunk), NUM(struct pt_anomaly, kernel_only),
	NUM(struct pt_anomaly, resynced), NUM(struct pt_anomaly, added),
	NUM(struct pt_anomaly, removed), NUM(struct pt_anomaly, lost),
	NUM(struct pt_anomaly, owner), NUM(struct pt_anomaly, repeats),
};

static const struct field party_fields[] = {
	NUM(struct pt_party, start), NUM(struct pt_party, end), NUM(struct pt_party, seq),
	NUM(struct pt_party, pid), STR(struct pt_party, comm, PT_STR_COMM),
	NUM(struct pt_party, type),
};

static const struct field driver_leak_fields[] = {
	STR(struct pt_driver_leak, module, PT_STR_NAME),
	STR(struct pt_driver_leak, driver, PT_STR_NAME),
	STR(struct pt_driver_leak, device, PT_STR_NAME), NUM(struct pt_driver_leak, bar),
	NUM(struct pt_driver_leak, unloaded), NUM(struct pt_driver_leak, pid),
	STR(struct pt_driver_leak, comm, PT_STR_COMM), NUM(struct pt_driver_leak, seq),
};

static const struct field entry_fields[] = {
	NUM(struct pt_entry_info, start), NUM(struct pt_entry_info, end),
	NUM(struct pt_entry_info, type), NUM(struct pt_entry_info, pid),
	STR(struct pt_entry_info, comm_id, PT_STR_COMM),
	STR(struct pt_entry_info, stack_id, PT_STR_STACK),
	NUM(struct pt_entry_info, seq), NUM(struct pt_entry_info, ts_ns),
	NUM(struct pt_entry_info, born), NUM(struct pt_entry_info, shrunk),
	NUM(struct pt_entry_info, leaked), NUM(struct pt_entry_info, owner),
	NUM(struct pt_entry_info, exited),
};

static uint64_t load_uint(const void *p, size_t size)
{
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: return *(const uint16_t *)p;
	case 4: return *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

static int64_t load_int(const void *p, size_t size)
{
	switch (size) {
	case 1: return *(const int8_t *)p;
	case 2: return *(const int16_t *)p;
	case 4: return *(const int32_t *)p;
	default: return *(const int64_t *)p;
	}
}

/* Stores @v in a field of @size bytes: -ERANGE when it does not fit. */
static int store(void *p, size_t size, bool is_signed, int64_t sv, uint64_t uv)
{
	int bits = (int)size * 8;

	if (is_signed && bits < 64 && (sv < -(INT64_C(1) << (bits - 1)) || sv >= INT64_C(1) << (bits - 1)))
		return -ERANGE;
	if (!is_signed && bits < 64 && uv >> bits)
		return -ERANGE;
	switch (size) {
	case 1: *(uint8_t *)p = (uint8_t)(is_signed ? (uint64_t)sv : uv); break;
	case 2: *(uint16_t *)p = (uint16_t)(is_signed ? (uint64_t)sv : uv); break;
	case 4: *(uint32_t *)p = (uint32_t)(is_signed ? (uint64_t)sv : uv); break;
	default: *(uint64_t *)p = is_signed ? (uint64_t)sv : uv; break;
	}
	return 0;
}

/* What a restore has read so far: the file's strings, by the file's ids. */
struct reader {
	struct pt_strtab text;	/* as they were written */
	uint32_t *id;		/* the file's id -> text's; 0: not seen */
	size_t n_id;
	struct pt_strtab *strings;	/* the model's */
};

#define READER_ID_MAX (UINT32_C(1) << 26)	/* a table of 64 Mi strings is not one pattrackd wrote */

static int get_string(struct reader *rd, struct json_object *body)
{
	struct json_object *id, *text;
	uint64_t i;

	if (!json_object_object_get_ex(body, "id", &id) || !json_object_is_type(id, json_type_int) ||
	    !json_object_object_get_ex(body, "text", &text) ||
	    !json_object_is_type(text, json_type_string))
		return -EINVAL;
	i = json_object_get_uint64(id);
	if (i == 0 || i >= READER_ID_MAX || json_object_get_int64(id) < 0)
		return -ERANGE;
	if (i >= rd->n_id) {
		size_t was = rd->n_id;

		if (GROW_ARRAY(rd->id, rd->n_id, i + 1, 256) < 0)
			return -ENOMEM;
		memset(rd->id + was, 0, (rd->n_id - was) * sizeof(*rd->id));	/* not seen yet */
	}
	return pt_strtab_intern(&rd->text, json_object_get_string(text),
				(size_t)json_object_get_string_len(text), &rd->id[i]);
}

/* The file's string @file_id into the model's table by @rule: its id there in *@ret. */
static int map_string(struct reader *rd, uint64_t file_id, enum pt_str_kind rule, uint32_t *ret)
{
	const char *s;

	if (file_id == 0) {
		*ret = 0;
		return 0;
	}
	if (file_id >= rd->n_id || !rd->id[file_id])
		return -EINVAL;	/* named before its string record */
	s = pt_strtab_get(&rd->text, rd->id[file_id]);
	return pt_strtab_intern_safe(rd->strings, s, strlen(s), rule, ret);
}

/* Fields missing from @o stay as the caller set them; one of the wrong kind is -EINVAL. */
static int get_fields(struct json_object *o, void *rec, const struct field *f, size_t n,
		      struct reader *rd)
{
	for (size_t i = 0; i < n; i++) {
		void *p = (char *)rec + f[i].offset;
		struct json_object *v;
		int r;

		if (!json_object_object_get_ex(o, f[i].name, &v))
			continue;
		switch (f[i].kind) {
		case F_INT:
		case F_UINT:
			if (!json_object_is_type(v, json_type_int))
				return -EINVAL;
			if (f[i].kind == F_UINT && json_object_get_int64(v) < 0)
				return -ERANGE;
			r = store(p, f[i].size, f[i].kind == F_INT, json_object_get_int64(v),
				  json_object_get_uint64(v));
			break;
		case F_BOOL:
			if (!json_object_is_type(v, json_type_boolean))
				return -EINVAL;
			*(bool *)p = json_object_get_boolean(v);
			r = 0;
			break;
		default:
			if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
				return -EINVAL;
			r = map_string(rd, json_object_get_uint64(v), f[i].str, (uint32_t *)p);
			break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- writing --------------------------------------------------------------- */

/* The header, the one line json-c writes whole: a few keys, written once a save. */
static int put_header(FILE *f, const struct manager *m)
{
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const char *s;
	sd_id128_t boot;
	int r;

	if (!o)
		return -ENOMEM;
	r = sd_id128_get_boot(&boot);
	if (r < 0)
		return r;
	json_object_object_add(o, "pattrack-state", json_object_new_int(STATE_VERSION));
	json_object_object_add(o, "boot_id", json_object_new_string(SD_ID128_TO_STRING(boot)));
	json_object_object_add(o, "written_ns", json_object_new_uint64(now_ns(CLOCK_BOOTTIME)));
	json_object_object_add(o, "clock", json_object_new_uint64(pt_model_clock(m->model)));
	json_object_object_add(o, "cookie_tag", json_object_new_uint64(m->cookie_tag));
	json_object_object_add(o, "events", json_object_new_uint64(m->events));
	json_object_object_add(o, "lost", json_object_new_uint64(m->lost));
	json_object_object_add(o, "rejected", json_object_new_uint64(m->rejected));
	json_object_object_add(o, "anomalies", json_object_new_uint64(pt_model_anomaly_count(m->model)));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	return s && fprintf(f, "%s\n", s) > 0 ? 0 : -ENOMEM;
}

/*
 * What a save has written so far: the strings, by id.  The records are
 * numbers only, printed straight from the field tables: a save of 100,000
 * entries is one pass, not 100,000 json-c objects.
 */
struct writer {
	FILE *f;
	const struct pt_strtab *strings;
	uint8_t *written;	/* a bit per id */
};

/* The string of @id, unless it went out already; json-c escapes it. */
static int put_string(struct writer *w, uint32_t id)
{
	_cleanup_json_ struct json_object *text = NULL;
	const char *s;

	if (!id || w->written[id / 8] & (1u << (id % 8)))
		return 0;
	w->written[id / 8] |= (uint8_t)(1u << (id % 8));
	text = json_object_new_string(pt_strtab_get(w->strings, id));
	s = text ? json_object_to_json_string_ext(text, JSON_C_TO_STRING_PLAIN |
							    JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
	if (!s)
		return -ENOMEM;
	fprintf(w->f, "{\"string\":{\"id\":%" PRIu32 ",\"text\":%s}}\n", id, s);
	return 0;
}

/* Before a record: the strings its fields name. */
static int put_strings(struct writer *w, const void *rec, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].kind == F_STR) {
			int r = put_string(w, *(const uint32_t *)((const char *)rec + f[i].offset));

			if (r < 0)
				return r;
		}
	return 0;
}

/*
 * One record's line, built in place: a record is at most 28 + 3 * 6 + 8
 * fields of a name and a number, far below its size.
 */
struct line {
	char s[4096];
	size_t n;
	bool full;
};

static void add(struct line *l, const char *s, size_t n)
{
	if (l->full || n > sizeof(l->s) - l->n) {
		l->full = true;
		return;
	}
	memcpy(l->s + l->n, s, n);
	l->n += n;
}
#define ADD(l, lit) add((l), lit, sizeof(lit) - 1)

static void add_u64(struct line *l, uint64_t v, bool negative)
{
	char t[21];
	size_t i = sizeof(t);

	do
		t[--i] = (char)('0' + v % 10);
	while (v /= 10);
	if (negative)
		t[--i] = '-';
	add(l, t + i, sizeof(t) - i);
}

/* "name":value,... of @rec */
static void put_fields(struct line *l, const void *rec, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const void *p = (const char *)rec + f[i].offset;

		if (i)
			ADD(l, ",");
		ADD(l, "\"");
		add(l, f[i].name, strlen(f[i].name));
		ADD(l, "\":");
		if (f[i].kind == F_INT) {
			int64_t v = load_int(p, f[i].size);

			add_u64(l, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
		} else if (f[i].kind == F_BOOL) {
			if (*(const bool *)p)
				ADD(l, "true");
			else
				ADD(l, "false");
		} else
			add_u64(l, load_uint(p, f[i].size), false);
	}
}

static int put_line(struct writer *w, const struct line *l)
{
	if (l->full)
		return -E2BIG;
	fwrite(l->s, 1, l->n, w->f);
	return 0;
}

static int put_anomaly(struct writer *w, const struct pt_model *model, const struct pt_anomaly *a)
{
	const struct pt_driver_leak *dl = pt_model_driver_leak(model, a);
	int r = put_strings(w, a, anomaly_fields, ELEMENTSOF(anomaly_fields));
	struct line l;	/* only n and full set: the buffer is written before it is read */

	for (size_t i = 0; r >= 0 && i < a->n_parties; i++)
		r = put_strings(w, &a->party[i], party_fields, ELEMENTSOF(party_fields));
	if (r >= 0 && dl)
		r = put_strings(w, dl, driver_leak_fields, ELEMENTSOF(driver_leak_fields));
	if (r < 0)
		return r;
	l.n = 0;
	l.full = false;
	ADD(&l, "{\"anomaly\":{");
	put_fields(&l, a, anomaly_fields, ELEMENTSOF(anomaly_fields));
	for (size_t i = 0; i < a->n_parties; i++) {
		if (i)
			ADD(&l, "},{");
		else
			ADD(&l, ",\"parties\":[{");
		put_fields(&l, &a->party[i], party_fields, ELEMENTSOF(party_fields));
	}
	if (a->n_parties)
		ADD(&l, "}]");
	if (dl) {
		ADD(&l, ",\"driver_leak\":{");
		put_fields(&l, dl, driver_leak_fields, ELEMENTSOF(driver_leak_fields));
		ADD(&l, "}");
	}
	ADD(&l, "}}\n");
	return put_line(w, &l);
}

/* Only entries with an owner: the kernel's list says the rest at the next start. */
static int put_entry(const struct pt_entry_info *e, void *userdata)
{
	struct writer *w = userdata;
	struct line l;	/* only n and full set: the buffer is written before it is read */
	int r;

	if (e->preexisting || e->resynced)
		return 0;
	r = put_strings(w, e, entry_fields, ELEMENTSOF(entry_fields));
	if (r < 0)
		return r;
	l.n = 0;
	l.full = false;
	ADD(&l, "{\"entry\":{");
	put_fields(&l, e, entry_fields, ELEMENTSOF(entry_fields));
	ADD(&l, "}}\n");
	return put_line(w, &l);
}

/* All of it; a write error shows in the stream's error flag, checked once at the end. */
static int write_state(struct manager *m, FILE *f)
{
	const struct pt_strtab *strings = pt_model_strings_const(m->model);
	_cleanup_free_ uint8_t *written = calloc(strings->count / 8 + 1, 1);
	struct writer w = { f, strings, written };
	int r;

	if (!written)
		return -ENOMEM;
	r = put_header(f, m);
	for (size_t i = 0; r >= 0 && i < pt_model_anomaly_count(m->model); i++)
		r = put_anomaly(&w, m->model, pt_model_anomaly(m->model, i));
	if (r >= 0)
		r = pt_model_foreach_entry(m->model, 0, UINT64_MAX, put_entry, &w);
	if (r >= 0 && fflush(f) != 0)
		r = -errno;
	else if (r >= 0 && ferror(f))
		r = -EIO;
	return r < 0 ? r : 0;
}

int manager_state_save(struct manager *m, bool always)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int fd, r;

	if (!m->state_path)
		return 0;
	if (!always && m->state_clock == pt_model_clock(m->model) &&
	    m->state_anomalies == pt_model_anomaly_count(m->model))
		return 0;
	if (asprintf(&tmp, "%s.new", m->state_path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		r = -errno;
		if (fd >= 0)
			close(fd);
	} else {
		r = write_state(m, f);
		if (fclose(f) != 0 && r >= 0)
			r = -errno;
		if (r >= 0 && rename(tmp, m->state_path) < 0)
			r = -errno;
		if (r < 0)
			(void)unlink(tmp);
	}
	if (r < 0) {
		/* said once, until it works again: a full disk would fill the log */
		if (!m->state_failing)
			log_warning("cannot write the state to %s: %s (a restart would lose the "
				    "owners of live entries and the anomalies)", m->state_path,
				    strerror(-r));
		m->state_failing = true;
		return r;
	}
	if (m->state_failing)
		log_info("the state is written to %s again", m->state_path);
	m->state_failing = false;
	m->state_clock = pt_model_clock(m->model);
	m->state_anomalies = pt_model_anomaly_count(m->model);
	return 0;
}

static int on_state_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	(void)manager_state_save(m, false);	/* said why */
	sd_event_source_set_time(s, usec + PT_STATE_INTERVAL_USEC);
	return 0;
}

int manager_state_watch(struct manager *m)
{
	if (!m->state_path)
		return 0;
	return manager_add_timer(m, &m->state_timer, PT_STATE_INTERVAL_USEC, 500000,
				 on_state_timer, "state");
}

/* ---- reading --------------------------------------------------------------- */

/* The next line of the state as an object, NULL at its end; -EINVAL for a bad line. */
static int read_line(struct manager *m, struct json_object **ret)
{
	char *line = m->state_buf;
	size_t n;

	*ret = NULL;
	/* bounded: a line of a damaged file takes no more than the longest a state has */
	if (!fgets(line, STATE_LINE_MAX + 2, m->state_in))
		return ferror(m->state_in) ? -EIO : 0;
	m->state_line++;
	n = strlen(line);
	if (n > STATE_LINE_MAX && line[n - 1] != '\n')
		return -E2BIG;
	*ret = json_tokener_parse(line);
	return *ret && json_object_is_type(*ret, json_type_object) ? 1 : -EINVAL;
}

static uint64_t get_u64(struct json_object *o, const char *key, bool *ok)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0) {
		*ok = false;
		return 0;
	}
	return json_object_get_uint64(v);
}

static void state_close(struct manager *m)
{
	if (m->state_in)
		fclose(m->state_in);
	m->state_in = NULL;
	free(m->state_buf);
	m->state_buf = NULL;
}

void manager_state_done(struct manager *m)
{
	state_close(m);
	free(m->state_path);
	m->state_path = NULL;
}

int manager_state_begin(struct manager *m)
{
	_cleanup_json_ struct json_object *h = NULL;
	struct json_object *v;
	sd_id128_t boot;
	uint64_t clock, tag;
	bool ok = true;
	int r;

	if (!m->state_path)
		return 0;
	m->state_in = fopen(m->state_path, "re");
	if (!m->state_in) {
		if (errno != ENOENT)
			log_warning("cannot read the state %s: %s; starting without it", m->state_path,
				    strerror(errno));
		return 0;
	}
	m->state_buf = malloc(STATE_LINE_MAX + 2);	/* a line, bounded; one for the whole file */
	if (!m->state_buf) {
		state_close(m);
		return log_error_errno(-ENOMEM, "cannot read the state");
	}
	r = read_line(m, &h);
	if (r <= 0 || get_u64(h, "pattrack-state", &ok) != STATE_VERSION || !ok) {
		log_warning("%s is not a pattrack state of version %d: starting without it",
			    m->state_path, STATE_VERSION);
		state_close(m);
		return 0;
	}
	r = sd_id128_get_boot(&boot);
	if (r < 0 || !json_object_object_get_ex(h, "boot_id", &v) ||
	    strcmp(json_object_get_string(v), SD_ID128_TO_STRING(boot)) != 0) {
		log_info("the state in %s is of an earlier boot: not restored; its cookies are refused",
			 m->state_path);
		state_close(m);
		return 0;
	}
	m->state_written_ns = get_u64(h, "written_ns", &ok);
	clock = get_u64(h, "clock", &ok);
	tag = get_u64(h, "cookie_tag", &ok);
	m->events = get_u64(h, "events", &ok);
	m->lost = get_u64(h, "lost", &ok);
	m->rejected = get_u64(h, "rejected", &ok);
	if (!ok || !tag || tag >> (63 - PT_COOKIE_CLOCK_BITS) || clock >> PT_COOKIE_CLOCK_BITS ||
	    pt_model_resume(m->model, clock) < 0) {
		log_warning("%s: a bad header: starting without the state", m->state_path);
		m->events = m->lost = m->rejected = 0;
		state_close(m);
		return 0;
	}
	m->cookie_tag = tag;
	return 0;
}

/* What came back, for the one line that says so. */
struct restored {
	size_t anomalies, owners, freed, gone, ambiguous, unverified, exits;
};

static int restore_anomaly(struct manager *m, struct reader *rd, struct json_object *body,
			   struct restored *c)
{
	struct pt_anomaly a = { 0 };
	struct pt_driver_leak dl = { .bar = -1 };
	struct json_object *v;
	bool has_dl;
	int r;

	r = get_fields(body, &a, anomaly_fields, ELEMENTSOF(anomaly_fields), rd);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(body, "parties", &v)) {
		size_t n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : SIZE_MAX;

		if (n > PT_MAX_PARTIES)
			return -EINVAL;
		for (size_t i = 0; i < n; i++) {
			r = get_fields(json_object_array_get_idx(v, i), &a.party[i], party_fields,
				       ELEMENTSOF(party_fields), rd);
			if (r < 0)
				return r;
		}
		a.n_parties = (uint8_t)n;
	}
	has_dl = json_object_object_get_ex(body, "driver_leak", &v);
	if (has_dl) {
		r = get_fields(v, &dl, driver_leak_fields, ELEMENTSOF(driver_leak_fields), rd);
		if (r < 0)
			return r;
	}
	r = pt_model_restore_anomaly(m->model, &a, has_dl ? &dl : NULL);
	if (r >= 0)
		c->anomalies++;
	return r;
}

static int restore_entry(struct manager *m, struct reader *rd, struct json_object *body,
			 struct restored *c)
{
	struct pt_entry_info e = { 0 };
	bool exited;
	int r;

	r = get_fields(body, &e, entry_fields, ELEMENTSOF(entry_fields), rd);
	if (r < 0)
		return r;
	exited = e.pid > 0 && e.exited > e.born;
	r = pt_model_restore_check(m->model, &e);
	if (r == 0 && e.owner != PT_OWNER_DRIVER && e.pid > 0 && !exited) {
		/* a process: still the one that mapped it, or gone while pattrackd was */
		r = pt_proc_same(PT_PROC, e.pid, m->state_written_ns);
		if (r == 0) {
			c->gone++;
			return 0;
		}
		c->unverified += r < 0;
	}
	r = pt_model_restore_owner(m->model, &e);	/* -ENOTUNIQ: it takes the others' too */
	if (r == -ENOENT) {
		c->freed++;
		return 0;
	}
	if (r == -ENOTUNIQ) {
		c->ambiguous++;
		return 0;
	}
	if (r < 0)
		return r;
	c->owners++;
	if (exited) {
		r = pt_model_restore_exit(m->model, e.pid, e.exited);
		if (r < 0)
			return r;
		c->exits += !e.leaked;
	}
	return 0;
}

/* One line: a string, an anomaly or an entry. */
static int restore_record(struct manager *m, struct reader *rd, struct json_object *o,
			  struct restored *c)
{
	struct json_object *body;

	if (json_object_object_get_ex(o, "string", &body))
		return get_string(rd, body);
	if (json_object_object_get_ex(o, "anomaly", &body))
		return restore_anomaly(m, rd, body, c);
	if (json_object_object_get_ex(o, "entry", &body))
		return restore_entry(m, rd, body, c);
	return -EINVAL;
}

int manager_state_restore(struct manager *m)
{
	struct reader rd = { .strings = pt_model_strings(m->model) };
	struct restored c = { 0 };
	int r;

	if (!m->state_in)
		return 0;
	r = pt_strtab_init(&rd.text);
	for (; r >= 0;) {
		_cleanup_json_ struct json_object *o = NULL;

		r = read_line(m, &o);
		if (r == 0)
			break;	/* the end */
		if (r > 0)
			r = restore_record(m, &rd, o, &c);
		if (r == -ENOMEM)
			break;
		if (r < 0) {
			log_warning("%s: line %u: %s: the rest of the state is not restored",
				    m->state_path, m->state_line, strerror(-r));
			r = 0;
			break;
		}
	}
	state_close(m);
	pt_strtab_done(&rd.text);
	free(rd.id);
	if (r < 0)
		return log_error_errno(r, "cannot restore the state");
	/* told before the restart: not again */
	m->anomalies_reported = pt_model_anomaly_count(m->model);
	pt_model_settle(m->model);
	if (c.exits) {
		r = manager_judge_later(m);	/* owners that had exited: their leaks after the grace */
		if (r < 0)
			return log_error_errno(r, "cannot restore the state");
	}
	log_info("state restored from %s: %zu anomalies, %zu owners of live entries "
		 "(%zu not checked: /proc hides them); %zu entries freed while pattrackd was "
		 "down; %zu owners gone meanwhile and %zu ranges with more saved owners than "
		 "entries left, their owners now unknown",
		 m->state_path, c.anomalies, c.owners, c.unverified, c.freed, c.gone, c.ambiguous);
	return 0;
}
