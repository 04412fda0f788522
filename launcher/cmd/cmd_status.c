// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_status.c - tapvm status NAME: a named VM's state, pid, uptime, taps, memory */

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"
#include "vm.h"

static void status_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm status [--json] NAME\n"
"Show the VM's state, pids, uptime, taps, memory, boots and sockets, as\n"
"key=value lines (with --json, one JSON object). Exit status 0 while it runs.\n"
"A VM that ran and ended shows state=ended and its exit_status, and the\n"
"command exits %d, as for a VM that never ran.\n"
"\n"
"      --json            one JSON object\n"
"  -h, --help            show this help\n", EXIT_NOTRUNNING);
}

/* A VM not running, in its state directory @dir: how it ended, if it ran. */
static int status_ended(const char *name, const char *dir, bool json)
{
	char line[512], key[600], found[PATH_MAX];
	int st = vm_end(dir, name, line, sizeof(line));

	if (st < 0)
		return vm_find(name, found);	/* says why, cleans stale state */
	line[strcspn(line, "\n")] = '\0';
	snprintf(key, sizeof(key), "name=%s\nstate=ended\nexit_status=%d\nended=%s\n", name, st,
		 line);
	vm_print_status(key, json);
	fprintf(stderr, "tapvm: VM %s is not running: it ended with exit status %d\n", name, st);
	return EXIT_NOTRUNNING;
}

int status_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	cleanup_free char *answer = NULL;
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	bool json = false;
	const char *name;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			status_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'tapvm status --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "tapvm: status needs a VM name\n");
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (optind + 1 < argc)
		return command_no_operands("status", argv[optind + 1]);
	if (!names_label_valid(name)) {
		fprintf(stderr, "tapvm: '%s' is not a VM name\n", name);
		return EXIT_USAGE;
	}
	if (state_dir(name, dir, sizeof(dir), false, err, sizeof(err)))
		return vm_find(name, dir);	/* says why */
	if (!state_running(dir))
		return status_ended(name, dir, json);
	if ((ret = vm_request(dir, "status", NULL, &answer)))
		return ret;
	vm_print_status(answer, json);
	return 0;
}
