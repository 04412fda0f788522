// SPDX-License-Identifier: GPL-2.0-or-later
/* tapd-bench.c - what one tap costs: two floors, tapd, and the ways tapd
 * replaces (qemu-bridge-helper, xkvm's ip commands); and what its port
 * costs frames
 *
 * Each timing mode times N taps, one at a time, from the request to the fd
 * in hand (the tap configured and on the bridge), holds each 1 ms, closes
 * it and waits for the kernel to delete it outside the timed part, and
 * prints one line:
 *
 *	MODE n=N p50_us=X p99_us=Y mean_us=Z [per_s=R] [cpu_us=C]
 *
 * cpu_us is the CPU time per tap of the process doing the work (the floor
 * itself; tapd's two processes, from their schedstat), kernel time in it.
 *
 *   tapd-bench naive BRIDGE N             the naive floor (floor.c): open,
 *                                         TUNSETIFF, one RTM_NEWLINK
 *   tapd-bench topology BRIDGE N          the topology floor (floor.c): the
 *                                         same port design as tapd, done
 *                                         directly, no IPC, no read-back
 *   tapd-bench tapd SOCKET BRIDGE N PID   tapd (front PID), one client
 *   tapd-bench interleaved SOCKET BRIDGE N PID
 *                                         naive, topology and tapd, a tap
 *                                         of each in turn: three lines
 *   tapd-bench concurrent SOCKET BRIDGE C SECS
 *                                         C clients at once for SECS, 8 to a
 *                                         uid from 60000 (run as root)
 *   tapd-bench topology-concurrent BRIDGE C SECS
 *                                         C processes doing the topology
 *                                         floor's work at once for SECS
 *   tapd-bench dataplane SOCKET|- BRIDGE SIZE QUEUES SECS
 *                                         frames/s of SIZE bytes from one
 *                                         tap to another across the bridge,
 *                                         QUEUES queues each: two taps of
 *                                         tapd's (SOCKET), or two taps
 *                                         enslaved directly (-)
 *   tapd-bench helper PATH BRIDGE N       a qemu-bridge-helper as QEMU runs
 *                                         it: socketpair, fork, exec, the fd
 *                                         back, wait
 *   tapd-bench xkvm BRIDGE N              xkvm's way: ip tuntap add, ip link
 *                                         set master up (two ip processes)
 *   tapd-bench populate N                 add N persistent taps, up, off any
 *                                         bridge (bgNNNNN), for the cost of
 *                                         a tap on a crowded host
 *   tapd-bench exec TAPVM SOCKET FAKEQEMU NICS N
 *                                         tapvm's time from start to the exec
 *                                         of QEMU with NICS bridged NICs (0:
 *                                         -n none) (FAKEQEMU writes the time
 *                                         it started to $TAPVM_BENCH_STAMP)
 *   tapd-bench exec-bare FAKEQEMU N       its baseline: the stand-in QEMU
 *                                         exec'd straight from the fork
 *                                         that would run tapvm (the cost of
 *                                         one process start on this host)
 *
 * Nothing here calls tapd's code: the client side is common/client.c, what
 * tapvm uses; the floors are floor.c's own. Run it as root in a network
 * namespace (tests/bench/run.sh does).
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <linux/virtio_net.h>

#include "client.h"
#include "floor.h"
#include "proto.h"

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

static void bench_report(const char *mode, double *us, size_t n, double secs, double cpu)
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
	if (cpu > 0)
		printf(" cpu_us=%.1f", cpu);
	printf("\n");
	fflush(stdout);
}

/* Wait until the kernel has deleted @name (its last fd closed). */
static void bench_gone(const char *name)
{
	while (if_nametoindex(name))
		usleep(100);
}

/*
 * Wait until nobody holds the kernel's rtnl lock: a link's name is gone
 * before its deletion is done (the routes of a link are cleaned up after,
 * under the lock, and with thousands of links that walk takes
 * milliseconds). One request that changes nothing takes the lock: an
 * RTM_NEWLINK for lo with no attribute.
 */
static void bench_settle(void)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
	} req = {
		.h = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_NEWLINK,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK },
		.ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)if_nametoindex("lo") },
	};
	char buf[1024];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (s >= 0 && send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req))
		(void)recv(s, buf, sizeof(buf), 0);
	if (s >= 0)
		close(s);
}

