// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrack-bench: figures, not a pass/fail test.
 *
 *   model_events_per_sec   the model fed pre-decoded synthetic events:
 *                          reserve/free pairs of 1-16 pages over a 1 GiB
 *                          window, duplicates, partial frees, conflicts
 *   replay_events_per_sec  a generated trace file read and replayed
 *   bytes_per_live_entry   RSS growth over 1,000,000 live entries
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <time.h>

#include "core/itree.h"
#include "core/trace.h"
#include "core/util.h"

#define PAGE 4096ULL
#define WINDOW_BASE 0x4000000000ULL
#define WINDOW_PAGES (1ULL << 18)	/* 1 GiB */
#define MAX_LIVE 65536
/*
 * The headline keeps 1,024-2,048 mappings alive at once: a busy GPU or
 * accelerator host (this development VM has 27).  The rate falls as the
 * tree outgrows the caches, a cache miss per level; the curve is printed.
 */
#define HEADLINE_LIVE 2048
static const size_t curve_live[] = { 512, 8192, MAX_LIVE };

struct mapping {
	uint64_t start, end;
	int32_t pid;
};

/* A small deterministic generator (xorshift64*), so runs are comparable. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const comms[] = { "Xorg", "gpu-test", "fio", "dpdk-l2fwd", "python3", "scen" };

/*
 * The synthetic workload: reserve/free pairs, at most @max_live mappings
 * alive at once, freed in random order.  Each 2 MiB region of the window has a "home"
 * type; 1% of requests ask for the other one (conflicts and degraded
 * grants), 5% duplicate a live mapping, 2% of frees cut the tail of one
 * (mremap), 0.1% its head (a partial munmap: invalid, and the page left
 * behind leaks when the rest is freed).
 */
static size_t generate(struct pt_event *ev, size_t n, size_t max_live)
{
	static struct mapping live[MAX_LIVE];
	size_t nlive = 0, i = 0;

	while (i < n) {
		/* keep between max_live/2 and max_live mappings alive */
		bool do_reserve = nlive < max_live / 2 || (nlive < max_live && rnd() % 2 == 0);
		struct pt_event *e = &ev[i++];

		*e = (struct pt_event){ .has_seq = true, .seq = i };
		if (do_reserve) {
			struct mapping *mp = &live[nlive];
			uint64_t r = rnd() % 100;

			if (r < 5 && nlive) {
				*mp = live[rnd() % nlive];	/* a duplicate (fork, second mmap) */
			} else {
				uint64_t page = rnd() % (WINDOW_PAGES - 16);

				mp->start = WINDOW_BASE + page * PAGE;
				mp->end = mp->start + (1 + rnd() % 16) * PAGE;
			}
			mp->pid = 1000 + (int32_t)(rnd() % 64);
			e->kind = PT_EV_RESERVE;
			e->start = mp->start;
			e->end = mp->end;
			e->req = ((mp->start >> 21) & 1) ? PATTRACK_TYPE_WC : PATTRACK_TYPE_UC_MINUS;
			if (r >= 5 && r < 6)
				e->req = e->req == PATTRACK_TYPE_WC ? PATTRACK_TYPE_UC_MINUS : PATTRACK_TYPE_WC;
			e->pid = mp->pid;
			nlive++;
		} else {
			size_t k = rnd() % nlive;
			struct mapping *mp = &live[k];
			uint64_t r = rnd() % 1000, pages = (mp->end - mp->start) / PAGE;

			e->kind = PT_EV_FREE;
			e->start = mp->start;
			e->end = mp->end;
			e->pid = mp->pid;
			if (r < 20 && pages > 1) {
				/* mremap shrink: the tail goes, the entry shrinks, the rest lives on */
				e->start = mp->end - PAGE;
				mp->end = e->start;
			} else if (r < 21 && pages > 1) {
				/* partial munmap of the head: invalid; the rest is freed later by end match */
				e->end = mp->start + PAGE;
				mp->start = e->end;
			} else {
				live[k] = live[--nlive];
			}
		}
		e->comm = comms[e->pid % ELEMENTSOF(comms)];
		e->comm_len = strlen(e->comm);
	}
	return i;
}

static long rss_bytes(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/statm", "re");
	long size, resident;

	if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2)
		return -1;
	return resident * sysconf(_SC_PAGESIZE);
}

static double bench_model(const struct pt_event *ev, size_t n, int rounds)
{
	double best = 0;

	for (int round = 0; round < rounds; round++) {
		_cleanup_(pt_model_freep) struct pt_model *m = NULL;
		double t0, t;

		if (pt_model_new(&m) < 0)
			return -1;
		t0 = now();
		for (size_t i = 0; i < n; i++)
			if (pt_model_apply(m, &ev[i]) < 0)
				return -1;
		t = now() - t0;
		if (n / t > best)
			best = (double)n / t;
		if (round == 0)
			printf("%zu events, %zu live entries at the end, %zu anomalies "
			       "(%" PRIu64 " conflicts, %" PRIu64 " degraded, %" PRIu64 " invalid frees)\n",
			       n, pt_model_entry_count(m), pt_model_anomaly_count(m),
			       pt_model_stats(m)->anomalies[PT_AN_CONFLICT],
			       pt_model_stats(m)->anomalies[PT_AN_DEGRADED],
			       pt_model_stats(m)->anomalies[PT_AN_INVALID_FREE]);
	}
	return best;
}

