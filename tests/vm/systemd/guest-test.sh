#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The package test inside the Debian 12 guest booted with systemd, run once
# by pattrack-test.service: each check prints "ok - ..." or "not ok - ...",
# which tests/vm/systemd/run.sh reads back.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
cd /root || exit 1
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
prop() {
	busctl get-property org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 "$1" 2>&1
}
main_pid() { systemctl show -p MainPID --value pattrackd; }
# dkms's own lines for the shim, one per version and kernel, joined by "; "
shim_status() { dkms status pattrack-shim "$@" 2>/dev/null | grep '^pattrack-shim/' | sed ':a;N;$!ba;s/\n/; /g'; }
wait_active() {
	for _ in $(seq 60); do
		[ "$(systemctl is-active pattrackd)" = active ] && return 0
		sleep 1
	done
	return 1
}

dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x1af4:0x1110" ] && dev=$d
done
echo "=== kernel $(uname -r), systemd $(systemctl --version | sed -n 1p), ivshmem ${dev:-none}"

# install, from the local folder, with no network
if apt-get install -y ./debs/pattrack_*.deb ./debs/pattrack-shim-dkms_*.deb >apt.log 2>&1; then
	ok "apt install ./pattrack_*.deb ./pattrack-shim-dkms_*.deb: exit 0, no network"
else
	notok "apt install failed"
	tail -n 20 apt.log | sed 's/^/# /'
fi
st=$(shim_status)
case $st in
*", $(uname -r), x86_64: installed"*) ok "dkms built and installed the shim for $(uname -r): $st" ;;
*) notok "dkms: $st" ;;
esac
check "modprobe pattrack_shim loads the module dkms built" modprobe pattrack_shim
# a kernel upgrade: its headers' installation has DKMS build the shim for it too
nk=/var/cache/pattrack-next-kernel
if ls $nk/*.deb >/dev/null 2>&1; then
	if apt-get install -y --no-install-recommends $nk/*.deb >next-kernel.log 2>&1; then
		next=$(ls $nk/linux-headers-*-amd64_*.deb | sed 's|.*/linux-headers-\(.*-amd64\)_.*|\1|')
		st=$(shim_status -k "$next")
		case $st in
		*", $next, x86_64: installed"*) ok "a new kernel's headers installed ($next): dkms built the shim for it: $st" ;;
		*) notok "dkms after $next's headers: $st" ;;
		esac
	else
		notok "the next kernel's headers did not install"
		tail -n 10 next-kernel.log | sed 's/^/# /'
	fi
fi
check "pattrackd is active after the install (enabled and started)" wait_active
check "group pattrack exists" getent group pattrack
check "the journal catalog is applied (journalctl --list-catalog)" \
	sh -c 'journalctl --list-catalog | grep -q "pattrack: PAT memory-type conflict"'
echo "=== sources: $(prop Sources)"
kernel=$(grep -c '^PAT:' /sys/kernel/debug/x86/pat_memtype_list)
entries=$(prop EntryCount | sed 's/^t //')
if [ "$entries" = "$kernel" ]; then
	ok "busctl EntryCount $entries equals the kernel's list"
else
	notok "busctl EntryCount '$entries', the kernel's list $kernel"
fi

