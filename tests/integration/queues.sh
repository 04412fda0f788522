#!/bin/bash
# queues.sh - multiqueue taps within the policy's queues=, the owner (and
# nobody else) attaching more queues by name, vhost-net fds where tapd can
# open /dev/vhost-net (here a stand-in device, as the machine has none) and a
# clear line where it cannot, and a guest that sees its queue pairs.
. "$(dirname "$0")/lib.sh"
setup queues
guest_setup 2
OTHER=65533
cat >"$TMP/tapd.conf" <<CONF
allow user:#$TEST_UID br0 2 queues=4
allow user:#$OTHER br0
CONF
kill -HUP "$TAPD_PID"
wait_for 30 grep -q "policy reloaded" "$TMP/tapd.log" || bail "tapd did not reload its policy"
# mq ARG...: tapd-client's mq as the test uid; its output in $TMP/mq.out.
mq() {
	mkfifo "$TMP/mq.in"
	ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
		"$TAPD_CLIENT" "$SOCK" mq "$@" <"$TMP/mq.in" >"$TMP/mq.out" &
	MQ_PID=$!
	PIDS+=("$MQ_PID")
	exec {MQ_FD}>"$TMP/mq.in"
	rm "$TMP/mq.in"
	wait_for 50 grep -q . "$TMP/mq.out"
	MQ_TAP=$(sed -n 's/^ifname=\([^ ]*\).*/\1/p' "$TMP/mq.out")
}
mq_release() {
	exec {MQ_FD}>&-
	wait "$MQ_PID"
}

# --- multiqueue taps ------------------------------------------------------------------
mq br0 4
check "a tap of 4 queues: 4 fds, each a queue of the same tap" \
	grep -q "^ifname=$MQ_TAP queues=4 .* fds=tap:$MQ_TAP,tap:$MQ_TAP,tap:$MQ_TAP,tap:$MQ_TAP$" "$TMP/mq.out"
check "... a multiqueue tap with 4 queues attached, owned by the client" \
	sh -c "ip netns exec $NS ip -d link show $MQ_TAP | grep -q 'multi_queue numqueues 4 numdisabled 0 persist off user nobody'"
