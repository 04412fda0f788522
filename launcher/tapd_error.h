/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tapd_error.h - turn a failed exchange with tapd into a message and status */
#ifndef TAPVM_TAPD_ERROR_H
#define TAPVM_TAPD_ERROR_H

#include <stdbool.h>
#include <stddef.h>

void tapd_connect_why(int err, const char *path, bool socket_option, char *buf, size_t size);
int tapd_connect_or_explain(const char *prog, const char *path, int *sock);
int tapd_exit_status(int err);

#endif /* TAPVM_TAPD_ERROR_H */
