// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_monitor.c - tapvm monitor NAME [COMMAND]: HMP commands in a named VM */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "state.h"
#include "util.h"
#include "vm.h"

int monitor_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm monitor NAME [HMP-COMMAND...]\nRun an HMP command (QMP human-monitor-command) and print its answer;\n"
		"without one, read commands from stdin, one a line.\n");
	char dir[PATH_MAX], req[4096], *line = NULL;
	size_t cap = 0;
	bool tty = isatty(STDIN_FILENO);
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)))
		return ret;
	if (argc > 2) {
		size_t off = (size_t)snprintf(req, sizeof(req), "monitor");

		for (int i = 2; i < argc && off < sizeof(req); i++)
			off += (size_t)snprintf(req + off, sizeof(req) - off, " %s", argv[i]);
		if (off >= sizeof(req) || strchr(req, '\n')) {
			fprintf(stderr, "tapvm: the command is too long or has a newline\n");
			return EXIT_USAGE;
		}
		return vm_request(dir, req, stdout, NULL);
	}
	for (;;) {
		ssize_t n;

		if (tty) {
			printf("(qemu) ");
			fflush(stdout);
		}
		n = getline(&line, &cap, stdin);
		if (n < 0)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		if (!strcmp(line, "quit") || !strcmp(line, "q")) {
			fprintf(stderr, "tapvm: leaving the monitor (to stop the VM: tapvm stop %s)\n", name);
			break;
		}
		snprintf(req, sizeof(req), "monitor %s", line);
		if ((ret = vm_request(dir, req, stdout, NULL)))
			break;
	}
	free(line);
	if (tty)
		printf("\n");
	return ret;
}
