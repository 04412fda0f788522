// SPDX-License-Identifier: GPL-2.0-or-later
/* release.c - closing what clients sent, off the path that serves others
 *
 * tapd takes no file descriptor from a client, but a client can send some
 * anyway (SCM_RIGHTS), and closing one can block: a TCP socket with
 * SO_LINGER and unsent data waits for as long as its sender chose, and so
 * does a FUSE file whose server does not answer. The last close happens
 * in the process that holds the last reference, so tapd's close of such
 * an fd would stop its only serving thread, for everyone.
 *
 * Where the kernel allows it (SO_PASSRIGHTS, Linux 6.16), the listening
 * socket refuses SCM_RIGHTS, and every connection made to it from then on
 * inherits that: a client's sendmsg() with fds fails, nothing reaches
 * tapd, and tapd closes such connections itself.
 *
 * Every fd a client did send (on an older kernel, or on a connection made
 * before tapd started, which systemd's socket took), and every connection
 * that may still hold some in its receive queue (on an older kernel: all
 * of them), is closed by one thread of its own, fed through a queue. A close that blocks
 * delays only the closes behind it, never a request. What one uid has
 * waiting there is counted: past RELEASE_PER_UID its new connections are
 * refused until the closes are done, so one user cannot queue without
 * bound. If the queue is ever full, the close is done at once.
 */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>

#include "release.h"

#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS	83	/* Linux 6.16: 0 refuses SCM_RIGHTS */
#endif

#define RELEASE_QUEUE	65536	/* fds waiting, all uids together */
#define RELEASE_UIDS	256	/* uids counted at once (open addressing) */

struct release_item {
	int fd;
	uid_t uid;
};

static struct {
	bool kernel_refuses, threaded, running;
	pthread_mutex_t lock;
	pthread_cond_t more, started;
	struct release_item *queue;
	size_t head, len;
	struct { uid_t uid; unsigned int n; } waiting[RELEASE_UIDS];
} rel = { .lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER,
	    .started = PTHREAD_COND_INITIALIZER };

/* The uid's slot: its own, or a free one; NULL when all are taken. */
static unsigned int *release_slot(uid_t uid, bool add)
{
	for (size_t i = 0, h = uid % RELEASE_UIDS; i < RELEASE_UIDS; i++) {
		size_t k = (h + i) % RELEASE_UIDS;

		if (rel.waiting[k].n && rel.waiting[k].uid == uid)
			return &rel.waiting[k].n;
		if (!rel.waiting[k].n && add) {
			rel.waiting[k].uid = uid;
			return &rel.waiting[k].n;
		}
	}
	return NULL;
}

static void *release_thread(void *arg)
{
	pthread_mutex_lock(&rel.lock);
	rel.running = true;
	pthread_cond_signal(&rel.started);
	pthread_mutex_unlock(&rel.lock);
	for (;;) {
		struct release_item it;
		unsigned int *n;

		pthread_mutex_lock(&rel.lock);
		while (!rel.len)
			pthread_cond_wait(&rel.more, &rel.lock);
		it = rel.queue[rel.head];
		rel.head = (rel.head + 1) % RELEASE_QUEUE;
		rel.len--;
		pthread_mutex_unlock(&rel.lock);

		close(it.fd);	/* may block: that is why it is here */

		pthread_mutex_lock(&rel.lock);
		n = release_slot(it.uid, false);
		if (n && *n)
			(*n)--;
		pthread_mutex_unlock(&rel.lock);
	}
	return NULL;
}

/**
 * release_init() - refuse SCM_RIGHTS on the listening socket where the
 *		    kernel can, and start the thread that closes what clients
 *		    sent all the same
 * @listen_fd:	tapd's listening socket
 * @kernel_refuses: set to true where the kernel refuses fds for tapd
 *
 * Return: 0 or -errno.
 */
int release_init(int listen_fd, bool *kernel_refuses)
{
	sigset_t all, old;
	pthread_t t;
	int off = 0, ret;

	rel.kernel_refuses = !setsockopt(listen_fd, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off));
	*kernel_refuses = rel.kernel_refuses;
	rel.queue = calloc(RELEASE_QUEUE, sizeof(*rel.queue));
	if (!rel.queue)
		return -ENOMEM;
	/* Signals are tapd's main loop's (signalfd): never this thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&t, NULL, release_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	pthread_detach(t);
	/*
	 * Running before we return: its start-up system calls (rseq,
	 * set_robust_list) come before the seccomp filter, which has none.
	 */
	pthread_mutex_lock(&rel.lock);
	while (!rel.running)
		pthread_cond_wait(&rel.started, &rel.lock);
	pthread_mutex_unlock(&rel.lock);
	rel.threaded = true;
	return 0;
}

/**
 * release_clean() - is an accepted connection sure to hold no client fd?
 * @fd:		the connection
 *
 * A connection made after release_init() on a kernel that refuses fds
 * inherited the listening socket's SO_PASSRIGHTS of 0: nothing with fds can
 * have been queued on it, and closing it cannot block. One made earlier
 * (systemd's socket takes connections before tapd starts) is made to
 * refuse them from now on, but may hold some already.
 *
 * Return: true if closing it can never block.
 */
bool release_clean(int fd)
{
	int v = 1, off = 0;
	socklen_t len = sizeof(v);

	if (!rel.kernel_refuses ||
	    getsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &v, &len))
		return false;
	if (v)
		setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off));
	return !v;
}

/**
 * release_fd() - close an fd a client sent, or a client's connection
 * @fd:		the fd
 * @uid:	the client's uid, whose count it is charged to
 */
void release_fd(int fd, uid_t uid)
{
	unsigned int *n;

	if (fd < 0)
		return;
	if (!rel.threaded) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&rel.lock);
	n = release_slot(uid, true);
	if (rel.len == RELEASE_QUEUE || !n) {
		pthread_mutex_unlock(&rel.lock);
		close(fd);
		return;
	}
	rel.queue[(rel.head + rel.len++) % RELEASE_QUEUE] = (struct release_item){ fd, uid };
	(*n)++;
	pthread_cond_signal(&rel.more);
	pthread_mutex_unlock(&rel.lock);
}

/**
 * release_busy() - has this uid too much waiting to be closed?
 * @uid:	the uid
 *
 * Return: true to refuse its new connections for now.
 */
bool release_busy(uid_t uid)
{
	unsigned int *n;
	bool busy;

	if (!rel.threaded)
		return false;
	pthread_mutex_lock(&rel.lock);
	n = release_slot(uid, false);
	busy = n && *n >= RELEASE_PER_UID;
	pthread_mutex_unlock(&rel.lock);
	return busy;
}
