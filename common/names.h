/* SPDX-License-Identifier: GPL-2.0-or-later */
/* names.h - validation of interface names and VM labels; the hint for a
 * missing bridge, which tapd, tapvm doctor and tapd --check all give */
#ifndef TAPVM_NAMES_H
#define TAPVM_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* A VM label: what tapvm's --name accepts and what tapd records. */
#define NAMES_LABEL_MAX 64

bool names_ifname_valid(const char *name);
bool names_label_valid(const char *label);
bool names_mac_unicast(const uint8_t mac[6]);
#include <stddef.h>
void names_bridge_missing(const char *bridge, char *buf, size_t size);

#endif /* TAPVM_NAMES_H */
