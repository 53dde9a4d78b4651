/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Live sources: events as the kernel reports them, handed to a callback. */

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef int (*pt_live_fn)(const struct pt_event *ev, void *userdata);

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
int pt_netlink_fd(const struct pt_netlink *nl);

/* Hands every event waiting on the socket to the callback; never blocks. */
int pt_netlink_dispatch(struct pt_netlink *nl);

/*
 * After the last dispatch: the events the sequence numbers say were lost,
 * those still missing at the end included.
 */
uint64_t pt_netlink_finish(struct pt_netlink *nl);
