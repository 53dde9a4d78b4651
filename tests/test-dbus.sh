#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pattrackd on a private dbus-daemon configured as Debian's system bus, with
# pattrack's own policy file (DBUS_SYSTEM_BUS_ADDRESS points everything at it):
#  - the debugfs source: busctl and pattrackctl show exactly this host's list;
#  - a replayed trace: every method, property and signal, against an offline
#    replay of the same trace;
#  - bad arguments get named errors and the daemon lives on;
#  - a non-root caller is refused by the policy, and by pattrackd itself on a
#    bus that lets everyone through;
#  - the Lookup round trip over 100,000 entries: p50 and p99 (figures).
#
#   test-dbus.sh PATTRACKD PATTRACKCTL BUS_BENCH SOURCE_DIR NOTIFY_LISTEN
set -u
pattrackd=$(realpath "$1")
ctl=$(realpath "$2")
bench=$(realpath "$3")
src=$4
notify_listen=$(realpath "$5")
. "$src/tests/lib.sh"

for t in dbus-daemon busctl dbus-send dbus-monitor setpriv; do
	command -v $t >/dev/null || skip_all "$t is not installed (apt-get install dbus dbus-bin util-linux systemd)"
done
[ "$(id -u)" -eq 0 ] || skip_all "needs root: it starts pattrackd and calls as other users"

with_tmp
chmod 755 "$tmp"	# other users reach the bus socket in it

# A pattrack group, as sysusers.d would make it, to test its members' access.
getent group pattrack >/dev/null || groupadd -r pattrack || skip_all "cannot create group pattrack"
gid=$(getent group pattrack | cut -d: -f3)

# start_bus NAME CONFIG_TEMPLATE: a dbus-daemon; sets DBUS_SYSTEM_BUS_ADDRESS
start_bus() {
	sed "s|@SOCKET@|$tmp/$1.sock|; s|@POLICY@|$src/systemd/org.pattrack.Tracker1.conf|" "$2" >"$tmp/$1.conf"
	dbus-daemon --config-file="$tmp/$1.conf" --nofork --nopidfile >"$tmp/$1.log" 2>&1 &
	bus_pid=$!
	pids="$pids $!"
	for i in $(seq 50); do [ -S "$tmp/$1.sock" ] && break; sleep 0.1; done
	[ -S "$tmp/$1.sock" ] || { diag <"$tmp/$1.log"; bail "dbus-daemon did not start"; }
	export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/$1.sock"
}

# start_daemon ARGS...: pattrackd, waiting until it owns its name
start_daemon() {
	"$pattrackd" "$@" >"$tmp/pattrackd.log" 2>&1 &
	daemon=$!
	pids="$pids $daemon"
	for i in $(seq 100); do
		busctl --system status org.pattrack.Tracker1 >/dev/null 2>&1 && return 0
		kill -0 "$daemon" 2>/dev/null || break
		sleep 0.1
	done
	diag <"$tmp/pattrackd.log"
	fail "pattrackd $* did not come up"
	return 1
}

stop_daemon() {
	kill -TERM "$daemon"
	wait "$daemon"
	rc=$?
	if [ "$rc" -eq 0 ]; then ok "pattrackd exits 0 on SIGTERM"; else fail "pattrackd exited $rc on SIGTERM"; diag <"$tmp/pattrackd.log"; fi
}

call() {	# call METHOD [SIG ARGS...]: busctl's answer in $tmp/out, its error in $tmp/err
	m=$1
	shift
	busctl --system call org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 "$m" "$@" \
		>"$tmp/out" 2>"$tmp/err"
}

# expect_error NAME METHOD ARGS...: the named D-Bus error (dbus-send prints the name)
expect_error() {
	want=$1
	m=$2
	shift 2
	dbus-send --system --print-reply --dest=org.pattrack.Tracker1 /org/pattrack/Tracker1 \
		"org.pattrack.Tracker1.$m" "$@" >"$tmp/out" 2>&1
	if grep -q "^Error $want" "$tmp/out"; then ok "$m $*: $want"; else fail "$m $*: wanted $want, got: $(cat "$tmp/out")"; fi
}

start_bus system "$src/tests/dbus/system-bus.conf.in"

