#!/bin/bash
# tapd.sh - tapd for real: a namespace, bridges, a policy, an unprivileged
# client; the taps it gets, the refusals, the privileges tapd keeps.
. "$(dirname "$0")/lib.sh"
setup tapd

nsx ip link add br0 address 02:00:00:00:0b:00 mtu 1400 type bridge
nsx ip link add brx address 02:00:00:00:0b:01 type bridge   # exists, not granted
nsx ip link add denied address 02:00:00:00:0b:02 type bridge
nsx ip link add grpbr type bridge                           # no MAC set: warned
nsx ip link add ve0 type veth peer name ve1                # granted, not a bridge
for l in br0 brx denied grpbr; do nsx ip link set "$l" up; done

cat >"$TMP/extra.conf" <<CONF
allow group:#4242 grpbr
allow group:audio grpbr
CONF
cat >"$TMP/tapd.conf" <<CONF
# integration test policy
allow user:#$TEST_UID br0,ve0,nobr,virbr0 2
allow all denied
deny user:#$TEST_UID denied
include $TMP/extra.conf
CONF
# Started with an fd open that is not its business (a shell redirection).
start_tapd "$TMP/tapd.conf" 9<"$TMP/tapd.conf"

# --- privileges -----------------------------------------------------------
st=/proc/$TAPD_PID/status
check_halves "tapd as root" "$TAPD_PID"
BACK=$(back_pid "$TAPD_PID")
check_eq "tapd cleared its bounding set (front)" 0000000000000000 "$(status_of "$TAPD_PID" CapBnd)"
check_eq "... and the back's" 0000000000000000 "$(status_of "$BACK" CapBnd)"
check "tapd has no supplementary group" awk '/^Groups/ { exit NF != 1 }' "$st"
check "tapd closed the fd it was started with" sh -c "! ls -l /proc/$TAPD_PID/fd | grep -q tapd.conf"
# Stdio, its socket to the front, its rtnetlink socket, the pipe to its
# deleting threads and their 64 rtnetlink sockets: nothing of the front's.
check_eq "the back holds stdio, 66 sockets and a pipe, nothing else" "0 1 2 socket pipe pipe$(printf ' socket%.0s' $(seq 65))" \
	"$(for f in $(ls /proc/"$BACK"/fd | sort -n); do l=$(readlink /proc/"$BACK"/fd/"$f"); [ "$f" -le 2 ] && echo "$f" || echo "${l%%:*}"; done | paste -sd' ')"

# --- a granted tap ----------------------------------------------------------
hold_tap br0 vm-one
sys=/sys/class/net/$TAP
check "the client got a tap name ($TAP)" test -n "$TAP"
check "it exists" nsx test -e "$sys"
# IFF_TAP 0x2 | IFF_NO_PI 0x1000 | IFF_VNET_HDR 0x4000; never IFF_PERSIST.
check_eq "it is a tap with vnet headers, not persistent" 0x5002 "$(nsx cat "$sys/tun_flags")"
check "it is on no bridge itself" nsx test ! -e "$sys/master"
check_eq "its port is on br0" br0 "$(bridge_of "$TAP")"
check "it is up" nsx sh -c "[ \$((\$(cat $sys/flags) & 1)) = 1 ]"
check_eq "it has the bridge's MTU" 1400 "$(nsx cat "$sys/mtu")"
check "its MAC's first byte is fe" nsx grep -q '^fe:' "$sys/address"
check_eq "its owner is the client" "$TEST_UID" "$(nsx cat "$sys/owner")"
check "its alias records uid, pid, time and label" \
	nsx grep -Eq "^tapd uid=$TEST_UID pid=[0-9]+ since=[0-9]{10} vm=vm-one\$" "$sys/ifalias"
check "the client saw the same MAC" grep -q "mac=$(nsx cat "$sys/address")" "$HOLD_OUT"
check "the grant is logged" grep -q "grant uid=$TEST_UID pid=[0-9]* bridge=br0 tap=$TAP vm=vm-one" "$TMP/tapd.log"

