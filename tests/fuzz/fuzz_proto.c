// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_proto.c - libFuzzer harness for the protocol decoder, both ways
 *
 * tapd decodes requests (proto_parse(..., true)); clients decode replies,
 * nested attributes included, as client.c does. Any input may be refused;
 * none may crash or read out of bounds (ASan, UBSan).
 */

#include <stdint.h>
#include <string.h>

#include "names.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[PROTO_REPLY_MAX] __attribute__((aligned(8)));
	struct nlattr *tb[PROTO_A_MAX + 1], *fdtb[PROTO_FD_MAX + 1], *nla;
	struct proto_parsed p;
	const char *why;
	int rem;

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	if (!proto_parse(buf, size, true, &p, &why)) {
		if (p.tb[PROTO_A_BRIDGE])
			(void)names_ifname_valid(nla_get_string(p.tb[PROTO_A_BRIDGE]));
		if (p.tb[PROTO_A_LABEL])
			(void)names_label_valid(nla_get_string(p.tb[PROTO_A_LABEL]));
	}
	memcpy(buf, data, size);
	if (!proto_parse(buf, size, false, &p, &why)) {
		nla_for_each_attr(nla, p.attrs, p.attrlen, rem) {
			if (nla_type(nla) == PROTO_A_FDS)
				(void)proto_parse_nested(fdtb, PROTO_FD_MAX, nla, &why);
			else if (nla_type(nla) == PROTO_A_GRANT || nla_type(nla) == PROTO_A_TAP)
				(void)proto_parse_nested(tb, PROTO_A_MAX, nla, &why);
		}
	}
	return 0;
}
