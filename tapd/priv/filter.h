/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filter.h - the back's seccomp allow-list */
#ifndef TAPD_FILTER_H
#define TAPD_FILTER_H

int filter_apply_back(void);

#endif /* TAPD_FILTER_H */
