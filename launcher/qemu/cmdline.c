// SPDX-License-Identifier: GPL-2.0-or-later
/* cmdline.c - parse tapvm's VM options and build QEMU's command line
 *
 * No I/O here: what only QEMU knows (a model's properties) is asked through
 * struct cmdline_probe, and everything else comes resolved in struct vm_spec.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "mac.h"
#include "names.h"
#include "proto.h"
#include "util.h"

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

/* Split "a,b,c" into fields in a buffer the caller frees; no empty field. */
static int cmdline_split(const char *arg, char **buf, char ***fields, size_t *n,
			 const char *what, char *err, size_t errlen)
{
	size_t count = 1;
	char *save = NULL, *f;

	for (const char *c = arg; *c; c++)
		count += *c == ',';
	*buf = strdup(arg);
	*fields = calloc(count + 1, sizeof(char *));
	*n = 0;
	if (!*buf || !*fields)
		return -ENOMEM;
	if (!arg[0] || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		snprintf(err, errlen, "%s '%s' has an empty field", what, arg);
		return -EINVAL;
	}
	for (f = strtok_r(*buf, ",", &save); f; f = strtok_r(NULL, ",", &save))
		(*fields)[(*n)++] = f;
	return 0;
}

/* A field's key: "key" of "key=value", or the whole of a bare flag. */
static bool cmdline_key_is(const char *field, const char *key)
{
	size_t k = strlen(key);

	return !strncmp(field, key, k) && (field[k] == '=' || field[k] == '\0');
}

static bool cmdline_word_valid(const char *s, size_t max)
{
	size_t len = strlen(s);

	return len && len < max &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == len;
}

