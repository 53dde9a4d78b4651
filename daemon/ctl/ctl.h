/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * pattrackctl's verbs.  main() (pattrackctl.c) parses every option once,
 * with the one table there, checks that the verb takes them and that the
 * operand count is within the verb's bounds, then calls the verb with its
 * operands alone.
 */

#include <stdbool.h>
#include <stdint.h>

#include "table.h"

/* Exit codes (pattrackctl(1)); record and run otherwise pass on the command's status. */
enum ctl_exit {
	EXIT_OK = 0,
	EXIT_ANOMALY = 1,	/* a --fail-on kind occurred; leaks --fail found some */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_TROUBLE = 3,	/* the input could not be read or parsed, or the daemon call failed */
};

/* The options a verb may take: bits of struct verb's options. */
enum ctl_option {
	CTL_JSON = 1 << 0,	/* --json */
	CTL_STRICT = 1 << 1,	/* --strict */
	CTL_FAIL_ON = 1 << 2,	/* --fail-on=KIND,... */
	CTL_OUTPUT = 1 << 3,	/* -o, --output=FILE */
	CTL_SOURCE = 1 << 4,	/* --source=auto|bpf|netlink|debugfs */
	CTL_HOST = 1 << 5,	/* --debugfs, --iomem, --kmsg, --no-kmsg, --pci */
	CTL_SINCE = 1 << 6,	/* --since=COOKIE */
	CTL_FAIL = 1 << 7,	/* --fail */
	CTL_JUNIT = 1 << 8,	/* --junit=FILE */
	CTL_PAGED = 1 << 9,	/* not an option: its text goes through the pager on a terminal */
};

struct ctl_options {
	bool json, strict, fail;
	bool full, no_pager, no_legend;	/* every verb: --full, --no-pager, --no-legend */
	struct ctl_term term;		/* what they and the terminal make of the output */
	unsigned fail_on;	/* 1 << enum pt_anomaly_kind */
	const char *output;	/* NULL: none */
	const char *junit;	/* --junit: the report's file, or NULL */
	int source;		/* enum pt_source_kind: PT_SOURCE_AUTO unless given */
	const char *debugfs, *iomem, *kmsg, *pci;	/* kmsg NULL: --no-kmsg */
	bool since;
	uint64_t cookie;	/* --since */
};

typedef int (*verb_fn)(int argc, char *argv[], const struct ctl_options *o);

/* On a terminal: "Anomalies (N):" and a table of them fitted to it (replay.c).  0 or -ENOMEM. */
struct pt_model;
int ctl_print_anomaly_table(const struct pt_model *m, const struct ctl_term *term);

/* "0x1000", "4096": an address or a cookie; -EINVAL otherwise. */
int parse_address(const char *s, uint64_t *ret);

/* ---- the verbs: argv holds the operands alone, argv[0] the first ----------- */

int verb_replay(int argc, char *argv[], const struct ctl_options *o);	/* replay.c */
int verb_snapshot(int argc, char *argv[], const struct ctl_options *o);	/* snapshot.c */
int verb_record(int argc, char *argv[], const struct ctl_options *o);	/* record.c */
int verb_run(int argc, char *argv[], const struct ctl_options *o);	/* run.c */
int verb_shim(int argc, char *argv[], const struct ctl_options *o);	/* shim.c */

/* bus.c: the verbs that ask pattrackd, org.pattrack.Tracker1(5) */
int verb_status(int argc, char *argv[], const struct ctl_options *o);
int verb_list(int argc, char *argv[], const struct ctl_options *o);
int verb_lookup(int argc, char *argv[], const struct ctl_options *o);
int verb_query(int argc, char *argv[], const struct ctl_options *o);
int verb_anomalies(int argc, char *argv[], const struct ctl_options *o);
int verb_checkpoint(int argc, char *argv[], const struct ctl_options *o);
int verb_metrics(int argc, char *argv[], const struct ctl_options *o);
int verb_leaks(int argc, char *argv[], const struct ctl_options *o);
int verb_explain(int argc, char *argv[], const struct ctl_options *o);
int verb_monitor(int argc, char *argv[], const struct ctl_options *o);
