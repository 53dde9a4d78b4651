/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The kernel log (/dev/kmsg, or a file of dmesg lines): its x86/PAT lines (core/klog.h). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/klog.h"
#include "core/model.h"

#define PT_KMSG "/dev/kmsg"

/*
 * Reads every record /dev/kmsg (or a file of dmesg lines) holds now and adds
 * its x86/PAT anomalies to the model.  A "memtype_reserve failed" line right
 * after the "conflicting memory types" line it explains is folded into it.
 */
struct pt_kmsg_counts {
	size_t anomalies;	/* added to the model */
	size_t garbled;		/* x86/PAT anomaly lines too damaged to read */
};

int pt_kmsg_load(struct pt_model *m, const char *path, struct pt_kmsg_counts *ret);

/*
 * Following the log from now on, for a source that sees no calls (the
 * debugfs fallback): the kernel's own x86/PAT anomaly lines become
 * PT_EV_KMSG events, with the pid and comm the kernel printed.
 */
struct pt_kmsg_follower {
	int fd;		/* for poll(); -1 when closed */
	size_t garbled;
};

typedef int (*pt_kmsg_event_fn)(const struct pt_event *ev, void *userdata);

/* Opens @path (/dev/kmsg) past the records it holds now: 0 or a negative errno. */
int pt_kmsg_follow(const char *path, struct pt_kmsg_follower *f);

/*
 * Hands @fn each x86/PAT anomaly line the log gained, as a PT_EV_KMSG
 * event: the number handed, or a negative errno (@fn's, or the read's).
 */
int pt_kmsg_follow_read(struct pt_kmsg_follower *f, pt_kmsg_event_fn fn, void *userdata);

void pt_kmsg_follow_done(struct pt_kmsg_follower *f);
