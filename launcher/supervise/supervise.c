// SPDX-License-Identifier: GPL-2.0-or-later
/* supervise.c - run QEMU as a child and see it to its end
 *
 * QEMU gets its taps and three private sockets (socketpairs, so there is no
 * path to race on): QMP, the serial console, and the guest's status port.
 * The supervisor then waits in one poll(2) loop for: signals, QMP events,
 * console output (relayed to the terminal and the log, and watched by the
 * watchdog), keys for the console, QEMU's own output, the guest's status,
 * and deadlines. How it ends, in order of preference:
 *
 *	QEMU exits by itself			QEMU's status (or the guest's)
 *	a signal or Ctrl-] q: system_powerdown, then QEMU exits    the same
 *	... the guest ignores it for --shutdown-timeout: quit	EXIT_FORCED
 *	--timeout or --watchdog: quit				EXIT_TIMEOUT,
 *								EXIT_WATCHDOG
 *	QEMU does not quit within SUPERVISE_QUIT_S: SIGKILL	EXIT_KILLED
 *	QEMU exits before its QMP greeting			EXIT_LAUNCH
 *
 * A second signal skips the wait for the guest.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "cmdline.h"
#include "escape.h"
#include "exitcode.h"
#include "proto.h"
#include "qmp.h"
#include "state.h"
#include "supervise.h"
#include "util.h"

#define SUPERVISE_QUIT_S	5	/* after quit, before SIGKILL */
#define SUPERVISE_GREETING_S	60	/* from exec to QMP's greeting */
#define SUPERVISE_OUTPUT_KEEP	8192	/* QEMU's words kept for a report */
#define SUPERVISE_CLIENTS_MAX	8	/* consoles attached at once */
#define SUPERVISE_RING		65536	/* console output replayed on attach */
#define SUPERVISE_REQUEST_MAX	65536	/* one control request (qmp JSON) */
#define SUPERVISE_MARKER_MAX	256	/* --watchdog-start/-end text, bytes */
#define SUPERVISE_QMP_WAIT_MS	60000	/* a command through control.sock */

enum supervise_phase { PHASE_RUNNING, PHASE_POWERDOWN, PHASE_QUITTING, PHASE_KILLED };

struct supervisor {
	const struct supervise_opts *o;
	char **argv;
	pid_t pid;
	struct qmp qmp;
	bool qmp_closed;
	int sfd;			/* signalfd */
	int console, status, out;	/* our ends; -1 when not used or closed */
	int log;
	bool stdin_open, raw, greeted, exited;
	bool started;			/* QEMU answered qmp_capabilities */
	unsigned int caps_id;		/* that command's id */
	struct escape escape;
	struct termios saved;
	enum supervise_phase phase;
	int end;			/* EXIT_* when tapvm ended it, else 0 */
	char end_why[96];		/* what made tapvm end it; "" if nothing */
	long deadline;			/* of the phase, ms; 0 for none */
	long hard_deadline;		/* --timeout */
	long last_console;		/* for --watchdog */
	int wstatus;
	char said[SUPERVISE_OUTPUT_KEEP];	/* QEMU's output, for a report */
	size_t nsaid;
	int control_listen, console_listen;	/* named VMs; -1 otherwise */
	int clients[SUPERVISE_CLIENTS_MAX];	/* attached consoles */
	size_t nclients;
	char ring[SUPERVISE_RING];	/* the console's last words, for attaching */
	size_t nring;
	time_t started_at;
	char status_buf[32];		/* the guest's status line */
	size_t nstatus;
	int guest_status;		/* -1 until the guest says */
	int watchers[SUPERVISE_CLIENTS_MAX];	/* tapvm events: QMP events as lines */
	size_t nwatchers;
	bool rebooting;			/* tapvm reboot: a SHUTDOWN is a reset */
	long reboot_deadline;
	unsigned int boots;		/* for the console log's boot lines */
	bool boot_quiet;		/* no console output since the last one */
	char log_last;			/* the last byte the log got */
	bool wd_armed;			/* --watchdog counts silence now */
	char wd_tail[SUPERVISE_MARKER_MAX];	/* the console's last bytes, for markers */
	size_t nwd_tail;
};