out=$(as_user -- "$TAPVM" list --socket "$SOCK")
check "tapvm list shows the granted bridges" grep -Eq '^br0 +2$' <<<"$out"
check "tapvm list shows the tap" grep -q "^$TAP *br0 .*vm-one" <<<"$out"
out=$(as_user -- "$TAPVM" taps --socket "$SOCK")
check "tapvm taps: the user's own, with bridge, pid, age and VM" \
	grep -Eq "^$TAP +br0 +$HOLD_PID +[0-9]+s +vm-one\$" <<<"$out"
check_eq "... under a header" "TAP BRIDGE PID AGE VM" "$(head -1 <<<"$out" | tr -s ' ')"
out=$(nsx "$TAPD" --list)
check "tapd --list: every tap, from the kernel, with user, pid, bridge, age, VM" \
	grep -Eq "^$TAP +nobody +$HOLD_PID +br0 +[0-9]+s +vm-one\$" <<<"$out"
out=$(as_user -- "$TAPVM" taps --socket "$SOCK" --bogus 2>&1); rc=$?
check_eq "tapvm taps: a bad option is a usage error" 64 "$rc"
check_eq "tapvm list --bridges is for completion" "br0 ve0 nobr virbr0" \
	"$(as_user -- "$TAPVM" list --bridges --socket "$SOCK" | tr '\n' ' ' | sed 's/ $//')"

# --- notifications of links not tapd's stay in the kernel (a socket filter) ---
wakes() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$TAPD_PID/status"; }
before=$(wakes)
nsx sh -c 'for i in $(seq 50); do
	ip link add tfx$i type veth peer name tfy$i && ip link set tfx$i up && ip link set tfy$i up; done'
woke=$(( $(wakes) - before ))
check "100 links not tapd's (veth pairs) were made" nsx test -e /sys/class/net/tfy50
check "... and brought up: the front woke $woke times for their 300 notifications and more (under 20)" \
	test "$woke" -lt 20
before=$(wakes)
nsx sh -c 'for i in $(seq 50); do ip link del tfx$i; done'
woke=$(( $(wakes) - before ))
check "... and deleted: the front woke $woke times for their 100 deletions (under 20)" \
	test "$woke" -lt 20
check "... and its own tap is still counted after they went" \
	grep -Eq '^br0 +2$' <<<"$(as_user -- "$TAPVM" list --socket "$SOCK")"
check "... and listed" grep -q "^$TAP " <<<"$(as_user -- "$TAPVM" taps --socket "$SOCK")"

# --- bash completion: commands, options, bridges and VM names from tapvm itself ---
mkdir -p "$TMP/home/.config/tapvm"
echo "memory = 256" >"$TMP/home/.config/tapvm/web.conf"
# comp WORD...: what completing the last WORD offers, as the test uid.
comp() {
	as_user -- env TAPD_SOCKET="$SOCK" HOME="$TMP/home" PATH="$(dirname "$TAPVM"):$PATH" bash -c '
		. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		complete -p "$1" | grep -q "_$1" || exit 1
		"_$1"; echo "${COMPREPLY[*]}"' "${COMPLETION:?}" "$@"
}
check "completion: commands" grep -q "run start stop .* list taps doctor help --help --version" <<<"$(comp tapvm "")"
check_eq "completion: options from --help" "--name --netdev --no-dowait" "$(comp tapvm run --n)"
check_eq "completion: bridges from tapd" "user br0 ve0 nobr virbr0" "$(comp tapvm run --netdev "")"
check_eq "completion: VM names" "web" "$(comp tapvm start "")"
check_eq "completion: img's commands" "new snapshot clone list" "$(comp tapvm img "")"
check_eq "completion: nothing after --" "" "$(comp tapvm run -- "")"
check_eq "completion: xkvm is tapvm run" "--name --netdev --no-dowait" "$(comp xkvm --n)"

