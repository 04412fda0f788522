// SPDX-License-Identifier: GPL-2.0-or-later
/* tapd-bench.c - what one tap costs: the kernel's floor, tapd, and the ways
 * tapd replaces (qemu-bridge-helper, xkvm's ip commands)
 *
 * Each mode times N taps, one at a time, from the request to the fd in hand
 * (the tap configured and on the bridge), holds each 1 ms, closes it and
 * waits for the kernel to delete it outside the timed part, and prints one
 * line:
 *
 *	MODE n=N p50_us=X p99_us=Y mean_us=Z [per_s=R]
 *
 *   tapd-bench floor BRIDGE N             the kernel work tapd does for one
 *                                         tap, called directly (tapd's own
 *                                         tun.c and link.c): no IPC
 *   tapd-bench tapd SOCKET BRIDGE N       tapd, one client, sequential
 *   tapd-bench concurrent SOCKET BRIDGE C SECS
 *                                         C clients at once for SECS, 8 to a
 *                                         uid from 60000 (run as root)
 *   tapd-bench floor-concurrent BRIDGE C SECS
 *                                         C processes doing the floor's work
 *                                         at once for SECS
 *   tapd-bench helper PATH BRIDGE N       a qemu-bridge-helper as QEMU runs
 *                                         it: socketpair, fork, exec, the fd
 *                                         back, wait
 *   tapd-bench xkvm BRIDGE N              xkvm's way: ip tuntap add, ip link
 *                                         set master up (two ip processes)
 *   tapd-bench populate N                 add N persistent taps off any
 *                                         bridge (bgNNNNN), for the cost of
 *                                         a tap on a crowded host
 *   tapd-bench exec TAPVM SOCKET FAKEQEMU N
 *                                         tapvm's time from start to the exec
 *                                         of QEMU with four bridged NICs
 *                                         (FAKEQEMU writes the time it
 *                                         started to $TAPVM_BENCH_STAMP)
 *
 * Run it as root in a network namespace (tests/bench/run.sh does).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#include "client.h"
#include "alias.h"
#include "kernel.h"
#include "port.h"
#include "proto.h"
#include "tun.h"

static double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void bench_report(const char *mode, double *us, size_t n, double secs)
{
	double sum = 0;

	if (!n) {
		printf("%s n=0\n", mode);
		return;
	}
	qsort(us, n, sizeof(*us), bench_cmp);
	for (size_t i = 0; i < n; i++)
		sum += us[i];
	printf("%s n=%zu p50_us=%.1f p99_us=%.1f mean_us=%.1f", mode, n, us[n / 2],
	       us[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], sum / (double)n);
	if (secs > 0)
		printf(" per_s=%.1f", (double)n / secs);
	printf("\n");
	fflush(stdout);
}

/*
 * Hold a tap 1 ms, as a VM holds it far longer, then close it and wait,
 * untimed, until the kernel has deleted it: as the floor does (its close
 * deletes the tap there and then), so that no figure pays for the previous
 * tap's deletion, which waits for RCU grace periods (about 16 ms a tap
 * here). Without the hold, a client closing within microseconds of the
 * answer can leave tapd's own close the last, and tapd then deletes the tap
 * itself before serving the next request (see the README).
 */
static void bench_release(struct client_tap *tap)
{
	usleep(1000);
	proto_close_fds(tap->fds, tap->nfds);
	while (if_nametoindex(tap->ifname))
		usleep(100);
}

/* A run that cannot go on: the process ends, its buffers with it. */
static void __attribute__((noreturn)) bench_fail(void)
{
	exit(1);
}

static double *bench_alloc(size_t n)
{
	double *us = calloc(n ? n : 1, sizeof(double));

	if (!us) {
		perror("tapd-bench");
		exit(1);
	}
	return us;
}

/*
 * The kernel work tapd does for one tap, with tapd's own code: look up the
 * bridge, TUNSETIFF and TUNSETOWNER, the ifindex, RTM_NEWLINK for the tap,
 * up, its port (port_create(): veth pair, flags set and read back, tc
 * redirects both ways). Returns
 * its time, or -1; the tap is closed (and so deleted) after, untimed.
 */
