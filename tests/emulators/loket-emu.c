/*
 * loket-emu.c - offline emulator of the Loket.nl REST API v2 for loketpipe tests.
 *
 * Contract: doc/loket-fixtures.md (fixture layout, endpoints, control
 * endpoints, fault plan, process flags).  Background on the real API:
 * ../shared/reference/loket-api-notes.md sections 1-6 and 10, and the vendor
 * OpenAPI spec ../shared/reference/loket-openapi-v2.json.
 *
 * What it emulates
 *   - OAuth 2.0: POST /token with grant_type=authorization_code (codes come
 *     from the test endpoint POST /__emu/authcode) and grant_type=refresh_token.
 *     Refresh tokens rotate: every refresh invalidates the one it used.
 *     Access tokens expire after --token-ttl seconds (default 3599).
 *   - /v2/providers/employers/... read and write endpoints (see the doc),
 *     with Loket's envelopes (_embedded + paging fields, content, messages),
 *     pageNumber/pageSize paging, ETag/If-Match on the employee, the linked
 *     wage date chain, the broken (non-overlapping) benefit chain per payroll
 *     component and the payroll period data PATCH upsert.
 *   - Control endpoints under /__emu/ and the same fault plan as personio-emu.
 *
 * What it deliberately does not emulate: filter/orderBy (400), metadata and
 * defaults endpoints, payslips, year-end statements, payroll and journal
 * runs, 403 authorisation, resource versions (the Accept header is ignored).
 *
 * Helper code (utils, dates, fault plan, latency timer, port file, main loop)
 * is copied from personio-emu.c for now; it can be factored into a shared
 * emulator file later.
 *
 * Concurrency: MHD thread pool; the whole mutable state (one json_t tree),
 * tokens, counters and the fault plan live behind one mutex.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define EMU_VERSION "0.1.0"
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
#define MAX_BODY (1u << 20)                  /* JSON / form bodies */
#define MAX_PATHS 256
#define EXIT_USAGE 2
#define EXIT_FIXTURES 3

/* ------------------------------------------------------------------ utils */

static void oom(void)
{
	fputs("loket-emu: out of memory\n", stderr);
	abort();
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom();
	return p;
}

static void *xrealloc(void *p, size_t sz)
{
	void *q = realloc(p, sz ? sz : 1);
	if (!q)
		oom();
	return q;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

struct sb {
	char *p;
	size_t len, cap;
};

static void sb_grow(struct sb *b, size_t need)
{
	if (b->len + need + 1 <= b->cap)
		return;
	size_t nc = b->cap ? b->cap : 256;
	while (nc < b->len + need + 1)
		nc *= 2;
	b->p = xrealloc(b->p, nc);
	b->cap = nc;
}

static void sb_addn(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sb *b, const char *s) { sb_addn(b, s, strlen(s)); }

static void sb_reset(struct sb *b) { free(b->p); b->p = NULL; b->len = b->cap = 0; }

/* A json_t as text, always with the project's dump flags. */
static char *dump_json(const json_t *j)
{
	char *s = json_dumps(j, DUMP_FLAGS | JSON_ENCODE_ANY);
	if (!s)
		oom();
	return s;
}

/* json_string that survives invalid UTF-8 (bytes >= 0x80 become '?'). */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j) {
		char *c = xstrdup(s);
		for (char *q = c; *q; q++)
			if ((unsigned char)*q >= 0x80)
				*q = '?';
		j = json_string(c);
		free(c);
	}
	return j;
}

static void sb_json(struct sb *b, json_t *j) /* steals j */
{
	char *s = dump_json(j);
	sb_adds(b, s);
	free(s);
	json_decref(j);
}

static int starts_with(const char *s, const char *pre) { return strncmp(s, pre, strlen(pre)) == 0; }

