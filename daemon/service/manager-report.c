// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What pattrackd found, told: each anomaly once to the journal and as an
 * Anomaly signal on the bus, and what is counted rather than told, as a
 * count now and then.  Recording is the model's; this only reports.
 */
#include <inttypes.h>
#include <systemd/sd-journal.h>

#include "core/owner.h"
#include "core/util.h"
#include "manager-bus.h"
#include "manager.h"
#include "metrics.h"

#define EXPLAIN_MAX 512

/*
 * Each anomaly kind in the journal: its MESSAGE_ID, which
 * systemd/pattrack.catalog explains, and its priority.
 */
static const struct {
	const char *message_id;
	int priority;
} journal_kinds[_PT_AN_MAX] = {
	[PT_AN_CONFLICT] = { "34f173d121ce416f95cb91ecbcd0c2e9", LOG_WARNING },
	[PT_AN_DEGRADED] = { "bc89f4eaaadd4ba18564eb4b635bed44", LOG_NOTICE },	/* hazard: LOG_WARNING */
	[PT_AN_INVALID_FREE] = { "164728fc156b462e816e38079e016624", LOG_NOTICE },
	[PT_AN_LEAK] = { "3d10dd9f81904370949a5804d7f05688", LOG_WARNING },
	[PT_AN_DRIFT] = { "ee312808d43b4f04a3cf3d90c00cf372", LOG_WARNING },
	[PT_AN_LOSS] = { "7943675eb0f64573be4ef25cf0014094", LOG_ERR },
};

static int anomaly_priority(const struct pt_anomaly *a)
{
	if (a->kind == PT_AN_DEGRADED && a->severity == PT_SEV_HAZARD)
		return LOG_WARNING;
	return journal_kinds[a->kind].priority;
}

static void journal_anomaly(struct manager *m, const struct pt_anomaly *a)
{
	const struct pt_strtab *st = pt_model_strings_const(m->model);
	const char *kind = pt_anomaly_kind_name(a->kind);
	const char *type = pt_type_name(a->type);
	struct pt_owner_info o;
	char buf[EXPLAIN_MAX];

	pt_anomaly_explain(m->model, a, buf, sizeof(buf));
	pt_anomaly_owner(m->model, a, &o);
	if (!m->journal) {
		fprintf(stderr, "pattrackd: %s: %s\n", kind, buf);
		return;
	}
	sd_journal_send("MESSAGE=%s: %s", kind, buf,
			"PRIORITY=%d", anomaly_priority(a),
			"MESSAGE_ID=%s", journal_kinds[a->kind].message_id,
			"PATTRACK_KIND=%s", kind,
			"PATTRACK_START=0x%" PRIx64, a->start,
			"PATTRACK_END=0x%" PRIx64, a->end,
			"PATTRACK_TYPE=%s", type ? type : "",
			"PATTRACK_PID=%" PRId32, a->pid,
			"PATTRACK_COMM=%s", pt_strtab_get(st, a->comm),
			"PATTRACK_SEQ=%" PRIu64, a->seq,
			"PATTRACK_SEVERITY=%s", pt_severity_name(a->severity) ?: "",
			"PATTRACK_OWNER=%s", pt_owner_class_name(o.owner),
			"PATTRACK_DRIVER=%s", o.driver,
			"PATTRACK_DEVICE=%s", o.device,
			"PATTRACK_BAR=%d", o.bar,
			"PATTRACK_STACK=%s", pt_strtab_get(st, a->stack),
			NULL);
}

/*
 * What is counted rather than told, told as a count: at most once per
 * NOTE_USEC each, and once more at the end.
 */
#define NOTE_USEC (10 * 1000000ULL)

static void note(struct pt_note *n, uint64_t total, bool now, const char *what)
{
	uint64_t t = now_ns(CLOCK_MONOTONIC) / 1000;

	if (total == n->said || (!now && n->at_usec && t - n->at_usec < NOTE_USEC))
		return;
	log_warning("%" PRIu64 " %s (%" PRIu64 " in all)", total - n->said, what, total);
	n->said = total;
	n->at_usec = t;
}

void manager_note_counts(struct manager *m, bool now)
{
	const struct pt_stats *st = pt_model_stats(m->model);

	note(&m->notes[0], st->anomaly_repeats, now,
	     "repeats of anomalies already told, counted on their records (ListAnomalies)");
	note(&m->notes[1], st->anomalies_dropped, now,
	     "anomalies not stored: the store is full (AnomalyLimit=, pattrackd.conf(5))");
	note(&m->notes[2], m->rejected, now,
	     "events the model refused as malformed (EventsRejected)");
	note(&m->notes[3], m->signals_dropped, now,
	     "Anomaly signals not sent: the bus was behind (ListAnomalies has them)");
}

/*
 * The Anomaly signal, unless the bus is this far behind: a burst of a
 * hundred thousand anomalies would queue every signal in pattrackd's
 * memory.  What is not sent is counted and told; ListAnomalies has it.
 */
#define SIGNALS_QUEUED_MAX 1024

static void signal_anomaly(struct manager *m, const struct pt_anomaly *a)
{
	uint64_t queued = 0;

	if (sd_bus_get_n_queued_write(m->bus, &queued) >= 0 && queued >= SIGNALS_QUEUED_MAX) {
		m->signals_dropped++;
		return;
	}
	(void)manager_bus_emit_anomaly(m, a);
}

void manager_report_anomalies(struct manager *m)
{
	size_t n = pt_model_anomaly_count(m->model);

	if (m->anomalies_reported < n)
		manager_metrics_soon(m);	/* alerting hears of it within a scrape */

	for (; m->anomalies_reported < n; m->anomalies_reported++) {
		const struct pt_anomaly *a = pt_model_anomaly(m->model, m->anomalies_reported);

		journal_anomaly(m, a);
		if (m->bus)
			signal_anomaly(m, a);
	}
	/* what was announced is not taken back */
	pt_model_settle(m->model);
	manager_note_counts(m, false);
}
