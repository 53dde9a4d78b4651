/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Output for a person at a terminal, as systemd's tools do it: tables sized
 * to the terminal's width with long fields ellipsized (--full: whole), a
 * pager when standard output is a terminal (--no-pager; $SYSTEMD_PAGER,
 * $PAGER, else less), colour only on a terminal and without $NO_COLOR,
 * header and footer unless --no-legend.  Into a pipe, or on a terminal
 * whose $TERM is unset or "dumb", the output is whole and plain, as before.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ctl_term {
	bool tty;		/* standard output was a terminal, and not a dumb one */
	bool color;
	bool full;		/* --full, or not a terminal: nothing is cut */
	bool legend;		/* not --no-legend */
	unsigned width;		/* the terminal's columns */
};

/* Decides from the terminal and the environment; call before the pager starts. */
void ctl_term_init(struct ctl_term *t, bool full, bool no_legend);

/* Standard output through the pager, when it is a terminal and @no_pager is false. */
void ctl_pager_start(const struct ctl_term *t, bool no_pager);
/* Waits for the pager, if one was started; before exit. */
void ctl_pager_end(void);

/* SGR sequences, "" without colour */
const char *ctl_color(const struct ctl_term *t, const char *sgr);
#define CTL_RED "\033[31;1m"
#define CTL_YELLOW "\033[33;1m"
#define CTL_HIGHLIGHT "\033[1m"
#define CTL_RESET "\033[0m"

/* An anomaly row's colour: a hazard red, a slow grant yellow, conflicts and leaks bold; else NULL. */
const char *ctl_anomaly_color(const char *kind, const char *severity);

struct table;

/* A table of @n columns under @header; NULL when out of memory. */
struct table *table_new(const char *const *header, size_t n);
void table_free(struct table *t);
static inline void table_freep(struct table **t)
{
	table_free(*t);
}

/*
 * Column @col may be cut to fit the width, down to @min columns (or its
 * header's width): the highest @weight's first.
 */
void table_set_shrink(struct table *t, size_t col, unsigned weight, unsigned min);

/*
 * Column @col goes on a line of its own below each row, indented, cut to
 * the width there: a long text (an explanation) that would leave no room
 * for the columns.  Only the last column can be.
 */
void table_set_below(struct table *t, size_t col);

/* A row of n cells (copied); @color: an SGR sequence for the whole row, or NULL.  0 or -ENOMEM. */
int table_add(struct table *t, const char *const *cells, const char *color);

/* The table, fitted to @term; the header when it has a legend. */
void table_print(const struct table *t, FILE *f, const struct ctl_term *term);
