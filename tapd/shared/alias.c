// SPDX-License-Identifier: GPL-2.0-or-later
/* alias.c - the names and aliases that mark links as tapd's
 *
 * A tap is tapdXXXXXXXX (8 random hex digits, tun.c), its port
 * tdpXXXXXXXX (port.c). An interface alias
 * can only be set with CAP_NET_ADMIN, unlike a tap's owner, which the fd's
 * holder can change: so the alias, not the owner, says whose tap it is, and
 * the back deletes nothing whose alias is not one of these.
 *
 *	tap:	"tapd uid=U pid=P since=S[ vm=LABEL]"
 *	port:	"tapd-port tap=IFINDEX[ ovs=BRIDGE]"
 *
 * ovs= names the Open vSwitch bridge a port is on: such a port has no
 * kernel master to say so, and a Port record to remove with it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alias.h"

/**
 * alias_tap_format() - the alias that marks a tap as tapd's
 * @buf:	output
 * @size:	its size
 * @a:		uid, pid, since (the kernel keeps no creation time for links,
 *		and `tapd --list` shows their age) and label (valid, or "")
 *
 * Return: 0 or -ENAMETOOLONG.
 */
int alias_tap_format(char *buf, size_t size, const struct alias_tap *a)
{
	int n = snprintf(buf, size, "tapd uid=%u pid=%u since=%llu%s%s", (unsigned int)a->uid,
			 a->pid, a->since, a->label[0] ? " vm=" : "", a->label);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * alias_tap_parse() - whose tap is this, by the alias alias_tap_format() wrote?
 * @alias:	the link's alias, or NULL
 * @a:		filled with what it says (tapd 0.1's have no since=)
 *
 * Return: 0 if the alias is one tapd writes, else -ENOENT.
 */
int alias_tap_parse(const char *alias, struct alias_tap *a)
{
	unsigned long long since = 0;
	int n = 0, m = 0;
	unsigned int u, p;

	memset(a, 0, sizeof(*a));
	if (!alias || sscanf(alias, "tapd uid=%u pid=%u%n", &u, &p, &n) != 2)
		return -ENOENT;
	alias += n;
	if (sscanf(alias, " since=%llu%n", &since, &m) == 1)
		alias += m;
	if (*alias && sscanf(alias, " vm=%64s", a->label) != 1)
		return -ENOENT;
	a->uid = (uid_t)u;
	a->pid = p;
	a->since = since;
	return 0;
}

int alias_port_format(char *buf, size_t size, int tap, const char *ovs)
{
	int n = snprintf(buf, size, "tapd-port tap=%d%s%s", tap, ovs ? " ovs=" : "",
			 ovs ? ovs : "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * alias_port_parse() - the tap a port's alias names
 * @alias:	a link's alias, or NULL
 * @tap:	set to the tap's ifindex
 * @ovs:	if not NULL, set to the Open vSwitch bridge it names, or ""
 *
 * Return: 0 if the alias is a port's, else -ENOENT.
 */
int alias_port_parse(const char *alias, int *tap, char ovs[IFNAMSIZ])
{
	char br[IFNAMSIZ] = "";
	int n = 0, m = 0;

	if (!alias || sscanf(alias, "tapd-port tap=%d%n", tap, &n) != 1 || *tap <= 0)
		return -ENOENT;
	if (alias[n] && (sscanf(alias + n, " ovs=%15[^ ]%n", br, &m) != 1 || alias[n + m]))
		return -ENOENT;
	if (ovs)
		memcpy(ovs, br, IFNAMSIZ);
	return 0;
}

/**
 * alias_port_name() - the name of a tap's port
 * @tap:	the tap's name, "tapd" and 8 hex digits
 * @port:	set to "tdp" and the same digits
 *
 * Return: 0, or -EINVAL for a name tapd would not have given a tap.
 */
int alias_port_name(const char *tap, char port[IFNAMSIZ])
{
	if (strncmp(tap, "tapd", 4) || strlen(tap) != 12 ||
	    strspn(tap + 4, "0123456789abcdef") != 8)
		return -EINVAL;
	snprintf(port, IFNAMSIZ, "tdp%s", tap + 4);
	return 0;
}
