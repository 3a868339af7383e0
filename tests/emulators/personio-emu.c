/*
 * personio-emu.c - offline emulator of the Personio API for loketpipe tests.
 *
 * Contract: doc/personio-fixtures.md (fixture layout, endpoints, control
 * endpoints, fault plan, process flags).  Background on the real API:
 * ../shared/reference/personio-api-notes.md, sections 1-5.
 *
 * What it emulates
 *   - POST /v1/auth (JSON, form or query parameters) and POST /v2/auth/token
 *     (form, OAuth2 client credentials); tokens are random `papi-<hex>`
 *     strings bound to one tenant and one kind (v1 or v2).  v1 endpoints
 *     accept v1 tokens only, v2 endpoints v2 tokens only.
 *   - GET /v1/company/employees (limit/offset, default 50, capped at 100),
 *     GET /v1/company/document-categories, POST /v1/company/documents
 *     (multipart; metadata, byte count and the sha256 of the file are stored, the
 *     content is not; created_at from a logical clock, --clock, never the wall clock).
 *     Successful v1 responses echo `Authorization: Bearer <same token>` as
 *     Personio's legacy rotation header does.
 *   - GET /v1/company/attendances (start_date/end_date, employees[],
 *     includePending, limit default 200, element offset; fixture order).
 *   - GET /v2/document-management/documents (owner_id required, category_id,
 *     created_at.gte/lt, limit 1-200, cursor; oldest first; absolute next href).
 *   - GET /v2/compensations (month window, legal_entity.id / person.id
 *     filters, limit 1-100, opaque checksummed cursors, absolute next href).
 *   - Control endpoints under /__emu/ (stats, faults, reset, documents, and
 *     the extra revoke-tokens), a fault plan (counted 429 -> 500 -> drop,
 *     always, malformed, seeded random rates, latency).
 *   - Many tenants at once: one per sub-directory of --fixtures.
 *
 * What it deliberately does not emulate
 *   - Token expiry by clock, X-RateLimit headers.  (Personio's documented rate
 *     limits are enforced, per IP and per credential: see "rate limits".)
 *   - v1 `email`, `updated_since` and `attributes[]` query parameters,
 *     GET /v1/company/employees/{id}, any write endpoint besides documents.
 *   - Repeated query parameters (person.id=1&person.id=2): only the first is
 *     read; use the comma-separated form.
 *   - File type checks on uploads (only presence, filename and 30 MB cap).
 *   - Any network exposure: it binds 127.0.0.1 only.  It never prints tokens
 *     or secrets; it writes nothing but the "listening on" line to stdout.
 *
 * Concurrency: MHD internal polling with a thread pool (epoll when
 * available).  Fixtures are loaded and pre-serialised at start-up and are
 * read-only afterwards; counters, fault plan, tokens and uploaded documents
 * live behind one mutex.  Latency faults suspend the connection
 * (MHD_suspend_connection) and a timer thread resumes it, so a delayed
 * request never blocks a pool thread.
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror \
 *          -o personio-emu personio-emu.c emu.c -lmicrohttpd -ljansson -lpthread
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "emu.h"

/* SHA-256 of the uploaded bytes (lib/lp_sha256.h; the Makefile links lp_sha256.o when it is there) */
#if __has_include("lp_sha256.h")
#include "lp_sha256.h"
#else /* stub until lib/lp_sha256.h lands: every hash reads as 64 zeros */
typedef struct { int unused; } lp_sha256_ctx;
static void lp_sha256_init(lp_sha256_ctx *c) { (void)c; }
static void lp_sha256_update(lp_sha256_ctx *c, const void *p, size_t n) { (void)c, (void)p, (void)n; }
static void lp_sha256_final(lp_sha256_ctx *c, unsigned char out[32]) { (void)c, memset(out, 0, 32); }
static void lp_sha256_tohex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}
#endif

#define MAX_FIELD 65536                      /* one multipart text field */
#define MAX_FILE (30ull * 1024 * 1024)       /* Personio: 30 MB */
#define MAX_FIELDS 16
#define TOKEN_BUCKETS 4096

/* ------------------------------------------------------------------ utils */

static json_t *jstr_or_null(const char *s) { return s ? emu_jstr(s) : json_null(); }
static int parse_time(const char *s, long long *out);

static void timestamp(char out[32], int zulu)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, zulu ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

/* -------------------------------------------------------------- fixtures */

struct employee { long long id; char *json; size_t len; };
struct comp {
	char *json;
	size_t len;
	char *person_id, *le_id;
	int one_time;          /* ONE_TIME or BONUS: payout on effective_from */
	long from, to;
	int has_to;
};
struct category { long long id; char *json; };
struct attendance {
	char *json;
	size_t len;
	long long employee;
	long date;
	int confirmed; /* status confirmed (or none given) */
};
struct tenant {
	char *name, *client_id, *client_secret;
	struct employee *emps; size_t nemps;
	struct comp *comps; size_t ncomps;
	struct category *cats; size_t ncats;
	struct attendance *atts; size_t natts;
};

static struct tenant *g_tenants;
static size_t g_ntenants;

/* id as string: JSON string or integer */
static char *id_string(json_t *j)
{
	char buf[32];
	if (json_is_string(j))
		return emu_xstrdup(json_string_value(j));
	if (json_is_integer(j)) {
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		return emu_xstrdup(buf);
	}
	return NULL;
}

static int id_integer(json_t *j, long long *out)
{
	if (json_is_integer(j)) {
		*out = json_integer_value(j);
		return 0;
	}
	if (json_is_string(j))
		return emu_strict_ll(json_string_value(j), LLONG_MIN, LLONG_MAX, out);
	return -1;
}

