/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one rule for strings that leave pattrack (pattrack-trace(5), "STRINGS"):
 * process names, driver, device and module names, stacks and kernel log
 * text come from processes and files nobody vouches for, and go out on
 * D-Bus (which wants valid UTF-8), in JSON and in lines of text.
 *
 *  - A byte that is not part of a valid UTF-8 sequence, and every control
 *    character (U+0000 to U+001F, U+007F, U+0080 to U+009F, and the line
 *    and paragraph separators U+2028 and U+2029), is written as
 *    the four characters \xHH (two lowercase hex digits).  In a stack the
 *    newline between frames is kept; frames are lines.
 *  - Everything else is kept as it is, the backslash too: the rule is
 *    idempotent, so a name read back from a trace pattrack wrote is the
 *    same name.  (The price: a name that holds the text "\x41" reads the
 *    same as one that held an escaped byte.  Neither can forge a line.)
 *  - A string is cut to a bound per kind, counted in the bytes it stands
 *    for (the text \xHH counts as one byte, so an escaped name keeps its
 *    bound), at a character's boundary (a stack at a frame's).
 */

#include <stdbool.h>
#include <stddef.h>

enum pt_str_kind {
	PT_STR_COMM,	/* a process name: the kernel's are 15 bytes and a NUL */
	PT_STR_NAME,	/* a driver, device or module name */
	PT_STR_TEXT,	/* a kernel log line, a remark */
	PT_STR_STACK,	/* frames separated by '\n' */
	_PT_STR_MAX,
};

#define PT_COMM_MAX 16
#define PT_NAME_MAX 64
#define PT_TEXT_MAX 1024
#define PT_STACK_MAX 4096
#define PT_STACK_FRAMES_MAX 32

/*
 * The length of @s without a UTF-8 sequence cut short at its end: for text
 * that a bounded buffer may have cut, made of safe strings.
 */
size_t pt_safe_trim(const char *s, size_t len);

/* The bytes a string of @kind stands for at most. */
size_t pt_safe_limit(enum pt_str_kind kind);

/* Room pt_safe_escape() may need for @kind, the NUL included. */
#define PT_SAFE_SIZE(max) (4 * (max) + 1)

/* True when @s is within @kind's bound and the rule leaves it as it is. */
bool pt_safe_is_clean(const char *s, size_t len, enum pt_str_kind kind);

/*
 * Writes @s by the rule into @out, which has room for
 * PT_SAFE_SIZE(pt_safe_limit(@kind)) bytes, and NUL-terminates it.
 * Returns the length written.
 */
size_t pt_safe_escape(const char *s, size_t len, enum pt_str_kind kind, char *out);
