// SPDX-License-Identifier: GPL-2.0-or-later
/* vm.c - a named VM: finding it, asking its supervisor, listing the VMs
 *
 * Each command for a named VM (cmd/cmd_stop.c and the others) talks to the
 * VM's supervisor through control.sock in its state directory: one line of
 * request, the answer until the supervisor closes.
 */

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "state.h"
#include "util.h"
#include "vm.h"

#include <json-c/json.h>

/* The state directory of a running VM, or a one-line reason why not. */
int vm_find(const char *name, char dir[PATH_MAX])
{
	char err[STATE_ERR_MAX];
	pid_t pid;

	if (!names_label_valid(name)) {
		fprintf(stderr, "tapvm: '%s' is not a VM name\n", name);
		return EXIT_USAGE;
	}
	if (state_dir(name, dir, PATH_MAX, false, err, sizeof(err))) {
		fprintf(stderr, "tapvm: %s\n", err);
		return EXIT_NOTRUNNING;
	}
	if (state_running(dir))
		return 0;
	pid = state_pid(dir);
	if (pid) {
		state_clean(dir);
		fprintf(stderr, "tapvm: VM %s is not running: its supervisor (pid %d) is gone; stale state cleaned\n",
			name, (int)pid);
	} else {
		fprintf(stderr, "tapvm: VM %s is not running: tapvm start %s\n", name, name);
	}
	return EXIT_NOTRUNNING;
}

/**
 * vm_request() - send one request to a VM's supervisor
 * @dir:	its state directory
 * @req:	the request, without newline
 * @out:	where the answer goes (NULL: a malloc'd string in @answer)
 * @answer:	set to the answer when @out is NULL
 *
 * Return: 0, or the exit status to leave with.
 */
int vm_request(const char *dir, const char *req, FILE *out, char **answer)
{
	cleanup_fd int sock = -1;
	size_t len = 0, cap = 0;
	char buf[4096], *acc = NULL;
	ssize_t n;
	int ret = state_connect(dir, "control.sock", &sock);

	if (ret) {
		fprintf(stderr, "tapvm: cannot reach the VM's supervisor in %s: %s\n", dir, strerror(-ret));
		return EXIT_NOTRUNNING;
	}
	if (dprintf(sock, "%s\n", req) < 0)
		return EXIT_OSERR;
	while ((n = read(sock, buf, sizeof(buf))) > 0) {
		if (out) {
			fwrite(buf, 1, (size_t)n, out);
			continue;
		}
		if (len + (size_t)n + 1 > cap) {
			char *a = realloc(acc, cap = (len + (size_t)n + 1) * 2);

			if (!a) {
				free(acc);
				return EXIT_OSERR;
			}
			acc = a;
		}
		memcpy(acc + len, buf, (size_t)n);
		len += (size_t)n;
		acc[len] = '\0';
	}
	if (!out)
		*answer = acc ? acc : strdup("");
	return 0;
}

/**
 * vm_verb() - one request to a running VM whose answer is "ok..." or "error: ..."
 * @name:	the VM
 * @req:	the request (reset, reboot)
 * @verb:	what it does, for the failure's line ("reset")
 * @answer:	set to the answer after "ok" and ": " (the caller frees it)
 *
 * Return: 0, or the exit status to leave with (said): EXIT_OSERR when the
 * supervisor answered an error.
 */
int vm_verb(const char *name, const char *req, const char *verb, char **answer)
{
	char dir[PATH_MAX], *a = NULL;
	size_t skip;
	int ret;

	*answer = NULL;
	if ((ret = vm_find(name, dir)) || (ret = vm_request(dir, req, NULL, &a)))
		return ret;
	if (strncmp(a, "ok", 2)) {
		fprintf(stderr, "tapvm: cannot %s VM %s: %s", verb, name,
			strncmp(a, "error: ", 7) ? a : a + 7);
		free(a);
		return EXIT_OSERR;
	}
	skip = a[2] == ':' ? 4 : 2;	/* "ok: ..." or "ok\n..." */
	memmove(a, a + skip, strlen(a + skip) + 1);
	*answer = a;
	return 0;
}

/* Wait for the supervisor to let go of the VM. */
bool vm_wait_gone(const char *dir, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		if (!state_running(dir))
			return true;
		usleep(100000);
	}
	return false;
}

/**
 * vm_end() - how a VM that ran ended, from its tapvm.log
 * @dir:	its state directory
 * @name:	its name
 * @line:	set to the log's line saying why (its "ended:" line, else its
 *		last line), with its newline; may be NULL
 * @size:	@line's size
 *
 * Return: the exit status its supervisor ended with, or -1 if the log does
 * not say (it never ran, or it runs).
 */
