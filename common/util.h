/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - cleanup attributes and small helpers shared by tapd and tapvm */
#ifndef TAPVM_UTIL_H
#define TAPVM_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void util_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void util_freep(void *p)
{
	free(*(void **)p);
}

/* Close or free on every way out of a scope, so early returns cannot leak. */
#define cleanup_fd __attribute__((cleanup(util_closep)))
#define cleanup_free __attribute__((cleanup(util_freep)))

/**
 * util_steal_fd() - take an fd out of a cleanup_fd variable
 * @fd:	the variable
 *
 * Return: the fd, which the caller now owns; the variable is left at -1.
 */
static inline int util_steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

/**
 * util_steal_pointer() - take a pointer out of a cleanup variable
 * @pp:	address of the variable
 *
 * Return: the pointer, which the caller now owns; the variable is left NULL.
 */
static inline void *util_steal_pointer(void *pp)
{
	void **p = pp;
	void *r = *p;

	*p = NULL;
	return r;
}

#define steal_pointer(pp) util_steal_pointer(pp)

#endif /* TAPVM_UTIL_H */
