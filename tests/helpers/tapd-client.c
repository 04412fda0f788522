// SPDX-License-Identifier: GPL-2.0-or-later
/* tapd-client.c - a test client for tapd: real requests and hostile ones
 *
 *   tapd-client SOCKET create BRIDGE [LABEL]  print the tap; hold its fd
 *                                             until stdin closes
 *   tapd-client SOCKET take BRIDGE [LABEL]    the same, the connection to
 *                                             tapd closed once the tap came
 *   tapd-client SOCKET mq BRIDGE QUEUES [vhost]
 *                                             a multiqueue tap (and vhost-net
 *                                             fds); print what came, hold it
 *                                             until stdin closes
 *   tapd-client - joiner                      an attacker: on every new link
 *                                             named tapd*, attach a queue at
 *                                             once (TUNSETIFF); hold them all
 *                                             until stdin closes, then print
 *                                             "joined N of M" and exit
 *   tapd-client - attach IFNAME               attach one more queue to the
 *                                             multiqueue tap IFNAME by name
 *                                             (TUNSETIFF); print ok or why not
 *   tapd-client SOCKET l2 BRIDGE MAC [VLAN]   a tap declaring the guest MAC
 *                                             (and VLAN); print it, then
 *                                             run commands from stdin, one
 *                                             a line, answering "done":
 *                                               send SRC DST  a frame of
 *                                                  ethertype 0x88b5 from SRC
 *                                               bpdu SRC   an STP config BPDU
 *                                               recv MS    print the frames
 *                                                  that come in MS ms
 *                                               hwaddr MAC  set the tap's MAC
 *                                                  through the fd
 *                                                  (SIOCSIFHWADDR)
 *                                               ioctls MAC  every ioctl a tap's
 *                                                  fd takes, hostile
 *                                                  values (MAC for the
 *                                                  address ones); print
 *                                                  each result
 *   tapd-client - sniff IFNAME MS             print the 0x88b5 frames and
 *                                             BPDUs IFNAME receives in MS ms
 *   tapd-client SOCKET list                   print grants and taps
 *   tapd-client SOCKET raw HEX [fd]           send bytes (and an fd), print
 *                                             the reply
 *   tapd-client SOCKET big N                  send an N-byte datagram
 *   tapd-client SOCKET fds N                  a valid list request with N fds
 *                                             (at most 253)
 *   tapd-client SOCKET linger SECS N          a TCP socket whose close blocks
 *                                             SECS (SO_LINGER, unsent data),
 *                                             sent N times with a list
 *                                             request; print the answer, hold
 *                                             its peer until stdin closes
 *   tapd-client SOCKET idle                   connect, send nothing, wait for
 *                                             stdin to close
 *   tapd-client SOCKET persist BRIDGE         get a tap, make it persistent
 *                                             (TUNSETPERSIST), close it, exit
 *   tapd-client SOCKET chown BRIDGE UID       get a tap, give it to UID
 *                                             (TUNSETOWNER), hold it
 *   tapd-client SOCKET noread BRIDGE          ask for a tap, leave unread
 *   tapd-client SOCKET many N                 N connections that never speak;
 *                                             print how many tapd refused,
 *                                             hold the rest until stdin closes
 *   tapd-client SOCKET repeat N               N list requests on one
 *                                             connection; print the answers
 *   tapd-client SOCKET stall STEP BRIDGE      connect, and stop (STEP
 *                                             connected), or send a create
 *                                             request and stop (sent), or
 *                                             wait for its reply and stop
 *                                             without reading it (replied);
 *                                             prints STEP, then waits to be
 *                                             killed
 *   tapd-client - helper PATH ARG...          run a bridge helper as QEMU does
 *                                             (ARG "{fd}" is the socket's fd
 *                                             number), print what it sent
 *                                             and its exit status
 *   tapd-client SOCKET load N SECS BRIDGE     N processes, each asking for
 *                                             taps and closing them on one
 *                                             connection (a new one every
 *                                             100 requests) for SECS;
 *                                             prints the answers counted
 *
 * Exit: 0 on success, else the errno tapd answered with (or 1).
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "client.h"
#include "mac.h"
#include "proto.h"

/* What was printed goes out; then wait until the test closes our stdin. */
static void hold_until_stdin_closes(void)
{
	char c;

	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
}