static int strict_ll(const char *s, long long lo, long long hi, long long *out)
{
	if (!s || !*s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	char *e;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (errno || *e || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static uint32_t fnv1a(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xffu) * 16777619u; /* field separator */
}

static int g_urandom = -1;

static void random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof buf)
		nbytes = sizeof buf;
	size_t got = 0;
	while (got < nbytes) {
		ssize_t n = read(g_urandom, buf + got, nbytes - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fputs("loket-emu: cannot read /dev/urandom\n", stderr);
			abort();
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
	out[2 * nbytes] = '\0';
}

/* ------------------------------------------------------------------ dates */

static int is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(long y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 (H. Hinnant's days_from_civil). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Strict YYYY-MM-DD with a real calendar day. */
static int parse_date(const char *s, long *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	long yy = strtol(s, NULL, 10);
	int mm = (s[5] - '0') * 10 + (s[6] - '0');
	int dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > days_in_month(yy, mm))
		return -1;
	*y = yy, *m = mm, *d = dd;
	return 0;
}

static int date_days(const char *s, long *days)
{
	long y;
	int m, d;
	if (parse_date(s, &y, &m, &d))
		return -1;
	*days = days_from_civil(y, m, d);
	return 0;
}


/* ------------------------------------------------------------ fault plan */

enum mal_kind { MAL_NONE, MAL_NOTJSON, MAL_TRUNCATED, MAL_WRONGSHAPE, MAL_401, MAL_403 };

struct plan {
	long long n429, n500, ndrop, latency_ms;
	char retry_after[32];
	char *always_path;
	int always_status;
	char *mal_path;
	enum mal_kind mal_kind;
	double r5xx, r429, rdrop;
	uint64_t prng;
};

static void plan_free(struct plan *p) { free(p->always_path); free(p->mal_path); memset(p, 0, sizeof *p); }

static void plan_default(struct plan *p)
{
	memset(p, 0, sizeof *p);
	strcpy(p->retry_after, "1");
	p->prng = 0x9E3779B97F4A7C15ull;
}

static double prng_unit(struct plan *p) /* xorshift64* */
{
	uint64_t x = p->prng;
	x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
	p->prng = x;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

/* Parse a fault plan; 0 on success, else -1 with a message in err. */
static int plan_parse(const char *text, size_t len, struct plan *p, char *err, size_t errlen)
{
	json_error_t je;
	plan_default(p);
	json_t *o = json_loadb(text, len, 0, &je);
	if (!o) {
		snprintf(err, errlen, "fault plan: invalid JSON at %d:%d: %s", je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "fault plan: expected a JSON object");
		goto bad;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		long long *cnt = strcmp(k, "429") == 0 ? &p->n429 : strcmp(k, "500") == 0 ? &p->n500
			       : strcmp(k, "drop") == 0 ? &p->ndrop : strcmp(k, "latency_ms") == 0 ? &p->latency_ms : NULL;
		double *rate = strcmp(k, "rate_5xx") == 0 ? &p->r5xx : strcmp(k, "rate_429") == 0 ? &p->r429
			     : strcmp(k, "rate_drop") == 0 ? &p->rdrop : NULL;
		if (cnt) {
			long long max = cnt == &p->latency_ms ? 600000 : 1000000000;
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
				snprintf(err, errlen, "fault plan: \"%s\" must be an integer 0..%lld", k, max);
				goto bad;
			}
			*cnt = json_integer_value(v);
		} else if (rate) {
			if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
				snprintf(err, errlen, "fault plan: \"%s\" must be a number 0..1", k);
				goto bad;
			}
			*rate = json_number_value(v);
		} else if (strcmp(k, "seed") == 0) {
			if (!json_is_integer(v)) {
				snprintf(err, errlen, "fault plan: \"seed\" must be an integer");
				goto bad;
			}
			uint64_t s = (uint64_t)json_integer_value(v);
			s = (s ^ 0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull;
			p->prng = s ? s : 0x9E3779B97F4A7C15ull;
		} else if (strcmp(k, "retry_after") == 0) {
			if (json_is_integer(v) && json_integer_value(v) >= 0)
				snprintf(p->retry_after, sizeof p->retry_after, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else if (json_is_string(v) && json_string_length(v) < sizeof p->retry_after &&
				 !strpbrk(json_string_value(v), "\r\n"))
				strcpy(p->retry_after, json_string_value(v));
			else {
				snprintf(err, errlen, "fault plan: \"retry_after\" must be a short string or a non-negative integer");
				goto bad;
			}
		} else if (strcmp(k, "always") == 0) {
			if (json_is_null(v))
				continue;
			const char *path = json_string_value(json_object_get(v, "path"));
			json_t *st = json_object_get(v, "status");
			if (!path || path[0] != '/' || !json_is_integer(st) || json_integer_value(st) < 400 ||
			    json_integer_value(st) > 599 || json_object_size(v) != 2) {
				snprintf(err, errlen, "fault plan: \"always\" must be {\"path\": \"/...\", \"status\": 400..599}");
				goto bad;
			}
			p->always_path = xstrdup(path);
			p->always_status = (int)json_integer_value(st);
		} else if (strcmp(k, "malformed") == 0) {
			if (json_is_null(v))
				continue;
			const char *path = json_string_value(json_object_get(v, "path"));
			const char *kind = json_string_value(json_object_get(v, "kind"));
			static const char *kinds[] = {NULL, "notjson", "truncated", "wrongshape", "status401", "status403"};
			enum mal_kind mk = MAL_NONE;
			for (int i = 1; kind && i < 6; i++)
				if (strcmp(kind, kinds[i]) == 0)
					mk = (enum mal_kind)i;
			if (!path || path[0] != '/' || mk == MAL_NONE || json_object_size(v) != 2) {
				snprintf(err, errlen, "fault plan: \"malformed\" must be {\"path\": \"/...\", \"kind\": "
					 "\"notjson|truncated|wrongshape|status401|status403\"}");
				goto bad;
			}
			p->mal_path = xstrdup(path);
			p->mal_kind = mk;
		} else {
			snprintf(err, errlen, "fault plan: unknown key \"%s\"", k);
			goto bad;
		}
	}
	json_decref(o);
	return 0;
bad:
	json_decref(o);
	plan_free(p);
	return -1;
}

/* ---------------------------------------------------------- shared state */


/* ---------------------------------------------------------- shared state */

enum tok_kind { TOK_CODE = 1, TOK_ACCESS = 2, TOK_REFRESH = 3 };

struct token { struct token *next; char tok[72]; enum tok_kind kind; time_t expires; };
struct path_count { char *path; uint64_t n; };

static struct {
	pthread_mutex_t lock;
	struct token *tokens;
	uint64_t requests, f429, f500, fdrop, fmal, fother;
	struct path_count paths[MAX_PATHS];
	size_t npaths;
	uint64_t other_paths;
	struct plan plan;
	json_t *state;          /* current state; fixture copy in g_initial */
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

static json_t *g_initial;
static char *g_client_id, *g_client_secret;
static long long g_token_ttl = 3599;

/* Every collection of state.json (all arrays of objects). */
static const char *const COLLECTIONS[] = {
	"employers", "payrollAdministrations", "employees", "employments", "wages", "benefitsAndDeductions",
	"payrollPeriodData", "conceptEmployees", "payrollComponents", "payrollPeriods",
};
#define NCOLL (sizeof COLLECTIONS / sizeof COLLECTIONS[0])

static void mint_token_locked(enum tok_kind kind, long long ttl, char out[72])
{
	struct token *t = xcalloc(1, sizeof *t);
	static const char *pre[] = {"", "lcode-", "lacc-", "lref-"};
	size_t pl = strlen(pre[kind]);
	memcpy(t->tok, pre[kind], pl);
	random_hex(t->tok + pl, 24);
	t->kind = kind;
	t->expires = time(NULL) + (time_t)ttl;
	memcpy(out, t->tok, sizeof t->tok);
	t->next = S.tokens;
	S.tokens = t;
}

/* 1 if tok is a live token of that kind; consume removes it. */
static int check_token_locked(const char *tok, enum tok_kind kind, int consume)
{
	time_t now = time(NULL);
	for (struct token **pp = &S.tokens; *pp; pp = &(*pp)->next) {
		struct token *t = *pp;
		if (strcmp(t->tok, tok) != 0)
			continue;
		int ok = t->kind == kind && now < t->expires;
		if (ok && consume) {
			*pp = t->next;
			free(t);
		}
		return ok;
	}
	return 0;
}

static void revoke_tokens_locked(void)
{
	while (S.tokens) {
		struct token *n = S.tokens->next;
		free(S.tokens);
		S.tokens = n;
	}
}

static void reset_counters_locked(void)
{
	for (size_t i = 0; i < S.npaths; i++)
		free(S.paths[i].path);
	S.npaths = 0;
	S.other_paths = S.requests = S.f429 = S.f500 = S.fdrop = S.fmal = S.fother = 0;
}

static void count_path_locked(const char *url)
{
	S.requests++;
	for (size_t i = 0; i < S.npaths; i++)
		if (strcmp(S.paths[i].path, url) == 0) {
			S.paths[i].n++;
			return;
		}
	if (S.npaths < MAX_PATHS) {
		S.paths[S.npaths].path = xstrdup(url);
		S.paths[S.npaths++].n = 1;
	} else {
		S.other_paths++;
	}
}

/* -------------------------------------------------------------- fixtures */

__attribute__((noreturn, format(printf, 1, 2)))
static void fixture_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("loket-emu: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_FIXTURES);
}

static json_t *load_fixture(const char *path, int secret)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j) {
		if (secret) { /* jansson quotes the offending text: never echo secrets */
			char *near = strstr(err.text, " near ");
			if (near)
				*near = '\0';
		}
		if (err.line > 0)
			fixture_fail("%s:%d:%d: %s", path, err.line, err.column, err.text);
		fixture_fail("%s: %s", path, err.text);
	}
	return j;
}

static void load_fixtures(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/client.json", dir);
	json_t *cl = load_fixture(path, 1);
	json_t *ci = json_object_get(cl, "client_id"), *cs = json_object_get(cl, "client_secret");
	if (!json_is_string(ci) || !json_is_string(cs) || !*json_string_value(ci) || !*json_string_value(cs))
		fixture_fail("%s: expected {\"client_id\": \"...\", \"client_secret\": \"...\"} (non-empty strings)", path);
	g_client_id = xstrdup(json_string_value(ci));
	g_client_secret = xstrdup(json_string_value(cs));
	json_decref(cl);

	snprintf(path, sizeof path, "%s/state.json", dir);
	json_t *st = load_fixture(path, 0);
	if (!json_is_object(st))
		fixture_fail("%s: expected a JSON object of collections", path);
	for (size_t i = 0; i < NCOLL; i++) {
		json_t *a = json_object_get(st, COLLECTIONS[i]);
		if (!a) {
			json_object_set_new(st, COLLECTIONS[i], json_array());
			continue;
		}
		if (!json_is_array(a))
			fixture_fail("%s: \"%s\" must be an array", path, COLLECTIONS[i]);
		size_t k;
		json_t *o;
		json_array_foreach(a, k, o) {
			if (!json_is_object(o))
				fixture_fail("%s: %s[%zu] must be an object", path, COLLECTIONS[i], k);
			int needs_id = strcmp(COLLECTIONS[i], "payrollComponents") != 0;
			if (needs_id && !json_is_string(json_object_get(o, "id")) &&
			    !json_is_integer(json_object_get(o, "id")))
				fixture_fail("%s: %s[%zu] needs an \"id\"", path, COLLECTIONS[i], k);
		}
	}
	g_initial = st;
	S.state = json_deep_copy(st);
	if (!S.state)
		oom();
}
/* ------------------------------------------------------ latency (timer) */

struct delayed { struct MHD_Connection *c; struct timespec due; };

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct delayed *v;
	size_t n, cap;
	int stopping;
	pthread_t th;
} T = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Suspend c for ms milliseconds; 0 if not suspended (shutting down). */
static int delay_connection(struct MHD_Connection *c, long long ms)
{
	struct timespec due;
	clock_gettime(CLOCK_MONOTONIC, &due);
	due.tv_sec += ms / 1000;
	due.tv_nsec += (ms % 1000) * 1000000L;
	if (due.tv_nsec >= 1000000000L)
		due.tv_sec++, due.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&T.lock);
	if (T.stopping) {
		pthread_mutex_unlock(&T.lock);
		return 0;
	}
	if (T.n == T.cap) {
		T.cap = T.cap ? 2 * T.cap : 64;
		T.v = xrealloc(T.v, T.cap * sizeof *T.v);
	}
	MHD_suspend_connection(c); /* before it is visible to the timer */
	T.v[T.n++] = (struct delayed){c, due};
	pthread_cond_signal(&T.cond);
	pthread_mutex_unlock(&T.lock);
	return 1;
}

static void *timer_main(void *arg)
{
	(void)arg;
	struct MHD_Connection *batch[64];
	pthread_mutex_lock(&T.lock);
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		size_t nb = 0, min = SIZE_MAX;
		for (size_t i = 0; i < T.n && nb < 64;) {
			if (T.stopping || !ts_before(&now, &T.v[i].due)) {
				batch[nb++] = T.v[i].c;
				T.v[i] = T.v[--T.n];
			} else {
				if (min == SIZE_MAX || ts_before(&T.v[i].due, &T.v[min].due))
					min = i;
				i++;
			}
		}
		if (nb) { /* resume outside our lock */
			pthread_mutex_unlock(&T.lock);
			for (size_t i = 0; i < nb; i++)
				MHD_resume_connection(batch[i]);
			pthread_mutex_lock(&T.lock);
			continue;
		}
		if (T.stopping)
			break;
		if (min == SIZE_MAX) {
			pthread_cond_wait(&T.cond, &T.lock);
		} else {
			struct timespec due = T.v[min].due; /* T.v may move while we wait */
			pthread_cond_timedwait(&T.cond, &T.lock, &due);
		}
	}
	pthread_mutex_unlock(&T.lock);
	return NULL;
}


/* -------------------------------------------------------------- requests */

enum fault { F_NONE, F_STATUS, F_DROP, F_MALFORMED };

struct req {
	int control, body_done, delayed;
	enum fault fault;
	int fault_status;
	enum mal_kind mal;
	char retry_after[32];
	long long latency_ms;
	int too_large;
	struct sb raw;
};

struct reply {
	unsigned status;
	const char *ctype;
	struct sb body;
	char retry_after[32];
	char etag[24];
	char allow[64];
	const char *www_auth;
};

static void free_req(struct req *r)
{
	sb_reset(&r->raw);
	free(r);
}

static void decide_fault(struct req *r, const char *url)
{
	pthread_mutex_lock(&S.lock);
	struct plan *p = &S.plan;
	count_path_locked(url);
	r->latency_ms = p->latency_ms;
	int status = 0;
	if (p->n429 > 0) {
		p->n429--, status = 429;
	} else if (p->n500 > 0) {
		p->n500--, status = 500;
	} else if (p->ndrop > 0) {
		p->ndrop--, r->fault = F_DROP;
	} else if (p->always_path && starts_with(url, p->always_path)) {
		status = p->always_status;
	} else {
		int drawn5 = 0, drawn4 = 0, drawnd = 0;
		if (p->r5xx > 0 || p->r429 > 0 || p->rdrop > 0) {
			drawn5 = prng_unit(p) < p->r5xx;
			drawn4 = prng_unit(p) < p->r429;
			drawnd = prng_unit(p) < p->rdrop;
		}
		if (drawn5)
			status = 500;
		else if (drawn4)
			status = 429;
		else if (drawnd)
			r->fault = F_DROP;
		else if (p->mal_path && starts_with(url, p->mal_path))
			r->fault = F_MALFORMED, r->mal = p->mal_kind, S.fmal++;
	}
	if (status) {
		r->fault = F_STATUS;
		r->fault_status = status;
		if (status == 429)
			S.f429++, memcpy(r->retry_after, p->retry_after, sizeof r->retry_after);
		else if (status >= 500)
			S.f500++;
		else
			S.fother++;
	}
	if (r->fault == F_DROP)
		S.fdrop++;
	pthread_mutex_unlock(&S.lock);
}

/* ------------------------------------------------------------- replies */

#define RES_VERSION "2018-01-01"

static void reply_body(struct reply *rep, unsigned status, json_t *body)
{
	rep->status = status;
	rep->ctype = "application/json";
	sb_reset(&rep->body);
	sb_json(&rep->body, body);
}

static json_t *version_obj(void)
{
	return json_pack("{s:n,s:s}", "obsoleteDate", "resourceVersion", RES_VERSION);
}

