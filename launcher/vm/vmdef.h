/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vmdef.h - VM definitions: $XDG_CONFIG_HOME/tapvm/NAME.conf and classes */
#ifndef TAPVM_VMDEF_H
#define TAPVM_VMDEF_H

#include <limits.h>
#include <stddef.h>

#define VMDEF_ERR_MAX	(PATH_MAX + 256)
#define VMDEF_LIST_MAX	64

/**
 * struct vmdef - what a VM file and its class say, the file winning
 * @memory:	MiB, or NULL
 * @cpus:	or NULL
 * @accel:	or NULL
 * @qemu:	or NULL
 * @firmware:	"uefi", "bios:PATH" or "default", or NULL
 * @drive_if:	if= for the VM's own drives (nbsvm's drive_if), or NULL
 * @netdevs:	the file's netdev lines, else the class's
 * @disks:	the file's disk lines, else the class's
 * @qemu_args:	the class's qemu-arg lines, then the file's
 * @options:	the class's option lines, then the file's: tapvm run options,
 *		one argument each (--watchdog=30), read before the command line
 * @lines:	storage
 */
struct vmdef {
	const char *memory, *cpus, *accel, *qemu, *firmware, *drive_if;
	const char *netdevs[VMDEF_LIST_MAX];
	size_t nnetdevs;
	const char *disks[VMDEF_LIST_MAX];
	size_t ndisks;
	const char *qemu_args[VMDEF_LIST_MAX * 2];
	size_t nqemu_args;
	const char *options[VMDEF_LIST_MAX * 2];
	size_t noptions;
	char *lines[VMDEF_LIST_MAX * 4];
	size_t nlines;
};

int vmdef_dir(char *out, size_t size);
int vmdef_load(const char *name, struct vmdef *def, char *err, size_t errlen);
void vmdef_free(struct vmdef *def);
int vmdef_data_dir(const char *name, char *out, size_t size);
size_t vmdef_drives(const char *name, char drives[][PATH_MAX], size_t max);

#endif /* TAPVM_VMDEF_H */