static void load_tenant(struct tenant *t, const char *dir, const char *name)
{
	char path[4096];
	t->name = emu_xstrdup(name);

	snprintf(path, sizeof path, "%s/credentials.json", dir);
	json_t *cred = emu_load_fixture(path, 1);
	json_t *ci = json_object_get(cred, "client_id"), *cs = json_object_get(cred, "client_secret");
	if (!json_is_string(ci) || !json_is_string(cs) || !*json_string_value(ci) || !*json_string_value(cs))
		emu_fixture_fail("%s: expected {\"client_id\": \"...\", \"client_secret\": \"...\"} (non-empty strings)", path);
	t->client_id = emu_xstrdup(json_string_value(ci));
	t->client_secret = emu_xstrdup(json_string_value(cs));
	json_decref(cred);

	snprintf(path, sizeof path, "%s/employees.json", dir);
	json_t *emps = emu_load_fixture(path, 0);
	if (!json_is_array(emps))
		emu_fixture_fail("%s: expected a JSON array of employee objects", path);
	t->nemps = json_array_size(emps);
	t->emps = emu_xcalloc(t->nemps, sizeof *t->emps);
	for (size_t i = 0; i < t->nemps; i++) {
		json_t *e = json_array_get(emps, i);
		json_t *id = json_object_get(json_object_get(json_object_get(e, "attributes"), "id"), "value");
		if (!json_is_object(e) || id_integer(id, &t->emps[i].id))
			emu_fixture_fail("%s: element %zu: attributes.id.value must be an integer", path, i);
		t->emps[i].json = emu_dump_json(e);
		t->emps[i].len = strlen(t->emps[i].json);
	}
	json_decref(emps);

	snprintf(path, sizeof path, "%s/compensations.json", dir);
	json_t *comps = emu_load_fixture(path, 0);
	if (!json_is_array(comps))
		emu_fixture_fail("%s: expected a JSON array of compensation items", path);
	t->ncomps = json_array_size(comps);
	t->comps = emu_xcalloc(t->ncomps, sizeof *t->comps);
	for (size_t i = 0; i < t->ncomps; i++) {
		json_t *c = json_array_get(comps, i);
		struct comp *k = &t->comps[i];
		if (!json_is_object(c))
			emu_fixture_fail("%s: element %zu: not an object", path, i);
		k->person_id = id_string(json_object_get(json_object_get(c, "person"), "id"));
		if (!k->person_id)
			emu_fixture_fail("%s: element %zu: person.id must be a string or integer", path, i);
		json_t *le = json_object_get(c, "legal_entity");
		k->le_id = le && !json_is_null(le) ? id_string(json_object_get(le, "id")) : NULL;
		if (le && !json_is_null(le) && !k->le_id)
			emu_fixture_fail("%s: element %zu: legal_entity.id must be a string or integer", path, i);
		const char *cat = json_string_value(json_object_get(json_object_get(c, "type"), "category"));
		/* Any category string is served (an unknown one like a not-yet-documented value is
		 * treated as effective over a period), so clients can be tested against it. */
		if (!cat)
			emu_fixture_fail("%s: element %zu: type.category must be a string", path, i);
		k->one_time = strcmp(cat, "ONE_TIME") == 0 || strcmp(cat, "BONUS") == 0;
		if (!json_is_number(json_object_get(json_object_get(c, "amount"), "value")))
			emu_fixture_fail("%s: element %zu: amount.value must be a number", path, i);
		if (emu_date_days(json_string_value(json_object_get(c, "effective_from")), &k->from))
			emu_fixture_fail("%s: element %zu: effective_from must be a YYYY-MM-DD date", path, i);
		json_t *to = json_object_get(c, "effective_to");
		if (to && !json_is_null(to)) {
			if (emu_date_days(json_string_value(to), &k->to))
				emu_fixture_fail("%s: element %zu: effective_to must be null or a YYYY-MM-DD date", path, i);
			k->has_to = 1;
		}
		k->json = emu_dump_json(c);
		k->len = strlen(k->json);
	}
	json_decref(comps);

	snprintf(path, sizeof path, "%s/document-categories.json", dir);
	if (access(path, F_OK) == 0) {
		json_t *cats = emu_load_fixture(path, 0);
		if (!json_is_array(cats))
			emu_fixture_fail("%s: expected a JSON array of document categories", path);
		t->ncats = json_array_size(cats);
		t->cats = emu_xcalloc(t->ncats, sizeof *t->cats);
		for (size_t i = 0; i < t->ncats; i++) {
			json_t *c = json_array_get(cats, i);
			if (!json_is_object(c) || id_integer(json_object_get(c, "id"), &t->cats[i].id))
				emu_fixture_fail("%s: element %zu: id must be an integer", path, i);
			t->cats[i].json = emu_dump_json(c);
		}
		json_decref(cats);
	}

	snprintf(path, sizeof path, "%s/attendances.json", dir);
	if (access(path, F_OK) == 0) {
		json_t *atts = emu_load_fixture(path, 0);
		if (!json_is_array(atts))
			emu_fixture_fail("%s: expected a JSON array of attendance periods", path);
		t->natts = json_array_size(atts);
		t->atts = emu_xcalloc(t->natts, sizeof *t->atts);
		for (size_t i = 0; i < t->natts; i++) {
			json_t *a = json_array_get(atts, i), *at = json_object_get(a, "attributes");
			long long id;
			struct attendance *k = &t->atts[i];
			if (!json_is_object(a) || id_integer(json_object_get(a, "id"), &id) || !json_is_object(at))
				emu_fixture_fail("%s: element %zu: expected {\"id\": integer, \"type\": \"AttendancePeriod\", "
						 "\"attributes\": {...}}", path, i);
			if (id_integer(json_object_get(at, "employee"), &k->employee))
				emu_fixture_fail("%s: element %zu: attributes.employee must be an integer", path, i);
			if (emu_date_days(json_string_value(json_object_get(at, "date")), &k->date))
				emu_fixture_fail("%s: element %zu: attributes.date must be a YYYY-MM-DD date", path, i);
			const char *st = json_string_value(json_object_get(at, "status"));
			k->confirmed = !st || strcmp(st, "confirmed") == 0;
			k->json = emu_dump_json(a);
			k->len = strlen(k->json);
		}
		json_decref(atts);
	}
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void load_fixtures(const char *root)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/credentials.json", root);
	if (access(path, F_OK) == 0) { /* convenience: DIR is itself one tenant */
		const char *base = strrchr(root, '/');
		g_tenants = emu_xcalloc(1, sizeof *g_tenants);
		g_ntenants = 1;
		load_tenant(&g_tenants[0], root, base && base[1] ? base + 1 : root);
		return;
	}
	DIR *d = opendir(root);
	if (!d)
		emu_fixture_fail("%s: %s", root, strerror(errno));
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", root, de->d_name);
		if (stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof path, "%s/%s/credentials.json", root, de->d_name);
		if (access(path, F_OK))
			continue;
		names = emu_xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = emu_xstrdup(de->d_name);
	}
	closedir(d);
	if (!n)
		emu_fixture_fail("%s: no tenant found (expected sub-directories holding credentials.json)", root);
	qsort(names, n, sizeof *names, cmp_str);
	g_tenants = emu_xcalloc(n, sizeof *g_tenants);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		load_tenant(&g_tenants[i], path, names[i]);
		g_ntenants = i + 1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(g_tenants[k].client_id, g_tenants[i].client_id) == 0)
				emu_fixture_fail("%s/credentials.json: client_id also used by tenant %s", path, g_tenants[k].name);
		free(names[i]);
	}
	free(names);
}

static void free_fixtures(void)
{
	for (size_t i = 0; i < g_ntenants; i++) {
		struct tenant *t = &g_tenants[i];
		for (size_t k = 0; k < t->nemps; k++)
			free(t->emps[k].json);
		for (size_t k = 0; k < t->ncomps; k++) {
			free(t->comps[k].json);
			free(t->comps[k].person_id);
			free(t->comps[k].le_id);
		}
		for (size_t k = 0; k < t->ncats; k++)
			free(t->cats[k].json);
		for (size_t k = 0; k < t->natts; k++)
			free(t->atts[k].json);
		free(t->emps), free(t->comps), free(t->cats), free(t->atts);
		free(t->name), free(t->client_id), free(t->client_secret);
	}
	free(g_tenants);
}

static struct tenant *tenant_by_credentials(const char *id, const char *secret)
{
	for (size_t i = 0; i < g_ntenants; i++) {
		if (strcmp(g_tenants[i].client_id, id) != 0)
			continue;
		const char *s = g_tenants[i].client_secret;
		size_t ls = strlen(s), lb = strlen(secret);
		unsigned char diff = ls != lb;
		for (size_t k = 0; k < lb; k++)
			diff |= (unsigned char)(secret[k] ^ s[k % (ls ? ls : 1)]);
		return diff ? NULL : &g_tenants[i];
	}
	return NULL;
}

/* ---------------------------------------------------------- shared state */

enum tok_kind { TOK_V1 = 1, TOK_V2 = 2 };

struct token { struct token *next; char tok[72]; int tenant; enum tok_kind kind; };
struct doc {
	long long id, employee_id, category_id;
	char *tenant, *title, *comment, *date, *filename, *content_type;
	uint64_t bytes;
	char sha256[65];
	long long created; /* seconds since 1970 on the logical clock */
};

static struct {
	pthread_mutex_t lock;
	struct token *tokens[TOKEN_BUCKETS];
	struct emu_stats st;
	uint64_t no_app_id; /* API requests without X-Personio-App-ID */
	struct emu_plan plan;
	struct doc *docs;
	size_t ndocs;
	long long next_doc;
	long long ticks; /* the logical clock: uploads stored since the start (or the last reset) */
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .next_doc = 1};

/* --clock START: the logical clock's start (default 2026-01-01T00:00:00Z); it advances one
 * second per stored upload and never reads the wall clock; /__emu/reset sets it back */
static long long g_clock_start = 1767225600;

static _Atomic unsigned g_port;

static size_t tok_bucket(const char *t) { return emu_fnv1a(2166136261u, t) % TOKEN_BUCKETS; }

static void mint_token(int tenant, enum tok_kind kind, char out[72])
{
	struct token *t = emu_xcalloc(1, sizeof *t);
	memcpy(t->tok, "papi-", 5);
	emu_random_hex(t->tok + 5, 32);
	t->tenant = tenant;
	t->kind = kind;
	memcpy(out, t->tok, sizeof t->tok);
	size_t b = tok_bucket(t->tok);
	pthread_mutex_lock(&S.lock);
	t->next = S.tokens[b];
	S.tokens[b] = t;
	pthread_mutex_unlock(&S.lock);
}

/* Tenant index for a token of the given kind, or -1. */
static int token_tenant(const char *tok, enum tok_kind kind)
{
	int res = -1;
	size_t b = tok_bucket(tok);
	pthread_mutex_lock(&S.lock);
	for (struct token *t = S.tokens[b]; t; t = t->next)
		if (strcmp(t->tok, tok) == 0) {
			res = t->kind == kind ? t->tenant : -1;
			break;
		}
	pthread_mutex_unlock(&S.lock);
	return res;
}

/* --rotate-v1-tokens: every successful v1 answer carries a new token in its Authorization
 * header and the one used stops working, as Personio's v1 tokens did before they became
 * stable for 24 h (personio-api-notes.md 1a) */
static int g_rotate_v1;

/* the token used for a v1 answer replaced by a new one of the same tenant; the new one in out */
static void rotate_token(const char *old, char out[72])
{
	int tenant = -1;
	size_t b = tok_bucket(old);
	pthread_mutex_lock(&S.lock);
	for (struct token **p = &S.tokens[b]; *p; p = &(*p)->next)
		if (strcmp((*p)->tok, old) == 0) {
			struct token *t = *p;
			tenant = t->tenant;
			*p = t->next;
			free(t);
			break;
		}
	pthread_mutex_unlock(&S.lock);
	if (tenant >= 0)
		mint_token(tenant, TOK_V1, out);
	else
		snprintf(out, 72, "%s", old);
}

static void revoke_tokens_locked(void)
{
	for (size_t b = 0; b < TOKEN_BUCKETS; b++) {
		struct token *t = S.tokens[b];
		while (t) {
			struct token *n = t->next;
			free(t);
			t = n;
		}
		S.tokens[b] = NULL;
	}
}

static void free_docs_locked(void)
{
	for (size_t i = 0; i < S.ndocs; i++) {
		struct doc *d = &S.docs[i];
		free(d->tenant), free(d->title), free(d->comment), free(d->date), free(d->filename), free(d->content_type);
	}
	free(S.docs);
	S.docs = NULL;
	S.ndocs = 0;
	S.next_doc = 1;
	S.ticks = 0;
}

/* ------------------------------------------------------------ rate limits */

