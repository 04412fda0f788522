#!/bin/bash
# ovs.sh - Open vSwitch bridges: granted as Linux bridges are, tapd's port a
# Port record it adds over OVSDB and removes when the tap goes
# Debian's ovsdb-server and ovs-vswitchd run in the test's network
# namespace with the userspace datapath (this kernel has no openvswitch
# module), their files in the test's directory. Frames written into tap fds
# cross the bridge; VLAN tags isolate; options Open vSwitch cannot give are
# refused; no Port is left after a tap, after tapd is killed, or at start;
# another program's Port and another user's are never touched; a guest
# booted through tapvm pings the bridge's internal port.
. "$(dirname "$0")/lib.sh"
setup ovs
command -v ovsdb-server >/dev/null && command -v ovs-vswitchd >/dev/null ||
	skip "Open vSwitch is not installed (package openvswitch-switch)"

OVS=$TMP/ovs
mkdir -p "$OVS"
ovs_env=(env OVS_RUNDIR="$OVS" OVS_DBDIR="$OVS" OVS_LOGDIR="$OVS" OVS_SYSCONFDIR="$OVS" OVS_PKGDATADIR=/usr/share/openvswitch)
vsctl() { nsx "${ovs_env[@]}" ovs-vsctl --timeout=10 --db="unix:$OVS/db.sock" "$@"; }
ovsdb-tool create "$OVS/conf.db" /usr/share/openvswitch/vswitch.ovsschema || bail "cannot create an OVS database"
# root's socket (0750, as Debian's), then the one the packaged
# tapd-ovsdb-access adds for tapd's group (tapd.conf(5), OPEN VSWITCH).
ip netns exec "$NS" "${ovs_env[@]}" ovsdb-server "$OVS/conf.db" --remote="punix:$OVS/db.sock" \
	--pidfile="$OVS/ovsdb-server.pid" --log-file="$OVS/ovsdb-server.log" 2>>"$OVS/stderr" &
PIDS+=($!)
wait_for 50 test -S "$OVS/db.sock" -a -s "$OVS/ovsdb-server.pid" || bail "ovsdb-server did not start"
check_eq "ovsdb-server's own socket is root's alone" "0:0 750" "$(stat -c '%u:%g %a' "$OVS/db.sock")"
nsx "${ovs_env[@]}" "$(dirname "$0")/../../packaging/openvswitch/tapd-ovsdb-access" "$OVS/tapd.sock" "$TAPD_UID"
check_eq "tapd-ovsdb-access: one more socket, for tapd's group" "0:$TAPD_UID 660" \
	"$(stat -c '%u:%g %a' "$OVS/tapd.sock")"
vsctl --no-wait init
start_vswitchd() {
	ip netns exec "$NS" "${ovs_env[@]}" ovs-vswitchd "unix:$OVS/db.sock" \
		--unixctl="$OVS/ovs-vswitchd.ctl" --log-file="$OVS/ovs-vswitchd.log" 2>>"$OVS/stderr" &
	VSWITCHD=$!
	PIDS+=("$VSWITCHD")
	wait_for 50 vsctl show >/dev/null
}
start_vswitchd
vsctl add-br ovsbr0 -- set bridge ovsbr0 datapath_type=netdev || bail "cannot add an OVS bridge"
vsctl add-br ovsv -- set bridge ovsv datapath_type=netdev
vsctl add-br ovsp -- set bridge ovsp datapath_type=netdev
vsctl add-br ovsf -- set bridge ovsf datapath_type=netdev other_config:forward-bpdu=true
vsctl add-br ovsi -- set bridge ovsi datapath_type=netdev
wait_for 50 nsx test -e /sys/class/net/ovsi || bail "ovs-vswitchd made no bridge"
check "the bridge's own port is a tap of the userspace datapath (no kernel module)" \
	nsx test -e /sys/class/net/ovsbr0/tun_flags
nsx ip link set ovsbr0 up
nsx ip addr add 192.0.2.1/24 dev ovsbr0

cat >"$TMP/tapd.conf" <<EOF
allow user:#$TEST_UID ovsbr0 8
allow user:#$TEST_UID ovsv 8 vlan=10,20
allow user:#$TEST_UID ovsp 8 mac=pinned
allow user:#$TEST_UID ovsf 8
allow user:#$TEST_UID ovsi 8 isolated=yes
allow user:#65533 ovsbr0 1
EOF
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/tapd.sock"

