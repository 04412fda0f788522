// SPDX-License-Identifier: GPL-2.0-or-later
/* vm.c - a named VM: finding it, asking its supervisor, listing the VMs
 *
 * Each command for a named VM (cmd/cmd_stop.c and the others) talks to the
 * VM's supervisor through control.sock in its state directory: one line of
 * request, the answer until the supervisor closes.
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"
#include "vm.h"

/* The state directory of a running VM, or a one-line reason why not. */
int vm_find(const char *name, char dir[PATH_MAX])
{
	char err[STATE_ERR_MAX];
	pid_t pid;

	if (!names_label_valid(name)) {
		fprintf(stderr, "tapvm: '%s' is not a VM name\n", name);
		return EXIT_USAGE;
	}
	if (state_dir(name, dir, PATH_MAX, false, err, sizeof(err))) {
		fprintf(stderr, "tapvm: %s\n", err);
		return EXIT_NOTRUNNING;
	}
	if (state_running(dir))
		return 0;
	pid = state_pid(dir);
	if (pid) {
		state_clean(dir);
		fprintf(stderr, "tapvm: VM %s is not running: its supervisor (pid %d) is gone; stale state cleaned\n",
			name, (int)pid);
	} else {
		fprintf(stderr, "tapvm: VM %s is not running: tapvm start %s\n", name, name);
	}
	return EXIT_NOTRUNNING;
}

/**
 * vm_request() - send one request to a VM's supervisor
 * @dir:	its state directory
 * @req:	the request, without newline
 * @out:	where the answer goes (NULL: a malloc'd string in @answer)
 * @answer:	set to the answer when @out is NULL
 *
 * Return: 0, or the exit status to leave with.
 */
int vm_request(const char *dir, const char *req, FILE *out, char **answer)
{
	cleanup_fd int sock = -1;
	size_t len = 0, cap = 0;
	char buf[4096], *acc = NULL;
	ssize_t n;
	int ret = state_connect(dir, "control.sock", &sock);

	if (ret) {
		fprintf(stderr, "tapvm: cannot reach the VM's supervisor in %s: %s\n", dir, strerror(-ret));
		return EXIT_NOTRUNNING;
	}
	if (dprintf(sock, "%s\n", req) < 0)
		return EXIT_OSERR;
	while ((n = read(sock, buf, sizeof(buf))) > 0) {
		if (out) {
			fwrite(buf, 1, (size_t)n, out);
			continue;
		}
		if (len + (size_t)n + 1 > cap) {
			char *a = realloc(acc, cap = (len + (size_t)n + 1) * 2);

			if (!a) {
				free(acc);
				return EXIT_OSERR;
			}
			acc = a;
		}
		memcpy(acc + len, buf, (size_t)n);
		len += (size_t)n;
		acc[len] = '\0';
	}
	if (!out)
		*answer = acc ? acc : strdup("");
	return 0;
}

/* Wait for the supervisor to let go of the VM. */
bool vm_wait_gone(const char *dir, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (!state_running(dir))
			return true;
		usleep(100000);
	}
	return false;
}

/*
 * The line of tapvm.log that says how the VM ended, printed; return the
 * exit status its supervisor ended with, or -1 if the log does not say.
 */
int vm_print_end(const char *dir, const char *name)
{
	char path[PATH_MAX + 16], line[512], last[512] = "", prev[512] = "", want[300];
	int status = -1, n;
	size_t wl;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tapvm.log", dir);
	snprintf(want, sizeof(want), VM_ENDED_LINE, name);
	wl = strlen(want);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int st;

		if (strstr(line, "ended:"))
			snprintf(prev, sizeof(prev), "%s", line);
		snprintf(last, sizeof(last), "%s", line);
		n = 0;
		if (!strncmp(line, want, wl) && sscanf(line + wl, "%d%n", &st, &n) == 1 &&
		    (line[wl + (size_t)n] == '\n' || !line[wl + (size_t)n]))
			status = st;
	}
	fclose(f);
	fputs(prev[0] ? prev : last, stderr);
	return status;
}

const char *vm_name_arg(int argc, char **argv, const char *usage)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("%s", usage);
		return NULL;
	}
	if (argc < 2) {
		fprintf(stderr, "tapvm: %s needs a VM name\n", argv[0]);
		return NULL;
	}
	return argv[1];
}

/* "key=value" lines: the value of key, in @buf. */
const char *vm_field(const char *text, const char *key, char *buf, size_t size)
{
	size_t k = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, k) && l[k] == '=') {
			snprintf(buf, size, "%.*s", (int)strcspn(l + k + 1, "\n"), l + k + 1);
			return buf;
		}
	}
	snprintf(buf, size, "-");
	return buf;
}

/**
 * vm_list() - print the named VMs, for tapvm list
 *
 * Return: how many there were.
 */
int vm_list(void)
{
	char base[PATH_MAX], err[STATE_ERR_MAX];
	struct dirent *e;
	int count = 0;
	DIR *d;

	if (state_base(base, sizeof(base), false, err, sizeof(err)) || !(d = opendir(base)))
		return 0;
	while ((e = readdir(d))) {
		char dir[PATH_MAX + 256], *answer = NULL, st[32], pid[16], up[16], taps[256], mem[32];

		if (!names_label_valid(e->d_name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name);
		if (!count++)
			printf("%-20s %-9s %-8s %-8s %-10s %s\n", "VM", "STATE", "PID", "UPTIME",
			       "MEMORY", "TAPS");
		if (!state_running(dir)) {
			printf("%-20s %-9s\n", e->d_name, state_pid(dir) ? "stale" : "stopped");
			continue;
		}
		if (vm_request(dir, "status", NULL, &answer)) {
			printf("%-20s %-9s\n", e->d_name, "?");
			continue;
		}
		vm_field(answer, "memory_kb", mem, sizeof(mem));
		if (strcmp(mem, "-"))
			strncat(mem, " kB", sizeof(mem) - strlen(mem) - 1);
		printf("%-20s %-9s %-8s %-8s %-10s %s\n", e->d_name,
		       vm_field(answer, "state", st, sizeof(st)),
		       vm_field(answer, "pid", pid, sizeof(pid)),
		       vm_field(answer, "uptime", up, sizeof(up)), mem,
		       vm_field(answer, "taps", taps, sizeof(taps)));
		free(answer);
	}
	closedir(d);
	return count;
}
