#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon/ in layers: every include of another folder names a layer below
# its own (docs/design.md), so no folder includes one above it and there
# is no cycle.  Each file is one result.
#   test-layers.sh SOURCE_DIR
set -u
src=$1
. "$src/tests/lib.sh"

# below LAYER: the layers it may include besides itself
below() {
	case $1 in
	core) echo "" ;;
	host) echo "core" ;;
	source) echo "core host" ;;
	ctl | service) echo "core host source" ;;
	*) echo "?" ;;
	esac
}

for f in "$src"/daemon/*/*.[ch]; do
	layer=$(basename "$(dirname "$f")")
	allowed=" $layer $(below "$layer") "
	bad=
	for inc in $(sed -n 's|^#include "\([a-z]*\)/.*"$|\1|p' "$f"); do
		case $allowed in
		*" $inc "*) ;;
		*) bad="$bad $inc" ;;
		esac
	done
	name=${f#"$src"/}
	if [ -z "$bad" ]; then ok "$name includes only its layer and those below"; else
		fail "$name ($layer) includes$bad"; fi
done
finish
