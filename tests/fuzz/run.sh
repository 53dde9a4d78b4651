#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs every libFuzzer harness of a clang build (-Dfuzz=enabled) for a
# bounded time, from the seed corpus in the tree (copied: what a run finds
# stays out of the tree).  TAP: one line a harness; a crash, a leak, a
# sanitizer report or a broken FUZZ_ASSERT fails it, and the input that did
# it is kept in the log as hex and in $PATTRACK_FUZZ_KEEP when set.
#
#   run.sh BUILD_FUZZ SOURCE_DIR SECONDS
set -u
build=$1
src=$2
secs=$3
. "$src/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in conf debugfs iomem kmsg model trace; do
	bin=$build/tests/fuzz/fuzz-$t
	[ -x "$bin" ] || { fail "fuzz-$t: not built"; continue; }
	mkdir -p "$tmp/$t" "$tmp/crash-$t"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$tmp/crash-$t/" -print_final_stats=1 \
		"$tmp/$t" "$src/tests/fuzz/corpus/$t" >"$tmp/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$t.log")
	if [ $rc -eq 0 ]; then
		ok "fuzz-$t: ${runs:-?} inputs in ${secs} s, no crash"
	else
		fail "fuzz-$t: exit $rc after ${runs:-?} inputs"
		grep -v '^#' "$tmp/$t.log" | tail -40 | diag
		for f in "$tmp/crash-$t"/*; do
			[ -f "$f" ] || continue
			od -An -tx1 "$f" | head -20 | diag
			[ -n "${PATTRACK_FUZZ_KEEP:-}" ] && mkdir -p "$PATTRACK_FUZZ_KEEP" && cp "$f" "$PATTRACK_FUZZ_KEEP/"
		done
	fi
done
finish
