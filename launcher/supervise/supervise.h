/* SPDX-License-Identifier: GPL-2.0-or-later */
/* supervise.h - run QEMU as a child and see it to its end */
#ifndef TAPVM_SUPERVISE_H
#define TAPVM_SUPERVISE_H

#include <stdbool.h>
#include <stddef.h>

/* The virtio-serial port the guest writes its exit status to. */
#define SUPERVISE_STATUS_PORT	"org.tapvm.status"
#define SUPERVISE_SHUTDOWN_S	30

/**
 * struct supervise_opts - how to see QEMU to its end
 * @shutdown_timeout: seconds the guest has to power off after
 *		system_powerdown, before quit
 * @timeout:	hard limit in seconds, 0 for none (--timeout)
 * @watchdog:	seconds of console silence before QEMU is stopped, 0 for
 *		none (--watchdog); counted from the console's first output
 * @watchdog_start: with @watchdog_end, the watchdog counts only between a
 *		console line with this text and one with that; or NULL
 * @console_log: file the console is appended to, or NULL
 * @console:	the serial console is tapvm's to relay (its chardev follows
 *		QMP's fd); QEMU is then kept off the terminal
 * @guest_status: the status port follows; the guest's status is tapvm's
 * @verbose:	say more
 * @state_dir:	a named VM's state directory: serve control.sock and
 *		console.sock there, keep console.log, write pid; NULL for
 *		tapvm run
 * @ready_fd:	with @state_dir: the parent's pipe, also our stderr; once QEMU
 *		is up, stderr moves to tapvm.log and this is closed
 * @name:	the VM's name, for status
 * @tap_names:	its taps, comma-separated, for status
 * @vnc:	the VNC socket's path, or NULL
 * @fd_qmp:	where QEMU finds QMP's socket (cmdline_fd_of())
 * @fd_console:	... the console's, or -1
 * @fd_status:	... the status port's, or -1
 * @fd_end:	the first fd after them all
 */
struct supervise_opts {
	unsigned int shutdown_timeout;
	unsigned int timeout;
	unsigned int watchdog;
	const char *watchdog_start, *watchdog_end;
	const char *console_log;
	bool console;
	bool guest_status;
	int verbose;
	const char *state_dir;
	int ready_fd;
	const char *name;
	const char *tap_names;
	const char *vnc;
	int fd_qmp, fd_console, fd_status, fd_end;
};

int supervise_run(const char *qemu, char **argv, int *taps, size_t ntaps,
		  const struct supervise_opts *o);

#endif /* TAPVM_SUPERVISE_H */
