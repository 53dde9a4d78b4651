// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackctl run: a command and its descendants followed from their first
 * instruction, and what they leaked, conflicted on or degraded.  The CI gate.
 */
#include <inttypes.h>

#include "core/owner.h"
#include "core/trace.h"
#include "core/util.h"
#include "ctl.h"
#include "junit.h"
#include "live.h"
#include "report.h"

struct run_ctx {
	struct pt_model *m;
	struct lineage lineage;
	FILE *trace;	/* also record, or NULL */
};

static int run_event(const struct pt_event *ev, void *userdata)
{
	struct run_ctx *c = userdata;
	int r;

	if (ev->kind == PT_EV_FORK && followed(&c->lineage, ev->pid))
		follow(&c->lineage, ev->child);
	if (c->trace) {
		r = pt_trace_write_event(c->trace, ev);
		if (r < 0)
			return r;
	}
	r = pt_model_apply(c->m, ev);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		log_warning("event %" PRIu64 " rejected by the model", ev->seq);
	return 0;
}

/*
 * Whether @a is COMMAND's: its processes made the reservation or the call,
 * or, for a driver's leak, unbound the driver or unloaded the module.
 */
static bool concerns(const struct pt_model *m, const struct lineage *l, const struct pt_anomaly *a)
{
	const struct pt_driver_leak *d = pt_model_driver_leak(m, a);

	return followed(l, a->pid) || (d && followed(l, d->pid));
}

/* The kernel mappings COMMAND's processes made for drivers, which keep them on purpose. */
struct held {
	const struct pt_model *m;
	const struct lineage *lineage;
	struct json_object *json;	/* the array, or NULL for text */
	bool print;		/* text: print each, else only count them */
	size_t n;
};

static int held_entry(const struct pt_entry_info *e, void *userdata)
{
	struct held *h = userdata;
	struct pt_device_info d;
	char where[64] = "";

	if (e->owner != PT_OWNER_DRIVER || e->leaked || !followed(h->lineage, e->pid))
		return 0;
	h->n++;
	if (h->json) {
		json_object_array_add(h->json, pt_json_entry(h->m, e));
		return 0;
	}
	if (!h->print)
		return 0;
	if (pt_model_device_at(h->m, e->start, e->end, &d))
		snprintf(where, sizeof(where), " for %s BAR%d", d.device, d.bar);
	printf("  0x%016" PRIx64 "-0x%016" PRIx64 " %s %s, held by %s%s; reserved by pid %" PRId32
	       " (%s)\n", e->start, e->end, pt_type_name(e->type), e->call, e->driver, where, e->pid,
	       *e->comm ? e->comm : "-");
	return 0;
}

static bool pick_followed(const struct pt_model *m, const struct pt_anomaly *a, void *userdata)
{
	return concerns(m, userdata, a);
}

/* The report: the kinds --fail-on checks, and the command's exit status. */
static int write_junit(const struct ctl_options *o, const struct pt_model *m, char *argv[],
		       const struct lineage *l, int status, double seconds)
{
	_cleanup_free_ char *suite = NULL;
	struct pt_junit j = {
		.seconds = seconds, .command = argv[0], .status = status,
		.pick = pick_followed, .userdata = (void *)l,
	};

	if (asprintf(&suite, "pattrackctl run %s", argv[0]) < 0)
		return log_error_errno(-ENOMEM, "cannot name the report");
	j.suite = suite;
	return pt_junit_write(o->junit, m, o->fail_on, &j);
}

