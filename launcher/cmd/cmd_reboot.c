// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_reboot.c - tapvm reboot NAME: the guest's own, graceful reboot (virsh reboot) */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "util.h"
#include "vm.h"

int reboot_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm reboot NAME\nAsk the guest of VM NAME to reboot (virsh reboot): it is asked to power off\n"
		"(system_powerdown); when it has, QEMU resets it instead of exiting. A guest\n"
		"that does not power off within the VM's --shutdown-timeout runs on (tapvm\n"
		"reset forces a reboot). Returns once the guest is asked.\n");
	cleanup_free char *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if (argc > 2)
		return command_no_operands("reboot", argv[2]);
	if ((ret = vm_verb(name, "reboot", "reboot", &answer)))
		return ret;
	fprintf(stderr, "tapvm: VM %s: %s", name, answer);
	return 0;
}
