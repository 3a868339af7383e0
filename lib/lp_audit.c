/* lp_audit.c - see lp_audit.h */
#include "lp_audit.h"
#include "lp_io.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

struct lp_audit {
	int fd;
	char *path, *actor, *client;
};

const char *lp_audit_path(const lp_audit *a) { return a ? a->path : NULL; }

const char *lp_audit_os_user(void)
{
	static char name[256];
	if (!*name) {
		struct passwd *pw = getpwuid(geteuid());
		if (pw && pw->pw_name && *pw->pw_name)
			snprintf(name, sizeof name, "%s", pw->pw_name);
		else
			snprintf(name, sizeof name, "uid %lu", (unsigned long)geteuid());
	}
	return name;
}

int lp_audit_lock(int fd, int how)
{
	const char *e = getenv("LOKETPIPE_LOCK_WAIT_MS");
	long wait = e && *e ? strtol(e, NULL, 10) : 60000L, slept = 0, step = 2;
	for (;;) {
		if (flock(fd, how | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK || slept >= wait)
			return -1;
		struct timespec ts = {0, step * 1000000L};
		nanosleep(&ts, NULL);
		slept += step;
		if (step < 50)
			step *= 2;
	}
}

int lp_audit_line_hashes(const char *line, size_t n, char content_hex[65], char stated_hex[65])
{
	static const char pre[] = ",\"hash\":\"";
	if (n < LP_AUDIT_HASH_SUFFIX + 2 || line[0] != '{' || memcmp(line + n - 2, "\"}", 2) != 0)
		return 0;
	const char *s = line + n - LP_AUDIT_HASH_SUFFIX;
	if (memcmp(s, pre, sizeof pre - 1) != 0)
		return 0;
	const char *h = s + sizeof pre - 1;
	for (int i = 0; i < 64; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			return 0;
	memcpy(stated_hex, h, 64);
	stated_hex[64] = '\0';
	lp_sha256_ctx c;
	unsigned char d[32];
	lp_sha256_init(&c);
	lp_sha256_update(&c, line, (size_t)(s - line));
	lp_sha256_update(&c, "}", 1);
	lp_sha256_final(&c, d);
	lp_sha256_tohex(d, content_hex);
	return 1;
}

/* ---------------------------------------------------------------- reading the log's end */

/* The bytes [start, end) of fd, start being just after the last newline before end (or 0). */
static char *line_before(int fd, off_t end, off_t *start, size_t *len)
{
	char buf[4096];
	off_t pos = end;
	*start = 0;
	while (pos > 0) {
		size_t want = pos > (off_t)sizeof buf ? sizeof buf : (size_t)pos;
		ssize_t r = pread(fd, buf, want, pos - (off_t)want);
		if (r != (ssize_t)want)
			return NULL;
		char *nl = memrchr(buf, '\n', want);
		if (nl) {
			*start = pos - (off_t)want + (nl - buf) + 1;
			break;
		}
		pos -= (off_t)want;
	}
	*len = (size_t)(end - *start);
	char *line = lp_xmalloc(*len + 1);
	if (*len && pread(fd, line, *len, *start) != (ssize_t)*len) {
		free(line);
		return NULL;
	}
	line[*len] = '\0';
	return line;
}

enum kind { K_CHAIN, K_LEGACY, K_OTHER };

/* What a line is: a line of the chain (*seq its seq), a line of an audit log from before the
 * chain (a JSON object with "event" and "time" and neither prev nor hash), or anything else. */
static enum kind classify(const char *line, size_t n, json_int_t *seq)
{
	json_t *j = lp_json_loadb(line, n, NULL);
	enum kind k = K_OTHER;
	json_t *s = json_object_get(j, "seq");
	if (json_is_object(j) && json_is_integer(s) && json_integer_value(s) >= 1 && lp_json_str(j, "prev") &&
	    lp_json_str(j, "hash")) {
		char c[65], h[65];
		if (lp_audit_line_hashes(line, n, c, h)) {
			*seq = json_integer_value(s);
			k = K_CHAIN;
		}
	} else if (json_is_object(j) && lp_json_str(j, "event") && lp_json_str(j, "time") && !json_object_get(j, "prev") &&
		   !json_object_get(j, "hash")) /* an old push-loket "op" has a seq of its own (the op's) */
		k = K_LEGACY;
	json_decref(j);
	return k;
}

/* Whether line (n bytes) is the chain's next line: seq and prev as expected, its hash right. */
static int continues(const char *line, size_t n, json_int_t seq, const char *prev)
{
	json_int_t s;
	char c[65], h[65];
	if (classify(line, n, &s) != K_CHAIN || s != seq || !lp_audit_line_hashes(line, n, c, h) || strcmp(c, h))
		return 0;
	json_t *j = lp_json_loadb(line, n, NULL);
	const char *p = lp_json_str(j, "prev");
	int ok = p && !strcmp(p, prev);
	json_decref(j);
	return ok;
}

/* The SHA-256 of all of fd's bytes (then extra), and the number of lines; -1 on a read error,
 * 1 when a line of the chain is among them (not a log from before the chain). */
static int hash_all(int fd, off_t size, const char *extra, char hex[65], long *lines)
{
	lp_sha256_ctx c;
	lp_sha256_init(&c);
	char buf[65536];
	off_t pos = 0;
	*lines = 0;
	int chained = 0;
	while (pos < size) {
		ssize_t r = pread(fd, buf, sizeof buf, pos);
		if (r <= 0)
			return -1;
		if (pos + r > size)
			r = (ssize_t)(size - pos);
		lp_sha256_update(&c, buf, (size_t)r);
		for (ssize_t i = 0; i < r; i++)
			*lines += buf[i] == '\n';
		if (memmem(buf, (size_t)r, "\"hash\":\"", 8) && memmem(buf, (size_t)r, "\"prev\":\"", 8))
			chained = 1;
		pos += r;
	}
	lp_sha256_update(&c, extra, strlen(extra));
	*lines += strchr(extra, '\n') != NULL;
	unsigned char d[32];
	lp_sha256_final(&c, d);
	lp_sha256_tohex(d, hex);
	return chained;
}

/* ---------------------------------------------------------------- building lines */

typedef struct {
	char *p;
	size_t n, cap;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = lp_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Append the line of event (with fields, stolen) at seq after prev to b, with its newline;
 * prev becomes its hash (the hash of its bytes). */
static void add_line(buf_t *b, const lp_audit *a, json_int_t seq, char prev[65], const char *event, json_t *fields)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:s,s:s}", "seq", seq, "prev", prev, "time", ts, "event", event,
			      "os_user", lp_audit_os_user(), "actor", a->actor, "client", a->client, "program", lp_prog);
	const char *k;
	json_t *v;
	json_object_foreach(fields, k, v) {
		if (!strcmp(k, "seq") || !strcmp(k, "prev") || !strcmp(k, "hash") || !strcmp(k, "os_user")) {
			char *rk = lp_xasprintf("caller_%s", k);
			json_object_set(o, rk, v);
			free(rk);
		} else
			json_object_set(o, k, v);
	}
	json_decref(fields);
	char *line = lp_json_dumps(o);
	json_decref(o);
	size_t n = strlen(line);
	char hash[65];
	lp_sha256_hex(line, n, hash);
	put(b, line, n - 1); /* without its closing brace */
	free(line);
	put(b, ",\"hash\":\"", 9);
	put(b, hash, 64);
	put(b, "\"}", 2);
	lp_sha256_hex(b->p + b->n - (n - 1 + LP_AUDIT_HASH_SUFFIX), n - 1 + LP_AUDIT_HASH_SUFFIX, prev);
	put(b, "\n", 1);
}