/* A message type's name, for what this client prints. */
static const char *client_type_name(int type)
{
	switch (type) {
	case PROTO_MSG_CREATE:
		return "create";
	case PROTO_MSG_LIST:
		return "list";
	case PROTO_MSG_ERROR:
		return "error";
	}
	return "unknown";
}

static int print_reply(int sock)
{
	static char buf[PROTO_REPLY_MAX] __attribute__((aligned(8)));
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	int fds[PROTO_FDS_MAX];
	struct proto_parsed p;
	const char *why;
	size_t nfds;
	ssize_t n;

	if (poll(&pfd, 1, 10000) != 1) {
		printf("no reply\n");
		return 1;
	}
	n = proto_recv(sock, buf, sizeof(buf), fds, &nfds);
	if (n <= 0) {
		printf("closed (%zd)\n", n);
		return 1;
	}
	proto_close_fds(fds, nfds);
	if (proto_parse(buf, (size_t)n, false, &p, &why)) {
		printf("bad reply: %s\n", why);
		return 1;
	}
	if (p.type == PROTO_MSG_ERROR) {
		printf("error errno=%u seq=%u message=%s\n",
		       nla_get_u32(p.tb[PROTO_A_ERRNO]), p.seq,
		       nla_get_string(p.tb[PROTO_A_MESSAGE]));
		return (int)nla_get_u32(p.tb[PROTO_A_ERRNO]);
	}
	printf("reply type=%s seq=%u fds=%zu\n", client_type_name(p.type), p.seq, nfds);
	return 0;
}

/*
 * Send @data with @nfds fds: copies of @fd (which is closed right after the
 * send, so that the copies in flight are the last), or of /dev/null if it
 * is -1.
 */
static int send_raw_fd(int sock, const void *data, size_t len, int nfds, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 253)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 253)	/* the kernel's SCM_MAX_FD */
		nfds = 253;
	if (nfds) {
		struct cmsghdr *c;
		int fds[253];

		for (int i = 0; i < nfds; i++)
			fds[i] = fd >= 0 ? dup(fd) : open("/dev/null", O_RDONLY | O_CLOEXEC);
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	ssize_t sent = sendmsg(sock, &mh, 0);
	int err = errno;

	if (fd >= 0)
		close(fd);
	if (nfds) {	/* ours go: the copies in flight are tapd's */
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		for (int i = 0; i < nfds; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof(int));
			close(f);
		}
	}
	if (sent < 0) {
		printf("send failed: %s\n", strerror(err));
		return 1;
	}
	return print_reply(sock);
}

static int send_raw(int sock, const void *data, size_t len, int nfds)
{
	return send_raw_fd(sock, data, len, nfds, -1);
}

/* What whoever holds a tap's fd may do with it, no capability needed. */
static int do_abuse(int sock, const char *bridge, const char *what, const char *arg)
{
	char err[CLIENT_ERR_MAX];
	struct client_tap tap;
	int ret = client_create(sock, bridge, NULL, &tap, err, sizeof(err));

	if (ret) {
		printf("error errno=%d message=%s\n", -ret, err);
		return -ret;
	}
	if (!strcmp(what, "persist")) {
		if (ioctl(tap.fds[0], TUNSETPERSIST, 1UL)) {
			printf("TUNSETPERSIST failed: %s\n", strerror(errno));
			return 1;
		}
		printf("ifname=%s persistent\n", tap.ifname);
		return 0;	/* the fd closes with us; the tap stays, but for tapd */
	}
	if (!arg || ioctl(tap.fds[0], TUNSETOWNER, strtoul(arg, NULL, 10))) {
		printf("TUNSETOWNER failed: %s\n", strerror(errno));
		return 1;
	}
	printf("ifname=%s owner=%s\n", tap.ifname, arg);
	hold_until_stdin_closes();
	return 0;
}

