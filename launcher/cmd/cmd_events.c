// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_events.c - tapvm events NAME: QEMU's QMP events, one JSON line each */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "state.h"
#include "util.h"
#include "vm.h"

int events_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm events NAME\n"
		"Print the QMP events of the VM NAME as they come, one line of JSON each\n"
		"(as QEMU sends them: \"event\", \"data\", \"timestamp\"), until the VM ends;\n"
		"then exit 0. Events from before it was run are not shown.\n");
	cleanup_fd int sock = -1;
	char dir[PATH_MAX], buf[4096];
	ssize_t n;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if (argc > 2)
		return command_no_operands("events", argv[2]);
	if ((ret = vm_find(name, dir)))
		return ret;
	ret = state_connect(dir, "control.sock", &sock);
	if (ret) {
		fprintf(stderr, "tapvm: cannot reach the VM's supervisor in %s: %s\n", dir,
			strerror(-ret));
		return EXIT_NOTRUNNING;
	}
	if (dprintf(sock, "events\n") < 0)
		return EXIT_OSERR;
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((n = read(sock, buf, sizeof(buf))) > 0) {
		if (!strncmp(buf, "error: ", 7)) {
			fprintf(stderr, "tapvm: %.*s", (int)n - 7, buf + 7);
			return EXIT_OSERR;
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return EXIT_OSERR;
	}
	return 0;
}
