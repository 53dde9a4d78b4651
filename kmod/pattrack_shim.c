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
 * be followed.  Each
 * event goes to the "events" multicast group of the "pattrack" family with
 * a sequence number, so that a reader can tell when it lost one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <net/genetlink.h>
#include <asm/unwind.h>

#include "pattrack/pattrack.h"

#define SHIM_VERSION "0.1.0"
#define STACK_SCAN 24		/* frames saved: the kprobe machinery's, then the caller's */
#define MAXACTIVE 128		/* concurrent calls a kretprobe can follow */

static atomic64_t seq = ATOMIC64_INIT(0);
static atomic64_t sent = ATOMIC64_INIT(0);
static atomic64_t dropped = ATOMIC64_INIT(0);
static atomic_t missed_seen = ATOMIC_INIT(0);
static u32 probes;

static struct kretprobe reserve_probe, free_probe;

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

static const struct genl_small_ops shim_ops[] = {
	{
		.cmd = PATTRACK_CMD_GET_STATUS,
		.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,
		.doit = shim_get_status,
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
	.resv_start_op = PATTRACK_CMD_GET_STATUS + 1,
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
	    nla_put_u64_64bit(msg, PATTRACK_ATTR_STATUS_SEQ, atomic64_read(&seq),
			      PATTRACK_ATTR_PAD))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

struct shim_event {
	u32 kind;
	pid_t child;
	u64 start, end;
	int req, got;		/* -1: none */
	int ret;
	struct task_struct *task;
	unsigned int nr_stack;
	const unsigned long *stack;
};

/* The exact size of an event message, so that a burst takes little socket room. */
static size_t event_size(const struct shim_event *ev)
{
	/* seq, ts, start, end; kind, pid, ret, req, got, child; comm; stack */
	return 4 * nla_total_size_64bit(sizeof(u64)) + 6 * nla_total_size(sizeof(u32)) +
	       nla_total_size(TASK_COMM_LEN) + nla_total_size(ev->nr_stack * sizeof(u64));
}

/* Called from probe context: never sleeps. */
static void shim_emit(const struct shim_event *ev)
{
	struct task_struct *task = ev->task;
	char comm[TASK_COMM_LEN];
	struct sk_buff *skb;
	u64 stack[PATTRACK_STACK_DEPTH];
	u64 n;
	void *hdr;
	unsigned int i;
	int err;

	int missed;

	if (!genl_has_listeners(&shim_family, &init_net, 0))
		return;
	/* calls the probes missed leave a gap in the sequence too */
	missed = shim_missed();
	missed -= atomic_xchg(&missed_seen, missed);
	if (missed > 0)
		atomic64_add(missed, &seq);
	n = atomic64_inc_return(&seq);
	skb = genlmsg_new(event_size(ev), GFP_ATOMIC);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &shim_family, 0, PATTRACK_CMD_EVENT);
	if (!hdr)
		goto drop_skb;
	get_task_comm(comm, task);
	if (nla_put_u64_64bit(skb, PATTRACK_ATTR_SEQ, n, PATTRACK_ATTR_PAD) ||
	    nla_put_u32(skb, PATTRACK_ATTR_KIND, ev->kind) ||
	    nla_put_u64_64bit(skb, PATTRACK_ATTR_TS_NS, ktime_get_ns(), PATTRACK_ATTR_PAD) ||
	    nla_put_u32(skb, PATTRACK_ATTR_PID, task_tgid_nr(task)) ||
	    nla_put_string(skb, PATTRACK_ATTR_COMM, comm))
		goto drop_skb;
	if (ev->kind == PATTRACK_EV_RESERVE || ev->kind == PATTRACK_EV_FREE) {
		if (nla_put_u64_64bit(skb, PATTRACK_ATTR_START, ev->start, PATTRACK_ATTR_PAD) ||
		    nla_put_u64_64bit(skb, PATTRACK_ATTR_END, ev->end, PATTRACK_ATTR_PAD) ||
		    nla_put_s32(skb, PATTRACK_ATTR_RET, ev->ret))
			goto drop_skb;
		for (i = 0; i < ev->nr_stack; i++)
			stack[i] = ev->stack[i];
		if (ev->nr_stack &&
		    nla_put(skb, PATTRACK_ATTR_STACK, ev->nr_stack * sizeof(u64), stack))
			goto drop_skb;
	}
	if (ev->kind == PATTRACK_EV_FORK && nla_put_u32(skb, PATTRACK_ATTR_CHILD, ev->child))
		goto drop_skb;
	if (ev->req >= 0 && nla_put_u32(skb, PATTRACK_ATTR_REQ, ev->req))
		goto drop_skb;
	if (ev->got >= 0 && nla_put_u32(skb, PATTRACK_ATTR_GOT, ev->got))
		goto drop_skb;
	genlmsg_end(skb, hdr);

	err = genlmsg_multicast(&shim_family, skb, 0, 0, GFP_ATOMIC);
	if (err && err != -ESRCH) {
		/* a listener's socket was full: the sequence number tells it */
		atomic64_inc(&dropped);
		return;
	}
	atomic64_inc(&sent);
	return;

drop_skb:
	nlmsg_free(skb);
drop:
	atomic64_inc(&dropped);
}

