/* SPDX-License-Identifier: GPL-2.0-or-later */
/* allow.h - a seccomp allow-list for each of tapd's halves */
#ifndef TAPD_ALLOW_H
#define TAPD_ALLOW_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct allow_rule - one system call allowed, or allowed with one argument
 * @nr:		the call (SCMP_SYS())
 * @arg:	0 for any arguments; else argument @arg - 1 must equal one of
 * @val:	... these, up to the first 0 (no value allowed is 0)
 */
struct allow_rule {
	int nr;
	unsigned int arg;
	uint64_t val[4];
};

/*
 * Rows of an allow-list: a call with any arguments, or with argument @a one
 * of these. Short names, for the two lists (sandbox.c, priv/filter.c).
 */
#define ANY(name)		{ SCMP_SYS(name), 0, { 0 } }
#define ARG(name, a, ...)	{ SCMP_SYS(name), (a) + 1, { __VA_ARGS__ } }

int allow_apply(const char *who, const struct allow_rule *rules, size_t n);
int allow_apply_back(void);

#endif /* TAPD_ALLOW_H */
