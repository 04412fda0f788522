// SPDX-License-Identifier: GPL-2.0-or-later
/* quota.c - how many of tapd's taps each user holds, as the kernel says
 *
 * Two open-addressing tables: ifindex -> uid for every tap whose alias says
 * tapd made it, and uid -> count. Both are sized from --max-taps at start,
 * so a request costs the same with 0 or 4000 taps on the host. The tables
 * are filled from one dump at start and kept by rtnetlink notifications
 * (link.c): never from a file, and never from a tap's owner, which whoever
 * holds the tap's fd can change.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "quota.h"

#define QUOTA_EMPTY	0
#define QUOTA_GONE	-1	/* a removed slot: probing goes on past it */

struct quota_tap {
	int ifindex;	/* > 0, or QUOTA_EMPTY, QUOTA_GONE */
	uid_t uid;
};

struct quota_user {
	uid_t uid;
	unsigned int count;
	int used;	/* a user whose count fell to 0 keeps its slot until
			 * the table fills: quota_users_compact() */
};

struct quota {
	struct quota_tap *taps;
	struct quota_user *users;
	size_t cap;		/* both tables, a power of two */
	unsigned int max, total, gone;
};

static size_t quota_hash(uint32_t v, size_t cap)
{
	v ^= v >> 16;
	v *= 0x45d9f3b;
	v ^= v >> 16;
	return v & (cap - 1);
}

/**
 * quota_new() - the tables for at most @max_taps taps
 * @q:		set to the new tables
 * @max_taps:	tapd's host-wide limit
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int quota_new(struct quota **q, unsigned int max_taps)
{
	struct quota *n;
	size_t cap = 16;

	if (!max_taps || max_taps > QUOTA_MAX_TAPS_LIMIT)
		return -EINVAL;
	while (cap < (size_t)max_taps * 2)
		cap *= 2;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->taps = calloc(cap, sizeof(*n->taps));
	n->users = calloc(cap, sizeof(*n->users));
	if (!n->taps || !n->users) {
		quota_free(n);
		return -ENOMEM;
	}
	n->cap = cap;
	n->max = max_taps;
	*q = n;
	return 0;
}

void quota_free(struct quota *q)
{
	if (!q)
		return;
	free(q->taps);
	free(q->users);
	free(q);
}

static struct quota_user *quota_user(const struct quota *q, uid_t uid, int add)
{
	for (size_t i = quota_hash(uid, q->cap), n = 0; n < q->cap; i = (i + 1) & (q->cap - 1), n++) {
		struct quota_user *u = &q->users[i];

		if (u->used && u->uid == uid)
			return u;
		if (!u->used) {
			if (!add)
				return NULL;
			u->used = 1;
			u->uid = uid;
			return u;
		}
	}
	return NULL;
}

/*
 * The users table is full: keep only users who hold a tap. There are never
 * more of them than taps, and the taps table holds at most cap - 1.
 */
static void quota_users_compact(struct quota *q)
{
	memset(q->users, 0, sizeof(*q->users) * q->cap);
	for (size_t i = 0; i < q->cap; i++) {
		struct quota_user *u;

		if (q->taps[i].ifindex <= 0)
			continue;
		u = quota_user(q, q->taps[i].uid, 1);
		if (u)
			u->count++;
	}
}

/* The user's slot, made if need be (making room if the table is full). */
static struct quota_user *quota_user_add(struct quota *q, uid_t uid)
{
	struct quota_user *u = quota_user(q, uid, 1);

	if (!u) {
		quota_users_compact(q);
		u = quota_user(q, uid, 1);
	}
	return u;
}

/* One tap fewer for @uid (a counted tap's user always has a slot). */
static void quota_user_dec(struct quota *q, uid_t uid)
{
	struct quota_user *u = quota_user(q, uid, 0);

	if (u && u->count)
		u->count--;
}

static struct quota_tap *quota_find(const struct quota *q, int ifindex)
{
	for (size_t i = quota_hash((uint32_t)ifindex, q->cap), n = 0; n < q->cap;
	     i = (i + 1) & (q->cap - 1), n++) {
		if (q->taps[i].ifindex == ifindex)
			return &q->taps[i];
		if (q->taps[i].ifindex == QUOTA_EMPTY)
			return NULL;
	}
	return NULL;
}

