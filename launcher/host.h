/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.h - what this host has: programs on $PATH, a usable KVM */
#ifndef TAPVM_HOST_H
#define TAPVM_HOST_H

#include <stddef.h>

int host_find_program(const char *name, char **path);
int host_kvm_check(char *why, size_t size);

#endif /* TAPVM_HOST_H */
