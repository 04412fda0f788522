// SPDX-License-Identifier: GPL-2.0-or-later
/* test_proto.c - protocol round trips, and rejection of malformed input */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <poll.h>
#include <sys/wait.h>

#include "client.h"
#include "proto.h"

static uint8_t buf[PROTO_REPLY_MAX] __attribute__((aligned(8)));

static size_t copy_msg(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	size_t len = nlh->nlmsg_len;

	memcpy(buf, nlh, len);
	nlmsg_free(msg);
	return len;
}

/* A valid create request, copied into buf; returns its length. */
static size_t create_request(const char *bridge, const char *label)
{
	struct nl_msg *msg;

	assert_int_equal(proto_new(&msg, PROTO_MSG_CREATE, 42, PROTO_REQUEST_MAX), 0);
	assert_int_equal(nla_put_string(msg, PROTO_A_BRIDGE, bridge), 0);
	if (label)
		assert_int_equal(nla_put_string(msg, PROTO_A_LABEL, label), 0);
	assert_int_equal(nla_put_u32(msg, PROTO_A_QUEUES, 1), 0);
	return copy_msg(msg);
}

static int parse_req(size_t len, const char **why)
{
	struct proto_parsed p;

	*why = NULL;
	return proto_parse(buf, len, true, &p, why);
}

static void test_create_roundtrip(void **state)
{
	size_t len = create_request("br0", "vm-1");
	struct proto_parsed p;
	const char *why = NULL;

	assert_int_equal(proto_parse(buf, len, true, &p, &why), 0);
	assert_int_equal(p.type, PROTO_MSG_CREATE);
	assert_int_equal(p.seq, 42);
	assert_string_equal(nla_get_string(p.tb[PROTO_A_BRIDGE]), "br0");
	assert_string_equal(nla_get_string(p.tb[PROTO_A_LABEL]), "vm-1");
	assert_int_equal(nla_get_u32(p.tb[PROTO_A_QUEUES]), 1);
	/* The same bytes are not a valid reply: direction matters. */
	assert_int_equal(proto_parse(buf, len, false, &p, &why), -EOPNOTSUPP);
}

static void test_error_roundtrip(void **state)
{
	struct proto_parsed p;
	struct nl_msg *msg;
	const char *why = NULL;
	char longline[600];
	size_t len;

	assert_int_equal(proto_error_new(&msg, 7, -EACCES, "no %s", "way"), 0);
	len = copy_msg(msg);
	assert_int_equal(proto_parse(buf, len, false, &p, &why), 0);
	assert_int_equal(p.type, PROTO_MSG_ERROR);
	assert_int_equal(p.seq, 7);
	assert_int_equal(nla_get_u32(p.tb[PROTO_A_ERRNO]), EACCES);
	assert_string_equal(nla_get_string(p.tb[PROTO_A_MESSAGE]), "no way");
	/* A client must not accept an error as a request. */
	assert_int_equal(proto_parse(buf, len, true, &p, &why), -EOPNOTSUPP);

	/* Long lines are cut to fit the attribute's bound, not refused. */
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(proto_error_new(&msg, 8, -EIO, "%s", longline), 0);
	len = copy_msg(msg);
	assert_int_equal(proto_parse(buf, len, false, &p, &why), 0);
	assert_int_equal(strlen(nla_get_string(p.tb[PROTO_A_MESSAGE])),
			 PROTO_MESSAGE_MAX - 1);
}

