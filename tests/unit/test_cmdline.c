// SPDX-License-Identifier: GPL-2.0-or-later
/* test_cmdline.c - tapvm's option parsing and QEMU command-line builder */

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

#include "cmdline.h"

static char err[CMDLINE_ERR_MAX];

static void test_netdev_parse(void **state)
{
	struct netdev_spec nd;

	assert_int_equal(cmdline_parse_netdev("br0", &nd, err, sizeof(err)), 0);
	assert_false(nd.user);
	assert_string_equal(nd.bridge, "br0");
	assert_string_equal(nd.mac, "");
	assert_string_equal(nd.model, "virtio-net-pci");

	assert_int_equal(cmdline_parse_netdev("user,model=e1000,mac=52:54:00:AB:cd:01",
					      &nd, err, sizeof(err)), 0);
	assert_true(nd.user);
	assert_string_equal(nd.mac, "52:54:00:ab:cd:01");
	assert_string_equal(nd.model, "e1000");

	assert_int_equal(cmdline_parse_netdev("virbr0,macaddr=auto,model=virtio",
					      &nd, err, sizeof(err)), 0);
	assert_string_equal(nd.bridge, "virbr0");
	assert_string_equal(nd.mac, "");
	assert_string_equal(nd.model, "virtio-net-pci");
}

static void test_netdev_errors(void **state)
{
	static const char *bad[] = {
		"", ",mac=auto", "br0,mac=01:00:5e:00:00:01" /* multicast */,
		"br0,mac=52:54:00:00:00", "br0,mac=52:54:00:00:00:0g",
		"br0,mac=52-54-00-00-00-01", "br0,mac=52:54:00:00:00:011",
		"br0,speed=10", "br0,model=", "br0,model=e1000;reboot",
		"br0,mac", "a-very-long-bridge-name", "br/0",
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
	char a[] = "disk.img", b[] = "file=/x/y.qcow2,format=qcow2", c[] = "d.raw,fmt=raw";
	char bad1[] = "d.img,cache=none", bad2[] = "format=raw", bad3[] = "d.img,format=a b";
	struct disk_spec d;

	assert_int_equal(cmdline_parse_disk(a, &d, err, sizeof(err)), 0);
	assert_string_equal(d.file, "disk.img");
	assert_string_equal(d.format, "");
	assert_int_equal(cmdline_parse_disk(b, &d, err, sizeof(err)), 0);
	assert_string_equal(d.file, "/x/y.qcow2");
	assert_string_equal(d.format, "qcow2");
	assert_int_equal(cmdline_parse_disk(c, &d, err, sizeof(err)), 0);
	assert_string_equal(d.format, "raw");
	assert_int_equal(cmdline_parse_disk(bad1, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(cmdline_parse_disk(bad2, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(cmdline_parse_disk(bad3, &d, err, sizeof(err)), -EINVAL);
}

static void assert_argv(struct argv_buf *a, const char *const *expect)
{
	size_t i;

	for (i = 0; expect[i]; i++) {
		assert_true(i < a->n);
		assert_string_equal(a->v[i], expect[i]);
	}
	assert_int_equal(a->n, i);
	assert_null(a->v[a->n]);
}

static void test_build(void **state)
{
	struct netdev_spec nds[3] = {
		{ .user = false, .bridge = "br0", .mac = "52:54:00:00:00:01", .model = "virtio-net-pci" },
		{ .user = true, .mac = "52:54:00:00:00:02", .model = "e1000" },
		{ .user = false, .bridge = "br1", .mac = "52:54:00:00:00:03", .model = "virtio-net-pci" },
	};
	struct disk_spec disks[2] = { { .file = "/img/a,b.qcow2", .format = "qcow2" },
				      { .file = "/img/c.raw" } };
	char *extra[] = { "-m", "256", "-append", "console=ttyS0 a,b", NULL };
	struct vm_spec vm = {
		.qemu = "/usr/bin/qemu-system-x86_64", .accel = ACCEL_TCG, .name = "vm1",
		.netdevs = nds, .nnetdevs = 3, .disks = disks, .ndisks = 2,
		.extra = extra, .nextra = 4,
	};
	static const char *const expect[] = {
		"/usr/bin/qemu-system-x86_64", "-name", "vm1", "-accel", "tcg",
		"-drive", "file=/img/a,,b.qcow2,if=virtio,format=qcow2",
		"-drive", "file=/img/c.raw,if=virtio",
		"-netdev", "tap,id=net0,fd=3",
		"-device", "virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01",
		"-netdev", "user,id=net1",
		"-device", "e1000,netdev=net1,mac=52:54:00:00:00:02",
		"-netdev", "tap,id=net2,fd=4",
		"-device", "virtio-net-pci,netdev=net2,mac=52:54:00:00:00:03",
		"-m", "256", "-append", "console=ttyS0 a,b", NULL,
	};
	struct argv_buf a;

	assert_int_equal(cmdline_build(&vm, &a), 0);
	assert_argv(&a, expect);
	argv_free(&a);

	/* KVM, no name, nothing else. */
	vm = (struct vm_spec){ .qemu = "qemu", .accel = ACCEL_KVM };
	static const char *const expect2[] = { "qemu", "-accel", "kvm", NULL };
	assert_int_equal(cmdline_build(&vm, &a), 0);
	assert_argv(&a, expect2);
	argv_free(&a);
}

static void test_build_refuses_unresolved(void **state)
{
	struct netdev_spec nd = { .bridge = "br0", .model = "virtio-net-pci" };
	struct vm_spec vm = { .qemu = "q", .accel = ACCEL_TCG, .netdevs = &nd, .nnetdevs = 1 };
	struct argv_buf a;

	assert_int_equal(cmdline_build(&vm, &a), -EINVAL);	/* no MAC */
	vm.nnetdevs = 0;
	vm.accel = ACCEL_AUTO;
	assert_int_equal(cmdline_build(&vm, &a), -EINVAL);
}

/* The quoted line, read back by a real shell, gives the same arguments. */
static void test_quote_roundtrip(void **state)
{
	static const char *const args[] = {
		"plain", "with space", "it's", "", "$HOME", "a\"b", "`id`", "*", "tab\there",
		"new\nline", "x=y,z", "back\\slash", "!bang", "~", NULL,
	};
	char script[4096] = "printf '%s\\0' ";
	char out[4096];
	size_t n, pos = 0;
	FILE *sh;

	for (size_t i = 0; args[i]; i++) {
		char *q = cmdline_quote(args[i]);

		assert_non_null(q);
		strcat(script, q);
		strcat(script, " ");
		free(q);
	}
	{
		char path[] = "/tmp/tapvm-quote-XXXXXX", cmd[64];
		int fd = mkstemp(path);
		FILE *p;

		assert_true(fd >= 0);
		sh = fdopen(fd, "w");
		assert_non_null(sh);
		fprintf(sh, "%s\n", script);
		fclose(sh);
		snprintf(cmd, sizeof(cmd), "/bin/sh %s", path);
		p = popen(cmd, "r");
		assert_non_null(p);
		n = fread(out, 1, sizeof(out), p);
		assert_int_equal(pclose(p), 0);
		unlink(path);
	}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_netdev_parse),
		cmocka_unit_test(test_netdev_errors),
		cmocka_unit_test(test_disk_parse),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_refuses_unresolved),
		cmocka_unit_test(test_quote_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
