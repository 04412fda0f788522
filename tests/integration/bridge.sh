#!/bin/bash
# bridge.sh - tapd-bridge-helper where QEMU and libvirt run
# qemu-bridge-helper: both argument orders, one byte and one fd or nothing,
# tapd's policy and quotas, one-line errors; plain QEMU's -netdev bridge
# booting the guest, which pings the host.
. "$(dirname "$0")/lib.sh"
setup bridge
HELPER=${BRIDGE_HELPER:?BRIDGE_HELPER must name tapd-bridge-helper}	# the test uid's copy (setup)
guest_setup 2
GUEST_MAC=52:54:00:7a:9e:07
# helper ARG...: run the helper as QEMU would, as the test uid.
helper() { as_user -- env TAPD_SOCKET="$SOCK" "$TAPD_CLIENT" - helper "$HELPER" "$@" 2>&1; }

# --- what QEMU and libvirt get back ---------------------------------------------------
mode=$(stat -c %a "$HELPER")
check_eq "installed without setuid or setgid" 755 "$mode"
check_eq "... and without file capabilities" "" "$(/usr/sbin/getcap "$HELPER")"
out=$(helper --use-vnet --fd={fd} --br=br0)
check "QEMU's order (--use-vnet --fd --br): one byte and one fd, exit 0" grep -qx "bytes=1 fds=1 exit=0" <<<"$out"
check "... the fd is a tap with virtio-net headers" grep -q "^fd tap=tapd[0-9a-f]* vnet_hdr=yes$" <<<"$out"
out=$(helper --use-vnet --br=br0 --fd={fd})
check "libvirt's order (--use-vnet --br --fd)" grep -qx "bytes=1 fds=1 exit=0" <<<"$out"
out=$(helper --br br0 --fd {fd})
check "separate words, no --use-vnet" grep -qx "bytes=1 fds=1 exit=0" <<<"$out"
check "taps vanish with their fd" wait_for 30 no_taps
check "tapd logged the caller's name as the tap's label" \
	grep -q "grant uid=$TEST_UID .*bridge=br0 tap=tapd[0-9a-f]* vm=tapd-client" "$TMP/tapd.log"

# --- refusals: nothing sent, exit 1, one line ------------------------------------------
out=$(helper --use-vnet --fd={fd} --br=brx)
check "a bridge not granted: nothing sent, exit 1" grep -qx "bytes=0 fds=0 exit=1" <<<"$out"
check "... and one line from tapd's answer" \
	grep -qx "tapd-bridge-helper: user $(id -nu "$TEST_UID") (uid $TEST_UID) may not use bridge brx: ask the admin to allow it in the tapd policy" <<<"$out"
check_eq "... just one" 2 "$(wc -l <<<"$out")"
hold_tap br0; H1=$HOLD_FD; P1=$HOLD_PID
hold_tap br0
out=$(helper --use-vnet --fd={fd} --br=br0)
check "over the quota: nothing sent, exit 1" grep -qx "bytes=0 fds=0 exit=1" <<<"$out"
check "... saying so" grep -q "^tapd-bridge-helper: uid $TEST_UID holds 2 taps already" <<<"$out"
release_tap
exec {H1}>&-
wait "$P1"
out=$(as_user -- env TAPD_SOCKET="$TMP/none.sock" "$TAPD_CLIENT" - helper "$HELPER" --br=br0 --fd={fd} 2>&1)
check "tapd not running: exit 1" grep -qx "bytes=0 fds=0 exit=1" <<<"$out"
check "... saying what to do" grep -qx "tapd-bridge-helper: tapd is not running at $TMP/none.sock: start tapd.socket (systemctl start tapd.socket), or set TAPD_SOCKET" <<<"$out"
out=$(env -u TAPD_SOCKET "$HELPER" --br=br0 --fd=1 </dev/null 2>&1 >/dev/null); rc=$?
check "without TAPD_SOCKET (libvirt cleans the environment): /run/tapd/tapd.sock" \
	grep -q "/run/tapd/tapd.sock\|fd 1 is not a socket" <<<"$out"
out=$("$HELPER" --br=br0 2>&1); rc=$?
check_eq "no --fd: exit 1" 1 "$rc"
check "... saying what is needed" grep -qx "tapd-bridge-helper: --br=BRIDGE and --fd=N are both needed; see tapd-bridge-helper --help" <<<"$out"
out=$("$HELPER" --br=br0 --fd=x1 2>&1); rc=$?
check "--fd=x1: exit 1 and why" test "$rc" = 1 -a "$out" = "tapd-bridge-helper: --fd takes a file descriptor number, not 'x1'"
out=$("$HELPER" --br=br0 --fd=0 </dev/null 2>&1); rc=$?
check "--fd naming something not a socket: exit 1 and why" grep -q "fd 0 is not a socket" <<<"$out"
out=$("$HELPER" --br=br0 --fd=3 --acl=all 3</dev/null 2>&1); rc=$?
check "an unknown option: exit 1 and why" grep -q "unknown argument '--acl=all'" <<<"$out"
out=$(helper --br=$(printf 'b%.0s' $(seq 20)) --fd={fd})
check "a bridge name too long: exit 1 and why" grep -q "is not a valid interface name" <<<"$out"
check "--help" sh -c "'$HELPER' --help | grep -q -- '--br=BRIDGE'"

out=$(nsx setpriv --reuid=65533 --regid=65533 --clear-groups "$TAPVM" doctor --socket "$SOCK")
check "doctor for a user granted nothing says what to ask for" \
	grep -qx "FAIL  the tapd policy grants you (user:#65533) no bridge: ask the admin to add 'allow user:#65533 BRIDGE' to /etc/tapd/tapd.conf" <<<"$out"

# --- plain QEMU with -netdev bridge ------------------------------------------------------
as_user -- env TAPD_SOCKET="$SOCK" timeout 300 "$QEMU" -accel tcg \
	-netdev "bridge,id=n0,br=br0,helper=$HELPER" -device "virtio-net-pci,netdev=n0,mac=$GUEST_MAC" \
	"${GUEST[@]}" -append "$APPEND" </dev/null >"$TMP/console" 2>&1
rc=$?
check_eq "QEMU with -netdev bridge,helper=tapd-bridge-helper ran the guest to its end" 0 "$rc"
check "the guest pinged the host across the bridge" grep -aq "TAPVM-PING-OK" "$TMP/console"
check "its tap is gone after QEMU exited" wait_for 30 no_taps
check "tapd labelled it with QEMU's process name" grep -q "grant uid=$TEST_UID .*vm=qemu-system-x86 " "$TMP/tapd.log"
[ "$failed" = 0 ] || sed 's/^/console: /' "$TMP/console" | tail -30
as_user -- env TAPD_SOCKET="$SOCK" timeout 60 "$QEMU" -accel tcg \
	-netdev "bridge,id=n0,br=brx,helper=$HELPER" -device virtio-net-pci,netdev=n0 \
	"${GUEST[@]}" -append "$APPEND" </dev/null >"$TMP/refused" 2>&1
rc=$?
check "a bridge not granted: QEMU does not start" test "$rc" != 0
check "... and shows the helper's line" grep -q "^tapd-bridge-helper: .*brx" "$TMP/refused"
[ "$failed" = 0 ] || sed 's/^/refused: /' "$TMP/refused"

finish
