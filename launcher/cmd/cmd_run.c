// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_run.c - tapvm run (and xkvm): resolve the VM, get taps, start QEMU
 *
 * The stages, in order; nothing is asked of tapd until everything that can
 * fail without it has been checked:
 *	1. options (xkvm's, and tapvm's own);
 *	2. QEMU binary, its architecture and the accelerator;
 *	3. disks: exist, and their formats (qemu-img);
 *	4. firmware: --bios, or UEFI through QEMU's firmware descriptors, with
 *	   the VM's own copy of the variables;
 *	5. MACs;
 *	6. taps from tapd (not with --dry-run);
 *	7. the command line; then QEMU, supervised.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "arch.h"
#include "client.h"
#include "cmdline.h"
#include "commands.h"
#include "exitcode.h"
#include "firmware.h"
#include "host.h"
#include "mac.h"
#include "names.h"
#include "qemu.h"
#include "state.h"
#include "supervise.h"
#include "tapd_error.h"
#include "util.h"
#include "vm.h"
#include "vmdef.h"

#define RUN_MAX_NICS	32
#define RUN_MAX_DISKS	64
/* build-vm's watchdog: armed between these console lines, 300 s. */
#define RUN_WATCHDOG_START	"### WATCHDOG MARKER START ###"
#define RUN_WATCHDOG_END	"### WATCHDOG MARKER END ###"
#define RUN_WATCHDOG_DEFAULT_S	300

static void run_usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [OPTION]... [-- QEMU-ARG...]\n"
"Start a QEMU VM whose NICs sit on host bridges, with taps from tapd.\n"
"\n"
"  -n, --netdev BRIDGE|user|none[,FIELD...]\n"
"                        a NIC on BRIDGE (a tap from tapd), on QEMU's user\n"
"                        network, or no NIC at all; repeatable. Default: one\n"
"                        NIC on " CMDLINE_DEFAULT_BRIDGE ". Fields:\n"
"                          mac=auto     stable: from this host's machine-id,\n"
"                                       the VM's name and the NIC's index\n"
"                          mac=random   52:54:00 and 3 random bytes\n"
"                          mac=:05      padded as xkvm: 52:54:00:12:34:05\n"
"                          queues=N     a multiqueue tap (virtio; 1 to 8,\n"
"                                       within the tapd policy's queues=)\n"
"                          vlan=N       the VLAN asked of tapd (the policy's\n"
"                                       vlan= lists those granted)\n"
"                          vhost=on     vhost-net fds from tapd (else QEMU\n"
"                                       tries /dev/vhost-net itself)\n"
"                          model=MODEL  default virtio (virtio-net-pci; on\n"
"                                       s390x virtio-net-ccw); e1000, ...\n"
"                          KEY=VALUE    to -device if MODEL has property KEY,\n"
"                                       else to -netdev\n"
"  -d, --disk FILE[,FIELD...]\n"
"                        a disk; repeatable. Fields: format=|fmt= (default:\n"
"                        what qemu-img says), driver=, if=virtio|scsi, id=,\n"
"                        serial= (default: the file's name), bus= and unit=,\n"
"                        or index= (default: the disk's position); others to\n"
"                        -device or -drive as for NICs\n"
"      --uefi            boot with UEFI firmware found through QEMU's firmware\n"
"                        descriptors; the VM gets a private copy of the\n"
"                        variables (default on aarch64)\n"
"      --uefi-nvram FILE UEFI, keeping variables in FILE (copied from the\n"
"                        firmware's template when FILE does not exist)\n"
"      --secure-boot     UEFI with Secure Boot (and SMM; q35 on x86)\n"
"      --bios FILE       boot FILE as read-only flash firmware\n"
"      --name NAME       the VM's name: -name, tapd's label, MACs\n"
"                        ([A-Za-z0-9][A-Za-z0-9._-]{0,63})\n"
"      --memory SIZE     memory in MiB, or with G (QEMU's -m; tapvm start's\n"
"                        default 1024)\n"
"      --cpus N          virtual CPUs (QEMU's -smp)\n"
"      --accel kvm|tcg|auto\n"
"                        default auto: KVM where /dev/kvm opens read-write\n"
"                        and the CPU has vmx or svm, else TCG\n"
"      --qemu BINARY     QEMU binary (default qemu-system-ARCH of this host);\n"
"                        its name sets the target architecture\n"
"      --kvm BINARY      the same (xkvm's name for it)\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"      --dry-run         print QEMU's command line, shell-quoted, on stdout;\n"
"                        ask tapd for nothing\n"
"  -v, --verbose         print QEMU's command line on stderr before running\n"
"                        it (repeat for more)\n"
"      --shutdown-timeout SECS\n"
"                        on SIGINT, SIGTERM, SIGHUP or Ctrl-] q, give the\n"
"                        guest this long to power off (default %d), then quit\n"
"      --timeout SECS    stop QEMU after SECS (exit status %d)\n"
"      --watchdog SECS   stop QEMU when the console, once it has said\n"
"                        something, is silent for SECS (exit status %d)\n"
"      --watchdog-markers\n"
"                        count silence only between the console lines\n"
"                        \"" RUN_WATCHDOG_START "\" and\n"
"                        \"" RUN_WATCHDOG_END "\" (build-vm's;\n"
"                        --watchdog default then %d)\n"
"      --watchdog-start TEXT, --watchdog-end TEXT\n"
"                        the same with other markers (both needed)\n"
"      --console-log FILE\n"
"                        append the serial console to FILE\n"
"      --guest-status    exit with the status the guest writes to\n"
"                        /dev/virtio-ports/" SUPERVISE_STATUS_PORT "\n"
"      --dowait, --no-dowait\n"
"                        accepted for xkvm; tapvm always waits for QEMU\n"
"  -h, --help            show this help\n"
"\n"
"The serial console is relayed on the terminal unless the QEMU arguments\n"
"place it (-serial); on a terminal, Ctrl-] then q shuts the guest down, k\n"
"stops QEMU, Ctrl-] sends Ctrl-]. Arguments after -- go to QEMU unchanged,\n"
"last. Bridge NICs' fds start at %d in QEMU: each NIC's queues, then its\n"
"vhost-net fds. Exit status: QEMU's\n"
"(or the guest's, with --guest-status), or one of tapvm's own (see 'tapvm\n"
"help').\n", prog, SUPERVISE_SHUTDOWN_S, EXIT_TIMEOUT, EXIT_WATCHDOG,
		RUN_WATCHDOG_DEFAULT_S, CMDLINE_FD_BASE);
}

