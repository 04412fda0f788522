#!/bin/bash
# load.sh - 64 clients at once (8 users, 8 connections each: tapd's limits)
# asking for taps and closing them for a while. No answer but grants and
# quota refusals; afterwards no tap is left and tapd holds the fds and the
# memory it held before.
. "$(dirname "$0")/lib.sh"
setup load
SECS=${TAPVM_LOAD_SECONDS:-15}
USERS=$(seq 61000 61007)
nsx ip link add br0 address 02:00:00:00:0f:00 type bridge
nsx ip link set br0 up
# MAX 6 with 8 connections per user: some requests meet the quota.
echo "allow all br0 6" >"$TMP/tapd.conf"
# tapd's stderr as its journal stream: lines carry their priority.
TAPD_JOURNAL=1 start_tapd "$TMP/tapd.conf"
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$TAPD_PID/status"; }

# load SECONDS: every user's 8 clients at once; their counts in $TMP/load.*
load() {
	local u pids=()
	for u in $USERS; do
		ip netns exec "$NS" setpriv --reuid="$u" --regid="$u" --clear-groups \
			"$TAPD_CLIENT" "$SOCK" load 8 "$1" br0 >"$TMP/load.$u" &
		pids+=($!)
	done
	wait "${pids[@]}"
}
sum() { cat "$TMP"/load.* | awk -v k="$1=" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) s += substr($i, length(k) + 1) } END { print s + 0 }'; }

fds_before=$(tapd_fds)
started=$SECONDS
# A short run first: what tapd allocates once (buffers, hash tables at
# their working size) is not a leak.
load 2
warmup_quota=$(sum quota)
wait_for 50 no_taps
rss_before=$(rss)

load "$SECS"
ok=$(sum ok); quota=$(sum quota); other=$(sum other)
echo "# $SECS s, 64 clients: $ok taps granted and closed, $quota quota answers, $other other answers"
check "64 concurrent clients were served ($ok taps)" test "$ok" -gt 64
check_eq "no answer but grants and quota refusals" 0 "$other"
[ "$other" = 0 ] || grep -h first= "$TMP"/load.*
check "no tap is left" wait_for 50 no_taps
check "tapd is still running" kill -0 "$TAPD_PID"
# The last clients' hang-ups may still be on their way to tapd.
check "tapd holds the fds it held before" wait_for 50 fds_back
[ "$(tapd_fds)" = "$fds_before" ] || echo "# fds before: $fds_before; after: $(tapd_fds)"
rss_after=$(rss)
echo "# tapd resident memory: $rss_before kB before, $rss_after kB after"
# Sanitizer builds keep freed memory in quarantine: only the plain build
# can be held to its starting size.
if [ "${TAPVM_SANITIZE:-none}" = none ]; then
	check "tapd's memory is back to its starting size (within 64 kB)" \
		test $((rss_after - rss_before)) -le 64
else
	echo "# memory not compared: built with -Db_sanitize=$TAPVM_SANITIZE"
fi
out=$(as_user -- "$TAPD_CLIENT" "$SOCK" list)
check "tapd serves the next client" grep -q "grant bridge=br0 max=6" <<<"$out"
# Every refusal is told, as its own line or in a count of those left out
# (at most 50 a second are logged; the count comes with the next refusal in
# a later second). However fast this machine is, the two add up: one more
# refusal a second later brings out the last count.
sleep 1.1
as_user -- "$TAPD_CLIENT" "$SOCK" create no-such-br >/dev/null 2>&1
refused=$((warmup_quota + quota + 1))
logged=$(grep -c '^<6>tapd: refuse ' "$TMP/tapd.log")
left_out=$(sed -n 's/^<5>tapd: \([0-9]*\) refusals not logged (more than 50 a second)$/\1/p' "$TMP/tapd.log" |
	awk '{ s += $1 } END { print s + 0 }')
echo "# $refused refusals: $logged logged, $left_out counted as left out"
check_eq "every refusal is logged or counted as left out" "$refused" "$((logged + left_out))"
# At most 50 in each second tapd has been refusing, however many there were.
secs=$((SECONDS - started + 2))	# seconds begun, counted generously
check "refusals in a loop do not flood the log ($logged lines in $secs s)" \
	test "$logged" -le $((50 * secs))
check "tapd logged no warning" sh -c "! grep -q '^<[0-4]>' '$TMP/tapd.log'"

finish
