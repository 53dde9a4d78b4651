/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Kernel symbols from /proc/kallsyms, to name the frames of a stack. */

#include <stddef.h>
#include <stdint.h>

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