struct run_opts {
	struct supervise_opts sv;
	const char *memory, *cpus;
	bool accel_set;
	const char *socket;
	const char *qemu;
	const char *name;
	const char *bios;
	const char *nvram;
	bool uefi, secure_boot, dry_run;
	int verbose;
	enum cmdline_accel accel;
};

struct run_state {
	struct run_opts o;
	struct vm_spec vm;
	struct netdev_spec netdevs[RUN_MAX_NICS];
	struct disk_spec disks[RUN_MAX_DISKS];
	struct qemu_probe probe;
	struct firmware fw;
	struct argv_buf argv;
	char *qemu_path;
	char name[NAMES_LABEL_MAX + 1];
	char nvram_path[PATH_MAX + 16];
	char private_dir[PATH_MAX];	/* removed at exit */
	const char *start_name;		/* tapvm start NAME */
	bool qemu_missing;		/* --dry-run without QEMU installed */
	char state[PATH_MAX];		/* its state directory */
	char vnc[STATE_SUN_MAX];
	char tap_names[RUN_MAX_NICS * IFNAMSIZ];
	int lock;
	struct vmdef def;
	char drives[RUN_MAX_DISKS][PATH_MAX];
	char **extra;
	char **merged;			/* the definition's options, then argv */
	int fds[CMDLINE_MAX_TAP_FDS];
	size_t nfds;
};

static void run_state_free(struct run_state *st)
{
	argv_free(&st->argv);
	proto_close_fds(st->fds, st->nfds);
	for (size_t i = 0; i < st->vm.nnetdevs; i++)
		cmdline_netdev_free(&st->netdevs[i]);
	for (size_t i = 0; i < st->vm.ndisks; i++)
		cmdline_disk_free(&st->disks[i]);
	qemu_probe_free(&st->probe);
	vmdef_free(&st->def);
	free(st->extra);
	free(st->merged);
	free(st->qemu_path);
	if (st->private_dir[0]) {
		unlink(st->nvram_path);
		rmdir(st->private_dir);
	}
}

static bool run_size_valid(const char *s, bool unit);

/*
 * One option of run and start. Return: 0 to go on, -1 after --help, or
 * the exit status of a usage error (said).
 */
