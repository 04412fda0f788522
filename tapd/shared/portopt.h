/* SPDX-License-Identifier: GPL-2.0-or-later */
/* portopt.h - the per-port options: one row each, for every part of tapd */
#ifndef TAPD_PORTOPT_H
#define TAPD_PORTOPT_H

#include <stdbool.h>
#include <stdint.h>

/* The rows of portopt_table, in its order. */
enum portopt {
	PORTOPT_ISOLATED,
	PORTOPT_PINNED,
	PORTOPT_BPDU_GUARD,
	PORTOPT_ROOT_BLOCK,
	PORTOPT_LEARNING,
	PORTOPT_FLOOD,
	PORTOPT_MAX
};

/**
 * struct portopt_row - one per-port option of tapd.conf(5)
 * @key:	its key in a rule
 * @on:		the value that turns it on ("yes", or "pinned" for mac=)
 * @off:	the value that turns it off ("no", "any")
 * @attr:	the bridge port flag it sets (IFLA_BRPORT_*), read back after
 * @dflt:	on when no rule says
 * @all:	several rules granting one bridge: on only if all say on (else
 *		on if any does); either way the more protective wins
 * @log:	its name in the grant's port= (when on)
 * @missing:	what a refusal names when the kernel lacks the flag
 * @ovs_on:	an Open vSwitch Port can be what @on says (port.c)
 * @ovs_off:	... and what @off says
 */
struct portopt_row {
	const char *key, *on, *off;
	uint16_t attr;
	bool dflt, all;
	const char *log, *missing;
	bool ovs_on, ovs_off;
};

extern const struct portopt_row portopt_table[PORTOPT_MAX];

#endif /* TAPD_PORTOPT_H */
