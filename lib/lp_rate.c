/* lp_rate.c - see lp_rate.h */
#include "lp_rate.h"
#include "lp_cli.h"
#include "lp_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MICRO 1000000LL /* a token, in the bucket's units */

/* one bucket: its file (NULL: kept in this process), its limit, its state when in memory */
struct bucket {
	char *file;
	lp_rate_spec spec;
	int64_t tokens; /* micro-tokens; below zero: requests queued */
	int64_t t_ns;   /* CLOCK_MONOTONIC of the last update */
	int fresh;      /* in memory: not used yet (starts full) */
};

enum { B_IP, B_AUTH, B_EMPLOYEES, B_DOCUMENTS, B_V2_TOKEN, B__N };

struct lp_rate {
	struct bucket b[B__N];
	unsigned long waits;
	uint64_t waited_ms;
};

int lp_rate_parse(const char *s, lp_rate_spec *out)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (end == s || *end != '/' || n <= 0 || n > 1000000)
		return -1;
	const char *p = end + 1;
	long per = strtol(p, &end, 10);
	if (end == p || per <= 0 || per > 86400)
		return -1;
	long burst = n; /* a whole window's worth, unless said */
	if (*end == ':') {
		p = end + 1;
		burst = strtol(p, &end, 10);
		if (end == p || burst <= 0 || burst > n)
			return -1;
	}
	if (*end || errno)
		return -1;
	out->n = n, out->per_s = per, out->burst = burst;
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* the client's own bucket: 90 % of the rate, and a burst of at most a tenth of N (at least
 * one): then any P seconds see at most 0.1 N + 0.9 N = N requests, whether the server counts
 * with a token bucket, a sliding window or a fixed one */
static int64_t cap_of(const lp_rate_spec *s)
{
	long tenth = s->n / 10 > 1 ? s->n / 10 : 1;
	return (s->burst < tenth ? s->burst : tenth) * MICRO;
}
static int64_t gained(const lp_rate_spec *s, int64_t dt_ns) /* micro-tokens in dt_ns */
{
	if (dt_ns > 86400LL * 1000000000LL)
		dt_ns = 86400LL * 1000000000LL;
	return (int64_t)((__int128)dt_ns * s->n * 9 / ((__int128)s->per_s * 10000));
}
static int64_t wait_for(const lp_rate_spec *s, int64_t deficit) /* ns until deficit micro-tokens come */
{
	return (int64_t)((__int128)deficit * s->per_s * 10000 / ((__int128)s->n * 9)) + 1;
}

/* Take one token of a bucket whose state is (*tokens, *t) (valid: 0, else it is reset);
 * returns the ns to wait. */
static int64_t take(const lp_rate_spec *s, int64_t *tokens, int64_t *t, int valid, int64_t now)
{
	int64_t cap = cap_of(s);
	/* a queue longer than a day of requests, a time ahead of the clock: damaged, or from
	 * before a reboot. Reset to empty: never more than the limit. */
	if (valid && (*t > now || *tokens > cap || *tokens < -(int64_t)s->n * MICRO * (86400 / s->per_s + 1)))
		valid = 0;
	if (!valid) {
		*tokens = 0;
		*t = now;
	}
	int64_t tk = *tokens + gained(s, now - *t);
	if (tk > cap)
		tk = cap;
	tk -= MICRO;
	*tokens = tk;
	*t = now;
	return tk >= 0 ? 0 : wait_for(s, -tk);
}

static int warned;

/* The bucket file: "lp_rate 1 TOKENS T_NS\n". -1 when it cannot be used at all. */
static int64_t take_file(struct bucket *b, int64_t now, int *ok)
{
	int busy;
	char err[600];
	int fd = lp_lock_wait(b->file, -1, &busy, err, sizeof err);
	*ok = fd >= 0;
	if (fd < 0) {
		if (!warned++)
			lp_warn("rate limit: %s; the limits are kept inside this process", err);
		return 0;
	}
	char buf[128];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	long long tokens = 0, t = 0;
	int valid = 0, fresh = n == 0, used = -1;
	if (n > 0) {
		buf[n] = '\0';
		valid = sscanf(buf, "lp_rate 1 %lld %lld\n%n", &tokens, &t, &used) == 2 && used == n;
	}
	int64_t tk = tokens, tt = t, wait;
	if (fresh) { /* a new bucket starts full */
		tk = cap_of(&b->spec);
		tt = now;
		valid = 1;
	} else if (!valid && !warned++)
		lp_warn("rate limit: %s was damaged; it starts again empty", b->file);
	wait = take(&b->spec, &tk, &tt, valid, now);
	int len = snprintf(buf, sizeof buf, "lp_rate 1 %lld %lld\n", (long long)tk, (long long)tt);
	if (pwrite(fd, buf, (size_t)len, 0) != len || ftruncate(fd, len) != 0) {
		/* not shared then (a full disk): the limit is kept inside this process, never dropped */
		*ok = 0;
		if (!warned++)
			lp_warn("rate limit: %s: cannot write: %s; the limits are kept inside this process", b->file,
				strerror(errno));
	}
	lp_lock_release(fd);
	return wait;
}