/**
 * quota_set() - a tap of tapd's exists, and is @uid's
 * @q:		the tables
 * @ifindex:	the tap
 * @uid:	the uid its alias names
 *
 * Setting a tap that is known already changes nothing (or moves it to
 * another uid, should its alias say so).
 *
 * Return: 0, or -ENOSPC beyond twice --max-taps (more than tapd made).
 */
int quota_set(struct quota *q, int ifindex, uid_t uid)
{
	struct quota_tap *t = quota_find(q, ifindex), *slot = NULL;
	struct quota_user *u;

	if (ifindex <= 0)
		return -EINVAL;
	if (t) {
		if (t->uid != uid) {
			u = quota_user_add(q, uid);
			if (!u)
				return -ENOSPC;
			quota_user_dec(q, t->uid);
			t->uid = uid;
			u->count++;
		}
		return 0;
	}
	if (q->total >= q->cap - 1)
		return -ENOSPC;
	u = quota_user_add(q, uid);
	if (!u)
		return -ENOSPC;
	for (size_t i = quota_hash((uint32_t)ifindex, q->cap);; i = (i + 1) & (q->cap - 1)) {
		if (q->taps[i].ifindex <= 0) {
			slot = &q->taps[i];
			break;
		}
	}
	if (slot->ifindex == QUOTA_GONE)
		q->gone--;
	slot->ifindex = ifindex;
	slot->uid = uid;
	u->count++;
	q->total++;
	return 0;
}

static void quota_rehash(struct quota *q)
{
	size_t n = 0;
	struct quota_tap *live = malloc(sizeof(*live) * (q->total + 1));

	if (!live)
		return;	/* slower probes, still right */
	for (size_t i = 0; i < q->cap; i++)
		if (q->taps[i].ifindex > 0)
			live[n++] = q->taps[i];
	memset(q->taps, 0, sizeof(*q->taps) * q->cap);
	q->gone = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = quota_hash((uint32_t)live[k].ifindex, q->cap);

		while (q->taps[i].ifindex > 0)
			i = (i + 1) & (q->cap - 1);
		q->taps[i] = live[k];
	}
	free(live);
}

/**
 * quota_remove() - a tap is gone (or is not tapd's)
 * @q:		the tables
 * @ifindex:	the link
 */
void quota_remove(struct quota *q, int ifindex)
{
	struct quota_tap *t = quota_find(q, ifindex);

	if (!t)
		return;
	quota_user_dec(q, t->uid);
	t->ifindex = QUOTA_GONE;
	q->total--;
	/* Too many removed slots make every probe long: start the table anew. */
	if (++q->gone > q->cap / 4)
		quota_rehash(q);
}

/**
 * quota_clear() - forget everything, before a new dump
 * @q:		the tables
 */
void quota_clear(struct quota *q)
{
	memset(q->taps, 0, sizeof(*q->taps) * q->cap);
	memset(q->users, 0, sizeof(*q->users) * q->cap);
	q->total = 0;
	q->gone = 0;
}

/**
 * quota_count() - how many taps of tapd's a uid holds
 * @q:		the tables
 * @uid:	the uid
 *
 * Return: the count.
 */
unsigned int quota_count(const struct quota *q, uid_t uid)
{
	const struct quota_user *u = quota_user(q, uid, 0);

	return u ? u->count : 0;
}

/**
 * quota_owner() - whose tap is this?
 * @q:		the tables
 * @ifindex:	the link
 * @uid:	set to the user it was made for
 *
 * Return: 0, or -ENOENT if it is not one of tapd's taps.
 */
int quota_owner(const struct quota *q, int ifindex, uid_t *uid)
{
	const struct quota_tap *t = quota_find(q, ifindex);

	if (!t)
		return -ENOENT;
	*uid = t->uid;
	return 0;
}

/**
 * quota_taps_of() - the taps a uid holds, from the table
 * @q:		the tables
 * @uid:	the uid
 * @ifindex:	filled with up to @max ifindexes
 * @max:	room in @ifindex
 *
 * Return: how many were filled.
 */
size_t quota_taps_of(const struct quota *q, uid_t uid, int *ifindex, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < q->cap && n < max; i++)
		if (q->taps[i].ifindex > 0 && q->taps[i].uid == uid)
			ifindex[n++] = q->taps[i].ifindex;
	return n;
}

unsigned int quota_total(const struct quota *q)
{
	return q->total;
}

unsigned int quota_max(const struct quota *q)
{
	return q->max;
}
