#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# pattrackd.service: "systemd-analyze verify" prints nothing, and the offline
# security exposure is at most 3.0.
#   test-units.sh SOURCE_DIR BUILT_UNIT PATTRACKD
set -u
. "$1/tests/lib.sh"
shift
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not installed"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the unit as built, run from the build tree (verify wants ExecStart to exist)
sed "s|^ExecStart=.*|ExecStart=$(realpath "$2")|" "$1" >"$tmp/pattrackd.service"
if out=$(systemd-analyze verify --man=no "$tmp/pattrackd.service" 2>&1) && [ -z "$out" ]; then
	ok "systemd-analyze verify is clean"
else
	fail "systemd-analyze verify: $out"
fi
systemd-analyze security --offline=yes --threshold=30 "$tmp/pattrackd.service" >"$tmp/sec" 2>&1
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for pattrackd.service: \([0-9.]*\).*/\1/p' "$tmp/sec")
if [ $rc -eq 0 ] && [ -n "$exposure" ]; then
	ok "security exposure $exposure (at most 3.0)"
	diag "unit_exposure=$exposure"
else
	diag <"$tmp/sec"
	fail "security exposure ${exposure:-unknown} is above 3.0"
fi
finish
