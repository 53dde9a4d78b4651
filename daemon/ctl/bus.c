// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackctl over D-Bus: each verb is one call to pattrackd (or, for
 * monitor, a match on its Anomaly signal), printed as an aligned table or,
 * with --json, as JSON.  Exit status: 0 ok, 1 "leaks --fail" found some,
 * 2 usage, 3 the call failed (the D-Bus error is named).
 */
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "core/bus-api.h"
#include "core/model.h"
#include "core/util.h"
#include "ctl.h"
#include "report.h"

static inline void bus_unrefp(sd_bus **b)
{
	sd_bus_flush_close_unref(*b);
}

#define _cleanup_bus_ _cleanup_(bus_unrefp)
#define _cleanup_msg_ _cleanup_(sd_bus_message_unrefp)

static int connect_bus(sd_bus **ret)
{
	int r = sd_bus_open_system(ret);

	if (r < 0)
		log_error_errno(r, "cannot connect to the system bus");
	return r;
}

/*
 * Connects *bus and calls @method of @iface on the tracker with @types and
 * the arguments (@types NULL: none).  A failure is logged once, naming the
 * D-Bus error; the caller only returns EXIT_TROUBLE.
 */
static int vcall(sd_bus **bus, const char *iface, const char *method, sd_bus_message **reply,
		 const char *types, va_list ap)
{
	_cleanup_msg_ sd_bus_message *m = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	if (!*bus) {
		r = connect_bus(bus);
		if (r < 0)
			return r;
	}
	r = sd_bus_message_new_method_call(*bus, &m, PT_BUS_NAME, PT_BUS_PATH, iface, method);
	if (r >= 0 && types)
		r = sd_bus_message_appendv(m, types, ap);
	if (r >= 0)
		r = sd_bus_call(*bus, m, 0, &e, reply);
	if (r < 0) {
		/* the bus's policy refuses before pattrackd hears of it, in its own words */
		if (sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED) &&
		    (!e.message || !strncmp(e.message, "Rejected send message", 21)))
			log_error("%s: access denied: pattrackd answers root and the members of group "
				  "pattrack only (usermod -aG pattrack USER, then log in again)", method);
		else if (sd_bus_error_is_set(&e))
			log_error("%s: %s (%s)", method, e.message ? e.message : "failed", e.name);
		else
			log_error_errno(r, "%s failed", method);
	}
	sd_bus_error_free(&e);
	return r;
}

static int call_iface(sd_bus **bus, const char *iface, const char *method,
		      sd_bus_message **reply, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = vcall(bus, iface, method, reply, types, ap);
	va_end(ap);
	return r;
}

#define call(bus, method, reply, ...) call_iface((bus), PT_BUS_IFACE, (method), (reply), __VA_ARGS__)

static int print_json(struct json_object *o)
{
	return pt_json_print(stdout, o, isatty(STDOUT_FILENO)) < 0 ? EXIT_TROUBLE : EXIT_OK;
}

/* ---- entries ------------------------------------------------------------- */

/* The owner that ends each entry and anomaly (core/bus-api.h). */
struct bus_owner {
	const char *owner, *driver, *device;
	int32_t bar;
};

static void owner_json(struct json_object *o, const struct bus_owner *w)
{
	json_object_object_add(o, "owner", json_object_new_string(w->owner));
	if (*w->driver)
		json_object_object_add(o, "driver", json_object_new_string(w->driver));
	if (*w->device) {
		json_object_object_add(o, "device", json_object_new_string(w->device));
		json_object_object_add(o, "bar", json_object_new_int(w->bar));
	}
}

/* "pid 89 (scen)", "e1000@0000:00:03.0 BAR0", "unknown" */
static char *owner_text(const struct bus_owner *w, int32_t pid, const char *comm, char *buf,
			size_t size)
{
	if (strcmp(w->owner, "driver") == 0 && *w->device)
		snprintf(buf, size, "%s@%s BAR%" PRId32, w->driver, w->device, w->bar);
	else if (strcmp(w->owner, "driver") == 0)
		snprintf(buf, size, "%s", w->driver);
	else if (strcmp(w->owner, "process") == 0 && pid > 0)
		snprintf(buf, size, "pid %" PRId32 " (%s)", pid, *comm ? comm : "-");
	else if (*w->device)
		snprintf(buf, size, "unknown, in %s BAR%" PRId32 "%s%s%s", w->device, w->bar,
			 *w->driver ? " (" : "", w->driver, *w->driver ? ")" : "");
	else
		snprintf(buf, size, "unknown");
	return buf;
}

