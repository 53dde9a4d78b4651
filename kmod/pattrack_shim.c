// SPDX-License-Identifier: GPL-2.0
/*
 * pattrack_shim: reports every x86 PAT memtype reservation and release, and
 * every process exit, to userspace over generic netlink.
 *
 * kretprobes on memtype_reserve() and memtype_free() (reserve_memtype() and
 * free_memtype() before 5.6) record the arguments at entry and the outcome
 * at return; the sched_process_exit tracepoint, which fires after the
 * exiting task's own frees, reports the death of a thread group, and
 * sched_process_fork the birth of one, so that a command's descendants can
 * be followed.  A bus notifier reports a driver about to leave a PCI
 * device, with the device's memory BARs, and a module notifier a module
 * that is going, so that what a driver left reserved can be told.  Each
 * event goes to the "events" multicast group of the "pattrack" family with
 * a sequence number, so that a reader can tell when it lost one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <asm/unwind.h>

#include "pattrack/pattrack.h"

#ifndef SHIM_VERSION
#error "SHIM_VERSION comes from the project's VERSION file: build with kmod/Kbuild"
#endif
#define STACK_SCAN 24		/* frames saved: the kprobe machinery's, then the caller's */
#define MAXACTIVE 128		/* concurrent calls a kretprobe can follow */

static atomic64_t sent = ATOMIC64_INIT(0);
static atomic64_t dropped = ATOMIC64_INIT(0);
static u32 probes;

static struct kretprobe reserve_probe, free_probe;

/* enum pattrack_bench: 0, the real work, but in the overhead benchmark */
static int bench;
module_param(bench, int, 0444);
MODULE_PARM_DESC(bench, "overhead benchmark only: 1 = handlers only return, 2 = no stack walks");

/* ---- the queue ----------------------------------------------------------- */

/*
 * Probes only queue their events: building a message and multicasting it
 * cost the mapping process more than the probe itself.  A worker sends
 * what is queued a tick after the first event, or at once when a quarter
 * of the queue is used, many messages to an skb.  One lock orders the
 * queue, so events leave in the order of their sequence numbers.  A full
 * queue drops the event; its sequence number is used all the same, so the
 * reader sees the gap.  PATTRACK_CMD_FLUSH sends the queue at once, for a
 * reader that needs everything up to now.
 *
 * The lock is a raw spinlock: probes run with preemption off, where a
 * PREEMPT_RT kernel's spinlock_t would sleep ("scheduling while atomic").
 * What it guards is bounded and short (a counter and one event's copy,
 * a few hundred bytes), so holding it with interrupts off costs RT no
 * latency worth a per-CPU scheme, and one lock keeps a single order for
 * every CPU's events, which the reader relies on.
 */
#define QUEUE_EVENTS 4096
#define QUEUE_KICK (QUEUE_EVENTS / 4)
#define FLUSH_DELAY 1		/* jiffies */

static struct {
	raw_spinlock_t lock;		/* orders the sequence numbers and guards the rest */
	u64 seq;			/* the last sequence number used */
	unsigned int cur, n;		/* buf[cur] fills; n events in it */
	struct pattrack_event *buf[2];	/* the worker sends one while probes fill the other */
	int missed_seen;
	struct delayed_work flush;
} queue = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(queue.lock),
};

/* Calls the kretprobes could not follow (all instances busy). */
static int shim_missed(void)
{
	return reserve_probe.nmissed + free_probe.nmissed;
}

/* ---- generic netlink ---------------------------------------------------- */