/* Personio's documented limits (personio-api-notes.md section 5) as token buckets of n
 * requests per `per` seconds holding at most `burst`: per IP (the client's address) for
 * every /v1/ request, per credential (client_id, or the tenant of the token) for the rest.
 * A request over a limit gets 429 with Retry-After (seconds until a token) and Personio's
 * error body, and is counted in /__emu/stats "rate_limited". Refused requests take no
 * token. --rate-* flags scale them (tests), "off" lifts one. */
enum lim { L_V1, L_V1_AUTH, L_EMPLOYEES, L_DOCUMENTS, L_V2_TOKEN, L__N };
static struct {
	const char *flag, *stat;
	long long n, per, burst; /* n == 0: off */
} g_lim[L__N] = {
	[L_V1] = {"--rate-v1", "v1", 2000, 60, 2000},
	[L_V1_AUTH] = {"--rate-v1-auth", "v1_auth", 60, 60, 60},
	[L_EMPLOYEES] = {"--rate-employees", "employees", 300, 60, 15},
	[L_DOCUMENTS] = {"--rate-documents", "documents", 60, 60, 60},
	[L_V2_TOKEN] = {"--rate-v2-token", "v2_token", 150, 60, 150},
};

#define LIM_BUCKETS 1024
struct lbucket {
	struct lbucket *next;
	enum lim lim;
	char key[96];
	long long milli;   /* thousandths of a token */
	long long t_ms;    /* CLOCK_MONOTONIC */
};
static struct {
	struct lbucket *b[LIM_BUCKETS];
	uint64_t refused[L__N];
} L; /* behind S.lock */

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void free_buckets_locked(void)
{
	for (size_t i = 0; i < LIM_BUCKETS; i++)
		while (L.b[i]) {
			struct lbucket *n = L.b[i]->next;
			free(L.b[i]);
			L.b[i] = n;
		}
	memset(L.refused, 0, sizeof L.refused);
}

/* Take a token of limit `lim` for key: 0, or the seconds to wait (the request is refused). */
static long long limit_take(enum lim lim, const char *key)
{
	if (!g_lim[lim].n)
		return 0;
	long long rate_n = g_lim[lim].n, per = g_lim[lim].per, cap = g_lim[lim].burst * 1000, now = mono_ms();
	pthread_mutex_lock(&S.lock);
	size_t h = (emu_fnv1a(2166136261u, key) ^ (unsigned)lim) % LIM_BUCKETS;
	struct lbucket *b = L.b[h];
	while (b && (b->lim != lim || strcmp(b->key, key) != 0))
		b = b->next;
	if (!b) { /* a new bucket is full */
		b = emu_xcalloc(1, sizeof *b);
		b->lim = lim;
		snprintf(b->key, sizeof b->key, "%s", key);
		b->milli = cap;
		b->t_ms = now;
		b->next = L.b[h];
		L.b[h] = b;
	}
	b->milli += (now - b->t_ms) * rate_n / per; /* ms * n / per s = thousandths of a token */
	if (b->milli > cap)
		b->milli = cap;
	b->t_ms = now;
	long long wait = 0;
	if (b->milli >= 1000)
		b->milli -= 1000;
	else {
		wait = ((1000 - b->milli) * per + rate_n * 1000 - 1) / (rate_n * 1000); /* seconds, rounded up */
		if (wait < 1)
			wait = 1;
		L.refused[lim]++;
	}
	pthread_mutex_unlock(&S.lock);
	return wait;
}

/* the flags of this emulator: --rate-* and --rotate-v1-tokens */
static int limit_option(const char *name, const char *v)
{
	if (!strcmp(name, "--clock")) {
		if (parse_time(v, &g_clock_start))
			emu_bad_usage("--clock takes an ISO 8601 date-time such as 2026-01-01T00:00:00Z", v);
		return 0;
	}
	if (!strcmp(name, "--rotate-v1-tokens")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			emu_bad_usage("--rotate-v1-tokens takes yes or no", v);
		g_rotate_v1 = !strcmp(v, "yes");
		return 0;
	}
	for (int i = 0; i < L__N; i++) {
		if (strcmp(name, g_lim[i].flag) != 0)
			continue;
		long long n, per, burst = -1;
		char tail;
		if (!strcmp(v, "off")) {
			g_lim[i].n = 0;
			return 0;
		}
		int k = sscanf(v, "%lld/%lld:%lld%c", &n, &per, &burst, &tail);
		if (k == 2 ? strchr(v, ':') != NULL : k != 3)
			emu_bad_usage("a rate limit is N/SECONDS[:BURST] (positive, BURST <= N) or off", v);
		if (n <= 0 || per <= 0 || n > 1000000 || per > 86400 || (k == 3 && (burst <= 0 || burst > n)))
			emu_bad_usage("a rate limit is N/SECONDS[:BURST] (positive, BURST <= N) or off", v);
		g_lim[i].n = n, g_lim[i].per = per, g_lim[i].burst = k == 3 ? burst : n;
		return 0;
	}
	return -1;
}

static void reset_counters_locked(void)
{
	emu_stats_reset(&S.st);
	S.no_app_id = 0;
	free_buckets_locked();
}

/* -------------------------------------------------------------- requests */

enum route {
	R_NOT_FOUND, R_BAD_METHOD, R_V1_AUTH, R_V2_TOKEN, R_EMPLOYEES, R_COMPENSATIONS, R_ATTENDANCES,
	R_DOC_CATEGORIES, R_DOC_UPLOAD, R_V2_DOCUMENTS, R_C_STATS, R_C_FAULTS, R_C_RESET, R_C_DOCUMENTS, R_C_REVOKE
};

static const struct { const char *path, *method; enum route route; } ROUTES[] = {
	{"/v1/auth", "POST", R_V1_AUTH},
	{"/v2/auth/token", "POST", R_V2_TOKEN},
	{"/v1/company/employees", "GET", R_EMPLOYEES},
	{"/v2/compensations", "GET", R_COMPENSATIONS},
	{"/v1/company/attendances", "GET", R_ATTENDANCES},
	{"/v1/company/document-categories", "GET", R_DOC_CATEGORIES},
	{"/v1/company/documents", "POST", R_DOC_UPLOAD},
	{"/v2/document-management/documents", "GET", R_V2_DOCUMENTS},
	{"/__emu/stats", "GET", R_C_STATS},
	{"/__emu/faults", "POST", R_C_FAULTS},
	{"/__emu/reset", "POST", R_C_RESET},
	{"/__emu/documents", "GET", R_C_DOCUMENTS},
	{"/__emu/revoke-tokens", "POST", R_C_REVOKE},
};

enum body_mode { B_DISCARD, B_RAW, B_FORM };

struct field { char *key; struct emu_sb val; };

struct req {
	enum route route;
	const char *allow;
	int control, body_done, delayed;
	struct emu_fault f;
	enum body_mode mode;
	struct MHD_PostProcessor *pp;
	int pp_failed, too_large;
	struct emu_sb raw;
	struct field fields[MAX_FIELDS];
	int nfields;
	int file_seen;
	char *file_name, *file_ctype;
	uint64_t file_bytes;
	lp_sha256_ctx sha; /* of the file part's bytes */
};

struct reply {
	unsigned status;
	const char *ctype;
	struct emu_sb body;
	char retry_after[32];
	char *authz;
	const char *allow;
};

static const char *field(struct req *r, const char *key)
{
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].key, key) == 0)
			return r->fields[i].val.p ? r->fields[i].val.p : "";
	return NULL;
}

static enum MHD_Result pp_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
			       const char *ctype, const char *enc, const char *data, uint64_t off, size_t size)
{
	struct req *r = cls;
	(void)kind, (void)enc, (void)off;
	if (!key)
		return MHD_YES;
	if (strcmp(key, "file") == 0 && filename) {
		r->file_seen = 1;
		if (!r->file_name)
			r->file_name = emu_xstrdup(filename);
		if (!r->file_ctype && ctype)
			r->file_ctype = emu_xstrdup(ctype);
		r->file_bytes += size;
		if (size)
			lp_sha256_update(&r->sha, data, size);
		return MHD_YES;
	}
	if (strcmp(key, "file") == 0)
		r->file_seen = 1; /* plain field: reported as "must be a file" */
	struct field *f = NULL;
	for (int i = 0; i < r->nfields; i++)
		if (strcmp(r->fields[i].key, key) == 0)
			f = &r->fields[i];
	if (!f) {
		if (r->nfields == MAX_FIELDS)
			return MHD_YES;
		f = &r->fields[r->nfields++];
		f->key = emu_xstrdup(key);
		emu_sb_addn(&f->val, "", 0);
	}
	if (f->val.len + size <= MAX_FIELD)
		emu_sb_addn(&f->val, data, size);
	else
		r->too_large = 1;
	return MHD_YES;
}

static int ctype_is(struct MHD_Connection *c, const char *want)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	return ct && strncasecmp(ct, want, strlen(want)) == 0;
}

static void setup_body(struct req *r, struct MHD_Connection *c)
{
	int form = r->route == R_V1_AUTH || r->route == R_V2_TOKEN || r->route == R_DOC_UPLOAD;
	if ((r->route == R_V1_AUTH && ctype_is(c, "application/json")) || r->route == R_C_FAULTS) {
		r->mode = B_RAW;
	} else if (form && (ctype_is(c, "application/x-www-form-urlencoded") ||
			    (r->route == R_DOC_UPLOAD && ctype_is(c, "multipart/form-data")))) {
		lp_sha256_init(&r->sha);
		r->pp = MHD_create_post_processor(c, 16384, pp_iter, r);
		r->mode = r->pp ? B_FORM : B_DISCARD;
		r->pp_failed = !r->pp;
	}
}