/* Loket error envelope: {"version":..,"messages":[{code,id,type,description,properties}],"_embedded":[]} */
static void loket_error(struct reply *rep, unsigned status, int code, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void loket_error(struct reply *rep, unsigned status, int code, const char *type, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	reply_body(rep, status,
		   json_pack("{s:o,s:[{s:i,s:n,s:s,s:o,s:[]}],s:[]}", "version", version_obj(), "messages", "code", code,
			     "id", "type", type, "description", jstr(msg), "properties", "_embedded"));
}

#define BBR(rep, code, ...) loket_error(rep, 400, code, "BrokenBusinessRule", __VA_ARGS__)

static const char *status_title(int st)
{
	switch (st) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

static void error_for(struct reply *rep, int status)
{
	loket_error(rep, (unsigned)status, status, status == 404 ? "NotFound" : "Exception", "%s", status_title(status));
}

static void malform(struct req *r, struct reply *rep)
{
	switch (r->mal) {
	case MAL_NOTJSON:
		sb_reset(&rep->body);
		sb_adds(&rep->body, "<html>oops</html>");
		rep->status = 200, rep->ctype = "text/html";
		break;
	case MAL_TRUNCATED:
		rep->body.len /= 2;
		if (rep->body.p)
			rep->body.p[rep->body.len] = '\0';
		rep->status = 200;
		break;
	case MAL_WRONGSHAPE:
		sb_reset(&rep->body);
		sb_adds(&rep->body, "{\"_data\":{}}");
		rep->status = 200, rep->ctype = "application/json";
		break;
	case MAL_401:
		loket_error(rep, 401, 401, "Exception", "Authorization has been denied for this request.");
		break;
	case MAL_403:
		loket_error(rep, 403, 403, "Exception", "The user is not authorized for this activity.");
		break;
	case MAL_NONE:
		break;
	}
}

static enum MHD_Result queue_reply(struct MHD_Connection *c, struct reply *rep)
{
	if (!rep->body.p)
		sb_addn(&rep->body, "", 0);
	struct MHD_Response *resp = MHD_create_response_from_buffer(rep->body.len, rep->body.p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		sb_reset(&rep->body);
		return MHD_NO;
	}
	rep->body.p = NULL; /* owned by MHD now */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rep->ctype ? rep->ctype : "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_EXPIRES, "-1");
	if (rep->retry_after[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, rep->retry_after);
	if (rep->etag[0] && rep->status < 300)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rep->etag);
	if (rep->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
	if (rep->www_auth)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, rep->www_auth);
	enum MHD_Result ret = MHD_queue_response(c, rep->status ? rep->status : 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* ----------------------------------------------------------- form + ids */

static int hexval(int ch)
{
	return isdigit(ch) ? ch - '0' : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;
}

/* application/x-www-form-urlencoded body as a JSON object of strings (first value wins). */
static json_t *parse_form(const char *s, size_t len)
{
	json_t *o = json_object();
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '&')
			j++;
		struct sb k = {0}, v = {0};
		struct sb *cur = &k;
		sb_addn(&k, "", 0), sb_addn(&v, "", 0);
		for (size_t x = i; x < j; x++) {
			char ch = s[x];
			if (ch == '=' && cur == &k) {
				cur = &v;
				continue;
			}
			if (ch == '+')
				ch = ' ';
			else if (ch == '%' && x + 2 < j + 1 && x + 2 <= len - 1 && hexval((unsigned char)s[x + 1]) >= 0 &&
				 hexval((unsigned char)s[x + 2]) >= 0) {
				ch = (char)(hexval((unsigned char)s[x + 1]) * 16 + hexval((unsigned char)s[x + 2]));
				x += 2;
			}
			sb_addn(cur, &ch, 1);
		}
		if (k.len && !json_object_get(o, k.p))
			json_object_set_new(o, k.p, jstr(v.p));
		sb_reset(&k), sb_reset(&v);
		i = j + 1;
	}
	return o;
}

static void new_uuid(char out[37])
{
	char h[33];
	random_hex(h, 16);
	h[12] = '4';
	h[16] = "89ab"[hexval((unsigned char)h[16]) & 3];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* ------------------------------------------------------------ state ops */

static json_t *coll(const char *name) { return json_object_get(S.state, name); }

static int id_eq(json_t *o, const char *id)
{
	json_t *v = json_object_get(o, "id");
	if (json_is_string(v))
		return strcmp(json_string_value(v), id) == 0;
	if (json_is_integer(v)) {
		char b[32];
		snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strcmp(b, id) == 0;
	}
	return 0;
}

static json_t *find_by(const char *cname, const char *key, const char *val, size_t *idx)
{
	json_t *a = coll(cname), *o;
	size_t i;
	json_array_foreach(a, i, o) {
		int hit = strcmp(key, "id") == 0 ? id_eq(o, val)
			  : json_is_string(json_object_get(o, key)) && strcmp(json_string_value(json_object_get(o, key)), val) == 0;
		if (hit) {
			if (idx)
				*idx = i;
			return o;
		}
	}
	return NULL;
}

static json_t *find_id(const char *cname, const char *id, size_t *idx) { return find_by(cname, "id", id, idx); }

static const char *sget(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Date helpers: YYYY-MM-DD <-> day numbers. */
static void civil_from_days(long z, long *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static json_t *date_json(long days)
{
	long y;
	int m, d;
	char b[48];
	civil_from_days(days, &y, &m, &d);
	snprintf(b, sizeof b, "%04ld-%02d-%02d", y, m, d);
	return json_string(b);
}

/* Date field k of o: 0 ok (days set), 1 null/missing, -1 invalid. */
static int get_date(json_t *o, const char *k, long *days)
{
	json_t *v = json_object_get(o, k);
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v) || date_days(json_string_value(v), days))
		return -1;
	return 0;
}

/* Public view: a copy without the link keys the real API does not have. */
static json_t *view(json_t *o, const char *cname)
{
	json_t *c = json_deep_copy(o);
	static const char *strip[] = {"employerId", "employeeId", "employmentId", "payrollAdministrationId",
				      "citizenServiceNumber"};
	for (size_t i = 0; i < sizeof strip / sizeof strip[0]; i++)
		json_object_del(c, strip[i]);
	if (strcmp(cname, "payrollComponents") == 0)
		json_object_del(c, "year");
	if (strcmp(cname, "employments") == 0) {
		json_t *emp = find_id("employees", sget(o, "employeeId") ? sget(o, "employeeId") : "", NULL);
		json_t *pd = json_object_get(emp, "personalDetails");
		if (emp)
			json_object_set_new(c, "employee",
					    json_pack("{s:O,s:O*,s:O*,s:O*,s:O*,s:O*}", "id", json_object_get(emp, "id"),
						      "employeeNumber", json_object_get(emp, "employeeNumber"), "initials",
						      json_object_get(pd, "initials"), "firstName", json_object_get(pd, "firstName"),
						      "prefix", json_object_get(pd, "prefix"), "lastName",
						      json_object_get(pd, "lastName")));
		json_t *pa = find_id("payrollAdministrations",
				     sget(o, "payrollAdministrationId") ? sget(o, "payrollAdministrationId") : "", NULL);
		json_object_set_new(c, "payrollAdministration",
				    pa ? json_pack("{s:O,s:O*,s:O*,s:O*}", "id", json_object_get(pa, "id"), "name",
						   json_object_get(pa, "name"), "clientNumber", json_object_get(pa, "clientNumber"),
						   "description", json_object_get(pa, "description"))
				       : json_null());
	}
	return c;
}

static void etag_of(json_t *o, char out[24])
{
	json_t *v = view(o, "employees");
	char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s)
		oom();
	snprintf(out, 24, "\"%08x\"", fnv1a(2166136261u, s));
	free(s);
	json_decref(v);
}

/* ---------------------------------------------------------------- router */

#define MAX_SEGS 12

struct ctx {
	struct MHD_Connection *c;
	struct req *r;
	struct reply *rep;
	const char *p[4];   /* path parameters in order */
	json_t *body;       /* parsed JSON body (PUT/POST/PATCH) or NULL */
};

typedef void (*handler)(struct ctx *x);

static void single(struct ctx *x, unsigned status, json_t *content) /* steals content */
{
	reply_body(x->rep, status, json_pack("{s:o,s:[],s:o}", "version", version_obj(), "messages", "content", content));
}

/* Paged list of the objects in cname matching key == val (key NULL: all); filt optional. */
static void list_page(struct ctx *x, const char *cname, const char *key, const char *val,
		      int (*filt)(json_t *o, const char *a, const char *b), const char *fa, const char *fb)
{
	long long pn = 1, ps = 250;
	const char *s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "pageNumber");
	if (s && strict_ll(s, 1, 1000000, &pn)) {
		BBR(x->rep, 1001, "pageNumber must be an integer of at least 1");
		return;
	}
	s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "pageSize");
	if (s && strict_ll(s, 1, 100000, &ps)) {
		BBR(x->rep, 1002, "pageSize must be an integer 1..100000");
		return;
	}
	if (MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "filter") ||
	    MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "orderBy")) {
		loket_error(x->rep, 400, 1003, "Exception", "filter and orderBy are not supported by loket-emu");
		return;
	}
	json_t *all = json_array(), *a = coll(cname), *o;
	size_t i;
	json_array_foreach(a, i, o) {
		if (key && !(json_is_string(json_object_get(o, key)) && strcmp(sget(o, key), val) == 0))
			continue;
		if (filt && !filt(o, fa, fb))
			continue;
		json_array_append_new(all, view(o, cname));
	}
	long long total = (long long)json_array_size(all);
	long long pages = total ? (total + ps - 1) / ps : 1;
	json_t *page = json_array();
	for (long long k = (pn - 1) * ps; k < total && k < pn * ps; k++)
		json_array_append(page, json_array_get(all, (size_t)k));
	json_decref(all);
	reply_body(x->rep, 200,
		   json_pack("{s:I,s:I,s:I,s:I,s:o,s:[],s:o}", "totalSize", (json_int_t)total, "pageSize", (json_int_t)ps,
			     "totalPages", (json_int_t)pages, "currentPage", (json_int_t)pn, "version", version_obj(),
			     "messages", "_embedded", page));
}

static json_t *need(struct ctx *x, const char *cname, const char *id, const char *what)
{
	json_t *o = find_id(cname, id, NULL);
	if (!o)
		loket_error(x->rep, 404, 404, "NotFound", "%s not found", what);
	return o;
}

/* ----- reads */

static void h_employers(struct ctx *x) { list_page(x, "employers", NULL, NULL, NULL, NULL, NULL); }

static void h_employer(struct ctx *x)
{
	json_t *o = need(x, "employers", x->p[0], "employer");
	if (o)
		single(x, 200, view(o, "employers"));
}

