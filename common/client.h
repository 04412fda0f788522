/* SPDX-License-Identifier: GPL-2.0-or-later */
/* client.h - the client side of the tapd protocol (tapvm, tests) */
#ifndef TAPVM_CLIENT_H
#define TAPVM_CLIENT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "proto.h"
#include "wire.h"

#define CLIENT_ERR_MAX	(PROTO_MESSAGE_MAX + 128)

/**
 * struct client_tap - a tap granted by tapd
 * @ifname:	its name, chosen by tapd
 * @ifindex:	its ifindex
 * @mtu:	its MTU (the bridge's)
 * @mac:	its host-side MAC
 * @fds:	the tap's queue fds in queue order, then the vhost-net fds (one
 *		per queue, or none); the caller owns them all
 * @nfds:	how many in all
 * @nqueues:	how many of them are the tap's queues
 * @nvhost:	how many are vhost-net fds (0, or @nqueues)
 * @vhost_err:	vhost fds were asked for and tapd could not open
 *		/dev/vhost-net: its errno (positive); else 0
 */
struct client_tap {
	char ifname[IFNAMSIZ];
	uint32_t ifindex, mtu;
	uint8_t mac[6];
	int fds[PROTO_FDS_MAX];
	size_t nfds, nqueues, nvhost;
	int vhost_err;
};

struct client_grant {
	char bridge[IFNAMSIZ];
	uint32_t max_taps;
};

struct client_tapinfo {
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	char label[NAMES_LABEL_MAX + 1];
	uint32_t ifindex, pid;
	uint64_t since;		/* seconds since the epoch; 0 if unknown */
};

struct client_listing {
	struct client_grant *grants;
	size_t ngrants;
	struct client_tapinfo *taps;
	size_t ntaps;
};

const char *client_socket_path(const char *option);
int client_connect(const char *path, int *sock);
int client_request_tap(int sock, const struct wire_create *rq,
		       struct client_tap *tap, char *err, size_t errlen);
int client_send_create(int sock, const struct wire_create *rq, uint32_t *seq, char *err,
		       size_t errlen);
int client_recv_created(int sock, const struct wire_create *rq, uint32_t seq,
			struct client_tap *tap, char *err, size_t errlen);
int client_create(int sock, const char *bridge, const char *label,
		  struct client_tap *tap, char *err, size_t errlen);
int client_list(int sock, struct client_listing *out, char *err,
		size_t errlen);
void client_listing_free(struct client_listing *l);

#endif /* TAPVM_CLIENT_H */