/* ---- kretprobes --------------------------------------------------------- */

struct call {
	u64 start, end;
	int req;
	int *new_type;		/* enum page_cache_mode *, NULL for a strict request */
	unsigned long caller;	/* the return address into the caller */
	unsigned int nr_stack;
	unsigned long stack[PATTRACK_STACK_DEPTH];
};

/*
 * The stack from the frame at [@lo, @hi) outwards, where no registers
 * tell where to start: the frames saved here begin inside the kprobe
 * machinery, so they are skipped up to it; when it is not among them, the
 * whole walk is kept.
 */
static void save_stack(struct call *c, unsigned long lo, unsigned long hi)
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
	c->nr_stack = min_t(unsigned int, n - first, PATTRACK_STACK_DEPTH);
	memcpy(c->stack, &frames[first], c->nr_stack * sizeof(c->stack[0]));
}

/*
 * A reserve's stack, walked from the registers at the probed function's
 * entry: the unwinder starts in the function itself and never walks the
 * kprobe machinery's frames, which cost as much again.
 */
static void save_stack_at(struct call *c, struct pt_regs *regs)
{
	struct unwind_state state;
	unsigned long addr;

	/* the function itself first, as the BPF program's stacks begin */
	c->stack[0] = instruction_pointer(regs);
	c->nr_stack = 1;
	for (unwind_start(&state, current, regs, NULL);
	     !unwind_done(&state) && c->nr_stack < PATTRACK_STACK_DEPTH;
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		if (addr != c->stack[0])
			c->stack[c->nr_stack++] = addr;
	}
}

/* Nobody listens: decline the call, which spares the stack walk and the return probe. */
static bool unheard(void)
{
	return !genl_has_listeners(&shim_family, &init_net, 0);
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
	struct kretprobe *rp = get_kretprobe(ri);

	if (unheard())
		return 1;

	c->start = regs->di;
	c->end = regs->si;
	/* not hooked yet: the top of the stack is the real return address */
	c->caller = *(unsigned long *)kernel_stack_pointer(regs);
	c->nr_stack = 0;
	if (rp == &reserve_probe) {
		c->req = (int)regs->dx;
		c->new_type = (int *)regs->cx;
		save_stack_at(c, regs);
	} else {
		c->req = -1;
		c->new_type = NULL;
	}
	return 0;
}

static int call_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct call *c = (struct call *)ri->data;
	bool reserve = get_kretprobe(ri) == &reserve_probe;
	int ret = (int)regs_return_value(regs);
	struct shim_event ev = {
		.kind = reserve ? PATTRACK_EV_RESERVE : PATTRACK_EV_FREE,
		.start = c->start,
		.end = c->end,
		.req = c->req,
		.got = c->new_type ? *c->new_type : -1,
		.ret = ret,
		.task = current,
	};

	if (!reserve && ret) {
		/* the free has returned: its caller's frame is the first that counts */
		save_stack(c, c->caller, c->caller + 1);
		if (!c->nr_stack || c->stack[0] != c->caller) {
			c->stack[0] = c->caller;
			c->nr_stack = 1;
		}
	}
	ev.nr_stack = c->nr_stack;
	ev.stack = c->stack;
	shim_emit(&ev);
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
	struct shim_event ev = {
		.kind = PATTRACK_EV_EXIT,
		.req = -1,
		.got = -1,
		.task = task,
	};

	/* the mappings go with the thread group: report its last thread */
	if (atomic_read(&task->signal->live))
		return;
	shim_emit(&ev);
}

/* Who descends from whom, for following a command's children: new processes only. */
static void shim_process_fork(void *data, struct task_struct *parent, struct task_struct *child)
{
	struct shim_event ev = {
		.kind = PATTRACK_EV_FORK,
		.child = child->tgid,
		.req = -1,
		.got = -1,
		.task = parent,
	};

	if (child->pid != child->tgid)
		return;	/* a thread */
	shim_emit(&ev);
}

static void find_tracepoints(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		exit_tp = tp;
	else if (!strcmp(tp->name, "sched_process_fork"))
		fork_tp = tp;
}

/* ---- module ------------------------------------------------------------- */

static void shim_unprobe(void)
{
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

	err = genl_register_family(&shim_family);
	if (err)
		return err;

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
	pr_info("version %s, probing %s and %s\n", SHIM_VERSION,
		reserve_probe.kp.symbol_name, free_probe.kp.symbol_name);
	return 0;

fail:
	shim_unprobe();
	genl_unregister_family(&shim_family);
	return err;
}

static void __exit shim_exit(void)
{
	shim_unprobe();
	/* listeners keep their sockets; the family and its group go */
	genl_unregister_family(&shim_family);
	if (shim_missed())
		pr_info("%d reserve and %d free calls were missed\n", reserve_probe.nmissed,
			free_probe.nmissed);
}

module_init(shim_init);
module_exit(shim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pattrack: x86 PAT memtype reservations over generic netlink");
MODULE_VERSION(SHIM_VERSION);
