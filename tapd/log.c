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