void lp_rate_wait(void *rate, const char *method, const char *path)
{
	lp_rate *r = rate;
	if (!r || !path)
		return;
	int which[2], nw = 0;
	int post = !strcmp(method, "POST");
	if (!strncmp(path, "/v1/", 4)) {
		which[nw++] = B_IP;
		if (post && !strcmp(path, "/v1/auth"))
			which[nw++] = B_AUTH;
		else if (!post && !strcmp(path, "/v1/company/employees"))
			which[nw++] = B_EMPLOYEES;
		else if (post && !strcmp(path, "/v1/company/documents"))
			which[nw++] = B_DOCUMENTS;
	} else if (post && !strcmp(path, "/v2/auth/token"))
		which[nw++] = B_V2_TOKEN;
	int64_t wait = 0;
	for (int i = 0; i < nw; i++) {
		struct bucket *b = &r->b[which[i]];
		int64_t now = now_ns(), w = 0;
		int ok = 0;
		if (b->file)
			w = take_file(b, now, &ok);
		if (!ok) {
			if (b->fresh) {
				b->tokens = cap_of(&b->spec);
				b->t_ns = now;
				b->fresh = 0;
			}
			w = take(&b->spec, &b->tokens, &b->t_ns, 1, now);
		}
		if (w > wait)
			wait = w; /* tokens are taken from every bucket first, then one sleep for the longest */
	}
	if (wait <= 0)
		return;
	r->waits++;
	r->waited_ms += (uint64_t)(wait / 1000000);
	struct timespec ts = {(time_t)(wait / 1000000000LL), (long)(wait % 1000000000LL)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* the rate directory, made when missing; NULL (with a warning) when it is not private */
static char *rate_dir(void)
{
	const char *env = getenv("LOKETPIPE_RATE_DIR"), *tmp = getenv("TMPDIR");
	char *dir = env && *env ? lp_xstrdup(env)
				: lp_xasprintf("%s/loketpipe-rate-%lu", tmp && *tmp ? tmp : "/tmp", (unsigned long)geteuid());
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		lp_warn("rate limit: %s: cannot make the directory: %s; the limits are kept inside this process", dir,
			strerror(errno));
	else if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		lp_warn("rate limit: %s is not a private directory of yours (mode 0700); the limits are kept inside "
			"this process", dir);
	else
		return dir;
	free(dir);
	return NULL;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

lp_rate *lp_rate_personio(const char *base_url, const char *client_id)
{
	static const struct {
		const char *env, *dflt, *name;
		int per_credential;
	} L[B__N] = {
		[B_IP] = {"LOKETPIPE_RATE_V1", "2000/60", "v1", 0},
		[B_AUTH] = {"LOKETPIPE_RATE_V1_AUTH", "60/60", "v1-auth", 1},
		[B_EMPLOYEES] = {"LOKETPIPE_RATE_EMPLOYEES", "300/60:15", "employees", 1},
		[B_DOCUMENTS] = {"LOKETPIPE_RATE_DOCUMENTS", "60/60", "documents", 1},
		[B_V2_TOKEN] = {"LOKETPIPE_RATE_V2_TOKEN", "150/60", "v2-token", 1},
	};
	lp_rate *r = lp_xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	char *dir = rate_dir();
	uint64_t host = fnv1a(14695981039346656037ULL, base_url ? base_url : "");
	uint64_t cred = fnv1a(fnv1a(host, "\n"), client_id ? client_id : "");
	for (int i = 0; i < B__N; i++) {
		const char *v = getenv(L[i].env);
		if (lp_rate_parse(v && *v ? v : L[i].dflt, &r->b[i].spec))
			lp_die(LP_EXIT_CONFIG, "%s: '%s' is not a rate limit N/SECONDS[:BURST], e.g. 60/60:1", L[i].env, v);
		r->b[i].fresh = 1;
		if (dir) /* named after the host (per IP) or the host and the credential, never the id itself */
			r->b[i].file = lp_xasprintf("%s/personio-%s-%016" PRIx64, dir, L[i].name,
						    L[i].per_credential ? cred : host);
	}
	free(dir);
	return r;
}

void lp_rate_free(lp_rate *r)
{
	if (!r)
		return;
	for (int i = 0; i < B__N; i++)
		free(r->b[i].file);
	free(r);
}

unsigned long lp_rate_waits(const lp_rate *r) { return r->waits; }
uint64_t lp_rate_waited_ms(const lp_rate *r) { return r->waited_ms; }
