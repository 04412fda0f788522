// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - tapd's log lines, on stderr, in a form journald understands
 *
 * Under systemd, stderr goes to journald, which reads a "<N>" prefix as the
 * line's priority (sd-daemon(3)). Only there: systemd says so with
 * JOURNAL_STREAM, the device and inode of the stream it gave us, and a
 * terminal or a file gets the lines without the prefix.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

static bool log_prefix;

/* Is stderr the stream journald gave us (JOURNAL_STREAM=DEV:INO)? */
static bool log_to_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	       !fstat(STDERR_FILENO, &st) && st.st_dev == dev && st.st_ino == ino;
}

void log_init(void)
{
	log_prefix = log_to_journal();
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
 * log_escape() - a client's string, safe inside a quoted log value
 * @buf:	output
 * @size:	its size
 * @s:		the string (a bridge name a client sent, say)
 *
 * Names are checked before they are logged, but a valid interface name may
 * still hold '"', '\\' and '=': escaped, they cannot end a quoted value or
 * forge a key=value pair (bridge=a"uid=0 must not read as uid=0).
 *
 * Return: @buf.
 */
const char *log_escape(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		buf[o++] = (unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f ? '?' : *s;
	}
	buf[o] = '\0';
	return buf;
}

/**
 * log_value() - a client's string as one key=value value
 * @buf:	output
 * @size:	its size
 * @s:		the string
 *
 * As it is when it holds nothing but letters, digits and ._-+@#, else in
 * double quotes with log_escape(): a bridge named a"uid=0 is logged as
 * bridge="a\\"uid=0", one value.
 *
 * Return: @buf.
 */
const char *log_value(char *buf, size_t size, const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+@#");

	if (*s && !s[n] && n < size) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	if (size < 3) {
		buf[0] = '\0';
		return buf;
	}
	buf[0] = '"';
	log_escape(buf + 1, size - 2, s);
	strcat(buf, "\"");
	return buf;
}

/**
 * log_burst_at() - may one more refusal be logged in this second?
 * @sec:	the second it happens in (monotonic clock)
 *
 * A client refused in a loop (over its quota, say) can ask thousands of
 * times a second. Logging each would flood the journal, which then
 * rate-limits all of tapd's lines, hiding the ones that matter. So at most
 * LOG_BURST refusals a second are logged, and how many were not is said
 * when the next one comes in a later second. The clock is the caller's so
 * that the rule can be tested without depending on the machine's speed.
 *
 * Return: true to log it.
 */
bool log_burst_at(time_t sec)
{
	static unsigned int n, dropped;
	static time_t second;

	if (sec != second) {
		if (dropped)
			log_msg(LOG_NOTICE, "%u refusals not logged (more than %d a second)",
				dropped, LOG_BURST);
		second = sec;
		n = dropped = 0;
	}
	if (n < LOG_BURST) {
		n++;
		return true;
	}
	dropped++;
	return false;
}

/* log_burst_at() now. */
bool log_burst_ok(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return log_burst_at(ts.tv_sec);
}