static int do_create(int sock, const char *bridge, const char *label, bool take)
{
	char err[CLIENT_ERR_MAX];
	struct client_tap tap;
	int ret;

	ret = client_create(sock, bridge, label, &tap, err, sizeof(err));
	if (ret) {
		printf("error errno=%d message=%s\n", -ret, err);
		return -ret;
	}
	printf("ifname=%s ifindex=%u mtu=%u mac=%02x:%02x:%02x:%02x:%02x:%02x fds=%zu\n",
	       tap.ifname, tap.ifindex, tap.mtu, tap.mac[0], tap.mac[1], tap.mac[2],
	       tap.mac[3], tap.mac[4], tap.mac[5], tap.nfds);
	fflush(stdout);
	if (take)
		close(sock);	/* as a VM's launcher does: the tap alone stays */
	hold_until_stdin_closes();
	proto_close_fds(tap.fds, tap.nfds);
	return 0;
}

static int do_mq(int sock, const char *bridge, const char *queues, bool vhost)
{
	struct wire_create rq = { .bridge = bridge, .queues = (unsigned int)atoi(queues),
				     .vhost = vhost };
	char err[CLIENT_ERR_MAX];
	struct client_tap tap;
	int ret = client_request_tap(sock, &rq, &tap, err, sizeof(err));

	if (ret) {
		printf("error errno=%d message=%s\n", -ret, err);
		return -ret;
	}
	printf("ifname=%s queues=%zu vhost=%zu vhost_errno=%d fds=", tap.ifname, tap.nqueues,
	       tap.nvhost, tap.vhost_err);
	for (size_t i = 0; i < tap.nfds; i++) {
		struct ifreq ifr;
		char path[64], target[64] = "?";

		memset(&ifr, 0, sizeof(ifr));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", tap.fds[i]);
		if (!ioctl(tap.fds[i], TUNGETIFF, &ifr))
			snprintf(target, sizeof(target), "tap:%s", ifr.ifr_name);
		else if (readlink(path, target, sizeof(target) - 1) < 0)
			snprintf(target, sizeof(target), "?");
		printf("%s%s", i ? "," : "", target);
	}
	printf("\n");
	hold_until_stdin_closes();
	proto_close_fds(tap.fds, tap.nfds);
	return 0;
}

/* A frame as a line: "frame SRC DST TYPE" ("stp" for an 802.2 BPDU). */
static void print_frame(const uint8_t *f, size_t len)
{
	uint16_t type;

	if (len < 14)
		return;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type != 0x88b5 && !(type <= 1500 && len >= 17 && f[14] == 0x42 && f[15] == 0x42))
		return;
	printf("frame %02x:%02x:%02x:%02x:%02x:%02x %02x:%02x:%02x:%02x:%02x:%02x %s\n",
	       f[6], f[7], f[8], f[9], f[10], f[11], f[0], f[1], f[2], f[3], f[4], f[5],
	       type == 0x88b5 ? "88b5" : "stp");
}

/*
 * Frames through a tap as a guest would write them: after the virtio-net
 * header (zero: no offload) the tap was made with.
 */
