#!/bin/bash
# hostile.sh - what a granted user can do with a tap's fd must not reach the
# bridge. Whoever holds the fd may change the tap's MAC (SIOCSIFHWADDR checks
# no capability) and issue every other tun ioctl; were the tap a bridge port,
# the bridge would make that MAC a local FDB entry (taking a LAN host's or
# another guest's traffic) and, where its own MAC was never set, take it as
# its own and as its STP bridge id. The tap is never a port: tapd's own port
# is (tapd/port.c). Checked with real frames, as unprivileged users.
. "$(dirname "$0")/lib.sh"
setup hostile
ATT=$TEST_UID VIC=65533 LAN=65532
ATT_MAC=52:54:00:00:a0:01 VIC_MAC=52:54:00:00:a0:02 LAN_MAC=52:54:00:00:a0:03
SND_MAC=52:54:00:00:a0:04
nsx ip link add brlan address 02:00:00:00:a0:00 type bridge
nsx ip link add brnomac type bridge	# its MAC never set: it follows its ports
nsx ip link add brmq address 02:00:00:00:a1:00 type bridge
nsx ip link set brmq up
nsx ip link set brlan up
nsx ip link set brnomac up
nsx ip addr add 192.0.2.1/24 dev brnomac
cat >"$TMP/tapd.conf" <<CONF
allow user:#$ATT brlan 2 mac=pinned isolated=yes
allow user:#$VIC brlan 2 mac=pinned
allow user:#$LAN brlan 4
allow user:#$ATT brnomac 2
allow user:#$VIC brmq 8 queues=2
CONF
start_tapd "$TMP/tapd.conf"

# fdb BRIDGE: its FDB, one entry a line, with port names.
fdb() { nsx bridge fdb show br "$1" | grep -v ' self ' | sort; }
brid() { nsx cat "/sys/class/net/$1/bridge/bridge_id"; }

# --- what a client sends into tapd's log -----------------------------------------------
# A valid interface name may hold '"' and '=': it must not forge a key.
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create 'a"uid=0' </dev/null); rc=$?
check_eq "a bridge named a\"uid=0 is refused like any other not granted" 13 "$rc"
line=$(grep 'refuse .*bridge=' "$TMP/tapd.log" | tail -1)
keys=$(sed -E 's/"([^"\\]|\\.)*"//g' <<<"$line" | grep -oE '(^| )uid=[0-9]*' | tr -d ' ' | paste -sd' ')
check_eq "... and logged as one quoted, escaped value: the only uid key is the client's" "uid=$ATT" "$keys"
check "... bridge=\"a\\\"uid=0\"" grep -qF 'bridge="a\"uid=0" errno=13 reason="user nobody (uid 65534) may not use bridge a\"uid=0:' <<<"$line"

# --- a LAN host, a pinned victim, a sender and the attacker on brlan -------------------
l2 "$LAN" lan brlan "$LAN_MAC"
l2 "$LAN" snd brlan "$SND_MAC"
l2 "$VIC" vic brlan "$VIC_MAC"
l2 "$ATT" att brlan "$ATT_MAC"
say lan "send $LAN_MAC ff:ff:ff:ff:ff:ff"	# the bridge learns where the LAN host is
say snd "send $SND_MAC ff:ff:ff:ff:ff:ff"
say vic "recv 300"
say att "recv 300"
check "the LAN host's MAC is learnt on its port" \
	grep -q "^$LAN_MAC dev $(port_of "$lan_TAP") master brlan" <<<"$(fdb brlan)"
fdb_before=$(fdb brlan)
mac_before=$(nsx cat /sys/class/net/brlan/address)
id_before=$(brid brlan)

