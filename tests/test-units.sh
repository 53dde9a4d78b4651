#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pattrackd.service: "systemd-analyze verify" prints nothing, and the offline
# security exposure is at most 3.0.
#   test-units.sh BUILT_UNIT PATTRACKD
set -u
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the unit as built, run from the build tree (verify wants ExecStart to exist)
sed "s|^ExecStart=.*|ExecStart=$(realpath "$2")|" "$1" >"$tmp/pattrackd.service"
status=0
if out=$(systemd-analyze verify --man=no "$tmp/pattrackd.service" 2>&1) && [ -z "$out" ]; then
	echo "ok: systemd-analyze verify is clean"
else
	echo "FAIL: systemd-analyze verify: $out"
	status=1
fi
systemd-analyze security --offline=yes --threshold=30 "$tmp/pattrackd.service" >"$tmp/sec" 2>&1
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for pattrackd.service: \([0-9.]*\).*/\1/p' "$tmp/sec")
if [ $rc -eq 0 ] && [ -n "$exposure" ]; then
	echo "ok: security exposure $exposure (at most 3.0)"
	echo "unit_exposure=$exposure"
else
	cat "$tmp/sec"
	echo "FAIL: security exposure ${exposure:-unknown} is above 3.0"
	status=1
fi
exit $status
