#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Boots Debian's own kernel (linux-image-amd64) under qemu (TCG) in a busybox
# initramfs with an ivshmem device, runs every scenario of docs/kernel-notes.md
# on its BAR2 (pat-scenario), and checks the kernel's own memtype list and
# x86/PAT log after each against tests/vm/expected.txt.
#
#   run-scenarios.sh PAT_SCENARIO_BINARY SOURCE_DIR [PATTRACKCTL [PATTRACKD [DRM_MAP]]]
#
# With PATTRACKCTL, and linux-headers-amd64 to build pattrack_shim.ko, the
# guest also records every scenario with "pattrackctl record
# --source=netlink", and each trace, replayed here, must end in exactly the
# kernel's own pat_memtype_list, with the invalid frees and conflicts the
# kernel logged.
# Last, the shim is unloaded while a recorder listens and a loop maps: rmmod
# must work, the kernel log stay clean and the recorder end normally.
#
# With DRM_MAP too, real drivers: e1000, bochs (std VGA) and virtio-gpu from
# the kernel package's modules, each source recording their load, unbind
# and bind three times, framebuffer and dumb-buffer mmaps, devmem and
# rmmod; every trace must end in the kernel's list with no leak verdict,
# and "pattrackctl run --fail-on=leak" must pass around loading and
# binding drivers and fail around tests/vm/leaky, a module that leaks.
#
# With PATTRACKD too, and dbus-daemon and busctl on this machine, the guest
# also runs pattrackd on a bus of its own with the bpf source: after a few
# scenarios, pattrackctl and busctl must show the kernel's list, and
# pattrackctl monitor must have seen the Anomaly signals.
#
# PATTRACK_VM_KEEP=DIR keeps the guest's output and the traces there.
# PATTRACK_VM_ONLY=overhead runs the overhead benchmark alone (it needs
# PATTRACKCTL and the shim) and prints its figures, checking nothing.
#
# Results as TAP (tests/lib.sh); skipped, with the reason, where qemu,
# busybox or the kernel is not installed.
set -u
scenario_bin=$1
src=$2
ctl=${3:-}
daemon=${4:-}
drm_map=${5:-}
here=$src/tests/vm
. "$src/tests/lib.sh"

command -v gawk >/dev/null || skip_all "gawk not installed"
command -v qemu-system-x86_64 >/dev/null || skip_all "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
busybox=$(command -v busybox) || skip_all "busybox not installed (apt-get install busybox-static)"
# PATTRACK_VM_KERNEL: a flavour of Debian 12's kernels (6.1, 6.12, 6.1-rt) or a release
# ("6.1.0-57-amd64"); the newest installed release of the flavour is booted
flavour=${PATTRACK_VM_KERNEL:-6.1}
not=-rt-
case $flavour in
6.1) pattern='6.1.*-amd64' package=linux-image-amd64 ;;
6.12) pattern='6.12.*-amd64' package=linux-image-6.12-amd64 ;;
6.1-rt) pattern='6.1.*-rt-amd64' package=linux-image-rt-amd64 not='^$' ;;
*) pattern=$flavour package="the kernel $flavour" not='^$' ;;
esac
kernel=$(ls /boot/vmlinuz-$pattern 2>/dev/null | grep -v -- "$not" | sort -V | tail -n 1)
[ -n "$kernel" ] || skip_all "no $flavour kernel in /boot (apt-get install $package, and its headers)"
ldd "$scenario_bin" >/dev/null 2>&1 && skip_all "$scenario_bin is not static"

