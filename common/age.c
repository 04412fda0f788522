// SPDX-License-Identifier: GPL-2.0-or-later
/* age.c - how long ago, for people: tapd --list and tapvm taps */

#include <stdio.h>
#include <time.h>

#include "age.h"

/**
 * age_format() - "42s", "5m07s", "3h12m", "2d04h": two units at most
 * @buf:	output
 * @size:	its size
 * @since:	seconds since the epoch; 0 (unknown) or a future time gives "-"
 */
void age_format(char *buf, size_t size, unsigned long long since)
{
	long long s = (long long)time(NULL) - (long long)since;

	if (!since || s < 0)
		snprintf(buf, size, "-");
	else if (s < 60)
		snprintf(buf, size, "%llds", s);
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}