# ports_of BRIDGE: the names of its Ports but its own; ours: the Ports tapd marked.
ports_of() { vsctl list-ports "$1" | paste -sd' '; }
ours() { vsctl --bare --columns=name find Port external_ids:tapd=port | sed '/^$/d' | sort | paste -sd' '; }
no_ours() { [ -z "$(ours)" ]; }
port_gone() { link_gone "$1" && ! grep -qw "$1" <<<"$(ours)"; }
# ours_are N: tapd has N Ports, counted at each try (not once, as an
# argument of wait_for would be).
ours_are() { [ "$(ours | wc -w)" = "$1" ]; }

# --- two granted taps reach each other across the OVS bridge ------------------------------
l2 "$TEST_UID" a ovsbr0 52:54:00:00:00:0a
l2 "$TEST_UID" b ovsbr0 52:54:00:00:00:0b
b_pid=${PIDS[-1]}	# its FIFO is inherited by the clients started after it
check "a tap on an Open vSwitch bridge is granted" test -n "$a_TAP"
check "... its port is a Port of the bridge" grep -qw "$(port_of "$a_TAP")" <<<"$(ports_of ovsbr0)"
check "... and never the tap itself" lacks "$a_TAP" "$(ports_of ovsbr0)"
check_eq "... marked as tapd's, with its tap" "$a_TAP" \
	"$(vsctl --bare get Port "$(port_of "$a_TAP")" external_ids:tapd-tap)"
check "... ovs-vswitchd took it (an OpenFlow port number) before tapd answered" \
	test "$(vsctl --bare get Interface "$(port_of "$a_TAP")" ofport)" -gt 0
check "... no spanning tree on it (bpdu_guard and root_block, on by default)" \
	grep -q 'stp-enable="\?false' <<<"$(vsctl get Port "$(port_of "$a_TAP")" other_config)"
check "tapd logged the grant" grep -q "grant uid=$TEST_UID .*bridge=ovsbr0 tap=$a_TAP" "$TMP/tapd.log"
say a "send 52:54:00:00:00:0a ff:ff:ff:ff:ff:ff"
say b "recv 500"
check "a broadcast from one tap's fd arrives at the other's" \
	grep -q "^frame 52:54:00:00:00:0a ff:ff:ff:ff:ff:ff 88b5" "$TMP/b.out"
say b "send 52:54:00:00:00:0b 52:54:00:00:00:0a"
say a "recv 500"
check "... and unicast back" grep -q "^frame 52:54:00:00:00:0b 52:54:00:00:00:0a 88b5" "$TMP/a.out"
out=$(nsx "$TAPD" --list)
check "tapd --list names the Open vSwitch bridge" grep -q "^$a_TAP .* ovsbr0 " <<<"$out"
out=$(as_user -- "$TAPVM" taps --socket "$SOCK")
check "tapvm taps names it too" grep -q "$a_TAP.*ovsbr0" <<<"$out"

# --- what the fd's holder does to its tap stays on the tap ---------------------------------
l2 "$TEST_UID" c ovsbr0 52:54:00:00:00:0c
say c "send 52:54:00:00:00:0c ff:ff:ff:ff:ff:ff"	# the bridge learns c
say a "hwaddr 52:54:00:00:00:0c"
check "a tap's holder may change the tap's MAC (the kernel lets it)" grep -qx "hwaddr ok" "$TMP/a.out"
check "... its port keeps tapd's MAC" lacks "52:54:00:00:00:0c" "$(nsx ip link show "$(port_of "$a_TAP")")"
say b "send 52:54:00:00:00:0b 52:54:00:00:00:0c"
say c "recv 500"
say a "recv 300"
check "frames for the MAC it took still reach their owner" \
	grep -q "^frame 52:54:00:00:00:0b 52:54:00:00:00:0c 88b5" "$TMP/c.out"
check "... not the tap that took it" lacks "^frame 52:54:00:00:00:0b 52:54:00:00:00:0c" "$(cat "$TMP/a.out")"

