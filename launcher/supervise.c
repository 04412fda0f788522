// SPDX-License-Identifier: GPL-2.0-or-later
/* supervise.c - start QEMU with its taps in place, pass signals, wait */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cmdline.h"
#include "exitcode.h"
#include "proto.h"
#include "supervise.h"

/**
 * supervise_child() - in the child: put the taps in place and exec QEMU
 * @qemu:	QEMU's path
 * @argv:	QEMU's arguments
 * @fds:	tap fds, for CMDLINE_FD_BASE + i
 * @nfds:	how many
 * @errpipe:	write end of a close-on-exec pipe: errno if exec fails
 */
static void __attribute__((noreturn))
supervise_child(const char *qemu, char **argv, int *fds, size_t nfds, int errpipe)
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
 * supervise_run() - run QEMU and wait for it
 * @qemu:	QEMU's path
 * @argv:	its arguments
 * @fds:	tap fds; always closed here (in the parent), so taps vanish
 *		with QEMU
 * @nfds:	how many
 *
 * SIGINT, SIGTERM and SIGHUP are passed on to QEMU, which shuts down.
 *
 * Return: the exit status to leave with.
 */
int supervise_run(const char *qemu, char **argv, int *fds, size_t nfds)
{
	sigset_t set, old;
	int pipefd[2], status, e = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "tapvm: cannot create a pipe: %s\n", strerror(errno));
		proto_close_fds(fds, nfds);
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
		proto_close_fds(fds, nfds);
		close(pipefd[0]);
		close(pipefd[1]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return EXIT_OSERR;
	}
	if (pid == 0) {
		close(pipefd[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		supervise_child(qemu, argv, fds, nfds, pipefd[1]);
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
