#!/bin/bash
# faults.sh - faults tapd must survive without leaving anything behind:
# clients killed at each step of a request, tapd SIGKILLed under a running
# VM (whose networking must not notice), /dev/net/tun or the policy missing
# at start.
. "$(dirname "$0")/lib.sh"
setup faults
guest_setup 2
GUEST_MAC=52:54:00:7a:9e:05
client() { as_user -- "$TAPD_CLIENT" "$SOCK" "$@"; }
ping_guest() { nsx busybox ping -q -c "$1" -W 5 192.0.2.2 >/dev/null; }

# stall STEP: a client stopped at STEP of a create request; sets STALL_PID.
stall() {
	ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
		"$TAPD_CLIENT" "$SOCK" stall "$1" br0 >"$TMP/stall" &
	STALL_PID=$!
	wait_for 100 grep -qx "$1" "$TMP/stall"
}

# --- a client killed at each step of a request -----------------------------------------
fds_before=$(tapd_fds)
stall connected
kill -KILL "$STALL_PID"; wait "$STALL_PID" 2>/dev/null
check_eq "killed after connecting: no tap" 0 "$(taps)"
stall replied
check_eq "a reply waiting unread holds its tap (the fd is in flight)" 1 "$(taps)"
kill -KILL "$STALL_PID"; wait "$STALL_PID" 2>/dev/null
check "killed before reading the reply: the tap goes with the unread fd" \
	wait_for 30 no_taps
# Right after sending, tapd may not have read the request yet, or may be
# answering it: kill at once, and after a short while, many times over.
for i in $(seq 40); do
	stall sent
	[ $((i % 2)) = 0 ] && sleep "0.00$((RANDOM % 10))"
	kill -KILL "$STALL_PID"; wait "$STALL_PID" 2>/dev/null
done
check "killed right after sending, 40 times: no tap left" wait_for 30 no_taps
for i in $(seq 20); do
	stall replied
	kill -KILL "$STALL_PID"; wait "$STALL_PID" 2>/dev/null
done
check "killed before reading, 20 times: no tap left" wait_for 30 no_taps
check "tapd is still running" kill -0 "$TAPD_PID"
check "... with the fds it had before" wait_for 30 fds_back
out=$(client list)
check "... and serves the next client" grep -q "grant bridge=br0 max=2" <<<"$out"

# --- a back slower than ever -------------------------------------------------------------
# The kernel's rtnl lock, busy with others' links, can keep the back on one
# tap for seconds: the front waits, says so, and serves it. The back stopped
# for 12 s stands in for such a kernel (the front warns after 10).
BACK=$(back_pid "$TAPD_PID")
kill -STOP "$BACK"
client create br0 >"$TMP/slow" 2>&1 &
slow=$!
check "a request to a stopped back: the front warns after 10 s" \
	wait_for 150 grep -q "privileged half has not answered for 10 s: .*still waiting" "$TMP/tapd.log"
sleep 2
kill -CONT "$BACK"
wait "$slow"; rc=$?
check_eq "... and once the back goes on, the request is granted" 0 "$rc"
check "... with its tap" grep -q "^ifname=tapd" "$TMP/slow"
check "tapd is still running" kill -0 "$TAPD_PID"
check "... its back too" kill -0 "$BACK"
check "... the tap goes with its client" wait_for 30 no_taps

# --- tapd killed under a running VM -------------------------------------------------
ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	"$TAPVM" run --socket "$SOCK" --accel tcg --name survivor -n "br0,mac=$GUEST_MAC" -- \
	"${GUEST[@]}" -append "$APPEND tapvm.hold=1 tapvm.acpid=1" </dev/null >"$TMP/console" 2>&1 &
VM_PID=$!
PIDS+=("$VM_PID")
check "the guest came up and pinged the host" wait_for 1800 grep -aq TAPVM-HOLDING "$TMP/console"
vmtap=$(nsx ls /sys/class/net | grep '^tapd' | head -1)
check "the host reaches the guest" ping_guest 1
BACK=$(back_pid "$TAPD_PID")
kill -KILL "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
check "tapd is gone (SIGKILL)" sh -c "! kill -0 $TAPD_PID 2>/dev/null"
check "... its back exits with it" wait_for 50 sh -c "! kill -0 $BACK 2>/dev/null"
check "the VM runs on" kill -0 "$VM_PID"
check "... its tap stays" nsx test -e "/sys/class/net/$vmtap"
check "... and its networking works: the host pings the guest" ping_guest 3
check "... its port still on the bridge" nsx test -e "/sys/class/net/br0/brif/$(port_of "$vmtap")"

# The back killed: the front says so and exits; the VM does not notice.
start_tapd "$TMP/tapd.conf"
kill -KILL "$(back_pid "$TAPD_PID")"
check "the back killed: the front exits" wait_for 50 sh -c "! kill -0 $TAPD_PID 2>/dev/null"
wait "$TAPD_PID" 2>/dev/null
check "... and says why" grep -q "privileged half exited: exiting too" "$TMP/tapd.log"
check "... the VM runs on, its networking too" ping_guest 2

start_tapd "$TMP/tapd.conf"
check "a new tapd counts the VM's tap" grep -q "ready .* taps=1 " "$TMP/tapd.log"
out=$(client list)
check "... lists it as this user's, with the VM's name" \
	grep -q "tap ifname=$vmtap bridge=br0 label=survivor" <<<"$out"
hold_tap br0
check "... so the user gets one more tap (MAX 2)" test -n "$TAP"
out=$(client create br0); rc=$?
check_eq "... and no third" 122 "$rc"
release_tap
kill -TERM "$VM_PID"
wait "$VM_PID"
check "the VM's tap goes when it exits" wait_for 30 link_gone "$vmtap"
hold_tap br0; T1=$TAP; H1=$HOLD_FD; P1=$HOLD_PID
hold_tap br0; T2=$TAP
check "the new tapd saw it go: two taps again" test -n "$T1" -a -n "$T2"
release_tap
exec {H1}>&-
wait "$P1"
[ "$failed" = 0 ] || sed 's/^/console: /' "$TMP/console" | tail -30

# --- what tapd needs at start ---------------------------------------------------------
# A mount namespace of its own, where /dev/net is empty.
out=$(nsx unshare --mount --propagation private sh -c \
	'mount -t tmpfs none /dev/net && exec "$0" --config "$1" --socket "$2"' \
	"$TAPD" "$TMP/tapd.conf" "$TMP/notun.sock" 2>&1); rc=$?
check_eq "/dev/net/tun missing: tapd does not start" 1 "$rc"
check "... saying what to do" \
	grep -q "cannot open /dev/net/tun: No such file or directory: load the tun module (modprobe tun)" <<<"$out"
check "... and binds no socket" test ! -e "$TMP/notun.sock"
out=$(nsx "$TAPD" --config "$TMP/absent.conf" --socket "$TMP/nopolicy.sock" 2>&1); rc=$?
check_eq "the policy file missing: tapd does not start" 1 "$rc"
check "... naming it" grep -q "policy not loaded, not starting: .*$TMP/absent.conf.*No such file" <<<"$out"
mkdir "$TMP/dir.conf"
out=$(nsx "$TAPD" --config "$TMP/dir.conf" --socket "$TMP/nopolicy.sock" 2>&1); rc=$?
check_eq "the policy is a directory: tapd does not start" 1 "$rc"
check "... saying so" grep -q "$TMP/dir.conf.* not a regular file" <<<"$out"
check "... and binds no socket" test ! -e "$TMP/nopolicy.sock"

finish
