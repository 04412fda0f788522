// SPDX-License-Identifier: GPL-2.0-or-later
/* filter.c - the back's seccomp allow-list
 *
 * Tighter than the front's (tapd/sandbox.c): no new socket but a Unix one
 * (ovsdb-server's, ovsdb.c, connected again after it restarts; its
 * rtnetlink sockets and the front's pair are open before), no ioctl but the
 * two that make a tap its owner's and one that reads a name's ifindex, no bind, accept, signalfd or directory
 * reads.
 */

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>

#include <seccomp.h>

#include "allow.h"
#include "filter.h"
#include "util.h"


/*
 * The back: its socket to the front, rtnetlink, the two devices, and what
 * malloc, libnl and stdio need.
 */
static const struct allow_rule filter_back[] = {
	ANY(recvmsg), ANY(sendmsg), ANY(recvfrom), ANY(sendto), ANY(poll), ANY(ppoll),
	/* Its rtnetlink sockets are open before; ovsdb-server's is connected when needed. */
	ARG(socket, 0, AF_UNIX), ANY(connect),
	ANY(openat),			/* /dev/net/tun, /dev/vhost-net */
	ARG(ioctl, 1, TUNSETIFF, TUNSETOWNER, SIOCGIFINDEX, SIOCGIFMTU),	/* netlink_ifindex(), _mtu() */
	ARG(fcntl, 1, F_GETFD, F_SETFD, F_GETFL, F_SETFL),
	ANY(close), ANY(read), ANY(write), ANY(writev), ANY(getrandom),
	ANY(brk), ANY(mmap), ANY(munmap), ANY(mremap), ANY(madvise), ANY(mprotect),
	ANY(futex), ANY(clock_gettime), ANY(gettimeofday), ANY(getpid), ANY(gettid),
	ANY(getuid), ANY(fstat), ANY(newfstatat), ANY(lseek),
	ANY(rt_sigaction), ANY(rt_sigreturn), ANY(rt_sigprocmask), ANY(tgkill),	/* abort() */
	ANY(sigaltstack),		/* the sanitizers' handlers, set up and taken down */
	ANY(sched_yield),		/* the sanitizers' spin locks, with 65 threads */
	ANY(restart_syscall), ANY(exit), ANY(exit_group),
};

int filter_apply_back(void)
{
	return allow_apply("back", filter_back, ARRAY_SIZE(filter_back));
}
