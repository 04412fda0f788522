/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.h - the back's changes to links, over its rtnetlink socket */
#ifndef TAPD_KERNEL_H
#define TAPD_KERNEL_H

#include <stdint.h>

#include "netlink.h"

int kernel_configure(struct nl_sock *sk, int ifindex, const uint8_t *mac, unsigned int mtu,
		     int master, const char *alias);
int kernel_set_up(struct nl_sock *sk, int ifindex);
int kernel_delete(struct nl_sock *sk, int ifindex);

#endif /* TAPD_KERNEL_H */