static void h_payrolladmins(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		list_page(x, "payrollAdministrations", "employerId", x->p[0], NULL, NULL, NULL);
}

static void h_employees(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		list_page(x, "employees", "employerId", x->p[0], NULL, NULL, NULL);
}

static void h_employee_get(struct ctx *x)
{
	json_t *o = need(x, "employees", x->p[0], "employee");
	if (!o)
		return;
	etag_of(o, x->rep->etag);
	single(x, 200, view(o, "employees"));
}

static void h_bsn_get(struct ctx *x)
{
	json_t *o = need(x, "employees", x->p[0], "employee");
	if (!o)
		return;
	json_t *b = json_object_get(o, "citizenServiceNumber");
	single(x, 200, json_pack("{s:O}", "citizenServiceNumber", b ? b : json_null()));
}

/* employments whose employee belongs to employer a */
static int emp_of_employer(json_t *o, const char *a, const char *b)
{
	(void)b;
	json_t *e = find_id("employees", sget(o, "employeeId") ? sget(o, "employeeId") : "", NULL);
	return e && sget(e, "employerId") && strcmp(sget(e, "employerId"), a) == 0;
}

static void h_employments_er(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		list_page(x, "employments", NULL, NULL, emp_of_employer, x->p[0], NULL);
}

static void h_employments_ee(struct ctx *x)
{
	if (need(x, "employees", x->p[0], "employee"))
		list_page(x, "employments", "employeeId", x->p[0], NULL, NULL, NULL);
}

static void h_employment_get(struct ctx *x)
{
	json_t *o = need(x, "employments", x->p[0], "employment");
	if (o)
		single(x, 200, view(o, "employments"));
}

static void h_sub_list(struct ctx *x, const char *cname)
{
	if (need(x, "employments", x->p[0], "employment"))
		list_page(x, cname, "employmentId", x->p[0], NULL, NULL, NULL);
}
static void h_wages(struct ctx *x) { h_sub_list(x, "wages"); }
static void h_bds(struct ctx *x) { h_sub_list(x, "benefitsAndDeductions"); }
static void h_ppds(struct ctx *x) { h_sub_list(x, "payrollPeriodData"); }

static void h_sub_get(struct ctx *x, const char *cname, const char *what)
{
	json_t *o = need(x, cname, x->p[0], what);
	if (o)
		single(x, 200, view(o, cname));
}
static void h_wage_get(struct ctx *x) { h_sub_get(x, "wages", "wage"); }
static void h_bd_get(struct ctx *x) { h_sub_get(x, "benefitsAndDeductions", "benefit or deduction"); }
static void h_ppd_get(struct ctx *x) { h_sub_get(x, "payrollPeriodData", "payroll period data"); }
static void h_concept_get(struct ctx *x) { h_sub_get(x, "conceptEmployees", "concept employee"); }

static int year_is(json_t *o, const char *a, const char *b)
{
	(void)b;
	char y[32];
	snprintf(y, sizeof y, "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(o, "year")));
	return strcmp(y, a) == 0;
}

static void h_components(struct ctx *x)
{
	long long y;
	if (!need(x, "payrollAdministrations", x->p[0], "payroll administration"))
		return;
	if (strict_ll(x->p[1], 1900, 2999, &y)) {
		BBR(x->rep, 1004, "year must be a four-digit year");
		return;
	}
	list_page(x, "payrollComponents", "payrollAdministrationId", x->p[0], year_is, x->p[1], NULL);
}

static void h_periods(struct ctx *x)
{
	if (need(x, "payrollAdministrations", x->p[0], "payroll administration"))
		list_page(x, "payrollPeriods", "payrollAdministrationId", x->p[0], NULL, NULL, NULL);
}

static void h_concepts(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		list_page(x, "conceptEmployees", "employerId", x->p[0], NULL, NULL, NULL);
}

/* ----- writes */

static int body_object(struct ctx *x)
{
	if (!json_is_object(x->body)) {
		loket_error(x->rep, 400, 1000, "Exception", "The request body must be a JSON object");
		return 0;
	}
	return 1;
}

static const char *employer_of_employee(json_t *e) { return sget(e, "employerId") ? sget(e, "employerId") : ""; }

/* employeeNumber free within employer (other than self)? */
static int number_taken(const char *employer, json_int_t num, json_t *self)
{
	json_t *o;
	size_t i;
	json_array_foreach(coll("employees"), i, o) {
		if (o != self && strcmp(employer_of_employee(o), employer) == 0 &&
		    json_integer_value(json_object_get(o, "employeeNumber")) == num)
			return 1;
	}
	return 0;
}

static int check_employee_fields(struct ctx *x, json_t *b, const char *employer, json_t *self)
{
	json_t *n = json_object_get(b, "employeeNumber");
	if (n && !json_is_null(n)) {
		if (!json_is_integer(n) || json_integer_value(n) < 1) {
			BBR(x->rep, 1101, "employeeNumber must be an integer of at least 1");
			return 0;
		}
		if (number_taken(employer, json_integer_value(n), self)) {
			BBR(x->rep, 1102, "employeeNumber %" JSON_INTEGER_FORMAT " is already in use within this employer",
			    json_integer_value(n));
			return 0;
		}
	}
	json_t *pd = json_object_get(b, "personalDetails");
	if (pd && !json_is_object(pd)) {
		BBR(x->rep, 1103, "personalDetails must be an object");
		return 0;
	}
	if (pd) {
		const char *ln = sget(pd, "lastName"), *in = sget(pd, "initials");
		if (!ln || !*ln || strlen(ln) > 25) {
			BBR(x->rep, 1104, "personalDetails.lastName is required (max 25 characters)");
			return 0;
		}
		if (!in || !*in || strlen(in) > 6) {
			BBR(x->rep, 1105, "personalDetails.initials is required (max 6 characters)");
			return 0;
		}
		long d;
		if (get_date(pd, "dateOfBirth", &d) < 0) {
			BBR(x->rep, 1106, "personalDetails.dateOfBirth must be a date (YYYY-MM-DD)");
			return 0;
		}
	}
	return 1;
}

static void h_employee_put(struct ctx *x)
{
	json_t *o = need(x, "employees", x->p[0], "employee");
	if (!o || !body_object(x))
		return;
	const char *im = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH);
	char tag[24];
	etag_of(o, tag);
	if (im && strcmp(im, "*") != 0 && strcmp(im, tag) != 0) {
		loket_error(x->rep, 412, 412, "BrokenBusinessRule",
			    "The resource has been modified since it was retrieved (If-Match does not match the ETag)");
		return;
	}
	if (!check_employee_fields(x, x->body, employer_of_employee(o), o))
		return;
	static const char *ro[] = {"id", "employerId", "citizenServiceNumber", "statusEmployeeSelfService",
				   "revokeEmployeeSelfServiceAccessOn"};
	const char *k;
	json_t *v;
	json_object_foreach(x->body, k, v) {
		int skip = 0;
		for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
			skip |= strcmp(k, ro[i]) == 0;
		if (!skip)
			json_object_set(o, k, v);
	}
	etag_of(o, x->rep->etag);
	single(x, 200, view(o, "employees"));
}

static int bsn_valid(const char *s)
{
	if (!s || strlen(s) != 9)
		return 0;
	int sum = 0;
	for (int i = 0; i < 9; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		sum += (i < 8 ? 9 - i : -1) * (s[i] - '0');
	}
	return sum % 11 == 0 && strcmp(s, "000000000") != 0;
}

static void h_bsn_put(struct ctx *x)
{
	json_t *o = need(x, "employees", x->p[0], "employee");
	if (!o || !body_object(x))
		return;
	const char *b = sget(x->body, "citizenServiceNumber");
	if (!bsn_valid(b)) {
		BBR(x->rep, 1201, "citizenServiceNumber has to be a valid Dutch citizen service number (9 digits, 11-test)");
		return;
	}
	json_object_set_new(o, "citizenServiceNumber", json_string(b));
	single(x, 200, json_pack("{s:s}", "citizenServiceNumber", b));
}

static void h_concept_post(struct ctx *x)
{
	if (!need(x, "employers", x->p[0], "employer") || !body_object(x))
		return;
	json_t *ed = json_object_get(x->body, "employeeData");
	if (ed && !json_is_object(ed)) {
		BBR(x->rep, 1301, "employeeData must be an object");
		return;
	}
	json_t *o = json_deep_copy(x->body);
	char id[37];
	new_uuid(id);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "employerId", json_string(x->p[0]));
	json_array_append_new(coll("conceptEmployees"), o);
	single(x, 201, view(o, "conceptEmployees"));
}

static json_t *wage_new(const char *employment, json_t *src, const char *start);

