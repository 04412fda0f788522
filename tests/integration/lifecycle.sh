#!/bin/bash
# lifecycle.sh - tapvm run sees QEMU to its end: a guest that ignores
# system_powerdown, a second signal, launch failures, --timeout, --watchdog,
# the guest's exit status, the console log, and the console relay on a
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
as_user -- "${RUN[@]}" --guest-status -- "${GUEST[@]}" -append "$APPEND" </dev/null >"$TMP/nostatus" 2>&1
check_eq "--guest-status when the guest wrote none" 85 "$?"
check "... saying so" grep -aq "the guest ended without writing its status" "$TMP/nostatus"

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
[ "$failed" = 0 ] || for f in ignore twice timeout watchdog status-7 nostatus pty; do
	sed "s/^/$f: /" "$TMP/$f" 2>/dev/null | grep -a -E 'tapvm|TAPVM' | tail -8
done

finish
