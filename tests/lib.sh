# SPDX-License-Identifier: GPL-2.0-or-later
# What the shell suites share: results as TAP, which meson reads
# (protocol : 'tap').  Source it, report with ok / fail, end with finish:
#
#   . "$src/tests/lib.sh"
#   check "the daemon answers" "$ctl" status
#   [ "$n" -eq 3 ] && ok "three entries" || fail "$n entries, wanted 3"
#   finish
#
# Anything else a suite prints goes through diag, so that it reads as a
# TAP comment and never as a result.

tap_n=0
tap_failed=0

ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

fail() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	# a failure often quotes what it got: one line, no control characters
	echo "not ok $tap_n - $(printf '%s' "$*" | tr '\000-\037\177' '?' | head -c 4000)"
}

# skip REASON: one check that cannot run here, counted as such
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - # SKIP $*"
}

# diag [TEXT]: TEXT, or standard input, as TAP comments.  Control characters
# (a guest's console clears its screen) become '?': the log and meson's XML
# report must stay text.
diag() {
	if [ $# -gt 0 ]; then
		printf '# %s\n' "$*"
	else
		sed 's/^/# /'
	fi | tr '\000-\010\013-\037\177' '?'
}

# skip_all REASON: nothing can run here (a tool or a kernel is missing)
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# bail REASON: what follows cannot run (the guest did not boot, say)
bail() {
	echo "Bail out! $*"
	exit 1
}

# contains FILE PATTERN, lacks FILE PATTERN: a grep pattern is, or is not, in FILE
contains() {
	if grep -q -- "$2" "$1"; then
		ok "$(basename "$1") has: $2"
	else
		fail "$(basename "$1") lacks: $2"
		head -20 "$1" | diag
	fi
}

lacks() {
	if grep -q -- "$2" "$1"; then fail "$(basename "$1") has: $2"; else ok "$(basename "$1") lacks: $2"; fi
}

# pattrackctl list's table (standard input) as pat_memtype_list lines
list_to_table() {
	sed -n '2,$ s/^\(0x[0-9a-f]*-0x[0-9a-f]*\) \{1,\}\([a-z-]*\).*/PAT: [mem \1] \2/p'
}

# with_tmp: $tmp, a new directory, and $pids, the processes a suite starts
# (add to it); at exit every one is stopped and the directory removed.
with_tmp() {
	tmp=$(mktemp -d)
	pids=
	trap 'for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
}

# The plan, last; the exit status says whether everything passed.
finish() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit
}