static void h_convert(struct ctx *x)
{
	size_t ci;
	json_t *ce = find_id("conceptEmployees", x->p[0], &ci);
	if (!ce) {
		loket_error(x->rep, 404, 404, "NotFound", "concept employee not found");
		return;
	}
	const char *er = sget(ce, "employerId") ? sget(ce, "employerId") : "";
	json_t *ed = json_object_get(ce, "employeeData"), *md = json_object_get(ce, "employmentData");
	json_t *pd = json_object_get(ed, "personalDetails");
	if (!json_is_object(pd)) {
		BBR(x->rep, 1401, "employeeData.personalDetails is required");
		return;
	}
	json_t *emp = json_pack("{s:O}", "personalDetails", pd);
	json_t *num = json_object_get(ed, "employeeNumber");
	if (num && !json_is_null(num))
		json_object_set(emp, "employeeNumber", num);
	if (!check_employee_fields(x, emp, er, NULL)) {
		json_decref(emp);
		return;
	}
	const char *paid = sget(json_object_get(md, "payrollAdministration"), "id");
	json_t *pa = paid ? find_id("payrollAdministrations", paid, NULL) : NULL;
	long sd;
	if (!pa || !sget(pa, "employerId") || strcmp(sget(pa, "employerId"), er) != 0) {
		json_decref(emp);
		BBR(x->rep, 1402, "employmentData.payrollAdministration.id must be a payroll administration of the employer");
		return;
	}
	if (get_date(md, "startDate", &sd) != 0) {
		json_decref(emp);
		BBR(x->rep, 1403, "employmentData.startDate is required (YYYY-MM-DD)");
		return;
	}
	const char *validate = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-ValidateOnly");
	if (validate && strcasecmp(validate, "true") == 0) {
		json_decref(emp);
		single(x, 200, json_null());
		return;
	}
	if (!json_object_get(emp, "employeeNumber")) {
		json_int_t max = 0;
		json_t *o;
		size_t i;
		json_array_foreach(coll("employees"), i, o) {
			json_int_t n = json_integer_value(json_object_get(o, "employeeNumber"));
			if (strcmp(employer_of_employee(o), er) == 0 && n > max)
				max = n;
		}
		json_object_set_new(emp, "employeeNumber", json_integer(max + 1));
	}
	static const char *copy[] = {"address", "contactInformation", "identityDocument"};
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++)
		if (json_object_get(ed, copy[i]))
			json_object_set(emp, copy[i], json_object_get(ed, copy[i]));
	json_object_set(emp, "id", json_object_get(ce, "id")); /* the GUID is copied over */
	json_object_set_new(emp, "employerId", json_string(er));
	if (json_object_get(ce, "citizenServiceNumber"))
		json_object_set(emp, "citizenServiceNumber", json_object_get(ce, "citizenServiceNumber"));
	json_array_append_new(coll("employees"), emp);

	char mid[37];
	new_uuid(mid);
	json_t *inr = json_object_get(md, "incomeRelationshipNumber");
	json_t *m = json_pack("{s:s,s:O,s:s,s:O,s:n,s:I}", "id", mid, "employeeId", json_object_get(ce, "id"),
			      "payrollAdministrationId", paid, "startDate", json_object_get(md, "startDate"), "endDate",
			      "incomeRelationshipNumber", json_is_integer(inr) ? json_integer_value(inr) : (json_int_t)1);
	static const char *mcopy[] = {"historicalStartDate", "employmentContractType", "employmentDurationType",
				      "typeOfEmployee", "namePayslip"};
	for (size_t i = 0; i < sizeof mcopy / sizeof mcopy[0]; i++)
		if (json_object_get(md, mcopy[i]))
			json_object_set(m, mcopy[i], json_object_get(md, mcopy[i]));
	json_array_append_new(coll("employments"), m);
	json_t *wd = json_object_get(ce, "wageData");
	if (json_is_number(json_object_get(wd, "grossWage")))
		json_array_append_new(coll("wages"), wage_new(mid, wd, sget(md, "startDate")));
	json_t *res = json_pack("{s:O,s:s}", "employeeId", json_object_get(emp, "id"), "employmentId", mid);
	json_array_remove(coll("conceptEmployees"), ci);
	single(x, 200, res);
}

/* --- wages: linked chain */

static json_t *wage_new(const char *employment, json_t *src, const char *start)
{
	json_t *w = json_deep_copy(src);
	char id[37];
	new_uuid(id);
	json_object_set_new(w, "id", json_string(id));
	json_object_set_new(w, "employmentId", json_string(employment));
	json_object_set_new(w, "startDate", json_string(start));
	json_object_set_new(w, "endDate", json_null());
	if (!json_object_get(w, "grossWageType"))
		json_object_set_new(w, "grossWageType", json_pack("{s:i}", "key", 1));
	if (!json_object_get(w, "payrollPeriodType"))
		json_object_set_new(w, "payrollPeriodType", json_pack("{s:i,s:s}", "key", 1, "value", "Maand"));
	return w;
}

static int check_amount(struct ctx *x, json_t *b, const char *k, double lo, double hi, int required)
{
	json_t *v = json_object_get(b, k);
	if (!v && !required)
		return 1;
	if (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi) {
		BBR(x->rep, 1501, "%s must be a number %.2f..%.2f", k, lo, hi);
		return 0;
	}
	return 1;
}

/* Wage records of employment, sorted by startDate (array of borrowed refs). */
static int cmp_start(const void *a, const void *b)
{
	return strcmp(sget(*(json_t *const *)a, "startDate"), sget(*(json_t *const *)b, "startDate"));
}

static size_t chain(const char *cname, const char *employment, json_t ***out)
{
	json_t *o;
	size_t i, n = 0;
	json_t **v = xcalloc(json_array_size(coll(cname)) + 1, sizeof *v);
	json_array_foreach(coll(cname), i, o) {
		if (sget(o, "employmentId") && strcmp(sget(o, "employmentId"), employment) == 0 && sget(o, "startDate"))
			v[n++] = o;
	}
	qsort(v, n, sizeof *v, cmp_start);
	*out = v;
	return n;
}

static void set_end_before(json_t *o, long start)
{
	json_object_set_new(o, "endDate", date_json(start - 1));
}

static void h_wage_post(struct ctx *x)
{
	json_t *m = need(x, "employments", x->p[0], "employment");
	if (!m || !body_object(x))
		return;
	long sd, ms, me;
	if (get_date(x->body, "startDate", &sd) != 0) {
		BBR(x->rep, 1502, "startDate is required (YYYY-MM-DD)");
		return;
	}
	if (!check_amount(x, x->body, "grossWage", 0.01, 999999.99, 1))
		return;
	if (get_date(m, "startDate", &ms) == 0 && sd < ms) {
		BBR(x->rep, 1503, "startDate lies before the start of the employment");
		return;
	}
	if (get_date(m, "endDate", &me) == 0 && sd > me) {
		BBR(x->rep, 1504, "startDate lies after the end of the employment");
		return;
	}
	json_t **v;
	size_t n = chain("wages", x->p[0], &v);
	if (n) {
		long last;
		date_days(sget(v[n - 1], "startDate"), &last);
		if (sd <= last) {
			BBR(x->rep, 1505,
			    "Linked date chain: a new record can only be added at the end of the chain (startDate must be after %s)",
			    sget(v[n - 1], "startDate"));
			free(v);
			return;
		}
		set_end_before(v[n - 1], sd);
	}
	free(v);
	json_t *body = json_deep_copy(x->body);
	json_object_del(body, "id");
	json_t *w = wage_new(x->p[0], body, sget(x->body, "startDate"));
	json_decref(body);
	if (get_date(m, "endDate", &me) == 0)
		json_object_set_new(w, "endDate", date_json(me));
	json_array_append_new(coll("wages"), w);
	single(x, 201, view(w, "wages"));
}

static void h_wage_put(struct ctx *x)
{
	json_t *w = need(x, "wages", x->p[0], "wage");
	if (!w || !body_object(x))
		return;
	if (!check_amount(x, x->body, "grossWage", 0.01, 999999.99, 0))
		return;
	long sd;
	int has = get_date(x->body, "startDate", &sd);
	if (has < 0) {
		BBR(x->rep, 1502, "startDate must be a date (YYYY-MM-DD)");
		return;
	}
	json_t **v;
	size_t n = chain("wages", sget(w, "employmentId"), &v), pos = 0;
	while (pos < n && v[pos] != w)
		pos++;
	if (has == 0) {
		long prev = LONG_MIN, next = LONG_MAX, ms;
		if (pos > 0)
			date_days(sget(v[pos - 1], "startDate"), &prev);
		else if (get_date(find_id("employments", sget(w, "employmentId"), NULL), "startDate", &ms) == 0)
			prev = ms - 1;
		if (pos + 1 < n)
			date_days(sget(v[pos + 1], "startDate"), &next);
		if (sd <= prev || sd >= next) {
			free(v);
			BBR(x->rep, 1506, "Linked date chain: startDate must stay between the previous and the next record");
			return;
		}
		if (pos > 0)
			set_end_before(v[pos - 1], sd);
	}
	free(v);
	const char *k;
	json_t *val;
	json_object_foreach(x->body, k, val) {
		if (strcmp(k, "id") && strcmp(k, "endDate") && strcmp(k, "employmentId") && strcmp(k, "payrollPeriodType"))
			json_object_set(w, k, val);
	}
	single(x, 200, view(w, "wages"));
}

static void h_wage_delete(struct ctx *x)
{
	size_t idx;
	json_t *w = find_id("wages", x->p[0], &idx);
	if (!w) {
		loket_error(x->rep, 404, 404, "NotFound", "wage not found");
		return;
	}
	json_t **v;
	size_t n = chain("wages", sget(w, "employmentId"), &v), pos = 0;
	while (pos < n && v[pos] != w)
		pos++;
	if (pos == 0 && n > 1) {
		free(v);
		BBR(x->rep, 1507, "Linked date chain: the first record cannot be deleted while later records exist");
		return;
	}
	if (pos > 0) /* no gap: the previous record takes over the end date */
		json_object_set(v[pos - 1], "endDate", json_object_get(w, "endDate"));
	free(v);
	json_array_remove(coll("wages"), idx);
	single(x, 200, json_null());
}

/* --- benefits and deductions: broken chain per payrollComponent.key */

static json_t *employment_admin_component(json_t *m, json_int_t key)
{
	const char *pa = sget(m, "payrollAdministrationId");
	json_t *o;
	size_t i;
	json_array_foreach(coll("payrollComponents"), i, o) {
		if (pa && sget(o, "payrollAdministrationId") && strcmp(sget(o, "payrollAdministrationId"), pa) == 0 &&
		    json_integer_value(json_object_get(o, "key")) == key)
			return o;
	}
	return NULL;
}

