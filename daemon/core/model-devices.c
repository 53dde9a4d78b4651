// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Devices and the lifetime of drivers: the PCI memory BARs a trace names,
 * and the unbinds and module unloads after which a driver's kernel
 * mappings have no owner left.  A driver-owned entry is a leak when it is
 * still reserved after its driver was unbound from the device whose BAR
 * holds it, or after the module that made it was unloaded.
 */
#include <errno.h>
#include <string.h>

#include "model-internal.h"
#include "util.h"

static int intern(struct pt_model *m, const char *s, size_t len, uint32_t *id)
{
	*id = 0;
	return s && len ? pt_strtab_intern_safe(&m->strings, s, len, PT_STR_NAME, id) : 0;
}

static struct device_bar *bar_lookup(struct pt_model *m, uint32_t device, int bar)
{
	for (size_t i = 0; i < m->n_devices; i++)
		if (m->devices[i].device == device && m->devices[i].bar == bar)
			return &m->devices[i];
	return NULL;
}

/* The BAR (device, @ev->bar) as @ev gives it, bound to @driver (0: none). */
static int bar_set(struct pt_model *m, const struct pt_event *ev, uint32_t device, uint32_t driver)
{
	struct device_bar *d = bar_lookup(m, device, ev->bar);

	if (!d) {
		if (GROW_ARRAY(m->devices, m->cap_devices, m->n_devices + 1, 16) < 0)
			return -ENOMEM;
		d = &m->devices[m->n_devices++];
	}
	*d = (struct device_bar){
		.start = ev->start, .end = ev->end, .device = device, .driver = driver,
		.bar = (int8_t)ev->bar,
	};
	return 0;
}

static bool bar_event_valid(const struct pt_event *ev)
{
	return ev->start < ev->end && ev->device && ev->device_len && ev->bar >= 0 &&
	       ev->bar < 64;
}

int model_device_apply(struct pt_model *m, const struct pt_event *ev)
{
	uint32_t device, driver;
	int r;

	if (!bar_event_valid(ev))
		return -EINVAL;
	r = intern(m, ev->device, ev->device_len, &device);
	if (r >= 0)
		r = intern(m, ev->name, ev->name_len, &driver);
	return r < 0 ? r : bar_set(m, ev, device, driver);
}

static int gone_add(struct pt_model *m, const struct pt_event *ev, uint32_t device, uint32_t name)
{
	uint32_t comm;
	int r;

	r = intern(m, ev->comm, ev->comm_len, &comm);
	if (r < 0)
		return r;
	if (GROW_ARRAY(m->gone, m->cap_gone, m->n_gone + 1, 16) < 0)
		return -ENOMEM;
	m->gone[m->n_gone++] = (struct gone){
		.clock = m->clock,
		.start = ev->kind == PT_EV_UNBIND ? ev->start : 0,
		.end = ev->kind == PT_EV_UNBIND ? ev->end : 0,
		.device = device,
		.name = name,
		.bar = (int8_t)(ev->kind == PT_EV_UNBIND ? ev->bar : -1),
		.seq = ev->has_seq ? ev->seq : m->clock,
		.ts_ns = ev->ts_ns,
		.pid = ev->pid,
		.comm = comm,
	};
	return 0;
}

int model_unbind_apply(struct pt_model *m, const struct pt_event *ev)
{
	uint32_t device, driver;
	int r;

	if (!bar_event_valid(ev) || !ev->name || !ev->name_len)
		return -EINVAL;
	r = intern(m, ev->device, ev->device_len, &device);
	if (r >= 0)
		r = intern(m, ev->name, ev->name_len, &driver);
	if (r >= 0)
		r = bar_set(m, ev, device, 0);
	return r < 0 ? r : gone_add(m, ev, device, driver);
}

int model_load_apply(struct pt_model *m, const struct pt_event *ev)
{
	(void)m;	/* where its code lies is the reader's business: it names the stacks */
	return ev->name && ev->name_len ? 0 : -EINVAL;
}

int model_unload_apply(struct pt_model *m, const struct pt_event *ev)
{
	uint32_t module;
	int r;

	if (!ev->name || !ev->name_len)
		return -EINVAL;
	r = intern(m, ev->name, ev->name_len, &module);
	return r < 0 ? r : gone_add(m, ev, 0, module);
}

