// SPDX-License-Identifier: GPL-2.0-or-later
/* subid.c - subordinate ids: whose is a uid or gid a user namespace maps
 *
 * Debian's useradd gives every new user ranges of subordinate uids and gids
 * (/etc/subuid, /etc/subgid), and the setuid newuidmap and newgidmap let
 * the user map them in a user namespace of their own. A process there
 * connects to tapd with one of those uids (SO_PEERCRED reports it as the
 * initial namespace sees it), or with no supplementary groups at all. So a
 * subordinate uid is its owner for every rule, quota and limit: otherwise
 * "deny user:alice" would not hold for alice's namespaces, and a quota of 1
 * would be 65,537.
 *
 * Read with the policy, and again when it is reloaded. A file that is not
 * there means no ranges; one that cannot be read or parsed stops the load
 * (fail closed: a range not known is a rule not applied).
 */

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subid.h"

struct subid_range {
	uint32_t start, count;
	uid_t owner;
};

struct subids {
	struct subid_range *r[2];	/* [0] uids, [1] gids */
	size_t n[2];
};

/* A user named in a subid file: a name, or a number. */
static int subid_user(const char *name, uid_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name && !*end && !errno && v < UINT32_MAX) {
		*uid = (uid_t)v;
		return 0;
	}
	pw = getpwnam(name);
	if (!pw)
		return -ENOENT;
	*uid = pw->pw_uid;
	return 0;
}

static int subid_read(const char *path, struct subid_range **out, size_t *n,
		      char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[512];
	unsigned int lineno = 0;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[256], *nl = strchr(line, '\n');
		unsigned long long start, count;
		int used = 0;
		uid_t owner;

		lineno++;
		if (!nl && !feof(f)) {
			snprintf(err, errlen, "%s:%u: line too long", path, lineno);
			goto fail;
		}
		if (nl)
			*nl = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (sscanf(line, "%255[^:]:%llu:%llu%n", name, &start, &count, &used) != 3 ||
		    line[used] || !count || start + count > (1ULL << 32)) {
			snprintf(err, errlen, "%s:%u: not NAME:START:COUNT", path, lineno);
			goto fail;
		}
		if (subid_user(name, &owner))
			continue;	/* no such user: nobody can map the range */
		if (*n == SUBID_RANGES_MAX) {
			snprintf(err, errlen, "%s: more than %d ranges", path, SUBID_RANGES_MAX);
			goto fail;
		}
		if (*n == cap) {
			struct subid_range *r;

			cap = cap ? 2 * cap : 16;
			r = realloc(*out, cap * sizeof(*r));
			if (!r) {
				snprintf(err, errlen, "out of memory reading %s", path);
				goto fail;
			}
			*out = r;
		}
		(*out)[(*n)++] = (struct subid_range){ (uint32_t)start, (uint32_t)count, owner };
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s", path);
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	free(*out);
	*out = NULL;
	*n = 0;
	return -EINVAL;
}

/**
 * subid_load() - read the subordinate uid and gid ranges
 * @uid_path:	/etc/subuid
 * @gid_path:	/etc/subgid
 * @out:	set to the ranges (subid_free() them)
 * @err:	what went wrong, for people
 * @errlen:	its size
 *
 * Return: 0 or -errno.
 */
int subid_load(const char *uid_path, const char *gid_path, struct subids **out,
	       char *err, size_t errlen)
{
	struct subids *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = subid_read(uid_path, &s->r[0], &s->n[0], err, errlen);
	if (!ret)
		ret = subid_read(gid_path, &s->r[1], &s->n[1], err, errlen);
	if (ret) {
		subid_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void subid_free(struct subids *s)
{
	if (!s)
		return;
	free(s->r[0]);
	free(s->r[1]);
	free(s);
}

static bool subid_find(const struct subids *s, int which, uint32_t id, uid_t *owner)
{
	for (size_t i = 0; s && i < s->n[which]; i++) {
		const struct subid_range *r = &s->r[which][i];

		if (id >= r->start && id - r->start < r->count) {
			*owner = r->owner;
			return true;
		}
	}
	return false;
}

/**
 * subid_uid_owner() - the user a uid counts as
 * @s:		the ranges (NULL: none)
 * @uid:	a uid as SO_PEERCRED reports it
 *
 * Return: the owner of the range @uid is in, else @uid itself.
 */
uid_t subid_uid_owner(const struct subids *s, uid_t uid)
{
	uid_t owner;

	return subid_find(s, 0, uid, &owner) ? owner : uid;
}

/**
 * subid_gid_owner() - the user whose subordinate gid this is, if any
 * @s:		the ranges (NULL: none)
 * @gid:	a gid
 * @owner:	set to its owner
 *
 * Return: true if @gid is someone's subordinate gid.
 */
bool subid_gid_owner(const struct subids *s, gid_t gid, uid_t *owner)
{
	return subid_find(s, 1, gid, owner);
}
