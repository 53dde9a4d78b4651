// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <inttypes.h>

#include "core/owner.h"
#include "core/trace.h"
#include "core/util.h"

#define EXPLAIN_MAX 1024

struct json_object *pt_json_address(uint64_t a)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, a);
	return json_object_new_string(buf);
}

int pt_print_entry_line(FILE *f, uint64_t start, uint64_t end, int type)
{
	/* memtype_seq_show() */
	return fprintf(f, "PAT: [mem 0x%016" PRIx64 "-0x%016" PRIx64 "] %s", start, end,
		       pt_type_name(type));
}

static int print_line(const struct pt_entry_info *e, void *userdata)
{
	FILE *f = userdata;

	pt_print_entry_line(f, e->start, e->end, e->type);
	fputc('\n', f);
	return 0;
}

int pt_print_table(FILE *f, const struct pt_model *m)
{
	fputs("PAT memtype list:\n", f);
	pt_model_foreach_entry(m, 0, UINT64_MAX, print_line, f);
	return ferror(f) ? -EIO : 0;
}

void pt_print_anomaly(FILE *f, const struct pt_model *m, const struct pt_anomaly *a,
		      bool stack)
{
	const struct pt_strtab *st = pt_model_strings_const(m);
	const char *comm = pt_strtab_get(st, a->comm);
	const char *sev = pt_severity_name(a->severity);
	char kind[32], buf[EXPLAIN_MAX];

	snprintf(kind, sizeof(kind), "%s%s%s", pt_anomaly_kind_name(a->kind), sev ? "/" : "",
		 sev ? sev : "");
	fprintf(f, "  %-16s 0x%016" PRIx64 "-0x%016" PRIx64 " %-15s pid %-7" PRId32
		   " %-16s seq %-6" PRIu64 " %s\n",
		kind, a->start, a->end, pt_type_name(a->type) ?: "-", a->pid, *comm ? comm : "-",
		a->seq, pt_anomaly_explain(m, a, buf, sizeof(buf)));
	if (stack && a->stack) {
		const char *p = pt_strtab_get(st, a->stack);

		while (*p) {
			size_t len = strcspn(p, "\n");

			fprintf(f, "      %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
	}
}

void pt_print_anomalies(FILE *f, const struct pt_model *m)
{
	size_t n = pt_model_anomaly_count(m);

	fprintf(f, "Anomalies (%zu):\n", n);
	for (size_t i = 0; i < n; i++)
		pt_print_anomaly(f, m, pt_model_anomaly(m, i), false);
}

static void add(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v);
}

static struct json_object *type_or_null(int type)
{
	const char *n = pt_type_name(type);

	return n ? json_object_new_string(n) : NULL;
}

static struct json_object *stack_array(const char *stack)
{
	struct json_object *arr = json_object_new_array();
	const char *p = stack;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		json_object_array_add(arr, json_object_new_string_len(p, (int)len));
		p = nl ? nl + 1 : p + len;
	}
	return arr;
}

/* "device" and "bar" of the PCI BAR holding [start, end), and its "bound_driver"; nothing if none. */
static void add_device(struct json_object *o, const struct pt_model *m, uint64_t start,
		       uint64_t end)
{
	struct pt_device_info d;

	if (!pt_model_device_at(m, start, end, &d))
		return;
	add(o, "device", json_object_new_string(d.device));
	add(o, "bar", json_object_new_int(d.bar));
	add(o, "bound_driver", *d.driver ? json_object_new_string(d.driver) : NULL);
}

struct json_object *pt_json_entry(const struct pt_model *m, const struct pt_entry_info *e)
{
	struct json_object *o = json_object_new_object();

	add(o, "start", pt_json_address(e->start));
	add(o, "end", pt_json_address(e->end));
	add(o, "type", type_or_null(e->type));
	add(o, "pid", json_object_new_int(e->pid));
	add(o, "comm", json_object_new_string(e->comm));
	add(o, "seq", json_object_new_uint64(e->seq));
	if (e->ts_ns)
		add(o, "ts_ns", json_object_new_uint64(e->ts_ns));
	if (*e->stack)
		add(o, "stack", stack_array(e->stack));
	add(o, "preexisting", json_object_new_boolean(e->preexisting));
	add(o, "shrunk", json_object_new_boolean(e->shrunk));
	add(o, "owner_exited", json_object_new_boolean(e->owner_exited));
	add(o, "owner", json_object_new_string(pt_owner_class_name(e->owner)));
	if (e->owner == PT_OWNER_DRIVER) {
		add(o, "driver", json_object_new_string(e->driver));
		add(o, "call", json_object_new_string(e->call));
	}
	add_device(o, m, e->start, e->end);
	return o;
}

struct entries {
	const struct pt_model *m;
	struct json_object *arr;
};

static int add_entry(const struct pt_entry_info *e, void *userdata)
{
	struct entries *x = userdata;

	json_object_array_add(x->arr, pt_json_entry(x->m, e));
	return 0;
}

struct json_object *pt_json_entries(const struct pt_model *m)
{
	struct entries x = { m, json_object_new_array() };

	pt_model_foreach_entry(m, 0, UINT64_MAX, add_entry, &x);
	return x.arr;
}