# --- tapvm doctor ------------------------------------------------------------------
out=$(as_user -- "$TAPVM" doctor --socket "$SOCK"); rc=$?
check_eq "doctor: a bridge that is missing is a problem (exit 1)" 1 "$rc"
check "... tapd answers" grep -qx "ok    tapd answers at $SOCK" <<<"$out"
check "... which bridges the policy grants" grep -qx "ok    the tapd policy grants you: br0 (2 taps), ve0 (2 taps), nobr (2 taps), virbr0 (2 taps)" <<<"$out"
check "... br0 exists" grep -qx "ok    bridge br0 exists" <<<"$out"
check "... ve0 is not a bridge" grep -qx "FAIL  ve0 is not a bridge: ask the admin to grant a bridge instead" <<<"$out"
check "... nobr is missing, and what to do" grep -q "^FAIL  bridge nobr does not exist: ask the admin to create it (ip link add nobr type bridge" <<<"$out"
check "... QEMU is there" grep -q "^ok    QEMU: /.*/qemu-system-" <<<"$out"
check "... KVM: usable or why not" grep -Eq "^(ok    KVM: /dev/kvm is usable|warn  KVM: .*)$" <<<"$out"
check "... virbr0 is missing: libvirt's network to start" grep -qx "FAIL  bridge virbr0 does not exist: it is libvirt's default network: start it (sudo virsh net-start default; sudo virsh net-autostart default keeps it started)" <<<"$out"
check "... and a count" grep -qx "3 problems to fix before tapvm run can work." <<<"$out"
# Added to /dev/kvm's group after logging in: told to log in again, not to
# ask for the group. (A private /dev with a /dev/kvm of group audio, and a
# private /etc where the account is in audio; the session is not.)
mkdir -p "$TMP/etc.u" "$TMP/etc.w"
u=$(id -nu "$TEST_UID")
out=$(nsx unshare --mount --propagation private sh -c '
	mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 &&
	mknod -m 660 /dev/kvm c 10 232 && chgrp audio /dev/kvm &&
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/etc.u,workdir=$0/etc.w" /etc &&
	sed -i -E "s/^(audio:[^:]*:[0-9]+:)$/\1$1/; s/^(audio:[^:]*:[0-9]+:.+)$/\1,$1/" /etc/group &&
	exec setpriv --reuid="$2" --regid="$2" --clear-groups "$3" doctor --socket "$4"' \
	"$TMP" "$u" "$TEST_UID" "$TAPVM" "$SOCK" 2>&1)
check "doctor: a session older than the user's kvm group is told to log in again" \
	grep -qx "warn  KVM: cannot open /dev/kvm: you were added to group audio after this session began: log out and in again (or run newgrp audio)" <<<"$out"
out=$(as_user -- "$TAPVM" doctor --socket "$TMP/none.sock" --qemu /nonexistent/qemu-system-x86_64); rc=$?
check_eq "doctor without tapd or QEMU: exit 1" 1 "$rc"
check "... says to start tapd" grep -q "^FAIL  tapd is not running at $TMP/none.sock: start tapd.socket" <<<"$out"
check "... and to install QEMU" grep -qx "FAIL  QEMU /nonexistent/qemu-system-x86_64 is not found: install qemu-system-x86 (sudo apt install qemu-system-x86) or pass --qemu" <<<"$out"
release_tap
check "the tap vanishes when its fd closes" wait_for 30 link_gone "$TAP"
check_eq "tapd --list with no tap says so" "No tap made by tapd on this host." "$(nsx "$TAPD" --list)"
check_eq "tapvm taps with no tap says so" "You have no taps." "$(as_user -- "$TAPVM" taps --socket "$SOCK")"

# --- refusals -----------------------------------------------------------------
msg_brx=$(as_user -- "$TAPD_CLIENT" "$SOCK" create brx); rc_brx=$?
msg_none=$(as_user -- "$TAPD_CLIENT" "$SOCK" create nothere); rc_none=$?
check_eq "a bridge not granted is refused (EACCES)" 13 "$rc_brx"
check_eq "a name not granted that does not exist gets the same errno" 13 "$rc_none"
check_eq "... and the same words" "${msg_brx//brx/X}" "${msg_none//nothere/X}"
check "the refusal says why and what to do" grep -q "may not use bridge brx: ask the admin" <<<"$msg_brx"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create denied); rc=$?
check_eq "deny wins over allow all" 13 "$rc"
check "... saying a deny rule refuses it" grep -q "user $(id -nu "$TEST_UID") (uid $TEST_UID) may not use bridge denied: a deny rule of the tapd policy refuses it" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create grpbr); rc=$?
check_eq "a bridge granted to groups the user is not in" 13 "$rc"
check "... names the user and those groups" grep -q "user $(id -nu "$TEST_UID") (uid $TEST_UID) may not use bridge grpbr: the policy grants it to groups #4242, audio, which $(id -nu "$TEST_UID") is in none of: ask the admin to add you" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create nobr); rc=$?
check_eq "a granted bridge that does not exist: ENODEV" 19 "$rc"
check "... saying so" grep -q "bridge nobr does not exist" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create virbr0); rc=$?
check_eq "virbr0 missing: ENODEV" 19 "$rc"
check "... with the hint doctor gives: libvirt's network, to start" grep -q "bridge virbr0 does not exist: it is libvirt's default network: start it (sudo virsh net-start default;" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create ve0); rc=$?
check_eq "a granted veth is not a bridge: EMEDIUMTYPE" 124 "$rc"
check "... saying so" grep -q "ve0 is not a bridge" <<<"$out"
check "no tap was left behind by refusals" \
	sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