# copy_libs BINARY: its shared libraries into the initramfs
copy_libs() {
	for lib in $(ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$work/root$lib" ] && continue
		mkdir -p "$work/root$(dirname "$lib")"
		cp -L "$lib" "$work/root$lib"
	done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev" "$work/root/tmp"
cp "$busybox" "$work/root/bin/busybox"
for a in sh mount cat echo grep sed seq dmesg poweroff sleep; do
	ln -s busybox "$work/root/bin/$a"
done
cp "$scenario_bin" "$work/root/bin/pat-scenario"

# the shim, built against the guest kernel's headers, and pattrackctl with its libraries
release=$(basename "$kernel" | sed 's/^vmlinuz-//')
if [ -n "$ctl" ]; then
	[ -d "/usr/src/linux-headers-$release" ] ||
		skip_all "no headers for $release to build pattrack_shim.ko (apt-get install linux-headers-$release)"
	# the real drivers come from the image's modules: without them their checks would not run
	[ -f "/lib/modules/$release/modules.dep" ] ||
		skip_all "no modules for $release (/lib/modules/$release/modules.dep): reinstall linux-image-$release"
	mkdir -p "$work/shim"
	cp -r "$src/kmod" "$src/include" "$src/VERSION" "$work/shim/"
	make -s -C "$work/shim/kmod" KDIR="/usr/src/linux-headers-$release" >"$work/kbuild.log" 2>&1 ||
		{ diag <"$work/kbuild.log"; bail "pattrack_shim.ko does not build"; }
	cp "$work/shim/kmod/pattrack_shim.ko" "$work/root/"
	# a real driver to load while a recorder runs (its device is -device e1000, no network)
	e1000=/lib/modules/$release/kernel/drivers/net/ethernet/intel/e1000/e1000.ko
	if [ -f "$e1000" ]; then
		cp "$e1000" "$work/root/e1000.ko"
	elif [ -f "$e1000.xz" ]; then
		xz -dc "$e1000.xz" >"$work/root/e1000.ko"
	fi
	# real drivers from the kernel package, with what they need, for busybox's modprobe
	if [ -n "$drm_map" ] && [ -f "/lib/modules/$release/modules.dep" ]; then
		mods=/lib/modules/$release
		mkdir -p "$work/root$mods"
		# uncompressed (6.12's are .ko.xz), for busybox's modprobe
		sed 's/\.ko\.xz/.ko/g' "$mods/modules.dep" >"$work/root$mods/modules.dep"
		for m in e1000 bochs virtio_pci virtio-gpu; do
			grep "/$m\.ko[^:]*:" "$mods/modules.dep" | tr -d ':' | tr ' ' '\n'
		done | sort -u | while read -r ko; do
			[ -n "$ko" ] || continue
			mkdir -p "$work/root$mods/${ko%/*}"
			case $ko in
			*.xz) xz -dc "$mods/$ko" >"$work/root$mods/${ko%.xz}" ;;
			*) cp "$mods/$ko" "$work/root$mods/$ko" ;;
			esac
		done
		mkdir -p "$work/leaky"
		cp "$here/leaky/leaky.c" "$here/leaky/Kbuild" "$work/leaky/"
		make -s -C "/usr/src/linux-headers-$release" M="$work/leaky" modules >"$work/leaky.log" 2>&1 ||
			{ diag <"$work/leaky.log"; bail "tests/vm/leaky does not build"; }
		cp "$work/leaky/leaky.ko" "$work/root/"
		cp "$drm_map" "$work/root/bin/drm-map"
		cp "$here/driver-phase" "$work/root/bin/driver-phase"
		for a in modprobe devmem readlink basename ls head tr; do
			ln -sf busybox "$work/root/bin/$a"
		done
	fi
	cp "$ctl" "$work/root/bin/pattrackctl"
	for a in insmod rmmod gzip base64; do
		ln -s busybox "$work/root/bin/$a"
	done
	copy_libs "$ctl"
	if [ -n "$daemon" ] && command -v dbus-daemon >/dev/null && command -v busctl >/dev/null; then
		cp "$daemon" "$work/root/bin/pattrackd"
		cp "$(command -v dbus-daemon)" "$(command -v busctl)" "$work/root/bin/"
		# util-linux's setpriv, by a name busybox's own applet does not take
		cp "$(command -v setpriv)" "$work/root/bin/util-setpriv"
		for b in "$daemon" "$(command -v dbus-daemon)" "$(command -v busctl)" "$(command -v setpriv)"; do
			copy_libs "$b"
		done
		mkdir -p "$work/root/etc" "$work/root/run"
		# the capabilities pattrackd.service leaves it, and no others
		sed -n 's/^CapabilityBoundingSet=//p' "$src/systemd/pattrackd.service.in" |
			tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g; s/^/-all,+/' >"$work/root/etc/caps"
		printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$work/root/etc/passwd"
		printf 'root:x:0:\npattrack:x:990:\nnogroup:x:65534:\n' >"$work/root/etc/group"
		sed "s|@SOCKET@|/run/bus|; s|@POLICY@|/etc/org.pattrack.Tracker1.conf|" \
			"$src/tests/dbus/system-bus.conf.in" >"$work/root/etc/bus.conf"
		cp "$src/systemd/org.pattrack.Tracker1.conf" "$work/root/etc/"
		ln -s busybox "$work/root/bin/kill"
	fi
fi
cp "$here/guest-init" "$work/root/init"
chmod +x "$work/root/init"
sed -n 's/^scenario \([^ ]*\)$/\1/p' "$here/expected.txt" >"$work/root/scenarios"
(cd "$work/root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$work/init.cpio.gz"

# Figures, not pass/fail checks.  Each line of the guest has the loop's
# time and its process's CPU time, in guest nanoseconds; the median round
# is kept.  On one CPU the wall-clock time includes the recorder, which a
# machine with a core to spare runs beside the loop; the CPU time is what
# the probes cost the mapping process itself.
# replay_trace T: T.jsonl.b64 decoded to T.jsonl, then replayed: the anomalies to
# T.json (pattrackctl's complaints to T.err), the final table to T.replayed
replay_trace() {
	base64 -d "$1.jsonl.b64" 2>/dev/null | gunzip >"$1.jsonl" 2>/dev/null
	"$ctl" replay --json "$1.jsonl" >"$1.json" 2>"$1.err"
	"$ctl" replay "$1.jsonl" 2>/dev/null | sed '/^$/q' | sed '/^$/d' >"$1.replayed"
	touch "$1.table"
}

# drift_evidence T: the first drift anomalies of T.json and, for each of
# their ranges, the events of T.jsonl before it that name its start, and
# the syncs among them: what a
# failing run in CI, which keeps no trace, needs to be understood
drift_evidence() {
	python3 - "$1.json" "$1.jsonl" <<'PY' || true
import json, sys
drift = [a for a in json.load(open(sys.argv[1]))["anomalies"] if a["kind"] == "drift"][:3]
lines = open(sys.argv[2], errors="replace").read().splitlines()
for a in drift:
    print("drift: " + json.dumps(a)[:600])
    key, at = '"start":"%s"' % a["start"], '"seq":%d,' % a.get("seq", 0)
    i = next((i for i, l in enumerate(lines) if at in l and key in l), len(lines) - 1)
    near = [l for l in lines[max(0, i - 120):i + 1]
            if key in l or '"event":"sync' in l or '"event":"settled"' in l]
    for l in near[-20:]:
        print("  " + l[:200])
PY
}

# missed PROGRAMS FILE: the calls the kernel ran no BPF program of PROGRAMS (a
# pattern) for, as the recorder said in FILE
missed() {
	awk -v re="did not run $1 for" '$0 ~ re { for (i = 1; i < NF; i++) if ($i == "for") n += $(i + 1) }
		END { print n + 0 }' "$2"
}

figures() {
	gawk -f "$here/figures.awk" "$work/out"
}

# The overhead benchmark boots apart, on one virtual CPU counting
# instructions (-icount): guest time is then instructions executed, one
# nanosecond each, whatever else the host is doing.  Wall-clock time on a
# shared host moved by 20% between rounds of one boot, more than what is
# being measured.
only=${PATTRACK_VM_ONLY:-}
# an RT kernel disables the serial line's interrupt as spurious (and the guest stalls) unless told
flavour_append=
case $release in *-rt-*) flavour_append=" noirqdebug" ;; esac
case $only in
"")
	# an e1000 without a network behind it (-nic none: no default NIC): nothing leaves the guest
	# std VGA is bochs-drm's, virtio-gpu a second graphics device
	machine="-accel tcg,thread=multi -smp 2 -nic none -device e1000 -vga std -device virtio-gpu-pci"
	append=
	;;
