// SPDX-License-Identifier: GPL-2.0
/*
 * pattrack.bpf.c: every x86 PAT memtype reservation and release, and every
 * process birth and death, into a BPF ring buffer.
 *
 * fexit on memtype_reserve() and memtype_free() sees arguments and result
 * at once; where fentry/fexit cannot attach, a kprobe/kretprobe pair keeps
 * the arguments in a map between the two.  sched_process_exit and _fork
 * come from tp_btf, or the classic tracepoints.  Userspace picks what
 * loads, by autoload.  Each event takes a sequence number; one that finds
 * the ring buffer full is lost, counted, and leaves a gap.
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

__u64 seq;	/* the last sequence number given */
__u64 lost;	/* events the full ring buffer refused */

static __always_inline void emit(void *ctx, __u32 kind, __u64 start, __u64 end, __s32 req,
				 __s32 got, __s32 ret, __u32 child, bool stack)
{
	struct pattrack_event *e;
	__u64 n = __sync_fetch_and_add(&seq, 1) + 1;
	long depth;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	e->seq = n;
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->start = start;
	e->end = end;
	e->req = req;
	e->got = got;
	e->ret = ret;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->child = child;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->nr_stack = 0;
	if (stack) {
		depth = bpf_get_stack(ctx, e->stack, STACK_FRAMES * sizeof(e->stack[0]), 0);
		e->nr_stack = depth > 0 ? depth / sizeof(__u64) : 0;
	}
	bpf_ringbuf_submit(e, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ?
			      BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

static __always_inline __s32 read_type(void *new_type)
{
	__s32 got = -1;

	if (new_type)
		bpf_probe_read_kernel(&got, sizeof(got), new_type);
	return got;
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

	bpf_get_func_arg(ctx, 3, &new_type);
	bpf_get_func_ret(ctx, &ret);
	emit(ctx, PATTRACK_EV_RESERVE, start, end, req, read_type((void *)new_type), (__s32)ret, 0,
	     true);
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
	emit(ctx, PATTRACK_EV_FREE, start, end, -1, -1, ret, 0, ret != 0);
	return 0;
}

/* ---- kprobe fallback ---------------------------------------------------- */

/* Both functions' calls: arguments kept at entry, by thread, until the return. */
static __always_inline int call_begin(__u64 start, __u64 end, __s32 req, void *new_type)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = { .start = start, .end = end, .req = req, .new_type = new_type };

	bpf_map_update_elem(&inflight, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int call_end(void *ctx, __u32 kind, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&inflight, &id);

	if (!c)
		return 0;
	emit(ctx, kind, c->start, c->end, c->req, read_type(c->new_type), ret, 0,
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
		emit(ctx, PATTRACK_EV_EXIT, 0, 0, -1, -1, 0, 0, false);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_btf_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(child, pid) == BPF_CORE_READ(child, tgid))
		emit(ctx, PATTRACK_EV_FORK, 0, 0, -1, -1, 0, BPF_CORE_READ(child, tgid), false);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(void *ctx)
{
	if (group_dead((struct task_struct *)bpf_get_current_task()))
		emit(ctx, PATTRACK_EV_EXIT, 0, 0, -1, -1, 0, 0, false);
	return 0;
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	/* the classic tracepoint has the child's thread id only: a new process when it leads */
	emit(ctx, PATTRACK_EV_FORK, 0, 0, -1, -1, 0, ctx->child_pid, false);
	return 0;
}