/* SIOCSIFHWADDR on a tap's fd: no capability is checked for it. */
static int l2_hwaddr(int fd, const char *ifname, const uint8_t mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_hwaddr.sa_family = 1;	/* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	return ioctl(fd, SIOCSIFHWADDR, &ifr) ? -errno : 0;
}

/*
 * Every ioctl the tun driver takes on a queue's fd, with what an attacker
 * would pass: the owner to root, persistence, the link type, the carrier
 * off and on, offloads off, a TX filter and a socket filter, the queue
 * detached and attached again, the header sizes, eBPF programs (none), the
 * namespace, and the address (MAC) twice. Prints one line each.
 */
static void l2_ioctls(int fd, const char *ifname, const uint8_t mac[6])
{
	struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { .len = 1, .filter = &drop };
	struct {
		struct tun_filter f;
		uint8_t addr[ETH_ALEN];
	} txf = { .f = { .flags = 0, .count = 1 } };
	struct ifreq ifr;
	int zero = 0, one = 1, hdr = 12, minus = -1, sndbuf = 1;
	unsigned int features;
	const struct {
		const char *name;
		unsigned long req;
		void *arg;
		bool value;	/* the argument is a value, not a pointer */
	} t[] = {
		{ "TUNSETOWNER", TUNSETOWNER, (void *)0UL, true },
		{ "TUNSETGROUP", TUNSETGROUP, (void *)0UL, true },
		{ "TUNSETPERSIST-on", TUNSETPERSIST, (void *)1UL, true },
		{ "TUNSETPERSIST-off", TUNSETPERSIST, (void *)0UL, true },
		{ "TUNSETLINK", TUNSETLINK, (void *)65534UL, true },	/* ARPHRD_NONE */
		{ "TUNSETNOCSUM", TUNSETNOCSUM, (void *)1UL, true },
		{ "TUNSETDEBUG", TUNSETDEBUG, (void *)1UL, true },
		{ "TUNSETOFFLOAD", TUNSETOFFLOAD, (void *)0UL, true },
		{ "TUNSETTXFILTER", TUNSETTXFILTER, &txf, false },
		{ "TUNATTACHFILTER", TUNATTACHFILTER, &prog, false },
		{ "TUNDETACHFILTER", TUNDETACHFILTER, &zero, false },
		{ "TUNSETSNDBUF", TUNSETSNDBUF, &sndbuf, false },
		{ "TUNSETVNETHDRSZ", TUNSETVNETHDRSZ, &hdr, false },
		{ "TUNSETVNETLE", TUNSETVNETLE, &one, false },
		{ "TUNSETVNETBE", TUNSETVNETBE, &one, false },
		{ "TUNSETSTEERINGEBPF", TUNSETSTEERINGEBPF, &minus, false },
		{ "TUNSETFILTEREBPF", TUNSETFILTEREBPF, &minus, false },
		{ "TUNSETCARRIER-off", TUNSETCARRIER, &zero, false },
		{ "TUNSETCARRIER-on", TUNSETCARRIER, &one, false },
		{ "TUNSETIFINDEX", TUNSETIFINDEX, &one, false },
		{ "TUNGETFEATURES", TUNGETFEATURES, &features, false },
		{ "TUNGETDEVNETNS", TUNGETDEVNETNS, NULL, true },
	};

	memcpy(txf.addr, mac, ETH_ALEN);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		long r = ioctl(fd, t[i].req, t[i].arg);

		printf("ioctl %s %s\n", t[i].name, r < 0 ? strerror(errno) : "ok");
		if (r > 0 && t[i].req == TUNGETDEVNETNS)
			close((int)r);
	}
	/* The queue detached and attached again. */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_DETACH_QUEUE;
	printf("ioctl TUNSETQUEUE-detach %s\n", ioctl(fd, TUNSETQUEUE, &ifr) ? strerror(errno) : "ok");
	ifr.ifr_flags = IFF_ATTACH_QUEUE;
	printf("ioctl TUNSETQUEUE-attach %s\n", ioctl(fd, TUNSETQUEUE, &ifr) ? strerror(errno) : "ok");
	/* Attach again by name (the tap is attached: refused). */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	printf("ioctl TUNSETIFF %s\n", ioctl(fd, TUNSETIFF, &ifr) ? strerror(errno) : "ok");
	printf("ioctl SIOCSIFHWADDR %s\n", l2_hwaddr(fd, ifname, mac) ? strerror(errno) : "ok");
	printf("ioctl SIOCSIFHWADDR-low %s\n",
	       l2_hwaddr(fd, ifname, (const uint8_t *)"\0\0\0\0\0\1") ? strerror(errno) : "ok");
	/* Back on, so that the tap still carries frames for the checks after. */
	ioctl(fd, TUNSETCARRIER, &one);
	ioctl(fd, TUNSETOFFLOAD, 0UL);
	hdr = 10;
	ioctl(fd, TUNSETVNETHDRSZ, &hdr);
	ioctl(fd, TUNSETVNETLE, &zero);
	ioctl(fd, TUNSETVNETBE, &zero);
	ioctl(fd, TUNDETACHFILTER, &zero);
	txf.f.count = 0;
	ioctl(fd, TUNSETTXFILTER, &txf);
}

