/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mac.h - MAC addresses for NICs: xkvm's padding, stable defaults */
#ifndef TAPVM_MAC_H
#define TAPVM_MAC_H

#include <stddef.h>
#include <stdint.h>

#define MAC_PAD_PREFIX	"52:54:00:12:34"	/* xkvm's MAC_PREFIX */
#define MAC_STRLEN	18

int mac_pad(const char *partial, unsigned int index, char out[MAC_STRLEN]);
void mac_derive(const char *machine_id, const char *vm_name, unsigned int index,
		char out[MAC_STRLEN]);
void mac_from_bytes(const uint8_t tail[3], char out[MAC_STRLEN]);
int mac_parse(const char *s, uint8_t out[6]);
int mac_machine_id(char *buf, size_t size);

#endif /* TAPVM_MAC_H */
