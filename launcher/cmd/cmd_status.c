// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_status.c - tapvm status NAME: a named VM's state, pid, uptime, taps, memory */

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

int status_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm status NAME\nShow the VM's state, pids, uptime, taps, memory and sockets.\n");
	char dir[PATH_MAX];
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)))
		return ret;
	return vm_request(dir, "status", stdout, NULL);
}
