#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pattrack's metrics and alert rules with the real servers of Debian's
# packages, on 127.0.0.1 only:
#  - promtool checks the exposition pattrackd writes, and checks and tests
#    the shipped rules (tests/prometheus/pattrack.rules.test.yml);
#  - three pattrackd, each on a private bus, replay a clean trace, one with a
#    leak and one with a conflict, each writing its own textfile directory
#    for its own node_exporter; one Prometheus scrapes the three with the
#    rules loaded, and the alerts it fires must be exactly the leak's on the
#    leak host and the conflict's on the conflict host.
# The leak alert waits 10 minutes in the shipped rules: here 5 seconds, the
# only change made to them.  Every process started is stopped.
#
#   test-prometheus.sh PATTRACKD PATTRACKCTL SOURCE_DIR
set -u
pattrackd=$(realpath "$1")
ctl=$(realpath "$2")
src=$(realpath "$3")
. "$src/tests/lib.sh"

for t in promtool prometheus prometheus-node-exporter dbus-daemon python3; do
	command -v $t >/dev/null ||
		skip_all "$t is not installed (apt-get install prometheus prometheus-node-exporter dbus python3)"
done
rules=$src/prometheus/pattrack.rules.yml

# ---- the rules, alone --------------------------------------------------------
promtool check rules "$rules" >"${TMPDIR:-/tmp}/pt-rules.$$" 2>&1 && ok "promtool check rules $(basename "$rules")" ||
	{ fail "promtool check rules"; diag <"${TMPDIR:-/tmp}/pt-rules.$$"; }
(cd "$src/tests/prometheus" && promtool test rules pattrack.rules.test.yml) >"${TMPDIR:-/tmp}/pt-rules.$$" 2>&1 &&
	ok "promtool test rules: every alert fires where it should, and only there" ||
	{ fail "promtool test rules"; diag <"${TMPDIR:-/tmp}/pt-rules.$$"; }
rm -f "${TMPDIR:-/tmp}/pt-rules.$$"

with_tmp

# free ports on 127.0.0.1, as many as asked
ports=$(python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' 4)
set -- $ports
prom_port=$1
shift

# ---- three hosts: a bus, pattrackd, node_exporter each --------------------------
targets=
for host in clean leak conflict; do
	case $host in
	clean) trace=map-unmap ;;
	leak) trace=partial-munmap-head ;;
	conflict) trace=conflict ;;
	esac
	port=$1
	shift
	mkdir -p "$tmp/$host/textfile"
	sed "s|@SOCKET@|$tmp/$host/bus.sock|; s|@POLICY@|$src/systemd/org.pattrack.Tracker1.conf|" \
		"$src/tests/dbus/system-bus.conf.in" >"$tmp/$host/bus.conf"
	dbus-daemon --config-file="$tmp/$host/bus.conf" --nofork --nopidfile >"$tmp/$host/bus.log" 2>&1 &
	pids="$pids $!"
	for i in $(seq 50); do [ -S "$tmp/$host/bus.sock" ] && break; sleep 0.1; done
	DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/$host/bus.sock" "$pattrackd" --config=/dev/null \
		--replay="$src/tests/traces/$trace.jsonl" --leak-grace=0.2s \
		--metrics-dir="$tmp/$host/textfile" >"$tmp/$host/pattrackd.log" 2>&1 &
	pids="$pids $!"
	eval "daemon_$host=$!"
	prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tmp/$host/textfile" \
		>"$tmp/$host/node.log" 2>&1 &
	pids="$pids $!"
	targets="$targets
      - targets: ['127.0.0.1:$port']
        labels: {host: $host}"
	eval "port_$host=$port"
done

# pattrackctl metrics is what the file holds, and promtool takes both
sleep 1.5	# the replays, the leak's grace, and a write
DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/leak/bus.sock" "$ctl" metrics >"$tmp/metrics" 2>&1 ||
	fail "pattrackctl metrics: $(head -c 300 "$tmp/metrics")"
promtool check metrics <"$tmp/metrics" >"$tmp/check" 2>&1 && ok "promtool check metrics: pattrackctl metrics" ||
	{ fail "promtool check metrics: pattrackctl metrics"; diag <"$tmp/check"; }
promtool check metrics <"$tmp/leak/textfile/pattrack.prom" >"$tmp/check" 2>&1 &&
	ok "promtool check metrics: the textfile" || { fail "promtool check metrics: the textfile"; diag <"$tmp/check"; }
contains "$tmp/metrics" '^pattrack_leaked_entries{owner="process"} 1$'
contains "$tmp/metrics" '^pattrack_up 1$'
grep -v '^#' "$tmp/metrics" | grep -q '0x[0-9a-f]\{6,\}' && fail "a physical address in the metrics" ||
	ok "no physical address in the metrics"
diag "families: $(grep -v '^#' "$tmp/metrics" | sed 's/[{ ].*//' | sort -u | tr '\n' ' ')"
# node_exporter serves the file as it is
python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
	"http://127.0.0.1:$port_conflict/metrics" >"$tmp/scraped" 2>&1
contains "$tmp/scraped" '^pattrack_anomalies_total{kind="conflict",owner="process",severity=""} 1$'

# ---- one Prometheus over the three ----------------------------------------------
sed 's/^\(        for: \)10m$/\15s/' "$rules" >"$tmp/rules.yml"
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['$tmp/rules.yml']
scrape_configs:
  - job_name: node
    static_configs:$targets
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$tmp/prometheus.log" 2>&1 &
prom=$!
pids="$pids $prom"

# the firing alerts as Prometheus's HTTP API returns them, one "ALERT HOST" a line
firing() {
	python3 - "http://127.0.0.1:$prom_port/api/v1/alerts" "$1" <<'EOF'
import json, sys, urllib.request
try:
    reply = json.load(urllib.request.urlopen(sys.argv[1], timeout=5))
except Exception as e:
    sys.exit(1)
alerts = [a for a in reply["data"]["alerts"] if a["state"] == "firing"]
with open(sys.argv[2], "w") as f:
    json.dump(alerts, f, indent=1, sort_keys=True)
for a in alerts:
    print(a["labels"]["alertname"], a["labels"].get("host", "?"))
EOF
}
want="PattrackConflict conflict
PattrackLeakedReservation leak"
got=
for i in $(seq 90); do
	got=$(firing "$tmp/alerts.json" 2>/dev/null | sort)
	[ "$got" = "$want" ] && break
	sleep 1
done
if [ "$got" = "$want" ]; then
	ok "Prometheus fires exactly PattrackConflict on the conflict host and PattrackLeakedReservation on the leak host, nothing on the clean one (after ${i} s)"
else
	fail "Prometheus's firing alerts: '$got', wanted '$want'"
	tail -n 5 "$tmp/prometheus.log" | diag
fi
diag "the firing alerts, as Prometheus returned them:"
{ cat "$tmp/alerts.json"; echo; } | diag

# a clean stop leaves pattrack_up 0 behind, for PattrackDown (promtool tests the rule)
kill -TERM "$daemon_clean"
for i in $(seq 50); do grep -q '^pattrack_up 0$' "$tmp/clean/textfile/pattrack.prom" && break; sleep 0.1; done
contains "$tmp/clean/textfile/pattrack.prom" '^pattrack_up 0$'

finish