static int run_option(struct run_state *st, int c, const char *prog)
{
	struct run_opts *o = &st->o;
	struct vm_spec *vm = &st->vm;
	char err[CMDLINE_ERR_MAX];

	switch (c) {
	case 'n':
		if (vm->nnetdevs == RUN_MAX_NICS) {
			fprintf(stderr, "tapvm: too many --netdev (at most %d)\n", RUN_MAX_NICS);
			return EXIT_USAGE;
		}
		if (cmdline_parse_netdev(optarg, &st->netdevs[vm->nnetdevs], err, sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			return EXIT_USAGE;
		}
		vm->nnetdevs++;
		return 0;
	case 'd':
		if (vm->ndisks == RUN_MAX_DISKS) {
			fprintf(stderr, "tapvm: too many --disk (at most %d)\n", RUN_MAX_DISKS);
			return EXIT_USAGE;
		}
		if (cmdline_parse_disk(optarg, &st->disks[vm->ndisks], err, sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			return EXIT_USAGE;
		}
		vm->ndisks++;
		return 0;
	case 'N':
		if (!names_label_valid(optarg)) {
			fprintf(stderr, "tapvm: --name '%s' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}\n",
				optarg);
			return EXIT_USAGE;
		}
		o->name = optarg;
		return 0;
	case 'A':
		o->accel_set = true;
		if (!strcmp(optarg, "kvm"))
			o->accel = ACCEL_KVM;
		else if (!strcmp(optarg, "tcg"))
			o->accel = ACCEL_TCG;
		else if (!strcmp(optarg, "auto"))
			o->accel = ACCEL_AUTO;
		else {
			fprintf(stderr, "tapvm: --accel takes kvm, tcg or auto, not '%s'\n", optarg);
			return EXIT_USAGE;
		}
		return 0;
	case 'Q':
		o->qemu = optarg;
		return 0;
	case 'S':
		o->socket = optarg;
		return 0;
	case 'D':
		o->dry_run = true;
		return 0;
	case 'U':
		o->uefi = true;
		return 0;
	case 'R':
		o->uefi = true;
		o->nvram = optarg;
		return 0;
	case 'B':
		o->uefi = true;
		o->secure_boot = true;
		return 0;
	case 'b':
		o->bios = optarg;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'W':
		return 0;
	case 'T':
	case 't':
	case 'w': {
		unsigned int *to = c == 'T' ? &o->sv.shutdown_timeout :
				   c == 't' ? &o->sv.timeout : &o->sv.watchdog;
		char *end;
		unsigned long v = strtoul(optarg, &end, 10);

		if (!*optarg || *end || optarg[0] == '-' || v > 86400UL * 365 ||
		    (c != 'T' && v == 0)) {
			fprintf(stderr, "tapvm: --%s takes a number of seconds%s, not '%s'\n",
				c == 'T' ? "shutdown-timeout" : c == 't' ? "timeout" : "watchdog",
				c == 'T' ? "" : " above 0", optarg);
			return EXIT_USAGE;
		}
		*to = (unsigned int)v;
		return 0;
	}
	case 'L':
		o->sv.console_log = optarg;
		return 0;
	case 'k':
		o->sv.watchdog_start = RUN_WATCHDOG_START;
		o->sv.watchdog_end = RUN_WATCHDOG_END;
		return 0;
	case 'K':
	case 'E':
		if (!*optarg || strlen(optarg) >= 255 || strchr(optarg, '\n')) {
			fprintf(stderr, "tapvm: --watchdog-%s takes text of 1 to 254 bytes on one line\n",
				c == 'K' ? "start" : "end");
			return EXIT_USAGE;
		}
		*(c == 'K' ? &o->sv.watchdog_start : &o->sv.watchdog_end) = optarg;
		return 0;
	case 'G':
		o->sv.guest_status = true;
		return 0;
	case 'M':
	case 'C':
		if (!run_size_valid(optarg, c == 'M')) {
			fprintf(stderr, "tapvm: --%s takes a number%s, not '%s'\n",
				c == 'M' ? "memory" : "cpus", c == 'M' ? " of MiB (or with G)" : "",
				optarg);
			return EXIT_USAGE;
		}
		*(c == 'M' ? &o->memory : &o->cpus) = optarg;
		return 0;
	case 'h':
		run_usage(stdout, prog);
		return -1;
	default:
		fprintf(stderr, "Try '%s --help'.\n", prog);
		return EXIT_USAGE;
	}
}

/* run and start's options; tapvm define writes them into NAME.conf. */
const struct option run_long_opts[] = {
	{ "netdev", required_argument, NULL, 'n' },
	{ "disk", required_argument, NULL, 'd' },
	{ "name", required_argument, NULL, 'N' },
	{ "accel", required_argument, NULL, 'A' },
	{ "qemu", required_argument, NULL, 'Q' },
	{ "kvm", required_argument, NULL, 'Q' },
	{ "socket", required_argument, NULL, 'S' },
	{ "dry-run", no_argument, NULL, 'D' },
	{ "uefi", no_argument, NULL, 'U' },
	{ "uefi-nvram", required_argument, NULL, 'R' },
	{ "secure-boot", no_argument, NULL, 'B' },
	{ "bios", required_argument, NULL, 'b' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dowait", no_argument, NULL, 'W' },
	{ "shutdown-timeout", required_argument, NULL, 'T' },
	{ "timeout", required_argument, NULL, 't' },
	{ "watchdog", required_argument, NULL, 'w' },
	{ "console-log", required_argument, NULL, 'L' },
	{ "watchdog-markers", no_argument, NULL, 'k' },
	{ "watchdog-start", required_argument, NULL, 'K' },
	{ "watchdog-end", required_argument, NULL, 'E' },
	{ "guest-status", no_argument, NULL, 'G' },
	{ "memory", required_argument, NULL, 'M' },
	{ "cpus", required_argument, NULL, 'C' },
	{ "no-dowait", no_argument, NULL, 'W' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

static int run_parse(struct run_state *st, int argc, char **argv)
{
	const char *arg0 = argc > 0 && argv[0] ? argv[0] : "tapvm";
	const char *prog = strrchr(arg0, '/') ? strrchr(arg0, '/') + 1 : arg0;
	struct run_opts *o = &st->o;
	struct vm_spec *vm = &st->vm;
	int c;

	if (!strcmp(prog, "run"))
		prog = "tapvm run";
	if (st->start_name)
		prog = "tapvm start";
	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:d:vh", run_long_opts, NULL)) != -1) {
		int ret = run_option(st, c, prog);

		if (ret)
			return ret;
	}
	/* getopt stops at "--" and consumes it; everything after is QEMU's. */
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		fprintf(stderr, "tapvm: unexpected argument '%s': QEMU arguments go after --\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (!o->sv.watchdog_start != !o->sv.watchdog_end) {
		fprintf(stderr, "tapvm: --watchdog-start and --watchdog-end go together\n");
		return EXIT_USAGE;
	}
	if (o->sv.watchdog_start && !o->sv.watchdog)
		o->sv.watchdog = RUN_WATCHDOG_DEFAULT_S;
	if (o->bios && o->uefi) {
		fprintf(stderr, "tapvm: --bios cannot go with --uefi, --uefi-nvram or --secure-boot\n");
		return EXIT_USAGE;
	}
	vm->extra = argv + optind;
	vm->nextra = (size_t)(argc - optind);
	vm->netdevs = st->netdevs;
	vm->disks = st->disks;
	return 0;
}

/* MiB (optionally with M or G), or a count: digits, at most 7 of them. */
static bool run_size_valid(const char *s, bool unit)
{
	size_t d = strspn(s, "0123456789");

	return d > 0 && d < 8 && s[0] != '0' &&
	       (!s[d] || (unit && (s[d] == 'M' || s[d] == 'G') && !s[d + 1]));
}

/*
 * tapvm start NAME: the command line wins, then TAPVM_* from the
 * environment, then NAME.conf, then its class, then the defaults.
 */
static int run_apply_definition(struct run_state *st)
{
	char cerr[CMDLINE_ERR_MAX];
	struct run_opts *o = &st->o;
	struct vm_spec *vm = &st->vm;
	const char *v;
	struct vmdef *def = &st->def;

	if (!o->memory)
		o->memory = (v = getenv("TAPVM_MEM")) && *v ? v : def->memory ? def->memory : "1024";
	if (!o->cpus)
		o->cpus = (v = getenv("TAPVM_CPUS")) && *v ? v : def->cpus;
	if (!o->qemu)
		o->qemu = (v = getenv("TAPVM_QEMU")) && *v ? v : def->qemu;
	if (!o->accel_set && ((v = getenv("TAPVM_ACCEL")) && *v ? v : (v = def->accel))) {
		if (!strcmp(v, "kvm") || !strcmp(v, "tcg") || !strcmp(v, "auto"))
			o->accel = !strcmp(v, "kvm") ? ACCEL_KVM : !strcmp(v, "tcg") ? ACCEL_TCG : ACCEL_AUTO;
		else {
			fprintf(stderr, "tapvm: accel '%s' for VM %s is not kvm, tcg or auto\n", v, st->start_name);
			return EXIT_USAGE;
		}
	}
	if (!o->uefi && !o->bios && ((v = getenv("TAPVM_FIRMWARE")) && *v ? v : (v = def->firmware))) {
		if (!strcmp(v, "uefi"))
			o->uefi = true;
		else if (!strncmp(v, "bios:", 5) && v[5])
			o->bios = v + 5;
		else if (strcmp(v, "default")) {
			fprintf(stderr, "tapvm: firmware '%s' for VM %s is not uefi, bios:PATH or default\n",
				v, st->start_name);
			return EXIT_USAGE;
		}
	}
	if ((o->memory && !run_size_valid(o->memory, true)) || (o->cpus && !run_size_valid(o->cpus, false))) {
		fprintf(stderr, "tapvm: memory '%s' or cpus '%s' for VM %s is not a number\n",
			o->memory, o->cpus ? o->cpus : "-", st->start_name);
		return EXIT_USAGE;
	}
	for (size_t i = 0; !vm->nnetdevs && i < def->nnetdevs; i++) {
		if (cmdline_parse_netdev(def->netdevs[i], &st->netdevs[i], cerr, sizeof(cerr))) {
			fprintf(stderr, "tapvm: VM %s: %s\n", st->start_name, cerr);
			return EXIT_USAGE;
		}
		if (i + 1 == def->nnetdevs)
			vm->nnetdevs = def->nnetdevs;
	}
	if (!vm->ndisks) {
		const char *disks[RUN_MAX_DISKS];
		size_t n = 0;

		for (; n < def->ndisks && n < RUN_MAX_DISKS; n++)
			disks[n] = def->disks[n];
		if (!n) {	/* nbsvm's rule: the VM's own drives, in order */
			n = vmdef_drives(st->start_name, st->drives, RUN_MAX_DISKS);
			for (size_t i = 0; i < n; i++) {
				size_t l = strlen(st->drives[i]);

				/* nbsvm's drive_if: their interface */
				if (def->drive_if && l + 16 < PATH_MAX)
					snprintf(st->drives[i] + l, PATH_MAX - l, ",if=%s", def->drive_if);
				disks[i] = st->drives[i];
			}
		}
		for (size_t i = 0; i < n; i++) {
			if (cmdline_parse_disk(disks[i], &st->disks[i], cerr, sizeof(cerr))) {
				fprintf(stderr, "tapvm: VM %s: %s\n", st->start_name, cerr);
				vm->ndisks = i;
				return EXIT_USAGE;
			}
			vm->ndisks = i + 1;
		}
	}
	/* The class's and the file's QEMU arguments, then the command line's. */
	if (def->nqemu_args) {
		st->extra = calloc(def->nqemu_args + vm->nextra + 1, sizeof(char *));
		if (!st->extra)
			return EXIT_OSERR;
		memcpy(st->extra, def->qemu_args, sizeof(char *) * def->nqemu_args);
		memcpy(st->extra + def->nqemu_args, vm->extra, sizeof(char *) * vm->nextra);
		vm->extra = st->extra;
		vm->nextra += def->nqemu_args;
	}
	return 0;
}

/* QEMU is not there: one line naming the package. Return: EXIT_NOQEMU. */
static int run_qemu_missing(struct run_state *st)
{
	fprintf(stderr, "tapvm: QEMU not found: %s is not %s: install %s (apt install %s) or pass --qemu\n",
		st->o.qemu, strchr(st->o.qemu, '/') ? "there" : "on PATH",
		st->vm.arch->package, st->vm.arch->package);
	return EXIT_NOQEMU;
}

/* 2. The binary, its architecture, the accelerator. */
static int run_resolve_qemu(struct run_state *st)
{
	struct vm_spec *vm = &st->vm;
	static char name[96];
	int ret;

	if (!st->o.qemu) {
		snprintf(name, sizeof(name), "qemu-system-%s", arch_host());
		st->o.qemu = name;
	}
	vm->arch = arch_of_binary(st->o.qemu);
	vm->qemu = st->o.qemu;
	ret = host_find_program(st->o.qemu, &st->qemu_path);
	if (!ret) {
		vm->qemu = st->qemu_path;
	} else if (!st->o.dry_run) {
		if (ret == -EACCES) {
			fprintf(stderr, "tapvm: QEMU %s is not executable\n", st->o.qemu);
			return EXIT_NOEXEC;
		}
		return run_qemu_missing(st);
	} else {
		st->qemu_missing = true;	/* said if QEMU must be asked */
	}
	st->probe.qemu = vm->qemu;
	vm->accel = st->o.accel != ACCEL_AUTO ? st->o.accel :
		    !host_kvm_check(NULL, 0) ? ACCEL_KVM : ACCEL_TCG;
	return 0;
}

/* 3. Disks exist; their formats come from qemu-img unless given. */
static int run_resolve_disks(struct run_state *st)
{
	char err[QEMU_ERR_MAX];

	for (size_t i = 0; i < st->vm.ndisks; i++) {
		struct disk_spec *d = &st->disks[i];
		struct stat sb;

		if (stat(d->file, &sb)) {
			fprintf(stderr, "tapvm: disk image %s does not exist: create it (qemu-img create) or fix the path\n",
				d->file);
			return EXIT_NOINPUT;
		}
		if (!d->format[0] &&
		    qemu_img_format(d->file, d->format, sizeof(d->format), err, sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			return EXIT_NOINPUT;
		}
	}
	return 0;
}

/* Copy the variables template to a file of the VM's own, mode 0600. */
static int run_copy_vars(const char *from, const char *to)
{
	cleanup_fd int in = open(from, O_RDONLY | O_CLOEXEC);
	cleanup_fd int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0) {
		fprintf(stderr, "tapvm: cannot read UEFI variables template %s: %s\n", from,
			strerror(errno));
		return -errno;
	}
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		fprintf(stderr, "tapvm: cannot create UEFI variables file %s: %s\n", to,
			strerror(errno));
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (n != 0 || fsync(out)) {
		fprintf(stderr, "tapvm: cannot copy %s to %s\n", from, to);
		unlink(to);
		return -EIO;
	}
	return 0;
}

/* 4. Firmware: --bios, or UEFI from the descriptors. */
static int run_resolve_firmware(struct run_state *st)
{
	struct vm_spec *vm = &st->vm;
	char dirs[3][PATH_MAX], asked_buf[128], machine[128], err[FIRMWARE_ERR_MAX];
	const char *dirp[3], *asked;
	int ndirs;

	if (st->o.bios) {
		if (access(st->o.bios, R_OK)) {
			fprintf(stderr, "tapvm: --bios %s cannot be read: %s\n", st->o.bios,
				strerror(errno));
			return EXIT_NOINPUT;
		}
		vm->fw = FW_BIOS;
		vm->bios = st->o.bios;
		return 0;
	}
	if (!st->o.uefi && !vm->arch->uefi)
		return 0;

	/* The machine type decides which firmware fits: ask QEMU what it is. */
	asked = cmdline_machine_arg(vm->extra, vm->nextra, asked_buf, sizeof(asked_buf));
	if (!asked && st->o.secure_boot &&
	    (!strcmp(vm->arch->name, "x86_64") || !strcmp(vm->arch->name, "i386"))) {
		vm->machine = "q35";	/* Secure Boot's SMM needs q35 */
		asked = "q35";
	}
	if (!asked && vm->arch->machine) {
		snprintf(asked_buf, sizeof(asked_buf), "%.*s",
			 (int)strcspn(vm->arch->machine, ","), vm->arch->machine);
		asked = asked_buf;
	}
	if (qemu_machine_resolve(&st->probe, asked, machine, sizeof(machine))) {
		if (st->qemu_missing)	/* --dry-run, and only QEMU knows */
			return run_qemu_missing(st);
		fprintf(stderr, "tapvm: %s\n", st->probe.err);
		return EXIT_USAGE;
	}
	ndirs = firmware_default_dirs(dirs);
	for (int i = 0; i < ndirs; i++)
		dirp[i] = dirs[i];
	if (firmware_select(dirp, (size_t)ndirs, vm->arch->name, machine, st->o.secure_boot,
			    &st->fw, err, sizeof(err))) {
		if (vm->arch->fw_package)
			fprintf(stderr, "tapvm: %s: install %s (apt install %s)\n", err,
				vm->arch->fw_package, vm->arch->fw_package);
		else
			fprintf(stderr, "tapvm: %s\n", err);
		return EXIT_NOINPUT;
	}
	if (st->o.verbose > 1)
		fprintf(stderr, "tapvm: firmware %s (%s)\n", st->fw.code, st->fw.descriptor);

	/* The template is never mapped: the VM writes its own copy. */
	if (st->o.nvram) {
		snprintf(st->nvram_path, sizeof(st->nvram_path), "%s", st->o.nvram);
		if (access(st->nvram_path, F_OK) && !st->o.dry_run &&
		    run_copy_vars(st->fw.vars, st->nvram_path))
			return EXIT_OSERR;
	} else if (st->start_name) {
		/* A named VM keeps its variables for its next start. */
		snprintf(st->nvram_path, sizeof(st->nvram_path), "%s/VARS.fd", st->state);
		if (!st->o.dry_run && access(st->nvram_path, F_OK) &&
		    run_copy_vars(st->fw.vars, st->nvram_path))
			return EXIT_OSERR;
	} else if (st->o.dry_run) {
		snprintf(st->nvram_path, sizeof(st->nvram_path), "%s/tapvm-XXXXXX/%s",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 strrchr(st->fw.vars, '/') ? strrchr(st->fw.vars, '/') + 1 : "VARS.fd");
	} else {
		const char *tmp = getenv("XDG_RUNTIME_DIR");

		snprintf(st->private_dir, sizeof(st->private_dir), "%s/tapvm-XXXXXX",
			 tmp && *tmp ? tmp : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(st->private_dir)) {
			fprintf(stderr, "tapvm: cannot create a directory for the UEFI variables: %s\n",
				strerror(errno));
			st->private_dir[0] = '\0';
			return EXIT_OSERR;
		}
		snprintf(st->nvram_path, sizeof(st->nvram_path), "%s/VARS.fd", st->private_dir);
		if (run_copy_vars(st->fw.vars, st->nvram_path))
			return EXIT_OSERR;
	}
	vm->fw = FW_UEFI;
	vm->fw_code = st->fw.code;
	vm->fw_code_format = st->fw.code_format;
	vm->fw_vars = st->nvram_path;
	vm->fw_vars_format = st->fw.vars_format;
	vm->fw_smm = st->fw.requires_smm;
	return 0;
}

/* 5. MACs: stable per host, VM name and NIC, unless asked otherwise. */
static int run_resolve_macs(struct run_state *st)
{
	char machine_id[64], err[CMDLINE_ERR_MAX];
	struct vm_spec *vm = &st->vm;
	uint8_t r[3];

	mac_machine_id(machine_id, sizeof(machine_id));
	if (st->o.name) {
		snprintf(st->name, sizeof(st->name), "%s", st->o.name);
	} else if (vm->ndisks) {
		const char *base = strrchr(st->disks[0].file, '/');

		snprintf(st->name, sizeof(st->name), "%s", base ? base + 1 : st->disks[0].file);
	} else {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return EXIT_OSERR;
		snprintf(st->name, sizeof(st->name), "vm-%02x%02x%02x", r[0], r[1], r[2]);
	}
	for (size_t i = 0; i < vm->nnetdevs; i++) {
		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			return EXIT_OSERR;
		if (cmdline_resolve_mac(&st->netdevs[i], (unsigned int)i, machine_id, st->name,
					r, err, sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* A NIC's request to tapd, sent, its answer not read yet. */
struct run_tapreq {
	struct wire_create rq;
	uint32_t seq;
	uint8_t mac[6];
};

/* Send a request for each bridge NIC's tap (6. below). */
static int run_send_taps(struct run_state *st, int *sock, struct run_tapreq *req)
{
	const char *label = names_label_valid(st->name) ? st->name : NULL;
	const char *path = client_socket_path(st->o.socket);
	char err[CLIENT_ERR_MAX];
	size_t planned = st->nfds;
	int ret;

	for (size_t i = 0; i < st->vm.nnetdevs; i++) {
		struct netdev_spec *nd = &st->netdevs[i];

		if (nd->kind != NETDEV_BRIDGE)
			continue;
		planned += nd->queues * (nd->vhost ? 2 : 1);
		if (planned > CMDLINE_MAX_TAP_FDS) {
			fprintf(stderr, "tapvm: too many queues on all NICs together (QEMU gets at most %d of their fds)\n",
				CMDLINE_MAX_TAP_FDS);
			return EXIT_USAGE;
		}
		req[i].rq = (struct wire_create){ .bridge = nd->bridge, .label = label,
						  .queues = nd->queues, .vhost = nd->vhost,
						  .vlan = nd->vlan };
		/* The guest's MAC: a port tapd pins lets exactly that one through. */
		if (!mac_parse(nd->mac, req[i].mac))
			req[i].rq.guest_mac = req[i].mac;
		if (*sock < 0) {
			ret = tapd_connect_or_explain("tapvm", path, sock);
			if (ret)
				return ret;
		}
		ret = client_send_create(*sock, &req[i].rq, &req[i].seq, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tapvm: %s\n", err);
			return tapd_exit_status(ret);
		}
	}
	return 0;
}

/* Read the answers in order: each tap's fds into st->fds (6. below). */
static int run_read_taps(struct run_state *st, int sock, const struct run_tapreq *req)
{
	char err[CLIENT_ERR_MAX];

	for (size_t i = 0; i < st->vm.nnetdevs; i++) {
		struct netdev_spec *nd = &st->netdevs[i];
		struct client_tap tap;
		int ret;

		if (nd->kind != NETDEV_BRIDGE)
			continue;
		/* A refusal: the answers still unread go with the socket, their taps too. */
		ret = client_recv_created(sock, &req[i].rq, req[i].seq, &tap, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tapvm: %s\n", err);
			return tapd_exit_status(ret);
		}
		if (tap.vhost_err)
			fprintf(stderr, "tapvm: NIC %zu: tapd cannot open /dev/vhost-net (%s): QEMU will try itself (vhost=on)\n",
				i, strerror(tap.vhost_err));
		memcpy(st->fds + st->nfds, tap.fds, tap.nfds * sizeof(int));
		st->nfds += tap.nfds;
		nd->nvhost = (unsigned int)tap.nvhost;
		snprintf(st->tap_names + strlen(st->tap_names),
			 sizeof(st->tap_names) - strlen(st->tap_names), "%s%s",
			 st->tap_names[0] ? "," : "", tap.ifname);
		if (st->o.verbose > 1)
			fprintf(stderr, "tapvm: tap %s on %s for NIC %zu\n", tap.ifname,
				nd->bridge, i);
	}
	return 0;
}

/* 6. One tap per bridge NIC, in order; its queues' and vhost-net fds land
 * in st->fds, in that order. Every request is sent before the first answer
 * is read (tapd answers in order): the NICs' taps are made back to back. */
static int run_get_taps(struct run_state *st)
{
	struct run_tapreq *req = calloc(st->vm.nnetdevs + 1, sizeof(*req));
	cleanup_fd int sock = -1;
	int ret;

	if (!req)
		return EXIT_OSERR;
	ret = run_send_taps(st, &sock, req);
	if (!ret)
		ret = run_read_taps(st, sock, req);
	free(req);
	return ret;
}

static bool run_has_arg(char **args, size_t n, const char *opt)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(args[i], opt) || (args[i][0] == '-' && !strcmp(args[i] + 1, opt)))
			return true;
	return false;
}

static int run_has_prop(void *ctx, const char *model, const char *prop, const char **why)
{
	struct qemu_probe *q = ctx;
	int ret = qemu_has_prop(q, model, prop);

	*why = q->err;
	return ret;
}

static void run_print_quoted(FILE *f, char **argv)
{
	for (size_t i = 0; argv[i]; i++) {
		char *q = cmdline_quote(argv[i]);

		fprintf(f, "%s%s", i ? " " : "", q ? q : "''");
		free(q);
	}
	fprintf(f, "\n");
}

/* Is a VM of this name running? Stale state is cleaned. Then take its lock. */
static int run_claim_name(struct run_state *st)
{
	char err[STATE_ERR_MAX];
	pid_t pid;
	int ret;

	if (st->o.dry_run) {
		/* Nothing is made or locked: only the paths are shown. */
		char base[PATH_MAX];

		if (state_base(base, sizeof(base), false, err, sizeof(err)) &&
		    !getenv("XDG_RUNTIME_DIR"))
			snprintf(base, sizeof(base), "/tmp/tapvm-%u", (unsigned int)getuid());
		snprintf(st->state, sizeof(st->state), "%.*s/%s", PATH_MAX - 80, base, st->start_name);
		goto vnc;
	}
	if (state_dir(st->start_name, st->state, sizeof(st->state), true, err, sizeof(err))) {
		fprintf(stderr, "tapvm: %s\n", err);
		return EXIT_OSERR;
	}
	ret = state_lock(st->state, &st->lock);
	if (ret == -EBUSY) {
		fprintf(stderr, "tapvm: VM %s is already running (pid %d): tapvm stop %s, or pick another name\n",
			st->start_name, (int)state_pid(st->state), st->start_name);
		return EXIT_RUNNING;
	}
	if (ret) {
		fprintf(stderr, "tapvm: cannot lock %s: %s\n", st->state, strerror(-ret));
		return EXIT_OSERR;
	}
	pid = state_pid(st->state);
	if (pid) {
		fprintf(stderr, "tapvm: cleaned the stale state of VM %s (its supervisor, pid %d, is gone)\n",
			st->start_name, (int)pid);
		state_clean(st->state);
	}
	/* tapvm.log tells of this run only: how the last one ended goes now. */
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/tapvm.log", st->state);
		unlink(path);
	}
vnc:
	/* A detached VM never opens a window: VNC on a socket of its own. */
	if (!run_has_arg(st->vm.extra, st->vm.nextra, "-vnc") &&
	    !run_has_arg(st->vm.extra, st->vm.nextra, "-display") &&
	    !run_has_arg(st->vm.extra, st->vm.nextra, "-nographic") &&
	    !run_has_arg(st->vm.extra, st->vm.nextra, "-spice")) {
		if (state_socket_path(st->state, "vnc.sock", st->vnc, err, sizeof(err)) ||
		    state_socket_path(st->state, "control.sock", (char[STATE_SUN_MAX]){ 0 }, err,
				      sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			return EXIT_USAGE;
		}
		st->vm.vnc = st->vnc;
	}
	return 0;
}

/* Where the supervisor puts QMP, the console and the status port for QEMU. */
static void run_fd_layout(struct run_state *st)
{
	st->o.sv.fd_qmp = cmdline_fd_of(&st->vm, CMDLINE_FD_QMP, 0);
	st->o.sv.fd_console = cmdline_fd_of(&st->vm, CMDLINE_FD_CONSOLE, 0);
	st->o.sv.fd_status = cmdline_fd_of(&st->vm, CMDLINE_FD_STATUS, 0);
	st->o.sv.fd_end = cmdline_fd_of(&st->vm, CMDLINE_FD_END, 0);
}

/*
 * The supervisor's last line, in tapvm.log (tapvm wait, status and list
 * read it there): on stderr, which is tapvm.log once QEMU was up, and
 * there as well when QEMU never came up (stderr was tapvm start's).
 */
static void run_log_end(struct run_state *st, int status)
{
	char path[PATH_MAX + 16];
	struct stat a, b;
	int fd;

	fprintf(stderr, VM_ENDED_LINE "%d\n", st->start_name, status);
	fflush(stderr);
	snprintf(path, sizeof(path), "%s/tapvm.log", st->state);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (fstat(fd, &a) || fstat(STDERR_FILENO, &b) || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino)
		dprintf(fd, VM_ENDED_LINE "%d\n", st->start_name, status);
	close(fd);
}

/*
 * tapvm start: the rest runs in a supervisor of its own, detached; we relay
 * what it says until QEMU is up (it writes one NUL byte then) or the
 * supervisor ends (its exit status is ours, waited for: an end of file can
 * come before it can be reaped).
 */
static int run_detach(struct run_state *st, struct cmdline_probe *probe)
{
	int pipefd[2], status, ret;
	bool up = false;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return EXIT_OSERR;
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return EXIT_OSERR;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		char err[CMDLINE_ERR_MAX];

		close(pipefd[0]);
		setsid();
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		st->o.sv.state_dir = st->state;
		st->o.sv.ready_fd = pipefd[1];
		st->o.sv.name = st->start_name;
		ret = run_get_taps(st);
		st->o.sv.tap_names = st->tap_names;
		st->o.sv.vnc = st->vm.vnc;
		if (!ret && cmdline_build(&st->vm, probe, &st->argv, err, sizeof(err))) {
			fprintf(stderr, "tapvm: %s\n", err);
			ret = EXIT_USAGE;
		}
		if (!ret) {
			run_fd_layout(st);
			ret = supervise_run(st->vm.qemu, st->argv.v, st->fds, st->nfds, &st->o.sv);
			st->nfds = 0;
		}
		state_clean(st->state);
		run_log_end(st, ret);
		_exit(ret);
	}
	close(pipefd[1]);
	while (!up && (n = read(pipefd[0], buf, sizeof(buf))) != 0) {
		char *nul;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		nul = memchr(buf, '\0', (size_t)n);
		if (nul) {
			up = true;
			n = nul - buf;
		}
		fwrite(buf, 1, (size_t)n, stderr);
	}
	close(pipefd[0]);
	if (!up) {
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return EXIT_OSERR;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	printf("VM %s is running (supervisor pid %d): tapvm console %s, tapvm status %s, tapvm stop %s\n",
	       st->start_name, (int)pid, st->start_name, st->start_name, st->start_name);
	return 0;
}

/*
 * tapvm restart starts the VM again as tapvm start was told: its arguments
 * after the name, NUL-terminated, in the state directory's "args".
 */
static void run_save_args(struct run_state *st, int argc, char **argv)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/args", st->state);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	for (int i = 1; i < argc; i++)
		if (write(fd, argv[i], strlen(argv[i]) + 1) < 0)
			break;
	close(fd);
}

/*
 * --watchdog and --console-log watch the console tapvm relays; a QEMU
 * argument -serial takes it away. Return: 0, or EXIT_USAGE (said).
 */
static int run_check_console(struct run_state *st)
{
	const char *opt = st->o.sv.watchdog ? "--watchdog" :
			  st->o.sv.console_log ? "--console-log" : NULL;

	if (!opt || !run_has_arg(st->vm.extra, st->vm.nextra, "-serial"))
		return 0;
	fprintf(stderr, "tapvm: %s watches the serial console tapvm relays, and the QEMU argument -serial takes it: drop one of them\n",
		opt);
	return EXIT_USAGE;
}

/*
 * tapvm run --name X beside a running VM X would have its MACs on the same
 * bridges. Return: 0, or EXIT_RUNNING (said).
 */
static int run_name_free(const char *name)
{
	char dir[PATH_MAX], err[STATE_ERR_MAX];

	if (state_dir(name, dir, sizeof(dir), false, err, sizeof(err)) || !state_running(dir))
		return 0;
	fprintf(stderr, "tapvm: VM %s is running already (tapvm start, pid %d), and a second would have its MACs: tapvm stop %s, or pick another --name\n",
		name, (int)state_pid(dir), name);
	return EXIT_RUNNING;
}

/*
 * tapvm start NAME: NAME.conf (and its class) read first; its option lines
 * go before the command line's options, which win. Return: 0 or EXIT_*.
 */
static int run_merge_definition(struct run_state *st, int *argc, char ***argv)
{
	char err[VMDEF_ERR_MAX];
	size_t n;

	if (vmdef_load(st->start_name, &st->def, err, sizeof(err))) {
		fprintf(stderr, "tapvm: %s\n", err);
		return EXIT_USAGE;
	}
	n = st->def.noptions;
	if (!n)
		return 0;
	st->merged = calloc((size_t)*argc + n + 1, sizeof(char *));
	if (!st->merged)
		return EXIT_OSERR;
	st->merged[0] = (*argv)[0];
	memcpy(st->merged + 1, st->def.options, n * sizeof(char *));
	memcpy(st->merged + 1 + n, *argv + 1, (size_t)(*argc - 1) * sizeof(char *));
	*argc += (int)n;
	*argv = st->merged;
	return 0;
}

/**
 * run_vm() - tapvm run, xkvm, and tapvm start
 * @argc:	arguments, from the command's name on
 * @argv:	them
 * @start_name:	tapvm start's VM name, or NULL to run in the foreground
 *
 * Return: exit status.
 */
static int run_vm(int argc, char **argv, const char *start_name)
{
	struct cmdline_probe probe;
	char err[CMDLINE_ERR_MAX];
	struct run_state *st = calloc(1, sizeof(*st));
	char **oargv;
	int ret, oargc;

	if (!st)
		return EXIT_OSERR;
	probe = (struct cmdline_probe){ run_has_prop, &st->probe };
	st->o.sv.shutdown_timeout = SUPERVISE_SHUTDOWN_S;
	st->o.sv.ready_fd = -1;
	st->lock = -1;
	st->start_name = start_name;
	oargc = argc;
	oargv = argv;
	ret = start_name ? run_merge_definition(st, &argc, &argv) : 0;
	if (!ret)
		ret = run_parse(st, argc, argv);
	if (!ret)
		ret = run_check_console(st);
	if (!ret && !start_name && st->o.name && !st->o.dry_run)
		ret = run_name_free(st->o.name);
	if (start_name) {
		st->o.name = start_name;
		if (!ret)
			ret = run_apply_definition(st);
		if (!ret)
			ret = run_claim_name(st);
		if (!ret && !st->o.dry_run)
			run_save_args(st, oargc, oargv);	/* not the file's */
	}
	if (!ret && !st->vm.nnetdevs) {
		/* xkvm's default: one NIC on virbr0. */
		if (cmdline_parse_netdev(CMDLINE_DEFAULT_BRIDGE, &st->netdevs[0], err, sizeof(err)))
			ret = EXIT_OSERR;
		else
			st->vm.nnetdevs = 1;
	}
	st->vm.memory = st->o.memory;
	st->vm.cpus = st->o.cpus;
	if (!ret)
		ret = run_resolve_qemu(st);
	if (!ret)
		ret = run_resolve_disks(st);
	if (!ret)
		ret = run_resolve_firmware(st);
	if (!ret)
		ret = run_resolve_macs(st);
	st->vm.name = st->o.name;
	/* tapvm relays the console unless the QEMU arguments place it. */
	st->o.sv.console = !run_has_arg(st->vm.extra, st->vm.nextra, "-serial");
	st->o.sv.verbose = st->o.verbose;
	st->vm.qmp = true;
	st->vm.console = st->o.sv.console;
	st->vm.status_port = st->o.sv.guest_status;
	if (!ret && start_name && !st->o.dry_run) {
		ret = run_detach(st, &probe);
		goto out;
	}
	if (!ret && !st->o.dry_run)
		ret = run_get_taps(st);
	/* --dry-run asks tapd for nothing: show what a vhost-net fd would get. */
	for (size_t i = 0; !ret && st->o.dry_run && i < st->vm.nnetdevs; i++)
		if (st->netdevs[i].kind == NETDEV_BRIDGE && st->netdevs[i].vhost)
			st->netdevs[i].nvhost = st->netdevs[i].queues;
	if (!ret && cmdline_build(&st->vm, &probe, &st->argv, err, sizeof(err))) {
		if (st->qemu_missing && st->probe.err[0]) {
			ret = run_qemu_missing(st);	/* QEMU had to be asked */
		} else {
			fprintf(stderr, "tapvm: %s\n", err);
			ret = EXIT_USAGE;
		}
	}
	if (!ret && st->o.dry_run) {
		run_print_quoted(stdout, st->argv.v);
	} else if (!ret) {
		if (st->o.verbose)
			run_print_quoted(stderr, st->argv.v);
		run_fd_layout(st);
		st->o.sv.name = st->name;	/* for the console log's boot lines */
		ret = supervise_run(st->vm.qemu, st->argv.v, st->fds, st->nfds, &st->o.sv);
		st->nfds = 0;	/* closed by supervise_run() */
	}
out:
	if (st->lock >= 0)
		close(st->lock);
	run_state_free(st);
	free(st);
	return ret < 0 ? 0 : ret;
}

/**
 * run_validate() - check run options as tapvm start would, for tapvm define
 * @name:	the VM
 * @argc:	options from argv[1] on
 * @argv:	them
 *
 * Return: 0, or the exit status of a usage error (said).
 */
int run_validate(const char *name, int argc, char **argv)
{
	struct run_state *st = calloc(1, sizeof(*st));
	int ret;

	if (!st)
		return EXIT_OSERR;
	st->start_name = name;
	st->lock = -1;
	ret = run_parse(st, argc, argv);
	if (!ret)
		ret = run_check_console(st);
	run_state_free(st);
	free(st);
	return ret < 0 ? EXIT_USAGE : ret;
}

/**
 * run_main() - tapvm run, and xkvm
 * @argc:	arguments, from "run" (or "xkvm") on
 * @argv:	them
 *
 * Return: exit status.
 */
int run_main(int argc, char **argv)
{
	return run_vm(argc, argv, NULL);
}

/**
 * start_main() - tapvm start NAME [run options] [-- QEMU args]
 * @argc:	arguments, from "start" on
 * @argv:	them
 *
 * Return: exit status.
 */
int start_main(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: tapvm start NAME [tapvm run option]... [-- QEMU-ARG...]\n"
		       "Start the VM NAME detached: a background tapvm supervises it, serves\n"
		       "tapvm console, monitor, status, shutdown, restart, stop and vnc through\n"
		       "its state directory ($XDG_RUNTIME_DIR/tapvm/NAME), and shows its display\n"
		       "as VNC on a Unix socket there. Every tapvm run option is accepted (see\n"
		       "tapvm run --help), and --dry-run shows the command line.\n"
		       "\n"
		       "What is not on the command line comes from TAPVM_MEM, TAPVM_CPUS,\n"
		       "TAPVM_ACCEL, TAPVM_QEMU, TAPVM_FIRMWARE in the environment, then from\n"
		       "$XDG_CONFIG_HOME/tapvm/NAME.conf, then its class; disks default to the\n"
		       "VM's drives (tapvm img), memory to 1024 MiB. NAME.conf's option lines\n"
		       "come before the command line's options.\n"
		       "\n"
		       "      --save    first write these options to NAME.conf (tapvm define;\n"
		       "                not with --dry-run)\n");
		return 0;
	}
	if (argc < 2 || !names_label_valid(argv[1])) {
		fprintf(stderr, "tapvm: start needs a VM name matching [A-Za-z0-9][A-Za-z0-9._-]{0,63} first (tapvm start NAME [options])\n");
		return EXIT_USAGE;
	}
	/*
	 * --save (before --): tapvm define with the same options, then start;
	 * with --dry-run nothing is written.
	 */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		bool dry = false;
		int ret;

		if (strcmp(argv[i], "--save"))
			continue;
		memmove(argv + i, argv + i + 1, sizeof(char *) * (size_t)(argc - i));
		argc--;
		for (int j = 2; j < argc && strcmp(argv[j], "--"); j++)
			dry = dry || !strcmp(argv[j], "--dry-run");
		ret = dry ? 0 : define_write(argv[1], NULL, argc - 1, argv + 1, NULL);
		if (ret)
			return ret;
		break;
	}
	return run_vm(argc - 1, argv + 1, argv[1]);
}
