// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - tapvm: run QEMU VMs on host bridges without sudo
 *
 * Subcommands are dispatched from one table; each lives in its own file.
 * tapvm holds no privilege: taps come from tapd over its socket.
 */

#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "exitcode.h"
#include "proto.h"

static int help_main(int argc, char **argv);

/**
 * command_no_operands() - the usage error of a command given an operand
 * @name:	the command
 * @extra:	the first operand it was given
 *
 * Return: EXIT_USAGE.
 */
int command_no_operands(const char *name, const char *extra)
{
	fprintf(stderr, "tapvm: %s takes no argument ('%s'); see tapvm %s --help\n", name, extra,
		name);
	return EXIT_USAGE;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", run_main, "start a VM with NICs on host bridges, wait for it" },
	{ "start", start_main, "start a named VM detached" },
	{ "stop", stop_main, "stop a named VM at once" },
	{ "define", define_main, "write a named VM's file from run options" },
	{ "undefine", undefine_main, "remove a named VM's file" },
	{ "rm", rm_main, "remove a stopped named VM's state" },
	{ "shutdown", shutdown_main, "shut a named VM down gracefully" },
	{ "reboot", reboot_main, "ask a named VM's guest to reboot" },
	{ "reset", reset_main, "reset a named VM at once (its reset button)" },
	{ "restart", restart_main, "shut a named VM down, then start it again" },
	{ "wait", wait_main, "wait for a named VM to end; exit with its status" },
	{ "status", status_main, "show a named VM's state, pid, uptime, taps, memory" },
	{ "console", console_main, "attach to a named VM's serial console" },
	{ "monitor", monitor_main, "run HMP commands in a named VM" },
	{ "qmp", qmp_main, "send QMP commands to a named VM, replies as JSON" },
	{ "events", events_main, "print a named VM's QMP events as JSON lines" },
	{ "vnc", vnc_main, "show (and open) a named VM's display" },
	{ "img", img_main, "make a named VM's drives: new, snapshot, clone" },
	{ "list", list_main, "list named VMs, the bridges tapd grants you, your taps" },
	{ "taps", taps_main, "list the taps tapd made for you" },
	{ "doctor", doctor_main, "check what a first run needs, say what to do" },
	{ "help", help_main, "show this help" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: tapvm COMMAND [OPTION]... (tapvm COMMAND --help for more)\n"
		   "Run QEMU VMs on host bridges without sudo: taps come from tapd.\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f,
"\n"
"Exit status: QEMU's when QEMU ended by itself (128+N if signal N ended\n"
"it), or the guest's with --guest-status; else tapvm's own:\n"
"    1  qmp, monitor: QEMU answered that a command failed\n"
"  %3d  bad usage\n"
"  %3d  a disk image does not exist\n"
"  %3d  the bridge does not exist or is not a bridge\n"
"  %3d  tapd is not reachable\n"
"  %3d  a system call failed, or tapd could not make a tap\n"
"  %3d  tapd answered something unexpected\n"
"  %3d  the tapd policy refused the request\n"
"  %3d  QEMU failed to start (it exited before it answered QMP)\n"
"  %3d  --timeout reached\n"
"  %3d  --watchdog: the console was silent too long\n"
"  %3d  the guest did not power off: QEMU was told to quit\n"
"  %3d  QEMU did not quit: it was killed\n"
"  %3d  --guest-status: the guest wrote no status\n"
"  %3d  tapvm start: a VM of that name is running already\n"
"  %3d  no VM of that name is running\n"
"  %3d  undefine, rm: there is nothing of that name to remove\n"
"  %3d  QEMU cannot be executed\n"
"  %3d  QEMU was not found\n",
		EXIT_USAGE, EXIT_NOINPUT, EXIT_NOBRIDGE, EXIT_NOTAPD, EXIT_OSERR,
		EXIT_PROTOCOL, EXIT_REFUSED, EXIT_LAUNCH, EXIT_TIMEOUT, EXIT_WATCHDOG,
		EXIT_FORCED, EXIT_KILLED, EXIT_NOSTATUS, EXIT_RUNNING, EXIT_NOTRUNNING, EXIT_NOSUCHVM,
		EXIT_NOEXEC, EXIT_NOQEMU);
}

static int help_main(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	/* Installed as xkvm (a symlink), tapvm is tapvm run. */
	if (!strcmp(prog, "xkvm"))
		return run_main(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help_main(argc, argv);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("tapvm %s (tapd protocol %d)\n", TAPVM_VERSION, PROTO_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "tapvm: unknown command '%s'; try 'tapvm --help'\n", argv[1]);
	return EXIT_USAGE;
}
