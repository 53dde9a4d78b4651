#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# image.sh RELEASE DIR [NEXT]: a Debian 12 root filesystem that boots with
# systemd, for the package test (tests/vm/systemd/run.sh), as DIR/base.raw
# (ext4). debootstrap takes the mirror from this machine's apt sources at
# run time; the guest gets the kernel RELEASE's image and headers, dkms and
# a compiler, and what pattrack's packages need to run, so that they
# install with no network; and another kernel NEXT's image, with the
# packages of its headers in /var/cache/pattrack-next-kernel (where apt's
# sandbox user may read them): installed in the guest, they are the kernel
# upgrade DKMS must follow. Kept between runs: rebuilt only when the
# releases or this script change. Needs root.
set -eu

release=$1
out=$2
next=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
key="$release ${next:--} $(sha256sum "$here/image.sh" | cut -c1-16)"
if [ -f "$out/base.raw" ] && [ "$(cat "$out/base.key" 2>/dev/null)" = "$key" ]; then
	echo "image: $out/base.raw is up to date ($key)"
	exit 0
fi

# the first mirror of the machine's sources that serves bookworm itself
mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print u; exit } }')
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "image: no bookworm mirror in the apt sources" >&2; exit 1; }
[ -d "/lib/modules/$release" ] || { echo "image: no modules for $release here" >&2; exit 1; }

root=$out/root
umount "$root/proc" 2>/dev/null || true	# from a run that could not clean up
rm -rf --one-file-system "$root" "$out/base.raw" "$out/base.key"
mkdir -p "$root"
echo "image: debootstrap bookworm from the machine's mirror"
debootstrap --variant=minbase --include=systemd-sysv,dbus,kmod,udev,procps,util-linux,e2fsprogs \
	bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1 ||
	{ tail -n 20 "$out/debootstrap.log"; exit 1; }

# the machine's sources, for the kernel's packages (which may be a security
# update); only Debian's own, for other repositories' keys are not in the guest
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list.d/*.sources; do
	if [ -f "$f" ] && grep -q 'debian' "$f"; then
		cp "$f" "$root/etc/apt/sources.list.d/"
	fi
done
if ! ls "$root"/etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
	grep '^deb .*debian' /etc/apt/sources.list >"$root/etc/apt/sources.list" 2>/dev/null ||
		echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
fi
mount -t proc proc "$root/proc"
# unmounted however this ends: a mount left behind would keep rm -rf from the tree
trap 'umount "$root/proc" 2>/dev/null || true' EXIT
trap 'exit 1' INT TERM HUP
chroot "$root" sh -c "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends linux-image-$release linux-headers-$release dkms gcc make libc6-dev \
	libjson-c5 libnl-genl-3-200 libbpf1 libsystemd0" >"$out/apt.log" 2>&1 ||
	{ tail -n 20 "$out/apt.log"; exit 1; }
chroot "$root" apt-get clean
if [ -n "$next" ]; then
	# its image now (its initramfs is slow to make in the guest), its headers for the guest
	chroot "$root" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends linux-image-$next && apt-get clean &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only \
		--no-install-recommends linux-headers-$next" >>"$out/apt.log" 2>&1 ||
		{ tail -n 20 "$out/apt.log"; exit 1; }
	mkdir -p "$root/var/cache/pattrack-next-kernel"
	mv "$root"/var/cache/apt/archives/*.deb "$root/var/cache/pattrack-next-kernel/"
fi
chroot "$root" apt-get clean
umount "$root/proc"
trap - EXIT
echo "/dev/vda / ext4 defaults 0 1" >"$root/etc/fstab"
echo pattrack-guest >"$root/etc/hostname"
# a root with no password on the serial console, for looking around by hand
sed -i 's/^root:[^:]*:/root::/' "$root/etc/shadow"
# the test, run once at boot, then poweroff (tests/vm/systemd/run.sh writes /root/test)
cat >"$root/etc/systemd/system/pattrack-test.service" <<'UNIT'
[Unit]
Description=pattrack package test
After=multi-user.target
ConditionPathExists=/root/test

[Service]
Type=oneshot
ExecStart=/bin/sh -c '/bin/sh /root/test >/root/results 2>&1; cat /root/results >/dev/ttyS0'
ExecStartPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
TimeoutStartSec=1500

[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/pattrack-test.service \
	"$root/etc/systemd/system/multi-user.target.wants/pattrack-test.service"

size=$(( $(du -sm "$root" | cut -f1) + 1536 ))
mkfs.ext4 -q -F -L pattrack -d "$root" "$out/base.raw" "${size}M"
rm -rf "$root"
echo "$key" >"$out/base.key"
echo "image: $out/base.raw built (${size} MiB)"