static int count_node(struct itree_node *n, void *userdata)
{
	(void)n;
	(*(size_t *)userdata)++;
	return 0;
}

/*
 * The interval tree alone, no model: what a free and a reserve cost it
 * (overlap scan, remove, insert, overlap scan) with @size entries in it.
 */
static double bench_tree(size_t size, size_t pairs)
{
	_cleanup_free_ struct itree_node *nodes = calloc(size, sizeof(*nodes));
	struct itree t = ITREE_INIT;
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	size_t hits = 0;
	double t0;

#define NEXT() (rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27, rng * 2685821657736338717ULL)
	if (!nodes)
		return -1;
	for (size_t i = 0; i < size; i++) {
		nodes[i].start = WINDOW_BASE + (NEXT() % WINDOW_PAGES) * PAGE;
		nodes[i].end = nodes[i].start + (1 + NEXT() % 16) * PAGE;
		itree_insert(&t, &nodes[i]);
	}
	t0 = now();
	for (size_t i = 0; i < pairs; i++) {
		struct itree_node *n = &nodes[NEXT() % size];

		itree_visit(&t, n->start, n->end, count_node, &hits);
		itree_remove(&t, n);
		n->start = WINDOW_BASE + (NEXT() % WINDOW_PAGES) * PAGE;
		n->end = n->start + (1 + NEXT() % 16) * PAGE;
		itree_insert(&t, n);
		itree_visit(&t, n->start, n->end, count_node, &hits);
	}
#undef NEXT
	return (now() - t0) * 1e9 / (double)pairs;
}

/* Writes the workload as a trace with the outcomes a model predicts for it. */
static int write_trace(const char *path, const struct pt_event *ev, size_t n)
{
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	_cleanup_fclose_ FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return -errno;
	r = pt_model_new(&m);
	if (r < 0)
		return r;
	fprintf(f, "{\"pattrack_trace\":1,\"generator\":\"pattrack-bench\"}\n");
	for (size_t i = 0; i < n; i++) {
		struct pt_event e = ev[i];
		size_t before = pt_model_anomaly_count(m);

		r = pt_model_apply(m, &e);
		if (r < 0)
			return r;
		e.has_ret = true;
		e.ret = 0;
		e.got = e.req;
		if (pt_model_anomaly_count(m) > before) {
			const struct pt_anomaly *a = pt_model_anomaly(m, before);

			if (a->kind == PT_AN_CONFLICT)
				e.ret = -EBUSY;
			else if (a->kind == PT_AN_INVALID_FREE)
				e.ret = -EINVAL;
			else if (a->kind == PT_AN_DEGRADED)
				e.got = a->got;
		}
		r = pt_trace_write_event(f, &e);
		if (r < 0)
			return r;
	}
	return fflush(f) == 0 ? 0 : -errno;
}

static double bench_replay(const char *path, size_t *ret_events, uint64_t *ret_drift)
{
	_cleanup_(pt_trace_reader_freep) struct pt_trace_reader *r = NULL;
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	struct pt_event ev;
	size_t n = 0;
	double t0;
	int k;

	if (pt_trace_reader_open(path, &r) < 0 || pt_model_new(&m) < 0)
		return -1;
	t0 = now();
	while ((k = pt_trace_read(r, &ev)) > 0) {
		if (pt_model_apply(m, &ev) < 0)
			return -1;
		n++;
	}
	if (k < 0)
		return -1;
	*ret_events = n;
	*ret_drift = pt_model_stats(m)->anomalies[PT_AN_DRIFT];
	return (double)n / (now() - t0);
}

static double bench_memory(size_t entries)
{
	_cleanup_(pt_model_freep) struct pt_model *m = NULL;
	long before, after;

	before = rss_bytes();
	if (pt_model_new(&m) < 0)
		return -1;
	for (size_t i = 0; i < entries; i++) {
		/* distinct pages so that all of them stay live, owners and stacks realistic */
		struct pt_event ev = {
			.kind = PT_EV_RESERVE,
			.start = WINDOW_BASE + (uint64_t)i * PAGE,
			.end = WINDOW_BASE + (uint64_t)i * PAGE + PAGE,
			.req = PATTRACK_TYPE_WC,
			.pid = 1000 + (int32_t)(i % 4096),
			.comm = comms[i % ELEMENTSOF(comms)],
			.comm_len = strlen(comms[i % ELEMENTSOF(comms)]),
			.stack = "memtype_reserve\ntrack_pfn_remap\nremap_pfn_range\npci_mmap_resource_range",
			.stack_len = 70,
		};

		if (pt_model_apply(m, &ev) < 0)
			return -1;
	}
	after = rss_bytes();
	printf("memory: %zu live entries, RSS grew by %ld bytes (model accounts %zu)\n",
	       pt_model_entry_count(m), after - before, pt_model_memory(m));
	return (double)(after - before) / (double)entries;
}

