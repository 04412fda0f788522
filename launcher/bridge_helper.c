// SPDX-License-Identifier: GPL-2.0-or-later
/* bridge_helper.c - tapd-bridge-helper: qemu-bridge-helper's interface, tapd's taps
 *
 * QEMU (-netdev bridge) and libvirt (qemu:///session, <interface
 * type='bridge'>) reach a bridge by running a helper with a socket at fd N:
 *
 *	HELPER [--use-vnet] --br=BRIDGE --fd=N
 *
 * in whatever order the caller likes, and read back one message: a one-byte
 * payload with the tap's fd in SCM_RIGHTS. QEMU's own helper is setuid root
 * and decides by its own ACL file; this one has no privilege at all and asks
 * tapd, so tapd's policy and quotas apply, and the tap vanishes with the VM.
 *
 * Exit 0 when the fd is sent, else 1 with one line on stderr, which QEMU
 * and libvirt show to their user.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "client.h"
#include "names.h"
#include "proto.h"
#include "tapd_error.h"
#include "util.h"

#define PROG	"tapd-bridge-helper"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " PROG " [--use-vnet] --br=BRIDGE --fd=N\n"
"Get a tap on BRIDGE from tapd and send its fd over the socket at fd N,\n"
"as QEMU's qemu-bridge-helper does, without setuid or capabilities.\n"
"\n"
"  --br=BRIDGE   the bridge (tapd's policy must grant it to the caller)\n"
"  --fd=N        a connected Unix socket to send the tap's fd on\n"
"  --use-vnet    accepted: tapd's taps always carry virtio-net headers,\n"
"                which QEMU detects on the fd\n"
"  -h, --help    show this help and exit\n"
"  -V, --version show the version and exit\n"
"\n"
"tapd's socket: $TAPD_SOCKET, else " PROTO_DEFAULT_SOCKET ".\n"
"Use it as QEMU's -netdev bridge,br=BRIDGE,helper=PATH, or as bridge_helper\n"
"in libvirt's qemu.conf. Exit status: 0 when the fd was sent, else 1.\n");
}

/* "--br=X" or "--br" "X": QEMU and libvirt use the first; people type either. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (*i >= argc || !argv[*i] || strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* The tap's label: the caller's process name, as far as a label allows. */
static void helper_label(char *label, size_t size)
{
	char path[64], comm[32] = "";
	cleanup_fd int fd = -1;
	ssize_t n;
	size_t j = 0;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)getppid());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, comm, sizeof(comm) - 1);
	for (ssize_t i = 0; i < n && j + 1 < size; i++) {
		char c = comm[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (j && (c == '.' || c == '_' || c == '-')))
			label[j++] = c;
	}
	label[j] = '\0';
	if (!names_label_valid(label))
		snprintf(label, size, "bridge-helper");
}

int main(int argc, char **argv)
{
	const char *bridge = NULL, *fdarg = NULL, *path = client_socket_path(NULL);
	char err[CLIENT_ERR_MAX], label[NAMES_LABEL_MAX + 1], *end = NULL;
	cleanup_fd int tapd = -1;
	struct client_tap tap;
	struct stat st;
	long out = -1;
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf(PROG " %s (tapd protocol %d)\n", TAPVM_VERSION, PROTO_VERSION);
			return 0;
		}
		if (!strcmp(argv[i], "--use-vnet"))
			continue;
		if ((v = opt_value(argc, argv, &i, "--br"))) {
			bridge = v;
		} else if ((v = opt_value(argc, argv, &i, "--fd"))) {
			fdarg = v;
		} else {
			fprintf(stderr, PROG ": unknown argument '%s'; usage: " PROG
				" [--use-vnet] --br=BRIDGE --fd=N\n", argv[i]);
			return 1;
		}
	}
	if (!bridge || !fdarg) {
		fprintf(stderr, PROG ": --br=BRIDGE and --fd=N are both needed; see "
			PROG " --help\n");
		return 1;
	}
	errno = 0;
	if (fdarg[0] >= '0' && fdarg[0] <= '9')
		out = strtol(fdarg, &end, 10);
	if (out < 0 || errno || !end || *end || out > INT_MAX) {
		fprintf(stderr, PROG ": --fd takes a file descriptor number, not '%s'\n", fdarg);
		return 1;
	}
	if (fstat((int)out, &st) || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, PROG ": fd %ld is not a socket: " PROG
			" is meant to be run by QEMU or libvirt\n", out);
		return 1;
	}
	if (!names_ifname_valid(bridge)) {
		fprintf(stderr, PROG ": '%s' is not a valid interface name\n", bridge);
		return 1;
	}

	if (tapd_connect_or_explain(PROG, path, &tapd))
		return 1;
	helper_label(label, sizeof(label));
	ret = client_create(tapd, bridge, label, &tap, err, sizeof(err));
	if (ret) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	/* One message: one byte and exactly one fd, or nothing at all. */
	ret = proto_send_bytes((int)out, "", 1, tap.fds, 1);
	proto_close_fds(tap.fds, tap.nfds);
	if (ret) {
		fprintf(stderr, PROG ": cannot send the tap's fd on fd %ld: %s\n", out,
			strerror(-ret));
		return 1;
	}
	return 0;
}
