// SPDX-License-Identifier: GPL-2.0-or-later
/* host.c - what this host has: programs on $PATH, a usable KVM
 *
 * Shared by tapvm run (which QEMU, which accelerator) and tapvm doctor
 * (which says what is missing).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "host.h"
#include "util.h"

/**
 * host_find_program() - where a program is
 * @name:	a path, or a name to look up in $PATH
 * @path:	set to a malloc'd path on success
 *
 * Return: 0, -ENOENT (not found) or -EACCES (found, not executable).
 */
int host_find_program(const char *name, char **path)
{
	const char *env = getenv("PATH");
	char *dirs, *save = NULL, *dir;
	int ret = -ENOENT;

	if (strchr(name, '/')) {
		if (access(name, F_OK))
			return -ENOENT;
		if (access(name, X_OK))
			return -EACCES;
		*path = strdup(name);
		return *path ? 0 : -ENOMEM;
	}
	dirs = strdup(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	/* One way out, freeing dirs (clang 14's analyzer ignores cleanup attributes). */
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		struct stat st;
		char *p;

		if (asprintf(&p, "%s/%s", dir, name) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (!stat(p, &st) && S_ISREG(st.st_mode)) {
			if (!access(p, X_OK)) {
				*path = p;
				ret = 0;
				break;
			}
			ret = -EACCES;
		}
		free(p);
	}
	free(dirs);
	return ret;
}

/**
 * host_kvm_check() - can this user run KVM guests here?
 * @why:	if not, filled with the reason and what to do (or NULL)
 * @size:	its size
 *
 * /dev/kvm alone is not enough: a host without vmx or svm (a VM without
 * nested virtualization) may have the device, and fail every guest.
 *
 * Return: 0, or -errno saying why not.
 */
int host_kvm_check(char *why, size_t size)
{
	cleanup_fd int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cleanup_free char *line = NULL;
	bool virt = false;
	size_t cap = 0;
	int err = errno;
	FILE *f;

	if (fd < 0) {
		if (why && err == ENOENT)
			snprintf(why, size, "/dev/kvm does not exist: load kvm_intel or kvm_amd, or enable virtualization in the firmware");
		else if (why)
			snprintf(why, size, "cannot open /dev/kvm: %s: join its group (usually kvm: sudo adduser $USER kvm, then log in again)",
				 strerror(err));
		return -err;
	}
	f = fopen("/proc/cpuinfo", "re");
	if (!f) {
		if (why)
			snprintf(why, size, "cannot read /proc/cpuinfo: %s", strerror(errno));
		return -errno;
	}
	while (!virt && getline(&line, &cap, f) > 0)
		if (!strncmp(line, "flags", 5))
			virt = strstr(line, " vmx") || strstr(line, " svm");
	fclose(f);
	if (!virt) {
		if (why)
			snprintf(why, size, "/dev/kvm is there but the CPU shows no vmx or svm (a VM without nested virtualization?): guests run under TCG, much slower");
		return -ENOTSUP;
	}
	return 0;
}
