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
#include "vm.h"

#include <json-c/json.h>

static void list_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm list [--running | --all] [--json] [--bridges | --names] [--socket PATH]\n"
"List your named VMs; the bridges tapd lets you use, with their quotas;\n"
"and your taps. A VM's STATE is running, stopping or rebooting while its\n"
"supervisor runs; ended (EXIT: its exit status), stopped (no status kept),\n"
"stale (its supervisor was killed) or defined (a NAME.conf, never run).\n"
"\n"
"      --running         only the VMs that run\n"
"      --all             every VM, defined, running or ended (the default)\n"
"      --json            one JSON object: \"vms\", \"bridges\", \"taps\"\n"
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

/*
 * The VM names: defined (NAME.conf) or with a state directory, sorted, each
 * once; @defined[i] says whether names[i] has a NAME.conf.
 */
static size_t list_vm_names(char ***names, bool **defined)
{
	char dir[PATH_MAX], err[STATE_ERR_MAX];
	char **conf = NULL, **all = NULL;
	size_t nconf = 0, n = 0, out = 0;

	if (!vmdef_dir(dir, sizeof(dir)))
		list_names_in(dir, ".conf", &conf, &nconf);
	if (!state_base(dir, sizeof(dir), false, err, sizeof(err)))
		list_names_in(dir, "", &all, &n);
	for (size_t i = 0; i < nconf; i++) {
		char **nn = reallocarray(all, n + 1, sizeof(char *));

		if (!nn) {
			free(conf[i]);
			continue;
		}
		all = nn;
		all[n++] = conf[i];
	}
	if (n)
		qsort(all, n, sizeof(char *), list_cmp);
	*defined = calloc(n ? n : 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		bool dup = out && !strcmp(all[i], all[out - 1]);
		bool def = false;

		for (size_t j = 0; j < nconf; j++)
			def = def || conf[j] == all[i];
		if (dup) {
			if (*defined)
				(*defined)[out - 1] |= def;
			free(all[i]);
			continue;
		}
		all[out] = all[i];
		if (*defined)
			(*defined)[out] = def;
		out++;
	}
	free(conf);
	*names = all;
	return *defined ? out : 0;
}

/* tapvm list --names: VMs defined (NAME.conf) or with a state directory. */
static int list_names(void)
{
	char **names = NULL;
	bool *defined = NULL;
	size_t n = list_vm_names(&names, &defined);

	for (size_t i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	free(defined);
	return 0;
}

static bool list_is_running(struct json_object *vm)
{
	struct json_object *st;
	const char *s;

	if (!json_object_object_get_ex(vm, "state", &st))
		return false;
	s = json_object_get_string(st);
	return !strcmp(s, "running") || !strcmp(s, "stopping") || !strcmp(s, "rebooting");
}

/* The VMs, as JSON objects (vm_describe()), filtered. */
static struct json_object *list_vms(bool running_only)
{
	struct json_object *arr = json_object_new_array();
	char **names = NULL;
	bool *defined = NULL;
	size_t n = list_vm_names(&names, &defined);

	for (size_t i = 0; i < n; i++) {
		struct json_object *vm = vm_describe(names[i], defined[i]);

		if (vm && (!running_only || list_is_running(vm)))
			json_object_array_add(arr, vm);
		else
			json_object_put(vm);
		free(names[i]);
	}
	free(names);
	free(defined);
	return arr;
}

static const char *list_field(struct json_object *o, const char *key, char *buf, size_t size)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	snprintf(buf, size, "%s", json_object_get_string(v));
	return buf;
}

