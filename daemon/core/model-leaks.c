// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Leaks: which entries outlived their owners, judged against the exits
 * model.c keeps and the unbinds and unloads of model-devices.c.
 */
#include "model-internal.h"
#include "util.h"

/* ---- leaks ---------------------------------------------------------------- */

struct judge {
	struct pt_model *m;
	uint64_t exited_by;
};

/* A leak anomaly about @e, which is reported once; NULL when out of memory. */
static struct pt_anomaly *leak_new(struct pt_model *m, struct pt_entry *e,
				   enum pt_owner_class owner)
{
	struct pt_anomaly *a = model_anomaly_new(m, PT_AN_LEAK, NULL, e->comm, e->stack);

	if (!a)
		return NULL;
	a->owner = (uint8_t)owner;
	e->flags |= ENTRY_LEAK_REPORTED;
	return a;
}

/*
 * A driver's entry whose driver was unbound from the device its BAR
 * belongs to, or whose module went: *ret the leak, or NULL when the
 * driver's hold has not ended.  0 or -ENOMEM.
 */
static int judge_driver(struct pt_model *m, struct pt_entry *e, uint64_t upto,
			struct pt_anomaly **ret)
{
	const struct gone *g = model_driver_gone(m, e, upto);
	const char *stack = pt_strtab_get(&m->strings, e->stack);
	char module[PT_OWNER_DRIVER_MAX];
	struct pt_anomaly *a;
	uint32_t id;
	int r;

	*ret = NULL;
	if (!g)
		return 0;
	pt_owner_driver(stack, strlen(stack), module, sizeof(module));
	r = pt_strtab_intern_safe(&m->strings, module, strlen(module), PT_STR_NAME, &id);
	if (r < 0)
		return r;
	if (GROW_ARRAY(m->driver_leaks, m->cap_driver_leaks, m->n_driver_leaks + 1, 8) < 0)
		return -ENOMEM;
	a = leak_new(m, e, PT_OWNER_DRIVER);
	if (!a)
		return -ENOMEM;
	m->driver_leaks[m->n_driver_leaks++] = (struct pt_driver_leak){
		.module = id, .driver = g->name, .device = g->device, .bar = g->bar,
		.unloaded = g->bar < 0, .pid = g->pid, .comm = g->comm, .seq = g->seq,
	};
	a->driver_leak = (uint32_t)m->n_driver_leaks;
	*ret = a;
	return 0;
}

/* A process's entry whose process exited: the same contract. */
static int judge_process(struct pt_model *m, struct pt_entry *e, uint64_t upto,
			 struct pt_anomaly **ret)
{
	*ret = NULL;
	/* no stack, or found in the kernel's list: who made it is unknown */
	if (!e->stack || (e->flags & (ENTRY_PREEXISTING | ENTRY_RESYNCED)) ||
	    !model_owner_exited(m, e) || model_exits_lookup(m, e->pid) > upto)
		return 0;
	*ret = leak_new(m, e, PT_OWNER_PROCESS);
	return *ret ? 0 : -ENOMEM;
}

static int judge_step(struct itree_node *n, void *userdata)
{
	struct judge *j = userdata;
	struct pt_model *m = j->m;
	struct pt_entry *e = entry_of(n);
	struct pt_anomaly *a;
	int r;

	if (e->flags & ENTRY_LEAK_REPORTED)
		return 0;
	/* a driver keeps its kernel mappings after the process that ran its probe exits */
	r = e->flags & ENTRY_DRIVER ? judge_driver(m, e, j->exited_by, &a)
				    : judge_process(m, e, j->exited_by, &a);
	if (r < 0 || !a)
		return r;
	a->event = PT_EV_RESERVE;
	a->start = n->start;
	a->end = n->end;
	a->type = (int8_t)e->type;
	a->pid = e->pid;
	a->seq = e->seq;
	a->ts_ns = e->ts_ns;
	a->shrunk = e->flags & ENTRY_SHRUNK;
	return 0;
}

int pt_model_judge_leaks_upto(struct pt_model *m, uint64_t exited_by)
{
	struct judge j = { m, exited_by };
	int r;

	r = itree_visit(&m->tree, 0, UINT64_MAX, judge_step, &j);
	if (r == 0)
		model_gone_prune(m, exited_by);
	return r;
}

int pt_model_judge_leaks(struct pt_model *m)
{
	return pt_model_judge_leaks_upto(m, UINT64_MAX);
}

const struct pt_driver_leak *pt_model_driver_leak(const struct pt_model *m,
						  const struct pt_anomaly *a)
{
	return a->driver_leak && a->driver_leak <= m->n_driver_leaks ?
		       &m->driver_leaks[a->driver_leak - 1] : NULL;
}
