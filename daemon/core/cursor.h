/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A cursor over one line of kernel text, for the source parsers. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const char *p, *end;
};

static inline struct cursor cursor_make(const char *s, size_t len)
{
	return (struct cursor){ s, s + len };
}

/* Consumes @lit when the text starts with it. */
bool cursor_lit(struct cursor *c, const char *lit);
void cursor_spaces(struct cursor *c);
/* Hex digits with an optional 0x; at most 16 digits. */
bool cursor_hex(struct cursor *c, uint64_t *ret);
bool cursor_dec(struct cursor *c, uint64_t *ret);
/* A memory type name (write-back, ...) ending at a non-name character. */
bool cursor_type(struct cursor *c, int *ret);
bool cursor_at_end(struct cursor *c);
