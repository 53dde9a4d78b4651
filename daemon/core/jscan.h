/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A validating pull scanner for one JSON text held in a mutable buffer.
 * Strings are decoded in place (the buffer is overwritten), so reading a
 * trace line allocates nothing.  Used for the trace reader's hot path; see
 * docs/design.md ("Reading traces: jscan, not json-c").
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jscan {
	char *p, *end;
	const char *error;	/* set on the first error, with a short reason */
	int depth;
};

enum jtype {
	J_ERROR,
	J_STRING,
	J_NUMBER,
	J_OBJECT,
	J_ARRAY,
	J_TRUE,
	J_FALSE,
	J_NULL,
};

struct jnumber {
	bool is_integer;	/* no fraction, no exponent */
	bool negative;
	uint64_t magnitude;	/* valid when is_integer and it fitted */
	bool overflow;
};

void jscan_init(struct jscan *s, char *buf, size_t len);

/* The type of the next value, without consuming it. */
enum jtype jscan_peek(struct jscan *s);

/* Consume '{' / '['.  Then call jscan_next_key() / jscan_next_item() until they return false. */
bool jscan_enter(struct jscan *s, char open);
bool jscan_next_key(struct jscan *s, const char **key, size_t *len);
bool jscan_next_item(struct jscan *s);

bool jscan_string(struct jscan *s, const char **str, size_t *len);
bool jscan_number(struct jscan *s, struct jnumber *n);
bool jscan_literal(struct jscan *s);	/* true, false or null */
bool jscan_skip(struct jscan *s);		/* any value */

/* True when only white space is left. */
bool jscan_at_end(struct jscan *s);