/* The entries of one reply: printed, added to @arr (JSON) or to @tab (a terminal); counted in *n. */
static int read_entries(sd_bus_message *reply, struct json_object *arr, struct table *tab, size_t *n)
{
	uint64_t start, end, seq;
	const char *type, *comm, *where;
	struct bus_owner w;
	char who[128];
	int32_t pid;
	int exited, r;

	r = sd_bus_message_enter_container(reply, 'a', PT_BUS_ENTRY_SIG);
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(reply, PT_BUS_ENTRY_SIG, &start, &end, &type, &pid, &comm,
					&seq, &where, &exited, &w.owner, &w.driver, &w.device,
					&w.bar)) > 0) {
		(*n)++;
		if (arr) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "start", pt_json_address(start));
			json_object_object_add(o, "end", pt_json_address(end));
			json_object_object_add(o, "type", json_object_new_string(type));
			json_object_object_add(o, "pid", json_object_new_int(pid));
			json_object_object_add(o, "comm", json_object_new_string(comm));
			json_object_object_add(o, "seq", json_object_new_uint64(seq));
			json_object_object_add(o, "resource", json_object_new_string(where));
			json_object_object_add(o, "owner_exited", json_object_new_boolean(exited));
			owner_json(o, &w);
			json_object_array_add(arr, o);
			continue;
		}
		if (tab) {
			char range[40], resource[256];

			snprintf(range, sizeof(range), "0x%016" PRIx64 "-0x%016" PRIx64, start, end);
			snprintf(resource, sizeof(resource), "%s%s", where, exited ? " (owner exited)" : "");
			r = table_add(tab, (const char *[]){ range, type, owner_text(&w, pid, comm, who, sizeof(who)),
					resource }, exited ? CTL_YELLOW : NULL);
			if (r < 0)
				return r;
			continue;
		}
		printf("0x%016" PRIx64 "-0x%016" PRIx64 " %-16s %-32s %s%s\n", start, end, type,
		       owner_text(&w, pid, comm, who, sizeof(who)), where,
		       exited ? " (owner exited)" : "");
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(reply);
}

/*
 * Prints the entries @method gives: Lookup(@a), or every page of
 * ListEntriesPage(@a, @b) or LeaksPage(@a).  Returns an exit status and
 * how many in *ret_n.
 */
static int entries_verb(const char *method, const struct ctl_options *o, uint64_t a, uint64_t b,
			size_t *ret_n)
{
	static const char *const header[] = { "RANGE", "TYPE", "OWNER", "RESOURCE" };
	_cleanup_json_ struct json_object *arr = o->json ? json_object_new_array() : NULL;
	_cleanup_(table_freep) struct table *tab = NULL;
	_cleanup_bus_ sd_bus *bus = NULL;
	uint64_t cursor = 0;
	size_t n = 0;
	int r;

	if (!o->json && o->term.tty) {
		tab = table_new(header, ELEMENTSOF(header));
		if (!tab)
			return log_error_errno(-ENOMEM, "cannot make the table"), EXIT_TROUBLE;
		table_set_shrink(tab, 3, 2, 16);
		table_set_shrink(tab, 2, 1, 12);
	} else if (!o->json)
		printf("%-37s %-16s %-32s %s\n", "RANGE", "TYPE", "OWNER", "RESOURCE");
	do {
		_cleanup_msg_ sd_bus_message *reply = NULL;

		if (!strcmp(method, "Lookup"))
			r = call(&bus, method, &reply, "t", a);
		else if (!strcmp(method, "LeaksPage"))
			r = call(&bus, method, &reply, "ttu", a, cursor, 0);
		else
			r = call(&bus, method, &reply, "tttu", a, b, cursor, 0);
		if (r < 0)
			return EXIT_TROUBLE;
		r = read_entries(reply, arr, tab, &n);
		cursor = 0;
		if (r >= 0 && strcmp(method, "Lookup"))
			r = sd_bus_message_read(reply, "t", &cursor);
		if (r < 0)
			return log_error_errno(r, "%s: bad reply", method), EXIT_TROUBLE;
	} while (cursor);
	*ret_n = n;
	if (o->json)
		return print_json(arr);
	if (tab)
		table_print(tab, stdout, &o->term);
	if (!tab || o->term.legend)
		printf("%zu entries\n", n);
	return EXIT_OK;
}

