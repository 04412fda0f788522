/* SPDX-License-Identifier: GPL-2.0-or-later */
/* priv.h - the verbs tapd's front asks of its back, on a SOCK_SEQPACKET pair
 *
 * Fixed-size structs, one per datagram, in host byte order (both ends are
 * the same binary). The back takes each only at its exact size and checks
 * every field (priv.c); it answers each with one struct priv_reply, fds
 * beside it in SCM_RIGHTS.
 */
#ifndef TAPD_PRIV_H
#define TAPD_PRIV_H

#include <net/if.h>
#include <stdint.h>
#include <sys/types.h>

#include "names.h"
#include "portopt.h"
#include "proto.h"

/* Verbs; the back's hello (sent once, when it is ready) has its own. */
enum priv_verb {
	PRIV_HELLO = 1,		/* back to front: ready, or why not */
	PRIV_CREATE,		/* a tap and its port */
	PRIV_DELETE_TAP,	/* a tap of tapd's that is abandoned or cut off */
	PRIV_DELETE_PORT,	/* a port of tapd's whose tap is gone */
};

/* What could not be done, for the front to say (back.c has the words). */
enum priv_why {
	PRIV_WHY_NONE,
	PRIV_WHY_BRIDGE,	/* the ifindex is not a bridge (any more) */
	PRIV_WHY_TAP,		/* TUNSETIFF and the rest */
	PRIV_WHY_TAP_JOINED,	/* others kept attaching queues */
	PRIV_WHY_RANDOM,	/* getrandom() for the MACs */
	PRIV_WHY_TAP_SETUP,	/* the tap's address, MTU, alias, up */
	PRIV_WHY_PORT,		/* the port device */
	PRIV_WHY_PORT_IFB,	/* ... and the kernel has no ifb */
	PRIV_WHY_PORT_FLAGS,	/* the port's flags */
	PRIV_WHY_NO_FLAG,	/* the kernel lacks the flag of option @opt */
	PRIV_WHY_VLAN,		/* the port's VLAN */
	PRIV_WHY_VLAN1,		/* taking VLAN 1 off it */
	PRIV_WHY_FDB,		/* the pinned MAC's FDB entry */
	PRIV_WHY_JOIN,		/* tc between tap and port */
	PRIV_WHY_UP,		/* the port up */
	PRIV_WHY_NOT_BRIDGE,	/* the ifindex is no master a port can join */
	PRIV_WHY_OVSDB,		/* Open vSwitch's database cannot be reached */
	PRIV_WHY_OVS,		/* the Port could not be added */
	PRIV_WHY_OVS_APPLY,	/* ovs-vswitchd did not apply it in time */
	PRIV_WHY_OVS_OPT,	/* Open vSwitch cannot give option @opt */
	PRIV_WHY_MAX
};

/**
 * struct priv_port - how a port is set up on its bridge (tapd.conf(5))
 * @opt:	each per-port option (portopt.c's rows), 0 or 1
 * @vid:	its untagged PVID, 0 for no VLAN setup
 * @mac:	with @opt[PORTOPT_PINNED]: the one source MAC let through
 */
struct priv_port {
	uint8_t opt[PORTOPT_MAX];
	uint16_t vid;
	uint8_t mac[6];
};

/**
 * struct priv_create - PRIV_CREATE: a tap for a user, its port on a bridge
 * @verb:	PRIV_CREATE
 * @owner:	the tap's owner (TUNSETOWNER): the client's own uid
 * @uid:	whose tap the alias says it is (a subordinate uid's owner)
 * @pid:	the client, for the alias
 * @since:	now, for the alias
 * @bridge:	the bridge's ifindex: the back checks it is one
 * @queues:	1 to PROTO_QUEUES_MAX
 * @vhost:	1: also one /dev/vhost-net fd per queue, where it opens
 * @port:	the port's options
 * @label:	the VM's label (names_label_valid()), or ""
 */
struct priv_create {
	uint32_t verb;
	uint32_t owner;
	uint32_t uid;
	int32_t pid;
	uint64_t since;
	int32_t bridge;
	uint32_t queues;
	uint8_t vhost;
	struct priv_port port;
	char label[NAMES_LABEL_MAX + 1];
};

/**
 * struct priv_delete - PRIV_DELETE_TAP, PRIV_DELETE_PORT
 * @verb:	which
 * @ifindex:	the link; the back deletes it only if its alias says it is
 *		tapd's and it is abandoned, or cut off from its other half
 */
struct priv_delete {
	uint32_t verb;
	int32_t ifindex;
};

/**
 * struct priv_reply - the back's answer to each verb, and its hello
 * @verb:	the request's verb (PRIV_HELLO for the hello)
 * @err:	0 or -errno
 * @why:	with @err: what could not be done (enum priv_why)
 * @opt:	with PRIV_WHY_NO_FLAG or _OVS_OPT: the option (enum portopt)
 * @ifindex:	the tap's
 * @mtu:	its MTU (the bridge's)
 * @vhost_err:	0, or why there are no vhost-net fds (-errno)
 * @nfds:	fds beside it: the queues, in order, then the vhost-net fds
 * @mac:	the tap's MAC
 * @ifname:	its name
 */
struct priv_reply {
	uint32_t verb;
	int32_t err;
	uint32_t why;
	uint32_t opt;
	int32_t ifindex;
	uint32_t mtu;
	int32_t vhost_err;
	uint32_t nfds;
	uint8_t mac[6];
	char ifname[IFNAMSIZ];
};

#define PRIV_REPLY_SLOW_S	10	/* a CREATE this long in the back is said */

int priv_spawn(uid_t uid, gid_t gid, const char *ovsdb, int *sock, pid_t *pid, char *err,
	       size_t errlen);

#endif /* TAPD_PRIV_H */