static void feed_body(struct req *r, const char *data, size_t size)
{
	if (r->mode == B_RAW) {
		if (r->raw.len + size > EMU_MAX_BODY)
			r->too_large = 1;
		else
			emu_sb_addn(&r->raw, data, size);
	} else if (r->mode == B_FORM && r->pp && !r->pp_failed) {
		if (MHD_post_process(r->pp, data, size) != MHD_YES)
			r->pp_failed = 1;
	}
}

static void finish_body(struct req *r)
{
	if (r->pp) {
		if (MHD_destroy_post_processor(r->pp) != MHD_YES)
			r->pp_failed = 1;
		r->pp = NULL;
	}
}

static void free_req(void *req)
{
	struct req *r = req;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	for (int i = 0; i < r->nfields; i++) {
		free(r->fields[i].key);
		emu_sb_reset(&r->fields[i].val);
	}
	emu_sb_reset(&r->raw);
	free(r->file_name);
	free(r->file_ctype);
	free(r);
}

/* ------------------------------------------------------------- replies */

static void reply_body(struct reply *rep, unsigned status, const char *ctype, json_t *body)
{
	rep->status = status;
	rep->ctype = ctype;
	emu_sb_reset(&rep->body);
	emu_sb_json(&rep->body, body);
}

static void v1_error(struct reply *rep, unsigned status, const char *msg, int code)
{
	reply_body(rep, status, "application/json",
		   json_pack("{s:b,s:{s:s,s:i}}", "success", 0, "error", "message", msg, "code", code));
}

static const char *status_title(int st)
{
	switch (st) {
	case 413: return "Payload Too Large";
	case 422: return "Unprocessable Entity";
	default: return emu_status_title(st);
	}
}

static const char *status_anchor(int st)
{
	switch (st) {
	case 401: return "common.unauthorized";
	case 403: return "common.forbidden";
	case 404: return "common.resource_not_found";
	case 429: return "common.too_many_requests";
	case 500: return "common.internal_server_error";
	case 502: return "common.bad_gateway";
	case 503: return "common.service_unavailable";
	case 504: return "common.gateway_timeout";
	default: return "common.bad_request";
	}
}

static void v2_problem(struct reply *rep, unsigned status, const char *detail)
{
	char tid[37], ts[32], type[128];
	emu_uuid(tid, 0);
	timestamp(ts, 0);
	snprintf(type, sizeof type, "https://developer.personio.de/reference/errors#%s", status_anchor((int)status));
	reply_body(rep, status, "application/problem+json",
		   json_pack("{s:s,s:s,s:[{s:s,s:o,s:s,s:{}}]}", "personio_trace_id", tid, "timestamp", ts, "errors",
			     "title", status_title((int)status), "detail", emu_jstr(detail), "type", type, "_meta"));
}

static void oauth_error(struct reply *rep, const char *error, const char *desc, json_t *meta)
{
	char tid[37], ts[32], uri[160];
	emu_uuid(tid, 0);
	timestamp(ts, 1);
	snprintf(uri, sizeof uri, "https://developer.personio.de/reference/errors#credentials.oauth2.%s", error);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "timestamp", ts, "trace_id", tid, "error", error,
			      "error_description", desc, "error_uri", uri);
	if (meta)
		json_object_set_new(o, "meta", meta);
	reply_body(rep, 400, "application/problem+json", o);
}

static int is_v2(const char *url) { return emu_starts_with(url, "/v2/"); }

/* limit `lim` for key; on refusal the 429 in the API's shape (v1 or v2): 1, else 0 */
static int limited(enum lim lim, const char *key, struct reply *rep, int v2)
{
	long long wait = limit_take(lim, key);
	if (!wait)
		return 0;
	if (v2)
		v2_problem(rep, 429, "Too many requests. Please retry later.");
	else
		v1_error(rep, 429, "Too many requests", 429);
	snprintf(rep->retry_after, sizeof rep->retry_after, "%lld", wait);
	return 1;
}

/* the client's address, for the per-IP limit */
static const char *client_ip(struct MHD_Connection *c, char out[64])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, 64, "?");
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out, 64);
	else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, 64);
	return out;
}

static void error_for(struct reply *rep, const char *url, int status)
{
	if (is_v2(url))
		v2_problem(rep, (unsigned)status, status_title(status));
	else
		v1_error(rep, (unsigned)status, status_title(status), status);
}

static void malform(struct req *r, const char *url, struct reply *rep)
{
	free(rep->authz);
	rep->authz = NULL;
	if (!emu_malform_body(r->f.mal, is_v2(url) ? "{\"_data\":{}}" : "{\"success\":true,\"data\":\"x\"}",
			      &rep->body, &rep->status, &rep->ctype))
		return;
	if (r->f.mal != EMU_MAL_401 && r->f.mal != EMU_MAL_403)
		return;
	int st = r->f.mal == EMU_MAL_401 ? 401 : 403;
	const char *msg = st == 401 ? "Authorization is not provided" : "Provided authorization is not valid";
	if (is_v2(url))
		v2_problem(rep, (unsigned)st, msg);
	else
		v1_error(rep, (unsigned)st, msg, st);
}

static enum MHD_Result queue_reply(struct MHD_Connection *c, struct reply *rep)
{
	struct MHD_Response *resp = emu_response(&rep->body, rep->ctype);
	if (!resp) {
		free(rep->authz);
		return MHD_NO;
	}
	if (rep->retry_after[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, rep->retry_after);
	if (rep->authz && rep->status < 400) { /* legacy rotation header, successes only */
		if (g_rotate_v1) {
			char tok[72];
			rotate_token(rep->authz + 7, tok); /* after "Bearer " */
			free(rep->authz);
			size_t n = strlen(tok) + 8;
			rep->authz = emu_xcalloc(1, n);
			snprintf(rep->authz, n, "Bearer %s", tok);
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_AUTHORIZATION, rep->authz);
	}
	if (rep->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow);
	enum MHD_Result ret = emu_queue(c, rep->status, resp);
	free(rep->authz);
	return ret;
}

/* ------------------------------------------------------------------ auth */

/* v1 token check: tenant, or NULL with the error reply filled in. */
static struct tenant *auth_v1(struct MHD_Connection *c, struct reply *rep)
{
	const char *tok = emu_bearer(c);
	if (!tok) {
		v1_error(rep, 401, "Authorization is not provided", 401);
		return NULL;
	}
	int t = token_tenant(tok, TOK_V1);
	if (t < 0) {
		v1_error(rep, 403, "Provided authorization is not valid", 403);
		return NULL;
	}
	size_t n = strlen(tok) + 8;
	rep->authz = emu_xcalloc(1, n);
	snprintf(rep->authz, n, "Bearer %s", tok);
	return &g_tenants[t];
}

static struct tenant *auth_v2(struct MHD_Connection *c, struct reply *rep)
{
	const char *tok = emu_bearer(c);
	if (!tok) {
		v2_problem(rep, 401, "Authorization is not provided");
		return NULL;
	}
	int t = token_tenant(tok, TOK_V2);
	if (t < 0) {
		v2_problem(rep, 401, "The provided access token is not valid for this API");
		return NULL;
	}
	return &g_tenants[t];
}

static void handle_v1_auth(struct req *r, struct MHD_Connection *c, struct reply *rep)
{
	const char *id = NULL, *secret = NULL;
	json_t *j = NULL;
	if (r->too_large) {
		v1_error(rep, 413, "Request body too large", 413);
		return;
	}
	if (r->mode == B_RAW) {
		json_error_t je;
		j = json_loadb(r->raw.p ? r->raw.p : "", r->raw.len, 0, &je);
		if (!json_is_object(j)) {
			json_decref(j);
			v1_error(rep, 400, "The request body is not a valid JSON object", 400);
			return;
		}
		id = json_string_value(json_object_get(j, "client_id"));
		secret = json_string_value(json_object_get(j, "client_secret"));
	} else if (r->mode == B_FORM) {
		id = field(r, "client_id");
		secret = field(r, "client_secret");
	}
	if (!id) /* legacy clients send them as query parameters */
		id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "client_id");
	if (!secret)
		secret = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "client_secret");
	if (!id || !*id || !secret || !*secret) {
		v1_error(rep, 400, "The client_id and client_secret fields are required", 400);
	} else if (limited(L_V1_AUTH, id, rep, 0)) {
		/* 429 */
	} else {
		struct tenant *t = tenant_by_credentials(id, secret);
		if (!t) {
			v1_error(rep, 401, "Invalid credentials", 401);
		} else {
			char tok[72];
			mint_token((int)(t - g_tenants), TOK_V1, tok);
			reply_body(rep, 200, "application/json",
				   json_pack("{s:b,s:{s:s,s:i,s:s}}", "success", 1, "data", "token", tok,
					     "expires_in", 86400, "scope", ""));
		}
	}
	json_decref(j);
}

