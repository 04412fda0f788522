// SPDX-License-Identifier: GPL-2.0-or-later
/* test_qmp.c - the QMP client: against the real QEMU, and at its bounds
 *
 * The handshake, commands, replies matched to ids and events are tested
 * against qemu-system-x86_64 itself; what QEMU never sends (a message over
 * the bound, more events than the queue holds, replies out of order) comes
 * from the test's end of a socketpair.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "qmp.h"

/* The greeting, then command mode: what the supervisor does in its loop. */
static int test_handshake(struct qmp *q, int timeout_ms)
{
	struct pollfd p = { .fd = q->fd, .events = POLLIN };

	while (!q->greeting) {
		int ret;

		if (poll(&p, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		ret = qmp_read(q, NULL, 0);
		if (ret)
			return ret;
	}
	return qmp_execute(q, "qmp_capabilities", NULL, NULL, timeout_ms);
}

static void test_real_qemu(void **state)
{
	struct json_object *ret = NULL, *ev;
	struct qmp q;
	int sv[2], status, ret_quit;
	char fdarg[64];
	pid_t pid;

	if (access("/usr/bin/qemu-system-x86_64", X_OK)) {
		print_message("SKIP: qemu-system-x86_64 is not installed\n");
		skip();
	}
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	if (pid == 0) {
		int fd = dup(sv[1]);	/* without close-on-exec */

		snprintf(fdarg, sizeof(fdarg), "socket,id=qmp,fd=%d", fd);
		execl("/usr/bin/qemu-system-x86_64", "qemu-system-x86_64", "-accel", "tcg",
		      "-nodefaults", "-display", "none", "-machine", "none", "-chardev", fdarg,
		      "-mon", "chardev=qmp,mode=control", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	assert_int_equal(qmp_init(&q, sv[0]), 0);
	assert_int_equal(test_handshake(&q, 20000), 0);
	assert_non_null(q.greeting);
	assert_int_equal(qmp_execute(&q, "query-status", NULL, &ret, 10000), 0);
	assert_non_null(strstr(json_object_to_json_string(ret), "\"running\""));
	json_object_put(ret);
	assert_int_equal(qmp_execute(&q, "no-such-command", NULL, NULL, 10000), -EIO);
	assert_non_null(strstr(q.err, "no-such-command"));
	/*
	 * QEMU writes a monitor's output from its I/O thread and may exit
	 * before that thread wrote quit's reply (seen once in a CI run under
	 * the sanitizers): then the end of the connection is the answer.
	 */
	ret_quit = qmp_execute(&q, "quit", NULL, NULL, 10000);
	assert_true(ret_quit == 0 || ret_quit == -EPIPE);
	/* The SHUTDOWN event came before quit's reply, and was queued. */
	ev = qmp_event_pop(&q);
	if (!ret_quit)
		assert_non_null(ev);
	if (ev)
		assert_non_null(strstr(json_object_to_json_string(ev), "SHUTDOWN"));
	json_object_put(ev);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(qmp_read(&q, NULL, 0), -EPIPE);
	qmp_free(&q);
	close(sv[0]);
}

static void peer_write(int fd, const char *s)
{
	size_t len = strlen(s);

	assert_int_equal(write(fd, s, len), (ssize_t)len);
}

static void test_replies_events_bounds(void **state)
{
	struct json_object *reply = NULL, *ev;
	struct qmp q;
	int sv[2];
	char *big;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(qmp_init(&q, sv[0]), 0);

	/* A reply for another id is not taken for ours; events are queued. */
	peer_write(sv[1], "{\"QMP\": {}}\r\n{\"return\": 1, \"id\": 7}\n"
			  "{\"event\": \"A\"}\n{\"return\": 2, \"id\": 8}\n");
	assert_int_equal(qmp_read(&q, &reply, 8), 0);
	assert_non_null(q.greeting);
	assert_non_null(reply);
	assert_int_equal(json_object_get_int(json_object_object_get(reply, "return")), 2);
	json_object_put(reply);
	ev = qmp_event_pop(&q);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "A");
	json_object_put(ev);
	assert_null(qmp_event_pop(&q));

	/* More events than the queue holds: the oldest go. */
	for (int i = 0; i < QMP_EVENTS_MAX + 10; i++) {
		char line[64];

		snprintf(line, sizeof(line), "{\"event\": \"E%d\"}\n", i);
		peer_write(sv[1], line);
		if (i % 50 == 0)
			assert_int_equal(qmp_read(&q, NULL, 0), 0);
	}
	assert_int_equal(qmp_read(&q, NULL, 0), 0);
	assert_int_equal(q.nevents, QMP_EVENTS_MAX);
	ev = qmp_event_pop(&q);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "E10");
	json_object_put(ev);

	/* Not JSON: an error, not a crash. */
	peer_write(sv[1], "this is not json\n");
	assert_int_equal(qmp_read(&q, NULL, 0), -EBADMSG);

	/*
	 * A message over the bound is dropped by itself: the connection goes
	 * on, and the command whose answer it was is told so.
	 */
	big = malloc(QMP_MSG_MAX + 4096);
	memset(big, ' ', QMP_MSG_MAX + 4096);
	{
		size_t off = 0;
		int ret = 0;

		fcntl(sv[1], F_SETFL, 0);
		while (off < QMP_MSG_MAX + 4096 && ret == 0) {
			ssize_t n = send(sv[1], big + off, QMP_MSG_MAX + 4096 - off, MSG_DONTWAIT);

			if (n > 0)
				off += (size_t)n;
			ret = qmp_read(&q, NULL, 0);
		}
		assert_int_equal(ret, 0);
		assert_int_equal(q.dropped, 1);
		peer_write(sv[1], "\n{\"event\": \"AFTER\"}\n");
		assert_int_equal(qmp_read(&q, NULL, 0), 0);
		assert_int_equal(q.dropped, 1);
		while ((ev = qmp_event_pop(&q)))
			if (!strcmp(json_object_get_string(json_object_object_get(ev, "event")), "AFTER"))
				break;
			else
				json_object_put(ev);
		assert_non_null(ev);
		json_object_put(ev);
		assert_true(q.cap <= QMP_BUF_MIN);
	}
	free(big);
	qmp_free(&q);
	close(sv[0]);
	close(sv[1]);
}

/*
 * QEMU answers quit and closes at once: the reply and the end of the stream
 * can come in one read. The reply is the answer, and it is not leaked; the
 * end is said by the next read. Made certain here by writing the reply and
 * shutting the peer's side before the command is even sent.
 */
static void test_reply_then_close_in_one_read(void **state)
{
	struct json_object *ret = NULL;
	struct qmp q;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(qmp_init(&q, sv[0]), 0);
	peer_write(sv[1], "{\"QMP\": {}}\n");
	assert_int_equal(qmp_read(&q, NULL, 0), 0);
	assert_non_null(q.greeting);
	/* quit's reply (the first id), an event and the end, all at once. */
	peer_write(sv[1], "{\"event\": \"SHUTDOWN\"}\n{\"return\": {\"x\": 1}, \"id\": 1}\n");
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_int_equal(qmp_execute(&q, "quit", NULL, &ret, 1000), 0);
	assert_non_null(ret);
	assert_int_equal(json_object_get_int(json_object_object_get(ret, "x")), 1);
	json_object_put(ret);
	ret = qmp_event_pop(&q);
	assert_non_null(ret);
	json_object_put(ret);
	/* A command after the end is told so, with no wait. */
	assert_int_equal(qmp_execute(&q, "query-status", NULL, NULL, 1000), -EPIPE);
	assert_int_equal(qmp_read(&q, NULL, 0), -EPIPE);
	qmp_free(&q);
	close(sv[0]);
	close(sv[1]);
}

/*
 * An answer over QMP_MSG_MAX (a huge HMP dump) fails its own command with
 * -EMSGSIZE; the next command on the same connection gets its answer.
 */
static void test_oversized_answer(void **state)
{
	struct json_object *ret = NULL;
	unsigned int first;
	struct qmp q;
	pid_t child;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(qmp_init(&q, sv[0]), 0);
	first = q.next_id;
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		size_t size = QMP_MSG_MAX + 65536, off = 0;
		char *big = malloc(size), tail[64];

		if (!big)
			_exit(1);
		fcntl(sv[1], F_SETFL, 0);
		memset(big, 'x', size);
		snprintf(big, size, "{\"return\": \"");
		while (off < size) {
			ssize_t n = write(sv[1], big + off, size - off);

			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		snprintf(tail, sizeof(tail), "\", \"id\": %u}\n", first);
		if (write(sv[1], tail, strlen(tail)) != (ssize_t)strlen(tail))
			_exit(1);
		/* As QEMU: the next answer only after its command. */
		for (int lines = 0; lines < 2;) {
			char c;

			if (read(sv[1], &c, 1) != 1)
				_exit(1);
			lines += c == '\n';
		}
		snprintf(tail, sizeof(tail), "{\"return\": 5, \"id\": %u}\n", first + 1);
		_exit(write(sv[1], tail, strlen(tail)) == (ssize_t)strlen(tail) ? 0 : 1);
	}
	assert_int_equal(qmp_execute(&q, "human-monitor-command", NULL, &ret, 20000), -EMSGSIZE);
	assert_non_null(strstr(q.err, "was dropped"));
	assert_int_equal(qmp_execute(&q, "query-status", NULL, &ret, 20000), 0);
	assert_int_equal(json_object_get_int(ret), 5);
	json_object_put(ret);
	assert_true(q.cap <= QMP_BUF_MIN);
	{
		int status;

		assert_int_equal(waitpid(child, &status, 0), child);
		assert_int_equal(status, 0);
	}
	qmp_free(&q);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_qemu),
		cmocka_unit_test(test_replies_events_bounds),
		cmocka_unit_test(test_reply_then_close_in_one_read),
		cmocka_unit_test(test_oversized_answer),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
