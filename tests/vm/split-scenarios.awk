# SPDX-License-Identifier: GPL-2.0-or-later
# Each scenario's sections of the guest's output into files of their own
# in the folder DIR (gawk -v dir=DIR): NAME.table (the kernel's list),
# NAME.log (its x86/PAT lines) and NAME.jsonl.b64 (the recorded trace).
/^=== special / { exit }
/^=== scenario / { name = $3; next }
/^=== table/ { section = "table"; next }
/^=== log/ { section = "log"; next }
/^=== trace/ { section = "trace"; next }
/^=== end/ { section = ""; next }
section == "table" { print > (dir "/" name ".table") }
section == "log" { print > (dir "/" name ".log") }
section == "trace" { print > (dir "/" name ".jsonl.b64") }
