/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Live sources: events as the kernel reports them, handed to a callback. */

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef int (*pt_live_fn)(const struct pt_event *ev, void *userdata);

/*
 * Loss detection by sequence numbers, which arrive slightly out of order
 * when several CPUs emit at once: a number is lost only when it has not
 * arrived by the time the numbers seen run PT_SEQ_WINDOW past it.
 */
#define PT_SEQ_WINDOW 4096

struct pt_seq_tracker {
	uint64_t base;		/* lowest number not yet seen or given up; 0: none yet */
	uint64_t max_seq;
	uint64_t lost;
	uint64_t seen[PT_SEQ_WINDOW / 64];	/* bit (seq % window), for seq >= base */
};

void pt_seq_note(struct pt_seq_tracker *t, uint64_t seq);
/* At the end: gives up on every number still missing; returns all lost. */
uint64_t pt_seq_finish(struct pt_seq_tracker *t);

/* ---- kernel symbols: /proc/kallsyms ------------------------------------- */

struct pt_kallsyms;

int pt_kallsyms_load(const char *path, struct pt_kallsyms **ret);
void pt_kallsyms_free(struct pt_kallsyms *k);

/*
 * Formats @n addresses as "symbol+0xoff" (with " [module]" for module
 * code, the bare address where none is known), one per line, into @buf;
 * returns the length.  @k may be NULL.
 */
size_t pt_kallsyms_format(const struct pt_kallsyms *k, const uint64_t *addr, size_t n,
			  char *buf, size_t size);

/* ---- netlink: pattrack_shim.ko ------------------------------------------ */

struct pt_netlink;

/* Joins the "events" group of family "pattrack": -ENOENT when the shim is not loaded. */
int pt_netlink_open(const struct pt_kallsyms *syms, pt_live_fn fn, void *userdata,
		    struct pt_netlink **ret);
void pt_netlink_free(struct pt_netlink *nl);
void pt_netlink_set_kallsyms(struct pt_netlink *nl, const struct pt_kallsyms *syms);
int pt_netlink_fd(const struct pt_netlink *nl);

/* Hands every event waiting on the socket to the callback; never blocks. */
int pt_netlink_dispatch(struct pt_netlink *nl);

/*
 * After the last dispatch: the events the sequence numbers say were lost,
 * those still missing at the end included.
 */
uint64_t pt_netlink_finish(struct pt_netlink *nl);

/* ---- bpf: pattrack.bpf.c ------------------------------------------------ */

struct pt_bpf;

/*
 * Loads and attaches the BPF program: fentry/fexit, else kprobes; tp_btf,
 * else tracepoints.  On failure @why says what each mode ran into.
 */
int pt_bpf_open(const struct pt_kallsyms *syms, pt_live_fn fn, void *userdata,
		struct pt_bpf **ret, char *why, size_t why_size);
void pt_bpf_free(struct pt_bpf *b);
/* Symbols read after attaching, so that the BPF trampoline is among them. */
void pt_bpf_set_kallsyms(struct pt_bpf *b, const struct pt_kallsyms *syms);
int pt_bpf_fd(const struct pt_bpf *b);
int pt_bpf_dispatch(struct pt_bpf *b);
uint64_t pt_bpf_finish(struct pt_bpf *b);
/* "fentry/fexit + tp_btf", ... */
const char *pt_bpf_mode(const struct pt_bpf *b);