static int do_l2(int sock, const char *bridge, const char *macs, const char *vlan)
{
	uint8_t mac[6];
	struct wire_create rq = { .bridge = bridge, .queues = 1, .guest_mac = mac,
				     .vlan = vlan ? (unsigned int)atoi(vlan) : 0 };
	char err[CLIENT_ERR_MAX], line[256];
	struct client_tap tap;
	int ret;

	if (mac_parse(macs, mac))
		return 1;
	ret = client_request_tap(sock, &rq, &tap, err, sizeof(err));
	if (ret) {
		printf("error errno=%d message=%s\n", -ret, err);
		return -ret;
	}
	printf("ifname=%s\n", tap.ifname);
	fflush(stdout);
	/* Done with tapd, as QEMU is once it has its taps: one connection of the uid's 8 free. */
	close(sock);
	fcntl(tap.fds[0], F_SETFL, O_NONBLOCK);
	while (fgets(line, sizeof(line), stdin)) {
		uint8_t buf[10 + 1600];
		char a[32], b[32];
		int ms;

		memset(buf, 0, sizeof(buf));
		if (sscanf(line, "send %31s %31s", a, b) == 2) {
			uint8_t *f = buf + 10;

			if (mac_parse(b, f) || mac_parse(a, f + 6))
				return 1;
			f[12] = 0x88;
			f[13] = 0xb5;
			memcpy(f + 14, "tapvm-test", 10);
			if (write(tap.fds[0], buf, 10 + 60) < 0)
				printf("write failed: %s\n", strerror(errno));
		} else if (sscanf(line, "bpdu %31s", a) == 1) {
			static const uint8_t bpdu[] = {
				0x42, 0x42, 0x03, 0, 0, 0, 0, 0, 0x80, 0, 0x02, 0, 0, 0, 0, 0,
				0, 0, 0, 0, 0, 0, 0x80, 0, 0x02, 0, 0, 0, 0, 0, 0x80, 0x01,
				0, 0, 0x14, 0, 0x02, 0, 0x0f, 0,
			};
			uint8_t *f = buf + 10;

			memcpy(f, "\x01\x80\xc2\x00\x00\x00", 6);
			if (mac_parse(a, f + 6))
				return 1;
			f[12] = 0;
			f[13] = sizeof(bpdu) - 3 + 3;
			memcpy(f + 14, bpdu, sizeof(bpdu));
			if (write(tap.fds[0], buf, 10 + 60) < 0)
				printf("write failed: %s\n", strerror(errno));
		} else if (sscanf(line, "hwaddr %31s", a) == 1) {
			uint8_t m[6];
			int r;

			if (mac_parse(a, m))
				return 1;
			r = l2_hwaddr(tap.fds[0], tap.ifname, m);
			printf("hwaddr %s\n", r ? strerror(-r) : "ok");
		} else if (sscanf(line, "ioctls %31s", a) == 1) {
			uint8_t m[6];

			if (mac_parse(a, m))
				return 1;
			l2_ioctls(tap.fds[0], tap.ifname, m);
		} else if (sscanf(line, "recv %d", &ms) == 1) {
			struct pollfd p = { .fd = tap.fds[0], .events = POLLIN };

			while (poll(&p, 1, ms) == 1) {
				ssize_t n = read(tap.fds[0], buf, sizeof(buf));

				if (n > 10)
					print_frame(buf + 10, (size_t)n - 10);
			}
		}
		printf("done\n");
		fflush(stdout);
	}
	proto_close_fds(tap.fds, tap.nfds);
	return 0;
}

/*
 * The race a multiqueue tap had: between TUNSETIFF and TUNSETOWNER it has no
 * owner, and the kernel lets anyone attach a queue to it. Link
 * notifications (which any process may read) name it at once.
 */
static int do_joiner(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	unsigned int joined = 0, seen = 0;
	static char buf[65536];
	struct pollfd p[2] = { { .fd = nl, .events = POLLIN }, { .fd = 0, .events = POLLIN } };

	if (nl < 0 || bind(nl, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	printf("joining\n");
	fflush(stdout);
	while (poll(p, 2, -1) > 0 && !(p[1].revents & (POLLIN | POLLHUP))) {
		ssize_t n = recv(nl, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n <= 0)
			continue;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			struct ifinfomsg *ifi = NLMSG_DATA(h);
			struct rtattr *a = IFLA_RTA(ifi);
			int len = (int)IFLA_PAYLOAD(h);

			if (h->nlmsg_type != RTM_NEWLINK)
				continue;
			for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
				struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
								  IFF_MULTI_QUEUE };
				int fd;

				if (a->rta_type != IFLA_IFNAME || strncmp(RTA_DATA(a), "tapd", 4))
					continue;
				seen++;
				snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", (char *)RTA_DATA(a));
				fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
				if (fd >= 0 && !ioctl(fd, TUNSETIFF, &ifr))
					joined++;	/* held until we exit */
				else if (fd >= 0)
					close(fd);
			}
		}
	}
	printf("joined %u of %u\n", joined, seen);
	return 0;
}

