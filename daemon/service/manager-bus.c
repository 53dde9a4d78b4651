// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * org.pattrack.Tracker1 at /org/pattrack/Tracker1: one vtable.  Physical
 * addresses are sensitive: every method checks the caller's credentials
 * (root or group "pattrack"; Checkpoint and Reconcile root only), besides
 * the bus policy that says the same.
 */
#include <inttypes.h>

#include "config.h"
#include "core/bus-api.h"
#include "core/owner.h"
#include "core/trace.h"
#include "core/util.h"
#include "manager-bus.h"
#include "metrics.h"
#include "manager.h"


#define EXPLAIN_EVENTS 64

/* ---- access --------------------------------------------------------------- */

#define CHECK(root_only)                                                  \
	do {                                                              \
		int _r = pt_access_check(&m->access, msg, (root_only), error);        \
		if (_r <= 0)                                              \
			return _r;                                        \
	} while (0)

/* ---- replies that are arrays ----------------------------------------------- */

/* A page of a list: @skip items passed over, at most @max taken. */
struct page {
	uint64_t skip, seen;
	uint32_t max, taken;
	bool paged;		/* a *Page method: the reply ends with the next cursor */
	bool more;		/* items were left when the page was full */
};

#define WHOLE ((struct page){ .max = PT_BUS_PAGE_MAX })

/* Whether the next matching item goes on the page; sets more when it is full. */
static bool page_take(struct page *pg)
{
	if (pg->seen++ < pg->skip)
		return false;
	if (pg->taken == pg->max) {
		pg->more = true;
		return false;
	}
	pg->taken++;
	return true;
}

/* The cursor and size a *Page method was given, at the end of @msg. */
static int read_page(sd_bus_message *msg, struct page *pg)
{
	uint64_t cursor;
	uint32_t max;
	int r = sd_bus_message_read(msg, "tu", &cursor, &max);

	if (r < 0)
		return r;
	*pg = (struct page){ .skip = cursor, .paged = true,
			     .max = max && max < PT_BUS_PAGE_MAX ? max : PT_BUS_PAGE_MAX };
	return 0;
}

/*
 * Replies to @msg with an array of @sig whose elements @fill appends to the
 * reply it is given, with @userdata, taking items by @pg: then the next
 * cursor for a page, TooMany for a whole list that does not fit.
 */
static int reply_array(sd_bus_message *msg, const char *sig,
		       int (*fill)(sd_bus_message *reply, void *userdata), void *userdata,
		       const struct page *pg, sd_bus_error *error)
{
	_cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_message_new_method_return(msg, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', sig);
	if (r >= 0)
		r = fill(reply, userdata);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0 && pg && pg->paged)
		r = sd_bus_message_append(reply, "t", pg->more ? pg->skip + pg->taken : 0);
	if (r < 0)
		return r;
	if (pg && !pg->paged && pg->more)
		return sd_bus_error_setf(error, PT_BUS_ERR_TOO_MANY,
					 "more than %u to tell in one reply: ask for them by pages "
					 "with %sPage (pattrackctl does)", pg->max,
					 sd_bus_message_get_member(msg));
	return sd_bus_send(NULL, reply, NULL);
}

/* ---- entries -------------------------------------------------------------- */

struct entries_ctx {
	struct manager *m;
	sd_bus_message *reply;
	uint64_t start, end;
	uint64_t since;		/* Leaks(): born after this clock */
	bool leaks;
	struct page pg;
};

static int append_entry(const struct pt_entry_info *e, void *userdata)
{
	struct entries_ctx *c = userdata;
	struct pt_owner_info o;
	char where[256];
	int r;

	/* what a driver holds while bound, or nobody knows whose, is no leak of a test's */
	if (c->leaks && (e->born <= c->since || e->owner == PT_OWNER_UNKNOWN ||
			 (e->owner == PT_OWNER_DRIVER && !e->leaked)))
		return 0;
	if (!page_take(&c->pg))
		return c->pg.more;	/* full: 1 ends the walk */
	pt_iomem_describe(&c->m->iomem, e->start, e->end, where, sizeof(where));
	pt_entry_owner(c->m->model, e, &o);
	r = sd_bus_message_append(c->reply, PT_BUS_ENTRY_SIG, e->start, e->end, pt_type_name(e->type),
				  e->pid, e->comm, e->seq, where, e->owner_exited,
				  pt_owner_class_name(o.owner), o.driver, o.device, o.bar);
	return r < 0 ? r : 0;	/* any other value ends the walk */
}