# ---- the live host through the debugfs source --------------------------------
list=/sys/kernel/debug/x86/pat_memtype_list
[ -r "$list" ] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
if [ -r "$list" ]; then
	start_daemon --source=debugfs --reconcile=0 --config=/dev/null && {
	grep '^PAT: ' "$list" >"$tmp/kernel"
	"$ctl" list >"$tmp/list" 2>&1 || fail "pattrackctl list failed: $(cat "$tmp/list")"
	list_to_table <"$tmp/list" >"$tmp/listed"
	if cmp -s "$tmp/kernel" "$tmp/listed" && [ -s "$tmp/kernel" ]; then ok "pattrackctl list is $list"; else
		fail "pattrackctl list differs from $list"; diff -u "$tmp/kernel" "$tmp/listed" | head | diag; fi
	n=$(wc -l <"$tmp/kernel")
	busctl --system get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 \
		EntryCount >"$tmp/count"
	contains "$tmp/count" "^t $n\$"
	# busctl's own rendering of ListEntries: every start and end, in the kernel's order
	call ListEntries
	contains "$tmp/out" "^a(ttsistsbsssi) $n "
	sed 's/^PAT: \[mem 0x\([0-9a-f]*\)-0x\([0-9a-f]*\)\] \(.*\)/\1 \2 \3/' "$tmp/kernel" |
	while read -r s e t; do printf '%d %d "%s"\n' "0x$s" "0x$e" "$t"; done >"$tmp/want"
	grep -o '[0-9]\+ [0-9]\+ "\(write-back\|write-combining\|uncached-minus\|uncached\|write-through\|write-protected\)"' \
		"$tmp/out" >"$tmp/got"
	if cmp -s "$tmp/want" "$tmp/got"; then ok "busctl ListEntries is $list, in order"; else fail "busctl ListEntries differs from $list"; diff -u "$tmp/want" "$tmp/got" | head | diag; fi
	# the host as it is: reconcile finds nothing to mend
	call Reconcile
	contains "$tmp/out" "^(ttt) $n 0 0\$"
	"$ctl" anomalies drift >"$tmp/out" 2>&1
	contains "$tmp/out" "^0 anomalies"
	stop_daemon
	}
else
	skip "the live host's list through the debugfs source (no debugfs here)"
fi

# ---- the debugfs source over a list we control: polls, and reconcile's drift -----
pat() { printf 'PAT: [mem 0x%016x-0x%016x] %s\n' "$1" "$2" "$3"; }
{ echo "PAT memtype list:"; pat 0xfe000000 0xfe001000 write-combining; } >"$tmp/list"
start_daemon --source=debugfs --debugfs="$tmp/list" --poll=200ms --reconcile=0 --config=/dev/null
{ echo "PAT memtype list:"; pat 0xfe000000 0xfe001000 write-combining
  pat 0xfe002000 0xfe003000 uncached-minus; } >"$tmp/list"
sleep 1
"$ctl" list >"$tmp/out"
contains "$tmp/out" "^0x00000000fe002000-0x00000000fe003000 uncached-minus"
contains "$tmp/out" "^2 entries"
"$ctl" anomalies >"$tmp/out"
contains "$tmp/out" "^0 anomalies"	# what a poll sees is news, not drift
stop_daemon
{ echo "PAT memtype list:"; pat 0xfe000000 0xfe001000 write-combining; } >"$tmp/list"
start_daemon --source=debugfs --debugfs="$tmp/list" --poll=1h --reconcile=0 --config=/dev/null
{ echo "PAT memtype list:"; pat 0xfe004000 0xfe005000 uncached; } >"$tmp/list"
call Reconcile
contains "$tmp/out" "^(ttt) 0 1 1\$"
"$ctl" anomalies drift >"$tmp/out"
contains "$tmp/out" "^2 anomalies"
contains "$tmp/out" "the kernel's list holds 0xfe004000-0xfe005000 uncached, which the model lacked"
contains "$tmp/out" "the model held 0xfe000000-0xfe001000 write-combining"
"$ctl" list >"$tmp/out"
contains "$tmp/out" "^0x00000000fe004000-0x00000000fe005000 uncached "
contains "$tmp/out" "^1 entries"
setpriv --reuid=65534 --regid=65534 --groups="$gid" busctl --system call org.pattrack.Tracker1 \
	/org/pattrack/Tracker1 org.pattrack.Tracker1 Reconcile >"$tmp/out" 2>&1 &&
	fail "a member of group pattrack reconciled" || ok "a member of group pattrack may not reconcile"
stop_daemon

# ---- a replayed trace: every method, property and signal ------------------------
trace=$tmp/trace.jsonl
cat "$src/tests/traces/degraded.jsonl" "$src/tests/traces/conflict.jsonl" \
	"$src/tests/traces/drift.jsonl" >"$trace"
echo '{"event":"lost","lost":3}' >>"$trace"
# the reference: the same trace replayed offline
"$ctl" replay --json "$trace" >"$tmp/ref.json" 2>/dev/null
"$ctl" replay "$trace" 2>/dev/null | sed '/^$/q' | sed '/^$/d' | grep '^PAT: ' >"$tmp/ref.table"
ref_anomalies=$(grep -o '"kind":"[a-z-]*"' "$tmp/ref.json" | wc -l)

"$ctl" monitor --json >"$tmp/monitor" 2>&1 &
monitor=$!
pids="$pids $monitor"
dbus-monitor --system "type='signal',interface='org.freedesktop.DBus.Properties',path='/org/pattrack/Tracker1'" \
	>"$tmp/props" 2>&1 &
pids="$pids $!"
sleep 0.5
start_daemon --replay="$trace" --leak-grace=0.3s --config=/dev/null
sleep 1.5	# the leak grace, and a PropertiesChanged

