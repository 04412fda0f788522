/* SPDX-License-Identifier: GPL-2.0-or-later */
/* age.h - how long ago, for people */
#ifndef TAPVM_AGE_H
#define TAPVM_AGE_H

#include <stddef.h>

#define AGE_MAX	24

void age_format(char *buf, size_t size, unsigned long long since);

#endif /* TAPVM_AGE_H */
