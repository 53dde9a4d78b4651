# SPDX-License-Identifier: GPL-2.0-or-later
# The overhead benchmark's figures from the guest's output: each
# "=== overhead WHAT ROUND WALL_NS CPU_NS" line is one timed loop; the
# median round is kept.  Figures, not pass/fail checks.
/^=== overhead [a-z]+ [0-9]+ [0-9]+ [0-9]+$/ {
	wall[$3, $4] = $5; cpu[$3, $4] = $6; if ($4 > rounds) rounds = $4
}
function median(v, n,    s) { n = asort(v, s); return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2 }
function ms(what,    v, r) { for (r = 1; r <= rounds; r++) v[r] = wall[what, r]; return median(v) / 1e6 }
END {
	if (!rounds)
		exit
	for (r = 1; r <= rounds; r++) {
		if (!wall["none", r] || !wall["bpf", r] || !wall["netlink", r] || !wall["loaded", r])
			exit
		rb[r] = wall["bpf", r] / wall["none", r]
		rn[r] = wall["netlink", r] / wall["none", r]
		rl[r] = wall["loaded", r] / wall["none", r]
		cb[r] = cpu["bpf", r] / cpu["none", r]
		cn[r] = cpu["netlink", r] / cpu["none", r]
		cl[r] = cpu["loaded", r] / cpu["none", r]
		printf "overhead round %d: untraced %d ms; CPU time of the loop x%.2f with bpf, x%.2f with the idle shim, x%.2f with netlink; wall time x%.2f, x%.2f, x%.2f\n",
			r, wall["none", r] / 1e6, cb[r], cl[r], cn[r], rb[r], rl[r], rn[r]
	}
	printf "20,000 mmap/munmap of a BAR page (median of %d rounds): %d ms untraced, %d ms with the shim loaded and no listener, %d ms recorded by netlink, %d ms recorded by bpf\n",
		rounds, ms("none"), ms("loaded"), ms("netlink"), ms("bpf")
	printf "overhead_netlink=%.3f\noverhead_bpf=%.3f\n", median(cn), median(cb)
	printf "overhead_netlink_one_cpu=%.3f\noverhead_bpf_one_cpu=%.3f\n", median(rn), median(rb)
}
