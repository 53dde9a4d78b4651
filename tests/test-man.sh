#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every man page renders with "man --warnings" and not one warning.
set -u
status=0
for page in "$@"; do
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$warnings" ]; then
		echo "FAIL: $page: $warnings"
		status=1
	elif ! MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME"; then
		echo "FAIL: $page: does not render"
		status=1
	else
		echo "ok: $page"
	fi
done
exit $status
