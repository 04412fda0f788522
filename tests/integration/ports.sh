#!/bin/bash
# ports.sh - the policy's port options proved with real frames: written into
# a tap's fd as a guest writes them, read from other taps and from the
# host's side of the bridge. mac=pinned, isolated=yes, BPDU guard (on by
# default), learning= and flood=, vlan=.
. "$(dirname "$0")/lib.sh"
setup ports
OTHER=65533
PIN=52:54:00:00:0a:01
for b in brpin briso brplain brstp brflag brvlan; do
	nsx ip link add "$b" address "02:00:00:00:0a:$(printf %02x $((RANDOM % 256)))" type bridge
	nsx ip link set "$b" up
done
nsx ip link set brstp type bridge stp_state 1	# the kernel's STP: BPDUs reach it
cat >"$TMP/tapd.conf" <<CONF
allow user:#$TEST_UID brpin 8 mac=pinned
allow user:#$TEST_UID briso 8 isolated=yes
allow user:#$OTHER briso 8 isolated=yes
allow user:#$TEST_UID brplain 8
allow user:#$TEST_UID brstp 8
allow user:#$TEST_UID brflag 8 learning=no flood=no bpdu_guard=no root_block=no
allow user:#$TEST_UID brvlan 8 vlan=10
CONF
start_tapd "$TMP/tapd.conf"

port() { nsx bridge -d link show dev "$(port_of "$1")"; }

# --- mac=pinned -------------------------------------------------------------------------
l2 "$TEST_UID" pin brpin "$PIN"
check "a pinned port is locked" grep -q "locked on" <<<"$(port "$pin_TAP")"
check "... with one static, sticky FDB entry, the declared MAC" \
	test "$(nsx bridge fdb show dev "$(port_of "$pin_TAP")" | grep -c ' static')" = 1 -a \
	"$(nsx bridge fdb show dev "$(port_of "$pin_TAP")" | grep ' static')" = "$PIN sticky master brpin static"
sniff brpin 3000
say pin "send $PIN ff:ff:ff:ff:ff:ff"
say pin "send 52:54:00:00:0a:99 ff:ff:ff:ff:ff:ff"
wait "$SNIFF"
check "frames from the declared MAC reach the host" grep -q "^frame $PIN ff:ff:ff:ff:ff:ff 88b5" "$TMP/sniff"
check "frames from any other source MAC do not" sh -c "! grep -q '^frame 52:54:00:00:0a:99' '$TMP/sniff'"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n brpin,mac=52:54:00:00:0a:05 --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm declares its NIC's MAC: the pinned tap is granted (then the stand-in QEMU fails: 80)" 80 "$rc"
check "... pinned" grep -q "grant uid=$TEST_UID .*bridge=brpin .*port=pinned," "$TMP/tapd.log"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create brpin </dev/null); rc=$?
check_eq "a request that declares no MAC on a pinned grant is refused (EINVAL)" 22 "$rc"
check "... saying why" grep -q "pins the guest's MAC on bridge brpin: the request must declare it" <<<"$out"

# --- isolated=yes -------------------------------------------------------------------------
l2 "$TEST_UID" isa briso 52:54:00:00:0b:01
l2 "$OTHER" isb briso 52:54:00:00:0b:02
check "isolated ports are isolated" grep -q "isolated on" <<<"$(port "$isa_TAP")"
sniff briso 3000
say isa "send 52:54:00:00:0b:01 ff:ff:ff:ff:ff:ff"
say isb "send 52:54:00:00:0b:02 ff:ff:ff:ff:ff:ff"
say isa "recv 500"
say isb "recv 500"
wait "$SNIFF"
check "both users' ports reach the host" \
	sh -c "grep -q '^frame 52:54:00:00:0b:01 ' '$TMP/sniff' && grep -q '^frame 52:54:00:00:0b:02 ' '$TMP/sniff'"
check "... but not each other" \
	sh -c "! grep -q '^frame 52:54:00:00:0b:02 ' '$TMP/isa.out' && ! grep -q '^frame 52:54:00:00:0b:01 ' '$TMP/isb.out'"
# The control: ports that are not isolated do get each other's broadcast.
l2 "$TEST_UID" pla brplain 52:54:00:00:0c:01
l2 "$TEST_UID" plb brplain 52:54:00:00:0c:02
say pla "send 52:54:00:00:0c:01 ff:ff:ff:ff:ff:ff"
say plb "recv 500"
check "(ports that are not isolated do reach each other)" grep -q '^frame 52:54:00:00:0c:01 ' "$TMP/plb.out"