/*
 * A TCP socket whose close blocks: SO_LINGER of @secs and data it cannot
 * send (the peer, a listener in this process, never accepts or reads). It
 * is sent to tapd @n times with a list request, and our copy closed, so
 * that tapd's close is the last. Holds the listener until stdin closes.
 */
static int do_linger(int sock, int secs, int n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct linger lg = { .l_onoff = 1, .l_linger = secs };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	static char junk[65536];
	struct nl_msg *msg;
	int ret;

	if (l < 0 || t < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &alen) ||
	    connect(t, (struct sockaddr *)&a, sizeof(a)) ||
	    setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg))) {
		printf("linger setup failed: %s\n", strerror(errno));
		return 1;
	}
	fcntl(t, F_SETFL, O_NONBLOCK);
	while (send(t, junk, sizeof(junk), MSG_NOSIGNAL) > 0)
		;
	printf("lingering port=%u\n", ntohs(a.sin_port));
	fflush(stdout);
	if (proto_new(&msg, PROTO_MSG_LIST, 7, PROTO_REQUEST_MAX))
		return 1;
	printf("sending\n");
	fflush(stdout);
	ret = send_raw_fd(sock, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len, n, t);
	printf("sent\n");
	fflush(stdout);
	hold_until_stdin_closes();
	close(l);
	return ret;
}

/* What an interface (the host's side of a bridge) receives, as root. */
static int do_sniff(const char *ifname, int ms)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)if_nametoindex(ifname) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	struct pollfd p = { .fd = s, .events = POLLIN };
	uint8_t buf[1600];

	if (s < 0 || !sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		printf("sniff failed: %s\n", strerror(errno));
		return 1;
	}
	printf("sniffing\n");
	fflush(stdout);
	while (poll(&p, 1, ms) == 1) {
		ssize_t n = recv(s, buf, sizeof(buf), 0);

		if (n > 0)
			print_frame(buf, (size_t)n);
		fflush(stdout);
	}
	return 0;
}

static int do_list(int sock)
{
	char err[CLIENT_ERR_MAX];
	struct client_listing l;
	int ret = client_list(sock, &l, err, sizeof(err));

	if (ret) {
		printf("error errno=%d message=%s\n", -ret, err);
		return -ret;
	}
	for (size_t i = 0; i < l.ngrants; i++)
		printf("grant bridge=%s max=%u\n", l.grants[i].bridge, l.grants[i].max_taps);
	for (size_t i = 0; i < l.ntaps; i++)
		printf("tap ifname=%s bridge=%s label=%s pid=%u\n", l.taps[i].ifname,
		       l.taps[i].bridge, l.taps[i].label, l.taps[i].pid);
	client_listing_free(&l);
	return 0;
}

/* Stop at a step of a create request, to be killed there. */
static int do_stall(int sock, const char *step, const char *bridge)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct nl_msg *msg;

	if (strcmp(step, "connected")) {
		if (proto_new(&msg, PROTO_MSG_CREATE, 1, PROTO_REQUEST_MAX) ||
		    nla_put_string(msg, PROTO_A_BRIDGE, bridge) || proto_send(sock, msg, NULL, 0))
			return 1;
		if (!strcmp(step, "replied") && poll(&pfd, 1, 10000) != 1)
			return 1;
	}
	printf("%s\n", step);
	fflush(stdout);
	for (;;)
		pause();
}

struct load_counts {
	unsigned long ok, quota, other;
	char first[CLIENT_ERR_MAX];	/* the first other error */
};