static void handle_v2_token(struct req *r, struct reply *rep)
{
	if (r->mode != B_FORM || r->pp_failed || r->too_large) {
		oauth_error(rep, "invalid_request", "The request must be application/x-www-form-urlencoded.", NULL);
		return;
	}
	const char *names[] = {"grant_type", "client_id", "client_secret"};
	json_t *missing = json_array();
	for (int i = 0; i < 3; i++)
		if (!field(r, names[i]) || !*field(r, names[i]))
			json_array_append_new(missing, json_string(names[i]));
	if (json_array_size(missing)) {
		oauth_error(rep, "invalid_request", "The request has missing or invalid required parameters.",
			    json_pack("{s:o}", "missing_parameters", missing));
		return;
	}
	json_decref(missing);
	if (limited(L_V2_TOKEN, field(r, "client_id"), rep, 1))
		return;
	if (strcmp(field(r, "grant_type"), "client_credentials") != 0) {
		oauth_error(rep, "unsupported_grant_type", "Only the client_credentials grant type is supported.", NULL);
		return;
	}
	struct tenant *t = tenant_by_credentials(field(r, "client_id"), field(r, "client_secret"));
	if (!t) {
		oauth_error(rep, "invalid_client", "Client authentication failed.", NULL);
		return;
	}
	const char *scope = field(r, "scope");
	char tok[72];
	mint_token((int)(t - g_tenants), TOK_V2, tok);
	reply_body(rep, 200, "application/json",
		   json_pack("{s:s,s:i,s:s,s:o}", "access_token", tok, "expires_in", 86400, "token_type", "Bearer",
			     "scope", emu_jstr(scope && *scope ? scope : "personio:persons:read personio:compensations:read")));
}

/* ------------------------------------------------------------ employees */

static void handle_employees(struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v1(c, rep);
	if (!t || limited(L_EMPLOYEES, t->client_id, rep, 0))
		return;
	long long limit = 50, offset = 0;
	const char *ls = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *os = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset");
	if (ls && emu_strict_ll(ls, 1, 1000000000, &limit)) {
		v1_error(rep, 400, "The limit must be an integer of at least 1.", 400);
		return;
	}
	if (os && emu_strict_ll(os, 0, 1000000000, &offset)) {
		v1_error(rep, 400, "The offset must be an integer of at least 0.", 400);
		return;
	}
	if (limit > 100)
		limit = 100;
	size_t n = t->nemps, from = (size_t)offset < n ? (size_t)offset : n;
	size_t to = from + (size_t)limit < n ? from + (size_t)limit : n, need = 256;
	for (size_t i = from; i < to; i++)
		need += t->emps[i].len + 1;
	rep->status = 200;
	rep->ctype = "application/json";
	emu_sb_grow(&rep->body, need);
	emu_sb_addf(&rep->body,
		"{\"success\":true,\"metadata\":{\"total_elements\":%zu,\"current_page\":%lld,\"total_pages\":%lld},"
		"\"offset\":%lld,\"limit\":%lld,\"data\":[",
		n, offset / limit, ((long long)n + limit - 1) / limit, offset, limit);
	for (size_t i = from; i < to; i++) {
		if (i > from)
			emu_sb_addn(&rep->body, ",", 1);
		emu_sb_addn(&rep->body, t->emps[i].json, t->emps[i].len);
	}
	emu_sb_adds(&rep->body, "]}");
}

static void handle_doc_categories(struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v1(c, rep);
	if (!t)
		return;
	rep->status = 200;
	rep->ctype = "application/json";
	emu_sb_adds(&rep->body, "{\"success\":true,\"data\":[");
	for (size_t i = 0; i < t->ncats; i++) {
		if (i)
			emu_sb_addn(&rep->body, ",", 1);
		emu_sb_adds(&rep->body, t->cats[i].json);
	}
	emu_sb_adds(&rep->body, "]}");
}

/* ---------------------------------------------------------- attendances */

/* the employees[] query parameters (repeated, as the spec's explode: true says) */
struct emp_filter { long long *ids; size_t n; int bad; };

static enum MHD_Result emp_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct emp_filter *f = cls;
	long long id;
	(void)kind;
	if (strcmp(key, "employees[]") != 0)
		return MHD_YES;
	if (!value || emu_strict_ll(value, 0, LLONG_MAX, &id)) {
		f->bad = 1;
		return MHD_YES;
	}
	f->ids = emu_xrealloc(f->ids, (f->n + 1) * sizeof *f->ids);
	f->ids[f->n++] = id;
	return MHD_YES;
}

/* GET /v1/company/attendances: start_date and end_date (required, inclusive), employees[]
 * (repeated), includePending, limit (default 200, at least 1) and an element offset, as the
 * v1 spec gives them; the AttendancePeriodsResponse with metadata. Fixture order. */
static void handle_attendances(struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v1(c, rep);
	if (!t)
		return;
	const char *sd = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "start_date");
	const char *ed = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "end_date");
	const char *ls = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *os = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "offset");
	const char *ip = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "includePending");
	long start, end;
	long long limit = 200, offset = 0;
	if (!sd || !ed || emu_date_days(sd, &start) || emu_date_days(ed, &end)) {
		v1_error(rep, 400, "start_date and end_date are required dates (YYYY-MM-DD).", 400);
		return;
	}
	if (end < start) {
		v1_error(rep, 400, "end_date must not be before start_date.", 400);
		return;
	}
	if (ls && emu_strict_ll(ls, 1, 1000000000, &limit)) {
		v1_error(rep, 400, "The limit must be an integer of at least 1.", 400);
		return;
	}
	if (os && emu_strict_ll(os, 0, 1000000000, &offset)) {
		v1_error(rep, 400, "The offset must be an integer of at least 0.", 400);
		return;
	}
	struct emp_filter f = {NULL, 0, 0};
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, emp_arg, &f);
	if (f.bad) {
		free(f.ids);
		v1_error(rep, 400, "employees[] must be Personio employee ids (integers).", 400);
		return;
	}
	int pending = ip && (strcmp(ip, "true") == 0 || strcmp(ip, "1") == 0);
	size_t total = 0, need = 256, from = 0, taken = 0;
	size_t *idx = emu_xcalloc(t->natts ? t->natts : 1, sizeof *idx);
	for (size_t i = 0; i < t->natts; i++) {
		const struct attendance *a = &t->atts[i];
		int in = a->date >= start && a->date <= end && (pending || a->confirmed);
		if (in && f.n) {
			int hit = 0;
			for (size_t k = 0; k < f.n && !hit; k++)
				hit = f.ids[k] == a->employee;
			in = hit;
		}
		if (in)
			idx[total++] = i;
	}
	free(f.ids);
	from = (size_t)offset < total ? (size_t)offset : total;
	taken = total - from < (size_t)limit ? total - from : (size_t)limit;
	for (size_t i = from; i < from + taken; i++)
		need += t->atts[idx[i]].len + 1;
	rep->status = 200;
	rep->ctype = "application/json";
	emu_sb_grow(&rep->body, need);
	emu_sb_addf(&rep->body,
		"{\"success\":true,\"metadata\":{\"total_elements\":%zu,\"current_page\":%lld,\"total_pages\":%lld},"
		"\"offset\":%lld,\"limit\":%lld,\"data\":[",
		total, offset / limit, ((long long)total + limit - 1) / limit, offset, limit);
	for (size_t i = from; i < from + taken; i++) {
		if (i > from)
			emu_sb_addn(&rep->body, ",", 1);
		emu_sb_addn(&rep->body, t->atts[idx[i]].json, t->atts[idx[i]].len);
	}
	emu_sb_adds(&rep->body, "]}");
	free(idx);
}

/* -------------------------------------------------------- compensations */

static void url_encode(struct emu_sb *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~')
			emu_sb_addn(b, s, 1);
		else
			emu_sb_addf(b, "%%%02X", ch);
	}
}

/* Is id in the comma-separated list? NULL list matches everything. */
static int in_list(const char *list, const char *id)
{
	if (!list)
		return 1;
	if (!id)
		return 0;
	size_t il = strlen(id);
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		const char *q = p;
		while (len && *q == ' ')
			q++, len--;
		while (len && q[len - 1] == ' ')
			len--;
		if (len == il && memcmp(q, id, il) == 0)
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int list_ok(const char *list)
{
	if (!list || !*list)
		return 0;
	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t sp = 0;
		while (sp < len && p[sp] == ' ')
			sp++;
		if (sp == len)
			return 0;
		if (!e)
			return 1;
		p = e + 1;
	}
}

static uint32_t cursor_sum(const struct tenant *t, const char *sd, const char *ed, const char *le,
			   const char *pid, unsigned long off)
{
	char o[32];
	snprintf(o, sizeof o, "%lx", off);
	uint32_t h = 2166136261u;
	h = emu_fnv1a(h, t->name), h = emu_fnv1a(h, sd), h = emu_fnv1a(h, ed);
	h = emu_fnv1a(h, le ? le : "\x01"), h = emu_fnv1a(h, pid ? pid : "\x01");
	return emu_fnv1a(h, o);
}