/* Validate and normalise a benefit body into rec (existing or new); 0 on error (reply set). */
static int bd_apply(struct ctx *x, json_t *m, json_t *rec, json_t *self, int partial)
{
	json_t *b = x->body, *pc = json_object_get(b, "payrollComponent");
	json_int_t key = json_integer_value(json_object_get(json_object_get(rec, "payrollComponent"), "key"));
	if (pc || !partial) {
		if (!json_is_integer(json_object_get(pc, "key"))) {
			BBR(x->rep, 1601, "payrollComponent.key is required");
			return 0;
		}
		key = json_integer_value(json_object_get(pc, "key"));
	}
	json_t *cat = employment_admin_component(m, key);
	if (!cat) {
		BBR(x->rep, 1602, "payrollComponent %" JSON_INTEGER_FORMAT " is not available for this payroll administration", key);
		return 0;
	}
	if (!check_amount(x, b, "value", 0.01, 99999.99, !partial))
		return 0;
	long sd, ed;
	int hs = get_date(b, "startDate", &sd), he = get_date(b, "endDate", &ed);
	if (hs < 0 || (hs == 1 && !partial) || he < 0) {
		BBR(x->rep, 1603, "startDate is required and startDate/endDate must be dates (YYYY-MM-DD)");
		return 0;
	}
	if (hs == 1)
		get_date(rec, "startDate", &sd);
	if (!json_object_get(b, "endDate"))
		he = get_date(rec, "endDate", &ed);
	if (he == 0 && ed < sd) {
		BBR(x->rep, 1604, "endDate lies before startDate");
		return 0;
	}
	json_t *o;
	size_t i;
	json_array_foreach(coll("benefitsAndDeductions"), i, o) {
		long os, oe;
		if (o == self || !sget(o, "employmentId") || strcmp(sget(o, "employmentId"), sget(m, "id")) != 0 ||
		    json_integer_value(json_object_get(json_object_get(o, "payrollComponent"), "key")) != key ||
		    get_date(o, "startDate", &os) != 0)
			continue;
		if (get_date(o, "endDate", &oe) != 0)
			oe = LONG_MAX;
		if (sd <= oe && os <= (he == 0 ? ed : LONG_MAX)) {
			BBR(x->rep, 1605,
			    "The period overlaps an existing record for payrollComponent %" JSON_INTEGER_FORMAT
			    " (no overlap allowed within the chain of one payroll component)", key);
			return 0;
		}
	}
	json_object_set_new(rec, "payrollComponent",
			    json_pack("{s:I,s:O*,s:O*,s:O*}", "key", key, "description", json_object_get(cat, "description"),
				      "category", json_object_get(cat, "category"), "deductionOrPayment",
				      json_object_get(cat, "deductionOrPayment")));
	if (json_object_get(b, "value"))
		json_object_set(rec, "value", json_object_get(b, "value"));
	json_object_set_new(rec, "startDate", date_json(sd));
	json_object_set_new(rec, "endDate", he == 0 ? date_json(ed) : json_null());
	return 1;
}

static void h_bd_post(struct ctx *x)
{
	json_t *m = need(x, "employments", x->p[0], "employment");
	if (!m || !body_object(x))
		return;
	char id[37];
	new_uuid(id);
	json_t *rec = json_pack("{s:s,s:s}", "id", id, "employmentId", x->p[0]);
	if (!bd_apply(x, m, rec, NULL, 0)) {
		json_decref(rec);
		return;
	}
	json_array_append_new(coll("benefitsAndDeductions"), rec);
	single(x, 201, view(rec, "benefitsAndDeductions"));
}

static void h_bd_put(struct ctx *x)
{
	json_t *rec = need(x, "benefitsAndDeductions", x->p[0], "benefit or deduction");
	if (!rec || !body_object(x))
		return;
	json_t *m = find_id("employments", sget(rec, "employmentId") ? sget(rec, "employmentId") : "", NULL);
	json_t *tmp = json_deep_copy(rec);
	if (!m || !bd_apply(x, m, tmp, rec, 1)) {
		if (!m)
			loket_error(x->rep, 404, 404, "NotFound", "employment not found");
		json_decref(tmp);
		return;
	}
	json_object_update(rec, tmp);
	json_decref(tmp);
	single(x, 200, view(rec, "benefitsAndDeductions"));
}

static void h_bd_delete(struct ctx *x)
{
	size_t idx;
	if (!find_id("benefitsAndDeductions", x->p[0], &idx)) {
		loket_error(x->rep, 404, 404, "NotFound", "benefit or deduction not found");
		return;
	}
	json_array_remove(coll("benefitsAndDeductions"), idx);
	single(x, 200, json_null());
}

/* --- payroll period data: upsert keyed on the combination from the spec */

static json_t *ppd_key(json_t *b)
{
	json_t *pp = json_object_get(b, "payrollPeriod");
	json_t *shift = json_object_get(json_object_get(b, "shift"), "shiftNumber");
	json_t *pst = json_object_get(json_object_get(b, "payslipType"), "key");
	json_t *du = json_object_get(json_object_get(b, "distributionUnit"), "key");
	json_t *cc = json_object_get(json_object_get(b, "costCenter"), "key");
	json_t *cu = json_object_get(json_object_get(b, "costUnit"), "key");
	json_t *parts[] = {json_object_get(pp, "year"), json_object_get(pp, "periodNumber"), shift, pst, du, cc, cu};
	json_t *k = json_array();
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (i == 2 && !parts[i]) /* default: shift 1 */
			json_array_append_new(k, json_integer(1));
		else
			json_array_append(k, parts[i] ? parts[i] : json_null());
	}
	return k;
}

/* Validate a PATCH/POST body; returns 1 ok. */
static int ppd_check(struct ctx *x, json_t *m)
{
	json_t *pp = json_object_get(x->body, "payrollPeriod");
	json_t *y = json_object_get(pp, "year"), *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || !json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 53) {
		BBR(x->rep, 1701, "payrollPeriod.year and payrollPeriod.periodNumber (1..53) are required");
		return 0;
	}
	const char *pa = sget(m, "payrollAdministrationId");
	int any = 0, hit = 0;
	json_t *o;
	size_t i;
	json_array_foreach(coll("payrollPeriods"), i, o) {
		if (!pa || !sget(o, "payrollAdministrationId") || strcmp(sget(o, "payrollAdministrationId"), pa) != 0)
			continue;
		if (json_integer_value(json_object_get(o, "year")) != json_integer_value(y))
			continue;
		any = 1;
		hit |= json_integer_value(json_object_get(o, "periodNumber")) == json_integer_value(p);
	}
	if (any && !hit) {
		BBR(x->rep, 1702, "payrollPeriod %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
			" does not exist for this payroll administration", json_integer_value(y), json_integer_value(p));
		return 0;
	}
	json_t *pcs = json_object_get(x->body, "payrollComponents");
	if (pcs && !json_is_array(pcs)) {
		BBR(x->rep, 1703, "payrollComponents must be an array");
		return 0;
	}
	json_array_foreach(pcs, i, o) {
		json_t *k = json_object_get(json_object_get(o, "payrollComponent"), "key");
		if (!json_is_integer(k) || !json_is_number(json_object_get(o, "value"))) {
			BBR(x->rep, 1704, "payrollComponents[%zu] needs payrollComponent.key and a numeric value", i);
			return 0;
		}
		json_t *cat = employment_admin_component(m, json_integer_value(k));
		if (!cat) {
			BBR(x->rep, 1705, "payrollComponent %" JSON_INTEGER_FORMAT " is not available for this payroll administration",
			    json_integer_value(k));
			return 0;
		}
		if (json_is_true(json_object_get(o, "isSupplement")) && !json_is_true(json_object_get(cat, "canBeSupplemented"))) {
			BBR(x->rep, 1706, "payrollComponent %" JSON_INTEGER_FORMAT " cannot be supplemented", json_integer_value(k));
			return 0;
		}
	}
	return 1;
}

static json_t *ppd_find(const char *employment, json_t *key)
{
	json_t *o;
	size_t i;
	json_array_foreach(coll("payrollPeriodData"), i, o) {
		if (!sget(o, "employmentId") || strcmp(sget(o, "employmentId"), employment) != 0)
			continue;
		json_t *k = ppd_key(o);
		int eq = json_equal(k, key);
		json_decref(k);
		if (eq)
			return o;
	}
	return NULL;
}

static void ppd_merge_components(json_t *rec, json_t *pcs)
{
	json_t *cur = json_object_get(rec, "payrollComponents");
	if (!json_is_array(cur)) {
		cur = json_array();
		json_object_set_new(rec, "payrollComponents", cur);
	}
	json_t *o;
	size_t i;
	json_array_foreach(pcs, i, o) {
		json_int_t k = json_integer_value(json_object_get(json_object_get(o, "payrollComponent"), "key"));
		json_t *e;
		size_t j;
		int done = 0;
		json_array_foreach(cur, j, e) {
			if (json_integer_value(json_object_get(json_object_get(e, "payrollComponent"), "key")) == k) {
				json_array_set(cur, j, o);
				done = 1;
				break;
			}
		}
		if (!done)
			json_array_append(cur, o);
	}
}