static void load_worker(const char *path, const char *bridge, time_t end, int out)
{
	struct load_counts n = { 0 };
	int sock = -1;

	for (unsigned long i = 0; time(NULL) < end; i++) {
		char err[CLIENT_ERR_MAX];
		struct client_tap tap;
		int ret;

		if (i % 100 == 0) {
			if (sock >= 0)
				close(sock);
			ret = client_connect(path, &sock);
			if (ret) {
				snprintf(err, sizeof(err), "connect: %s", strerror(-ret));
				goto other;
			}
		}
		ret = client_create(sock, bridge, "load", &tap, err, sizeof(err));
		if (!ret) {
			proto_close_fds(tap.fds, tap.nfds);
			n.ok++;
			continue;
		}
		if (ret == -EDQUOT || ret == -ENOSPC) {
			n.quota++;
			continue;
		}
other:
		if (!n.other++)
			snprintf(n.first, sizeof(n.first), "%s", err);
		close(sock);
		sock = -1;
		i = (i / 100 + 1) * 100 - 1;	/* a new connection next */
	}
	if (write(out, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	_exit(0);
}

static int do_load(const char *path, int workers, int secs, const char *bridge)
{
	struct load_counts sum = { 0 }, n;
	time_t end = time(NULL) + secs;
	int p[2];

	if (workers < 1 || workers > 64 || secs < 1 || pipe(p))
		return 1;
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (!pid) {
			close(p[0]);
			load_worker(path, bridge, end, p[1]);
		}
	}
	close(p[1]);
	while (read(p[0], &n, sizeof(n)) == sizeof(n)) {
		sum.ok += n.ok;
		sum.quota += n.quota;
		if (n.other && !sum.other)
			memcpy(sum.first, n.first, sizeof(sum.first));
		sum.other += n.other;
	}
	while (wait(NULL) > 0)
		;
	printf("ok=%lu quota=%lu other=%lu%s%s\n", sum.ok, sum.quota, sum.other,
	       sum.other ? " first=" : "", sum.first);
	return sum.other ? 1 : 0;
}

/*
 * Run a qemu-bridge-helper-like program with one end of a socketpair and
 * report, as QEMU's net_bridge_run_helper() would see it, what came back:
 * every message's bytes and fds, then the exit status.
 */
static int do_helper(int argc, char **argv)
{
	int sv[2], status, total = 0, nfds = 0;
	char fdnum[16];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 1;
	snprintf(fdnum, sizeof(fdnum), "%d", sv[1]);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		char *args[64], buf[64][32];
		int n = 0;

		fcntl(sv[1], F_SETFD, 0);
		for (int i = 0; i < argc && n < 63; i++, n++) {
			char *at = strstr(argv[i], "{fd}");

			args[n] = argv[i];
			if (at && snprintf(buf[n], sizeof(buf[n]), "%.*s%s%s", (int)(at - argv[i]),
					   argv[i], fdnum, at + 4) < (int)sizeof(buf[n]))
				args[n] = buf[n];
		}
		args[n] = NULL;
		execv(args[0], args);
		_exit(127);
	}
	close(sv[1]);
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} u;
		char data[16];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		ssize_t r = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);

		if (r <= 0)
			break;
		total += (int)r;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int j = 0; j < k; j++) {
				struct ifreq ifr;
				int fd;

				memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof(int));
				memset(&ifr, 0, sizeof(ifr));
				if (!ioctl(fd, TUNGETIFF, &ifr))
					printf("fd tap=%s vnet_hdr=%s\n", ifr.ifr_name,
					       ifr.ifr_flags & IFF_VNET_HDR ? "yes" : "no");
				else
					printf("fd not a tap\n");
				close(fd);
				nfds++;
			}
		}
	}
	waitpid(pid, &status, 0);
	printf("bytes=%d fds=%d exit=%d\n", total, nfds,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	static unsigned char raw[PROTO_REPLY_MAX * 2];
	int sock, ret;

	if (argc < 3) {
		fprintf(stderr, "usage: tapd-client SOCKET create|list|raw|big|fds|idle ...\n");
		return 1;
	}
	if (argc >= 5 && !strcmp(argv[2], "sniff"))
		return do_sniff(argv[3], atoi(argv[4]));
	if (!strcmp(argv[2], "joiner"))
		return do_joiner();
	if (argc >= 4 && !strcmp(argv[2], "attach")) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE };
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[3]);
		if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr)) {
			printf("attach failed: %s\n", strerror(errno));
			return 1;
		}
		printf("attached\n");
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[2], "helper"))
		return do_helper(argc - 3, argv + 3);
	if (argc >= 6 && !strcmp(argv[2], "load"))
		return do_load(argv[1], atoi(argv[3]), atoi(argv[4]), argv[5]);
	ret = client_connect(argv[1], &sock);
	if (ret) {
		printf("connect failed: %s\n", strerror(-ret));
		return 1;
	}
	if ((!strcmp(argv[2], "create") || !strcmp(argv[2], "take")) && argc >= 4)
		return do_create(sock, argv[3], argc > 4 ? argv[4] : NULL, !strcmp(argv[2], "take"));
	if (!strcmp(argv[2], "l2") && argc >= 5)
		return do_l2(sock, argv[3], argv[4], argc > 5 ? argv[5] : NULL);
	if (!strcmp(argv[2], "mq") && argc >= 5)
		return do_mq(sock, argv[3], argv[4], argc > 5 && !strcmp(argv[5], "vhost"));
	if (!strcmp(argv[2], "stall") && argc >= 5)
		return do_stall(sock, argv[3], argv[4]);
	if (!strcmp(argv[2], "list"))
		return do_list(sock);
	if ((!strcmp(argv[2], "persist") && argc >= 4) || (!strcmp(argv[2], "chown") && argc >= 5))
		return do_abuse(sock, argv[3], argv[2], argc > 4 ? argv[4] : NULL);
	if (!strcmp(argv[2], "many") && argc >= 4) {
		int n = atoi(argv[3]), refused = 0, *socks = calloc((size_t)n, sizeof(int));

		for (int i = 0; i < n; i++)
			if (client_connect(argv[1], &socks[i]))
				socks[i] = -1;
		for (int i = 0; i < n; i++) {
			struct pollfd p = { .fd = socks[i], .events = POLLIN };

			if (socks[i] >= 0 && poll(&p, 1, 200) == 1) {
				refused++;
				close(socks[i]);
			}
		}
		printf("refused=%d\n", refused);
		hold_until_stdin_closes();
		free(socks);
		return 0;
	}
	if (!strcmp(argv[2], "repeat") && argc >= 4) {
		int n = atoi(argv[3]), ok = 0;

		for (int i = 0; i < n; i++) {
			struct client_listing l;
			char err[CLIENT_ERR_MAX];
			int r = client_list(sock, &l, err, sizeof(err));

			if (r) {
				printf("after %d: %s\n", ok, err);
				return r < 0 && r > -256 ? -r : 1;
			}
			client_listing_free(&l);
			ok++;
		}
		printf("ok=%d\n", ok);
		return 0;
	}
	if (!strcmp(argv[2], "noread") && argc >= 4) {
		struct nl_msg *msg;

		if (proto_new(&msg, PROTO_MSG_CREATE, 1, PROTO_REQUEST_MAX) ||
		    nla_put_string(msg, PROTO_A_BRIDGE, argv[3]) || proto_send(sock, msg, NULL, 0))
			return 1;
		return 0;	/* gone before the answer */
	}
	if (!strcmp(argv[2], "idle")) {
		printf("connected\n");
		hold_until_stdin_closes();
		return 0;
	}
	if (!strcmp(argv[2], "raw") && argc >= 4) {
		size_t len = strlen(argv[3]) / 2;

		for (size_t i = 0; i < len && i < sizeof(raw); i++)
			sscanf(argv[3] + 2 * i, "%2hhx", &raw[i]);
		return send_raw(sock, raw, len, argc > 4 ? atoi(argv[4]) : 0);
	}
	if (!strcmp(argv[2], "big") && argc >= 4) {
		size_t len = strtoul(argv[3], NULL, 10);
		struct nlmsghdr *nlh = (struct nlmsghdr *)raw;

		if (len > sizeof(raw))
			len = sizeof(raw);
		memset(raw, 0, len);
		nlh->nlmsg_len = (uint32_t)len;
		nlh->nlmsg_type = PROTO_MSG_LIST;
		raw[NLMSG_HDRLEN] = PROTO_VERSION;
		return send_raw(sock, raw, len, 0);
	}
	if (!strcmp(argv[2], "linger") && argc >= 5)
		return do_linger(sock, atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[2], "fds") && argc >= 4) {
		struct nl_msg *msg;

		if (proto_new(&msg, PROTO_MSG_LIST, 7, PROTO_REQUEST_MAX))
			return 1;
		return send_raw(sock, nlmsg_hdr(msg), nlmsg_hdr(msg)->nlmsg_len,
				atoi(argv[3]));
	}
	fprintf(stderr, "tapd-client: unknown command\n");
	return 1;
}
