#!/bin/bash
# lifecycle.sh - tapvm run sees QEMU to its end: a guest that ignores
# system_powerdown, a second signal, launch failures, --timeout, --watchdog
# (and build-vm's markers), the guest's exit status, the console log and its
# boot lines, QEMU killed or not runnable, and the console relay on a
# pseudo-terminal as a person would use it.
. "$(dirname "$0")/lib.sh"
setup lifecycle
guest_setup 8
RUN=("$TAPVM" run --socket "$SOCK" --accel tcg -n br0)

# start_vm OUT APPEND-EXTRA [tapvm options]: a VM in the background.
start_vm() {
	local out=$1 extra=$2
	shift 2
	ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
		"${RUN[@]}" "$@" -- "${GUEST[@]}" -append "$APPEND $extra" </dev/null >"$out" 2>&1 &
	VM_PID=$!
	PIDS+=("$VM_PID")
}

# --- a guest that ignores system_powerdown -------------------------------------------
start_vm "$TMP/ignore" "tapvm.hold=1" --shutdown-timeout 3
check "the guest is up" wait_for 1800 grep -aq TAPVM-HOLDING "$TMP/ignore"
t0=$(date +%s)
kill -TERM "$VM_PID"; wait "$VM_PID"; rc=$?
check_eq "a guest that ignores system_powerdown: QEMU is quit (forced)" 83 "$rc"
check "... after --shutdown-timeout" test $(( $(date +%s) - t0 )) -ge 3
check "... and one line says so" grep -aq "tapvm: ended: the guest did not power off in time; QEMU was told to quit (exit status 83)" "$TMP/ignore"

# --- a second signal skips the wait ---------------------------------------------------
start_vm "$TMP/twice" "tapvm.hold=1" --shutdown-timeout 600
check "the guest is up" wait_for 1800 grep -aq TAPVM-HOLDING "$TMP/twice"
kill -INT "$VM_PID"
wait_for 50 grep -aq "asking the guest to power off" "$TMP/twice"
t0=$(date +%s)
kill -INT "$VM_PID"; wait "$VM_PID"; rc=$?
check_eq "a second SIGINT quits at once" 83 "$rc"
check "... well before --shutdown-timeout" test $(( $(date +%s) - t0 )) -lt 30
check "... saying so" grep -aq "Interrupt: stopping QEMU (quit)" "$TMP/twice"

# --- launch failure ---------------------------------------------------------------------
out=$(as_user -- "${RUN[@]}" -- -no-such-option 2>&1); rc=$?
check_eq "QEMU refusing an option: launch failure" 80 "$rc"
check "... reported with QEMU's status" grep -q "^tapvm: QEMU failed to start (exit status 1)" <<<"$out"
check "... the command line" grep -q "^tapvm: command: .*qemu-system-x86_64 .* -no-such-option" <<<"$out"
check "... and QEMU's words" grep -q "^tapvm: QEMU said: .*-no-such-option: invalid option" <<<"$out"
check "no tap is left after a launch failure" sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
out=$(as_user -- "${RUN[@]}" -- -kernel /nonexistent 2>&1); rc=$?
check_eq "QEMU failing after its QMP greeting (a -kernel it cannot read): launch failure" 80 "$rc"
check "... with QEMU's words" grep -q "^tapvm: QEMU said: .*/nonexistent" <<<"$out"

# --- batch: --timeout, --watchdog --------------------------------------------------------
start_vm "$TMP/timeout" "tapvm.hold=1" --timeout 25
wait "$VM_PID"; rc=$?
check_eq "--timeout stops the VM" 81 "$rc"
check "... saying so" grep -aq "tapvm: ended: --timeout reached (exit status 81)" "$TMP/timeout"
check "... after the guest had come up" grep -aq TAPVM-HOLDING "$TMP/timeout"

start_vm "$TMP/watchdog" "tapvm.hold=1" --watchdog 12
wait "$VM_PID"; rc=$?
check_eq "--watchdog stops a VM whose console went silent" 82 "$rc"
check "... saying why" grep -aq "no console output for 12 s" "$TMP/watchdog"
check "... not before the guest had said its last" grep -aq TAPVM-HOLDING "$TMP/watchdog"

# The watchdog counts silence from the console's first output, not from the
# start; with build-vm's markers, only between them.
start_vm "$TMP/wd-inside" "tapvm.marks=inside" --watchdog 3 --watchdog-markers
wait "$VM_PID"; rc=$?
check_eq "--watchdog-markers: silence between the markers fires it" 82 "$rc"
check "... after the start marker" grep -aq "### WATCHDOG MARKER START ###" "$TMP/wd-inside"
check "... saying why" grep -aq "no console output for 3 s" "$TMP/wd-inside"
start_vm "$TMP/wd-outside" "tapvm.marks=outside" --watchdog 3 --watchdog-markers
wait "$VM_PID"; rc=$?
check_eq "--watchdog-markers: silence after the end marker does not" 0 "$rc"
start_vm "$TMP/wd-custom" "tapvm.marks=inside" --watchdog 3 \
	--watchdog-start "MARKER START" --watchdog-end "NO SUCH END"
wait "$VM_PID"; rc=$?
check_eq "--watchdog-start/--watchdog-end: markers of one's own" 82 "$rc"
out=$(as_user -- "${RUN[@]}" --watchdog 5 -- -serial null 2>&1); rc=$?
check_eq "--watchdog with a -serial of the user's own is refused" 64 "$rc"
check "... in one line saying what to do" grep -qx "tapvm: --watchdog watches the serial console tapvm relays, and the QEMU argument -serial takes it: drop one of them" <<<"$out"
out=$(as_user -- "${RUN[@]}" --console-log "$TMP/x.log" -- -serial null 2>&1); rc=$?
check_eq "... and --console-log with it" 64 "$rc"
out=$(as_user -- "${RUN[@]}" --watchdog-start X -- -m 64 2>&1); rc=$?
check_eq "--watchdog-start alone is refused" 64 "$rc"

