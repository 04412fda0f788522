// SPDX-License-Identifier: GPL-2.0-or-later
/* run.c - tapvm run: get taps from tapd, start QEMU with them, wait for it */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "client.h"
#include "cmdline.h"
#include "commands.h"
#include "exitcode.h"
#include "names.h"
#include "tapd_error.h"
#include "util.h"

static void run_usage(FILE *f)
{
	fprintf(f,
"Usage: tapvm run [OPTION]... [-- QEMU-ARG...]\n"
"Start a QEMU VM whose NICs sit on host bridges, with taps from tapd.\n"
"\n"
"  -n, --netdev BRIDGE|user[,mac=MAC][,model=MODEL]\n"
"                        add a NIC on BRIDGE (a tap from tapd) or on QEMU's\n"
"                        user-mode network; repeatable. mac=auto (default)\n"
"                        picks 52:54:00:xx:xx:xx; model=virtio (default) is\n"
"                        " CMDLINE_DEFAULT_MODEL "\n"
"  -d, --disk FILE[,format=FMT]\n"
"                        add a virtio disk; repeatable\n"
"      --name NAME       the VM's name, also its label in tapd\n"
"                        ([A-Za-z0-9][A-Za-z0-9._-]{0,63})\n"
"      --accel kvm|tcg|auto\n"
"                        accelerator (default auto: KVM where /dev/kvm opens\n"
"                        read-write and the CPU has vmx or svm, else TCG)\n"
"      --qemu BINARY     QEMU binary (default qemu-system-ARCH of this host)\n"
"      --socket PATH     tapd's socket (default $TAPD_SOCKET, else\n"
"                        " PROTO_DEFAULT_SOCKET ")\n"
"      --dry-run         print QEMU's command line, shell-quoted, and ask\n"
"                        tapd for nothing\n"
"  -h, --help            show this help\n"
"\n"
"Arguments after -- go to QEMU unchanged, last. The n-th bridge NIC's tap\n"
"is fd %d+n in QEMU. Exit status: QEMU's, or one of tapvm's own (see\n"
"'tapvm help').\n", CMDLINE_FD_BASE);
}

/* Can this host run KVM guests? /dev/kvm alone is not enough. */
static bool run_kvm_usable(void)
{
	cleanup_fd int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cleanup_free char *line = NULL;
	bool virt = false;
	size_t cap = 0;
	FILE *f;

	if (fd < 0)
		return false;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return false;
	while (!virt && getline(&line, &cap, f) > 0)
		if (!strncmp(line, "flags", 5))
			virt = strstr(line, " vmx") || strstr(line, " svm");
	fclose(f);
	return virt;
}

static const char *run_default_qemu(void)
{
	static char name[96];
	struct utsname u;
	const char *arch;

	if (uname(&u))
		return "qemu-system-x86_64";
	arch = u.machine;
	if (!strcmp(arch, "i686") || !strcmp(arch, "i586") || !strcmp(arch, "i486"))
		arch = "i386";
	else if (!strcmp(arch, "armv7l") || !strcmp(arch, "armv6l"))
		arch = "arm";
	snprintf(name, sizeof(name), "qemu-system-%s", arch);
	return name;
}

/**
 * run_find_qemu() - where the QEMU binary is
 * @name:	a path, or a name to look up in $PATH
 * @path:	set to a malloc'd path on success
 *
 * Return: 0, -ENOENT (not found) or -EACCES (found, not executable).
 */