check "refusals are logged" grep -q "refuse uid=$TEST_UID pid=[0-9]* bridge=brx errno=13" "$TMP/tapd.log"

# --- groups -------------------------------------------------------------------
as_user -- "$TAPD_CLIENT" "$SOCK" create grpbr >/dev/null
check_eq "a group rule does not match without the group" 13 "$?"
hold_tap grpbr "" --groups=4242
check "a group rule matches through a supplementary group" test -n "$TAP"
check_eq "... and the tap is on that bridge" grpbr "$(bridge_of "$TAP")"
release_tap
check "a bridge without an explicit MAC is warned about" grep -q "bridge=grpbr has no MAC address set" "$TMP/tapd.log"
check "a bridge with one is not" sh -c "! grep -q 'bridge=br0 has no MAC' $TMP/tapd.log"

# --- hostile input --------------------------------------------------------------
fds_before=$(tapd_fds)
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" raw 0001)
check "a 2-byte message gets an error reply" grep -q "errno=74 .*shorter than a netlink header" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" big 4000)
check "an oversized message gets an error reply" grep -q "errno=90 .*larger than 1024 bytes" <<<"$out"
# Fds: this kernel refuses them for tapd (SO_PASSRIGHTS, Linux 6.16), or
# tapd refuses them; hostile.sh runs the second on this kernel too.
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" fds 1)
if grep -q "client_fds=refused-by-kernel" "$TMP/tapd.log"; then
	check "fds sent to tapd: the kernel refuses to pass them (SO_PASSRIGHTS)" \
		grep -q "send failed: Operation not permitted" <<<"$out"
else
	check "fds sent to tapd are refused" grep -q "does not accept file descriptors" <<<"$out"
fi
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "... and the client may ask again" grep -q "^grant " <<<"$out"
# nlmsghdr {len 20, type 0x11 (list), flags 0, seq 5, pid 0} + version 9
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" raw 1400000011000000050000000000000009000000)
check "an unknown version is refused, with the request's seq" grep -q "errno=93 seq=5 .*version" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" raw 1400000077000000050000000000000001000000)
check "an unknown type is refused" grep -q "errno=95 .*unknown message type" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" raw 1c00000010000000050000000000000001000000ffff0100)
check "an attribute longer than the message is refused" grep -q "errno=" <<<"$out"
# Random bodies behind a header whose length is right, so they reach the
# attribute parser: any error is fine, a crash or a leak is not.
for i in $(seq 1 100); do
	body=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
	as_user -- "$TAPD_CLIENT" "$SOCK" raw "280000001${i: -1}000000${body:0:2}0000000000000001000000${body:8:40}" >/dev/null
