#!/bin/bash
# smoke.sh - the installed Debian packages: files where Debian wants them,
# the tapd user, the default policy as a conffile, tapd started as its
# installed unit starts it, and a tap granted through the installed tapvm to
# an unprivileged member of kvm on virbr0 (the default policy's grant); with
# tapd-qemu-bridge-helper, QEMU's -nic bridge, libvirt's session and
# virt-install --network bridge= with no setting reach virbr0 through tapd.
# Run as root after `dpkg -i tapd_*.deb tapvm_*.deb` (scripts/test does).
TAPD=/usr/sbin/tapd TAPVM=/usr/bin/tapvm TAPD_CLIENT=/bin/false
. "$(dirname "$0")/../integration/lib.sh"
dpkg-query -W tapd tapvm >/dev/null 2>&1 || skip "the tapd and tapvm packages are not installed"
setup smoke
UNIT=$(dpkg -L tapd | grep '/tapd\.service$')

# --- what the packages installed ------------------------------------------------------
for f in /usr/sbin/tapd /usr/bin/tapvm /usr/bin/xkvm /usr/libexec/tapd-bridge-helper; do
	check "$f is installed" test -x "$f"
done
check "tapd-bridge-helper has no setuid bit" test ! -u /usr/libexec/tapd-bridge-helper
check "the units are installed" test -n "$UNIT" -a -e "${UNIT%.service}.socket"
check "the tapd user exists (sysusers.d, run by the postinst)" sh -c "id -u tapd >/dev/null"
check "... and the kvm group its policy and unit name" sh -c "getent group kvm >/dev/null"
check "/etc/tapd/tapd.conf is a conffile" grep -qx /etc/tapd/tapd.conf /var/lib/dpkg/info/tapd.conffiles
check "... granting kvm virbr0 with a modest quota, and nothing else" \
	test "$(grep -v '^#' /etc/tapd/tapd.conf | grep .)" = "allow group:kvm virbr0 4"
check "... which tapd accepts" sh -c "/usr/sbin/tapd --check >/dev/null"
check "tapd.socket is enabled" test -L /etc/systemd/system/sockets.target.wants/tapd.socket
for p in tapvm xkvm tapd tapd.conf tapd-bridge-helper; do
	check "man $p finds its page" sh -c "man -w $p >/dev/null"
done
v=$(sed -n "s/^  version : '\(.*\)',$/\1/p" "$(dirname "$0")/../../meson.build")
check "tapd --version says $v" sh -c "/usr/sbin/tapd --version | grep -q '^tapd $v '"
check "tapvm --version says $v" sh -c "/usr/bin/tapvm --version | grep -q '^tapvm $v '"
check_eq "the package is version $v-1" "$v-1" "$(dpkg-query -W -f '${Version}' tapd)"

# --- tapd as its unit starts it -------------------------------------------------------------
# User=, AmbientCapabilities= and ExecStart= from the installed unit; setpriv
# and systemd-socket-activate do what systemd would (no systemd runs here).
user=$(sed -n 's/^User=//p' "$UNIT")
sup=$(sed -n 's/^SupplementaryGroups=//p' "$UNIT")
sup_gid=$(getent group "$sup" | cut -d: -f3)
cap=$(sed -n 's/^AmbientCapabilities=CAP_//p' "$UNIT" | tr A-Z a-z)
read -r -a exec <<<"$(sed -n 's/^ExecStart=//p' "$UNIT")"
check_eq "the unit runs tapd as tapd with CAP_NET_ADMIN, in group kvm (vhost-net)" \
	"tapd net_admin /usr/sbin/tapd kvm" "$user $cap ${exec[0]} $sup"
nsx ip link add virbr0 address 02:00:00:00:10:00 type bridge
nsx ip link set virbr0 up
SOCK=$TMP/tapd.sock
ip netns exec "$NS" systemd-socket-activate --seqpacket -l "$SOCK" \
	setpriv --reuid="$user" --regid="$user" --groups="$sup_gid" --no-new-privs \
	--inh-caps=-all,+"$cap" --ambient-caps=+"$cap" --bounding-set=-all,+"$cap" \
	"${exec[@]}" 2>"$TMP/tapd.log" &
