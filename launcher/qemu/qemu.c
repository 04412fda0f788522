// SPDX-License-Identifier: GPL-2.0-or-later
/* qemu.c - what only QEMU can answer: device properties, machine aliases,
 * disk image formats
 *
 * Each question runs a QEMU program once and its answer is kept for the
 * rest of the run: a model's properties are asked for once per model.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "qemu.h"
#include "util.h"

#define QEMU_OUTPUT_MAX	(1 << 20)

struct qemu_model {
	struct qemu_model *next;
	char *name;
	char *props;	/* "\nprop1\nprop2\n...\n" */
};

/**
 * qemu_capture() - run a program, collect what it prints
 * @argv:	the program and its arguments; argv[0] is looked up in $PATH
 * @out:	set to its stdout and stderr together, NUL-terminated
 *
 * Return: its exit status (0 to 255), or -errno: -ENOENT when the program
 * does not exist, -EFBIG when it printed more than 1 MiB.
 */
int qemu_capture(char *const argv[], char **out)
{
	int pipefd[2], errpipe[2], status, e = 0;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;
	pid_t pid;

	if (!buf)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC)) {
		free(buf);
		return -errno;
	}
	if (pipe2(errpipe, O_CLOEXEC)) {
		close(pipefd[0]);
		close(pipefd[1]);
		free(buf);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(pipefd[1], 1) < 0 ||
		    dup2(pipefd[1], 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	close(errpipe[1]);
	if (pid < 0) {
		close(pipefd[0]);
		close(errpipe[0]);
		free(buf);
		return -EAGAIN;
	}
	while ((n = read(pipefd[0], buf + len, cap - len - 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
		if (len + 1 == cap) {
			char *nb;

			if (cap >= QEMU_OUTPUT_MAX) {
				e = EFBIG;
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				e = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	close(pipefd[0]);
	buf[len] = '\0';
	{
		int exec_errno;

		if (read(errpipe[0], &exec_errno, sizeof(exec_errno)) == sizeof(exec_errno))
			e = exec_errno;
	}
	close(errpipe[0]);
	if (e == EFBIG || e == ENOMEM)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (e) {
		free(buf);
		return -e;
	}
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static struct qemu_model *qemu_model_load(struct qemu_probe *q, const char *model)
{
	cleanup_free char *arg = NULL, *out = NULL;
	struct qemu_model *m;
	char *line, *save = NULL;
	bool valid = false;
	size_t plen = 2;
	int ret;

	for (m = q->models; m; m = m->next)
		if (!strcmp(m->name, model))
			return m;

	if (asprintf(&arg, "%s,help", model) < 0)
		return NULL;
	ret = qemu_capture((char *[]){ (char *)q->qemu, "-device", arg, NULL }, &out);
	if (ret < 0) {
		snprintf(q->err, sizeof(q->err), "cannot run %s: %s", q->qemu, strerror(-ret));
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->name = strdup(model)) || !(m->props = malloc(strlen(out) + 3))) {
		if (m)
			free(m->name);
		free(m);
		return NULL;
	}
	/* "virtio-net-pci options:" then "  name=<type> ..." lines. */
	strcpy(m->props, "\n");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line), k;

		if (l > 9 && !strcmp(line + l - 9, " options:")) {
			valid = true;
			continue;
		}
		if (strncmp(line, "  ", 2) || !(k = strcspn(line + 2, "=")) || !line[2 + k])
			continue;
		memcpy(m->props + plen - 1, line + 2, k);
		plen += k + 1;
		m->props[plen - 2] = '\n';
		m->props[plen - 1] = '\0';
	}
	if (!valid) {
		snprintf(q->err, sizeof(q->err), "QEMU has no device model '%s' (%s -device help lists them)",
			 model, q->qemu);
		free(m->name);
		free(m->props);
		free(m);
		return NULL;
	}
	m->next = q->models;
	q->models = m;
	return m;
}

/**
 * qemu_has_prop() - does a device model have a property?
 * @q:		the probe
 * @model:	device model, as -device takes it
 * @prop:	property name
 *
 * Return: 1 or 0, or -EINVAL with @q->err set when the model is unknown or
 * QEMU cannot be asked.
 */
int qemu_has_prop(struct qemu_probe *q, const char *model, const char *prop)
{
	struct qemu_model *m = qemu_model_load(q, model);
	char *needle;
	bool found;

	if (!m)
		return -EINVAL;
	if (asprintf(&needle, "\n%s\n", prop) < 0)
		return -ENOMEM;
	found = strstr(m->props, needle) != NULL;
	free(needle);
	return found;
}

/**
 * qemu_machine_resolve() - the machine type a name stands for
 * @q:		the probe
 * @name:	"pc", "q35", "virt", a versioned type, or NULL for the default
 * @out:	the versioned type ("pc-i440fx-7.2"), as firmware descriptors
 *		name them
 * @size:	its size
 *
 * Return: 0, or -ENOENT (unknown machine) / -errno with @q->err set.
 */
int qemu_machine_resolve(struct qemu_probe *q, const char *name, char *out,
			 size_t size)
{
	char *line, *save = NULL, *copy;
	int ret = -ENOENT;

	if (!q->machines) {
		ret = qemu_capture((char *[]){ (char *)q->qemu, "-machine", "help", NULL },
				   &q->machines);
		if (ret < 0) {
			snprintf(q->err, sizeof(q->err), "cannot run %s: %s", q->qemu,
				 strerror(-ret));
			return ret;
		}
		ret = -ENOENT;
	}
	copy = strdup(q->machines);
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char type[128], *alias = strstr(line, "(alias of ");
		bool is_default = strstr(line, "(default)") != NULL;

		if (sscanf(line, "%127s", type) != 1)
			continue;
		if (name ? strcmp(type, name) : !is_default)
			continue;
		if (alias) {
			size_t k = strcspn(alias + 10, ")");

			snprintf(out, size, "%.*s", (int)k, alias + 10);
		} else {
			snprintf(out, size, "%s", type);
		}
		ret = 0;
		break;
	}
	free(copy);
	if (ret)
		snprintf(q->err, sizeof(q->err), "QEMU has no machine type '%s' (%s -machine help lists them)",
			 name ? name : "(default)", q->qemu);
	return ret;
}

void qemu_probe_free(struct qemu_probe *q)
{
	while (q->models) {
		struct qemu_model *m = q->models;

		q->models = m->next;
		free(m->name);
		free(m->props);
		free(m);
	}
	free(q->machines);
	q->machines = NULL;
}

/**
 * qemu_img_format() - a disk image's format, as qemu-img sees it
 * @file:	the image
 * @fmt:	its format ("raw" only where qemu-img says raw)
 * @size:	size of @fmt
 * @err:	why not, for people
 * @errlen:	its size
 *
 * Return: 0, or -ENOENT (qemu-img missing) / -EINVAL (not understood).
 */
int qemu_img_format(const char *file, char *fmt, size_t size, char *err,
		    size_t errlen)
{
	cleanup_free char *out = NULL;
	struct json_object *root, *f;
	int ret;

	ret = qemu_capture((char *[]){ "qemu-img", "info", "--output=json", "--",
				       (char *)file, NULL }, &out);
	if (ret == -ENOENT) {
		snprintf(err, errlen, "qemu-img is missing: install qemu-utils (apt install qemu-utils), or give format= on --disk");
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "qemu-img cannot read %s: %.*s", file,
			 (int)strcspn(out ? out : "", "\n"), out ? out : strerror(-ret));
		return -EINVAL;
	}
	root = json_tokener_parse(out);
	if (!root || !json_object_object_get_ex(root, "format", &f) ||
	    !json_object_is_type(f, json_type_string)) {
		snprintf(err, errlen, "qemu-img info gave no format for %s", file);
		json_object_put(root);
		return -EINVAL;
	}
	snprintf(fmt, size, "%s", json_object_get_string(f));
	json_object_put(root);
	return 0;
}
