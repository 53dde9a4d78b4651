// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resynchronisation: the table made equal to the kernel's own list, after
 * a loss, at a periodic reconcile, or at each poll of the debugfs source.
 */
#include <assert.h>

#include "model-internal.h"
#include "util.h"

/* ---- a sync block: PT_EV_SYNC, PT_EV_ENTRY ..., PT_EV_SYNC_END ------------ */

int model_sync_begin(struct pt_model *m, const struct pt_event *ev)
{
	if ((unsigned)ev->reason >= _PT_SYNC_MAX)
		return -EINVAL;
	m->mode |= MODE_SYNCING;
	m->mode &= (uint8_t)~MODE_ADOPTING;	/* the block makes a new start */
	m->sync_reason = ev->reason;
	m->sync_lost = ev->lost;
	m->sync_excused = ev->reason == PT_SYNC_LOSS ? model_loss_excuse(m, ev->since) : 0;
	m->n_pending = 0;
	return 0;
}

int model_sync_entry(struct pt_model *m, const struct pt_event *ev)
{
	if (!kentry_valid(ev->start, ev->end, ev->type))
		return -EINVAL;
	if (GROW_ARRAY(m->pending, m->cap_pending, m->n_pending + 1, 64) < 0)
		return -ENOMEM;
	m->pending[m->n_pending++] = (struct pt_kentry){ ev->start, ev->end, ev->type };
	return 0;
}

int model_sync_end(struct pt_model *m)
{
	int r;

	if (!(m->mode & MODE_SYNCING))
		return -EINVAL;
	m->mode &= (uint8_t)~MODE_SYNCING;
	r = pt_model_resync(m, m->sync_reason, m->sync_lost, m->pending, m->n_pending, NULL);
	if (m->sync_reason == PT_SYNC_LOSS && m->n_anomalies &&
	    m->anomalies[m->n_anomalies - 1].kind == PT_AN_LOSS) {
		m->anomalies[m->n_anomalies - 1].excused = m->sync_excused;	/* its own */
		m->last_loss = m->n_anomalies;
		m->mode |= MODE_ADOPTING;
	}
	m->anomalies_final = m->n_anomalies;
	return r;
}

/*
 * A source finds a loss only after the events that came with it or after
 * it have been applied: a free whose reserve was lost is drift then, and
 * so is a reserve refused for a free that was.  Such drift is the loss's
 * doing, not a fault of the model, so the loss takes it back: the drift
 * over the events handed on since the source last found nothing lost
 * (those numbered @since on), unless already final.
 */
uint32_t model_loss_excuse(struct pt_model *m, uint64_t since)
{
	size_t to = m->anomalies_final;
	uint32_t n = 0;

	if (!since)
		return 0;
	for (size_t i = m->anomalies_final; i < m->n_anomalies; i++) {
		const struct pt_anomaly *a = &m->anomalies[i];

		if (a->kind == PT_AN_DRIFT && (a->event == PT_EV_RESERVE || a->event == PT_EV_FREE) &&
		    a->seq >= since) {
			m->stats.anomalies[PT_AN_DRIFT]--;
			if (n < UINT32_MAX)
				n++;
			continue;
		}
		m->anomalies[to++] = *a;
	}
	m->n_anomalies = to;
	if (n)
		model_anomalies_moved(m);
	return n;
}

/*
 * A change the kernel made before its list was read whose event came
 * after the block (its probe still running, or preempted on PREEMPT_RT)
 * applies twice: a free finds nothing, a reserve doubles an entry.  So
 * the drift over the events up to the source's next look is the loss's
 * too, when that look finds nothing more lost (else the next loss block
 * takes it).
 */
int model_loss_settled(struct pt_model *m)
{
	struct pt_anomaly *a;
	uint32_t n;

	if (!m->last_loss)
		return 0;	/* settled already, or no loss: nothing to put on one */
	n = model_loss_excuse(m, 1);
	a = &m->anomalies[m->last_loss - 1];
	a->excused = a->excused > UINT32_MAX - n ? UINT32_MAX : a->excused + n;
	m->last_loss = 0;
	m->mode &= (uint8_t)~MODE_ADOPTING;
	m->anomalies_final = m->n_anomalies;
	return 0;
}

void pt_model_settle(struct pt_model *m)
{
	m->anomalies_final = m->n_anomalies;
}