static int fill_entries(sd_bus_message *reply, void *userdata)
{
	struct entries_ctx *c = userdata;

	c->reply = reply;
	return pt_model_foreach_entry(c->m->model, c->start, c->end, append_entry, c);
}

static int reply_entries(struct manager *m, sd_bus_message *msg, uint64_t start, uint64_t end,
			 bool leaks, uint64_t since, const struct page *pg, sd_bus_error *error)
{
	struct entries_ctx c = { m, NULL, start, end, since, leaks, *pg };

	return reply_array(msg, PT_BUS_ENTRY_SIG, fill_entries, &c, &c.pg, error);
}

static int method_list_entries(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;

	CHECK(false);
	return reply_entries(m, msg, 0, UINT64_MAX, false, 0, &WHOLE, error);
}

/* The one argument of Lookup() and Explain(): a physical address. */
static int read_address(sd_bus_message *msg, sd_bus_error *error, uint64_t *ret)
{
	int r = sd_bus_message_read(msg, "t", ret);

	if (r < 0)
		return r;
	if (*ret >= PT_PHYS_LIMIT)
		return sd_bus_error_setf(error, PT_BUS_ERR_INVALID_RANGE,
					 "0x%" PRIx64 " is beyond 52-bit physical addresses", *ret);
	return 0;
}

static int method_lookup(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	uint64_t a;
	int r;

	CHECK(false);
	r = read_address(msg, error, &a);
	return r < 0 ? r : reply_entries(m, msg, a, a + 1, false, 0, &WHOLE, error);
}

/* The range of QueryRange() and ListEntriesPage(): [*s, *e), below 2^52. */
static int read_range(sd_bus_message *msg, sd_bus_error *error, uint64_t *s, uint64_t *e)
{
	int r = sd_bus_message_read(msg, "tt", s, e);

	if (r < 0)
		return r;
	if (*e <= *s)
		return sd_bus_error_setf(error, PT_BUS_ERR_INVALID_RANGE,
					 "end 0x%" PRIx64 " is not above start 0x%" PRIx64
					 " (the end is exclusive)", *e, *s);
	if (*e > PT_PHYS_LIMIT)
		return sd_bus_error_setf(error, PT_BUS_ERR_INVALID_RANGE,
					 "0x%" PRIx64 " is beyond 52-bit physical addresses", *e);
	return 1;
}

static int method_query_range(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	uint64_t s, e;
	int r;

	CHECK(false);
	r = read_range(msg, error, &s, &e);
	return r <= 0 ? r : reply_entries(m, msg, s, e, false, 0, &WHOLE, error);
}

static int method_list_entries_page(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	struct page pg;
	uint64_t s, e;
	int r;

	CHECK(false);
	r = read_range(msg, error, &s, &e);
	if (r <= 0)
		return r;
	r = read_page(msg, &pg);
	return r < 0 ? r : reply_entries(m, msg, s, e, false, 0, &pg, error);
}

/*
 * A cookie is the model's clock in its low PT_COOKIE_CLOCK_BITS bits and a
 * tag drawn at random above them when pattrackd starts without a state of
 * this boot (state.c keeps both across restarts), so that a cookie of
 * another boot or of a lost state is refused, not read as a clock of this
 * one.  0 stays "since the start".
 */
static uint64_t cookie_of(const struct manager *m, uint64_t clock)
{
	return m->cookie_tag << PT_COOKIE_CLOCK_BITS | clock;
}

/* *@ret: the clock @cookie stands for.  0, or -ESRCH for a cookie not of this tag. */
static int cookie_clock(const struct manager *m, uint64_t cookie, uint64_t *ret)
{
	uint64_t clock = cookie & ((UINT64_C(1) << PT_COOKIE_CLOCK_BITS) - 1);

	if (cookie == 0) {
		*ret = 0;
		return 0;
	}
	if (cookie >> PT_COOKIE_CLOCK_BITS != m->cookie_tag || clock > pt_model_clock(m->model))
		return -ESRCH;
	*ret = clock;
	return 0;
}

static int method_checkpoint(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;

	CHECK(true);
	return sd_bus_reply_method_return(msg, "t", cookie_of(m, pt_model_clock(m->model)));
}

static int method_metrics(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	_cleanup_free_ char *text = NULL;
	int r;

	CHECK(false);
	r = manager_metrics(m, true, &text);
	if (r < 0)
		return r;
	return sd_bus_reply_method_return(msg, "s", text);
}

