// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_stop.c - tapvm stop NAME: stop a named VM at once (QMP quit, then SIGKILL) */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "state.h"
#include "util.h"
#include "vm.h"

int stop_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm stop NAME\nStop the VM NAME at once (QMP quit, then SIGKILL).\n");
	cleanup_free char *answer = NULL;
	char dir[PATH_MAX];
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "stop", NULL, &answer)))
		return ret;
	if (!vm_wait_gone(dir, 15)) {
		fprintf(stderr, "tapvm: VM %s did not stop within 15 s\n", name);
		return EXIT_KILLED;
	}
	fprintf(stderr, "tapvm: VM %s stopped\n", name);
	return 0;
}