# The attacker takes the LAN host's MAC, then the victim's, then every
# other ioctl the tap's fd takes.
say att "hwaddr $LAN_MAC"
check "the fd's holder may change its tap's MAC (the kernel allows it)" grep -qx "hwaddr ok" "$TMP/att.out"
say att "hwaddr $VIC_MAC"
say att "ioctls $LAN_MAC"
sed -n 's/^ioctl /# ioctl /p' "$TMP/att.out"
check "the attacker's tap now has the LAN host's MAC, or the low one" \
	sh -c "ip netns exec $NS cat /sys/class/net/$att_TAP/address | grep -Eq '^($LAN_MAC|00:00:00:00:00:01)$'"

# Unicast to the LAN host and to the victim, from another guest.
say snd "send $SND_MAC $LAN_MAC"
say snd "send $SND_MAC $VIC_MAC"
say lan "recv 500"
say vic "recv 500"
say att "recv 500"
check "frames for the LAN host still reach it" grep -q "^frame $SND_MAC $LAN_MAC " "$TMP/lan.out"
check "frames for the victim still reach it" grep -q "^frame $SND_MAC $VIC_MAC " "$TMP/vic.out"
check "the attacker gets neither" sh -c "! grep -Eq '^frame $SND_MAC ($LAN_MAC|$VIC_MAC) ' '$TMP/att.out'"
check "the bridge has no local entry for either MAC" \
	sh -c "! ip netns exec $NS bridge fdb show br brlan | grep -Eiq '^($LAN_MAC|$VIC_MAC) .*permanent'"
check "the victim's pinned entry is where tapd put it" \
	grep -q "^$VIC_MAC dev $(port_of "$vic_TAP") sticky master brlan static" <<<"$(fdb brlan)"
check_eq "the bridge's FDB is as it was" "$fdb_before" "$(fdb brlan)"
check_eq "the bridge's MAC is as it was" "$mac_before" "$(nsx cat /sys/class/net/brlan/address)"
check_eq "its STP bridge id is as it was" "$id_before" "$(brid brlan)"
check "the tap is on no bridge, its port is" \
	sh -c "ip netns exec $NS test ! -e /sys/class/net/$att_TAP/master && ip netns exec $NS test -e /sys/class/net/brlan/brif/$(port_of "$att_TAP")"
check "tapd's redirect is still on the tap (tc needs CAP_NET_ADMIN)" \
	sh -c "ip netns exec $NS tc filter show dev $att_TAP ingress | grep -q 'Ingress Redirect to device $(port_of "$att_TAP")'"
# The victim's pinned entry outlives the attacker's tap too.
eval "exec ${att_fd}>&-"
wait_for 50 link_gone "$att_TAP"
check "when the attacker's tap goes, its port goes with it" wait_for 50 link_gone "$(port_of "$att_TAP")"
check "... and the victim's entry stays" \
	grep -q "^$VIC_MAC dev $(port_of "$vic_TAP") sticky master brlan static" <<<"$(fdb brlan)"

# --- a bridge whose MAC was never set ---------------------------------------------------
l2 "$ATT" low brnomac "$ATT_MAC"
wait_for 30 sh -c "ip netns exec $NS cat /sys/class/net/brnomac/address | grep -q '^fe:'"
mac_before=$(nsx cat /sys/class/net/brnomac/address)
id_before=$(brid brnomac)
# (Added now: the bridge's first port changed its address, which flushes.)
nsx ip neigh add 192.0.2.77 lladdr 02:00:00:00:a0:77 nud permanent dev brnomac
say low "hwaddr 00:00:00:00:00:01"
check "the fd's holder sets its tap's MAC to 00:00:00:00:00:01" grep -qx "hwaddr ok" "$TMP/low.out"
sleep 0.2
check_eq "the bridge keeps its MAC" "$mac_before" "$(nsx cat /sys/class/net/brnomac/address)"
check_eq "... and its STP bridge id (no claim to be root)" "$id_before" "$(brid brnomac)"
check "the host's permanent neighbour entry on it stays" \
	sh -c "ip netns exec $NS ip neigh show 192.0.2.77 dev brnomac | grep -q PERMANENT"
check "tapd logged no warning about it" sh -c "! grep -q 'port disabled' '$TMP/tapd.log'"

