/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.h - who tapd runs as */
#ifndef TAPD_USER_H
#define TAPD_USER_H

#include <stddef.h>
#include <sys/types.h>

#define USER_DEFAULT	"tapd"

int user_check_caps(char *err, size_t errlen);
int user_resolve(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen);

#endif /* TAPD_USER_H */
