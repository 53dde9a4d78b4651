#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pattrackctl as a user runs it: exit codes, help, replay output, snapshot.
# usage: test-pattrackctl.sh PATTRACKCTL SOURCE_DIR
set -u
ctl=$1
src=$2
traces=$src/tests/traces
data=$src/tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$src/tests/lib.sh"

# expect_rc RC COMMAND...: runs COMMAND, output in $tmp/out and $tmp/err
expect_rc() {
	want=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "exit $want: $*"; else fail "exit $rc, wanted $want: $*"; diag <"$tmp/err"; fi
}


expect_rc 0 "$ctl" --help
contains "$tmp/out" "Usage: pattrackctl"
expect_rc 0 "$ctl" --version
contains "$tmp/out" "^pattrackctl [0-9]"
expect_rc 0 "$ctl" replay --help
expect_rc 2 "$ctl"
expect_rc 2 "$ctl" frobnicate
contains "$tmp/err" 'unknown command "frobnicate"'
expect_rc 2 "$ctl" replay
expect_rc 2 "$ctl" replay --fail-on=bogus "$traces/conflict.jsonl"
contains "$tmp/err" 'unknown anomaly kind "bogus"'
expect_rc 3 "$ctl" replay /nonexistent/trace.jsonl
contains "$tmp/err" "No such file or directory"

# shim: the module is never loaded here (the VM suite reads a loaded one)
expect_rc 0 "$ctl" shim --help
expect_rc 2 "$ctl" shim extra
contains "$tmp/err" "shim takes no operands"
if [ ! -d /sys/module/pattrack_shim ]; then
	expect_rc 3 "$ctl" shim
	contains "$tmp/err" "pattrack_shim.ko is not loaded"
fi

