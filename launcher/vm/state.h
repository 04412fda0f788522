/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h - where a named VM's runtime state lives */
#ifndef TAPVM_STATE_H
#define TAPVM_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

#define STATE_ERR_MAX	(PATH_MAX + 256)
#define STATE_SUN_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

int state_base(char *out, size_t size, bool create, char *err, size_t errlen);
int state_dir(const char *name, char *out, size_t size, bool create, char *err,
	      size_t errlen);
int state_socket_path(const char *dir, const char *file, char *out, char *err,
		      size_t errlen);
int state_lock(const char *dir, int *fd);
bool state_running(const char *dir);
pid_t state_pid(const char *dir);
int state_clean(const char *dir);
int state_connect(const char *dir, const char *file, int *sock);

#endif /* TAPVM_STATE_H */
