/* SPDX-License-Identifier: GPL-2.0-or-later */
/* quota.h - how many of tapd's taps each user holds, as the kernel says */
#ifndef TAPD_QUOTA_H
#define TAPD_QUOTA_H

#include <stddef.h>
#include <sys/types.h>

#define QUOTA_MAX_TAPS_DEFAULT	4096
#define QUOTA_MAX_TAPS_LIMIT	65536

struct quota;

int quota_new(struct quota **q, unsigned int max_taps);
void quota_free(struct quota *q);
int quota_set(struct quota *q, int ifindex, uid_t uid);
void quota_remove(struct quota *q, int ifindex);
void quota_clear(struct quota *q);
unsigned int quota_count(const struct quota *q, uid_t uid);
int quota_owner(const struct quota *q, int ifindex, uid_t *uid);
unsigned int quota_total(const struct quota *q);
size_t quota_taps_of(const struct quota *q, uid_t uid, int *ifindex, size_t max);
unsigned int quota_max(const struct quota *q);

#endif /* TAPD_QUOTA_H */
