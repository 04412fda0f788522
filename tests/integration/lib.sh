# lib.sh - shared by the integration tests; sourced, not run.
#
# Each test gets its own network namespace and temporary directory, and
# removes both (and every process it started) on exit, pass or fail.
# Test clients run as an unprivileged uid (65534). Results are printed as
# "ok - ..." / "not ok - ...", then a closing "N passed, N failed" line.

set -u

TAPD=${TAPD:?TAPD must name the tapd binary}
TAPVM=${TAPVM:?TAPVM must name the tapvm binary}
TAPD_CLIENT=${TAPD_CLIENT:?TAPD_CLIENT must name the test client}
TEST_UID=65534
TAPD_UID=61999	# tapd's own user in the tests: a number no one else uses
NS=
TMP=
PIDS=()
passed=0
failed=0
FAILURES=()

# skip REASON: the test cannot run here. Before any check: the whole test
# is skipped (TAP's "1..0 # SKIP"); after some: one skipped check, and the
# checks so far count.
skip() {
	if [ $((passed + failed)) = 0 ]; then
		echo "1..0 # SKIP $*"
		exit 0
	fi
	echo "ok - the rest # SKIP $*"
	passed=$((passed + 1))
	finish
}

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# setup NAME: a namespace with lo up, and a temporary directory that the
# test uid can enter.
setup() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, CAP_NET_ADMIN)"
	[ -c /dev/net/tun ] || skip "/dev/net/tun is missing"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is missing"
	# A /dev/net/tun only root may open (no udev): the test runs again
	# where a 0666 node stands over it, in a mount namespace of its own.
	if [ -z "${TAPVM_WITH_TUN:-}" ]; then
		TAPVM_WITH_TUN=1 exec "$(dirname "$0")/../../scripts/with-tun" bash "$0"
	fi
	NS="tapvm-$1-$$"
	ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
	trap cleanup EXIT
	TMP=$(mktemp -d /tmp/tapvm-test.XXXXXX)
	chmod 755 "$TMP"
	nsx ip link set lo up
	user_copies
}

# user_copies: the programs and the completion script, copied to $TMP/prog
# and the variables pointed there. The test uid must be able to run them
# by path, and a build directory may be out of its reach (a clone in
# /root, mode 0700 on Debian).
user_copies() {
	local v
	mkdir -p "$TMP/prog/completion"
	for v in TAPD TAPVM TAPD_CLIENT BRIDGE_HELPER COMPLETION; do
		[ -n "${!v:-}" ] || continue
		local to=$TMP/prog/$(basename "${!v}")
		[ "$v" = COMPLETION ] && to=$TMP/prog/completion/$(basename "${!v}")
		cp "${!v}" "$to" || bail "cannot copy ${!v} to $to"
		printf -v "$v" '%s' "$to"
	done
	chmod -R a+rX "$TMP/prog"
}

nsx() {
	ip netns exec "$NS" "$@"
}

# as_user_uid UID CMD...: CMD as UID (no groups) in the namespace.
as_user_uid() {
	local uid=$1
	shift
	nsx setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}

# as_user [setpriv group options] -- CMD...: CMD as the test uid in the
# namespace; --clear-groups unless group options are given.
as_user() {
	local groups=(--clear-groups)
	if [ "$1" != -- ]; then
		groups=("$1")
		shift
	fi
	shift
	nsx setpriv --reuid="$TEST_UID" --regid="$TEST_UID" "${groups[@]}" "$@"
}

# start_tapd CONF [tapd options]: start tapd (under $TAPD_WRAP, if set) in the namespace on
# $TMP/tapd.sock, log in $TMP/tapd.log, and wait for its socket.
start_tapd() {
	local conf=$1
	shift
	SOCK=$TMP/tapd.sock
	rm -f "$TMP/tapd.log"	# a tapd started before may have said "ready" in it
	: >"$TMP/tapd.log"
	# With TAPD_JOURNAL=1 the log is tapd's journal stream, as systemd would
	# say it (JOURNAL_STREAM=DEV:INO): its lines carry a <N> priority.
	local journal=
	[ "${TAPD_JOURNAL:-0}" = 1 ] && journal=$(stat -c %d:%i "$TMP/tapd.log")
	# Not through nsx: $! must be tapd itself (ip netns exec execs it).
	# TAPD_WRAP: a program tapd runs under (tests/helpers/no-passrights).
	JOURNAL_STREAM=$journal ip netns exec "$NS" ${TAPD_WRAP:-} "$TAPD" --config "$conf" --socket "$SOCK" \
		--user "$TAPD_UID" "$@" \
		2>>"$TMP/tapd.log" &
	TAPD_PID=$!
	PIDS+=("$TAPD_PID")
	wait_for 50 test -S "$SOCK" || { cat "$TMP/tapd.log"; bail "tapd did not start"; }
	wait_for 50 grep -q ready "$TMP/tapd.log" || { cat "$TMP/tapd.log"; bail "tapd is not ready"; }
}

