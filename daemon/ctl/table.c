// SPDX-License-Identifier: GPL-2.0-or-later
/* Tables, colour and the pager for a terminal (table.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "table.h"

void ctl_term_init(struct ctl_term *t, bool full, bool no_legend)
{
	const char *columns = getenv("COLUMNS"), *term = getenv("TERM"), *nc = getenv("NO_COLOR");
	struct winsize ws;
	char *end;
	long c;

	/*
	 * A terminal that says nothing of itself (no $TERM, or "dumb": a serial
	 * console's init, an editor's shell) gets what a pipe gets: no pager
	 * could work there, as systemd's tools also judge it.
	 */
	bool dumb = !term || !*term || strcmp(term, "dumb") == 0;

	*t = (struct ctl_term){ .tty = isatty(STDOUT_FILENO) && !dumb, .legend = !no_legend,
				.width = 80 };
	t->full = full || !t->tty;
	t->color = t->tty && !(nc && *nc);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		t->width = ws.ws_col;
	/* $COLUMNS over the terminal's own, as systemd's tools take it */
	if (columns && (c = strtol(columns, &end, 10)) > 0 && !*end && c < 100000)
		t->width = (unsigned)c;
}

const char *ctl_color(const struct ctl_term *t, const char *sgr)
{
	return t->color ? sgr : "";
}

const char *ctl_anomaly_color(const char *kind, const char *severity)
{
	if (severity && !strcmp(severity, "hazard"))
		return CTL_RED;
	if (severity && !strcmp(severity, "slow"))
		return CTL_YELLOW;
	return !strcmp(kind, "conflict") || !strcmp(kind, "leak") ? CTL_HIGHLIGHT : NULL;
}

/* ---- the pager ------------------------------------------------------------ */

static pid_t pager_pid;

/* In the pager's process: the first pager that runs; else copy, as cat would. */
__attribute__((noreturn)) static void run_pager(const char *pager)
{
	char buf[4096];
	ssize_t n;

	/* less: quit when it fits, keep colours, no init of the screen, as systemd sets it */
	setenv("LESS", "FRSXMK", 0);
	if (pager)
		execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
	execlp("less", "less", (char *)NULL);
	execlp("more", "more", (char *)NULL);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			break;
	_exit(EXIT_SUCCESS);
}

void ctl_pager_start(const struct ctl_term *t, bool no_pager)
{
	const char *pager = getenv("SYSTEMD_PAGER") ?: getenv("PAGER");
	int fd[2];
	pid_t pid;

	if (!t->tty || no_pager || (pager && (!*pager || strcmp(pager, "cat") == 0)))
		return;
	if (pipe2(fd, O_CLOEXEC) < 0)
		return;	/* no pager then: the output goes straight to the terminal */
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		if (dup2(fd[0], STDIN_FILENO) < 0)
			_exit(EXIT_FAILURE);
		run_pager(pager);
	}
	if (dup2(fd[1], STDOUT_FILENO) >= 0)
		pager_pid = pid;
	close(fd[0]);
	close(fd[1]);
}

void ctl_pager_end(void)
{
	if (!pager_pid)
		return;
	fflush(stdout);
	close(STDOUT_FILENO);	/* the pager's end of input */
	(void)waitpid(pager_pid, NULL, 0);
	pager_pid = 0;
}

/* ---- tables --------------------------------------------------------------- */

struct table {
	size_t n;		/* columns */
	char **cell;		/* rows * n, the header first */
	const char **color;	/* by row */
	size_t cap_cell, cap_color;
	unsigned *weight;	/* by column: 0 never cut */
	unsigned *min;		/* by column: cut no narrower */
	bool below;		/* the last column goes on a line of its own */
	size_t rows;		/* including the header */
};

static size_t width_of(const char *s);

struct table *table_new(const char *const *header, size_t n)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t || !(t->weight = calloc(n, sizeof(*t->weight))) ||
	    !(t->min = calloc(n, sizeof(*t->min)))) {
		if (t)
			free(t->weight);
		free(t);
		return NULL;
	}
	t->n = n;
	if (table_add(t, header, NULL) < 0) {
		table_free(t);
		return NULL;
	}
	return t;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->rows * t->n; i++)
		free(t->cell[i]);
	free(t->cell);
	free(t->color);
	free(t->weight);
	free(t->min);
	free(t);
}