/*
 * Hold a tap 1 ms, as a VM holds it far longer, then close it and wait,
 * untimed, until the kernel has deleted it and tapd its port (tdp and the
 * tap's 8 hex digits, tapd(8)), and that deletion is done: as the topology
 * floor deletes its own port before its next tap, so that no figure pays
 * for the previous tap's deletion, which waits for RCU grace periods under
 * the kernel's rtnl lock (about 16 ms a link here), whoever asks for it.
 */
static void bench_release(struct client_tap *tap)
{
	char port[IFNAMSIZ];

	snprintf(port, sizeof(port), "tdp%s", tap->ifname + 4);
	usleep(1000);
	proto_close_fds(tap->fds, tap->nfds);
	bench_gone(tap->ifname);
	bench_gone(port);
	bench_settle();
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

/* CPU time, in microseconds, of every thread of process @pid (0: this one). */
static double bench_cpu_us(pid_t pid)
{
	char path[64];
	double ns = 0;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid ? (int)pid : (int)getpid());
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char f[384];
		unsigned long long run;
		FILE *st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s/schedstat", path, e->d_name);
		st = fopen(f, "r");
		if (st && fscanf(st, "%llu", &run) == 1)
			ns += (double)run;
		if (st)
			fclose(st);
	}
	if (d)
		closedir(d);
	return ns / 1e3;
}

/* tapd's back: the child of its front. */
static pid_t bench_back_of(pid_t front)
{
	char path[64];
	pid_t child = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)front, (int)front);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &child) != 1)
		child = 0;
	if (f)
		fclose(f);
	return child;
}

/* Whether every thread of process @pid waits (read, poll or futex): no request in flight. */
static bool bench_waiting(pid_t pid)
{
	char path[64];
	struct dirent *e;
	bool idle = true;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && idle && (e = readdir(d))) {
		char p[300];
		long nr = -1;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/proc/%d/task/%s/syscall", (int)pid, e->d_name);
		f = fopen(p, "r");
		if (!f)
			continue;	/* gone */
		if (fscanf(f, "%ld", &nr) != 1)
			nr = -1;	/* "running" */
		fclose(f);
		idle = nr == SYS_read || nr == SYS_poll || nr == SYS_ppoll || nr == SYS_futex;
	}
	if (d)
		closedir(d);
	return idle;
}

/*
 * Wait (at most 2 s) until tapd's two processes are done with a deletion:
 * the back deletes a port with a request that goes on after the port's name
 * is gone and after the kernel's lock was free once (bench_settle()), and
 * the front follows the notifications. The floor deletes its own port
 * before its next tap, to the end; so must tapd, before the next is timed.
 */
static void bench_idle(pid_t front, pid_t back)
{
	for (int i = 0; i < 20000 && front > 0; i++) {
		if (bench_waiting(front) && bench_waiting(back))
			return;
		usleep(100);
	}
}


/*
 * One tap by a floor (@topology or the naive one), timed; held 1 ms as
 * bench_release() holds tapd's, then closed and its deletion awaited,
 * untimed. Returns its time, or -1; adds to @cpu the process's CPU time
 * for what tapd's processes would do: the tap and its port, and the port's
 * deletion (the tap's own goes in whichever process closes it last: the
 * client, for tapd).
 */
static double bench_floor_one(struct floor *f, int bridge, unsigned int mtu, bool topology,
			      double *cpu)
{
	char name[IFNAMSIZ];
	double c0 = bench_cpu_us(0), t0 = bench_now_us(), t;
	int fd, ret;

	ret = topology ? floor_topology(f, bridge, mtu, name, &fd) :
			 floor_naive(f, bridge, mtu, 1, name, &fd);
	t = bench_now_us() - t0;
	if (ret) {
		fprintf(stderr, "tapd-bench: the %s floor failed: %s\n",
			topology ? "topology" : "naive", strerror(-ret));
		return -1;
	}
	*cpu += bench_cpu_us(0) - c0;
	usleep(1000);
	close(fd);
	c0 = bench_cpu_us(0);
	if (topology)
		floor_delete(f, name);	/* nobody watches here, as tapd does */
	*cpu += bench_cpu_us(0) - c0;
	bench_gone(name);
	return t;
}

