// SPDX-License-Identifier: GPL-2.0-or-later
/* arch.c - per-architecture defaults, as xkvm and curtin had them */

#include <string.h>
#include <sys/utsname.h>

#include "arch.h"

static const struct arch_info arch_table[] = {
	{ "x86_64", "qemu-system-x86", "virtio-net-pci", "virtio-scsi-pci",
	  NULL, NULL, NULL, NULL, false, "ovmf", true },
	{ "i386", "qemu-system-x86", "virtio-net-pci", "virtio-scsi-pci",
	  NULL, NULL, NULL, NULL, false, "ovmf-ia32", true },
	/* curtin boots arm64 with UEFI on the virt machine. */
	{ "aarch64", "qemu-system-arm", "virtio-net-pci", "virtio-scsi-pci",
	  "virt", NULL, "max", "host", true, "qemu-efi-aarch64", true },
	{ "s390x", "qemu-system-misc", "virtio-net-ccw", "virtio-scsi-ccw",
	  NULL, NULL, NULL, NULL, false, NULL, false },
	{ "ppc64", "qemu-system-ppc", "virtio-net-pci", "virtio-scsi-pci",
	  "pseries,usb=off", "spapr-vscsi", NULL, NULL, false, NULL, false },
};

/* Anything else: QEMU's defaults and the x86 device names. */
static struct arch_info arch_other = {
	NULL, "qemu-system-misc", "virtio-net-pci", "virtio-scsi-pci",
	NULL, NULL, NULL, NULL, false, NULL, false,
};

/**
 * arch_host() - this host's architecture, in QEMU's words
 *
 * Return: a static string.
 */
const char *arch_host(void)
{
	static char name[65];
	struct utsname u;

	if (uname(&u))
		return "x86_64";
	if (!strncmp(u.machine, "ppc64", 5))
		return "ppc64";
	if (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"))
		return "i386";
	if (!strncmp(u.machine, "armv", 4))
		return "arm";
	memcpy(name, u.machine, sizeof(name) - 1);
	return name;
}

/**
 * arch_lookup() - defaults for an architecture
 * @name:	QEMU's architecture name
 *
 * Return: the defaults; never NULL (unknown architectures get QEMU's own).
 */
const struct arch_info *arch_lookup(const char *name)
{
	static char other[65];

	for (size_t i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
		if (!strcmp(arch_table[i].name, name))
			return &arch_table[i];
	strncpy(other, name, sizeof(other) - 1);
	arch_other.name = other;
	return &arch_other;
}

/**
 * arch_of_binary() - the target architecture of a QEMU binary
 * @qemu:	path or name; qemu-system-ARCH names its architecture
 *
 * Anything else (xkvm's "kvm", a wrapper script) is taken to run guests of
 * the host's architecture.
 *
 * Return: the defaults.
 */
const struct arch_info *arch_of_binary(const char *qemu)
{
	const char *base = strrchr(qemu, '/');

	base = base ? base + 1 : qemu;
	if (!strncmp(base, "qemu-system-", 12) && base[12])
		return arch_lookup(base + 12);
	return arch_lookup(arch_host());
}
