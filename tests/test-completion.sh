#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pattrackctl's bash completion, sourced in bash with bash-completion as a
# user's shell has it: verbs, each verb's options, kinds, sources; and every
# verb and option it offers is one pattrackctl takes.
#
#   test-completion.sh PATTRACKCTL SOURCE_DIR
set -u
ctl=$(realpath "$1")
src=$(realpath "$2")
. "$src/tests/lib.sh"

command -v bash >/dev/null || skip_all "bash is not installed"
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || skip_all "bash-completion is not installed (apt-get install bash-completion)"
comp=$src/daemon/ctl/pattrackctl.bash-completion

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# complete LINE...: what TAB offers at the end of each LINE, one "LINE -> WORDS" a line.
# The words as readline splits them: '=' is a word of its own.
complete() {
	bash -c '
		. "$1"
		. "$2"
		shift 2
		for line in "$@"; do
			COMP_LINE=$line
			COMP_POINT=${#COMP_LINE}
			read -r -a COMP_WORDS <<<"${line//=/ = }"
			[[ $line == *" " || $line == *= ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_pattrackctl pattrackctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
			echo "$line -> ${COMPREPLY[*]}"
		done' sh "$bc" "$comp" "$@"
}

expect() {	# expect LINE WORDS: TAB at the end of LINE offers exactly WORDS
	got=$(complete "$1" | sed 's/^.* -> //')
	if [ "$got" = "$2" ]; then ok "'$1<TAB>': $got"; else fail "'$1<TAB>': '$got', wanted '$2'"; fi
}

verbs=$(complete "pattrackctl " | sed 's/^.* -> //')
expect "pattrackctl re" "replay record"
expect "pattrackctl replay --" "--help --json --strict --fail-on= --junit="
expect "pattrackctl replay --fail-on=" "conflict degraded invalid-free leak drift loss all"
expect "pattrackctl replay --fail-on=leak,co" "leak,conflict"
expect "pattrackctl run --source=ne" "netlink"
expect "pattrackctl anomalies in" "invalid-free"
expect "pattrackctl leaks --s" "--since="
# after --, the command run starts: completed as a command of its own
got=$(complete "pattrackctl run --fail-on=leak -- mkdi" | sed 's/^.* -> //')
case " $got " in
*" mkdir "*) ok "'pattrackctl run --fail-on=leak -- mkdi<TAB>': the command's name ($got)" ;;
*) fail "'pattrackctl run -- mkdi<TAB>': '$got'" ;;
esac
expect "pattrackctl record -o t.jsonl -- ls --al" "--all --almost-all"

# the verbs are pattrackctl's, all of them: its --help lists each at the start of a line
"$ctl" --help | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | sort -u >"$tmp/help"
echo "$verbs" | tr ' ' '\n' | sort -u >"$tmp/completed"
if cmp -s "$tmp/help" "$tmp/completed"; then ok "the completion's verbs are --help's: $(tr '\n' ' ' <"$tmp/help")"; else
	fail "the completion's verbs differ from --help's"; diff "$tmp/help" "$tmp/completed" | diag; fi
# and each option it offers for a verb is one that verb takes
bad=
for v in $verbs; do
	for opt in $(complete "pattrackctl $v --" | sed 's/^.* -> //'); do
		case $opt in
		--fail-on=) arg=--fail-on=leak ;;
		--source=) arg=--source=auto ;;
		--since=) arg=--since=0 ;;
		*=) arg=${opt}/dev/null ;;
		*) arg=$opt ;;
		esac
		"$ctl" "$v" "$arg" --help >/dev/null 2>&1 || bad="$bad $v:$opt"
	done
done
[ -z "$bad" ] && ok "every option offered is taken by its verb" || fail "offered, refused:$bad"
finish
