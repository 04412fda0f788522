#!/bin/bash
# named.sh - named VMs: start, status, list, console, monitor, qmp, events,
# vnc, reset, reboot, restart, wait, shutdown, stop, --json; two at once; a
# second start (or run --name) refused; stale state after a SIGKILLed
# supervisor; state directory rules.
. "$(dirname "$0")/lib.sh"
setup named
guest_setup 8
mkdir "$TMP/run" && chown "$TEST_UID" "$TMP/run" && chmod 700 "$TMP/run"
export XDG_RUNTIME_DIR=$TMP/run TAPD_SOCKET=$SOCK XDG_CONFIG_HOME=$TMP/run/cfg XDG_DATA_HOME=$TMP/run/data
# Named VMs get no -no-reboot: restart must reboot them.
VMARGS=(--accel tcg -n br0 -- -m 256 -kernel "$TMP/guest/vmlinuz" -initrd "$TMP/guest/initrd.img")
tv() { as_user -- "$TAPVM" "$@"; }
tv_quiet() { tv "$@" >/dev/null 2>&1; }
jqt() { jq -e "$1" <<<"$2" >/dev/null; }	# jqt FILTER JSON: FILTER is true of JSON
STATE=$TMP/run/tapvm

out=$(tv start web "${VMARGS[@]}" -append "$APPEND tapvm.hold=1 tapvm.acpid=1" </dev/null 2>&1); rc=$?
check_eq "tapvm start returns once QEMU is up" 0 "$rc"
check "... saying how to reach the VM" grep -q "VM web is running (supervisor pid [0-9]*): tapvm console web" <<<"$out"
check_eq "the state directory is the user's, mode 0700" "$TEST_UID 700" "$(stat -c '%u %a' "$STATE/web")"
out=$(tv start web "${VMARGS[@]}" </dev/null 2>&1); rc=$?
check_eq "a second start of a running name is refused" 86 "$rc"
check "... saying so" grep -q "VM web is already running (pid [0-9]*): tapvm stop web" <<<"$out"
out=$(tv start db "${VMARGS[@]}" -append "$APPEND tapvm.keys=1 tapvm.hold=1" </dev/null 2>&1)
check_eq "a second VM runs beside the first" 0 "$?"
check "both guests came up" wait_for 1800 sh -c "grep -aq TAPVM-HOLDING $STATE/web/console.log && grep -aq TAPVM-READY-KEYS $STATE/db/console.log"

out=$(tv status web); rc=$?
check_eq "status of a running VM" 0 "$rc"
check "... state" grep -qx "state=running" <<<"$out"
check "... its tap" grep -qx "taps=tapd[0-9a-f]*" <<<"$out"
check "... QEMU's pid, a QEMU of this user" sh -c "ps -o user=,comm= -p $(sed -n 's/^pid=//p' <<<"$out") | grep -q qemu"
check "... memory" grep -Eq "^memory_kb=[1-9][0-9]+$" <<<"$out"
check "... sockets" grep -qx "console=$STATE/web/console.sock" <<<"$out"
out=$(tv list 2>&1)
check "list shows web running" grep -Eq '^web +running' <<<"$out"
check "... and db" grep -Eq '^db +running' <<<"$out"
check "... and the bridges tapd grants" grep -Eq "^br0 +8$" <<<"$out"

out=$(tv monitor web info status); rc=$?
check_eq "monitor, one-shot" 0 "$rc"
check "... answers through QMP's human-monitor-command" grep -q "VM status: running" <<<"$out"
out=$(printf 'info name\ninfo status\n' | tv monitor web)
check "monitor, from stdin" grep -q '^web' <<<"$out"
check "... each line a command" grep -q 'VM status: running' <<<"$out"

