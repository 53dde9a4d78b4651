/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* pattrackctl's verbs that ask pattrackd over D-Bus (org.pattrack.Tracker1(5)). */

int verb_status(int argc, char *argv[]);
int verb_list(int argc, char *argv[]);
int verb_lookup(int argc, char *argv[]);
int verb_query(int argc, char *argv[]);
int verb_anomalies(int argc, char *argv[]);
int verb_checkpoint(int argc, char *argv[]);
int verb_leaks(int argc, char *argv[]);
int verb_explain(int argc, char *argv[]);
int verb_monitor(int argc, char *argv[]);
