// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's own table: /sys/kernel/debug/x86/pat_memtype_list. */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "live.h"
#include "parse.h"
#include "sources.h"
#include "util.h"

int pt_debugfs_parse_line(const char *line, size_t len, uint64_t *start, uint64_t *end,
			  int *type)
{
	struct cursor c = cursor_make(line, len);

	if (cursor_at_end(&c))
		return 0;
	c = cursor_make(line, len);
	if (cursor_lit(&c, "PAT memtype list:"))
		return cursor_at_end(&c) ? 0 : -EBADMSG;
	if (!cursor_lit(&c, "PAT: [mem ") || !cursor_hex(&c, start) || !cursor_lit(&c, "-") ||
	    !cursor_hex(&c, end) || !cursor_lit(&c, "] ") || !cursor_type(&c, type) ||
	    !cursor_at_end(&c))
		return -EBADMSG;
	if (*start >= *end)
		return -EBADMSG;
	return 1;
}

int pt_debugfs_ensure(const char *path)
{
	if (access(path, R_OK) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (strcmp(path, PT_DEBUGFS_PAT) != 0)
		return -ENOENT;
	/* Not there: debugfs may just not be mounted. */
	if (mount("none", PT_DEBUGFS_MOUNT, "debugfs", 0, NULL) < 0 && errno != EBUSY)
		return -errno;
	if (access(path, R_OK) < 0)
		return -errno;
	return 0;
}

int pt_debugfs_parse(const char *text, size_t len, struct pt_kentry **ret, size_t *n_ret,
		     unsigned long *bad_line)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	size_t n = 0, cap = 0;
	unsigned long lineno = 0;
	const char *line, *next;
	int r;

	for (line = text; line < text + len; line = next) {
		const char *nl = memchr(line, '\n', (size_t)(text + len - line));
		struct pt_kentry e;

		next = nl ? nl + 1 : text + len;
		lineno++;
		r = pt_debugfs_parse_line(line, (size_t)((nl ? nl : next) - line), &e.start, &e.end,
					  &e.type);
		if (r < 0) {
			*bad_line = lineno;
			return r;
		}
		if (r == 0)
			continue;
		if (n == cap) {
			struct pt_kentry *v;

			cap = cap ? cap * 2 : 64;
			v = realloc(k, cap * sizeof(*v));
			if (!v)
				return -ENOMEM;
			k = v;
		}
		k[n++] = e;
	}
	*ret = TAKE_PTR(k);
	*n_ret = n;
	return 0;
}

int pt_debugfs_read(const char *path, struct pt_kentry **ret, size_t *n)
{
	_cleanup_free_ char *text = NULL;
	unsigned long bad = 0;
	size_t len;
	int r;

	r = read_full_file(path, &text, &len);
	if (r < 0)
		return r;
	r = pt_debugfs_parse(text, len, ret, n, &bad);
	if (r == -EBADMSG)
		log_error("%s:%lu: not a memtype line", path, bad);
	return r;
}

int pt_debugfs_load(struct pt_model *m, const char *path)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	size_t n;
	int r;

	r = pt_debugfs_read(path, &k, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct pt_event ev = {
			.kind = PT_EV_ENTRY, .start = k[i].start, .end = k[i].end, .type = k[i].type,
		};

		r = pt_model_apply(m, &ev);
		if (r < 0)
			return log_error_errno(r, "%s: cannot add entry %zu", path, i + 1);
	}
	return 0;
}

/* ---- the polling source --------------------------------------------------- */

struct pt_debugfs_poll {
	char *path;
	int timer;
	pt_live_fn fn;
	void *userdata;
	struct pt_kentry *last;
	size_t n_last;
	uint64_t polls;
};

static int poll_fd(void *impl)
{
	return ((struct pt_debugfs_poll *)impl)->timer;
}

static int poll_once(struct pt_debugfs_poll *p)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	size_t n;
	int r;

	r = pt_debugfs_read(p->path, &k, &n);
	if (r < 0)
		return log_error_errno(r, "cannot poll %s", p->path);
	p->polls++;
	if (n == p->n_last && memcmp(k, p->last, n * sizeof(*k)) == 0)
		return 0;
	r = pt_live_emit_sync(p->fn, p->userdata, PT_SYNC_POLL, 0, k, n);
	free(p->last);
	p->last = TAKE_PTR(k);
	p->n_last = n;
	return r;
}

static int poll_dispatch(void *impl)
{
	struct pt_debugfs_poll *p = impl;
	uint64_t ticks;

	if (read(p->timer, &ticks, sizeof(ticks)) < 0)
		return errno == EAGAIN ? 0 : -errno;
	return poll_once(p);
}

/* One last look, so that a trace ends in the table as it is now. */
static uint64_t poll_finish(void *impl)
{
	(void)poll_once(impl);
	return 0;
}

static uint64_t poll_lost(void *impl)
{
	(void)impl;
	return 0;	/* a poll misses what came and went between two reads, unknowably */
}

static void poll_set_kallsyms(void *impl, const struct pt_kallsyms *syms)
{
	(void)impl;
	(void)syms;
}

static void poll_free(void *impl)
{
	struct pt_debugfs_poll *p = impl;

	if (p->timer >= 0)
		close(p->timer);
	free(p->last);
	free(p->path);
	free(p);
}

static const struct pt_source_ops poll_ops = {
	.name = "debugfs",
	.fd = poll_fd,
	.dispatch = poll_dispatch,
	.finish = poll_finish,
	.lost = poll_lost,
	.set_kallsyms = poll_set_kallsyms,
	.free = poll_free,
};

int pt_debugfs_source(const char *path, unsigned interval_ms, pt_live_fn fn, void *userdata,
		      struct pt_source *ret)
{
	struct itimerspec its = {
		.it_interval = { interval_ms / 1000, (long)(interval_ms % 1000) * 1000000 },
	};
	struct pt_debugfs_poll *p;
	int r;

	if (interval_ms == 0)
		return -EINVAL;
	r = pt_debugfs_ensure(path);
	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct pt_debugfs_poll){ .timer = -1, .fn = fn, .userdata = userdata };
	p->path = strdup(path);
	if (!p->path) {
		poll_free(p);
		return -ENOMEM;
	}
	r = pt_debugfs_read(path, &p->last, &p->n_last);
	if (r < 0) {
		poll_free(p);
		return r;
	}
	p->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	its.it_value = its.it_interval;
	if (p->timer < 0 || timerfd_settime(p->timer, 0, &its, NULL) < 0) {
		r = -errno;
		poll_free(p);
		return r;
	}
	*ret = (struct pt_source){ .ops = &poll_ops, .impl = p, .detail = "polling" };
	return 0;
}
