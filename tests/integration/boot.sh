#!/bin/bash
# boot.sh - end to end: an unprivileged user boots a real guest with
# `tapvm run` on a bridge; the guest pings the host; the tap is gone after.
. "$(dirname "$0")/lib.sh"
setup boot
guest_setup 1
GUEST_MAC=52:54:00:7a:9e:01

# --- a whole run: boot, ping, power off ------------------------------------
as_user -- timeout 300 "$TAPVM" run --socket "$SOCK" --accel tcg --name e2e \
	--netdev "br0,mac=$GUEST_MAC" -- "${GUEST[@]}" -append "$APPEND" \
	</dev/null >"$TMP/console" 2>&1
rc=$?
check_eq "tapvm exits with QEMU's status (0 after the guest powered off)" 0 "$rc"
check "the guest's NIC came up with the MAC tapvm gave it" \
	grep -aq "TAPVM-GUEST-UP eth0 $GUEST_MAC" "$TMP/console"
check "the guest pinged the host across the bridge" grep -aq "TAPVM-PING-OK" "$TMP/console"
check "tapd granted the tap with the VM's label" grep -q "grant uid=$TEST_UID .*bridge=br0 tap=tapd[0-9a-f]* vm=e2e" "$TMP/tapd.log"
check "the tap is gone after QEMU exited" \
	sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
[ "$failed" = 0 ] || sed 's/^/console: /' "$TMP/console" | tail -40

# --- SIGTERM to tapvm: the guest is asked to power off, and does -----------------
ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	"$TAPVM" run --socket "$SOCK" --accel tcg --name held -n "br0,mac=$GUEST_MAC" -- "${GUEST[@]}" \
	-append "$APPEND tapvm.hold=1 tapvm.acpid=1" </dev/null >"$TMP/console2" 2>&1 &
VM_PID=$!
PIDS+=("$VM_PID")
check "the held guest pinged the host" wait_for 1800 grep -aq TAPVM-HOLDING "$TMP/console2"
tap=$(nsx ls /sys/class/net | grep '^tapd' | head -1)
check "its tap exists while it runs" test -n "$tap"
# The bridge loses its carrier when its last port goes, flushing neighbours:
# look while the guest runs.
check "the host learnt the guest's MAC on the bridge (neighbour table)" \
	sh -c "ip netns exec $NS ip neigh show 192.0.2.2 dev br0 | grep -q 'lladdr $GUEST_MAC'"
check "the guest's frames came in through its tap (bridge fdb)" \
	sh -c "ip netns exec $NS bridge fdb show br br0 | grep -q '^$GUEST_MAC dev $(port_of "$tap") master br0'"
kill -TERM "$VM_PID"
wait "$VM_PID"
rc=$?
check_eq "after SIGTERM, tapvm exits with QEMU's status" 0 "$rc"
check "tapvm asked the guest to power off" grep -aq "tapvm: Terminated: asking the guest to power off (system_powerdown" "$TMP/console2"
check "the guest's power button handler ran" grep -aq "TAPVM-ACPI-POWEROFF" "$TMP/console2"
check "one line says how it ended" grep -aq "tapvm: ended: the guest powered off after system_powerdown" "$TMP/console2"
check "no QEMU is left" no_qemu
check "the tap is gone" wait_for 30 link_gone "$tap"
[ "$failed" = 0 ] || sed 's/^/console2: /' "$TMP/console2" | tail -40

finish
