// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The anomaly store, bounded.  The same anomaly again (the same kind of
 * call, range, process and request) is counted on its first record, not
 * stored again: a process that retries a refused mapping in a loop makes
 * one record.  Past the limit new anomalies are counted and dropped;
 * loss anomalies are always kept, one per loss, for the events they
 * account for.
 */
#include <errno.h>
#include <string.h>

#include "model-internal.h"
#include "util.h"

static bool folds(enum pt_anomaly_kind kind)
{
	return kind == PT_AN_CONFLICT || kind == PT_AN_DEGRADED || kind == PT_AN_INVALID_FREE;
}

static uint32_t key_hash(const struct pt_anomaly *a)
{
	uint64_t h = a->start * 0x9e3779b97f4a7c15ULL;

	h ^= (a->end - a->start) + ((uint64_t)a->kind << 56) + ((uint64_t)a->event << 48);
	h = (h ^ (uint32_t)a->pid ^ ((uint64_t)a->comm << 32)) * 0xbf58476d1ce4e5b9ULL;
	h ^= (uint64_t)(uint8_t)a->req * 0x94d049bb133111ebULL;
	return (uint32_t)(h ^ (h >> 31));
}

static bool same(const struct pt_anomaly *a, const struct pt_anomaly *b)
{
	return a->kind == b->kind && a->event == b->event && a->start == b->start &&
	       a->end == b->end && a->pid == b->pid && a->comm == b->comm && a->req == b->req;
}

static void slot_put(uint32_t *slot, size_t nslots, uint32_t hash, size_t index)
{
	size_t i = hash & (nslots - 1);

	while (slot[i])
		i = (i + 1) & (nslots - 1);
	slot[i] = (uint32_t)index + 1;
}

/* The index of the anomalies that fold, for @need of them: -ENOMEM, or 0. */
static int index_rebuild(struct pt_model *m, size_t need)
{
	size_t nslots = 64;
	uint32_t *slot;

	while (nslots < need * 2)
		nslots *= 2;
	slot = calloc(nslots, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_anomalies; i++)
		if (folds(m->anomalies[i].kind))
			slot_put(slot, nslots, key_hash(&m->anomalies[i]), i);
	free(m->anomaly_slot);
	m->anomaly_slot = slot;
	m->anomaly_nslots = nslots;
	m->anomaly_folded = 0;
	for (size_t i = 0; i < m->n_anomalies; i++)
		m->anomaly_folded += folds(m->anomalies[i].kind);
	return 0;
}

void model_anomalies_moved(struct pt_model *m)
{
	/* a failure leaves no index: repeats are stored again until the next rebuild */
	if (m->anomaly_slot && index_rebuild(m, m->anomaly_folded + 1) < 0) {
		free(m->anomaly_slot);
		m->anomaly_slot = NULL;
		m->anomaly_nslots = 0;
	}
}

static struct pt_anomaly *find(struct pt_model *m, const struct pt_anomaly *key, uint32_t hash)
{
	if (!m->anomaly_nslots)
		return NULL;
	for (size_t i = hash & (m->anomaly_nslots - 1); m->anomaly_slot[i];
	     i = (i + 1) & (m->anomaly_nslots - 1)) {
		struct pt_anomaly *a = &m->anomalies[m->anomaly_slot[i] - 1];

		if (same(a, key))
			return a;
	}
	return NULL;
}

/* A record that is thrown away: for a repeat, or past the limit. */
static struct pt_anomaly *scratch(struct pt_model *m, const struct pt_anomaly *a)
{
	m->scratch = *a;
	m->last_is_scratch = true;
	return &m->scratch;
}

struct pt_anomaly *model_anomaly_file(struct pt_model *m)
{
	struct pt_anomaly *a = &m->anomalies[m->n_anomalies], *old;
	bool fold = folds(a->kind);
	uint32_t hash = fold ? key_hash(a) : 0;

	if (fold && (old = find(m, a, hash))) {
		if (old->repeats < UINT32_MAX)
			old->repeats++;
		m->stats.anomaly_repeats++;
		return scratch(m, a);
	}
	if (m->n_anomalies >= m->anomaly_limit && a->kind != PT_AN_LOSS) {
		m->stats.anomalies_dropped++;
		return scratch(m, a);
	}
	if (fold) {
		if ((m->anomaly_folded + 1) * 2 > m->anomaly_nslots &&
		    index_rebuild(m, m->anomaly_folded + 1) < 0)
			return NULL;
		slot_put(m->anomaly_slot, m->anomaly_nslots, hash, m->n_anomalies);
		m->anomaly_folded++;
	}
	m->stats.anomalies[a->kind]++;
	m->last_is_scratch = false;
	m->n_anomalies++;
	return a;
}

struct pt_anomaly *model_anomaly_new(struct pt_model *m, enum pt_anomaly_kind kind,
				     const struct pt_event *ev, uint32_t comm, uint32_t stack)
{
	struct pt_anomaly *a;

	if (GROW_ARRAY(m->anomalies, m->cap_anomalies, m->n_anomalies + 1, 64) < 0)
		return NULL;
	a = &m->anomalies[m->n_anomalies];
	*a = (struct pt_anomaly){
		.kind = kind,
		.type = PT_TYPE_NONE,
		.req = PT_TYPE_NONE,
		.got = PT_TYPE_NONE,
		.pred_got = PT_TYPE_NONE,
		.comm = comm,
		.stack = stack,
	};
	if (ev) {
		a->event = ev->kind;
		a->start = ev->start;
		a->end = ev->end;
		a->pid = ev->pid;
		a->seq = ev->has_seq ? ev->seq : m->clock;
		a->ts_ns = ev->ts_ns;
		if (ev->kind == PT_EV_RESERVE)
			a->req = (int8_t)ev->req;	/* part of the key; the caller sets it again */
	}
	return model_anomaly_file(m);
}

int pt_model_add_anomaly(struct pt_model *m, const struct pt_anomaly *in)
{
	if ((unsigned)in->kind >= _PT_AN_MAX)
		return -EINVAL;
	if (GROW_ARRAY(m->anomalies, m->cap_anomalies, m->n_anomalies + 1, 64) < 0)
		return -ENOMEM;
	m->anomalies[m->n_anomalies] = *in;
	m->anomalies[m->n_anomalies].repeats = 0;
	return model_anomaly_file(m) ? 0 : -ENOMEM;
}

void pt_model_set_anomaly_limit(struct pt_model *m, size_t limit)
{
	m->anomaly_limit = limit;
}

size_t pt_model_anomaly_count(const struct pt_model *m)
{
	return m->n_anomalies;
}

const struct pt_anomaly *pt_model_anomaly(const struct pt_model *m, size_t i)
{
	return i < m->n_anomalies ? &m->anomalies[i] : NULL;
}

struct pt_anomaly *pt_model_last_anomaly(struct pt_model *m)
{
	if (m->last_is_scratch)
		return &m->scratch;
	return m->n_anomalies ? &m->anomalies[m->n_anomalies - 1] : NULL;
}
