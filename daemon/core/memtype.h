/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <pattrack/pattrack.h>
#include <stdbool.h>
#include <stddef.h>

/* "No type": a strict reserve's "got", or an unparsable name. */
#define PT_TYPE_NONE (-1)

/* The kernel's cattr_name(): "write-combining", ... ; NULL for a bad code. */
const char *pt_type_name(int type);

/*
 * Parses a kernel name or its short form (WB, WC, UC-, UC, WT, WP; case
 * insensitive).  Returns the type code or -EINVAL.
 */
int pt_type_from_string(const char *s, size_t len);

/* Only the kernel's own names, as in its log lines and debugfs. */
int pt_type_from_kernel_name(const char *s, size_t len);

/*
 * How strongly a type orders and bypasses the cache: uncached 3,
 * write-combining 2, write-through/protected 1, write-back 0.  A grant
 * ranked below the request is a hazard (device memory cached or combined).
 */
int pt_type_strength(int type);

/* The legacy ISA hole 0xa0000-0x100000, which the kernel never tracks. */
#define PT_ISA_START 0xa0000ULL
#define PT_ISA_END 0x100000ULL

static inline bool pt_range_is_isa(unsigned long long start, unsigned long long end)
{
	return start >= PT_ISA_START && end <= PT_ISA_END;
}
