// SPDX-License-Identifier: GPL-2.0-or-later
/* test_probe.c - firmware descriptors, machine aliases, disk formats
 *
 * Firmware choice is tested on descriptor files the test writes, in three
 * directories as /usr/share, /etc and $XDG_CONFIG_HOME stand; and on the
 * descriptors Debian's ovmf package installs, where it is installed.
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
#include <sys/stat.h>

#include <cmocka.h>

#include "firmware.h"
#include "qemu.h"

static char root[] = "/tmp/tapvm-fw-XXXXXX";
static char dirs[3][PATH_MAX];
static const char *dirp[3];
static char err[FIRMWARE_ERR_MAX];

static void write_desc(int dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dirs[dir], name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A descriptor as QEMU's docs/interop/firmware.json has them. */
static char *desc(const char *arch, const char *machines, const char *features,
		  const char *code, const char *device, const char *mode)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{ \"description\": \"test\", \"interface-types\": [\"uefi\"],\n"
		 "  \"mapping\": { \"device\": \"%s\", %s%s%s\n"
		 "    \"executable\": { \"filename\": \"%s\", \"format\": \"raw\" },\n"
		 "    \"nvram-template\": { \"filename\": \"%s.vars\", \"format\": \"raw\" } },\n"
		 "  \"targets\": [ { \"architecture\": \"%s\", \"machines\": [ %s ] } ],\n"
		 "  \"features\": [ %s ], \"tags\": [] }\n",
		 device, mode ? "\"mode\": \"" : "", mode ? mode : "", mode ? "\"," : "",
		 code, code, arch, machines, features);
	return buf;
}

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	for (int i = 0; i < 3; i++) {
		snprintf(dirs[i], sizeof(dirs[i]), "%s/%d", root, i);
		if (mkdir(dirs[i], 0755))
			return -1;
		dirp[i] = dirs[i];
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static int pick(const char *arch, const char *machine, bool secure, struct firmware *fw)
{
	err[0] = '\0';
	return firmware_select(dirp, 3, arch, machine, secure, fw, err, sizeof(err));
}

static void test_firmware_choice(void **state)
{
	struct firmware fw;

	/* Only unusable ones, then one that fits. */
	write_desc(0, "10-memory.json", desc("x86_64", "\"pc-*\"", "", "/fw/mem", "memory", NULL));
	write_desc(0, "20-combined.json", desc("x86_64", "\"pc-*\"", "", "/fw/comb", "flash", "combined"));
	write_desc(0, "30-arm.json", desc("aarch64", "\"virt-*\"", "", "/fw/arm", "flash", NULL));
	write_desc(0, "40-secure.json", desc("x86_64", "\"pc-q35-*\"",
		   "\"requires-smm\", \"secure-boot\", \"enrolled-keys\"", "/fw/sec", "flash", NULL));
	write_desc(0, "50-q35.json", desc("x86_64", "\"pc-q35-*\"", "\"acpi-s3\"", "/fw/q35", "flash", "split"));
	write_desc(0, "60-any.json", desc("x86_64", "\"pc-i440fx-*\", \"pc-q35-*\"", "", "/fw/any", "flash", NULL));

	assert_int_equal(pick("x86_64", "pc-i440fx-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/fw/any");
	assert_string_equal(fw.vars, "/fw/any.vars");
	assert_string_equal(fw.code_format, "raw");
	assert_false(fw.requires_smm);

	/* The lowest name that fits wins; Secure Boot is never chosen unasked. */
	assert_int_equal(pick("x86_64", "pc-q35-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/fw/q35");
	assert_int_equal(pick("x86_64", "pc-q35-7.2", true, &fw), 0);
	assert_string_equal(fw.code, "/fw/sec");
	assert_true(fw.requires_smm);
	assert_int_equal(pick("aarch64", "virt-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/fw/arm");

	/* Nothing fits: the error says what was looked for, and where. */
	assert_int_equal(pick("x86_64", "microvm", false, &fw), -ENOENT);
	assert_non_null(strstr(err, "x86_64 machine microvm"));
	assert_non_null(strstr(err, dirs[2]));
	assert_int_equal(pick("x86_64", "pc-i440fx-7.2", true, &fw), -ENOENT);
	assert_non_null(strstr(err, "with Secure Boot"));
	assert_int_equal(pick("riscv64", "virt", false, &fw), -ENOENT);
}

static void test_firmware_precedence(void **state)
{
	struct firmware fw;

	/* /etc replaces /usr/share's file of the same name... */
	write_desc(1, "60-any.json", desc("x86_64", "\"pc-i440fx-*\"", "", "/etc-fw/any", "flash", NULL));
	assert_int_equal(pick("x86_64", "pc-i440fx-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/etc-fw/any");
	assert_non_null(strstr(fw.descriptor, dirs[1]));
	/* ...and the user's replaces both. */
	write_desc(2, "60-any.json", desc("x86_64", "\"pc-i440fx-*\"", "", "/user-fw/any", "flash", NULL));
	assert_int_equal(pick("x86_64", "pc-i440fx-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/user-fw/any");
	/* An empty file masks it: nothing left for i440fx. */
	write_desc(2, "60-any.json", "");
	assert_int_equal(pick("x86_64", "pc-i440fx-7.2", false, &fw), -ENOENT);
	/* A user's file named to sort first wins over the system's. */
	write_desc(2, "00-mine.json", desc("x86_64", "\"pc-q35-*\"", "", "/user-fw/first", "flash", NULL));
	assert_int_equal(pick("x86_64", "pc-q35-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/user-fw/first");
	/* Broken JSON is passed over, not fatal. */
	write_desc(2, "01-broken.json", "{ not json");
	assert_int_equal(pick("x86_64", "pc-q35-7.2", false, &fw), 0);
	assert_string_equal(fw.code, "/user-fw/first");
}

/* What Debian's ovmf package installs, chosen as tapvm --uefi would. */
static void test_firmware_debian(void **state)
{
	const char *sys[] = { "/usr/share/qemu/firmware" };
	struct firmware fw;

	if (access("/usr/share/qemu/firmware/60-edk2-x86_64.json", R_OK)) {
		print_message("SKIP: Debian's ovmf is not installed\n");
		skip();
	}
	assert_int_equal(firmware_select(sys, 1, "x86_64", "pc-i440fx-7.2", false, &fw, err,
					 sizeof(err)), 0);
	assert_string_equal(fw.code, "/usr/share/OVMF/OVMF_CODE_4M.fd");
	assert_string_equal(fw.vars, "/usr/share/OVMF/OVMF_VARS_4M.fd");
	assert_int_equal(firmware_select(sys, 1, "x86_64", "pc-q35-7.2", true, &fw, err,
					 sizeof(err)), 0);
	assert_string_equal(fw.code, "/usr/share/OVMF/OVMF_CODE_4M.ms.fd");
	assert_true(fw.requires_smm);
}

static void test_machine_alias(void **state)
{
	struct qemu_probe q = { .qemu = "qemu-system-x86_64" };
	char m[64];

	if (access("/usr/bin/qemu-system-x86_64", X_OK)) {
		print_message("SKIP: qemu-system-x86_64 is not installed\n");
		skip();
	}
	assert_int_equal(qemu_machine_resolve(&q, "q35", m, sizeof(m)), 0);
	assert_int_equal(strncmp(m, "pc-q35-", 7), 0);
	assert_int_equal(qemu_machine_resolve(&q, NULL, m, sizeof(m)), 0);
	assert_int_equal(strncmp(m, "pc-i440fx-", 10), 0);
	assert_int_equal(qemu_machine_resolve(&q, m, m, sizeof(m)), 0);
	assert_int_equal(strncmp(m, "pc-i440fx-", 10), 0);
	assert_int_equal(qemu_machine_resolve(&q, "nosuch", m, sizeof(m)), -ENOENT);
	assert_non_null(strstr(q.err, "no machine type 'nosuch'"));
	qemu_probe_free(&q);
}

static void test_image_format(void **state)
{
	char path[PATH_MAX + 32], cmd[PATH_MAX * 2], fmt[32], e[512];

	if (system("command -v qemu-img >/dev/null")) {
		print_message("SKIP: qemu-img is not installed (qemu-utils)\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/a.qcow2", root);
	snprintf(cmd, sizeof(cmd), "qemu-img create -q -f qcow2 '%s' 1M", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qemu_img_format(path, fmt, sizeof(fmt), e, sizeof(e)), 0);
	assert_string_equal(fmt, "qcow2");
	/* A raw image named .qcow2 is still raw: the content decides. */
	snprintf(path, sizeof(path), "%s/b.qcow2", root);
	snprintf(cmd, sizeof(cmd), "truncate -s 1M '%s'", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qemu_img_format(path, fmt, sizeof(fmt), e, sizeof(e)), 0);
	assert_string_equal(fmt, "raw");
	snprintf(path, sizeof(path), "%s/missing.img", root);
	assert_int_equal(qemu_img_format(path, fmt, sizeof(fmt), e, sizeof(e)), -EINVAL);
	assert_non_null(strstr(e, "qemu-img cannot read"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firmware_choice),
		cmocka_unit_test(test_firmware_precedence),
		cmocka_unit_test(test_firmware_debian),
		cmocka_unit_test(test_machine_alias),
		cmocka_unit_test(test_image_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
