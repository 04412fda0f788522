// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_img.c - tapvm img: a VM's drives, for users without LVM (nbsvm's newimg,
 * snapshot and clone)
 *
 * Drives live in $XDG_DATA_HOME/tapvm/NAME/ as disk-0.qcow2, disk-1.qcow2,
 * ...; tapvm start NAME uses them, in order, when no disk is given.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "qemu.h"
#include "vmdef.h"

#define IMG_DEFAULT_SIZE	"10G"

static void img_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm img new NAME [SIZE]\n"
"       tapvm img snapshot NAME --from GOLD\n"
"       tapvm img clone NAME --from SRC\n"
"       tapvm img list NAME\n"
"Make the next drive of the VM NAME in $XDG_DATA_HOME/tapvm/NAME/:\n"
"  new       an empty qcow2 of SIZE (default " IMG_DEFAULT_SIZE "; K, M, G, T)\n"
"  snapshot  a qcow2 overlay backed by GOLD's first drive (GOLD: a VM name\n"
"            or an image path); GOLD must not change while it is used\n"
"  clone     a full qcow2 copy of SRC's first drive, with a progress bar\n"
"  list      the VM's drives, in the order tapvm start uses them\n");
}

/* Run a program with our stdio; its exit status, or -errno. */
static int img_exec(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "tapvm: cannot run %s: %s%s\n", argv[0], strerror(errno),
			errno == ENOENT ? ": install qemu-utils (apt install qemu-utils)" : "");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The data directory, made 0700, and the path of the next drive in it. */
static int img_next(const char *name, char *path, size_t size)
{
	char dir[PATH_MAX], drives[64][PATH_MAX], *p;
	size_t n;
	int next = 0;

	if (vmdef_data_dir(name, dir, sizeof(dir)))
		return -ENAMETOOLONG;
	for (p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "tapvm: cannot create %s: %s\n", dir, strerror(errno));
		return -errno;
	}
	n = vmdef_drives(name, drives, 64);
	if (n) {
		const char *base = strrchr(drives[n - 1], '/') + 1;

		next = atoi(base + 5) + 1;
	}
	return (size_t)snprintf(path, size, "%s/disk-%d.qcow2", dir, next) >= size ? -ENAMETOOLONG : 0;
}

/* A VM's first drive, or an image path. */
static int img_source(const char *src, char *path, size_t size)
{
	char drives[1][PATH_MAX];

	if (strchr(src, '/')) {
		if (!realpath(src, path)) {
			fprintf(stderr, "tapvm: %s: %s\n", src, strerror(errno));
			return EXIT_NOINPUT;
		}
		return 0;
	}
	if (!names_label_valid(src) || !vmdef_drives(src, drives, 1)) {
		fprintf(stderr, "tapvm: VM %s has no drive (tapvm img new %s, or give a path)\n", src, src);
		return EXIT_NOINPUT;
	}
	snprintf(path, size, "%s", drives[0]);
	return 0;
}

int img_main(int argc, char **argv)
{
	char path[PATH_MAX], src[PATH_MAX], fmt[32], err[QEMU_ERR_MAX];
	const char *verb = argc > 1 ? argv[1] : "", *name = argc > 2 ? argv[2] : NULL;
	int ret;

	if (!strcmp(verb, "-h") || !strcmp(verb, "--help")) {
		img_usage(stdout);
		return 0;
	}
	if (!name || !names_label_valid(name)) {
		img_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(verb, "list") && argc == 3) {
		char drives[64][PATH_MAX];
		size_t n = vmdef_drives(name, drives, 64);

		for (size_t i = 0; i < n; i++)
			printf("%s\n", drives[i]);
		return 0;
	}
	if (!strcmp(verb, "new") && argc <= 4) {
		const char *size = argc == 4 ? argv[3] : IMG_DEFAULT_SIZE;
		size_t d = strspn(size, "0123456789");

		if (!d || (size[d] && (!strchr("KMGT", size[d]) || size[d + 1]))) {
			fprintf(stderr, "tapvm: size '%s' is not a number with K, M, G or T\n", size);
			return EXIT_USAGE;
		}
		if (img_next(name, path, sizeof(path)))
			return EXIT_OSERR;
		ret = img_exec((char *[]){ "qemu-img", "create", "-q", "-f", "qcow2", path,
					   (char *)size, NULL });
	} else if ((!strcmp(verb, "snapshot") || !strcmp(verb, "clone")) && argc == 5 &&
		   !strcmp(argv[3], "--from")) {
		if ((ret = img_source(argv[4], src, sizeof(src))))
			return ret;
		if (img_next(name, path, sizeof(path)))
			return EXIT_OSERR;
		if (verb[0] == 's') {
			if (qemu_img_format(src, fmt, sizeof(fmt), err, sizeof(err))) {
				fprintf(stderr, "tapvm: %s\n", err);
				return EXIT_NOINPUT;
			}
			ret = img_exec((char *[]){ "qemu-img", "create", "-q", "-f", "qcow2", "-b", src,
						   "-F", fmt, path, NULL });
		} else {
			ret = img_exec((char *[]){ "qemu-img", "convert", "-p", "-O", "qcow2", src,
						   path, NULL });
		}
	} else {
		img_usage(stderr);
		return EXIT_USAGE;
	}
	if (ret) {
		unlink(path);
		fprintf(stderr, "tapvm: qemu-img failed (exit status %d); no drive was made\n", ret);
		return ret == 127 ? EXIT_NOQEMU : EXIT_OSERR;
	}
	chmod(path, 0600);
	printf("%s\n", path);
	return 0;
}
