/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h - drop to CAP_NET_ADMIN alone, as an unprivileged user */
#ifndef TAPD_CAPS_H
#define TAPD_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include <sys/types.h>

#define CAPS_NOBODY		65534	/* the kernel's overflow uid, Debian's nobody */

int caps_drop(uid_t uid, gid_t gid, bool keep, char *err, size_t errlen);

#endif /* TAPD_CAPS_H */