static void test_list_reply_repeats(void **state)
{
	struct nlattr *tb[PROTO_A_MAX + 1], *nla, *n;
	struct proto_parsed p;
	struct nl_msg *msg;
	const char *why = NULL;
	int rem, grants = 0;
	size_t len;

	assert_int_equal(proto_new(&msg, PROTO_MSG_LIST, 3, PROTO_REPLY_MAX), 0);
	for (int i = 0; i < 3; i++) {
		n = nla_nest_start(msg, PROTO_A_GRANT);
		assert_non_null(n);
		assert_int_equal(nla_put_string(msg, PROTO_A_BRIDGE, "br0"), 0);
		assert_int_equal(nla_put_u32(msg, PROTO_A_MAX_TAPS, (uint32_t)i), 0);
		nla_nest_end(msg, n);
	}
	len = copy_msg(msg);
	assert_int_equal(proto_parse(buf, len, false, &p, &why), 0);
	nla_for_each_attr(nla, p.attrs, p.attrlen, rem) {
		assert_int_equal(proto_parse_nested(tb, PROTO_A_MAX, nla, &why), 0);
		assert_int_equal(nla_get_u32(tb[PROTO_A_MAX_TAPS]), grants++);
	}
	assert_int_equal(grants, 3);
}

static void test_reject_framing(void **state)
{
	size_t len = create_request("br0", NULL);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const char *why;

	assert_int_equal(parse_req(0, &why), -EBADMSG);
	assert_int_equal(parse_req(NLMSG_HDRLEN - 1, &why), -EBADMSG);
	/* The header must say exactly what arrived, no more, no less. */
	assert_int_equal(parse_req(len - 4, &why), -EBADMSG);
	nlh->nlmsg_len = (uint32_t)len + 4;
	assert_int_equal(parse_req(len + 4, &why), -EBADMSG);
	nlh->nlmsg_len = 0xffffffff;
	assert_int_equal(parse_req(len, &why), -EBADMSG);
	assert_non_null(why);
	/* A header with no room for the tapd header. */
	nlh->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(parse_req(NLMSG_HDRLEN, &why), -EBADMSG);
}

static void test_reject_header_fields(void **state)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct proto_hdr *hdr = (struct proto_hdr *)(buf + NLMSG_HDRLEN);
	size_t len;
	const char *why;

	len = create_request("br0", NULL);
	hdr->version = 2;
	assert_int_equal(parse_req(len, &why), -EPROTONOSUPPORT);
	hdr->version = 0;
	assert_int_equal(parse_req(len, &why), -EPROTONOSUPPORT);

	/* Header fields that must be zero: framing, EBADMSG (docs/protocol.md). */
	len = create_request("br0", NULL);
	hdr->reserved[1] = 1;
	assert_int_equal(parse_req(len, &why), -EBADMSG);

	len = create_request("br0", NULL);
	nlh->nlmsg_flags = NLM_F_REQUEST;
	assert_int_equal(parse_req(len, &why), -EBADMSG);

	len = create_request("br0", NULL);
	nlh->nlmsg_pid = 1;
	assert_int_equal(parse_req(len, &why), -EBADMSG);

	len = create_request("br0", NULL);
	nlh->nlmsg_type = 0x99;
	assert_int_equal(parse_req(len, &why), -EOPNOTSUPP);
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(parse_req(len, &why), -EOPNOTSUPP);
	nlh->nlmsg_type = PROTO_MSG_ERROR;
	assert_int_equal(parse_req(len, &why), -EOPNOTSUPP);
}

static size_t request_with(int type, const void *data, size_t dlen, bool raw_bridge)
{
	struct nl_msg *msg;

	assert_int_equal(proto_new(&msg, PROTO_MSG_CREATE, 1, PROTO_REQUEST_MAX), 0);
	if (!raw_bridge)
		assert_int_equal(nla_put_string(msg, PROTO_A_BRIDGE, "br0"), 0);
	assert_int_equal(nla_put(msg, type, (int)dlen, data), 0);
	return copy_msg(msg);
}