static int bench_floor(const char *bridge, size_t n, bool topology)
{
	double *us = bench_alloc(n), cpu = 0;
	unsigned int mtu;
	struct floor f;
	int br;

	if (floor_open(&f) || floor_bridge(&f, bridge, &br, &mtu))
		bench_fail();
	for (size_t i = 0; i < n; i++)
		if ((us[i] = bench_floor_one(&f, br, mtu, topology, &cpu)) < 0)
			bench_fail();
	floor_close(&f);
	bench_report(topology ? "topology" : "naive", us, n, 0, cpu / (double)n);
	free(us);
	return 0;
}

/* A connection to tapd, new every 200 requests (it takes 256 a connection). */
static void bench_tapd_conn(const char *path, int *sock, size_t i)
{
	if (i % 200)
		return;
	if (*sock >= 0)
		close(*sock);
	if (client_connect(path, sock))
		bench_fail();
}

/*
 * One tap from tapd, timed; released as bench_release() says, and tapd
 * left idle. Adds to @cpu its two processes' CPU time from the request to
 * idle: the tap, its port, and the port's deletion, as the floor's count.
 */
static double bench_tapd_one(int sock, const char *bridge, pid_t front, pid_t back, double *cpu)
{
	char err[CLIENT_ERR_MAX];
	struct client_tap tap;
	double c0, t0, t;

	bench_idle(front, back);	/* done with others' links' notifications */
	c0 = front > 0 ? bench_cpu_us(front) + bench_cpu_us(back) : 0;
	t0 = bench_now_us();
	if (client_create(sock, bridge, "bench", &tap, err, sizeof(err))) {
		fprintf(stderr, "tapd-bench: %s\n", err);
		bench_fail();
	}
	t = bench_now_us() - t0;
	bench_release(&tap);
	bench_idle(front, back);
	if (front > 0)
		*cpu += bench_cpu_us(front) + bench_cpu_us(back) - c0;
	return t;
}

static pid_t bench_back_checked(pid_t front)
{
	pid_t back = bench_back_of(front);

	if (front > 0 && back <= 0) {
		fprintf(stderr, "tapd-bench: no back process under tapd's pid %d\n", (int)front);
		bench_fail();
	}
	return back;
}

static int bench_tapd(const char *path, const char *bridge, size_t n, pid_t front)
{
	double *us = bench_alloc(n), cpu = 0;
	pid_t back = bench_back_checked(front);
	int sock = -1;

	for (size_t i = 0; i < n; i++) {
		bench_tapd_conn(path, &sock, i);
		us[i] = bench_tapd_one(sock, bridge, front, back, &cpu);
	}
	close(sock);
	bench_report("tapd", us, n, 0, cpu / (double)n);
	free(us);
	return 0;
}

/*
 * The naive floor, the topology floor and tapd, one tap of each in turn, N
 * times: on a shared machine whose speed drifts (another guest, a CPU's
 * clock), the three meet the same moments, so their ratios hold where
 * three runs one after another would each catch a different drift.
 */
