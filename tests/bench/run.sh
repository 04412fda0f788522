#!/bin/bash
# run.sh [BUILDDIR] [OUTDIR] - tapd's benchmark, as root, in a private
# network namespace: every figure beside its baseline measured in the same
# run, and each goal (issue "Faster than the naive kernel path") beside it.
# Writes OUTDIR/bench.csv, OUTDIR/bench.txt (what it printed) and, with
# gnuplot, OUTDIR/bench.svg (latency against the taps on the host).
#
# The baselines are tapd-bench's own (tests/bench/floor.c), written apart
# from tapd's code:
#   naive	open, TUNSETIFF, one RTM_NEWLINK (name, MTU, address, master,
#		up): what qemu-bridge-helper and xkvm do;
#   topology	the same kernel operations tapd does for a port (the tap,
#		its ifb port, the tc redirect, the port's flags), done
#		directly by one process with no IPC.
# The floors and tapd take turns, a tap each (tapd-bench interleaved), so
# that a machine whose speed drifts during the run slows all three alike.
# No figure is an assertion: a goal missed is printed as such, and the run
# still succeeds.
#
# TAPVM_BENCH_N sets the taps timed per figure (default 300),
# TAPVM_BENCH_SECS the seconds of each concurrent or data-plane run
# (default 10), TAPVM_BENCH_CROWD the taps of the crowded host (4000).
set -u
# Without udev /dev/net/tun is 0600: tapd, once its own user, could not open it.
if [ -z "${TAPVM_BENCH_TUN:-}" ]; then
	TAPVM_BENCH_TUN=1 exec "$(dirname "$0")/../../scripts/with-tun" "$0" "$@"
