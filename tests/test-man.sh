#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Every man page renders with "man --warnings" and not one warning.
#   test-man.sh SOURCE_DIR PAGE...
set -u
. "$1/tests/lib.sh"
shift
for page in "$@"; do
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$warnings" ]; then
		fail "$page: $warnings"
	elif ! MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME"; then
		fail "$page: does not render"
	else
		ok "$page renders without a warning"
	fi
done
finish
