// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_shutdown.c - tapvm shutdown NAME: shut a named VM down gracefully */

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

int shutdown_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm shutdown NAME\nAsk the guest to power off (system_powerdown); after the VM's\n"
		"--shutdown-timeout, QEMU is told to quit, then killed. Waits, and says how it ended.\n");
	char dir[PATH_MAX], *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "shutdown", NULL, &answer)))
		return ret;
	free(answer);
	if (!vm_wait_gone(dir, 24 * 3600)) {
		fprintf(stderr, "tapvm: VM %s did not end\n", name);
		return EXIT_KILLED;
	}
	vm_print_end(dir);
	return 0;
}
