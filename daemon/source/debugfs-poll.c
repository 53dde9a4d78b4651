// SPDX-License-Identifier: GPL-2.0-or-later
/* The "debugfs" live source: the kernel's own list, polled. */
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/util.h"
#include "debugfs-poll.h"
#include "host/debugfs.h"

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

	r = pt_debugfs_read(p->path, &k, &n, NULL);
	if (r < 0)
		return log_error_errno(r, "cannot poll %s", p->path);
	p->polls++;
	if (n == p->n_last && memcmp(k, p->last, n * sizeof(*k)) == 0)
		return 0;
	r = pt_live_emit_sync(p->fn, p->userdata,
			      &(struct pt_event){ .kind = PT_EV_SYNC, .reason = PT_SYNC_POLL }, k, n);
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
	.caps = 0,	/* the table, and nothing about who or how */
	.fd = poll_fd,
	.dispatch = poll_dispatch,
	.finish = poll_finish,
	/* no lost: a poll misses what came and went between two reads, unknowably */
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
	r = pt_debugfs_read(path, &p->last, &p->n_last, NULL);
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
