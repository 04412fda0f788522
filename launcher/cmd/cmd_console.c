// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_console.c - tapvm console NAME: attach to a named VM's serial console */

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
#include "escape.h"
#include "exitcode.h"
#include "state.h"
#include "util.h"
#include "vm.h"

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
