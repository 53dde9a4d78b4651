#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boots Debian's own kernel (linux-image-amd64) under qemu (TCG) in a busybox
# initramfs with an ivshmem device, runs every scenario of KERNEL-FACTS.md
# on its BAR2 (pat-scenario), and checks the kernel's own memtype list and
# x86/PAT log after each against tests/vm/expected.txt.
#
#   run-scenarios.sh PAT_SCENARIO_BINARY SOURCE_DIR
#
# Exit 77 (skipped, with the reason) where qemu, busybox or the kernel is
# not installed.
set -u
scenario_bin=$1
src=$2
here=$src/tests/vm

skip() { echo "SKIP: $*"; exit 77; }

command -v gawk >/dev/null || skip "gawk not installed"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
busybox=$(command -v busybox) || skip "busybox not installed (apt-get install busybox-static)"
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || skip "no Debian kernel in /boot (apt-get install linux-image-amd64)"
ldd "$scenario_bin" >/dev/null 2>&1 && skip "$scenario_bin is not static"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$busybox" "$work/root/bin/busybox"
for a in sh mount cat echo grep sed dmesg poweroff sleep; do
	ln -s busybox "$work/root/bin/$a"
done
cp "$scenario_bin" "$work/root/bin/pat-scenario"
cp "$here/guest-init" "$work/root/init"
chmod +x "$work/root/init"
sed -n 's/^scenario \([^ ]*\)$/\1/p' "$here/expected.txt" >"$work/root/scenarios"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/init.cpio.gz"

echo "booting $kernel"
timeout 600 qemu-system-x86_64 -accel tcg -cpu max -m 512 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/init.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1" \
	-object memory-backend-ram,id=shm,size=1M -device ivshmem-plain,memdev=shm \
	</dev/null >"$work/console" 2>&1
tr -d '\r' <"$work/console" | sed 's/^.*=== /=== /' >"$work/out"
grep -q '^=== done' "$work/out" || { cat "$work/out"; echo "FAIL: the guest did not finish"; exit 1; }

# Turn the guest's output into the form of expected.txt: addresses as page
# numbers relative to the scenario's window, log lines reduced to their kind.
gawk '
	function page(hex) { return (strtonum("0x" hex) - bar) / 4096 - base }
	/^=== bar2 / { bar = strtonum($3); next }
	/^=== scenario / { name = $3; base = $4; print "scenario " name; next }
	/^=== rc / { if ($3 != 0) print "  exit " $3; next }
	/^=== table/ { section = "table"; next }
	/^=== log/ { section = "log"; next }
	/^=== end/ { section = ""; next }
	section == "table" && /^PAT: \[mem / {
		split($3, r, "-"); sub(/\]$/, "", r[2]);
		s = strtonum(r[1]); e = strtonum(r[2]);
		if (s < bar + base * 4096 || e > bar + (base + 16) * 4096) next;
		printf "  entry %d-%d %s\n", (s - bar) / 4096 - base, (e - bar) / 4096 - base, $4; next
	}
	section == "log" && /freeing invalid memtype/ {
		match($0, /\[mem 0x[0-9a-f]+-0x[0-9a-f]+\]/); m = substr($0, RSTART + 5, RLENGTH - 6);
		split(m, r, "-"); printf "  log invalid-free %d-%d\n", page(substr(r[1], 3)), page(substr(r[2], 3)) + 1; next
	}
	section == "log" && /conflicting memory types/ {
		for (i = 1; i <= NF; i++) if ($i == "types") { split($(i + 1), r, "-"); t = $(i + 2) }
		printf "  log conflict %d-%d %s\n", page(r[1]), page(r[2]), t; next
	}
	section == "log" && /memtype_reserve failed/ { print "  log reserve-failed"; next }
	section == "log" && /x86\/PAT:/ { print "  log other: " $0; next }
' "$work/out" >"$work/got"

if diff -u "$here/expected.txt" "$work/got"; then
	echo "vm: $(grep -c '^scenario' "$work/got") scenarios match the kernel"
	exit 0
fi
echo "FAIL: the kernel's table or log differs from tests/vm/expected.txt (guest output follows)"
cat "$work/out"
exit 1