"$ctl" list >"$tmp/list"
list_to_table <"$tmp/list" >"$tmp/listed"
if cmp -s "$tmp/ref.table" "$tmp/listed"; then ok "list is the offline replay's table"; else fail "list differs from the offline replay"; diff -u "$tmp/ref.table" "$tmp/listed" | diag; fi
contains "$tmp/list" "0x00000000fe000000-0x00000000fe001000 write-combining *pid 22 (leaker) .*(owner exited)"

"$ctl" anomalies --json >"$tmp/anomalies"
for k in conflict degraded invalid-free leak drift loss; do
	want=$(grep -o "\"kind\":\"$k\"" "$tmp/ref.json" | wc -l)
	got=$(grep -o "\"kind\":\"$k\"" "$tmp/anomalies" | wc -l)
	if [ "$want" -eq "$got" ] && [ "$want" -gt 0 ]; then ok "$k: $got anomalies, as the offline replay"; else fail "$k: $got anomalies, the offline replay has $want"; fi
done
"$ctl" anomalies leak >"$tmp/out"
contains "$tmp/out" "^1 anomalies"
contains "$tmp/out" "still reserved after the process exited"
sig=$(grep -c '"kind"' "$tmp/monitor")
if [ "$sig" -eq "$ref_anomalies" ]; then ok "monitor saw all $sig Anomaly signals"; else fail "monitor saw $sig Anomaly signals of $ref_anomalies"; diag <"$tmp/monitor"; fi
contains "$tmp/monitor" '"kind":"conflict","start":"0xfe010000","end":"0xfe012000"'
contains "$tmp/props" "EventsProcessed"

# at an 80-column terminal: the lists fit it, the anomalies' explanations on their own lines
for verb in list anomalies "explain 0xfe000000"; do
	TERM=xterm script -qec "stty cols 80 rows 24; exec '$ctl' $verb --no-pager" /dev/null </dev/null 2>&1 |
		tr -d '\r' | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/tty-${verb%% *}"
	# shellcheck disable=SC2086
	"$ctl" $verb >"$tmp/pipe-${verb%% *}" 2>&1
	w=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$tmp/tty-${verb%% *}")
	if [ "$w" -le 80 ] && [ "$(tail -n 1 "$tmp/tty-${verb%% *}")" = "$(tail -n 1 "$tmp/pipe-${verb%% *}")" ]; then
		ok "$verb on an 80-column terminal: lines of $w at most, $(tail -n 1 "$tmp/tty-${verb%% *}")"
	else
		fail "$verb on an 80-column terminal: a line of $w"
		diag <"$tmp/tty-${verb%% *}"
	fi
done
contains "$tmp/tty-anomalies" '^    .*…$'

call Lookup t 0xfe000000
contains "$tmp/out" '^a(ttsistsbsssi) 1 4261412864 4261416960 "write-combining" 22 "leaker" .* true "process" "" "" -1$'
call Lookup t 0x1000
contains "$tmp/out" "^a(ttsistsbsssi) 0\$"
"$ctl" query 0xfe000000 0xfe100000 >"$tmp/out"
contains "$tmp/out" "^$(wc -l <"$tmp/ref.table") entries"
call ListAnomalies s conflict
contains "$tmp/out" '^a(sttsistsssssis) 1 "conflict" 4261478400 4261486592 .* "process" "" "" -1 "memtype_reserve\\ntrack_pfn_remap\\nremap_pfn_range\\npci_mmap_resource_range\\nmmap_region\\ndo_mmap"$'
"$ctl" explain 0xfe000000 >"$tmp/out"
contains "$tmp/out" "^reserve .* write-combining  *write-combining  *0  *22 leaker"
contains "$tmp/out" "^free .* -22  *22 leaker"
cookie=$("$ctl" checkpoint)
case $cookie in ''|*[!0-9]*) fail "checkpoint gave \"$cookie\"" ;; *) ok "checkpoint gives a cookie" ;; esac
"$ctl" leaks --since "$cookie" --fail >"$tmp/out"
rc=$?
[ $rc -eq 0 ] && ok "leaks --since a fresh cookie --fail: exit 0" || fail "leaks --since a fresh cookie exited $rc"
"$ctl" leaks --since 0 --fail >"$tmp/out"
rc=$?
[ $rc -eq 1 ] && ok "leaks --since 0 --fail: exit 1" || fail "leaks --since 0 --fail exited $rc, wanted 1"
contains "$tmp/out" "leaker"
"$ctl" leaks --fail >/dev/null
[ $? -eq 1 ] && ok "leaks --fail (the judged leaks): exit 1" || fail "leaks --fail (the judged leaks) did not exit 1"

"$ctl" status --json >"$tmp/status"
contains "$tmp/status" "\"Version\":\"[0-9]"
contains "$tmp/status" "\"Sources\":\[\"replay "
contains "$tmp/status" "\"KernelRelease\":\"$(uname -r)\""
contains "$tmp/status" "\"EntryCount\":$(wc -l <"$tmp/ref.table")"
contains "$tmp/status" "\"EventsLost\":3"
contains "$tmp/status" '"AnomalyCounts":{"conflict":1'
busctl --system get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 \
	EventsProcessed >"$tmp/out"