static double bench_floor_one(struct nl_sock *k, const char *bridge)
{
	struct alias_tap a = { .uid = getuid(), .pid = (unsigned int)getpid(),
			       .since = (unsigned long long)time(NULL), .label = "bench" };
	uint8_t mac[6] = { 0xfe, 0, 0, 0, 0, 1 };
	char name[IFNAMSIZ], alias[ALIAS_MAX], port_name[IFNAMSIZ], peer[IFNAMSIZ];
	/* tapd's default port: BPDU guard and root block on. */
	struct priv_port port = { .opt = { [PORTOPT_BPDU_GUARD] = 1, [PORTOPT_ROOT_BLOCK] = 1,
					   [PORTOPT_LEARNING] = 1, [PORTOPT_FLOOD] = 1 } };
	struct netlink_link br, tap, pl;
	double t0 = bench_now_us(), t;
	enum priv_why why;
	uint32_t missing;
	int fd;

	if (netlink_link_get(k, 0, bridge, &br) || tun_create(getuid(), 1, name, &fd))
		return -1;
	alias_tap_format(alias, sizeof(alias), &a);
	if (netlink_link_get(k, 0, name, &tap) ||
	    kernel_configure(k, tap.ifindex, mac, br.mtu, alias) ||
	    kernel_set_up(k, tap.ifindex) ||
	    !port_kind_of(&br) ||
	    port_create(k, port_kind_of(&br), tap.ifindex, name, &br, mac, &port, &why, &missing)) {
		close(fd);
		return -1;
	}
	t = bench_now_us() - t0;
	usleep(1000);	/* held as bench_release() holds tapd's taps */
	close(fd);
	/* tapd's watch deletes a gone tap's port; here nobody watches. */
	if (!alias_port_names(name, port_name, peer) && !netlink_link_get(k, 0, port_name, &pl))
		kernel_delete(k, pl.ifindex);
	return t;
}

static int bench_floor(const char *bridge, size_t n)
{
	double *us = bench_alloc(n);
	struct nl_sock *link;

	if (netlink_open(&link))
		bench_fail();
	for (size_t i = 0; i < n; i++)
		if ((us[i] = bench_floor_one(link, bridge)) < 0)
			bench_fail();
	nl_socket_free(link);
	bench_report("floor", us, n, 0);
	free(us);
	return 0;
}

static int bench_tapd(const char *path, const char *bridge, size_t n)
{
	double *us = bench_alloc(n);
	char err[CLIENT_ERR_MAX];
	int sock = -1;

	for (size_t i = 0; i < n; i++) {
		struct client_tap tap;
		double t0;

		/* tapd takes 256 requests a connection: a new one before that. */
		if (i % 200 == 0) {
			if (sock >= 0)
				close(sock);
			if (client_connect(path, &sock))
				bench_fail();
		}
		t0 = bench_now_us();
		if (client_create(sock, bridge, "bench", &tap, err, sizeof(err))) {
			fprintf(stderr, "tapd-bench: %s\n", err);
			bench_fail();
		}
		us[i] = bench_now_us() - t0;
		bench_release(&tap);
	}
	close(sock);
	bench_report("tapd", us, n, 0);
	free(us);
	return 0;
}

/*
 * C clients for SECS (tapd at @path; or, with @path NULL, C processes doing
 * the floor's kernel work directly): their latencies come back through a
 * pipe.
 */
