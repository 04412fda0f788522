// SPDX-License-Identifier: GPL-2.0-or-later
/* vm.c - the commands for named VMs: stop, shutdown, restart, status,
 * console, monitor, vnc; and the VM half of tapvm list
 *
 * Each talks to the VM's supervisor through control.sock in its state
 * directory: one line of request, the answer until the supervisor closes.
 */

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "commands.h"
#include "escape.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"


/* The state directory of a running VM, or a one-line reason why not. */
static int vm_find(const char *name, char dir[PATH_MAX])
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
static int vm_request(const char *dir, const char *req, FILE *out, char **answer)
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
static bool vm_wait_gone(const char *dir, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (!state_running(dir))
			return true;
		usleep(100000);
	}
	return false;
}

/* The last line the supervisor wrote in tapvm.log: how the VM ended. */
static void vm_print_end(const char *dir)
{
	char path[PATH_MAX + 16], line[512], last[512] = "", prev[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/tapvm.log", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "ended:"))
			snprintf(prev, sizeof(prev), "%s", line);
		snprintf(last, sizeof(last), "%s", line);
	}
	fclose(f);
	fputs(prev[0] ? prev : last, stderr);
}

static const char *vm_name_arg(int argc, char **argv, const char *usage)
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

int stop_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm stop NAME\nStop the VM NAME at once (QMP quit, then SIGKILL).\n");
	cleanup_free char *answer = NULL;
	char dir[PATH_MAX];
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "stop", NULL, &answer)))
		return ret;
	if (!vm_wait_gone(dir, 15)) {
		fprintf(stderr, "tapvm: VM %s did not stop within 15 s\n", name);
		return EXIT_KILLED;
	}
	fprintf(stderr, "tapvm: VM %s stopped\n", name);
	return 0;
}

int shutdown_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm shutdown NAME\nAsk the guest to power off (system_powerdown); after the VM's\n"
		"--shutdown-timeout, QEMU is told to quit, then killed. Waits, and says how it ended.\n");
	char dir[PATH_MAX], *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "shutdown", NULL, &answer)))
		return ret;
	free(answer);
	if (!vm_wait_gone(dir, 24 * 3600)) {
		fprintf(stderr, "tapvm: VM %s did not end\n", name);
		return EXIT_KILLED;
	}
	vm_print_end(dir);
	return 0;
}

int restart_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm restart NAME\nReset the VM NAME (QMP system_reset): the guest reboots, its taps stay.\n");
	char dir[PATH_MAX], *answer = NULL;
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, "restart", NULL, &answer)))
		return ret;
	ret = strncmp(answer, "ok", 2) ? EXIT_OSERR : 0;
	fprintf(stderr, "tapvm: %s%s", ret ? "" : "VM restarted: ", answer);
	free(answer);
	return ret;
}

int status_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm status NAME\nShow the VM's state, pids, uptime, taps, memory and sockets.\n");
	char dir[PATH_MAX];
	int ret;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)))
		return ret;
	return vm_request(dir, "status", stdout, NULL);
}

/* "key=value" lines: the value of key, in @buf. */
static const char *vm_field(const char *text, const char *key, char *buf, size_t size)
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

int console_main(int argc, char **argv)
{
	const char *name = vm_name_arg(argc, argv,
		"Usage: tapvm console NAME\nAttach to the VM's serial console: what it said lately, then live.\n"
		"On a terminal, Ctrl-] then d detaches (the VM runs on), q shuts the guest\n"
		"down, k stops QEMU, Ctrl-] sends Ctrl-].\n");
	struct termios saved, raw;
	cleanup_fd int sock = -1;
	struct escape escape = { false };
	bool is_raw = false, in_open = true;
	char dir[PATH_MAX];
	int ret = 0;

	if (!name)
		return argc == 2 ? 0 : EXIT_USAGE;
	if ((ret = vm_find(name, dir)))
		return ret;
	if ((ret = state_connect(dir, "console.sock", &sock))) {
		fprintf(stderr, "tapvm: cannot attach to the console of %s: %s\n", name, strerror(-ret));
		return EXIT_NOTRUNNING;
	}
	if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved)) {
		raw = saved;
		cfmakeraw(&raw);
		is_raw = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(stderr, "tapvm: attached to %s; Ctrl-] d detaches\r\n", name);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN } };
		char buf[4096], out[4096];
		size_t k = 0;
		ssize_t n;

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[0].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0) {
				fprintf(stderr, is_raw ? "\r\ntapvm: VM %s ended\r\n" : "tapvm: VM %s ended\n", name);
				break;
			}
			if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
				break;
		}
		if (!p[1].revents)
			continue;
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n <= 0) {
			in_open = false;
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)buf[i];
			int cmd = is_raw ? escape_feed(&escape, c) : ESCAPE_PASS;
			const char *req = NULL;

			if (cmd == ESCAPE_BEGIN) {
				fprintf(stderr, "\r\ntapvm: d: detach, q: shut the guest down, k: stop QEMU, Ctrl-]: send Ctrl-]\r\n");
				continue;
			}
			if (cmd == ESCAPE_PASS) {
				out[k++] = (char)c;
				continue;
			}
			c = (unsigned char)cmd;
			if (c == 'd' || c == '.') {
				fprintf(stderr, "\r\ntapvm: detached from %s; it runs on\r\n", name);
				goto done;
			}
			req = c == 'q' ? "shutdown" : c == 'k' ? "stop" : NULL;
			if (req) {
				char *answer = NULL;

				if (!vm_request(dir, req, NULL, &answer))
					fprintf(stderr, "\r\ntapvm: %s\r", answer);
				free(answer);
			}
		}
		if (k && send(sock, out, k, MSG_NOSIGNAL) < 0)
			break;
	}
done:
	if (is_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return 0;
}

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
