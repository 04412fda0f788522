#!/bin/bash
# activation.sh - tapd started the way tapd.socket starts it: by
# systemd-socket-activate --seqpacket, with the listening socket passed in.
. "$(dirname "$0")/lib.sh"
command -v systemd-socket-activate >/dev/null ||
	skip "systemd-socket-activate is missing (package systemd)"
setup activation

nsx ip link add br0 address 02:00:00:00:0a:00 type bridge
nsx ip link set br0 up
echo "allow user:#$TEST_UID br0" >"$TMP/tapd.conf"
SOCK=$TMP/tapd.sock

ip netns exec "$NS" systemd-socket-activate --seqpacket -l "$SOCK" \
	"$TAPD" --config "$TMP/tapd.conf" --user "$TAPD_UID" --idle-exit 2 2>"$TMP/tapd.log" &
ACT_PID=$!
PIDS+=("$ACT_PID")
check "the socket is there before tapd runs" wait_for 50 test -S "$SOCK"
chmod 666 "$SOCK"	# what SocketMode=0666 does in tapd.socket
check "tapd is not started before a client comes" sh -c "! grep -q ready $TMP/tapd.log"

hold_tap br0 act-vm
check "a tap is granted through the activated socket" test -n "$TAP"
check_eq "... on the bridge" br0 "$(bridge_of "$TAP")"
check "tapd says it was socket-activated" grep -q "activated=yes" "$TMP/tapd.log"
check "tapd runs in the process systemd-socket-activate started" \
	grep -q tapd "/proc/$ACT_PID/comm"
check_halves "activated tapd" "$ACT_PID"
check "it does not exit while a client is connected" sh -c "sleep 3; kill -0 $ACT_PID"
release_tap
check "the tap vanishes with its fd" wait_for 30 link_gone "$TAP"
check "with --idle-exit 2 and no client, tapd exits" wait_for 60 sh -c "! kill -0 $ACT_PID"
check "and says why" grep -q "idle for 2 s: exiting" "$TMP/tapd.log"

# No client, but a tap of tapd's on the host (its VM runs on): tapd stays,
# for the tap's port goes when it goes, and so does a tap let go after it
# was made persistent.
ISOCK=$TMP/idle.sock
ip netns exec "$NS" systemd-socket-activate --seqpacket -l "$ISOCK" \
	"$TAPD" --config "$TMP/tapd.conf" --user "$TAPD_UID" --idle-exit 2 2>"$TMP/idle.log" &
IDLE_PID=$!
PIDS+=("$IDLE_PID")
wait_for 50 test -S "$ISOCK"
chmod 666 "$ISOCK"
mkfifo "$TMP/take.in"
as_user -- "$TAPD_CLIENT" "$ISOCK" take br0 <"$TMP/take.in" >"$TMP/take.out" &
PIDS+=($!)
exec {take_fd}>"$TMP/take.in"
wait_for 50 grep -q ifname= "$TMP/take.out"
check "with --idle-exit 2, no client but a tap of its own, tapd stays" sh -c "sleep 4; kill -0 $IDLE_PID"
exec {take_fd}>&-
check "... and exits once the tap is gone" wait_for 60 sh -c "! kill -0 $IDLE_PID"

# --- as tapd.service runs it -----------------------------------------------------
# User=tapd, AmbientCapabilities=CAP_NET_ADMIN, CapabilityBoundingSet=
# CAP_NET_ADMIN: tapd never root at all. setpriv does what systemd would.
SOCK=$TMP/unit.sock
: >"$TMP/tapd.log"
ip netns exec "$NS" systemd-socket-activate --seqpacket -l "$SOCK" \
	setpriv --reuid="$TAPD_UID" --regid="$TAPD_UID" --clear-groups \
	--inh-caps=-all,+net_admin --ambient-caps=+net_admin --bounding-set=-all,+net_admin \
	"$TAPD" --config "$TMP/tapd.conf" 2>"$TMP/tapd.log" &
UNIT_PID=$!
PIDS+=("$UNIT_PID")
wait_for 50 test -S "$SOCK"
chmod 666 "$SOCK"
hold_tap br0 unit-vm
check "tapd started as the unit starts it grants a tap" test -n "$TAP"
check_halves "tapd as the unit starts it" "$UNIT_PID"
release_tap
check "... and the tap vanishes with its fd" wait_for 30 link_gone "$TAP"


# --- Type=notify: READY=1 to NOTIFY_SOCKET, a path or an abstract name -------------------
# tapd speaks systemd's protocols itself (no libsystemd): what systemd's end
# receives is checked here, as it would receive it.
stop_this_tapd() { kill "$TAPD_PID" 2>/dev/null; wait "$TAPD_PID" 2>/dev/null; }
for addr in "$TMP/notify" "@tapvm-test-notify-$$"; do
	rm -f "$TMP/notify" "$TMP/notify.out"
	ip netns exec "$NS" "$NOTIFY_RECV" "$addr" 30 >"$TMP/notify.out" &
	NPID=$!
	PIDS+=("$NPID")
	wait_for 50 grep -q bound "$TMP/notify.out"
	[ "${addr#@}" = "$addr" ] && chmod 777 "$addr"	# as systemd's own is
	NOTIFY_SOCKET=$addr start_tapd "$TMP/tapd.conf"
	check "tapd sends READY=1 to NOTIFY_SOCKET=${addr/$TMP/\$TMP}" wait_for 100 grep -qx READY=1 "$TMP/notify.out"
	check "... once it serves" grep -q "ready socket=" "$TMP/tapd.log"
	check "... and says nothing about it" sh -c "! grep -q 'cannot tell systemd' '$TMP/tapd.log'"
	stop_this_tapd
	wait "$NPID" 2>/dev/null
done
NOTIFY_SOCKET=$TMP/nobody-listens start_tapd "$TMP/tapd.conf"
check "a NOTIFY_SOCKET nobody listens on: tapd serves, and says why systemd will not hear" \
	grep -q "cannot tell systemd tapd is ready (NOTIFY_SOCKET=$TMP/nobody-listens): No such file or directory" "$TMP/tapd.log"
stop_this_tapd

# --- LISTEN_PID and LISTEN_FDS, checked ------------------------------------------------------
LISTEN_PID=1 LISTEN_FDS=1 start_tapd "$TMP/tapd.conf"
check "LISTEN_PID of another process: tapd binds its own socket" grep -q "activated=no" "$TMP/tapd.log"
check "... and serves on it" test -S "$TMP/tapd.sock"
stop_this_tapd
out=$(LISTEN_PID=x LISTEN_FDS=1 ip netns exec "$NS" "$TAPD" --config "$TMP/tapd.conf" \
	--socket "$TMP/bad.sock" --user "$TAPD_UID" 2>&1); rc=$?
check_eq "LISTEN_PID that is not a number: tapd exits 1" 1 "$rc"
check "... with one line saying what to do" \
	grep -qx "tapd: socket activation failed: LISTEN_PID or LISTEN_FDS is not a number: start tapd through tapd.socket or without them" <<<"$out"

finish
