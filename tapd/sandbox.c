// SPDX-License-Identifier: GPL-2.0-or-later
/* sandbox.c - the front's seccomp allow-list
 *
 * The front holds no capability; the filter narrows what code that took it
 * over could still ask of the kernel: its sockets and files, the policy's
 * files and the user database (NSS, which may speak to a daemon over a
 * Unix socket), memory, time, signals through its signalfd. Not: execve,
 * fork or clone (the closing thread is started before), ptrace, mount,
 * namespaces, bpf, keyrings, module loading, or any socket but AF_UNIX and
 * AF_NETLINK.
 */

#include <grp.h>
#include <pwd.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

#include "allow.h"
#include "sandbox.h"
#include "util.h"


static const struct allow_rule sandbox_front[] = {
	/* Clients, the back, netlink reads, NSS, sd_notify. */
	ANY(accept4), ANY(recvmsg), ANY(sendmsg), ANY(recvfrom), ANY(sendto),
	ARG(socket, 0, AF_UNIX, AF_NETLINK),
	ANY(connect), ANY(bind), ANY(getsockname), ANY(getpeername),
	ANY(getsockopt), ANY(setsockopt), ANY(shutdown),
	ANY(poll), ANY(ppoll), ANY(signalfd4),
	/* The policy and subordinate id files, sysfs, NSS's files. */
	ANY(openat), ANY(read), ANY(pread64), ANY(write), ANY(writev), ANY(close),
	ANY(fstat), ANY(newfstatat), ANY(statx), ANY(lseek), ANY(getdents64),
	ANY(readlinkat),
	ARG(fcntl, 1, F_GETFD, F_SETFD, F_GETFL, F_SETFL),
	ARG(ioctl, 1, SIOCGIFINDEX, SIOCGIFNAME, FIONREAD, TCGETS),	/* if_nametoindex() */
	/* Memory, threads, time, identity, signals, the way out. */
	ANY(brk), ANY(mmap), ANY(munmap), ANY(mremap), ANY(madvise), ANY(mprotect),
	ANY(futex), ANY(clock_gettime), ANY(gettimeofday), ANY(clock_nanosleep),
	ANY(getpid), ANY(gettid), ANY(getuid), ANY(geteuid), ANY(getgid), ANY(getegid),
	ANY(getrandom),
	ANY(rt_sigaction), ANY(rt_sigprocmask), ANY(rt_sigreturn), ANY(tgkill), ANY(sigaltstack),
	ANY(sched_yield),	/* the sanitizers' spin locks, with two threads */
	ANY(restart_syscall), ANY(exit), ANY(exit_group),
};

/**
 * sandbox_apply() - the front's filter, in every thread
 *
 * The user database's modules are loaded first (they are libraries, opened
 * on first use), so that later lookups only read.
 *
 * Return: 0 or -errno.
 */
int sandbox_apply(void)
{
	struct passwd *pw = getpwuid(getuid());
	gid_t g[8];
	int n = 8;

	if (pw)
		getgrouplist(pw->pw_name, pw->pw_gid, g, &n);
	return allow_apply("front", sandbox_front, ARRAY_SIZE(sandbox_front));
}
