// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_define.c - tapvm define NAME [run options] [-- QEMU args]: write NAME.conf
 *
 * The options tapvm start would be given become the VM's file, so that a
 * later start, restart or start after a reboot of the host runs the same VM:
 * --netdev, --disk, --memory, --cpus, --accel, --qemu, --uefi and --bios
 * have keys of their own; every other run option becomes an "option" line,
 * one argument each; QEMU arguments become "qemu-arg" lines. The file is
 * replaced whole (written aside, then renamed).
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "util.h"
#include "vmdef.h"

/* A value a line can keep: read back as it was (no newline, no blank ends). */
static bool define_value_ok(const char *v)
{
	size_t n;

	if (!v)
		return false;
	n = strlen(v);

	return !strchr(v, '\n') && !strchr(v, '\r') &&
	       !(n && (strchr(" \t\v\f", v[0]) || strchr(" \t\v\f", v[n - 1])));
}

static int define_line(FILE *f, const char *key, const char *prefix, const char *value)
{
	if (!define_value_ok(value)) {
		fprintf(stderr, "tapvm: '%s' cannot be kept in a VM file (a newline, or blanks at an end)\n",
			value ? value : "");
		return EXIT_USAGE;
	}
	fprintf(f, "%s = %s%s\n", key, prefix, value);
	return 0;
}

/*
 * The file's text for these options, on @f. Return: 0 or EXIT_USAGE (said).
 */
static int define_text(FILE *f, const char *name, const char *class, int argc, char **argv)
{
	int c, idx, ret = 0;

	fprintf(f, "# VM %s, written by tapvm define (tapvm(1), FILES); edit freely\n", name);
	if (class && (ret = define_line(f, "class", "", class)))
		return ret;
	optind = 1;
	opterr = 0;	/* run_validate() said it already */
	while (!ret && (c = getopt_long(argc, argv, "+n:d:vh", run_long_opts, &idx)) != -1) {
		const char *lname = NULL;
		char opt[128];

		switch (c) {
		case 'n':
			ret = define_line(f, "netdev", "", optarg);
			continue;
		case 'd':
			ret = define_line(f, "disk", "", optarg);
			continue;
		case 'M':
			ret = define_line(f, "memory", "", optarg);
			continue;
		case 'C':
			ret = define_line(f, "cpus", "", optarg);
			continue;
		case 'A':
			ret = define_line(f, "accel", "", optarg);
			continue;
		case 'Q':
			ret = define_line(f, "qemu", "", optarg);
			continue;
		case 'U':
			ret = define_line(f, "firmware", "", "uefi");
			continue;
		case 'b':
			ret = define_line(f, "firmware", "bios:", optarg);
			continue;
		case 'v':
			lname = "verbose";
			break;
		case 'N':
		case 'D':
		case 'h':
		case '?':
			fprintf(stderr, "tapvm: define takes no --name, --dry-run or --help among the VM's options\n");
			return EXIT_USAGE;
		default:
			lname = run_long_opts[idx].name;
			break;
		}
		snprintf(opt, sizeof(opt), "--%s%s", lname, optarg ? "=" : "");
		ret = define_line(f, "option", opt, optarg ? optarg : "");
	}
	/* getopt stops at "--" and consumes it; the rest is QEMU's. */
	for (int i = optind; !ret && i < argc; i++)
		ret = define_line(f, "qemu-arg", "", argv[i]);
	return ret;
}

/**
 * define_write() - write (or replace) a VM's file from run options
 * @name:	the VM (valid)
 * @class:	its class, or NULL
 * @argc:	options from argv[1] on (argv[0] is a name for messages)
 * @argv:	them, then -- and QEMU's arguments
 * @out:	where the text goes instead of the file (--dry-run), or NULL
 *
 * Return: 0, or tapvm's exit status (said).
 */
int define_write(const char *name, const char *class, int argc, char **argv, FILE *out)
{
	char dir[PATH_MAX], path[PATH_MAX + 80], tmp[PATH_MAX + 96];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret, fd;

	if ((ret = run_validate(name, argc, argv)))
		return ret;
	f = open_memstream(&text, &len);
	if (!f)
		return EXIT_OSERR;
	ret = define_text(f, name, class, argc, argv);
	fclose(f);
	if (ret || out) {
		if (!ret)
			fputs(text, out);
		free(text);
		return ret;
	}
	if (vmdef_dir(dir, sizeof(dir))) {
		free(text);
		return EXIT_USAGE;
	}
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		fprintf(stderr, "tapvm: cannot create %s: %s\n", dir, strerror(errno));
		free(text);
		return EXIT_OSERR;
	}
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.conf.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) || close(fd) ||
	    rename(tmp, path)) {
		fprintf(stderr, "tapvm: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		free(text);
		return EXIT_OSERR;
	}
	free(text);
	fprintf(stderr, "tapvm: VM %s defined in %s\n", name, path);
	return 0;
}

int define_main(int argc, char **argv)
{
	const char *class = NULL, *name;
	bool dry = false;
	int i = 2;

	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: tapvm define NAME [--class CLASS] [--print] [tapvm run option]... [-- QEMU-ARG...]\n"
		       "Write the VM NAME's file, $XDG_CONFIG_HOME/tapvm/NAME.conf, replacing it, so\n"
		       "that tapvm start NAME (and restart) runs the VM with these options:\n"
		       "--netdev, --disk, --memory, --cpus, --accel, --qemu, --uefi and --bios have\n"
		       "keys of their own; other run options become option lines, QEMU arguments\n"
		       "qemu-arg lines. --class names the VM's class; --print shows the file on\n"
		       "stdout instead of writing it. tapvm start NAME --save ... does the same\n"
		       "before it starts. tapvm undefine NAME removes the file.\n");
		return 0;
	}
	if (argc < 2 || !names_label_valid(argv[1])) {
		fprintf(stderr, "tapvm: define needs a VM name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63} first (tapvm define NAME [options])\n");
		return EXIT_USAGE;
	}
	/* define's own options come first, before the VM's. */
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--print")) {
			dry = true;
		} else if (!strcmp(argv[i], "--class") && i + 1 < argc) {
			class = argv[++i];
		} else if (!strncmp(argv[i], "--class=", 8)) {
			class = argv[i] + 8;
		} else {
			break;
		}
	}
	if (class && !names_label_valid(class)) {
		fprintf(stderr, "tapvm: --class '%s' is not a valid name\n", class);
		return EXIT_USAGE;
	}
	/* getopt skips argv[0] and names it in its messages. */
	name = argv[1];
	argv[i - 1] = "tapvm define";
	return define_write(name, class, argc - i + 1, argv + i - 1, dry ? stdout : NULL);
}