out=$(tv monitor web nosuchcommand 2>/dev/null); rc=$?
check_eq "monitor: a command QEMU does not know exits 1" 1 "$rc"
check "... with QEMU's words" grep -q "unknown command: 'nosuchcommand'" <<<"$out"
out=$(tv monitor web info name)
check "monitor answers end their lines with LF alone" sh -c '! printf "%s" "$0" | grep -q "$(printf "\r")"' "$out"
out=$(tv monitor web xp /200000xg 0 | wc -c)
check "an HMP answer over 1 MiB (5.6 MB) is delivered whole" test "$out" -gt 5000000
out=$(tv monitor web info status); rc=$?
check_eq "... and the VM's QMP channel goes on" 0 "$rc"

# monitor_pty OUT RUNNER...: tapvm monitor web on a pseudo-terminal (script),
# started by RUNNER (as the test user), its screen in OUT; keys go to fd $MK.
monitor_pty() {
	local out=$1
	shift
	rm -f "$TMP/mkeys"
	mkfifo "$TMP/mkeys"; chmod 666 "$TMP/mkeys"
	"$@" script -qfec "env TERM=xterm $TAPVM monitor web" /dev/null <"$TMP/mkeys" >"$out" 2>&1 &
	MPID=$!
	exec {MK}>"$TMP/mkeys"
}
# monitor_quit: q, then monitor's exit status.
monitor_quit() {
	local rc
	printf 'q\r' >&"$MK"
	wait "$MPID"; rc=$?
	exec {MK}>&-
	return "$rc"
}

# monitor on a terminal: libedit's line editing and history.
monitor_pty "$TMP/mon" as_user --
check "monitor on a terminal prompts" wait_for 50 grep -aq "(qemu)" "$TMP/mon"
printf 'info name\r' >&"$MK"
check "... runs a command" wait_for 50 sh -c "[ \$(grep -ac '^web' $TMP/mon) = 1 ]"
printf '\033[A\r' >&"$MK"
check "... Up brings the last command back (history)" wait_for 50 sh -c "[ \$(grep -ac '^web' $TMP/mon) = 2 ]"
printf 'info nme\033[D\033[Da\r' >&"$MK"
check "... Left moves the cursor within the line (editing)" wait_for 50 sh -c "[ \$(grep -ac '^web' $TMP/mon) = 3 ]"
monitor_quit
check_eq "... q leaves it" 0 "$?"

# ... and where libedit cannot be loaded (tapvm loads it only here): a plain
# prompt, commands still run, and one line saying what to install.
ledit=$(ldconfig -p | awk '$1 == "libedit.so.2" { print $NF; exit }')
monitor_pty "$TMP/mon2" nsx unshare --mount --propagation private \
	sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$ledit" \
	setpriv --reuid="$TEST_UID" --regid="$TEST_UID" --clear-groups
check "without libedit, monitor on a terminal says so in one line" \
	wait_for 50 grep -aq "tapvm: no line editing or history (cannot load libedit.so.2: install libedit2)" "$TMP/mon2"
check "... prompts" wait_for 50 grep -aq "(qemu)" "$TMP/mon2"
printf 'info name\r' >&"$MK"
check "... runs a command" wait_for 50 grep -aq '^web' "$TMP/mon2"
monitor_quit
check_eq "... q leaves it" 0 "$?"

# tapvm qmp: raw QMP through the supervisor, replies as JSON lines.
out=$(tv qmp web '{"execute": "query-status", "id": "mine"}'); rc=$?
check_eq "qmp: one command" 0 "$rc"
check "... its reply, with the caller's id" jqt '.return.status == "running" and .id == "mine"' "$out"
out=$(tv qmp web '{"execute": "no-such-command"}'); rc=$?
check_eq "qmp: QEMU's error exits 1" 1 "$rc"
check "... the error as QEMU said it" grep -q '"class":"CommandNotFound"' <<<"$out"
out=$(tv qmp web 'not json'); rc=$?
check_eq "qmp: not JSON exits 1" 1 "$rc"
check "... a QMP-shaped error" grep -q '"error"' <<<"$out"
out=$(printf '{"execute": "query-name"}\n\n{"execute": "query-kvm"}\n' | tv qmp web); rc=$?
check_eq "qmp: commands from stdin" 0 "$rc"
check "... one reply a line" test "$(grep -c '"return"' <<<"$out")" = 2