static void comp_href(struct emu_sb *b, const char *sd, const char *ed, const char *le, const char *pid,
		      long long limit, const char *cursor)
{
	emu_sb_addf(b, "http://127.0.0.1:%u/v2/compensations?start_date=", atomic_load(&g_port));
	url_encode(b, sd);
	emu_sb_adds(b, "&end_date=");
	url_encode(b, ed);
	if (le) {
		emu_sb_adds(b, "&legal_entity.id=");
		url_encode(b, le);
	}
	if (pid) {
		emu_sb_adds(b, "&person.id=");
		url_encode(b, pid);
	}
	emu_sb_addf(b, "&limit=%lld", limit);
	if (cursor) {
		emu_sb_adds(b, "&cursor=");
		url_encode(b, cursor);
	}
}

static void handle_compensations(struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v2(c, rep);
	if (!t)
		return;
	const char *sd = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "start_date");
	const char *ed = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "end_date");
	const char *le = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "legal_entity.id");
	const char *pid = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "person.id");
	const char *ls = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cur = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor");
	long sy, ey;
	int sm, sdd, em, edd;
	long long limit = 100;
	if (!sd || !ed) {
		v2_problem(rep, 400, "start_date and end_date are required (YYYY-MM-DD).");
		return;
	}
	if (emu_parse_date(sd, &sy, &sm, &sdd)) {
		v2_problem(rep, 400, "start_date must be a valid date in the format YYYY-MM-DD.");
		return;
	}
	if (emu_parse_date(ed, &ey, &em, &edd)) {
		v2_problem(rep, 400, "end_date must be a valid date in the format YYYY-MM-DD.");
		return;
	}
	long start = emu_days_from_civil(sy, sm, sdd), end = emu_days_from_civil(ey, em, edd);
	long ly = sm == 12 ? sy + 1 : sy;
	int lm = sm == 12 ? 1 : sm + 1;
	long lim_day = emu_days_from_civil(ly, lm, sdd < emu_days_in_month(ly, lm) ? sdd : emu_days_in_month(ly, lm));
	if (end < start) {
		v2_problem(rep, 400, "end_date must not be before start_date.");
		return;
	}
	if (end > lim_day) {
		v2_problem(rep, 400, "The difference between start_date and end_date must not exceed one month.");
		return;
	}
	if (ls && emu_strict_ll(ls, 1, 100, &limit)) {
		v2_problem(rep, 400, "limit must be an integer between 1 and 100.");
		return;
	}
	if ((le && !list_ok(le)) || (pid && !list_ok(pid))) {
		v2_problem(rep, 400, "legal_entity.id and person.id must be comma-separated lists of ids.");
		return;
	}
	/* window + filters, fixture order. The cursor holds the fixture index to resume the
	 * scan from, so paging through a window costs one pass over the fixture in all. */
	unsigned long off = 0;
	if (cur) {
		char hex[9] = {0};
		size_t cl = strlen(cur);
		char *e = NULL;
		int ok = cl == 20 && emu_starts_with(cur, "cur_") && strspn(cur + 4, "0123456789abcdef") == 16;
		if (ok) {
			memcpy(hex, cur + 4, 8);
			off = strtoul(hex, &e, 16);
			ok = (uint32_t)strtoul(cur + 12, NULL, 16) == cursor_sum(t, sd, ed, le, pid, off) && off <= t->ncomps;
		}
		if (!ok) {
			v2_problem(rep, 400, "The cursor is invalid or does not match the given filters.");
			return;
		}
	}
	size_t *idx = emu_xcalloc((size_t)limit, sizeof *idx), nm = 0, next_at = 0, need = 512;
	int more = 0;
	for (size_t i = off; i < t->ncomps; i++) {
		const struct comp *k = &t->comps[i];
		int in = k->one_time ? (k->from >= start && k->from <= end)
				     : (k->from <= end && (!k->has_to || k->to >= start));
		if (!(in && in_list(le, k->le_id) && in_list(pid, k->person_id)))
			continue;
		if (nm == (size_t)limit) {
			more = 1;
			next_at = i;
			break;
		}
		idx[nm++] = i;
		need += k->len + 1;
	}
	rep->status = 200;
	rep->ctype = "application/json";
	emu_sb_grow(&rep->body, need);
	emu_sb_adds(&rep->body, "{\"_data\":[");
	for (size_t i = 0; i < nm; i++) {
		if (i > 0)
			emu_sb_addn(&rep->body, ",", 1);
		emu_sb_addn(&rep->body, t->comps[idx[i]].json, t->comps[idx[i]].len);
	}
	emu_sb_adds(&rep->body, "],\"_meta\":{\"links\":{\"self\":{\"href\":\"");
	comp_href(&rep->body, sd, ed, le, pid, limit, cur);
	emu_sb_adds(&rep->body, "\"}");
	if (more) {
		char next[32];
		snprintf(next, sizeof next, "cur_%08lx%08" PRIx32, (unsigned long)next_at,
			 cursor_sum(t, sd, ed, le, pid, (unsigned long)next_at));
		emu_sb_adds(&rep->body, ",\"next\":{\"href\":\"");
		comp_href(&rep->body, sd, ed, le, pid, limit, next);
		emu_sb_adds(&rep->body, "\"}");
	}
	emu_sb_adds(&rep->body, "}}}");
	free(idx);
}

/* ------------------------------------------------------------ documents */

static void handle_doc_upload(struct req *r, struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v1(c, rep);
	if (!t || limited(L_DOCUMENTS, t->client_id, rep, 0))
		return;
	if (r->mode != B_FORM || r->pp_failed) {
		v1_error(rep, 400, "Invalid multipart request body and/or headers supplied", 0);
		return;
	}
	const char *title = field(r, "title"), *emp = field(r, "employee_id"), *cat = field(r, "category_id");
	const char *comment = field(r, "comment"), *date = field(r, "date");
	long long emp_id = 0, cat_id = 0;
	json_t *ed = json_object();
#define INVALID(key, msg) json_object_set_new(ed, key, json_pack("[s]", msg))
	if (!title || !*title)
		INVALID("title", "The title field is required.");
	else if (strlen(title) > 255)
		INVALID("title", "The title may not be greater than 255 characters.");
	if (!emp || !*emp)
		INVALID("employee_id", "The employee id field is required.");
	else if (emu_strict_ll(emp, 1, LLONG_MAX, &emp_id))
		INVALID("employee_id", "The employee id must be an integer.");
	if (!cat || !*cat)
		INVALID("category_id", "The category id field is required.");
	else if (emu_strict_ll(cat, 1, LLONG_MAX, &cat_id))
		INVALID("category_id", "The category id must be an integer.");
	if (!r->file_seen)
		INVALID("file", "The file field is required.");
	else if (!r->file_name)
		INVALID("file", "The file must be a file.");
	else if (r->file_bytes > MAX_FILE)
		INVALID("file", "The file may not be greater than 30720 kilobytes.");
	if (date && *date && emu_parse_date(date, &(long){0}, &(int){0}, &(int){0}))
		INVALID("date", "The date does not match the format Y-m-d.");
	if (r->too_large)
		INVALID("comment", "The comment may not be greater than 65536 characters.");
#undef INVALID
	if (json_object_size(ed)) {
		reply_body(rep, 422, "application/json",
			   json_pack("{s:b,s:{s:s,s:i,s:o}}", "success", 0, "error", "message", "The given data was invalid.",
				     "code", 0, "error_data", ed));
		free(rep->authz), rep->authz = NULL;
		return;
	}
	json_decref(ed);
	const struct employee *e = NULL;
	const struct category *k = NULL;
	for (size_t i = 0; i < t->nemps && !e; i++)
		if (t->emps[i].id == emp_id)
			e = &t->emps[i];
	for (size_t i = 0; i < t->ncats && !k; i++)
		if (t->cats[i].id == cat_id)
			k = &t->cats[i];
	if (!e || !k) {
		char msg[96];
		snprintf(msg, sizeof msg, "No query results for model [%s] %lld", e ? "DocumentCategory" : "Employee",
			 e ? cat_id : emp_id);
		v1_error(rep, 404, msg, 0);
		free(rep->authz), rep->authz = NULL;
		return;
	}
	unsigned char dig[32];
	lp_sha256_final(&r->sha, dig);
	pthread_mutex_lock(&S.lock);
	S.docs = emu_xrealloc(S.docs, (S.ndocs + 1) * sizeof *S.docs);
	struct doc *d = &S.docs[S.ndocs++];
	*d = (struct doc){
		.id = S.next_doc++, .employee_id = emp_id, .category_id = cat_id, .tenant = emu_xstrdup(t->name),
		.title = emu_xstrdup(title), .comment = comment ? emu_xstrdup(comment) : NULL,
		.date = date && *date ? emu_xstrdup(date) : NULL, .filename = emu_xstrdup(r->file_name),
		.content_type = r->file_ctype ? emu_xstrdup(r->file_ctype) : NULL, .bytes = r->file_bytes,
		.created = g_clock_start + S.ticks++,
	};
	lp_sha256_tohex(dig, d->sha256);
	long long id = d->id;
	pthread_mutex_unlock(&S.lock);
	json_t *emp_j = json_loads(e->json, 0, NULL), *cat_j = json_loads(k->json, 0, NULL);
	reply_body(rep, 201, "application/json",
		   json_pack("{s:b,s:{s:I,s:s,s:{s:o,s:o,s:o,s:o,s:o}}}", "success", 1, "data", "id", (json_int_t)id,
			     "type", "Document", "attributes", "title", emu_jstr(title), "date",
			     jstr_or_null(date && *date ? date : NULL), "comment", jstr_or_null(comment), "employee",
			     emp_j ? emp_j : json_null(), "category", cat_j ? cat_j : json_null()));
}


