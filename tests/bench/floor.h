/* SPDX-License-Identifier: GPL-2.0-or-later */
/* floor.h - the kernel work for one tap, done as plainly as one process can */
#ifndef TAPVM_BENCH_FLOOR_H
#define TAPVM_BENCH_FLOOR_H

#include <net/if.h>
#include <stdint.h>

struct floor {
	int nl;		/* rtnetlink */
	int ioc;	/* for SIOCGIFINDEX */
	uint32_t seq;
};

int floor_open(struct floor *f);
void floor_close(struct floor *f);
int floor_bridge(struct floor *f, const char *name, int *ifindex, unsigned int *mtu);
int floor_naive(struct floor *f, int bridge, unsigned int mtu, unsigned int queues,
		char name[IFNAMSIZ], int *fds);
int floor_topology(struct floor *f, int bridge, unsigned int mtu, char name[IFNAMSIZ], int *fd);
int floor_delete(struct floor *f, const char *name);

#endif /* TAPVM_BENCH_FLOOR_H */