static int run_find_qemu(const char *name, char **path)
{
	const char *env = getenv("PATH");
	cleanup_free char *dirs = NULL;
	char *save = NULL, *dir;
	int ret = -ENOENT;

	if (strchr(name, '/')) {
		if (access(name, F_OK))
			return -ENOENT;
		if (access(name, X_OK))
			return -EACCES;
		*path = strdup(name);
		return *path ? 0 : -ENOMEM;
	}
	dirs = strdup(env && *env ? env : "/usr/local/bin:/usr/bin:/bin");
	if (!dirs)
		return -ENOMEM;
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p;
		struct stat st;

		if (asprintf(&p, "%s/%s", dir, name) < 0)
			return -ENOMEM;
		if (!stat(p, &st) && S_ISREG(st.st_mode)) {
			if (!access(p, X_OK)) {
				*path = p;
				return 0;
			}
			ret = -EACCES;
		}
		free(p);
	}
	return ret;
}

static int run_random_mac(char mac[18])
{
	uint8_t b[3];

	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return -errno;
	snprintf(mac, 18, "52:54:00:%02x:%02x:%02x", b[0], b[1], b[2]);
	return 0;
}

static void run_print_quoted(char **argv)
{
	for (size_t i = 0; argv[i]; i++) {
		char *q = cmdline_quote(argv[i]);

		printf("%s%s", i ? " " : "", q ? q : "''");
		free(q);
	}
	printf("\n");
}

/**
 * run_child() - in the child: put the taps in place and exec QEMU
 * @qemu:	QEMU's path
 * @argv:	QEMU's arguments
 * @fds:	tap fds, for CMDLINE_FD_BASE + i
 * @nfds:	how many
 * @errpipe:	write end of a close-on-exec pipe: errno if exec fails
 */
static void __attribute__((noreturn))
run_child(const char *qemu, char **argv, int *fds, size_t nfds, int errpipe)
{
	int top = CMDLINE_FD_BASE + (int)nfds, e;

	/* First out of the way, then into place: sources may sit on targets. */
	errpipe = fcntl(errpipe, F_DUPFD_CLOEXEC, top);
	for (size_t i = 0; i < nfds && errpipe >= 0; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, top)) < 0)
			goto fail;
	for (size_t i = 0; i < nfds; i++)
		if (dup2(fds[i], CMDLINE_FD_BASE + (int)i) < 0)	/* clears CLOEXEC */
			goto fail;
	/* Only the taps go to QEMU, not whatever tapvm inherited. */
	if (syscall(SYS_close_range, (unsigned int)top, ~0U, CLOSE_RANGE_CLOEXEC) &&
	    errno != ENOSYS && errno != EINVAL)
		goto fail;
	execv(qemu, argv);
fail:
	e = errno;
	if (errpipe >= 0 && write(errpipe, &e, sizeof(e)) < 0)
		_exit(EXIT_OSERR);
	_exit(EXIT_OSERR);
}

/**
 * run_supervise() - run QEMU and wait for it
 * @qemu:	QEMU's path
 * @argv:	its arguments
 * @fds:	tap fds; closed here in the parent, so taps vanish with QEMU
 * @nfds:	how many
 *
 * SIGINT, SIGTERM and SIGHUP are passed on to QEMU, which shuts down.
 *
 * Return: the exit status to leave with.
 */
