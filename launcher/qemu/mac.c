// SPDX-License-Identifier: GPL-2.0-or-later
/* mac.c - MAC addresses for NICs: xkvm's padding, stable defaults */

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mac.h"

/**
 * mac_pad() - a full MAC from a partial one, exactly as xkvm's padmac
 * @partial:	"", ":05", "12:34:56", "a:b", or a full MAC
 * @index:	the NIC's index, used when @partial is empty (":NN")
 * @out:	the full MAC, lower case
 *
 * The given octets are the last ones; the rest come from the front of
 * MAC_PAD_PREFIX (52:54:00:12:34). Each octet is one or two hex digits.
 *
 * Return: 0, or -EINVAL for anything that is not 1 to 6 hex octets, or
 * that would make a multicast address.
 */
int mac_pad(const char *partial, unsigned int index, char out[MAC_STRLEN])
{
	unsigned int prefix[5] = { 0x52, 0x54, 0x00, 0x12, 0x34 }, given[6], b[6];
	char buf[32];
	size_t n = 0;
	const char *p;

	if (!*partial) {
		snprintf(buf, sizeof(buf), "%02x", index & 0xff);
		partial = buf;
	}
	/* Like the shell's word splitting: empty fields between ':' vanish. */
	for (p = partial; *p;) {
		unsigned int v = 0;
		int digits = 0;

		if (*p == ':') {
			p++;
			continue;
		}
		while (isxdigit((unsigned char)*p) && digits < 3) {
			v = v * 16 + (unsigned int)(isdigit((unsigned char)*p) ?
					*p - '0' : tolower((unsigned char)*p) - 'a' + 10);
			p++;
			digits++;
		}
		if (digits == 0 || digits > 2 || (*p && *p != ':') || n == 6)
			return -EINVAL;
		given[n++] = v;
	}
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < 6 - n; i++)
		b[i] = prefix[i];
	for (size_t i = 0; i < n; i++)
		b[6 - n + i] = given[i];
	if (b[0] & 1)
		return -EINVAL;
	snprintf(out, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", b[0] & 0xff,
		 b[1] & 0xff, b[2] & 0xff, b[3] & 0xff, b[4] & 0xff, b[5] & 0xff);
	return 0;
}

/**
 * mac_from_bytes() - 52:54:00 (QEMU's prefix) and three given bytes
 * @tail:	the last three bytes
 * @out:	the MAC
 */
void mac_from_bytes(const uint8_t tail[3], char out[MAC_STRLEN])
{
	snprintf(out, MAC_STRLEN, "52:54:00:%02x:%02x:%02x", tail[0], tail[1], tail[2]);
}

/**
 * mac_parse() - a whole MAC, "xx:xx:xx:xx:xx:xx", as bytes
 * @s:		the text
 * @out:	the bytes
 *
 * Return: 0, or -EINVAL if @s is not six hex bytes with colons.
 */
int mac_parse(const char *s, uint8_t out[6])
{
	int n = 0;

	if (sscanf(s, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &out[0], &out[1], &out[2],
		   &out[3], &out[4], &out[5], &n) != 6 || s[n])
		return -EINVAL;
	return 0;
}

/**
 * mac_derive() - the stable default MAC of a NIC
 * @machine_id:	the host's /etc/machine-id ("" if it has none)
 * @vm_name:	the VM's name
 * @index:	the NIC's index on the VM
 * @out:	52:54:00 and three bytes of FNV-1a-64 over
 *		"MACHINE_ID\nVM_NAME\nINDEX"
 *
 * The same VM gets the same MACs on every run (so DHCP leases and ARP caches
 * stay valid), while two VMs, or one VM name on two hosts, differ. QEMU's own
 * default gives every VM 52:54:00:12:34:56, which collides on a shared LAN.
 * The hash is documented in the README and must not change.
 */
void mac_derive(const char *machine_id, const char *vm_name, unsigned int index,
		char out[MAC_STRLEN])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char idx[16];
	const char *parts[] = { machine_id, "\n", vm_name, "\n", idx };
	uint8_t tail[3];

	snprintf(idx, sizeof(idx), "%u", index);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++) {
			h ^= *c;
			h *= 0x100000001b3ULL;
		}
	tail[0] = (uint8_t)(h >> 16);
	tail[1] = (uint8_t)(h >> 8);
	tail[2] = (uint8_t)h;
	mac_from_bytes(tail, out);
}

/**
 * mac_machine_id() - read the host's machine id
 * @buf:	filled with the 32 hex digits
 * @size:	its size, at least 33
 *
 * Return: 0, or -ENOENT when the host has none.
 */
int mac_machine_id(char *buf, size_t size)
{
	static const char *const paths[] = { "/etc/machine-id", "/var/lib/dbus/machine-id" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "re");
		bool ok;

		if (!f)
			continue;
		ok = fgets(buf, (int)size, f) && strlen(buf) >= 32;
		fclose(f);
		if (ok) {
			buf[strcspn(buf, "\n")] = '\0';
			return 0;
		}
	}
	buf[0] = '\0';
	return -ENOENT;
}