# --- nobody joins another user's multiqueue tap -----------------------------------------
for t in lan snd vic low; do eval "exec {${t}_fd}>&-"; done
wait_for 50 no_taps
# A user with no grant at all attaches a queue to every tapd* link the
# moment a notification names it, while the victim asks for 2-queue taps,
# one at a time, and lets each go. A tap joined before its owner was set
# would outlive the victim (the intruder's queue keeps it) and carry its
# traffic; tapd must hand out only taps with exactly its queues.
NOGRANT=65531
mkfifo "$TMP/joiner.in"
ip netns exec "$NS" setpriv --reuid=$NOGRANT --regid=$NOGRANT --clear-groups \
	"$TAPD_CLIENT" - joiner <"$TMP/joiner.in" >"$TMP/joiner.out" &
JOINER=$!
PIDS+=("$JOINER")
exec {joiner_fd}>"$TMP/joiner.in"
wait_for 50 grep -q joining "$TMP/joiner.out"
granted=0 other=0
for _ in $(seq 150); do
	out=$(as_user_uid "$VIC" "$TAPD_CLIENT" "$SOCK" mq brmq 2 </dev/null 2>&1); rc=$?
	if [ "$rc" = 0 ] && grep -q "queues=2 " <<<"$out"; then
		granted=$((granted + 1))
	elif [ "$rc" != 11 ] || ! grep -q "others kept attaching queues to it; try again" <<<"$out"; then
		other=$((other + 1))
		echo "# unexpected: $out"
	fi
done
echo "# the victim got $granted of 150 taps; the rest were refused after 16 joined attempts each (EAGAIN)"
check "the victim's taps were granted (or refused with EAGAIN when joined 16 times running)" \
	test "$granted" -gt 0 -a "$other" = 0
check "no tap is left while the intruder holds what it attached" wait_for 50 no_taps
exec {joiner_fd}>&-
wait "$JOINER"
echo "# the intruder: $(cat "$TMP/joiner.out" | tail -1) (every one it joined was deleted before it was handed out); tapd: $(grep -c 'someone joined it' "$TMP/tapd.log") taps deleted"

# --- a full bridge -------------------------------------------------------------------------
# A bridge has at most 1,023 ports: the kernel says EXFULL, and so does tapd.
nsx ip link add brfull address 02:00:00:00:a2:00 type bridge
for i in $(seq 1023); do
	echo "link add fp$i type veth peer name fq$i"
	echo "link set fp$i master brfull"
done >"$TMP/full.batch"
nsx ip -batch "$TMP/full.batch" >/dev/null 2>&1
echo "allow user:#$ATT brfull 2" >>"$TMP/tapd.conf"
kill -HUP "$TAPD_PID"
wait_for 50 sh -c "grep -c 'policy reloaded' '$TMP/tapd.log' | grep -qx 1"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create brfull </dev/null); rc=$?
check_eq "a bridge with 1,023 ports: refused with the kernel's EXFULL" 54 "$rc"
check "... saying so" grep -q "bridge brfull has no free port" <<<"$out"
check "... and leaving no tap or port behind" sh -c "! ip netns exec $NS ip -o link show | grep -Eq ': (tapd|tdp)'"
nsx ip link del brfull

# --- fds sent to tapd: no client makes tapd wait ----------------------------------------
# A TCP socket with SO_LINGER and data it cannot send blocks its last close
# for as long as its sender chose (30 s here). Sent to tapd, that close
# would be tapd's.
mkfifo "$TMP/linger.in"
if grep -q "client_fds=refused-by-kernel" "$TMP/tapd.log"; then
	out=$(as_user -- "$TAPD_CLIENT" "$SOCK" linger 30 1 </dev/null)
	check "this kernel refuses to pass fds to tapd at all (SO_PASSRIGHTS)" \
		grep -q "send failed: Operation not permitted" <<<"$out"
else
	echo "# this kernel has no SO_PASSRIGHTS: only the fallback below runs"