# --- another user's Port, and another program's ------------------------------------------
nsx ip link add tdp00c0ffee type veth peer name tdq00c0ffee
vsctl add-port ovsbr0 tdp00c0ffee
out=$(as_user_uid 65533 "$TAPD_CLIENT" "$SOCK" take ovsbr0 2>&1)
check "another user gets a tap on the same bridge" grep -q "^ifname=tapd" <<<"$out"
check "... which goes when its fd does, its Port with it" \
	wait_for 50 ours_are 3
check "another program's Port named like tapd's is left alone" grep -qw tdp00c0ffee <<<"$(ports_of ovsbr0)"
check "... and the other user's going touched none of this user's Ports" \
	test "$(ours)" = "$(printf '%s\n' "$(port_of "$a_TAP")" "$(port_of "$b_TAP")" "$(port_of "$c_TAP")" | sort | paste -sd' ')"

# --- a tap gone: its Port at once --------------------------------------------------------
port=$(port_of "$c_TAP")
eval "exec ${c_fd}>&-"
check "the tap's last fd closed: its Port is removed" wait_for 50 eval "! vsctl list-ports ovsbr0 | grep -qx $port"
check "... and its port device" wait_for 50 link_gone "$port"
check "... and ovs-vswitchd let go of it (no Interface)" \
	test -z "$(vsctl --bare --columns=name find Interface name="$port")"

# --- VLANs: tag = vlan=, an access port ---------------------------------------------------
l2 "$TEST_UID" x ovsv 52:54:00:00:01:01 10
l2 "$TEST_UID" y ovsv 52:54:00:00:01:02 20
y_pid=${PIDS[-1]}
l2 "$TEST_UID" z ovsv 52:54:00:00:01:03 10
check_eq "vlan=10: the Port's tag" 10 "$(vsctl --bare get Port "$(port_of "$x_TAP")" tag)"
check_eq "vlan=20 asked: the other's" 20 "$(vsctl --bare get Port "$(port_of "$y_TAP")" tag)"
say x "send 52:54:00:00:01:01 ff:ff:ff:ff:ff:ff"
say z "recv 500"
say y "recv 300"
check "a broadcast in VLAN 10 reaches the other port of VLAN 10" \
	grep -q "^frame 52:54:00:00:01:01 ff:ff:ff:ff:ff:ff 88b5" "$TMP/z.out"
check "... never the port of VLAN 20" lacks "^frame 52:54:00:00:01:01" "$(cat "$TMP/y.out")"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" l2 ovsv 52:54:00:00:01:04 30 </dev/null 2>&1)
check "a VLAN the policy does not list is refused" grep -q "may not use VLAN 30 on bridge ovsv" <<<"$out"

# --- isolated=yes: protected Ports ---------------------------------------------------------
nsx ip link set ovsi up
l2 "$TEST_UID" i1 ovsi 52:54:00:00:03:01
i1_pid=${PIDS[-1]}
l2 "$TEST_UID" i2 ovsi 52:54:00:00:03:02
i2_pid=${PIDS[-1]}
check_eq "isolated=yes: the Port is protected" true "$(vsctl --bare get Port "$(port_of "$i1_TAP")" protected)"
sniff ovsi 1500
say i1 "send 52:54:00:00:03:01 ff:ff:ff:ff:ff:ff"
say i2 "recv 500"
wait "$SNIFF"
check "a protected port's broadcast reaches the bridge's own port" \
	grep -q "^frame 52:54:00:00:03:01 ff:ff:ff:ff:ff:ff 88b5" "$TMP/sniff"
check "... never the other protected port" lacks "^frame 52:54:00:00:03:01" "$(cat "$TMP/i2.out")"
kill "$i1_pid" "$i2_pid"
wait_for 50 link_gone "$i1_TAP"
wait_for 50 link_gone "$i2_TAP"
# Their ports go after them, on the back's own time: the next section
# counts Ports, so it starts once they are gone (Port record and device).
wait_for 50 port_gone "$(port_of "$i1_TAP")"
wait_for 50 port_gone "$(port_of "$i2_TAP")"

