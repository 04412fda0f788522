#!/bin/bash
# mkinitramfs.sh OUTDIR - a tiny guest for the end-to-end tests
#
# Writes OUTDIR/initrd.img (busybox-static, the virtio modules of Debian's
# linux-image-amd64) and OUTDIR/vmlinuz (that kernel), taken from what
# scripts/guest-kernel extracted: not the running kernel (`uname -r`), which
# may have no modules on disk at all, and not a kernel installed on the host.
#
# The guest reads tapvm.ip=, tapvm.peer= and tapvm.mac= from its command
# line, configures the NIC with that MAC (else its first), pings the peer and
# powers off (or, with tapvm.hold=1, waits to be shut down). With
# tapvm.efivar=write|read it writes or reads an EFI variable; with
# tapvm.status=N it writes N to the org.tapvm.status port; with
# tapvm.nonl=1 the status has no newline; with tapvm.marks=inside|outside it
# prints build-vm's watchdog markers with 8 s of silence between or after them;
# with tapvm.acpid=1 the power button powers it off; with tapvm.keys=1 it echoes
# the codes of two keys read from its console. Its console says:
#   TAPVM-EFI yes|no                   booted through UEFI or not
#   TAPVM-EFIVAR written|read VALUE    the EFI variable
#   TAPVM-NIC <ifname> <mac>           each NIC
#   TAPVM-DISK <name> <serial> <size> <first 8 bytes>  each virtio disk
#   TAPVM-GUEST-UP <ifname> <mac>      the NIC is up
#   TAPVM-PING-OK / TAPVM-PING-FAIL    the result
set -euo pipefail

out=${1:?usage: mkinitramfs.sh OUTDIR}
mkdir -p "$out"

# The guest kernel and its modules: scripts/guest-kernel (run by
# scripts/deps) keeps them in build-guest/, or $TAPVM_GUEST_KERNEL.
kernel=${TAPVM_GUEST_KERNEL:-$(dirname "$0")/../../build-guest}
[ -s "$kernel/vmlinuz" ] && [ -s "$kernel/modules.order" ] || {
	echo "mkinitramfs: no guest kernel in $kernel: run scripts/guest-kernel (as root)" >&2
	exit 1
}
busybox=/bin/busybox	# busybox-static: the guest has no libc
[ -x "$busybox" ] || { echo "mkinitramfs: busybox-static is not installed" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
cp "$busybox" "$root/bin/busybox"
# Loaded in this order (virtio_ring before virtio, and so on).
cp "$kernel"/modules/*.ko "$root/lib/modules/"
cp "$kernel/modules.order" "$root/modules.order"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules.order); do
	insmod /lib/modules/$m 2>/dev/null || [ $m = efivarfs.ko ] || echo "TAPVM-INSMOD-FAIL $m"
done
ip=; peer=; hold=; want_mac=; efivar=; status=; acpi=; keys=; nonl=; marks=
for w in $(cat /proc/cmdline); do
	case "$w" in
	tapvm.status=*) status=${w#tapvm.status=} ;;
	tapvm.acpid=1) acpi=1 ;;
	tapvm.keys=1) keys=1 ;;
	tapvm.ip=*) ip=${w#tapvm.ip=} ;;
	tapvm.peer=*) peer=${w#tapvm.peer=} ;;
	tapvm.mac=*) want_mac=${w#tapvm.mac=} ;;
	tapvm.efivar=*) efivar=${w#tapvm.efivar=} ;;
	tapvm.hold=1) hold=1 ;;
	tapvm.nonl=1) nonl=1 ;;
	tapvm.marks=*) marks=${w#tapvm.marks=} ;;
	esac
done
# What udev would do: /dev/virtio-ports/NAME for each named port.
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
	[ -e "$p/name" ] && ln -sf "../${p##*/}" "/dev/virtio-ports/$(cat "$p/name")"
