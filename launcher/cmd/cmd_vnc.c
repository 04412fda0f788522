// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_vnc.c - tapvm vnc NAME: show (and open) a named VM's display */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "state.h"
#include "util.h"
#include "vm.h"

int vnc_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm vnc NAME\nSay where the VM's display is (VNC on a Unix socket) and open it with\n"
		"remote-viewer where that is installed and a display is there.\n");
	char dir[PATH_MAX], *answer = NULL, vnc[STATE_SUN_MAX + 8], uri[STATE_SUN_MAX + 32];
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "status", NULL, &answer)))
		return ret;
	vm_field(answer, "vnc", vnc, sizeof(vnc));
	free(answer);
	if (!strcmp(vnc, "-")) {
		fprintf(stderr, "tapvm: VM %s has no VNC display (its QEMU arguments set one)\n", name);
		return EXIT_USAGE;
	}
	snprintf(uri, sizeof(uri), "vnc+unix://%s", vnc);
	printf("VNC display of %s: %s\nOpen it with: remote-viewer %s (package virt-viewer), or any VNC viewer that takes a Unix socket\n",
	       name, vnc, uri);
	if ((getenv("DISPLAY") || getenv("WAYLAND_DISPLAY")) && !system("command -v remote-viewer >/dev/null 2>&1")) {
		fflush(stdout);
		execlp("remote-viewer", "remote-viewer", uri, (char *)NULL);
	}
	return 0;
}
