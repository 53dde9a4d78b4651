// SPDX-License-Identifier: GPL-2.0-or-later
/* The "bpf" live source: pattrack.bpf.c through libbpf, over a ring buffer. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>

#include "bpf.h"
#include "core/util.h"
#include "numbered.h"
#include "pattrack.skel.h"

struct pt_bpf {
	struct pt_numbered n;	/* first: the numbered sources' ops take a struct pt_bpf */
	struct pattrack_bpf *skel;
	struct ring_buffer *rb;
	const char *mode;
	uint64_t misses;	/* the programs' recursion misses, as last read */
	uint64_t waited;	/* the last number a barrier waited for */
	int bench;		/* enum pattrack_bench */
};

/* libbpf's own chatter (verifier logs) only with --verbose: failures are explained by the caller */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !log_is_verbose())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * An fexit program's stack begins with itself and its trampoline: drop the
 * frames up to the "bpf_trampoline_" one, or else any leading "bpf_" or
 * unnamed ones, so that it begins at the probed function's caller.
 */
static size_t trim_bpf_frames(char *stack, size_t len)
{
	char *p = stack, *tramp = memmem(stack, len, "bpf_trampoline_", 15);

	if (tramp) {
		char *nl = memchr(tramp, '\n', (size_t)(stack + len - tramp));

		p = nl ? nl + 1 : stack + len;
	}
	while (p < stack + len && (strncmp(p, "bpf_", 4) == 0 || strncmp(p, "0x", 2) == 0)) {
		char *nl = memchr(p, '\n', (size_t)(stack + len - p));

		if (!nl)
			break;
		p = nl + 1;
	}
	memmove(stack, p, (size_t)(stack + len - p));
	return (size_t)(stack + len - p);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct pt_bpf *b = ctx;

	if (size < sizeof(struct pattrack_event))
		return 0;	/* not noted as seen: a record that cannot be used shows as a gap */
	return pt_numbered_deliver(&b->n, data) < 0 ? -1 : 0;
}

static void bpf_free(void *impl)
{
	struct pt_bpf *b = impl;

	ring_buffer__free(b->rb);
	pattrack_bpf__destroy(b->skel);
	free(b);
}

static const struct {
	bool fentry, tp_btf;
	const char *name;
} modes[] = {
	{ true, true, "fentry/fexit + tp_btf" },
	{ false, true, "kprobe/kretprobe + tp_btf" },
	{ false, false, "kprobe/kretprobe + tracepoints" },
};

/* The overhead benchmark's: PATTRACK_BPF_BENCH=floor or nostack (enum pattrack_bench). */
static int bench_of_env(void)
{
	const char *v = getenv("PATTRACK_BPF_BENCH");

	if (!v || !*v)
		return PATTRACK_BENCH_NONE;
	if (strcmp(v, "floor") == 0)
		return PATTRACK_BENCH_FLOOR;
	if (strcmp(v, "nostack") == 0)
		return PATTRACK_BENCH_NOSTACK;
	log_warning("PATTRACK_BPF_BENCH=%s: not floor or nostack, ignored", v);
	return PATTRACK_BENCH_NONE;
}

static int try_mode(struct pt_bpf *b, size_t m)
{
	struct pattrack_bpf *s = pattrack_bpf__open();
	int r;

	if (!s)
		return -errno;
	s->rodata->bench = b->bench;
	bpf_program__set_autoload(s->progs.fexit_reserve, modes[m].fentry);
	bpf_program__set_autoload(s->progs.fexit_free, modes[m].fentry);
	bpf_program__set_autoload(s->progs.kprobe_reserve, !modes[m].fentry);
	bpf_program__set_autoload(s->progs.kretprobe_reserve, !modes[m].fentry);
	bpf_program__set_autoload(s->progs.kprobe_free, !modes[m].fentry);
	bpf_program__set_autoload(s->progs.kretprobe_free, !modes[m].fentry);
	bpf_program__set_autoload(s->progs.tp_btf_exit, modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_btf_fork, modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_exit, !modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_fork, !modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.fentry_unbind, modes[m].fentry);
	bpf_program__set_autoload(s->progs.kprobe_unbind, !modes[m].fentry);
	bpf_program__set_autoload(s->progs.tp_btf_load, modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_btf_unload, modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_load, !modes[m].tp_btf);
	bpf_program__set_autoload(s->progs.tp_unload, !modes[m].tp_btf);
	r = pattrack_bpf__load(s);
	if (r == 0)
		r = pattrack_bpf__attach(s);
	if (r < 0) {
		pattrack_bpf__destroy(s);
		return r;
	}
	b->skel = s;
	b->mode = modes[m].name;
	return 0;
}

static const struct pt_source_ops bpf_ops;

