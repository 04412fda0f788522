// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cmdline.c - tapvm's options and QEMU command line, table-driven
 *
 * Expected lines are worked out from xkvm's source (padmac, isdevopt, the
 * disk and NIC loops, per-architecture defaults) and QEMU's documentation.
 * Property routing asks the real qemu-system-x86_64, as tapvm does.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arch.h"
#include "cmdline.h"
#include "mac.h"
#include "qemu.h"

static char err[CMDLINE_ERR_MAX];
static struct qemu_probe qprobe = { .qemu = "qemu-system-x86_64" };

static int real_has_prop(void *ctx, const char *model, const char *prop, const char **why)
{
	int ret = qemu_has_prop(ctx, model, prop);

	*why = ((struct qemu_probe *)ctx)->err;
	return ret;
}

static const struct cmdline_probe probe = { real_has_prop, &qprobe };

static int no_prop(void *ctx, const char *model, const char *prop, const char **why)
{
	*why = "no QEMU was asked";
	return -EINVAL;
}

static const struct cmdline_probe no_probe = { no_prop, NULL };

static void need_qemu(void)
{
	if (access("/usr/bin/qemu-system-x86_64", X_OK)) {
		print_message("SKIP: qemu-system-x86_64 is not installed (qemu-system-x86)\n");
		skip();
	}
}

/* --- MACs -------------------------------------------------------------- */

