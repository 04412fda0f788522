// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_qmp.c - tapvm qmp NAME [JSON]: raw QMP commands for scripts
 *
 * Through the VM's supervisor, which owns QEMU's only QMP socket: each
 * command goes with an id of the supervisor's, and its reply comes back
 * with the caller's id (or none), as one line of JSON on stdout.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "exitcode.h"
#include "util.h"
#include "vm.h"

#define QMP_CMD_MAX	65000	/* one command, bytes: the supervisor's request bound */

/*
 * One command: its reply printed. Return: 0 for a "return", 1 for an
 * "error", or tapvm's exit status.
 */
static int qmp_cmd_one(const char *dir, const char *json)
{
	cleanup_free char *req = NULL, *answer = NULL;
	struct json_object *reply;
	int ret;

	if (strlen(json) > QMP_CMD_MAX || strchr(json, '\n')) {
		fprintf(stderr, "tapvm: a QMP command is one line of at most %d bytes\n", QMP_CMD_MAX);
		return EXIT_USAGE;
	}
	if (asprintf(&req, "qmp %s", json) < 0)
		return EXIT_OSERR;
	if ((ret = vm_request(dir, req, NULL, &answer)))
		return ret;
	reply = json_tokener_parse(answer);
	if (!reply || !json_object_is_type(reply, json_type_object)) {
		json_object_put(reply);
		fprintf(stderr, "tapvm: the VM's supervisor answered no JSON: %.200s\n", answer);
		return EXIT_PROTOCOL;
	}
	fputs(answer, stdout);
	fflush(stdout);
	ret = json_object_object_get_ex(reply, "error", NULL) ? 1 : 0;
	json_object_put(reply);
	return ret;
}

int qmp_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm qmp NAME [JSON]\n"
		"Send a QMP command to the VM NAME and print QEMU's reply as one line of JSON:\n"
		"  tapvm qmp web '{\"execute\": \"query-status\"}'\n"
		"Without JSON, read commands from stdin, one a line, and print each reply.\n"
		"An \"id\" of yours comes back in its reply. Exit status: 0 when every reply\n"
		"was a \"return\", 1 when one was an \"error\" (QEMU's, or the supervisor's:\n"
		"not JSON, no \"execute\"), else as tapvm's table.\n");
	char dir[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int ret, worst = 0;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if (argc > 3)
		return command_no_operands("qmp", argv[3]);
	if ((ret = vm_find(name, dir)))
		return ret;
	if (argc == 3)
		return qmp_cmd_one(dir, argv[2]);
	while (getline(&line, &cap, stdin) >= 0) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		ret = qmp_cmd_one(dir, line);
		if (ret > 1) {
			worst = ret;
			break;
		}
		worst = worst ? worst : ret;
	}
	free(line);
	return worst;
}
