// SPDX-License-Identifier: GPL-2.0-or-later
/* ovsdb.c - the back's client of Open vSwitch's database (RFC 7047)
 *
 * An Open vSwitch bridge is not a kernel master: a port joins it as a Port
 * record (with its Interface) in ovsdb-server's database, which
 * ovs-vswitchd applies. This file speaks JSON-RPC to ovsdb-server on its
 * Unix socket (tapd --ovsdb, default OVSDB_DEFAULT_PATH): one connection,
 * opened when first needed and again after it breaks, its messages JSON
 * objects back to back with nothing between them (json-c's tokener finds
 * where each ends). ovsdb-server's "echo" requests are answered, and one
 * "monitor" of Open_vSwitch's cur_cfg tells when ovs-vswitchd has applied a
 * change: each transaction that changes a port also adds 1 to next_cfg, and
 * the port is not reported made (or gone) before cur_cfg reaches it.
 *
 * What tapd writes it marks: every Port and Interface tapd inserts carries
 * external_ids tapd=port and tapd-tap=TAP. tapd removes only Ports with that
 * mark, named as its own port devices are (tdpXXXXXXXX), and only for a
 * port device of its own that is being deleted, or, at start, for a Port
 * whose device is gone or is not tapd's (ovsdb_clean()). Nothing a client
 * sends reaches here: names are the back's own, the bridge is the name of
 * the link the front's ifindex is, found in the database by that name.
 *
 * ovsdb-server is root's and trusted as the kernel is; its messages are
 * still bounded (OVSDB_MSG_MAX, json-c's depth limit) and every value is
 * checked for its type before use.
 *
 * Calls are serialized (the deleting threads and the creating one share the
 * connection) and each has a deadline (OVSDB_TIMEOUT_MS), well within the
 * front's wait for the back.
 */

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "alias.h"
#include "log.h"
#include "ovsdb.h"
#include "util.h"

#define OVSDB_MSG_MAX		(4 << 20)	/* bytes of one message */
#define OVSDB_MARK_KEY		"tapd"
#define OVSDB_MARK_VALUE	"port"
#define OVSDB_TAP_KEY		"tapd-tap"

static struct {
	pthread_mutex_t lock;
	char path[OVSDB_PATH_MAX + 1];
	int fd;
	json_tokener *tok;
	size_t fed;		/* bytes of the message being read */
	int64_t id;		/* the last request's */
	int64_t cur_cfg;	/* Open_vSwitch:cur_cfg, as monitored */
	char in[65536];		/* read, not parsed yet: [off, len) */
	size_t off, len;
} ovsdb = { .lock = PTHREAD_MUTEX_INITIALIZER, .path = OVSDB_DEFAULT_PATH, .fd = -1 };

static int64_t ovsdb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * ovsdb_init() - where ovsdb-server listens; nothing is opened yet
 * @path:	its Unix socket, or NULL for OVSDB_DEFAULT_PATH
 *
 * Return: 0, or -ENAMETOOLONG.
 */
int ovsdb_init(const char *path)
{
	if (!path)
		return 0;
	if (strlen(path) > OVSDB_PATH_MAX)
		return -ENAMETOOLONG;
	snprintf(ovsdb.path, sizeof(ovsdb.path), "%s", path);
	return 0;
}

const char *ovsdb_path(void)
{
	return ovsdb.path;
}

static void ovsdb_disconnect(void)
{
	if (ovsdb.fd >= 0)
		close(ovsdb.fd);
	ovsdb.fd = -1;
	if (ovsdb.tok)
		json_tokener_free(ovsdb.tok);
	ovsdb.tok = NULL;
	ovsdb.off = ovsdb.len = ovsdb.fed = 0;
}

