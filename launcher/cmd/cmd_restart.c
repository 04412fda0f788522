// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_restart.c - tapvm restart NAME: reset a named VM */

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

int restart_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm restart NAME\nReset the VM NAME (QMP system_reset): the guest reboots, its taps stay.\n");
	char dir[PATH_MAX], *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "restart", NULL, &answer)))
		return ret;
	ret = strncmp(answer, "ok", 2) ? EXIT_OSERR : 0;
	fprintf(stderr, "tapvm: %s%s", ret ? "" : "VM restarted: ", answer);
	free(answer);
	return ret;
}