done
check "tapd survives random garbage" kill -0 "$TAPD_PID"
check "and leaks no fd" wait_for 30 fds_back
hold_tap br0
check "tapd still grants taps after all that" test -n "$TAP"
release_tap

# Names: exactly 15 bytes, 16 and 100 (refused, never cut), one differing
# from a granted name only in its 16th byte, lo.
nsx ip link add abcdefghijklmno type bridge
echo "allow user:#$TEST_UID abcdefghijklmno" >>"$TMP/extra.conf"
kill -HUP "$TAPD_PID"; wait_for 30 grep -q "policy reloaded" "$TMP/tapd.log"
hold_tap abcdefghijklmno
check "a granted bridge name of exactly 15 bytes works" test -n "$TAP"
sleep 0.5	# the bridge's notifications about the new port come in
as_user -- "$TAPD_CLIENT" "$SOCK" list >/dev/null
check "a port of a bridge that is down is not taken for a BPDU guard at work" \
	sh -c "! grep -q 'port disabled' '$TMP/tapd.log'"
release_tap
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create abcdefghijklmnoX); rc=$?
check_eq "16 bytes, equal to a granted name but for the 16th: refused, not cut" 22 "$rc"
check "... as malformed" grep -q "malformed or oversized attribute" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create "$(printf 'b%.0s' $(seq 100))"); rc=$?
check_eq "100 bytes: refused" 22 "$rc"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" create lo); rc=$?
check_eq "lo, not granted: the uniform refusal" 13 "$rc"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" repeat 300); rc=$?
check "at most 256 requests on one connection" grep -q "after 256: more than 256 requests on one connection" <<<"$out"
check_eq "... the 257th refused with ECONNABORTED" 103 "$rc"

# A thousand connections that never speak: one uid gets 8, the rest are
# refused at once, and everyone else is still served.
mkfifo "$TMP/many.in"
ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	"$TAPD_CLIENT" "$SOCK" many 1000 <"$TMP/many.in" >"$TMP/many.out" &
MANY_PID=$!; PIDS+=("$MANY_PID")
exec {MANY_FD}>"$TMP/many.in"
wait_for 600 grep -q "refused=" "$TMP/many.out"
refused=$(sed -n 's/^refused=//p' "$TMP/many.out")
check "1000 silent connections of one uid: all but at most 8 refused at once ($refused)" \
	test "${refused:-0}" -ge 992 -a "${refused:-0}" -lt 1000
out=$(nsx "$TAPD_CLIENT" "$SOCK" list)
check "... while another uid is served (its grants listed)" grep -q "^grant bridge=denied " <<<"$out"
exec {MANY_FD}>&-
wait "$MANY_PID"

# One user cannot take every connection slot: 8 idle connections, then no more.
mkfifo "$TMP/idle.in"
for i in $(seq 1 8); do
	ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
		"$TAPD_CLIENT" "$SOCK" idle <"$TMP/idle.in" >"$TMP/idle-out.$i" &
	PIDS+=("$!")
done
exec {IDLE_FD}>"$TMP/idle.in"
wait_for 50 sh -c "cat $TMP/idle-out.* | grep -c connected | grep -qx 8"
sleep 0.3
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "a 9th connection of one uid is refused" grep -q "errno=87 .*already has 8 connections" <<<"$out"
out=$(nsx "$TAPD_CLIENT" "$SOCK" list)
check "... while another uid is still served (its grants listed)" grep -q "^grant bridge=denied " <<<"$out"
exec {IDLE_FD}>&-
sleep 0.3
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "once they close, that uid is served again" grep -q "grant bridge=br0" <<<"$out"