overhead)
	[ -n "$ctl" ] || skip_all "the overhead benchmark needs pattrackctl"
	machine="-accel tcg,thread=single -icount shift=0,sleep=off -smp 1 -nic none"
	append=" pattrack.only=overhead pattrack.rounds=${PATTRACK_VM_ROUNDS:-2} nokaslr norandmaps"
	;;
*)
	echo "PATTRACK_VM_ONLY takes overhead"
	exit 2
	;;
esac

diag "booting $kernel"
# under meson's 900 s for the suite, so that a guest that hangs ends here,
# with its console in the output, and not in meson killing the harness
# shellcheck disable=SC2086
timeout 780 qemu-system-x86_64 $machine -cpu max -m 512 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/init.cpio.gz" \
	-append "console=ttyS0 quiet panic=-1$append$flavour_append" \
	-object memory-backend-ram,id=shm,size=2M -device ivshmem-plain,memdev=shm \
	</dev/null >"$work/console" 2>&1
tr -d '\r' <"$work/console" | sed 's/^.*=== /=== /' >"$work/out"
grep -q '^=== done' "$work/out" || { diag <"$work/out"; bail "the guest did not finish"; }
if [ -n "$only" ]; then
	grep -q '^=== shim 1' "$work/out" || bail "pattrack_shim.ko did not load"
	figures
	exit 0
fi

# whatever ran, the kernel must not have complained: no BUG, WARNING or Oops in its log
sed -n '/^=== kernel complaints$/,/^=== kernel complaints end$/p' "$work/out" | sed '1d;$d' >"$work/complaints"
if grep -q '^=== kernel complaints end$' "$work/out" && [ ! -s "$work/complaints" ]; then
	ok "$release: no BUG, WARNING or Oops in the kernel log"
else
	fail "$release: the kernel complained"
	diag <"$work/complaints"
fi

# Turn the guest's output into the form of expected.txt: addresses as page
# numbers relative to the scenario's window, log lines reduced to their kind.
gawk -f "$here/expected-form.awk" "$work/out" >"$work/got"

# with the shim every scenario ran twice: recorded by netlink, then by bpf ("bpf-NAME")
cp "$here/expected.txt" "$work/expected"
[ -n "$ctl" ] && sed 's/^scenario /scenario bpf-/' "$here/expected.txt" >>"$work/expected"
if diff -u "$work/expected" "$work/got" >"$work/expected.diff"; then
	ok "$(grep -c '^scenario' "$work/got") scenarios: the kernel's table and log are tests/vm/expected.txt"
else
	diag <"$work/expected.diff"
	fail "the kernel's table or log differs from tests/vm/expected.txt"
fi