int verb_list(int argc, char *argv[], const struct ctl_options *o)
{
	size_t n;

	(void)argc;
	(void)argv;
	return entries_verb("ListEntriesPage", o, 0, PT_PHYS_LIMIT, &n);
}

int verb_lookup(int argc, char *argv[], const struct ctl_options *o)
{
	uint64_t a;
	size_t n;

	(void)argc;
	if (parse_address(argv[0], &a) < 0) {
		log_error("lookup needs one ADDRESS");
		return EXIT_USAGE;
	}
	return entries_verb("Lookup", o, a, 0, &n);
}

int verb_query(int argc, char *argv[], const struct ctl_options *o)
{
	uint64_t s, e;
	size_t n;

	(void)argc;
	if (parse_address(argv[0], &s) < 0 || parse_address(argv[1], &e) < 0) {
		log_error("query needs START and END (exclusive)");
		return EXIT_USAGE;
	}
	return entries_verb("ListEntriesPage", o, s, e, &n);
}

/* ---- anomalies ----------------------------------------------------------- */

/* One anomaly as ListAnomalies and the Anomaly signal carry it. */
struct bus_anomaly {
	const char *kind;
	uint64_t start, end;
	const char *type;
	int32_t pid;
	const char *comm;
	uint64_t seq;
	const char *severity;	/* "" none; the signal has none */
	const char *text;
	struct bus_owner w;
	const char *stack;	/* frames, one a line; "" none */
};

static struct json_object *anomaly_json(const struct bus_anomaly *a)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(a->kind));
	json_object_object_add(o, "start", pt_json_address(a->start));
	json_object_object_add(o, "end", pt_json_address(a->end));
	json_object_object_add(o, "type", *a->type ? json_object_new_string(a->type) : NULL);
	json_object_object_add(o, "pid", json_object_new_int(a->pid));
	json_object_object_add(o, "comm", json_object_new_string(a->comm));
	if (*a->severity)
		json_object_object_add(o, "severity", json_object_new_string(a->severity));
	json_object_object_add(o, "detail", json_object_new_string(a->text));
	owner_json(o, &a->w);
	if (*a->stack) {
		struct json_object *frames = json_object_new_array();

		for (const char *p = a->stack; *p;) {
			size_t n = strcspn(p, "\n");

			json_object_array_add(frames, json_object_new_string_len(p, (int)n));
			p += n + (p[n] == '\n');
		}
		json_object_object_add(o, "stack", frames);
	}
	return o;
}

static void anomaly_text(const struct bus_anomaly *a)
{
	char who[128];

	printf("%-12s 0x%016" PRIx64 "-0x%016" PRIx64 " %-16s %-32s%s%s\n", a->kind, a->start,
	       a->end, *a->type ? a->type : "-", owner_text(&a->w, a->pid, a->comm, who, sizeof(who)),
	       *a->severity ? " " : "", a->severity);
	printf("             %s\n", a->text);
}

static int anomaly_row(struct table *tab, const struct bus_anomaly *a)
{
	char range[40], kind[32], who[128];

	snprintf(range, sizeof(range), "0x%016" PRIx64 "-0x%016" PRIx64, a->start, a->end);
	snprintf(kind, sizeof(kind), "%s%s%s", a->kind, *a->severity ? "/" : "", a->severity);
	return table_add(tab, (const char *[]){ kind, range, *a->type ? a->type : "-",
				owner_text(&a->w, a->pid, a->comm, who, sizeof(who)), a->text },
			 ctl_anomaly_color(a->kind, a->severity));
}

