// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_monitor.c - tapvm monitor NAME [COMMAND]: HMP commands in a named VM */

#include <dlfcn.h>
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

/*
 * libedit, for a person typing at a terminal: loaded here, when one does,
 * not linked. Linked, it and the three libraries it pulls in were mapped
 * and relocated at every start of tapvm (some 0.7 ms of each `tapvm run`
 * on a slow host), for one command's interactive use. Its SONAME has been
 * libedit.so.2 on Linux distributions since 2008.
 */
#define MONITOR_LIBEDIT	"libedit.so.2"

struct monitor_edit {
	void *lib;
	char *(*readline)(const char *prompt);
	int (*add_history)(const char *line);
};

/* Return: libedit is there to use; if not, said once, in one line. */
static bool monitor_edit_open(struct monitor_edit *e)
{
	e->lib = dlopen(MONITOR_LIBEDIT, RTLD_NOW | RTLD_LOCAL);
	if (e->lib) {
		*(void **)&e->readline = dlsym(e->lib, "readline");
		*(void **)&e->add_history = dlsym(e->lib, "add_history");
		if (e->readline && e->add_history)
			return true;
		dlclose(e->lib);
		e->lib = NULL;
	}
	fprintf(stderr, "tapvm: no line editing or history (cannot load %s: install libedit2)\n",
		MONITOR_LIBEDIT);
	return false;
}

/*
 * HMP reports a failure as text: "unknown command: ...", or a line
 * starting "Error: " (QEMU's error_report()). Return: it did.
 */
static bool monitor_failed(const char *text)
{
	if (!strncmp(text, "unknown command:", 16))
		return true;
	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, "Error: ", 7))
			return true;
	return false;
}

/*
 * One command; its answer on stdout. Return: 0, 1 when QEMU said it
 * failed, or tapvm's exit status.
 */
static int monitor_one(const char *dir, const char *cmd)
{
	cleanup_free char *req = NULL, *answer = NULL;
	int ret;

	if (asprintf(&req, "monitor %s", cmd) < 0)
		return EXIT_OSERR;
	if ((ret = vm_request(dir, req, NULL, &answer)))
		return ret;
	if (!strncmp(answer, "error: ", 7)) {
		fprintf(stderr, "tapvm: %s", answer + 7);
		return EXIT_OSERR;
	}
	if (strncmp(answer, "ok\n", 3)) {
		fprintf(stderr, "tapvm: the VM's supervisor answered something unexpected\n");
		return EXIT_PROTOCOL;
	}
	fputs(answer + 3, stdout);
	fflush(stdout);
	return monitor_failed(answer + 3) ? 1 : 0;
}

int monitor_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm monitor NAME [HMP-COMMAND...]\nRun an HMP command (QMP human-monitor-command) and print its answer;\n"
		"without one, read commands from stdin, one a line (on a terminal, with a\n"
		"(qemu) prompt, line editing and this session's history: libedit). Exit\n"
		"status 1 when QEMU says a command failed\n"
		"(\"unknown command\", or a line starting \"Error: \").\n");
	char dir[PATH_MAX], req[4096], *line = NULL;
	size_t cap = 0;
	bool tty = isatty(STDIN_FILENO), edit = false;
	struct monitor_edit e = { 0 };
	int ret, worst = 0;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)))
		return ret;
	if (argc > 2) {
		size_t off = 0;

		req[0] = '\0';
		for (int i = 2; i < argc && off < sizeof(req); i++)
			off += (size_t)snprintf(req + off, sizeof(req) - off, "%s%s", i > 2 ? " " : "",
						argv[i]);
		if (off >= sizeof(req) || strchr(req, '\n')) {
			fprintf(stderr, "tapvm: the command is too long or has a newline\n");
			return EXIT_USAGE;
		}
		return monitor_one(dir, req);
	}
	edit = tty && monitor_edit_open(&e);
	for (;;) {
		if (edit) {
			/* On a terminal: libedit's line editing, with this session's history. */
			free(line);
			line = e.readline("(qemu) ");
			if (!line)
				break;
			if (*line)
				e.add_history(line);
		} else {
			if (tty) {
				fputs("(qemu) ", stdout);
				fflush(stdout);
			}
			if (getline(&line, &cap, stdin) < 0)
				break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (!strcmp(line, "quit") || !strcmp(line, "q")) {
			fprintf(stderr, "tapvm: leaving the monitor (to stop the VM: tapvm stop %s)\n", name);
			break;
		}
		if (strlen(line) > sizeof(req) - 16) {
			fprintf(stderr, "tapvm: the command is too long\n");
			worst = worst ? worst : 1;
			continue;
		}
		ret = monitor_one(dir, line);
		if (ret > 1) {
			worst = ret;
			break;
		}
		worst = worst ? worst : ret;
	}
	free(line);
	if (e.lib)
		dlclose(e.lib);
	if (tty)
		printf("\n");
	return worst;
}