contains "$tmp/out" "^t [1-9]"

# bad arguments: named errors, and the daemon lives on
expect_error org.pattrack.Tracker1.Error.InvalidRange QueryRange uint64:0x2000 uint64:0x1000
expect_error org.pattrack.Tracker1.Error.InvalidRange QueryRange uint64:0 uint64:0xffffffffffffffff
expect_error org.pattrack.Tracker1.Error.InvalidRange Lookup uint64:0x10000000000000000
expect_error org.pattrack.Tracker1.Error.InvalidRange Explain uint64:0xffffffffffffffff
expect_error org.pattrack.Tracker1.Error.UnknownKind ListAnomalies string:bogus
expect_error org.pattrack.Tracker1.Error.UnknownCookie Leaks uint64:999999999999
expect_error org.pattrack.Tracker1.Error.NotLive Reconcile
expect_error org.freedesktop.DBus.Error.InvalidArgs Lookup string:0xfe000000
expect_error org.freedesktop.DBus.Error.UnknownMethod Frobnicate
"$ctl" query 5 1 >"$tmp/out" 2>&1
[ $? -eq 3 ] && ok "query with end below start: exit 3" || fail "query with end below start did not exit 3"
contains "$tmp/out" "org.pattrack.Tracker1.Error.InvalidRange"
"$ctl" status >/dev/null 2>&1 && ok "pattrackd lives on after bad arguments" || fail "pattrackd died of bad arguments"

# access: nobody is refused by the policy; group pattrack reads but may not Checkpoint
setpriv --reuid=65534 --regid=65534 --clear-groups \
	busctl --system call org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 ListEntries \
	>"$tmp/out" 2>&1 && fail "nobody read the entries" || ok "nobody may read the entries"
contains "$tmp/out" "ccess denied\|AccessDenied"
setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" lookup 0xfe000000 >"$tmp/out" 2>&1
[ $? -eq 3 ] && ok "nobody's lookup fails" || fail "nobody's lookup did not fail"
setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" status >"$tmp/out" 2>&1
[ $? -eq 3 ] && ok "nobody's status fails" || fail "nobody's status did not fail"
contains "$tmp/out" "access denied: pattrackd answers root and the members of group pattrack only (usermod -aG pattrack USER"
setpriv --reuid=65534 --regid=65534 --groups="$gid" "$ctl" list >"$tmp/out" 2>&1 && ok "a member of group pattrack may list" ||
	fail "a member of group pattrack could not list: $(cat "$tmp/out")"
setpriv --reuid=65534 --regid=65534 --groups="$gid" "$ctl" checkpoint >"$tmp/out" 2>&1 &&
	fail "a member of group pattrack took a checkpoint" || ok "a member of group pattrack may not take a checkpoint"
"$ctl" checkpoint >/dev/null && ok "root may take a checkpoint" || fail "root could not take a checkpoint"
stop_daemon
kill "$monitor" 2>/dev/null

# a long grace period: no leak is judged before it has passed
start_daemon --replay="$trace" --leak-grace=1h --config=/dev/null
sleep 0.5
# the cookie of a run before that kept no state means nothing to this one: refused, not read as a clock
expect_error org.pattrack.Tracker1.Error.UnknownCookie Leaks "uint64:$cookie"
"$ctl" leaks --since "$("$ctl" checkpoint)" >/dev/null && ok "leaks --since this run's own cookie: accepted" ||
	fail "leaks --since this run's own cookie was refused"
"$ctl" anomalies leak >"$tmp/out"
contains "$tmp/out" "^0 anomalies"
stop_daemon

# the journal: one entry per anomaly with MESSAGE_ID and PATTRACK_* fields, and
# the catalog that explains each MESSAGE_ID (journald is started when none runs)
journald=/lib/systemd/systemd-journald
journal_up() { command -v systemd-cat >/dev/null && systemd-cat true 2>/dev/null; }
if ! journal_up && [ -x "$journald" ]; then
	mkdir -p /run/systemd/journal
	"$journald" >"$tmp/journald.log" 2>&1 &
	pids="$pids $!"
	for i in $(seq 50); do journal_up && break; sleep 0.1; done
