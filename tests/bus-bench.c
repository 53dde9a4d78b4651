// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pattrack-bus-bench N BASE SPAN: N Lookup() round trips to pattrackd at
 * addresses drawn (fixed seed) from [BASE, BASE + SPAN); prints the p50,
 * p99 and worst latencies.  A figure for the README, not a test.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <time.h>

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

int main(int argc, char *argv[])
{
	sd_bus *bus = NULL;
	uint64_t *lat, base, span, found = 0, x = 0x9e3779b97f4a7c15ULL;
	unsigned long n;
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: %s N BASE SPAN\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	base = strtoull(argv[2], NULL, 0);
	span = strtoull(argv[3], NULL, 0);
	lat = calloc(n ? n : 1, sizeof(*lat));
	if (!lat || !n || !span)
		return 2;
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
			return 1;
		}
		r = sd_bus_message_enter_container(reply, 'a', "(ttsistsb)");
		while (r >= 0 && sd_bus_message_skip(reply, "(ttsistsb)") > 0)
			found++;
		sd_bus_message_unref(reply);
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	printf("lookup_round_trips=%lu entries_found=%" PRIu64 "\n", n, found);
	printf("lookup_p50_us=%.1f\n", lat[n / 2] / 1000.0);
	printf("lookup_p99_us=%.1f\n", lat[n * 99 / 100] / 1000.0);
	printf("lookup_max_us=%.1f\n", lat[n - 1] / 1000.0);
	sd_bus_flush_close_unref(bus);
	free(lat);
	return 0;
}