/* the logical clock's time as ISO 8601 UTC ("2026-01-01T00:00:01Z") */
static void fmt_time(long long secs, char out[32])
{
	long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	unsigned rem = (unsigned)(secs - days * 86400) % 86400u;
	long y;
	int m, d;
	emu_civil_from_days((long)days, &y, &m, &d);
	snprintf(out, 32, "%04ld-%02d-%02dT%02u:%02u:%02uZ", y % 10000, m % 100, d % 100, rem / 3600, rem / 60 % 60,
		 rem % 60);
}

/* ISO 8601 date-time YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM) as seconds since 1970,
 * a fraction rounded up (the clock has whole seconds, so created_at >= 3.5 is >= 4 and
 * created_at < 3.5 is < 4); 0, else -1 */
static int parse_time(const char *s, long long *out)
{
	char date[11];
	long y;
	int mo, d, hh, mm, ss, n = 0;
	if (!s || strlen(s) < 20 || s[10] != 'T')
		return -1;
	memcpy(date, s, 10);
	date[10] = 0;
	if (emu_parse_date(date, &y, &mo, &d))
		return -1;
	const char *p = s + 11;
	if (sscanf(p, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n) != 3 || n != 8 || hh > 23 || mm > 59 || ss > 59 ||
	    !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[6]))
		return -1;
	p += 8;
	int up = 0;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			up |= *p++ != '0';
	}
	long long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59 ||
		    !isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[4]))
			return -1;
		off = (oh * 60LL + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*out = emu_days_from_civil(y, mo, d) * 86400LL + hh * 3600LL + mm * 60LL + ss - off + up;
	return 0;
}

static uint32_t doc_cursor_sum(const struct tenant *t, const char *owner, const char *cat, const char *gte,
			       const char *lt, unsigned long off)
{
	char o[32];
	snprintf(o, sizeof o, "%lx", off);
	uint32_t h = emu_fnv1a(2166136261u, "documents");
	h = emu_fnv1a(h, t->name), h = emu_fnv1a(h, owner), h = emu_fnv1a(h, cat ? cat : "\x01");
	h = emu_fnv1a(h, gte ? gte : "\x01"), h = emu_fnv1a(h, lt ? lt : "\x01");
	return emu_fnv1a(h, o);
}

static void doc_href(struct emu_sb *b, const char *owner, const char *cat, const char *gte, const char *lt,
		     long long limit, const char *cursor)
{
	emu_sb_addf(b, "http://127.0.0.1:%u/v2/document-management/documents?owner_id=", atomic_load(&g_port));
	url_encode(b, owner);
	if (cat) {
		emu_sb_adds(b, "&category_id=");
		url_encode(b, cat);
	}
	if (gte) {
		emu_sb_adds(b, "&created_at.gte=");
		url_encode(b, gte);
	}
	if (lt) {
		emu_sb_adds(b, "&created_at.lt=");
		url_encode(b, lt);
	}
	emu_sb_addf(b, "&limit=%lld", limit);
	if (cursor) {
		emu_sb_adds(b, "&cursor=");
		url_encode(b, cursor);
	}
}

/* the v2 document type: the file name's extension in lower case ("pdf"), else "unknown" */
static json_t *doc_type(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	char t[16];
	size_t n = 0;
	if (!dot || !dot[1] || strlen(dot + 1) >= sizeof t)
		return json_string("unknown");
	for (const char *p = dot + 1; *p; p++)
		t[n++] = (char)tolower((unsigned char)*p);
	t[n] = 0;
	return emu_jstr(t);
}

/* GET /v2/document-management/documents: owner_id (required), category_id, created_at.gte,
 * created_at.lt, limit 1-200 (default 100), cursor. Oldest first (created_at, then id: the
 * order of upload), so a document uploaded while a client pages lands on a later page, never
 * before its cursor. Only the token's tenant's documents. */
static void handle_v2_documents(struct MHD_Connection *c, struct reply *rep)
{
	struct tenant *t = auth_v2(c, rep);
	if (!t)
		return;
	const char *owner = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "owner_id");
	const char *cat = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "category_id");
	const char *gte = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "created_at.gte");
	const char *lt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "created_at.lt");
	const char *ls = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
	const char *cur = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cursor");
	long long owner_id, cat_id = 0, t_gte = LLONG_MIN, t_lt = LLONG_MAX, limit = 100;
	if (!owner || !*owner) {
		v2_problem(rep, 400, "owner_id is required.");
		return;
	}
	if (emu_strict_ll(owner, 1, LLONG_MAX, &owner_id)) {
		v2_problem(rep, 400, "owner_id must be a person id (a positive integer).");
		return;
	}
	if (cat && emu_strict_ll(cat, 1, LLONG_MAX, &cat_id)) {
		v2_problem(rep, 400, "category_id must be a document category id (a positive integer).");
		return;
	}
	if (gte && parse_time(gte, &t_gte)) {
		v2_problem(rep, 400, "created_at.gte must be an ISO 8601 date-time (2026-01-01T00:00:00Z).");
		return;
	}
	if (lt && parse_time(lt, &t_lt)) {
		v2_problem(rep, 400, "created_at.lt must be an ISO 8601 date-time (2026-01-01T00:00:00Z).");
		return;
	}
	if (ls && emu_strict_ll(ls, 1, 200, &limit)) {
		v2_problem(rep, 400, "limit must be an integer between 1 and 200.");
		return;
	}
	unsigned long off = 0;
	pthread_mutex_lock(&S.lock);
	if (cur) {
		char hex[9] = {0};
		int ok = strlen(cur) == 20 && emu_starts_with(cur, "cur_") && strspn(cur + 4, "0123456789abcdef") == 16;
		if (ok) {
			memcpy(hex, cur + 4, 8);
			off = strtoul(hex, NULL, 16);
			ok = (uint32_t)strtoul(cur + 12, NULL, 16) == doc_cursor_sum(t, owner, cat, gte, lt, off) &&
			     off <= S.ndocs;
		}
		if (!ok) {
			pthread_mutex_unlock(&S.lock);
			v2_problem(rep, 400, "The cursor is invalid or does not match the given filters.");
			return;
		}
	}
	json_t *data = json_array();
	int more = 0;
	size_t next_at = 0;
	for (size_t i = off; i < S.ndocs; i++) {
		const struct doc *d = &S.docs[i];
		if (strcmp(d->tenant, t->name) != 0 || d->employee_id != owner_id || (cat && d->category_id != cat_id) ||
		    d->created < t_gte || d->created >= t_lt)
			continue;
		if (json_array_size(data) == (size_t)limit) {
			more = 1;
			next_at = i;
			break;
		}
		char id[32], cid[32], oid[32], ts[32];
		snprintf(id, sizeof id, "%lld", d->id);
		snprintf(cid, sizeof cid, "%lld", d->category_id);
		snprintf(oid, sizeof oid, "%lld", d->employee_id);
		fmt_time(d->created, ts);
		json_array_append_new(data, json_pack("{s:s,s:o,s:o,s:o,s:{s:s},s:{s:s},s:o,s:I,s:s,s:{s:s},s:{s:s}}",
						      "id", id, "name", emu_jstr(d->title), "date", jstr_or_null(d->date),
						      "comment", jstr_or_null(d->comment), "category", "id", cid, "owner",
						      "id", oid, "document_type", doc_type(d->filename), "size",
						      (json_int_t)d->bytes, "created_at", ts, "virus_scan", "status",
						      "clean", "esignature", "status", "none"));
	}
	pthread_mutex_unlock(&S.lock);
	rep->status = 200;
	rep->ctype = "application/json";
	emu_sb_adds(&rep->body, "{\"_data\":");
	emu_sb_json(&rep->body, data);
	emu_sb_adds(&rep->body, ",\"_meta\":{\"links\":{\"self\":{\"href\":\"");
	doc_href(&rep->body, owner, cat, gte, lt, limit, cur);
	emu_sb_adds(&rep->body, "\"}");
	if (more) {
		char next[32];
		snprintf(next, sizeof next, "cur_%08lx%08" PRIx32, (unsigned long)next_at,
			 doc_cursor_sum(t, owner, cat, gte, lt, (unsigned long)next_at));
		emu_sb_adds(&rep->body, ",\"next\":{\"href\":\"");
		doc_href(&rep->body, owner, cat, gte, lt, limit, next);
		emu_sb_adds(&rep->body, "\"}");
	}
	emu_sb_adds(&rep->body, "}}}");
}

/* -------------------------------------------------------------- control */

