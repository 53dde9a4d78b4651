#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pattrackctl at a terminal, under a real pseudo-terminal (script(1)) of 80
# columns: no line longer than the terminal, the same content as --full
# (cut fields end in "…"), colour only there and not with NO_COLOR, the
# pager only there and not with --no-pager, --no-legend.
#
#   test-terminal.sh PATTRACKCTL SOURCE_DIR
set -u
ctl=$(realpath "$1")
src=$(realpath "$2")
. "$src/tests/lib.sh"

command -v script >/dev/null || skip_all "script(1) is not installed (apt-get install bsdutils)"
command -v python3 >/dev/null || skip_all "python3 is not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
traces=$src/tests/traces

# at_tty FILE COMMAND...: COMMAND on an 80x24 pseudo-terminal, what it showed into FILE
at_tty() {
	out=$1
	shift
	# the command line as one string for script -c: each word quoted
	cmd=
	for w in "$@"; do cmd="$cmd '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"; done
	# what it says on standard error is not the table's: kept apart
	TERM=${TERM_FOR_TEST:-xterm} script -qec "stty cols 80 rows 24; exec $cmd 2>'$out.err'" /dev/null </dev/null >"$out.raw" 2>&1
	tr -d '\r' <"$out.raw" >"$out"
}

plain() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

data=$src/tests/data
for t in partial-munmap-head conflict degraded driver-lifetimes snapshot; do
	if [ $t = snapshot ]; then
		# a host's files, copied: its table with each range's resource, its log's anomalies
		set -- snapshot --no-pager --debugfs="$data/pat_memtype_list.host" --iomem="$data/iomem.host" \
			--pci="$data/pci" --kmsg="$data/kmsg.txt"
	else
		set -- replay --no-pager "$traces/$t.jsonl"
	fi
	at_tty "$tmp/$t.80" env -u COLUMNS "$ctl" "$@"
	if [ $t = snapshot ]; then
		at_tty "$tmp/$t.full" env -u COLUMNS "$ctl" snapshot --full --no-pager --debugfs="$data/pat_memtype_list.host" \
			--iomem="$data/iomem.host" --pci="$data/pci" --kmsg="$data/kmsg.txt"
	else
		at_tty "$tmp/$t.full" env -u COLUMNS "$ctl" replay --full --no-pager "$traces/$t.jsonl"
	fi
	plain "$tmp/$t.80" >"$tmp/$t.80.txt"
	plain "$tmp/$t.full" >"$tmp/$t.full.txt"
	long=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$tmp/$t.80.txt")
	full=$(python3 -c 'import sys; print(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")))' "$tmp/$t.full.txt")
	if [ "$long" -le 80 ] && [ "$full" -gt 80 ]; then
		ok "$t: at 80 columns no line is longer ($long at most); --full's go to $full"
	else
		fail "$t: the longest line is $long at 80 columns, $full with --full"
		diag <"$tmp/$t.80.txt"
	fi
	# the same lines, and in each what is shown is the --full line's, cut where "…" is
	if python3 - "$tmp/$t.80.txt" "$tmp/$t.full.txt" <<'EOF'; then
import sys
cut = open(sys.argv[1], encoding="utf-8").read().splitlines()
whole = open(sys.argv[2], encoding="utf-8").read().splitlines()
if len(cut) != len(whole):
    sys.exit("%d lines at 80 columns, %d with --full" % (len(cut), len(whole)))
for c, w in zip(cut, whole):
    w = "".join(w.split())
    at = 0
    for part in "".join(c.split()).split("…"):
        i = w.find(part, at)
        if i < 0:
            sys.exit("not in the --full line: %r\n  cut:  %s\n  full: %s" % (part, c, w))
        at = i + len(part)
EOF
		ok "$t: the same content as --full, cut fields ellipsized"
	else
		fail "$t: the content differs from --full"
	fi
done
contains "$tmp/partial-munmap-head.80.txt" '^KIND  *RANGE  *TYPE  *OWNER  *SEQ$'
contains "$tmp/partial-munmap-head.80.txt" '^leak  *0xfe000000-0xfe001000 write-combining pid 89 (scen) 1$'
contains "$tmp/partial-munmap-head.80.txt" '^    0xfe000000-0xfe001000 write-combining reserved by pid 89 (scen) is still re…$'

# colour on a terminal: a leak bold, a hazardous degraded mapping red; none with NO_COLOR, none in a pipe
grep -q "$(printf '\033')\[1mleak " "$tmp/partial-munmap-head.80" && ok "a leak's row is bold on a terminal" ||
	fail "no bold leak row: $(cat -v "$tmp/partial-munmap-head.80" | tail -n 2)"
grep -q "$(printf '\033')\[31;1mdegraded/hazard " "$tmp/degraded.80" && ok "a hazardous degraded mapping's row is red" ||
	fail "no red hazard row: $(cat -v "$tmp/degraded.80" | tail -n 3)"
at_tty "$tmp/nocolor" env NO_COLOR=1 "$ctl" replay --no-pager "$traces/partial-munmap-head.jsonl"
grep -q "$(printf '\033')" "$tmp/nocolor" && fail "NO_COLOR=1: escape sequences written" || ok "NO_COLOR=1: no colour"
"$ctl" replay "$traces/degraded.jsonl" >"$tmp/pipe" 2>&1
grep -q "$(printf '\033')" "$tmp/pipe" && fail "colour into a pipe" || ok "into a pipe: no colour"
contains "$tmp/pipe" '^  degraded/hazard  0x0000'	# and the whole lines as before

# the pager: on a terminal, $PAGER; not with --no-pager, not into a pipe, not with PAGER=cat
at_tty "$tmp/paged" env PAGER='sed s/^/paged:/' "$ctl" replay "$traces/conflict.jsonl"
contains "$tmp/paged" '^paged:Anomalies (1):$'
at_tty "$tmp/unpaged" env PAGER='sed s/^/paged:/' "$ctl" replay --no-pager "$traces/conflict.jsonl"
lacks "$tmp/unpaged" '^paged:'
PAGER='sed s/^/paged:/' "$ctl" replay "$traces/conflict.jsonl" >"$tmp/pipe" 2>&1
lacks "$tmp/pipe" '^paged:'
at_tty "$tmp/systemd" env PAGER=cat SYSTEMD_PAGER='sed s/^/sd:/' "$ctl" replay "$traces/conflict.jsonl"
contains "$tmp/systemd" '^sd:Anomalies (1):$'

# a terminal with TERM unset or dumb (a serial console's init): what a pipe gets, no pager
for term in dumb ""; do
	at_tty "$tmp/dumb" env TERM="$term" PAGER='sed s/^/paged:/' "$ctl" replay "$traces/degraded.jsonl"
	if grep -q '^  degraded/hazard  0x0000' "$tmp/dumb" && ! grep -q "paged:\|$(printf '\033')" "$tmp/dumb"; then
		ok "TERM='$term': whole lines, no colour, no pager"
	else
		fail "TERM='$term': $(cat -v "$tmp/dumb" | head -n 8)"
	fi
done

# --no-legend: the rows only
at_tty "$tmp/nolegend" "$ctl" replay --no-pager --no-legend "$traces/conflict.jsonl"
lacks "$tmp/nolegend" 'KIND .*RANGE'
contains "$tmp/nolegend" 'conflict .*0xfe010000-0xfe012000'
finish
