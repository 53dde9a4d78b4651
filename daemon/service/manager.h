/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * pattrackd's state: the model fed by one live source (or a replayed
 * trace), the periodic reconciliation with debugfs, live leak judgement,
 * the journal, and what the bus object reads (manager-bus.c).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "access.h"
#include "conf.h"
#include "core/model.h"
#include "host/iomem.h"
#include "host/kallsyms.h"
#include "host/kmsg.h"
#include "host/pci.h"
#include "source/source.h"

/* One event as Explain() tells it. */
struct pt_history_event {
	uint64_t clock, seq, ts_ns;
	uint64_t start, end;
	enum pt_event_kind kind;
	int8_t type;		/* entry: its type; reserve: req */
	int8_t got;
	int32_t ret;
	int32_t pid;
	char comm[PT_SAFE_SIZE(PT_COMM_MAX)];	/* safe.h */
};

/* A count last told in the log. */
struct pt_note {
	uint64_t said, at_usec;
};

/* An exit whose leaks are judged once the grace period has passed. */
struct pt_pending_exit {
	uint64_t clock;		/* the model's clock at the exit */
	uint64_t due_usec;	/* CLOCK_MONOTONIC */
};

struct manager {
	struct pt_conf conf;
	const char *replay;	/* a trace to serve instead of a live source */
	const char *debugfs;
	const char *iomem_path;

	sd_event *event;
	sd_bus *bus;
	sd_event_source *source_io, *flush_timer, *reconcile_timer, *leak_timer, *changed_timer;
	sd_event_source *klog_io;
	sd_bus_slot *vtable_slot;

	struct pt_model *model;
	struct pt_source source;
	struct pt_kallsyms *syms;
	struct pt_iomem iomem;
	struct pt_pci pci;
	struct pt_kmsg_follower klog;	/* a source that sees no calls: the kernel's log */
	char *source_desc;	/* "bpf (fentry/fexit + tp_btf)" */
	char kernel_release[65];

	uint64_t events;	/* events applied */
	uint64_t rejected;	/* events the model refused */
	struct pt_live_loss loss;	/* the source's losses, as last acted on */
	uint64_t lost;		/* events lost, by the loss records applied */
	size_t anomalies_reported;
	bool in_cycle;		/* reading the source: anomalies wait for its loss check */
	bool ready;
	bool changed;		/* properties to announce */
	bool journal;		/* stderr is connected to journald */

	struct pt_history_event *history;	/* a ring of conf.history */
	uint64_t history_next;

	struct pt_pending_exit *exits;	/* FIFO */
	size_t exits_head, exits_len, exits_cap;

	struct pt_access access;
	uint64_t signals_dropped;	/* Anomaly signals the bus was too far behind for */
	struct pt_note notes[4];	/* repeats, dropped anomalies, refused events, signals */
	bool config_error;	/* manager_start() failed for what the configuration asked */
	uint64_t cookie_tag;	/* this run's, in a cookie's top bits (manager-bus.c) */

	/* the state file (state.c): NULL path, none */
	char *state_path;
	FILE *state_in;		/* being restored */
	char *state_buf;	/* its line */
	unsigned state_line;
	uint64_t state_written_ns;	/* CLOCK_BOOTTIME when the restored state was written */
	uint64_t state_clock;	/* the model's clock and anomaly count as last written */
	size_t state_anomalies;
	bool state_failing;
	sd_event_source *state_timer;

	/* the Prometheus textfile (metrics.c): NULL directory, none */
	const char *metrics_dir;
	bool metrics_asked;	/* --metrics-dir: a replay writes them too */
	sd_event_source *metrics_timer, *metrics_soon_timer;
	bool metrics_failing;
	uint8_t *metric_owner;	/* each told anomaly's owner class, for its label */
	size_t n_metric_owner, cap_metric_owner;
	uint64_t last_reconcile_usec;	/* CLOCK_REALTIME: the table last compared with the kernel's */
};

/* a cookie's low bits are the model's clock, the bits above the run's tag (manager-bus.c) */
#define PT_COOKIE_CLOCK_BITS 40

/* pattrackd's exit statuses besides 0 and 1 (pattrackd(8)) */
#define PT_EXIT_BUS_LOST 75	/* EX_TEMPFAIL: the bus went away; systemd starts it again */
#define PT_EXIT_CONFIG 78	/* EX_CONFIG: the unit has RestartPreventExitStatus= for it */

int manager_new(struct manager **ret);
void manager_free(struct manager *m);
static inline void manager_freep(struct manager **m)
{
	if (*m)
		manager_free(*m);
}

/* Bootstraps the model and attaches the source; then the bus. */
int manager_start(struct manager *m);

/*
 * The newest events of the history that touched @address, at most @max,
 * into @hits newest first; returns how many.
 */
size_t manager_history_at(const struct manager *m, uint64_t address,
			  const struct pt_history_event **hits, size_t max);

/* An owner went: leaks up to the model's clock now are judged once the grace has passed. */
int manager_judge_later(struct manager *m);

/* A repeating timer, enabled, named for sd-event's debug output. */
int manager_add_timer(struct manager *m, sd_event_source **ret, uint64_t usec, uint64_t accuracy,
		      sd_event_time_handler_t handler, const char *name);

/* Hands one event to the model, the history and, for anomalies, the journal and bus. */
int manager_apply(struct manager *m, const struct pt_event *ev);

/* Compares the table with debugfs now and resynchronises (drift anomalies). */
int manager_reconcile(struct manager *m, struct pt_sync_result *res);

/* Reports anomalies the model recorded since the last call. */
void manager_report_anomalies(struct manager *m);

/* Warns of repeats, dropped anomalies and refused events since the last warning (rate-limited). */
void manager_note_counts(struct manager *m, bool now);

/* Ask for PropertiesChanged soon (coalesced). */
void manager_mark_changed(struct manager *m);
