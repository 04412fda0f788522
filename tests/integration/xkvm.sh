#!/bin/bash
# xkvm.sh - tapvm as curtin's xkvm: the same command line, run by the name
# xkvm, boots a guest with two NICs (a tapd bridge and user) and a raw and a
# qcow2 disk with serials; UEFI from Debian's firmware descriptors, with
# variables kept in --uefi-nvram between runs.
. "$(dirname "$0")/lib.sh"
command -v qemu-img >/dev/null || skip "qemu-img is missing (package qemu-utils)"
setup xkvm
guest_setup 4
mkdir -p "$TMP/bin" "$TMP/vm" "$TMP/run"
ln -s "$TAPVM" "$TMP/bin/xkvm"
truncate -s 8M "$TMP/vm/raw.img"
qemu-img create -q -f qcow2 "$TMP/vm/data.qcow2" 16M
chown -R "$TEST_UID:$TEST_UID" "$TMP/vm" "$TMP/run"
APPEND="$APPEND tapvm.mac=52:54:00:12:34:05"
export TAPD_SOCKET=$SOCK
# as_user keeps the environment: TAPD_SOCKET, and a PATH with xkvm first.
export PATH="$TMP/bin:$PATH"

# --- an xkvm command line, unchanged ------------------------------------------------
out=$(as_user -- xkvm --dry-run --netdev br0,mac=:05 --netdev user,macaddr=52:54:00:aa:bb:02 \
	--disk "$TMP/vm/raw.img,serial=RAWSERIAL" --disk "$TMP/vm/data.qcow2,serial=QSERIAL" \
	-- "${GUEST[@]}" 2>"$TMP/dry.err"); rc=$?
check_eq "xkvm --dry-run exits 0 without asking tapd" 0 "$rc"
check "... prints nothing on stderr" test ! -s "$TMP/dry.err"
check_eq "... and one line on stdout" 1 "$(wc -l <<<"$out")"
check "... with the tap at fd 3 and xkvm's NIC ids" grep -q -- "-netdev tap,id=net00,fd=3 -device virtio-net-pci,netdev=net00,mac=52:54:00:12:34:05" <<<"$out"
check "... the qcow2 format from qemu-img" grep -q -- "-drive file=$TMP/vm/data.qcow2,id=disk01,if=none,format=qcow2,index=1" <<<"$out"
check "... the raw one as raw" grep -q -- "-drive file=$TMP/vm/raw.img,id=disk00,if=none,format=raw,index=0" <<<"$out"
check "... the serials on the devices" grep -q -- "-device virtio-blk,drive=disk01,serial=QSERIAL" <<<"$out"

out=$(as_user -- env TAPD_SOCKET=/nonexistent xkvm --dry-run 2>&1); rc=$?
check_eq "--dry-run needs neither tapd nor the bridge (default virbr0 is absent here)" 0 "$rc"
check "... and shows where the tap fd will be" grep -q -- "-netdev tap,id=net00,fd=3 " <<<"$out"
out=$(as_user -- "$TAPVM" run --dry-run --qemu qemu-system-s390x -n br0 2>&1); rc=$?
check_eq "--dry-run for a QEMU that is not installed, when QEMU need not be asked" 0 "$rc"
check "... with that architecture's defaults" grep -q -- "^qemu-system-s390x -accel tcg -device virtio-scsi-ccw,id=virtio-scsi-xkvm -netdev tap,id=net00,fd=3 -device virtio-net-ccw," <<<"$out"

as_user -- xkvm --netdev br0,mac=:05 --netdev user,macaddr=52:54:00:aa:bb:02 \
	--disk "$TMP/vm/raw.img,serial=RAWSERIAL" --disk "$TMP/vm/data.qcow2,serial=QSERIAL" \
	-- "${GUEST[@]}" -append "$APPEND" </dev/null >"$TMP/console" 2>&1
rc=$?
check_eq "xkvm boots the guest and exits with QEMU's status" 0 "$rc"
check "the guest sees the bridge NIC with the padded MAC" grep -aq "TAPVM-NIC eth[0-9] 52:54:00:12:34:05" "$TMP/console"
check "the guest sees the user NIC with its MAC" grep -aq "TAPVM-NIC eth[0-9] 52:54:00:aa:bb:02" "$TMP/console"
check "the guest sees the raw disk with its serial (8 MiB)" grep -aq "TAPVM-DISK vda RAWSERIAL 16384 " "$TMP/console"
check "the guest sees the qcow2 disk with its serial, read as qcow2 (16 MiB)" grep -aq "TAPVM-DISK vdb QSERIAL 32768 " "$TMP/console"
check "the guest pinged the host over the bridge NIC" grep -aq "TAPVM-PING-OK" "$TMP/console"
check "the tap is gone after QEMU exited" sh -c "! ip netns exec $NS ip -o link show | grep -q ': tapd'"
[ "$failed" = 0 ] || sed 's/^/console: /' "$TMP/console" | tail -30

