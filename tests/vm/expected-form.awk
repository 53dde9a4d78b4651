# SPDX-License-Identifier: GPL-2.0-or-later
# The guest's output in the form of expected.txt: addresses as page
# numbers relative to the scenario's window of 16 pages, the kernel log's
# x86/PAT lines reduced to their kind.
function page(hex) { return (strtonum("0x" hex) - bar) / 4096 - base }
/^=== bar2 / { bar = strtonum($3); next }
/^=== scenario / { name = $3; base = $4; print "scenario " name; next }
/^=== rc / { if ($3 != 0) print "  exit " $3; next }
/^=== table/ { section = "table"; next }
/^=== log/ { section = "log"; next }
/^=== end/ { section = ""; next }
section == "table" && /^PAT: \[mem / {
	split($3, r, "-"); sub(/\]$/, "", r[2]);
	s = strtonum(r[1]); e = strtonum(r[2]);
	if (s < bar + base * 4096 || e > bar + (base + 16) * 4096) next;
	printf "  entry %d-%d %s\n", (s - bar) / 4096 - base, (e - bar) / 4096 - base, $4; next
}
section == "log" && /freeing invalid memtype/ {
	match($0, /\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]/); m = substr($0, RSTART + 5, RLENGTH - 6);
	split(m, r, "-"); printf "  log invalid-free %d-%d\n", page(substr(r[1], 3)), page(substr(r[2], 3)) + 1; next
}
section == "log" && /conflicting memory types/ {
	for (i = 1; i <= NF; i++) if ($i == "types") { split($(i + 1), r, "-"); t = $(i + 2) }
	printf "  log conflict %d-%d %s\n", page(r[1]), page(r[2]), t; next
}
section == "log" && /memtype_reserve failed/ { print "  log reserve-failed"; next }
section == "log" && /x86\/PAT:/ { print "  log other: " $0; next }
