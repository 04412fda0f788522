// SPDX-License-Identifier: GPL-2.0-or-later
/* firmware.c - UEFI firmware chosen through QEMU's firmware descriptors
 *
 * QEMU's docs/interop/firmware.json describes firmware with JSON files in
 * /usr/share/qemu/firmware, /etc/qemu/firmware and
 * $XDG_CONFIG_HOME/qemu/firmware. As libvirt does: a file in a later
 * directory replaces one of the same name in an earlier one, an empty file
 * masks it, and the files are tried in the order of their names.
 */

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "firmware.h"

#define FIRMWARE_FILES_MAX	256

/**
 * firmware_default_dirs() - where descriptors are looked for
 * @dirs:	filled in order of precedence, lowest first
 *
 * Return: how many (3).
 */
int firmware_default_dirs(char dirs[3][PATH_MAX])
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	snprintf(dirs[0], PATH_MAX, "/usr/share/qemu/firmware");
	snprintf(dirs[1], PATH_MAX, "/etc/qemu/firmware");
	if (xdg && *xdg)
		snprintf(dirs[2], PATH_MAX, "%s/qemu/firmware", xdg);
	else
		snprintf(dirs[2], PATH_MAX, "%s/.config/qemu/firmware", home ? home : "/");
	return 3;
}

struct firmware_file {
	char name[NAME_MAX + 1];
	char path[PATH_MAX];
};

static int firmware_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct firmware_file *)a)->name,
		      ((const struct firmware_file *)b)->name);
}

/* The descriptor files in effect, sorted by name; masked ones have no path. */
static size_t firmware_list(const char *const *dirs, size_t ndirs,
			    struct firmware_file *files)
{
	size_t n = 0;

	for (size_t d = 0; d < ndirs; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		if (!dir)
			continue;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name), i;
			struct stat st;
			char path[PATH_MAX];

			if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dirs[d], e->d_name) >= (int)sizeof(path) ||
			    stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			for (i = 0; i < n && strcmp(files[i].name, e->d_name); i++)
				;
			if (i == n) {
				if (n == FIRMWARE_FILES_MAX)
					continue;
				snprintf(files[n++].name, sizeof(files[0].name), "%s", e->d_name);
			}
			if (st.st_size == 0)
				files[i].path[0] = '\0';	/* masked */
			else
				snprintf(files[i].path, sizeof(files[i].path), "%s", path);
		}
		closedir(dir);
	}
	qsort(files, n, sizeof(*files), firmware_file_cmp);
	return n;
}

static bool firmware_has_string(struct json_object *arr, const char *s)
{
	size_t n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return false;
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));

		if (v && !strcmp(v, s))
			return true;
	}
	return false;
}

static const char *firmware_get_string(struct json_object *o, const char *k1,
				       const char *k2)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, k1, &v))
		return NULL;
	if (k2 && !json_object_object_get_ex(v, k2, &v))
		return NULL;
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static bool firmware_targets(struct json_object *root, const char *arch,
			     const char *machine)
{
	struct json_object *targets;
	size_t n;

	if (!json_object_object_get_ex(root, "targets", &targets) ||
	    !json_object_is_type(targets, json_type_array))
		return false;
	n = json_object_array_length(targets);
	for (size_t i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(targets, i), *machines;
		const char *a = firmware_get_string(t, "architecture", NULL);
		size_t m;

		if (!a || strcmp(a, arch) || !json_object_object_get_ex(t, "machines", &machines) ||
		    !json_object_is_type(machines, json_type_array))
			continue;
		m = json_object_array_length(machines);
		for (size_t j = 0; j < m; j++) {
			const char *glob = json_object_get_string(json_object_array_get_idx(machines, j));

			if (glob && !fnmatch(glob, machine, 0))
				return true;
		}
	}
	return false;
}

/* Does this descriptor fit? Fills @fw when it does. */
static bool firmware_fits(const char *path, const char *arch, const char *machine,
			  bool secure_boot, struct firmware *fw)
{
	struct json_object *root = json_object_from_file(path), *features = NULL;
	const char *device, *mode, *code, *vars;
	bool secure, fits = false;

	if (!root)
		return false;
	json_object_object_get_ex(root, "features", &features);
	device = firmware_get_string(root, "mapping", "device");
	{
		struct json_object *mapping = NULL;

		json_object_object_get_ex(root, "mapping", &mapping);
		mode = mapping ? firmware_get_string(mapping, "mode", NULL) : NULL;
		code = mapping ? firmware_get_string(mapping, "executable", "filename") : NULL;
		vars = mapping ? firmware_get_string(mapping, "nvram-template", "filename") : NULL;
		if (code && vars) {
			const char *cf = firmware_get_string(mapping, "executable", "format");
			const char *vf = firmware_get_string(mapping, "nvram-template", "format");

			snprintf(fw->code, sizeof(fw->code), "%s", code);
			snprintf(fw->vars, sizeof(fw->vars), "%s", vars);
			snprintf(fw->code_format, sizeof(fw->code_format), "%s", cf ? cf : "raw");
			snprintf(fw->vars_format, sizeof(fw->vars_format), "%s", vf ? vf : "raw");
		}
	}
	secure = firmware_has_string(features, "secure-boot") ||
		 firmware_has_string(features, "requires-smm") ||
		 firmware_has_string(features, "enrolled-keys");

	/* Split flash only: a code image mapped read-only, a vars template. */
	if (firmware_has_string(json_object_object_get(root, "interface-types"), "uefi") &&
	    device && !strcmp(device, "flash") && (!mode || !strcmp(mode, "split")) &&
	    code && vars && secure == secure_boot &&
	    (!secure_boot || firmware_has_string(features, "secure-boot")) &&
	    firmware_targets(root, arch, machine)) {
		fw->requires_smm = firmware_has_string(features, "requires-smm");
		snprintf(fw->descriptor, sizeof(fw->descriptor), "%s", path);
		fits = true;
	}
	json_object_put(root);
	return fits;
}

/**
 * firmware_select() - the first descriptor that fits
 * @dirs:	descriptor directories, lowest precedence first
 * @ndirs:	how many
 * @arch:	QEMU's architecture name
 * @machine:	the versioned machine type ("pc-q35-7.2")
 * @secure_boot: want Secure Boot (and its SMM); without it, descriptors that
 *		have or require it are passed over
 * @fw:		filled on success
 * @err:	on failure, what was looked for and where
 * @errlen:	its size
 *
 * Return: 0 or -ENOENT.
 */
int firmware_select(const char *const *dirs, size_t ndirs, const char *arch,
		    const char *machine, bool secure_boot, struct firmware *fw,
		    char *err, size_t errlen)
{
	struct firmware_file *files = calloc(FIRMWARE_FILES_MAX, sizeof(*files));
	size_t n, off;

	if (!files) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = firmware_list(dirs, ndirs, files);
	for (size_t i = 0; i < n; i++) {
		if (files[i].path[0] &&
		    firmware_fits(files[i].path, arch, machine, secure_boot, fw)) {
			free(files);
			return 0;
		}
	}
	free(files);
	off = (size_t)snprintf(err, errlen, "no UEFI firmware%s for %s machine %s in",
			       secure_boot ? " with Secure Boot" : "", arch, machine);
	for (size_t d = 0; d < ndirs && off < errlen; d++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", d ? "," : "", dirs[d]);
	return -ENOENT;
}
