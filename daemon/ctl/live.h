/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* What record and run share: a live source, the trace's opening, a command followed. */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "host/iomem.h"
#include "host/pci.h"
#include "source/open.h"
#include "source/source.h"

/* The processes followed: one bit per pid, up to the kernel's pid_max. */
struct lineage {
	uint64_t *bits;
	uint32_t max;
	size_t count;
};

static inline bool followed(const struct lineage *l, int32_t pid)
{
	return pid > 0 && (uint32_t)pid < l->max && (l->bits[pid / 64] >> (pid % 64) & 1);
}

static inline void follow(struct lineage *l, int32_t pid)
{
	if (pid <= 0 || (uint32_t)pid >= l->max || followed(l, pid))
		return;
	l->bits[pid / 64] |= 1ULL << (pid % 64);
	l->count++;
}

/*
 * The host's table now, its RAM and its PCI memory BARs, into @m; *iomem
 * keeps the resource map, *pci the BARs (empty when sysfs has none).
 */
int load_host(struct pt_model *m, struct pt_iomem *iomem, struct pt_pci *pci);

/* The trace's opening: a header, @m's table, System RAM and the BARs, as read by load_host(). */
int write_opening(FILE *f, const char *source, const struct pt_model *m,
		  const struct pt_iomem *iomem, const struct pt_pci *pci);

/* A pt_live_fn that writes each event to the FILE * it is given. */
int write_live_event(const struct pt_event *ev, void *userdata);

/* pt_source_open() with the list and the polling interval pattrackctl uses. */
int source_open(enum pt_source_kind want, pt_live_fn fn, void *userdata, struct pt_source *s);

/*
 * Reads /proc/kallsyms once the source is attached (its BPF trampoline is
 * then among the symbols) and hands it to the source; NULL when unreadable.
 */
struct pt_kallsyms *source_symbolize(struct pt_source *s);

/*
 * Runs @argv (if any; marked in @l, when given, before any event is read)
 * and hands the events to the source's callback until it exits, or until
 * interrupted; then drains what the kernel queued.  *child is the
 * command's pid (0 without one), *status its wait status.
 */
int follow_command(struct pt_source *src, pt_live_fn fn, void *userdata, char **argv,
		   struct lineage *l, pid_t *child, int *status);

/* A wait status as a shell's $?. */
int exit_status_of(int status);
