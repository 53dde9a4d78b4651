// SPDX-License-Identifier: GPL-2.0
/*
 * pattrack.bpf.c: every x86 PAT memtype reservation and release, and every
 * process birth and death, into a BPF ring buffer.
 *
 * fexit on memtype_reserve() and memtype_free() sees arguments and result
 * at once; where fentry/fexit cannot attach, a kprobe/kretprobe pair keeps
 * the arguments in a map between the two.  sched_process_exit and _fork
 * come from tp_btf, or the classic tracepoints.  A driver leaving a PCI
 * device is seen at device_release_driver_internal(), a module coming
 * and going at the module_load and module_free tracepoints.  Userspace picks what
 * loads, by autoload.  Each event takes a sequence number; one that finds
 * the ring buffer full is lost and leaves a gap, which the reader counts.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "pattrack/pattrack.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* kprobe mode: the arguments of a call in flight, by thread; NULL new_type: none */
struct call {
	__u64 start, end;
	__s32 req;
	void *new_type;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct call);
} inflight SEC(".maps");

/*
 * The reader is woken once this much waits, not for every event: a wakeup
 * per mmap() costs the mapping process more than the event itself.  The
 * reader also looks on a timer (flush_ms in daemon/source/source.h).
 */
#define WAKEUP_BYTES (64 << 10)

/*
 * Frames of a reserve's stack.  From fexit the walk starts in this program
 * and its trampoline (the recorder drops those two), frames the unwinder
 * finds only slowly; the six after them run from memtype_reserve() through
 * the driver's mmap or ioremap call in every path we have seen, and beyond
 * lie the syscall or driver-core plumbing.  Each frame costs the mapping
 * process: in the overhead benchmark 16 frames cost x1.20, 8 x1.15.
 * The shim, which starts its walk at the probed function, keeps 16.
 */
#define STACK_FRAMES 8
_Static_assert(STACK_FRAMES <= PATTRACK_STACK_DEPTH, "the event holds fewer frames");

/* enum pattrack_bench, set before load: the verifier drops what it rules out */
const volatile int bench = PATTRACK_BENCH_NONE;

static __always_inline __s32 read_type(void *new_type)
{
	__s32 got = -1;

	if (new_type)
		bpf_probe_read_kernel(&got, sizeof(got), new_type);
	return got;
}

/*
 * The last sequence number given, read by the reader at a barrier: every
 * number up to it was sent, so one the full ring buffer refused shows as a
 * gap even after the last event that came.
 */
__u64 seq;

/*
 * A slot for one event of @kind, numbered, stamped and named after the
 * current process, the rest of it neutral; NULL when the ring buffer is
 * full, the number then lost.  The caller fills in what its kind carries
 * and hands the slot to event_submit().
 */
