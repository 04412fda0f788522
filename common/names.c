// SPDX-License-Identifier: GPL-2.0-or-later
/* names.c - validation of interface names, VM labels and guests' MACs */

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/**
 * names_ifname_valid() - is this a name the kernel would accept for a link?
 * @name:	the name, from a client or a policy file
 *
 * The kernel's own rule (dev_valid_name()): 1 to IFNAMSIZ - 1 bytes, not "."
 * or "..", no '/', ':' or white space. We also refuse control and non-ASCII
 * bytes, so that a name can be logged and compared without surprises. A name
 * longer than the kernel allows is refused, never cut: cutting it is how
 * qemu-bridge-helper's ACL was bypassed (CVE-2019-13164).
 *
 * Return: true if valid.
 */
bool names_ifname_valid(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ);

	if (len == 0 || len >= IFNAMSIZ)
		return false;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == ':')
			return false;
	}
	return true;
}

/**
 * names_label_valid() - is this a valid VM label?
 * @label:	the label
 *
 * Labels match [A-Za-z0-9][A-Za-z0-9._-]{0,63}: safe in an interface alias,
 * a file name and a log line alike.
 *
 * Return: true if valid.
 */
bool names_label_valid(const char *label)
{
	size_t len = strnlen(label, NAMES_LABEL_MAX + 1);

	if (len == 0 || len > NAMES_LABEL_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = label[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

/**
 * names_mac_unicast() - may this be a guest's own MAC?
 * @mac:	6 bytes, from a client (or the front, to the back)
 *
 * Return: true if it is unicast and not all zeros.
 */
bool names_mac_unicast(const uint8_t mac[6])
{
	return !(mac[0] & 1) && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/**
 * names_bridge_missing() - the line for a bridge that does not exist
 * @bridge:	its name
 * @buf:	the line: "bridge NAME does not exist: " and what to do
 * @size:	its size
 *
 * One home for the words, so that tapd's refusal, tapd --check and tapvm
 * doctor say the same: virbr0 is libvirt's default network, to be started;
 * another bridge is the admin's to create.
 */
void names_bridge_missing(const char *bridge, char *buf, size_t size)
{
	if (!strcmp(bridge, "virbr0"))
		snprintf(buf, size, "bridge virbr0 does not exist: it is libvirt's default network: start it (sudo virsh net-start default; sudo virsh net-autostart default keeps it started)");
	else
		snprintf(buf, size, "bridge %s does not exist: ask the admin to create it (ip link add %s type bridge, or in the network configuration)",
			 bridge, bridge);
}