void table_set_shrink(struct table *t, size_t col, unsigned weight, unsigned min)
{
	if (col < t->n) {
		t->weight[col] = weight;
		t->min[col] = min;
	}
}

void table_set_below(struct table *t, size_t col)
{
	t->below = col + 1 == t->n;
}

#define BELOW_INDENT 4

/* How narrow column @c may be cut */
static size_t floor_of(const struct table *t, size_t c)
{
	size_t h = width_of(t->cell[c]);

	return t->min[c] > h ? t->min[c] : h;
}

int table_add(struct table *t, const char *const *cells, const char *color)
{
	if (GROW_ARRAY(t->cell, t->cap_cell, (t->rows + 1) * t->n, 16 * t->n) < 0 ||
	    GROW_ARRAY(t->color, t->cap_color, t->rows + 1, 16) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		t->cell[t->rows * t->n + i] = strdup(cells[i] ? cells[i] : "");
		if (!t->cell[t->rows * t->n + i]) {
			while (i--)
				free(t->cell[t->rows * t->n + i]);
			return -ENOMEM;
		}
	}
	t->color[t->rows++] = color;
	return 0;
}

/* Columns a string takes: one per character (UTF-8 continuation bytes take none). */
static size_t width_of(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* The bytes of @s's first @cols characters. */
static size_t bytes_of(const char *s, size_t cols)
{
	size_t i = 0;

	for (size_t w = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && w++ == cols)
			break;
	}
	return i;
}

/* @s in @cols columns: padded unless @last, cut with "…" when longer. */
static void put_cell(FILE *f, const char *s, size_t cols, bool last)
{
	size_t w = width_of(s);

	if (w > cols) {
		fwrite(s, 1, bytes_of(s, cols ? cols - 1 : 0), f);
		if (cols)
			fputs("…", f);
		return;
	}
	fputs(s, f);
	if (!last)
		fprintf(f, "%*s", (int)(cols - w), "");
}

/* The line below a row: indented, cut at the width. */
static void put_below(FILE *f, const char *s, const struct ctl_term *term)
{
	if (!*s)
		return;
	fprintf(f, "%*s", BELOW_INDENT, "");
	put_cell(f, s, term->full ? width_of(s) :
		       term->width > BELOW_INDENT ? term->width - BELOW_INDENT : 0, true);
	fputc('\n', f);
}

void table_print(const struct table *t, FILE *f, const struct ctl_term *term)
{
	size_t n = t->n - t->below;	/* the columns side by side */
	size_t *w = calloc(t->n, sizeof(*w)), total;

	if (!w)
		return;
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < n; c++) {
			size_t cw = width_of(t->cell[r * t->n + c]);

			if (cw > w[c])
				w[c] = cw;
		}
	total = n - 1;
	for (size_t c = 0; c < n; c++)
		total += w[c];
	/* too wide: take from the cuttable columns, the heaviest first, down to their headers */
	while (!term->full && total > term->width) {
		size_t best = t->n, floor;

		for (size_t c = 0; c < n; c++)
			if (t->weight[c] && w[c] > floor_of(t, c) &&
			    (best == t->n || t->weight[c] > t->weight[best]))
				best = c;
		if (best == t->n)
			break;	/* nothing more to cut: the line is cut at the width below */
		floor = floor_of(t, best);
		if (w[best] - floor >= total - term->width) {
			w[best] -= total - term->width;
			total = term->width;
		} else {
			total -= w[best] - floor;
			w[best] = floor;
		}
	}
	for (size_t r = term->legend ? 0 : 1; r < t->rows; r++) {
		const char *color = r == 0 ? CTL_HIGHLIGHT : t->color[r];
		size_t used = 0;

		if (color)
			fputs(ctl_color(term, color), f);
		for (size_t c = 0; c < n; c++) {
			size_t cols = w[c];
			bool last = c + 1 == n;

			/* what no cut could fit: the line ends at the width */
			if (!term->full && used + cols > term->width)
				cols = used < term->width ? term->width - used : 0;
			put_cell(f, t->cell[r * t->n + c], cols, last || cols < w[c]);
			used += cols;
			if (!last && (term->full || used < term->width)) {
				fputc(' ', f);
				used++;
			} else if (!last)
				break;
		}
		if (color)
			fputs(ctl_color(term, CTL_RESET), f);
		fputc('\n', f);
		if (t->below && r > 0)
			put_below(f, t->cell[r * t->n + n], term);
	}
	free(w);
}