# --- batch: the guest's exit status, the console log ---------------------------------------
mkdir "$TMP/u" && chown "$TEST_UID" "$TMP/u"
for want in 7 0; do
	rm -f "$TMP/u/console.log"
	as_user -- "${RUN[@]}" --guest-status --console-log "$TMP/u/console.log" -- "${GUEST[@]}" \
		-append "$APPEND tapvm.status=$want" </dev/null >"$TMP/status-$want" 2>&1
	check_eq "--guest-status: tapvm exits with the guest's $want" "$want" "$?"
done
check "--console-log keeps the console" grep -aq "TAPVM-STATUS-SENT 0" "$TMP/u/console.log"
check_eq "... mode 0600" 600 "$(stat -c %a "$TMP/u/console.log")"
as_user -- "${RUN[@]}" --guest-status -- "${GUEST[@]}" -append "$APPEND tapvm.status=9 tapvm.nonl=1" \
	</dev/null >"$TMP/nonl" 2>&1
check_eq "--guest-status: a status with no newline counts" 9 "$?"
check "the console log starts with a boot line" \
	grep -aqx -- "--- tapvm: boot 1 of VM [^ ]* at [0-9-]* [0-9:]* UTC ---" "$TMP/u/console.log"
as_user -- "${RUN[@]}" --guest-status -- "${GUEST[@]}" -append "$APPEND" </dev/null >"$TMP/nostatus" 2>&1
check_eq "--guest-status when the guest wrote none" 85 "$?"
check "... saying so" grep -aq "the guest ended without writing its status" "$TMP/nostatus"

# --- QEMU killed, QEMU that cannot run, QEMU missing ----------------------------------------
start_vm "$TMP/killed" "tapvm.hold=1"
check "the guest is up" wait_for 1800 grep -aq TAPVM-HOLDING "$TMP/killed"
pkill -KILL -P "$VM_PID" -f qemu-system
wait "$VM_PID"; rc=$?
check_eq "QEMU killed by SIGKILL: 128+9" 137 "$rc"
check "... and a line says so" grep -aq "tapvm: QEMU was killed by signal 9 (Killed) (exit status 137)" "$TMP/killed"
mkdir -p "$TMP/badqemu"
printf 'not a program\n' >"$TMP/badqemu/qemu-system-x86_64"
chmod 755 "$TMP/badqemu" "$TMP/badqemu/qemu-system-x86_64"
out=$(as_user -- "$TAPVM" run --accel tcg -n none --qemu "$TMP/badqemu/qemu-system-x86_64" -- -m 64 2>&1); rc=$?
check_eq "a QEMU that is not a program (Exec format error): 126" 126 "$rc"
check "... saying so" grep -q "cannot run QEMU $TMP/badqemu/qemu-system-x86_64: Exec format error" <<<"$out"
out=$(as_user -- "$TAPVM" run --dry-run -n none --kvm qemu-system-aarch64 2>&1); rc=$?
check_eq "--dry-run for a QEMU not installed that must be asked: 127" 127 "$rc"
check "... naming its package" grep -q "install qemu-system-arm (apt install qemu-system-arm)" <<<"$out"

# --- the console relay on a pseudo-terminal -----------------------------------------------
# script(1) gives tapvm a terminal; the keys come through a FIFO.
mkfifo "$TMP/keys"
chmod 666 "$TMP/keys"
ip netns exec "$NS" setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups \
	script -qfec "$(printf '%q ' "${RUN[@]}" -- "${GUEST[@]}" -append "$APPEND tapvm.keys=1 tapvm.hold=1 tapvm.acpid=1")" \
	/dev/null <"$TMP/keys" >"$TMP/pty" 2>&1 &
VM_PID=$!
PIDS+=("$VM_PID")
exec {KEYS}>"$TMP/keys"
check "the guest's console comes through the terminal" wait_for 1800 grep -aq TAPVM-READY-KEYS "$TMP/pty"
printf 'x' >&"$KEYS"
check "a key reaches the guest" wait_for 100 grep -aq "TAPVM-KEY 78" "$TMP/pty"
printf '\003' >&"$KEYS"
check "Ctrl-C reaches the guest, as a key" wait_for 100 grep -aq "TAPVM-KEY 03" "$TMP/pty"
check "... and does not stop tapvm" kill -0 "$VM_PID"
wait_for 100 grep -aq TAPVM-HOLDING "$TMP/pty"
printf '\035' >&"$KEYS"
check "Ctrl-] offers tapvm's choices" wait_for 50 grep -aq "q: shut the guest down, k: stop QEMU now" "$TMP/pty"
printf 'q' >&"$KEYS"
wait "$VM_PID"; rc=$?
exec {KEYS}>&-
check_eq "Ctrl-] q shuts the guest down gracefully" 0 "$rc"
check "... through its power button" grep -aq "TAPVM-ACPI-POWEROFF" "$TMP/pty"
check "... and says so" grep -aq "ended: the guest powered off after system_powerdown" "$TMP/pty"
check "no QEMU is left" no_qemu
check "no tap is left" sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
[ "$failed" = 0 ] || for f in ignore twice timeout watchdog wd-inside wd-outside wd-custom status-7 nonl nostatus killed pty; do
	sed "s/^/$f: /" "$TMP/$f" 2>/dev/null | grep -a -E 'tapvm|TAPVM' | tail -8
done

finish
