/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qmp.h - a QMP client: greeting, capabilities, commands, events */
#ifndef TAPVM_QMP_H
#define TAPVM_QMP_H

#include <stddef.h>

#include <json-c/json.h>

#define QMP_MSG_MAX	(64 << 20)	/* one message, bytes: larger ones are dropped */
#define QMP_BUF_MIN	(64 << 10)	/* the buffer's size between large messages */
#define QMP_EVENTS_MAX	256		/* queued events; older ones dropped */

/**
 * struct qmp - one QMP connection
 * @fd:		the socket (non-blocking)
 * @buf:	bytes read and not yet parsed
 * @len:	how many
 * @cap:	@buf's size: grows to QMP_MSG_MAX + 1 for a large message
 * @skipping:	the message being read is over QMP_MSG_MAX: dropped to its end
 * @dropped:	how many messages were dropped so
 * @next_id:	id of the next command
 * @events:	queued events, oldest first
 * @nevents:	how many
 * @greeting:	the greeting, once read
 * @eof:	QEMU closed the connection
 * @err:	why the last call failed, for people
 */
struct qmp {
	int fd;
	char *buf;
	size_t len, cap;
	int skipping;
	unsigned int dropped;
	unsigned int next_id;
	struct json_object *events[QMP_EVENTS_MAX];
	size_t nevents;
	struct json_object *greeting;
	int eof;
	char err[256];
};

int qmp_init(struct qmp *q, int fd);
void qmp_free(struct qmp *q);
int qmp_read(struct qmp *q, struct json_object **reply, unsigned int want_id);
int qmp_send(struct qmp *q, const char *cmd, struct json_object *args,
	     unsigned int *id);
int qmp_execute(struct qmp *q, const char *cmd, struct json_object *args,
		struct json_object **ret, int timeout_ms);
int qmp_call(struct qmp *q, struct json_object *cmd, struct json_object **reply,
	     int timeout_ms);
struct json_object *qmp_event_pop(struct qmp *q);

#endif /* TAPVM_QMP_H */