/* ---- pt_model_resync() ---------------------------------------------------- */

static int drift_entry(struct pt_model *m, uint64_t start, uint64_t end, int type,
		       const struct pt_entry *e)
{
	struct pt_anomaly *a = model_anomaly_new(m, PT_AN_DRIFT, NULL, e ? e->comm : 0, e ? e->stack : 0);

	if (!a)
		return -ENOMEM;
	a->event = PT_EV_SYNC_END;
	a->start = start;
	a->end = end;
	a->type = (int8_t)type;
	a->kernel_only = !e;
	a->pid = e ? e->pid : 0;
	a->seq = e ? e->seq : m->clock;
	a->ts_ns = e ? e->ts_ns : 0;
	return 0;
}

/* Insertion sort by start: stable, and the lists are short and nearly sorted. */
static void kentry_sort(struct pt_kentry *k, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct pt_kentry x = k[i];
		size_t j = i;

		for (; j > 0 && k[j - 1].start > x.start; j--)
			k[j] = k[j - 1];
		k[j] = x;
	}
}

bool model_dropped_free(struct pt_model *m, const struct pt_event *ev)
{
	for (size_t i = 0; i < m->n_dropped; i++) {
		struct dropped_at_loss *d = &m->dropped[i];

		if (d->start == ev->start && d->end == ev->end && d->pid == ev->pid) {
			*d = m->dropped[--m->n_dropped];
			m->stats.late_frees++;
			return true;
		}
	}
	return false;
}

/*
 * An entry the model held that a resync for @why found in the list: after a
 * loss it may be a stale twin of a reserve still to come (model.c, adopt());
 * only the last block's entries may be taken over.
 */
static void mark_kept(struct pt_entry *e, enum pt_sync_reason why)
{
	e->flags &= (uint8_t)~(ENTRY_ADOPTABLE | ENTRY_KEPT_AT_LOSS);
	if (why == PT_SYNC_LOSS)
		e->flags |= ENTRY_KEPT_AT_LOSS;
}

/*
 * Makes the tree the kernel's list @k, whose entries that the model already
 * holds are in @keep; @have are the model's entries, @used those kept.
 * All or nothing: the memory it needs (new entries, the index, anomalies)
 * is taken before the table is touched, so -ENOMEM leaves it as it was.
 */
static int rebuild(struct pt_model *m, enum pt_sync_reason why, const struct pt_kentry *k,
		   size_t n, struct pt_entry **have, size_t nhave, const bool *used,
		   struct pt_entry **keep, const struct pt_sync_result *sr)
{
	size_t anomalies = (why == PT_SYNC_RECONCILE ? sr->added + sr->removed : 0) + 1;
	size_t made = 0;
	int r;

	r = GROW_ARRAY(m->anomalies, m->cap_anomalies, m->n_anomalies + anomalies, 64);
	if (r >= 0 && why == PT_SYNC_LOSS)
		r = GROW_ARRAY(m->dropped, m->cap_dropped, sr->removed, 64);
	if (r >= 0)
		r = model_tree_reserve(m, n);
	for (size_t j = 0; r >= 0 && j < n; j++) {
		struct pt_entry *e;

		if (keep[j])
			continue;
		e = model_entry_alloc(m, k[j].start, k[j].end);
		if (!e) {
			r = -ENOMEM;
			break;
		}
		e->type = (uint8_t)k[j].type;
		e->born = m->clock;
		e->seq = m->clock;
		e->flags = ENTRY_PREEXISTING | ENTRY_RESYNCED | ENTRY_NEW;
		if (why == PT_SYNC_LOSS)
			e->flags |= ENTRY_ADOPTABLE;
		keep[j] = e;
		made++;
	}
	if (r < 0) {
		for (size_t j = 0; made && j < n; j++)
			if (keep[j] && (keep[j]->flags & ENTRY_NEW)) {
				model_entry_release(m, keep[j]);
				keep[j] = NULL;
				made--;
			}
		return r;
	}

