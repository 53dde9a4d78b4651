// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pat-scenario: performs one scenario class of docs/kernel-notes.md on a PCI BAR
 * (ivshmem BAR2 in the test guest), so that the kernel's own memtype list
 * and log can be checked after it.
 *
 *   pat-scenario DEVICE_DIR SCENARIO FIRST_PAGE
 *   pat-scenario DEVICE_DIR loop FIRST_PAGE    (prints the ns 20,000 map/unmap took:
 *                                                wall clock, then the process's CPU time)
 *   pat-scenario DEVICE_DIR pinned FIRST_PAGE  (two loops on two CPUs: the stress test,
 *                                                not one of expected.txt's)
 *
 * BAR2 of DEVICE_DIR (/sys/bus/pci/devices/<bdf>) is mapped through its
 * resource2 (uncached-minus) and resource2_wc (write-combining) files.
 * Each scenario works in the 16 pages from FIRST_PAGE: reservations it
 * leaks stay there for good.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL

static const char *dev;
static unsigned base;	/* first page of this scenario's window */

static char *map(bool wc, unsigned page, unsigned pages)
{
	char path[512];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dev, wc ? "resource2_wc" : "resource2");
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pat-scenario: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)((base + page) * PAGE));
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static char *must_map(bool wc, unsigned page, unsigned pages)
{
	char *p = map(wc, page, pages);

	if (!p) {
		fprintf(stderr, "pat-scenario: mmap of %u pages at page %u failed: %s\n", pages,
			base + page, strerror(errno));
		exit(2);
	}
	return p;
}