fi
# The fallback, as on a kernel before 6.16: tapd takes what comes and
# closes it aside.
kill "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
TAPD_WRAP=${NO_PASSRIGHTS:?NO_PASSRIGHTS must name tests/helpers/no-passrights} start_tapd "$TMP/tapd.conf"
grep -q "client_fds=closed-aside" "$TMP/tapd.log" || bail "tapd did not fall back (no-passrights)"
fds_before=$(tapd_fds)
# tapd stopped while the client sends and closes its own copy: tapd's is
# then surely the last (as it is whenever tapd is busy with others).
kill -STOP "$TAPD_PID"
as_user -- "$TAPD_CLIENT" "$SOCK" linger 30 1 <"$TMP/linger.in" >"$TMP/linger.out" &
LINGER=$!
PIDS+=("$LINGER")
exec {linger_fd}>"$TMP/linger.in"
wait_for 100 grep -q '^sending' "$TMP/linger.out"
sleep 0.5
kill -CONT "$TAPD_PID"
wait_for 100 grep -q '^sent' "$TMP/linger.out"
check "a lingering socket sent to tapd is refused" \
	grep -q "does not accept file descriptors" "$TMP/linger.out"
port=$(sed -n 's/^lingering port=//p' "$TMP/linger.out")
out=$(timeout 10 ip netns exec "$NS" setpriv --reuid=$VIC --regid=$VIC --clear-groups \
	"$TAPD_CLIENT" "$SOCK" list); rc=$?
check_eq "another user is served at once, while tapd's copy lingers (30 s)" 0 "$rc"
check "... which it still does" sh -c "ip netns exec $NS ss -tnH | grep -q ':$port '"
# Many more, behind the lingering one: counted against the sender only.
refused=
for _ in $(seq 8); do
	out=$(as_user -- "$TAPD_CLIENT" "$SOCK" fds 253)
	grep -q "tapd is still closing file descriptors uid $ATT sent it" <<<"$out" && { refused=1; break; }
	grep -q "does not accept file descriptors" <<<"$out" || echo "# unexpected: $out"
done
check "past 1024 fds waiting to be closed, the sender's connections are refused (EAGAIN)" test -n "$refused"
out=$(as_user_uid "$VIC" "$TAPD_CLIENT" "$SOCK" list)
check "... and other users are still served" grep -q "^grant " <<<"$out"
# The sender lets go: its socket's peer goes, the lingering close ends, and
# what was queued behind it is closed.
exec {linger_fd}>&-
wait "$LINGER"
check "tapd closes all it was sent: its fds are as before" wait_for 300 fds_back
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "the sender is served again" grep -q "^grant " <<<"$out"

# --- ports left behind while tapd was not running -----------------------------------------
hold_tap brnomac
port=$(port_of "$TAP")
check_eq "the tap and its port have the bridge's MTU" "1500 1500" \
	"$(nsx cat /sys/class/net/$TAP/mtu /sys/class/net/$port/mtu | paste -sd' ')"
kill -KILL "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
release_tap
wait_for 50 link_gone "$TAP"
check "with tapd gone, the tap goes and its port stays" nsx test -e "/sys/class/net/$port"
# An older tapd made its ports of veth pairs: one left of a tap that is gone,
# and one of another program's that merely looks like it (no alias).
nsx ip link add tdp0000beef type veth peer name tdr0000beef
nsx ip link set tdp0000beef alias "tapd-port tap=999999"
nsx ip link add tdp0000cafe type veth peer name tdr0000cafe
start_tapd "$TMP/tapd.conf"
check "a new tapd removes the port whose tap is gone" wait_for 50 link_gone "$port"
check "... and an older tapd's veth port, both ends" wait_for 50 link_gone tdr0000beef
check "... and nothing without its alias" nsx test -e /sys/class/net/tdp0000cafe
nsx ip link del tdp0000cafe
hold_tap brnomac
nsx ip link del "$(port_of "$TAP")"
check "a tap whose port was deleted is deleted too, its holder or not" wait_for 50 link_gone "$TAP"
release_tap

finish
