// SPDX-License-Identifier: GPL-2.0-or-later
/* list.c - tapvm list: what tapd lets me use, and my taps */

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "commands.h"
#include "exitcode.h"
#include "tapd_error.h"
#include "util.h"

static void list_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm list [--bridges] [--socket PATH]\n"
"List your named VMs; the bridges tapd lets you use, with their quotas;\n"
"and your taps.\n"
"\n"
"      --bridges         print only the bridge names, one a line (for shell\n"
"                        completion)\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"  -h, --help            show this help\n");
}

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bridges", no_argument, NULL, 'b' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char err[CLIENT_ERR_MAX];
	struct client_listing l;
	const char *sock_path = NULL;
	cleanup_fd int sock = -1;
	bool bridges_only = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bridges_only = true;
			break;
		case 'S':
			sock_path = optarg;
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'tapvm list --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "tapvm: list takes no argument ('%s')\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!bridges_only && vm_list())
		printf("\n");
	ret = tapd_connect_or_explain("tapvm", client_socket_path(sock_path), &sock);
	if (ret)
		return ret;
	ret = client_list(sock, &l, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tapvm: %s\n", err);
		return tapd_exit_status(ret);
	}
	if (bridges_only) {
		for (size_t i = 0; i < l.ngrants; i++)
			printf("%s\n", l.grants[i].bridge);
		client_listing_free(&l);
		return 0;
	}
	if (!l.ngrants)
		printf("No bridge is granted to you by the tapd policy.\n");
	else
		printf("%-16s %s\n", "BRIDGE", "MAX-TAPS");
	for (size_t i = 0; i < l.ngrants; i++)
		printf("%-16s %u\n", l.grants[i].bridge, l.grants[i].max_taps);
	if (l.ntaps) {
		printf("\n%-16s %-16s %-8s %s\n", "TAP", "BRIDGE", "PID", "VM");
		for (size_t i = 0; i < l.ntaps; i++)
			printf("%-16s %-16s %-8u %s\n", l.taps[i].ifname,
			       l.taps[i].bridge[0] ? l.taps[i].bridge : "-",
			       l.taps[i].pid, l.taps[i].label[0] ? l.taps[i].label : "-");
	}
	client_listing_free(&l);
	return 0;
}