/* The VMs as a table; nothing when there are none. Return: how many. */
static size_t list_print_vms(struct json_object *vms)
{
	size_t n = json_object_array_length(vms);

	if (n)
		printf("%-20s %-9s %-4s %-8s %-8s %-10s %s\n", "VM", "STATE", "EXIT", "PID",
		       "UPTIME", "MEMORY", "TAPS");
	for (size_t i = 0; i < n; i++) {
		struct json_object *vm = json_object_array_get_idx(vms, i), *taps;
		char name[80], st[32], ex[16], pid[16], up[24], mem[40], tl[512] = "";

		list_field(vm, "memory_kb", mem, sizeof(mem));
		if (json_object_object_get_ex(vm, "memory_kb", NULL))
			strncat(mem, " kB", sizeof(mem) - strlen(mem) - 1);
		if (json_object_object_get_ex(vm, "taps", &taps) && taps)
			for (size_t t = 0; t < json_object_array_length(taps); t++)
				snprintf(tl + strlen(tl), sizeof(tl) - strlen(tl), "%s%s", t ? "," : "",
					 json_object_get_string(json_object_array_get_idx(taps, t)));
		printf("%-20s %-9s %-4s %-8s %-8s %-10s %s\n", list_field(vm, "name", name, sizeof(name)),
		       list_field(vm, "state", st, sizeof(st)),
		       list_field(vm, "exit_status", ex, sizeof(ex)),
		       list_field(vm, "pid", pid, sizeof(pid)),
		       list_field(vm, "uptime", up, sizeof(up)),
		       json_object_object_get_ex(vm, "memory_kb", NULL) ? mem : "-",
		       tl[0] ? tl : "-");
	}
	return n;
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

/* The taps as JSON: ifname, bridge, pid, since (epoch seconds), vm. */
static struct json_object *list_taps_json(const struct client_listing *l)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < l->ntaps; i++) {
		const struct client_tapinfo *t = &l->taps[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ifname", json_object_new_string(t->ifname));
		json_object_object_add(o, "bridge", t->bridge[0] ? json_object_new_string(t->bridge) : NULL);
		json_object_object_add(o, "pid", json_object_new_int64(t->pid));
		json_object_object_add(o, "since", t->since ? json_object_new_int64((int64_t)t->since) : NULL);
		json_object_object_add(o, "vm", t->label[0] ? json_object_new_string(t->label) : NULL);
		json_object_array_add(arr, o);
	}
	return arr;
}

static void list_print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
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
		{ "running", no_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct client_listing l;
	const char *sock_path = NULL;
	bool bridges_only = false, names_only = false, running_only = false, json = false;
	struct json_object *vms;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bridges_only = true;
			break;
		case 'N':
			names_only = true;
			break;
		case 'r':
			running_only = true;
			break;
		case 'a':
			running_only = false;
			break;
		case 'j':
			json = true;
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
	if (optind < argc)
		return command_no_operands("list", argv[optind]);
	if (names_only)
		return list_names();
	vms = bridges_only ? NULL : list_vms(running_only);
	if (vms && !json && list_print_vms(vms))
		printf("\n");
	ret = list_fetch(sock_path, &l);
	if (ret) {
		json_object_put(vms);
		return ret;
	}
	if (json) {
		struct json_object *o = json_object_new_object(), *br = json_object_new_array();

		for (size_t i = 0; i < l.ngrants; i++) {
			struct json_object *g = json_object_new_object();

			json_object_object_add(g, "bridge", json_object_new_string(l.grants[i].bridge));
			json_object_object_add(g, "max_taps", json_object_new_int64(l.grants[i].max_taps));
			json_object_array_add(br, g);
		}
		if (vms)
			json_object_object_add(o, "vms", vms);
		json_object_object_add(o, "bridges", br);
		if (!bridges_only)
			json_object_object_add(o, "taps", list_taps_json(&l));
		list_print_json(o);
		client_listing_free(&l);
		return 0;
	}
	json_object_put(vms);
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
"Usage: tapvm taps [--json] [--socket PATH]\n"
"List the taps tapd made for you: name, bridge, the pid that asked for it,\n"
"age and VM name. They go when the last process holding them exits.\n"
"\n"
"      --json            a JSON array: ifname, bridge, pid, since (seconds\n"
"                        since the epoch), vm\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"  -h, --help            show this help\n");
}

int taps_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sock_path = NULL;
	struct client_listing l;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock_path = optarg;
			break;
		case 'j':
			json = true;
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
	if (json)
		list_print_json(list_taps_json(&l));
	else if (l.ntaps)
		list_print_taps(&l);
	else
		printf("You have no taps.\n");
	client_listing_free(&l);
	return 0;
}
