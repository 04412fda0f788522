// SPDX-License-Identifier: GPL-2.0-or-later
/* vmdef.c - VM definitions: $XDG_CONFIG_HOME/tapvm/NAME.conf and classes
 *
 * A plain "key = value" file, never executed: '#' starts a comment line,
 * values are literal to the end of the line (surrounding blanks trimmed).
 *
 *	memory = 2048		-m, MiB
 *	cpus = 2		-smp
 *	accel = tcg		--accel
 *	qemu = qemu-system-x86_64
 *	firmware = uefi		or bios:/path/to/image, or default
 *	netdev = br0,mac=:05	repeatable, in order
 *	disk = /path/x.qcow2	repeatable, in order
 *	drive-if = scsi		if= for the VM's own drives (virtio, scsi)
 *	qemu-arg = -vga		repeatable: one QEMU argument each
 *	option = --watchdog=30	repeatable: one tapvm run option each (not
 *				--netdev, --disk, --name, --dry-run)
 *	class = win		defaults from classes/win.conf (no class there)
 *
 * Anything else is an error naming file:line. Precedence is applied in
 * cmd_run.c: command line, then TAPVM_* environment, then this file, its class,
 * and built-in defaults.
 */

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "util.h"
#include "vmdef.h"

static int vmdef_xdg(const char *var, const char *fallback, char *out, size_t size)
{
	const char *v = getenv(var), *home = getenv("HOME");
	int n;

	if (v && *v)
		n = snprintf(out, size, "%s/tapvm", v);
	else
		n = snprintf(out, size, "%s/%s/tapvm", home ? home : "/", fallback);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * vmdef_dir() - where VM definitions are: $XDG_CONFIG_HOME/tapvm
 * @out:	the path
 * @size:	its size
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int vmdef_dir(char *out, size_t size)
{
	return vmdef_xdg("XDG_CONFIG_HOME", ".config", out, size);
}

/**
 * vmdef_data_dir() - where a VM's drives are: $XDG_DATA_HOME/tapvm/NAME
 * @name:	the VM
 * @out:	the path
 * @size:	its size
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int vmdef_data_dir(const char *name, char *out, size_t size)
{
	char base[PATH_MAX];

	if (vmdef_xdg("XDG_DATA_HOME", ".local/share", base, sizeof(base)))
		return -ENAMETOOLONG;
	return (size_t)snprintf(out, size, "%s/%s", base, name) >= size ? -ENAMETOOLONG : 0;
}

struct vmdef_level {
	const char *memory, *cpus, *accel, *qemu, *firmware, *class, *drive_if;
	const char *netdevs[VMDEF_LIST_MAX], *disks[VMDEF_LIST_MAX];
	const char *args[VMDEF_LIST_MAX], *options[VMDEF_LIST_MAX];
	size_t nnetdevs, ndisks, nargs, noptions;
};

/*
 * An option line is one tapvm run option that the other keys do not say:
 * never a NIC, a disk, the name, or --dry-run. Return: it may be one.
 */
static bool vmdef_option_valid(const char *v)
{
	static const char *const no[] = { "--netdev", "--disk", "--name", "--dry-run", "--help",
					  "--save" };

	if (v[0] != '-' || v[1] != '-')
		return false;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		size_t l = strlen(no[i]);

		if (!strncmp(v, no[i], l) && (v[l] == '\0' || v[l] == '='))
			return false;
	}
	return true;
}

static char *vmdef_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int vmdef_read(struct vmdef *def, const char *path, struct vmdef_level *lv,
		      bool is_class, char *err, size_t errlen)
{
	cleanup_free char *line = NULL;
	unsigned int lineno = 0;
	size_t cap = 0;
	int ret = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		ret = -errno;
		if (ret != -ENOENT)
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	while (getline(&line, &cap, f) >= 0) {
		char *eq, *key, *val, *copy;
		const char **list = NULL;
		size_t *n = NULL;

		lineno++;
		key = vmdef_trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: not key = value", path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		key = vmdef_trim(key);
		val = vmdef_trim(eq + 1);
		if (def->nlines == sizeof(def->lines) / sizeof(def->lines[0]) ||
		    !(copy = strdup(val))) {
			snprintf(err, errlen, "%s:%u: too many lines", path, lineno);
			ret = -E2BIG;
			break;
		}
		def->lines[def->nlines++] = copy;
		if (!strcmp(key, "memory"))
			lv->memory = copy;
		else if (!strcmp(key, "cpus"))
			lv->cpus = copy;
		else if (!strcmp(key, "accel"))
			lv->accel = copy;
		else if (!strcmp(key, "qemu"))
			lv->qemu = copy;
		else if (!strcmp(key, "firmware"))
			lv->firmware = copy;
		else if (!strcmp(key, "drive-if") && (!strcmp(copy, "virtio") || !strcmp(copy, "scsi")))
			lv->drive_if = copy;
		else if (!strcmp(key, "drive-if")) {
			snprintf(err, errlen, "%s:%u: drive-if '%s' is not virtio or scsi", path, lineno, copy);
			ret = -EINVAL;
			break;
		}
		else if (!strcmp(key, "class") && !is_class)
			lv->class = copy;
		else if (!strcmp(key, "netdev"))
			list = lv->netdevs, n = &lv->nnetdevs;
		else if (!strcmp(key, "disk"))
			list = lv->disks, n = &lv->ndisks;
		else if (!strcmp(key, "qemu-arg"))
			list = lv->args, n = &lv->nargs;
		else if (!strcmp(key, "option") && vmdef_option_valid(copy))
			list = lv->options, n = &lv->noptions;
		else if (!strcmp(key, "option")) {
			snprintf(err, errlen, "%s:%u: option '%s' is not a --long tapvm run option other than --netdev, --disk, --name, --dry-run",
				 path, lineno, copy);
			ret = -EINVAL;
			break;
		} else {
			snprintf(err, errlen, "%s:%u: unknown key '%s' (memory, cpus, accel, qemu, firmware, netdev, disk, drive-if, qemu-arg, option%s)",
				 path, lineno, key, is_class ? "" : ", class");
			ret = -EINVAL;
			break;
		}
		if (list) {
			if (*n == VMDEF_LIST_MAX) {
				snprintf(err, errlen, "%s:%u: more than %d %s lines", path, lineno,
					 VMDEF_LIST_MAX, key);
				ret = -E2BIG;
				break;
			}
			list[(*n)++] = copy;
		}
	}
	fclose(f);
	return ret;
}