static const struct genl_multicast_group shim_mcgrps[] = {
	{
		.name = PATTRACK_GENL_MCGRP_EVENTS,
#ifdef GENL_MCAST_CAP_NET_ADMIN
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

static int shim_get_status(struct sk_buff *skb, struct genl_info *info);
static int shim_flush_now(struct sk_buff *skb, struct genl_info *info);

static const struct genl_small_ops shim_ops[] = {
	{
		.cmd = PATTRACK_CMD_GET_STATUS,
		.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,
		.doit = shim_get_status,
	},
	{
		.cmd = PATTRACK_CMD_FLUSH,
		.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,
		.flags = GENL_ADMIN_PERM,
		.doit = shim_flush_now,
	},
};

static struct genl_family shim_family __ro_after_init = {
	.name = PATTRACK_GENL_NAME,
	.version = PATTRACK_GENL_VERSION,
	.maxattr = PATTRACK_ATTR_MAX,
	.module = THIS_MODULE,
	.small_ops = shim_ops,
	.n_small_ops = ARRAY_SIZE(shim_ops),
	.mcgrps = shim_mcgrps,
	.n_mcgrps = ARRAY_SIZE(shim_mcgrps),
	.resv_start_op = PATTRACK_CMD_FLUSH + 1,
};

static int shim_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &shim_family, 0, PATTRACK_CMD_GET_STATUS);
	if (!hdr)
		goto nospace;
	if (nla_put_string(msg, PATTRACK_ATTR_STATUS_VERSION, SHIM_VERSION) ||
	    nla_put_u32(msg, PATTRACK_ATTR_STATUS_PROBES, probes) ||
	    nla_put_u64_64bit(msg, PATTRACK_ATTR_STATUS_SENT, atomic64_read(&sent),
			      PATTRACK_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, PATTRACK_ATTR_STATUS_DROPPED,
			      atomic64_read(&dropped) + shim_missed(), PATTRACK_ATTR_PAD) ||
	    nla_put_u64_64bit(msg, PATTRACK_ATTR_STATUS_SEQ, READ_ONCE(queue.seq),
			      PATTRACK_ATTR_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* ---- sending the queue ------------------------------------------------- */

static size_t event_bytes(const struct pattrack_event *e)
{
	if (e->kind == PATTRACK_EV_UNBIND || e->kind == PATTRACK_EV_UNLOAD ||
	    e->kind == PATTRACK_EV_LOAD)
		return sizeof(*e);	/* the names share the stack's room */
	return offsetof(struct pattrack_event, stack) + e->nr_stack * sizeof(e->stack[0]);
}

/* Called from probe context: never sleeps.  Sets the event's seq and ts_ns. */
static void shim_emit(struct pattrack_event *e)
{
	unsigned long flags;
	unsigned int n = 0;
	int missed;

	raw_spin_lock_irqsave(&queue.lock, flags);
	/* calls the probes missed leave a gap in the sequence too */
	missed = shim_missed();
	if (missed > queue.missed_seen)
		queue.seq += missed - queue.missed_seen;
	queue.missed_seen = missed;
	e->seq = ++queue.seq;
	e->ts_ns = ktime_get_ns();
	if (queue.n < QUEUE_EVENTS) {
		memcpy(&queue.buf[queue.cur][queue.n], e, event_bytes(e));
		n = ++queue.n;
	}
	raw_spin_unlock_irqrestore(&queue.lock, flags);

	if (!n)
		atomic64_inc(&dropped);
	else if (n == QUEUE_KICK)
		mod_delayed_work(system_wq, &queue.flush, 0);
	else if (n == 1)
		queue_delayed_work(system_wq, &queue.flush, FLUSH_DELAY);
}

/* One event as one message; -EMSGSIZE, and nothing added, when @skb is full. */
static int put_event(struct sk_buff *skb, const struct pattrack_event *e)
{
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &shim_family, 0, PATTRACK_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, PATTRACK_ATTR_SEQ, e->seq, PATTRACK_ATTR_PAD) ||
	    nla_put_u32(skb, PATTRACK_ATTR_KIND, e->kind) ||
	    nla_put_u64_64bit(skb, PATTRACK_ATTR_TS_NS, e->ts_ns, PATTRACK_ATTR_PAD) ||
	    nla_put_u32(skb, PATTRACK_ATTR_PID, e->pid) ||
	    nla_put_string(skb, PATTRACK_ATTR_COMM, e->comm))
		goto full;
	if (e->kind == PATTRACK_EV_RESERVE || e->kind == PATTRACK_EV_FREE) {
		if (nla_put_u64_64bit(skb, PATTRACK_ATTR_START, e->start, PATTRACK_ATTR_PAD) ||
		    nla_put_u64_64bit(skb, PATTRACK_ATTR_END, e->end, PATTRACK_ATTR_PAD) ||
		    nla_put_s32(skb, PATTRACK_ATTR_RET, e->ret))
			goto full;
		if (e->nr_stack &&
		    nla_put(skb, PATTRACK_ATTR_STACK, e->nr_stack * sizeof(e->stack[0]), e->stack))
			goto full;
	}
	if (e->kind == PATTRACK_EV_FORK && nla_put_u32(skb, PATTRACK_ATTR_CHILD, e->child))
		goto full;
	if ((e->kind == PATTRACK_EV_UNBIND || e->kind == PATTRACK_EV_LOAD) &&
	    (nla_put_u64_64bit(skb, PATTRACK_ATTR_START, e->start, PATTRACK_ATTR_PAD) ||
	     nla_put_u64_64bit(skb, PATTRACK_ATTR_END, e->end, PATTRACK_ATTR_PAD)))
		goto full;
	if (e->kind == PATTRACK_EV_UNBIND &&
	    (nla_put_u32(skb, PATTRACK_ATTR_BAR, e->bar) ||
	     nla_put_string(skb, PATTRACK_ATTR_DEVICE, e->device)))
		goto full;
	if (e->kind >= PATTRACK_EV_UNBIND && e->kind <= PATTRACK_EV_LOAD &&
	    nla_put_string(skb, PATTRACK_ATTR_NAME, e->name))
		goto full;
	if (e->req >= 0 && nla_put_u32(skb, PATTRACK_ATTR_REQ, e->req))
		goto full;
	if (e->got >= 0 && nla_put_u32(skb, PATTRACK_ATTR_GOT, e->got))
		goto full;
	genlmsg_end(skb, hdr);
	return 0;

full:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void multicast(struct sk_buff *skb, unsigned int events)
{
	int err = genlmsg_multicast(&shim_family, skb, 0, 0, GFP_KERNEL);

	if (!err)
		atomic64_add(events, &sent);
	else if (err != -ESRCH)
		atomic64_add(events, &dropped);	/* a full socket: the sequence numbers tell */
}

/* Sends @n events, as many to an skb as fit. */
static void send_events(const struct pattrack_event *e, unsigned int n)
{
	struct sk_buff *skb = NULL;
	unsigned int i = 0, in_skb = 0;

	while (i < n) {
		if (!skb) {
			skb = nlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
			if (!skb) {
				atomic64_add(n - i, &dropped);
				return;
			}
		}
		if (!put_event(skb, &e[i])) {
			in_skb++;
			i++;
		} else if (in_skb) {
			multicast(skb, in_skb);
			skb = NULL;
			in_skb = 0;
		} else {
			atomic64_inc(&dropped);	/* cannot happen: one event is far smaller */
			i++;
		}
	}
	if (in_skb)
		multicast(skb, in_skb);
	else
		nlmsg_free(skb);
}

static void shim_flush(struct work_struct *work)
{
	struct pattrack_event *e;
	unsigned long flags;
	unsigned int n;

	/* the work never runs twice at once: the buffer taken is not swapped back meanwhile */
	raw_spin_lock_irqsave(&queue.lock, flags);
	e = queue.buf[queue.cur];
	n = queue.n;
	queue.cur ^= 1;
	queue.n = 0;
	raw_spin_unlock_irqrestore(&queue.lock, flags);
	send_events(e, n);
}

static int shim_flush_now(struct sk_buff *skb, struct genl_info *info)
{
	mod_delayed_work(system_wq, &queue.flush, 0);
	flush_delayed_work(&queue.flush);
	return 0;
}

/* ---- kretprobes --------------------------------------------------------- */

struct call {
	int *new_type;		/* enum page_cache_mode *, NULL for a strict request */
	unsigned long caller;	/* the return address into the caller */
	struct pattrack_event ev;
};

/*
 * The stack from the frame at [@lo, @hi) outwards, where no registers
 * tell where to start: the frames saved here begin inside the kprobe
 * machinery, so they are skipped up to it; when it is not among them, the
 * whole walk is kept.
 */
static void save_stack(struct pattrack_event *e, unsigned long lo, unsigned long hi)
{
	unsigned long frames[STACK_SCAN];
	unsigned int n, i, first = 0;

	n = stack_trace_save(frames, STACK_SCAN, 0);
	for (i = 0; i < n; i++) {
		if (frames[i] >= lo && frames[i] < hi) {
			first = i;
			break;
		}
	}
	e->nr_stack = min_t(unsigned int, n - first, PATTRACK_STACK_DEPTH);
	for (i = 0; i < e->nr_stack; i++)
		e->stack[i] = frames[first + i];
}

/*
 * A reserve's stack, walked from the registers at the probed function's
 * entry: the unwinder starts in the function itself and never walks the
 * kprobe machinery's frames, which cost as much again.
 */
static void save_stack_at(struct pattrack_event *e, struct pt_regs *regs)
{
	struct unwind_state state;
	unsigned long addr;

	/* the function itself first, as the BPF program's stacks begin */
	e->stack[0] = instruction_pointer(regs);
	e->nr_stack = 1;
	for (unwind_start(&state, current, regs, NULL);
	     !unwind_done(&state) && e->nr_stack < PATTRACK_STACK_DEPTH;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		if (addr != e->stack[0])
			e->stack[e->nr_stack++] = addr;
	}
}

/* Nobody listens: decline the call, which spares the stack walk and the return probe. */
static bool unheard(void)
{
	return !genl_has_listeners(&shim_family, &init_net, 0);
}

/*
 * The process an event is about: its thread group and name.  The name is
 * copied without get_task_comm()'s task_lock(), a sleeping lock on
 * PREEMPT_RT; a name changed meanwhile may come torn, never unterminated
 * (what bpf_get_current_comm() gives the BPF program too).
 */
static void set_task(struct pattrack_event *e, struct task_struct *task)
{
	e->pid = task_tgid_nr(task);
	BUILD_BUG_ON(sizeof(e->comm) != TASK_COMM_LEN);
	strscpy_pad(e->comm, task->comm, sizeof(e->comm));
}

/*
 * Entry of either function: (start, end) for both, (req, new_type) for
 * memtype_reserve().  A reserve's stack is walked here.  A free's is
 * walked only if it fails, at its return: a stack walk costs the mapping
 * process more than all the rest of an event, and a free that works
 * names its reservation, whose stack is known.
 */
static int call_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call *c = (struct call *)ri->data;
	struct pattrack_event *e = &c->ev;

	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	if (unheard())
		return 1;

	e->start = regs->di;
	e->end = regs->si;
	/* not hooked yet: the top of the stack is the real return address */
	c->caller = *(unsigned long *)kernel_stack_pointer(regs);
	e->nr_stack = 0;
	e->child = 0;
	if (get_kretprobe(ri) == &reserve_probe) {
		e->kind = PATTRACK_EV_RESERVE;
		e->req = (int)regs->dx;
		c->new_type = (int *)regs->cx;
		if (bench != PATTRACK_BENCH_NOSTACK)
			save_stack_at(e, regs);
	} else {
		e->kind = PATTRACK_EV_FREE;
		e->req = -1;
		c->new_type = NULL;
	}
	return 0;
}

static int call_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call *c = (struct call *)ri->data;
	struct pattrack_event *e = &c->ev;

	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	e->ret = (int)regs_return_value(regs);
	e->got = c->new_type ? *c->new_type : -1;
	if (e->kind == PATTRACK_EV_FREE && e->ret && bench != PATTRACK_BENCH_NOSTACK) {
		/* the free has returned: its caller's frame is the first that counts */
		save_stack(e, c->caller, c->caller + 1);
		if (!e->nr_stack || e->stack[0] != c->caller) {
			e->stack[0] = c->caller;
			e->nr_stack = 1;
		}
	}
	set_task(e, current);
	shim_emit(e);
	return 0;
}