out=$(as_user -- timeout 3 "$TAPVM" console web </dev/null 2>&1)
check "console replays what the guest said before attaching" grep -aq TAPVM-HOLDING <<<"$out"

# The console on a terminal: keys to the guest, Ctrl-] d detaches, again.
mkfifo "$TMP/keys"; chmod 666 "$TMP/keys"
as_user -- script -qfec "$TAPVM console db" /dev/null <"$TMP/keys" >"$TMP/pty1" 2>&1 &
CPID=$!
exec {KEYS}>"$TMP/keys"
check "the terminal shows the console" wait_for 100 grep -aq TAPVM-READY-KEYS "$TMP/pty1"
printf 'x' >&"$KEYS"
check "keys reach the guest" wait_for 100 grep -aq "TAPVM-KEY 78" "$TMP/pty1"
printf '\035d' >&"$KEYS"
wait "$CPID"; rc=$?
exec {KEYS}>&-
check_eq "Ctrl-] d detaches" 0 "$rc"
check "... and says the VM runs on" grep -aq "detached from db; it runs on" "$TMP/pty1"
check "the VM still runs" tv_quiet status db
as_user -- script -qfec "$TAPVM console db" /dev/null <"$TMP/keys" >"$TMP/pty2" 2>&1 &
CPID=$!
exec {KEYS}>"$TMP/keys"
check "attaching again loses nothing" wait_for 100 grep -aq "TAPVM-KEY 78" "$TMP/pty2"
printf '\003' >&"$KEYS"
check "Ctrl-C reaches the guest" wait_for 100 grep -aq "TAPVM-KEY 03" "$TMP/pty2"
printf '\035d' >&"$KEYS"
wait "$CPID"
exec {KEYS}>&-
check "the console log has it all" grep -aq "TAPVM-KEY 03" "$STATE/db/console.log"

out=$(tv vnc web); rc=$?
check_eq "vnc says where the display is" 0 "$rc"
check "... a Unix socket in the state directory" grep -q "^VNC display of web: $STATE/web/vnc.sock" <<<"$out"
check "QEMU listens there" sh -c "ip netns exec $NS ss -xlp | grep -q '$STATE/web/vnc.sock'"
out=$(tv monitor web info usb)
check "... and the guest has a USB tablet for it (nbsvm's default)" grep -q "QEMU USB Tablet" <<<"$out"

as_user -- "$TAPVM" events db >"$TMP/events" 2>&1 &
EPID=$!
sleep 1	# events has attached: it asks before reset does
out=$(tv reset db 2>&1); rc=$?
check_eq "reset resets the VM at once" 0 "$rc"
check "... and the guest boots again" wait_for 1800 sh -c "[ \$(grep -ac TAPVM-READY-KEYS $STATE/db/console.log) = 2 ]"
check "... with one boot line for the second boot" test "$(grep -ac -- '^--- tapvm: boot [0-9]* of VM db at' "$STATE/db/console.log")" = 2
check "events shows the RESET as a JSON line" wait_for 50 grep -q '^{.*"event":"RESET".*"reason":"host-qmp-system-reset"' "$TMP/events"
check "status counts the boots" grep -qx "boots=2" <<<"$(tv status db)"
out=$(tv reboot web 2>&1); rc=$?
check_eq "reboot asks the guest" 0 "$rc"
check "... its power button: the guest powers off" wait_for 1800 grep -aq TAPVM-ACPI-POWEROFF "$STATE/web/console.log"
check "... and QEMU resets it instead of exiting" wait_for 1800 sh -c "[ \$(grep -ac TAPVM-HOLDING $STATE/web/console.log) = 2 ]"
check "... the VM runs on" grep -qx "state=running" <<<"$(tv status web)"
out=$(tv run --name web --accel tcg -n br0 -- -m 64 </dev/null 2>&1); rc=$?
check_eq "run --name beside a running VM of that name is refused" 86 "$rc"
check "... because of its MACs" grep -q "VM web is running already (tapvm start, pid [0-9]*), and a second would have its MACs" <<<"$out"
out=$(tv wait web --timeout 1 2>&1); rc=$?
check_eq "wait --timeout on a running VM: 81" 81 "$rc"
check "... saying so" grep -qx "tapvm: VM web still runs after 1 s" <<<"$out"
out=$(tv list --json); rc=$?
check_eq "list --json" 0 "$rc"
check "... VMs, bridges and taps as JSON" jqt '(.vms[] | select(.name == "web") | .state == "running" and (.taps[0] | startswith("tapd"))) and (.bridges | index({"bridge": "br0", "max_taps": 8}) != null) and ([.taps[] | select(.vm == "web")] | length == 1)' "$out"
out=$(tv status --json web)
check "status --json" jqt '.state == "running" and (.pid | type) == "number" and .memory_kb > 0' "$out"
out=$(tv taps --json)
check "taps --json" jqt 'length == 2 and all(.[]; .bridge == "br0" and .pid > 0)' "$out"