# --- BPDU guard and root block, on by default ------------------------------------------------
l2 "$TEST_UID" stpa brstp 52:54:00:00:0c:11
l2 "$TEST_UID" stpb brstp 52:54:00:00:0c:12
ports=$(port "$stpa_TAP")
check "a default port has BPDU guard and root block" grep -q "guard on root_block on" <<<"$ports"
check "... and learns, and is flooded to" grep -q "learning on flood on" <<<"$ports"
say stpa "bpdu 52:54:00:00:0c:11"
check "a BPDU written into a guarded port disables it" \
	wait_for 30 sh -c "ip netns exec $NS bridge link show dev $(port_of "$stpa_TAP") | grep -q 'state disabled'"
check "... and tapd says so" \
	wait_for 30 grep -q "port disabled tap=$stpa_TAP .*uid=$TEST_UID: a spanning-tree BPDU came in through it (bpdu_guard)" "$TMP/tapd.log"
check "... the other port is not disabled" sh -c "! ip netns exec $NS bridge link show dev $(port_of "$stpb_TAP") | grep -q 'state disabled'"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "... and tapd still lists both taps" test "$(grep -c "^tap .*bridge=brstp" <<<"$out")" = 2
[ "$failed" = 0 ] || echo "$out"

# --- learning=no flood=no bpdu_guard=no root_block=no ------------------------------------------
l2 "$TEST_UID" flag brflag 52:54:00:00:0d:01
check "a rule can turn learning, flooding, BPDU guard and root block off" \
	grep -q "guard off root_block off fastleave off learning off flood off" <<<"$(port "$flag_TAP")"

# Ports joining bridges and changing state send AF_BRIDGE messages without
# the alias: they must not make tapd forget taps. 7 held, MAX 8: one more.
hold_tap brplain
check "the eighth tap is granted" test -n "$TAP"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create brplain </dev/null); rc=$?
check_eq "... and a ninth is refused: every port state change left the count right" 122 "$rc"
release_tap
wait_for 30 link_gone "$TAP"

# --- vlan= -------------------------------------------------------------------------------------------
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" l2 brvlan 52:54:00:00:0e:01 20 </dev/null); rc=$?
check_eq "a VLAN the rule does not list is refused (EACCES)" 13 "$rc"
check "... saying so" grep -q "may not use VLAN 20 on bridge brvlan" <<<"$out"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n brvlan,vlan=20 --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: --netdev BRIDGE,vlan=20 refused by the policy (77)" 77 "$rc"
if nsx ip link set brvlan type bridge vlan_filtering 1 2>/dev/null; then
	nsx ip link add link brvlan name brvlan.10 type vlan id 10
	nsx bridge vlan add dev brvlan vid 10 self
	nsx ip link set brvlan.10 up
	l2 "$TEST_UID" vl brvlan 52:54:00:00:0e:01
	check "vlan=10: the port's untagged PVID is 10" \
		grep -q "10 PVID Egress Untagged" <<<"$(nsx bridge vlan show dev "$(port_of "$vl_TAP")")"
	sniff brvlan.10 1500
	say vl "send 52:54:00:00:0e:01 ff:ff:ff:ff:ff:ff"
	wait "$SNIFF"
	check "... the guest's untagged frames reach the host's VLAN 10 interface" \
		grep -q '^frame 52:54:00:00:0e:01 ' "$TMP/sniff"
else
	echo "# this kernel has no bridge VLAN filtering: vlan= is checked as refused, not as working"
	out=$(as_user -- "$TAPD_CLIENT" "$SOCK" l2 brvlan 52:54:00:00:0e:01 </dev/null); rc=$?
	check_eq "vlan= on a bridge that cannot filter VLANs is refused (EOPNOTSUPP), never silently open" 95 "$rc"
	check "... saying why and what to do" \
		grep -q "bridge brvlan does not filter VLANs, so the tapd policy's vlan= cannot be honoured" <<<"$out"
fi
half() {
	local t
	for t in $(nsx ls /sys/class/net | grep '^tapd'); do
		nsx test -e "/sys/class/net/$(port_of "$t")/master" || return 0
	done
	nsx ls /sys/class/net | grep -E '^td[pr]' | while read -r p; do
		nsx test -e "/sys/class/net/tapd${p#td?}" || echo "$p"
	done | grep -q .
}
check "no tap is left half made, no port without its tap" eval "! half"

finish
