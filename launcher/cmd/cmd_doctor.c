// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_doctor.c - tapvm doctor: what a first run needs, and what to do for each
 * missing piece
 *
 * Each check prints one line: "ok", "FAIL" (tapvm run cannot work until it
 * is fixed) or "warn" (it works, less well or not for every option), with
 * what was found or what to do. Nothing is changed.
 */

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

#include "arch.h"
#include "client.h"
#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "firmware.h"
#include "host.h"
#include "qemu.h"
#include "tapd_error.h"
#include "util.h"

struct doctor {
	unsigned int failed, warned;
};

static void __attribute__((format(printf, 3, 4)))
doctor_say(struct doctor *d, int level, const char *fmt, ...)
{
	static const char *const tag[] = { "ok  ", "warn", "FAIL" };
	va_list ap;

	if (level == 1)
		d->warned++;
	if (level == 2)
		d->failed++;
	printf("%s  ", tag[level]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define OK	0
#define WARN	1
#define FAIL	2

/* Where QEMU (and libvirt, without bridge_helper) look for the helper. */
#define DOCTOR_QEMU_HELPER	"/usr/lib/qemu/qemu-bridge-helper"

/* The driver of link @name, as ethtool -i says (no privilege needed). */
static int doctor_driver(const char *name, char *driver, size_t size)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (char *)&info };
	cleanup_fd int sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sock < 0 || strlen(name) >= sizeof(ifr.ifr_name))
		return -EINVAL;
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(sock, SIOCETHTOOL, &ifr))
		return -errno;
	snprintf(driver, size, "%.*s", (int)sizeof(info.driver), info.driver);
	return 0;
}

