/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the live host tells without a tracer: the kernel's own memtype list
 * (debugfs), the physical resource map (/proc/iomem, PCI BARs in sysfs) and
 * the kernel log's x86/PAT lines (/dev/kmsg).  Each has a parser of text,
 * tested on real kernel lines, and a reader of the live file.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model.h"

#define PT_DEBUGFS_MOUNT "/sys/kernel/debug"
#define PT_DEBUGFS_PAT "/sys/kernel/debug/x86/pat_memtype_list"
#define PT_IOMEM "/proc/iomem"
#define PT_KMSG "/dev/kmsg"
#define PT_SYSFS_PCI "/sys/bus/pci/devices"

/* ---- debugfs: pat_memtype_list ------------------------------------------- */

/*
 * One line of pat_memtype_list:
 *   "PAT: [mem 0x00000000fe000000-0x00000000fe001000] write-combining"
 * 1 and *start, *end (exclusive, as the file prints it), *type; 0 for the
 * "PAT memtype list:" header or a blank line; -EBADMSG otherwise.
 */
int pt_debugfs_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *end,
			  int *type);

/* Mounts debugfs when @path is absent and debugfs is not mounted; needs root. */
int pt_debugfs_ensure(const char *path);

/*
 * The whole list in @text, in file order; *bad_line names the line on
 * -EBADMSG.
 */
int pt_debugfs_parse(const char *text, size_t len, struct pt_kentry **ret, size_t *n,
		     unsigned long *bad_line);

/* Reads and parses the file at @path; errors are logged. */
int pt_debugfs_read(const char *path, struct pt_kentry **ret, size_t *n);

/* Feeds every line of the file at @path to the model as "entry" events. */
int pt_debugfs_load(struct pt_model *m, const char *path);

/* ---- /proc/iomem --------------------------------------------------------- */

struct pt_resource {
	uint64_t start, end;	/* [start, end) */
	unsigned depth;		/* nesting: 0 for top level */
	char *name;
};

struct pt_iomem {
	struct pt_resource *res;	/* in file order: parents before children */
	size_t n;
};

int pt_iomem_parse(const char *text, struct pt_iomem *ret);
int pt_iomem_read(const char *path, struct pt_iomem *ret);
void pt_iomem_done(struct pt_iomem *io);

/* True when every address in it reads as 0 (a non-root reader's view). */
bool pt_iomem_is_censored(const struct pt_iomem *io);

/* A System RAM range: page-flag tracked, never in the memtype tree. */
static inline bool pt_resource_is_ram(const struct pt_resource *r)
{
	return strcmp(r->name, "System RAM") == 0;
}

/* Feeds the System RAM ranges to the model as "ram" events. */
int pt_iomem_load_ram(struct pt_model *m, const struct pt_iomem *io);

/*
 * Names what [start, end) lies in: the deepest resource holding all of it
 * that is not a bare bus window, or the top-level ones it straddles
 * ("System RAM + Reserved").  Writes into @buf; "" when nothing matches.
 */
char *pt_iomem_describe(const struct pt_iomem *io, uint64_t start, uint64_t end,
			char *buf, size_t size);

/* ---- PCI BARs: /sys/bus/pci/devices/<bdf>/resource ----------------------- */

struct pt_pci_bar {
	uint64_t start, end;	/* [start, end) */
	char device[32];	/* "0000:00:04.0" */
	char driver[32];	/* "" when unbound */
	int index;		/* 0-5 BARs, 6 the ROM, 7+ bridge windows */
};

struct pt_pci {
	struct pt_pci_bar *bar;
	size_t n;
};

/* Parses one device's "resource" file. */
int pt_pci_parse_resource(const char *text, const char *device, const char *driver,
			  struct pt_pci *pci);
int pt_pci_read(const char *devices_dir, struct pt_pci *ret);
void pt_pci_done(struct pt_pci *pci);

/* The BAR holding all of [start, end), or NULL. */
const struct pt_pci_bar *pt_pci_find(const struct pt_pci *pci, uint64_t start, uint64_t end);
char *pt_pci_bar_describe(const struct pt_pci_bar *bar, char *buf, size_t size);

/* ---- the kernel log's x86/PAT lines -------------------------------------- */

enum pt_kmsg_kind {
	PT_KMSG_CONFLICT,		/* "comm:pid conflicting memory types a-b T1<->T2" */
	PT_KMSG_RESERVE_FAILED,		/* "memtype_reserve failed [mem a-b], track T, req T" */
	PT_KMSG_INVALID_FREE,		/* "comm:pid freeing invalid memtype [mem a-b]" */
	PT_KMSG_RAM_PAGES_FAILED,	/* "reserve_ram_pages_type failed [mem a-b], track 0x%x, req 0x%x" */
	PT_KMSG_CHANGE_ATTR_FAILED,	/* "comm:pid ioremap_change_attr failed T for [mem a-b]" */
	PT_KMSG_PFN_RAM,		/* "comm:pid map pfn RAM range req T for [mem a-b], got T" */
	PT_KMSG_PFN_EXPECTED,		/* "comm:pid map pfn expected mapping type T for [mem a-b], got T" */
};

struct pt_kmsg_pat {
	enum pt_kmsg_kind kind;
	bool has_task;
	char comm[64];
	int32_t pid;
	uint64_t start, end;	/* [start, end), whatever the line's own convention */
	int type_a, type_b;	/* see the kinds: (found, other) (track, req) (req, got) ... */
	uint64_t ts_us;		/* from a /dev/kmsg record or a dmesg "[sec.usec]" prefix */
	uint64_t seq;
	const char *message;	/* the x86/PAT text, pointing into the parsed input */
	size_t message_len;
};

/*
 * Parses one record: a /dev/kmsg record ("6,1234,5678,-;x86/PAT: ..."), a
 * dmesg line ("[  5.678] x86/PAT: ...") or a bare message.  1 when it is one
 * of the anomaly lines above, 0 for any other line, -EBADMSG for an
 * x86/PAT anomaly line that is truncated or garbled.
 */
int pt_kmsg_parse(const char *line, size_t len, struct pt_kmsg_pat *ret);

/*
 * Reads every record /dev/kmsg (or a file of dmesg lines) holds now and adds
 * its x86/PAT anomalies to the model.  A "memtype_reserve failed" line right
 * after the "conflicting memory types" line it explains is folded into it.
 */
int pt_kmsg_load(struct pt_model *m, const char *path, size_t *ret_count);

/* Turns one parsed line into an anomaly (the raw line kept as its note). */
int pt_kmsg_to_anomaly(struct pt_model *m, const struct pt_kmsg_pat *k, struct pt_anomaly *a);