tv wait web >"$TMP/wait-web" 2>&1 &
WPID=$!
out=$(tv shutdown web 2>&1); rc=$?
check_eq "shutdown" 0 "$rc"
wait "$WPID"; rc=$?
check_eq "wait: a VM that powered off exits 0" 0 "$rc"
check "... the guest powered off when asked" grep -q "ended: the guest powered off after system_powerdown" <<<"$out"
check "... and the VM is gone" sh -c "! ip netns exec $NS setpriv --reuid=$TEST_UID --regid=$TEST_UID --clear-groups env XDG_RUNTIME_DIR=$TMP/run $TAPVM status web >/dev/null 2>&1"
out=$(tv stop db 2>&1); rc=$?
check_eq "stop" 0 "$rc"
check "... says so" grep -q "VM db stopped" <<<"$out"
check "... and its log says who stopped it" grep -q "ended: tapvm stop; QEMU was told to quit" "$STATE/db/tapvm.log"
out=$(tv status db 2>/dev/null); rc=$?
check_eq "status of a stopped VM" 87 "$rc"
check "... says it ended, and how" sh -c 'printf "%s\n" "$0" | grep -qx state=ended && printf "%s\n" "$0" | grep -qx exit_status=83' "$out"
wait "$EPID"; rc=$?
check_eq "events ends with the VM, exiting 0" 0 "$rc"
check "... having shown its SHUTDOWN" grep -q '"event":"SHUTDOWN"' "$TMP/events"
out=$(tv wait db 2>&1); rc=$?
check_eq "wait on a VM that ended already: its status (stop: 83)" 83 "$rc"
out=$(tv list --running)
check "list --running leaves ended VMs out" sh -c '! printf "%s\n" "$0" | grep -q "^db "' "$out"
out=$(tv list)
check "list shows an ended VM and its exit status" grep -Eq '^db +ended +83 ' <<<"$out"
check "no tap is left" sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
check "no QEMU is left" no_qemu

# A supervisor killed with SIGKILL: QEMU goes with it, the state is stale.
tv start stale "${VMARGS[@]}" -append "$APPEND tapvm.hold=1" </dev/null >/dev/null 2>&1
sup=$(cat "$STATE/stale/pid")
kill -KILL "$sup"
check "QEMU does not outlive a killed supervisor" wait_for 50 no_qemu
check "... nor does its tap" wait_for 50 sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
out=$(tv start stale "${VMARGS[@]}" -append "$APPEND tapvm.hold=1" </dev/null 2>&1); rc=$?
check_eq "the name can be started again" 0 "$rc"
check "... after cleaning the stale state, said in one line" grep -q "cleaned the stale state of VM stale (its supervisor, pid $sup, is gone)" <<<"$out"
tv stop stale >/dev/null 2>&1

# A guest that ignores the power button: shutdown has QEMU quit, and says so
# in its exit status, not only in its words.
tv start deaf --shutdown-timeout 2 "${VMARGS[@]}" -append "$APPEND tapvm.hold=1" </dev/null >/dev/null 2>&1
check "a guest that ignores system_powerdown is up" wait_for 1800 grep -aq TAPVM-HOLDING "$STATE/deaf/console.log"
out=$(tv shutdown deaf 2>&1); rc=$?
check_eq "shutdown of a guest that does not power off exits 83" 83 "$rc"
check "... its line saying why" grep -q "the guest did not power off in time; QEMU was told to quit (exit status 83)" <<<"$out"