static void ppd_write(struct ctx *x, int upsert)
{
	json_t *m = need(x, "employments", x->p[0], "employment");
	if (!m || !body_object(x) || !ppd_check(x, m))
		return;
	json_t *key = ppd_key(x->body);
	json_t *rec = ppd_find(x->p[0], key);
	json_decref(key);
	if (rec && !upsert) {
		BBR(x->rep, 1707, "A record for this payrollPeriod, shift, payslipType, distributionUnit, costCenter and "
				  "costUnit already exists (use PATCH to upsert)");
		return;
	}
	unsigned status = rec ? 200 : upsert ? 200 : 201;
	if (!rec) {
		char id[37];
		new_uuid(id);
		rec = json_pack("{s:s,s:s,s:{s:O,s:O},s:o,s:o,s:o,s:o,s:o,s:o,s:[]}", "id", id, "employmentId", x->p[0],
				"payrollPeriod", "year", json_object_get(json_object_get(x->body, "payrollPeriod"), "year"),
				"periodNumber", json_object_get(json_object_get(x->body, "payrollPeriod"), "periodNumber"),
				"shift", json_pack("{s:i}", "shiftNumber", 1), "payslipType", json_null(), "distributionUnit",
				json_null(), "costCenter", json_null(), "costUnit", json_null(), "payslipText", json_null(),
				"payrollComponents");
		static const char *ks[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
		for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
			if (json_object_get(x->body, ks[i]))
				json_object_set(rec, ks[i], json_object_get(x->body, ks[i]));
		json_array_append_new(coll("payrollPeriodData"), rec);
	}
	if (json_object_get(x->body, "payslipText"))
		json_object_set(rec, "payslipText", json_object_get(x->body, "payslipText"));
	ppd_merge_components(rec, json_object_get(x->body, "payrollComponents"));
	single(x, status, view(rec, "payrollPeriodData"));
}

static void h_ppd_patch(struct ctx *x) { ppd_write(x, 1); }
static void h_ppd_post(struct ctx *x) { ppd_write(x, 0); }

static void h_ppd_delete(struct ctx *x)
{
	size_t idx;
	if (!find_id("payrollPeriodData", x->p[0], &idx)) {
		loket_error(x->rep, 404, 404, "NotFound", "payroll period data not found");
		return;
	}
	json_array_remove(coll("payrollPeriodData"), idx);
	single(x, 200, json_null());
}

/* --- terminate */

static void close_open(const char *cname, const char *employment, long end)
{
	json_t *o;
	size_t i;
	json_array_foreach(coll(cname), i, o) {
		long e, s;
		if (!sget(o, "employmentId") || strcmp(sget(o, "employmentId"), employment) != 0)
			continue;
		if (get_date(o, "startDate", &s) == 0 && s <= end && (get_date(o, "endDate", &e) != 0 || e > end))
			json_object_set_new(o, "endDate", date_json(end));
	}
}

static void h_terminate(struct ctx *x)
{
	json_t *m = need(x, "employments", x->p[0], "employment");
	if (!m || !body_object(x))
		return;
	long ed, sd;
	if (get_date(x->body, "endDate", &ed) != 0) {
		BBR(x->rep, 1801, "endDate is required (YYYY-MM-DD)");
		return;
	}
	if (get_date(m, "endDate", &sd) == 0) {
		BBR(x->rep, 1802, "The employment has already been terminated");
		return;
	}
	if (get_date(m, "startDate", &sd) == 0 && ed < sd) {
		BBR(x->rep, 1803, "endDate lies before the start of the employment");
		return;
	}
	json_object_set(m, "endDate", json_object_get(x->body, "endDate"));
	static const char *ks[] = {"endOfEmploymentReason", "endOfEmploymentReasonTaxAuthorities",
				   "endOfEmploymentDueToIllness"};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
		if (json_object_get(x->body, ks[i]))
			json_object_set(m, ks[i], json_object_get(x->body, ks[i]));
	close_open("wages", x->p[0], ed);
	close_open("benefitsAndDeductions", x->p[0], ed);
	single(x, 200, view(m, "employments"));
}

/* Routes relative to /v2; "*" is a path parameter; literals compare case-insensitively. */
static const struct { const char *method, *pattern; handler h; } API[] = {
	{"GET", "providers/employers", h_employers},
	{"GET", "providers/employers/*", h_employer},
	{"GET", "providers/employers/*/payrolladministrations", h_payrolladmins},
	{"GET", "providers/employers/*/employees", h_employees},
	{"GET", "providers/employers/*/employees/employments", h_employments_er},
	{"GET", "providers/employers/employees/*", h_employee_get},
	{"PUT", "providers/employers/employees/*", h_employee_put},
	{"GET", "providers/employers/employees/*/citizenservicenumber", h_bsn_get},
	{"PUT", "providers/employers/employees/*/citizenservicenumber", h_bsn_put},
	{"GET", "providers/employers/employees/*/employments", h_employments_ee},
	{"GET", "providers/employers/employees/employments/*", h_employment_get},
	{"PATCH", "providers/employers/employees/employments/*/terminate", h_terminate},
	{"GET", "providers/employers/employees/employments/wages/*", h_wage_get},
	{"PUT", "providers/employers/employees/employments/wages/*", h_wage_put},
	{"DELETE", "providers/employers/employees/employments/wages/*", h_wage_delete},
	{"GET", "providers/employers/employees/employments/*/wages", h_wages},
	{"POST", "providers/employers/employees/employments/*/wages", h_wage_post},
	{"GET", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_get},
	{"PUT", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_put},
	{"DELETE", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_delete},
	{"GET", "providers/employers/employees/employments/*/benefitsanddeductions", h_bds},
	{"POST", "providers/employers/employees/employments/*/benefitsanddeductions", h_bd_post},
	{"GET", "providers/employers/employees/employments/payrollperioddata/*", h_ppd_get},
	{"DELETE", "providers/employers/employees/employments/payrollperioddata/*", h_ppd_delete},
	{"GET", "providers/employers/employees/employments/*/payrollperioddata", h_ppds},
	{"POST", "providers/employers/employees/employments/*/payrollperioddata", h_ppd_post},
	{"PATCH", "providers/employers/employees/employments/*/payrollperioddata", h_ppd_patch},
	{"GET", "providers/employers/payrolladministrations/*/payrollcomponents/year/*", h_components},
	{"GET", "providers/employers/payrolladministrations/*/payrollperiods", h_periods},
	{"GET", "providers/employers/*/conceptemployees", h_concepts},
	{"POST", "providers/employers/*/conceptemployees", h_concept_post},
	{"GET", "providers/employers/conceptemployees/*", h_concept_get},
	{"PATCH", "providers/employers/conceptemployees/*/convertToEmployee", h_convert},
};

static size_t split(char *path, char *segs[MAX_SEGS + 1])
{
	size_t n = 0;
	char *save = NULL;
	for (char *s = strtok_r(path, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGS)
			return MAX_SEGS + 1;
		segs[n++] = s;
	}
	return n;
}

/* Route index for method+url (relative to /v2/), -1 not found, -2 wrong method (allow set). */
static int route(const char *method, char *u, const char **params, char *allow, size_t allowlen)
{
	char *us[MAX_SEGS + 1];
	size_t nu = split(u, us);
	int res = -1;
	allow[0] = '\0';
	for (size_t i = 0; i < sizeof API / sizeof API[0] && res < 0; i++) {
		char *p = xstrdup(API[i].pattern), *ps[MAX_SEGS + 1];
		size_t np = split(p, ps), k;
		int npar = 0;
		if (np == nu) {
			for (k = 0; k < np; k++) {
				if (strcmp(ps[k], "*") == 0)
					npar < 4 ? (void)(params[npar++] = us[k]) : (void)0;
				else if (strcasecmp(ps[k], us[k]) != 0)
					break;
			}
			if (k == np) {
				if (strcmp(method, API[i].method) == 0)
					res = (int)i;
				else if (strlen(allow) + strlen(API[i].method) + 3 < allowlen) {
					if (allow[0])
						strcat(allow, ", ");
					strcat(allow, API[i].method);
				}
			}
		}
		free(p);
	}
	return res >= 0 ? res : allow[0] ? -2 : -1;
}

/* ------------------------------------------------------------------ auth */

static const char *bearer(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h)
		return NULL;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static int secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t k = 0; k < lb; k++)
		diff |= (unsigned char)(b[k] ^ a[k % (la ? la : 1)]);
	return !diff;
}

static void oauth_error(struct reply *rep, unsigned status, const char *error, const char *desc)
{
	reply_body(rep, status, json_pack("{s:s,s:s}", "error", error, "error_description", desc));
}

/* POST /token (form).  Called with S.lock held. */
static void handle_token(struct req *r, struct reply *rep)
{
	if (r->too_large) {
		oauth_error(rep, 400, "invalid_request", "request body too large");
		return;
	}
	json_t *f = parse_form(r->raw.p ? r->raw.p : "", r->raw.len);
	const char *gt = sget(f, "grant_type"), *id = sget(f, "client_id"), *sec = sget(f, "client_secret");
	if (!id) /* the spec's refresh example spells it client_Id */
		id = sget(f, "client_Id");
	if (!gt || !*gt) {
		oauth_error(rep, 400, "invalid_request", "grant_type is required");
	} else if (strcmp(gt, "authorization_code") != 0 && strcmp(gt, "refresh_token") != 0) {
		oauth_error(rep, 400, "unsupported_grant_type", "only authorization_code and refresh_token are supported");
	} else if (!id || !sec || !secret_eq(id, g_client_id) || !secret_eq(sec, g_client_secret)) {
		oauth_error(rep, 400, "invalid_client", "client authentication failed");
	} else {
		int code = strcmp(gt, "authorization_code") == 0;
		const char *g = sget(f, code ? "code" : "refresh_token");
		if (!g || !*g) {
			oauth_error(rep, 400, "invalid_request", code ? "code is required" : "refresh_token is required");
		} else if (!check_token_locked(g, code ? TOK_CODE : TOK_REFRESH, 1)) {
			oauth_error(rep, 400, "invalid_grant", code ? "invalid or expired code" : "invalid refresh_token");
		} else {
			char acc[72], ref[72];
			mint_token_locked(TOK_ACCESS, g_token_ttl, acc);
			mint_token_locked(TOK_REFRESH, 400LL * 86400, ref);
			reply_body(rep, 200,
				   json_pack("{s:s,s:s,s:I,s:s,s:s}", "access_token", acc, "token_type", "bearer", "expires_in",
					     (json_int_t)g_token_ttl, "refresh_token", ref, "two_factor_state", "None"));
		}
	}
	json_decref(f);
}

/* ------------------------------------------------------------- control */

static void handle_control(struct req *r, const char *url, const char *method, struct reply *rep)
{
	rep->status = 200;
	rep->ctype = "application/json";
	const char *want = strcmp(url, "/__emu/stats") == 0 || strcmp(url, "/__emu/state") == 0 ? "GET" : "POST";
	int known = strcmp(url, "/__emu/stats") == 0 || strcmp(url, "/__emu/state") == 0 ||
		    strcmp(url, "/__emu/faults") == 0 || strcmp(url, "/__emu/reset") == 0 ||
		    strcmp(url, "/__emu/authcode") == 0 || strcmp(url, "/__emu/revoke-tokens") == 0;
	if (!known) {
		reply_body(rep, 404, json_pack("{s:s}", "error", "unknown control endpoint"));
		return;
	}
	if (strcmp(method, want) != 0) {
		reply_body(rep, 405, json_pack("{s:s}", "error", "method not allowed"));
		snprintf(rep->allow, sizeof rep->allow, "%s", want);
		return;
	}
	pthread_mutex_lock(&S.lock);
	if (strcmp(url, "/__emu/stats") == 0) {
		json_t *bp = json_object();
		for (size_t i = 0; i < S.npaths; i++)
			json_object_set_new(bp, S.paths[i].path, json_integer((json_int_t)S.paths[i].n));
		if (S.other_paths)
			json_object_set_new(bp, "(other)", json_integer((json_int_t)S.other_paths));
		sb_json(&rep->body,
			json_pack("{s:I,s:o,s:{s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I}}", "requests", (json_int_t)S.requests,
				  "by_path", bp, "faults", "429", (json_int_t)S.f429, "500", (json_int_t)S.f500, "drop",
				  (json_int_t)S.fdrop, "malformed", (json_int_t)S.fmal, "other", (json_int_t)S.fother,
				  "pending", "429", (json_int_t)S.plan.n429, "500", (json_int_t)S.plan.n500, "drop",
				  (json_int_t)S.plan.ndrop));
	} else if (strcmp(url, "/__emu/state") == 0) {
		char *s = json_dumps(S.state, DUMP_FLAGS);
		if (!s)
			oom();
		sb_adds(&rep->body, s);
		free(s);
	} else if (strcmp(url, "/__emu/faults") == 0) {
		struct plan p;
		char err[256];
		if (r->too_large) {
			reply_body(rep, 413, json_pack("{s:s}", "error", "fault plan too large"));
		} else if (plan_parse(r->raw.p ? r->raw.p : "", r->raw.len, &p, err, sizeof err)) {
			reply_body(rep, 400, json_pack("{s:o}", "error", jstr(err)));
		} else {
			plan_free(&S.plan);
			S.plan = p;
			sb_adds(&rep->body, "{\"ok\":true}");
		}
	} else if (strcmp(url, "/__emu/reset") == 0) {
		reset_counters_locked();
		plan_free(&S.plan);
		plan_default(&S.plan);
		json_decref(S.state);
		S.state = json_deep_copy(g_initial);
		if (!S.state)
			oom();
		sb_adds(&rep->body, "{\"ok\":true}");
	} else if (strcmp(url, "/__emu/authcode") == 0) {
		char code[72];
		mint_token_locked(TOK_CODE, 600, code);
		sb_json(&rep->body, json_pack("{s:s}", "code", code));
	} else {
		revoke_tokens_locked();
		sb_adds(&rep->body, "{\"ok\":true}");
	}
	pthread_mutex_unlock(&S.lock);
}

