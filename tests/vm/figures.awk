# SPDX-License-Identifier: GPL-2.0-or-later
# The overhead benchmark's figures from the guest's output: each
# "=== overhead WHAT ROUND WALL_NS CPU_NS" line is one timed loop; the
# median round is kept.  Figures, not pass/fail checks.  A ratio is the
# loop's CPU time against the untraced loop's in the same round: the
# probes run in the mapping process, the readers do not.
/^=== overhead [a-z_]+ [0-9]+ [0-9]+ [0-9]+$/ {
	wall[$3, $4] = $5; cpu[$3, $4] = $6; if ($4 > rounds) rounds = $4; seen[$3] = 1
}
/^=== overhead ftrace-events [0-9]+ [0-9]+ [0-9]+$/ { ftrace_events = $4; ftrace_stacks = $5; ftrace_overrun = $6 }
function median(v, n,    s) { n = asort(v, s); return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2 }
function ms(what,    v, r) { for (r = 1; r <= rounds; r++) v[r] = wall[what, r]; return median(v) / 1e6 }
# the median over rounds of WHAT's CPU time (or wall time) against the untraced loop's
function ratio(what, by,    v, r) {
	for (r = 1; r <= rounds; r++) {
		if (!by[what, r] || !by["none", r])
			return 0
		v[r] = by[what, r] / by["none", r]
	}
	return median(v)
}
function show(name, what,    x) { if (seen[what] && (x = ratio(what, cpu))) printf "%s=%.3f\n", name, x }
END {
	if (!rounds || !seen["none"])
		exit
	for (r = 1; r <= rounds; r++)
		printf "overhead round %d: untraced %d ms; CPU time of the loop x%.2f with bpf, x%.2f with the idle shim, x%.2f with netlink; wall time x%.2f, x%.2f, x%.2f\n",
			r, wall["none", r] / 1e6, cpu["bpf", r] / cpu["none", r], cpu["loaded", r] / cpu["none", r],
			cpu["netlink", r] / cpu["none", r], wall["bpf", r] / wall["none", r],
			wall["loaded", r] / wall["none", r], wall["netlink", r] / wall["none", r]
	printf "20,000 mmap/munmap of a BAR page (median of %d rounds): %d ms untraced, %d ms with the shim loaded and no listener, %d ms recorded by netlink, %d ms recorded by bpf\n",
		rounds, ms("none"), ms("loaded"), ms("netlink"), ms("bpf")
	if (seen["ftrace"])
		printf "the peer, kprobe events with a stacktrace trigger read from tracefs, recorded %d reserves with %d stacks in its last round, %d entries overwritten\n",
			ftrace_events, ftrace_stacks, ftrace_overrun
	show("overhead_floor_bpf", "bpf_floor")
	show("overhead_nostack_bpf", "bpf_nostack")
	show("overhead_bpf", "bpf")
	show("overhead_floor_kretprobe", "kretprobe_floor")
	show("overhead_idle_shim", "loaded")
	show("overhead_nostack_netlink", "netlink_nostack")
	show("overhead_netlink", "netlink")
	show("overhead_ftrace", "ftrace")
	if (seen["netlink"] && (x = ratio("netlink", wall)))
		printf "overhead_netlink_one_cpu=%.3f\n", x
	if (seen["bpf"] && (x = ratio("bpf", wall)))
		printf "overhead_bpf_one_cpu=%.3f\n", x
}