fi
if journal_up; then
	tag=pattrackd-test-$$
	# stderr a journal stream, announced as under a unit (JOURNAL_STREAM)
	systemd-cat -t "$tag" sh -c 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@"' sh \
		"$pattrackd" --replay="$trace" --leak-grace=0.2s --config=/dev/null &
	jd=$!
	pids="$pids $jd"
	sleep 2
	kill -TERM "$jd" 2>/dev/null
	journalctl --sync 2>/dev/null
	journalctl -o json --no-pager _PID="$jd" PATTRACK_KIND=leak >"$tmp/journal" 2>&1
	contains "$tmp/journal" '"MESSAGE_ID":"3d10dd9f81904370949a5804d7f05688"'
	contains "$tmp/journal" '"PATTRACK_START":"0xfe000000"'
	contains "$tmp/journal" '"PATTRACK_END":"0xfe001000"'
	contains "$tmp/journal" '"PATTRACK_TYPE":"write-combining"'
	contains "$tmp/journal" '"PATTRACK_PID":"22"'
	contains "$tmp/journal" '"PATTRACK_COMM":"leaker"'
	contains "$tmp/journal" '"PATTRACK_OWNER":"process"'
	contains "$tmp/journal" '"PATTRACK_BAR":"-1"'
	contains "$tmp/journal" '"PRIORITY":"4"'
	n=$(journalctl -o json --no-pager _PID="$jd" | grep -c '"PATTRACK_KIND"')
	[ "$n" -eq "$ref_anomalies" ] && ok "one journal entry per anomaly ($n)" || fail "$n anomalies in the journal, $ref_anomalies found"
	mkdir -p "$tmp/root/usr/lib/systemd/catalog" "$tmp/root/var/lib/systemd/catalog"
	cp "$src/systemd/pattrack.catalog" "$tmp/root/usr/lib/systemd/catalog/"
	journalctl --root="$tmp/root" --update-catalog >"$tmp/out" 2>&1 && ok "the catalog builds" || fail "the catalog does not build: $(cat "$tmp/out")"
	n=$(journalctl --root="$tmp/root" --list-catalog 2>/dev/null | grep -c ' pattrack: ')
	[ "$n" -eq 6 ] && ok "the catalog explains all 6 MESSAGE_IDs" || fail "the catalog explains $n MESSAGE_IDs of 6"
else
	skip "the journal (no journald here)"
fi
# outside the journal, anomalies are plain lines on stderr
start_daemon --replay="$trace" --leak-grace=0.2s --config=/dev/null
sleep 1
contains "$tmp/pattrackd.log" "^pattrackd: leak: 0xfe000000-0xfe001000 write-combining reserved by pid 22 (leaker)"
stop_daemon

# drivers' lifetimes live: e1000's mapping outlives modprobe and a rebind, leaky's does not
# outlive its module; owners in list, ListAnomalies and the Anomaly signal
"$ctl" monitor --json >"$tmp/drvmonitor" 2>&1 &
pids="$pids $!"
sleep 0.5
start_daemon --replay="$src/tests/traces/driver-lifetimes.jsonl" --leak-grace=0.3s --config=/dev/null
sleep 1.5
"$ctl" list >"$tmp/out"
contains "$tmp/out" "^0x00000000febc0000-0x00000000febe0000 uncached-minus *e1000@0000:00:03.0 BAR0 "
contains "$tmp/out" "^0x00000000febf1000-0x00000000febf2000 uncached-minus *leaky@0000:00:05.0 BAR0 "
# there before the trace began: nobody's known, but where it lies and who is bound there are
contains "$tmp/out" "^0x00000000fd000000-0x00000000fe000000 uncached-minus *unknown, in 0000:00:02.0 BAR0 (bochs-drm) "
"$ctl" anomalies leak >"$tmp/out"
contains "$tmp/out" "^2 anomalies"
contains "$tmp/out" "leaky@0000:00:05.0 BAR0"
contains "$tmp/out" "module leaky unloaded; its uncached-minus ioremap 0xfebf1000-0xfebf2000 (BAR0 of 0000:00:05.0) is still reserved"
lacks "$tmp/out" "e1000"
call ListAnomalies s leak
contains "$tmp/out" '"driver" "leaky" "0000:00:05.0" 0\( \|$\)'
contains "$tmp/drvmonitor" '"kind":"leak",.*"owner":"driver","driver":"leaky","device":"0000:00:05.0","bar":2'
stop_daemon

# sd_notify: READY=1 once it serves, STATUS=, and WATCHDOG=1 keep-alives when asked
"$notify_listen" "$tmp/notify" 3 >"$tmp/notified" &
listener=$!
sleep 0.3
export NOTIFY_SOCKET="$tmp/notify" WATCHDOG_USEC=400000
start_daemon --replay="$trace" --config=/dev/null
unset NOTIFY_SOCKET WATCHDOG_USEC
wait "$listener"
contains "$tmp/notified" "^READY=1"
contains "$tmp/notified" "^STATUS=source replay "
contains "$tmp/notified" "^WATCHDOG=1"
stop_daemon

