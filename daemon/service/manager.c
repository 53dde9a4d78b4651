// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrackd's manager: one model, one source, timers for reconciliation,
 * leak judgement and property announcements.  What it found goes to the
 * journal and the bus from manager-report.c.
 */
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <time.h>

#include "core/bus-api.h"
#include "core/trace.h"
#include "core/util.h"
#include "host/debugfs.h"
#include "source/open.h"
#include "manager-bus.h"
#include "manager.h"
#include "metrics.h"
#include "state.h"

#define RECONCILE_TRIES 3


static uint64_t now_usec(void)
{
	return now_ns(CLOCK_MONOTONIC) / 1000;
}

int manager_new(struct manager **ret)
{
	_cleanup_(manager_freep) struct manager *m = NULL;
	sd_id128_t tag;
	int r;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pt_conf_defaults(&m->conf);
	m->debugfs = PT_DEBUGFS_PAT;
	m->iomem_path = PT_IOMEM;
	m->klog.fd = -1;
	r = sd_event_default(&m->event);
	if (r < 0)
		return log_error_errno(r, "cannot create the event loop");
	r = pt_model_new(&m->model);
	if (r < 0)
		return r;
	r = sd_id128_randomize(&tag);
	if (r < 0)
		return log_error_errno(r, "cannot draw a cookie tag");
	/* never 0, and a cookie stays below 2^63; only "since the start" is 0 */
	m->cookie_tag = tag.qwords[0] % ((UINT64_C(1) << (63 - PT_COOKIE_CLOCK_BITS)) - 1) + 1;
	*ret = TAKE_PTR(m);
	return 0;
}

void manager_free(struct manager *m)
{
	if (!m)
		return;
	sd_event_source_unref(m->source_io);
	sd_event_source_unref(m->reconcile_timer);
	sd_event_source_unref(m->leak_timer);
	sd_event_source_unref(m->changed_timer);
	sd_event_source_unref(m->flush_timer);
	sd_event_source_unref(m->klog_io);
	sd_event_source_unref(m->state_timer);
	sd_event_source_unref(m->metrics_timer);
	sd_event_source_unref(m->metrics_soon_timer);
	free(m->metric_owner);
	manager_state_done(m);
	pt_kmsg_follow_done(&m->klog);
	pt_pci_done(&m->pci);
	sd_bus_slot_unref(m->vtable_slot);
	pt_access_done(&m->access);
	sd_bus_flush_close_unref(m->bus);
	pt_source_close(&m->source);
	pt_kallsyms_free(m->syms);
	pt_iomem_done(&m->iomem);
	pt_model_free(m->model);
	sd_event_unref(m->event);
	free(m->source_desc);
	free(m->history);
	free(m->exits);
	free(m);
}

/* ---- events -------------------------------------------------------------- */

static void history_note(struct manager *m, const struct pt_event *ev)
{
	struct pt_history_event *h;

	/* what touched an address: reservations, releases, entries (a resync's among them) */
	if (!m->history ||
	    (ev->kind != PT_EV_RESERVE && ev->kind != PT_EV_FREE && ev->kind != PT_EV_ENTRY))
		return;
	h = &m->history[m->history_next++ % m->conf.history];
	*h = (struct pt_history_event){
		.clock = pt_model_clock(m->model),
		.seq = ev->has_seq ? ev->seq : 0,
		.ts_ns = ev->ts_ns,
		.start = ev->start,
		.end = ev->end,
		.kind = ev->kind,
		.type = (int8_t)(ev->kind == PT_EV_RESERVE ? ev->req : ev->type),
		.got = (int8_t)(ev->kind == PT_EV_RESERVE && !ev->strict ? ev->got : PT_TYPE_NONE),
		.ret = ev->has_ret ? ev->ret : 0,
		.pid = ev->pid,
	};
	if (ev->comm)
		pt_safe_escape(ev->comm, ev->comm_len, PT_STR_COMM, h->comm);
}

size_t manager_history_at(const struct manager *m, uint64_t address,
			  const struct pt_history_event **hits, size_t max)
{
	uint64_t have = m->history_next < m->conf.history ? m->history_next : m->conf.history;
	size_t n = 0;

	for (uint64_t i = 0; i < have && n < max; i++) {
		const struct pt_history_event *h =
			&m->history[(m->history_next - 1 - i) % m->conf.history];

		if (h->start <= address && address < h->end)
			hits[n++] = h;
	}
	return n;
}

static void leak_timer_arm(struct manager *m);

