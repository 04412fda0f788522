/* SPDX-License-Identifier: GPL-2.0-or-later */
/* supervise.h - start QEMU with its taps in place, pass signals, wait */
#ifndef TAPVM_SUPERVISE_H
#define TAPVM_SUPERVISE_H

#include <stddef.h>

int supervise_run(const char *qemu, char **argv, int *fds, size_t nfds);

#endif /* TAPVM_SUPERVISE_H */