# hostile names: not UTF-8, control characters that would forge a line, a NUL
{
	printf '{"pattrack_trace":1}\n'
	printf '{"event":"reserve","start":"0xfe000000","end":"0xfe001000","req":"uncached-minus","got":"uncached-minus","ret":0,"pid":66,"comm":"\377\376bad","seq":1,"stack":["memtype_reserve","track_pfn_remap","remap_pfn_range"]}\n'
	printf '{"event":"reserve","start":"0xfe000000","end":"0xfe001000","req":"write-combining","got":null,"ret":-16,"pid":67,"comm":"x\\nPAT: [mem 0x0-0x1]","seq":2,"stack":["memtype_reserve","track_pfn_remap","remap_pfn_range"]}\n'
	printf '{"event":"reserve","start":"0xfe002000","end":"0xfe003000","req":"uncached-minus","got":"uncached-minus","ret":0,"pid":68,"comm":"cut\\u0000here","seq":3,"stack":["memtype_reserve","track_pfn_remap","remap_pfn_range"]}\n'
} >"$tmp/hostile.jsonl"
start_daemon --replay="$tmp/hostile.jsonl" --config=/dev/null
call ListEntries && ok "ListEntries answers with a comm that is not UTF-8" || fail "ListEntries: $(cat "$tmp/err")"
call ListAnomalies s "" && ok "ListAnomalies answers with hostile comms" || fail "ListAnomalies: $(cat "$tmp/err")"
"$ctl" list >"$tmp/out" 2>&1
contains "$tmp/out" 'pid 66 (\\xff\\xfebad)'
contains "$tmp/out" 'pid 68 (cut\\x00here)'
"$ctl" anomalies >"$tmp/out" 2>&1
grep -q '^PAT: \[mem' "$tmp/out" && fail "a comm forged a line: $(cat "$tmp/out")" || ok "a comm with a newline forges no line"
contains "$tmp/out" 'pid 67 (x\\x0aPAT: \[mem 0x0-)'
"$ctl" anomalies --json >"$tmp/out" 2>&1
python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); assert a[0]["comm"] == "x\\x0aPAT: [mem 0x0-", a' "$tmp/out" 2>"$tmp/err" &&
	ok "anomalies --json is valid JSON with the escaped comm" || fail "anomalies --json: $(cat "$tmp/err")"
stop_daemon

# size: 100,000 repeats fold; 1,000,000 invalid frees fill the store, which stays bounded
awk 'BEGIN {
	print "{\"pattrack_trace\":1}"
	print "{\"event\":\"reserve\",\"start\":4026531840,\"end\":4026535936,\"req\":\"uncached-minus\",\"got\":\"uncached-minus\",\"ret\":0,\"pid\":1,\"comm\":\"owner\"}"
	for (i = 0; i < 100000; i++)
		print "{\"event\":\"reserve\",\"start\":4026531840,\"end\":4026535936,\"req\":\"write-combining\",\"got\":null,\"ret\":-16,\"pid\":2,\"comm\":\"retry\"}"
	for (i = 0; i < 1000000; i++)
		printf "{\"event\":\"free\",\"start\":%d,\"end\":%d,\"ret\":-22,\"pid\":3,\"comm\":\"f\"}\n", 8589934592 + i * 4096, 8589934592 + i * 4096 + 4096
}' >"$tmp/many.jsonl"
start_daemon --replay="$tmp/many.jsonl" --config=/dev/null --history=0
for i in $(seq 600); do
	busctl --system get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 EventsProcessed |
		grep -q '^t 1100001$' && break
	sleep 0.1
done
prop() { busctl --system get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 "$1" | cut -d' ' -f2; }
[ "$(prop AnomalyRepeats)" = 99999 ] && ok "100,000 identical conflicts: one record, 99999 repeats" ||
	fail "AnomalyRepeats is $(prop AnomalyRepeats), not 99999"
[ "$(prop AnomaliesDropped)" = 900001 ] && ok "1,000,000 invalid frees: 900001 past the limit dropped and counted" ||
	fail "AnomaliesDropped is $(prop AnomaliesDropped), not 900001"
call ListAnomalies s ""
contains "$tmp/err" "TooMany\|more than 10000"
call ListAnomaliesPage stu "" 0 0
head -c 40 "$tmp/out" | grep -q "^a(sttsistsssssis)t 10000 " && ok "ListAnomaliesPage gives a page of 10000" ||
	fail "ListAnomaliesPage: $(head -c 200 "$tmp/out") $(cat "$tmp/err")"
"$ctl" anomalies >"$tmp/out" 2>&1
[ "$(tail -n 1 "$tmp/out")" = "100000 anomalies" ] && ok "pattrackctl anomalies pages through all 100000" ||
	fail "pattrackctl anomalies: $(tail -n 2 "$tmp/out")"
contains "$tmp/out" "the same again 99999 more times"
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$daemon/status")
if [ "${PATTRACK_SANITIZE:-none}" != none ]; then
	skip "pattrackd holds ${rss} KiB after 1,100,000 anomalies: no bound under $PATTRACK_SANITIZE (its shadow memory)"
else
	# 100,000 records of 240 bytes, and no queue of 100,000 signals
	[ "$rss" -lt 65536 ] && ok "pattrackd holds ${rss} KiB after 1,100,000 anomalies" || fail "pattrackd holds ${rss} KiB"
fi
# whether the bus falls behind 100,000 signals depends on the machine's speed (not under
# ASan, say): what must hold either way is that a signal not sent is counted and said
dropped=$(prop SignalsDropped)
if [ "$dropped" -gt 0 ]; then
	ok "$dropped Anomaly signals not queued while the bus was behind, counted"
	contains "$tmp/pattrackd.log" "Anomaly signals not sent: the bus was behind"
else
	ok "the bus kept up with 100,000 Anomaly signals: none dropped"
	lacks "$tmp/pattrackd.log" "Anomaly signals not sent"