static void test_mac_pad(void **state)
{
	static const struct { const char *in; unsigned int idx; const char *out; } ok[] = {
		{ "", 0, "52:54:00:12:34:00" },		/* mac= empty: the index */
		{ "", 11, "52:54:00:12:34:0b" },
		{ ":05", 0, "52:54:00:12:34:05" },	/* xkvm's own example */
		{ "05", 0, "52:54:00:12:34:05" },
		{ "5", 0, "52:54:00:12:34:05" },
		{ "12:34:56", 0, "52:54:00:12:34:56" },
		{ "a:b", 0, "52:54:00:12:0a:0b" },
		{ "AB:cd", 0, "52:54:00:12:ab:cd" },
		{ "99:aa:bb:cc", 0, "52:54:99:aa:bb:cc" },
		{ "02:00:00:00:00:01", 0, "02:00:00:00:00:01" },
		{ "::07", 0, "52:54:00:12:34:07" },
	};
	static const char *const bad[] = {
		"123", "g1", "1:2:3:4:5:6:7", "03:00:00:00:00:01" /* multicast */,
		":", "12-34", "12:34 ",
	};
	char mac[MAC_STRLEN];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(mac_pad(ok[i].in, ok[i].idx, mac), 0);
		assert_string_equal(mac, ok[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(mac_pad(bad[i], 0, mac), -EINVAL);
}

static void test_mac_parse(void **state)
{
	uint8_t m[6];

	assert_int_equal(mac_parse("52:54:00:0a:Bc:ff", m), 0);
	assert_memory_equal(m, "\x52\x54\x00\x0a\xbc\xff", 6);
	assert_int_equal(mac_parse("52:54:00:0a:bc", m), -EINVAL);
	assert_int_equal(mac_parse("52:54:00:0a:bc:ff:00", m), -EINVAL);
	assert_int_equal(mac_parse("52:54:00:0a:bc:fff", m), -EINVAL);
	assert_int_equal(mac_parse("", m), -EINVAL);
}

static void test_mac_derive(void **state)
{
	char a[MAC_STRLEN], b[MAC_STRLEN];

	/* Pinned: the README documents this function; it must not change. */
	mac_derive("0123456789abcdef0123456789abcdef", "web", 0, a);
	assert_string_equal(a, "52:54:00:b1:79:eb");
	mac_derive("0123456789abcdef0123456789abcdef", "web", 0, b);
	assert_string_equal(a, b);
	mac_derive("0123456789abcdef0123456789abcdef", "web", 1, b);
	assert_string_not_equal(a, b);
	mac_derive("0123456789abcdef0123456789abcdef", "db", 0, b);
	assert_string_not_equal(a, b);
	mac_derive("fedcba9876543210fedcba9876543210", "web", 0, b);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(b, "52:54:00:", 9), 0);
}

static void test_resolve_mac(void **state)
{
	static const unsigned char rnd[3] = { 0xaa, 0xbb, 0xcc };
	struct netdev_spec nd;
	char derived[MAC_STRLEN];

	assert_int_equal(cmdline_parse_netdev("br0", &nd, err, sizeof(err)), 0);
	assert_int_equal(cmdline_resolve_mac(&nd, 2, "id", "vm", rnd, err, sizeof(err)), 0);
	mac_derive("id", "vm", 2, derived);
	assert_string_equal(nd.mac, derived);
	cmdline_netdev_free(&nd);

	assert_int_equal(cmdline_parse_netdev("br0,mac=random", &nd, err, sizeof(err)), 0);
	assert_int_equal(cmdline_resolve_mac(&nd, 0, "id", "vm", rnd, err, sizeof(err)), 0);
	assert_string_equal(nd.mac, "52:54:00:aa:bb:cc");
	cmdline_netdev_free(&nd);

	assert_int_equal(cmdline_parse_netdev("user,macaddr=:05", &nd, err, sizeof(err)), 0);
	assert_int_equal(cmdline_resolve_mac(&nd, 0, "id", "vm", rnd, err, sizeof(err)), 0);
	assert_string_equal(nd.mac, "52:54:00:12:34:05");
	cmdline_netdev_free(&nd);

	assert_int_equal(cmdline_parse_netdev("br0,mac=", &nd, err, sizeof(err)), 0);
	assert_int_equal(cmdline_resolve_mac(&nd, 3, "id", "vm", rnd, err, sizeof(err)), 0);
	assert_string_equal(nd.mac, "52:54:00:12:34:03");
	cmdline_netdev_free(&nd);

	assert_int_equal(cmdline_parse_netdev("br0,mac=zz", &nd, err, sizeof(err)), 0);
	assert_int_equal(cmdline_resolve_mac(&nd, 0, "id", "vm", rnd, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mac=zz"));
	cmdline_netdev_free(&nd);
}

/* --- parsing ------------------------------------------------------------ */

static void test_netdev_parse(void **state)
{
	struct netdev_spec nd;

	assert_int_equal(cmdline_parse_netdev("br0,model=e1000,bootindex=1,vhost=on",
					      &nd, err, sizeof(err)), 0);
	assert_int_equal(nd.kind, NETDEV_BRIDGE);
	assert_string_equal(nd.bridge, "br0");
	assert_string_equal(nd.model, "e1000");
	assert_string_equal(nd.mac_req, "auto");
	assert_int_equal(nd.nfields, 1);
	assert_string_equal(nd.fields[0], "bootindex=1");
	assert_true(nd.vhost);
	assert_int_equal(nd.queues, 1);
	cmdline_netdev_free(&nd);
	assert_int_equal(cmdline_parse_netdev("br0,queues=8,vhost=off,vhost", &nd, err, sizeof(err)), 0);
	assert_int_equal(nd.queues, 8);
	assert_true(nd.vhost);	/* the last word wins; bare vhost means on */
	assert_int_equal(nd.nfields, 0);
	cmdline_netdev_free(&nd);

	assert_int_equal(cmdline_parse_netdev("user,hostfwd=tcp::2222-:22", &nd, err, sizeof(err)), 0);
	assert_int_equal(nd.kind, NETDEV_USER);
	cmdline_netdev_free(&nd);
	assert_int_equal(cmdline_parse_netdev("none", &nd, err, sizeof(err)), 0);
	assert_int_equal(nd.kind, NETDEV_NONE);
	cmdline_netdev_free(&nd);
}

static void test_netdev_errors(void **state)
{
	static const char *const bad[] = {
		"", ",mac=auto", "br0,,model=e1000", "br0,", "a-very-long-bridge-name", "br/0",
		"none,mac=auto", "br0,model=", "br0,model=e1000;reboot", "br0,mac",
		/* tapd provides the tap: */
		"br0,fd=7", "br0,ifname=tap0", "br0,script=/bin/sh", "br0,downscript=no",
		"br0,helper=/x", "br0,br=br1", "br0,vhostfd=4", "br0,fds=4:5",
		"br0,id=x", "user,id=x", "user,netdev=x", "br0,=x", "br0,a b=c",
		/* tapd's queues and vhost: */
		"br0,queues=0", "br0,queues=9", "br0,queues=x", "br0,queues=", "br0,queues",
		"br0,queues=2x", "br0,vhost=maybe", "br0,vhostfds=5:6",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct netdev_spec nd;

		err[0] = '\0';
		if (cmdline_parse_netdev(bad[i], &nd, err, sizeof(err)) != -EINVAL) {
			print_error("'%s' was accepted\n", bad[i]);
			fail();
		}
		assert_true(err[0] != '\0');
	}
}

static void test_disk_parse(void **state)
{
	struct disk_spec d;

	assert_int_equal(cmdline_parse_disk("disk.img", &d, err, sizeof(err)), 0);
	assert_string_equal(d.file, "disk.img");
	assert_string_equal(d.format, "");
	assert_null(d.serial);
	cmdline_disk_free(&d);

	assert_int_equal(cmdline_parse_disk("file=/x/y.qcow2,fmt=qcow2,if=scsi,serial=S1,bus=1,cache=none",
					    &d, err, sizeof(err)), 0);
	assert_string_equal(d.file, "/x/y.qcow2");
	assert_string_equal(d.format, "qcow2");
	assert_string_equal(d.driver, "scsi-hd");
	assert_string_equal(d.serial, "S1");
	assert_string_equal(d.bus, "1");
	assert_int_equal(d.nfields, 1);
	assert_string_equal(d.fields[0], "cache=none");
	cmdline_disk_free(&d);

	assert_int_equal(cmdline_parse_disk("d.raw,format=raw,if=virtio,id=root,index=4",
					    &d, err, sizeof(err)), 0);
	assert_string_equal(d.driver, "virtio-blk");
	assert_string_equal(d.id, "root");
	assert_string_equal(d.index, "4");
	cmdline_disk_free(&d);
}

static void test_disk_errors(void **state)
{
	static const struct { const char *arg, *why; } bad[] = {
		{ "d.img,bus=0,index=1", "cannot be given together" },
		{ "d.img,unit=0,index=1", "cannot be given together" },
		{ "d.img,unit=1", "unit= needs bus=" },
		{ "format=raw", "names no file" },
		{ "d.img,if=ide", "if=ide is not supported" },
		{ "d.img,if=pflash", "--bios or --uefi" },
		{ "d.img,if=floppy", "not supported" },
		{ "d.img,format=a b", "not a valid field" },
		{ "d.img,index=x", "not a valid field" },
		{ "d.img,id=9x", "not a valid field" },
		{ "d.img,,cache=none", "empty field" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct disk_spec d;

		err[0] = '\0';
		if (cmdline_parse_disk(bad[i].arg, &d, err, sizeof(err)) != -EINVAL ||
		    !strstr(err, bad[i].why)) {
			print_error("'%s': got '%s', wanted '%s'\n", bad[i].arg, err, bad[i].why);
			fail();
		}
	}
}

static void test_machine_arg(void **state)
{
	static const struct { const char *args[4]; const char *want; } cases[] = {
		{ { "-machine", "q35", NULL }, "q35" },
		{ { "-M", "q35,smm=on", NULL }, "q35" },
		{ { "-machine", "type=pc-q35-7.2,accel=kvm", NULL }, "pc-q35-7.2" },
		{ { "-machine", "accel=kvm", NULL }, NULL },
		{ { "-m", "512", NULL }, NULL },
		{ { "-machine", "pc", "-machine", "q35" }, "q35" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;
		const char *got;

		while (n < 4 && cases[i].args[n])
			n++;
		got = cmdline_machine_arg((char **)cases[i].args, n, buf, sizeof(buf));
		if (!cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
}

/* --- the builder, table-driven ------------------------------------------------ */

struct build_case {
	const char *title;
	const char *qemu;		/* its name sets the architecture */
	const char *netdevs[4];
	const char *disks[4];
	const char *formats[4];
	enum cmdline_fw fw;
	bool smm;
	const char *machine;
	const char *extra[4];
	bool asks_qemu;			/* routing needs qemu-system-x86_64 */
	const char *want;		/* the whole line, one space between args */
	const char *error;		/* or the error wanted */
};

static const struct build_case build_cases[] = {
	{ "xkvm's default: one virtio NIC on a tap, the virtio-scsi bus",
	  "qemu-system-x86_64", { "virbr0" }, { NULL }, { NULL }, FW_DEFAULT, false, NULL,
	  { NULL }, false,
	  "qemu-system-x86_64 -accel tcg -device virtio-scsi-pci,id=virtio-scsi-xkvm "
	  "-netdev tap,id=net00,fd=3 -device virtio-net-pci,netdev=net00,mac=52:54:00:00:00:00", NULL },
	{ "NIC fields routed by the model's properties; user NICs take no fd",
	  "qemu-system-x86_64",
	  { "br0,model=e1000,bootindex=1,vhost=on", "user,hostfwd=tcp::2222-:22,romfile=",
	    "br1,model=virtio,mq" },
	  { NULL }, { NULL }, FW_DEFAULT, false, NULL, { NULL }, true,
	  "qemu-system-x86_64 -accel tcg -device virtio-scsi-pci,id=virtio-scsi-xkvm "
	  "-netdev tap,id=net00,fd=3,vhost=on -device e1000,netdev=net00,mac=52:54:00:00:00:00,bootindex=1 "
	  "-netdev user,id=net01,hostfwd=tcp::2222-:22 -device virtio-net-pci,netdev=net01,mac=52:54:00:00:00:01,romfile= "
	  "-netdev tap,id=net02,fd=4 -device virtio-net-pci,netdev=net02,mac=52:54:00:00:00:02,mq=on", NULL },
	{ "disks: format, serial from the name, index from the position, if=scsi, bus and unit",
	  "qemu-system-x86_64", { "none" },
	  { "/img/root.qcow2", "/img/data.raw,if=scsi,serial=DATA1,bus=0,cache=none,bootindex=2",
	    "/img/c.raw,id=extra,index=7,readonly,discard=on", "/img/d.raw,driver=virtio-blk-pci,bus=1,unit=3" },
	  { "qcow2", "raw", "raw", "raw" }, FW_DEFAULT, false, NULL, { "-m", "512" }, true,
	  "qemu-system-x86_64 -accel tcg -device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none "
	  "-drive file=/img/root.qcow2,id=disk00,if=none,format=qcow2,index=0 "
	  "-device virtio-blk,drive=disk00,serial=root.qcow2 "
	  "-drive file=/img/data.raw,id=disk01,if=none,format=raw,bus=0,unit=1,cache=none "
	  "-device scsi-hd,drive=disk01,serial=DATA1,bootindex=2 "
	  "-drive file=/img/c.raw,id=extra,if=none,format=raw,index=7,readonly=on "
	  "-device virtio-blk,drive=extra,serial=c.raw,discard=on "
	  "-drive file=/img/d.raw,id=disk03,if=none,format=raw,bus=1,unit=3 "
	  "-device virtio-blk-pci,drive=disk03,serial=d.raw -m 512", NULL },
	{ "--bios: read-only flash", "qemu-system-x86_64", { "none" }, { NULL }, { NULL },
	  FW_BIOS, false, NULL, { NULL }, false,
	  "qemu-system-x86_64 -accel tcg -drive if=pflash,format=raw,unit=0,file=/fw/my,,bios.fd,readonly=on "
	  "-device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none", NULL },
	{ "UEFI: code read-only first, then the VM's own variables",
	  "qemu-system-x86_64", { "none" }, { NULL }, { NULL }, FW_UEFI, false, NULL, { NULL }, false,
	  "qemu-system-x86_64 -accel tcg "
	  "-drive if=pflash,format=raw,unit=0,file=/fw/CODE.fd,readonly=on "
	  "-drive if=pflash,format=raw,unit=1,file=/run/vm/VARS.fd "
	  "-device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none", NULL },
	{ "Secure Boot: q35 with SMM and secure flash", "qemu-system-x86_64", { "none" }, { NULL },
	  { NULL }, FW_UEFI, true, "q35", { NULL }, false,
	  "qemu-system-x86_64 -accel tcg -machine q35 "
	  "-drive if=pflash,format=raw,unit=0,file=/fw/CODE.fd,readonly=on "
	  "-drive if=pflash,format=raw,unit=1,file=/run/vm/VARS.fd "
	  "-machine smm=on -global driver=cfi.pflash01,property=secure,value=on "
	  "-device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none", NULL },
	{ "s390x: ccw devices", "/usr/bin/qemu-system-s390x", { "br0", "user,model=virtio" },
	  { NULL }, { NULL }, FW_DEFAULT, false, NULL, { NULL }, false,
	  "/usr/bin/qemu-system-s390x -accel tcg -device virtio-scsi-ccw,id=virtio-scsi-xkvm "
	  "-netdev tap,id=net00,fd=3 -device virtio-net-ccw,netdev=net00,mac=52:54:00:00:00:00 "
	  "-netdev user,id=net01 -device virtio-net-ccw,netdev=net01,mac=52:54:00:00:00:01", NULL },
	{ "ppc64: pseries without USB, spapr-vscsi", "qemu-system-ppc64", { "none" }, { NULL },
	  { NULL }, FW_DEFAULT, false, NULL, { NULL }, false,
	  "qemu-system-ppc64 -accel tcg -machine pseries,usb=off -device spapr-vscsi "
	  "-device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none", NULL },
	{ "aarch64: virt, a CPU TCG can run, UEFI", "qemu-system-aarch64", { "none" }, { NULL },
	  { NULL }, FW_UEFI, false, NULL, { NULL }, false,
	  "qemu-system-aarch64 -accel tcg -machine virt -cpu max "
	  "-drive if=pflash,format=raw,unit=0,file=/fw/CODE.fd,readonly=on "
	  "-drive if=pflash,format=raw,unit=1,file=/run/vm/VARS.fd "
	  "-device virtio-scsi-pci,id=virtio-scsi-xkvm -nic none", NULL },
	{ "none with another NIC", "qemu-system-x86_64", { "none", "user" }, { NULL }, { NULL },
	  FW_DEFAULT, false, NULL, { NULL }, false, NULL, "--netdev none cannot go with other NICs" },
	{ "a model QEMU does not have", "qemu-system-x86_64", { "br0,model=nosuchnic,speed=10" },
	  { NULL }, { NULL }, FW_DEFAULT, false, NULL, { NULL }, true, NULL,
	  "QEMU has no device model 'nosuchnic'" },
};

static char *join(char **v)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; v[i]; i++)
		len += strlen(v[i]) + 1;
	s = calloc(1, len);
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	return s;
}

/* Where each fd QEMU gets sits: one place says, the command line and the supervisor follow. */
static void test_fd_layout(void **state)
{
	struct netdev_spec nds[3] = {
		{ .kind = NETDEV_BRIDGE, .queues = 2, .nvhost = 2 },
		{ .kind = NETDEV_USER },
		{ .kind = NETDEV_BRIDGE, .queues = 1 },
	};
	struct vm_spec vm = { .netdevs = nds, .nnetdevs = 3, .qmp = true, .status_port = true };

	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_NIC, 0), CMDLINE_FD_BASE);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_NIC, 1), -1);	/* user: no fd */
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_NIC, 2), CMDLINE_FD_BASE + 4);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_NIC, 3), -1);	/* no such NIC */
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_QMP, 0), CMDLINE_FD_BASE + 5);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_CONSOLE, 0), -1);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_STATUS, 0), CMDLINE_FD_BASE + 6);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_END, 0), CMDLINE_FD_BASE + 7);
	vm.console = true;
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_CONSOLE, 0), CMDLINE_FD_BASE + 6);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_STATUS, 0), CMDLINE_FD_BASE + 7);
	assert_int_equal(cmdline_fd_of(&vm, CMDLINE_FD_END, 0), CMDLINE_FD_BASE + 8);
}