static int bench_interleaved(const char *path, const char *bridge, size_t n, pid_t front)
{
	double *naive = bench_alloc(n), *topo = bench_alloc(n), *tapd = bench_alloc(n);
	double cpu_naive = 0, cpu_topo = 0, cpu_tapd = 0;
	pid_t back = bench_back_checked(front);
	unsigned int mtu;
	struct floor f;
	int br, sock = -1;

	if (floor_open(&f) || floor_bridge(&f, bridge, &br, &mtu))
		bench_fail();
	for (size_t i = 0; i < n; i++) {
		bench_tapd_conn(path, &sock, i);
		if ((naive[i] = bench_floor_one(&f, br, mtu, false, &cpu_naive)) < 0 ||
		    (topo[i] = bench_floor_one(&f, br, mtu, true, &cpu_topo)) < 0)
			bench_fail();
		tapd[i] = bench_tapd_one(sock, bridge, front, back, &cpu_tapd);
	}
	close(sock);
	floor_close(&f);
	bench_report("naive", naive, n, 0, cpu_naive / (double)n);
	bench_report("topology", topo, n, 0, cpu_topo / (double)n);
	bench_report("tapd", tapd, n, 0, cpu_tapd / (double)n);
	free(naive);
	free(topo);
	free(tapd);
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
			unsigned int mtu = 0;
			struct floor f;
			int sock = -1, br = 0;

			close(p[0]);
			if (!path && (floor_open(&f) || floor_bridge(&f, bridge, &br, &mtu)))
				_exit(1);
			if (path && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
				_exit(1);
			for (unsigned long i = 0; bench_now_us() < end; i++) {
				char err[CLIENT_ERR_MAX];
				struct client_tap tap;
				double t, d;

				if (!path) {
					double cpu = 0;

					d = bench_floor_one(&f, br, mtu, true, &cpu);
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

		snprintf(mode, sizeof(mode), "%s%d", path ? "concurrent" : "topology_concurrent",
			 clients);
		printf("# %lu errors\n", errors);
		bench_report(mode, us, n, (bench_now_us() - t0) / 1e6, 0);
	}
	free(us);
	return errors ? 2 : 0;
}

/* --- the data plane: frames from one tap to another across the bridge --- */

#define DP_QUEUES_MAX	8

struct dp_tap {
	char name[IFNAMSIZ];
	int fds[DP_QUEUES_MAX];
	unsigned int queues;
};

struct dp_worker {
	int fd;
	unsigned int flow;
	size_t size;
	volatile bool *stop;
	unsigned long long frames;
	pthread_t thread;
};

static const uint8_t dp_mac_a[6] = { 0x02, 0, 0, 0, 0xda, 0x0a };
static const uint8_t dp_mac_b[6] = { 0x02, 0, 0, 0, 0xda, 0x0b };

/* A frame of @size bytes (Ethernet, IPv4, UDP) from @src to @dst, after the
 * tap's virtio-net header; flow @flow in its UDP ports. Returns its length. */
static size_t dp_frame(uint8_t *buf, size_t size, const uint8_t src[6], const uint8_t dst[6],
		       unsigned int flow)
{
	size_t h = sizeof(struct virtio_net_hdr), ip = size - 14;
	uint8_t *e = buf + h, *p = e + 14;
	uint32_t sum = 0;

	memset(buf, 0, h + size);
	memcpy(e, dst, 6);
	memcpy(e + 6, src, 6);
	e[12] = 0x08;			/* IPv4 */
	p[0] = 0x45;
	p[2] = (uint8_t)(ip >> 8);
	p[3] = (uint8_t)ip;
	p[8] = 64;
	p[9] = 17;			/* UDP */
	p[12] = 10, p[15] = 1;		/* 10.0.0.1 to 10.0.0.2 */
	p[16] = 10, p[19] = 2;
	p[20] = (uint8_t)((1000 + flow) >> 8), p[21] = (uint8_t)(1000 + flow);
	p[22] = 0x13, p[23] = 0x88;	/* port 5000 */
	p[24] = (uint8_t)((ip - 20) >> 8), p[25] = (uint8_t)(ip - 20);
	/* A valid header checksum: the kernel drops IPv4 frames without one
	 * before the bridge sees them. */
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	sum = (sum >> 16) + (sum & 0xffff);
	sum = ~(sum + (sum >> 16)) & 0xffff;
	p[10] = (uint8_t)(sum >> 8), p[11] = (uint8_t)sum;
	return h + size;
}

static void *dp_write(void *arg)
{
	struct dp_worker *w = arg;
	uint8_t buf[2048];
	size_t len = dp_frame(buf, w->size, dp_mac_a, dp_mac_b, w->flow);

	while (!*w->stop)
		if (write(w->fd, buf, len) == (ssize_t)len)
			w->frames++;
	return NULL;
}

static void *dp_read(void *arg)
{
	struct dp_worker *w = arg;
	size_t h = sizeof(struct virtio_net_hdr);
	uint8_t buf[4096];

	while (!*w->stop) {
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) != 1)
			continue;
		while ((n = read(w->fd, buf, sizeof(buf))) > 0)
			if ((size_t)n == h + w->size && !memcmp(buf + h, dp_mac_b, 6))
				w->frames++;
	}
	return NULL;
}

