// SPDX-License-Identifier: GPL-2.0-or-later
/* pattrackctl replay: a trace file through the model, and what it found. */
#include <inttypes.h>

#include "core/trace.h"
#include "core/util.h"
#include "ctl.h"
#include "junit.h"
#include "report.h"

static bool anomaly_matches(const struct pt_model *m, unsigned mask)
{
	const struct pt_stats *s = pt_model_stats(m);

	for (int k = 0; k < _PT_AN_MAX; k++)
		if ((mask & (1u << k)) && s->anomalies[k])
			return true;
	return false;
}

static bool every(const struct pt_model *m, const struct pt_anomaly *a, void *userdata)
{
	(void)m, (void)a, (void)userdata;
	return true;
}

int ctl_print_anomaly_table(const struct pt_model *m, const struct ctl_term *term)
{
	static const char *const header[] = { "KIND", "RANGE", "TYPE", "OWNER", "SEQ", "EXPLANATION" };
	_cleanup_(table_freep) struct table *t = table_new(header, ELEMENTSOF(header));
	const struct pt_strtab *st = pt_model_strings_const(m);

	if (!t)
		return -ENOMEM;
	table_set_below(t, 5);
	table_set_shrink(t, 3, 1, 12);
	for (size_t i = 0; i < pt_model_anomaly_count(m); i++) {
		const struct pt_anomaly *a = pt_model_anomaly(m, i);
		const char *sev = pt_severity_name(a->severity), *comm = pt_strtab_get(st, a->comm);
		char kind[32], range[48], owner[64], seq[24], why[1024];
		int r;

		snprintf(kind, sizeof(kind), "%s%s%s", pt_anomaly_kind_name(a->kind), sev ? "/" : "",
			 sev ?: "");
		/* as the explanations write ranges: short, so that there is room for them */
		snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64, a->start, a->end);
		snprintf(owner, sizeof(owner), "pid %" PRId32 " (%s)", a->pid, *comm ? comm : "-");
		snprintf(seq, sizeof(seq), "%" PRIu64, a->seq);
		r = table_add(t, (const char *[]){ kind, range, pt_type_name(a->type) ?: "-", owner, seq,
						   pt_anomaly_explain(m, a, why, sizeof(why)) },
			      ctl_anomaly_color(pt_anomaly_kind_name(a->kind), sev));
		if (r < 0)
			return r;
	}
	printf("Anomalies (%zu):\n", pt_model_anomaly_count(m));
	if (pt_model_anomaly_count(m))
		table_print(t, stdout, term);
	return 0;
}

int verb_replay(int argc, char *argv[], const struct ctl_options *o)
{
	uint64_t began = now_ns(CLOCK_MONOTONIC);
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *reader = NULL;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	uint64_t rejected = 0;
	struct pt_event ev;
	int r;

	(void)argc;
	r = pt_trace_reader_open(argv[0], &reader);
	if (r < 0) {
		log_error_errno(r, "cannot open %s", argv[0]);
		return EXIT_TROUBLE;
	}
	r = pt_model_new(&m);
	if (r < 0) {
		log_error_errno(r, "cannot create the model");
		return EXIT_TROUBLE;
	}

	while ((r = pt_trace_read(reader, &ev)) != 0) {
		if (r == -EBADMSG) {
			log_error("%s:%lu: malformed line: %s", pt_trace_name(reader),
				  pt_trace_line(reader), pt_trace_error(reader));
			if (o->strict)
				return EXIT_TROUBLE;
			continue;
		}
		if (r < 0) {
			log_error_errno(r, "%s: read error", pt_trace_name(reader));
			return EXIT_TROUBLE;
		}
		r = pt_model_apply(m, &ev);
		if (r == -ENOMEM) {
			log_error_errno(r, "out of memory");
			return EXIT_TROUBLE;
		}
		if (r < 0) {
			rejected++;
			log_error_errno(r, "%s:%lu: event rejected", pt_trace_name(reader),
					pt_trace_line(reader));
			if (o->strict)
				return EXIT_TROUBLE;
		}
	}
	r = pt_model_judge_leaks(m);
	if (r < 0) {
		log_error_errno(r, "cannot judge leaks");
		return EXIT_TROUBLE;
	}

	if (o->json) {
		_cleanup_json_ struct json_object *out = json_object_new_object();
		struct json_object *stats = pt_json_stats(m);
		const struct pt_trace_counts *tc = pt_trace_counts(reader);

		json_object_object_add(stats, "lines", json_object_new_uint64(tc->lines));
		json_object_object_add(stats, "unknown_events", json_object_new_uint64(tc->unknown_events));
		json_object_object_add(stats, "malformed_lines", json_object_new_uint64(tc->malformed));
		json_object_object_add(stats, "rejected_events", json_object_new_uint64(rejected));
		json_object_object_add(out, "entries", pt_json_entries(m));
		json_object_object_add(out, "anomalies", pt_json_anomalies(m));
		json_object_object_add(out, "stats", stats);
		pt_json_print(stdout, out, isatty(STDOUT_FILENO));
	} else {
		const struct pt_trace_counts *tc = pt_trace_counts(reader);

		pt_print_table(stdout, m);
		fputc('\n', stdout);
		if (!o->term.tty)
			pt_print_anomalies(stdout, m);
		else if (ctl_print_anomaly_table(m, &o->term) < 0)
			return log_error_errno(-ENOMEM, "cannot make the table"), EXIT_TROUBLE;
		if (tc->unknown_events || tc->malformed || rejected)
			fprintf(stdout, "\nSkipped: %" PRIu64 " unknown events, %" PRIu64
				" malformed lines, %" PRIu64 " rejected events\n",
				tc->unknown_events, tc->malformed, rejected);
	}
	if (fflush(stdout) != 0) {
		log_error_errno(-errno, "cannot write output");
		return EXIT_TROUBLE;
	}
	if (o->junit) {
		_cleanup_free_ char *suite = NULL;
		struct pt_junit j = { .seconds = (double)(now_ns(CLOCK_MONOTONIC) - began) / 1e9, .pick = every };

		if (asprintf(&suite, "pattrackctl replay %s", argv[0]) < 0)
			return log_error_errno(-ENOMEM, "cannot name the report"), EXIT_TROUBLE;
		j.suite = suite;
		if (pt_junit_write(o->junit, m, o->fail_on, &j) < 0)
			return EXIT_TROUBLE;
	}
	return anomaly_matches(m, o->fail_on) ? EXIT_ANOMALY : EXIT_OK;
}