/* The anomalies of one reply: printed, added to @arr (JSON) or to @tab (a terminal); counted in *n. */
static int read_anomalies(sd_bus_message *reply, struct json_object *arr, struct table *tab, size_t *n)
{
	struct bus_anomaly a;
	int r;

	r = sd_bus_message_enter_container(reply, 'a', PT_BUS_ANOMALY_SIG);
	if (r < 0)
		return r;
	while ((r = sd_bus_message_read(reply, PT_BUS_ANOMALY_SIG, &a.kind, &a.start, &a.end, &a.type,
					&a.pid, &a.comm, &a.seq, &a.severity, &a.text, &a.w.owner,
					&a.w.driver, &a.w.device, &a.w.bar, &a.stack)) > 0) {
		(*n)++;
		if (arr)
			json_object_array_add(arr, anomaly_json(&a));
		else if (tab) {
			r = anomaly_row(tab, &a);
			if (r < 0)
				return r;
		} else
			anomaly_text(&a);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(reply);
}

static int list_anomalies(const char *kind, const struct ctl_options *o, size_t *count)
{
	static const char *const header[] = { "KIND", "RANGE", "TYPE", "OWNER", "EXPLANATION" };
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_json_ struct json_object *arr = o->json ? json_object_new_array() : NULL;
	_cleanup_(table_freep) struct table *tab = NULL;
	uint64_t cursor = 0;
	int r;

	*count = 0;
	if (!o->json && o->term.tty) {
		tab = table_new(header, ELEMENTSOF(header));
		if (!tab)
			return log_error_errno(-ENOMEM, "cannot make the table"), EXIT_TROUBLE;
		table_set_below(tab, 4);
		table_set_shrink(tab, 3, 1, 12);
	} else if (!o->json)
		printf("%-12s %-37s %-16s %-32s\n", "KIND", "RANGE", "TYPE", "OWNER");
	do {
		_cleanup_msg_ sd_bus_message *reply = NULL;

		if (call(&bus, "ListAnomaliesPage", &reply, "stu", kind, cursor, 0) < 0)
			return EXIT_TROUBLE;
		r = read_anomalies(reply, arr, tab, count);
		if (r >= 0)
			r = sd_bus_message_read(reply, "t", &cursor);
		if (r < 0)
			return log_error_errno(r, "ListAnomaliesPage: bad reply"), EXIT_TROUBLE;
	} while (cursor);
	if (o->json)
		return print_json(arr);
	if (tab)
		table_print(tab, stdout, &o->term);
	if (!tab || o->term.legend)
		printf("%zu anomalies\n", *count);
	return EXIT_OK;
}

int verb_anomalies(int argc, char *argv[], const struct ctl_options *o)
{
	size_t n;

	return list_anomalies(argc > 0 ? argv[0] : "", o, &n);
}

/* ---- checkpoint, leaks --------------------------------------------------- */

int verb_checkpoint(int argc, char *argv[], const struct ctl_options *o)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	uint64_t cookie;
	int r;

	(void)argc;
	(void)argv;
	if (call(&bus, "Checkpoint", &reply, NULL) < 0)
		return EXIT_TROUBLE;
	r = sd_bus_message_read(reply, "t", &cookie);
	if (r < 0)
		return log_error_errno(r, "Checkpoint: bad reply"), EXIT_TROUBLE;
	if (o->json)
		printf("{\"cookie\":%" PRIu64 "}\n", cookie);
	else
		printf("%" PRIu64 "\n", cookie);
	return EXIT_OK;
}

/* ---- metrics ------------------------------------------------------------- */

int verb_metrics(int argc, char *argv[], const struct ctl_options *o)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	const char *text;
	int r;

	(void)argc;
	(void)argv;
	(void)o;
	if (call(&bus, "Metrics", &reply, NULL) < 0)
		return EXIT_TROUBLE;
	r = sd_bus_message_read(reply, "s", &text);
	if (r < 0)
		return log_error_errno(r, "Metrics: bad reply"), EXIT_TROUBLE;
	fputs(text, stdout);
	return EXIT_OK;
}

int verb_leaks(int argc, char *argv[], const struct ctl_options *o)
{
	size_t n;
	int r;

	(void)argc;
	(void)argv;
	if (!o->since) {
		/* the leaks judged so far: reservations left by exited processes */
		r = list_anomalies("leak", o, &n);
		if (r != EXIT_OK)
			return r;
		return o->fail && n ? EXIT_ANOMALY : EXIT_OK;
	}
	r = entries_verb("LeaksPage", o, o->cookie, 0, &n);
	if (r != EXIT_OK)
		return r;
	return o->fail && n ? EXIT_ANOMALY : EXIT_OK;
}

/* ---- explain ------------------------------------------------------------- */

