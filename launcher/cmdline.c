// SPDX-License-Identifier: GPL-2.0-or-later
/* cmdline.c - parse tapvm's VM options and build QEMU's command line
 *
 * Pure functions, no I/O: the unit tests run them as they are.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "names.h"

/**
 * argv_add() - append a formatted argument
 * @a:		the vector; on failure @a->err is set and later adds do nothing
 * @fmt:	printf format
 */
void argv_add(struct argv_buf *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->err)
		return;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		char **v = reallocarray(a->v, cap, sizeof(*v));

		if (!v) {
			a->err = -ENOMEM;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0) {
		va_end(ap);
		a->err = -ENOMEM;
		return;
	}
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void argv_free(struct argv_buf *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/**
 * cmdline_parse_mac() - check and normalise a full MAC address
 * @s:		"52:54:00:12:34:56", either case
 * @out:	the same in lower case
 *
 * Return: 0, or -EINVAL for a malformed or multicast address (a NIC with a
 * multicast source address breaks the LAN it is on).
 */
int cmdline_parse_mac(const char *s, char out[18])
{
	unsigned int b[6];
	unsigned char o[6];
	char tail;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 17; i++)
		if ((i % 3 == 2) != (s[i] == ':'))
			return -EINVAL;
	for (int i = 0; i < 6; i++)
		o[i] = (unsigned char)b[i];
	if (o[0] & 1)
		return -EINVAL;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", o[0], o[1], o[2], o[3],
		 o[4], o[5]);
	return 0;
}

static bool cmdline_model_valid(const char *m)
{
	size_t len = strlen(m);

	if (!len || len >= 64)
		return false;
	return strspn(m, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == len;
}

/**
 * cmdline_parse_netdev() - parse BRIDGE|user[,mac=MAC][,model=MODEL]
 * @arg:	the option's argument
 * @nd:		filled on success; @nd->mac empty means "generate one"
 * @err:	reason on failure
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL.
 */
int cmdline_parse_netdev(const char *arg, struct netdev_spec *nd, char *err,
			 size_t errlen)
{
	char *copy = strdup(arg), *save = NULL, *f;
	int ret = 0, i = 0;

	if (!copy)
		return -ENOMEM;
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->model, sizeof(nd->model), "%s", CMDLINE_DEFAULT_MODEL);
	if (arg[0] == ',' || !arg[0]) {
		snprintf(err, errlen, "--netdev '%s' names no bridge", arg);
		ret = -EINVAL;
	}
	for (f = strtok_r(copy, ",", &save); f && !ret; f = strtok_r(NULL, ",", &save), i++) {
		char *eq = strchr(f, '=');

		if (i == 0) {
			if (!strcmp(f, "user")) {
				nd->user = true;
			} else if (names_ifname_valid(f)) {
				memcpy(nd->bridge, f, strlen(f) + 1);
			} else {
				snprintf(err, errlen, "--netdev: '%s' is not a bridge name or 'user'", f);
				ret = -EINVAL;
			}
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "--netdev: field '%s' is not KEY=VALUE", f);
			ret = -EINVAL;
			continue;
		}
		*eq++ = '\0';
		if (!strcmp(f, "mac") || !strcmp(f, "macaddr")) {
			if (!strcmp(eq, "auto") || !strcmp(eq, "random"))
				nd->mac[0] = '\0';
			else if (cmdline_parse_mac(eq, nd->mac)) {
				snprintf(err, errlen,
					 "--netdev: '%s' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)",
					 eq);
				ret = -EINVAL;
			}
		} else if (!strcmp(f, "model")) {
			if (!strcmp(eq, "virtio"))
				eq = CMDLINE_DEFAULT_MODEL;
			if (!cmdline_model_valid(eq)) {
				snprintf(err, errlen, "--netdev: '%s' is not a NIC model name", eq);
				ret = -EINVAL;
			} else {
				snprintf(nd->model, sizeof(nd->model), "%s", eq);
			}
		} else {
			snprintf(err, errlen, "--netdev: unknown field '%s' (known: mac=, model=)", f);
			ret = -EINVAL;
		}
	}
	free(copy);
	return ret;
}

/**
 * cmdline_parse_disk() - parse FILE[,format=FMT] or file=FILE[,fmt=FMT]
 * @arg:	the option's argument; modified, and @d->file points into it
 * @d:		filled on success
 * @err:	reason on failure
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL.
 */