static void handle_control(struct req *r, struct reply *rep)
{
	rep->status = 200;
	rep->ctype = "application/json";
	switch (r->route) {
	case R_C_STATS: {
		pthread_mutex_lock(&S.lock);
		json_t *o = json_pack("{s:I}", "without_app_id", (json_int_t)S.no_app_id);
		emu_stats_json(o, &S.st, &S.plan);
		json_object_set_new(o, "documents", json_integer((json_int_t)S.ndocs));
		json_t *rl = json_object();
		uint64_t total = 0;
		for (int i = 0; i < L__N; i++) {
			json_object_set_new(rl, g_lim[i].stat, json_integer((json_int_t)L.refused[i]));
			total += L.refused[i];
		}
		json_object_set_new(rl, "total", json_integer((json_int_t)total));
		json_object_set_new(o, "rate_limited", rl);
		pthread_mutex_unlock(&S.lock);
		emu_sb_json(&rep->body, o);
		break;
	}
	case R_C_FAULTS: {
		struct emu_plan p;
		char err[256];
		if (r->too_large) {
			reply_body(rep, 413, "application/json", json_pack("{s:s}", "error", "fault plan too large"));
		} else if (emu_plan_parse(r->raw.p ? r->raw.p : "", r->raw.len, &p, err, sizeof err)) {
			reply_body(rep, 400, "application/json", json_pack("{s:o}", "error", emu_jstr(err)));
		} else {
			pthread_mutex_lock(&S.lock);
			emu_plan_free(&S.plan);
			S.plan = p;
			pthread_mutex_unlock(&S.lock);
			emu_sb_adds(&rep->body, "{\"ok\":true}");
		}
		break;
	}
	case R_C_RESET:
		pthread_mutex_lock(&S.lock);
		reset_counters_locked();
		emu_plan_free(&S.plan);
		emu_plan_default(&S.plan);
		free_docs_locked();
		pthread_mutex_unlock(&S.lock);
		emu_sb_adds(&rep->body, "{\"ok\":true}");
		break;
	case R_C_REVOKE:
		pthread_mutex_lock(&S.lock);
		revoke_tokens_locked();
		pthread_mutex_unlock(&S.lock);
		emu_sb_adds(&rep->body, "{\"ok\":true}");
		break;
	case R_C_DOCUMENTS: {
		json_t *a = json_array();
		pthread_mutex_lock(&S.lock);
		for (size_t i = 0; i < S.ndocs; i++) {
			struct doc *d = &S.docs[i];
			char ts[32];
			fmt_time(d->created, ts);
			json_array_append_new(a, json_pack("{s:I,s:o,s:o,s:I,s:I,s:o,s:o,s:o,s:o,s:I,s:I,s:s,s:s}", "id",
							   (json_int_t)d->id, "tenant", emu_jstr(d->tenant), "title",
							   emu_jstr(d->title), "employee_id", (json_int_t)d->employee_id,
							   "category_id", (json_int_t)d->category_id, "comment",
							   jstr_or_null(d->comment), "date", jstr_or_null(d->date), "filename",
							   emu_jstr(d->filename), "content_type", jstr_or_null(d->content_type),
							   "size", (json_int_t)d->bytes, "bytes", (json_int_t)d->bytes, "sha256",
							   d->sha256, "created_at", ts));
		}
		pthread_mutex_unlock(&S.lock);
		emu_sb_json(&rep->body, a);
		break;
	}
	case R_BAD_METHOD:
		reply_body(rep, 405, "application/json", json_pack("{s:s}", "error", "method not allowed"));
		rep->allow = r->allow;
		break;
	default:
		reply_body(rep, 404, "application/json", json_pack("{s:s}", "error", "unknown control endpoint"));
		break;
	}
}

/* ------------------------------------------------------------- dispatch */

static void handle_api(struct req *r, struct MHD_Connection *c, const char *url, struct reply *rep)
{
	char ip[64];
	if (emu_starts_with(url, "/v1/") && limited(L_V1, client_ip(c, ip), rep, 0))
		return;
	switch (r->route) {
	case R_V1_AUTH: handle_v1_auth(r, c, rep); break;
	case R_V2_TOKEN: handle_v2_token(r, rep); break;
	case R_EMPLOYEES: handle_employees(c, rep); break;
	case R_COMPENSATIONS: handle_compensations(c, rep); break;
	case R_ATTENDANCES: handle_attendances(c, rep); break;
	case R_DOC_CATEGORIES: handle_doc_categories(c, rep); break;
	case R_DOC_UPLOAD: handle_doc_upload(r, c, rep); break;
	case R_V2_DOCUMENTS: handle_v2_documents(c, rep); break;
	case R_BAD_METHOD:
		error_for(rep, url, 405);
		rep->allow = r->allow;
		break;
	default: error_for(rep, url, 404); break;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls, (void)version;
	struct req *r = *con_cls;
	if (!r) {
		r = emu_xcalloc(1, sizeof *r);
		*con_cls = r;
		r->route = R_NOT_FOUND;
		r->control = emu_starts_with(url, "/__emu/");
		for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++)
			if (strcmp(url, ROUTES[i].path) == 0) {
				r->route = strcmp(method, ROUTES[i].method) == 0 ? ROUTES[i].route : R_BAD_METHOD;
				r->allow = ROUTES[i].method;
			}
		if (!r->control) {
			/* Personio asks every client to identify itself; count those that do not */
			const char *app = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Personio-App-ID");
			if (!app || !*app) {
				pthread_mutex_lock(&S.lock);
				S.no_app_id++;
				pthread_mutex_unlock(&S.lock);
			}
			emu_decide_fault(&S.lock, &S.plan, &S.st, method, url, &r->f);
		}
		/* a lost answer is lost after the request was processed: its body is read too */
		if (r->f.kind == EMU_F_NONE || r->f.kind == EMU_F_MALFORMED || r->f.kind == EMU_F_LOST)
			setup_body(r, c);
		return MHD_YES;
	}
	if (*upload_size) {
		feed_body(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (!r->body_done) {
		finish_body(r);
		r->body_done = 1;
	}
	int hold = emu_hold(c, &r->f, &r->delayed);
	if (hold)
		return hold > 0 ? MHD_YES : MHD_NO;
	struct reply rep = {0};
	if (r->control) {
		handle_control(r, &rep);
	} else if (r->f.kind == EMU_F_STATUS) {
		error_for(&rep, url, r->f.status);
		if (r->f.status == 429)
			memcpy(rep.retry_after, r->f.retry_after, sizeof rep.retry_after);
	} else {
		handle_api(r, c, url, &rep);
		if (r->f.kind == EMU_F_MALFORMED)
			malform(r, url, &rep);
		if (r->f.kind == EMU_F_LOST) { /* processed, but the answer never arrives */
			emu_sb_reset(&rep.body);
			free(rep.authz);
			return MHD_NO;
		}
	}
	return queue_reply(c, &rep);
}

/* ----------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fputs("usage: personio-emu --fixtures DIR [--port N] [--port-file F] [--faults JSON]\n"
	      "                    [--threads N] [--watch-pid PID] [--rate-LIMIT N/SECONDS[:BURST]|off]...\n"
	      "                    [--rotate-v1-tokens yes|no] [--clock START]\n"
	      "       personio-emu --help | --version\n\n"
	      "Offline emulator of the Personio API (v1 auth/employees/attendances/documents, v2\n"
	      "token/compensations/document list) serving every tenant sub-directory of DIR on 127.0.0.1.\n\n"
	      "  --fixtures DIR   tenant directories (credentials.json, employees.json,\n"
	      "                   compensations.json, document-categories.json, attendances.json)\n"
	      "  --port N         TCP port, 0 (default) picks a free one\n"
	      "  --port-file F    write the port to F (atomically) once listening\n"
	      "  --faults JSON    initial fault plan (default: $PERSONIO_EMU_FAULTS)\n"
	      "  --threads N      worker threads (default 2)\n"
	      "  --watch-pid PID  exit when process PID is gone\n"
	      "  --rate-v1 L          every /v1/ request, per client IP (default 2000/60)\n"
	      "  --rate-v1-auth L     POST /v1/auth per client_id (default 60/60)\n"
	      "  --rate-employees L   GET /v1/company/employees per credential (default 300/60:15)\n"
	      "  --rate-documents L   POST /v1/company/documents per credential (default 60/60)\n"
	      "  --rate-v2-token L    POST /v2/auth/token per client_id (default 150/60)\n"
	      "                   L: N requests per SECONDS, at most BURST at once (default N), or off;\n"
	      "                   over it: 429, Retry-After, counted in /__emu/stats rate_limited\n"
	      "  --rotate-v1-tokens yes  every v1 answer carries a new token; the used one stops working\n"
	      "  --clock START    the logical clock of created_at (ISO 8601, default 2026-01-01T00:00:00Z):\n"
	      "                   one second per stored upload, never the wall clock\n\n"
	      "Control endpoints: GET /__emu/stats, POST /__emu/faults, POST /__emu/reset,\n"
	      "GET /__emu/documents, POST /__emu/revoke-tokens.  See doc/personio-fixtures.md.\n",
	      f);
}

static void set_port(unsigned port) { atomic_store(&g_port, port); }

static void cleanup(void)
{
	pthread_mutex_lock(&S.lock);
	revoke_tokens_locked();
	reset_counters_locked();
	free_docs_locked();
	emu_plan_free(&S.plan);
	pthread_mutex_unlock(&S.lock);
	free_fixtures();
}

int main(int argc, char **argv)
{
	static const struct emu_app app = {
		.name = "personio-emu",
		.faults_env = "PERSONIO_EMU_FAULTS",
		.plan = &S.plan,
		.usage = usage,
		.option = limit_option,
		.load = load_fixtures,
		.on_request = on_request,
		.free_req = free_req,
		.on_port = set_port,
		.cleanup = cleanup,
	};
	return emu_main(argc, argv, &app);
}