static bool cmdline_key_valid(const char *field)
{
	size_t k = strcspn(field, "=");

	return k > 0 && k < 64 &&
	       strspn(field, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") >= k;
}

/* Options tapvm sets itself, or that would bypass tapd. */
static const char *const cmdline_tap_reserved[] = {
	"id", "type", "netdev", "fd", "fds", "ifname", "script", "downscript",
	"br", "helper", "vhostfd", "vhostfds",
};

/* KEY=N, N from 1 to @max (tapd's queues=, vlan=): set *@out, or say why. */
static int cmdline_field_uint(const char *field, const char *eq, unsigned int max,
			      unsigned int *out, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long v = eq ? strtoul(eq + 1, &end, 10) : 0;

	if (!eq || !eq[1] || *end || v < 1 || v > max) {
		snprintf(err, errlen, "--netdev: '%s' is not %.*s=1..%u", field,
			 (int)(eq ? (size_t)(eq - field) : strlen(field)), field, max);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/**
 * cmdline_parse_netdev() - parse BRIDGE|user|none[,FIELD...]
 * @arg:	the option's argument
 * @nd:		filled on success; free with cmdline_netdev_free()
 * @err:	reason on failure
 * @errlen:	its size
 *
 * mac=/macaddr=, model=, queues= and vhost= are tapvm's; every other
 * KEY=VALUE field (or bare
 * KEY, meaning KEY=on) goes to -device or -netdev when the command line is
 * built, by whether the NIC model has that property. Fields that would
 * replace the tap tapd gives (fd=, ifname=, script=, ...) are refused.
 *
 * Return: 0 or -EINVAL.
 */
int cmdline_parse_netdev(const char *arg, struct netdev_spec *nd, char *err,
			 size_t errlen)
{
	char **f;
	size_t n;
	int ret;

	memset(nd, 0, sizeof(*nd));
	snprintf(nd->mac_req, sizeof(nd->mac_req), "auto");
	nd->queues = 1;
	ret = cmdline_split(arg, &nd->buf, &f, &n, "--netdev", err, errlen);
	if (ret)
		goto out;
	if (!strcmp(f[0], "user")) {
		nd->kind = NETDEV_USER;
	} else if (!strcmp(f[0], "none")) {
		nd->kind = NETDEV_NONE;
		if (n > 1) {
			snprintf(err, errlen, "--netdev none takes no fields");
			ret = -EINVAL;
			goto out;
		}
	} else if (names_ifname_valid(f[0])) {
		nd->kind = NETDEV_BRIDGE;
		memcpy(nd->bridge, f[0], strlen(f[0]) + 1);
	} else {
		snprintf(err, errlen, "--netdev: '%s' is not a bridge name, 'user' or 'none'", f[0]);
		ret = -EINVAL;
		goto out;
	}

	nd->fields = f;
	for (size_t i = 1; i < n; i++) {
		char *eq = strchr(f[i], '=');

		if (cmdline_key_is(f[i], "mac") || cmdline_key_is(f[i], "macaddr")) {
			if (!eq || strlen(eq + 1) >= sizeof(nd->mac_req)) {
				snprintf(err, errlen, "--netdev: '%s' is not mac=auto|random|MAC", f[i]);
				ret = -EINVAL;
				goto out;
			}
			snprintf(nd->mac_req, sizeof(nd->mac_req), "%s", eq + 1);
			continue;
		}
		if (nd->kind == NETDEV_BRIDGE && (cmdline_key_is(f[i], "queues") ||
						  cmdline_key_is(f[i], "vlan"))) {
			bool q = cmdline_key_is(f[i], "queues");

			ret = cmdline_field_uint(f[i], eq, q ? PROTO_QUEUES_MAX : 4094,
						 q ? &nd->queues : &nd->vlan, err, errlen);
			if (ret)
				goto out;
			continue;
		}
		if (cmdline_key_is(f[i], "vhost") && nd->kind == NETDEV_BRIDGE) {
			if (!eq || !strcmp(eq + 1, "on")) {
				nd->vhost = true;
			} else if (!strcmp(eq + 1, "off")) {
				nd->vhost = false;
			} else {
				snprintf(err, errlen, "--netdev: '%s' is not vhost=on|off", f[i]);
				ret = -EINVAL;
				goto out;
			}
			continue;
		}
		if (cmdline_key_is(f[i], "model")) {
			if (!eq || !cmdline_word_valid(eq + 1, sizeof(nd->model))) {
				snprintf(err, errlen, "--netdev: '%s' is not a NIC model", f[i]);
				ret = -EINVAL;
				goto out;
			}
			snprintf(nd->model, sizeof(nd->model), "%s", eq + 1);
			continue;
		}
		if (!cmdline_key_valid(f[i])) {
			snprintf(err, errlen, "--netdev: field '%s' is not KEY=VALUE", f[i]);
			ret = -EINVAL;
			goto out;
		}
		for (size_t r = 0; r < sizeof(cmdline_tap_reserved) / sizeof(char *); r++) {
			if (cmdline_key_is(f[i], cmdline_tap_reserved[r]) &&
			    (nd->kind == NETDEV_BRIDGE || r < 3)) {
				snprintf(err, errlen, "--netdev: %s= is set by tapvm%s",
					 cmdline_tap_reserved[r],
					 nd->kind == NETDEV_BRIDGE ? " (tapd provides the tap)" : "");
				ret = -EINVAL;
				goto out;
			}
		}
		nd->fields[nd->nfields++] = f[i];
	}
	return 0;
out:
	nd->fields = f;
	cmdline_netdev_free(nd);
	return ret;
}

void cmdline_netdev_free(struct netdev_spec *nd)
{
	free(nd->buf);
	free(nd->fields);
	nd->buf = NULL;
	nd->fields = NULL;
	nd->nfields = 0;
}

static bool cmdline_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 6;
}

/**
 * cmdline_parse_disk() - parse FILE[,FIELD...] with xkvm's rules
 * @arg:	the option's argument
 * @d:		filled on success; free with cmdline_disk_free()
 * @err:	reason on failure
 * @errlen:	its size
 *
 * The file is the first field without '=' (or file=). format=/fmt=,
 * driver=, if=virtio|scsi, id=, serial=, bus=, unit= and index= are tapvm's;
 * bus= (or unit=) with index= is refused, as xkvm did. Other fields are
 * routed to -device or -drive when the command line is built.
 *
 * Return: 0 or -EINVAL.
 */
int cmdline_parse_disk(const char *arg, struct disk_spec *d, char *err,
		       size_t errlen)
{
	char **f;
	size_t n;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = cmdline_split(arg, &d->buf, &f, &n, "--disk", err, errlen);
	d->fields = f;
	if (ret)
		goto out;
	for (size_t i = 0; i < n; i++) {
		char *eq = strchr(f[i], '='), *v = eq ? eq + 1 : NULL;

		if (!eq && !d->file && i == 0) {
			d->file = f[i];
		} else if (cmdline_key_is(f[i], "file") && v) {
			d->file = v;
		} else if ((cmdline_key_is(f[i], "format") || cmdline_key_is(f[i], "fmt")) && v) {
			if (!cmdline_word_valid(v, sizeof(d->format)))
				goto bad;
			snprintf(d->format, sizeof(d->format), "%s", v);
		} else if (cmdline_key_is(f[i], "driver") && v) {
			if (!cmdline_word_valid(v, sizeof(d->driver)))
				goto bad;
			snprintf(d->driver, sizeof(d->driver), "%s", v);
		} else if (cmdline_key_is(f[i], "if") && v) {
			if (!strcmp(v, "virtio"))
				snprintf(d->driver, sizeof(d->driver), "virtio-blk");
			else if (!strcmp(v, "scsi"))
				snprintf(d->driver, sizeof(d->driver), "scsi-hd");
			else {
				snprintf(err, errlen, "--disk: if=%s is not supported (if=virtio or if=scsi; firmware goes with --bios or --uefi)",
					 v);
				ret = -EINVAL;
				goto out;
			}
		} else if (cmdline_key_is(f[i], "id") && v) {
			if (!cmdline_word_valid(v, sizeof(d->id)) ||
			    !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
				goto bad;
			snprintf(d->id, sizeof(d->id), "%s", v);
		} else if (cmdline_key_is(f[i], "serial") && v) {
			d->serial = v;
		} else if (cmdline_key_is(f[i], "bus") && v) {
			if (!cmdline_number(v))
				goto bad;
			d->bus = v;
		} else if (cmdline_key_is(f[i], "unit") && v) {
			if (!cmdline_number(v))
				goto bad;
			d->unit = v;
		} else if (cmdline_key_is(f[i], "index") && v) {
			if (!cmdline_number(v))
				goto bad;
			d->index = v;
		} else if (cmdline_key_valid(f[i])) {
			d->fields[d->nfields++] = f[i];
		} else {
			goto bad;
		}
		continue;
bad:
		snprintf(err, errlen, "--disk: '%s' is not a valid field", f[i]);
		ret = -EINVAL;
		goto out;
	}
	if (!d->file || !*d->file) {
		snprintf(err, errlen, "--disk '%s' names no file", arg);
		ret = -EINVAL;
	} else if ((d->bus || d->unit) && d->index) {
		snprintf(err, errlen, "--disk: bus= and index= cannot be given together: %s", arg);
		ret = -EINVAL;
	} else if (d->unit && !d->bus) {
		snprintf(err, errlen, "--disk: unit= needs bus=: %s", arg);
		ret = -EINVAL;
	}
out:
	if (ret)
		cmdline_disk_free(d);
	return ret;
}

void cmdline_disk_free(struct disk_spec *d)
{
	free(d->buf);
	free(d->fields);
	d->buf = NULL;
	d->fields = NULL;
	d->nfields = 0;
}

/**
 * cmdline_resolve_mac() - the MAC a NIC gets
 * @nd:		the NIC; @nd->mac is set
 * @index:	its position among the VM's NICs
 * @machine_id:	the host's machine id, for mac=auto
 * @vm_name:	the VM's name, for mac=auto
 * @random3:	three random bytes, for mac=random
 * @err:	reason on failure
 * @errlen:	its size
 *
 * auto (the default) is stable per host, VM name and index (mac_derive());
 * random is 52:54:00 and three random bytes; anything else is padded as
 * xkvm's padmac did (":05" is 52:54:00:12:34:05, "" is the index).
 *
 * Return: 0 or -EINVAL.
 */
int cmdline_resolve_mac(struct netdev_spec *nd, unsigned int index,
			const char *machine_id, const char *vm_name,
			const unsigned char random3[3], char *err, size_t errlen)
{
	if (nd->kind == NETDEV_NONE)
		return 0;
	if (!strcmp(nd->mac_req, "auto")) {
		mac_derive(machine_id, vm_name, index, nd->mac);
		return 0;
	}
	if (!strcmp(nd->mac_req, "random")) {
		mac_from_bytes(random3, nd->mac);
		return 0;
	}
	if (mac_pad(nd->mac_req, index, nd->mac)) {
		snprintf(err, errlen,
			 "--netdev: mac=%s is not auto, random, or 1 to 6 hex octets of a unicast MAC",
			 nd->mac_req);
		return -EINVAL;
	}
	return 0;
}

/**
 * cmdline_machine_arg() - the machine type asked for after "--", if any
 * @extra:	QEMU arguments
 * @nextra:	how many
 * @buf:	storage for the answer
 * @size:	its size
 *
 * Return: the type ("q35" of "-machine q35,smm=on" or of "-M type=q35"),
 * or NULL when none is named.
 */
const char *cmdline_machine_arg(char **extra, size_t nextra, char *buf, size_t size)
{
	const char *found = NULL;

	for (size_t i = 0; i + 1 < nextra; i++) {
		const char *v = extra[i + 1], *t;
		size_t k;

		if (strcmp(extra[i], "-machine") && strcmp(extra[i], "-M") &&
		    strcmp(extra[i], "--machine"))
			continue;
		t = strstr(v, "type=");
		if (t && (t == v || t[-1] == ','))
			t += 5;
		else if (!strchr(v, '=') || strcspn(v, ",") < strcspn(v, "="))
			t = v;
		else
			continue;
		k = strcspn(t, ",");
		if (k && k < size) {
			memcpy(buf, t, k);
			buf[k] = '\0';
			found = buf;	/* the last one counts, as in QEMU */
		}
	}
	return found;
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

/* Append ",FIELD" (a bare KEY as KEY=on) to one of two strings, by model. */
static int cmdline_route(const struct cmdline_probe *probe, const char *model,
			 char **fields, size_t n, char **dev, char **other,
			 char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		char key[64], *s, **to;
		const char *why = "";
		int has;

		snprintf(key, sizeof(key), "%.*s", (int)strcspn(fields[i], "="), fields[i]);
		has = probe->has_prop(probe->ctx, model, key, &why);
		if (has < 0) {
			snprintf(err, errlen, "%s", why);
			return has;
		}
		to = has ? dev : other;
		if (asprintf(&s, "%s,%s%s", *to, fields[i], strchr(fields[i], '=') ? "" : "=on") < 0)
			return -ENOMEM;
		free(*to);
		*to = s;
	}
	return 0;
}

static const char *cmdline_nic_model(const struct vm_spec *vm, const struct netdev_spec *nd)
{
	if (!nd->model[0] || !strcmp(nd->model, "virtio"))
		return vm->arch->netmodel;
	return nd->model;
}

/* fds=3:4:5 (or fd=3) for @n fds from @first, with @key and @keys. */
static int cmdline_fd_list(char **s, const char *key, const char *keys, int first,
			   unsigned int n)
{
	char list[PROTO_QUEUES_MAX * 12] = "";

	for (unsigned int i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? ":" : "",
			 first + (int)i);
	return asprintf(s, "%s=%s", n > 1 ? keys : key, list) < 0 ? -ENOMEM : 0;
}

/* A bridge NIC's -netdev: its tap's queue fds, and vhost's if any. */
static int cmdline_tap_netdev(const struct netdev_spec *nd, size_t i, int fd, char **net)
{
	cleanup_free char *fds = NULL, *vfds = NULL;

	if (cmdline_fd_list(&fds, "fd", "fds", fd, nd->queues) ||
	    (nd->nvhost && cmdline_fd_list(&vfds, "vhostfd", "vhostfds", fd + (int)nd->queues,
					   nd->nvhost)))
		return -ENOMEM;
	return asprintf(net, "tap,id=net%02zu,%s%s%s%s", i, fds, nd->vhost ? ",vhost=on" : "",
			vfds ? "," : "", vfds ? vfds : "") < 0 ? -ENOMEM : 0;
}

static bool cmdline_model_is_virtio(const char *model)
{
	return !strncmp(model, "virtio-net", 10);
}

/**
 * cmdline_fd_of() - where an fd QEMU gets sits: the one place that says
 * @vm:		the VM (its bridge NICs' queues and vhost-net fds known)
 * @what:	a bridge NIC's first fd, one of tapvm's channels, or the end
 * @nic:	with CMDLINE_FD_NIC, the NIC's index
 *
 * From CMDLINE_FD_BASE: each bridge NIC's queues, then its vhost-net fds, in
 * NIC order; then QMP, the console and the status port, those the VM has.
 *
 * Return: the fd's number, CMDLINE_FD_END's the first after them all, or -1
 * for a channel the VM does not have or a NIC that takes no fd.
 */
int cmdline_fd_of(const struct vm_spec *vm, enum cmdline_fd what, size_t nic)
{
	int fd = CMDLINE_FD_BASE;

	for (size_t i = 0; i < vm->nnetdevs; i++) {
		const struct netdev_spec *nd = &vm->netdevs[i];

		if (what == CMDLINE_FD_NIC && i == nic)
			return nd->kind == NETDEV_BRIDGE ? fd : -1;
		if (nd->kind == NETDEV_BRIDGE)
			fd += (int)(nd->queues + nd->nvhost);
	}
	if (what == CMDLINE_FD_NIC)
		return -1;
	if (what == CMDLINE_FD_QMP)
		return vm->qmp ? fd : -1;
	fd += vm->qmp;
	if (what == CMDLINE_FD_CONSOLE)
		return vm->console ? fd : -1;
	fd += vm->console;
	if (what == CMDLINE_FD_STATUS)
		return vm->status_port ? fd : -1;
	return fd + vm->status_port;
}

static int cmdline_add_nics(const struct vm_spec *vm, const struct cmdline_probe *probe,
			    struct argv_buf *out, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < vm->nnetdevs && !ret; i++) {
		const struct netdev_spec *nd = &vm->netdevs[i];
		const char *model = cmdline_nic_model(vm, nd);
		char *dev = NULL, *net = NULL;

		if (nd->kind == NETDEV_NONE) {
			if (vm->nnetdevs > 1) {
				snprintf(err, errlen, "--netdev none cannot go with other NICs");
				return -EINVAL;
			}
			argv_add(out, "-nic");
			argv_add(out, "none");
			return 0;
		}
		if (!nd->mac[0]) {
			snprintf(err, errlen, "NIC %zu has no MAC (a bug)", i);
			return -EINVAL;
		}
		if (nd->queues > 1 && !cmdline_model_is_virtio(model)) {
			snprintf(err, errlen, "NIC %zu: queues= needs a virtio NIC, not %s", i, model);
			return -EINVAL;
		}
		if (nd->kind == NETDEV_USER) {
			ret = asprintf(&net, "user,id=net%02zu", i) < 0;
		} else {
			ret = cmdline_tap_netdev(nd, i, cmdline_fd_of(vm, CMDLINE_FD_NIC, i), &net) < 0;
		}
		/* Multiqueue: a vector per queue each way, one for config, one spare. */
		if (!ret && nd->queues > 1)
			ret = asprintf(&dev, "%s,netdev=net%02zu,mac=%s,mq=on,vectors=%u", model, i,
				       nd->mac, 2 * nd->queues + 2) < 0;
		else if (!ret)
			ret = asprintf(&dev, "%s,netdev=net%02zu,mac=%s", model, i, nd->mac) < 0;
		ret = ret ? -ENOMEM : cmdline_route(probe, model, nd->fields, nd->nfields,
						    &dev, &net, err, errlen);
		if (!ret) {
			argv_add(out, "-netdev");
			argv_add(out, "%s", net);
			argv_add(out, "-device");
			argv_add(out, "%s", dev);
		}
		free(net);
		free(dev);
	}
	return ret;
}

static int cmdline_add_disks(const struct vm_spec *vm, const struct cmdline_probe *probe,
			     struct argv_buf *out, char *err, size_t errlen)
{
	int ret = 0;

	for (size_t i = 0; i < vm->ndisks && !ret; i++) {
		const struct disk_spec *d = &vm->disks[i];
		const char *driver = d->driver[0] ? d->driver : "virtio-blk";
		const char *base = strrchr(d->file, '/');
		char *file = cmdline_qemu_escape(d->file), *drive = NULL, *dev = NULL;
		char *serial = cmdline_qemu_escape(d->serial ? d->serial : base ? base + 1 : d->file);
		char id[64], where[64];

		if (!d->format[0]) {
			snprintf(err, errlen, "disk %s has no format (a bug)", d->file);
			ret = -EINVAL;
		}
		snprintf(id, sizeof(id), "%s", d->id[0] ? d->id : "");
		if (!id[0])
			snprintf(id, sizeof(id), "disk%02zu", i);
		/* xkvm: bus= gets unit= (its position), else index= (its position). */
		if (d->bus && d->unit)
			snprintf(where, sizeof(where), "bus=%s,unit=%s", d->bus, d->unit);
		else if (d->bus)
			snprintf(where, sizeof(where), "bus=%s,unit=%zu", d->bus, i);
		else if (d->index)
			snprintf(where, sizeof(where), "index=%s", d->index);
		else
			snprintf(where, sizeof(where), "index=%zu", i);

		if (!ret && (!file || !serial ||
			     asprintf(&drive, "file=%s,id=%s,if=none,format=%s,%s", file, id,
				      d->format, where) < 0 ||
			     asprintf(&dev, "%s,drive=%s%s%s", driver, id, *serial ? ",serial=" : "",
				      serial) < 0))
			ret = -ENOMEM;
		if (!ret)
			ret = cmdline_route(probe, driver, d->fields, d->nfields, &dev, &drive,
					    err, errlen);
		if (!ret) {
			argv_add(out, "-drive");
			argv_add(out, "%s", drive);
			argv_add(out, "-device");
			argv_add(out, "%s", dev);
		}
		free(file);
		free(serial);
		free(drive);
		free(dev);
	}
	return ret;
}

static int cmdline_add_firmware(const struct vm_spec *vm, struct argv_buf *out)
{
	char *f;

	if (vm->fw == FW_BIOS) {
		if (!(f = cmdline_qemu_escape(vm->bios)))
			return -ENOMEM;
		argv_add(out, "-drive");
		argv_add(out, "if=pflash,format=raw,unit=0,file=%s,readonly=on", f);
		free(f);
	} else if (vm->fw == FW_UEFI) {
		if (!(f = cmdline_qemu_escape(vm->fw_code)))
			return -ENOMEM;
		/* The firmware first, then its variables. */
		argv_add(out, "-drive");
		argv_add(out, "if=pflash,format=%s,unit=0,file=%s,readonly=on",
			 vm->fw_code_format, f);
		free(f);
		if (!(f = cmdline_qemu_escape(vm->fw_vars)))
			return -ENOMEM;
		argv_add(out, "-drive");
		argv_add(out, "if=pflash,format=%s,unit=1,file=%s", vm->fw_vars_format, f);
		free(f);
		if (vm->fw_smm) {
			argv_add(out, "-machine");
			argv_add(out, "smm=on");
			argv_add(out, "-global");
			argv_add(out, "driver=cfi.pflash01,property=secure,value=on");
		}
	}
	return 0;
}

/* Does an argument after -- mention @what (a device the user adds)? */
static bool cmdline_extra_has(const struct vm_spec *vm, const char *what)
{
	for (size_t i = 0; i < vm->nextra; i++)
		if (strstr(vm->extra[i], what))
			return true;
	return false;
}

/* tapvm's private sockets, right after the taps: QMP, console, status. */
static void cmdline_add_channels(const struct vm_spec *vm, struct argv_buf *out)
{
	if (vm->qmp) {
		argv_add(out, "-chardev");
		argv_add(out, "socket,id=tapvm-qmp,fd=%d", cmdline_fd_of(vm, CMDLINE_FD_QMP, 0));
		argv_add(out, "-mon");
		argv_add(out, "chardev=tapvm-qmp,mode=control");
	}
	if (vm->console) {
		argv_add(out, "-chardev");
		argv_add(out, "socket,id=tapvm-console,fd=%d",
			 cmdline_fd_of(vm, CMDLINE_FD_CONSOLE, 0));
		argv_add(out, "-serial");
		argv_add(out, "chardev:tapvm-console");
	}
	if (vm->vnc) {
		char *v = cmdline_qemu_escape(vm->vnc);

		argv_add(out, "-vnc");
		argv_add(out, "unix:%s", v ? v : vm->vnc);
		free(v);
		/* nbsvm's default: a tablet, so the pointer follows the viewer's. */
		if (vm->arch && vm->arch->usb_tablet && !cmdline_extra_has(vm, "usb-tablet")) {
			argv_add(out, "-device");
			argv_add(out, "qemu-xhci,id=tapvm-usb");
			argv_add(out, "-device");
			argv_add(out, "usb-tablet,bus=tapvm-usb.0");
		}
	}
	if (vm->status_port) {
		argv_add(out, "-device");
		argv_add(out, "virtio-serial,id=tapvm-serial");
		argv_add(out, "-chardev");
		argv_add(out, "socket,id=tapvm-status,fd=%d",
			 cmdline_fd_of(vm, CMDLINE_FD_STATUS, 0));
		argv_add(out, "-device");
		argv_add(out, "virtserialport,bus=tapvm-serial.0,chardev=tapvm-status,name=org.tapvm.status");
	}
}

/**
 * cmdline_build() - QEMU's argument vector for a VM
 * @vm:		the VM, every MAC and disk format resolved
 * @probe:	asks QEMU which properties a device model has
 * @out:	filled; free with argv_free()
 * @err:	reason on failure
 * @errlen:	its size
 *
 * In order: binary, -name, -accel, the architecture's -machine, -cpu and
 * device, firmware, the virtio-scsi controller xkvm always adds, NICs, disks,
 * tapvm's channels, then the arguments after "--". Each fd's number is
 * cmdline_fd_of()'s, and the caller puts the fds where it says.
 *
 * Return: 0 or -errno.
 */
int cmdline_build(const struct vm_spec *vm, const struct cmdline_probe *probe,
		  struct argv_buf *out, char *err, size_t errlen)
{
	const char *machine = vm->machine ? vm->machine : vm->arch->machine;
	const char *cpu = vm->accel == ACCEL_KVM ? vm->arch->cpu_kvm : vm->arch->cpu_tcg;
	int ret;

	memset(out, 0, sizeof(*out));
	if (vm->accel == ACCEL_AUTO) {
		snprintf(err, errlen, "accelerator not resolved (a bug)");
		return -EINVAL;
	}
	argv_add(out, "%s", vm->qemu);
	if (vm->name) {
		argv_add(out, "-name");
		argv_add(out, "%s", vm->name);
	}
	argv_add(out, "-accel");
	argv_add(out, "%s", vm->accel == ACCEL_KVM ? "kvm" : "tcg");
	if (machine) {
		argv_add(out, "-machine");
		argv_add(out, "%s", machine);
	}
	if (cpu) {
		argv_add(out, "-cpu");
		argv_add(out, "%s", cpu);
	}
	if (vm->arch->extra_device) {
		argv_add(out, "-device");
		argv_add(out, "%s", vm->arch->extra_device);
	}
	ret = cmdline_add_firmware(vm, out);
	if (!ret) {
		argv_add(out, "-device");
		argv_add(out, "%s,id=" CMDLINE_SCSI_ID, vm->arch->scsi_bus);
		ret = cmdline_add_nics(vm, probe, out, err, errlen);
	}
	if (!ret)
		ret = cmdline_add_disks(vm, probe, out, err, errlen);
	if (!ret)
		cmdline_add_channels(vm, out);
	if (vm->memory) {
		argv_add(out, "-m");
		argv_add(out, "%s", vm->memory);
	}
	if (vm->cpus) {
		argv_add(out, "-smp");
		argv_add(out, "%s", vm->cpus);
	}
	for (size_t i = 0; i < vm->nextra; i++)
		argv_add(out, "%s", vm->extra[i]);
	if (!ret && out->err)
		ret = out->err;
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		argv_free(out);
	}
	return ret;
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
