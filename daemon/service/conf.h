/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * pattrackd's settings: built-in defaults, then /etc/pattrack/pattrackd.conf,
 * then its pattrackd.conf.d/\*.conf drop-ins in name order, then the command
 * line.  A file is INI-style: a [Tracker] section of Key=Value lines.
 */

#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#define PT_CONF_PATH "/etc/pattrack/pattrackd.conf"

struct pt_conf {
	int source;			/* enum pt_source_kind: auto, bpf, netlink, debugfs */
	uint64_t reconcile_usec;	/* 0: never */
	uint64_t leak_grace_usec;
	uint64_t poll_usec;		/* the debugfs source */
	uint64_t history;		/* events kept for Explain() */
	uint64_t anomaly_limit;		/* anomalies stored (pt_model_set_anomaly_limit()) */
	char metrics_dir[256];		/* node_exporter's textfile directory; "": none */
};

void pt_conf_defaults(struct pt_conf *c);

/*
 * Applies one file's settings; a missing file is no error.  Unknown keys
 * are warned about and skipped; a bad value is an error naming file and line.
 */
int pt_conf_load_file(struct pt_conf *c, const char *path);

/* @path, then @path.d/\*.conf in name order. */
int pt_conf_load(struct pt_conf *c, const char *path);

/* One setting by its key, as from a file (also the command line's way in). */
int pt_conf_set(struct pt_conf *c, const char *key, const char *value);

/* "90", "90s", "1.5s", "500ms", "2min", "1h" -> microseconds. */
int pt_parse_duration(const char *s, uint64_t *ret);