# --- UEFI, with variables kept between runs ---------------------------------------
template_sum=$(sha256sum </usr/share/OVMF/OVMF_VARS_4M.fd)
for pass in write read; do
	as_user -- env XDG_RUNTIME_DIR="$TMP/run" "$TAPVM" run --accel tcg --name uefi-vm \
		--uefi-nvram "$TMP/vm/vars.fd" -n br0 -- "${GUEST[@]}" \
		-append "$APPEND tapvm.efivar=$pass" </dev/null >"$TMP/uefi-$pass" 2>&1
	check_eq "UEFI run ($pass) exits 0" 0 "$?"
	check "UEFI run ($pass): the guest booted through OVMF's UEFI" grep -aq "TAPVM-EFI yes" "$TMP/uefi-$pass"
	[ "$failed" = 0 ] || sed 's/^/uefi: /' "$TMP/uefi-$pass" | tail -20
done
check "the first run wrote an EFI variable" grep -aq "TAPVM-EFIVAR written" "$TMP/uefi-write"
check "--uefi-nvram kept it for the second run" grep -aq "TAPVM-EFIVAR read tapvm-persists" "$TMP/uefi-read"
check "the variables file is the user's own, mode 0600" \
	sh -c "[ \"\$(stat -c '%u %a' $TMP/vm/vars.fd)\" = '$TEST_UID 600' ]"
check_eq "the system's template is unchanged" "$template_sum" "$(sha256sum </usr/share/OVMF/OVMF_VARS_4M.fd)"
check "the VM's variables differ from the template now" \
	sh -c "! cmp -s /usr/share/OVMF/OVMF_VARS_4M.fd $TMP/vm/vars.fd"

# --- UEFI without --uefi-nvram: a private copy, gone afterwards ------------------------
cat >"$TMP/bin/fake-qemu" <<FAKE
#!/bin/sh
# Answers what tapvm asks of QEMU; as "QEMU", reports the pflash drives.
case "\$1" in -machine|-device) exec $QEMU "\$@" ;; esac
for a in "\$@"; do
	case "\$a" in if=pflash*)
		f=\${a#*file=}; f=\${f%%,*}
		echo "pflash \$a"; stat -c "file %u %a %s" "\$f" ;;
	esac
done
FAKE
chmod 755 "$TMP/bin/fake-qemu"
out=$(as_user -- env XDG_RUNTIME_DIR="$TMP/run" "$TAPVM" run --uefi -n none --qemu "$TMP/bin/fake-qemu" 2>&1)
check "the firmware code is mapped read-only" grep -q "pflash if=pflash,format=raw,unit=0,file=/usr/share/OVMF/OVMF_CODE_4M.fd,readonly=on" <<<"$out"
check "the variables are a private copy, never the template" \
	grep -q "pflash if=pflash,format=raw,unit=1,file=$TMP/run/tapvm-[A-Za-z0-9]*/VARS.fd\$" <<<"$out"
check "... owned by the user, mode 0600, the template's size" \
	grep -q "file $TEST_UID 600 $(stat -c %s /usr/share/OVMF/OVMF_VARS_4M.fd)" <<<"$out"
check_eq "... and removed after QEMU exits" "" "$(ls -A "$TMP/run")"

# --- refusals ------------------------------------------------------------------------------
out=$(as_user -- xkvm --uefi --bios /dev/null --dry-run 2>&1); rc=$?
check_eq "--bios with --uefi is refused (usage)" 64 "$rc"
check "... saying so" grep -q "bios cannot go with --uefi" <<<"$out"
out=$(as_user -- xkvm --disk "$TMP/vm/none.img" --dry-run 2>&1); rc=$?
check_eq "a missing disk is refused" 66 "$rc"
check "... naming it" grep -q "disk image $TMP/vm/none.img does not exist" <<<"$out"
out=$(as_user -- xkvm --disk "$TMP/vm/raw.img,bus=1,index=2" --dry-run 2>&1); rc=$?
check_eq "bus= with index= is refused" 64 "$rc"
out=$(as_user -- xkvm --qemu qemu-system-riscv64 -n none 2>&1); rc=$?
check_eq "a missing QEMU exits 127" 127 "$rc"
check "... naming the package to install" grep -q "install qemu-system-misc" <<<"$out"

finish