static int bench_concurrent(const char *path, const char *bridge, int clients, int secs)
{
	size_t cap = 1 << 20, n = 0;
	double *us = bench_alloc(cap), t0 = bench_now_us(), end;
	unsigned long errors = 0;
	int p[2];

	if (pipe(p))
		bench_fail();
	end = t0 + secs * 1e6;
	for (int c = 0; c < clients; c++) {
		if (fork() == 0) {
			uid_t uid = 60000 + (uid_t)c / 8;
			struct nl_sock *link = NULL;
			int sock = -1;

			close(p[0]);
			if (!path && netlink_open(&link))
				_exit(1);
			if (path && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
				_exit(1);
			for (unsigned long i = 0; bench_now_us() < end; i++) {
				char err[CLIENT_ERR_MAX];
				struct client_tap tap;
				double t, d;

				if (!path) {
					d = bench_floor_one(link, bridge);
					if (write(p[1], &d, sizeof(d)) != sizeof(d))
						_exit(1);
					continue;
				}
				if (i % 200 == 0) {
					if (sock >= 0)
						close(sock);
					if (client_connect(path, &sock))
						_exit(1);
				}
				t = bench_now_us();
				if (client_create(sock, bridge, "bench", &tap, err, sizeof(err))) {
					d = -1;		/* counted as an error */
				} else {
					d = bench_now_us() - t;
					bench_release(&tap);
				}
				if (write(p[1], &d, sizeof(d)) != sizeof(d))
					_exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	for (double d; read(p[0], &d, sizeof(d)) == sizeof(d);) {
		if (d < 0)
			errors++;
		else if (n < cap)
			us[n++] = d;
	}
	while (wait(NULL) > 0)
		;
	{
		char mode[32];

		snprintf(mode, sizeof(mode), "%s%d", path ? "concurrent" : "floor_concurrent",
			 clients);
		printf("# %lu errors\n", errors);
		bench_report(mode, us, n, (bench_now_us() - t0) / 1e6);
	}
	free(us);
	return errors ? 2 : 0;
}

/* As QEMU's net_bridge_run_helper(): socketpair, fork, exec, recvmsg, wait. */
static int bench_helper(const char *helper, const char *bridge, size_t n)
{
	double *us = bench_alloc(n);

	for (size_t i = 0; i < n; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		char byte, fdarg[32], brarg[64];
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		double t0 = bench_now_us();
		struct cmsghdr *c;
		int sv[2], fd = -1, status;
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			bench_fail();
		snprintf(fdarg, sizeof(fdarg), "--fd=%d", sv[1]);
		snprintf(brarg, sizeof(brarg), "--br=%s", bridge);
		pid = fork();
		if (pid == 0) {
			close(sv[0]);
			execl(helper, helper, "--use-vnet", fdarg, brarg, (char *)NULL);
			_exit(127);
		}
		close(sv[1]);
		if (recvmsg(sv[0], &mh, 0) == 1 && (c = CMSG_FIRSTHDR(&mh)) &&
		    c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
		waitpid(pid, &status, 0);
		us[i] = bench_now_us() - t0;
		close(sv[0]);
		if (fd < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "tapd-bench: %s gave no fd\n", helper);
			bench_fail();
		}
		close(fd);
	}
	bench_report("helper", us, n, 0);
	free(us);
	return 0;
}

static int bench_run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) ?
	       WEXITSTATUS(status) : -1;
}

/* xkvm: ip tuntap add mode tap user U NAME; ip link set NAME master BR up. */
static int bench_xkvm(const char *bridge, size_t n)
{
	double *us = bench_alloc(n);

	for (size_t i = 0; i < n; i++) {
		char name[IFNAMSIZ], user[16];
		char *add[] = { "/sbin/ip", "tuntap", "add", "mode", "tap", "user", user,
				"vnet_hdr", "name", name, NULL };
		char *up[] = { "/sbin/ip", "link", "set", name, "master", (char *)bridge, "up",
			       NULL };
		char *del[] = { "/sbin/ip", "link", "del", name, NULL };
		double t0;

		snprintf(name, sizeof(name), "xk%u", (unsigned int)(i % 100000));
		snprintf(user, sizeof(user), "%u", (unsigned int)getuid());
		t0 = bench_now_us();
		if (bench_run(add) || bench_run(up))
			bench_fail();
		us[i] = bench_now_us() - t0;
		bench_run(del);
	}
	bench_report("xkvm", us, n, 0);
	free(us);
	return 0;
}

/* N persistent taps off any bridge: a crowded host. */
static int bench_populate(size_t n)
{
	static size_t made;

	for (size_t i = 0; i < n; i++, made++) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "bg%05u", (unsigned int)(made % 100000));
		while (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) && errno == EBUSY)
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "bg%05u", (unsigned int)(++made % 100000));
		if (fd < 0 || ioctl(fd, TUNSETPERSIST, 1UL)) {
			perror("tapd-bench: populate");
			return 1;
		}
		close(fd);
	}
	printf("# populated %zu taps\n", n);
	return 0;
}

/* tapvm's own time: from its start to the exec of (a stand-in) QEMU. */
static int bench_exec(const char *tapvm, const char *sock, const char *fake, size_t n)
{
	const char *stamp = getenv("TAPVM_BENCH_STAMP");
	double *us = bench_alloc(n);

	if (!stamp) {
		fprintf(stderr, "tapd-bench: set TAPVM_BENCH_STAMP\n");
		bench_fail();
	}
	for (size_t i = 0; i < n; i++) {
		char *argv[] = { (char *)tapvm, "run", "--socket", (char *)sock, "--accel", "tcg",
				 "--qemu", (char *)fake, "-n", "br0", "-n", "br0", "-n", "br0",
				 "-n", "br0", "--", "-nographic", NULL };
		struct timespec ts;
		double t0, t1;
		FILE *f;

		unlink(stamp);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = bench_now_us();
		bench_run(argv);	/* exits 80: the stand-in speaks no QMP */
		f = fopen(stamp, "r");
		if (!f || fscanf(f, "%lf", &t1) != 1) {
			fprintf(stderr, "tapd-bench: the stand-in QEMU did not run\n");
			bench_fail();
		}
		fclose(f);
		us[i] = t1 - t0;
	}
	bench_report("tapvm_exec", us, n, 0);
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "floor"))
		return bench_floor(argv[2], strtoul(argv[3], NULL, 10));
	if (argc >= 5 && !strcmp(argv[1], "tapd"))
		return bench_tapd(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc >= 6 && !strcmp(argv[1], "concurrent"))
		return bench_concurrent(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc >= 5 && !strcmp(argv[1], "floor-concurrent"))
		return bench_concurrent(NULL, argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 5 && !strcmp(argv[1], "helper"))
		return bench_helper(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc >= 4 && !strcmp(argv[1], "xkvm"))
		return bench_xkvm(argv[2], strtoul(argv[3], NULL, 10));
	if (argc >= 3 && !strcmp(argv[1], "populate"))
		return bench_populate(strtoul(argv[2], NULL, 10));
	if (argc >= 6 && !strcmp(argv[1], "exec"))
		return bench_exec(argv[2], argv[3], argv[4], strtoul(argv[5], NULL, 10));
	fprintf(stderr, "usage: see the comment at the top of tests/bench/tapd-bench.c\n");
	return 2;
}
