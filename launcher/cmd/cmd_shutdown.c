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
		"--shutdown-timeout, QEMU is told to quit, then killed. Waits, says how it ended, and\n"
		"exits with the VM's exit status: 0 when the guest powered off, 83 when QEMU\n"
		"had to be told to quit, 84 when it was killed.\n");
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
	/* How it ended is how this ends: 0 powered off, 83 quit, 84 killed. */
	ret = vm_print_end(dir, name);
	return ret < 0 ? 0 : ret;
}
