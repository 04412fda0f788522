// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_reset.c - tapvm reset NAME: a hard reset (virsh reset) */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "util.h"
#include "vm.h"

int reset_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm reset NAME\nReset the VM NAME at once, as its reset button would (QMP system_reset;\n"
		"virsh reset): the guest is not asked, its taps stay.\n");
	cleanup_free char *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if (argc > 2)
		return command_no_operands("reset", argv[2]);
	if ((ret = vm_verb(name, "reset", "reset", &answer)))
		return ret;
	fprintf(stderr, "tapvm: VM %s reset\n", name);
	return 0;
}
