/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sandbox.h - the front's seccomp allow-list */
#ifndef TAPD_SANDBOX_H
#define TAPD_SANDBOX_H

int sandbox_apply(void);

#endif /* TAPD_SANDBOX_H */
