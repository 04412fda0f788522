/* SPDX-License-Identifier: GPL-2.0-or-later */
/* release.h - closing what clients sent, off the path that serves others */
#ifndef TAPD_RELEASE_H
#define TAPD_RELEASE_H

#include <stdbool.h>
#include <sys/types.h>

#define RELEASE_PER_UID	1024	/* fds of one uid waiting to be closed */

int release_init(int listen_fd, bool *kernel_refuses);
void release_fd(int fd, uid_t uid);
bool release_busy(uid_t uid);
bool release_clean(int fd);

#endif /* TAPD_RELEASE_H */