# every scenario: the printed table is the expected table, byte for byte
for t in "$traces"/*.jsonl; do
	name=$(basename "$t" .jsonl)
	expect_rc 0 "$ctl" replay "$t"
	{ echo "PAT memtype list:"; grep '^PAT: ' "$traces/$name.expected"; } >"$tmp/want"
	sed -n '1,/^$/p' "$tmp/out" | sed '/^$/d' >"$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got"; then ok "$name: the table replays as expected"; else
		fail "$name: table differs"; diff "$tmp/want" "$tmp/got" | diag; fi
done

# --fail-on and --json
expect_rc 1 "$ctl" replay --fail-on=leak "$traces/partial-munmap-head.jsonl"
expect_rc 0 "$ctl" replay --fail-on=conflict,drift "$traces/partial-munmap-head.jsonl"
expect_rc 1 "$ctl" replay --fail-on=all "$traces/conflict.jsonl"
# options after the operand, as systemd's tools take them
expect_rc 1 "$ctl" replay "$traces/conflict.jsonl" --fail-on=conflict

# --junit: a JUnit report a CI system reads; the exit status is the same with it
expect_rc 1 "$ctl" replay --fail-on=leak,conflict,invalid-free --junit="$tmp/junit.xml" "$traces/partial-munmap-head.jsonl"
if xmllint --noout --schema "$src/tests/junit/junit.xsd" "$tmp/junit.xml" 2>"$tmp/err"; then
	ok "replay --junit: valid by tests/junit/junit.xsd"
else
	fail "replay --junit: invalid: $(cat "$tmp/err")"
fi
contains "$tmp/junit.xml" '<testsuite name="pattrackctl replay [^"]*partial-munmap-head.jsonl" tests="3" failures="2" errors="0" skipped="0"'
contains "$tmp/junit.xml" '<testcase classname="pattrack.conflict" name="no conflict" time="0"/>'
contains "$tmp/junit.xml" '<failure type="leak" message="1 leak anomaly">  leak .*0x00000000fe000000-0x00000000fe001000 write-combining pid 89 .*scen'
contains "$tmp/junit.xml" '^    owner: process$'
contains "$tmp/junit.xml" '^      remap_pfn_range$'
expect_rc 0 "$ctl" replay --junit="$tmp/clean.xml" "$traces/map-unmap.jsonl"
contains "$tmp/clean.xml" '<testsuite name="[^"]*" tests="0" failures="0"'
# a name with what XML must escape stays one attribute, one text
printf '%s\n' '{"pattrack_trace":1}' \
	'{"event":"reserve","start":"0xfe000000","end":"0xfe001000","req":"write-combining","got":"write-combining","ret":0,"pid":5,"comm":"a<b>&\"c'"'"'","seq":1,"stack":["remap_pfn_range"]}' \
	'{"event":"exit","pid":5,"comm":"x","seq":2}' >"$tmp/xml.jsonl"
expect_rc 1 "$ctl" replay --fail-on=leak --junit="$tmp/xml.xml" "$tmp/xml.jsonl"
if xmllint --noout --schema "$src/tests/junit/junit.xsd" "$tmp/xml.xml" 2>"$tmp/err"; then
	contains "$tmp/xml.xml" 'a&lt;b&gt;&amp;&quot;c&apos;'
else
	fail "a name with XML's characters broke the report: $(cat "$tmp/err")"
fi
# one real consumer: python3-junitparser, as CI tools read reports
if /usr/bin/python3 -c 'import junitparser' 2>/dev/null; then
	/usr/bin/python3 - "$tmp/junit.xml" >"$tmp/parsed" 2>&1 <<'EOF'
import sys, junitparser
for suite in junitparser.JUnitXml.fromfile(sys.argv[1]):
    print("suite", suite.tests, suite.failures, suite.errors)
    for case in suite:
        print(case.classname, "passed" if case.is_passed else "failed: " + case.result[0].message)
EOF
	if grep -q '^suite 3 2 0$' "$tmp/parsed" && grep -q '^pattrack.leak failed: 1 leak anomaly$' "$tmp/parsed" &&
	   grep -q '^pattrack.conflict passed$' "$tmp/parsed"; then
		ok "python3-junitparser reads the report: 3 cases, the leak and the invalid free failed"
	else
		fail "python3-junitparser: $(cat "$tmp/parsed")"
	fi
else
	skip "python3-junitparser is not installed"
fi
expect_rc 0 "$ctl" replay --json "$traces/degraded.jsonl"
contains "$tmp/out" '"kind":"degraded"'
contains "$tmp/out" '"severity":"hazard"'
contains "$tmp/out" '"entries":\[{"start":"0xfe000000","end":"0xfe001000","type":"write-combining"'

# owners: a driver's mapping is no leak when modprobe exits, nor when it is unbound and
# bound again; a module that leaves its reservations at unload is named
expect_rc 1 "$ctl" replay --fail-on=leak "$traces/driver-lifetimes.jsonl"
contains "$tmp/out" "module leaky unloaded; its uncached-minus ioremap 0xfebf1000-0xfebf2000 (BAR0 of 0000:00:05.0) is still reserved"
contains "$tmp/out" "module leaky unloaded; its write-combining memtype reservation 0xfe1ff000-0xfe200000 (BAR2 of 0000:00:05.0)"
lacks "$tmp/out" "e1000 (0000:00:03.0) unbound"
expect_rc 0 "$ctl" replay --json "$traces/driver-lifetimes.jsonl"
contains "$tmp/out" '"start":"0xfebc0000","end":"0xfebe0000","type":"uncached-minus","pid":320,"comm":"sh".*"owner":"driver","driver":"e1000","call":"ioremap","device":"0000:00:03.0","bar":0,"bound_driver":null'
contains "$tmp/out" '"owner":"driver","driver":"leaky","owner_gone":{"event":"unload","module":"leaky","pid":331,"comm":"rmmod","seq":12}'
sed '/"event":"free"/d' "$traces/driver-lifetimes.jsonl" >"$tmp/unbound.jsonl"
expect_rc 1 "$ctl" replay --fail-on=leak "$tmp/unbound.jsonl"
contains "$tmp/out" "e1000 (0000:00:03.0) unbound; its uncached-minus ioremap of BAR0 0xfebc0000-0xfebe0000 is still reserved"
# the debugfs fallback's kernel log lines: the kernel's pid and comm
printf '%s\n' '{"event":"kmsg","text":"4,1021,90211000,-;x86/PAT: Xorg:1234 conflicting memory types fe000000-fe002000 write-combining<->uncached-minus"}' \
	'{"event":"kmsg","text":"4,1022,90211001,-;x86/PAT: memtype_reserve failed [mem 0xfe000000-0xfe001fff], track uncached-minus, req write-combining"}' \
	'{"event":"kmsg","text":"6,1023,90211002,-;x86/PAT: something else entirely"}' >"$tmp/kmsg.jsonl"
expect_rc 1 "$ctl" replay --fail-on=conflict "$tmp/kmsg.jsonl"
contains "$tmp/out" "^Anomalies (1):"
contains "$tmp/out" "conflict .* pid 1234 *Xorg "

# stdin, malformed lines: reported with file and line, fatal only with --strict
printf '%s\n' '{"event":"reserve","start":"0x1000000' \
	'{"event":"exit","pid":5}' >"$tmp/bad.jsonl"
expect_rc 0 "$ctl" replay "$tmp/bad.jsonl"
contains "$tmp/err" "bad.jsonl:1: malformed line"
expect_rc 3 "$ctl" replay --strict "$tmp/bad.jsonl"
expect_rc 0 sh -c "cat '$traces/conflict.jsonl' | '$ctl' replay -"
contains "$tmp/out" "Anomalies (1):"

# record: usage errors; without the shim, a clear error
expect_rc 2 "$ctl" record
contains "$tmp/err" "record needs -o FILE"
expect_rc 2 "$ctl" record --source=carrier-pigeon -o "$tmp/t.jsonl"
contains "$tmp/err" "source takes auto, bpf, netlink or debugfs"
expect_rc 2 "$ctl" run
contains "$tmp/err" "run needs a COMMAND"
if [ "$(id -u)" -eq 0 ] && [ ! -d /sys/module/pattrack_shim ]; then
	expect_rc 3 "$ctl" record --source=netlink -o "$tmp/t.jsonl" -- true
	contains "$tmp/err" "is pattrack_shim.ko loaded?"
	if [ -e "$tmp/t.jsonl" ]; then fail "a failed record left $tmp/t.jsonl"; else ok "a failed record leaves no trace file"; fi
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "a failed record says why in one line" ||
		fail "record logged more than one line: $(cat "$tmp/err")"
fi
# auto falls back to debugfs polling where no tracer attaches, saying why; the
# command's exit status is passed on and the trace replays to the live table
if [ "$(id -u)" -eq 0 ] && [ -r /sys/kernel/debug/x86/pat_memtype_list ] &&
   [ ! -d /sys/module/pattrack_shim ] && ! grep -q fentry /sys/kernel/debug/tracing/available_filter_functions 2>/dev/null; then
	expect_rc 7 "$ctl" record -o "$tmp/t.jsonl" -- sh -c 'exit 7'
	contains "$tmp/err" "source: debugfs (polling every 1000 ms"
	contains "$tmp/err" "netlink: pattrack_shim.ko is not loaded"
	contains "$tmp/t.jsonl" '"source":"debugfs"'
	expect_rc 0 "$ctl" replay "$tmp/t.jsonl"
	sed '/^$/q' "$tmp/out" | sed '/^$/d' >"$tmp/replayed"
	# (cat: debugfs files say size 0, which cmp trusts)
	if cat /sys/kernel/debug/x86/pat_memtype_list | cmp -s "$tmp/replayed" -; then
		ok "a debugfs recording replays to the live table"; else
		fail "a debugfs recording does not replay to the live table"; fi
fi

# snapshot of this development host as recorded in tests/data
expect_rc 0 "$ctl" snapshot --debugfs="$data/pat_memtype_list.host" --iomem="$data/iomem.host" \
	--kmsg="$data/kmsg.txt" --pci="$data/pci"
contains "$tmp/out" "0x0000004000180000-0x0000004000181000\] uncached-minus *0000:00:04.0 BAR0 (virtio-pci)"
contains "$tmp/out" "PCI ECAM 0000 \[bus 00-00\]"
contains "$tmp/out" "Summary: 27 entries"
contains "$tmp/out" "invalid-free"
expect_rc 0 "$ctl" snapshot --json --debugfs="$data/pat_memtype_list.host" --iomem="$data/iomem.host" \
	--no-kmsg --pci="$data/pci"
contains "$tmp/out" '"pci_device":"0000:00:04.0"'
expect_rc 3 "$ctl" snapshot --debugfs=/nonexistent/list
expect_rc 2 "$ctl" snapshot extra-argument

# the live host, where it can be read: snapshot shows the kernel's own table exactly
if [ "$(id -u)" -eq 0 ] && "$ctl" snapshot --no-kmsg >"$tmp/live" 2>"$tmp/err"; then
	cut -c1-64 "$tmp/live" | sed -n '/^PAT memtype list:/,/^$/p' | sed '/^$/d; s/ *$//' >"$tmp/got"
	# debugfs files report size 0: copy before comparing
	cat /sys/kernel/debug/x86/pat_memtype_list >"$tmp/kernel"
	if [ -s "$tmp/kernel" ] && cmp -s "$tmp/kernel" "$tmp/got"; then
		ok "the live snapshot is the kernel's pat_memtype_list"
	else
		fail "live snapshot differs from pat_memtype_list"
		diff "$tmp/kernel" "$tmp/got" | diag
	fi
else
	skip "live snapshot (needs root and debugfs): $(cat "$tmp/err" 2>/dev/null)"
fi

finish