/* ------------------------------------------------------------- dispatch */

static void handle_api(struct req *r, struct MHD_Connection *c, const char *url, const char *method, struct reply *rep)
{
	pthread_mutex_lock(&S.lock);
	if (strcmp(url, "/token") == 0) {
		if (strcmp(method, "POST") == 0) {
			handle_token(r, rep);
		} else {
			oauth_error(rep, 405, "invalid_request", "use POST");
			snprintf(rep->allow, sizeof rep->allow, "POST");
		}
		goto out;
	}
	if (!starts_with(url, "/v2/")) {
		error_for(rep, 404);
		goto out;
	}
	char *u = xstrdup(url + 4), allow[64];
	const char *params[4] = {0};
	int ri = route(method, u, params, allow, sizeof allow);
	if (ri == -1) {
		error_for(rep, 404);
	} else {
		const char *tok = bearer(c);
		if (!tok || !check_token_locked(tok, TOK_ACCESS, 0)) {
			loket_error(rep, 401, 401, "Exception", "Authorization has been denied for this request.");
			rep->www_auth = "Bearer";
		} else if (ri == -2) {
			error_for(rep, 405);
			snprintf(rep->allow, sizeof rep->allow, "%s", allow);
		} else {
			struct ctx x = {.c = c, .r = r, .rep = rep};
			memcpy(x.p, params, sizeof x.p);
			int ok = 1;
			if (strcmp(method, "GET") && strcmp(method, "DELETE")) {
				json_error_t je;
				if (r->too_large) {
					loket_error(rep, 413, 413, "Exception", "request body too large");
					ok = 0;
				} else {
					x.body = json_loadb(r->raw.p ? r->raw.p : "", r->raw.len, 0, &je);
					if (!x.body) {
						loket_error(rep, 400, 1000, "Exception", "The request body is not valid JSON: %s", je.text);
						ok = 0;
					}
				}
			}
			if (ok)
				API[ri].h(&x);
			json_decref(x.body);
		}
	}
	free(u);
out:
	pthread_mutex_unlock(&S.lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls, (void)version;
	struct req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		*con_cls = r;
		r->control = starts_with(url, "/__emu/");
		if (!r->control)
			decide_fault(r, url);
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->raw.len + *upload_size > MAX_BODY)
			r->too_large = 1;
		else if (r->fault == F_NONE || r->fault == F_MALFORMED || r->control)
			sb_addn(&r->raw, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (!r->control && r->latency_ms > 0 && !r->delayed) {
		r->delayed = 1;
		if (delay_connection(c, r->latency_ms))
			return MHD_YES;
	}
	if (r->fault == F_DROP)
		return MHD_NO;
	struct reply rep = {0};
	if (r->control) {
		handle_control(r, url, method, &rep);
	} else if (r->fault == F_STATUS) {
		error_for(&rep, r->fault_status);
		if (r->fault_status == 429)
			memcpy(rep.retry_after, r->retry_after, sizeof rep.retry_after);
	} else {
		handle_api(r, c, url, method, &rep);
		if (r->fault == F_MALFORMED)
			malform(r, &rep);
	}
	return queue_reply(c, &rep);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	if (*con_cls)
		free_req(*con_cls);
	*con_cls = NULL;
}

__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (strstr(msg, "Application reported internal error"))
		return; /* our own "drop" fault */
	fprintf(stderr, "loket-emu: mhd: %s%s", msg, strchr(msg, '\n') ? "" : "\n");
}

/* ----------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fputs("usage: loket-emu --fixtures DIR [--port N] [--port-file F] [--faults JSON]\n"
	      "                 [--token-ttl SECONDS] [--threads N] [--watch-pid PID]\n"
	      "       loket-emu --help | --version\n\n"
	      "Offline emulator of the Loket.nl REST API v2 (OAuth /token, /v2/providers/...)\n"
	      "serving the state in DIR on 127.0.0.1.\n\n"
	      "  --fixtures DIR     DIR/client.json (OAuth client) and DIR/state.json\n"
	      "  --port N           TCP port, 0 (default) picks a free one\n"
	      "  --port-file F      write the port to F (atomically) once listening\n"
	      "  --faults JSON      initial fault plan (default: $LOKET_EMU_FAULTS)\n"
	      "  --token-ttl S      access token lifetime in seconds (default 3599)\n"
	      "  --threads N        worker threads (default 2)\n"
	      "  --watch-pid PID    exit when process PID is gone\n\n"
	      "Control endpoints: GET /__emu/stats, GET /__emu/state, POST /__emu/faults,\n"
	      "POST /__emu/reset, POST /__emu/authcode, POST /__emu/revoke-tokens.\n"
	      "See doc/loket-fixtures.md.\n",
	      f);
}

__attribute__((noreturn)) static void bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "loket-emu: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	usage(stderr);
	exit(EXIT_USAGE);
}

static int write_port_file(const char *path, unsigned port)
{
	size_t n = strlen(path) + 32;
	char *tmp = xcalloc(1, n);
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	int ok = f && fprintf(f, "%u\n", port) > 0;
	if (f && fclose(f))
		ok = 0;
	if (ok && rename(tmp, path))
		ok = 0;
	if (!ok) {
		fprintf(stderr, "loket-emu: cannot write port file %s: %s\n", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *fixtures = NULL, *port_file = NULL, *faults = NULL;
	long long port = 0, threads = 2, watch_pid = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const char *eq = strchr(a, '=');
		char name[32];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--version") == 0) {
			puts("loket-emu " EMU_VERSION);
			return 0;
		}
		if (!starts_with(a, "--"))
			bad_usage("unexpected argument", a);
		if (eq && (size_t)(eq - a) < sizeof name) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			v = eq + 1;
		} else {
			snprintf(name, sizeof name, "%s", a);
			if (i + 1 < argc)
				v = argv[++i];
		}
		if (!v)
			bad_usage("missing value for", name);
		if (strcmp(name, "--fixtures") == 0)
			fixtures = v;
		else if (strcmp(name, "--port-file") == 0)
			port_file = v;
		else if (strcmp(name, "--faults") == 0)
			faults = v;
		else if (strcmp(name, "--port") == 0) {
			if (strict_ll(v, 0, 65535, &port))
				bad_usage("--port must be 0..65535", v);
		} else if (strcmp(name, "--token-ttl") == 0) {
			if (strict_ll(v, 0, 86400LL * 365, &g_token_ttl))
				bad_usage("--token-ttl must be 0..31536000 seconds (0: every token is born expired)", v);
		} else if (strcmp(name, "--threads") == 0) {
			if (strict_ll(v, 1, 256, &threads))
				bad_usage("--threads must be 1..256", v);
		} else if (strcmp(name, "--watch-pid") == 0) {
			if (strict_ll(v, 1, INT_MAX, &watch_pid))
				bad_usage("--watch-pid must be a process id", v);
		} else
			bad_usage("unknown option", name);
	}
	if (!fixtures || !*fixtures)
		bad_usage("--fixtures DIR is required", NULL);
	if (!faults)
		faults = getenv("LOKET_EMU_FAULTS");
	plan_default(&S.plan);
	if (faults && *faults) {
		char err[256];
		if (plan_parse(faults, strlen(faults), &S.plan, err, sizeof err))
			bad_usage(err, NULL);
	}

	load_fixtures(fixtures);

	g_urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (g_urandom < 0) {
		fprintf(stderr, "loket-emu: /dev/urandom: %s\n", strerror(errno));
		return 1;
	}

	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&T.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&T.th, NULL, timer_main, NULL)) {
		fputs("loket-emu: cannot start timer thread\n", stderr);
		return 1;
	}

	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* must come first */
		{MHD_OPTION_SOCK_ADDR, 0, &sin},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL},
		{threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_ARRAY, opts,
						MHD_OPTION_END);
	int rc = 0;
	if (!d) {
		fprintf(stderr, "loket-emu: cannot listen on 127.0.0.1:%lld\n", port);
		rc = 1;
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned real_port = info ? info->port : (unsigned)port;
	if (port_file && write_port_file(port_file, real_port)) {
		rc = 1;
		goto out;
	}
	printf("listening on 127.0.0.1:%u\n", real_port);
	fflush(stdout);

	for (;;) {
		struct timespec tick = {0, 200 * 1000000L};
		int s = sigtimedwait(&sigs, NULL, &tick);
		if (s == SIGINT || s == SIGTERM)
			break;
		if (watch_pid > 0 && kill((pid_t)watch_pid, 0) < 0 && errno == ESRCH)
			break;
	}

out:
	pthread_mutex_lock(&T.lock); /* resume every delayed connection, refuse new delays */
	T.stopping = 1;
	pthread_cond_signal(&T.cond);
	pthread_mutex_unlock(&T.lock);
	pthread_join(T.th, NULL);
	if (d)
		MHD_stop_daemon(d);
	pthread_cond_destroy(&T.cond);
	free(T.v);
	pthread_mutex_lock(&S.lock);
	revoke_tokens_locked();
	reset_counters_locked();
	plan_free(&S.plan);
	json_decref(S.state);
	pthread_mutex_unlock(&S.lock);
	json_decref(g_initial);
	free(g_client_id);
	free(g_client_secret);
	close(g_urandom);
	return rc;
}