static int run_supervise(const char *qemu, char **argv, int *fds, size_t nfds)
{
	sigset_t set, old;
	int pipefd[2], status, e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "tapvm: cannot create a pipe: %s\n", strerror(errno));
		return EXIT_OSERR;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	/*
	 * A shell starts background jobs with SIGINT ignored, and an ignored
	 * signal is dropped even while blocked: take them back, so that they
	 * reach sigwaitinfo() here and QEMU starts with the defaults.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "tapvm: cannot fork: %s\n", strerror(errno));
		return EXIT_OSERR;
	}
	if (pid == 0) {
		close(pipefd[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		run_child(qemu, argv, fds, nfds, pipefd[1]);
	}
	close(pipefd[1]);
	proto_close_fds(fds, nfds);

	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(e)) {
		waitpid(pid, &status, 0);
		fprintf(stderr, "tapvm: cannot run QEMU %s: %s\n", qemu, strerror(e));
		return e == ENOENT ? EXIT_NOQEMU : e == EACCES ? EXIT_NOEXEC : EXIT_OSERR;
	}

	for (;;) {
		siginfo_t si;

		if (sigwaitinfo(&set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(pid, si.si_signo);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

struct run_state {
	struct vm_spec vm;
	struct argv_buf argv;
	char *qemu_path;
	char *disk_args[64];
	int fds[64];
	size_t nfds;
};

static void run_state_free(struct run_state *st)
{
	argv_free(&st->argv);
	proto_close_fds(st->fds, st->nfds);
	free(st->qemu_path);
	free(st->vm.netdevs);
	free(st->vm.disks);
	for (size_t i = 0; i < ARRAY_SIZE(st->disk_args); i++)
		free(st->disk_args[i]);
}

static int run_parse(struct run_state *st, int argc, char **argv,
		     const char **sock, bool *dry_run)
{
	static const struct option opts[] = {
		{ "netdev", required_argument, NULL, 'n' },
		{ "disk", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'N' },
		{ "accel", required_argument, NULL, 'A' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "socket", required_argument, NULL, 'S' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vm_spec *vm = &st->vm;
	char err[CMDLINE_ERR_MAX];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': {
			struct netdev_spec *nd;

			if (vm->nnetdevs >= ARRAY_SIZE(st->fds)) {
				fprintf(stderr, "tapvm: too many --netdev (at most %zu)\n",
					ARRAY_SIZE(st->fds));
				return EXIT_USAGE;
			}
			nd = reallocarray(vm->netdevs, vm->nnetdevs + 1, sizeof(*nd));
			if (!nd)
				return EXIT_OSERR;
			vm->netdevs = nd;
			if (cmdline_parse_netdev(optarg, &nd[vm->nnetdevs], err, sizeof(err))) {
				fprintf(stderr, "tapvm: %s\n", err);
				return EXIT_USAGE;
			}
			vm->nnetdevs++;
			break;
		}
		case 'd': {
			struct disk_spec *d;

			if (vm->ndisks >= ARRAY_SIZE(st->disk_args)) {
				fprintf(stderr, "tapvm: too many --disk (at most %zu)\n",
					ARRAY_SIZE(st->disk_args));
				return EXIT_USAGE;
			}
			d = reallocarray(vm->disks, vm->ndisks + 1, sizeof(*d));
			if (!d)
				return EXIT_OSERR;
			vm->disks = d;
			st->disk_args[vm->ndisks] = strdup(optarg);
			if (!st->disk_args[vm->ndisks])
				return EXIT_OSERR;
			if (cmdline_parse_disk(st->disk_args[vm->ndisks], &d[vm->ndisks],
					       err, sizeof(err))) {
				fprintf(stderr, "tapvm: %s\n", err);
				return EXIT_USAGE;
			}
			vm->ndisks++;
			break;
		}
		case 'N':
			if (!names_label_valid(optarg)) {
				fprintf(stderr, "tapvm: --name '%s' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}\n",
					optarg);
				return EXIT_USAGE;
			}
			vm->name = optarg;
			break;
		case 'A':
			if (!strcmp(optarg, "kvm"))
				vm->accel = ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				vm->accel = ACCEL_TCG;
			else if (!strcmp(optarg, "auto"))
				vm->accel = ACCEL_AUTO;
			else {
				fprintf(stderr, "tapvm: --accel takes kvm, tcg or auto, not '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'Q':
			vm->qemu = optarg;
			break;
		case 'S':
			*sock = optarg;
			break;
		case 'D':
			*dry_run = true;
			break;
		case 'h':
			run_usage(stdout);
			return -1;
		default:
			fprintf(stderr, "Try 'tapvm run --help'.\n");
			return EXIT_USAGE;
		}
	}
	/* getopt stops at "--" and consumes it; everything after is QEMU's. */
	if (optind < argc && strcmp(argv[optind - 1], "--")) {
		fprintf(stderr, "tapvm: unexpected argument '%s': QEMU arguments go after --\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	vm->extra = argv + optind;
	vm->nextra = (size_t)(argc - optind);
	return 0;
}

/* Check what can be checked before tapd makes anything. */
static int run_resolve(struct run_state *st, bool dry_run)
{
	struct vm_spec *vm = &st->vm;
	int ret;

	for (size_t i = 0; i < vm->ndisks; i++) {
		if (access(vm->disks[i].file, F_OK)) {
			fprintf(stderr, "tapvm: disk image %s does not exist: create it (qemu-img create) or fix the path\n",
				vm->disks[i].file);
			return EXIT_NOINPUT;
		}
	}
	if (!vm->qemu)
		vm->qemu = run_default_qemu();
	ret = run_find_qemu(vm->qemu, &st->qemu_path);
	if (ret && !dry_run) {
		if (ret == -EACCES) {
			fprintf(stderr, "tapvm: QEMU %s is not executable\n", vm->qemu);
			return EXIT_NOEXEC;
		}
		fprintf(stderr, "tapvm: QEMU not found: %s is not %s: install it (apt install qemu-system-x86) or pass --qemu\n",
			vm->qemu, strchr(vm->qemu, '/') ? "there" : "on PATH");
		return EXIT_NOQEMU;
	}
	if (!ret)
		vm->qemu = st->qemu_path;
	if (vm->accel == ACCEL_AUTO)
		vm->accel = run_kvm_usable() ? ACCEL_KVM : ACCEL_TCG;
	for (size_t i = 0; i < vm->nnetdevs; i++)
		if (!vm->netdevs[i].mac[0] && run_random_mac(vm->netdevs[i].mac)) {
			fprintf(stderr, "tapvm: no random bytes for a MAC address\n");
			return EXIT_OSERR;
		}
	return 0;
}

/* One tap per bridge netdev, in order; the fds land in st->fds. */
static int run_get_taps(struct run_state *st, const char *sock_path)
{
	char err[CLIENT_ERR_MAX];
	cleanup_fd int sock = -1;
	int ret;

	for (size_t i = 0; i < st->vm.nnetdevs; i++) {
		const struct netdev_spec *nd = &st->vm.netdevs[i];
		struct client_tap tap;

		if (nd->user)
			continue;
		if (sock < 0) {
			ret = tapd_connect_or_explain(sock_path, &sock);
			if (ret)
				return ret;
		}
		ret = client_create(sock, nd->bridge, st->vm.name, &tap, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "tapvm: %s\n", err);
			return tapd_exit_status(ret);
		}
		/* One queue until multiqueue; extra fds would be a tapd bug. */
		proto_close_fds(tap.fds + 1, tap.nfds - 1);
		st->fds[st->nfds++] = tap.fds[0];
	}
	return 0;
}

/**
 * run_main() - tapvm run
 * @argc:	arguments, from "run" on
 * @argv:	them
 *
 * Return: exit status.
 */
int run_main(int argc, char **argv)
{
	struct run_state st;
	const char *sock = NULL;
	bool dry_run = false;
	int ret;

	memset(&st, 0, sizeof(st));
	ret = run_parse(&st, argc, argv, &sock, &dry_run);
	if (!ret)
		ret = run_resolve(&st, dry_run);
	if (!ret && !dry_run)
		ret = run_get_taps(&st, client_socket_path(sock));
	if (!ret && cmdline_build(&st.vm, &st.argv)) {
		fprintf(stderr, "tapvm: cannot build QEMU's command line: out of memory\n");
		ret = EXIT_OSERR;
	}
	if (!ret && dry_run)
		run_print_quoted(st.argv.v);
	else if (!ret) {
		ret = run_supervise(st.vm.qemu, st.argv.v, st.fds, st.nfds);
		st.nfds = 0;
	}
	run_state_free(&st);
	return ret < 0 ? 0 : ret;
}
