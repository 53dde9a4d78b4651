// SPDX-License-Identifier: GPL-2.0-or-later
/* The Prometheus textfile (metrics.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "core/owner.h"
#include "core/util.h"
#include "manager.h"
#include "metrics.h"

/* A label's value, escaped as the exposition format wants: \\, \" and \n. */
static void put_label(FILE *f, const char *name, const char *value, bool first)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The table, by type and by owner, in one pass. */
struct table_counts {
	uint64_t entries[PATTRACK_TYPE_NR], bytes[PATTRACK_TYPE_NR];
	uint64_t leaked[_PT_OWNER_MAX];
};

static int count_entry(const struct pt_entry_info *e, void *userdata)
{
	struct table_counts *c = userdata;

	if (e->type >= 0 && e->type < PATTRACK_TYPE_NR) {
		c->entries[e->type]++;
		c->bytes[e->type] += e->end - e->start;
	}
	if (e->leaked && (unsigned)e->owner < _PT_OWNER_MAX)
		c->leaked[e->owner]++;
	return 0;
}

/*
 * Each anomaly's owner class, for its label: worked out once per anomaly
 * (it reads the stack), as the anomalies become final.
 */
static int label_owners(struct manager *m)
{
	size_t n = m->anomalies_reported;

	if (GROW_ARRAY(m->metric_owner, m->cap_metric_owner, n, 64) < 0)
		return -ENOMEM;
	for (; m->n_metric_owner < n; m->n_metric_owner++) {
		struct pt_owner_info o;

		pt_anomaly_owner(m->model, pt_model_anomaly(m->model, m->n_metric_owner), &o);
		m->metric_owner[m->n_metric_owner] = (uint8_t)o.owner;
	}
	return 0;
}

#define N_SEVERITIES (PT_SEV_HAZARD + 1)

static void put_anomalies(FILE *f, struct manager *m)
{
	uint64_t count[_PT_AN_MAX][N_SEVERITIES][_PT_OWNER_MAX] = { 0 };
	uint64_t drift = 0;

	/* what was told, with its repeats: records are never taken back once told */
	for (size_t i = 0; i < m->n_metric_owner; i++) {
		const struct pt_anomaly *a = pt_model_anomaly(m->model, i);
		unsigned sev = a->kind == PT_AN_DEGRADED && a->severity < N_SEVERITIES ? a->severity : 0;

		count[a->kind][sev][m->metric_owner[i] % _PT_OWNER_MAX] += 1 + (uint64_t)a->repeats;
	}
	family(f, "pattrack_anomalies_total", "counter",
	       "Anomalies found, repeats included, by kind, severity (degraded mappings: slow or "
	       "hazard) and owner of the reservation (process, driver or unknown).");
	for (int k = 0; k < _PT_AN_MAX; k++)
		for (unsigned s = 0; s < N_SEVERITIES; s++) {
			if ((k == PT_AN_DEGRADED) != (s != PT_SEV_NONE))
				continue;	/* a severity is a degraded mapping's only */
			for (int o = 0; o < _PT_OWNER_MAX; o++) {
				fputs("pattrack_anomalies_total{", f);
				put_label(f, "kind", pt_anomaly_kind_name(k), true);
				put_label(f, "severity", pt_severity_name(s) ?: "", false);
				put_label(f, "owner", pt_owner_class_name(o), false);
				fprintf(f, "} %" PRIu64 "\n", count[k][s][o]);
				if (k == PT_AN_DRIFT)
					drift += count[k][s][o];
			}
		}
	family(f, "pattrack_drift_total", "counter",
	       "Differences between the kernel's memtype table and pattrackd's model.");
	fprintf(f, "pattrack_drift_total %" PRIu64 "\n", drift);
	family(f, "pattrack_anomalies_dropped_total", "counter",
	       "Anomalies not stored, the store being full (AnomalyLimit=).");
	fprintf(f, "pattrack_anomalies_dropped_total %" PRIu64 "\n",
		pt_model_stats(m->model)->anomalies_dropped);
}

static void put_table(FILE *f, const struct manager *m)
{
	struct table_counts c = { 0 };

	(void)pt_model_foreach_entry(m->model, 0, UINT64_MAX, count_entry, &c);
	family(f, "pattrack_entries", "gauge", "Memtype reservations in the table, by memory type.");
	for (int t = 0; t < PATTRACK_TYPE_NR; t++) {
		fputs("pattrack_entries{", f);
		put_label(f, "type", pt_type_name(t), true);
		fprintf(f, "} %" PRIu64 "\n", c.entries[t]);
	}
	family(f, "pattrack_reserved_bytes", "gauge", "Bytes reserved in the table, by memory type.");
	for (int t = 0; t < PATTRACK_TYPE_NR; t++) {
		fputs("pattrack_reserved_bytes{", f);
		put_label(f, "type", pt_type_name(t), true);
		fprintf(f, "} %" PRIu64 "\n", c.bytes[t]);
	}
	family(f, "pattrack_leaked_entries", "gauge",
	       "Leaked reservations still reserved now, by owner (process or driver).");
	for (int o = 0; o < PT_OWNER_UNKNOWN; o++) {
		fputs("pattrack_leaked_entries{", f);
		put_label(f, "owner", pt_owner_class_name(o), true);
		fprintf(f, "} %" PRIu64 "\n", c.leaked[o]);
	}
}