/* Two taps with @queues queues: tapd's (@path), or enslaved directly. */
static int dp_taps(const char *path, const char *bridge, unsigned int queues, struct dp_tap t[2])
{
	struct floor f;
	unsigned int mtu;
	int br, sock = -1;

	if (!path && (floor_open(&f) || floor_bridge(&f, bridge, &br, &mtu)))
		return -1;
	if (path && client_connect(path, &sock))
		return -1;
	for (int i = 0; i < 2; i++) {
		struct wire_create rq = { .bridge = bridge, .label = "bench", .queues = queues };
		struct client_tap ct;
		char err[CLIENT_ERR_MAX];

		t[i].queues = queues;
		if (!path) {
			if (floor_naive(&f, br, mtu, queues, t[i].name, t[i].fds))
				return -1;
			continue;
		}
		if (client_request_tap(sock, &rq, &ct, err, sizeof(err))) {
			fprintf(stderr, "tapd-bench: %s\n", err);
			return -1;
		}
		memcpy(t[i].name, ct.ifname, IFNAMSIZ);
		memcpy(t[i].fds, ct.fds, queues * sizeof(int));
	}
	if (path)
		close(sock);
	else
		floor_close(&f);
	return 0;
}

/*
 * Frames/s of @size bytes from tap A to tap B for @secs: a writer per queue
 * of A (a flow each, so that B's queues share them), a reader per queue of B.
 */
static int bench_dataplane(const char *path, const char *bridge, size_t size, int queues,
			   int secs)
{
	struct dp_worker wr[DP_QUEUES_MAX], rd[DP_QUEUES_MAX];
	volatile bool stop = false;
	unsigned long long sent = 0, got = 0;
	struct dp_tap t[2];
	uint8_t buf[2048];
	double t0;

	if (queues < 1 || queues > DP_QUEUES_MAX || size < 64 || size > 1514 ||
	    dp_taps(path, bridge, (unsigned int)queues, t))
		bench_fail();
	/* The bridge learns B's MAC from one frame of B's, and sends A's to it alone. */
	if (write(t[1].fds[0], buf, dp_frame(buf, 64, dp_mac_b, dp_mac_a, 0)) < 0)
		bench_fail();
	usleep(100000);
	for (int q = 0; q < queues; q++) {
		fcntl(t[1].fds[q], F_SETFL, O_NONBLOCK);
		wr[q] = (struct dp_worker){ .fd = t[0].fds[q], .flow = (unsigned int)q, .size = size,
					    .stop = &stop };
		rd[q] = (struct dp_worker){ .fd = t[1].fds[q], .size = size, .stop = &stop };
		if (pthread_create(&rd[q].thread, NULL, dp_read, &rd[q]))
			bench_fail();
	}
	t0 = bench_now_us();
	for (int q = 0; q < queues; q++)
		if (pthread_create(&wr[q].thread, NULL, dp_write, &wr[q]))
			bench_fail();
	sleep((unsigned int)secs);
	stop = true;
	for (int q = 0; q < queues; q++) {
		pthread_join(wr[q].thread, NULL);
		pthread_join(rd[q].thread, NULL);
		sent += wr[q].frames;
		got += rd[q].frames;
	}
	printf("dataplane_%s_%zuB_%dq frames=%llu sent=%llu per_s=%.1f\n", path ? "tapd" : "direct",
	       size, queues, got, sent, (double)got / ((bench_now_us() - t0) / 1e6));
	for (int i = 0; i < 2; i++)
		proto_close_fds(t[i].fds, t[i].queues);
	return got ? 0 : 1;
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
	bench_report("helper", us, n, 0, 0);
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
	bench_report("xkvm", us, n, 0, 0);
	free(us);
	return 0;
}

/*
 * N persistent taps, up, off any bridge: a crowded host. Up, as a running
 * VM's tap is: each has the kernel's IPv6 state of a link that is up.
 */
static int bench_populate(size_t n)
{
	static size_t made;
	int ioc = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	for (size_t i = 0; i < n; i++, made++) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "bg%05u", (unsigned int)(made % 100000));
		while (fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) && errno == EBUSY)
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "bg%05u", (unsigned int)(++made % 100000));
		if (fd < 0 || ioctl(fd, TUNSETPERSIST, 1UL) || ioctl(ioc, SIOCGIFFLAGS, &ifr)) {
			perror("tapd-bench: populate");
			return 1;
		}
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(ioc, SIOCSIFFLAGS, &ifr)) {
			perror("tapd-bench: populate: up");
			return 1;
		}
		close(fd);
	}
	close(ioc);
	printf("# populated %zu taps\n", n);
	return 0;
}

