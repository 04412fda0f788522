// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_undefine.c - tapvm undefine NAME: remove a VM's file */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "vmdef.h"

int undefine_main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX + 80];

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: tapvm undefine NAME\n"
		       "Remove the VM NAME's file, $XDG_CONFIG_HOME/tapvm/NAME.conf. A running VM\n"
		       "runs on; its drives (tapvm img) and its state (tapvm rm) stay.\n");
		return 0;
	}
	if (argc != 2 || !names_label_valid(argv[1])) {
		fprintf(stderr, "tapvm: undefine takes one VM name (tapvm undefine NAME)\n");
		return EXIT_USAGE;
	}
	if (vmdef_dir(dir, sizeof(dir)))
		return EXIT_USAGE;
	snprintf(path, sizeof(path), "%s/%s.conf", dir, argv[1]);
	if (unlink(path)) {
		if (errno == ENOENT) {
			fprintf(stderr, "tapvm: VM %s is not defined (there is no %s)\n", argv[1], path);
			return EXIT_NOSUCHVM;
		}
		fprintf(stderr, "tapvm: cannot remove %s: %s\n", path, strerror(errno));
		return EXIT_OSERR;
	}
	fprintf(stderr, "tapvm: VM %s undefined (%s removed)\n", argv[1], path);
	return 0;
}