static struct kretprobe reserve_probe = {
	.entry_handler = call_entry,
	.handler = call_return,
	.data_size = sizeof(struct call),
	.maxactive = MAXACTIVE,
};

static struct kretprobe free_probe = {
	.entry_handler = call_entry,
	.handler = call_return,
	.data_size = sizeof(struct call),
	.maxactive = MAXACTIVE,
};

/* The current name first, the one before 5.6 second. */
static int register_named(struct kretprobe *rp, const char *name, const char *old_name)
{
	int err;

	rp->kp.symbol_name = name;
	err = register_kretprobe(rp);
	if (!err)
		return 0;
	rp->kp.addr = NULL;
	rp->kp.symbol_name = old_name;
	err = register_kretprobe(rp);
	if (err)
		pr_err("cannot probe %s or %s: %d\n", name, old_name, err);
	return err;
}

/* ---- processes ---------------------------------------------------------- */

static struct tracepoint *exit_tp, *fork_tp;

static void shim_process_exit(void *data, struct task_struct *task)
{
	struct pattrack_event e = {
		.kind = PATTRACK_EV_EXIT,
		.req = -1,
		.got = -1,
	};

	/* the mappings go with the thread group: report its last thread */
	if (atomic_read(&task->signal->live) || unheard())
		return;
	set_task(&e, task);
	shim_emit(&e);
}