	/* From here on nothing allocates, so nothing fails. */
	for (size_t h = 0; h < nhave; h++)
		if (!used[h] && why == PT_SYNC_RECONCILE)
			(void)drift_entry(m, node_of(have[h])->start, node_of(have[h])->end,
				    have[h]->type, have[h]);
	/* Rebuild in the kernel's order: equal starts go in behind their equals. */
	model_tree_clear(m);
	for (size_t h = 0; h < nhave; h++) {
		if (used[h])
			continue;
		if (why == PT_SYNC_LOSS && have[h]->pid > 0)
			m->dropped[m->n_dropped++] = (struct dropped_at_loss){
				node_of(have[h])->start, node_of(have[h])->end, have[h]->pid };
		model_entry_release(m, have[h]);
	}
	for (size_t j = 0; j < n; j++) {
		struct pt_entry *e = keep[j];

		if (e->flags & ENTRY_NEW) {
			e->flags &= (uint8_t)~ENTRY_NEW;
			if (why == PT_SYNC_RECONCILE)
				(void)drift_entry(m, k[j].start, k[j].end, k[j].type, NULL);
		} else {
			mark_kept(e, why);
		}
		r = model_entry_link(m, e);
		assert(r == 0);
	}
	return 0;
}

int pt_model_resync(struct pt_model *m, enum pt_sync_reason why, uint64_t lost,
		    const struct pt_kentry *k, size_t n, struct pt_sync_result *res)
{
	_cleanup_free_ struct pt_entry **have = NULL, **keep = NULL;
	_cleanup_free_ bool *used = NULL;
	_cleanup_free_ struct pt_kentry *sorted_k = NULL;
	struct pt_sync_result sr = { 0 };
	size_t nhave = m->tree.count, i = 0;
	bool same, sorted = true;
	int r;

	if ((unsigned)why >= _PT_SYNC_MAX)
		return -EINVAL;
	for (size_t j = 0; j < n; j++) {
		if (!kentry_valid(k[j].start, k[j].end, k[j].type))
			return -EINVAL;
		if (j && k[j].start < k[j - 1].start)
			sorted = false;
	}
	if (!sorted) {
		/*
		 * debugfs copies the list one entry per lock hold, so a read
		 * racing changes can come out of order: sort it, stably.
		 */
		sorted_k = malloc((n + 1) * sizeof(*sorted_k));
		if (!sorted_k)
			return -ENOMEM;
		memcpy(sorted_k, k, n * sizeof(*k));
		kentry_sort(sorted_k, n);
		k = sorted_k;
	}

	have = calloc(nhave + 1, sizeof(*have));
	used = calloc(nhave + 1, sizeof(*used));
	keep = calloc(n + 1, sizeof(*keep));
	if (!have || !used || !keep)
		return -ENOMEM;
	model_tree_collect(m, have);

	/* Match group by group of equal starts, in order, by end and type. */
	for (size_t j = 0; j < n; j++) {
		size_t g;

		while (i < nhave && node_of(have[i])->start < k[j].start)
			i++;
		for (g = i; g < nhave && node_of(have[g])->start == k[j].start; g++) {
			if (!used[g] && node_of(have[g])->end == k[j].end &&
			    have[g]->type == k[j].type) {
				used[g] = true;
				keep[j] = have[g];
				sr.kept++;
				break;
			}
		}
	}
	sr.added = n - sr.kept;
	sr.removed = nhave - sr.kept;
	same = sr.added == 0 && sr.removed == 0;
	for (size_t j = 0; same && j < n; j++)
		same = keep[j] == have[j];

	m->n_dropped = 0;	/* only the last resync's, if a loss's */
	r = same ? 0 : rebuild(m, why, k, n, have, nhave, used, keep, &sr);
	if (same && why == PT_SYNC_LOSS)
		for (size_t h = 0; h < nhave; h++)	/* rebuild() marks what it keeps */
			mark_kept(have[h], why);
	if (r < 0 && why != PT_SYNC_LOSS)
		return r;	/* the table is as it was; the caller says the resync failed */
	if (why == PT_SYNC_LOSS) {
		/* anomaly room was made by rebuild(), unless that is what failed */
		struct pt_anomaly *a = model_anomaly_new(m, PT_AN_LOSS, NULL, 0, 0);

		if (!a)
			return -ENOMEM;
		a->event = PT_EV_SYNC_END;
		a->seq = m->clock;
		a->lost = lost;
		a->resynced = r == 0;
		a->added = r == 0 ? (uint32_t)sr.added : 0;
		a->removed = r == 0 ? (uint32_t)sr.removed : 0;
		if (r < 0)
			return r;
	}
	if (res)
		*res = sr;
	return 0;
}