int cmdline_parse_disk(char *arg, struct disk_spec *d, char *err, size_t errlen)
{
	char *save = NULL, *f;
	int i = 0;

	memset(d, 0, sizeof(*d));
	for (f = strtok_r(arg, ",", &save); f; f = strtok_r(NULL, ",", &save), i++) {
		char *eq = strchr(f, '=');

		if (i == 0 && !eq) {
			d->file = f;
			continue;
		}
		if (!eq) {
			snprintf(err, errlen, "--disk: field '%s' is not KEY=VALUE", f);
			return -EINVAL;
		}
		*eq++ = '\0';
		if (!strcmp(f, "file")) {
			d->file = eq;
		} else if (!strcmp(f, "fmt") || !strcmp(f, "format")) {
			if (!cmdline_model_valid(eq) || strlen(eq) >= sizeof(d->format)) {
				snprintf(err, errlen, "--disk: '%s' is not a format name", eq);
				return -EINVAL;
			}
			snprintf(d->format, sizeof(d->format), "%s", eq);
		} else {
			snprintf(err, errlen, "--disk: unknown field '%s' (known: file=, format=)", f);
			return -EINVAL;
		}
	}
	if (!d->file || !*d->file) {
		snprintf(err, errlen, "--disk names no file");
		return -EINVAL;
	}
	return 0;
}

/* QEMU's option syntax: a ',' inside a value is written ',,'. */
static char *cmdline_qemu_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == ',' ? 2 : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		*o++ = *p;
		if (*p == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

/**
 * cmdline_build() - QEMU's argument vector for a VM
 * @vm:		the VM; every netdev's MAC resolved
 * @out:	filled; free with argv_free()
 *
 * The n-th bridge netdev (counting bridges only) uses the tap fd
 * CMDLINE_FD_BASE + n, which the caller puts there before exec.
 *
 * Return: 0, -EINVAL (an unresolved MAC or accel) or -ENOMEM.
 */
int cmdline_build(const struct vm_spec *vm, struct argv_buf *out)
{
	int tap = 0;

	memset(out, 0, sizeof(*out));
	if (vm->accel == ACCEL_AUTO)
		return -EINVAL;
	argv_add(out, "%s", vm->qemu);
	if (vm->name) {
		argv_add(out, "-name");
		argv_add(out, "%s", vm->name);
	}
	argv_add(out, "-accel");
	argv_add(out, "%s", vm->accel == ACCEL_KVM ? "kvm" : "tcg");

	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct disk_spec *d = &vm->disks[i];
		char *file = cmdline_qemu_escape(d->file);

		if (!file) {
			argv_free(out);
			return -ENOMEM;
		}
		argv_add(out, "-drive");
		argv_add(out, "file=%s,if=virtio%s%s", file, d->format[0] ? ",format=" : "",
			 d->format);
		free(file);
	}

	for (size_t i = 0; i < vm->nnetdevs; i++) {
		const struct netdev_spec *nd = &vm->netdevs[i];

		if (!nd->mac[0]) {
			argv_free(out);
			return -EINVAL;
		}
		argv_add(out, "-netdev");
		if (nd->user)
			argv_add(out, "user,id=net%zu", i);
		else
			argv_add(out, "tap,id=net%zu,fd=%d", i, CMDLINE_FD_BASE + tap++);
		argv_add(out, "-device");
		argv_add(out, "%s,netdev=net%zu,mac=%s", nd->model, i, nd->mac);
	}

	for (size_t i = 0; i < vm->nextra; i++)
		argv_add(out, "%s", vm->extra[i]);
	if (out->err) {
		int ret = out->err;

		argv_free(out);
		return ret;
	}
	return 0;
}

/**
 * cmdline_quote() - quote an argument for a POSIX shell
 * @arg:	the argument
 *
 * Plain words stay as they are; anything else is put in single quotes, with
 * each ' written as '\''. Pasting the result back gives the same argument.
 *
 * Return: a new string, or NULL when out of memory.
 */
char *cmdline_quote(const char *arg)
{
	static const char plain[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	size_t len = strlen(arg), n = 2;
	char *out, *o;

	if (len && strspn(arg, plain) == len)
		return strdup(arg);
	for (const char *p = arg; *p; p++)
		n += *p == '\'' ? 4 : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	*o++ = '\'';
	for (const char *p = arg; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}