static __always_inline struct pattrack_event *event_begin(__u32 kind)
{
	__u64 n = __sync_fetch_and_add(&seq, 1) + 1;
	struct pattrack_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return NULL;
	e->seq = n;
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->start = 0;
	e->end = 0;
	e->req = -1;
	e->got = -1;
	e->ret = 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->child = 0;
	e->nr_stack = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* With @stack the kernel stack too; the reader is woken only for a batch. */
static __always_inline void event_submit(void *ctx, struct pattrack_event *e, bool stack)
{
	long depth;

	if (stack && bench != PATTRACK_BENCH_NOSTACK) {
		depth = bpf_get_stack(ctx, e->stack, STACK_FRAMES * sizeof(e->stack[0]), 0);
		e->nr_stack = depth > 0 ? depth / sizeof(__u64) : 0;
	}
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* A reserve or a free that returned @ret, the stack with it when @stack. */
static __always_inline void emit_call(void *ctx, __u32 kind, __u64 start, __u64 end, __s32 req,
				      void *new_type, __s32 ret, bool stack)
{
	struct pattrack_event *e = event_begin(kind);

	if (!e)
		return;
	e->start = start;
	e->end = end;
	e->req = req;
	e->got = read_type(new_type);
	e->ret = ret;
	event_submit(ctx, e, stack);
}

/* An exit, or a fork of @child, with no stack. */
static __always_inline void emit_process(void *ctx, __u32 kind, __u32 child)
{
	struct pattrack_event *e = event_begin(kind);

	if (!e)
		return;
	e->child = child;
	event_submit(ctx, e, false);
}

/* ---- fentry/fexit ------------------------------------------------------- */

/*
 * new_type is read with bpf_get_func_arg(): a 6.1 verifier refuses a
 * pointer to an enum as a typed argument ("arg3 type ENUM is not a struct").
 */
SEC("fexit/memtype_reserve")
int BPF_PROG(fexit_reserve, u64 start, u64 end, enum page_cache_mode req)
{
	__u64 new_type = 0, ret = 0;

	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	bpf_get_func_arg(ctx, 3, &new_type);
	bpf_get_func_ret(ctx, &ret);
	emit_call(ctx, PATTRACK_EV_RESERVE, start, end, req, (void *)new_type, (__s32)ret, true);
	return 0;
}

/*
 * A free's stack is walked only when it failed: a stack walk costs the
 * mapping process more than all the rest of an event, and a free that
 * works names its reservation, whose stack is known.
 */
SEC("fexit/memtype_free")
int BPF_PROG(fexit_free, u64 start, u64 end, int ret)
{
	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	emit_call(ctx, PATTRACK_EV_FREE, start, end, -1, NULL, ret, ret != 0);
	return 0;
}

/* ---- kprobe fallback ---------------------------------------------------- */

/* Both functions' calls: arguments kept at entry, by thread, until the return. */
static __always_inline int call_begin(__u64 start, __u64 end, __s32 req, void *new_type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = { .start = start, .end = end, .req = req, .new_type = new_type };

	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	bpf_map_update_elem(&inflight, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int call_end(void *ctx, __u32 kind, int ret)
{
	__u64 id;
	struct call *c;

	if (bench == PATTRACK_BENCH_FLOOR)
		return 0;
	id = bpf_get_current_pid_tgid();
	c = bpf_map_lookup_elem(&inflight, &id);
	if (!c)
		return 0;
	emit_call(ctx, kind, c->start, c->end, c->req, c->new_type, ret,
		  kind == PATTRACK_EV_RESERVE || ret != 0);
	bpf_map_delete_elem(&inflight, &id);
	return 0;
}

SEC("kprobe/memtype_reserve")
int BPF_KPROBE(kprobe_reserve, u64 start, u64 end, enum page_cache_mode req, void *new_type)
{
	return call_begin(start, end, req, new_type);
}

SEC("kretprobe/memtype_reserve")
int BPF_KRETPROBE(kretprobe_reserve, int ret)
{
	return call_end(ctx, PATTRACK_EV_RESERVE, ret);
}

SEC("kprobe/memtype_free")
int BPF_KPROBE(kprobe_free, u64 start, u64 end)
{
	return call_begin(start, end, -1, NULL);
}

SEC("kretprobe/memtype_free")
int BPF_KRETPROBE(kretprobe_free, int ret)
{
	return call_end(ctx, PATTRACK_EV_FREE, ret);
}

/* ---- processes ---------------------------------------------------------- */

/* The last thread of a group takes the mappings with it: report that one. */
static __always_inline bool group_dead(struct task_struct *task)
{
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_btf_exit, struct task_struct *task)
{
	if (group_dead(task))
		emit_process(ctx, PATTRACK_EV_EXIT, 0);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, pid) == BPF_CORE_READ(child, tgid))
		emit_process(ctx, PATTRACK_EV_FORK, BPF_CORE_READ(child, tgid));
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(void *ctx)
{
	if (group_dead((struct task_struct *)bpf_get_current_task()))
		emit_process(ctx, PATTRACK_EV_EXIT, 0);
	return 0;
}

/*
 * The classic tracepoint names the child by its thread id alone, and fires
 * for a new thread as for a new process.  copy_process() has linked a new
 * thread at the tail of its group's thread list by now (a new process
 * heads a group of its own): when the forking task's group ends in the
 * child, the child is a thread and no new process.
 */
static __always_inline bool new_thread(__s32 child_pid)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct list_head *last = BPF_CORE_READ(task, signal, thread_head.prev);
	/* the member's offset as the running kernel lays it out, not as vmlinux.h did */
	struct task_struct *newest = (void *)last - bpf_core_field_offset(struct task_struct,
									 thread_node);

	return BPF_CORE_READ(newest, pid) == child_pid;
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	if (!new_thread(ctx->child_pid))
		emit_process(ctx, PATTRACK_EV_FORK, ctx->child_pid);
	return 0;
}

/* ---- drivers and modules ------------------------------------------------ */

static __always_inline bool on_pci_bus(struct device *dev)
{
	char bus[4] = {};

	bpf_probe_read_kernel_str(bus, sizeof(bus), BPF_CORE_READ(dev, bus, name));
	return bus[0] == 'p' && bus[1] == 'c' && bus[2] == 'i' && bus[3] == '\0';
}

/*
 * device_release_driver_internal(dev, drv, parent) unbinds @dev's driver
 * when @drv is NULL or that driver: before its remove() runs, one event
 * per memory BAR of a PCI device, as the shim's bus notifier sends them.
 */
static __always_inline void emit_unbind(void *ctx, struct device *dev, struct device_driver *drv)
{
	struct device_driver *bound = BPF_CORE_READ(dev, driver);
	struct pci_dev *pdev;
	struct pattrack_event *e;

	if (!bound || (drv && drv != bound) || !on_pci_bus(dev))
		return;
	pdev = (void *)dev - bpf_core_field_offset(struct pci_dev, dev);
#pragma unroll
	for (int i = 0; i < 6; i++) {	/* PCI_STD_NUM_BARS */
		__u64 start = BPF_CORE_READ(pdev, resource[i].start);
		__u64 end = BPF_CORE_READ(pdev, resource[i].end);
		unsigned long flags = BPF_CORE_READ(pdev, resource[i].flags);

		if ((flags & 0x1f00) != 0x200 || end <= start)	/* resource_type() != IORESOURCE_MEM */
			continue;
		e = event_begin(PATTRACK_EV_UNBIND);
		if (!e)
			continue;
		e->bar = i;
		e->start = start;
		e->end = end + 1;
		bpf_probe_read_kernel_str(e->device, sizeof(e->device), BPF_CORE_READ(dev, kobj.name));
		bpf_probe_read_kernel_str(e->name, sizeof(e->name), BPF_CORE_READ(bound, name));
		event_submit(ctx, e, false);
	}
}

SEC("fentry/device_release_driver_internal")
int BPF_PROG(fentry_unbind, struct device *dev, struct device_driver *drv)
{
	emit_unbind(ctx, dev, drv);
	return 0;
}

SEC("kprobe/device_release_driver_internal")
int BPF_KPROBE(kprobe_unbind, struct device *dev, struct device_driver *drv)
{
	emit_unbind(ctx, dev, drv);
	return 0;
}

/*
 * Where struct module keeps its code's place: core_layout before 6.4,
 * mem[MOD_TEXT] (index 0) since.  Both spelled here, for CO-RE to pick
 * whichever the running kernel has, whatever vmlinux.h was built from.
 */
struct module_layout___61 {
	void *base;
	unsigned int size;
	unsigned int text_size;
} __attribute__((preserve_access_index));

struct module___61 {
	struct module_layout___61 core_layout;
} __attribute__((preserve_access_index));

struct module_memory___64 {
	void *base;
	unsigned int size;
} __attribute__((preserve_access_index));

struct module___64 {
	struct module_memory___64 mem[7];
} __attribute__((preserve_access_index));

/*
 * load_module() is done, before the init function: the module's symbols
 * are there, and its code's place goes with the event, so that the reader
 * can name its frames even if the module is gone before it reads the
 * symbols.  free_module() has run the exit function (or a failed init).
 */
static __always_inline void emit_module(void *ctx, __u32 kind, const char *name,
					struct module *mod)
{
	struct pattrack_event *e = event_begin(kind);
	struct module___61 *old = (void *)mod;
	struct module___64 *new = (void *)mod;

	if (!e)
		return;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), name);
	if (mod && bpf_core_field_exists(old->core_layout)) {
		e->start = (__u64)BPF_CORE_READ(old, core_layout.base);
		e->end = e->start + BPF_CORE_READ(old, core_layout.text_size);
	} else if (mod && bpf_core_field_exists(new->mem)) {
		e->start = (__u64)BPF_CORE_READ(new, mem[0].base);
		e->end = e->start + BPF_CORE_READ(new, mem[0].size);
	}
	event_submit(ctx, e, false);
}