static int leaks(sd_bus_message *msg, void *userdata, sd_bus_error *error, bool paged)
{
	struct manager *m = userdata;
	struct page pg = WHOLE;
	uint64_t cookie, since;
	int r;

	CHECK(false);
	r = sd_bus_message_read(msg, "t", &cookie);
	if (r >= 0 && paged)
		r = read_page(msg, &pg);
	if (r < 0)
		return r;
	if (cookie_clock(m, cookie, &since) < 0)
		return sd_bus_error_setf(error, PT_BUS_ERR_UNKNOWN_COOKIE,
					 "cookie %" PRIu64 " was not handed out by pattrackd in this boot, "
					 "or before a restart that lost its state: take a new Checkpoint",
					 cookie);
	return reply_entries(m, msg, 0, UINT64_MAX, true, since, &pg, error);
}

static int method_leaks(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return leaks(msg, userdata, error, false);
}

static int method_leaks_page(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return leaks(msg, userdata, error, true);
}

/* ---- anomalies ------------------------------------------------------------ */


static int append_anomaly(struct manager *m, sd_bus_message *reply, const struct pt_anomaly *a)
{
	struct pt_owner_info o;
	char buf[512];

	pt_anomaly_explain(m->model, a, buf, sizeof(buf));
	pt_anomaly_owner(m->model, a, &o);
	return sd_bus_message_append(reply, PT_BUS_ANOMALY_SIG, pt_anomaly_kind_name(a->kind), a->start,
				     a->end, pt_type_name(a->type) ?: "", a->pid,
				     pt_strtab_get(pt_model_strings_const(m->model), a->comm), a->seq,
				     pt_severity_name(a->severity) ?: "", buf,
				     pt_owner_class_name(o.owner), o.driver, o.device, o.bar,
				     pt_strtab_get(pt_model_strings_const(m->model), a->stack));
}

struct anomalies_ctx {
	struct manager *m;
	int kind;	/* -1: all */
	struct page pg;
};

static int fill_anomalies(sd_bus_message *reply, void *userdata)
{
	struct anomalies_ctx *c = userdata;

	for (size_t i = 0; i < pt_model_anomaly_count(c->m->model); i++) {
		const struct pt_anomaly *a = pt_model_anomaly(c->m->model, i);
		int r;

		if (c->kind >= 0 && (int)a->kind != c->kind)
			continue;
		if (!page_take(&c->pg)) {
			if (c->pg.more)
				break;
			continue;
		}
		r = append_anomaly(c->m, reply, a);
		if (r < 0)
			return r;
	}
	return 0;
}

static int list_anomalies(sd_bus_message *msg, void *userdata, sd_bus_error *error, bool paged)
{
	struct manager *m = userdata;
	struct anomalies_ctx c = { m, -1, WHOLE };
	const char *kind;
	int r;

	CHECK(false);
	r = sd_bus_message_read(msg, "s", &kind);
	if (r >= 0 && paged)
		r = read_page(msg, &c.pg);
	if (r < 0)
		return r;
	if (*kind) {
		c.kind = pt_anomaly_kind_from_string(kind, strlen(kind));
		if (c.kind < 0)
			return sd_bus_error_setf(error, PT_BUS_ERR_UNKNOWN_KIND,
						 "unknown anomaly kind \"%s\" (conflict, degraded, "
						 "invalid-free, leak, drift, loss, or \"\" for all)", kind);
	}
	return reply_array(msg, PT_BUS_ANOMALY_SIG, fill_anomalies, &c, &c.pg, error);
}

static int method_list_anomalies(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return list_anomalies(msg, userdata, error, false);
}

static int method_list_anomalies_page(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	return list_anomalies(msg, userdata, error, true);
}

/* ---- explain -------------------------------------------------------------- */

struct history_ctx {
	const struct manager *m;
	const struct pt_history_event *hit[EXPLAIN_EVENTS];	/* newest first */
	size_t n;
};

static int fill_history(sd_bus_message *reply, void *userdata)
{
	struct history_ctx *c = userdata;

	while (c->n--) {
		const struct pt_history_event *h = c->hit[c->n];
		int r;

		r = sd_bus_message_append(reply, PT_BUS_HISTORY_SIG, cookie_of(c->m, h->clock), h->seq,
					  pt_event_kind_name(h->kind), h->start, h->end,
					  pt_type_name(h->type) ?: "", pt_type_name(h->got) ?: "",
					  h->ret, h->pid, h->comm);
		if (r < 0)
			return r;
	}
	return 0;
}

