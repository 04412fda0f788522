/* SPDX-License-Identifier: GPL-2.0-or-later */
/* activation.h - the listening socket: systemd's, or one tapd binds */
#ifndef TAPD_ACTIVATION_H
#define TAPD_ACTIVATION_H

#include <stdbool.h>
#include <stddef.h>

int activation_listen(const char *path, int *fd, bool *activated,
		      char *err, size_t errlen);
int activation_ready(void);
void activation_close_inherited(void);

#endif /* TAPD_ACTIVATION_H */