done
if [ -n "$acpi" ]; then
	# The power button (system_powerdown) powers the guest off.
	mkdir -p /etc/acpi/PWRF
	printf '#!/bin/sh\necho TAPVM-ACPI-POWEROFF >/dev/console\npoweroff -f\n' >/etc/acpi/PWRF/00000080
	chmod 755 /etc/acpi/PWRF/00000080
	acpid -c /etc/acpi -l /dev/null
fi
[ -d /sys/firmware/efi ] && echo "TAPVM-EFI yes" || echo "TAPVM-EFI no"
if [ -n "$efivar" ]; then
	v=/sys/firmware/efi/efivars/TapvmTest-3b5b8c2e-8f1f-4a36-9a55-7f3f2c1d0e01
	mount -t efivarfs efivarfs /sys/firmware/efi/efivars
	case "$efivar" in
	write) printf '\007\000\000\000tapvm-persists' >"$v" && echo "TAPVM-EFIVAR written" ;;
	read) echo "TAPVM-EFIVAR read $(tail -c +5 "$v" 2>/dev/null)" ;;
	esac
fi
ip link set lo up
sleep 0.5
nic=
for d in /sys/class/net/*; do
	n=${d##*/}
	[ "$n" = lo ] && continue
	mac=$(cat "$d/address")
	echo "TAPVM-NIC $n $mac"
	echo "TAPVM-NIC-QUEUES $n rx=$(ls -d "$d"/queues/rx-* | wc -l) tx=$(ls -d "$d"/queues/tx-* | wc -l) cpus=$(grep -c ^processor /proc/cpuinfo)"
	if [ -z "$nic" ] && { [ -z "$want_mac" ] || [ "$mac" = "$want_mac" ]; }; then nic=$n; fi
done
for d in /sys/block/vd*; do
	[ -e "$d" ] && echo "TAPVM-DISK ${d##*/} $(cat "$d/serial" 2>/dev/null) $(cat "$d/size") $(head -c 8 /dev/${d##*/} | tr -c 'A-Za-z0-9' .)"
done
if [ -n "$nic" ] && [ -n "$ip" ]; then
	ip link set "$nic" up
	ip addr add "$ip" dev "$nic"
	echo "TAPVM-GUEST-UP $nic $(cat /sys/class/net/$nic/address)"
	if ping -c 3 -w 20 "$peer"; then echo TAPVM-PING-OK; else echo TAPVM-PING-FAIL; fi
else
	echo "TAPVM-GUEST-NONIC"
fi
if [ -n "$keys" ]; then
	# Keys from tapvm's console relay, Ctrl-C included, as bytes.
	stty -icanon -isig -echo min 1
	echo TAPVM-READY-KEYS
	k=$(dd bs=1 count=1 2>/dev/null | od -An -tx1)
	echo "TAPVM-KEY$k"
	k=$(dd bs=1 count=1 2>/dev/null | od -An -tx1)
	echo "TAPVM-KEY$k"
fi
# build-vm's watchdog markers, with 8 s of silence inside them or after them.
if [ "$marks" = inside ]; then
	echo "### WATCHDOG MARKER START ###"; sleep 8; echo "### WATCHDOG MARKER END ###"
elif [ "$marks" = outside ]; then
	echo "### WATCHDOG MARKER START ###"; echo "### WATCHDOG MARKER END ###"; sleep 8
fi
if [ -n "$status" ] && [ -n "$nonl" ]; then
	printf %s "$status" >/dev/virtio-ports/org.tapvm.status && echo "TAPVM-STATUS-SENT $status"
elif [ -n "$status" ]; then
	echo "$status" >/dev/virtio-ports/org.tapvm.status && echo "TAPVM-STATUS-SENT $status"
fi
if [ -n "$hold" ]; then
	echo TAPVM-HOLDING
	while :; do sleep 3600; done
fi
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.img"
cp "$kernel/vmlinuz" "$out/vmlinuz"
chmod 644 "$out/initrd.img" "$out/vmlinuz"
echo "$out/vmlinuz $out/initrd.img"
