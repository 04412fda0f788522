#!/bin/bash
# defs.sh - VM definitions, classes and the order of precedence; define,
# start --save, undefine, rm; tapvm img new, snapshot and clone; a named VM
# booting from its overlay, with a USB tablet; a block device as a drive;
# drive-if.
. "$(dirname "$0")/lib.sh"
command -v qemu-io >/dev/null || skip "qemu-io is missing (package qemu-utils)"
setup defs
guest_setup 8
H=$TMP/home
mkdir -p "$H/cfg/tapvm/classes" "$H/data" "$H/run"
chmod 700 "$H/run"
export XDG_CONFIG_HOME=$H/cfg XDG_DATA_HOME=$H/data XDG_RUNTIME_DIR=$H/run TAPD_SOCKET=$SOCK
tv() { as_user -- "$TAPVM" "$@"; }
mopt() { grep -o -- " -m [0-9A-Z]*" | sed 's/ -m //'; }

cat >"$H/cfg/tapvm/classes/small.conf" <<CONF
# a class: defaults
memory = 512
cpus = 1
qemu-arg = -vga
qemu-arg = std
netdev = user,model=e1000
CONF
cat >"$H/cfg/tapvm/web.conf" <<CONF
class = small
memory = 768
netdev = br0,mac=:07
qemu-arg = -nographic
qemu-arg = -append
qemu-arg = $APPEND tapvm.hold=1 tapvm.acpid=1
CONF
chown -R "$TEST_UID" "$H"

# --- precedence: command line, environment, VM file, class, defaults -----------------
line=$(tv start web --dry-run --accel tcg)
check_eq "the VM file's memory over its class's" 768 "$(mopt <<<"$line")"
check "the class's cpus where the file has none" grep -q -- " -smp 1 " <<<"$line"
check "the file's netdevs over the class's" grep -q -- "-device virtio-net-pci,netdev=net00,mac=52:54:00:12:34:07" <<<"$line"
check "... and not the class's" lacks e1000 "$line"
check "the class's QEMU arguments, then the file's" grep -q -- " -vga std -nographic -append " <<<"$line"
check "values are literal to the end of the line" grep -q -- "tapvm.hold=1 tapvm.acpid=1'\$" <<<"$line"
check_eq "the environment over the file (TAPVM_MEM)" 900 "$(as_user -- env TAPVM_MEM=900 "$TAPVM" start web --dry-run --accel tcg | mopt)"
check_eq "the command line over the environment" 2G "$(as_user -- env TAPVM_MEM=900 "$TAPVM" start web --dry-run --accel tcg --memory 2G | mopt)"
check_eq "an ordinary mem= in the environment does not leak in" 768 "$(as_user -- env mem=4096 MEM=4096 "$TAPVM" start web --dry-run --accel tcg | mopt)"
sed -i '/^memory/d' "$H/cfg/tapvm/web.conf"
check_eq "the class where the file says nothing" 512 "$(tv start web --dry-run --accel tcg | mopt)"
check_eq "the default where nothing says anything" 1024 "$(tv start other --dry-run --accel tcg -n none | mopt)"
echo "colour = blue" >"$H/cfg/tapvm/bad.conf"
out=$(tv start bad --dry-run 2>&1); rc=$?
check_eq "an unknown key is refused" 64 "$rc"
check "... naming file:line" grep -q "$H/cfg/tapvm/bad.conf:1: unknown key 'colour'" <<<"$out"
printf 'netdev = br0\nqemu-arg = $(touch /tmp/tapvm-pwned)\n' >"$H/cfg/tapvm/evil.conf"
tv start evil --dry-run --accel tcg >/dev/null 2>&1
check "a VM file is never run by a shell" test ! -e /tmp/tapvm-pwned

# list --names (bash completion runs it): defined and running, each once, sorted.
# (State directories as tapvm makes them: 0700, the user's.)
as_user -- sh -c "umask 077; mkdir -p '$H/run/tapvm/evil' '$H/run/tapvm/zeta'"
check_eq "list --names: every VM defined or with a state directory, once each" \
	"bad evil web zeta" "$(tv list --names | paste -sd' ')"
rm -rf "$H/run/tapvm/evil" "$H/run/tapvm/zeta"