/* A driver's leak: the module that made it, and the unbind or unload that ended its hold. */
static void add_driver_leak(struct json_object *o, const struct pt_model *m,
			    const struct pt_anomaly *a)
{
	const struct pt_strtab *st = pt_model_strings_const(m);
	const struct pt_driver_leak *l = pt_model_driver_leak(m, a);
	struct json_object *g = json_object_new_object();

	add(o, "driver", json_object_new_string(pt_strtab_get(st, l->module)));
	add(g, "event", json_object_new_string(l->unloaded ? "unload" : "unbind"));
	if (l->unloaded) {
		add(g, "module", json_object_new_string(pt_strtab_get(st, l->driver)));
	} else {
		add(g, "driver", json_object_new_string(pt_strtab_get(st, l->driver)));
		add(g, "device", json_object_new_string(pt_strtab_get(st, l->device)));
		add(g, "bar", json_object_new_int(l->bar));
	}
	add(g, "pid", json_object_new_int(l->pid));
	add(g, "comm", json_object_new_string(pt_strtab_get(st, l->comm)));
	add(g, "seq", json_object_new_uint64(l->seq));
	add(o, "owner_gone", g);
}

struct json_object *pt_json_anomaly(const struct pt_model *m, const struct pt_anomaly *a)
{
	const struct pt_strtab *st = pt_model_strings_const(m);
	struct json_object *o = json_object_new_object();
	char buf[EXPLAIN_MAX];

	add(o, "kind", json_object_new_string(pt_anomaly_kind_name(a->kind)));
	add(o, "start", pt_json_address(a->start));
	add(o, "end", pt_json_address(a->end));
	add(o, "type", type_or_null(a->type));
	add(o, "pid", json_object_new_int(a->pid));
	add(o, "comm", json_object_new_string(pt_strtab_get(st, a->comm)));
	add(o, "seq", json_object_new_uint64(a->seq));
	add(o, "detail", json_object_new_string(pt_anomaly_explain(m, a, buf, sizeof(buf))));
	if (a->kind == PT_AN_LEAK)
		add(o, "owner", json_object_new_string(pt_owner_class_name(a->owner)));
	if (pt_model_driver_leak(m, a))
		add_driver_leak(o, m, a);
	if (a->start < a->end)
		add_device(o, m, a->start, a->end);
	if (pt_severity_name(a->severity))
		add(o, "severity", json_object_new_string(pt_severity_name(a->severity)));
	if (a->req != PT_TYPE_NONE)
		add(o, "req", type_or_null(a->req));
	if (a->got != PT_TYPE_NONE)
		add(o, "got", type_or_null(a->got));
	if (a->kind == PT_AN_LOSS) {
		add(o, "lost", json_object_new_uint64(a->lost));
		add(o, "resynced", json_object_new_boolean(a->resynced));
		add(o, "added", json_object_new_uint64(a->added));
		add(o, "removed", json_object_new_uint64(a->removed));
		add(o, "drift_excused", json_object_new_uint64(a->excused));
	}
	if (a->kind == PT_AN_DRIFT && a->event == PT_EV_SYNC_END) {
		add(o, "found_in", json_object_new_string(a->kernel_only ? "kernel" : "model"));
	} else if (a->kind == PT_AN_DRIFT) {
		add(o, "ret", json_object_new_int(a->ret));
		add(o, "predicted_ret", json_object_new_int(a->pred_ret));
		if (a->pred_got != PT_TYPE_NONE)
			add(o, "predicted_got", type_or_null(a->pred_got));
	}
	if (a->ts_ns)
		add(o, "ts_ns", json_object_new_uint64(a->ts_ns));
	if (a->stack)
		add(o, "stack", stack_array(pt_strtab_get(st, a->stack)));
	if (a->n_parties) {
		struct json_object *arr = json_object_new_array();

		for (unsigned i = 0; i < a->n_parties; i++) {
			const struct pt_party *p = &a->party[i];
			struct json_object *po = json_object_new_object();

			add(po, "start", pt_json_address(p->start));
			add(po, "end", pt_json_address(p->end));
			add(po, "type", type_or_null(p->type));
			add(po, "pid", json_object_new_int(p->pid));
			add(po, "comm", json_object_new_string(pt_strtab_get(st, p->comm)));
			add(po, "seq", json_object_new_uint64(p->seq));
			json_object_array_add(arr, po);
		}
		add(o, "entries", arr);
	}
	return o;
}

struct json_object *pt_json_anomalies(const struct pt_model *m)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		json_object_array_add(arr, pt_json_anomaly(m, pt_model_anomaly(m, i)));
	return arr;
}

struct json_object *pt_json_stats(const struct pt_model *m)
{
	const struct pt_stats *s = pt_model_stats(m);
	struct json_object *o = json_object_new_object();
	struct json_object *ev = json_object_new_object();
	struct json_object *an = json_object_new_object();

	for (int i = 0; i < _PT_EV_MAX; i++)
		add(ev, pt_event_kind_name(i), json_object_new_uint64(s->events[i]));
	for (int i = 0; i < _PT_AN_MAX; i++)
		add(an, pt_anomaly_kind_name(i), json_object_new_uint64(s->anomalies[i]));
	add(o, "events", ev);
	add(o, "anomalies", an);
	add(o, "reserves_failed", json_object_new_uint64(s->reserves_failed));
	add(o, "frees_failed", json_object_new_uint64(s->frees_failed));
	add(o, "entries", json_object_new_uint64(pt_model_entry_count(m)));
	add(o, "max_entries", json_object_new_uint64(s->max_entries));
	return o;
}

int pt_json_print(FILE *f, struct json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);

	fputs(json_object_to_json_string_ext(o, flags), f);
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}

char *pt_format_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < ELEMENTSOF(units)) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == (double)(uint64_t)v)
		snprintf(buf, size, "%" PRIu64 " %s", (uint64_t)v, units[u]);
	else
		snprintf(buf, size, "%.1f %s", v, units[u]);
	return buf;
}
