/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The physical resource map, /proc/iomem: what a range lies in. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/model.h"

#define PT_IOMEM "/proc/iomem"

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
