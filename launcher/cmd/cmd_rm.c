// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_rm.c - tapvm rm NAME: remove a stopped VM's state directory
 *
 * Everything in $XDG_RUNTIME_DIR/tapvm/NAME: its logs, the arguments
 * restart uses, a UEFI VM's variables. Only what a supervisor puts there
 * (files and sockets, no directories) is removed, never through a link.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"

int rm_main(int argc, char **argv)
{
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	cleanup_fd int dfd = -1;
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: tapvm rm NAME\n"
		       "Remove the state of the VM NAME, which must not be running: its\n"
		       "directory $XDG_RUNTIME_DIR/tapvm/NAME with its console.log, tapvm.log,\n"
		       "the arguments tapvm restart uses and a UEFI VM's variables (VARS.fd).\n"
		       "Its file (tapvm undefine) and drives stay.\n");
		return 0;
	}
	if (argc != 2 || !names_label_valid(argv[1])) {
		fprintf(stderr, "tapvm: rm takes one VM name (tapvm rm NAME)\n");
		return EXIT_USAGE;
	}
	if (state_dir(argv[1], dir, sizeof(dir), false, err, sizeof(err))) {
		fprintf(stderr, "tapvm: VM %s has no state to remove\n", argv[1]);
		return EXIT_NOSUCHVM;
	}
	if (state_running(dir)) {
		fprintf(stderr, "tapvm: VM %s is running: tapvm stop %s first\n", argv[1], argv[1]);
		return EXIT_RUNNING;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = dfd >= 0 ? fdopendir(dup(dfd)) : NULL;
	if (!d) {
		fprintf(stderr, "tapvm: cannot open %s: %s\n", dir, strerror(errno));
		return EXIT_OSERR;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dfd, e->d_name, 0)) {
			fprintf(stderr, "tapvm: cannot remove %s/%s: %s\n", dir, e->d_name, strerror(errno));
			ret = EXIT_OSERR;
		}
	}
	closedir(d);
	if (!ret && rmdir(dir)) {
		fprintf(stderr, "tapvm: cannot remove %s: %s\n", dir, strerror(errno));
		ret = EXIT_OSERR;
	}
	if (!ret)
		fprintf(stderr, "tapvm: VM %s's state removed (%s)\n", argv[1], dir);
	return ret;
}
