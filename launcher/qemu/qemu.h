/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu.h - what only QEMU can answer: device properties, machine aliases,
 * disk image formats */
#ifndef TAPVM_QEMU_H
#define TAPVM_QEMU_H

#include <stddef.h>

#define QEMU_ERR_MAX	512

struct qemu_model;

/**
 * struct qemu_probe - asks one QEMU binary, remembering the answers
 * @qemu:	the binary (a path)
 * @models:	device models asked about so far, with their properties
 * @machines:	the output of -machine help, once asked
 * @err:	why the last call failed, for people
 */
struct qemu_probe {
	const char *qemu;
	struct qemu_model *models;
	char *machines;
	char err[QEMU_ERR_MAX];
};

int qemu_capture(char *const argv[], char **out);
int qemu_has_prop(struct qemu_probe *q, const char *model, const char *prop);
int qemu_machine_resolve(struct qemu_probe *q, const char *name, char *out,
			 size_t size);
void qemu_probe_free(struct qemu_probe *q);
int qemu_img_format(const char *file, char *fmt, size_t size, char *err,
		    size_t errlen);

#endif /* TAPVM_QEMU_H */