# the scenario driver: a conflict, a degraded mapping, a leak
if [ -n "$dev" ]; then
	/root/pat-scenario "$dev" conflict 0
	/root/pat-scenario "$dev" degraded 16
	/root/pat-scenario "$dev" partial-munmap-head 32
	sleep 8		# the leak is judged after pattrackd's grace period
	pattrackctl anomalies >anomalies.txt 2>&1
	for k in conflict degraded leak; do
		if grep -q "^ *$k" anomalies.txt || grep -q " $k " anomalies.txt; then
			ok "pattrackctl anomalies shows the $k"
		else
			notok "pattrackctl anomalies has no $k"
			sed 's/^/# /' anomalies.txt
		fi
	done
	journalctl -x -u pattrackd --no-pager >journal.txt 2>&1
	for s in "PAT memory-type conflict" "PAT memory type degraded" "PAT memtype reservation leaked"; do
		check "journalctl -x -u pattrackd explains: $s" grep -q "$s" journal.txt
	done
	# the unit keeps what symbolizing needs (CAP_SYSLOG: /proc/kallsyms' addresses)
	# (a frame a line: -o json gives the field whole, -o verbose its first line)
	journalctl -u pattrackd -o json --no-pager | grep '"PATTRACK_KIND":"conflict"' >conflict.json 2>&1
	if grep -q '"PATTRACK_STACK":"memtype_reserve[^"]*remap_pfn_range' conflict.json; then
		ok "the journal's conflict carries its stack, symbolized: $(grep -o '"PATTRACK_STACK":"[^"]*' conflict.json | head -n 1 | cut -c19-110)"
	else
		notok "no symbolized PATTRACK_STACK on the journal's conflict"
		grep -o '"PATTRACK_STACK":"[^"]*' conflict.json | head -n 3 | sed 's/^/# /'
	fi
	busctl call org.pattrack.Tracker1 /org/pattrack/Tracker1 org.pattrack.Tracker1 ListAnomalies s conflict \
		>conflicts.txt 2>&1
	if grep -q 'remap_pfn_range' conflicts.txt; then
		ok "ListAnomalies gives the conflict's stack, symbolized"
	else
		notok "ListAnomalies has no symbolized stack: $(head -c 300 conflicts.txt)"
	fi
else
	notok "no ivshmem device: the scenarios did not run"
fi
# the unit's copy of /proc/iomem, read with full privileges: ranges are named
# (RESOURCE is the column after RANGE, TYPE and OWNER: from the 89th character)
pattrackctl list >list.txt 2>&1
if awk '/^0x/ && substr($0, 89) ~ /[A-Za-z]/ { named = 1 } END { exit !named }' list.txt &&
   ! journalctl -u pattrackd --no-pager | grep -q 'shows every address as 0'; then
	ok "pattrackctl list names ranges by their resources: $(awk '/^0x/ && substr($0, 89) ~ /[A-Za-z]/' list.txt | head -n 1 | cut -c1-120)"
else
	notok "the resources are blank, or pattrackd read /proc/iomem as zeros"
	head -n 5 list.txt | sed 's/^/# /'
fi

# group pattrack guards the physical addresses
useradd -M outsider && useradd -M -G pattrack insider
if runuser -u outsider -- pattrackctl list >outsider.txt 2>&1; then
	notok "a user outside group pattrack read the table"
else
	ok "a user outside group pattrack is refused: $(tail -n 1 outsider.txt)"
fi
check "a user in group pattrack reads the table" runuser -u insider -- pattrackctl list

# a source asked for by name that this host cannot give: exit 78 once, no restart loop
systemctl stop pattrackd
rmmod pattrack_shim
mkdir -p /etc/pattrack/pattrackd.conf.d
printf '[Tracker]\nSource=netlink\n' >/etc/pattrack/pattrackd.conf.d/90-netlink.conf
systemctl start pattrackd >/dev/null 2>&1
sleep 5
st=$(systemctl show -p ExecMainStatus --value pattrackd)
nr=$(systemctl show -p NRestarts --value pattrackd)
if [ "$st" = 78 ] && [ "$nr" = 0 ] && [ "$(systemctl is-active pattrackd)" != active ]; then
	ok "Source=netlink without the shim: exit 78, not restarted ($(systemctl is-active pattrackd), $nr restarts)"
else
	notok "Source=netlink without the shim: status $st, $nr restarts, $(systemctl is-active pattrackd)"
	journalctl -u pattrackd -n 5 --no-pager | sed 's/^/# /'
fi
rm /etc/pattrack/pattrackd.conf.d/90-netlink.conf
rmdir /etc/pattrack/pattrackd.conf.d	# the package's purge removes only what it made
systemctl reset-failed pattrackd
modprobe pattrack_shim
systemctl start pattrackd
check "with Source= as shipped and the shim back, pattrackd starts again" wait_active

# the metrics for node_exporter, written through the unit's hardening (ReadWritePaths=)
mkdir -p /var/lib/prometheus/node-exporter
systemctl restart pattrackd
wait_active
sleep 6
prom=/var/lib/prometheus/node-exporter/pattrack.prom
if grep -q '^pattrack_up 1$' "$prom" && [ "$(stat -c %a "$prom")" = 644 ] &&
   grep -q '^pattrack_info{version=.*,source="\(bpf\|netlink\)",kernel="'"$(uname -r)"'"} 1$' "$prom"; then
	ok "pattrackd writes $prom (0644) under its unit: $(grep '^pattrack_info' "$prom")"
else
	notok "no metrics in $prom"
	journalctl -u pattrackd --no-pager | grep -i metrics | tail -n 3 | sed 's/^/# /'
fi
check "pattrackctl metrics is the same exposition" sh -c 'pattrackctl metrics | grep -q "^pattrack_up 1$"'

# bus activation, restart, kill -9, the watchdog
systemctl stop pattrackd
prop EntryCount >/dev/null
check "a call with pattrackd stopped activates it" wait_active
# ... with the state: a live mapping's owner and the anomalies come back
holder=
if [ -n "$dev" ]; then
	/root/pat-scenario "$dev" hold 48 &
	holder=$!
fi
sleep 7		# the mapping made, and the state written (every 5 s)
pattrackctl anomalies >anomalies.before 2>&1
state_back() {	# state_back WHAT: the holder's entry and the anomalies as before
	pattrackctl list >list.after 2>&1
	pattrackctl anomalies >anomalies.after 2>&1
	if [ -n "$holder" ] && grep -q "pid $holder (pat-scenario)" list.after &&
	   cmp -s anomalies.before anomalies.after && grep -q '^[1-9][0-9]* anomalies' anomalies.after; then
		ok "$1: the live mapping's owner (pid $holder) and the $(grep -o '^[0-9]* anomalies' anomalies.after) are back"
	else
		notok "$1: the state did not come back"
		grep -i "pat-scenario\|anomalies" list.after anomalies.after | head -n 5 | sed 's/^/# /'
	fi
	journalctl -u pattrackd --no-pager | grep 'state restored' | tail -n 1 | sed 's/^/# /'
}
pid=$(main_pid)
systemctl restart pattrackd
check "systemctl restart: active again" wait_active
state_back "systemctl restart"
pid=$(main_pid)
sleep 6		# the state of this run written
kill -9 "$pid"
sleep 2
if wait_active && [ "$(main_pid)" != "$pid" ]; then
	ok "kill -9: Restart= brought it back (pid $pid, now $(main_pid))"
else
	notok "kill -9: not restarted"
fi
state_back "kill -9 and Restart="
[ -n "$holder" ] && kill "$holder"
pid=$(main_pid)
kill -STOP "$pid"
sleep 40	# WatchdogSec=30s
if wait_active && [ "$(main_pid)" != "$pid" ]; then
	ok "the watchdog: stopped for 40 s, it was killed and restarted (pid $pid, now $(main_pid))"
else
	notok "the watchdog did not act on a stopped pattrackd"
	kill -CONT "$pid"
fi
exposure=$(systemd-analyze security pattrackd 2>/dev/null | sed -n 's/.*Overall exposure level for pattrackd.service: \([0-9.]*\).*/\1/p')
if [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
	ok "systemd-analyze security pattrackd: $exposure"
else
	notok "systemd-analyze security pattrackd: ${exposure:-none} (want 2.0 or less)"
fi

# an upgrade to the next version: the edited configuration stays, the
# service is restarted, DKMS builds the new shim and drops the old
echo "# edited by the package test" >>/etc/pattrack/pattrackd.conf
pid=$(main_pid)
old_version=$(dpkg-query -W -f='${Version}' pattrack)
if apt-get install -y ./debs/next/pattrack_*.deb ./debs/next/pattrack-shim-dkms_*.deb >upgrade.log 2>&1 &&
   grep -q 'edited by the package test' /etc/pattrack/pattrackd.conf && wait_active &&
   [ "$(main_pid)" != "$pid" ]; then
	ok "upgraded $old_version to $(dpkg-query -W -f='${Version}' pattrack): the edited /etc/pattrack/pattrackd.conf kept, pattrackd restarted (pid $pid, now $(main_pid))"
else
	notok "upgrade: configuration or restart"
	tail -n 5 upgrade.log | sed 's/^/# /'
fi
st=$(shim_status)
new_version=$(dpkg-query -W -f='${Version}' pattrack-shim-dkms)
case $st in
*"/$old_version,"*) notok "dkms after the upgrade still has the old shim: $st" ;;
*"/$new_version, $(uname -r), x86_64: installed"*) ok "dkms after the upgrade built $new_version and dropped $old_version: $st" ;;
*) notok "dkms after the upgrade: $st" ;;
esac

