#!/bin/bash
# run.sh [BUILDDIR] [OUTDIR] - tapd's benchmark, as root, in a private
# network namespace: every figure beside the floor (the same kernel work
# without tapd) measured in the same run. Writes OUTDIR/bench.csv and, with
# gnuplot, OUTDIR/bench.svg (latency against the taps on the host).
#
# TAPVM_BENCH_N sets the taps timed per figure (default 300),
# TAPVM_BENCH_SECS the seconds of each concurrent run (default 10).
set -u
build=$(realpath "${1:-build}")
out=$(realpath -m "${2:-$build/bench}")
N=${TAPVM_BENCH_N:-300}
SECS=${TAPVM_BENCH_SECS:-10}
BENCH=$build/tests/tapd-bench
[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (namespaces, and clients of several uids)" >&2; exit 1; }
[ -x "$BENCH" ] || { echo "run.sh: build first: $BENCH is missing" >&2; exit 1; }
mkdir -p "$out"
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
echo "allow all br0 64" >"$TMP/tapd.conf"
# The populated taps are not tapd's: its default --max-taps holds.
ip netns exec "$NS" "$build/tapd/tapd" --config "$TMP/tapd.conf" --socket "$TMP/tapd.sock" --user 61999 \
	2>"$TMP/tapd.log" &
TAPD_PID=$!
for _ in $(seq 50); do grep -q ready "$TMP/tapd.log" 2>/dev/null && break; sleep 0.1; done
chmod 666 "$TMP/tapd.sock"

csv=$out/bench.csv
echo "figure,taps_on_host,n,p50_us,p99_us,mean_us,per_s,baseline,p50_vs_baseline,p99_vs_baseline,per_s_vs_baseline" >"$csv"
declare -A P50 P99 PER
# record FIGURE TAPS LINE [BASELINE]: one line of tapd-bench into the CSV and
# the table, with its ratios to BASELINE (a figure recorded before, in this
# run; default: the floor with as many taps on the host).
record() {
	local fig=$1 taps=$2 line=$3 base=${4:-floor@$2} n p50 p99 mean per r50 r99 rper
	n=$(sed -n 's/.* n=\([0-9]*\).*/\1/p' <<<"$line")
	p50=$(sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p' <<<"$line")
	p99=$(sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p' <<<"$line")
	mean=$(sed -n 's/.*mean_us=\([0-9.]*\).*/\1/p' <<<"$line")
	per=$(sed -n 's/.*per_s=\([0-9.]*\).*/\1/p' <<<"$line")
	[ -n "$p50" ] || { echo "run.sh: $fig: no figure ($line)" >&2; return 1; }
	P50[$fig@$taps]=$p50 P99[$fig@$taps]=$p99 PER[$fig@$taps]=$per
	[ -n "${P50[$base]:-}" ] || base=floor@0
	r50=$(awk -v a="$p50" -v b="${P50[$base]}" 'BEGIN { printf "%.2f", a / b }')
	r99=$(awk -v a="$p99" -v b="${P99[$base]}" 'BEGIN { printf "%.2f", a / b }')
	rper=
	[ -n "$per" ] && [ -n "${PER[$base]}" ] &&
		rper=$(awk -v a="$per" -v b="${PER[$base]}" 'BEGIN { printf "%.2f", a / b }')
	echo "$fig,$taps,$n,$p50,$p99,$mean,${per:-},${base%@*},$r50,$r99,$rper" >>"$csv"
	printf "%-26s %5s taps  p50 %8.1f us (%5sx)  p99 %9.1f us (%5sx)%s%s\n" "$fig" "$taps" \
		"$p50" "$r50" "$p99" "$r99" "${per:+  $per taps/s}" "${rper:+ (${rper}x)}"
}
bench() { nsx "$BENCH" "$@"; }

echo "tapd benchmark: $N taps per figure, one bridge, $(nproc) CPUs, kernel $(uname -r)"
# --- one tap at a time, on an empty host, then a crowded one ------------------------
total=0
for level in 0 1000 4000; do
	if [ "$level" -gt "$total" ]; then
		bench populate $((level - total)) >/dev/null || exit 1
		total=$level
	fi
	record floor "$level" "$(bench floor br0 "$N")"
	record tapd "$level" "$(bench tapd "$TMP/tapd.sock" br0 "$N")"
done

# --- concurrent clients -------------------------------------------------------------------
# Each client waits for its tap's deletion before the next (untimed), so
# the rate is bounded by how fast the kernel deletes taps: the floor, with
# as many processes at once, shows that bound.
for c in 8 64; do
	record "floor_${c}_procs" "$total" "$(bench floor-concurrent br0 "$c" "$SECS" | grep '^floor')"
	line=$(bench concurrent "$TMP/tapd.sock" br0 "$c" "$SECS" 2>&1)
	errs=$(sed -n 's/^# \([0-9]*\) errors/\1/p' <<<"$line")
	record "tapd_${c}_clients" "$total" "$(grep "^concurrent" <<<"$line")" "floor_${c}_procs@$total"
	echo "                           ${errs:-?} errors with $c clients"
	echo "errors_${c}_clients,$total,,,,,${errs:-},,,,"  >>"$csv"
done

# --- the ways tapd replaces ------------------------------------------------------------------
helper=/usr/lib/qemu/qemu-bridge-helper
if [ -x "$helper" ]; then
	# Its ACL, /etc/qemu/bridge.conf, in a private /etc (an overlay).
	mkdir -p "$TMP/etc.up" "$TMP/etc.work"
	line=$(ip netns exec "$NS" unshare --mount --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/etc.up,workdir=$0/etc.work" /etc &&
		mkdir -p /etc/qemu && echo "allow br0" >/etc/qemu/bridge.conf && exec "$@"' \
		"$TMP" "$BENCH" helper "$helper" br0 "$((N / 3))")
	record qemu-bridge-helper "$total" "$line"
	echo "                           tapd is $(awk -v a="${P50[qemu-bridge-helper@$total]}" -v b="${P50[tapd@$total]}" 'BEGIN { printf "%.1f", a / b }')x faster than qemu-bridge-helper (p50)"
else
	echo "qemu-bridge-helper is not installed: not measured"
fi
record xkvm_ip_commands "$total" "$(bench xkvm br0 "$((N / 3))")"

# --- tapd afterwards, and tapvm's own time ---------------------------------------------------
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$TAPD_PID/status")
anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$TAPD_PID/status")
fds=$(ls "/proc/$TAPD_PID/fd" | wc -l)
echo "tapd after the run: resident memory $rss kB ($anon kB its own, the rest shared library pages), $fds open fds"
echo "tapd_rss_kb,$total,,$rss,,,,,,," >>"$csv"
echo "tapd_rss_anon_kb,$total,,$anon,,,,,,," >>"$csv"
echo "tapd_fds,$total,,$fds,,,,,,," >>"$csv"
export TAPVM_BENCH_STAMP=$TMP/stamp
chmod 777 "$TMP"
line=$(bench exec "$build/launcher/tapvm" "$TMP/tapd.sock" "$build/tests/fake-qemu" 50)
record tapvm_to_qemu_exec_4nics "$total" "$line"

# --- the plot ----------------------------------------------------------------------------------
if command -v gnuplot >/dev/null; then
	awk -F, '$1 == "floor" || $1 == "tapd" { print $1, $2, $4, $5 }' "$csv" >"$TMP/plot.dat"
	gnuplot <<GP
set terminal svg size 640,400 dynamic font "sans,11"
set output "$out/bench.svg"
set title "Time to a tap on the bridge, by taps already on the host"
set xlabel "taps on the host"
set ylabel "microseconds"
set key top left
set yrange [0:*]
plot "< grep '^floor' $TMP/plot.dat" using 2:3 with linespoints title "kernel floor, p50", \
     "< grep '^tapd' $TMP/plot.dat" using 2:3 with linespoints title "tapd, p50", \
     "< grep '^tapd' $TMP/plot.dat" using 2:4 with linespoints dashtype 2 title "tapd, p99"
GP
	echo "plot: $out/bench.svg"
else
	echo "gnuplot is not installed: no plot"
fi
echo "figures: $csv"