int verb_explain(int argc, char *argv[], const struct ctl_options *opts)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	static const char *const header[] = { "EVENT", "SEQ", "RANGE", "TYPE", "GOT", "RET", "PID", "COMM" };
	_cleanup_json_ struct json_object *arr = json_object_new_array();
	_cleanup_(table_freep) struct table *tab = NULL;
	uint64_t a, clock, seq, start, end;
	const char *ev, *type, *got, *comm;
	int32_t ret, pid;
	size_t n = 0;
	bool json = opts->json;
	int r;

	(void)argc;
	if (parse_address(argv[0], &a) < 0) {
		log_error("explain needs one ADDRESS");
		return EXIT_USAGE;
	}
	if (call(&bus, "Explain", &reply, "t", a) < 0)
		return EXIT_TROUBLE;
	r = sd_bus_message_enter_container(reply, 'a', PT_BUS_HISTORY_SIG);
	if (r < 0)
		return EXIT_TROUBLE;
	if (!json && opts->term.tty) {
		tab = table_new(header, ELEMENTSOF(header));
		if (!tab)
			return log_error_errno(-ENOMEM, "cannot make the table"), EXIT_TROUBLE;
		table_set_shrink(tab, 7, 2, 4);
		table_set_shrink(tab, 4, 1, 3);
	} else if (!json)
		printf("%-8s %-8s %-37s %-16s %-16s %5s %7s %s\n", "EVENT", "SEQ", "RANGE", "TYPE",
		       "GOT", "RET", "PID", "COMM");
	while ((r = sd_bus_message_read(reply, PT_BUS_HISTORY_SIG, &clock, &seq, &ev, &start, &end,
					&type, &got, &ret, &pid, &comm)) > 0) {
		n++;
		if (json) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "event", json_object_new_string(ev));
			json_object_object_add(o, "seq", json_object_new_uint64(seq));
			json_object_object_add(o, "cookie", json_object_new_uint64(clock));
			json_object_object_add(o, "start", pt_json_address(start));
			json_object_object_add(o, "end", pt_json_address(end));
			json_object_object_add(o, "type", json_object_new_string(type));
			if (*got)
				json_object_object_add(o, "got", json_object_new_string(got));
			json_object_object_add(o, "ret", json_object_new_int(ret));
			json_object_object_add(o, "pid", json_object_new_int(pid));
			json_object_object_add(o, "comm", json_object_new_string(comm));
			json_object_array_add(arr, o);
			continue;
		}
		if (tab) {
			char sq[24], range[48], rt[16], pd[16];

			snprintf(sq, sizeof(sq), "%" PRIu64, seq);
			snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64, start, end);
			snprintf(rt, sizeof(rt), "%" PRId32, ret);
			snprintf(pd, sizeof(pd), "%" PRId32, pid);
			r = table_add(tab, (const char *[]){ ev, sq, range, type, *got ? got : "-", rt, pd,
							     *comm ? comm : "-" }, ret ? CTL_YELLOW : NULL);
			if (r < 0)
				return log_error_errno(r, "cannot make the table"), EXIT_TROUBLE;
			continue;
		}
		printf("%-8s %-8" PRIu64 " 0x%016" PRIx64 "-0x%016" PRIx64 " %-16s %-16s %5" PRId32
		       " %7" PRId32 " %s\n", ev, seq, start, end, type, *got ? got : "-", ret, pid,
		       *comm ? comm : "-");
	}
	if (r < 0)
		return log_error_errno(r, "Explain: bad reply"), EXIT_TROUBLE;
	if (json)
		return print_json(arr);
	if (tab)
		table_print(tab, stdout, &opts->term);
	if (!tab || opts->term.legend)
		printf("%zu events touched 0x%" PRIx64 "\n", n, a);
	return EXIT_OK;
}

/* ---- status -------------------------------------------------------------- */

static void print_map(struct json_object *map)
{
	json_object_object_foreach(map, k, v)
		printf(" %s %s", k, json_object_get_string(v));
	putchar('\n');
}

static void print_properties(struct json_object *o)
{
	json_object_object_foreach(o, key, val) {
		if (json_object_is_type(val, json_type_object)) {
			printf("%16s:", key);
			print_map(val);
		} else if (json_object_is_type(val, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(val); i++)
				printf("%16s%c %s\n", i ? "" : key, i ? ' ' : ':',
				       json_object_get_string(json_object_array_get_idx(val, i)));
		} else {
			printf("%16s: %s\n", key, json_object_get_string(val));
		}
	}
}

