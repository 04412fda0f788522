// SPDX-License-Identifier: GPL-2.0-or-later
/* tun.c - create TAP devices with TUNSETIFF, owned by the client */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <linux/if_tun.h>

#include "proto.h"
#include "tun.h"
#include "util.h"

#define TUN_PATH	"/dev/net/tun"
#define TUN_TRIES	8

/**
 * tun_check() - can tapd make taps at all?
 * @err:	filled with the reason and what to do, on failure
 * @errlen:	its size
 *
 * Opening the clone device creates nothing. Done at start-up, and again once
 * tapd has become its own user: a host without the tun module or a
 * container without the device stops tapd with one clear line instead of
 * refusing every request, and so does a /dev/net/tun of mode 0600 (what
 * the kernel makes when no udev runs), which only root may open.
 *
 * Return: 0 or -errno.
 */
int tun_check(char *err, size_t errlen)
{
	cleanup_fd int f = open(TUN_PATH, O_RDWR | O_CLOEXEC);
	int ret;

	if (f >= 0)
		return 0;
	ret = -errno;
	if (ret == -EACCES || ret == -EPERM)
		snprintf(err, errlen, "cannot open %s as uid %u: %s: it must be mode 0666, as udev makes it (chmod 666 %s)",
			 TUN_PATH, (unsigned int)getuid(), strerror(-ret), TUN_PATH);
	else
		snprintf(err, errlen, "cannot open %s: %s: load the tun module (modprobe tun)%s",
			 TUN_PATH, strerror(-ret),
			 ret == -ENOENT ? ", or give a container the device" : "");
	return ret;
}

/* One queue of the tap @ifr names: a new tap, or another queue of one. */
static int tun_open(struct ifreq *ifr, int *fd)
{
	cleanup_fd int f = open(TUN_PATH, O_RDWR | O_CLOEXEC);

	if (f < 0 || ioctl(f, TUNSETIFF, ifr) < 0)
		return -errno;
	*fd = util_steal_fd(&f);
	return 0;
}

/**
 * tun_create() - create a non-persistent tap owned by a user
 * @owner:	the client's uid, set as the tap's owner at once
 * @queues:	how many queues (1 to PROTO_QUEUES_MAX); more than one makes
 *		an IFF_MULTI_QUEUE tap
 * @name:	set to the tap's name
 * @fds:	set to the tap's queue fds, in queue order (close-on-exec);
 *		closing them, and every copy of them, deletes the tap
 *
 * tapd names taps itself, "tapd" and 8 random hex digits: a "%d" template
 * would make the kernel scan every link on the host for a free number, and
 * a client-chosen name could collide with, or impersonate, something else.
 * IFF_TUN_EXCL makes TUNSETIFF fail rather than attach to a device that
 * already has the name, so a name in use is never joined; on such a
 * collision another name is tried. IFF_VNET_HDR lets QEMU offload checksums
 * and segmentation. The owner is set on the first queue, before the others
 * are attached: from then on only the owner (or CAP_NET_ADMIN) may attach
 * queues, so nobody else can join the tap by its name (priv.c checks the
 * moment before). The tap is never made persistent. On failure no fd is
 * left open and the tap is gone.
 *
 * Return: 0 or -errno.
 */
int tun_create(uid_t owner, unsigned int queues, char name[IFNAMSIZ], int *fds)
{
	struct ifreq ifr;
	unsigned int r;
	int ret = -EEXIST;

	if (queues < 1 || queues > PROTO_QUEUES_MAX)
		return -EINVAL;
	for (int i = 0; i < TUN_TRIES && (ret == -EEXIST || ret == -EBUSY); i++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			return -errno;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tapd%08x", r);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL |
				(queues > 1 ? IFF_MULTI_QUEUE : 0);
		ret = tun_open(&ifr, &fds[0]);
	}
	if (ret)
		return ret;
	/* Before anyone else can see it: only the client may attach. */
	if (ioctl(fds[0], TUNSETOWNER, (unsigned long)owner) < 0) {
		ret = -errno;
		close(fds[0]);
		return ret;
	}
	memcpy(name, ifr.ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = '\0';
	ifr.ifr_flags &= ~IFF_TUN_EXCL;
	for (unsigned int q = 1; q < queues; q++) {
		ret = tun_open(&ifr, &fds[q]);
		if (ret) {
			proto_close_fds(fds, q);
			return ret;
		}
	}
	return 0;
}
