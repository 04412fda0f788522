// SPDX-License-Identifier: GPL-2.0-or-later
/* qmp.c - a QMP client: greeting, capabilities, commands, events
 *
 * QMP is one JSON object per line. Replies carry the id of their command;
 * events arrive at any time and are queued (at most QMP_EVENTS_MAX, the
 * oldest dropped first). The buffer grows for a large message (an HMP
 * answer such as "info mem" can be megabytes) up to QMP_MSG_MAX; a message
 * longer than that is skipped to its newline and dropped by itself, and the
 * command waiting for it is told so: the connection goes on.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "qmp.h"

/**
 * qmp_init() - start a connection on a socket
 * @q:		the connection
 * @fd:		the socket; the caller keeps it open, and closes it
 *
 * Return: 0 or -ENOMEM.
 */
int qmp_init(struct qmp *q, int fd)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->next_id = 1;
	q->cap = QMP_BUF_MIN;
	q->buf = malloc(q->cap);
	return q->buf ? 0 : -ENOMEM;
}

void qmp_free(struct qmp *q)
{
	free(q->buf);
	q->buf = NULL;
	while (q->nevents)
		json_object_put(q->events[--q->nevents]);
	json_object_put(q->greeting);
	q->greeting = NULL;
}

static void qmp_queue_event(struct qmp *q, struct json_object *ev)
{
	if (q->nevents == QMP_EVENTS_MAX) {
		json_object_put(q->events[0]);
		memmove(q->events, q->events + 1, sizeof(q->events[0]) * (QMP_EVENTS_MAX - 1));
		q->nevents--;
	}
	q->events[q->nevents++] = ev;
}

/**
 * qmp_event_pop() - the oldest queued event
 * @q:		the connection
 *
 * Return: the event (the caller puts it), or NULL.
 */
struct json_object *qmp_event_pop(struct qmp *q)
{
	struct json_object *ev;

	if (!q->nevents)
		return NULL;
	ev = q->events[0];
	memmove(q->events, q->events + 1, sizeof(q->events[0]) * --q->nevents);
	return ev;
}

/* Sort one message: the greeting, an event, or a reply. */
static void qmp_dispatch(struct qmp *q, struct json_object *msg,
			 struct json_object **reply, unsigned int want_id)
{
	struct json_object *v;

	if (json_object_object_get_ex(msg, "QMP", NULL) && !q->greeting) {
		q->greeting = msg;
	} else if (json_object_object_get_ex(msg, "event", NULL)) {
		qmp_queue_event(q, msg);
	} else if (reply && !*reply && json_object_object_get_ex(msg, "id", &v) &&
		   (unsigned int)json_object_get_int64(v) == want_id) {
		*reply = msg;
	} else {
		json_object_put(msg);	/* a reply nobody waits for */
	}
}

/*
 * Room to read into: the buffer doubles while a message is incomplete, up
 * to QMP_MSG_MAX + 1 (its newline); past that the message is dropped.
 * Return: 0, or -ENOMEM.
 */
static int qmp_room(struct qmp *q)
{
	size_t cap;
	char *b;

	if (q->len < q->cap)
		return 0;
	if (q->skipping) {	/* still in the dropped message */
		q->len = 0;
		return 0;
	}
	if (q->cap > QMP_MSG_MAX) {
		/* Too long: drop what we have and the rest up to its newline. */
		q->skipping = 1;
		q->len = 0;
		q->dropped++;
		snprintf(q->err, sizeof(q->err),
			 "QEMU's answer was over %d MiB and was dropped (the VM is fine)",
			 QMP_MSG_MAX >> 20);
		return 0;
	}
	cap = q->cap * 2 > QMP_MSG_MAX + 1 ? QMP_MSG_MAX + 1 : q->cap * 2;
	b = realloc(q->buf, cap);
	if (!b)
		return -ENOMEM;
	q->buf = b;
	q->cap = cap;
	return 0;
}

/* After a large message: back to the small buffer. */
static void qmp_shrink(struct qmp *q)
{
	char *b;

	if (q->cap <= QMP_BUF_MIN || q->len > QMP_BUF_MIN / 2)
		return;
	b = realloc(q->buf, QMP_BUF_MIN);
	if (b) {
		q->buf = b;
		q->cap = QMP_BUF_MIN;
	}
}

/**
 * qmp_read() - read what has arrived and sort it
 * @q:		the connection
 * @reply:	where the reply with @want_id goes, or NULL
 * @want_id:	id of the reply wanted
 *
 * Never blocks. Events are queued; the greeting is kept. A message over
 * QMP_MSG_MAX is dropped (@q->dropped counts them), not an error.
 *
 * Return: 0, or -EPIPE once QEMU has closed, -EBADMSG for a message that
 * is not a JSON object, -ENOMEM.
 */
int qmp_read(struct qmp *q, struct json_object **reply, unsigned int want_id)
{
	for (;;) {
		char *nl;
		ssize_t n;

		while ((nl = memchr(q->buf, '\n', q->len))) {
			size_t l = (size_t)(nl - q->buf) + 1;
			struct json_object *msg = NULL;

			*nl = '\0';
			if (!q->skipping)
				msg = json_tokener_parse(q->buf);
			memmove(q->buf, q->buf + l, q->len - l);
			q->len -= l;
			if (q->skipping) {	/* the end of a dropped message */
				q->skipping = 0;
				continue;
			}
			if (!msg || !json_object_is_type(msg, json_type_object)) {
				json_object_put(msg);
				snprintf(q->err, sizeof(q->err), "QEMU sent a QMP message that is not JSON");
				return -EBADMSG;
			}
			qmp_dispatch(q, msg, reply, want_id);
		}
		qmp_shrink(q);
		if (q->eof)
			return -EPIPE;
		if (qmp_room(q))
			return -ENOMEM;
		n = recv(q->fd, q->buf + q->len, q->cap - q->len, MSG_DONTWAIT);
		if (n < 0 && errno != ECONNRESET)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n <= 0) {	/* closed, or reset with our last words unread */
			q->eof = 1;
			continue;	/* parse what is left, then say EOF */
		}
		q->len += (size_t)n;
	}
}

