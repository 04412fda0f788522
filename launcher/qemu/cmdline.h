/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.h - parse tapvm's VM options and build QEMU's command line */
#ifndef TAPVM_CMDLINE_H
#define TAPVM_CMDLINE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "mac.h"

/* The fds QEMU gets start here; cmdline_fd_of() says where each sits. */
#define CMDLINE_FD_BASE		3
#define CMDLINE_DEFAULT_BRIDGE	"virbr0"
#define CMDLINE_SCSI_ID		"virtio-scsi-xkvm"
#define CMDLINE_ERR_MAX		512
/* Most fds QEMU gets: taps' queues and vhost-net fds, then QMP, console, status. */
#define CMDLINE_MAX_FDS		64
#define CMDLINE_MAX_TAP_FDS	(CMDLINE_MAX_FDS - 3)

struct argv_buf {
	char **v;	/* NULL-terminated */
	size_t n, cap;
	int err;	/* first error: -ENOMEM */
};

void argv_add(struct argv_buf *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void argv_free(struct argv_buf *a);

enum cmdline_accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

/**
 * struct netdev_spec - one -n/--netdev BRIDGE|user|none[,FIELD...]
 * @kind:	a tap on a bridge, QEMU's user network, or no NIC at all
 * @bridge:	bridge name
 * @mac_req:	mac= as given ("auto" when not given)
 * @mac:	the MAC, once resolved (cmdline_resolve_mac(), for each NIC)
 * @model:	NIC model; "" means the architecture's default
 * @queues:	queues= (a multiqueue tap from tapd; virtio only), 1 by default
 * @vhost:	vhost=on: vhost-net fds from tapd, else QEMU's own
 * @vlan:	vlan=: the VLAN asked of tapd among those granted, or 0
 * @nvhost:	the vhost-net fds tapd gave (0 or @queues), set by the caller
 *		before the command line is built
 * @fields:	every other field, in order, routed by QEMU's answer
 * @nfields:	how many
 * @buf:	storage for @fields
 */
struct netdev_spec {
	enum { NETDEV_BRIDGE, NETDEV_USER, NETDEV_NONE } kind;
	char bridge[IFNAMSIZ];
	char mac_req[32];
	char mac[MAC_STRLEN];
	char model[64];
	unsigned int queues;
	bool vhost;
	unsigned int vlan;
	unsigned int nvhost;
	char **fields;
	size_t nfields;
	char *buf;
};

/**
 * struct disk_spec - one -d/--disk FILE[,FIELD...]
 * @file:	the image
 * @format:	format=/fmt=, or "" until detected
 * @driver:	driver=, or from if=; "" means virtio-blk
 * @id:		id=, or "" for diskNN
 * @serial:	serial=, or NULL for the file's base name
 * @bus:	bus=, or NULL
 * @unit:	unit=, or NULL
 * @index:	index=, or NULL (defaults to the disk's position)
 * @fields:	every other field, routed like a NIC's
 * @nfields:	how many
 * @buf:	storage for the strings
 */
struct disk_spec {
	const char *file;
	char format[32];
	char driver[64];
	char id[64];
	const char *serial;
	const char *bus, *unit, *index;
	char **fields;
	size_t nfields;
	char *buf;
};

enum cmdline_fw { FW_DEFAULT, FW_BIOS, FW_UEFI };

/**
 * struct vm_spec - what tapvm run was asked for, resolved
 * @qemu:	QEMU binary
 * @arch:	its target architecture's defaults
 * @accel:	ACCEL_KVM or ACCEL_TCG
 * @name:	VM name for -name, or NULL
 * @machine:	-machine to add, or NULL (the architecture's default applies)
 * @netdevs:	NICs in order
 * @disks:	disks in order
 * @fw:		firmware kind
 * @bios:	FW_BIOS: the image
 * @fw_code:	FW_UEFI: executable, read-only, and its format
 * @fw_vars:	FW_UEFI: the VM's own variables file, and its format
 * @fw_smm:	FW_UEFI: the firmware requires SMM (Secure Boot)
 * @qmp:	QMP on the fd after the taps
 * @console:	the serial console on the fd after QMP's
 * @status_port: the guest's status port on the fd after those
 * @vnc:	the display as VNC on this Unix socket, or NULL
 * @memory:	-m, or NULL
 * @cpus:	-smp, or NULL
 * @extra:	arguments after "--", passed last and unchanged
 */
struct vm_spec {
	const char *qemu;
	const struct arch_info *arch;
	enum cmdline_accel accel;
	const char *name;
	const char *machine;
	struct netdev_spec *netdevs;
	size_t nnetdevs;
	struct disk_spec *disks;
	size_t ndisks;
	enum cmdline_fw fw;
	const char *bios;
	const char *fw_code, *fw_code_format, *fw_vars, *fw_vars_format;
	bool fw_smm;
	bool qmp, console, status_port;
	const char *vnc;
	const char *memory, *cpus;
	char **extra;
	size_t nextra;
};

/**
 * struct cmdline_probe - how the builder asks QEMU about device models
 * @has_prop:	1 if @model has @prop, 0 if not, -errno if it cannot tell
 *		(with a reason in @why)
 * @ctx:	passed to @has_prop
 */
struct cmdline_probe {
	int (*has_prop)(void *ctx, const char *model, const char *prop,
			const char **why);
	void *ctx;
};

int cmdline_parse_netdev(const char *arg, struct netdev_spec *nd, char *err,
			 size_t errlen);
void cmdline_netdev_free(struct netdev_spec *nd);
int cmdline_parse_disk(const char *arg, struct disk_spec *d, char *err,
		       size_t errlen);
void cmdline_disk_free(struct disk_spec *d);
int cmdline_resolve_mac(struct netdev_spec *nd, unsigned int index,
			const char *machine_id, const char *vm_name,
			const unsigned char random3[3], char *err, size_t errlen);
const char *cmdline_machine_arg(char **extra, size_t nextra, char *buf,
				size_t size);
/* What cmdline_fd_of() places. */
enum cmdline_fd {
	CMDLINE_FD_NIC,		/* a bridge NIC's first queue */
	CMDLINE_FD_QMP,
	CMDLINE_FD_CONSOLE,
	CMDLINE_FD_STATUS,
	CMDLINE_FD_END,		/* the first fd after them all */
};

int cmdline_fd_of(const struct vm_spec *vm, enum cmdline_fd what, size_t nic);
int cmdline_build(const struct vm_spec *vm, const struct cmdline_probe *probe,
		  struct argv_buf *out, char *err, size_t errlen);
char *cmdline_quote(const char *arg);

#endif /* TAPVM_CMDLINE_H */
