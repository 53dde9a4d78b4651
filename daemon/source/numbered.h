/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the two numbered sources, bpf and netlink, share: each event goes
 * through pt_numbered_deliver(), which notes its sequence number, decodes
 * it and hands it to the callback.  A source's own state begins with a
 * struct pt_numbered, so that the operations below are its finish, lost
 * and set_kallsyms.
 */

#include <pattrack/pattrack.h>
#include <stddef.h>

#include "seq.h"
#include "source.h"

struct pt_numbered {
	pt_live_fn fn;
	void *userdata;
	struct pt_kallsyms *syms;
	struct pt_seq_tracker seq;
	int error;		/* the callback's, for dispatch to return */
	uint64_t cycle_first;	/* the lowest number handed on since pt_numbered_cycle(); 0: none */
	/* May be NULL.  Mends a symbolized stack in place (bpf: drops its own frames). */
	size_t (*fix_stack)(char *stack, size_t len);
	char stack[PATTRACK_STACK_DEPTH * 96];
};

/*
 * One event of the kernel side.  An event that cannot be decoded is not
 * noted as seen, so that it counts as lost.  Returns what the callback
 * returned (kept in n->error when negative), or 0.
 */
int pt_numbered_deliver(struct pt_numbered *n, const struct pattrack_event *e);

/* The ops of any source whose state begins with a struct pt_numbered. */
uint64_t pt_numbered_finish(void *impl);
uint64_t pt_numbered_lost(void *impl);
uint64_t pt_numbered_cycle(void *impl);
void pt_numbered_set_kallsyms(void *impl, struct pt_kallsyms *syms);

/* Those four in a struct pt_source_ops initializer. */
#define PT_NUMBERED_OPS                                                        \
	.finish = pt_numbered_finish, .lost = pt_numbered_lost,               \
	.cycle = pt_numbered_cycle, .set_kallsyms = pt_numbered_set_kallsyms