# --- tapd refuses to start rather than run wrong ------------------------------
out=$(nsx setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	"$TAPD" --config "$TMP/tapd.conf" --socket "$TMP/other.sock" 2>&1); rc=$?
check_eq "tapd without CAP_NET_ADMIN does not start" 1 "$rc"
check "... and says what it needs" grep -q "tapd needs CAP_NET_ADMIN: start it as root" <<<"$out"
for u in nobody 65534; do
	out=$(nsx "$TAPD" --config "$TMP/tapd.conf" --socket "$TMP/other.sock" --user $u 2>&1); rc=$?
	check_eq "tapd will not become $u, whom other processes share" 1 "$rc"
	check "... saying to create a user of its own" grep -q "create a user of tapd's own" <<<"$out"
done
if ! getent passwd tapd >/dev/null; then
	out=$(nsx "$TAPD" --config "$TMP/tapd.conf" --socket "$TMP/other.sock" 2>&1); rc=$?
	check_eq "without a tapd user and no --user, tapd does not start" 1 "$rc"
	check "... and says how to create it" grep -q "user 'tapd' does not exist: create it (systemd-sysusers" <<<"$out"
fi
mkdir "$TMP/nob" && chown 65534 "$TMP/nob"
out=$(nsx setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_admin \
	--ambient-caps=+net_admin "$TAPD" --config "$TMP/tapd.conf" --socket "$TMP/nob/s" 2>&1); rc=$?
check_eq "nor run as nobody when started so" 1 "$rc"
check "... saying why" grep -q "tapd runs as nobody, whom other processes share" <<<"$out"
rm -f "$TMP/other.sock"
printf 'allow virbr0\n' >"$TMP/qemu-style.conf"
out=$(nsx "$TAPD" --check --config "$TMP/qemu-style.conf" 2>&1); rc=$?
check_eq "tapd --check: qemu-bridge-helper's 'allow virbr0' is an error" 1 "$rc"
check "... with the line tapd.conf needs" grep -qx "tapd: the policy has an error: $TMP/qemu-style.conf:1: 'allow virbr0' has no subject: tapd.conf needs one, as in 'allow group:kvm virbr0' (qemu-bridge-helper's bridge.conf has none; see tapd.conf(5))" <<<"$out"
check "tapd --help points at the manual pages" grep -q "Manual pages: tapd(8), the policy language tapd.conf(5)" <<<"$("$TAPD" --help)"
printf 'allow all br0\nallow all br0 many\n' >"$TMP/bad.conf"
out=$(nsx "$TAPD" --config "$TMP/bad.conf" --socket "$TMP/other.sock" 2>&1); rc=$?
check_eq "tapd with a bad policy does not start" 1 "$rc"
check "... naming file:line" grep -q "policy not loaded, not starting: $TMP/bad.conf:2: MAX 'many'" <<<"$out"
check "... and binds no socket" test ! -e "$TMP/other.sock"
out=$(nsx "$TAPD" --config "$TMP/tapd.conf" --socket "$SOCK" 2>&1); rc=$?
check_eq "a second tapd on the same socket does not start" 1 "$rc"
check "... saying so" grep -q "another tapd is already listening at $SOCK" <<<"$out"
check_eq "tapd --check accepts a good policy" 0 "$(nsx "$TAPD" --check --config "$TMP/tapd.conf" >/dev/null 2>&1; echo $?)"

