// SPDX-License-Identifier: GPL-2.0-or-later
/* tun.c - create TAP devices with TUNSETIFF, owned by the client */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <linux/if_tun.h>

#include "tun.h"
#include "util.h"

#define TUN_PATH	"/dev/net/tun"
#define TUN_TRIES	8

/**
 * tun_name_random() - pick a tap name
 * @name:	filled with "tapd" and 8 hex digits
 *
 * tapd names taps itself: a "%d" template would make the kernel scan every
 * link on the host for a free number, and a client-chosen name could collide
 * with, or impersonate, something else.
 *
 * Return: 0 or -errno from getrandom().
 */
static int tun_name_random(char name[IFNAMSIZ])
{
	unsigned int r;

	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		return -errno;
	snprintf(name, IFNAMSIZ, "tapd%08x", r);
	return 0;
}

/**
 * tun_check() - can tapd make taps at all?
 * @err:	filled with the reason and what to do, on failure
 * @errlen:	its size
 *
 * Opening the clone device creates nothing. Done once at start-up, so that a
 * host without the tun module or a container without the device stops tapd
 * with one clear line instead of refusing every request.
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
	snprintf(err, errlen, "cannot open %s: %s: load the tun module (modprobe tun)%s",
		 TUN_PATH, strerror(-ret),
		 ret == -ENOENT ? ", or give a container the device" : "");
	return ret;
}

/**
 * tun_create() - create a non-persistent tap owned by a user
 * @owner:	the client's uid, set as the tap's owner at once
 * @name:	set to the tap's name
 * @fd:		set to the tap's queue fd (close-on-exec); closing it, and
 *		every copy of it, deletes the tap
 *
 * IFF_TUN_EXCL makes TUNSETIFF fail rather than attach to a device that
 * already has the name, so a name in use is never joined; on such a
 * collision another name is tried. IFF_VNET_HDR lets QEMU offload checksums
 * and segmentation. The tap is never made persistent.
 *
 * Return: 0 or -errno.
 */
int tun_create(uid_t owner, char name[IFNAMSIZ], int *fd)
{
	int ret = -EEXIST;

	for (int i = 0; i < TUN_TRIES && (ret == -EEXIST || ret == -EBUSY); i++) {
		cleanup_fd int f = -1;
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		ret = tun_name_random(ifr.ifr_name);
		if (ret)
			return ret;
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL;

		f = open(TUN_PATH, O_RDWR | O_CLOEXEC);
		if (f < 0)
			return -errno;
		if (ioctl(f, TUNSETIFF, &ifr) < 0) {
			ret = -errno;
			continue;
		}
		/* Before anyone else can see it: only the client may attach. */
		if (ioctl(f, TUNSETOWNER, (unsigned long)owner) < 0)
			return -errno;
		memcpy(name, ifr.ifr_name, IFNAMSIZ);
		name[IFNAMSIZ - 1] = '\0';
		*fd = util_steal_fd(&f);
		return 0;
	}
	return ret;
}