static void test_build_table(void **state)
{
	for (size_t c = 0; c < sizeof(build_cases) / sizeof(build_cases[0]); c++) {
		const struct build_case *bc = &build_cases[c];
		struct netdev_spec nds[4];
		struct disk_spec disks[4];
		struct vm_spec vm = {
			.qemu = bc->qemu, .arch = arch_of_binary(bc->qemu), .accel = ACCEL_TCG,
			.machine = bc->machine, .netdevs = nds, .disks = disks, .fw = bc->fw,
			.bios = "/fw/my,bios.fd", .fw_code = "/fw/CODE.fd", .fw_code_format = "raw",
			.fw_vars = "/run/vm/VARS.fd", .fw_vars_format = "raw", .fw_smm = bc->smm,
			.extra = (char **)bc->extra,
		};
		struct argv_buf a;
		int ret;

		if (bc->asks_qemu && access("/usr/bin/qemu-system-x86_64", X_OK)) {
			print_message("SKIP case '%s': qemu-system-x86_64 missing\n", bc->title);
			continue;
		}
		while (vm.nextra < 4 && bc->extra[vm.nextra])
			vm.nextra++;
		for (; vm.nnetdevs < 4 && bc->netdevs[vm.nnetdevs]; vm.nnetdevs++) {
			struct netdev_spec *nd = &nds[vm.nnetdevs];

			assert_int_equal(cmdline_parse_netdev(bc->netdevs[vm.nnetdevs], nd, err,
							      sizeof(err)), 0);
			snprintf(nd->mac, sizeof(nd->mac), "52:54:00:00:00:%02zx", vm.nnetdevs);
		}
		for (; vm.ndisks < 4 && bc->disks[vm.ndisks]; vm.ndisks++) {
			struct disk_spec *d = &disks[vm.ndisks];

			assert_int_equal(cmdline_parse_disk(bc->disks[vm.ndisks], d, err, sizeof(err)), 0);
			if (!d->format[0])
				snprintf(d->format, sizeof(d->format), "%s", bc->formats[vm.ndisks]);
		}
		err[0] = '\0';
		ret = cmdline_build(&vm, bc->asks_qemu ? &probe : &no_probe, &a, err, sizeof(err));
		if (bc->want) {
			char *line;

			if (ret) {
				print_error("case '%s': error %d: %s\n", bc->title, ret, err);
				fail();
			}
			line = join(a.v);
			if (strcmp(line, bc->want)) {
				print_error("case '%s':\n got: %s\nwant: %s\n", bc->title, line, bc->want);
				fail();
			}
			free(line);
			argv_free(&a);
		} else if (!ret || !strstr(err, bc->error)) {
			print_error("case '%s': got %d '%s', wanted '%s'\n", bc->title, ret, err, bc->error);
			fail();
		}
		for (size_t i = 0; i < vm.nnetdevs; i++)
			cmdline_netdev_free(&nds[i]);
		for (size_t i = 0; i < vm.ndisks; i++)
			cmdline_disk_free(&disks[i]);
	}
}

