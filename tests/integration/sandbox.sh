#!/bin/bash
# sandbox.sh - QEMU in a sandbox where no setuid helper can ever work:
# bubblewrap sets no_new_privs and unshares every namespace (the network
# too) and gets only tapd's socket from /run. A guest booted by QEMU with
# tapd-bridge-helper, and one booted by tapvm, reach the host's bridge from
# in there; QEMU's qemu-bridge-helper, setuid root, fails in the same
# sandbox (Flatpak'd GNOME Boxes' case).
. "$(dirname "$0")/lib.sh"
command -v bwrap >/dev/null || skip "bwrap is missing (package bubblewrap)"
setup sandbox
guest_setup 4
QBH=/usr/lib/qemu/qemu-bridge-helper
[ -x "$QBH" ] || skip "$QBH is missing (package qemu-system-common)"

# A setuid-root copy of QEMU's helper, and bridge.conf allowing br0 for it:
# what a distribution that ships it setuid has. Only privilege will be missing.
install -m 4755 -o root "$QBH" "$TMP/prog/qemu-bridge-helper-suid"
echo "allow br0" >"$TMP/bridge.conf"
chmod 644 "$TMP/bridge.conf"

# sandboxed CMD...: CMD as the test uid in bubblewrap: its own user, pid,
# ipc, uts, cgroup and network namespaces, no_new_privs, /usr and /etc
# read-only (with bridge.conf), /dev/net/tun, an empty /run but for tapd's
# socket, the test's files.
ETC=()
for f in /etc/*; do
	[ "$f" = /etc/qemu ] || ETC+=(--ro-bind "$f" "$f")
done
sandboxed() {
	as_user -- bwrap --unshare-all --die-with-parent --new-session \
		--ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
		--symlink usr/bin /bin --symlink usr/sbin /sbin --tmpfs /etc "${ETC[@]}" \
		--dir /etc/qemu --ro-bind "$TMP/bridge.conf" /etc/qemu/bridge.conf \
		--proc /proc --dev /dev --dev-bind /dev/net/tun /dev/net/tun --tmpfs /tmp --tmpfs /run \
		--bind "$SOCK" /run/tapd/tapd.sock \
		--ro-bind "$TMP/prog" "$TMP/prog" --ro-bind "$TMP/guest" "$TMP/guest" \
		--setenv TAPD_SOCKET /run/tapd/tapd.sock "$@"
}
out=$(sandboxed sh -c 'grep ^NoNewPrivs: /proc/self/status; sed 1,2d /proc/net/dev | cut -d: -f1 | tr -d " "')
check "the sandbox has no_new_privs" grep -Eq "^NoNewPrivs:[[:space:]]+1$" <<<"$out"
check "... and a network of its own with nothing but lo" test "$(sed 1d <<<"$out")" = lo

# --- QEMU with tapd-bridge-helper ---------------------------------------------------------
sandboxed "$QEMU" "${GUEST[@]}" -netdev "bridge,id=n0,br=br0,helper=$BRIDGE_HELPER" \
	-device virtio-net-pci,netdev=n0 -append "$APPEND" </dev/null >"$TMP/qemu.out" 2>&1
rc=$?
check_eq "QEMU in the sandbox, with tapd-bridge-helper: the guest ran" 0 "$rc"
check "... and pinged the host across the bridge" grep -aq TAPVM-PING-OK "$TMP/qemu.out"

# --- tapvm ----------------------------------------------------------------------------------
sandboxed "$TAPVM" run --accel tcg -n br0 --name boxed -- "${GUEST[@]}" -append "$APPEND" \
	</dev/null >"$TMP/tapvm.out" 2>&1
rc=$?
check_eq "tapvm in the sandbox: the guest ran" 0 "$rc"
check "... and pinged the host across the bridge" grep -aq TAPVM-PING-OK "$TMP/tapvm.out"
check "tapd saw the sandbox's user as the user (SO_PEERCRED)" \
	grep -q "grant uid=$TEST_UID .*bridge=br0 .*vm=boxed " "$TMP/tapd.log"

# --- QEMU's setuid helper in the same sandbox ----------------------------------------------
sandboxed "$QEMU" -S -nodefaults -display none \
	-netdev "bridge,id=n0,br=br0,helper=$TMP/prog/qemu-bridge-helper-suid" </dev/null >"$TMP/suid.out" 2>&1
rc=$?
check "QEMU's setuid qemu-bridge-helper fails in the sandbox" test "$rc" != 0
# (Where /dev/net/tun is 0666 it fails at TUNSETIFF; where it is 0600, at open.)
check "... for want of the privilege no_new_privs withholds" \
	grep -Eq "failed to (create tun device: Operation not permitted|open /dev/net/tun: Permission denied)" "$TMP/suid.out"
check "no tap is left" no_taps
[ "$failed" = 0 ] || for f in qemu tapvm suid; do sed "s/^/$f: /" "$TMP/$f.out" | tail -15; done

finish