int verb_run(int argc, char *argv[], const struct ctl_options *o)
{
	uint64_t began = now_ns(CLOCK_MONOTONIC);
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_iomem iomem = { 0 };
	struct pt_pci pci = { 0 };
	struct run_ctx c = { 0 };
	struct pt_kallsyms *syms = NULL;
	struct pt_source src = { 0 };
	const char *output = o->output;
	unsigned found = 0;
	pid_t child = 0;
	uint64_t lost = 0;
	size_t shown = 0;
	struct held held = { 0 };
	int r, status = 0, ret = EXIT_TROUBLE;

	(void)argc;
	r = pt_model_new(&m);
	if (r < 0)
		return log_error_errno(r, "cannot create the model"), EXIT_TROUBLE;
	c.m = m;
	{
		_cleanup_fclose_ FILE *pm = fopen("/proc/sys/kernel/pid_max", "re");
		unsigned long max = 4194304;

		if (pm && fscanf(pm, "%lu", &max) != 1)
			max = 4194304;
		c.lineage.max = (uint32_t)max + 1;
		c.lineage.bits = calloc(c.lineage.max / 64 + 1, sizeof(uint64_t));
		if (!c.lineage.bits)
			return log_error_errno(-ENOMEM, "cannot follow processes"), EXIT_TROUBLE;
	}
	/* subscribe, then read the table, as record does: nothing falls between unseen */
	if (source_open(o->source, run_event, &c,
			&src) < 0)
		goto out;
	syms = source_symbolize(&src);
	if (load_host(m, &iomem, &pci) < 0)
		goto out;
	if (output) {
		c.trace = fopen(output, "we");
		if (!c.trace) {
			log_error_errno(-errno, "cannot create %s", output);
			goto out;
		}
		/* the opening is the very table the model starts from */
		if (write_opening(c.trace, src.ops->name, m, &iomem, &pci) < 0) {
			log_error_errno(-EIO, "cannot write %s", output);
			goto out;
		}
	}

	/* the command is followed from its first instruction: fork, then mark, then read */
	if (!(src.ops->caps & PT_SOURCE_OWNERS))
		log_warning("the debugfs source sees no calls: only what the kernel logs "
			    "(conflicts, invalid frees) can be attributed to %s", argv[0]);
	r = follow_command(&src, run_event, &c, argv, &c.lineage, &child, &status);
	if (r < 0)
		goto out;
	lost = pt_source_lost(&src);
	r = pt_model_judge_leaks(m);
	if (r < 0)
		goto out;
	held.m = m;
	held.lineage = &c.lineage;

	for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
		if (concerns(m, &c.lineage, pt_model_anomaly(m, i))) {
			found |= 1u << pt_model_anomaly(m, i)->kind;
			shown++;
		}
	if (o->json) {
		_cleanup_json_ struct json_object *out = json_object_new_object();
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
			if (concerns(m, &c.lineage, pt_model_anomaly(m, i)))
				json_object_array_add(arr, pt_json_anomaly(m, pt_model_anomaly(m, i)));
		json_object_object_add(out, "command", json_object_new_string(argv[0]));
		json_object_object_add(out, "exit_status", json_object_new_int(exit_status_of(status)));
		json_object_object_add(out, "processes", json_object_new_uint64(c.lineage.count));
		json_object_object_add(out, "events_lost", json_object_new_uint64(lost));
		json_object_object_add(out, "anomalies", arr);
		held.json = json_object_new_array();
		pt_model_foreach_entry(m, 0, UINT64_MAX, held_entry, &held);
		json_object_object_add(out, "held_by_drivers", held.json);
		pt_json_print(stdout, out, isatty(STDOUT_FILENO));
	} else {
		printf("pattrackctl run: %s exited with status %d; %zu processes followed; "
		       "%zu anomalies:\n", argv[0], exit_status_of(status), c.lineage.count,
		       shown);
		for (size_t i = 0; i < pt_model_anomaly_count(m); i++)
			if (concerns(m, &c.lineage, pt_model_anomaly(m, i)))
				pt_print_anomaly(stdout, m, pt_model_anomaly(m, i), true);
		/* what drivers keep is no leak while they are bound: said, not failed on */
		pt_model_foreach_entry(m, 0, UINT64_MAX, held_entry, &held);
		if (held.n) {
			printf("%zu kernel mappings made for drivers are still held by them "
			       "(not leaks while they are bound):\n", held.n);
			held.print = true;
			pt_model_foreach_entry(m, 0, UINT64_MAX, held_entry, &held);
		}
	}
	if (lost)
		log_warning("%" PRIu64 " events were lost: the verdict may be incomplete", lost);
	fflush(stdout);
	ret = (found & o->fail_on) ? EXIT_ANOMALY : exit_status_of(status);
	if (o->junit && write_junit(o, m, argv, &c.lineage, exit_status_of(status), (double)(now_ns(CLOCK_MONOTONIC) - began) / 1e9) < 0)
		ret = EXIT_TROUBLE;

out:
	pt_iomem_done(&iomem);
	pt_pci_done(&pci);
	pt_source_close(&src);
	pt_kallsyms_free(syms);
	if (c.trace)
		fclose(c.trace);
	free(c.lineage.bits);
	return ret;
}
