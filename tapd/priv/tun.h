/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tun.h - create TAP devices */
#ifndef TAPD_TUN_H
#define TAPD_TUN_H

#include <net/if.h>
#include <stddef.h>
#include <sys/types.h>

int tun_check(char *err, size_t errlen);
int tun_create(uid_t owner, unsigned int queues, char name[IFNAMSIZ], int *fds);

#endif /* TAPD_TUN_H */
