// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_list.c - tapvm list and tapvm taps: what tapd lets me use, and my taps */

#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "age.h"
#include "client.h"
#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "vmdef.h"
#include "tapd_error.h"
#include "util.h"

static void list_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm list [--bridges | --names] [--socket PATH]\n"
"List your named VMs; the bridges tapd lets you use, with their quotas;\n"
"and your taps.\n"
"\n"
"      --bridges         print only the bridge names, one a line (for shell\n"
"                        completion)\n"
"      --names           print only the names of your VMs, defined or\n"
"                        started, one a line (for shell completion)\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"  -h, --help            show this help\n");
}

static int list_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the VM names in @dir: entries that are valid names, less @suffix. */
static void list_names_in(const char *dir, const char *suffix, char ***names, size_t *n)
{
	size_t sl = strlen(suffix);
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char **nn, *name;

		if (len <= sl || strcmp(e->d_name + len - sl, suffix))
			continue;
		name = strndup(e->d_name, len - sl);
		if (!name || !names_label_valid(name)) {
			free(name);
			continue;
		}
		/* On failure the old array stays ours; on success it may have moved. */
		nn = reallocarray(*names, *n + 1, sizeof(char *));
		if (!nn) {
			free(name);
			continue;
		}
		*names = nn;
		(*names)[(*n)++] = name;
	}
	if (d)
		closedir(d);
}

/* tapvm list --names: VMs defined (NAME.conf) or with a state directory. */
static int list_names(void)
{
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	char **names = NULL;
	size_t n = 0;

	if (!vmdef_dir(dir, sizeof(dir)))
		list_names_in(dir, ".conf", &names, &n);
	if (!state_base(dir, sizeof(dir), false, err, sizeof(err)))
		list_names_in(dir, "", &names, &n);
	if (n)
		qsort(names, n, sizeof(char *), list_cmp);
	/* A VM both defined and running is one name: printed once. */
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(names[i], names[i - 1]))
			printf("%s\n", names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return 0;
}

/* What tapd says this user may use and has; or a one-line error. */
static int list_fetch(const char *sock_path, struct client_listing *l)
{
	char err[CLIENT_ERR_MAX];
	cleanup_fd int sock = -1;
	int ret;

	ret = tapd_connect_or_explain("tapvm", client_socket_path(sock_path), &sock);
	if (ret)
		return ret;
	ret = client_list(sock, l, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "tapvm: %s\n", err);
		return tapd_exit_status(ret);
	}
	return 0;
}

static void list_print_taps(const struct client_listing *l)
{
	char age[AGE_MAX];

	printf("%-15s %-15s %-8s %-7s %s\n", "TAP", "BRIDGE", "PID", "AGE", "VM");
	for (size_t i = 0; i < l->ntaps; i++) {
		const struct client_tapinfo *t = &l->taps[i];

		age_format(age, sizeof(age), t->since);
		printf("%-15s %-15s %-8u %-7s %s\n", t->ifname, t->bridge[0] ? t->bridge : "-",
		       t->pid, age, t->label[0] ? t->label : "-");
	}
}

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bridges", no_argument, NULL, 'b' },
		{ "names", no_argument, NULL, 'N' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct client_listing l;
	const char *sock_path = NULL;
	bool bridges_only = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bridges_only = true;
			break;
		case 'N':
			return list_names();
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
	if (optind < argc)
		return command_no_operands("list", argv[optind]);
	if (!bridges_only && vm_list())
		printf("\n");
	ret = list_fetch(sock_path, &l);
	if (ret)
		return ret;
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
		printf("\n");
		list_print_taps(&l);
	}
	client_listing_free(&l);
	return 0;
}

static void taps_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm taps [--socket PATH]\n"
"List the taps tapd made for you: name, bridge, the pid that asked for it,\n"
"age and VM name. They go when the last process holding them exits.\n"
"\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"  -h, --help            show this help\n");
}

int taps_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sock_path = NULL;
	struct client_listing l;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock_path = optarg;
			break;
		case 'h':
			taps_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'tapvm taps --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return command_no_operands("taps", argv[optind]);
	ret = list_fetch(sock_path, &l);
	if (ret)
		return ret;
	if (l.ntaps)
		list_print_taps(&l);
	else
		printf("You have no taps.\n");
	client_listing_free(&l);
	return 0;
}