/* One message, whole, or -errno (the connection is dropped then). */
static int ovsdb_send(json_object *msg, int64_t deadline)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s), done = 0;
	ssize_t w;

	while (done < n) {
		struct pollfd p = { .fd = ovsdb.fd, .events = POLLOUT };
		int64_t left = deadline - ovsdb_now_ms();

		if (left <= 0)
			goto fail_timeout;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			goto fail;
		w = send(ovsdb.fd, s + done, n - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			goto fail;
		if (w > 0)
			done += (size_t)w;
	}
	return 0;
fail_timeout:
	errno = ETIMEDOUT;
fail:
	w = -errno;
	ovsdb_disconnect();
	return (int)w;
}

/*
 * The next message from ovsdb-server, or -errno: -ETIMEDOUT at @deadline,
 * -EAGAIN when @deadline is 0 and nothing more has come; any other drops
 * the connection.
 */
static int ovsdb_recv(json_object **msg, int64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = ovsdb.fd, .events = POLLIN };
		int64_t left;
		ssize_t r;

		if (ovsdb.off < ovsdb.len) {
			size_t n = ovsdb.len - ovsdb.off;
			json_object *o = json_tokener_parse_ex(ovsdb.tok, ovsdb.in + ovsdb.off,
							       (int)n);
			enum json_tokener_error e = json_tokener_get_error(ovsdb.tok);
			size_t used = o ? json_tokener_get_parse_end(ovsdb.tok) : n;

			ovsdb.off += used;
			ovsdb.fed += used;
			if (o) {
				json_tokener_reset(ovsdb.tok);
				ovsdb.fed = 0;
				if (json_object_is_type(o, json_type_object)) {
					*msg = o;
					return 0;
				}
				json_object_put(o);
				continue;
			}
			if (e != json_tokener_continue || ovsdb.fed > OVSDB_MSG_MAX) {
				log_warn("ovsdb: %s sent %s: dropping the connection", ovsdb.path,
					 e != json_tokener_continue ? "what is not JSON" :
					 "a message over 4 MiB");
				ovsdb_disconnect();
				return -EPROTO;
			}
			continue;
		}
		/* The connection stays: a late answer is told by its id. */
		left = deadline - ovsdb_now_ms();
		if (deadline && left <= 0)
			return -ETIMEDOUT;
		if (deadline && poll(&p, 1, (int)left) < 0 && errno != EINTR) {
			r = -errno;
			ovsdb_disconnect();
			return (int)r;
		}
		r = recv(ovsdb.fd, ovsdb.in, sizeof(ovsdb.in), MSG_DONTWAIT);
		if (r < 0 && !deadline && errno == EAGAIN)
			return -EAGAIN;		/* ovsdb_pump(): all read */
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			r = r ? -errno : -ECONNRESET;
			ovsdb_disconnect();
			return (int)r;
		}
		ovsdb.off = 0;
		ovsdb.len = (size_t)r;
	}
}

/* Element @i of an array, or NULL (json-c asserts on what is not an array). */
static json_object *ovsdb_idx(json_object *a, size_t i)
{
	if (!a || !json_object_is_type(a, json_type_array) || i >= json_object_array_length(a))
		return NULL;
	return json_object_array_get_idx(a, i);
}