int pt_bpf_source(pt_live_fn fn, void *userdata, struct pt_source *ret, char *why,
		  size_t why_size)
{
	struct pt_bpf *b;
	size_t len = 0;
	int r = -ENOENT;

	libbpf_set_print(libbpf_print);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->n.fn = fn;
	b->n.userdata = userdata;
	b->n.fix_stack = trim_bpf_frames;
	b->bench = bench_of_env();
	if (b->bench != PATTRACK_BENCH_NONE)
		log_warning("bpf: PATTRACK_BPF_BENCH=%s: %s", getenv("PATTRACK_BPF_BENCH"),
			    b->bench == PATTRACK_BENCH_FLOOR ? "no events are made"
							     : "no stacks are walked");
	why[0] = '\0';
	for (size_t m = 0; m < ELEMENTSOF(modes); m++) {
		r = try_mode(b, m);
		if (r == 0)
			break;
		len += (size_t)snprintf(why + len, len < why_size ? why_size - len : 0, "%s%s: %s",
					len ? "; " : "", modes[m].name, strerror(-r));
	}
	if (r < 0) {
		free(b);
		return r;
	}
	b->rb = ring_buffer__new(bpf_map__fd(b->skel->maps.events), on_event, b, NULL);
	if (!b->rb) {
		r = -errno;
		bpf_free(b);
		return r;
	}
	/* the program numbers from 1, and every number is ours: it was loaded for us */
	pt_seq_begin(&b->n.seq, 1);
	*ret = (struct pt_source){ .ops = &bpf_ops, .impl = b, .detail = b->mode };
	return 0;
}

static int bpf_fd(void *impl)
{
	return ring_buffer__epoll_fd(((struct pt_bpf *)impl)->rb);
}

static int bpf_dispatch(void *impl)
{
	struct pt_bpf *b = impl;
	int r = ring_buffer__consume(b->rb);

	if (b->n.error)
		return b->n.error;
	return r < 0 ? r : 0;
}

/*
 * An event is in the ring buffer once its program returns, so what was
 * reported is readable now but for the programs still running: each holds
 * a number taken and not yet submitted, for microseconds, or for as long
 * as it stays preempted on PREEMPT_RT.  Wait for those a little (never
 * for a number the full buffer refused: a number waited on once is not
 * waited on again).  The program's last number also tells the tracker
 * what to expect, so that an event the full buffer refused after the
 * last one that came still counts as lost.
 */
#define BARRIER_WAIT_MS 50

static int bpf_barrier(void *impl)
{
	struct pt_bpf *b = impl;
	uint64_t last = __atomic_load_n(&b->skel->bss->seq, __ATOMIC_ACQUIRE);

	pt_seq_expect(&b->n.seq, last);
	for (int ms = 0; ms < BARRIER_WAIT_MS; ms++) {
		int r = ring_buffer__consume(b->rb);

		if (b->n.error)
			return b->n.error;
		if (r < 0)
			return r;
		if (pt_seq_complete(&b->n.seq, b->waited + 1, last))
			break;
		(void)poll(NULL, 0, 1);
	}
	if (last > b->waited)
		b->waited = last;
	return 0;
}

/*
 * Calls a program was not run for.  On one CPU the kernel does not run a
 * BPF program again while it runs (preempted, on PREEMPT_RT; or a probe
 * fired inside it), and counts each such call as a recursion miss of that
 * program (bpf_prog_info, since 5.12).  No sequence number is taken for
 * them, so no gap shows: they are counted here, a loss like any other.
 * A kernel without the counter reads 0.
 */
static uint64_t program_misses(const struct bpf_program *p)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(p);

	return fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.recursion_misses : 0;
}

static uint64_t read_misses(struct pt_bpf *b)
{
	struct bpf_program *p;
	uint64_t n = 0;

	bpf_object__for_each_program(p, b->skel->obj)
		n += program_misses(p);
	/* the counters only grow; a read that failed keeps what was known */
	if (n > b->misses)
		b->misses = n;
	return b->misses;
}

static uint64_t bpf_lost(void *impl)
{
	return pt_numbered_lost(impl) + read_misses(impl);
}

/* At the end, which calls went unseen: the recursion misses, by program. */
static uint64_t bpf_finish(void *impl)
{
	struct pt_bpf *b = impl;
	struct bpf_program *p;

	bpf_object__for_each_program(p, b->skel->obj) {
		uint64_t n = program_misses(p);

		if (n)
			log_warning("bpf: the kernel did not run %s for %" PRIu64
				    " calls (recursion misses): their events are lost",
				    bpf_program__name(p), n);
	}
	return pt_numbered_finish(impl) + read_misses(b);
}

static const struct pt_source_ops bpf_ops = {
	.name = "bpf",
	.caps = PT_SOURCE_CALLS | PT_SOURCE_OWNERS | PT_SOURCE_STACKS,
	.flush_ms = 100,	/* the program wakes its reader only for a batch */
	.finish = bpf_finish,
	.lost = bpf_lost,
	.cycle = pt_numbered_cycle,
	.set_kallsyms = pt_numbered_set_kallsyms,
	.fd = bpf_fd,
	.dispatch = bpf_dispatch,
	.barrier = bpf_barrier,
	.free = bpf_free,
};
