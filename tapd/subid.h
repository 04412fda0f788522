/* SPDX-License-Identifier: GPL-2.0-or-later */
/* subid.h - subordinate ids: whose is a uid or gid a user namespace maps */
#ifndef TAPD_SUBID_H
#define TAPD_SUBID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SUBID_UID_PATH	"/etc/subuid"
#define SUBID_GID_PATH	"/etc/subgid"
#define SUBID_RANGES_MAX 65536	/* ranges in one file */

struct subids;

int subid_load(const char *uid_path, const char *gid_path, struct subids **out,
	       char *err, size_t errlen);
void subid_free(struct subids *s);
uid_t subid_uid_owner(const struct subids *s, uid_t uid);
bool subid_gid_owner(const struct subids *s, gid_t gid, uid_t *owner);

#endif /* TAPD_SUBID_H */