int verb_status(int argc, char *argv[], const struct ctl_options *opts)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	_cleanup_msg_ sd_bus_message *reply = NULL;
	_cleanup_json_ struct json_object *o = json_object_new_object();
	const char *name;
	bool json = opts->json;
	int r;

	(void)argc;
	(void)argv;
	if (call_iface(&bus, "org.freedesktop.DBus.Properties", "GetAll", &reply, "s",
		       PT_BUS_IFACE) < 0)
		return EXIT_TROUBLE;
	r = sd_bus_message_enter_container(reply, 'a', "{sv}");
	while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		const char *contents, *s;
		char type;
		uint64_t t;

		r = sd_bus_message_read(reply, "s", &name);
		if (r >= 0)
			r = sd_bus_message_peek_type(reply, &type, &contents);
		if (r < 0)
			break;
		if (!strcmp(contents, "s")) {
			r = sd_bus_message_read(reply, "v", "s", &s);
			json_object_object_add(o, name, json_object_new_string(s));
		} else if (!strcmp(contents, "t")) {
			r = sd_bus_message_read(reply, "v", "t", &t);
			json_object_object_add(o, name, json_object_new_uint64(t));
		} else if (!strcmp(contents, "as")) {
			struct json_object *arr = json_object_new_array();

			r = sd_bus_message_enter_container(reply, 'v', "as");
			if (r >= 0)
				r = sd_bus_message_enter_container(reply, 'a', "s");
			while (r >= 0 && (r = sd_bus_message_read(reply, "s", &s)) > 0)
				json_object_array_add(arr, json_object_new_string(s));
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			json_object_object_add(o, name, arr);
		} else if (!strcmp(contents, "a{st}")) {
			struct json_object *map = json_object_new_object();

			r = sd_bus_message_enter_container(reply, 'v', "a{st}");
			if (r >= 0)
				r = sd_bus_message_enter_container(reply, 'a', "{st}");
			while (r >= 0 && (r = sd_bus_message_read(reply, "{st}", &s, &t)) > 0)
				json_object_object_add(map, s, json_object_new_uint64(t));
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			if (r >= 0)
				r = sd_bus_message_exit_container(reply);
			json_object_object_add(o, name, map);
		} else {
			r = sd_bus_message_skip(reply, "v");
		}
		if (r >= 0)
			r = sd_bus_message_exit_container(reply);
	}
	if (r < 0)
		return log_error_errno(r, "GetAll: bad reply"), EXIT_TROUBLE;
	if (json)
		return print_json(o);
	print_properties(o);
	return EXIT_OK;
}

/* ---- monitor ------------------------------------------------------------- */

static int on_anomaly(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct bus_anomaly a = { .severity = "" };
	bool json = *(bool *)userdata;
	int r;

	(void)error;
	r = sd_bus_message_read(m, PT_BUS_ANOMALY_SIGNAL_SIG, &a.kind, &a.start, &a.end, &a.type,
				&a.pid, &a.comm, &a.text, &a.w.owner, &a.w.driver, &a.w.device,
				&a.w.bar, &a.stack);
	if (r < 0)
		return 0;
	if (json) {
		_cleanup_json_ struct json_object *o = anomaly_json(&a);

		pt_json_print(stdout, o, false);
	} else {
		anomaly_text(&a);
	}
	fflush(stdout);
	return 0;
}

int verb_monitor(int argc, char *argv[], const struct ctl_options *o)
{
	_cleanup_bus_ sd_bus *bus = NULL;
	sd_event *event = NULL;
	sigset_t ss;
	bool json = o->json;
	int r;

	(void)argc;
	(void)argv;
	if (connect_bus(&bus) < 0)
		return EXIT_TROUBLE;
	r = sd_bus_match_signal(bus, NULL, PT_BUS_NAME, PT_BUS_PATH, PT_BUS_IFACE, "Anomaly", on_anomaly,
				&json);
	if (r < 0)
		return log_error_errno(r, "cannot subscribe to Anomaly signals"), EXIT_TROUBLE;
	r = sd_event_default(&event);
	if (r >= 0)
		r = sd_bus_attach_event(bus, event, 0);
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
	if (r >= 0)
		r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
	if (r >= 0) {
		if (!json)
			fprintf(stderr, "Waiting for Anomaly signals from %s; ^C ends.\n", PT_BUS_NAME);
		r = sd_event_loop(event);
	}
	sd_bus_detach_event(bus);
	sd_event_unref(event);
	if (r < 0)
		return log_error_errno(r, "monitor failed"), EXIT_TROUBLE;
	return EXIT_OK;
}