static void doctor_bridge(struct doctor *d, const char *name)
{
	char path[64], driver[40];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	if (stat(path, &st)) {
		char line[256];

		names_bridge_missing(name, line, sizeof(line));
		doctor_say(d, FAIL, "%s", line);
		return;
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
	if (!stat(path, &st)) {
		doctor_say(d, OK, "bridge %s exists", name);
		return;
	}
	/* An Open vSwitch bridge's own port: its datapath's device, or a tap of the userspace one. */
	if (!doctor_driver(name, driver, sizeof(driver)) &&
	    (!strcmp(driver, "openvswitch") || !strcmp(driver, "tun"))) {
		doctor_say(d, OK, "bridge %s exists: an Open vSwitch bridge (%s datapath), if Open vSwitch's database says so, which tapd asks",
			   name, strcmp(driver, "tun") ? "kernel" : "userspace");
		return;
	}
	doctor_say(d, FAIL, "%s is not a bridge: ask the admin to grant a bridge instead", name);
}

/* tapd, and what its policy lets this user have. */
static void doctor_tapd(struct doctor *d, const char *path)
{
	char err[CLIENT_ERR_MAX], user[64];
	struct passwd *pw = getpwuid(getuid());
	struct client_listing l;
	cleanup_fd int sock = -1;
	int ret;

	if (pw)
		snprintf(user, sizeof(user), "user:%s", pw->pw_name);
	else
		snprintf(user, sizeof(user), "user:#%u", (unsigned int)getuid());
	ret = client_connect(path, &sock);
	if (ret) {
		char why[PATH_MAX + 160];

		tapd_connect_why(ret, path, true, why, sizeof(why));
		doctor_say(d, FAIL, "%s", why);
		doctor_say(d, WARN, "bridges not checked: that needs tapd");
		return;
	}
	ret = client_list(sock, &l, err, sizeof(err));
	if (ret) {
		doctor_say(d, FAIL, "tapd at %s did not answer: %s", path, err);
		return;
	}
	doctor_say(d, OK, "tapd answers at %s", path);
	if (!l.ngrants) {
		doctor_say(d, FAIL, "the tapd policy grants you (%s) no bridge: ask the admin to add 'allow %s BRIDGE' to /etc/tapd/tapd.conf",
			   user, user);
	} else {
		char list[1024] = "";

		for (size_t i = 0; i < l.ngrants; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s (%u tap%s)",
				 i ? ", " : "", l.grants[i].bridge, l.grants[i].max_taps,
				 l.grants[i].max_taps == 1 ? "" : "s");
		doctor_say(d, OK, "the tapd policy grants you: %s", list);
		for (size_t i = 0; i < l.ngrants; i++)
			doctor_bridge(d, l.grants[i].bridge);
	}
	client_listing_free(&l);
}

/* QEMU, qemu-img, UEFI firmware, KVM. */
static void doctor_qemu(struct doctor *d, const char *qemu)
{
	const struct arch_info *arch = arch_of_binary(qemu);
	char machine[128], why[512], dirs[3][PATH_MAX];
	struct qemu_probe probe = { 0 };
	const char *dirp[3];
	cleanup_free char *path = NULL, *img = NULL;
	struct firmware fw;
	char err[FIRMWARE_ERR_MAX];
	int ndirs, ret;

	ret = host_find_program(qemu, &path);
	if (ret) {
		doctor_say(d, FAIL, "QEMU %s %s: install %s (sudo apt install %s) or pass --qemu",
			   qemu, ret == -EACCES ? "is not executable" : "is not found",
			   arch->package, arch->package);
	} else {
		doctor_say(d, OK, "QEMU: %s", path);
	}
	if (host_find_program("qemu-img", &img))
		doctor_say(d, WARN, "qemu-img is not found: tapvm cannot tell disk formats or make drives (sudo apt install qemu-utils)");
	else
		doctor_say(d, OK, "qemu-img: %s", img);

	/* The firmware --uefi would pick for the default machine. */
	probe.qemu = path;
	if (path && !qemu_machine_resolve(&probe, NULL, machine, sizeof(machine))) {
		ndirs = firmware_default_dirs(dirs);
		for (int i = 0; i < ndirs; i++)
			dirp[i] = dirs[i];
		if (firmware_select(dirp, (size_t)ndirs, arch->name, machine, false, &fw, err,
				    sizeof(err)))
			doctor_say(d, arch->uefi ? FAIL : WARN, "no UEFI firmware for %s (%s): %s%s%s",
				   machine, arch->uefi ? "this architecture boots with it" : "only --uefi needs it",
				   err, arch->fw_package ? ": install " : "",
				   arch->fw_package ? arch->fw_package : "");
		else
			doctor_say(d, OK, "UEFI firmware (--uefi) for %s: %s", machine, fw.code);
	}
	qemu_probe_free(&probe);

	if (host_kvm_check(why, sizeof(why)))
		doctor_say(d, WARN, "KVM: %s", why);
	else
		doctor_say(d, OK, "KVM: /dev/kvm is usable");
}

/*
 * libvirt's qemu:///session (virt-manager's user session, GNOME Boxes) runs
 * bridge_helper from the user's qemu.conf, else QEMU's helper path: which
 * one, and whether it can work without setuid.
 */
static void doctor_libvirt(struct doctor *d)
{
	static const char *const daemons[] = { "/usr/sbin/libvirtd", "/usr/sbin/virtqemud" };
	char conf[PATH_MAX], line[PATH_MAX + 64], helper[PATH_MAX] = DOCTOR_QEMU_HELPER;
	char *real = NULL;
	const char *base, *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	bool have = false, set = false;
	struct stat st;
	FILE *f;

	for (size_t i = 0; i < sizeof(daemons) / sizeof(daemons[0]); i++)
		have = have || !access(daemons[i], X_OK);
	if (!have)
		return;	/* no libvirt: nothing to say */
	if (xdg && *xdg)
		snprintf(conf, sizeof(conf), "%s/libvirt/qemu.conf", xdg);
	else
		snprintf(conf, sizeof(conf), "%s/.config/libvirt/qemu.conf", home ? home : "");
	f = fopen(conf, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *q;

		if (strncmp(p, "bridge_helper", 13))
			continue;
		p += 13 + strspn(p + 13, " \t");
		if (*p++ != '=')
			continue;
		p += strspn(p, " \t");
		if (*p != '"' || !(q = strchr(p + 1, '"')))
			continue;
		snprintf(helper, sizeof(helper), "%.*s", (int)(q - p - 1), p + 1);
		set = true;
	}
	if (f)
		fclose(f);
	/* Installed anywhere, or reached through QEMU's diverted path. */
	real = realpath(helper, NULL);
	base = real ? strrchr(real, '/') : NULL;
	if (base && !strcmp(base, "/tapd-bridge-helper"))
		doctor_say(d, OK, "libvirt's session (virt-manager, GNOME Boxes) runs tapd-bridge-helper for bridged NICs (%s: %s)",
			   helper, set ? "bridge_helper in your qemu.conf" :
			   "QEMU's path, diverted by tapd-qemu-bridge-helper");
	else if (!real || stat(real, &st))
		doctor_say(d, WARN, "libvirt's session would run %s for bridged NICs, which is not there: install tapd-qemu-bridge-helper (sudo apt install tapd-qemu-bridge-helper), or set bridge_helper = \"%s\" in %s",
			   helper, TAPVM_BRIDGE_HELPER, conf);
	else if ((st.st_mode & S_ISUID) && st.st_uid == 0)
		doctor_say(d, OK, "libvirt's session runs %s for bridged NICs: QEMU's helper, setuid root (its own ACL, /etc/qemu/bridge.conf, decides)",
			   helper);
	else
		doctor_say(d, WARN, "libvirt's session (virt-manager, GNOME Boxes) would run %s for bridged NICs, which is not setuid: they fail; install tapd-qemu-bridge-helper (sudo apt install tapd-qemu-bridge-helper), or set bridge_helper = \"%s\" in %s",
			   helper, TAPVM_BRIDGE_HELPER, conf);
	free(real);
}

static void doctor_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm doctor [--socket PATH] [--qemu BINARY]\n"
"Check what a first tapvm run needs and say what to do for each missing\n"
"piece: tapd reachable; the bridges its policy grants you, and that they\n"
"exist; QEMU, qemu-img and UEFI firmware installed; KVM usable, or why not;\n"
"the bridge helper libvirt's session would run (when libvirt is installed).\n"
"Changes nothing. Exit status 0 when nothing FAILs, else 1.\n"
"\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"      --qemu BINARY     the QEMU to check (default qemu-system-ARCH of\n"
"                        this host)\n"
"  -h, --help            show this help\n");
}

int doctor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "qemu", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *sock_path = NULL, *qemu = NULL;
	struct doctor d = { 0 };
	char name[96];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock_path = optarg;
			break;
		case 'q':
			qemu = optarg;
			break;
		case 'h':
			doctor_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'tapvm doctor --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return command_no_operands("doctor", argv[optind]);
	if (!qemu) {
		snprintf(name, sizeof(name), "qemu-system-%s", arch_host());
		qemu = name;
	}
	doctor_tapd(&d, client_socket_path(sock_path));
	doctor_qemu(&d, qemu);
	doctor_libvirt(&d);
	if (d.failed)
		printf("\n%u problem%s to fix before tapvm run can work.\n", d.failed,
		       d.failed == 1 ? "" : "s");
	else
		printf("\nReady%s.\n", d.warned ? ", with the warnings above" : "");
	return d.failed ? 1 : 0;
}