static int method_explain(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	struct history_ctx c = { .m = m, .n = 0 };
	uint64_t a;
	int r;

	CHECK(false);
	r = read_address(msg, error, &a);
	if (r < 0)
		return r;
	/* the newest EXPLAIN_EVENTS events that touched @a, told oldest first */
	c.n = manager_history_at(m, a, c.hit, EXPLAIN_EVENTS);
	return reply_array(msg, PT_BUS_HISTORY_SIG, fill_history, &c, NULL, error);
}

static int method_reconcile(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	struct pt_sync_result res;
	int r;

	CHECK(true);
	r = manager_reconcile(m, &res);
	if (r == -EOPNOTSUPP)
		return sd_bus_error_set(error, PT_BUS_ERR_NOT_LIVE,
					"serving a replayed trace: there is no kernel to reconcile with");
	if (r == -EBUSY)
		return sd_bus_error_set(error, PT_BUS_ERR_BUSY,
					"events kept arriving while the kernel's list was read; try again");
	if (r < 0)
		return sd_bus_error_set_errnof(error, r, "cannot read %s", m->debugfs);
	return sd_bus_reply_method_return(msg, "(ttt)", (uint64_t)res.kept, (uint64_t)res.added,
					  (uint64_t)res.removed);
}

/* ---- properties ----------------------------------------------------------- */

static int prop_version(sd_bus *bus, const char *path, const char *iface, const char *prop,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	(void)bus, (void)path, (void)iface, (void)prop, (void)userdata, (void)error;
	return sd_bus_message_append(reply, "s", PATTRACK_VERSION);
}

static int prop_sources(sd_bus *bus, const char *path, const char *iface, const char *prop,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;

	(void)bus, (void)path, (void)iface, (void)prop, (void)error;
	if (m->replay)
		return sd_bus_message_append(reply, "as", 1, m->source_desc);
	return sd_bus_message_append(reply, "as", 3, m->source_desc, m->debugfs, m->iomem_path);
}

static int prop_kernel_release(sd_bus *bus, const char *path, const char *iface,
			       const char *prop, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	struct manager *m = userdata;

	(void)bus, (void)path, (void)iface, (void)prop, (void)error;
	return sd_bus_message_append(reply, "s", m->kernel_release);
}

static int prop_counter(sd_bus *bus, const char *path, const char *iface, const char *prop,
			sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;
	uint64_t v;

	(void)bus, (void)path, (void)iface, (void)error;
	if (strcmp(prop, "EntryCount") == 0)
		v = pt_model_entry_count(m->model);
	else if (strcmp(prop, "EventsProcessed") == 0)
		v = m->events;
	else if (strcmp(prop, "EventsRejected") == 0)
		v = m->rejected;
	else if (strcmp(prop, "AnomalyRepeats") == 0)
		v = pt_model_stats(m->model)->anomaly_repeats;
	else if (strcmp(prop, "AnomaliesDropped") == 0)
		v = pt_model_stats(m->model)->anomalies_dropped;
	else if (strcmp(prop, "SignalsDropped") == 0)
		v = m->signals_dropped;
	else
		v = m->lost;
	return sd_bus_message_append(reply, "t", v);
}