/*
 * Multiqueue and vhost-net: each bridge NIC takes its queues' fds, then its
 * vhost-net fds (when tapd gave them), NIC by NIC; tapvm's sockets follow.
 */
static void test_build_queues(void **state)
{
	static const struct {
		const char *netdevs[4];
		bool tapd_vhost;	/* tapd gave a vhost-net fd per queue */
		const char *want;	/* from the first -netdev to the end */
	} cases[] = {
		{ { "br0,queues=4,vhost=on", "user", "br1,vhost=on", "br2,queues=2" }, true,
		  "-netdev tap,id=net00,fds=3:4:5:6,vhost=on,vhostfds=7:8:9:10 "
		  "-device virtio-net-pci,netdev=net00,mac=52:54:00:00:00:00,mq=on,vectors=10 "
		  "-netdev user,id=net01 -device virtio-net-pci,netdev=net01,mac=52:54:00:00:00:01 "
		  "-netdev tap,id=net02,fd=11,vhost=on,vhostfd=12 "
		  "-device virtio-net-pci,netdev=net02,mac=52:54:00:00:00:02 "
		  "-netdev tap,id=net03,fds=13:14 "
		  "-device virtio-net-pci,netdev=net03,mac=52:54:00:00:00:03,mq=on,vectors=6 "
		  "-chardev socket,id=tapvm-qmp,fd=15 -mon chardev=tapvm-qmp,mode=control" },
		/* tapd could not open /dev/vhost-net: QEMU will try on its own. */
		{ { "br0,queues=2,vhost=on" }, false,
		  "-netdev tap,id=net00,fds=3:4,vhost=on "
		  "-device virtio-net-pci,netdev=net00,mac=52:54:00:00:00:00,mq=on,vectors=6 "
		  "-chardev socket,id=tapvm-qmp,fd=5 -mon chardev=tapvm-qmp,mode=control" },
		{ { "br0,queues=2,model=e1000" }, false, NULL },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct netdev_spec nds[4];
		struct vm_spec vm = {
			.qemu = "qemu-system-x86_64", .arch = arch_of_binary("qemu-system-x86_64"),
			.accel = ACCEL_TCG, .netdevs = nds, .qmp = true,
		};
		struct argv_buf a;
		char *line;
		int ret;

		for (; vm.nnetdevs < 4 && cases[c].netdevs[vm.nnetdevs]; vm.nnetdevs++) {
			struct netdev_spec *nd = &nds[vm.nnetdevs];

			assert_int_equal(cmdline_parse_netdev(cases[c].netdevs[vm.nnetdevs], nd, err,
							      sizeof(err)), 0);
			snprintf(nd->mac, sizeof(nd->mac), "52:54:00:00:00:%02zx", vm.nnetdevs);
			if (cases[c].tapd_vhost && nd->vhost)
				nd->nvhost = nd->queues;
		}
		ret = cmdline_build(&vm, &no_probe, &a, err, sizeof(err));
		if (!cases[c].want) {
			assert_int_equal(ret, -EINVAL);
			assert_string_equal(err, "NIC 0: queues= needs a virtio NIC, not e1000");
		} else {
			assert_int_equal(ret, 0);
			line = join(a.v);
			if (!strstr(line, cases[c].want) ||
			    strcmp(strstr(line, cases[c].want), cases[c].want)) {
				print_error("case %zu:\n got: %s\nwant: ...%s\n", c, line, cases[c].want);
				fail();
			}
			free(line);
			argv_free(&a);
		}
		for (size_t i = 0; i < vm.nnetdevs; i++)
			cmdline_netdev_free(&nds[i]);
	}
}

