/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arch.h - per-architecture defaults, as xkvm and curtin had them */
#ifndef TAPVM_ARCH_H
#define TAPVM_ARCH_H

#include <stdbool.h>

/**
 * struct arch_info - what a target architecture needs by default
 * @name:	QEMU's name: the ARCH of qemu-system-ARCH
 * @package:	Debian package with qemu-system-ARCH
 * @netmodel:	default NIC model
 * @scsi_bus:	the virtio-scsi controller xkvm always adds
 * @machine:	-machine value, or NULL for QEMU's default
 * @extra_device: a -device xkvm adds, or NULL
 * @cpu_tcg:	-cpu under TCG, or NULL
 * @cpu_kvm:	-cpu under KVM, or NULL
 * @uefi:	boots with UEFI unless told otherwise
 * @fw_package:	Debian package with its UEFI firmware and descriptors
 * @usb_tablet:	a VNC display gets a USB tablet (nbsvm's default: the
 *		pointer follows the viewer's) on a qemu-xhci controller
 */
struct arch_info {
	const char *name;
	const char *package;
	const char *netmodel;
	const char *scsi_bus;
	const char *machine;
	const char *extra_device;
	const char *cpu_tcg, *cpu_kvm;
	bool uefi;
	const char *fw_package;
	bool usb_tablet;
};

const char *arch_host(void);
const struct arch_info *arch_lookup(const char *name);
const struct arch_info *arch_of_binary(const char *qemu);

#endif /* TAPVM_ARCH_H */
