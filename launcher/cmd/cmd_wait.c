// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_wait.c - tapvm wait NAME [--timeout SECS]: wait for a detached VM to end
 *
 * The VM's supervisor holds the state directory's lock while it runs and
 * writes how the VM ended to tapvm.log before it lets go; so waiting is
 * waiting for the lock, and the status is the log's.
 */

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "vm.h"

static void wait_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm wait NAME [--timeout SECS]\n"
"Wait for the VM NAME (tapvm start) to end, say how it ended, and exit with\n"
"its exit status: the status tapvm run would have exited with (see tapvm help).\n"
"A VM that has ended already is not waited for: its last status is given.\n"
"\n"
"      --timeout SECS    give up after SECS: exit %d, the VM runs on\n"
"  -h, --help            show this help\n", EXIT_TIMEOUT);
}

int wait_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	unsigned long timeout = 0;
	struct timespec t0, t;
	const char *name;
	char *end;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = strtoul(optarg, &end, 10);
			if (!*optarg || *end || optarg[0] == '-' || !timeout || timeout > 86400UL * 365) {
				fprintf(stderr, "tapvm: --timeout takes a number of seconds above 0, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			wait_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'tapvm wait --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "tapvm: wait needs a VM name\n");
		return EXIT_USAGE;
	}
	name = argv[optind];
	if (optind + 1 < argc)
		return command_no_operands("wait", argv[optind + 1]);
	if (!names_label_valid(name)) {
		fprintf(stderr, "tapvm: '%s' is not a VM name\n", name);
		return EXIT_USAGE;
	}
	if (state_dir(name, dir, sizeof(dir), false, err, sizeof(err))) {
		fprintf(stderr, "tapvm: no VM named %s has run\n", name);
		return EXIT_NOTRUNNING;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (state_running(dir)) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (timeout && (unsigned long)(t.tv_sec - t0.tv_sec) >= timeout) {
			fprintf(stderr, "tapvm: VM %s still runs after %lu s\n", name, timeout);
			return EXIT_TIMEOUT;
		}
		usleep(100000);
	}
	status = vm_print_end(dir, name);
	if (status < 0) {
		fprintf(stderr, "tapvm: VM %s is not running, and its log does not say how it ended\n",
			name);
		return EXIT_NOTRUNNING;
	}
	return status;
}
