/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Interned strings (process names, symbolized stacks): each distinct string
 * is stored once and named by a 32-bit id, so an entry owner costs 4 bytes.
 * Id 0 is always the empty string.
 */

#include <stddef.h>
#include <stdint.h>

#include "safe.h"

struct pt_strtab {
	char *arena;		/* NUL-terminated strings back to back */
	size_t arena_len, arena_cap;
	struct pt_strtab_span {
		uint32_t offset;	/* into arena */
		uint32_t length;
	} *span;		/* by id */
	uint32_t count;
	size_t cap;
	uint32_t *slot;		/* open addressing: id + 1, 0 = empty */
	uint32_t nslots;	/* power of two */
};

int pt_strtab_init(struct pt_strtab *t);
void pt_strtab_done(struct pt_strtab *t);

/*
 * Stores @s (not necessarily NUL-terminated) once; *ret_id names it.
 * -ENOSPC when the table's 4 GiB are full.  @s must already be safe
 * (safe.h): what came from outside goes through pt_strtab_intern_safe().
 */
int pt_strtab_intern(struct pt_strtab *t, const char *s, size_t len, uint32_t *ret_id);

/* Stores @s as the rule of safe.h writes it for @kind: cut to its bound, escaped. */
int pt_strtab_intern_safe(struct pt_strtab *t, const char *s, size_t len,
			  enum pt_str_kind kind, uint32_t *ret_id);

/* The string for @id; "" for an unknown id. */
const char *pt_strtab_get(const struct pt_strtab *t, uint32_t id);

size_t pt_strtab_memory(const struct pt_strtab *t);