/* Each model is asked about once per run, however many fields route. */
static void test_probe_asks_once(void **state)
{
	struct qemu_probe q = { .qemu = "qemu-system-x86_64" };

	need_qemu();
	assert_int_equal(qemu_has_prop(&q, "e1000", "bootindex"), 1);
	assert_int_equal(qemu_has_prop(&q, "e1000", "vhost"), 0);
	q.qemu = "/nonexistent/qemu";	/* would fail if asked again */
	assert_int_equal(qemu_has_prop(&q, "e1000", "romfile"), 1);
	assert_int_equal(qemu_has_prop(&q, "virtio-net-pci", "mq"), -EINVAL);
	qemu_probe_free(&q);
}

/* The quoted line, read back by a real shell, gives the same arguments. */
static void test_quote_roundtrip(void **state)
{
	static const char *const args[] = {
		"plain", "with space", "it's", "", "$HOME", "a\"b", "`id`", "*", "tab\there",
		"new\nline", "x=y,z", "back\\slash", "!bang", "~", NULL,
	};
	char script[4096] = "printf '%s\\0' ";
	char out[4096], path[] = "/tmp/tapvm-quote-XXXXXX", cmd[64];
	size_t n, pos = 0;
	int fd;
	FILE *f;

	for (size_t i = 0; args[i]; i++) {
		char *q = cmdline_quote(args[i]);

		assert_non_null(q);
		strcat(script, q);
		strcat(script, " ");
		free(q);
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", script);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "/bin/sh %s", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out), f);
	assert_int_equal(pclose(f), 0);
	unlink(path);
	for (size_t i = 0; args[i]; i++) {
		assert_true(pos < n);
		assert_string_equal(out + pos, args[i]);
		pos += strlen(args[i]) + 1;
	}
	assert_int_equal(pos, n);
	{
		char *q = cmdline_quote("plain-word_1.2:3,4/5=6@7%8+9");

		assert_string_equal(q, "plain-word_1.2:3,4/5=6@7%8+9");
		free(q);
	}
}

static int teardown(void **state)
{
	qemu_probe_free(&qprobe);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_pad),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_derive),
		cmocka_unit_test(test_resolve_mac),
		cmocka_unit_test(test_netdev_parse),
		cmocka_unit_test(test_netdev_errors),
		cmocka_unit_test(test_disk_parse),
		cmocka_unit_test(test_disk_errors),
		cmocka_unit_test(test_machine_arg),
		cmocka_unit_test(test_build_table),
		cmocka_unit_test(test_build_queues),
		cmocka_unit_test(test_fd_layout),
		cmocka_unit_test(test_probe_asks_once),
		cmocka_unit_test(test_quote_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
