// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_restart.c - tapvm restart NAME: stop (gracefully), then start again
 *
 * As systemctl restart: the VM is shut down as tapvm shutdown does, then
 * started with the arguments tapvm start was given (the state directory's
 * "args"), by running tapvm start itself. A VM that is not running is
 * started.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"
#include "vm.h"

#define RESTART_ARGS_MAX	(256 * 1024)

/* The saved arguments, as argv for tapvm start NAME ...; NULL on failure. */
static char **restart_argv(const char *dir, const char *name, char **buf)
{
	char path[PATH_MAX + 16], **argv;
	ssize_t len = 0, n;
	size_t count = 0, i = 0;
	int fd;

	*buf = malloc(RESTART_ARGS_MAX + 1);
	if (!*buf)
		return NULL;
	snprintf(path, sizeof(path), "%s/args", dir);
	fd = dir[0] ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	while (fd >= 0 && len < RESTART_ARGS_MAX &&
	       (n = read(fd, *buf + len, (size_t)(RESTART_ARGS_MAX - len))) > 0)
		len += n;
	if (fd >= 0)
		close(fd);
	if (len && (*buf)[len - 1] != '\0')
		len = 0;	/* cut short: start as the definition says */
	for (ssize_t k = 0; k < len; k++)
		count += !(*buf)[k];
	argv = calloc(count + 4, sizeof(char *));
	if (!argv)
		return NULL;
	argv[i++] = "tapvm";
	argv[i++] = "start";
	argv[i++] = (char *)name;
	for (ssize_t k = 0; k < len; k += (ssize_t)strlen(*buf + k) + 1)
		argv[i++] = *buf + k;
	return argv;
}

int restart_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm restart NAME\nShut the VM NAME down as tapvm shutdown does, then start it again with the\n"
		"arguments tapvm start was given (the environment and NAME.conf are read\n"
		"again). A VM that is not running is started. Exits as tapvm start.\n"
		"For a reset of the running VM see tapvm reset; for the guest's own\n"
		"reboot, tapvm reboot.\n");
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	cleanup_free char *answer = NULL;
	char **args, *buf = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if (argc > 2)
		return command_no_operands("restart", argv[2]);
	if (!names_label_valid(name)) {
		fprintf(stderr, "tapvm: '%s' is not a VM name\n", name);
		return EXIT_USAGE;
	}
	if (state_dir(name, dir, sizeof(dir), false, err, sizeof(err)))
		dir[0] = '\0';	/* never ran: start it */
	args = restart_argv(dir, name, &buf);
	ret = !args ? EXIT_OSERR :
	      dir[0] && state_running(dir) ? vm_request(dir, "shutdown", NULL, &answer) : -1;
	if (!ret && !vm_wait_gone(dir, 24 * 3600)) {
		fprintf(stderr, "tapvm: VM %s did not end\n", name);
		ret = EXIT_KILLED;
	}
	if (!ret)
		vm_print_end(dir, name);
	if (ret <= 0) {
		fflush(stderr);
		execv("/proc/self/exe", args);
		fprintf(stderr, "tapvm: cannot run tapvm start again: %s\n", strerror(errno));
		ret = EXIT_OSERR;
	}
	free(args);
	free(buf);
	return ret;
}