/* A JSON array of the strings @v (NULL-terminated). */
static json_object *ovsdb_strings(const char *const *v)
{
	json_object *a = json_object_new_array();

	for (; *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

/* A member of an object, if it is of @type. */
static json_object *ovsdb_get(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* An "update" of the monitor: every row's new cur_cfg. */
static void ovsdb_updates(json_object *updates)
{
	json_object *table = ovsdb_get(updates, "Open_vSwitch", json_type_object), *cfg;

	if (!table)
		return;
	json_object_object_foreach(table, uuid, row) {
		(void)uuid;
		cfg = ovsdb_get(ovsdb_get(row, "new", json_type_object), "cur_cfg", json_type_int);
		if (cfg)
			ovsdb.cur_cfg = json_object_get_int64(cfg);
	}
}

/*
 * Messages until the answer to request @id (0: until a monitor update):
 * echo requests are answered, monitor updates taken in. Return: 0 with *@result (the caller's), or
 * -errno (-EREMOTEIO: the server's error, said in the log).
 */
static int ovsdb_answer(int64_t id, json_object **result, int64_t deadline)
{
	for (;;) {
		json_object *msg = NULL, *method, *mid, *v;
		int ret = ovsdb_recv(&msg, deadline);

		if (ret)
			return ret;
		method = ovsdb_get(msg, "method", json_type_string);
		if (method && !strcmp(json_object_get_string(method), "echo")) {
			json_object *reply = json_object_new_object();

			json_object_object_add(reply, "result",
					       json_object_get(json_object_object_get(msg, "params")));
			json_object_object_add(reply, "error", NULL);
			json_object_object_add(reply, "id",
					       json_object_get(json_object_object_get(msg, "id")));
			/* Sent whole even when only reading what came (ovsdb_pump()). */
			ret = ovsdb_send(reply, deadline ? deadline :
					 ovsdb_now_ms() + OVSDB_TIMEOUT_MS);
			json_object_put(reply);
			json_object_put(msg);
			if (ret)
				return ret;
			continue;
		}
		if (method && !strcmp(json_object_get_string(method), "update")) {
			v = json_object_object_get(msg, "params");
			if (json_object_is_type(v, json_type_array) &&
			    json_object_array_length(v) == 2)
				ovsdb_updates(ovsdb_idx(v, 1));
			json_object_put(msg);
			if (!id)
				return 0;	/* ovsdb_applied() looks again */
			continue;
		}
		mid = ovsdb_get(msg, "id", json_type_int);
		if (method || !mid || json_object_get_int64(mid) != id) {
			json_object_put(msg);
			continue;
		}
		v = json_object_object_get(msg, "error");
		if (v && !json_object_is_type(v, json_type_null)) {
			log_warn("ovsdb: %s answered an error: %s", ovsdb.path,
				 json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
			json_object_put(msg);
			return -EREMOTEIO;
		}
		*result = json_object_get(json_object_object_get(msg, "result"));
		json_object_put(msg);
		return 0;
	}
}

/**
 * ovsdb_fd() - the connection, for the back's poll loop, or -1
 *
 * Return: the fd to poll for input; ovsdb_pump() when it has some.
 */
int ovsdb_fd(void)
{
	return ovsdb.fd;
}

/**
 * ovsdb_pump() - what ovsdb-server sent between calls, without waiting
 *
 * Its echo requests (the inactivity probe of a remote that has one, which
 * drops a connection that does not answer) are answered, monitor updates
 * taken in; a closed connection is closed here too.
 */
void ovsdb_pump(void)
{
	json_object *msg = NULL;

	pthread_mutex_lock(&ovsdb.lock);
	if (ovsdb.fd >= 0)
		ovsdb_answer(-1, &msg, 0);	/* no request has id -1: until -EAGAIN */
	json_object_put(msg);
	pthread_mutex_unlock(&ovsdb.lock);
}

/* A request with @params (taken), and its answer. */
static int ovsdb_call(const char *method, json_object *params, json_object **result,
		      int64_t deadline)
{
	json_object *req = json_object_new_object();
	int64_t id = ++ovsdb.id;
	int ret;

	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	ret = ovsdb_send(req, deadline);
	json_object_put(req);
	return ret ? ret : ovsdb_answer(id, result, deadline);
}

/*
 * Connected and monitoring cur_cfg (a connection ovsdb-server closed is
 * replaced), or -errno: -ENOENT (no such socket: no
 * Open vSwitch here), -EACCES (tapd may not write to it), -ECONNREFUSED.
 */
static int ovsdb_connect(int64_t deadline)
{
	static const char *const names[] = { "Open_vSwitch", "tapd-cur-cfg", NULL };
	static const char *const cols[] = { "cur_cfg", NULL };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	json_object *params, *req, *tables, *result = NULL;
	int ret;

	/* What came meanwhile: echoes, or the end (ovsdb-server restarted). */
	if (ovsdb.fd >= 0) {
		ovsdb_answer(-1, &result, 0);
		json_object_put(result);
		result = NULL;
	}
	if (ovsdb.fd >= 0)
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ovsdb.path);
	ovsdb.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ovsdb.fd < 0)
		return -errno;
	if (connect(ovsdb.fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		ovsdb_disconnect();
		return ret;
	}
	ovsdb.tok = json_tokener_new();
	if (!ovsdb.tok) {
		ovsdb_disconnect();
		return -ENOMEM;
	}
	/* ["Open_vSwitch", "tapd-cur-cfg", {"Open_vSwitch": {"columns": ["cur_cfg"]}}] */
	params = ovsdb_strings(names);
	req = json_object_new_object();
	json_object_object_add(req, "columns", ovsdb_strings(cols));
	tables = json_object_new_object();
	json_object_object_add(tables, "Open_vSwitch", req);
	json_object_array_add(params, tables);
	ret = ovsdb_call("monitor", params, &result, deadline);
	if (!ret)
		ovsdb_updates(result);
	json_object_put(result);
	if (ret)
		ovsdb_disconnect();
	return ret;
}

/* ["map", [[k, v], ...]] from pairs, NULL-terminated. */
static json_object *ovsdb_map(const char *const *kv)
{
	json_object *pairs = json_object_new_array(), *map = json_object_new_array();

	for (; kv[0]; kv += 2) {
		json_object *pair = json_object_new_array();

		json_object_array_add(pair, json_object_new_string(kv[0]));
		json_object_array_add(pair, json_object_new_string(kv[1]));
		json_object_array_add(pairs, pair);
	}
	json_object_array_add(map, json_object_new_string("map"));
	json_object_array_add(map, pairs);
	return map;
}

/*
 * [column, function, value] (value taken): a condition, or, with a mutator
 * for @fn, a mutation.
 */
static json_object *ovsdb_triple(const char *column, const char *fn, json_object *value)
{
	json_object *c = json_object_new_array();

	json_object_array_add(c, json_object_new_string(column));
	json_object_array_add(c, json_object_new_string(fn));
	json_object_array_add(c, value);
	return c;
}

/* ["uuid"|"named-uuid", @s] */
static json_object *ovsdb_uuid(const char *kind, const char *s)
{
	json_object *u = json_object_new_array();

	json_object_array_add(u, json_object_new_string(kind));
	json_object_array_add(u, json_object_new_string(s));
	return u;
}

/* A Port of tapd's: named @port and marked. */
static json_object *ovsdb_where_ours(const char *port)
{
	static const char *const mark[] = { OVSDB_MARK_KEY, OVSDB_MARK_VALUE, NULL };
	json_object *w = json_object_new_array();

	if (port)
		json_object_array_add(w, ovsdb_triple("name", "==", json_object_new_string(port)));
	json_object_array_add(w, ovsdb_triple("external_ids", "includes", ovsdb_map(mark)));
	return w;
}

/* {"op": @op, "table": @table, "where": @where (taken)} */
static json_object *ovsdb_op(const char *op, const char *table, json_object *where)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "op", json_object_new_string(op));
	json_object_object_add(o, "table", json_object_new_string(table));
	if (where)
		json_object_object_add(o, "where", where);
	return o;
}

/* A "mutate" of the @table rows that meet @cond (none: all), by @mutation (both taken). */
static json_object *ovsdb_mutate(const char *table, json_object *cond, json_object *mutation)
{
	json_object *o = ovsdb_op("mutate", table, json_object_new_array());
	json_object *muts = json_object_new_array();

	if (cond)
		json_object_array_add(json_object_object_get(o, "where"), cond);
	json_object_array_add(muts, mutation);
	json_object_object_add(o, "mutations", muts);
	return o;
}

/* The _uuid of a row (["uuid", "..."]), or NULL if it has none that is one. */
static const char *ovsdb_row_uuid(json_object *row)
{
	json_object *u = ovsdb_idx(ovsdb_get(row, "_uuid", json_type_array), 1);

	if (!json_object_is_type(u, json_type_string) ||
	    strlen(json_object_get_string(u)) != OVSDB_UUID_LEN)
		return NULL;
	return json_object_get_string(u);
}

/*
 * One transaction of @ops (taken), then, with @cfg, one more to next_cfg
 * and a select of it: *@cfg is the value cur_cfg will reach once
 * ovs-vswitchd has applied it. *@result is the array of the operations'
 * results (the caller's). Return: 0, -EEXIST (a constraint: a record of
 * that name is there), -EREMOTEIO (another error, logged) or -errno.
 */
static int ovsdb_transact(json_object *ops, json_object **result, int64_t *cfg, int64_t deadline)
{
	json_object *params = json_object_new_array(), *res = NULL;
	size_t n = json_object_array_length(ops), i;
	int ret;

	json_object_array_add(params, json_object_new_string("Open_vSwitch"));
	for (i = 0; i < n; i++)
		json_object_array_add(params, json_object_get(ovsdb_idx(ops, i)));
	if (cfg) {
		static const char *const cols[] = { "next_cfg", NULL };
		json_object *sel = ovsdb_op("select", "Open_vSwitch", json_object_new_array());

		json_object_array_add(params, ovsdb_mutate("Open_vSwitch", NULL,
				      ovsdb_triple("next_cfg", "+=", json_object_new_int(1))));
		json_object_object_add(sel, "columns", ovsdb_strings(cols));
		json_object_array_add(params, sel);
	}
	json_object_put(ops);
	ret = ovsdb_call("transact", params, &res, deadline);
	if (ret)
		return ret;
	if (!json_object_is_type(res, json_type_array) ||
	    json_object_array_length(res) < n + (cfg ? 2 : 0)) {
		json_object_put(res);
		return -EPROTO;
	}
	for (i = 0; i < json_object_array_length(res); i++) {
		json_object *e = ovsdb_get(ovsdb_idx(res, i), "error",
					   json_type_string);

		if (!e)
			continue;
		ret = strcmp(json_object_get_string(e), "constraint violation") ? -EREMOTEIO :
										   -EEXIST;
		if (ret == -EREMOTEIO)
			log_warn("ovsdb: a transaction failed: %s",
				 json_object_to_json_string_ext(ovsdb_idx(res, i),
								JSON_C_TO_STRING_PLAIN));
		json_object_put(res);
		return ret;
	}
	if (cfg) {
		json_object *rows = ovsdb_get(ovsdb_idx(res, n + 1), "rows",
					      json_type_array);
		json_object *next = ovsdb_get(ovsdb_idx(rows, 0), "next_cfg",
					      json_type_int);

		if (!next) {
			json_object_put(res);
			return -EPROTO;
		}
		*cfg = json_object_get_int64(next);
	}
	*result = res;
	return 0;
}

/*
 * One select: the rows of @table that match @where (taken), with the
 * columns @cols (NULL-terminated); *@res as ovsdb_transact() sets it, the
 * rows in ovsdb_rows(*@res, 0).
 */
static int ovsdb_select(const char *table, json_object *where, const char *const *cols,
			json_object **res, int64_t deadline)
{
	json_object *ops = json_object_new_array(), *sel = ovsdb_op("select", table, where);

	json_object_object_add(sel, "columns", ovsdb_strings(cols));
	json_object_array_add(ops, sel);
	return ovsdb_transact(ops, res, NULL, deadline);
}

/* [["name", "==", @name]] */
static json_object *ovsdb_where_name(const char *name)
{
	json_object *w = json_object_new_array();

	json_object_array_add(w, ovsdb_triple("name", "==", json_object_new_string(name)));
	return w;
}

/* Until ovs-vswitchd has applied configuration @cfg. */
static int ovsdb_applied(int64_t cfg, int64_t deadline)
{
	while (ovsdb.cur_cfg < cfg) {
		json_object *msg = NULL;
		int ret = ovsdb_answer(0, &msg, deadline);

		json_object_put(msg);
		if (ret)
			return ret == -ETIMEDOUT ? -ETIME : ret;
	}
	return 0;
}

/* The rows a select (result @i of @res) found. */
static json_object *ovsdb_rows(json_object *res, size_t i)
{
	return ovsdb_get(ovsdb_idx(res, i), "rows", json_type_array);
}

/**
 * ovsdb_bridge_find() - the Open vSwitch bridge of this name, if any
 * @name:	a link's name (the bridge's own internal port is named as it is)
 * @br:		filled when found
 *
 * Return: 0; -EMEDIUMTYPE when the database has no such bridge; -ENOENT
 * (no database socket: no Open vSwitch), -EACCES (tapd may not connect),
 * or another -errno when the database cannot be asked.
 */
int ovsdb_bridge_find(const char *name, struct ovsdb_bridge *br)
{
	int64_t deadline = ovsdb_now_ms() + OVSDB_TIMEOUT_MS;
	static const char *const cols[] = { "_uuid", "other_config", NULL };
	json_object *res = NULL, *row, *oc;
	const char *uuid;
	int ret;

	memset(br, 0, sizeof(*br));
	pthread_mutex_lock(&ovsdb.lock);
	ret = ovsdb_connect(deadline);
	if (ret)
		goto out;
	ret = ovsdb_select("Bridge", ovsdb_where_name(name), cols, &res, deadline);
	if (ret)
		goto out;
	row = ovsdb_idx(ovsdb_rows(res, 0), 0);
	uuid = ovsdb_row_uuid(row);
	if (!row) {
		ret = -EMEDIUMTYPE;
	} else if (!uuid) {
		ret = -EPROTO;
	} else {
		snprintf(br->uuid, sizeof(br->uuid), "%s", uuid);
		/* other_config: ["map", [[k, v], ...]] */
		oc = ovsdb_idx(ovsdb_get(row, "other_config", json_type_array), 1);
		for (size_t i = 0; json_object_is_type(oc, json_type_array) &&
				   i < json_object_array_length(oc); i++) {
			json_object *kv = ovsdb_idx(oc, i);
			const char *k = json_object_get_string(ovsdb_idx(kv, 0));
			const char *v = json_object_get_string(ovsdb_idx(kv, 1));

			if (k && v && !strcmp(k, "forward-bpdu") && !strcmp(v, "true"))
				br->forward_bpdu = true;
		}
	}
out:
	json_object_put(res);
	pthread_mutex_unlock(&ovsdb.lock);
	return ret;
}

/*
 * Remove the Port of tapd's named @port (NULL: @uuid given), from whichever
 * bridge has it, and (@wait) wait until ovs-vswitchd has. Lock held. Return: 0
 * (also when there is none), or -errno.
 */
static int ovsdb_remove(const char *port, const char *uuid, bool wait, int64_t deadline)
{
	static const char *const cols[] = { "_uuid", NULL };
	json_object *ops, *res = NULL;
	char id[OVSDB_UUID_LEN + 1];
	int64_t cfg;
	int ret;

	if (!uuid) {
		ret = ovsdb_select("Port", ovsdb_where_ours(port), cols, &res, deadline);
		if (ret)
			return ret;
		uuid = ovsdb_row_uuid(ovsdb_idx(ovsdb_rows(res, 0), 0));
		if (uuid)
			snprintf(id, sizeof(id), "%s", uuid);
		json_object_put(res);
		res = NULL;
		if (!uuid)
			return 0;	/* none */
		uuid = id;
	}
	/* A Port is not a root record: off its bridge, it is gone, its Interface too. */
	ops = json_object_new_array();
	json_object_array_add(ops, ovsdb_mutate("Bridge",
			      ovsdb_triple("ports", "includes", ovsdb_uuid("uuid", uuid)),
			      ovsdb_triple("ports", "delete", ovsdb_uuid("uuid", uuid))));
	ret = ovsdb_transact(ops, &res, &cfg, deadline);
	json_object_put(res);
	return ret || !wait ? ret : ovsdb_applied(cfg, deadline);
}

/**
 * ovsdb_port_add() - tapd's port device on an Open vSwitch bridge
 * @br:		the bridge (ovsdb_bridge_find())
 * @port:	the port device's name (tdpXXXXXXXX), the Port's and Interface's
 * @tap:	its tap's name, recorded beside the mark
 * @p:		what the Port says
 *
 * A Port of tapd's of the same name (left by a tap of the same name) is
 * removed first, in a transaction of its own: ovs-vswitchd does not take a
 * Port removed and added in one as a new one, and its device would stay
 * unused. Then one transaction inserts the Interface and the Port and adds
 * the Port to the bridge, and this waits until ovs-vswitchd has applied it
 * and checks that it took the device (Interface ofport and error). On
 * failure the Port is removed again.
 *
 * Return: 0; -EEXIST (a Port or Interface of that name is someone else's),
 * -ENODEV (the bridge went), -ETIME (ovs-vswitchd did not apply it),
 * -ENXIO (it did, but could not use the device), or -errno.
 */
int ovsdb_port_add(const struct ovsdb_bridge *br, const char *port, const char *tap,
		   const struct ovsdb_port *p)
{
	const char *const marks[] = { OVSDB_MARK_KEY, OVSDB_MARK_VALUE, OVSDB_TAP_KEY, tap, NULL };
	static const char *const no_stp[] = { "stp-enable", "false", "rstp-enable", "false", NULL };
	int64_t deadline = ovsdb_now_ms() + OVSDB_TIMEOUT_MS, cfg;
	static const char *const if_cols[] = { "ofport", "error", NULL };
	json_object *ops, *iface, *row, *prt, *count, *res = NULL;
	json_object *ifrow, *ofport, *error;
	int ret;

	pthread_mutex_lock(&ovsdb.lock);
	ret = ovsdb_connect(deadline);
	if (!ret)
		ret = ovsdb_remove(port, NULL, true, deadline);
	if (ret)
		goto out;

	ops = json_object_new_array();
	iface = ovsdb_op("insert", "Interface", NULL);
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string(port));
	json_object_object_add(row, "external_ids", ovsdb_map(marks));
	json_object_object_add(iface, "row", row);
	json_object_object_add(iface, "uuid-name", json_object_new_string("tapdiface"));
	json_object_array_add(ops, iface);

	prt = ovsdb_op("insert", "Port", NULL);
	row = json_object_new_object();
	json_object_object_add(row, "name", json_object_new_string(port));
	json_object_object_add(row, "interfaces", ovsdb_uuid("named-uuid", "tapdiface"));
	json_object_object_add(row, "external_ids", ovsdb_map(marks));
	if (p->tag)
		json_object_object_add(row, "tag", json_object_new_int(p->tag));
	if (p->protect)
		json_object_object_add(row, "protected", json_object_new_boolean(1));
	if (p->no_stp)
		json_object_object_add(row, "other_config", ovsdb_map(no_stp));
	json_object_object_add(prt, "row", row);
	json_object_object_add(prt, "uuid-name", json_object_new_string("tapdport"));
	json_object_array_add(ops, prt);

	json_object_array_add(ops, ovsdb_mutate("Bridge",
			      ovsdb_triple("_uuid", "==", ovsdb_uuid("uuid", br->uuid)),
			      ovsdb_triple("ports", "insert", ovsdb_uuid("named-uuid", "tapdport"))));
	ret = ovsdb_transact(ops, &res, &cfg, deadline);
	if (ret)
		goto out;
	/* The bridge went between the lookup and now: nothing holds the Port. */
	count = ovsdb_get(ovsdb_idx(res, 2), "count", json_type_int);
	if (!count || json_object_get_int(count) != 1) {
		ret = -ENODEV;
		goto out;
	}
	json_object_put(res);
	res = NULL;
	ret = ovsdb_applied(cfg, deadline);

	/* Did ovs-vswitchd take the device? */
	if (!ret)
		ret = ovsdb_select("Interface", ovsdb_where_name(port), if_cols, &res, deadline);
	if (!ret) {
		ifrow = ovsdb_idx(ovsdb_rows(res, 0), 0);
		ofport = ovsdb_get(ifrow, "ofport", json_type_int);
		error = ovsdb_get(ifrow, "error", json_type_string);
		if (!ofport || json_object_get_int64(ofport) <= 0 || error) {
			log_warn("ovsdb: ovs-vswitchd did not take port %s: %s", port,
				 error ? json_object_get_string(error) : "no OpenFlow port number");
			ret = -ENXIO;
		}
	}
	/* Undone in the database; ovs-vswitchd may be the one not answering. */
	if (ret && ret != -EEXIST && !ovsdb_connect(ovsdb_now_ms() + OVSDB_TIMEOUT_MS))
		ovsdb_remove(port, NULL, false, ovsdb_now_ms() + OVSDB_TIMEOUT_MS);
out:
	json_object_put(res);
	pthread_mutex_unlock(&ovsdb.lock);
	return ret;
}

