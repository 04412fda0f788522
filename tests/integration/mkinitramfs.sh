#!/bin/bash
# mkinitramfs.sh OUTDIR - a tiny guest for the end-to-end tests
#
# Writes OUTDIR/initrd.img (busybox-static, the virtio-net modules of the
# installed Debian kernel package) and OUTDIR/vmlinuz (that kernel). The
# kernel is linux-image-amd64's, not the running one (`uname -r`), which may
# have no modules on disk at all.
#
# The guest reads tapvm.ip= and tapvm.peer= from its command line, configures
# its first NIC, pings the peer and powers off (or, with tapvm.hold=1,
# waits to be shut down). Its console says:
#   TAPVM-GUEST-UP <ifname> <mac>      the NIC is up
#   TAPVM-PING-OK / TAPVM-PING-FAIL    the result
set -euo pipefail

out=${1:?usage: mkinitramfs.sh OUTDIR}
mkdir -p "$out"

dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null) || {
	echo "mkinitramfs: linux-image-amd64 is not installed (apt-get install linux-image-amd64)" >&2
	exit 1
}
kver=$(sed -n 's/^linux-image-\([^ ,]*\).*/\1/p' <<<"$dep")
[ -r "/boot/vmlinuz-$kver" ] || { echo "mkinitramfs: /boot/vmlinuz-$kver missing" >&2; exit 1; }
busybox=/bin/busybox	# busybox-static: the guest has no libc
[ -x "$busybox" ] || { echo "mkinitramfs: busybox-static is not installed" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,proc,sys,dev,lib/modules}
cp "$busybox" "$root/bin/busybox"

# Modules in dependency order, as modprobe would load them (virtio_ring
# before virtio, and so on); compressed ones are unpacked.
: >"$root/modules.order"
for m in virtio_pci virtio_net; do
	modprobe -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
	base=$(basename "$ko")
	case "$ko" in
	*.ko.xz) xz -dc "$ko" >"$root/lib/modules/${base%.xz}"; base=${base%.xz} ;;
	*.ko.zst) zstd -qdc "$ko" >"$root/lib/modules/${base%.zst}"; base=${base%.zst} ;;
	*) cp "$ko" "$root/lib/modules/$base" ;;
	esac
	echo "$base" >>"$root/modules.order"
done

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /modules.order); do insmod /lib/modules/$m || echo "TAPVM-INSMOD-FAIL $m"; done
ip=; peer=; hold=
for w in $(cat /proc/cmdline); do
	case "$w" in
	tapvm.ip=*) ip=${w#tapvm.ip=} ;;
	tapvm.peer=*) peer=${w#tapvm.peer=} ;;
	tapvm.hold=1) hold=1 ;;
	esac
done
ip link set lo up
nic=
for i in 1 2 3 4 5 6 7 8 9 10; do
	for d in /sys/class/net/*; do
		n=${d##*/}
		[ "$n" = lo ] || { nic=$n; break; }
	done
	[ -n "$nic" ] && break
	sleep 0.5
done
if [ -n "$nic" ] && [ -n "$ip" ]; then
	ip link set "$nic" up
	ip addr add "$ip" dev "$nic"
	echo "TAPVM-GUEST-UP $nic $(cat /sys/class/net/$nic/address)"
	if ping -c 3 -w 20 "$peer"; then echo TAPVM-PING-OK; else echo TAPVM-PING-FAIL; fi
else
	echo "TAPVM-GUEST-NONIC"
fi
if [ -n "$hold" ]; then
	echo TAPVM-HOLDING
	while :; do sleep 3600; done
fi
poweroff -f
INIT
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.img"
cp "/boot/vmlinuz-$kver" "$out/vmlinuz"
chmod 644 "$out/initrd.img" "$out/vmlinuz"
echo "$out/vmlinuz $out/initrd.img"