# wait_for TENTHS CMD...: retry CMD every 0.1 s, up to TENTHS times.
wait_for() {
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

ok() {
	echo "ok - $*"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok - $*"
	failed=$((failed + 1))
	FAILURES+=("not ok - $*")
}

# check DESCRIPTION CMD...: one assertion.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1: expected '$2', got '$3'"
	fi
}

bail() {
	not_ok "$@"
	finish
}

# finish: on failure tapd's log, then the failed checks again, so that the
# last lines (what meson test --print-errorlogs shows) say what failed.
finish() {
	local f
	if [ "$failed" != 0 ]; then
		[ -n "$TMP" ] && [ -f "$TMP/tapd.log" ] && tail -n 60 "$TMP/tapd.log" | sed 's/^/# tapd.log: /'
		for f in "${FAILURES[@]}"; do echo "# $f"; done
	fi
	# TAP (meson counts each check): the plan, last.
	echo "1..$((passed + failed))"
	echo "# $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}

# hold_tap BRIDGE [LABEL] [setpriv group option]: ask for a tap as the
# test uid and keep its fd open until release_tap. Sets TAP and HOLD_PID.
hold_tap() {
	local out=$TMP/hold.$RANDOM
	mkfifo "$out.in"
	ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" "${3:---clear-groups}" \
		"$TAPD_CLIENT" "$SOCK" create "$1" ${2:+"$2"} <"$out.in" >"$out" &
	HOLD_PID=$!
	PIDS+=("$HOLD_PID")
	exec {HOLD_FD}>"$out.in"
	wait_for 50 grep -q . "$out"
	TAP=$(sed -n 's/^ifname=\([^ ]*\).*/\1/p' "$out")
	HOLD_OUT=$out
}

release_tap() {
	exec {HOLD_FD}>&-
	wait "$HOLD_PID" 2>/dev/null
}

# link_gone IFNAME: true once the interface no longer exists.
link_gone() {
	! nsx test -e "/sys/class/net/$1"
}

# port_of TAP: the name of tapd's bridge port for TAP (tapd/port.c); the
# tap itself is never a bridge port. bridge_of TAP: the bridge it is on.
port_of() { echo "tdp${1#tapd}"; }
bridge_of() { nsx basename "$(nsx readlink "/sys/class/net/$(port_of "$1")/master")"; }

# l2 UID NAME BRIDGE MAC [VLAN]: a tap for UID declaring MAC, driven through
# the FIFO $TMP/NAME.in; its answers in $TMP/NAME.out; sets NAME_TAP.
l2() {
	local uid=$1 name=$2
	shift 2
	mkfifo "$TMP/$name.in"
	ip netns exec "$NS" setpriv --reuid="$uid" --regid="$uid" --clear-groups \
		"$TAPD_CLIENT" "$SOCK" l2 "$@" <"$TMP/$name.in" >"$TMP/$name.out" &
	PIDS+=($!)
	eval "exec {${name}_fd}>\"$TMP/$name.in\""
	wait_for 50 grep -q . "$TMP/$name.out"
	eval "${name}_TAP=\$(sed -n 's/^ifname=//p' \"$TMP/$name.out\")"
}
# done_past NAME N: NAME's client has said "done" more than N times,
# counted at each try of wait_for (an argument would be counted once).
done_past() { [ "$(grep -c '^done' "$TMP/$1.out")" -gt "$2" ]; }
# say NAME COMMAND: one command to a tap's client; waits for its "done".
say() {
	local fd n
	eval "fd=\$${1}_fd"
	n=$(grep -c '^done' "$TMP/$1.out")
	echo "$2" >&"$fd"
	wait_for 100 done_past "$1" "$n"
}
# sniff IFNAME MS: the frames the host's side of a bridge receives, in $TMP/sniff.
sniff() {
	nsx "$TAPD_CLIENT" - sniff "$1" "$2" >"$TMP/sniff" &
	SNIFF=$!
	wait_for 50 grep -q sniffing "$TMP/sniff"
}

# taps: how many of tapd's taps the namespace has; no_taps: none.
taps() { nsx ip -o link show | grep -c ': tapd'; }
no_taps() { [ "$(taps)" = 0 ]; }

# tapd_fds: tapd's open fds, "N -> target" in order; fds_back: the same as
# $fds_before (taken with tapd_fds earlier).
# tapd's back: the one child of the front (the process started).
back_pid() { pgrep -P "$1" -x tapd | head -n1; }
# A field of /proc/PID/status.
status_of() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
# The two halves as they must be: the front (PID) with no capability, the
# back with CAP_NET_ADMIN alone, both filtered, never root; LABEL prefixes.
check_halves() {
	local label=$1 front=$2 back t
	back=$(back_pid "$front")
	check "$label: the back runs, a child of the front" test -n "$back"
	check_eq "$label: the front has no capability (effective)" 0000000000000000 "$(status_of "$front" CapEff)"
	check_eq "$label: ... nor permitted" 0000000000000000 "$(status_of "$front" CapPrm)"
	check_eq "$label: the back keeps only CAP_NET_ADMIN effective" 0000000000001000 "$(status_of "$back" CapEff)"
	check_eq "$label: ... and permitted" 0000000000001000 "$(status_of "$back" CapPrm)"
	for p in "$front" "$back"; do
		check_eq "$label: pid $p has no inheritable capability" 0000000000000000 "$(status_of "$p" CapInh)"
		check_eq "$label: pid $p has no ambient capability" 0000000000000000 "$(status_of "$p" CapAmb)"
		check_eq "$label: pid $p set no_new_privs" 1 "$(status_of "$p" NoNewPrivs)"
		check "$label: pid $p runs as a non-zero uid (real, effective, saved)" \
			awk '/^Uid/ { exit !($2 != 0 && $3 != 0 && $4 != 0) }' "/proc/$p/status"
		check_eq "$label: every thread of pid $p is under a seccomp filter" \
			"$(ls /proc/"$p"/task | wc -l) of them: 2" \
			"$(cat /proc/"$p"/task/*/status | awk '$1 == "Seccomp:" { n++; s[$2]++ }
				END { printf "%d of them:", n; for (v in s) printf " %s", v }')"
	done
	check "$label: the front has a thread that closes what clients send" \
		test "$(ls /proc/"$front"/task | wc -l)" -ge 2
	check_eq "$label: the back is 65 threads (one makes, 64 delete)" 65 "$(ls /proc/"$back"/task | wc -l)"
}
tapd_fds() { ls -l "/proc/$TAPD_PID/fd" | sed -n 's/.* \([0-9]* -> .*\)/\1/p' | sort -n | paste -sd' '; }
fds_back() { [ "$(tapd_fds)" = "$fds_before" ]; }

# no_qemu: true when the test uid runs no QEMU (zombies, which only wait
# for their parent to reap them, do not count).
no_qemu() {
	! ps -u "$TEST_UID" -o stat=,comm= | grep -v '^Z' | grep -q qemu-system
}

# lacks PATTERN TEXT: true if TEXT has no line matching PATTERN.
lacks() {
	! grep -q "$1" <<<"$2"
}

# guest_setup MAX: what a boot test needs: QEMU, the kernel package and
# busybox-static (else skip); br0 at 192.0.2.1/24 with a fixed MAC; tapd
# granting the test uid MAX taps on it; the tiny guest in $TMP/guest. Sets
# QEMU, APPEND (the guest's command line) and GUEST (QEMU's arguments).
guest_setup() {
	QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is missing (package qemu-system-x86)"
	[ -s "${TAPVM_GUEST_KERNEL:-$(dirname "$0")/../../build-guest}/vmlinuz" ] || skip "no guest kernel: run scripts/guest-kernel"
	[ -x /bin/busybox ] || skip "busybox-static is not installed"
	nsx ip link add br0 address 02:00:00:00:0e:00 type bridge
	nsx ip link set br0 up
	nsx ip addr add 192.0.2.1/24 dev br0
	echo "allow user:#$TEST_UID br0 $1" >"$TMP/tapd.conf"
	start_tapd "$TMP/tapd.conf"
	"$(dirname "$0")/mkinitramfs.sh" "$TMP/guest" >/dev/null || bail "cannot build the guest"
	APPEND="console=ttyS0 quiet panic=-1 tapvm.ip=192.0.2.2/24 tapvm.peer=192.0.2.1"
	GUEST=(-m 256 -nographic -no-reboot -kernel "$TMP/guest/vmlinuz" -initrd "$TMP/guest/initrd.img")
}
