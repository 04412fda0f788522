// SPDX-License-Identifier: GPL-2.0-or-later
/* host.c - what this host has: programs on $PATH, a usable KVM
 *
 * Shared by tapvm run (which QEMU, which accelerator) and tapvm doctor
 * (which says what is missing).
 */

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <grp.h>
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

/* Is @gid among this process's groups (the session's)? */
static bool host_in_session(gid_t gid)
{
	gid_t g[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, g);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (g[i] == gid)
			return true;
	return false;
}

/* Is @gid among the account's groups (/etc/group now)? */
static bool host_in_account(gid_t gid)
{
	struct passwd *pw = getpwuid(getuid());
	gid_t g[NGROUPS_MAX];
	int n = NGROUPS_MAX;

	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, g, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (g[i] == gid)
			return true;
	return false;
}

/*
 * /dev/kvm would not open: its group, and whether this session lacks a
 * group the account has (added after login: log out and in, not adduser).
 */
static void host_kvm_group_why(int err, char *why, size_t size)
{
	struct stat st;
	struct group *gr;
	char name[64];

	if (err != EACCES || stat("/dev/kvm", &st)) {
		snprintf(why, size, "cannot open /dev/kvm: %s", strerror(err));
		return;
	}
	gr = getgrgid(st.st_gid);
	snprintf(name, sizeof(name), "%s", gr ? gr->gr_name : "?");
	if (!host_in_session(st.st_gid) && host_in_account(st.st_gid))
		snprintf(why, size, "cannot open /dev/kvm: you were added to group %s after this session began: log out and in again (or run newgrp %s)",
			 name, name);
	else
		snprintf(why, size, "cannot open /dev/kvm: %s: join its group %s (sudo adduser $USER %s), then log out and in again",
			 strerror(err), name, name);
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
			host_kvm_group_why(err, why, size);
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
