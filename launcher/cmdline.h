/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.h - parse tapvm's VM options and build QEMU's command line */
#ifndef TAPVM_CMDLINE_H
#define TAPVM_CMDLINE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

/* Tap fds are handed to QEMU at CMDLINE_FD_BASE, +1 for each further tap. */
#define CMDLINE_FD_BASE		3
#define CMDLINE_DEFAULT_MODEL	"virtio-net-pci"
#define CMDLINE_ERR_MAX		256

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
 * struct netdev_spec - one -n/--netdev
 * @user:	QEMU's user-mode network instead of a bridge
 * @bridge:	bridge name (not @user)
 * @mac:	"52:54:00:12:34:56"; empty until resolved (auto)
 * @model:	NIC model, CMDLINE_DEFAULT_MODEL unless given
 */
struct netdev_spec {
	bool user;
	char bridge[IFNAMSIZ];
	char mac[18];
	char model[64];
};

struct disk_spec {
	const char *file;
	char format[32];
};

/**
 * struct vm_spec - what tapvm run was asked for, resolved
 * @qemu:	QEMU binary
 * @accel:	ACCEL_KVM or ACCEL_TCG (resolved from auto by the caller)
 * @name:	VM name, or NULL
 * @netdevs:	netdevs in order
 * @disks:	disks in order
 * @extra:	arguments after "--", passed last and unchanged
 */
struct vm_spec {
	const char *qemu;
	enum cmdline_accel accel;
	const char *name;
	struct netdev_spec *netdevs;
	size_t nnetdevs;
	struct disk_spec *disks;
	size_t ndisks;
	char **extra;
	size_t nextra;
};

int cmdline_parse_netdev(const char *arg, struct netdev_spec *nd, char *err,
			 size_t errlen);
int cmdline_parse_disk(char *arg, struct disk_spec *d, char *err, size_t errlen);
int cmdline_parse_mac(const char *s, char out[18]);
int cmdline_build(const struct vm_spec *vm, struct argv_buf *out);
char *cmdline_quote(const char *arg);

#endif /* TAPVM_CMDLINE_H */
