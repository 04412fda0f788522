// SPDX-License-Identifier: GPL-2.0-or-later
/* allow.c - installing a seccomp allow-list, for each of tapd's halves
 *
 * Installed by tapd itself, so `sudo tapd` without the unit is filtered
 * too (the unit's SystemCallFilter= stays, a second filter on top). A call
 * not on the list is not made: SIGSYS, one line naming the call, and exit;
 * the other half sees its socket close and exits as well. No list has
 * execve, ptrace, mount, unshare, setns, bpf, keyctl, or anything that
 * loads code or changes credentials: whoever takes over a half keeps what
 * the half already holds and cannot reach further with new system calls.
 *
 * The lists: the front's in tapd/sandbox.c, the back's in tapd/priv/filter.c.
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "allow.h"
#include "util.h"

static const char *allow_who = "tapd";

/* Async-signal-safe: the name of the half, the call's number, and exit. */
static void allow_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[160], num[16];
	size_t n = 0, k = 0;
	unsigned int v = (unsigned int)si->si_syscall;

	do
		num[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(num));
#define ADD(s) do { size_t l_ = strlen(s); memcpy(line + n, s, l_); n += l_; } while (0)
	ADD("tapd: ");
	ADD(allow_who);
	ADD(": system call ");
	while (k)
		line[n++] = num[--k];
	ADD(" is not on its seccomp allow-list: exiting\n");
#undef ADD
	if (write(STDERR_FILENO, line, n) < 0)
		_exit(70);
	_exit(70);
}

/**
 * allow_apply() - allow these system calls and no other, in every thread
 * @who:	"front" or "back", for the line a refused call writes
 * @rules:	the allow-list
 * @n:		its length
 *
 * Needs no_new_privs (caps_drop() sets it). TSYNC puts the filter on the
 * process's other threads too (the front's closing thread).
 *
 * Return: 0 or -errno.
 */
int allow_apply(const char *who, const struct allow_rule *rules, size_t n)
{
	struct sigaction sa = { .sa_sigaction = allow_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int ret = 0;

	allow_who = who;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < n && !ret; i++) {
		const struct allow_rule *r = &rules[i];

		if (!r->arg) {
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 0);
			continue;
		}
		for (size_t v = 0; v < ARRAY_SIZE(r->val) && r->val[v] && !ret; v++)
			ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 1,
					       SCMP_CMP(r->arg - 1, SCMP_CMP_EQ, r->val[v]));
	}
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret > 0 ? -ret : ret;
}

