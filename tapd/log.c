// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - tapd's log lines, on stderr, in a form journald understands
 *
 * Under systemd, stderr goes to journald, which reads a "<N>" prefix as the
 * line's priority (sd-daemon(3)). On a terminal the prefix is left out.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static bool log_prefix;

void log_init(void)
{
	log_prefix = getenv("JOURNAL_STREAM") || !isatty(STDERR_FILENO);
}

/**
 * log_msg() - write one log line
 * @prio:	LOG_ERR, LOG_WARNING or LOG_INFO
 * @fmt:	the line, without a newline; key=value pairs for facts
 */
void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_prefix)
		fprintf(stderr, "<%d>tapd: %s\n", prio, line);
	else
		fprintf(stderr, "tapd: %s\n", line);
}

/**
 * log_burst_ok() - may one more refusal be logged now?
 *
 * A client refused in a loop (over its quota, say) can ask thousands of
 * times a second. Logging each would flood the journal, which then
 * rate-limits all of tapd's lines, hiding the ones that matter. So at most
 * LOG_BURST refusals a second are logged, and how many were not is said when
 * the next one comes.
 *
 * Return: true to log it.
 */
bool log_burst_ok(void)
{
	static unsigned int n, dropped;
	static time_t second;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec != second) {
		if (dropped)
			log_msg(LOG_NOTICE, "%u refusals not logged (more than %d a second)",
				dropped, LOG_BURST);
		second = ts.tv_sec;
		n = dropped = 0;
	}
	if (n < LOG_BURST) {
		n++;
		return true;
	}
	dropped++;
	return false;
}