# --- define, start --save, undefine, rm ---------------------------------------------------
out=$(tv define job -n user --memory 300 --accel tcg --watchdog 30 --guest-status -- -append "a b  c" 2>&1); rc=$?
check_eq "define writes the VM's file" 0 "$rc"
check "... saying where" grep -q "VM job defined in $H/cfg/tapvm/job.conf" <<<"$out"
check "... run options as keys of their own" grep -qx "memory = 300" "$H/cfg/tapvm/job.conf"
check "... others as option lines" grep -qx "option = --watchdog=30" "$H/cfg/tapvm/job.conf"
check "... QEMU arguments as qemu-arg lines, as they were" grep -qx "qemu-arg = a b  c" "$H/cfg/tapvm/job.conf"
line=$(tv start job --dry-run)
check_eq "start runs what define wrote" 300 "$(mopt <<<"$line")"
check "... the QEMU arguments as they were" grep -qF -- "-append 'a b  c'" <<<"$line"
check "... the option lines too (--guest-status's port)" grep -q "org.tapvm.status" <<<"$line"
check "a VNC display comes with a USB tablet (nbsvm's default)" grep -q -- "-device qemu-xhci,id=tapvm-usb -device usb-tablet,bus=tapvm-usb.0" <<<"$line"
check_eq "... the command line over the option lines" 2G "$(tv start job --dry-run --memory 2G | mopt)"
out=$(tv define job --name other 2>&1); rc=$?
check_eq "define refuses --name" 64 "$rc"
out=$(tv define job -- "$(printf 'two\nlines')" 2>&1); rc=$?
check_eq "define refuses what a line cannot keep" 64 "$rc"
check "... and leaves the file as it was" grep -qx "memory = 300" "$H/cfg/tapvm/job.conf"
out=$(tv list 2>/dev/null)
check "list shows a defined VM that never ran" grep -Eq '^job +defined ' <<<"$out"
out=$(tv start saved --save --dry-run -n user --cpus 3 2>&1); rc=$?
check_eq "start --save --dry-run" 0 "$rc"
check "... writes nothing" test ! -e "$H/cfg/tapvm/saved.conf"
out=$(tv start saved --save -n user --cpus 3 --qemu "$TMP/none/qemu-system-x86_64" 2>&1); rc=$?
check_eq "start --save, then a start that fails (no such QEMU)" 127 "$rc"
check "... wrote the file first" grep -qx "cpus = 3" "$H/cfg/tapvm/saved.conf"
check_eq "undefine" 0 "$(tv undefine saved >/dev/null 2>&1; echo $?)"
check "... removes the file" test ! -e "$H/cfg/tapvm/saved.conf"
check_eq "undefine of a VM not defined: 88" 88 "$(tv undefine saved >/dev/null 2>&1; echo $?)"
check_eq "rm of the state the failed start left" 0 "$(tv rm saved >/dev/null 2>&1; echo $?)"
check_eq "rm of a VM with no state: 88" 88 "$(tv rm saved >/dev/null 2>&1; echo $?)"
printf 'drive-if = floppy\n' >"$H/cfg/tapvm/badif.conf"
out=$(tv start badif --dry-run 2>&1); rc=$?
check_eq "drive-if other than virtio or scsi is refused" 64 "$rc"
check "... naming file:line" grep -q "badif.conf:1: drive-if 'floppy' is not virtio or scsi" <<<"$out"

# --- drives: new, snapshot, clone ---------------------------------------------------------
out=$(tv img new gold 16M); rc=$?
check_eq "img new makes the VM's first drive" "0 $H/data/tapvm/gold/disk-0.qcow2" "$rc $out"
as_user -- qemu-io -c "write -P 0x41 0 4096" "$H/data/tapvm/gold/disk-0.qcow2" >/dev/null
check_eq "img new again makes the next drive" "$H/data/tapvm/gold/disk-1.qcow2" "$(tv img new gold 1M)"
check_eq "img list gives them in order" "$H/data/tapvm/gold/disk-0.qcow2 $H/data/tapvm/gold/disk-1.qcow2" "$(tv img list gold | tr '\n' ' ' | sed 's/ $//')"
out=$(tv img snapshot web --from gold); rc=$?
check_eq "img snapshot" "0 $H/data/tapvm/web/disk-0.qcow2" "$rc $out"
check "... is an overlay backed by gold's first drive" sh -c "qemu-img info $H/data/tapvm/web/disk-0.qcow2 | grep -q 'backing file: $H/data/tapvm/gold/disk-0.qcow2'"
out=$(tv img clone copy --from gold 2>&1); rc=$?
check_eq "img clone" 0 "$rc"
check "... shows progress" grep -q "100.00/100%" <<<"$out"
check "... and copies fully (no backing file)" sh -c "! qemu-img info $H/data/tapvm/copy/disk-0.qcow2 | grep -q backing"
check_eq "drives are the user's own" "$TEST_UID 600" "$(stat -c '%u %a' "$H/data/tapvm/copy/disk-0.qcow2")"

# --- a named VM boots from its overlay; a block device as a drive -----------------------
loopdev=
if loopdev=$(losetup --find --show "$(truncate -s 4M "$TMP/blk" && echo "$TMP/blk")" 2>/dev/null); then
	printf 'BLOCKDEV' | dd of="$loopdev" conv=notrunc status=none
	chown "$TEST_UID" "$loopdev"
	ln -s "$loopdev" "$H/data/tapvm/web/disk-1"
else
	echo "# SKIP part: no loop device here (losetup failed): the block device drive is not tested"
fi
out=$(tv start web --accel tcg -- -kernel "$TMP/guest/vmlinuz" -initrd "$TMP/guest/initrd.img" 2>&1); rc=$?
check_eq "tapvm start web, disks from its drives" 0 "$rc"
check "the guest came up" wait_for 1800 grep -aq TAPVM-HOLDING "$H/run/tapvm/web/console.log"
check "the guest reads gold's data through the overlay" grep -aq "TAPVM-DISK vda disk-0.qcow2 32768 AAAAAAAA" "$H/run/tapvm/web/console.log"
if [ -n "$loopdev" ]; then
	check "the block device is the second drive" grep -aq "TAPVM-DISK vdb disk-1 8192 BLOCKDEV" "$H/run/tapvm/web/console.log"
fi
check "its memory is the class's (the file's was removed)" sh -c "ps -o args= -u $TEST_UID | grep qemu | grep -q -- ' -m 512 '"
out=$(tv rm web 2>&1); rc=$?
check_eq "rm of a running VM is refused: 86" 86 "$rc"
tv shutdown web >/dev/null 2>&1
check "it shuts down" no_qemu
out=$(tv rm web 2>&1); rc=$?
check_eq "rm of a stopped VM" 0 "$rc"
check "... removes its state directory" test ! -e "$H/run/tapvm/web"
check "... not its drives" test -e "$H/data/tapvm/web/disk-0.qcow2"
echo "drive-if = scsi" >>"$H/cfg/tapvm/web.conf"
line=$(tv start web --dry-run --accel tcg)
check "drive-if: the VM's own drives on that interface" grep -q -- "-device scsi-hd,.*drive=disk00" <<<"$line"
[ -n "$loopdev" ] && losetup -d "$loopdev"

finish
