// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_policy.c - libFuzzer harness for the policy parser
 *
 * Each input is written to a private file and loaded as tapd would load
 * /etc/tapd/tapd.conf (owned by whoever runs the fuzzer). Any input may be
 * refused; none may crash, leak or read out of bounds.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char err[POLICY_ERR_MAX];
	struct policy *p = NULL;
	FILE *f;

	if (!path[0]) {
		char dir[] = "/tmp/tapvm-fuzz-XXXXXX";

		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof(path), "%s/tapd.conf", dir);
	}
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	chmod(path, 0600);
	if (!policy_load(path, getuid(), &p, err, sizeof(err))) {
		struct policy_cred c = { 1000, (gid_t[]){ 1000, 27 }, 2 };
		struct policy_grant g;

		(void)policy_check(p, &c, "br0", &g);
		policy_free(p);
	}
	return 0;
}
