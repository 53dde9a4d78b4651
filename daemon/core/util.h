/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Small helpers used everywhere: cleanup attributes, logging that returns
 * the negative errno it was given, bounded string copies.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _cold_ __attribute__((noinline, cold))	/* kept out of the hot path it sits in */
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))
#define PT_STRINGIFY_(x) #x
#define PT_STRINGIFY(x) PT_STRINGIFY_(x)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_close_ _cleanup_(closep)

/* Take ownership out of a cleanup variable. */
#define TAKE_PTR(p)                          \
	({                                   \
		__typeof__(p) _p_ = (p);     \
		(p) = NULL;                  \
		_p_;                         \
	})

/*
 * Logging: plain stderr with the program name.  log_*_errno() return the
 * negative errno they were given so that callers can write
 * "return log_error_errno(r, ...)".
 */
void log_set_program(const char *name);
void log_set_verbose(bool verbose);
/* Lines start with a syslog priority ("<3>") for journald, without the program name. */
void log_set_levels(bool levels);
bool log_is_verbose(void);
/* Nothing at all: for the fuzzers, which feed the parsers millions of bad lines. */
void log_set_quiet(bool quiet);
/* One line at syslog @level (LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG), ": strerror" when r < 0. */
_printf_(3, 4) int log_full_errno_at(int level, int r, const char *fmt, ...);

#define log_error_errno(r, ...) log_full_errno_at(LOG_ERR, (r), __VA_ARGS__)
#define log_error(...) ((void)log_full_errno_at(LOG_ERR, 0, __VA_ARGS__))
#define log_warning(...) ((void)log_full_errno_at(LOG_WARNING, 0, __VA_ARGS__))
#define log_info(...) ((void)log_full_errno_at(LOG_INFO, 0, __VA_ARGS__))
#define log_debug(...) ((void)log_full_errno_at(LOG_DEBUG, 0, __VA_ARGS__))

/*
 * Makes room for @need elements of @size bytes in the array *@p, which has
 * room for *@cap: the room doubles, starting from @first.  0, or -ENOMEM
 * with *@p and *@cap as they were.  Use GROW_ARRAY().
 */
int grow_array(void **p, size_t *cap, size_t need, size_t size, size_t first);

#define GROW_ARRAY(p, cap, need, first) \
	grow_array((void **)&(p), &(cap), (need), sizeof(*(p)), (first))

/*
 * An enum's names: a table indexed by value, NULL where a value has none,
 * and its lookups both ways, as systemd's string-table.h.
 *   static const char *const color_table[_COLOR_MAX] = { [RED] = "red", ... };
 *   DEFINE_STRING_TABLE_LOOKUP(color_name, color_from_string, enum color, color_table)
 * gives color_name(RED) == "red" and color_from_string("red", 3) == RED;
 * NULL for a value out of range, -EINVAL for an unknown name.
 */
int string_table_lookup(const char *const *table, size_t n, const char *s, size_t len);

#define DEFINE_STRING_TABLE_TO_STRING(to_name, type, table)                 \
	const char *to_name(type i)                                         \
	{                                                                   \
		return (size_t)i < ELEMENTSOF(table) ? (table)[i] : NULL;   \
	}

#define DEFINE_STRING_TABLE_FROM_STRING(from_name, table)                   \
	int from_name(const char *s, size_t len)                            \
	{                                                                   \
		return string_table_lookup(table, ELEMENTSOF(table), s, len); \
	}

#define DEFINE_STRING_TABLE_LOOKUP(to_name, from_name, type, table) \
	DEFINE_STRING_TABLE_TO_STRING(to_name, type, table)         \
	DEFINE_STRING_TABLE_FROM_STRING(from_name, table)

/* Always NUL-terminates; returns dst. */
char *strscpy_trunc(char *dst, size_t size, const char *src, size_t len);

/* Reads a whole (possibly unseekable, e.g. procfs) file into a NUL-terminated buffer. */
int read_full_file(const char *path, char **ret, size_t *ret_len);

/* @clock now, in nanoseconds (CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME, ...). */
uint64_t now_ns(clockid_t clock);