PIDS+=($!)
wait_for 50 test -S "$SOCK"
chmod 666 "$SOCK"	# the unit's SocketMode=0666

# --- a tap through the installed tapvm -----------------------------------------------------
kvm=$(getent group kvm | cut -d: -f3)
as_user --groups="$kvm" -- env TAPD_SOCKET="$SOCK" /usr/bin/tapvm run --accel tcg --name smoke \
	-n virbr0 --timeout 5 -- -nographic -nodefaults </dev/null >"$TMP/run.out" 2>&1 &
RUN=$!
PIDS+=("$RUN")
listed() { nsx /usr/sbin/tapd --list | grep -Eq "^tapd[0-9a-f]+ +nobody +[0-9]+ +virbr0 +[0-9]+s +smoke$"; }
check "a member of kvm got a tap on virbr0 (tapd --list)" wait_for 100 listed
out=$(as_user --groups="$kvm" -- env TAPD_SOCKET="$SOCK" /usr/bin/tapvm taps)
check "... and sees it (tapvm taps)" grep -Eq "^tapd[0-9a-f]+ +virbr0 .* smoke$" <<<"$out"
wait "$RUN"
check_eq "tapvm ended QEMU at --timeout (81)" 81 "$?"
check "the tap went with QEMU" sh -c "! ip netns exec $NS /usr/sbin/tapd --list | grep -q smoke"
out=$(as_user -- env TAPD_SOCKET="$SOCK" /usr/bin/tapvm run --accel tcg -n virbr0 --qemu /bin/true 2>&1); rc=$?
check_eq "outside kvm: refused (77)" 77 "$rc"
check "... saying why" grep -q "may not use bridge virbr0" <<<"$out"
check "... naming the group that would grant it" grep -q "the policy grants it to group kvm, which nobody is not in" <<<"$out"

