/* SPDX-License-Identifier: GPL-2.0-or-later */
/* back.h - the front's way to ask the back (tapd/priv/) for its verbs */
#ifndef TAPD_BACK_H
#define TAPD_BACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "priv.h"

int back_start(uid_t uid, gid_t gid, const char *ovsdb, char *err, size_t errlen);
int back_ready(char *err, size_t errlen);
int back_fd(void);
int back_create(const struct priv_create *req, struct priv_reply *rep, int *fds);
int back_delete_tap(int ifindex);
int back_delete_port(int ifindex);
int back_read(void);
void back_on_deleted(void (*fn)(void *arg, uint32_t verb, int ifindex, int err), void *arg);
const char *back_why(unsigned int why);

#endif /* TAPD_BACK_H */
