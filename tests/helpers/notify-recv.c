// SPDX-License-Identifier: GPL-2.0-or-later
/* notify-recv.c - what systemd's end of NOTIFY_SOCKET receives
 *
 *   notify-recv ADDRESS SECONDS
 *
 * Binds a datagram socket at ADDRESS (a path, or "@name" for an abstract
 * one, as NOTIFY_SOCKET spells them), prints "bound", then each datagram
 * it receives on a line of its own until one contains READY=1 (exit 0) or
 * SECONDS pass (exit 1). The tests start tapd with NOTIFY_SOCKET=ADDRESS.
 */

#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len;
	time_t end;
	int s;

	if (argc != 3 || (argv[1][0] != '/' && argv[1][0] != '@') ||
	    (len = strlen(argv[1])) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notify-recv /PATH|@NAME SECONDS\n");
		return 2;
	}
	memcpy(sun.sun_path, argv[1], len);
	if (argv[1][0] == '@')
		sun.sun_path[0] = '\0';
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sun,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		perror("notify-recv");
		return 2;
	}
	printf("bound\n");
	fflush(stdout);
	end = time(NULL) + atoi(argv[2]);
	while (time(NULL) < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&p, 1, 200) <= 0)
			continue;
		n = recv(s, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			continue;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
		if (strstr(buf, "READY=1"))
			return 0;
	}
	return 1;
}