SEC("tp_btf/module_load")
int BPF_PROG(tp_btf_load, struct module *mod)
{
	emit_module(ctx, PATTRACK_EV_LOAD, mod->name, mod);
	return 0;
}

SEC("tp_btf/module_free")
int BPF_PROG(tp_btf_unload, struct module *mod)
{
	emit_module(ctx, PATTRACK_EV_UNLOAD, mod->name, NULL);
	return 0;
}

/*
 * The classic tracepoints' records, as events/module/module_{load,free}/format
 * lay them out (not every kernel's BTF has the structs): the common fields,
 * then the name's place in the record (offset in the low 16 bits).
 */
struct module_load_record {
	__u64 common;
	__u32 taints;
	__u32 data_loc_name;
};

struct module_free_record {
	__u64 common;
	__u32 data_loc_name;
};

SEC("tracepoint/module/module_load")
int tp_load(struct module_load_record *ctx)
{
	/* no module here: the reader names the frames from the symbols alone */
	emit_module(ctx, PATTRACK_EV_LOAD, (const char *)ctx + (ctx->data_loc_name & 0xffff), NULL);
	return 0;
}

SEC("tracepoint/module/module_free")
int tp_unload(struct module_free_record *ctx)
{
	emit_module(ctx, PATTRACK_EV_UNLOAD, (const char *)ctx + (ctx->data_loc_name & 0xffff),
		    NULL);
	return 0;
}