/* Who descends from whom, for following a command's children: new processes only. */
static void shim_process_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct pattrack_event e = {
		.kind = PATTRACK_EV_FORK,
		.child = child->tgid,
		.req = -1,
		.got = -1,
	};

	if (child->pid != child->tgid || unheard())
		return;	/* a thread, or nobody to tell */
	set_task(&e, parent);
	shim_emit(&e);
}

static void find_tracepoints(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		exit_tp = tp;
	else if (!strcmp(tp->name, "sched_process_fork"))
		fork_tp = tp;
}

/* ---- drivers and modules ---------------------------------------------- */

/*
 * A driver about to be unbound from a PCI device, before its remove() runs:
 * one event per memory BAR, with its range.  What stays reserved in those
 * ranges once the unbind is over was left behind by the driver.
 */
static int shim_pci_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct device *dev = data;
	struct pci_dev *pdev = to_pci_dev(dev);
	struct pattrack_event e = {
		.kind = PATTRACK_EV_UNBIND,
		.req = -1,
		.got = -1,
	};
	const struct resource *res;
	int i;

	if (action != BUS_NOTIFY_UNBIND_DRIVER || !dev->driver || unheard())
		return NOTIFY_DONE;
	set_task(&e, current);
	strscpy(e.device, pci_name(pdev), sizeof(e.device));
	strscpy(e.name, dev->driver->name, sizeof(e.name));
	for (i = 0; i < PCI_STD_NUM_BARS; i++) {
		res = &pdev->resource[i];
		if (resource_type(res) != IORESOURCE_MEM || !resource_size(res))
			continue;
		e.bar = i;
		e.start = res->start;
		e.end = res->end + 1;
		shim_emit(&e);
	}
	return NOTIFY_DONE;
}

