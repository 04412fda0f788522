#!/bin/bash
# libvirt.sh - libvirt's qemu:///session, run by an unprivileged user,
# starts a domain with <interface type='bridge'>: with QEMU's own
# qemu-bridge-helper (not setuid here) it cannot; with bridge_helper set to
# tapd-bridge-helper in the session's qemu.conf the guest pings the host.
. "$(dirname "$0")/lib.sh"
command -v virsh >/dev/null || skip "virsh is missing (package libvirt-clients)"
[ -x /usr/sbin/libvirtd ] || skip "libvirtd is missing (package libvirt-daemon)"
setup libvirt
HELPER=${BRIDGE_HELPER:?BRIDGE_HELPER must name tapd-bridge-helper}	# the test uid's copy (setup)
guest_setup 2
GUEST_MAC=52:54:00:7a:9e:08
HOME_DIR=$TMP/home
mkdir -p "$HOME_DIR/.config/libvirt" "$TMP/xdg"
chown -R "$TEST_UID:$TEST_UID" "$HOME_DIR" "$TMP/xdg"
chmod 700 "$TMP/xdg"

mkdir -p "$TMP/etc.upper" "$TMP/etc.work"

# virsh ARG...: virsh on qemu:///session as the test uid, with the cleaned
# environment of a login. The session daemon it starts inherits a private
# /run in which /run/tapd is this test's directory: libvirt runs helpers
# with a cleaned environment, so the helper finds tapd only at
# /run/tapd/tapd.sock, as it would on a real host. And an /etc (an overlay:
# the host's is not touched) whose /etc/qemu/bridge.conf lets
# qemu-bridge-helper's own ACL allow br0, so that only privilege is missing.
virsh() {
	nsx unshare --mount --propagation private sh -c '
		mount -t tmpfs none /run && mkdir /run/tapd && mount --bind "$0" /run/tapd &&
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/etc.upper,workdir=$0/etc.work" /etc &&
		mkdir -p /etc/qemu && echo "allow br0" >/etc/qemu/bridge.conf && exec "$@"' \
		"$TMP" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
		env -i HOME="$HOME_DIR" XDG_RUNTIME_DIR="$TMP/xdg" PATH=/usr/bin:/bin:/usr/sbin:/sbin \
		virsh -q -c qemu:///session "$@"
}
stop_session() {
	pkill -u "$TEST_UID" -x libvirtd
	pkill -u "$TEST_UID" -x virtlogd
	wait_for 50 sh -c "! pgrep -u $TEST_UID -x 'libvirtd|virtlogd' >/dev/null"
}
# Whatever happened, no domain, daemon or QEMU of this test outlives it.
end_test() {
	virsh destroy tapvm-test >/dev/null 2>&1
	stop_session
	pkill -u "$TEST_UID" -f "qemu-system-.*guest=tapvm-test"
	cleanup
}
trap end_test EXIT

cat >"$TMP/dom.xml" <<XML
<domain type='qemu'>
  <name>tapvm-test</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$TMP/guest/vmlinuz</kernel>
    <initrd>$TMP/guest/initrd.img</initrd>
    <cmdline>$APPEND</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>$QEMU</emulator>
    <interface type='bridge'>
      <source bridge='br0'/>
      <mac address='$GUEST_MAC'/>
      <model type='virtio'/>
    </interface>
    <serial type='file'><source path='$HOME_DIR/console'/></serial>
  </devices>
</domain>
XML
chmod 644 "$TMP/dom.xml"
check "the session defines the domain" virsh define "$TMP/dom.xml"

# --- QEMU's own helper, as the session uses it by default ------------------------------
out=$(virsh start tapvm-test 2>&1); rc=$?
check "with qemu-bridge-helper (not setuid) the domain does not start" test "$rc" != 0
check "... for want of privilege" grep -q "failed to create tun device: Operation not permitted" <<<"$out"
[ "$failed" = 0 ] || echo "$out"
stop_session

doctor() { as_user -- env -i HOME="$HOME_DIR" TAPD_SOCKET="$SOCK" PATH=/usr/bin:/bin "$TAPVM" doctor; }
out=$(doctor)
check "doctor: the session would run QEMU's helper, which cannot work here" \
	grep -q "^warn  libvirt's session (virt-manager, GNOME Boxes) would run /usr/lib/qemu/qemu-bridge-helper for bridged NICs, which is not setuid: they fail; install tapd-qemu-bridge-helper" <<<"$out"

# --- tapd-bridge-helper ---------------------------------------------------------------------
echo "bridge_helper = \"$HELPER\"" >"$HOME_DIR/.config/libvirt/qemu.conf"
out=$(doctor)
check "doctor: the session runs tapd-bridge-helper" \
	grep -qx "ok    libvirt's session (virt-manager, GNOME Boxes) runs tapd-bridge-helper for bridged NICs ($HELPER: bridge_helper in your qemu.conf)" <<<"$out"
out=$(virsh start tapvm-test 2>&1); rc=$?
check_eq "with bridge_helper = tapd-bridge-helper the domain starts" 0 "$rc"
[ "$rc" = 0 ] || echo "$out"
check "the guest pinged the host across the bridge" \
	wait_for 1200 grep -aq TAPVM-PING-OK "$HOME_DIR/console"
check "its NIC has the MAC the domain gave it" grep -aq "TAPVM-GUEST-UP eth0 $GUEST_MAC" "$HOME_DIR/console"
check "tapd granted the tap to the user, labelled libvirtd" \
	grep -q "grant uid=$TEST_UID .*bridge=br0 tap=tapd[0-9a-f]* vm=libvirtd " "$TMP/tapd.log"
shut_off() { [ "$(virsh domstate tapvm-test 2>/dev/null)" = "shut off" ]; }
check "the domain ends when the guest powers off" wait_for 300 shut_off
check "... and its tap is gone" wait_for 50 no_taps
[ "$failed" = 0 ] || sed 's/^/console: /' "$HOME_DIR/console" | tail -20
virsh undefine tapvm-test >/dev/null

finish