/**
 * vmdef_load() - read a VM's definition and its class, if there is one
 * @name:	the VM (validated)
 * @def:	filled; free with vmdef_free(); empty when there is no file
 * @err:	reason on failure, naming file:line
 * @errlen:	its size
 *
 * Return: 0 (also when there is no definition), or -errno.
 */
int vmdef_load(const char *name, struct vmdef *def, char *err, size_t errlen)
{
	struct vmdef_level file = { 0 }, class = { 0 };
	char dir[PATH_MAX], path[PATH_MAX + 128];
	int ret;

	memset(def, 0, sizeof(*def));
	if (vmdef_dir(dir, sizeof(dir)))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	ret = vmdef_read(def, path, &file, false, err, errlen);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	if (file.class) {
		if (!names_label_valid(file.class)) {
			snprintf(err, errlen, "%s: class '%s' is not a valid name", path, file.class);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "%s/classes/%s.conf", dir, file.class);
		ret = vmdef_read(def, path, &class, true, err, errlen);
		if (ret == -ENOENT)
			snprintf(err, errlen, "class %s of VM %s: %s does not exist", file.class, name, path);
		if (ret)
			return ret;
	}
	def->memory = file.memory ? file.memory : class.memory;
	def->cpus = file.cpus ? file.cpus : class.cpus;
	def->accel = file.accel ? file.accel : class.accel;
	def->qemu = file.qemu ? file.qemu : class.qemu;
	def->firmware = file.firmware ? file.firmware : class.firmware;
	def->drive_if = file.drive_if ? file.drive_if : class.drive_if;
	{
		struct vmdef_level *nl = file.nnetdevs ? &file : &class;
		struct vmdef_level *dl = file.ndisks ? &file : &class;

		memcpy(def->netdevs, nl->netdevs, sizeof(char *) * nl->nnetdevs);
		def->nnetdevs = nl->nnetdevs;
		memcpy(def->disks, dl->disks, sizeof(char *) * dl->ndisks);
		def->ndisks = dl->ndisks;
	}
	memcpy(def->qemu_args, class.args, sizeof(char *) * class.nargs);
	memcpy(def->qemu_args + class.nargs, file.args, sizeof(char *) * file.nargs);
	def->nqemu_args = class.nargs + file.nargs;
	memcpy(def->options, class.options, sizeof(char *) * class.noptions);
	memcpy(def->options + class.noptions, file.options, sizeof(char *) * file.noptions);
	def->noptions = class.noptions + file.noptions;
	return 0;
}

void vmdef_free(struct vmdef *def)
{
	for (size_t i = 0; i < def->nlines; i++)
		free(def->lines[i]);
	def->nlines = 0;
}

static int vmdef_drive_index(const char *name)
{
	char *end;
	long v;

	if (strncmp(name, "disk-", 5))
		return -1;
	v = strtol(name + 5, &end, 10);
	if (end == name + 5 || v < 0 || v > 999 || (*end && *end != '.'))
		return -1;
	return (int)v;
}

/**
 * vmdef_drives() - a VM's drives, as nbsvm's nbsvm-$VM-* rule had them
 * @name:	the VM
 * @drives:	filled with paths, in order of their index
 * @max:	room in @drives
 *
 * disk-0.qcow2, disk-1.raw, ... in $XDG_DATA_HOME/tapvm/NAME; any of them
 * may be a link to a block device (an LVM volume the user may open).
 *
 * Return: how many.
 */
size_t vmdef_drives(const char *name, char drives[][PATH_MAX], size_t max)
{
	char dir[PATH_MAX];
	int idx[256];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	if (vmdef_data_dir(name, dir, sizeof(dir)) || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d)) && n < max && n < 256) {
		int i = vmdef_drive_index(e->d_name);
		size_t at = n;

		if (i < 0)
			continue;
		while (at > 0 && idx[at - 1] > i) {	/* insertion sort by index */
			idx[at] = idx[at - 1];
			memcpy(drives[at], drives[at - 1], PATH_MAX);
			at--;
		}
		idx[at] = i;
		snprintf(drives[at], PATH_MAX, "%.*s/%s", (int)(PATH_MAX - NAME_MAX - 2), dir, e->d_name);
		n++;
	}
	closedir(d);
	return n;
}