# restart: shut down, then started again as tapvm start was told.
tv start again --shutdown-timeout 60 "${VMARGS[@]}" -append "$APPEND tapvm.hold=1 tapvm.acpid=1" </dev/null >/dev/null 2>&1
check "a VM to restart is up" wait_for 1800 grep -aq TAPVM-HOLDING "$STATE/again/console.log"
old_sup=$(cat "$STATE/again/pid")
out=$(tv restart again </dev/null 2>&1); rc=$?
check_eq "restart: shut down and started again" 0 "$rc"
check "... the guest powered off first" grep -q "ended: the guest powered off after system_powerdown" <<<"$out"
check "... a new supervisor" test "$(cat "$STATE/again/pid")" != "$old_sup"
check "... with the same arguments: the guest holds again" wait_for 1800 sh -c "grep -ac TAPVM-HOLDING $STATE/again/console.log | grep -qx 2"
tv stop again >/dev/null 2>&1

# Launch failures under start: the status is the supervisor's, never "running".
out=$(tv start nokernel --accel tcg -n none -- -kernel /nonexistent </dev/null 2>&1); rc=$?
check_eq "start: QEMU failing after its QMP greeting (a -kernel it cannot read) exits 80" 80 "$rc"
check "... never saying the VM runs" sh -c '! printf "%s\n" "$0" | grep -q "is running"' "$out"
check "... with QEMU's words" grep -q "^tapvm: QEMU said: .*/nonexistent" <<<"$out"
bad=0
for i in $(seq 20); do
	out=$(tv start race --accel tcg -n brnone -- -m 64 </dev/null 2>&1); rc=$?
	{ [ "$rc" = 77 ] && ! grep -q "is running" <<<"$out"; } || bad=$((bad + 1))
done
check_eq "20 starts tapd refuses: each exits 77, none says the VM runs" 0 "$bad"
check "no QEMU is left" no_qemu

# A fresh account: no state directory at all yet.
mkdir "$TMP/fresh" && chown "$TEST_UID" "$TMP/fresh" && chmod 700 "$TMP/fresh"
for verb in status stop shutdown console monitor; do
	out=$(as_user -- env XDG_RUNTIME_DIR="$TMP/fresh" "$TAPVM" $verb nosuch </dev/null 2>&1); rc=$?
	check_eq "a fresh account: $verb of a VM never started exits 87" 87 "$rc"
	check "... saying there is no such VM" grep -qx "tapvm: no VM named nosuch is running" <<<"$out"
done

# State directory rules.
long=$TMP/run/$(printf 'd%.0s' $(seq 1 60))
mkdir -p "$long" && chown "$TEST_UID" "$long" && chmod 700 "$long"
out=$(as_user -- env XDG_RUNTIME_DIR="$long" "$TAPVM" start averylongvmnamethatmakesthesocketpathtoolong "${VMARGS[@]}" </dev/null 2>&1); rc=$?
check_eq "a socket path longer than sun_path is refused" 64 "$rc"
check "... clearly" grep -q "longer than the 107 bytes a Unix socket allows" <<<"$out"
rm -rf "/tmp/tapvm-$TEST_UID"
mkdir -m 755 "/tmp/tapvm-$TEST_UID"
out=$(as_user -- env -u XDG_RUNTIME_DIR "$TAPVM" start x "${VMARGS[@]}" </dev/null 2>&1); rc=$?
check "without XDG_RUNTIME_DIR, a /tmp/tapvm-UID not the user's is refused" \
	grep -q "/tmp/tapvm-$TEST_UID is not a directory of yours with mode 0700" <<<"$out"
rmdir "/tmp/tapvm-$TEST_UID"
[ "$failed" = 0 ] || for f in "$STATE"/*/tapvm.log; do sed "s|^|$f: |" "$f"; done

finish