const struct device_bar *model_device_at(const struct pt_model *m, uint64_t start, uint64_t end)
{
	/* reservations are whole pages: a BAR smaller than one is mapped as its page */
	for (size_t i = 0; i < m->n_devices; i++)
		if ((m->devices[i].start & ~(PAGE_SIZE - 1)) <= start &&
		    end <= ((m->devices[i].end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)))
			return &m->devices[i];
	return NULL;
}

/* The module whose code made the driver-owned entry @e, into @buf. */
static const char *entry_module(const struct pt_model *m, const struct pt_entry *e, char *buf,
				size_t size)
{
	const char *stack = pt_strtab_get(&m->strings, e->stack);

	return pt_owner_driver(stack, stack ? strlen(stack) : 0, buf, size);
}

const struct gone *model_driver_gone(const struct pt_model *m, const struct pt_entry *e,
				     uint64_t upto)
{
	const struct itree_node *n = node_of(e);
	char module[PT_OWNER_DRIVER_MAX];
	const char *mod = NULL;

	for (size_t i = 0; i < m->n_gone; i++) {
		const struct gone *g = &m->gone[i];

		if (g->clock <= e->born || g->clock > upto)
			continue;
		if (g->bar >= 0) {
			if (n->start < g->end && g->start < n->end)
				return g;
			continue;
		}
		if (!mod)
			mod = entry_module(m, e, module, sizeof(module));
		if (strcmp(mod, pt_strtab_get(&m->strings, g->name)) == 0)
			return g;
	}
	return NULL;
}

void model_gone_prune(struct pt_model *m, uint64_t upto)
{
	size_t k = 0;

	/* every entry such a record could name has been judged: later ones are born after it */
	for (size_t i = 0; i < m->n_gone; i++)
		if (m->gone[i].clock > upto)
			m->gone[k++] = m->gone[i];
	m->n_gone = k;
}

bool pt_model_device_at(const struct pt_model *m, uint64_t start, uint64_t end,
			struct pt_device_info *ret)
{
	const struct device_bar *d = model_device_at(m, start, end);

	if (!d)
		return false;
	*ret = (struct pt_device_info){
		.start = d->start, .end = d->end, .bar = d->bar,
		.device = pt_strtab_get(&m->strings, d->device),
		.driver = pt_strtab_get(&m->strings, d->driver),
	};
	return true;
}

/*
 * The device and BAR of [start, end) into @ret, when a BAR holds it; for
 * an owner unknown, the driver bound to that device too.
 */
static void owner_device(const struct pt_model *m, uint64_t start, uint64_t end,
			 struct pt_owner_info *ret)
{
	struct pt_device_info d;

	if (!pt_model_device_at(m, start, end, &d))
		return;
	strscpy_trunc(ret->device, sizeof(ret->device), d.device, strlen(d.device));
	ret->bar = d.bar;
	if (ret->owner == PT_OWNER_UNKNOWN)
		strscpy_trunc(ret->driver, sizeof(ret->driver), d.driver, strlen(d.driver));
}

void pt_entry_owner(const struct pt_model *m, const struct pt_entry_info *e,
		    struct pt_owner_info *ret)
{
	*ret = (struct pt_owner_info){ .owner = e->owner, .bar = -1 };
	strscpy_trunc(ret->driver, sizeof(ret->driver), e->driver, strlen(e->driver));
	owner_device(m, e->start, e->end, ret);
}

void pt_anomaly_owner(const struct pt_model *m, const struct pt_anomaly *a,
		      struct pt_owner_info *ret)
{
	const struct pt_driver_leak *d = pt_model_driver_leak(m, a);
	const char *stack = pt_strtab_get(&m->strings, a->stack);
	const char *s;

	*ret = (struct pt_owner_info){ .bar = -1 };
	/* a leak's owner was judged; any other anomaly's is its call's */
	ret->owner = a->kind == PT_AN_LEAK ? a->owner : (int)pt_owner_classify(stack, strlen(stack));
	if (d) {
		s = pt_strtab_get(&m->strings, d->module);
		strscpy_trunc(ret->driver, sizeof(ret->driver), s, strlen(s));
	} else if (ret->owner == PT_OWNER_DRIVER) {
		pt_owner_driver(stack, strlen(stack), ret->driver, sizeof(ret->driver));
	}
	if (d && !d->unloaded) {
		s = pt_strtab_get(&m->strings, d->device);
		strscpy_trunc(ret->device, sizeof(ret->device), s, strlen(s));
		ret->bar = d->bar;
	} else if (a->start < a->end) {
		owner_device(m, a->start, a->end, ret);
	}
}