# --- tapvm's errors ----------------------------------------------------------------
out=$(as_user -- "$TAPVM" run --socket "$TMP/none.sock" -n br0 --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: tapd not running exits 69" 69 "$rc"
check "... with one line naming the socket and the fix" \
	grep -qx "tapvm: tapd is not running at $TMP/none.sock: start tapd.socket.*" <<<"$out"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n brx --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: refused by policy exits 77" 77 "$rc"
check "... printing tapd's line as it is" grep -qx "tapvm: user $(id -nu "$TEST_UID") (uid $TEST_UID) may not use bridge brx: .*" <<<"$out"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n nobr --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: missing bridge exits 68" 68 "$rc"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n br0 --qemu "$TMP/no-qemu" 2>&1); rc=$?
check_eq "tapvm: QEMU not found exits 127" 127 "$rc"
check "... with one line" grep -qx "tapvm: QEMU not found: $TMP/no-qemu .*pass --qemu" <<<"$out"
out=$(as_user -- "$TAPVM" run --socket "$TMP/none.sock" --dry-run -n br0 -n user --qemu qemu-system-x86_64 --accel tcg -- -m 64 2>&1); rc=$?
check_eq "tapvm --dry-run asks tapd for nothing" 0 "$rc"
check "... and prints the command line" grep -Eq "^[^ ]*qemu-system-x86_64 -accel tcg -device virtio-scsi-pci,id=virtio-scsi-xkvm -netdev tap,id=net00,fd=3 -device virtio-net-pci,netdev=net00,mac=52:54:00(:[0-9a-f]{2}){3} -netdev user,id=net01 -device virtio-net-pci,netdev=net01,mac=52:54:00(:[0-9a-f]{2}){3} -chardev socket,id=tapvm-qmp,fd=4 -mon chardev=tapvm-qmp,mode=control -chardev socket,id=tapvm-console,fd=5 -serial chardev:tapvm-console -m 64\$" <<<"$out"
# --accel auto: KVM only where /dev/kvm opens read-write and the CPU has
# vmx or svm, for the user running tapvm.
want=tcg
if as_user -- sh -c 'exec 3<>/dev/kvm' 2>/dev/null && grep -qwE 'vmx|svm' /proc/cpuinfo; then
	want=kvm
fi
out=$(as_user -- "$TAPVM" run --dry-run --accel auto --qemu qemu-system-x86_64 -n none 2>&1)
check "tapvm --accel auto picks $want here" grep -q -- " -accel $want " <<<"$out"

# Shell completion offers the bridges tapd grants.
out=$(as_user -- env PATH="$(dirname "$TAPVM"):$PATH" TAPD_SOCKET="$SOCK" bash -c '
	. "$1"; COMP_WORDS=(tapvm run --netdev ""); COMP_CWORD=3; _tapvm; echo "${COMPREPLY[*]}"' \
	_ "$COMPLETION")
check_eq "bash completion of --netdev lists user and the granted bridges" "user br0 ve0 nobr virbr0 abcdefghijklmno" "$out"

# QEMU replaced by a program that reports its fds and exits without
# speaking QMP: tapvm reports a launch failure.
cat >"$TMP/fake-qemu" <<'FAKE'
#!/bin/sh
ls -l /proc/self/fd/ > "$FAKE_OUT"
cat /proc/self/fdinfo/3 >> "$FAKE_OUT"
echo "fake QEMU: no such option" >&2
exit 42
FAKE
chmod 755 "$TMP/fake-qemu"
: >"$TMP/fake.out"; chmod 666 "$TMP/fake.out"
out=$(as_user -- env FAKE_OUT="$TMP/fake.out" "$TAPVM" run --socket "$SOCK" -n br0 --accel tcg --qemu "$TMP/fake-qemu" 7</dev/null 2>&1); rc=$?
check_eq "QEMU exiting before QMP is up: launch failure" 80 "$rc"
check "... with QEMU's exit status" grep -q "^tapvm: QEMU failed to start (exit status 42)" <<<"$out"
check "... the whole command line" grep -q "^tapvm: command: $TMP/fake-qemu -accel tcg .* -netdev tap,id=net00,fd=3 " <<<"$out"
check "... and what QEMU said" grep -q "^tapvm: QEMU said: fake QEMU: no such option" <<<"$out"
check "QEMU gets the tap at fd 3" grep -q ' 3 -> [^ ]*/dev/net/tun' "$TMP/fake.out"
check "... QMP and the console at fds 4 and 5" grep -q ' 4 -> socket:.* 5 -> socket:' <<<"$(tr '\n' ' ' <"$TMP/fake.out")"
check "... and no other inherited fd (7 was open in tapvm)" sh -c "! grep -q ' 7 -> ' $TMP/fake.out"
check "the tap is gone once QEMU exited" \
	sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"

finish
