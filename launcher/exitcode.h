/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exitcode.h - tapvm's own exit statuses (README "Exit status" table)
 *
 * When QEMU ran, tapvm exits with QEMU's status (128+N if a signal N ended
 * it). tapvm's own failures use statuses QEMU does not: sysexits(3) values
 * and the shell's 126/127. Later issues add to this list; none may change.
 */
#ifndef TAPVM_EXITCODE_H
#define TAPVM_EXITCODE_H

enum tapvm_exit {
	EXIT_USAGE	= 64,	/* bad command line */
	EXIT_NOINPUT	= 66,	/* a disk image does not exist */
	EXIT_NOBRIDGE	= 68,	/* bridge missing, or not a bridge */
	EXIT_NOTAPD	= 69,	/* tapd unreachable */
	EXIT_OSERR	= 71,	/* a system call failed; tapd could not make a tap */
	EXIT_PROTOCOL	= 76,	/* tapd answered something unexpected */
	EXIT_REFUSED	= 77,	/* the tapd policy refused the request */
	EXIT_LAUNCH	= 80,	/* QEMU exited before it was up (answered QMP) */
	EXIT_TIMEOUT	= 81,	/* --timeout: QEMU was stopped */
	EXIT_WATCHDOG	= 82,	/* --watchdog: the console was silent too long */
	EXIT_FORCED	= 83,	/* the guest did not power off: QEMU was quit */
	EXIT_KILLED	= 84,	/* QEMU did not quit: SIGKILL */
	EXIT_NOSTATUS	= 85,	/* --guest-status: the guest wrote none */
	EXIT_RUNNING	= 86,	/* tapvm start: a VM of that name is running */
	EXIT_NOTRUNNING	= 87,	/* no VM of that name is running */
	EXIT_NOSUCHVM	= 88,	/* undefine, rm: nothing of that name to remove */
	EXIT_NOEXEC	= 126,	/* QEMU found but cannot be run */
	EXIT_NOQEMU	= 127,	/* QEMU not found */
};

#endif /* TAPVM_EXITCODE_H */
