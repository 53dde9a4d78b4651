// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A model brought back after its keeper restarted within the same boot:
 * the clock goes on from where it was, the saved anomalies are filed again
 * and the saved owners return to the entries of the kernel's list that
 * are still there.  What the table holds is always the kernel's list as
 * read at the start: a saved owner only names an entry, it never makes one.
 */
#include <errno.h>

#include "model-internal.h"
#include "util.h"

int pt_model_resume(struct pt_model *m, uint64_t clock)
{
	if (m->clock || m->n_anomalies || m->tree.count)
		return -EBUSY;
	m->clock = clock;
	return 0;
}

int pt_model_restore_exit(struct pt_model *m, int32_t pid, uint64_t clock)
{
	if (pid <= 0 || clock > m->clock)
		return -EINVAL;
	if (model_exits_lookup(m, pid) >= clock)
		return 0;
	return model_exits_record(m, pid, clock);
}

/* The entry of the kernel's list @info may go back onto, into *@ret: 0, -ENOTUNIQ or -ENOENT. */
static int restore_target(const struct pt_model *m, const struct pt_entry_info *info,
			  struct pt_entry **ret)
{
	*ret = model_tree_find_exact(m, info->start, info->end, info->type, ENTRY_PREEXISTING);
	if (*ret)
		return 0;
	return model_tree_find_exact(m, info->start, info->end, info->type, 0) ? -ENOTUNIQ : -ENOENT;
}

int pt_model_restore_check(const struct pt_model *m, const struct pt_entry_info *info)
{
	struct pt_entry *e;

	return restore_target(m, info, &e);
}

static int disown(struct itree_node *n, void *userdata)
{
	const struct pt_entry_info *info = userdata;
	struct pt_entry *e = entry_of(n);

	if (n->start == info->start && n->end == info->end && e->type == info->type) {
		e->pid = 0;
		e->comm = e->stack = 0;
		e->flags = ENTRY_RESYNCED;
	}
	return 0;
}

int pt_model_restore_owner(struct pt_model *m, const struct pt_entry_info *info)
{
	struct pt_entry *e;
	int r;

	if (!kentry_valid(info->start, info->end, info->type) || info->pid < 0 ||
	    info->born > m->clock || (unsigned)info->owner >= _PT_OWNER_MAX ||
	    info->comm_id >= m->strings.count || info->stack_id >= m->strings.count)
		return -EINVAL;
	r = restore_target(m, info, &e);
	if (r == -ENOTUNIQ)
		/* more owners than the list has entries: which one is whose, nobody can tell */
		(void)itree_visit(&m->tree, info->start, info->end, disown, (void *)info);
	if (r < 0)
		return r;
	e->pid = info->pid;
	e->comm = info->comm_id;
	e->stack = info->stack_id;
	e->seq = info->seq;
	e->ts_ns = info->ts_ns;
	e->born = info->born;
	e->flags = (info->shrunk ? ENTRY_SHRUNK : 0) | (info->leaked ? ENTRY_LEAK_REPORTED : 0) |
		   (info->owner == PT_OWNER_DRIVER ? ENTRY_DRIVER : 0);
	return 0;
}

/* A memtype an anomaly may name, or none */
static bool type_ok(int type)
{
	return type == PT_TYPE_NONE || pt_type_name(type);
}

int pt_model_restore_anomaly(struct pt_model *m, const struct pt_anomaly *in,
			     const struct pt_driver_leak *dl)
{
	struct pt_anomaly *a;
	uint32_t n = m->strings.count;
	bool types_ok = type_ok(in->type) && type_ok(in->req) && type_ok(in->got) &&
			type_ok(in->pred_got);
	bool ids_ok = in->comm < n && in->stack < n && in->note < n &&
		      (!dl || (dl->module < n && dl->driver < n && dl->device < n && dl->comm < n));

	for (size_t i = 0; i < in->n_parties && i < PT_MAX_PARTIES; i++) {
		types_ok = types_ok && type_ok(in->party[i].type);
		ids_ok = ids_ok && in->party[i].comm < n;
	}
	if ((unsigned)in->kind >= _PT_AN_MAX || (unsigned)in->event >= _PT_EV_MAX ||
	    (unsigned)in->severity > PT_SEV_HAZARD || in->owner >= _PT_OWNER_MAX ||
	    in->n_parties > PT_MAX_PARTIES || in->start > in->end || !types_ok || !ids_ok)
		return -EINVAL;
	if (dl && GROW_ARRAY(m->driver_leaks, m->cap_driver_leaks, m->n_driver_leaks + 1, 8) < 0)
		return -ENOMEM;
	if (GROW_ARRAY(m->anomalies, m->cap_anomalies, m->n_anomalies + 1, 64) < 0)
		return -ENOMEM;
	m->anomalies[m->n_anomalies] = *in;
	m->anomalies[m->n_anomalies].driver_leak = 0;
	a = model_anomaly_file(m);
	if (!a)
		return -ENOMEM;
	if (a != &m->scratch && dl) {
		m->driver_leaks[m->n_driver_leaks++] = *dl;
		a->driver_leak = (uint32_t)m->n_driver_leaks;
	}
	/* they were told before the restart: a later loss does not take back their drift */
	m->anomalies_final = m->n_anomalies;
	return 0;
}