/* Where a module's code lies, so that the reader can name its frames whatever it read. */
static void module_text(const struct module *mod, struct pattrack_event *e)
{
#ifdef for_each_mod_mem_type	/* 6.4 split a module's memory by type */
	e->start = (unsigned long)mod->mem[MOD_TEXT].base;
	e->end = e->start + mod->mem[MOD_TEXT].size;
#else
	e->start = (unsigned long)mod->core_layout.base;
	e->end = e->start + mod->core_layout.text_size;
#endif
}

/*
 * A module coming, before its init function runs (its code is then in the
 * kernel's symbols, for the reader to name its frames), or going, after its
 * exit function (or its failed init) returned.
 */
static int shim_module_notify(struct notifier_block *nb, unsigned long action, void *data)
{
	struct module *mod = data;
	struct pattrack_event e = {
		.kind = action == MODULE_STATE_COMING ? PATTRACK_EV_LOAD : PATTRACK_EV_UNLOAD,
		.req = -1,
		.got = -1,
	};

	if ((action != MODULE_STATE_GOING && action != MODULE_STATE_COMING) ||
	    mod == THIS_MODULE || unheard())
		return NOTIFY_DONE;
	set_task(&e, current);
	strscpy(e.name, mod->name, sizeof(e.name));
	if (action == MODULE_STATE_COMING)
		module_text(mod, &e);
	shim_emit(&e);
	return NOTIFY_DONE;
}

static struct notifier_block pci_nb = { .notifier_call = shim_pci_notify };
static struct notifier_block module_nb = { .notifier_call = shim_module_notify };