fi
build=$(realpath "${1:-build}")
out=$(realpath -m "${2:-$build/bench}")
N=${TAPVM_BENCH_N:-300}
SECS=${TAPVM_BENCH_SECS:-10}
CROWD=${TAPVM_BENCH_CROWD:-4000}
BENCH=$build/tests/tapd-bench
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (namespaces, and clients of several uids)" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "run.sh: build first: $BENCH is missing" >&2; exit 1; }
mkdir -p "$out"
exec > >(tee "$out/bench.txt")
NS=tapvm-bench-$$
TMP=$(mktemp -d /tmp/tapvm-bench.XXXXXX)
chmod 755 "$TMP"
TAPD_PID=
cleanup() {
	[ -n "$TAPD_PID" ] && kill "$TAPD_PID" 2>/dev/null && wait "$TAPD_PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null	# deletes every tap at once
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up
nsx ip link add br0 address 02:00:00:00:b0:00 type bridge
nsx ip link set br0 up
echo "allow all br0 64 queues=4" >"$TMP/tapd.conf"
# The populated taps are not tapd's: its default --max-taps holds. Not
# through nsx: a function run with & is a subshell, and $! would be its pid.
ip netns exec "$NS" "$build/tapd/tapd" --config "$TMP/tapd.conf" --socket "$TMP/tapd.sock" --user 61999 \
	2>"$TMP/tapd.log" &
TAPD_PID=$!
for _ in $(seq 50); do grep -q ready "$TMP/tapd.log" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TMP/tapd.log" || { echo "run.sh: tapd did not start:" >&2; cat "$TMP/tapd.log" >&2; exit 1; }
[ "$(cat "/proc/$TAPD_PID/comm" 2>/dev/null)" = tapd ] || { echo "run.sh: pid $TAPD_PID is not tapd" >&2; exit 1; }
chmod 666 "$TMP/tapd.sock"

csv=$out/bench.csv
echo "figure,taps_on_host,n,p50_us,p99_us,mean_us,per_s,cpu_us,baseline,p50_vs_baseline,p99_vs_baseline,per_s_vs_baseline,cpu_vs_baseline" >"$csv"
declare -A P50 P99 PER CPU
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.2f", a / b }'; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }
# mean FIELD LINE LINE: the mean of FIELD in two lines of tapd-bench, or nothing.
mean() {
	awk -v a="$(field "$1" "$2")" -v b="$(field "$1" "$3")" \
		'BEGIN { if (a != "" && b != "") printf "%.0f", (a + b) / 2 }'
}
# record FIGURE TAPS LINE [BASELINE]: one line of tapd-bench into the CSV and
# the table, with its ratios to BASELINE (a figure recorded before in this
# run, as FIGURE@TAPS).
record() {
	local fig=$1 taps=$2 line=$3 base=${4:-} n p50 p99 mean per cpu r50= r99= rper= rcpu=
	n=$(field n "$line") p50=$(field p50_us "$line") p99=$(field p99_us "$line")
	mean=$(field mean_us "$line") per=$(field per_s "$line") cpu=$(field cpu_us "$line")
	[ -n "$p50" ] || { echo "run.sh: $fig: no figure (${line:-no output})" >&2; return 1; }
	P50[$fig@$taps]=$p50 P99[$fig@$taps]=$p99 PER[$fig@$taps]=$per CPU[$fig@$taps]=$cpu
	if [ -n "$base" ]; then
		r50=$(ratio "$p50" "${P50[$base]:-}") r99=$(ratio "$p99" "${P99[$base]:-}")
		rper=$(ratio "$per" "${PER[$base]:-}") rcpu=$(ratio "$cpu" "${CPU[$base]:-}")
	fi
	echo "$fig,$taps,$n,$p50,$p99,$mean,$per,$cpu,${base%@*},$r50,$r99,$rper,$rcpu" >>"$csv"
	printf "%-24s %5s taps  p50 %8.1f us%s  p99 %9.1f us%s%s%s\n" "$fig" "$taps" \
		"$p50" "${r50:+ (${r50}x ${base%@*})}" "$p99" "${r99:+ (${r99}x)}" \
		"${per:+  $per taps/s}${rper:+ (${rper}x)}" "${cpu:+  cpu $cpu us/tap}${rcpu:+ (${rcpu}x)}"
}
# goal WHAT VALUE OP LIMIT: a goal beside its figure; never fails the run.
goal() {
	local what=$1 v=$2 op=$3 lim=$4 verdict
	if [ -z "$v" ]; then
		verdict="not measured"
	elif awk -v v="$v" -v l="$lim" -v op="$op" 'BEGIN { exit !(op == "<=" ? v <= l : op == ">=" ? v >= l : v < l) }'; then
		verdict=met
	else
		verdict=MISSED
	fi
	printf "  goal: %-58s %8s %s %-6s %s\n" "$what" "$v" "$op" "$lim" "$verdict"
	echo "goal,,,,,,,,$what $op $lim,$v,,,$verdict" >>"$csv"
}
bench() { nsx "$BENCH" "$@"; }
# tapvm's time from its start to QEMU's exec, with 4 bridged NICs and with
# none, on the host as it is now (TAPS: its taps); beside the stand-in
# QEMU exec'd straight from the benchmark's fork (one process start here).
tapvm_exec() {
	local taps=$1
	record exec_bare "$taps" "$(bench exec-bare "$build/tests/fake-qemu" 50)"
	record tapvm_exec_no_nic "$taps" "$(bench exec "$build/launcher/tapvm" "$TMP/tapd.sock" "$build/tests/fake-qemu" 0 50)" "exec_bare@$taps"
	record tapvm_exec_4_nics "$taps" "$(bench exec "$build/launcher/tapvm" "$TMP/tapd.sock" "$build/tests/fake-qemu" 4 50)" "tapvm_exec_no_nic@$taps"
	goal "tapvm start to QEMU's exec, 4 NICs, p50 ms, $taps taps" "$(awk -v u="${P50[tapvm_exec_4_nics@$taps]:-}" 'BEGIN { if (u != "") printf "%.2f", u / 1000 }')" "<" 10
	goal "tapvm to exec, 4 NICs / -n none (p50), $taps taps" "$(ratio "${P50[tapvm_exec_4_nics@$taps]:-}" "${P50[tapvm_exec_no_nic@$taps]:-}")" "<=" 2
}
# merged LINE LINE: two runs of one figure as one line of tapd-bench: the
# taps summed, every other figure the mean of the two.
merged() {
	local a b f v out
	a=$(field n "$1") b=$(field n "$2")
	[ -n "$a" ] && [ -n "$b" ] || return 0
	out="n=$((a + b))"
	for f in p50_us p99_us mean_us per_s cpu_us; do
		v=$(mean "$f" "$1" "$2")
		[ -n "$v" ] && out="$out $f=$v"
	done
	echo "$out"
}
# concurrent TAPS: C clients at once, C of 8 and 64, beside as many
# processes doing the topology floor's work themselves, on the host as it
# is (TAPS: its taps). Each client waits for its tap's deletion before the
# next (untimed), so the rate is bounded by how fast the kernel deletes
# taps: the floor, with as many processes at once, shows that bound.
# Floor, tapd, tapd, floor, SECS each, each side the mean of its two: the
# first run after a pause was measured up to a third faster than the ones
# after it (here, 261 against 191-199 taps/s for the floor at 4,000 taps),
# and that must not go to one side.
concurrent() {
	local taps=$1 c f1 f2 t1 t2 errs
	for c in 8 64; do
		f1=$(bench topology-concurrent br0 "$c" "$SECS" | grep '^topology')
		t1=$(bench concurrent "$TMP/tapd.sock" br0 "$c" "$SECS" 2>&1)
		t2=$(bench concurrent "$TMP/tapd.sock" br0 "$c" "$SECS" 2>&1)
		f2=$(bench topology-concurrent br0 "$c" "$SECS" | grep '^topology')
		errs=$(printf '%s\n' "$t1" "$t2" | sed -n 's/^# \([0-9]*\) errors/\1/p' |
			awk '{ s += $1; n++ } END { if (n == 2) print s }')
		record "topology_${c}_procs" "$taps" "$(merged "$f1" "$f2")"
		record "tapd_${c}_clients" "$taps" \
			"$(merged "$(grep "^concurrent" <<<"$t1")" "$(grep "^concurrent" <<<"$t2")")" \
			"topology_${c}_procs@$taps"
		echo "                         ${errs:-?} errors with $c clients"
		echo "errors_${c}_clients,$taps,,,,,${errs:-},,,,,," >>"$csv"
	done
	goal "64 clients: errors, $taps taps" "${errs:-}" "<=" 0
	goal "64 clients: tapd taps/s / 64 topology floor processes', $taps taps" "$(ratio "${PER[tapd_64_clients@$taps]}" "${PER[topology_64_procs@$taps]}")" ">=" 0.9
}
export TAPVM_BENCH_STAMP=$TMP/stamp
chmod 777 "$TMP"

echo "tapd benchmark: $N taps per figure, one bridge, $(nproc) CPUs, kernel $(uname -r)"
# --- one tap at a time, on an empty host, then crowded ones -----------------------
total=0
for level in 0 1000 "$CROWD"; do
	if [ "$level" -gt "$total" ]; then
		bench populate $((level - total)) >/dev/null || exit 1
		total=$level
	fi
	lines=$(bench interleaved "$TMP/tapd.sock" br0 "$N" "$TAPD_PID")
	record naive "$level" "$(grep '^naive ' <<<"$lines")"
	record topology "$level" "$(grep '^topology ' <<<"$lines")" "naive@$level"
	record tapd "$level" "$(grep '^tapd ' <<<"$lines")" "topology@$level"
	goal "tapd p50 / topology floor at $level taps" "$(ratio "${P50[tapd@$level]}" "${P50[topology@$level]}")" "<=" 1.3
	if [ "$level" = 0 ]; then
		goal "tapd p50 / naive floor at 0 taps" "$(ratio "${P50[tapd@0]}" "${P50[naive@0]}")" "<=" 2.0
	elif [ "$level" = "$CROWD" ]; then
		goal "tapd p50 / naive floor at $level taps" "$(ratio "${P50[tapd@$level]}" "${P50[naive@$level]}")" "<=" 1.0
	fi
	goal "tapd CPU per grant / topology floor's at $level taps" "$(ratio "${CPU[tapd@$level]}" "${CPU[topology@$level]}")" "<=" 1.2
	if [ "$level" = 0 ]; then
		tapvm_exec 0
		concurrent 0
	fi
done

# --- concurrent clients, on the empty host and on the crowded one ----------------------
concurrent "$total"

# --- the data plane -----------------------------------------------------------------------
# Frames written into one tap's fd, read from the other's, across br0:
# two taps of tapd's (each behind its port and redirect) against two taps
# enslaved directly; direct, tapd, tapd, direct, SECS each (long enough that
# making the taps and ports costs little of it), so that a drift of the
# machine's speed during the four weighs on both sides alike.
for q in 1 4; do
	for size in 64 1514; do
		d1=$(bench dataplane - br0 "$size" "$q" "$SECS")
		t1=$(bench dataplane "$TMP/tapd.sock" br0 "$size" "$q" "$SECS")
		t2=$(bench dataplane "$TMP/tapd.sock" br0 "$size" "$q" "$SECS")
		d2=$(bench dataplane - br0 "$size" "$q" "$SECS")
		dr=$(mean per_s "$d1" "$d2") tr=$(mean per_s "$t1" "$t2")
		printf "%-24s %5s taps  direct %10.0f frames/s  tapd %10.0f frames/s (%sx)\n" \
			"dataplane_${size}B_${q}q" "$total" "${dr:-0}" "${tr:-0}" "$(ratio "$tr" "$dr")"
		echo "dataplane_${size}B_${q}q,$total,,,,,$tr,,direct,,,$(ratio "$tr" "$dr")," >>"$csv"
		goal "frames/s, ${size} bytes, $q queue(s): tapd / direct" "$(ratio "$tr" "$dr")" ">=" 0.85
	done
done

# --- the ways tapd replaces ------------------------------------------------------------------
helper=/usr/lib/qemu/qemu-bridge-helper
if [ -x "$helper" ]; then
	# Its ACL, /etc/qemu/bridge.conf, in a private /etc (an overlay).
	mkdir -p "$TMP/etc.up" "$TMP/etc.work"
	line=$(nsx unshare --mount --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/etc.up,workdir=$0/etc.work" /etc &&
		mkdir -p /etc/qemu && echo "allow br0" >/etc/qemu/bridge.conf && exec "$@"' \
		"$TMP" "$BENCH" helper "$helper" br0 "$((N / 3))")
	record qemu-bridge-helper "$total" "$line" "tapd@$total"
	goal "qemu-bridge-helper p50 / tapd's" "$(ratio "${P50[qemu-bridge-helper@$total]}" "${P50[tapd@$total]}")" ">=" 5
else
	echo "qemu-bridge-helper is not installed: not measured"
fi
record xkvm_ip_commands "$total" "$(bench xkvm br0 "$((N / 3))")" "tapd@$total"

# --- tapd afterwards, and tapvm's own time ---------------------------------------------------
back=$(cat "/proc/$TAPD_PID/task/$TAPD_PID/children" 2>/dev/null | awk '{print $1}')
for half in front back; do
	pid=$TAPD_PID
	[ "$half" = back ] && pid=$back
	[ -n "$pid" ] && [ -r "/proc/$pid/status" ] || { echo "tapd's $half: not found"; continue; }
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
	anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
	fds=$(ls "/proc/$pid/fd" | wc -l)
	echo "tapd's $half after the run: resident memory $rss kB ($anon kB its own, the rest shared library pages), $fds open fds"
	echo "tapd_${half}_rss_kb,$total,,$rss,,,,,,,,," >>"$csv"
	echo "tapd_${half}_rss_anon_kb,$total,,$anon,,,,,,,,," >>"$csv"
	echo "tapd_${half}_fds,$total,,$fds,,,,,,,,," >>"$csv"
	goal "tapd's $half: resident memory, MiB" "$(awk -v k="$rss" 'BEGIN { printf "%.2f", k / 1024 }')" "<" 4
done
tapvm_exec "$total"

# --- the plot ----------------------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	awk -F, '$1 == "naive" || $1 == "topology" || $1 == "tapd" { print $1, $2, $4, $5 }' "$csv" >"$TMP/plot.dat"
	gnuplot <<GP
set terminal svg size 640,400 dynamic font "sans,11"
set output "$out/bench.svg"
set title "Time to a tap on the bridge, by taps already on the host"
set xlabel "taps on the host"
set ylabel "microseconds"
set key top left
set yrange [0:*]
plot "< grep '^naive' $TMP/plot.dat" using 2:3 with linespoints title "naive floor, p50", \
     "< grep '^topology' $TMP/plot.dat" using 2:3 with linespoints title "topology floor, p50", \
     "< grep '^tapd' $TMP/plot.dat" using 2:3 with linespoints title "tapd, p50", \
     "< grep '^tapd' $TMP/plot.dat" using 2:4 with linespoints dashtype 2 title "tapd, p99"
GP
	echo "plot: $out/bench.svg"
else
	echo "gnuplot is not installed: no plot"
fi
echo "figures: $csv"