int manager_judge_later(struct manager *m)
{
	if (m->exits_len == m->exits_cap) {
		size_t cap = m->exits_cap ? m->exits_cap * 2 : 64;
		struct pt_pending_exit *v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t i = 0; i < m->exits_len; i++)
			v[i] = m->exits[(m->exits_head + i) % m->exits_cap];
		free(m->exits);
		m->exits = v;
		m->exits_cap = cap;
		m->exits_head = 0;
	}
	m->exits[(m->exits_head + m->exits_len++) % m->exits_cap] = (struct pt_pending_exit){
		.clock = pt_model_clock(m->model),
		.due_usec = now_usec() + m->conf.leak_grace_usec,
	};
	if (m->exits_len == 1)
		leak_timer_arm(m);
	return 0;
}

int manager_apply(struct manager *m, const struct pt_event *ev)
{
	int r;

	history_note(m, ev);
	r = pt_model_apply(m->model, ev);
	if (r == -ENOMEM)
		return log_error_errno(r, "out of memory for the model");
	if (r < 0) {
		m->rejected++;	/* told as a count: manager_note_counts() */
		log_debug("event %" PRIu64 " (%s) rejected by the model: %s", ev->seq,
			  pt_event_kind_name(ev->kind) ?: "?", strerror(-r));
		return 0;
	}
	m->events++;
	if (ev->kind == PT_EV_LOST || ev->kind == PT_EV_SYNC)
		m->lost += ev->lost;
	if (ev->kind == PT_EV_SYNC_END && m->source.ops)	/* the table is the kernel's list again */
		m->last_reconcile_usec = now_ns(CLOCK_REALTIME) / 1000;
	/* an owner gone: judged once the grace has passed, its teardown's frees in */
	if (ev->kind == PT_EV_EXIT || ev->kind == PT_EV_UNBIND || ev->kind == PT_EV_UNLOAD) {
		r = manager_judge_later(m);
		if (r < 0)
			return r;
	}
	if (!m->in_cycle)
		manager_report_anomalies(m);
	manager_mark_changed(m);
	return 0;
}

static int on_live_event(const struct pt_event *ev, void *userdata)
{
	return manager_apply(userdata, ev);
}

/* ---- timers -------------------------------------------------------------- */

static int on_leak_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	uint64_t upto = 0;
	bool any = false;
	int r;

	(void)s;
	(void)usec;
	while (m->exits_len && m->exits[m->exits_head].due_usec <= now_usec()) {
		upto = m->exits[m->exits_head].clock;
		any = true;
		m->exits_head = (m->exits_head + 1) % m->exits_cap;
		m->exits_len--;
	}
	if (any) {
		r = pt_model_judge_leaks_upto(m->model, upto);
		if (r < 0)
			log_error_errno(r, "cannot judge leaks");
		manager_report_anomalies(m);
		manager_mark_changed(m);
	}
	leak_timer_arm(m);
	return 0;
}

static void leak_timer_arm(struct manager *m)
{
	uint64_t due;
	int r;

	if (!m->exits_len) {
		if (m->leak_timer)
			sd_event_source_set_enabled(m->leak_timer, SD_EVENT_OFF);
		return;
	}
	due = m->exits[m->exits_head].due_usec;
	if (!m->leak_timer) {
		r = sd_event_add_time(m->event, &m->leak_timer, CLOCK_MONOTONIC, due, 10000,
				      on_leak_timer, m);
		if (r < 0)
			log_error_errno(r, "cannot arm the leak timer");
		return;
	}
	sd_event_source_set_time(m->leak_timer, due);
	sd_event_source_set_enabled(m->leak_timer, SD_EVENT_ONESHOT);
}

static int on_changed_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	(void)s;
	(void)usec;
	if (m->changed) {
		m->changed = false;
		(void)manager_bus_emit_changed(m);
		if (m->ready)
			sd_notifyf(false, "STATUS=%zu entries, %" PRIu64 " events, %zu anomalies",
				   pt_model_entry_count(m->model), m->events,
				   pt_model_anomaly_count(m->model));
	}
	return 0;
}

void manager_mark_changed(struct manager *m)
{
	uint64_t now;

	if (m->changed || !m->event)
		return;
	m->changed = true;
	/* coalesced: at most one PropertiesChanged a quarter second */
	now = now_usec();
	if (!m->changed_timer) {
		if (sd_event_add_time(m->event, &m->changed_timer, CLOCK_MONOTONIC, now + 250000,
				      50000, on_changed_timer, m) < 0) {
			m->changed_timer = NULL;
			m->changed = false;	/* try again at the next change */
		}
		return;
	}
	sd_event_source_set_time(m->changed_timer, now + 250000);
	sd_event_source_set_enabled(m->changed_timer, SD_EVENT_ONESHOT);
}