/* ---- module ------------------------------------------------------------- */

static void shim_unprobe(void)
{
	if (probes & PATTRACK_PROBE_MODULES)
		unregister_module_notifier(&module_nb);
	if (probes & PATTRACK_PROBE_UNBIND)
		bus_unregister_notifier(&pci_bus_type, &pci_nb);
	if (probes & PATTRACK_PROBE_FORK)
		tracepoint_probe_unregister(fork_tp, shim_process_fork, NULL);
	if (probes & PATTRACK_PROBE_EXIT)
		tracepoint_probe_unregister(exit_tp, shim_process_exit, NULL);
	if (probes & (PATTRACK_PROBE_EXIT | PATTRACK_PROBE_FORK))
		tracepoint_synchronize_unregister();
	if (probes & PATTRACK_PROBE_FREE)
		unregister_kretprobe(&free_probe);
	if (probes & PATTRACK_PROBE_RESERVE)
		unregister_kretprobe(&reserve_probe);
	probes = 0;
}

static int __init shim_init(void)
{
	int err;

	queue.buf[0] = vmalloc(array_size(QUEUE_EVENTS, sizeof(struct pattrack_event)));
	queue.buf[1] = vmalloc(array_size(QUEUE_EVENTS, sizeof(struct pattrack_event)));
	if (!queue.buf[0] || !queue.buf[1]) {
		err = -ENOMEM;
		goto fail_queue;
	}
	INIT_DELAYED_WORK(&queue.flush, shim_flush);
	err = genl_register_family(&shim_family);
	if (err)
		goto fail_queue;

	err = register_named(&reserve_probe, "memtype_reserve", "reserve_memtype");
	if (err)
		goto fail;
	probes |= PATTRACK_PROBE_RESERVE;
	err = register_named(&free_probe, "memtype_free", "free_memtype");
	if (err)
		goto fail;
	probes |= PATTRACK_PROBE_FREE;

	for_each_kernel_tracepoint(find_tracepoints, NULL);
	err = exit_tp ? tracepoint_probe_register(exit_tp, shim_process_exit, NULL) : -ENOENT;
	if (err) {
		pr_err("cannot attach to sched_process_exit: %d\n", err);
		goto fail;
	}
	probes |= PATTRACK_PROBE_EXIT;
	err = fork_tp ? tracepoint_probe_register(fork_tp, shim_process_fork, NULL) : -ENOENT;
	if (err) {
		pr_err("cannot attach to sched_process_fork: %d\n", err);
		goto fail;
	}
	probes |= PATTRACK_PROBE_FORK;
	err = bus_register_notifier(&pci_bus_type, &pci_nb);
	if (err) {
		pr_err("cannot watch the PCI bus: %d\n", err);
		goto fail;
	}
	probes |= PATTRACK_PROBE_UNBIND;
	err = register_module_notifier(&module_nb);
	if (err) {
		pr_err("cannot watch modules: %d\n", err);
		goto fail;
	}
	probes |= PATTRACK_PROBE_MODULES;
	pr_info("version %s, probing %s and %s\n", SHIM_VERSION,
		reserve_probe.kp.symbol_name, free_probe.kp.symbol_name);
	return 0;

fail:
	shim_unprobe();
	cancel_delayed_work_sync(&queue.flush);
	genl_unregister_family(&shim_family);
fail_queue:
	vfree(queue.buf[1]);
	vfree(queue.buf[0]);
	return err;
}

static void __exit shim_exit(void)
{
	shim_unprobe();
	/* no probe runs now: what they queued goes out before the family does */
	flush_delayed_work(&queue.flush);
	cancel_delayed_work_sync(&queue.flush);
	/* listeners keep their sockets; the family and its group go */
	genl_unregister_family(&shim_family);
	vfree(queue.buf[1]);
	vfree(queue.buf[0]);
	if (shim_missed())
		pr_info("%d reserve and %d free calls were missed\n", reserve_probe.nmissed,
			free_probe.nmissed);
}

module_init(shim_init);
module_exit(shim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pattrack: x86 PAT memtype reservations over generic netlink");
MODULE_VERSION(SHIM_VERSION);
