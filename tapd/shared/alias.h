/* SPDX-License-Identifier: GPL-2.0-or-later */
/* alias.h - the names and aliases that mark links as tapd's */
#ifndef TAPD_ALIAS_H
#define TAPD_ALIAS_H

#include <net/if.h>
#include <sys/types.h>

#include "names.h"

#define ALIAS_MAX	192	/* IFALIASZ is 256 */

/**
 * struct alias_tap - what a tap's alias says
 * @uid:	whose tap it is
 * @pid:	the client that asked for it
 * @since:	when it was made, seconds since the epoch (0: tapd 0.1's alias)
 * @label:	the VM label, "" if none
 */
struct alias_tap {
	uid_t uid;
	unsigned int pid;
	unsigned long long since;
	char label[NAMES_LABEL_MAX + 1];
};

int alias_tap_format(char *buf, size_t size, const struct alias_tap *a);
int alias_tap_parse(const char *alias, struct alias_tap *a);
int alias_port_format(char *buf, size_t size, int tap, const char *ovs);
int alias_port_parse(const char *alias, int *tap, char ovs[IFNAMSIZ]);
int alias_port_name(const char *tap, char port[IFNAMSIZ]);

#endif /* TAPD_ALIAS_H */