fi
busctl --system status org.pattrack.Tracker1 >/dev/null 2>&1 && ok "pattrackd is still on the bus" || fail "pattrackd fell off the bus"
contains "$tmp/pattrackd.log" "anomalies not stored: the store is full"
stop_daemon

# ---- state across a kill -9: owners, anomalies and cookies back; what changed meanwhile, dropped
sleep 600 &
alive=$!
pids="$pids $alive"
gone=$(sh -c 'echo $$')	# a process that has exited: its pid names nobody now
stack='"stack":["memtype_reserve","track_pfn_remap","remap_pfn_range","pci_mmap_resource_range","mmap_region","do_mmap"]'
rsv() { printf '{"event":"reserve","start":"%s","end":"%s","req":"%s","got":%s,"ret":%s,"pid":%s,"comm":"%s","seq":%s,%s}\n' "$@" "$stack"; }
{
	echo '{"pattrack_trace":1}'
	rsv 0xd0000000 0xd0001000 write-combining '"write-combining"' 0 "$alive" keeper 1
	rsv 0xd0002000 0xd0003000 uncached-minus '"uncached-minus"' 0 "$gone" goner 2
	rsv 0xd0004000 0xd0005000 write-combining '"write-combining"' 0 "$alive" keeper 3
	rsv 0xd0000000 0xd0001000 uncached-minus null -16 "$alive" keeper 4	# strict: refused
	rsv 0xd0006000 0xd0007000 uncached-minus '"uncached-minus"' 0 77777 leaker 5
	echo '{"event":"exit","pid":77777,"comm":"leaker","seq":6}'
} >"$tmp/state-trace.jsonl"
start_daemon --replay="$tmp/state-trace.jsonl" --leak-grace=0.2s --state="$tmp/state.jsonl" --config=/dev/null
for i in $(seq 100); do grep -q '"kind":3' "$tmp/state.jsonl" 2>/dev/null && break; sleep 0.1; done
contains "$tmp/state.jsonl" '^{"pattrack-state":1,"boot_id":"'
call Checkpoint
cookie=$(cut -d' ' -f2 "$tmp/out")
"$ctl" anomalies >"$tmp/before" 2>&1
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
# the kernel's list now: the keeper's first page and the goner's and leaker's; its second page freed meanwhile
{ echo "PAT memtype list:"; pat 0xd0000000 0xd0001000 write-combining; pat 0xd0002000 0xd0003000 uncached-minus
  pat 0xd0006000 0xd0007000 uncached-minus; } >"$tmp/klist"
start_daemon --source=debugfs --debugfs="$tmp/klist" --poll=1h --reconcile=0 --leak-grace=0.2s \
	--state="$tmp/state.jsonl" --config=/dev/null
contains "$tmp/pattrackd.log" "state restored from $tmp/state.jsonl: 2 anomalies, 2 owners of live entries (0 not checked: /proc hides them); 1 entries freed while pattrackd was down; 1 owners gone meanwhile"
"$ctl" anomalies >"$tmp/after" 2>&1
if cmp -s "$tmp/before" "$tmp/after" && grep -q "^2 anomalies" "$tmp/after"; then ok "after kill -9 and a restart: the same anomalies"; else
	fail "the anomalies after a restart differ"; diff -u "$tmp/before" "$tmp/after" | diag; fi
"$ctl" list >"$tmp/list" 2>&1
contains "$tmp/list" "0x00000000d0000000-0x00000000d0001000 write-combining *pid $alive (keeper)"
contains "$tmp/list" "0x00000000d0006000-0x00000000d0007000 uncached-minus *pid 77777 (leaker) .*(owner exited)"
grep "0x00000000d0002000" "$tmp/list" | grep -q "goner" && fail "an owner that exited while pattrackd was down came back" ||
	ok "an owner that exited while pattrackd was down did not come back"
grep -q "0x00000000d0004000" "$tmp/list" && fail "an entry freed while pattrackd was down came back" ||
	ok "an entry freed while pattrackd was down did not come back"
