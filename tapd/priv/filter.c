// SPDX-License-Identifier: GPL-2.0-or-later
/* filter.c - a seccomp allow-list for each of tapd's halves
 *
 * Installed by tapd itself, so `sudo tapd` without the unit is filtered
 * too (the unit's SystemCallFilter= stays, a second filter on top). A call
 * not on the list is not made: SIGSYS, one line naming the call, and exit;
 * the other half sees its socket close and exits as well. No list has
 * execve, ptrace, mount, unshare, setns, bpf, keyctl, or anything that
 * loads code or changes credentials: whoever takes over a half keeps what
 * the half already holds and cannot reach further with new system calls.
 *
 * The back's list is here; the front's is in tapd/sandbox.c.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <seccomp.h>

#include "filter.h"
#include "util.h"

static const char *filter_who = "tapd";

/* Async-signal-safe: the name of the half, the call's number, and exit. */
static void filter_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[160], num[16];
	size_t n = 0, k = 0;
	unsigned int v = (unsigned int)si->si_syscall;

	do
		num[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(num));
#define ADD(s) do { size_t l_ = strlen(s); memcpy(line + n, s, l_); n += l_; } while (0)
	ADD("tapd: ");
	ADD(filter_who);
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
 * filter_apply() - allow these system calls and no other, in every thread
 * @who:	"front" or "back", for the line a refused call writes
 * @rules:	the allow-list
 * @n:		its length
 *
 * Needs no_new_privs (caps_drop() sets it). TSYNC puts the filter on the
 * process's other threads too (the front's closing thread).
 *
 * Return: 0 or -errno.
 */
int filter_apply(const char *who, const struct filter_rule *rules, size_t n)
{
	struct sigaction sa = { .sa_sigaction = filter_sigsys, .sa_flags = SA_SIGINFO };
	scmp_filter_ctx ctx;
	int ret = 0;

	filter_who = who;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL))
		return -errno;
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < n && !ret; i++) {
		const struct filter_rule *r = &rules[i];

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


/*
 * The back: its socket to the front, rtnetlink, the two devices, and what
 * malloc, libnl and stdio need.
 */
static const struct filter_rule filter_back[] = {
	ANY(recvmsg), ANY(sendmsg), ANY(recvfrom), ANY(sendto), ANY(poll), ANY(ppoll),
	ARG(socket, 0, AF_NETLINK),	/* libnl: one per read-back */
	ANY(bind), ANY(getsockname), ANY(setsockopt), ANY(getsockopt),
	ANY(openat),			/* /dev/net/tun, /dev/vhost-net */
	ARG(ioctl, 1, TUNSETIFF, TUNSETOWNER),
	ARG(fcntl, 1, F_GETFD, F_SETFD, F_GETFL, F_SETFL),
	ANY(close), ANY(read), ANY(write), ANY(writev), ANY(getrandom),
	ANY(brk), ANY(mmap), ANY(munmap), ANY(mremap), ANY(madvise), ANY(mprotect),
	ANY(futex), ANY(clock_gettime), ANY(gettimeofday), ANY(getpid), ANY(gettid),
	ANY(getuid), ANY(fstat), ANY(newfstatat), ANY(lseek),
	ANY(rt_sigaction), ANY(rt_sigreturn), ANY(rt_sigprocmask), ANY(tgkill),	/* abort() */
	ANY(sigaltstack),		/* the sanitizers' handlers, set up and taken down */
	ANY(restart_syscall), ANY(exit), ANY(exit_group),
};

int filter_apply_back(void)
{
	return filter_apply("back", filter_back, ARRAY_SIZE(filter_back));
}