/* A child that maps, then waits to be killed; returns its pid once the map is made. */
static pid_t holder(bool wc, unsigned page)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready) < 0)
		exit(2);
	pid = fork();
	if (pid < 0)
		exit(2);
	if (pid == 0) {
		must_map(wc, page, 1);
		if (write(ready[1], "x", 1) != 1)
			_exit(2);
		pause();
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		exit(2);
	close(ready[0]);
	close(ready[1]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Runs @fn in a child process and waits for it to exit. */
static void in_child(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		exit(2);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

/* 1: resource2_wc is WC, resource2 is UC-; munmap frees each */
static void map_unmap(void)
{
	char *a = must_map(true, 0, 1), *b = must_map(false, 1, 1);

	munmap(a, PAGE);
	munmap(b, PAGE);
}

/* 2: map 4 pages WC, munmap the first, exit: the head page leaks */
static void partial_head(void)
{
	munmap(must_map(true, 0, 4), PAGE);
}

/* 3: map 4 pages WC, munmap the second, exit: 2 pages leak */
static void partial_middle(void)
{
	munmap(must_map(true, 0, 4) + PAGE, PAGE);
}

static void nothing(void)
{
}

/* 4: fork duplicates the reservation; the child exits first */
static void fork_child_first(void)
{
	char *p = must_map(true, 0, 2);

	in_child(nothing);
	munmap(p, 2 * PAGE);
}

static void map_and_fork(void)
{
	must_map(true, 0, 2);
	if (fork() == 0) {
		usleep(300000);	/* outlive the parent */
		_exit(0);
	}
}

/* 4: fork duplicates the reservation; the parent exits first */
static void fork_parent_first(void)
{
	in_child(map_and_fork);
	usleep(600000);	/* the orphan exits meanwhile, reaped by init */
}

/* 5: mremap shrink frees the cut tail, munmap the rest */
static void shrink(void)
{
	char *p = must_map(false, 0, 4);
	char *q = mremap(p, 4 * PAGE, 2 * PAGE, 0);

	if (q == MAP_FAILED)
		exit(2);
	munmap(q, 2 * PAGE);
}

/* 6: A holds page 0 WC, B holds page 1 UC-, we map pages 0-1 WC: refused */
static void conflict(void)
{
	pid_t a = holder(true, 0), b = holder(false, 1);
	char *c = map(true, 0, 2);

	printf("pat-scenario: conflict: mmap %s\n", c ? "succeeded" : strerror(errno));
	reap(a);
	reap(b);
}

static void partial_head_at_8(void)
{
	munmap(must_map(true, 8, 4), PAGE);
}

/* 7: A holds a page UC-, we map it WC (granted UC-); then UC- over a leaked WC page */
static void degraded(void)
{
	pid_t a = holder(false, 0);

	munmap(must_map(true, 0, 1), PAGE);
	reap(a);
	in_child(partial_head_at_8);
	munmap(must_map(false, 8, 1), PAGE);
}

/* 10 processes, each 5,000 times: map a page WC, unmap it */
#define BURST_PROCS 10
#define BURST_LOOPS 5000

static void burst(void)
{
	pid_t pid[BURST_PROCS];

	for (unsigned i = 0; i < BURST_PROCS; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			exit(2);
		if (pid[i] == 0) {
			for (unsigned n = 0; n < BURST_LOOPS; n++)
				munmap(must_map(true, i, 1), PAGE);
			_exit(0);
		}
	}
	for (unsigned i = 0; i < BURST_PROCS; i++)
		waitpid(pid[i], NULL, 0);
}

/*
 * Two loops, each pinned to a CPU of its own, 20,000 map/unmap each: the
 * probes run on both CPUs at once, the PREEMPT_RT stress.
 */
#define PINNED_LOOPS 20000

static void pinned(void)
{
	pid_t pid[2];
	int status, bad = 0;

	for (unsigned i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			exit(2);
		if (pid[i] == 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(i, &set);
			if (sched_setaffinity(0, sizeof(set), &set) < 0) {
				perror("pat-scenario: sched_setaffinity");
				_exit(2);
			}
			for (unsigned n = 0; n < PINNED_LOOPS; n++)
				munmap(must_map(true, i, 1), PAGE);
			_exit(0);
		}
	}
	for (unsigned i = 0; i < 2; i++)
		if (waitpid(pid[i], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad = 1;
	if (bad)
		exit(2);
}

static const struct {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "map-unmap", map_unmap },
	{ "partial-munmap-head", partial_head },
	{ "partial-munmap-middle", partial_middle },
	{ "fork-child-exits-first", fork_child_first },
	{ "fork-parent-exits-first", fork_parent_first },
	{ "mremap", shrink },
	{ "conflict", conflict },
	{ "degraded", degraded },
	{ "burst", burst },
	{ "pinned", pinned },
};

static long long ns_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/*
 * The overhead loop: 20,000 map/unmap of one page.  Prints the nanoseconds
 * it took by the wall clock, and in CPU time of this process: the probes
 * run in its context, the recorder does not.
 */
static void timed_loop(void)
{
	struct timespec a, b, ca, cb;

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ca);
	for (unsigned n = 0; n < 20000; n++)
		munmap(must_map(true, 0, 1), PAGE);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cb);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%lld %lld\n", ns_between(&a, &b), ns_between(&ca, &cb));
}

int main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: pat-scenario DEVICE_DIR SCENARIO|loop|hold FIRST_PAGE\n");
		return 2;
	}
	dev = argv[1];
	base = (unsigned)strtoul(argv[3], NULL, 0);
	if (strcmp(argv[2], "loop") == 0) {
		timed_loop();
		return 0;
	}
	if (strcmp(argv[2], "hold") == 0) {
		/* a mapping that lives until this process is killed: its pid owns it */
		must_map(true, 0, 1);
		pause();
		return 0;
	}
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (strcmp(argv[2], scenarios[i].name) == 0) {
			/* in a child, so that its exit tears the mappings down as a process's does */
			in_child(scenarios[i].run);
			return 0;
		}
	fprintf(stderr, "pat-scenario: unknown scenario %s\n", argv[2]);
	return 2;
}