/* ---- reconciliation with debugfs ----------------------------------------- */

/* @all: also what the kernel has reported but not yet sent (see pt_source_drain()) */
static int drain_source(struct manager *m, bool all)
{
	int r;

	if (!m->source.ops)
		return 0;
	/* a loss found at the end may take back drift over the events read before it */
	m->in_cycle = true;
	r = all ? pt_source_drain(&m->source) : m->source.ops->dispatch(m->source.impl);
	if (r >= 0)
		r = pt_live_resync_on_loss(&m->source, &m->loss, m->debugfs, on_live_event, m);
	m->in_cycle = false;
	manager_report_anomalies(m);
	return r;
}

int manager_reconcile(struct manager *m, struct pt_sync_result *res)
{
	int r;

	if (!m->source.ops)
		return -EOPNOTSUPP;	/* a replayed trace is not this host's */
	for (int attempt = 0; attempt < RECONCILE_TRIES; attempt++) {
		_cleanup_free_ struct pt_kentry *k = NULL;
		uint64_t before;
		size_t n;

		/* a consistent view: nothing may arrive while the list is read */
		r = drain_source(m, true);
		if (r < 0)
			return r;
		before = m->events;
		r = pt_debugfs_read(m->debugfs, &k, &n, NULL);
		if (r < 0)
			return r;
		r = drain_source(m, true);
		if (r < 0)
			return r;
		if (m->events != before)
			continue;
		r = pt_model_resync(m->model, PT_SYNC_RECONCILE, 0, k, n, res);
		if (r < 0)
			return r;
		m->last_reconcile_usec = now_ns(CLOCK_REALTIME) / 1000;
		manager_report_anomalies(m);
		manager_mark_changed(m);
		return 0;
	}
	log_debug("reconcile: events kept arriving, later");
	return -EBUSY;
}

static int on_reconcile_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	struct pt_sync_result res;
	int r;

	r = manager_reconcile(m, &res);
	if (r < 0 && r != -EBUSY)
		log_warning("reconcile with %s failed: %s", m->debugfs, strerror(-r));
	else if (r == 0 && (res.added || res.removed))
		log_warning("reconcile: the kernel's list and the model differed by %zu added, %zu dropped",
			    res.added, res.removed);
	sd_event_source_set_time(s, usec + m->conf.reconcile_usec);
	return 0;
}

/* ---- start --------------------------------------------------------------- */

static int on_source_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r;

	(void)s;
	(void)fd;
	(void)revents;
	r = drain_source(m, false);
	if (r < 0) {
		log_error_errno(r, "the %s source failed", m->source.ops->name);
		return sd_event_exit(m->event, r);
	}
	return 0;
}

static int on_flush_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;

	sd_event_source_set_time(s, usec + m->source.ops->flush_ms * 1000ULL);
	return on_source_io(NULL, -1, 0, m);
}

static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static int replay_trace(struct manager *m)
{
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *tr = NULL;
	struct pt_event ev;
	int r;

	r = pt_trace_reader_open(m->replay, &tr);
	if (r < 0)
		return log_error_errno(r, "cannot open %s", m->replay);
	while ((r = pt_trace_read(tr, &ev)) != 0) {
		if (r == -EBADMSG) {
			log_error("%s:%lu: malformed line: %s", m->replay, pt_trace_line(tr),
				  pt_trace_error(tr));
			continue;
		}
		if (r < 0)
			return log_error_errno(r, "cannot read %s", m->replay);
		r = manager_apply(m, &ev);
		if (r < 0)
			return r;
	}
	log_info("replayed %s: %" PRIu64 " events, %zu entries, %zu anomalies", m->replay,
		 m->events, pt_model_entry_count(m->model), pt_model_anomaly_count(m->model));
	return 0;
}

static int on_replay(sd_event_source *s, void *userdata)
{
	struct manager *m = userdata;
	int r;

	(void)s;
	r = replay_trace(m);
	if (r < 0)
		return sd_event_exit(m->event, r);
	return 0;
}

