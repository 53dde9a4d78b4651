/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * pattrackd's figures in the Prometheus text exposition format (version
 * 0.0.4), for node_exporter's textfile collector: a file in its directory,
 * written whole and renamed into place every PT_METRICS_INTERVAL_USEC, soon
 * after an anomaly, and once more at the stop with pattrack_up 0.  No port
 * is opened.  The families are fixed (pattrackd(8), METRICS) and carry no
 * physical address.
 */

#include <stdbool.h>

#define PT_METRICS_DIR "/var/lib/prometheus/node-exporter"	/* Debian's textfile directory */
#define PT_METRICS_FILE "pattrack.prom"
#define PT_METRICS_INTERVAL_USEC (5 * 1000000ULL)

struct manager;

/* The exposition of @m now, into a malloc'd string; @up: pattrack_up's value. */
int manager_metrics(struct manager *m, bool up, char **ret);

/* Writes the file now (nothing without a directory); @up as above. */
int manager_metrics_write(struct manager *m, bool up);

/* The periodic write, and the one soon after an anomaly. */
int manager_metrics_watch(struct manager *m);
void manager_metrics_soon(struct manager *m);