int vm_end(const char *dir, const char *name, char *line, size_t size)
{
	char path[PATH_MAX + 16], buf[512], last[512] = "", prev[512] = "", want[300];
	int status = -1, n;
	size_t wl;
	FILE *f;

	if (line && size)
		line[0] = '\0';
	snprintf(path, sizeof(path), "%s/tapvm.log", dir);
	snprintf(want, sizeof(want), VM_ENDED_LINE, name);
	wl = strlen(want);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		int st;

		if (strstr(buf, "ended:"))
			snprintf(prev, sizeof(prev), "%s", buf);
		snprintf(last, sizeof(last), "%s", buf);
		n = 0;
		if (!strncmp(buf, want, wl) && sscanf(buf + wl, "%d%n", &st, &n) == 1 &&
		    (buf[wl + (size_t)n] == '\n' || !buf[wl + (size_t)n]))
			status = st;
	}
	fclose(f);
	if (line && size)
		snprintf(line, size, "%s", prev[0] ? prev : last);
	return status;
}

/*
 * The line of tapvm.log that says how the VM ended, printed; return the
 * exit status its supervisor ended with, or -1 if the log does not say.
 */
int vm_print_end(const char *dir, const char *name)
{
	char line[512];
	int status = vm_end(dir, name, line, sizeof(line));

	fputs(line, stderr);
	return status;
}

const char *vm_name_arg(int argc, char **argv, const char *usage)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("%s", usage);
		return NULL;
	}
	if (argc < 2) {
		fprintf(stderr, "tapvm: %s needs a VM name\n", argv[0]);
		return NULL;
	}
	return argv[1];
}

/* "key=value" lines: the value of key, in @buf. */
const char *vm_field(const char *text, const char *key, char *buf, size_t size)
{
	size_t k = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, key, k) && l[k] == '=') {
			snprintf(buf, size, "%.*s", (int)strcspn(l + k + 1, "\n"), l + k + 1);
			return buf;
		}
	}
	snprintf(buf, size, "-");
	return buf;
}

/* Fields that are numbers in JSON; taps is a list. */
static const char *const vm_numbers[] = { "pid", "supervisor", "uptime", "memory_kb", "boots",
					  "exit_status" };

/**
 * vm_status_json() - a supervisor's key=value answer as a JSON object
 * @text:	the answer
 *
 * Return: the object (the caller puts it). "-" is null; taps a list.
 */
struct json_object *vm_status_json(const char *text)
{
	struct json_object *o = json_object_new_object();

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t len = strcspn(l, "\n"), k = strcspn(l, "=\n");
		char key[64], *val;
		struct json_object *v = NULL;

		if (k == len || k >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)k, l);
		val = strndup(l + k + 1, len - k - 1);
		if (!val)
			break;
		if (!strcmp(key, "taps")) {
			v = json_object_new_array();
			for (char *save = NULL, *t = strtok_r(val, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				if (strcmp(t, "-"))
					json_object_array_add(v, json_object_new_string(t));
		} else if (strcmp(val, "-")) {
			v = json_object_new_string(val);
			for (size_t i = 0; i < sizeof(vm_numbers) / sizeof(vm_numbers[0]); i++) {
				char *end;
				long long n = strtoll(val, &end, 10);

				if (!strcmp(key, vm_numbers[i]) && *val && !*end) {
					json_object_put(v);
					v = json_object_new_int64(n);
				}
			}
		}
		json_object_object_add(o, key, v);
		free(val);
	}
	return o;
}

/* A supervisor's answer on stdout: as it is, or as JSON. */
void vm_print_status(const char *text, bool json)
{
	struct json_object *o;

	if (!json) {
		fputs(text, stdout);
		return;
	}
	o = vm_status_json(text);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/**
 * vm_describe() - one named VM, as an object for tapvm list
 * @name:	the VM
 * @defined:	it has a NAME.conf
 *
 * Return: {"name", "state", ...}: a running VM's status fields; an ended
 * one's "exit_status"; or NULL when there is nothing to say (not defined,
 * never ran).
 */
struct json_object *vm_describe(const char *name, bool defined)
{
	char base[PATH_MAX], err[STATE_ERR_MAX], dir[PATH_MAX + 256], *answer = NULL;
	struct json_object *o;
	const char *state;
	int st = -1;

	if (state_base(base, sizeof(base), false, err, sizeof(err)))
		base[0] = '\0';	/* no state directory at all yet */
	snprintf(dir, sizeof(dir), "%s/%s", base, name);
	if (!base[0]) {
		state = defined ? "defined" : NULL;
	} else if (state_running(dir)) {
		if (!vm_request(dir, "status", NULL, &answer)) {
			o = vm_status_json(answer);
			free(answer);
			json_object_object_add(o, "name", json_object_new_string(name));
			json_object_object_add(o, "defined", json_object_new_boolean(defined));
			return o;
		}
		state = "?";	/* running, not answering */
	} else if (state_pid(dir)) {
		state = "stale";
	} else if ((st = vm_end(dir, name, NULL, 0)) >= 0) {
		state = "ended";
	} else if (!access(dir, F_OK)) {
		state = "stopped";
	} else {
		state = defined ? "defined" : NULL;
	}
	if (!state)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "defined", json_object_new_boolean(defined));
	if (st >= 0)
		json_object_object_add(o, "exit_status", json_object_new_int(st));
	return o;
}