/* Under the lock: what goes before the next event, and its seq and prev. 0, or -1 with err
 * filled when the log's end is not something to append to. */
static int prepare(lp_audit *a, buf_t *b, json_int_t *seq, char prev[65], char *err, size_t errlen)
{
	struct stat st;
	if (fstat(a->fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat: %s", strerror(errno));
		return -1;
	}
	*seq = 1;
	memcpy(prev, ZEROS, 65);
	if (st.st_size == 0)
		return 0;
	char last;
	if (pread(a->fd, &last, 1, st.st_size - 1) != 1) {
		snprintf(err, errlen, "cannot read: %s", strerror(errno));
		return -1;
	}
	off_t torn_at = st.st_size, start;
	size_t n;
	char *torn = NULL, *line;
	if (last != '\n') {
		torn = line_before(a->fd, st.st_size, &torn_at, &n);
		if (!torn) {
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			return -1;
		}
	}
	size_t torn_n = torn ? n : 0;
	int legacy = 0;
	if (torn_at > 0) {
		line = line_before(a->fd, torn_at - 1, &start, &n);
		if (!line) {
			free(torn);
			snprintf(err, errlen, "cannot read: %s", strerror(errno));
			return -1;
		}
		json_int_t s = 0;
		enum kind k = classify(line, n, &s);
		if (k == K_CHAIN) {
			*seq = s + 1;
			lp_sha256_hex(line, n, prev);
		}
		free(line);
		if (k == K_OTHER) {
			free(torn);
			snprintf(err, errlen, "its last whole line (at byte %lld) is not an audit event: look at it with "
				 "audit-verify; nothing is appended after it", (long long)start);
			return -1;
		}
		legacy = k == K_LEGACY;
	}
	if (torn && !legacy) {
		put(b, "\n", 1);
		if (continues(torn, torn_n, *seq, prev)) { /* only the newline was lost */
			lp_sha256_hex(torn, torn_n, prev);
			(*seq)++;
		} else {
			char th[65];
			lp_sha256_hex(torn, torn_n, th);
			add_line(b, a, *seq, prev, "log.recovered",
				 json_pack("{s:s,s:I,s:I,s:s}", "what",
					   "a torn line (a write cut short) ends the log: ended with a newline, left out of the chain",
					   "torn_offset", (json_int_t)torn_at, "torn_bytes", (json_int_t)torn_n, "torn_sha256", th));
			(*seq)++;
		}
	} else if (torn)
		put(b, "\n", 1);
	free(torn);
	if (legacy) {
		long lines;
		int r = hash_all(a->fd, st.st_size, b->p ? b->p : "", prev, &lines);
		if (r != 0) {
			snprintf(err, errlen, r < 0 ? "cannot read: %s"
						    : "it holds lines of a hash chain, but its last whole line has none "
						      "(an unchained line was added): look at it with audit-verify%s",
				 r < 0 ? strerror(errno) : "");
			return -1;
		}
		*seq = 1;
		add_line(b, a, 1, prev, "log.chained",
			 json_pack("{s:s,s:I,s:I}", "what", "the lines before this one predate the hash chain: prev is the SHA-256 of all of them",
				   "legacy_lines", (json_int_t)lines, "legacy_bytes", (json_int_t)(st.st_size + (off_t)b->n)));
		/* legacy_bytes: what prev covers (the file and a newline ending a torn last line) */
		*seq = 2;
	}
	return 0;
}

/* ---------------------------------------------------------------- the API */

lp_audit *lp_audit_open(const char *path, const char *actor, const char *client)
{
	if (!path)
		return NULL;
	char err[700];
	/* a private regular file of ours (lib/lp_io): never through a symbolic link, never a
	 * FIFO or device waited on, not another user's, not open to group or others (an
	 * existing 0644 log is refused, not kept and not silently chmod'ed) */
	int fd = lp_open_private(path, O_RDWR | O_APPEND | O_CREAT | O_NOCTTY, 0600, err, sizeof err, NULL);
	if (fd < 0)
		lp_die(LP_EXIT_CONFIG, "%s: audit log: %s", client, err);
	lp_audit *a = lp_xmalloc(sizeof *a);
	a->fd = fd;
	a->path = lp_xstrdup(path);
	a->actor = actor && *actor ? lp_xstrdup(actor) : NULL;
	a->client = lp_xstrdup(client);
	/* the end of the log must be something to append to: known before the run does anything */
	if (lp_audit_lock(fd, LOCK_EX) != 0)
		lp_die(errno == EWOULDBLOCK ? LP_EXIT_BUSY : LP_EXIT_IO, "%s: audit log %s: cannot lock it: %s", client, path,
		       errno == EWOULDBLOCK ? "another process held it past the wait" : strerror(errno));
	buf_t b = {0};
	json_int_t seq;
	char prev[65];
	int rc = prepare(a, &b, &seq, prev, err, sizeof err);
	flock(fd, LOCK_UN);
	free(b.p);
	if (rc)
		lp_die(LP_EXIT_CONFIG, "%s: audit log %s: %s", client, path, err);
	return a;
}

void lp_audit_event(lp_audit *a, const char *event, json_t *fields)
{
	if (!a) {
		json_decref(fields);
		return;
	}
	if (lp_audit_lock(a->fd, LOCK_EX) != 0) {
		json_decref(fields);
		lp_die(errno == EWOULDBLOCK ? LP_EXIT_BUSY : LP_EXIT_IO, "%s: audit log %s: cannot lock it: %s", a->client,
		       a->path, errno == EWOULDBLOCK ? "another process held it past the wait" : strerror(errno));
	}
	buf_t b = {0};
	json_int_t seq;
	char prev[65], err[300];
	if (prepare(a, &b, &seq, prev, err, sizeof err)) {
		json_decref(fields);
		lp_die(LP_EXIT_IO, "%s: audit log %s: %s", a->client, a->path, err);
	}
	add_line(&b, a, seq, prev, event, fields);
	/* one write(2) (under the lock a short one is finished by more, never interleaved with
	 * another writer's); what is left torn by a failure the next writer recovers */
	size_t done = 0;
	if (lp_write_all(a->fd, b.p, b.n, &done) != 0)
		lp_die(LP_EXIT_IO, "%s: audit log %s: write failed: %s (after %zu of %zu bytes; the next append records the "
		       "torn line)", a->client, a->path, strerror(errno), done, b.n);
	if (fsync(a->fd) != 0)
		lp_die(LP_EXIT_IO, "%s: audit log %s: fsync failed: %s", a->client, a->path, strerror(errno));
	flock(a->fd, LOCK_UN);
	free(b.p);
}

void lp_audit_close(lp_audit *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a->path);
	free(a->actor);
	free(a->client);
	free(a);
}

void lp_audit_once(const char *path, const char *client, const char *event, json_t *fields)
{
	lp_audit *a = lp_audit_open(path, NULL, client);
	lp_audit_event(a, event, fields);
	lp_audit_close(a);
}
