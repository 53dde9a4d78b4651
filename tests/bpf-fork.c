// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The BPF program's process events on the running kernel: loads only the
 * classic-tracepoint fork and exit programs (this needs neither kprobes
 * nor fentry), starts a thread and a child process, and checks that a fork
 * event names the process and none names the thread.  Then the same with
 * the tp_btf programs.  Results as TAP; a check whose programs cannot load
 * here is skipped.
 */
#include <bpf/libbpf.h>
#include <pattrack/pattrack.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pattrack.skel.h"

struct seen {
	pid_t self, child, thread;
	int forks_of_child, forks_of_thread, exits;
};

static int on_event(void *ctx, void *data, size_t size)
{
	const struct pattrack_event *e = data;
	struct seen *s = ctx;

	if (size < sizeof(*e) || (pid_t)e->pid != s->self)
		return 0;
	if (e->kind == PATTRACK_EV_FORK && (pid_t)e->child == s->child)
		s->forks_of_child++;
	if (e->kind == PATTRACK_EV_FORK && (pid_t)e->child == s->thread)
		s->forks_of_thread++;
	return 0;
}

static void *thread_main(void *arg)
{
	*(pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return NULL;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Check @n, as TAP: 0 passed, 1 failed, 77 could not load (skipped) */
static int run(int n, bool tp_btf, const char *name)
{
	struct pattrack_bpf *skel = pattrack_bpf__open();
	struct ring_buffer *rb = NULL;
	struct bpf_program *prog;
	struct seen s = { .self = getpid() };
	pthread_t t;
	pid_t pid;
	int rc = 77;

	if (!skel)
		return 77;
	/* the process programs alone: this host has no memtype probes, modules or fentry */
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_program__set_autoload(skel->progs.tp_btf_exit, tp_btf);
	bpf_program__set_autoload(skel->progs.tp_btf_fork, tp_btf);
	bpf_program__set_autoload(skel->progs.tp_exit, !tp_btf);
	bpf_program__set_autoload(skel->progs.tp_fork, !tp_btf);
	if (pattrack_bpf__load(skel) || pattrack_bpf__attach(skel)) {
		printf("ok %d - # SKIP %s: the programs do not load or attach here\n", n, name);
		goto out;
	}
	rc = 1;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &s, NULL);
	if (!rb || pthread_create(&t, NULL, thread_main, &s.thread) || pthread_join(t, NULL)) {
		printf("not ok %d - %s: no ring buffer reader, or no thread\n", n, name);
		goto out;
	}
	pid = fork();
	if (pid == 0)
		_exit(0);
	s.child = pid;
	waitpid(pid, NULL, 0);
	ring_buffer__consume(rb);

	rc = s.forks_of_child == 1 && s.forks_of_thread == 0 ? 0 : 1;
	printf("%s %d - %s: fork events for the child process %d: %d (want 1), for the thread %d: %d (want 0)\n",
	       rc ? "not ok" : "ok", n, name, s.child, s.forks_of_child, s.thread, s.forks_of_thread);
out:
	ring_buffer__free(rb);
	pattrack_bpf__destroy(skel);
	return rc;
}

int main(void)
{
	int a, b;

	libbpf_set_print(quiet);
	a = run(1, false, "tracepoint sched_process_fork");
	b = run(2, true, "tp_btf sched_process_fork");
	printf("1..2\n");
	return a == 1 || b == 1;
}
