#!/bin/bash
# subids.sh - a user's subordinate uids and gids, and the groups it drops,
# change nothing: a user with subuid/subgid ranges (Debian's useradd gives
# them) who connects from a user namespace of its own (newuidmap is setuid)
# counts as itself for deny rules, group rules, quotas and connection
# slots; so does a process that cleared its supplementary groups.
#
# The user, its group and its ranges exist only in this test's mount
# namespace: /etc is a copy there, with them added. The host's is untouched.
if [ -z "${TAPVM_SUBIDS_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
	TAPVM_SUBIDS_NS=1 exec unshare --mount --propagation private bash "$0"
fi
. "$(dirname "$0")/lib.sh"
command -v newuidmap >/dev/null || skip "newuidmap is missing (package uidmap)"
setup subids
USR=61500 SUB=300000 DENYGID=61600
mkdir "$TMP/etc"
cp -a /etc/. "$TMP/etc/"
echo "tapvmsub:x:$USR:$USR::/nonexistent:/bin/sh" >>"$TMP/etc/passwd"
echo "tapvmsub:x:$USR:" >>"$TMP/etc/group"
echo "tapvmdeny:x:$DENYGID:tapvmsub" >>"$TMP/etc/group"
echo "tapvmsub:$SUB:65536" >>"$TMP/etc/subuid"
echo "tapvmsub:$SUB:65536" >>"$TMP/etc/subgid"
mount --bind "$TMP/etc" /etc || bail "cannot put a copy of /etc in place"

for b in brsub brden brgrp; do
	nsx ip link add "$b" address "02:00:00:00:b0:$(printf %02x $((RANDOM % 256)))" type bridge
	nsx ip link set "$b" up
done
cat >"$TMP/tapd.conf" <<CONF
deny user:tapvmsub brden
deny group:tapvmdeny brgrp
allow all brsub 1
allow all brden 4
allow all brgrp 4
CONF
start_tapd "$TMP/tapd.conf"

# as_sub N CMD...: CMD as the user's subordinate uid and gid SUB+N, from a
# user namespace the user made (newuidmap, newgidmap), with no groups.
as_sub() {
	local n=$1
	shift
	nsx setpriv --reuid=$USR --regid=$USR --init-groups timeout 30 \
		unshare --user --map-users=$((SUB + n)),0,1 --map-groups=$((SUB + n)),0,1 \
		--setuid 0 --setgid 0 setpriv --clear-groups "$@"
}
# as_usr CMD...: CMD as the user itself, with its groups cleared.
as_usr() { nsx setpriv --reuid=$USR --regid=$USR --clear-groups "$@"; }
# (The kernel refuses user namespaces to a chrooted process, for one.)
as_usr timeout 30 unshare --user true 2>/dev/null ||
	skip "the user cannot create a user namespace here (in a chroot, or user namespaces are off)"

out=$(as_sub 0 sh -c 'cat /proc/self/uid_map; id -u')
check "the user maps its subordinate uid in a namespace of its own" \
	grep -q "^ *0 *$SUB *1" <<<"$out"

# --- quotas: one tap, whatever uid the user shows -------------------------------------------
mkfifo "$TMP/q.in"
as_usr "$TAPD_CLIENT" "$SOCK" create brsub <"$TMP/q.in" >"$TMP/q.out" &
Q=$!
PIDS+=("$Q")
exec {q_fd}>"$TMP/q.in"
wait_for 50 grep -q . "$TMP/q.out"
check "the user has its one tap on brsub" grep -q "^ifname=tapd" "$TMP/q.out"
for n in 0 1 77; do
	out=$(as_sub $n "$TAPD_CLIENT" "$SOCK" create brsub </dev/null); rc=$?
	check_eq "a second, from its subordinate uid $((SUB + n)): over the quota (EDQUOT)" 122 "$rc"
done
check "... said as the user's" grep -q "uid $USR holds 1 taps already" <<<"$out"
exec {q_fd}>&-
wait "$Q"

# --- deny rules ---------------------------------------------------------------------------
out=$(as_sub 5 "$TAPD_CLIENT" "$SOCK" create brden </dev/null); rc=$?
check_eq "deny user:tapvmsub holds for its subordinate uids (EACCES)" 13 "$rc"
out=$(as_usr "$TAPD_CLIENT" "$SOCK" create brgrp </dev/null); rc=$?
check_eq "deny group:tapvmdeny holds for a member with its groups cleared" 13 "$rc"
out=$(as_sub 6 "$TAPD_CLIENT" "$SOCK" create brgrp </dev/null); rc=$?
check_eq "... and from its user namespace, with no groups" 13 "$rc"
out=$(nsx setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups "$TAPD_CLIENT" "$SOCK" create brgrp </dev/null); rc=$?
check_eq "(another user is not denied: the rules are not simply closed)" 0 "$rc"

# --- connection slots: 8 a user, however many uids it shows ----------------------------------
refused=0
for n in 10 11 12; do
	mkfifo "$TMP/m$n.in"
	as_sub $n "$TAPD_CLIENT" "$SOCK" many 8 <"$TMP/m$n.in" >"$TMP/m$n.out" &
	PIDS+=($!)
	eval "exec {m${n}_fd}>\"$TMP/m$n.in\""
	wait_for 50 grep -q refused= "$TMP/m$n.out"
	refused=$((refused + $(sed -n 's/^refused=//p' "$TMP/m$n.out")))
done
# (At least 16: a connection of the user's that just ended may still count.)
check "24 connections from 3 subordinate uids: all but the user's 8 refused ($refused)" \
	test "$refused" -ge 16
out=$(nsx setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups "$TAPD_CLIENT" "$SOCK" list)
check "another user is served meanwhile" grep -q "^grant " <<<"$out"
for n in 10 11 12; do eval "exec {m${n}_fd}>&-"; done

# --- reloaded with the policy ------------------------------------------------------------
echo "tapvmsub:$((SUB + 65536)):1000" >>"$TMP/etc/subuid"
echo "tapvmsub:$((SUB + 65536)):1000" >>"$TMP/etc/subgid"
kill -HUP "$TAPD_PID"
wait_for 50 grep -q "policy reloaded" "$TMP/tapd.log"
out=$(as_sub 65536 "$TAPD_CLIENT" "$SOCK" create brden </dev/null 2>&1); rc=$?
check_eq "a range added to /etc/subuid counts after SIGHUP" 13 "$rc"
[ "$rc" = 13 ] || echo "# $out"
echo "tapvmsub:not-a-number:1" >>"$TMP/etc/subuid"
kill -HUP "$TAPD_PID"
wait_for 50 grep -q "reload refused" "$TMP/tapd.log"
check "a /etc/subuid tapd cannot read refuses the reload (the old policy stays)" \
	grep -q "reload refused.*subuid:.*not NAME:START:COUNT" "$TMP/tapd.log"

finish