# --- options Open vSwitch cannot give: refused, nothing left ------------------------------
before=$(ours)
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" l2 ovsp 52:54:00:00:02:01 </dev/null 2>&1)
check "mac=pinned on an Open vSwitch bridge: refused in one line" \
	grep -q "^error errno=95 .*ovsp is an Open vSwitch bridge, whose ports cannot have locked ports (mac=pinned), which the tapd policy asks for: ask the admin" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" take ovsf 2>&1)
check "BPDU guard on a bridge that forwards BPDUs: refused" \
	grep -q "ovsf is an Open vSwitch bridge, whose ports cannot have BPDU guard (bpdu_guard=) while it forwards BPDUs" <<<"$out"
check_eq "... neither left a Port" "$before" "$(ours)"
check "... nor a tap or port device" wait_for 50 eval '[ "$(taps)" = 5 ] && [ -z "$(ports_of ovsp)$(ports_of ovsf)" ]'

# --- tapd killed, the tap gone meanwhile: its Port goes when tapd is back -----------------
port=$(port_of "$b_TAP")
kill -9 "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
kill "$b_pid"
wait_for 50 link_gone "$b_TAP"
check "tapd killed and the tap gone: its Port is still there" grep -qw "$port" <<<"$(ours)"
# And a port device gone while tapd was not running (someone deleted it).
gone=$(port_of "$y_TAP")
kill "$y_pid"
wait_for 50 link_gone "$y_TAP"
nsx ip link del "$gone"
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/tapd.sock"
check "tapd started again: the Port of the tap that went is removed" \
	wait_for 50 eval "! ours | grep -qw $port"
check "... and the Port whose device went too" wait_for 50 eval "! ours | grep -qw $gone"
check "... the Ports of taps still held stay" grep -qw "$(port_of "$a_TAP")" <<<"$(ours)"
check "... as does another program's" grep -qw tdp00c0ffee <<<"$(ports_of ovsbr0)"
check "tapd said what it removed" grep -q "removed Open vSwitch port $gone" "$TMP/tapd.log"
sniff ovsbr0 1000
say a "send 52:54:00:00:00:0a ff:ff:ff:ff:ff:ff"
wait "$SNIFF"
check "a held tap still reaches the bridge after tapd came back" \
	grep -q "^frame 52:54:00:00:00:0a ff:ff:ff:ff:ff:ff 88b5" "$TMP/sniff"
eval "exec ${a_fd}>&- ${x_fd}>&- ${z_fd}>&-"
check "all taps closed: no Port of tapd's left" wait_for 50 no_ours
check "... and no tap" wait_for 50 no_taps

# --- a Port of the same name, left behind, does not block a new tap -----------------------
hold_tap ovsbr0
port=$(port_of "$TAP")
kill -9 "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
release_tap
wait_for 50 link_gone "$TAP"
# The port device stays; vswitchd's record of it is stale. tapd restarts and
# must not be fooled by either.
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/tapd.sock"
check "a stale Port is removed when tapd is back" wait_for 50 no_ours

# --- ovs-vswitchd not running: refused within the deadline, nothing left -------------------
kill "$VSWITCHD"
wait "$VSWITCHD" 2>/dev/null
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" take ovsbr0 2>&1)
check "ovs-vswitchd not running: refused, saying so" \
	grep -q "Open vSwitch did not apply the tap's port on bridge ovsbr0 within 4 s: is ovs-vswitchd running" <<<"$out"
check "... no Port left" no_ours
check "... no tap left" wait_for 50 no_taps
start_vswitchd

# --- tapd may not write to the database: one line saying what to do ----------------------
pkill -P "$TAPD_PID" ; kill "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/db.sock"
check "tapd says at start that it cannot connect, and what to do" \
	grep -q "cannot connect to Open vSwitch's database at $OVS/db.sock: Permission denied: Open vSwitch bridges cannot be granted until tapd's user may write to it (tapd.conf(5), OPEN VSWITCH)" "$TMP/tapd.log"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" take ovsbr0 2>&1)
check "... and a request gets one line saying what to ask for" \
	grep -q "^error errno=13 .*ovsbr0 is no Linux bridge, and tapd cannot reach Open vSwitch's database at $OVS/db.sock .*Permission denied): ask the admin to let tapd's user write to that socket" <<<"$out"
check "... no tap left" wait_for 50 no_taps
kill "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/tapd.sock"

