/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - tapd's log lines, on stderr, in a form journald understands */
#ifndef TAPD_LOG_H
#define TAPD_LOG_H

#include <stdbool.h>
#include <syslog.h>
#include <time.h>

#define LOG_BURST	50	/* refusals logged a second, at most */

void log_init(void);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool log_burst_ok(void);
bool log_burst_at(time_t sec);
const char *log_escape(char *buf, size_t size, const char *s);
const char *log_value(char *buf, size_t size, const char *s);

#define LOG_ESCAPED_MAX	(2 * 1024 + 1)	/* log_escape() of a whole log line */

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)

#endif /* TAPD_LOG_H */
