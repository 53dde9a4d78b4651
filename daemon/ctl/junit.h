/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* run and replay's --junit=FILE (junit.c). */

#include <stdbool.h>

#include "core/model.h"

struct pt_junit {
	const char *suite;	/* the test suite's name: "pattrackctl run make check" */
	double seconds;		/* how long it took */
	const char *command;	/* run: the command, whose exit status is one more case; else NULL */
	int status;		/* ... and that status */
	/* the anomalies that count: those of the command's processes, say */
	bool (*pick)(const struct pt_model *m, const struct pt_anomaly *a, void *userdata);
	void *userdata;
};

/* Writes @path: a test case per kind in @kinds (1 << kind).  0, or -errno (said). */
int pt_junit_write(const char *path, const struct pt_model *m, unsigned kinds,
		   const struct pt_junit *j);
