# SPDX-License-Identifier: GPL-2.0-or-later
# The special runs' sections (the debugfs source, a provoked loss) into
# DIR/special-NAME.table and DIR/special-NAME.jsonl.b64 (gawk -v dir=DIR).
/^=== special / { name = $3; section = "table"; next }
/^=== trace/ && name { section = "trace"; next }
/^=== end/ { section = ""; name = ""; next }
section == "table" { print > (dir "/special-" name ".table") }
section == "trace" { print > (dir "/special-" name ".jsonl.b64") }