check "... its port on br0" nsx test -e "/sys/class/net/br0/brif/$(port_of "$MQ_TAP")"
out=$(as_user -- "$TAPD_CLIENT" - attach "$MQ_TAP")
check_eq "its owner may attach one more queue by name" attached "$out"
out=$(nsx setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" - attach "$MQ_TAP")
check_eq "... and nobody else" "attach failed: Operation not permitted" "$out"
mq_release
check "the tap goes with its queues' fds" wait_for 30 link_gone "$MQ_TAP"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" mq br0 5 </dev/null); rc=$?
check_eq "more queues than the policy's queues=: refused (EPERM)" 1 "$rc"
check "... saying how many and where to ask" \
	grep -q "may have taps of at most 4 queues on bridge br0, not 5: ask the admin (queues= in the tapd policy)" <<<"$out"
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" mq br0 9 </dev/null); rc=$?
check_eq "more than tapd's hard cap: refused before the policy" 22 "$rc"
out=$(nsx setpriv --reuid=$OTHER --regid=$OTHER --clear-groups "$TAPD_CLIENT" "$SOCK" mq br0 2 </dev/null); rc=$?
check_eq "a rule without queues= allows one queue" 1 "$rc"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" -n br0,queues=5 --qemu /bin/true 2>&1); rc=$?
check_eq "tapvm: too many queues is a policy refusal (77)" 77 "$rc"
check "... in one line" test "$(wc -l <<<"$out")" = 1

# --- vhost-net --------------------------------------------------------------------------
mq br0 2 vhost
if [ -e /dev/vhost-net ]; then
	check "vhost=on: a vhost-net fd per queue" \
		grep -q "queues=2 vhost=2 vhost_errno=0 fds=tap:$MQ_TAP,tap:$MQ_TAP,[^,]*/dev/vhost-net,[^,]*/dev/vhost-net$" "$TMP/mq.out"
else
	echo "# /dev/vhost-net is absent here: tapd's fds are checked with a stand-in below"
	check "no /dev/vhost-net: the tap without vhost fds, and why" \
		grep -q "queues=2 vhost=0 vhost_errno=2 fds=tap:$MQ_TAP,tap:$MQ_TAP$" "$TMP/mq.out"
	check "... logged" grep -q "tap=$MQ_TAP .* queues=2 vhost=No such file or directory" "$TMP/tapd.log"
fi
mq_release
out=$(as_user -- timeout 60 "$TAPVM" run --socket "$SOCK" --accel tcg -n br0,vhost=on -- \
	"${GUEST[@]}" -append "$APPEND" </dev/null 2>&1); rc=$?
if [ ! -e /dev/vhost-net ]; then
	check "tapvm says in one line that QEMU will try vhost-net itself" \
		grep -qx "tapvm: NIC 0: tapd cannot open /dev/vhost-net (No such file or directory): QEMU will try itself (vhost=on)" <<<"$out"
	check_eq "... and QEMU, which cannot either, fails to start (80)" 80 "$rc"
	check "... saying so" grep -q "QEMU said: .*vhost" <<<"$out"
	[ "$failed" = 0 ] || echo "$out" | sed 's/^/tapvm: /'
fi

# A stand-in: tapd in a mount namespace whose /dev has /dev/null at
# /dev/vhost-net, so that the path returning vhost fds runs end to end.
kill "$TAPD_PID"
wait "$TAPD_PID" 2>/dev/null
mkdir "$TMP/hostdev"
rm -f "$TMP/tapd.log"
ip netns exec "$NS" unshare --mount --propagation private sh -c '
	mount --rbind /dev "$0" && mount -t tmpfs -o mode=755 none /dev && mkdir /dev/net &&
	touch /dev/net/tun /dev/null /dev/vhost-net && mount --bind "$0/net/tun" /dev/net/tun &&
	mount --bind "$0/null" /dev/null && mount --bind "$0/null" /dev/vhost-net && umount -l "$0" &&
	exec "$@"' "$TMP/hostdev" "$TAPD" --config "$TMP/tapd.conf" --socket "$SOCK" --user "$TAPD_UID" 2>"$TMP/tapd.log" &
TAPD_PID=$!
PIDS+=("$TAPD_PID")
wait_for 50 grep -q ready "$TMP/tapd.log" || bail "tapd did not start with the stand-in /dev"
mq br0 2 vhost
check "with a /dev/vhost-net tapd can open: a vhost fd per queue, after the queues" \
	grep -q "queues=2 vhost=2 vhost_errno=0 fds=tap:$MQ_TAP,tap:$MQ_TAP,[^,]*/dev/vhost-net,[^,]*/dev/vhost-net$" "$TMP/mq.out"
mq_release
# What QEMU gets: a stand-in QEMU lists its fds and exits; tapvm reports it
# with the whole command line.
printf '#!/bin/sh\nls -l /proc/$$/fd >&2\nexit 1\n' >"$TMP/fake-qemu-system-x86_64"
chmod 755 "$TMP/fake-qemu-system-x86_64"
out=$(as_user -- "$TAPVM" run --socket "$SOCK" --accel tcg --qemu "$TMP/fake-qemu-system-x86_64" \
	-n br0,queues=2,vhost=on -n br0 2>&1); rc=$?
check_eq "tapvm hands them on (the stand-in QEMU fails: 80)" 80 "$rc"
check "... as fds=3:4,vhost=on,vhostfds=5:6, mq=on and vectors" \
	grep -q "tap,id=net00,fds=3:4,vhost=on,vhostfds=5:6 -device virtio-net-pci,netdev=net00,mac=[0-9a-f:]*,mq=on,vectors=6 -netdev tap,id=net01,fd=7 " <<<"$out"
fdmap=$(tr '\n' ' ' <<<"$out")
check "... with the queues at 3 and 4" grep -q ' 3 -> [^ ]*/dev/net/tun .* 4 -> [^ ]*/dev/net/tun ' <<<"$fdmap"
check "... the vhost fds at 5 and 6" grep -q ' 5 -> [^ ]*/dev/vhost-net .* 6 -> [^ ]*/dev/vhost-net ' <<<"$fdmap"
check "... the next NIC's tap at 7" grep -q ' 7 -> [^ ]*/dev/net/tun' <<<"$out"
[ "$failed" = 0 ] || echo "$out" | sed 's/^/tapvm: /'

# --- a guest with two queue pairs ------------------------------------------------------------
as_user -- timeout 300 "$TAPVM" run --socket "$SOCK" --accel tcg --cpus 2 \
	-n "br0,queues=2,mac=52:54:00:7a:9e:09" -- "${GUEST[@]}" -append "$APPEND" \
	</dev/null >"$TMP/console" 2>&1
rc=$?
check_eq "a guest on a 2-queue tap ran to its end" 0 "$rc"
check "it sees two queue pairs on its NIC" grep -aq "TAPVM-NIC-QUEUES eth0 rx=2 tx=2 cpus=2" "$TMP/console"
check "... and pinged the host" grep -aq "TAPVM-PING-OK" "$TMP/console"
[ "$failed" = 0 ] || sed 's/^/console: /' "$TMP/console" | tail -30

finish