/**
 * ovsdb_port_del() - remove the Port of tapd's named @port, if there is one
 * @port:	the name of a port device of tapd's that is being deleted
 *
 * Return: 0 or -errno.
 */
int ovsdb_port_del(const char *port)
{
	int64_t deadline = ovsdb_now_ms() + OVSDB_TIMEOUT_MS;
	int ret;

	pthread_mutex_lock(&ovsdb.lock);
	ret = ovsdb_connect(deadline);
	if (!ret)
		ret = ovsdb_remove(port, NULL, true, deadline);
	pthread_mutex_unlock(&ovsdb.lock);
	return ret;
}

/**
 * ovsdb_clean() - at start, remove tapd's Ports whose device is gone
 * @sk:		rtnetlink, to look for the devices
 *
 * A Port of tapd's (marked) whose name is no link here, or a link that is
 * not a port of tapd's, was left by a tapd that was stopped: its device went
 * meanwhile. Ports whose device is still here are removed with the device,
 * when its tap is found gone (link.c). No database (no Open vSwitch) is no
 * error.
 *
 * Return: the number of Ports removed, or -errno.
 */
int ovsdb_clean(struct nl_sock *sk)
{
	int64_t deadline = ovsdb_now_ms() + OVSDB_TIMEOUT_MS;
	static const char *const cols[] = { "_uuid", "name", NULL };
	json_object *res = NULL, *rows;
	int ret, removed = 0;

	pthread_mutex_lock(&ovsdb.lock);
	ret = ovsdb_connect(deadline);
	if (ret)
		goto out;
	ret = ovsdb_select("Port", ovsdb_where_ours(NULL), cols, &res, deadline);
	rows = ret ? NULL : ovsdb_rows(res, 0);
	for (size_t i = 0; rows && i < json_object_array_length(rows) && !ret; i++) {
		json_object *row = ovsdb_idx(rows, i);
		json_object *name = ovsdb_get(row, "name", json_type_string);
		const char *uuid = ovsdb_row_uuid(row);
		struct netlink_link l;
		int tap;

		if (!name || !uuid || strlen(json_object_get_string(name)) >= IFNAMSIZ)
			continue;
		if (!netlink_link_get(sk, 0, json_object_get_string(name), &l) &&
		    !alias_port_parse(l.alias, &tap, NULL))
			continue;	/* its device is here: link.c's to remove */
		ret = ovsdb_remove(NULL, uuid, false, deadline);
		if (!ret) {
			removed++;
			log_info("removed Open vSwitch port %s: its device went while tapd was stopped",
				 json_object_get_string(name));
		}
	}
out:
	json_object_put(res);
	pthread_mutex_unlock(&ovsdb.lock);
	return ret ? ret : removed;
}