static long supervise_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One line for people, on stderr; with the terminal raw, \r\n. */
static void __attribute__((format(printf, 2, 3)))
supervise_say(struct supervisor *s, const char *fmt, ...)
{
	va_list ap;

	fputs(s->raw ? "\r\ntapvm: " : "tapvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(s->raw ? "\r\n" : "\n", stderr);
}

/* What the child needs; it runs on its own stack, in tapvm's memory. */
struct supervise_spawn {
	const char *qemu;
	char **argv;
	const int *fds;		/* for CMDLINE_FD_BASE + i, as cmdline_fd_of() laid them out */
	size_t nfds;
	int errpipe;		/* write end of a close-on-exec pipe: errno if exec fails */
	int out;		/* write end for QEMU's stdout and stderr, or -1: tapvm's */
	const sigset_t *mask;	/* the signal mask QEMU starts with */
};

/**
 * supervise_child() - in the child: put the fds in place and exec QEMU
 * @arg:	the struct supervise_spawn
 *
 * It shares tapvm's memory until the exec (supervise_spawn()), so it only
 * makes system calls and writes nothing of the parent's but errno: the fds
 * are moved in an array of its own.
 *
 * Return: never; the exit status if exec fails.
 */
static int supervise_child(void *arg)
{
	const struct supervise_spawn *sp = arg;
	int top = CMDLINE_FD_BASE + (int)sp->nfds, errpipe = sp->errpipe, e;
	int fds[CMDLINE_MAX_FDS];

	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, sp->mask, NULL);
	if (sp->out >= 0) {
		/* Off the terminal: tapvm relays the console and decides on signals. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (setpgid(0, 0) || null < 0 || dup2(null, 0) < 0 || dup2(sp->out, 1) < 0 ||
		    dup2(sp->out, 2) < 0)
			goto fail;
	}
	/* QEMU does not outlive its supervisor, even one killed with SIGKILL. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
		goto fail;
	/* First out of the way, then into place: sources may sit on targets. */
	errpipe = fcntl(sp->errpipe, F_DUPFD_CLOEXEC, top);
	if (errpipe < 0) {
		errpipe = sp->errpipe;	/* nothing moved yet: still there */
		goto fail;
	}
	for (size_t i = 0; i < sp->nfds; i++)
		if ((fds[i] = fcntl(sp->fds[i], F_DUPFD_CLOEXEC, top)) < 0)
			goto fail;
	for (size_t i = 0; i < sp->nfds; i++)
		if (dup2(fds[i], CMDLINE_FD_BASE + (int)i) < 0)	/* clears CLOEXEC */
			goto fail;
	/* Only these go to QEMU, not whatever tapvm inherited. */
	if (syscall(SYS_close_range, (unsigned int)top, ~0U, CLOSE_RANGE_CLOEXEC) &&
	    errno != ENOSYS && errno != EINVAL)
		goto fail;
	execv(sp->qemu, sp->argv);
fail:
	e = errno;
	if (write(errpipe, &e, sizeof(e)) < 0)	/* once moved, the copy above top */
		_exit(EXIT_OSERR);
	_exit(EXIT_OSERR);
}

/**
 * supervise_spawn() - start QEMU's process
 * @sp:		what it gets
 *
 * As posix_spawn(3) does, with a clone that shares tapvm's memory and
 * returns once the child has exec'd or exited (CLONE_VM | CLONE_VFORK):
 * fork(2) would copy tapvm's page tables for the child to throw away at the
 * exec, and make each page tapvm then writes a copy-on-write fault. That
 * was a third of tapvm's time from start to QEMU's exec (tests/bench).
 * The child gets a stack of its own, below the parent's frame, so nothing
 * of that frame is overwritten (32 KiB: a few system call wrappers, and
 * the dynamic linker's lazy binding, which saves the vector registers).
 *
 * Return: the child's pid, or -1 with errno set.
 */
static pid_t supervise_spawn(struct supervise_spawn *sp)
{
	/* On the caller's stack, which is idle meanwhile: no thread shares it. */
	_Alignas(16) char stack[32 * 1024];

	return clone(supervise_child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, sp);
}

static void supervise_write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/**
 * supervise_keep() - append to a buffer that keeps only its last bytes
 * @keep:	the buffer
 * @len:	bytes in it
 * @cap:	its size
 * @buf:	what to append
 * @n:		how much
 */
static void supervise_keep(char *keep, size_t *len, size_t cap, const char *buf, size_t n)
{
	if (n >= cap) {
		buf += n - cap;
		n = cap;
	}
	if (*len + n > cap) {
		size_t drop = *len + n - cap;

		memmove(keep, keep + drop, *len - drop);
		*len -= drop;
	}
	memcpy(keep + *len, buf, n);
	*len += n;
}

/* A socket in the state directory, for this user alone. */
static int supervise_listen(struct supervisor *s, const char *file)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char err[STATE_ERR_MAX];
	int fd;

	if (state_socket_path(s->o->state_dir, file, sun.sun_path, err, sizeof(err))) {
		fprintf(stderr, "tapvm: %s\n", err);
		return -1;
	}
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(sun.sun_path, 0600) || listen(fd, 8)) {
		fprintf(stderr, "tapvm: cannot listen on %s: %s\n", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Accept a connection from this user only, blocking with a time limit. */
static int supervise_accept(int listen_fd)
{
	struct timeval tv = { .tv_sec = 2 };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != getuid() ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void supervise_console_attach(struct supervisor *s)
{
	int fd = supervise_accept(s->console_listen);

	if (fd < 0)
		return;
	if (s->nclients == SUPERVISE_CLIENTS_MAX) {
		dprintf(fd, "tapvm: %d consoles are attached already\r\n", SUPERVISE_CLIENTS_MAX);
		close(fd);
		return;
	}
	supervise_write_all(fd, s->ring, s->nring);
	s->clients[s->nclients++] = fd;
}

/* Keys from an attached console go to the guest. */
static void supervise_console_input(struct supervisor *s, size_t i)
{
	char buf[512];
	ssize_t n = recv(s->clients[i], buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0) {
		if (s->console >= 0)
			supervise_write_all(s->console, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	close(s->clients[i]);
	s->clients[i] = s->clients[--s->nclients];
}

static long supervise_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void supervise_escalate(struct supervisor *s, int end, const char *why);

static void supervise_started(struct supervisor *s);

/* tapvm reboot: the guest powers off, QEMU pauses instead of exiting, and
 * is reset and resumed (libvirt's way); set-action needs QEMU 6.0. */
static int supervise_reboot(struct supervisor *s, char *err, size_t errlen)
{
	struct json_object *args = json_object_new_object();
	unsigned int id;

	json_object_object_add(args, "shutdown", json_object_new_string("pause"));
	if (qmp_execute(&s->qmp, "set-action", args, NULL, 10000)) {
		snprintf(err, errlen, "%s", s->qmp.err);
		return -1;
	}
	qmp_send(&s->qmp, "system_powerdown", NULL, &id);
	s->rebooting = true;
	s->reboot_deadline = supervise_now() + s->o->shutdown_timeout * 1000L;
	return 0;
}

/* tapvm reboot is over: a guest power-off powers QEMU off again. */
static void supervise_reboot_cancel(struct supervisor *s)
{
	struct json_object *args = json_object_new_object();
	unsigned int id;

	json_object_object_add(args, "shutdown", json_object_new_string("poweroff"));
	qmp_send(&s->qmp, "set-action", args, &id);
	s->rebooting = false;
	s->reboot_deadline = 0;
}

/* The guest powered off for tapvm reboot (or did not in time): reset. */
static void supervise_reboot_end(struct supervisor *s, bool powered_off)
{
	unsigned int id;

	supervise_reboot_cancel(s);
	if (!powered_off) {
		supervise_say(s, "tapvm reboot: the guest did not power off within %u s; it runs on (tapvm reset %s forces a reboot)",
			      s->o->shutdown_timeout, s->o->name ? s->o->name : "NAME");
		return;
	}
	qmp_send(&s->qmp, "system_reset", NULL, &id);
	qmp_send(&s->qmp, "cont", NULL, &id);
}

/* Write all of @buf to a control client; it has SO_SNDTIMEO. */
static void supervise_answer(int fd, const char *buf)
{
	supervise_write_all(fd, buf, strlen(buf));
}

/* qmp JSON: QEMU's whole reply, one line; or a QMP-shaped error of ours. */
static void supervise_qmp_request(struct supervisor *s, int fd, const char *text)
{
	struct json_object *cmd = json_tokener_parse(text), *reply = NULL;
	int r;

	if (!cmd) {
		snprintf(s->qmp.err, sizeof(s->qmp.err), "the QMP command is not JSON");
		r = -EINVAL;
	} else {
		r = qmp_call(&s->qmp, cmd, &reply, SUPERVISE_QMP_WAIT_MS);
	}
	if (r) {
		struct json_object *err = json_object_new_object();

		reply = json_object_new_object();
		json_object_object_add(err, "class", json_object_new_string(
			r == -EINVAL ? "GenericError" : "tapvm"));
		json_object_object_add(err, "desc", json_object_new_string(s->qmp.err));
		json_object_object_add(reply, "error", err);
	}
	supervise_answer(fd, json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	supervise_answer(fd, "\n");
	json_object_put(reply);
	json_object_put(cmd);
}

/* monitor CMD, reset: through QMP; the answer as text, LF line ends. */
static void supervise_hmp(struct supervisor *s, int fd, const char *cmd,
			  struct json_object *args)
{
	struct json_object *ret = NULL;
	int r = qmp_execute(&s->qmp, cmd, args, &ret, SUPERVISE_QMP_WAIT_MS);

	if (r) {
		dprintf(fd, "error: %s\n", s->qmp.err);
	} else if (ret && json_object_is_type(ret, json_type_string)) {
		const char *t = json_object_get_string(ret);
		size_t n = strlen(t);
		char *lf = malloc(n + 2), *o = lf;

		/* HMP ends its lines with CRLF, for a terminal: LF for files. */
		for (size_t i = 0; lf && i < n; i++)
			if (!(t[i] == '\r' && t[i + 1] == '\n'))
				*o++ = t[i];
		if (lf) {
			*o = '\0';
			supervise_answer(fd, "ok\n");
			supervise_answer(fd, lf);
		}
		free(lf);
	} else {
		supervise_answer(fd, "ok\n");
	}
	json_object_put(ret);
}

/*
 * One request per connection (see vm.c): status, stop, shutdown, reboot,
 * reset, monitor CMD, qmp JSON, events. Answers start "ok" or "error: ",
 * but for status, qmp and events.
 */
static void supervise_control(struct supervisor *s)
{
	char *req = malloc(SUPERVISE_REQUEST_MAX + 1), err[256];
	int fd = supervise_accept(s->control_listen);
	size_t len = 0;
	char *nl = NULL;

	if (fd < 0 || !req) {
		if (fd >= 0)
			close(fd);
		free(req);
		return;
	}
	while (len < SUPERVISE_REQUEST_MAX && !nl) {
		ssize_t n = recv(fd, req + len, SUPERVISE_REQUEST_MAX - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
		nl = memchr(req, '\n', len);
	}
	if (!nl) {
		dprintf(fd, "error: a request is one line of at most %d bytes\n", SUPERVISE_REQUEST_MAX);
		goto done;
	}
	*nl = '\0';
	if (!strcmp(req, "status")) {
		long rss = supervise_rss_kb(s->pid);

		dprintf(fd, "name=%s\nstate=%s\npid=%d\nsupervisor=%d\nuptime=%ld\ntaps=%s\n"
			"memory_kb=%ld\nconsole=%s/console.sock\nvnc=%s\ncontrol=%s/control.sock\n"
			"log=%s/console.log\nboots=%u\n",
			s->o->name ? s->o->name : "-",
			s->phase == PHASE_RUNNING ? (s->rebooting ? "rebooting" : "running") :
			"stopping", (int)s->pid,
			(int)getpid(), (long)(time(NULL) - s->started_at),
			s->o->tap_names && *s->o->tap_names ? s->o->tap_names : "-", rss,
			s->o->state_dir, s->o->vnc ? s->o->vnc : "-", s->o->state_dir,
			s->o->state_dir, s->boots);
	} else if (!strcmp(req, "stop")) {
		dprintf(fd, "ok: stopping QEMU (quit)\n");
		s->phase = s->phase < PHASE_POWERDOWN ? PHASE_POWERDOWN : s->phase;
		supervise_escalate(s, EXIT_FORCED, "tapvm stop");
	} else if (!strcmp(req, "shutdown")) {
		dprintf(fd, "ok: asking the guest to power off\n");
		supervise_escalate(s, 0, "tapvm shutdown");
	} else if (!strcmp(req, "reboot")) {
		if (s->phase != PHASE_RUNNING)
			dprintf(fd, "error: the VM is being stopped\n");
		else if (s->rebooting)
			dprintf(fd, "ok: the guest is rebooting already\n");
		else if (supervise_reboot(s, err, sizeof(err)))
			dprintf(fd, "error: cannot reboot the guest: %s\n", err);
		else
			dprintf(fd, "ok: asking the guest to reboot (system_powerdown, then reset)\n");
	} else if (!strcmp(req, "reset")) {
		supervise_hmp(s, fd, "system_reset", NULL);
	} else if (!strncmp(req, "monitor ", 8)) {
		struct json_object *args = json_object_new_object();

		json_object_object_add(args, "command-line", json_object_new_string(req + 8));
		supervise_hmp(s, fd, "human-monitor-command", args);
	} else if (!strncmp(req, "qmp ", 4)) {
		supervise_qmp_request(s, fd, req + 4);
	} else if (!strcmp(req, "events")) {
		if (s->nwatchers == SUPERVISE_CLIENTS_MAX) {
			dprintf(fd, "error: %d event watchers are attached already\n",
				SUPERVISE_CLIENTS_MAX);
		} else {
			s->watchers[s->nwatchers++] = fd;
			fd = -1;
		}
	} else {
		dprintf(fd, "error: unknown request (status, stop, shutdown, reboot, reset, monitor CMD, qmp JSON, events)\n");
	}
done:
	if (fd >= 0)
		close(fd);
	free(req);
}

/* An event to tapvm events: one line each; a watcher that cannot keep up goes. */
static void supervise_event_out(struct supervisor *s, struct json_object *ev)
{
	const char *line = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(line);

	for (size_t i = s->nwatchers; i-- > 0;) {
		struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		if (sendmsg(s->watchers[i], &m, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len + 1) {
			close(s->watchers[i]);
			s->watchers[i] = s->watchers[--s->nwatchers];
		}
	}
}

/*
 * Once QEMU is up: the parent (tapvm start) stops waiting, told so by one
 * NUL byte (an end of file alone is also what a failure looks like); our
 * words go to tapvm.log.
 */
static void supervise_ready(struct supervisor *s)
{
	char path[PATH_MAX + 16];
	int log;

	if (!s->o->state_dir || s->o->ready_fd < 0)
		return;
	fflush(stderr);
	if (write(s->o->ready_fd, "", 1) != 1)
		return;	/* the parent is gone: nobody waits */
	snprintf(path, sizeof(path), "%s/tapvm.log", s->o->state_dir);
	log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (log >= 0) {
		dup2(log, STDERR_FILENO);
		close(log);
	}
	close(s->o->ready_fd);
}

/* Start the end: system_powerdown, quit, or SIGKILL, one step further. */
static void supervise_escalate(struct supervisor *s, int end, const char *why)
{
	unsigned int id;

	if (s->exited)
		return;
	if (s->rebooting)	/* a power-off now is one: QEMU must not pause */
		supervise_reboot_cancel(s);
	if (s->phase == PHASE_RUNNING && !end && s->greeted) {
		supervise_say(s, "%s: asking the guest to power off (system_powerdown, up to %u s)",
			      why, s->o->shutdown_timeout);
		qmp_send(&s->qmp, "system_powerdown", NULL, &id);
		s->phase = PHASE_POWERDOWN;
		s->deadline = supervise_now() + s->o->shutdown_timeout * 1000L;
	} else if (s->phase <= PHASE_POWERDOWN && s->greeted) {
		supervise_say(s, "%s: stopping QEMU (quit)", why);
		qmp_send(&s->qmp, "quit", NULL, &id);
		s->phase = PHASE_QUITTING;
		s->deadline = supervise_now() + SUPERVISE_QUIT_S * 1000L;
		if (!s->end) {
			s->end = end ? end : EXIT_FORCED;
			snprintf(s->end_why, sizeof(s->end_why), "%s", why);
		}
	} else {
		supervise_say(s, "%s: killing QEMU (SIGKILL)", why);
		kill(s->pid, SIGKILL);
		s->phase = PHASE_KILLED;
		s->deadline = 0;
		s->end = EXIT_KILLED;
	}
}

/* Keys from the terminal: to the guest, but for Ctrl-] and what follows. */
static void supervise_keys(struct supervisor *s)
{
	char in[512], out[512];
	size_t k = 0;
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			s->stdin_open = false;	/* the console stays; input ends */
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int cmd = s->raw ? escape_feed(&s->escape, c) : ESCAPE_PASS;

		if (cmd == ESCAPE_PASS) {
			out[k++] = (char)c;
			continue;
		}
		if (cmd == ESCAPE_BEGIN) {
			supervise_say(s, "q: shut the guest down, k: stop QEMU now, Ctrl-]: send Ctrl-], other keys: back to the console");
			continue;
		}
		c = (unsigned char)cmd;
		if (c == 'q' || c == '.')
			supervise_escalate(s, 0, "Ctrl-] q");
		else if (c == 'k')
			supervise_escalate(s, EXIT_FORCED, s->phase >= PHASE_QUITTING ?
					   "Ctrl-] k again" : "Ctrl-] k");
	}
	if (k && s->console >= 0)
		supervise_write_all(s->console, out, k);
}

/* Read what a channel has; at its end (or on an error), close it: fd = -1. */
static ssize_t supervise_read(int *fd, char *buf, size_t size)
{
	ssize_t n = read(*fd, buf, size);

	if (n > 0)
		return n;
	if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		close(*fd);
		*fd = -1;
	}
	return 0;
}

/* A line in the console log: its own line, whatever the guest left. */
static void supervise_log_line(struct supervisor *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (s->log < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (s->log_last && s->log_last != '\n')
		supervise_write_all(s->log, "\n", 1);
	supervise_write_all(s->log, line, strlen(line));
	s->log_last = '\n';
}

/*
 * Each boot of the guest starts with one line in the console log, so that
 * a script waiting for a line does not find the last boot's:
 *	--- tapvm: boot N of VM NAME at YYYY-MM-DD HH:MM:SS UTC ---
 */
static void supervise_boot_line(struct supervisor *s)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	/* Firmware resets once more as it starts (SeaBIOS): one boot, one line. */
	if (s->boots && s->boot_quiet)
		return;
	s->boot_quiet = true;
	s->boots++;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	supervise_log_line(s, "--- tapvm: boot %u of VM %s at %s ---\n", s->boots,
			   s->o->name ? s->o->name : "-", when);
}

/*
 * --watchdog arms at the console's first output, or, with markers, from a
 * start marker to an end marker (build-vm's "### WATCHDOG MARKER START ###").
 * Markers are looked for in the last bytes and this chunk: one split over
 * two reads is found.
 */
static void supervise_watchdog_feed(struct supervisor *s, const char *buf, size_t n)
{
	const char *st = s->o->watchdog_start, *en = s->o->watchdog_end;
	char win[SUPERVISE_MARKER_MAX + 4096];
	size_t w = 0;
	const char *p, *last_start = NULL, *last_end = NULL;

	if (!st) {
		s->wd_armed = true;
		return;
	}
	if (n > 4096) {
		buf += n - 4096;
		n = 4096;
	}
	memcpy(win, s->wd_tail, s->nwd_tail);
	w = s->nwd_tail;
	memcpy(win + w, buf, n);
	w += n;
	for (p = win; (p = memmem(p, (size_t)(win + w - p), st, strlen(st))); p++)
		last_start = p;
	for (p = win; en && (p = memmem(p, (size_t)(win + w - p), en, strlen(en))); p++)
		last_end = p;
	if (last_start && (!last_end || last_start > last_end)) {
		if (!s->wd_armed)
			s->last_console = supervise_now();
		s->wd_armed = true;
	} else if (last_end) {
		s->wd_armed = false;
	}
	/* Keep what could begin a marker, less than a whole one (found already). */
	s->nwd_tail = w < SUPERVISE_MARKER_MAX - 1 ? w : SUPERVISE_MARKER_MAX - 1;
	memcpy(s->wd_tail, win + w - s->nwd_tail, s->nwd_tail);
}

static void supervise_console(struct supervisor *s)
{
	char buf[4096];
	ssize_t n = supervise_read(&s->console, buf, sizeof(buf));

	if (!n)
		return;
	s->last_console = supervise_now();
	s->boot_quiet = false;
	supervise_watchdog_feed(s, buf, (size_t)n);
	if (s->log >= 0) {
		supervise_write_all(s->log, buf, (size_t)n);
		s->log_last = buf[n - 1];
	}
	if (!s->o->state_dir) {
		supervise_write_all(STDOUT_FILENO, buf, (size_t)n);
		return;
	}
	supervise_keep(s->ring, &s->nring, sizeof(s->ring), buf, (size_t)n);
	for (size_t i = s->nclients; i-- > 0;) {
		if (send(s->clients[i], buf, (size_t)n, MSG_NOSIGNAL) != n) {
			close(s->clients[i]);
			s->clients[i] = s->clients[--s->nclients];
		}
	}
}

static void supervise_output(struct supervisor *s)
{
	char buf[4096];
	ssize_t n = supervise_read(&s->out, buf, sizeof(buf));

	if (!n)
		return;
	supervise_keep(s->said, &s->nsaid, sizeof(s->said), buf, (size_t)n);
	if (s->started)
		supervise_write_all(STDERR_FILENO, buf, (size_t)n);
}

/* One status line of the guest: a number from 0 to 255. */
static void supervise_status_line(struct supervisor *s)
{
	char *end;
	long v;

	s->status_buf[s->nstatus] = '\0';
	v = strtol(s->status_buf, &end, 10);
	if (s->nstatus && !*end && v >= 0 && v <= 255)
		s->guest_status = (int)v;
	else if (s->nstatus)
		supervise_say(s, "the guest's status '%s' is not a number from 0 to 255",
			      s->status_buf);
	s->nstatus = 0;
}

/*
 * The guest writes its exit status, a decimal number and a newline; the
 * newline may be missing at the end (printf %d).
 */
static void supervise_status(struct supervisor *s)
{
	char buf[64];
	ssize_t n = supervise_read(&s->status, buf, sizeof(buf));

	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\n' || c == '\r')
			supervise_status_line(s);
		else if (s->nstatus < sizeof(s->status_buf) - 1)
			s->status_buf[s->nstatus++] = c;
	}
}

/*
 * QEMU greets on QMP before it has set the machine up (a kernel that
 * cannot be read fails after the greeting); it answers a command only from
 * its main loop. So QEMU is up when it answers qmp_capabilities.
 */
static void supervise_started(struct supervisor *s)
{
	s->started = true;
	if (s->nsaid)	/* what QEMU said while starting */
		supervise_write_all(STDERR_FILENO, s->said, s->nsaid);
	supervise_ready(s);
}

static bool supervise_console_pending(struct supervisor *s)
{
	struct pollfd p = { .fd = s->console, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void supervise_qmp(struct supervisor *s)
{
	struct json_object *ev, *reply = NULL;
	int ret = qmp_read(&s->qmp, s->caps_id ? &reply : NULL, s->caps_id);

	if (reply) {
		json_object_put(reply);
		if (!s->started)
			supervise_started(s);
	}
	if (!s->greeted && s->qmp.greeting) {
		s->greeted = true;
		if (qmp_send(&s->qmp, "qmp_capabilities", NULL, &s->caps_id))
			s->caps_id = 0;
	}
	while ((ev = qmp_event_pop(&s->qmp))) {
		struct json_object *name;
		const char *what = json_object_object_get_ex(ev, "event", &name) ?
				   json_object_get_string(name) : "";

		supervise_event_out(s, ev);
		if (!strcmp(what, "SHUTDOWN") && s->phase == PHASE_POWERDOWN && s->o->verbose)
			supervise_say(s, "the guest powered off");
		if (!strcmp(what, "SHUTDOWN") && s->rebooting && s->phase == PHASE_RUNNING)
			supervise_reboot_end(s, true);
		if (!strcmp(what, "RESET")) {
			/* The old boot's last words first, then the new boot's line. */
			while (s->console >= 0 && supervise_console_pending(s))
				supervise_console(s);
			supervise_boot_line(s);
		}
		json_object_put(ev);
	}
	if (ret)	/* QEMU closed QMP: it is exiting; SIGCHLD follows */
		s->qmp_closed = true;
}

static bool supervise_signal(struct supervisor *s)
{
	struct signalfd_siginfo si;

	while (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (waitpid(s->pid, &s->wstatus, WNOHANG) == s->pid)
				s->exited = true;
			continue;
		}
		supervise_escalate(s, 0, strsignal((int)si.ssi_signo));
	}
	return s->exited;
}

/* QEMU exited before QMP was up: say so as machine.py's VMLaunchFailure. */
static void supervise_launch_failure(struct supervisor *s)
{
	char *p, *end;

	while (s->out >= 0)
		supervise_output(s);
	p = s->said;
	end = s->said + s->nsaid;
	if (WIFEXITED(s->wstatus))
		supervise_say(s, "QEMU failed to start (exit status %d)", WEXITSTATUS(s->wstatus));
	else
		supervise_say(s, "QEMU failed to start (killed by signal %d)", WTERMSIG(s->wstatus));
	fputs("tapvm: command:", stderr);
	for (char **a = s->argv; *a; a++) {
		char *q = cmdline_quote(*a);

		fprintf(stderr, " %s", q ? q : *a);
		free(q);
	}
	fputc('\n', stderr);
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(stderr, "tapvm: QEMU said: %.*s\n", (int)l, p);
		p += l + 1;
	}
	if (!s->nsaid)
		fputs("tapvm: QEMU said nothing\n", stderr);
}

static int supervise_timeout_ms(struct supervisor *s, long now)
{
	long next = now + 3600 * 1000L;

	if (s->deadline && s->deadline < next)
		next = s->deadline;
	if (s->hard_deadline && s->phase == PHASE_RUNNING && s->hard_deadline < next)
		next = s->hard_deadline;
	if (s->o->watchdog && s->wd_armed && s->phase == PHASE_RUNNING &&
	    s->last_console + s->o->watchdog * 1000L < next)
		next = s->last_console + s->o->watchdog * 1000L;
	if (s->reboot_deadline && s->reboot_deadline < next)
		next = s->reboot_deadline;
	if (!s->greeted && s->phase == PHASE_RUNNING)
		next = next < now + 1000 ? next : now + 1000;
	return next > now ? (int)(next - now) : 0;
}

static void supervise_deadlines(struct supervisor *s, long now, long started)
{
	if (s->deadline && now >= s->deadline) {
		s->deadline = 0;
		if (s->phase == PHASE_POWERDOWN)
			supervise_escalate(s, EXIT_FORCED, "the guest did not power off in time");
		else if (s->phase == PHASE_QUITTING)
			supervise_escalate(s, EXIT_KILLED, "QEMU did not quit in time");
	}
	if (s->phase != PHASE_RUNNING)
		return;
	if (s->rebooting && now >= s->reboot_deadline)
		supervise_reboot_end(s, false);
	if (s->hard_deadline && now >= s->hard_deadline) {
		supervise_escalate(s, EXIT_TIMEOUT, "--timeout");
	} else if (s->o->watchdog && s->wd_armed &&
		   now >= s->last_console + s->o->watchdog * 1000L) {
		char why[80];

		snprintf(why, sizeof(why), "--watchdog: no console output for %u s", s->o->watchdog);
		supervise_escalate(s, EXIT_WATCHDOG, why);
	} else if (!s->greeted && now - started > SUPERVISE_GREETING_S * 1000L) {
		supervise_say(s, "QEMU did not greet on QMP within %d s", SUPERVISE_GREETING_S);
		kill(s->pid, SIGKILL);
		s->phase = PHASE_KILLED;
		s->end = EXIT_LAUNCH;
	}
}

static void supervise_loop(struct supervisor *s)
{
	long started = supervise_now();

	s->last_console = started;
	supervise_boot_line(s);
	if (s->o->timeout)
		s->hard_deadline = started + s->o->timeout * 1000L;
	while (!s->exited) {
		struct pollfd p[8 + 2 * SUPERVISE_CLIENTS_MAX];
		long now = supervise_now();
		int n = 0, timeout = supervise_timeout_ms(s, now);
		size_t nclients = s->nclients, nwatchers = s->nwatchers;

		p[n++] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->qmp_closed ? -1 : s->qmp.fd, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->console, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->out, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->status, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->stdin_open ? STDIN_FILENO : -1,
					  .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->control_listen, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = s->console_listen, .events = POLLIN };
		for (size_t i = 0; i < nclients; i++)
			p[n++] = (struct pollfd){ .fd = s->clients[i], .events = POLLIN };
		for (size_t i = 0; i < nwatchers; i++)
			p[n++] = (struct pollfd){ .fd = s->watchers[i], .events = POLLIN };
		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		/* A watcher says nothing: anything, or its end, means it is gone. */
		for (size_t i = nwatchers; i-- > 0;) {
			if (p[8 + nclients + i].revents) {
				close(s->watchers[i]);
				s->watchers[i] = s->watchers[--s->nwatchers];
			}
		}
		for (size_t i = nclients; i-- > 0;)
			if (p[8 + i].revents)
				supervise_console_input(s, i);
		if (p[6].revents && s->greeted)
			supervise_control(s);
		if (p[7].revents)
			supervise_console_attach(s);
		if (p[1].revents)
			supervise_qmp(s);
		if (p[2].revents)
			supervise_console(s);
		if (p[3].revents)
			supervise_output(s);
		if (p[4].revents)
			supervise_status(s);
		if (p[5].revents)
			supervise_keys(s);
		if (p[0].revents && supervise_signal(s))
			break;
		supervise_deadlines(s, supervise_now(), started);
	}
	/* Whatever is still buffered: the console's last words, the status. */
	while (s->exited && s->console >= 0)
		supervise_console(s);
	while (s->exited && s->status >= 0)
		supervise_status(s);
	if (s->nstatus)		/* a last status with no newline counts */
		supervise_status_line(s);
}

static int supervise_exit_status(struct supervisor *s)
{
	if (!s->started && !s->end) {
		supervise_launch_failure(s);
		return EXIT_LAUNCH;
	}
	while (s->out >= 0)
		supervise_output(s);
	if (s->end) {
		const char *what = s->end == EXIT_TIMEOUT ? "--timeout reached" :
				   s->end == EXIT_WATCHDOG ? "--watchdog fired" :
				   s->end == EXIT_KILLED ? "QEMU was killed" :
				   s->end == EXIT_LAUNCH ? "QEMU did not start" : NULL;

		if (what)
			supervise_say(s, "ended: %s (exit status %d)", what, s->end);
		else
			supervise_say(s, "ended: %s; QEMU was told to quit (exit status %d)",
				      s->end_why[0] ? s->end_why : "stopped", s->end);
		return s->end;
	}
	if (s->phase == PHASE_POWERDOWN)
		supervise_say(s, "ended: the guest powered off after system_powerdown");
	if (!WIFEXITED(s->wstatus)) {
		supervise_say(s, "QEMU was killed by signal %d (%s) (exit status %d)",
			      WTERMSIG(s->wstatus), strsignal(WTERMSIG(s->wstatus)),
			      128 + WTERMSIG(s->wstatus));
		return 128 + WTERMSIG(s->wstatus);
	}
	if (s->o->guest_status && WEXITSTATUS(s->wstatus) == 0) {
		if (s->guest_status < 0) {
			supervise_say(s, "the guest ended without writing its status to /dev/virtio-ports/" SUPERVISE_STATUS_PORT);
			return EXIT_NOSTATUS;
		}
		return s->guest_status;
	}
	return WEXITSTATUS(s->wstatus);
}

static int supervise_sockets(int *ours, int *theirs)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	*ours = sv[0];
	*theirs = sv[1];
	return 0;
}

/*
 * A named VM's files (control and console sockets, pid, console.log) and
 * --console-log. Return: 0, or -1 when one that must open did not (said).
 */
static int supervise_files(struct supervisor *s, const struct supervise_opts *o)
{
	if (o->state_dir) {
		char pid[32], path[PATH_MAX + 16];
		int fd;

		s->control_listen = supervise_listen(s, "control.sock");
		s->console_listen = supervise_listen(s, "console.sock");
		if (s->control_listen < 0 || s->console_listen < 0)
			return -1;
		snprintf(path, sizeof(path), "%s/pid", o->state_dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
			supervise_write_all(fd, pid, strlen(pid));
			close(fd);
		}
		if (!o->console_log) {
			snprintf(path, sizeof(path), "%s/console.log", o->state_dir);
			s->log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		}
	}
	if (o->console_log) {
		s->log = open(o->console_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (s->log < 0) {
			fprintf(stderr, "tapvm: cannot open --console-log %s: %s\n", o->console_log,
				strerror(errno));
			return -1;
		}
	}

	return 0;
}

/*
 * The signals the supervisor acts on, through a signalfd; @old is the mask
 * QEMU gets back. Return: the signalfd, or -1.
 */
static int supervise_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
	/*
	 * A shell starts background jobs with SIGINT ignored, and an ignored
	 * signal is dropped even while blocked: take them back, so that they
	 * reach the signalfd here and QEMU starts with the defaults.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* tapvm run on a terminal relays the console: keys raw, Ctrl-] ours. */
static void supervise_terminal(struct supervisor *s, const struct supervise_opts *o)
{
	if (o->console && !o->state_dir) {
		s->stdin_open = true;
		if (isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &s->saved)) {
			struct termios raw = s->saved;

			cfmakeraw(&raw);
			s->raw = !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		}
	}
}

/**
 * supervise_run() - run QEMU and see it to its end
 * @qemu:	QEMU's path
 * @argv:	its arguments, with the fds where cmdline_build() put them
 * @taps:	tap fds; always closed here (in the parent), so taps vanish
 *		with QEMU
 * @ntaps:	how many
 * @o:		what to do on the way
 *
 * Return: the exit status to leave with (see the file comment).
 */
int supervise_run(const char *qemu, char **argv, int *taps, size_t ntaps,
		  const struct supervise_opts *o)
{
	struct supervisor s = { .o = o, .argv = argv, .console = -1, .status = -1,
				.out = -1, .log = -1, .sfd = -1, .guest_status = -1,
				.qmp = { .fd = -1 }, .control_listen = -1,
				.console_listen = -1, .started_at = time(NULL) };
	int child[CMDLINE_MAX_FDS], nchild = 0, qmp_child = -1, console_child = -1;
	int status_child = -1, out_pipe[2] = { -1, -1 }, errpipe[2] = { -1, -1 };
	int ret = EXIT_OSERR, e = 0;
	sigset_t old;
	ssize_t n;

	/* Each fd where cmdline_fd_of() said: the taps first, from CMDLINE_FD_BASE. */
	nchild = o->fd_end - CMDLINE_FD_BASE;
	if (nchild < (int)ntaps + 1 || nchild > CMDLINE_MAX_FDS || o->fd_qmp < 0) {
		fprintf(stderr, "tapvm: QEMU's fds are not laid out as planned (a bug)\n");
		goto out;
	}
	for (int i = 0; i < nchild; i++)
		child[i] = i < (int)ntaps ? taps[i] : -1;
	if (supervise_sockets(&s.qmp.fd, &qmp_child) ||
	    (o->console && supervise_sockets(&s.console, &console_child)) ||
	    (o->guest_status && supervise_sockets(&s.status, &status_child)) ||
	    (o->console && pipe2(out_pipe, O_CLOEXEC)) || pipe2(errpipe, O_CLOEXEC)) {
		fprintf(stderr, "tapvm: cannot create QEMU's sockets: %s\n", strerror(errno));
		goto out;
	}
	{
		int qfd = s.qmp.fd;

		if (qmp_init(&s.qmp, qfd))
			goto out;
	}
	child[o->fd_qmp - CMDLINE_FD_BASE] = qmp_child;
	if (o->console && o->fd_console >= 0)
		child[o->fd_console - CMDLINE_FD_BASE] = console_child;
	if (o->guest_status && o->fd_status >= 0)
		child[o->fd_status - CMDLINE_FD_BASE] = status_child;
	for (int i = 0; i < nchild; i++) {
		if (child[i] < 0) {
			fprintf(stderr, "tapvm: QEMU's fd %d has nothing to put there (a bug)\n",
				CMDLINE_FD_BASE + i);
			goto out;
		}
	}
	if (supervise_files(&s, o))
		goto out;

	s.sfd = supervise_signals(&old);
	{
		struct supervise_spawn sp = { .qemu = qemu, .argv = argv, .fds = child,
					      .nfds = (size_t)nchild, .errpipe = errpipe[1],
					      .out = out_pipe[1], .mask = &old };

		s.pid = supervise_spawn(&sp);
	}
	if (s.pid < 0 || s.sfd < 0) {
		fprintf(stderr, "tapvm: cannot start QEMU: %s\n", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	close(errpipe[1]);
	errpipe[1] = -1;
	do
		n = read(errpipe[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		waitpid(s.pid, NULL, 0);
		fprintf(stderr, "tapvm: cannot run QEMU %s: %s%s\n", qemu, strerror(e),
			e == ENOEXEC ? " (not a program for this machine: pass --qemu a QEMU built for it)" : "");
		/* As a shell: 127 not found, 126 found but not runnable. */
		ret = e == ENOENT ? EXIT_NOQEMU :
		      e == EACCES || e == ENOEXEC || e == ETXTBSY || e == EISDIR ? EXIT_NOEXEC :
		      EXIT_OSERR;
		sigprocmask(SIG_SETMASK, &old, NULL);
		goto out;
	}
	/* The child has its copies; ours would keep taps and sockets alive. */
	proto_close_fds(taps, ntaps);
	ntaps = 0;
	proto_close_fds(&qmp_child, 1);
	proto_close_fds(&console_child, 1);
	proto_close_fds(&status_child, 1);
	if (out_pipe[1] >= 0) {
		proto_close_fds(&out_pipe[1], 1);
		s.out = out_pipe[0];
		out_pipe[0] = -1;
		fcntl(s.out, F_SETFL, O_NONBLOCK);
	}
	supervise_terminal(&s, o);
	supervise_loop(&s);
	if (s.raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &s.saved);
	s.raw = false;
	if (!s.exited)
		waitpid(s.pid, &s.wstatus, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ret = supervise_exit_status(&s);
out:
	proto_close_fds(taps, ntaps);
	{
		int fds[] = { qmp_child, console_child, status_child, out_pipe[0], out_pipe[1],
			      errpipe[0], errpipe[1], s.console, s.status, s.out, s.log, s.sfd,
			      s.qmp.fd, s.control_listen, s.console_listen };

		for (size_t i = 0; i < s.nclients; i++)
			close(s.clients[i]);
		for (size_t i = 0; i < s.nwatchers; i++)
			close(s.watchers[i]);

		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	qmp_free(&s.qmp);
	return ret;
}