# each recorded trace, replayed, against the kernel's own list and log
if [ -n "$ctl" ]; then
	grep -q '^=== shim 1' "$work/out" && ok "pattrack_shim.ko loaded" || fail "pattrack_shim.ko did not load"
	mkdir -p "$work/traces"
	gawk -v dir="$work/traces" -f "$here/split-scenarios.awk" "$work/out"
	for s in $(cat "$work/root/scenarios") $(sed 's/^/bpf-/' "$work/root/scenarios"); do
		t=$work/traces/$s
		replay_trace "$t"
		if [ ! -s "$t.jsonl" ]; then
			fail "$s: no trace recorded"
			continue
		fi
		if ! cmp -s "$t.table" "$t.replayed"; then
			fail "$s: the replayed trace does not end in the kernel's list"
			diff -u "$t.table" "$t.replayed" | diag
			continue
		fi
		touch "$t.log"
		want_if=$(grep -c 'freeing invalid memtype' "$t.log")
		want_cf=$(grep -c 'conflicting memory types' "$t.log")
		got_if=$(grep -o '"kind":"invalid-free"' "$t.json" | wc -l)
		got_cf=$(grep -o '"kind":"conflict"' "$t.json" | wc -l)
		drift=$(grep -o '"kind":"drift"' "$t.json" | wc -l)
		if [ "$want_if" != "$got_if" ] || [ "$want_cf" != "$got_cf" ] || [ "$drift" != 0 ]; then
			fail "$s: kernel logged $want_if invalid frees and $want_cf conflicts; the replay found $got_if, $got_cf and $drift drift"
			continue
		fi
		if [ "${s#bpf-}" = burst ]; then
			# 10 x 5,000 map/unmap: every reserve and free there, or counted lost
			res=$(grep -c '"event":"reserve".*"ret":0' "$t.jsonl")
			fre=$(grep -c '"event":"free".*"ret":0' "$t.jsonl")
			# what the recorder said of this scenario alone
			sed -n "/^=== scenario $s [0-9]*\$/,/^=== trace\$/p" "$work/out" >"$t.said"
			# calls the kernel ran no BPF program for (PREEMPT_RT), by program
			mres=$(missed '[a-z_]*reserve' "$t.said") mfre=$(missed '[a-z_]*free' "$t.said")
			mall=$(missed '[a-z_]*' "$t.said")
			nlost=$(($(grep -o '"kind":"loss"[^}]*"lost":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			excused=$(($(grep -o '"drift_excused":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			if [ $((res + mres)) -ne 50000 ] || [ $((fre + mfre)) -ne 50000 ] ||
			   [ "$nlost" -ne "$mall" ] || grep -q 'events lost before sequence number' "$t.said"; then
				fail "burst: $res reserves and $fre frees recorded of 50000 each; the kernel skipped $mres and $mfre ($mall calls in all), the replay's loss anomalies count $nlost"
				diag <"$t.said"
				continue
			fi
			[ "$mall" -eq 0 ] ||
				diag "$s: the kernel ran no program for $mres reserves, $mfre frees ($mall calls in all): $nlost lost in the loss anomalies, $excused drift put down to them"
		fi
		ok "$s: $(grep -c '"event"' "$t.jsonl") events recorded, replay ends in the kernel's list ($(grep -c '^PAT:' "$t.table") entries), $got_if invalid frees, $got_cf conflicts"
	done
	diag "vm: $((2 * $(wc -w <"$work/root/scenarios"))) traces recorded (netlink and bpf) and replayed"

	# pattrackctl run --fail-on=leak: 1 on the leaky run, naming the leak and its stack; 0 on the clean one
	leaky=$(sed -n 's/^=== run leaky \([0-9]*\)$/\1/p' "$work/out")
	clean=$(sed -n 's/^=== run clean \([0-9]*\)$/\1/p' "$work/out")
	sed -n '/^=== run leaky/,/^=== run clean/p' "$work/out" >"$work/run-leaky"
	if [ "$leaky" = 1 ] && [ "$clean" = 0 ] &&
	   grep -q '^  leak .* write-combining pid [0-9]* *pat-scenario' "$work/run-leaky" &&
	   grep -q 'remap_pfn_range' "$work/run-leaky"; then
		ok "run --fail-on=leak: exit 1 on the partial munmap, naming the leak and its stack; exit 0 on a clean run"
	else
		fail "run --fail-on=leak exited $leaky on the partial munmap and $clean on a clean run"
		diag <"$work/run-leaky"
	fi

	# its JUnit report: valid by the schema, the leak case failed by the leak, the command's case passed
	sed -n '/^=== junit$/,/^=== junit end$/p' "$work/out" | sed '1d;$d' | tr -d '\r' >"$work/junit.xml"
	if xmllint --noout --schema "$src/tests/junit/junit.xsd" "$work/junit.xml" 2>"$work/junit.err" &&
	   grep -q '<failure type="leak" message="1 leak anomaly">' "$work/junit.xml" &&
	   grep -q 'pat-scenario.*still reserved after the process exited' "$work/junit.xml" &&
	   grep -q 'remap_pfn_range' "$work/junit.xml" &&
	   grep -q '<testcase classname="pattrack.command" name="/bin/pat-scenario exits 0" time="[0-9.]*"/>' "$work/junit.xml"; then
		ok "run --junit: a valid JUnit report, the leak case failed by the leak with its owner and stack, the command's status case passed"
	else
		fail "run --junit: the report is not as expected"
		cat "$work/junit.err" "$work/junit.xml" | head -n 30 | diag
	fi

	# the debugfs source and a provoked loss: each trace, replayed, ends in the kernel's list
	gawk -v dir="$work/traces" -f "$here/split-special.awk" "$work/out"
	for s in debugfs loss; do
		t=$work/traces/special-$s
		replay_trace "$t"
		if [ ! -s "$t.jsonl" ] || ! cmp -s "$t.table" "$t.replayed"; then
			fail "$s: the replayed trace does not end in the kernel's list"
			diff -u "$t.table" "$t.replayed" | diag
			continue
		fi
		case $s in
		debugfs)
			n=$(grep -c '"event":"sync","reason":"poll"' "$t.jsonl")
			if [ "$n" -lt 1 ] || grep -q '"event":"reserve"' "$t.jsonl"; then
				fail "debugfs: $n poll syncs in the trace, or events it cannot see"
				continue
			fi
			ok "debugfs source: $n table changes polled; replay ends in the kernel's list ($(grep -c '^PAT:' "$t.table") entries)"
			;;
		loss)
			lost=$(grep -o '"kind":"loss"' "$t.json" | wc -l)
			syncs=$(grep -c '"event":"sync","reason":"loss"' "$t.jsonl")
			drift=$(grep -o '"kind":"drift"' "$t.json" | wc -l)
			if [ "$lost" -lt 1 ] || [ "$syncs" -ne "$lost" ] || [ "$drift" -ne 0 ]; then
				fail "loss: a 2 KiB socket under a burst gave $lost loss anomalies, $syncs resyncs and $drift drift"
				drift_evidence "$t" | diag
				continue
			fi
			nlost=$(($(grep -o '"lost":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			excused=$(($(grep -o '"drift_excused":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			ok "loss: a starved netlink socket lost $nlost events in $lost gaps; each a loss anomaly and a resync, $excused drift put down to them, none left; replay ends in the kernel's list"
			# pattrackctl shim, read right after: the shim dropped exactly what the recorder missed
			sed -n '/^=== shim status$/,/^=== shim end$/p' "$work/out" >"$work/shim-status"
			field() { sed -n "s/^$1: \([0-9]*\)$/\1/p" "$work/shim-status"; }
			sent=$(field sent) dropped=$(field dropped) seq=$(field seq)
			if grep -q '^probes: reserve free exit fork unbind modules$' "$work/shim-status" && [ "${dropped:-x}" = "$nlost" ] &&
				[ "${sent:-0}" -gt 0 ] && [ $((${sent:-0} + ${dropped:-0})) -le "${seq:-0}" ]; then
				ok "pattrackctl shim: $sent sent, $dropped dropped (as many as the recorder counted lost), last sequence number $seq; all six probes attached"
			else
				fail "pattrackctl shim after the loss test (the recorder counted $nlost lost):"
				diag <"$work/shim-status"
			fi
			;;
		esac
	done

	# PREEMPT_RT: two loops pinned to the two CPUs, by each source: every reserve and
	# free in the trace, or counted lost (a sequence gap, or a call the kernel ran no
	# BPF program for); the replay ends in the kernel's list with no drift
	case $release in
	*-rt-*)
		for src in netlink bpf; do
			s=pinned-$src t=$work/traces/special-pinned-$src
			rc=$(sed -n "s/^=== special $s \([0-9]*\)\$/\1/p" "$work/out")
			sed -n "/^=== said $s\$/,/^=== said end\$/p" "$work/out" >"$t.said"
			replay_trace "$t"
			if [ "$rc" != 0 ] || [ ! -s "$t.jsonl" ] || ! cmp -s "$t.table" "$t.replayed"; then
				fail "$s: exit ${rc:-none}, or the replayed trace does not end in the kernel's list"
				diff -u "$t.table" "$t.replayed" | diag
				diag <"$t.said"
				continue
			fi
			res=$(grep -c '"event":"reserve".*"ret":0' "$t.jsonl")
			fre=$(grep -c '"event":"free".*"ret":0' "$t.jsonl")
			mres=$(missed '[a-z_]*reserve' "$t.said") mfre=$(missed '[a-z_]*free' "$t.said")
			mall=$(missed '[a-z_]*' "$t.said")
			gaps=$(awk '/events lost before sequence number/ { for (i = 1; i < NF; i++) if ($(i + 1) == "events") n += $i }
				END { print n + 0 }' "$t.said")
			nlost=$(($(grep -o '"kind":"loss"[^}]*"lost":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			excused=$(($(grep -o '"drift_excused":[0-9]*' "$t.json" | sed 's/.*://' | paste -sd+ -) + 0))
			drift=$(grep -o '"kind":"drift"' "$t.json" | wc -l)
			# with no gap the count is exact by kind; a gap may have been either kind
			if [ "$drift" -ne 0 ] || [ "$nlost" -ne $((mall + gaps)) ] ||
			   { [ "$gaps" -eq 0 ] && { [ $((res + mres)) -ne 40000 ] || [ $((fre + mfre)) -ne 40000 ]; }; } ||
			   [ $((res + fre)) -gt 80000 ] || [ $((res + fre + nlost)) -lt 80000 ]; then
				fail "$s: $res reserves and $fre frees of 40000 each; the kernel skipped $mres and $mfre ($mall calls in all), $gaps in sequence gaps; the loss anomalies count $nlost; $drift drift"
				diag <"$t.said"
				continue
			fi
			ok "$s: two loops on two CPUs, $res reserves and $fre frees recorded of 40000 each; $((mall + gaps)) events lost ($mall calls the kernel ran no program for, $gaps sequence gaps), all in the loss anomalies; $excused drift put down to them, none left; replay ends in the kernel's list"
		done
		;;
	esac

	# real drivers, phase by phase, with each source: the replay ends in the kernel's list,
	# no driver's mapping is called a leak, and each phase did what it says
	if [ -n "$drm_map" ] && grep -q '^=== special drv-' "$work/out"; then
		for src in netlink bpf; do
			for phase in load rebind mmap unload; do
				t=$work/traces/special-drv-$src-$phase
				name="$src: drivers $phase"
				rc=$(sed -n "s/^=== special drv-$src-$phase //p" "$work/out")
				sed -n "/^=== drvout $src $phase\$/,/^=== drvout end\$/p" "$work/out" >"$t.out"
				replay_trace "$t"
				if [ "$rc" != 0 ] || [ ! -s "$t.jsonl" ]; then
					fail "$name: exit ${rc:-?}"
					cat "$t.out" "$t.err" | diag
					continue
				fi
				if ! cmp -s "$t.table" "$t.replayed"; then
					fail "$name: the replayed trace does not end in the kernel's list"
					diff -u "$t.table" "$t.replayed" | diag
					continue
				fi
				leaks=$(grep -o '"kind":"leak"' "$t.json" | wc -l)
				drift=$(grep -o '"kind":"drift"' "$t.json" | wc -l)
				if [ "$leaks" != 0 ] || [ "$drift" != 0 ]; then
					fail "$name: $leaks leak and $drift drift verdicts where drivers hold their own"
					"$ctl" replay "$t.jsonl" 2>&1 | grep -A3 'leak\|drift' | diag
					continue
				fi
				reserves=$(grep -c '"event":"reserve"' "$t.jsonl")
				unbinds=$(grep -c '"event":"unbind"' "$t.jsonl")
				what=
				case $phase in
				load)
					# the drivers' probes, named though loaded after the recorder read the symbols
					# virtio_pci maps its BARs at its probe: on 6.12, built in, before the recorder
					want_vp='vp_modern_map_capability+0x[0-9a-f]* \[virtio_pci_modern_dev\]'
					grep -q 'virtio_pci_modern_dev' "/lib/modules/$release/modules.builtin" && want_vp=
					for f in 'e1000_probe+0x[0-9a-f]* \[e1000\]' '\[bochs\]' ${want_vp:+"$want_vp"}; do
						if ! grep '"event":"reserve"' "$t.jsonl" | grep -q "$f"; then
							what="no reserve's stack has $f"
						fi
					done
					held=$(grep -o '"owner":"driver"' "$t.json" | wc -l)
					[ "$held" -gt 0 ] || what="no entry owned by a driver"
					summary="$reserves reserves, $held entries held by drivers, stacks name e1000_probe [e1000], [bochs]${want_vp:+, vp_modern_map_capability [virtio_pci_modern_dev]}"
					;;
				rebind)
					for d in e1000 bochs-drm virtio-pci; do
						n=$(grep '"event":"unbind"' "$t.jsonl" | grep -c "\"driver\":\"$d\"")
						[ "$n" -ge 3 ] || what="$d: $n unbind events, not 3 or more"
					done
					summary="$unbinds unbind events (e1000, bochs-drm, virtio-pci, 3 times each), $reserves reserves"
					;;
				mmap)
					# bochs serves both mappings from memory it holds already: drm-map may reserve nothing
					grep -q '^drm-map: .* of the framebuffer .* mapped, written, forked$' "$t.out" &&
						grep -q '^drm-map: .* dumb buffer mapped, written, forked$' "$t.out" ||
						what="drm-map did not map both"
					grep '"event":"reserve"' "$t.jsonl" | grep -q '"comm":"devmem"' || what="no reserve by devmem"
					summary="framebuffer and dumb-buffer mmaps, forked ($(grep '"event":"reserve"' "$t.jsonl" | grep -c '"comm":"drm-map"') reserves by drm-map), devmem on ivshmem BAR0 ($(grep '"event":"reserve"' "$t.jsonl" | grep -c '"comm":"devmem"') reserves)"
					;;
				unload)
					[ "$unbinds" -gt 0 ] && grep -q '"event":"unload"' "$t.jsonl" ||
						what="$unbinds unbinds and no unload event"
					summary="$unbinds unbinds, $(grep -c '"event":"unload"' "$t.jsonl") unloads, $(grep -c '"event":"free".*"ret":0' "$t.jsonl") frees"
					;;
				esac
				if [ -n "$what" ]; then
					fail "$name: $what"
					diag <"$t.out"
					continue
				fi
				ok "$name: replay ends in the kernel's list ($(grep -c '^PAT:' "$t.table") entries), 0 leaks; $summary"
			done
		done

		# pattrackctl run --fail-on=leak around drivers: 0 for loading and binding, 1 for leaky
		drvrun() { sed -n "/^=== drvrun $1 /,/^=== drvrun end\$/p" "$work/out"; }
		for r in modprobe-e1000 bind-e1000 modprobe-bochs e1000-and-back; do
			drvrun "$r" >"$work/drvrun-$r"
			# any anomaly but a leak is reported and passes: bochs's VRAM is degraded for real
			if grep -q "^=== drvrun $r 0\$" "$work/drvrun-$r" && ! grep -q '^  leak ' "$work/drvrun-$r"; then
				ok "run --fail-on=leak -- $r: exit 0, no leak$(sed -n 's/^pattrackctl run: .*; \([0-9]*\) anomalies:$/, \1 anomalies/p' "$work/drvrun-$r")$(sed -n 's/^\([0-9]*\) kernel mappings made for drivers.*/, \1 mappings held by drivers listed/p' "$work/drvrun-$r")"
			else
				fail "run --fail-on=leak -- $r"
				diag <"$work/drvrun-$r"
			fi
		done
		for r in leaky-netlink leaky-bpf; do
			drvrun "$r" >"$work/drvrun-$r"
			n=$(grep -c 'module leaky unloaded; its .* (BAR[0-9] of [0-9a-f:.]*) is still reserved' "$work/drvrun-$r")
			if grep -q "^=== drvrun $r 1\$" "$work/drvrun-$r" && [ "$n" = 2 ] &&
				grep -q 'uncached-minus ioremap' "$work/drvrun-$r" && grep -q 'write-combining memtype reservation' "$work/drvrun-$r"; then
				ok "run --fail-on=leak -- insmod leaky.ko && rmmod leaky (${r#leaky-}): exit 1, its ioremap and its WC reservation named as leaks of module leaky on their device"
			else
				fail "run --fail-on=leak -- insmod leaky.ko && rmmod leaky (${r#leaky-}): $n leaks named"
				diag <"$work/drvrun-$r"
			fi
		done
	fi

	# without CAP_NET_ADMIN the shim's events group is closed
	nocap=$(sed -n 's/^=== nocap //p' "$work/out" | head -n 1)
	if [ -n "$nocap" ] && [ "$nocap" != 0 ] &&
		sed -n '/^=== nocap /,/^=== nocap end$/p' "$work/out" | grep -q 'needs CAP_NET_ADMIN'; then
		ok "without CAP_NET_ADMIN, record --source=netlink is refused the events group (exit $nocap)"
	else
		fail "record --source=netlink without capabilities:"
		sed -n '/^=== nocap /,/^=== nocap end$/p' "$work/out" | diag
	fi

	# e1000's frames named though it was loaded after the recorder read the symbols
	if [ -f "$work/root/e1000.ko" ]; then
		for s in netlink bpf; do
			set -- $(sed -n "s/^=== e1000 $s //p" "$work/out")
			if [ "${1:-x}" = 0 ] && [ "${2:-0}" -gt 0 ]; then
				ok "$s: e1000 loaded while recording: $2 reserves name e1000_probe [e1000]"
			else
				fail "$s: e1000 loaded while recording: insmod exit ${1:-?}, ${2:-no} reserves name e1000_probe [e1000]"
				sed -n "/^=== e1000 $s /,/^=== e1000 /p" "$work/out" | diag
			fi
		done
		sed -n '/^=== e1000 run /,/^=== e1000 end$/p' "$work/out" >"$work/run-e1000"
		if grep -q '^=== e1000 run 0$' "$work/run-e1000" && grep -q ' 0 anomalies:$' "$work/run-e1000" &&
			grep -q ' uncached-minus ioremap, held by e1000 for [0-9a-f:.]* BAR0; reserved by pid [0-9]* (insmod)$' "$work/run-e1000"; then
			ok "run --fail-on=leak -- insmod e1000.ko: exit 0, e1000 listed as holding its BAR mapping"
		else
			fail "run --fail-on=leak -- insmod e1000.ko"
			diag <"$work/run-e1000"
		fi
	fi

	# pattrackd in the guest, on a bus of its own, with the bpf source
	if [ -x "$work/root/bin/pattrackd" ]; then
		# daemon_run TAG: one run's "=== TAG PART" sections, the kernel's table and
		# pattrackctl list as files, and what the kernel log and the monitor count
		daemon_run() {
			tag=$1
			sect() { sed -n "/^=== $tag $1\$/,/^=== $tag /p" "$work/out" | sed '1d;$d'; }
			sect table | grep '^PAT: ' >"$work/$tag-table"
			sect list | list_to_table >"$work/$tag-list"
			sect log >"$work/$tag-log"
			sect monitor >"$work/$tag-monitor"
			n=$(wc -l <"$work/$tag-table")
			want_if=$(grep -c 'freeing invalid memtype' "$work/$tag-log")
			want_cf=$(grep -c 'conflicting memory types' "$work/$tag-log")
			got_if=$(grep -c '"kind":"invalid-free"' "$work/$tag-monitor")
			got_cf=$(grep -c '"kind":"conflict"' "$work/$tag-monitor")
			got_dg=$(grep -c '"kind":"degraded"' "$work/$tag-monitor")
			got_lk=$(grep -c '"kind":"leak".*"comm":"pat-scenario"' "$work/$tag-monitor")
		}
		daemon_run daemon
		sect busctl >"$work/daemon-busctl"
		sect caps >"$work/daemon-caps"
		# CAP_BPF 39, CAP_PERFMON 38, CAP_SYSLOG 34, CAP_NET_ADMIN 12: pattrackd.service's set
		caps_ok=
		grep -q '^CapEff:[[:space:]]*000000c400001000$' "$work/daemon-caps" &&
			grep -q '^CapBnd:[[:space:]]*000000c400001000$' "$work/daemon-caps" && caps_ok=1
		if [ "$n" -gt 0 ] && cmp -s "$work/daemon-table" "$work/daemon-list" &&
		   grep -q "^a(ttsistsbsssi) $n " "$work/daemon-busctl" && grep -q "^t $n\$" "$work/daemon-busctl" &&
		   [ "$want_if" = "$got_if" ] && [ "$want_cf" = "$got_cf" ] && [ "$got_cf" -gt 0 ] &&
		   [ "$got_dg" -gt 0 ] && [ "$got_lk" -gt 0 ] && [ -n "$caps_ok" ]; then
			ok "pattrackd in the guest (bpf), with only its unit's capabilities: pattrackctl list and busctl show the kernel's $n entries;" \
				"monitor saw $got_if invalid frees, $got_cf conflicts (as the kernel logged), $got_dg degraded, $got_lk leaks"
		else
			fail "pattrackd in the guest: $n kernel entries; monitor saw $got_if/$want_if invalid frees," \
				"$got_cf/$want_cf conflicts, $got_dg degraded, $got_lk leaks; capabilities: $(cat "$work/daemon-caps")"
			diff -u "$work/daemon-table" "$work/daemon-list" | diag
			cat "$work/daemon-busctl" "$work/daemon-monitor" | diag
			sed -n '/^=== daemon stderr$/,/^=== daemon end$/p' "$work/out" | diag
		fi

		# the same rules live: leaky's two reservations are its leaks, e1000's none
		if [ -n "$drm_map" ]; then
			n=$(grep -c 'module leaky unloaded; its .* is still reserved' "$work/daemon-monitor")
			if [ "$n" = 2 ] && grep -q '"owner":"driver","driver":"leaky"' "$work/daemon-monitor" &&
			   ! grep -q 'e1000 (.*) unbound\|module e1000 unloaded' "$work/daemon-monitor"; then
				ok "pattrackd live (bpf): after modprobe/rmmod e1000 and insmod/rmmod leaky, the Anomaly signal names leaky's 2 reservations as its leaks, e1000's none"
			else
				fail "pattrackd live (bpf): $n leaks of module leaky signalled, wanted 2 and none of e1000's"
				diag <"$work/daemon-monitor"
			fi
		fi

		# the same daemon with the netlink source: no fd to wait on, read every 10 ms
		daemon_run nldaemon
		if [ "$n" -gt 0 ] && cmp -s "$work/nldaemon-table" "$work/nldaemon-list" && sect status | grep -q 'netlink' &&
		   [ "$want_if" = "$got_if" ] && [ "$got_if" -gt 0 ] && [ "$want_cf" = "$got_cf" ] &&
		   [ "$got_cf" -gt 0 ] && [ "$got_lk" -gt 0 ]; then
			ok "pattrackd in the guest (netlink): pattrackctl list shows the kernel's $n entries;" \
				"monitor saw $got_if invalid frees, $got_cf conflicts (as the kernel logged), $got_lk leaks"
		else
			fail "pattrackd in the guest (netlink): $n kernel entries; monitor saw $got_if/$want_if invalid frees," \
				"$got_cf/$want_cf conflicts, $got_lk leaks"
			diff -u "$work/nldaemon-table" "$work/nldaemon-list" | diag
			sed -n '/^=== nldaemon status$/,/^=== nldaemon end$/p' "$work/out" | diag
		fi

		# no tracer open to it: the debugfs fallback, the kernel's conflict lines followed
		tag=kmsgdaemon
		sect log >"$work/kmsgdaemon-log"
		sect anomalies >"$work/kmsgdaemon-anomalies"
		want_cf=$(grep -c 'conflicting memory types' "$work/kmsgdaemon-log")
		got_cf=$(grep -o '"kind": *"conflict"' "$work/kmsgdaemon-anomalies" | wc -l)
		kpid=$(sed -n 's/.*x86\/PAT: pat-scenario:\([0-9]*\) conflicting memory types.*/\1/p' "$work/kmsgdaemon-log" | head -n 1)
		if sect status | grep -q 'debugfs' && [ "$want_cf" -gt 0 ] && [ "$want_cf" = "$got_cf" ] &&
		   grep -q "\"pid\": *${kpid:-x}," "$work/kmsgdaemon-anomalies" &&
		   grep -q '"comm": *"pat-scenario"' "$work/kmsgdaemon-anomalies"; then
			ok "pattrackd with no tracer it may use (CAP_SYSLOG only): debugfs, and the kernel log's $got_cf conflicts are anomalies of pid $kpid (pat-scenario)"
		else
			fail "pattrackd on the debugfs fallback: $got_cf conflict anomalies, the kernel logged $want_cf"
			sed -n '/^=== kmsgdaemon status$/,/^=== kmsgdaemon end$/p' "$work/out" | diag
		fi
	fi

	# record with no tracer: the kernel's conflict lines are in the trace, and a replay says them
	t=$work/traces/special-kmsg
	if grep -q '^=== special kmsg ' "$work/out"; then
		replay_trace "$t"
		sed -n '/^=== kmsgrec log$/,/^=== kmsgrec end$/p' "$work/out" >"$t.log"
		want_cf=$(grep -c 'conflicting memory types' "$t.log")
		got_cf=$(grep -o '"kind":"conflict"' "$t.json" | wc -l)
		lines=$(grep -c '"event":"kmsg"' "$t.jsonl")
		if grep -q '^=== special kmsg 0$' "$work/out" && grep -q '"source":"debugfs"' "$t.jsonl" &&
		   [ "$want_cf" -gt 0 ] && [ "$got_cf" = "$want_cf" ] && [ "$lines" -ge "$want_cf" ] &&
		   grep -q '"comm":"pat-scenario"' "$t.json"; then
			ok "record with no tracer (shim unloaded, BPF closed): debugfs, $lines kernel log lines in the trace; the replay has the $got_cf conflicts the kernel logged, by pat-scenario"
		else
			fail "record with no tracer: $lines log lines, $got_cf conflicts replayed, the kernel logged $want_cf"
			sed -n '/^=== kmsgrec$/,/^=== kmsgrec end$/p' "$work/out" | diag
		fi
	fi

	# the shim unloaded under a listener and a mapping loop: nothing in the kernel log
	rmmod_rc=$(sed -n 's/^=== unload rmmod //p' "$work/out")
	rec_rc=$(sed -n 's/^=== unload record //p' "$work/out")
	reserves=$(sed -n 's/^=== unload reserves //p' "$work/out")
	sed -n '/^=== unload dmesg$/,/^=== unload end$/p' "$work/out" | sed '1d;$d' >"$work/unload-dmesg"
	if [ "$rmmod_rc" = 0 ] && [ "$rec_rc" = 0 ] && [ "${reserves:-0}" -gt 0 ] &&
		! grep -qE 'BUG|WARNING|Oops|RIP:|refcount_t' "$work/unload-dmesg"; then
		ok "rmmod pattrack_shim while a recorder listened and a loop mapped ($reserves reserves recorded): clean, and the recorder ended normally"
	else
		fail "unloading the shim under a listener: rmmod ${rmmod_rc:-?}, recorder ${rec_rc:-?}, ${reserves:-no} reserves recorded"
		sed -n '/^=== unload rmmod/,/^=== unload end$/p' "$work/out" | diag
	fi

fi
if [ -n "${PATTRACK_VM_KEEP:-}" ]; then
	mkdir -p "$PATTRACK_VM_KEEP"
	cp "$work/out" "$PATTRACK_VM_KEEP/guest-output"
	[ -d "$work/traces" ] && cp "$work/traces/"* "$PATTRACK_VM_KEEP/"
fi
[ "$tap_failed" -eq 0 ] || { diag "guest output:"; diag <"$work/out"; }
finish