# --- tapd-qemu-bridge-helper: QEMU's default helper path is tapd's ----------------------
QBH=/usr/lib/qemu/qemu-bridge-helper
if dpkg-query -W -f '${Status}' tapd-qemu-bridge-helper 2>/dev/null | grep -q ' installed$'; then
	check "tapd-qemu-bridge-helper diverts QEMU's helper" \
		sh -c "dpkg-divert --list $QBH | grep -q 'to $QBH.qemu by tapd-qemu-bridge-helper'"
	check "... and its path is tapd-bridge-helper" test "$(readlink -f "$QBH")" = /usr/libexec/tapd-bridge-helper
	# "${IN_RUN[@]}" CMD...: as the user in group kvm, in a mount namespace
	# whose /run/tapd is this test's (libvirt runs helpers with a cleaned
	# environment: they find tapd only at /run/tapd/tapd.sock). Each program
	# execs the next: started with &, $! is CMD's pid.
	IN_RUN=(ip netns exec "$NS" unshare --mount --propagation private sh -c '
		mount -t tmpfs none /run && mkdir /run/tapd && mount --bind "$0" /run/tapd && exec "$@"' \
		"$TMP" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --groups="$kvm")
	in_run() { "${IN_RUN[@]}" "$@"; }
	on_virbr0() { nsx /usr/sbin/tapd --list | grep -Eq "^tapd[0-9a-f]+ +nobody +[0-9]+ +virbr0 "; }
	no_virbr0_tap() { ! on_virbr0; }
	# QEMU's -nic bridge with no helper=: QEMU runs its default helper path.
	check "no tap is on virbr0 before" wait_for 50 no_virbr0_tap
	"${IN_RUN[@]}" env -i PATH=/usr/bin:/bin qemu-system-x86_64 -S -nodefaults -display none \
		-nic bridge,br=virbr0,model=virtio-net-pci </dev/null >"$TMP/nic.out" 2>&1 &
	QPID=$!
	PIDS+=("$QPID")
	check "QEMU's -nic bridge (no helper=) gets a tap on virbr0 from tapd" wait_for 100 on_virbr0
	kill "$QPID"; wait "$QPID"
	check "... which goes with QEMU" wait_for 50 no_virbr0_tap
	[ "$failed" = 0 ] || sed 's/^/nic: /' "$TMP/nic.out"
	# libvirt's qemu:///session with no bridge_helper setting.
	if command -v virsh >/dev/null && [ -x /usr/sbin/libvirtd ]; then
		mkdir -p "$TMP/home" "$TMP/xdg" && chmod 700 "$TMP/xdg"
		chown -R "$TEST_UID" "$TMP/home" "$TMP/xdg"
		cat >"$TMP/dom.xml" <<XML
<domain type='qemu'>
  <name>tapd-smoke</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>
    <emulator>$(command -v qemu-system-x86_64)</emulator>
    <interface type='bridge'><source bridge='virbr0'/><model type='virtio'/></interface>
  </devices>
</domain>
XML
		chmod 644 "$TMP/dom.xml"
		lv() { in_run env -i HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/xdg" PATH=/usr/bin:/bin:/usr/sbin:/sbin virsh -q -c qemu:///session "$@"; }
		out=$(lv create "$TMP/dom.xml" 2>&1); rc=$?
		check_eq "libvirt's session with no bridge_helper: a bridge interface starts" 0 "$rc"
		[ "$rc" = 0 ] || echo "$out" | sed 's/^/libvirt: /'
		check "... with a tap from tapd on virbr0" wait_for 100 on_virbr0
		lv destroy tapd-smoke >/dev/null 2>&1
		check "... gone with the domain" wait_for 50 no_virbr0_tap
		if command -v virt-install >/dev/null; then
			out=$(in_run env -i HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/xdg" PATH=/usr/bin:/bin:/usr/sbin:/sbin \
				virt-install --connect qemu:///session --name tapd-vi --memory 64 --vcpus 1 \
				--virt-type qemu --osinfo detect=off,name=generic --disk none --pxe \
				--network bridge=virbr0,model=virtio --graphics none --noautoconsole \
				--transient 2>&1); rc=$?
			check_eq "virt-install --network bridge=virbr0 (the session, no setting)" 0 "$rc"
			[ "$rc" = 0 ] || echo "$out" | sed 's/^/virt-install: /'
			check "... gets its tap from tapd" wait_for 100 on_virbr0
			lv destroy tapd-vi >/dev/null 2>&1
			check "... gone with the domain" wait_for 50 no_virbr0_tap
		else
			echo "# SKIP part: virt-install is missing (package virtinst)"
		fi
		pkill -u "$TEST_UID" -x libvirtd; pkill -u "$TEST_UID" -x virtlogd
	else
		echo "# SKIP part: libvirt is not installed: its session is not tried"
	fi
else
	echo "# SKIP part: tapd-qemu-bridge-helper is not installed"
fi

# systemctl reload: the unit's ExecReload= is a SIGHUP, which rereads the policy.
reload=$(sed -n 's/^ExecReload=//p' "$UNIT")
check_eq "the unit reloads with SIGHUP, not a restart" '/bin/kill -HUP $MAINPID' "$reload"
main=$(pgrep -o -x -u tapd tapd)
if [ -n "$main" ]; then
	MAINPID=$main sh -c "${reload//\$MAINPID/\$MAINPID}"
	check "... and tapd rereads its policy then" wait_for 30 grep -q "policy reloaded" "$TMP/tapd.log"
else
	echo "# SKIP part: tapd (idle) has exited: its reload is not tried"
fi
check "tapvm suggests virt-viewer (for tapvm vnc)" sh -c "dpkg-query -W -f '\${Suggests}' tapvm | grep -q virt-viewer"
[ "$failed" = 0 ] || sed 's/^/run: /' "$TMP/run.out"

finish