/* tapvm's own time: from its start to the exec of (a stand-in) QEMU; with @tapvm
 * NULL, the stand-in exec'd at once, for a baseline. */
static int bench_exec(const char *tapvm, const char *sock, const char *fake, int nics, size_t n)
{
	const char *stamp = getenv("TAPVM_BENCH_STAMP");
	double *us = bench_alloc(n);
	char mode[32];

	if (!stamp) {
		fprintf(stderr, "tapd-bench: set TAPVM_BENCH_STAMP\n");
		bench_fail();
	}
	for (size_t i = 0; i < n; i++) {
		char *bare[] = { (char *)fake, NULL };
		char *argv[32] = { (char *)tapvm, "run", "--socket", (char *)sock, "--accel", "tcg",
				   "--qemu", (char *)fake };
		int a = 8;
		struct timespec ts;
		double t0, t1;
		FILE *f;

		for (int k = 0; k < nics && k < 8; k++) {
			argv[a++] = "-n";
			argv[a++] = "br0";
		}
		if (!nics) {
			argv[a++] = "-n";
			argv[a++] = "none";
		}
		argv[a++] = "--";
		argv[a++] = "-nographic";
		argv[a] = NULL;
		unlink(stamp);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = bench_now_us();
		bench_run(tapvm ? argv : bare);	/* tapvm exits 80: the stand-in speaks no QMP */
		f = fopen(stamp, "r");
		if (!f || fscanf(f, "%lf", &t1) != 1) {
			fprintf(stderr, "tapd-bench: the stand-in QEMU did not run\n");
			bench_fail();
		}
		fclose(f);
		us[i] = t1 - t0;
	}
	if (tapvm)
		snprintf(mode, sizeof(mode), "tapvm_exec_%dnics", nics);
	else
		snprintf(mode, sizeof(mode), "exec_bare");
	bench_report(mode, us, n, 0, 0);
	free(us);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "naive"))
		return bench_floor(argv[2], strtoul(argv[3], NULL, 10), false);
	if (argc >= 4 && !strcmp(argv[1], "topology"))
		return bench_floor(argv[2], strtoul(argv[3], NULL, 10), true);
	if (argc >= 6 && !strcmp(argv[1], "interleaved"))
		return bench_interleaved(argv[2], argv[3], strtoul(argv[4], NULL, 10), atoi(argv[5]));
	if (argc >= 5 && !strcmp(argv[1], "tapd"))
		return bench_tapd(argv[2], argv[3], strtoul(argv[4], NULL, 10),
				  argc >= 6 ? atoi(argv[5]) : 0);
	if (argc >= 6 && !strcmp(argv[1], "concurrent"))
		return bench_concurrent(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc >= 5 && !strcmp(argv[1], "topology-concurrent"))
		return bench_concurrent(NULL, argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 7 && !strcmp(argv[1], "dataplane"))
		return bench_dataplane(strcmp(argv[2], "-") ? argv[2] : NULL, argv[3],
				       strtoul(argv[4], NULL, 10), atoi(argv[5]), atoi(argv[6]));
	if (argc >= 5 && !strcmp(argv[1], "helper"))
		return bench_helper(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc >= 4 && !strcmp(argv[1], "xkvm"))
		return bench_xkvm(argv[2], strtoul(argv[3], NULL, 10));
	if (argc >= 3 && !strcmp(argv[1], "populate"))
		return bench_populate(strtoul(argv[2], NULL, 10));
	if (argc >= 4 && !strcmp(argv[1], "exec-bare"))
		return bench_exec(NULL, NULL, argv[2], 0, strtoul(argv[3], NULL, 10));
	if (argc >= 7 && !strcmp(argv[1], "exec"))
		return bench_exec(argv[2], argv[3], argv[4], atoi(argv[5]),
				  strtoul(argv[6], NULL, 10));
	fprintf(stderr, "usage: see the comment at the top of tests/bench/tapd-bench.c\n");
	return 2;
}