# remove stops it and keeps the configuration; purge leaves nothing behind
modprobe -r pattrack_shim
apt-get remove -y pattrack >remove.log 2>&1 || notok "apt remove failed"
if [ "$(systemctl is-active pattrackd)" != active ] && [ -f /etc/pattrack/pattrackd.conf ]; then
	ok "apt remove: pattrackd stopped ($(systemctl is-active pattrackd)), /etc/pattrack/pattrackd.conf kept"
else
	notok "apt remove: pattrackd $(systemctl is-active pattrackd)"
fi
apt-get purge -y pattrack pattrack-shim-dkms >purge.log 2>&1 || notok "apt purge failed"
left=
[ -e /lib/systemd/system/pattrackd.service ] && left="$left unit"
getent group pattrack >/dev/null && left="$left group"
[ -e /usr/share/dbus-1/system.d/org.pattrack.Tracker1.conf ] && left="$left policy"
[ -e /etc/pattrack ] && left="$left /etc/pattrack"
[ -n "$(dkms status pattrack-shim 2>/dev/null)" ] && left="$left dkms"
ls /lib/modules/*/updates/dkms/pattrack_shim* >/dev/null 2>&1 && left="$left module"
journalctl --list-catalog 2>/dev/null | grep -q pattrack && left="$left catalog"
if [ -z "$left" ]; then
	ok "apt purge leaves no unit, group, policy, module, catalog entry or /etc/pattrack"
else
	notok "apt purge left:$left"
fi
echo "=== done"
