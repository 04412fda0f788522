// SPDX-License-Identifier: GPL-2.0-or-later
/* fake-qemu.c - stands in for QEMU in tapd-bench exec: writes the moment it
 * started (CLOCK_MONOTONIC, microseconds) to $TAPVM_BENCH_STAMP, and exits */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(void)
{
	const char *path = getenv("TAPVM_BENCH_STAMP");
	struct timespec ts;
	FILE *f;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (!path || !(f = fopen(path, "w")))
		return 1;
	fprintf(f, "%.1f\n", (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3);
	return fclose(f) ? 1 : 0;
}