static int prop_anomaly_counts(sd_bus *bus, const char *path, const char *iface,
			       const char *prop, sd_bus_message *reply, void *userdata,
			       sd_bus_error *error)
{
	struct manager *m = userdata;
	const struct pt_stats *st = pt_model_stats(m->model);
	int r;

	(void)bus, (void)path, (void)iface, (void)prop, (void)error;
	r = sd_bus_message_open_container(reply, 'a', "{st}");
	if (r < 0)
		return r;
	for (int k = 0; k < _PT_AN_MAX; k++) {
		r = sd_bus_message_append(reply, "{st}", pt_anomaly_kind_name(k), st->anomalies[k]);
		if (r < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable tracker_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", prop_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("Sources", "as", prop_sources, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("KernelRelease", "s", prop_kernel_release, 0,
			SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("EntryCount", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EventsProcessed", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EventsLost", "t", prop_counter, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("EventsRejected", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("AnomalyRepeats", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("AnomaliesDropped", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("SignalsDropped", "t", prop_counter, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("AnomalyCounts", "a{st}", prop_anomaly_counts, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("ListEntries", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries),
				method_list_entries, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Lookup", SD_BUS_ARGS("t", address),
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries),
				method_lookup, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("QueryRange", SD_BUS_ARGS("t", start, "t", end),
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries),
				method_query_range, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListAnomalies", SD_BUS_ARGS("s", kind),
				SD_BUS_RESULT("a" PT_BUS_ANOMALY_SIG, anomalies),
				method_list_anomalies, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListEntriesPage",
				SD_BUS_ARGS("t", start, "t", end, "t", cursor, "u", max),
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries, "t", next),
				method_list_entries_page, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListAnomaliesPage", SD_BUS_ARGS("s", kind, "t", cursor, "u", max),
				SD_BUS_RESULT("a" PT_BUS_ANOMALY_SIG, anomalies, "t", next),
				method_list_anomalies_page, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("LeaksPage", SD_BUS_ARGS("t", cookie, "t", cursor, "u", max),
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries, "t", next),
				method_leaks_page, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Checkpoint", SD_BUS_NO_ARGS, SD_BUS_RESULT("t", cookie),
				method_checkpoint, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Leaks", SD_BUS_ARGS("t", cookie),
				SD_BUS_RESULT("a" PT_BUS_ENTRY_SIG, entries),
				method_leaks, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Explain", SD_BUS_ARGS("t", address),
				SD_BUS_RESULT("a" PT_BUS_HISTORY_SIG, events),
				method_explain, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Metrics", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", exposition),
				method_metrics, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Reconcile", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("(ttt)", kept_added_removed),
				method_reconcile, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL_WITH_ARGS("Anomaly",
				SD_BUS_ARGS("s", kind, "t", start, "t", end, "s", type, "i", pid,
					    "s", comm, "s", explanation, "s", owner, "s", driver,
					    "s", device, "i", bar, "s", stack), 0),
	SD_BUS_VTABLE_END
};

int manager_bus_emit_anomaly(struct manager *m, const struct pt_anomaly *a)
{
	struct pt_owner_info o;
	char buf[512];

	pt_anomaly_explain(m->model, a, buf, sizeof(buf));
	pt_anomaly_owner(m->model, a, &o);
	return sd_bus_emit_signal(m->bus, PT_BUS_PATH, PT_BUS_IFACE, "Anomaly", PT_BUS_ANOMALY_SIGNAL_SIG,
				  pt_anomaly_kind_name(a->kind), a->start, a->end,
				  pt_type_name(a->type) ?: "", a->pid,
				  pt_strtab_get(pt_model_strings_const(m->model), a->comm), buf,
				  pt_owner_class_name(o.owner), o.driver, o.device, o.bar,
				  pt_strtab_get(pt_model_strings_const(m->model), a->stack));
}

int manager_bus_emit_changed(struct manager *m)
{
	if (!m->bus)
		return 0;
	return sd_bus_emit_properties_changed(m->bus, PT_BUS_PATH, PT_BUS_IFACE, "EntryCount",
					      "EventsProcessed", "EventsLost", "EventsRejected",
					      "AnomalyRepeats", "AnomaliesDropped", "SignalsDropped",
					      "AnomalyCounts",
					      NULL);
}

/* Off the bus nobody can ask: exit, and let systemd start a new pattrackd on the new bus. */
static int on_disconnected(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct manager *m = userdata;

	(void)msg;
	(void)error;
	log_error("lost the connection to the system bus: exiting with status %d",
		  PT_EXIT_BUS_LOST);
	return sd_event_exit(m->event, PT_EXIT_BUS_LOST);
}

int manager_bus_setup(struct manager *m)
{
	int r;

	r = sd_bus_open_system(&m->bus);
	if (r < 0)
		return log_error_errno(r, "cannot connect to the system bus");
	r = sd_bus_add_object_vtable(m->bus, &m->vtable_slot, PT_BUS_PATH, PT_BUS_IFACE, tracker_vtable,
				     m);
	if (r < 0)
		return log_error_errno(r, "cannot publish %s", PT_BUS_PATH);
	r = pt_access_attach(&m->access, m->bus);
	if (r < 0)
		return r;
	r = sd_bus_request_name(m->bus, PT_BUS_NAME, 0);
	if (r < 0)
		return log_error_errno(r, "cannot own %s", PT_BUS_NAME);
	r = sd_bus_match_signal(m->bus, NULL, "org.freedesktop.DBus.Local", NULL,
				"org.freedesktop.DBus.Local", "Disconnected", on_disconnected, m);
	if (r < 0)
		return log_error_errno(r, "cannot watch for the loss of the bus");
	r = sd_bus_attach_event(m->bus, m->event, 0);
	if (r < 0)
		return log_error_errno(r, "cannot attach the bus to the event loop");
	return 0;
}
