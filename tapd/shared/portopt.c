// SPDX-License-Identifier: GPL-2.0-or-later
/* portopt.c - the per-port options: one row each, for every part of tapd
 *
 * A new option is one row here (and its test and its lines in tapd.conf(5)):
 * the policy parser reads its key and values, merges rules by @all, the
 * back sets and reads back its flag, the grant's log line names it, and the
 * list of keys in the parser's error (which the manual page test reads)
 * comes from here. mac=pinned also adds the guest's MAC as the one static
 * FDB entry of the locked port (port.c), and vlan= is a list, not a flag.
 * The last two columns say which values an Open vSwitch Port can give
 * (port.c's port_ovs_join(); tapd.conf(5), OPEN VSWITCH).
 */

#include <linux/if_link.h>

#include "portopt.h"

const struct portopt_row portopt_table[PORTOPT_MAX] = {
	[PORTOPT_ISOLATED] = { "isolated", "yes", "no", IFLA_BRPORT_ISOLATED,
			       false, false, "isolated", "isolated ports", true, true },
	[PORTOPT_PINNED] = { "mac", "pinned", "any", IFLA_BRPORT_LOCKED,
			     false, false, "pinned", "locked ports (mac=pinned)", false, true },
	[PORTOPT_BPDU_GUARD] = { "bpdu_guard", "yes", "no", IFLA_BRPORT_GUARD,
				 true, false, "bpdu_guard", "BPDU guard (bpdu_guard=)", true, true },
	[PORTOPT_ROOT_BLOCK] = { "root_block", "yes", "no", IFLA_BRPORT_PROTECT,
				 true, false, "root_block", "root block (root_block=)", true, true },
	[PORTOPT_LEARNING] = { "learning", "yes", "no", IFLA_BRPORT_LEARNING,
			       true, true, "learning", "learning (learning=)", true, false },
	[PORTOPT_FLOOD] = { "flood", "yes", "no", IFLA_BRPORT_UNICAST_FLOOD,
			    true, true, "flood", "unicast flooding (flood=)", true, false },
};
