#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh PAT_SCENARIO SRCDIR BUILDDIR: pattrack's Debian packages, built by
# .ci/packages into BUILDDIR/deb (lintian included), installed in a Debian
# 12 guest that boots systemd (image.sh builds it, kept in
# BUILDDIR/vm-systemd), checked there by guest-test.sh; TAP out. Needs
# root, qemu, debootstrap and the packaging tools (.ci/dev installs them).
set -u

scenario_bin=$1
src=$2
build=$3
debs=$build/deb
here=$src/tests/vm/systemd
. "$src/tests/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "the image is made as root (debootstrap, chroot)"
for tool in qemu-system-x86_64 debootstrap dpkg-buildpackage lintian debugfs; do
	command -v $tool >/dev/null || skip_all "$tool not installed (.ci/dev installs what this needs)"
done
if sh "$src/.ci/packages" "$debs" >"$build/packages.log" 2>&1; then
	ok "Debian packages built; lintian clean but for the overrides debian/ explains"
	diag <"$build/packages.log"
else
	diag <"$build/packages.log"
	bail "the packages did not build, or lintian found tags"
fi
kernel=$(ls /boot/vmlinuz-6.1.*-amd64 2>/dev/null | grep -v -- -rt- | sort -V | tail -n 1)
[ -n "$kernel" ] || skip_all "no 6.1 kernel in /boot (apt-get install linux-image-amd64)"
release=${kernel#/boot/vmlinuz-}
[ -f "/boot/initrd.img-$release" ] || skip_all "no initrd for $release"

cache=$build/vm-systemd
mkdir -p "$cache"
# another kernel's headers, for the guest to install as a kernel upgrade
next=$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sort -V | tail -n 1)
next=${next#/boot/vmlinuz-}
sh "$here/image.sh" "$release" "$cache" $next | diag || bail "the guest image could not be built"
[ -f "$cache/base.raw" ] || bail "the guest image could not be built"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
disk=$work/disk.raw
cp --sparse=always "$cache/base.raw" "$disk"
{
	echo "mkdir /root/debs"
	echo "mkdir /root/debs/next"
	for f in "$debs"/pattrack_*.deb "$debs"/pattrack-shim-dkms_*.deb; do
		echo "write $f /root/debs/$(basename "$f")"
	done
	for f in "$debs"/next/pattrack_*.deb "$debs"/next/pattrack-shim-dkms_*.deb; do
		echo "write $f /root/debs/next/$(basename "$f")"
	done
	echo "write $here/guest-test.sh /root/test"
	echo "write $scenario_bin /root/pat-scenario"
	echo "sif /root/pat-scenario mode 0100755"
} | debugfs -w "$disk" >"$work/debugfs.log" 2>&1 || { diag <"$work/debugfs.log"; bail "debugfs could not write the disk"; }

diag "booting $release with systemd, root on virtio-blk"
timeout 1800 qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -cpu max -m 1536 -nographic -no-reboot \
	-nic none -kernel "$kernel" -initrd "/boot/initrd.img-$release" \
	-drive "file=$disk,format=raw,if=virtio" \
	-append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=0" \
	-object memory-backend-ram,id=shm,size=2M -device ivshmem-plain,memdev=shm \
	</dev/null >"$work/console" 2>&1
debugfs -R "cat /root/results" "$disk" >"$work/results" 2>/dev/null
[ -s "$work/results" ] || { tail -n 40 "$work/console" | diag; bail "the guest wrote no results"; }
[ -n "${PATTRACK_VM_KEEP:-}" ] && { mkdir -p "$PATTRACK_VM_KEEP"; cp "$work/console" "$work/results" "$PATTRACK_VM_KEEP/"; }

while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	"=== done") done=1 ;;
	*) diag "$line" ;;
	esac
done <"$work/results"
[ -n "${done:-}" ] || fail "the guest's test did not finish"
finish