int manager_metrics(struct manager *m, bool up, char **ret)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	FILE *f;
	int r;

	r = label_owners(m);
	if (r < 0)
		return r;
	f = open_memstream(&text, &len);
	if (!f)
		return -ENOMEM;
	family(f, "pattrack_up", "gauge", "1 while pattrackd tracks; 0 once it has stopped.");
	fprintf(f, "pattrack_up %d\n", up);
	family(f, "pattrack_info", "gauge", "pattrackd's version, its event source and the kernel it runs on.");
	fputs("pattrack_info{", f);
	put_label(f, "version", PATTRACK_VERSION, true);
	put_label(f, "source", m->source.ops ? m->source.ops->name : "replay", false);
	put_label(f, "kernel", m->kernel_release, false);
	fputs("} 1\n", f);
	put_table(f, m);
	put_anomalies(f, m);
	family(f, "pattrack_events_total", "counter", "Reserve, free and other events applied to the model.");
	fprintf(f, "pattrack_events_total %" PRIu64 "\n", m->events);
	family(f, "pattrack_events_lost_total", "counter", "Events the source lost (each loss resynchronised the table).");
	fprintf(f, "pattrack_events_lost_total %" PRIu64 "\n", m->lost);
	family(f, "pattrack_events_rejected_total", "counter", "Events the model refused as malformed.");
	fprintf(f, "pattrack_events_rejected_total %" PRIu64 "\n", m->rejected);
	family(f, "pattrack_last_reconcile_timestamp_seconds", "gauge",
	       "When the table was last compared with the kernel's list (Unix time; 0: never).");
	fprintf(f, "pattrack_last_reconcile_timestamp_seconds %" PRIu64 "\n",
		m->last_reconcile_usec / 1000000);
	if (fclose(f) != 0)
		return -ENOMEM;
	*ret = TAKE_PTR(text);
	return 0;
}

int manager_metrics_write(struct manager *m, bool up)
{
	_cleanup_free_ char *text = NULL, *path = NULL, *tmp = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	if (!m->metrics_dir)
		return 0;
	r = manager_metrics(m, up, &text);
	if (r < 0)
		return r;
	if (asprintf(&path, "%s/" PT_METRICS_FILE, m->metrics_dir) < 0 ||
	    asprintf(&tmp, "%s/." PT_METRICS_FILE ".new", m->metrics_dir) < 0)
		return -ENOMEM;
	/* node_exporter reads *.prom only: the temporary name is not one */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	len = strlen(text);
	if (fd < 0 || fchmod(fd, 0644) < 0)	/* node_exporter is not root: whatever the umask */
		r = -errno;
	else {
		ssize_t n = write(fd, text, len);

		if (n < 0)
			r = -errno;
		else if ((size_t)n != len)
			r = -EIO;
		else if (rename(tmp, path) < 0)
			r = -errno;
	}
	if (r < 0) {
		if (fd >= 0)
			(void)unlink(tmp);
		if (!m->metrics_failing)
			log_warning("cannot write the metrics to %s: %s", path, strerror(-r));
		m->metrics_failing = true;
		return r;
	}
	if (m->metrics_failing)
		log_info("the metrics are written to %s again", path);
	m->metrics_failing = false;
	return 0;
}

static int on_metrics_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	(void)manager_metrics_write(m, true);	/* said why */
	if (s == m->metrics_timer)
		sd_event_source_set_time(s, usec + PT_METRICS_INTERVAL_USEC);
	return 0;
}

int manager_metrics_watch(struct manager *m)
{
	struct stat st;
	int r;

	if (!m->metrics_dir)
		return 0;
	if (stat(m->metrics_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_info("no metrics for node_exporter: %s is not a directory (prometheus-node-exporter "
			 "makes it; MetricsDirectory= names another)", m->metrics_dir);
		m->metrics_dir = NULL;
		return 0;
	}
	r = manager_add_timer(m, &m->metrics_timer, PT_METRICS_INTERVAL_USEC, 500000,
			      on_metrics_timer, "metrics");
	if (r < 0)
		return r;
	/* the "soon" one: armed by manager_metrics_soon(), once */
	r = manager_add_timer(m, &m->metrics_soon_timer, 100000, 50000, on_metrics_timer,
			      "metrics-soon");
	if (r < 0)
		return r;
	(void)sd_event_source_set_enabled(m->metrics_soon_timer, SD_EVENT_OFF);
	(void)manager_metrics_write(m, true);	/* a failure was said */
	return 0;
}

void manager_metrics_soon(struct manager *m)
{
	int enabled = SD_EVENT_OFF;

	if (!m->metrics_soon_timer)
		return;
	(void)sd_event_source_get_enabled(m->metrics_soon_timer, &enabled);
	if (enabled != SD_EVENT_OFF)
		return;	/* already coming */
	(void)sd_event_source_set_time_relative(m->metrics_soon_timer, 100000);
	(void)sd_event_source_set_enabled(m->metrics_soon_timer, SD_EVENT_ONESHOT);
}