static void test_reject_attributes(void **state)
{
	const char *why;
	uint32_t u = 1;
	uint8_t five[5] = { 1, 0, 0, 0, 0 };
	char name17[17];

	/* Not allowed in a create request (a reply attribute), or unknown. */
	assert_int_equal(parse_req(request_with(PROTO_A_IFNAME, "x", 2, false), &why),
			 -EOPNOTSUPP);
	assert_int_equal(parse_req(request_with(PROTO_A_MAX + 1, &u, 4, false), &why),
			 -EOPNOTSUPP);
	assert_int_equal(parse_req(request_with(0, &u, 4, false), &why), -EOPNOTSUPP);
	/* Repeated. */
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, "br1", 4, false), &why),
			 -EINVAL);
	/* Required attribute missing. */
	assert_int_equal(parse_req(request_with(PROTO_A_QUEUES, &u, 4, true), &why),
			 -EINVAL);
	/* Sizes: a u32 of 5 or 2 bytes, an empty string. */
	assert_int_equal(parse_req(request_with(PROTO_A_QUEUES, five, 5, false), &why),
			 -EINVAL);
	assert_int_equal(parse_req(request_with(PROTO_A_QUEUES, &u, 2, false), &why),
			 -EINVAL);
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, "", 0, true), &why),
			 -EINVAL);
	/* A bridge name of 16 bytes plus NUL: refused, never cut to 15. */
	memset(name17, 'b', 16);
	name17[16] = '\0';
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, name17, 17, true), &why),
			 -EINVAL);
	/* 15 bytes plus NUL is the largest valid one. */
	name17[15] = '\0';
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, name17, 16, true), &why), 0);
	/* Not NUL-terminated, or a NUL inside. */
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, "br0x", 4, true), &why),
			 -EINVAL);
	assert_int_equal(parse_req(request_with(PROTO_A_BRIDGE, "br\0evil", 8, true), &why),
			 -EINVAL);
	assert_non_null(why);
}

static void test_reject_trailing_and_bad_nla(void **state)
{
	size_t len = create_request("br0", NULL);
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlattr *first = (struct nlattr *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct proto_hdr)));
	const char *why;

	/* Two stray bytes after the last attribute. */
	buf[len] = 0xaa;
	buf[len + 1] = 0xbb;
	nlh->nlmsg_len = (uint32_t)len + 2;
	assert_int_equal(parse_req(len + 2, &why), -EBADMSG);

	/*
	 * The last attribute unpadded: "br0x" and its NUL are 5 bytes, padded
	 * to 8; a length that leaves the padding out is refused, and says so.
	 */
	{
		struct nl_msg *msg;

		assert_int_equal(proto_new(&msg, PROTO_MSG_CREATE, 7, PROTO_REQUEST_MAX), 0);
		assert_int_equal(nla_put_string(msg, PROTO_A_BRIDGE, "br0x"), 0);
		len = copy_msg(msg);
		assert_int_equal(parse_req(len, &why), 0);
		nlh->nlmsg_len = (uint32_t)len - 3;
		assert_int_equal(parse_req(len - 3, &why), -EBADMSG);
		assert_non_null(strstr(why, "padding"));
	}

	/* Flag bits on a request attribute's type. */
	len = create_request("br0", NULL);
	first->nla_type |= NLA_F_NESTED;
	assert_int_equal(parse_req(len, &why), -EINVAL);
	len = create_request("br0", NULL);
	first->nla_type |= NLA_F_NET_BYTEORDER;
	assert_int_equal(parse_req(len, &why), -EINVAL);

	/* An attribute whose length runs past the message. */
	len = create_request("br0", NULL);
	first->nla_len = 200;
	assert_int_equal(parse_req(len, &why) < 0, 1);
	/* An attribute shorter than its own header. */
	len = create_request("br0", NULL);
	first->nla_len = 2;
	assert_int_equal(parse_req(len, &why) < 0, 1);
}