/* Send one message and its newline. */
static int qmp_send_msg(struct qmp *q, struct json_object *msg)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(s), off = 0;
	int ret = 0;

	while (off < len && !ret) {
		struct pollfd p = { .fd = q->fd, .events = POLLOUT };
		ssize_t n = send(q->fd, s + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && (errno == EAGAIN || errno == EINTR))
			poll(&p, 1, 1000);
		else
			ret = n < 0 ? -errno : -EPIPE;
	}
	if (!ret && send(q->fd, "\n", 1, MSG_NOSIGNAL) != 1)
		ret = -errno;
	return ret;
}

/**
 * qmp_send() - send a command
 * @q:		the connection
 * @cmd:	the command
 * @args:	its arguments (taken: put by this call), or NULL
 * @id:		set to the command's id
 *
 * Return: 0 or -errno.
 */
int qmp_send(struct qmp *q, const char *cmd, struct json_object *args,
	     unsigned int *id)
{
	struct json_object *msg = json_object_new_object();
	int ret;

	*id = q->next_id++;
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	json_object_object_add(msg, "id", json_object_new_int64(*id));
	ret = qmp_send_msg(q, msg);
	json_object_put(msg);
	return ret;
}

static long qmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read until @done says so, or the time is up. */
static int qmp_wait(struct qmp *q, struct json_object **reply, unsigned int id,
		    int timeout_ms)
{
	long end = qmp_now_ms() + timeout_ms;
	unsigned int dropped = q->dropped;

	for (;;) {
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		long left;
		int ret = qmp_read(q, reply, id);

		/* What we wait for may come in the same read as QEMU's close
		 * (quit's reply): it is the answer, and the next read says EOF. */
		if (reply ? *reply != NULL : q->greeting != NULL)
			return 0;
		if (ret)
			return ret;
		/* QEMU answers in order: a message dropped now was the answer. */
		if (reply && q->dropped != dropped)
			return -EMSGSIZE;
		left = end - qmp_now_ms();
		if (left <= 0) {
			snprintf(q->err, sizeof(q->err), "QEMU did not answer on QMP within %d s",
				 timeout_ms / 1000);
			return -ETIMEDOUT;
		}
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}

/**
 * qmp_execute() - run a command and wait for its reply
 * @q:		the connection
 * @cmd:	the command
 * @args:	its arguments (taken), or NULL
 * @ret:	set to the reply's "return" (the caller puts it), or NULL
 * @timeout_ms:	how long to wait
 *
 * Return: 0, -EIO for an error reply (its description in @q->err), or
 * another -errno.
 */
int qmp_execute(struct qmp *q, const char *cmd, struct json_object *args,
		struct json_object **ret, int timeout_ms)
{
	struct json_object *reply = NULL, *v;
	unsigned int id;
	int r = qmp_send(q, cmd, args, &id);

	if (!r)
		r = qmp_wait(q, &reply, id, timeout_ms);
	if (r)
		return r;
	if (json_object_object_get_ex(reply, "error", &v)) {
		struct json_object *desc;

		snprintf(q->err, sizeof(q->err), "%s: %s", cmd,
			 json_object_object_get_ex(v, "desc", &desc) ?
			 json_object_get_string(desc) : "error");
		json_object_put(reply);
		return -EIO;
	}
	if (ret) {
		*ret = json_object_object_get_ex(reply, "return", &v) ? json_object_get(v) : NULL;
	}
	json_object_put(reply);
	return 0;
}

/**
 * qmp_call() - pass a client's command through and return QEMU's reply
 * @q:		the connection
 * @cmd:	the command object, {"execute": ..., "arguments": ..., "id": ...};
 *		changed here: its "id" is ours while it is on the way
 * @reply:	set to the whole reply (return or error), its "id" the client's
 *		(or none); the caller puts it
 * @timeout_ms:	how long to wait
 *
 * Return: 0, -EINVAL when @cmd is not a command (@q->err says why), or
 * another -errno as qmp_execute().
 */
int qmp_call(struct qmp *q, struct json_object *cmd, struct json_object **reply,
	     int timeout_ms)
{
	struct json_object *exec, *theirs = NULL;
	unsigned int id;
	int r;

	*reply = NULL;
	if (!json_object_is_type(cmd, json_type_object) ||
	    !json_object_object_get_ex(cmd, "execute", &exec) ||
	    !json_object_is_type(exec, json_type_string)) {
		snprintf(q->err, sizeof(q->err),
			 "a QMP command is a JSON object with \"execute\": {\"execute\": \"query-status\"}");
		return -EINVAL;
	}
	if (json_object_object_get_ex(cmd, "id", &theirs))
		json_object_get(theirs);
	id = q->next_id++;
	json_object_object_add(cmd, "id", json_object_new_int64(id));
	r = qmp_send_msg(q, cmd);
	if (!r)
		r = qmp_wait(q, reply, id, timeout_ms);
	if (!r) {
		json_object_object_del(*reply, "id");
		if (theirs)
			json_object_object_add(*reply, "id", json_object_get(theirs));
	}
	json_object_put(theirs);
	return r;
}