# what was reserved since the checkpoint and is still: nothing; since the start, both owners' pages
call Leaks t "$cookie"
contains "$tmp/out" '^a(ttsistsbsssi) 0$'
call Leaks t 0
contains "$tmp/out" "^a(ttsistsbsssi) 2 3489660928 3489665024 \"write-combining\" $alive \"keeper\" 1 .* 3489685504 3489689600 \"uncached-minus\" 77777 \"leaker\" 5 \"[^\"]*\" true "
# a bad record: what came before it is restored, the rest is not, and pattrackd starts
stop_daemon
{ head -n 1 "$tmp/state.jsonl"; echo '{"entry":{"start":"0xd0000000"}}'; } >"$tmp/state.bad"
mv "$tmp/state.bad" "$tmp/state.jsonl"
start_daemon --source=debugfs --debugfs="$tmp/klist" --poll=1h --reconcile=0 --state="$tmp/state.jsonl" --config=/dev/null
contains "$tmp/pattrackd.log" "state.jsonl: line 2: Invalid argument: the rest of the state is not restored"
# a line of 2 MiB: refused as it is read, not held
stop_daemon
{ head -n 1 "$tmp/state.jsonl"; head -c 2097152 /dev/zero | tr '\0' x; echo; } >"$tmp/state.bad"
mv "$tmp/state.bad" "$tmp/state.jsonl"
start_daemon --source=debugfs --debugfs="$tmp/klist" --poll=1h --reconcile=0 --state="$tmp/state.jsonl" --config=/dev/null
contains "$tmp/pattrackd.log" "state.jsonl: line 2: Argument list too long: the rest of the state is not restored"
# a state that is not one: said, and pattrackd starts without it
stop_daemon
echo garbage >"$tmp/state.jsonl"
start_daemon --source=debugfs --debugfs="$tmp/klist" --poll=1h --reconcile=0 --state="$tmp/state.jsonl" --config=/dev/null
contains "$tmp/pattrackd.log" "is not a pattrack state of version 1: starting without it"
expect_error org.pattrack.Tracker1.Error.UnknownCookie Leaks uint64:"$cookie"
stop_daemon
kill "$alive"

# bus loss: pattrackd exits 75, for systemd to start it again
start_daemon --replay="$trace" --config=/dev/null
kill "$bus_pid"
for i in $(seq 50); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
wait "$daemon"
rc=$?
[ $rc -eq 75 ] && ok "the bus went away: pattrackd exits 75" || fail "the bus went away: pattrackd exited $rc"
contains "$tmp/pattrackd.log" "lost the connection to the system bus"

start_bus open "$src/tests/dbus/open-bus.conf.in"
start_daemon --replay="$trace" --config=/dev/null
setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" list >"$tmp/out" 2>&1
[ $? -eq 3 ] && ok "pattrackd itself refuses nobody on an open bus" || fail "pattrackd let nobody list"
contains "$tmp/out" "physical addresses are for root and the members of group pattrack only (usermod -aG pattrack USER)"
setpriv --reuid=65534 --regid=65534 --groups="$gid" "$ctl" list >"$tmp/out" 2>&1 && ok "pattrackd lets a member of group pattrack list" ||
	fail "pattrackd refused a member of group pattrack: $(cat "$tmp/out")"
setpriv --reuid=65534 --regid=65534 --groups="$gid" "$ctl" checkpoint >"$tmp/out" 2>&1
contains "$tmp/out" "only root may do this"
stop_daemon

# configuration: files, drop-ins, a bad value named with file and line
mkdir -p "$tmp/conf.d"
printf '[Tracker]\nLeakGraceSec=5s\nHistory=100\n' >"$tmp/conf"
mv "$tmp/conf.d" "$tmp/conf.d.tmp" && mkdir "$tmp/conf.d"
printf '[Tracker]\nLeakGraceSec=oops\n' >"$tmp/conf.d/50-bad.conf"
"$pattrackd" --config="$tmp/conf" --replay="$trace" >"$tmp/out" 2>&1
[ $? -eq 78 ] && ok "a bad drop-in value stops pattrackd (exit 78, the configuration status)" || fail "a bad drop-in value did not stop pattrackd"
contains "$tmp/out" "conf.d/50-bad.conf:2: bad value for LeakGraceSec: oops"
"$pattrackd" --leak-grace=soon >"$tmp/out" 2>&1
[ $? -eq 78 ] && ok "a bad --leak-grace stops pattrackd (exit 78)" || fail "a bad --leak-grace did not stop pattrackd"
"$pattrackd" --help | grep -q -- "--replay=TRACE" && ok "pattrackd --help" || fail "pattrackd --help"

# the Lookup round trip with 100,000 entries: figures, not a pass/fail check
awk 'BEGIN { print "{\"pattrack_trace\":1}";
	for (i = 0; i < 100000; i++)
		printf "{\"event\":\"entry\",\"start\":%d,\"end\":%d,\"type\":\"%s\"}\n",
			4294967296 + i * 8192, 4294967296 + i * 8192 + 4096, i % 2 ? "write-combining" : "uncached-minus" }' \
	>"$tmp/big.jsonl"
start_daemon --replay="$tmp/big.jsonl" --config=/dev/null --history=0
for i in $(seq 100); do
	busctl --system get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 EntryCount |
		grep -q '^t 100000$' && break
	sleep 0.1
done
"$bench" 20000 4294967296 819200000 >"$tmp/bench" 2>&1 && ok "the Lookup benchmark ran" || fail "the Lookup benchmark failed: $(cat "$tmp/bench")"
diag <"$tmp/bench"
# half of the span is entries: a benchmark that found none measured the wrong thing
grep -q "entries_found=[1-9]" "$tmp/bench" && ok "the Lookups found entries" || fail "the Lookups found no entry"
"$bench" 10000 4294967296 819200000 4 >"$tmp/bench" 2>&1 && ok "4 clients x 10,000 Lookups at once: no error" ||
	fail "4 clients x 10,000 Lookups: $(cat "$tmp/bench")"
diag <"$tmp/bench"
stop_daemon

finish