/* Random damage to valid messages: any verdict, but no crash (ASan). */
static void test_mutations_never_crash(void **state)
{
	unsigned int seed = 1;
	const char *why;

	for (int i = 0; i < 20000; i++) {
		size_t len = create_request("br0", "vm");
		int flips = 1 + (int)(rand_r(&seed) % 4);

		for (int f = 0; f < flips; f++)
			buf[rand_r(&seed) % len] ^= (uint8_t)(1u << (rand_r(&seed) % 8));
		if (rand_r(&seed) % 8 == 0)
			len -= rand_r(&seed) % len;
		(void)parse_req(len, &why);
	}
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void test_fd_passing(void **state)
{
	int sv[2], fds[PROTO_FDS_MAX], devnull;
	struct stat a, b;
	struct nl_msg *msg;
	size_t nfds;
	ssize_t n;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(devnull >= 0);
	assert_int_equal(proto_new(&msg, PROTO_MSG_LIST, 9, PROTO_REQUEST_MAX), 0);
	assert_int_equal(proto_send(sv[0], msg, &devnull, 1), 0);
	nlmsg_free(msg);

	n = proto_recv(sv[1], buf, PROTO_REQUEST_MAX, fds, &nfds);
	assert_true(n > 0);
	assert_int_equal(nfds, 1);
	assert_int_equal(fstat(devnull, &a), 0);
	assert_int_equal(fstat(fds[0], &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	proto_close_fds(fds, nfds);
	close(devnull);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A fake tapd in a child: reads one create request and answers with @desc
 * (FD_TAP/FD_VHOST entries, 'T' and 'V', each numbered from 0 within its
 * kind, unless @desc says otherwise with a digit after the letter), @nfds
 * fds of /dev/null, and VHOST_ERRNO if @vhost_errno.
 */
static pid_t fake_tapd(int sock, const char *desc, size_t nfds, int vhost_errno)
{
	pid_t pid = fork();

	if (pid == 0) {
		static uint8_t rbuf[PROTO_REQUEST_MAX] __attribute__((aligned(8)));
		int fds[PROTO_FDS_MAX], out[PROTO_FDS_MAX];
		unsigned int nt = 0, nv = 0;
		struct proto_parsed p;
		struct nl_msg *msg;
		struct nlattr *nest;
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		const char *why;
		ssize_t len = -1;
		size_t n;

		/* proto_recv() does not wait: tapd polls first, and so does this. */
		if (poll(&pfd, 1, 10000) == 1)
			len = proto_recv(sock, rbuf, sizeof(rbuf), fds, &n);
		if (len <= 0 || proto_parse(rbuf, (size_t)len, true, &p, &why) ||
		    proto_new(&msg, PROTO_MSG_CREATE, p.seq, PROTO_REQUEST_MAX) ||
		    nla_put_string(msg, PROTO_A_IFNAME, "tapd0000beef") ||
		    (vhost_errno && nla_put_u32(msg, PROTO_A_VHOST_ERRNO, (uint32_t)vhost_errno)) ||
		    !(nest = nla_nest_start(msg, PROTO_A_FDS)))
			_exit(1);
		for (const char *d = desc; *d; d++) {
			bool tap = *d == 'T';
			unsigned int idx = tap ? nt++ : nv++;

			if (d[1] >= '0' && d[1] <= '9')
				idx = (unsigned int)(*++d - '0');
			if (nla_put_u32(msg, tap ? PROTO_FD_TAP : PROTO_FD_VHOST, idx))
				_exit(1);
		}
		nla_nest_end(msg, nest);
		for (size_t k = 0; k < nfds; k++)
			out[k] = open("/dev/null", O_RDONLY);
		_exit(proto_send(sock, msg, out, nfds) ? 1 : 0);
	}
	return pid;
}

/* The client takes the fds only as described: queues, then vhost fds. */
static void test_client_fd_descriptions(void **state)
{
	static const struct {
		unsigned int queues;
		bool vhost;
		const char *desc;
		size_t nfds;
		int vhost_errno;
		int want;
		size_t nqueues, nvhost;
	} cases[] = {
		{ 2, true, "TTVV", 4, 0, 0, 2, 2 },
		{ 2, true, "TT", 2, ENOENT, 0, 2, 0 },	/* no vhost: says why */
		{ 1, false, "T", 1, 0, 0, 1, 0 },
		{ 2, false, "T", 1, 0, -EPROTO, 0, 0 },	/* fewer queues than asked */
		{ 1, false, "TT", 2, 0, -EPROTO, 0, 0 },	/* more */
		{ 2, true, "TVTV", 4, 0, -EPROTO, 0, 0 },	/* interleaved */
		{ 2, true, "TTV", 3, 0, -EPROTO, 0, 0 },	/* a vhost fd short */
		{ 2, false, "T0T0", 2, 0, -EPROTO, 0, 0 },	/* a queue twice */
		{ 2, false, "TT", 3, 0, -EPROTO, 0, 0 },	/* an fd not described */
		{ 1, false, "TV", 2, 0, -EPROTO, 0, 0 },	/* vhost not asked for */
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct wire_create rq = { .bridge = "br0", .queues = cases[c].queues,
					     .vhost = cases[c].vhost };
		char err[CLIENT_ERR_MAX];
		struct client_tap tap;
		int sv[2], before, status, ret;
		pid_t pid;

		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		before = count_fds();
		pid = fake_tapd(sv[1], cases[c].desc, cases[c].nfds, cases[c].vhost_errno);
		ret = client_request_tap(sv[0], &rq, &tap, err, sizeof(err));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_int_equal(status, 0);
		if (ret != cases[c].want) {
			print_error("case %zu (%s): got %d (%s), wanted %d\n", c, cases[c].desc, ret,
				    ret ? err : "", cases[c].want);
			fail();
		}
		if (!ret) {
			assert_int_equal(tap.nqueues, cases[c].nqueues);
			assert_int_equal(tap.nvhost, cases[c].nvhost);
			assert_int_equal(tap.nfds, cases[c].nfds);
			assert_int_equal(tap.vhost_err, cases[c].vhost_errno);
			proto_close_fds(tap.fds, tap.nfds);
		}
		/* Refused or taken and closed: none of the fds stays open. */
		assert_int_equal(count_fds(), before);
		close(sv[0]);
		close(sv[1]);
	}
}

/* Too big, or too many fds: refused, and no received fd stays open. */
static void test_recv_bounds(void **state)
{
	int sv[2], fds[PROTO_FDS_MAX], many[PROTO_FDS_MAX + 4];
	union {
		char c[CMSG_SPACE(sizeof(many))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = 64 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.c, .msg_controllen = sizeof(u.c) };
	struct cmsghdr *c;
	static uint8_t big[PROTO_REQUEST_MAX + 1];
	int before;
	size_t nfds;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(send(sv[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(proto_recv(sv[1], buf, PROTO_REQUEST_MAX, fds, &nfds), -EMSGSIZE);
	assert_int_equal(nfds, 0);

	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		many[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&u, 0, sizeof(u));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(many));
	memcpy(CMSG_DATA(c), many, sizeof(many));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 64);
	for (size_t i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		close(many[i]);

	before = count_fds();
	assert_int_equal(proto_recv(sv[1], buf, PROTO_REQUEST_MAX, fds, &nfds), -ENOBUFS);
	assert_int_equal(nfds, 0);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_roundtrip),
		cmocka_unit_test(test_error_roundtrip),
		cmocka_unit_test(test_list_reply_repeats),
		cmocka_unit_test(test_reject_framing),
		cmocka_unit_test(test_reject_header_fields),
		cmocka_unit_test(test_reject_attributes),
		cmocka_unit_test(test_reject_trailing_and_bad_nla),
		cmocka_unit_test(test_mutations_never_crash),
		cmocka_unit_test(test_fd_passing),
		cmocka_unit_test(test_recv_bounds),
		cmocka_unit_test(test_client_fd_descriptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