# --- ovsdb-server's echo requests are answered ------------------------------------------
# A remote from the database, with a probe after 1 s of silence: one that
# goes unanswered makes ovsdb-server drop the connection and log it.
vsctl -- --id=@m create Manager target="punix\:$OVS/probe.sock" inactivity_probe=1000 \
	-- add Open_vSwitch . manager_options @m >/dev/null
nsx "${ovs_env[@]}" ovs-appctl -t ovsdb-server ovsdb-server/add-remote db:Open_vSwitch,Open_vSwitch,manager_options
wait_for 50 test -S "$OVS/probe.sock"
chgrp "$TAPD_UID" "$OVS/probe.sock"
chmod 0660 "$OVS/probe.sock"
kill "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/probe.sock"
# back_sockets: the back's sockets, by inode; its connection to ovsdb-server
# is one of them, made as it started.
back_sockets() { ls -l "/proc/$(back_pid "$TAPD_PID")/fd" | grep -o 'socket:\[[0-9]*\]' | sort | paste -sd' '; }
sockets_before=$(back_sockets)
sleep 3.5	# three probes' time, tapd idle
hold_tap ovsbr0
check "a tap after ovsdb-server's idle probes" test -n "$TAP"
release_tap
check "... its Port gone with it" wait_for 50 no_ours
check "tapd answered the probes: ovsdb-server dropped no connection" \
	lacks "no response to inactivity probe" "$(cat "$OVS/ovsdb-server.log")"
check_eq "... and tapd kept the one it made at start" "$sockets_before" "$(back_sockets)"
kill "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null
start_tapd "$TMP/tapd.conf" --ovsdb "$OVS/tapd.sock"

# --- a guest through tapvm on the Open vSwitch bridge -------------------------------------
if QEMU=$(command -v qemu-system-x86_64) && [ -s "${TAPVM_GUEST_KERNEL:-$(dirname "$0")/../../build-guest}/vmlinuz" ] &&
	[ -x /bin/busybox ]; then
	"$(dirname "$0")/mkinitramfs.sh" "$TMP/guest" >/dev/null || bail "cannot build the guest"
	out=$(as_user -- "$TAPVM" doctor --socket "$SOCK" 2>&1)
	check "tapvm doctor knows the Open vSwitch bridge" \
		grep -q "^ok    bridge ovsbr0 exists: an Open vSwitch bridge (userspace datapath)" <<<"$out"
	mkdir -p "$TMP/bin"
	ln -s "$TAPVM" "$TMP/bin/xkvm"
	# boot IP LAUNCHER...: the guest at IP, on ovsbr0, pinging the host;
	# the console in $TMP/console.IP.
	boot() {
		local ip=$1
		shift
		as_user -- env TAPD_SOCKET="$SOCK" PATH="$TMP/bin:$PATH" timeout 300 "$@" \
			-- -m 256 -nographic -no-reboot -kernel "$TMP/guest/vmlinuz" \
			-initrd "$TMP/guest/initrd.img" \
			-append "console=ttyS0 quiet panic=-1 tapvm.ip=$ip/24 tapvm.peer=192.0.2.1" \
			</dev/null >"$TMP/console.$ip" 2>&1
		check_eq "$* ran the guest to its end" 0 "$?"
		check "... which pinged the bridge's internal port" grep -aq "TAPVM-PING-OK" "$TMP/console.$ip"
		check "... and, once QEMU exited, left no Port of tapd's" wait_for 50 no_ours
		check "... and no tap" wait_for 50 no_taps
		[ "$failed" = 0 ] || tail -30 "$TMP/console.$ip" | sed 's/^/console: /'
	}
	boot 192.0.2.2 "$TAPVM" run --accel tcg --qemu "$QEMU" --netdev ovsbr0
	boot 192.0.2.3 xkvm --netdev ovsbr0	# xkvm's own command line, unchanged
else
	echo "ok - the guest # SKIP QEMU, the guest kernel (scripts/guest-kernel) or busybox-static is missing"
	passed=$((passed + 1))
fi
[ "$failed" = 0 ] || tail -20 "$OVS/ovs-vswitchd.log" | sed 's/^/# vswitchd: /'
finish