/* The host's table and RAM, from debugfs and /proc/iomem, into the model. */
static int bootstrap(struct manager *m)
{
	_cleanup_free_ struct pt_kentry *k = NULL;
	unsigned long bad = 0;
	size_t n;
	int r;

	r = manager_state_begin(m);	/* the clock first: the list's entries tick it */
	if (r < 0)
		return r;
	r = pt_debugfs_ensure(m->debugfs);
	if (r >= 0)
		r = pt_debugfs_read(m->debugfs, &k, &n, &bad);
	if (r < 0) {
		char why[PATH_MAX + 64];

		log_error("%s", pt_debugfs_strerror(m->debugfs, r, bad, why, sizeof(why)));
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		struct pt_event ev = pt_event_of_kentry(&k[i]);

		r = manager_apply(m, &ev);
		if (r < 0)
			return r;
	}
	r = pt_iomem_load_ram(m->model, &m->iomem);
	if (r < 0)
		return r;
	/* the BARs name the devices reservations lie in, when no unbind has named them */
	r = pt_pci_read(PT_SYSFS_PCI, &m->pci);
	if (r < 0)
		(void)log_full_errno_at(LOG_WARNING, r, "PCI BARs will not be named: %s",
					PT_SYSFS_PCI);
	else {
		r = pt_pci_load(m->model, &m->pci);
		if (r < 0)
			return r;
	}
	m->last_reconcile_usec = now_ns(CLOCK_REALTIME) / 1000;	/* the table is the kernel's list */
	/* the saved owners, on what the list still holds */
	return manager_state_restore(m);
}

/* Who reads physical addresses besides root, the kernel we run on, Explain()'s memory. */
static int setup_identity(struct manager *m)
{
	struct group *g = getgrnam("pattrack");
	struct utsname u;

	m->journal = stderr_is_journal();
	if (m->journal)
		log_set_levels(true);
	if (g) {
		m->access.gid = g->gr_gid;
		m->access.have_gid = true;
	}
	if (uname(&u) == 0)
		snprintf(m->kernel_release, sizeof(m->kernel_release), "%s", u.release);
	pt_model_set_anomaly_limit(m->model, m->conf.anomaly_limit);
	if (m->conf.history) {
		m->history = calloc(m->conf.history, sizeof(*m->history));
		if (!m->history)
			return log_error_errno(-ENOMEM, "cannot keep %" PRIu64 " events for Explain()",
					       m->conf.history);
	}
	return 0;
}

/* SIGTERM and SIGINT end the loop; the watchdog is kept when the unit asks for one. */
static int setup_signals(struct manager *m)
{
	int r;

	r = sd_event_set_watchdog(m->event, true);
	if (r < 0)
		log_warning("cannot set up the watchdog: %s", strerror(-r));
	r = sd_event_set_signal_exit(m->event, true);
	if (r < 0)
		return log_error_errno(r, "cannot handle signals");
	return 0;
}

int manager_add_timer(struct manager *m, sd_event_source **ret, uint64_t usec, uint64_t accuracy,
		      sd_event_time_handler_t handler, const char *name)
{
	_cleanup_(sd_event_source_unrefp) sd_event_source *s = NULL;
	int r;

	r = sd_event_add_time_relative(m->event, &s, CLOCK_MONOTONIC, usec, accuracy, handler, m);
	if (r < 0)
		return log_error_errno(r, "cannot arm the %s timer", name);
	(void)sd_event_source_set_description(s, name);
	r = sd_event_source_set_enabled(s, SD_EVENT_ON);
	if (r < 0)
		return log_error_errno(r, "cannot enable the %s timer", name);
	*ret = TAKE_PTR(s);
	return 0;
}

/* --replay: the trace is read once the bus is up, so that its Anomaly signals go out. */
static int start_replay(struct manager *m)
{
	int r;

	if (asprintf(&m->source_desc, "replay %s", m->replay) < 0)
		return log_error_errno(-ENOMEM, "cannot describe the source");
	r = sd_event_add_defer(m->event, NULL, on_replay, m);
	if (r < 0)
		return log_error_errno(r, "cannot schedule the replay");
	return 0;
}

/* Subscribe first, then read the table: no event can fall between the two unseen. */
static int open_source(struct manager *m)
{
	unsigned poll_ms = (unsigned)(m->conf.poll_usec / 1000);
	int r;

	r = pt_iomem_read(m->iomem_path, &m->iomem);
	if (r < 0)
		log_warning("cannot read %s (%s): System RAM unknown", m->iomem_path,
			    strerror(-r));
	else if (pt_iomem_is_censored(&m->iomem))
		/* the kernel shows addresses only to CAP_SYS_ADMIN: RAM and resources unknown */
		log_error("%s shows every address as 0 (it was read without CAP_SYS_ADMIN): System "
			  "RAM and the resources ranges lie in are unknown, so reservations of RAM "
			  "are judged as if it were device memory; the unit copies it for pattrackd "
			  "(ExecStartPre=, --iomem=)", m->iomem_path);
	r = pt_source_open(m->conf.source, m->debugfs, poll_ms ? poll_ms : 1, on_live_event, m,
			   &m->source);
	if (r < 0) {
		/* the factory said why; a source asked for by name is the configuration's fault */
		m->config_error = m->conf.source != PT_SOURCE_AUTO;
		if (m->config_error)
			log_error("Source=%s cannot be used on this host: Source=auto takes the "
				  "first source that can", pt_source_kind_name(m->conf.source));
		return r;
	}
	if (asprintf(&m->source_desc, "%s%s%s%s", m->source.ops->name,
		     m->source.detail ? " (" : "", m->source.detail ?: "",
		     m->source.detail ? ")" : "") < 0)
		return log_error_errno(-ENOMEM, "cannot describe the source");
	if (pt_kallsyms_load(&m->syms) >= 0)
		pt_source_set_kallsyms(&m->source, m->syms);
	return bootstrap(m);
}

