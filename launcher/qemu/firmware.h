/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firmware.h - UEFI firmware chosen through QEMU's firmware descriptors */
#ifndef TAPVM_FIRMWARE_H
#define TAPVM_FIRMWARE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define FIRMWARE_ERR_MAX	1024

/**
 * struct firmware - the firmware chosen
 * @descriptor:	the descriptor file it came from
 * @code:	the executable, mapped read-only
 * @code_format: its format
 * @vars:	the variables template, copied before use, never mapped
 * @vars_format: its format
 * @requires_smm: the machine must have SMM, and the flash be secure
 */
struct firmware {
	char descriptor[PATH_MAX];
	char code[PATH_MAX];
	char code_format[16];
	char vars[PATH_MAX];
	char vars_format[16];
	bool requires_smm;
};

int firmware_default_dirs(char dirs[3][PATH_MAX]);
int firmware_select(const char *const *dirs, size_t ndirs, const char *arch,
		    const char *machine, bool secure_boot, struct firmware *fw,
		    char *err, size_t errlen);

#endif /* TAPVM_FIRMWARE_H */
