// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrack-bus-bench N BASE SPAN [CLIENTS]: Lookup() round trips to
 * pattrackd at addresses drawn (fixed seeds) from [BASE, BASE + SPAN), N
 * by each of CLIENTS processes at once; prints the p50, p99 and worst
 * latencies.  A figure for the README, not a test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "core/bus-api.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One client: @n round trips, their latencies into @lat; 0, or 1 on an error. */
static int client(unsigned long n, uint64_t base, uint64_t span, uint64_t seed, uint64_t *lat,
		  uint64_t *found)
{
	sd_bus *bus = NULL;
	uint64_t x = seed;
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "cannot connect to the system bus: %s\n", strerror(-r));
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		sd_bus_error e = SD_BUS_ERROR_NULL;
		sd_bus_message *reply = NULL;
		uint64_t t0, a;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;	/* xorshift64: fixed seed */
		a = base + x % span;
		t0 = now_ns();
		r = sd_bus_call_method(bus, "org.pattrack.Tracker1", "/org/pattrack/Tracker1",
				       "org.pattrack.Tracker1", "Lookup", &e, &reply, "t", a);
		lat[i] = now_ns() - t0;
		if (r < 0) {
			fprintf(stderr, "Lookup: %s\n", e.message ? e.message : strerror(-r));
			sd_bus_flush_close_unref(bus);
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', PT_BUS_ENTRY_SIG);
		while (r >= 0 && sd_bus_message_skip(reply, PT_BUS_ENTRY_SIG) > 0)
			(*found)++;
		sd_bus_message_unref(reply);
	}
	sd_bus_flush_close_unref(bus);
	return 0;
}

/*
 * pattrack-bus-bench N BASE SPAN [CLIENTS]: CLIENTS processes (1) at once,
 * N round trips each; the figures are over all of them.
 */
int main(int argc, char *argv[])
{
	uint64_t *lat, *found, base, span, total_found = 0;
	unsigned long n, clients = 1, all;
	const char *tag = "";
	int failed = 0;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s N BASE SPAN [CLIENTS]\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	base = strtoull(argv[2], NULL, 0);
	span = strtoull(argv[3], NULL, 0);
	if (argc == 5)
		clients = strtoul(argv[4], NULL, 0);
	if (!n || !span || !clients || clients > 64)
		return 2;
	all = n * clients;
	/* shared with the clients: each writes its own slice */
	lat = mmap(NULL, (all + clients) * sizeof(*lat), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED)
		return 2;
	found = lat + all;
	for (unsigned long c = 0; c < clients; c++) {
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (pid == 0)
			_exit(client(n, base, span, 0x9e3779b97f4a7c15ULL + c, lat + c * n, found + c));
	}
	for (unsigned long c = 0; c < clients; c++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "%d of %lu clients failed\n", failed, clients);
		return 1;
	}
	for (unsigned long c = 0; c < clients; c++)
		total_found += found[c];
	qsort(lat, all, sizeof(*lat), cmp_u64);
	if (clients > 1) {
		static char buf[16];

		snprintf(buf, sizeof(buf), "_%luclients", clients);
		tag = buf;
	}
	printf("lookup%s_round_trips=%lu entries_found=%" PRIu64 "\n", tag, all, total_found);
	printf("lookup%s_p50_us=%.1f\n", tag, lat[all / 2] / 1000.0);
	printf("lookup%s_p99_us=%.1f\n", tag, lat[all * 99 / 100] / 1000.0);
	printf("lookup%s_max_us=%.1f\n", tag, lat[all - 1] / 1000.0);
	return 0;
}
