#!/bin/bash
# quota.sh - quotas that hold against what a tap's holder can do, the
# host-wide limit, a restarted tapd, clients that leave early, policy reload
# and a policy that is not root's.
. "$(dirname "$0")/lib.sh"
setup quota
OTHER=65533
nsx ip link add br0 address 02:00:00:00:0d:00 type bridge
nsx ip link set br0 up
cat >"$TMP/tapd.conf" <<CONF
allow user:#$TEST_UID br0 2
allow user:#$OTHER br0 4
CONF
start_tapd "$TMP/tapd.conf" --max-taps 3
client() { as_user -- "$TAPD_CLIENT" "$SOCK" "$@"; }

# --- MAX from the policy -------------------------------------------------------------
hold_tap br0; T1=$TAP; H1=$HOLD_FD; P1=$HOLD_PID
hold_tap br0; T2=$TAP
check "two taps, the policy's MAX" test -n "$T1" -a -n "$T2"
out=$(client create br0); rc=$?
check_eq "a third is refused (EDQUOT)" 122 "$rc"
check "... saying why" grep -q "uid $TEST_UID holds 2 taps already, the most the tapd policy allows" <<<"$out"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n br0 --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: a quota refusal exits 77" 77 "$rc"

# --- the host-wide limit (--max-taps 3) --------------------------------------------------
mkfifo "$TMP/other.in"
ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups \
	"$TAPD_CLIENT" "$SOCK" create br0 <"$TMP/other.in" >"$TMP/other.out" &
OTHER_PID=$!; PIDS+=("$OTHER_PID")
exec {OTHER_FD}>"$TMP/other.in"
check "another user may have the host's third tap" wait_for 50 grep -q ifname= "$TMP/other.out"
out=$(ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" create br0 </dev/null); rc=$?
check_eq "a fourth on the host is refused (ENOSPC) within that user's own MAX" 28 "$rc"
check "... naming --max-taps" grep -q "tapd's limit of 3 taps on this host is reached" <<<"$out"

exec {OTHER_FD}>&-
wait "$OTHER_PID"

# --- what the holder of a tap's fd can do ----------------------------------------------
release_tap	# T2 goes
check "a released tap is gone" wait_for 30 link_gone "$T2"
mkfifo "$TMP/chown.in"
ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	"$TAPD_CLIENT" "$SOCK" chown br0 12345 <"$TMP/chown.in" >"$TMP/chown.out" &
CH_PID=$!; PIDS+=("$CH_PID")
exec {CH_FD}>"$TMP/chown.in"
wait_for 50 grep -q owner= "$TMP/chown.out"
T3=$(sed -n 's/^ifname=\([^ ]*\).*/\1/p' "$TMP/chown.out")
check_eq "the holder gave its tap to another uid" 12345 "$(nsx cat /sys/class/net/$T3/owner)"
out=$(client create br0); rc=$?
check_eq "... and still cannot pass its quota: tapd counts by alias, not owner" 122 "$rc"
exec {CH_FD}>&-
wait "$CH_PID"
check "... the given-away tap goes when its fd closes" wait_for 30 link_gone "$T3"

out=$(client persist br0); rc=$?
T4=$(sed -n 's/^ifname=\([^ ]*\) persistent.*/\1/p' <<<"$out")
check "a client made its tap persistent and let go" test -n "$T4"
check "tapd deletes the abandoned persistent tap" wait_for 50 link_gone "$T4"
check "... and says so" wait_for 30 grep -q "deleted tap ifindex=[0-9]* uid=$TEST_UID: made persistent and abandoned" "$TMP/tapd.log"

before=$(taps)
client noread br0 >/dev/null
sleep 0.5
check_eq "a client gone before reading its answer leaves no tap" "$before" "$(taps)"

# --- a restarted tapd counts what is there --------------------------------------------
kill "$TAPD_PID"; wait "$TAPD_PID" 2>/dev/null
hold_tap_count=$(taps)
start_tapd "$TMP/tapd.conf" --max-taps 3
check "the new tapd counted the taps already there" grep -q "taps=$hold_tap_count max_taps=3" "$TMP/tapd.log"
hold_tap br0; T5=$TAP
check "... so this user gets one more" test -n "$T5"
out=$(client create br0); rc=$?
check_eq "... and no more" 122 "$rc"
release_tap

# --- SIGHUP: the policy, whole or not at all -----------------------------------------
cat >"$TMP/tapd.conf" <<CONF
allow user:#$OTHER br0 4
CONF
kill -HUP "$TAPD_PID"
check "SIGHUP reloads the policy" wait_for 30 grep -q "policy reloaded from $TMP/tapd.conf: 1 rules" "$TMP/tapd.log"
out=$(client create br0); rc=$?
check_eq "a revoked grant refuses new taps" 13 "$rc"
check "... running VMs keep theirs" nsx test -e "/sys/class/net/$T1"
echo "allow everybody br0" >"$TMP/tapd.conf"
kill -HUP "$TAPD_PID"
check "a bad policy is refused on reload" wait_for 30 grep -q "policy reload refused, the old policy stays in force: $TMP/tapd.conf:1: subject 'everybody'" "$TMP/tapd.log"
out=$(ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" list </dev/null)
check "... the old one stays in force" grep -q "grant bridge=br0 max=4" <<<"$out"
chmod 666 "$TMP/tapd.conf"
echo "allow all br0 9" >"$TMP/tapd.conf"
kill -HUP "$TAPD_PID"
check "a policy writable by others is refused on reload too" wait_for 30 grep -q "writable by group or others" "$TMP/tapd.log"
check "tapd still serves" kill -0 "$TAPD_PID"

# --- fail closed at start ---------------------------------------------------------------
chmod 644 "$TMP/tapd.conf"
chown "$TEST_UID" "$TMP/tapd.conf"
out=$(nsx "$TAPD" --config "$TMP/tapd.conf" --socket "$TMP/x.sock" 2>&1); rc=$?
check_eq "a policy not owned by root: tapd does not start" 1 "$rc"
check "... saying why" grep -q "is owned by uid $TEST_UID, not 0" <<<"$out"
chown root "$TMP/tapd.conf"

# --- the bridge deleted under running taps -------------------------------------------
nsx ip link del br0
check "deleting the bridge does not stop tapd" kill -0 "$TAPD_PID"
out=$(ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" create br0 </dev/null); rc=$?
check_eq "... which says the bridge is missing" 19 "$rc"
# tapd remembers a bridge's ifindex by name: a new link of that name is asked about.
nsx ip link add br0 type bridge && nsx ip link set br0 up
out=$(ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" create br0 </dev/null); rc=$?
check_eq "a bridge made again under that name is granted: the new one, not the gone one's ifindex" 0 "$rc"
nsx ip link set br0 mtu 1280
out=$(ip netns exec "$NS" setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" create br0 </dev/null); rc=$?
check "... and its MTU changed since is the next tap's (tapd reads it each time)" grep -q " mtu=1280 " <<<"$out"
exec {H1}>&-

finish