int main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "events", required_argument, NULL, 'n' },
		{ "trace", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "phase", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	size_t n = 4000000, replayed = 0;
	const char *trace = NULL, *phase = "all";
	char tmp[] = "/tmp/pattrack-bench-XXXXXX";
	uint64_t drift = 0;
	struct pt_event *ev;
	double model_rate = 0, model_rate_big = 0, replay_rate = 0, per_entry = 0;
	int c, r, fd;

#define RUN(p) (strcmp(phase, "all") == 0 || strcmp(phase, p) == 0)
	uint64_t seed = 0x9e3779b97f4a7c15ULL;

	log_set_program("pattrack-bench");
	while ((c = getopt_long(argc, argv, "n:t:s:h", options, NULL)) >= 0) {
		switch (c) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 't':
			trace = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0) | 1;
			break;
		case 'p':
			phase = optarg;
			if (strcmp(phase, "all") && strcmp(phase, "memory") && strcmp(phase, "model") &&
			    strcmp(phase, "headline") && strcmp(phase, "replay")) {
				log_error("--phase takes all, memory, model, headline or replay");
				return 2;
			}
			break;
		case 'h':
			printf("Usage: pattrack-bench [--events N] [--trace PATH] [--seed N]\n"
			       "                      [--phase all|memory|model|headline|replay]\n"
			       "headline: the model at the headline size only, for comparing builds\n");
			return 0;
		default:
			return 2;
		}
	}
	if (n == 0) {
		log_error("--events must be a positive number");
		return 2;
	}

	/* first, on a fresh heap, so that nothing freed earlier is reused */
	if (RUN("memory")) {
		per_entry = bench_memory(1000000);
		if (per_entry < 0) {
			log_error("memory benchmark failed");
			return 1;
		}
	}

	ev = calloc(n, sizeof(*ev));
	if (!ev) {
		log_error_errno(-ENOMEM, "cannot hold %zu events", n);
		return 1;
	}
	for (size_t i = 0; RUN("model") && i < 3; i++) {
		static const size_t sizes[] = { 512, 4096, 65536 };

		printf("tree alone, %zu entries: %.0f ns per free+reserve pair\n", sizes[i],
		       bench_tree(sizes[i], 2000000));
	}
	/* every workload from the same seed: a phase run alone sees what "all" sees */
	for (size_t i = 0; RUN("model") && i < ELEMENTSOF(curve_live); i++) {
		rng_state = seed;
		generate(ev, n, curve_live[i]);
		printf("model, %zu-%zu live mappings:\n  ", curve_live[i] / 2, curve_live[i]);
		model_rate_big = bench_model(ev, n, 1);
		printf("  %.0f events/s\n", model_rate_big);
		if (model_rate_big < 0)
			break;
	}
	rng_state = seed;
	generate(ev, n, HEADLINE_LIVE);
	if (RUN("model") || strcmp(phase, "headline") == 0) {
		printf("model, %d-%d live mappings:\n  ", HEADLINE_LIVE / 2, HEADLINE_LIVE);
		model_rate = bench_model(ev, n, 3);
		if (model_rate < 0 || model_rate_big < 0) {
			log_error("model benchmark failed");
			return 1;
		}
	}
	if (!RUN("replay")) {
		free(ev);
		goto done;
	}

	if (!trace) {
		fd = mkstemp(tmp);
		if (fd < 0) {
			log_error_errno(-errno, "cannot create a temporary trace");
			return 1;
		}
		close(fd);
		trace = tmp;
	}
	r = write_trace(trace, ev, n);
	if (r < 0) {
		log_error_errno(r, "cannot write %s", trace);
		return 1;
	}
	free(ev);
	bench_replay(trace, &replayed, &drift);	/* warm the page cache */
	replay_rate = bench_replay(trace, &replayed, &drift);
	if (trace == tmp)
		unlink(tmp);
	if (replay_rate < 0) {
		log_error("replay benchmark failed");
		return 1;
	}
	printf("replay: %zu events from a trace file, %" PRIu64 " drift anomalies\n", replayed, drift);
done:
	if (RUN("model") || strcmp(phase, "headline") == 0)
		printf("model_events_per_sec=%.0f\n", model_rate);
	if (RUN("replay"))
		printf("replay_events_per_sec=%.0f\n", replay_rate);
	if (RUN("memory"))
		printf("bytes_per_live_entry=%.0f\n", per_entry);
	return 0;
}