static int on_klog_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct manager *m = userdata;
	int r;

	(void)s;
	(void)fd;
	(void)revents;
	r = pt_kmsg_follow_read(&m->klog, on_live_event, m);
	if (r < 0)
		return sd_event_exit(m->event, log_error_errno(r, "cannot take the kernel log's lines"));
	return 0;
}

/*
 * A source that sees no calls (debugfs) cannot tell a conflict: the kernel's
 * log can, with the pid and comm it printed.  Without it pattrackd goes on.
 */
static int watch_log(struct manager *m)
{
	int r;

	r = pt_kmsg_follow(PT_KMSG, &m->klog);
	if (r < 0) {
		(void)log_full_errno_at(LOG_WARNING, r, "the kernel log will not be followed: %s",
					PT_KMSG);
		return 0;
	}
	r = sd_event_add_io(m->event, &m->klog_io, m->klog.fd, EPOLLIN, on_klog_io, m);
	if (r < 0)
		return log_error_errno(r, "cannot watch %s", PT_KMSG);
	(void)sd_event_source_set_description(m->klog_io, "kmsg");
	log_info("the kernel log's x86/PAT lines are followed for what %s cannot see",
		 m->source.ops->name);
	return 0;
}

/* The source's fd, its flush timer if it needs one, the periodic reconcile, the log. */
static int watch_source(struct manager *m)
{
	const struct pt_source_ops *ops = m->source.ops;
	int fd = ops->fd(m->source.impl), r;

	if (fd >= 0) {
		r = sd_event_add_io(m->event, &m->source_io, fd, EPOLLIN, on_source_io, m);
		if (r < 0)
			return log_error_errno(r, "cannot watch the source");
		(void)sd_event_source_set_description(m->source_io, "source");
	}
	if (ops->flush_ms) {
		r = manager_add_timer(m, &m->flush_timer, ops->flush_ms * 1000ULL,
				      ops->flush_ms * 100ULL, on_flush_timer, "flush");
		if (r < 0)
			return r;
	}
	/* only a source that sees every call can be checked against the kernel's list */
	if (m->conf.reconcile_usec && (ops->caps & PT_SOURCE_CALLS)) {
		r = manager_add_timer(m, &m->reconcile_timer, m->conf.reconcile_usec, 1000000,
				      on_reconcile_timer, "reconcile");
		if (r < 0)
			return r;
	}
	return ops->caps & PT_SOURCE_CALLS ? 0 : watch_log(m);
}

/* The events: a recorded trace, or the live source, watched. */
static int start_events(struct manager *m)
{
	int r;

	if (m->replay)
		r = start_replay(m);
	else {
		r = open_source(m);
		if (r >= 0)
			r = watch_source(m);
	}
	if (r < 0)
		return r;
	r = manager_state_watch(m);
	if (r < 0)
		return r;
	/* a replay's figures are not this host's: only where asked for */
	if (m->conf.metrics_dir[0] && (!m->replay || m->metrics_asked))
		m->metrics_dir = m->conf.metrics_dir;
	return manager_metrics_watch(m);
}

int manager_start(struct manager *m)
{
	static int (*const steps[])(struct manager *m) = {
		setup_identity,
		setup_signals,
		start_events,
		manager_bus_setup,
	};
	int r;

	for (size_t i = 0; i < ELEMENTSOF(steps); i++) {
		r = steps[i](m);
		if (r < 0)
			return r;	/* each step said why */
	}
	m->ready = true;
	sd_notifyf(false, "READY=1\nSTATUS=source %s; %zu entries", m->source_desc,
		   pt_model_entry_count(m->model));
	log_info("source %s; %zu entries; on the bus as " PT_BUS_NAME, m->source_desc,
		 pt_model_entry_count(m->model));
	return 0;
}
