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
 *   - Read-only payroll history (../shared/reference/loket-api-notes.md
 *     sections 7 and 8): payroll runs and journal runs of an administration,
 *     journal run results (ledger lines), payslips and year-end statements of
 *     an employment, the documents as small generated PDFs with a
 *     Content-Disposition file name.
 *   - The journal run PATCH (MarkAsProcessed / MarkAsProcessingFailed): a ready run (status 4)
 *     moves to 7 or 6; any other status is 409 Conflict (issue 14).
 *   - Control endpoints under /__emu/ and the same fault plan as personio-emu; among them
 *     POST /__emu/import-variable-data, Loket's import of a variable data CSV (action
 *     Overwrite) into the payroll period data, and POST /__emu/reissue-yearendstatement
 *     (a year-end statement Loket re-issued: its PDF changes, the list does not).
 *   - The audit trail of employee data (GET .../{employerId}/auditTrail/EmployeeData): an
 *     entry per field changed by a PUT of a wage, benefit/deduction or employee that names its
 *     person in X-Emu-User (a change by hand; X-Emu-Time sets its timeStamp).
 *   - Every employment's payrollId (made at load when the fixture has none; a new employment
 *     gets its administration's next one).
 *
 *   - The metadata of a PUT employee, a POST wage and a POST concept employee
 *     (GET .../metadata, {field, options[{key, value, isoCode?}]}, from the
 *     state's "metadata" collection); writes check metadata keys against it
 *     and fill the labels in. The payroll component catalogue per year.
 *
 * What it deliberately does not emulate: orderBy and filters other than 'eq ... and' (400), the other
 * metadata and the defaults endpoints, starting or changing payroll and journal runs (but a
 * journal run's status), the
 * other run reports and downloads, 403 authorisation, resource versions: every
 * resource has one shape, whatever version the Accept header asks for. The header
 * chooses PDF or JSON for one run's payslips, and its version (application/json;
 * version=YYYY-MM-DD) is echoed in a successful JSON answer's Content-Type and its
 * version.resourceVersion, as Loket answers the version it served; without one the
 * answer is plain application/json (and resourceVersion 2018-01-01). Error answers
 * are application/json, as the spec declares them.
 *
 * Helper code (utils, dates, fault plan, latency timer, port file, main loop)
 * is shared with personio-emu.c in emu.c / emu.h.
 *
 * Concurrency: MHD thread pool; the whole mutable state (one json_t tree),
 * tokens, counters and the fault plan live behind one mutex.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "emu.h"
#include "lp_hours_csv.h" /* the layout of the variable data import (macros only) */


/* ---------------------------------------------------------- shared state */


/* ---------------------------------------------------------- shared state */

enum tok_kind { TOK_CODE = 1, TOK_ACCESS = 2, TOK_REFRESH = 3 };

struct token { struct token *next; char tok[72]; enum tok_kind kind; time_t expires; };

static struct {
	pthread_mutex_t lock;
	struct token *tokens;
	struct emu_stats st;
	struct emu_plan plan;
	json_t *state;          /* current state; fixture copy in g_initial */
	json_t *requests;       /* the /v2 requests received (method, path, query, body), for spec checks */
	json_int_t version;     /* Loket's database-global lastModifiedVersionNumber, never decreasing */
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};


static json_t *g_initial;
static json_int_t g_version0; /* the version number after loading the fixture */
static char *g_client_id, *g_client_secret;
static long long g_token_ttl = 3599;

/* Every collection of state.json (all arrays of objects). */
static const char *const COLLECTIONS[] = {
	"employers", "payrollAdministrations", "employees", "employments", "wages", "benefitsAndDeductions",
	"payrollPeriodData", "conceptEmployees", "payrollComponents", "payrollPeriods",
	"payrollRuns", "journalRuns", "journalRunResults", "payslips", "yearEndStatements", "metadata",
	"payrollComponentSets", "workingHours", "organizationalEntities",
};

/* Collections whose objects have no "id" (the real API gives them none). */
static int keyless(const char *cname)
{
	return strcmp(cname, "payrollComponents") == 0 || strcmp(cname, "journalRunResults") == 0 ||
	       strcmp(cname, "payslips") == 0 || strcmp(cname, "yearEndStatements") == 0 ||
	       strcmp(cname, "metadata") == 0;
}
#define NCOLL (sizeof COLLECTIONS / sizeof COLLECTIONS[0])

static void mint_token_locked(enum tok_kind kind, long long ttl, char out[72])
{
	struct token *t = emu_xcalloc(1, sizeof *t);
	static const char *pre[] = {"", "lcode-", "lacc-", "lref-"};
	size_t pl = strlen(pre[kind]);
	memcpy(t->tok, pre[kind], pl);
	emu_random_hex(t->tok + pl, 24);
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

static void reset_counters_locked(void) { emu_stats_reset(&S.st); }

/* -------------------------------------------------------------- fixtures */

/* Loket's version numbers at load, deterministic: 1 000 000 + the employment's place in the
 * fixture; an employer holds the highest of its employments (its place among the employers
 * when it has none), its employments their employer's id ("employerId", an internal link the
 * views strip, so that the employer's employments are an index lookup). A fixture may give
 * lastModifiedVersionNumber itself (an integer); the counter starts above every number. */
static void number_versions(json_t *st)
{
	json_t *ems = json_object_get(st, "employments"), *ees = json_object_get(st, "employees"),
	       *ers = json_object_get(st, "employers"), *o, *e;
	json_t *employer_of = json_object(), *er_obj = json_object(); /* employeeId -> employerId, id -> employer */
	size_t i;
	json_int_t top = 1000000;
	json_array_foreach(ees, i, e) if (json_is_string(json_object_get(e, "id")) && json_is_string(json_object_get(e, "employerId")))
		json_object_set(employer_of, json_string_value(json_object_get(e, "id")), json_object_get(e, "employerId"));
	json_array_foreach(ers, i, o) {
		if (!json_is_integer(json_object_get(o, "lastModifiedVersionNumber")))
			json_object_set_new(o, "lastModifiedVersionNumber", json_integer(top - 100000 + (json_int_t)i));
		if (json_is_string(json_object_get(o, "id")))
			json_object_set(er_obj, json_string_value(json_object_get(o, "id")), o);
	}
	json_array_foreach(ems, i, o) {
		json_t *v = json_object_get(o, "lastModifiedVersionNumber");
		json_int_t n = json_is_integer(v) ? json_integer_value(v) : top + 1 + (json_int_t)i;
		json_object_set_new(o, "lastModifiedVersionNumber", json_integer(n));
		const char *ee = json_string_value(json_object_get(o, "employeeId"));
		json_t *er = ee ? json_object_get(employer_of, ee) : NULL;
		if (er)
			json_object_set(o, "employerId", er);
		json_t *eo = er && json_is_string(er) ? json_object_get(er_obj, json_string_value(er)) : NULL;
		if (eo && json_integer_value(json_object_get(eo, "lastModifiedVersionNumber")) < n)
			json_object_set_new(eo, "lastModifiedVersionNumber", json_integer(n));
	}
	json_decref(employer_of);
	json_decref(er_obj);
	g_version0 = top + (json_int_t)json_array_size(ems);
	json_array_foreach(ers, i, o) if (json_integer_value(json_object_get(o, "lastModifiedVersionNumber")) > g_version0)
		g_version0 = json_integer_value(json_object_get(o, "lastModifiedVersionNumber"));
	json_array_foreach(ems, i, o) if (json_integer_value(json_object_get(o, "lastModifiedVersionNumber")) > g_version0)
		g_version0 = json_integer_value(json_object_get(o, "lastModifiedVersionNumber"));
}

/* Loket makes every employment's payrollId ("PersoneelsnummerVerloning", never null, unique per
 * payroll administration): an employment the fixture gives none gets the next number of its
 * administration, in the fixture's order (deterministic; /__emu/reset restores them). */
static void number_payroll_ids(json_t *st)
{
	json_t *ems = json_object_get(st, "employments"), *top = json_object(), *o; /* administration -> highest */
	size_t i;
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(ems, i, o) {
			const char *a = json_string_value(json_object_get(o, "payrollAdministrationId"));
			json_t *v = json_object_get(o, "payrollId");
			json_int_t hi = json_integer_value(json_object_get(top, a ? a : ""));
			if (pass == 0 && json_is_integer(v) && json_integer_value(v) > hi)
				json_object_set_new(top, a ? a : "", json_integer(json_integer_value(v)));
			if (pass == 1 && !json_is_integer(v)) {
				json_object_set_new(o, "payrollId", json_integer(hi + 1));
				json_object_set_new(top, a ? a : "", json_integer(hi + 1));
			}
		}
	json_decref(top);
}

static void load_fixtures(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/client.json", dir);
	json_t *cl = emu_load_fixture(path, 1);
	json_t *ci = json_object_get(cl, "client_id"), *cs = json_object_get(cl, "client_secret");
	if (!json_is_string(ci) || !json_is_string(cs) || !*json_string_value(ci) || !*json_string_value(cs))
		emu_fixture_fail("%s: expected {\"client_id\": \"...\", \"client_secret\": \"...\"} (non-empty strings)", path);
	g_client_id = emu_xstrdup(json_string_value(ci));
	g_client_secret = emu_xstrdup(json_string_value(cs));
	json_decref(cl);

	snprintf(path, sizeof path, "%s/state.json", dir);
	json_t *st = emu_load_fixture(path, 0);
	if (!json_is_object(st))
		emu_fixture_fail("%s: expected a JSON object of collections", path);
	for (size_t i = 0; i < NCOLL; i++) {
		json_t *a = json_object_get(st, COLLECTIONS[i]);
		if (!a) {
			json_object_set_new(st, COLLECTIONS[i], json_array());
			continue;
		}
		if (!json_is_array(a))
			emu_fixture_fail("%s: \"%s\" must be an array", path, COLLECTIONS[i]);
		size_t k;
		json_t *o;
		json_array_foreach(a, k, o) {
			if (!json_is_object(o))
				emu_fixture_fail("%s: %s[%zu] must be an object", path, COLLECTIONS[i], k);
			if (!keyless(COLLECTIONS[i]) && !json_is_string(json_object_get(o, "id")) &&
			    !json_is_integer(json_object_get(o, "id")))
				emu_fixture_fail("%s: %s[%zu] needs an \"id\"", path, COLLECTIONS[i], k);
		}
	}
	number_versions(st);
	number_payroll_ids(st);
	g_initial = st;
	S.version = g_version0;
	S.state = json_deep_copy(st);
	if (!S.state)
		emu_oom();
}
/* -------------------------------------------------------------- requests */


struct req {
	int control, body_done, delayed;
	struct emu_fault f;
	int too_large;
	struct emu_sb raw;
};

#define MAX_LOGGED 200000

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	json_object_set_new(cls, key, json_string(value ? value : ""));
	return MHD_YES;
}

/* Keep a /v2 request for GET /__emu/requests (a JSON body is kept parsed; tokens never). */
static void log_request_locked(struct MHD_Connection *c, const char *url, const char *method, const struct req *r)
{
	if (!emu_starts_with(url, "/v2/"))
		return;
	if (!S.requests)
		S.requests = json_array();
	if (json_array_size(S.requests) >= MAX_LOGGED)
		return;
	json_t *q = json_object();
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, q);
	json_t *body = r->raw.len ? json_loadb(r->raw.p, r->raw.len, 0, NULL) : NULL;
	json_array_append_new(S.requests, json_pack("{s:s,s:s,s:o,s:o}", "method", method, "path", url + 3, "query", q,
						    "body", body ? body : json_null()));
}

struct reply {
	unsigned status;
	const char *ctype;
	struct emu_sb body;
	char retry_after[32];
	char etag[24];
	char allow[64];
	char disposition[160];  /* Content-Disposition of a download */
	const char *www_auth;
	char vtype[64];         /* the versioned JSON media type a success answers with ("": plain) */
};

static void free_req(void *req)
{
	struct req *r = req;
	emu_sb_reset(&r->raw);
	free(r);
}

/* ------------------------------------------------------------- replies */

#define RES_VERSION "2018-01-01"

/* The resource version the request asked for (Accept: application/json;version=V), set by
 * handle_api for the request this thread handles; "" when it named none. */
static _Thread_local char t_version[16];

/* After optional spaces at *p, the text t (case ignored): 1 and *p past it, else 0. */
static int take(const char **p, const char *t)
{
	while (**p == ' ')
		(*p)++;
	size_t n = strlen(t);
	if (strncasecmp(*p, t, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* accept_version(ACCEPT, OUT): the V of "application/json;version=V" in an Accept header
 * (case-insensitive, spaces around ';' and '=' allowed; V is YYYY-MM-DD), else "". */
static void accept_version(const char *a, char out[16])
{
	out[0] = '\0';
	for (const char *p = a ? strcasestr(a, "application/json") : NULL; p; p = strcasestr(p + 1, "application/json")) {
		const char *q = p + strlen("application/json");
		if (!take(&q, ";") || !take(&q, "version") || !take(&q, "="))
			continue;
		take(&q, "");
		size_t n = strspn(q, "0123456789-");
		if (n == 10) {
			memcpy(out, q, n);
			out[n] = '\0';
			return;
		}
	}
}

static void reply_body(struct reply *rep, unsigned status, json_t *body)
{
	rep->status = status;
	rep->ctype = "application/json";
	emu_sb_reset(&rep->body);
	emu_sb_json(&rep->body, body);
}

static json_t *version_obj(void)
{
	return json_pack("{s:n,s:s}", "obsoleteDate", "resourceVersion", t_version[0] ? t_version : RES_VERSION);
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
			     "id", "type", type, "description", emu_jstr(msg), "properties", "_embedded"));
}

#define BBR(rep, code, ...) loket_error(rep, 400, code, "BrokenBusinessRule", __VA_ARGS__)

static const char *status_title(int st)
{
	switch (st) {
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	default: return emu_status_title(st);
	}
}

static void error_for(struct reply *rep, int status)
{
	loket_error(rep, (unsigned)status, status, status == 404 ? "NotFound" : "Exception", "%s", status_title(status));
}

static void malform(struct req *r, struct reply *rep)
{
	if (!emu_malform_body(r->f.mal, "{\"_data\":{}}", &rep->body, &rep->status, &rep->ctype)) {
		if (r->f.mal == EMU_MAL_HTML || r->f.mal == EMU_MAL_NOTJSON)
			rep->disposition[0] = '\0'; /* an error page is no download */
		return;
	}
	if (r->f.mal == EMU_MAL_401)
		loket_error(rep, 401, 401, "Exception", "Authorization has been denied for this request.");
	else if (r->f.mal == EMU_MAL_403)
		loket_error(rep, 403, 403, "Exception", "The user is not authorized for this activity.");
}

static enum MHD_Result queue_reply(struct MHD_Connection *c, struct reply *rep)
{
	struct MHD_Response *resp = emu_response(&rep->body, rep->ctype);
	if (!resp)
		return MHD_NO;
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
	if (rep->disposition[0] && rep->status < 300)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rep->disposition);
	return emu_queue(c, rep->status, resp);
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
		struct emu_sb k = {0}, v = {0};
		struct emu_sb *cur = &k;
		emu_sb_addn(&k, "", 0), emu_sb_addn(&v, "", 0);
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
			emu_sb_addn(cur, &ch, 1);
		}
		if (k.len && !json_object_get(o, k.p))
			json_object_set_new(o, k.p, emu_jstr(v.p));
		emu_sb_reset(&k), emu_sb_reset(&v);
		i = j + 1;
	}
	return o;
}

/* ------------------------------------------------------------ state ops */

static json_t *coll(const char *name) { return json_object_get(S.state, name); }

/* ------------------------------------------------------------ indexes
 * Every lookup by a link key (id, employerId, employeeId, employmentId,
 * payrollAdministrationId) goes through a hash index of its collection, so a request
 * costs in proportion to its answer, not to the whole state (1 000 employers x 50
 * employees). An index maps a key's value (a string, or an integer as its decimal
 * text) to the objects holding it, in the collection's order. Indexes are built on
 * first use; coll_add() appends to them, coll_del() and a reset mark them stale. */
struct ient { json_t *o; size_t pos; };
struct ibucket { char *val; struct ient *e; size_t n, cap; };
struct index { const char *cname, *key; struct ibucket *b; size_t nb, used; int stale; };
#define MAX_INDEXES 48
static struct index IDX[MAX_INDEXES];
static size_t NIDX;

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The text of o's key k as an index holds it; NULL when o has none. */
static const char *key_text(json_t *o, const char *k, char buf[32])
{
	json_t *v = json_object_get(o, k);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

static void idx_clear(struct index *ix)
{
	for (size_t i = 0; i < ix->nb; i++) {
		free(ix->b[i].val);
		free(ix->b[i].e);
	}
	free(ix->b);
	ix->b = NULL;
	ix->nb = ix->used = 0;
}

static struct ibucket *idx_slot(struct index *ix, const char *val, int create)
{
	if (create && (ix->used + 1) * 2 > ix->nb) {
		struct index old = *ix;
		ix->nb = old.nb ? old.nb * 2 : 64;
		ix->b = emu_xcalloc(ix->nb, sizeof *ix->b);
		ix->used = 0;
		for (size_t i = 0; i < old.nb; i++)
			if (old.b[i].val) {
				struct ibucket *nb = idx_slot(ix, old.b[i].val, 1);
				free(nb->val); /* the slot's own copy: the old bucket brings its value */
				*nb = old.b[i];
			}
		free(old.b);
	}
	if (!ix->nb)
		return NULL;
	for (size_t h = str_hash(val) & (ix->nb - 1);; h = (h + 1) & (ix->nb - 1)) {
		struct ibucket *b = &ix->b[h];
		if (!b->val) {
			if (!create)
				return NULL;
			ix->used++;
			b->val = emu_xstrdup(val);
			return b;
		}
		if (strcmp(b->val, val) == 0)
			return b;
	}
}

static void idx_put(struct index *ix, json_t *o, size_t pos)
{
	char buf[32];
	const char *v = key_text(o, ix->key, buf);
	if (!v)
		return;
	struct ibucket *b = idx_slot(ix, v, 1);
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 2;
		b->e = realloc(b->e, b->cap * sizeof *b->e);
		if (!b->e)
			emu_oom();
	}
	b->e[b->n++] = (struct ient){o, pos};
}

static json_t *coll(const char *name);

/* The objects of cname whose key k is val (n set), in the collection's order. */
static const struct ient *idx_find(const char *cname, const char *k, const char *val, size_t *n)
{
	struct index *ix = NULL;
	for (size_t i = 0; i < NIDX && !ix; i++)
		if (!strcmp(IDX[i].cname, cname) && !strcmp(IDX[i].key, k))
			ix = &IDX[i];
	if (!ix) {
		if (NIDX == MAX_INDEXES)
			emu_oom();
		ix = &IDX[NIDX++];
		*ix = (struct index){.cname = cname, .key = k, .stale = 1};
	}
	if (ix->stale) {
		idx_clear(ix);
		json_t *o;
		size_t i;
		json_array_foreach(coll(cname), i, o) idx_put(ix, o, i);
		ix->stale = 0;
	}
	struct ibucket *b = val ? idx_slot(ix, val, 0) : NULL;
	*n = b ? b->n : 0;
	return b ? b->e : NULL;
}

/* Append o (taken) to collection cname, keeping its indexes. */
static void coll_add(const char *cname, json_t *o)
{
	json_t *a = coll(cname);
	if (json_array_append_new(a, o))
		emu_oom();
	for (size_t i = 0; i < NIDX; i++)
		if (!strcmp(IDX[i].cname, cname) && !IDX[i].stale)
			idx_put(&IDX[i], o, json_array_size(a) - 1);
}

/* Remove element i of collection cname. */
static void coll_del(const char *cname, size_t i)
{
	json_array_remove(coll(cname), i);
	for (size_t k = 0; k < NIDX; k++)
		if (!strcmp(IDX[k].cname, cname))
			IDX[k].stale = 1;
}

static void idx_stale_all(void)
{
	for (size_t k = 0; k < NIDX; k++)
		IDX[k].stale = 1;
}

/* Loop over the objects of cname whose key k is val (NULL: none), in order, with the
 * caller's size_t i and json_t *o (i counts the matches, it is no place in the array). */
#define IDX_EACH(cname, k, val, i, var)                                                                        \
	for (size_t i##_n = 0, i##_once = 1; i##_once; i##_once = 0)                                            \
		for (const struct ient *i##_e = (val) ? idx_find(cname, k, (val) ? (val) : "", &i##_n) : NULL; \
		     i##_e; i##_e = NULL)                                                                       \
			for (i = 0; i < i##_n && ((var) = i##_e[i].o); i++)

/* Loop over the objects of cname whose key k is val, in order. */
#define IDX_FOREACH(cname, k, val, it, var)                                                                    \
	for (size_t it##_n, it = 0, it##_d = 0; !it##_d; it##_d = 1)                                         \
		for (const struct ient *it##_e = idx_find(cname, k, val, &it##_n); it < it##_n; it++)       \
			for (json_t *var = it##_e[it].o; var; var = NULL)

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
	size_t n;
	const struct ient *e = idx_find(cname, key, val, &n);
	for (size_t i = 0; i < n; i++) {
		int hit = strcmp(key, "id") == 0 ? id_eq(e[i].o, val) : json_is_string(json_object_get(e[i].o, key));
		if (hit) {
			if (idx)
				*idx = e[i].pos;
			return e[i].o;
		}
	}
	return NULL;
}

static json_t *find_id(const char *cname, const char *id, size_t *idx) { return find_by(cname, "id", id, idx); }

static const char *sget(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static json_t *date_json(long days)
{
	long y;
	int m, d;
	char b[48];
	emu_civil_from_days(days, &y, &m, &d);
	snprintf(b, sizeof b, "%04ld-%02d-%02d", y, m, d);
	return json_string(b);
}

/* Date field k of o: 0 ok (days set), 1 null/missing, -1 invalid. */
static int get_date(json_t *o, const char *k, long *days)
{
	json_t *v = json_object_get(o, k);
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v) || emu_date_days(json_string_value(v), days))
		return -1;
	return 0;
}

/* A payroll period's payrollRuns, made from the payrollRuns and journalRuns collections. */
static json_t *runs_of_period(json_t *period)
{
	json_t *out = json_array(), *r, *j;
	size_t i, k;
	const char *adm = sget(period, "payrollAdministrationId");
	IDX_EACH("payrollRuns", "payrollAdministrationId", adm, i, r) {
		json_t *pp = json_object_get(r, "payrollPeriod");
		if (!adm || !sget(r, "payrollAdministrationId") || strcmp(adm, sget(r, "payrollAdministrationId")) != 0 ||
		    !json_equal(json_object_get(pp, "year"), json_object_get(period, "year")) ||
		    !json_equal(json_object_get(pp, "periodNumber"), json_object_get(period, "periodNumber")))
			continue;
		json_t *js = json_array();
		IDX_EACH("journalRuns", "payrollAdministrationId", adm, k, j) {
			const char *rid = sget(json_object_get(j, "payrollRun"), "payrollRunId");
			if (rid && id_eq(r, rid))
				json_array_append_new(js, json_pack("{s:O*,s:O*,s:O*}", "id", json_object_get(j, "id"),
								    "journalRunStatus", json_object_get(j, "journalRunStatus"),
								    "sequenceNumber", json_object_get(j, "sequenceNumber")));
		}
		json_array_append_new(out, json_pack("{s:O*,s:O*,s:O*,s:O*,s:o}", "id", json_object_get(r, "id"),
						     "payrollRunStatus", json_object_get(r, "payrollRunStatus"),
						     "sequenceNumber", json_object_get(r, "sequenceNumber"),
						     "sequenceNumberApproved", json_object_get(r, "sequenceNumberApproved"),
						     "journalRuns", js));
	}
	return out;
}

/* Public view: a copy without the link keys the real API does not have. */
static json_t *view(json_t *o, const char *cname)
{
	json_t *c = json_deep_copy(o);
	static const char *strip[] = {"employerId", "employeeId", "employmentId", "payrollAdministrationId",
				      "citizenServiceNumber", "journalRunId", "lastModifiedVersionNumber"};
	for (size_t i = 0; i < sizeof strip / sizeof strip[0]; i++)
		json_object_del(c, strip[i]);
	if (strcmp(cname, "payrollComponents") == 0)
		json_object_del(c, "year");
	if (strcmp(cname, "payslips") == 0) /* the results: only in one run's JSON payslips */
		json_object_del(c, "payslipTypes");
	if (strcmp(cname, "journalRuns") == 0) /* the emulator's record of the PATCHes */
		json_object_del(c, "emuExports");
	if (strcmp(cname, "yearEndStatements") == 0) /* the emulator's own: Loket lists years only */
		json_object_del(c, "revision");
	if (strcmp(cname, "payrollPeriods") == 0)
		json_object_set_new(c, "payrollRuns", runs_of_period(o));
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
		emu_oom();
	snprintf(out, 24, "\"%08x\"", emu_fnv1a(2166136261u, s));
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
/* The filter query parameter ([SPEC-intro] "Filtering"), the subset loket-emu serves:
 * FIELD eq VALUE clauses joined by "and"; FIELD dotted (payrollPeriod.year), names and text
 * values case-insensitive; VALUE an integer, 'text' or null. Other operators are refused. */
#define FLT_MAX 8
struct flt {
	char *field, *text; /* text: NULL for an integer or null */
	long long num;
	int is_null;
	int op; /* 0 eq; 1 gt, 2 ge, 3 lt, 4 le (integers only: the version numbers' "gt N") */
};

static int filter_parse(char *q, struct flt *f)
{
	int n = 0;
	char *p = q;
	for (;;) {
		while (*p == ' ')
			p++;
		if (n == FLT_MAX || !*p)
			return -1;
		f[n].field = p;
		p += strcspn(p, " ");
		if (!*p)
			return -1;
		*p++ = '\0';
		while (*p == ' ')
			p++;
		static const char *const ops[] = {"eq ", "gt ", "ge ", "lt ", "le "};
		f[n].op = -1;
		for (int k = 0; k < 5; k++)
			if (!strncasecmp(p, ops[k], 3))
				f[n].op = k;
		if (f[n].op < 0)
			return -1;
		p += 3;
		while (*p == ' ')
			p++;
		f[n].text = NULL, f[n].is_null = 0, f[n].num = 0;
		if (*p == '\'') {
			f[n].text = ++p;
			char *e = strchr(p, '\'');
			if (!e)
				return -1;
			*e = '\0';
			p = e + 1;
			if (f[n].op)
				return -1;
		} else if (!strncasecmp(p, "null", 4) && (!p[4] || p[4] == ' ')) {
			f[n].is_null = 1;
			p += 4;
			if (f[n].op)
				return -1;
		} else {
			char *e;
			errno = 0;
			f[n].num = strtoll(p, &e, 10);
			if (e == p || errno || (*e && *e != ' '))
				return -1;
			p = e;
		}
		n++;
		while (*p == ' ')
			p++;
		if (!*p)
			return n;
		if (strncasecmp(p, "and ", 4))
			return -1;
		p += 4;
	}
}

static json_t *get_ci(json_t *o, const char *dotted)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", dotted);
	char *save = NULL;
	for (char *seg = strtok_r(buf, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save)) {
		const char *k;
		json_t *v, *hit = NULL;
		if (!json_is_object(o))
			return NULL;
		json_object_foreach(o, k, v) if (!strcasecmp(k, seg)) hit = v;
		o = hit;
	}
	return o;
}

static int filter_match(json_t *o, const struct flt *f, int n)
{
	for (int i = 0; i < n; i++) {
		json_t *v = get_ci(o, f[i].field);
		json_int_t iv = json_integer_value(v);
		int cmp_ok = f[i].op == 0 ? iv == f[i].num : f[i].op == 1 ? iv > f[i].num : f[i].op == 2 ? iv >= f[i].num
			     : f[i].op == 3 ? iv < f[i].num : iv <= f[i].num;
		if (f[i].is_null ? v && !json_is_null(v)
		    : f[i].text ? !json_is_string(v) || strcasecmp(json_string_value(v), f[i].text)
				: !json_is_integer(v) || !cmp_ok)
			return 0;
	}
	return 1;
}

struct ord { json_int_t k; size_t at; json_t *v; };
static int ord_cmp(const void *pa, const void *pb, void *desc)
{
	const struct ord *a = pa, *b = pb;
	if (a->k != b->k)
		return (a->k < b->k ? -1 : 1) * (*(int *)desc ? -1 : 1);
	return a->at < b->at ? -1 : a->at > b->at;
}

/* The paged answer of a list: items (views, taken) through the filter and orderBy
 * parameters, one page of them. orderable: the one field orderBy may name (NULL: orderBy is
 * refused, loket-emu orders no other list). */
static void list_items(struct ctx *x, json_t *items, const char *orderable)
{
	long long pn = 1, ps = 250;
	const char *s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "pageNumber");
	if (s && emu_strict_ll(s, 1, 1000000, &pn)) {
		json_decref(items);
		BBR(x->rep, 1001, "pageNumber must be an integer of at least 1");
		return;
	}
	s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "pageSize");
	if (s && emu_strict_ll(s, 1, 100000, &ps)) {
		json_decref(items);
		BBR(x->rep, 1002, "pageSize must be an integer 1..100000");
		return;
	}
	const char *ob = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "orderBy");
	int desc = ob && *ob == '-';
	if (ob && (!orderable || strcasecmp(ob + desc, orderable))) {
		json_decref(items);
		loket_error(x->rep, 400, 1003, "Exception", "orderBy is not supported by loket-emu%s%s", orderable ? " but on " : "",
			    orderable ? orderable : "");
		return;
	}
	struct flt fl[FLT_MAX];
	int nfl = 0;
	s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "filter");
	char *ftext = s ? strdup(s) : NULL;
	if (s && (!ftext || (nfl = filter_parse(ftext, fl)) < 0)) {
		free(ftext);
		json_decref(items);
		loket_error(x->rep, 400, 1003, "Exception",
			    "filter: loket-emu takes FIELD OP VALUE clauses joined by 'and' (OP eq, or gt/ge/lt/le for an integer; VALUE an integer, 'text' or null)");
		return;
	}
	json_t *all = json_array(), *v;
	size_t i;
	json_array_foreach(items, i, v) if (filter_match(v, fl, nfl)) json_array_append(all, v);
	json_decref(items);
	free(ftext);
	if (ob) { /* by an integer field: a stable insertion sort would be O(n^2); qsort with the place as tie-break */
		size_t n = json_array_size(all);
		struct ord *o = emu_xcalloc(n + 1, sizeof *o);
		json_array_foreach(all, i, v) o[i] = (struct ord){json_integer_value(get_ci(v, orderable)), i, v};
		qsort_r(o, n, sizeof *o, ord_cmp, &desc);
		json_t *sorted = json_array();
		for (i = 0; i < n; i++)
			json_array_append(sorted, o[i].v);
		free(o);
		json_decref(all);
		all = sorted;
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

/* Paged list of the objects in cname matching key == val (key NULL: all; through the index
 * of key), filt optional. */
static void list_page(struct ctx *x, const char *cname, const char *key, const char *val,
		      int (*filt)(json_t *o, const char *a, const char *b), const char *fa, const char *fb)
{
	json_t *all = json_array(), *a = coll(cname);
	size_t n = 0;
	const struct ient *e = key ? idx_find(cname, key, val, &n) : NULL;
	if (!key)
		n = json_array_size(a);
	for (size_t i = 0; i < n; i++) {
		json_t *o = key ? e[i].o : json_array_get(a, i);
		if (key && !json_is_string(json_object_get(o, key)))
			continue;
		if (filt && !filt(o, fa, fb))
			continue;
		json_array_append_new(all, view(o, cname));
	}
	list_items(x, all, NULL);
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

static void bsn_get(struct ctx *x, const char *cname, const char *what);
static void h_bsn_get(struct ctx *x) { bsn_get(x, "employees", "employee"); }

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
		list_page(x, "employments", "employerId", x->p[0], emp_of_employer, x->p[0], NULL);
}

/* ----- the comprehensive employment list (GetEmploymentsComprehensiveByEmployerId): every
 * employment of the employer as the plain list serves it, with its whole employee (address
 * and contact information; never the BSN) and the date-dependent parts in force on
 * referenceDate (YYYY-MM-DD, or a date-time whose date is taken; default today): the
 * working hours ("workingHours" collection), the organizational entity
 * ("organizationalEntities": department, function) and the wage, each the record of the
 * employment whose startDate..endDate holds the date; when none does, the last one before
 * the date (an ended employment), else the first after it (a later start); null when the
 * employment has none (a converted concept employee without workingHoursData, say: the
 * spec marks these parts non-nullable, what Loket does then is UNCONFIRMED). Ended
 * employments are in the list too (the plain list's filter settings: all). */
static json_t *in_force(const char *cname, const char *employment, long day)
{
	json_t *hit = NULL, *before = NULL, *after = NULL;
	long bd = 0, ad = 0;
	IDX_FOREACH(cname, "employmentId", employment, i, o) {
		long s = 0, e = 0;
		if (get_date(o, "startDate", &s) != 0)
			continue;
		int er = get_date(o, "endDate", &e);
		if (s <= day && (er == 1 || (er == 0 && e >= day)) && !hit)
			hit = o;
		else if (s > day && (!after || s < ad))
			after = o, ad = s;
		else if (er == 0 && e < day && (!before || e > bd))
			before = o, bd = e;
	}
	/* none in force: the last one before the date (an ended employment), else the first
	 * after it (one that starts later) */
	hit = hit ? hit : before ? before : after;
	return hit ? view(hit, cname) : json_null();
}

static void h_comprehensive(struct ctx *x)
{
	if (!need(x, "employers", x->p[0], "employer"))
		return;
	const char *rd = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "referenceDate");
	long day = (long)(time(NULL) / 86400);
	if (rd) {
		char d[11];
		snprintf(d, sizeof d, "%s", rd);
		if ((strlen(rd) != 10 && (strlen(rd) < 11 || rd[10] != 'T')) || emu_date_days(d, &day)) {
			BBR(x->rep, 1901, "referenceDate must be a date (YYYY-MM-DD)");
			return;
		}
	}
	json_t *all = json_array();
	IDX_FOREACH("employments", "employerId", x->p[0], i, m) {
		if (!emp_of_employer(m, x->p[0], NULL))
			continue;
		const char *id = sget(m, "id") ? sget(m, "id") : "";
		json_t *c = view(m, "employments");
		json_t *emp = find_id("employees", sget(m, "employeeId") ? sget(m, "employeeId") : "", NULL);
		json_object_set_new(c, "employee", emp ? view(emp, "employees") : json_null());
		json_object_set_new(c, "workinghours", in_force("workingHours", id, day));
		json_object_set_new(c, "organizationalEntity", in_force("organizationalEntities", id, day));
		json_object_set_new(c, "wage", in_force("wages", id, day));
		json_array_append_new(all, c);
	}
	list_items(x, all, NULL);
}

/* ----- Loket's version numbers: {id, lastModifiedVersionNumber} of the employers (all of
 * them: the API client is the one user) and of the employments of one employer; filter
 * (lastModifiedVersionNumber gt N) and orderBy=-lastModifiedVersionNumber as the spec's
 * recommended usage. A write the numbers cover (the employee, its BSN, the employment, its
 * wages, benefits and deductions) gives the employment and its employer the next number of
 * one database-global counter; payroll period data does not move them (the spec: "excludes
 * payroll period data"). */
static json_t *version_item(json_t *o)
{
	return json_pack("{s:O,s:O}", "id", json_object_get(o, "id"), "lastModifiedVersionNumber",
			 json_object_get(o, "lastModifiedVersionNumber"));
}

static void h_employer_versions(struct ctx *x)
{
	json_t *all = json_array(), *o;
	size_t i;
	json_array_foreach(coll("employers"), i, o) json_array_append_new(all, version_item(o));
	list_items(x, all, "lastModifiedVersionNumber");
}

static void h_employment_versions(struct ctx *x)
{
	if (!need(x, "employers", x->p[0], "employer"))
		return;
	json_t *all = json_array();
	IDX_FOREACH("employments", "employerId", x->p[0], i, o) json_array_append_new(all, version_item(o));
	list_items(x, all, "lastModifiedVersionNumber");
}

static void touch_employment(const char *employment_id)
{
	json_t *m = find_id("employments", employment_id, NULL);
	if (!m)
		return;
	json_int_t n = ++S.version;
	json_object_set_new(m, "lastModifiedVersionNumber", json_integer(n));
	json_t *er = sget(m, "employerId") ? find_id("employers", sget(m, "employerId"), NULL) : NULL;
	if (er)
		json_object_set_new(er, "lastModifiedVersionNumber", json_integer(n));
}

/* an employee's data changed: every employment of it, and its employer (also without any) */
static void touch_employee(const char *employee_id)
{
	json_t *e = find_id("employees", employee_id, NULL);
	size_t n = 0;
	idx_find("employments", "employeeId", employee_id, &n);
	char **ids = emu_xcalloc(n + 1, sizeof *ids);
	size_t k = 0;
	IDX_FOREACH("employments", "employeeId", employee_id, i, o) ids[k++] = emu_xstrdup(sget(o, "id") ? sget(o, "id") : "");
	for (size_t i = 0; i < k; i++) {
		touch_employment(ids[i]);
		free(ids[i]);
	}
	free(ids);
	json_t *er = e && sget(e, "employerId") ? find_id("employers", sget(e, "employerId"), NULL) : NULL;
	if (er && !k)
		json_object_set_new(er, "lastModifiedVersionNumber", json_integer(++S.version));
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
	if (emu_strict_ll(x->p[1], 1900, 2999, &y)) {
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

/* GET .../payrolladministrations/{id}/availablepayrollcomponentsets: the administration's
 * payroll component sets (state collection payrollComponentSets: {id, payrollAdministrationId,
 * isDefaultFor..., payrollComponents[{payrollComponent: {key}}]}), the components labelled
 * from the catalogue of the latest year that has them. */
static void h_component_sets(struct ctx *x)
{
	if (!need(x, "payrollAdministrations", x->p[0], "payroll administration"))
		return;
	json_t *all = json_array();
	size_t i, k;
	json_t *o, *m;
	IDX_EACH("payrollComponentSets", "payrollAdministrationId", x->p[0], i, o) {
		json_t *v = view(o, "payrollComponentSets"), *pcs = json_array();
		json_array_foreach(json_object_get(o, "payrollComponents"), k, m) {
			json_t *key = json_object_get(json_object_get(m, "payrollComponent"), "key"), *best = NULL, *pc;
			size_t q;
			IDX_EACH("payrollComponents", "payrollAdministrationId", x->p[0], q, pc) if (json_equal(json_object_get(pc, "key"), key))
				best = pc;
			json_t *d = json_pack("{s:O}", "key", key);
			if (best) {
				json_object_set(d, "value", json_object_get(best, "description"));
				json_object_set(d, "category", json_object_get(best, "category"));
				json_object_set(d, "deductionOrPayment", json_object_get(best, "deductionOrPayment"));
				json_object_set(d, "canBeSupplemented", json_object_get(best, "canBeSupplemented"));
			}
			json_array_append_new(pcs, json_pack("{s:o}", "payrollComponent", d));
		}
		json_object_set_new(v, "payrollComponents", pcs);
		json_array_append_new(all, v);
	}
	list_items(x, all, NULL);
}

/* GET .../payrolladministrations/{id}/payrollPeriods/{payrollPeriodId}/payrollperioddata: the
 * payroll period data of every employment of the administration active in that period, of
 * one payslipType, with the entries of the components asked for (payrollComponentCategory,
 * payrollComponentId or payrollComponentSet: one is required; loket-emu has no component
 * sets, so a set selects every component); each item names its employment and employee. */
static void h_admin_period_ppd(struct ctx *x)
{
	json_t *pa = need(x, "payrollAdministrations", x->p[0], "payroll administration"), *per;
	if (!pa)
		return;
	long long pid, pst, cat = -1, cid = -1;
	/* a period's id (202601) is the administration's own: look it up among that administration's */
	per = NULL;
	json_t *po;
	size_t pi;
	IDX_EACH("payrollPeriods", "payrollAdministrationId", x->p[0], pi, po) if (!per && id_eq(po, x->p[1])) per = po;
	if (emu_strict_ll(x->p[1], 0, INT_MAX, &pid) || !per) {
		loket_error(x->rep, 404, 404, "NotFound", "payroll period not found");
		return;
	}
	const char *s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "payslipType");
	if (!s || emu_strict_ll(s, 0, INT_MAX, &pst)) {
		BBR(x->rep, 1801, "payslipType (an integer) is required");
		return;
	}
	const char *sc = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "payrollComponentCategory"),
		   *si = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "payrollComponentId"),
		   *ss = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "payrollComponentSet");
	if ((!sc && !si && !ss) || (sc && emu_strict_ll(sc, 0, INT_MAX, &cat)) || (si && emu_strict_ll(si, 0, INT_MAX, &cid))) {
		BBR(x->rep, 1802, "one of payrollComponentSet, payrollComponentCategory or payrollComponentId is required");
		return;
	}
	json_t *set = ss ? find_id("payrollComponentSets", ss, NULL) : NULL;
	if (ss && (!set || !sget(set, "payrollAdministrationId") || strcmp(sget(set, "payrollAdministrationId"), x->p[0]))) {
		BBR(x->rep, 1803, "payrollComponentSet: no such payroll component set for this payroll administration");
		return;
	}
	json_t *year = json_object_get(per, "year"), *pn = json_object_get(per, "periodNumber");
	long ps = 0, pe = 0;
	int has_ps = get_date(per, "startDate", &ps) == 0, has_pe = get_date(per, "endDate", &pe) == 0;
	char ybuf[32];
	snprintf(ybuf, sizeof ybuf, "%" JSON_INTEGER_FORMAT, json_integer_value(year));
	json_t *all = json_array();
	IDX_FOREACH("employments", "payrollAdministrationId", x->p[0], i, m) {
		long ms, me;
		if (has_pe && get_date(m, "startDate", &ms) == 0 && ms > pe)
			continue; /* not yet active in the period */
		if (has_ps && get_date(m, "endDate", &me) == 0 && me < ps)
			continue; /* ended before it */
		json_t *ee = find_id("employees", sget(m, "employeeId") ? sget(m, "employeeId") : "", NULL);
		IDX_FOREACH("payrollPeriodData", "employmentId", sget(m, "id") ? sget(m, "id") : "", k, d) {
			json_t *pp = json_object_get(d, "payrollPeriod");
			if (!json_equal(json_object_get(pp, "year"), year) || !json_equal(json_object_get(pp, "periodNumber"), pn) ||
			    json_integer_value(json_object_get(json_object_get(d, "payslipType"), "key")) != pst)
				continue;
			json_t *v = view(d, "payrollPeriodData"), *pcs = json_array(), *c;
			size_t j;
			json_array_foreach(json_object_get(d, "payrollComponents"), j, c) {
				json_int_t key = json_integer_value(json_object_get(json_object_get(c, "payrollComponent"), "key"));
				if (cid >= 0 && key != cid)
					continue;
				if (set) {
					json_t *m2;
					size_t q2;
					int in = 0;
					json_array_foreach(json_object_get(set, "payrollComponents"), q2, m2) in |= json_integer_value(
						json_object_get(json_object_get(m2, "payrollComponent"), "key")) == key;
					if (!in)
						continue;
				}
				if (cat >= 0) {
					json_t *comp = NULL;
					IDX_FOREACH("payrollComponents", "payrollAdministrationId", x->p[0], q, pc) if (
						year_is(pc, ybuf, NULL) && json_integer_value(json_object_get(pc, "key")) == key) comp = pc;
					if (json_integer_value(json_object_get(json_object_get(comp, "category"), "key")) != cat)
						continue;
				}
				json_array_append(pcs, c);
			}
			if (!json_array_size(pcs)) {
				json_decref(pcs);
				json_decref(v);
				continue;
			}
			json_object_set_new(v, "payrollComponents", pcs);
			json_object_set_new(v, "employment", json_pack("{s:O,s:O*,s:O*}", "id", json_object_get(m, "id"),
								       "payrollId", json_object_get(m, "payrollId"),
								       "incomeRelationshipNumber",
								       json_object_get(m, "incomeRelationshipNumber")));
			json_object_set_new(v, "employee", json_pack("{s:O*}", "employeeNumber", json_object_get(ee, "employeeNumber")));
			json_array_append_new(all, v);
		}
	}
	list_items(x, all, NULL);
}

static void h_concepts(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		list_page(x, "conceptEmployees", "employerId", x->p[0], NULL, NULL, NULL);
}

/* ----- metadata: GET <write endpoint>/metadata, from the state's "metadata" collection
 * ({resource, field, options}); resource "employee" (PUT employee), "wage" (POST wage),
 * "conceptEmployee" (POST concept employee). */

static void reply_metadata(struct ctx *x, const char *resource)
{
	json_t *items = json_array(), *o;
	size_t i;
	json_array_foreach(coll("metadata"), i, o) {
		if (sget(o, "resource") && strcmp(sget(o, "resource"), resource) == 0)
			json_array_append_new(items, json_pack("{s:O*,s:O*}", "field", json_object_get(o, "field"), "options",
							       json_object_get(o, "options")));
	}
	json_int_t n = (json_int_t)json_array_size(items);
	reply_body(x->rep, 200,
		   json_pack("{s:I,s:I,s:I,s:I,s:o,s:[],s:o}", "totalSize", n, "pageSize", (json_int_t)250, "totalPages",
			     (json_int_t)1, "currentPage", (json_int_t)1, "version", version_obj(), "messages", "_embedded", items));
}

static void h_meta_employee(struct ctx *x)
{
	if (need(x, "employees", x->p[0], "employee"))
		reply_metadata(x, "employee");
}

static void h_meta_wage(struct ctx *x)
{
	if (need(x, "employments", x->p[0], "employment"))
		reply_metadata(x, "wage");
}

static void h_meta_concept(struct ctx *x)
{
	if (need(x, "employers", x->p[0], "employer"))
		reply_metadata(x, "conceptEmployee");
}

/* The options of a metadata field, or NULL when the state has none for it. */
static json_t *meta_options(const char *resource, const char *field)
{
	json_t *o;
	size_t i;
	json_array_foreach(coll("metadata"), i, o) {
		if (sget(o, "resource") && sget(o, "field") && strcmp(sget(o, "resource"), resource) == 0 &&
		    strcmp(sget(o, "field"), field) == 0)
			return json_object_get(o, "options");
	}
	return NULL;
}

static json_t *meta_option(const char *resource, const char *field, json_t *key)
{
	json_t *o, *opts = meta_options(resource, field);
	size_t i;
	json_array_foreach(opts, i, o) {
		if (json_equal(json_object_get(o, "key"), key))
			return o;
	}
	return NULL;
}

/* A metadata object sent in a write ({key}): its key must be an option of the field (when
 * the state has the field's metadata); 0 and a 400 reply when it is not. */
static int check_meta_key(struct ctx *x, const char *resource, const char *field, json_t *obj, const char *what)
{
	json_t *k = json_object_get(obj, "key");
	if (!json_is_object(obj) || !k || json_is_null(k) || !meta_options(resource, field) ||
	    meta_option(resource, field, k))
		return 1;
	char *ks = json_dumps(k, JSON_ENCODE_ANY);
	BBR(x->rep, 1108, "%s.key %s is not one of the options of the %s metadata", what, ks ? ks : "?", field);
	free(ks);
	return 0;
}

/* Fill in the labels (value, isoCode) of a stored metadata object from its option. */
static void label_from_meta(const char *resource, const char *field, json_t *obj)
{
	json_t *opt = json_is_object(obj) ? meta_option(resource, field, json_object_get(obj, "key")) : NULL;
	if (!opt)
		return;
	if (json_object_get(opt, "isoCode"))
		json_object_set(obj, "isoCode", json_object_get(opt, "isoCode"));
	if (json_object_get(opt, "value"))
		json_object_set(obj, "value", json_object_get(opt, "value"));
}

/* ----- payroll history: payroll runs, journal runs and their results (read only) */

static void h_payrollruns(struct ctx *x)
{
	if (need(x, "payrollAdministrations", x->p[0], "payroll administration"))
		list_page(x, "payrollRuns", "payrollAdministrationId", x->p[0], NULL, NULL, NULL);
}

static void h_payrollrun_get(struct ctx *x)
{
	json_t *o = need(x, "payrollRuns", x->p[0], "payroll run");
	if (!o)
		return;
	etag_of(o, x->rep->etag);
	single(x, 200, view(o, "payrollRuns"));
}

static void h_journalruns(struct ctx *x)
{
	if (need(x, "payrollAdministrations", x->p[0], "payroll administration"))
		list_page(x, "journalRuns", "payrollAdministrationId", x->p[0], NULL, NULL, NULL);
}

static void h_journalrun_get(struct ctx *x)
{
	json_t *o = need(x, "journalRuns", x->p[0], "journal run");
	if (!o)
		return;
	etag_of(o, x->rep->etag);
	single(x, 200, view(o, "journalRuns"));
}

/* The spec: journal runs with journalRunStatus 0..3 have no results and the call is an error. */
static void h_journal_results(struct ctx *x)
{
	json_t *o = need(x, "journalRuns", x->p[0], "journal run");
	if (!o)
		return;
	json_int_t st = json_integer_value(json_object_get(json_object_get(o, "journalRunStatus"), "key"));
	if (st >= 0 && st <= 3) {
		BBR(x->rep, 1901, "Journal runs with journalRunStatus %" JSON_INTEGER_FORMAT " have no results", st);
		return;
	}
	list_page(x, "journalRunResults", "journalRunId", x->p[0], NULL, NULL, NULL);
}

static int body_object(struct ctx *x);

/* journalRunStatus keys and their values (loket-api-notes.md section 8, verbatim in the spec). */
static const char *const JR_STATUS[] = {
	"Staat klaar voor journaliseren", "Geen journaal resultaten", "Fout bij aanmaken", "Verwijderd door gebruiker",
	"Journaal gereed", "Wordt ge\xc3\xabxporteerd", "Exporteren mislukt", "Journaal ge\xc3\xabxporteerd",
};
#define JR_READY 4
#define JR_EXPORT_FAILED 6
#define JR_EXPORTED 7

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* PatchJournalRunByJournalRunId: {"action": "MarkAsProcessed" | "MarkAsProcessingFailed",
 * "application": {"key": n}, "message": string|null (at most 255 characters)}. Only a run that is
 * ready (status 4) moves: to 7 (exported) or 6 (export failed), "without performing an actual
 * export". Any other status, a second PATCH included, is 409 Conflict (the operation's
 * documented refusal; its messages are BrokenBusinessRule). Bad bodies: 400. The run keeps the
 * PATCHes it took in "emuExports" (GET /__emu/state shows it; the API does not). */
static void h_journalrun_patch(struct ctx *x)
{
	json_t *o = need(x, "journalRuns", x->p[0], "journal run");
	if (!o || !body_object(x))
		return;
	const char *k;
	json_t *v;
	json_object_foreach(x->body, k, v) if (strcmp(k, "action") && strcmp(k, "application") && strcmp(k, "message")) {
		BBR(x->rep, 1910, "Unknown field '%s': the body has action, application and message only", k);
		return;
	}
	const char *act = sget(x->body, "action");
	int to;
	if (act && strcmp(act, "MarkAsProcessed") == 0)
		to = JR_EXPORTED;
	else if (act && strcmp(act, "MarkAsProcessingFailed") == 0)
		to = JR_EXPORT_FAILED;
	else {
		BBR(x->rep, 1911, "action must be 'MarkAsProcessed' or 'MarkAsProcessingFailed'");
		return;
	}
	json_t *app = json_object_get(x->body, "application"), *key = json_object_get(app, "key");
	if (!json_is_object(app) || !json_is_integer(key) || json_integer_value(key) < 1 ||
	    json_integer_value(key) > INT32_MAX) {
		BBR(x->rep, 1912, "application.key must be a positive integer (the application that processed the results)");
		return;
	}
	json_object_foreach(app, k, v) if (strcmp(k, "key") && strcmp(k, "value")) {
		BBR(x->rep, 1910, "Unknown field 'application.%s'", k);
		return;
	}
	json_t *msg = json_object_get(x->body, "message");
	if (msg && !json_is_null(msg) && (!json_is_string(msg) || utf8_chars(json_string_value(msg)) > 255)) {
		BBR(x->rep, 1913, "message must be null or a string of at most 255 characters");
		return;
	}
	json_t *st = json_object_get(o, "journalRunStatus");
	json_int_t cur = json_integer_value(json_object_get(st, "key"));
	if (!json_is_integer(json_object_get(st, "key")) || cur != JR_READY) {
		const char *label = sget(st, "value");
		loket_error(x->rep, 409, 1914, "BrokenBusinessRule",
			    "The journal run has journalRunStatus %" JSON_INTEGER_FORMAT " (%s); only a journal run with "
			    "journalRunStatus 4 (%s) can be marked as processed or as failed",
			    cur, label ? label : "?", JR_STATUS[JR_READY]);
		return;
	}
	json_object_set_new(o, "journalRunStatus", json_pack("{s:i,s:s}", "key", to, "value", JR_STATUS[to]));
	json_t *log = json_object_get(o, "emuExports");
	if (!json_is_array(log)) {
		log = json_array();
		json_object_set_new(o, "emuExports", log);
	}
	json_array_append_new(log, json_pack("{s:s,s:O,s:O}", "action", act, "application", key, "message",
					     msg ? msg : json_null()));
	single(x, 200, view(o, "journalRuns"));
}

/* ----- documents: payslips and year-end statements */

/* Append s as the inside of a PDF literal string: ( ) \ escaped, UTF-8 U+00A0..U+00FF as
 * WinAnsi octal escapes, other non-ASCII and control characters as '?'. */
static void pdf_text(struct emu_sb *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '(' || *p == ')' || *p == '\\') {
			emu_sb_addf(b, "\\%c", *p);
		} else if (*p >= 0x20 && *p < 0x7f) {
			emu_sb_addn(b, (const char *)p, 1);
		} else if ((*p == 0xc2 || *p == 0xc3) && (p[1] & 0xc0) == 0x80) {
			unsigned cp = ((*p & 0x1fu) << 6) | (p[1] & 0x3fu);
			p++;
			if (cp >= 0xa0)
				emu_sb_addf(b, "\\%03o", cp);
			else
				emu_sb_adds(b, "?");
		} else {
			emu_sb_adds(b, "?");
			while ((p[1] & 0xc0) == 0x80)
				p++;
		}
	}
}

/* A small valid PDF 1.4 document, one A4 page per element of pages (arrays of text lines),
 * Courier 10 pt; the same input gives the same bytes. */
static void pdf_doc(struct emu_sb *out, json_t *pages)
{
	size_t np = json_array_size(pages), nobj = 3 + 2 * np, i, k;
	size_t *off = emu_xcalloc(nobj + 1, sizeof *off);
	json_t *page, *ln;
	emu_sb_adds(out, "%PDF-1.4\n");
	off[1] = out->len;
	emu_sb_adds(out, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
	off[2] = out->len;
	emu_sb_adds(out, "2 0 obj\n<< /Type /Pages /Kids [");
	for (i = 0; i < np; i++)
		emu_sb_addf(out, "%s%zu 0 R", i ? " " : "", 4 + 2 * i);
	emu_sb_addf(out, "] /Count %zu >>\nendobj\n", np);
	off[3] = out->len;
	emu_sb_adds(out, "3 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>\nendobj\n");
	json_array_foreach(pages, i, page) {
		struct emu_sb cs = {0};
		emu_sb_adds(&cs, "BT\n/F1 10 Tf\n12 TL\n56 798 Td\n");
		json_array_foreach(page, k, ln) {
			emu_sb_adds(&cs, "(");
			pdf_text(&cs, json_string_value(ln) ? json_string_value(ln) : "");
			emu_sb_adds(&cs, ") '\n");
		}
		emu_sb_adds(&cs, "ET\n");
		off[4 + 2 * i] = out->len;
		emu_sb_addf(out,
			    "%zu 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
			    "/Contents %zu 0 R >>\nendobj\n",
			    4 + 2 * i, 5 + 2 * i);
		off[5 + 2 * i] = out->len;
		emu_sb_addf(out, "%zu 0 obj\n<< /Length %zu >>\nstream\n", 5 + 2 * i, cs.len);
		emu_sb_addn(out, cs.p, cs.len);
		emu_sb_adds(out, "endstream\nendobj\n");
		emu_sb_reset(&cs);
	}
	size_t xref = out->len;
	emu_sb_addf(out, "xref\n0 %zu\n0000000000 65535 f \n", nobj + 1);
	for (i = 1; i <= nobj; i++)
		emu_sb_addf(out, "%010zu 00000 n \n", off[i]);
	emu_sb_addf(out, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", nobj + 1, xref);
	free(off);
}

/* Reply with a PDF made of pages (stolen), offered for download as filename. */
static void reply_pdf(struct ctx *x, json_t *pages, const char *filename)
{
	struct reply *rep = x->rep;
	rep->status = 200;
	rep->ctype = "application/pdf";
	emu_sb_reset(&rep->body);
	pdf_doc(&rep->body, pages);
	json_decref(pages);
	snprintf(rep->disposition, sizeof rep->disposition, "attachment; filename=\"%s\"", filename);
}

static void add_line(json_t *lines, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_line(json_t *lines, const char *fmt, ...)
{
	char b[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	json_array_append_new(lines, emu_jstr(b));
}

static const char *str_or(json_t *o, const char *k, const char *dflt) { return sget(o, k) ? sget(o, k) : dflt; }

static json_t *employee_of(json_t *m) { return find_id("employees", str_or(m, "employeeId", ""), NULL); }

/* A new page: title, then employer, administration, employee and employment of m. */
static json_t *doc_page(json_t *m, const char *title)
{
	json_t *lines = json_array(), *e = employee_of(m), *pd = json_object_get(e, "personalDetails");
	json_t *pa = find_id("payrollAdministrations", str_or(m, "payrollAdministrationId", ""), NULL);
	json_t *er = find_id("employers", str_or(pa, "employerId", ""), NULL);
	const char *prefix = str_or(pd, "prefix", "");
	add_line(lines, "%s", title);
	add_line(lines, "%s", "");
	add_line(lines, "Werkgever:           %s", str_or(er, "companyName", ""));
	add_line(lines, "Loonheffingennummer: %s", str_or(pa, "payrollTaxesNumber", ""));
	add_line(lines, "Werknemer:           %" JSON_INTEGER_FORMAT " %s %s%s%s",
		 json_integer_value(json_object_get(e, "employeeNumber")), str_or(pd, "initials", ""), prefix,
		 *prefix ? " " : "", str_or(pd, "lastName", ""));
	add_line(lines, "Dienstverband:       %" JSON_INTEGER_FORMAT " (in dienst sinds %s)",
		 json_integer_value(json_object_get(m, "incomeRelationshipNumber")), str_or(m, "startDate", "?"));
	add_line(lines, "%s", "");
	return lines;
}

/* The pages of one payslip record (one per payslip type) appended to pages. */
static void payslip_pages(json_t *pages, json_t *m, json_t *slip)
{
	json_t *pp = json_object_get(slip, "payrollPeriod"), *t, *r;
	size_t i, k;
	char title[160];
	snprintf(title, sizeof title, "Loonstrook periode %" JSON_INTEGER_FORMAT " %" JSON_INTEGER_FORMAT " (%s t/m %s)",
		 json_integer_value(json_object_get(pp, "periodNumber")), json_integer_value(json_object_get(pp, "year")),
		 str_or(pp, "periodStartDate", "?"), str_or(pp, "periodEndDate", "?"));
	json_array_foreach(json_object_get(slip, "payslipTypes"), i, t) {
		json_t *lines = doc_page(m, title);
		add_line(lines, "Strook: %s", str_or(json_object_get(t, "payslipType"), "value", ""));
		add_line(lines, "%s", "");
		json_array_foreach(json_object_get(t, "payrollComponentResults"), k, r) {
			json_t *pc = json_object_get(r, "payrollComponent");
			add_line(lines, "%-6" JSON_INTEGER_FORMAT " %-14s %12.2f", json_integer_value(json_object_get(pc, "key")),
				 str_or(pc, "value", ""), json_number_value(json_object_get(r, "value")));
		}
		json_array_append_new(pages, lines);
	}
}

/* The payslip record of employment for run, or NULL. */
static json_t *find_payslip(const char *employment, const char *run)
{
	json_t *o;
	size_t i;
	IDX_EACH("payslips", "employmentId", employment, i, o) {
		if (sget(o, "employmentId") && strcmp(sget(o, "employmentId"), employment) == 0 && sget(o, "payrollrunId") &&
		    strcmp(sget(o, "payrollrunId"), run) == 0)
			return o;
	}
	return NULL;
}

static int all_digits(const char *s) { return *s && strspn(s, "0123456789") == strlen(s); }

/* Year path parameter: 1 ok, else 0 with a 400 reply. */
static int path_year(struct ctx *x, const char *s, long long *y)
{
	if (emu_strict_ll(s, 1900, 2999, y)) {
		BBR(x->rep, 1004, "year must be a four-digit year");
		return 0;
	}
	return 1;
}

static void h_payslips(struct ctx *x) { h_sub_list(x, "payslips"); }
static void h_yearends(struct ctx *x) { h_sub_list(x, "yearEndStatements"); }

/* .../payslips/{payrollrunId}: PDF when Accept names application/pdf, else the results as JSON.
 * .../payslips/{year} (the same path shape in the spec): every payslip of that year in one PDF. */
static void h_payslip_get(struct ctx *x)
{
	json_t *m = need(x, "employments", x->p[0], "employment"), *o;
	if (!m)
		return;
	json_int_t num = json_integer_value(json_object_get(employee_of(m), "employeeNumber"));
	char fn[128];
	if (all_digits(x->p[1])) {
		long long y;
		size_t i;
		if (!path_year(x, x->p[1], &y))
			return;
		json_t *pages = json_array();
		IDX_EACH("payslips", "employmentId", x->p[0], i, o) {
			if (sget(o, "employmentId") && strcmp(sget(o, "employmentId"), x->p[0]) == 0 &&
			    json_integer_value(json_object_get(json_object_get(o, "payrollPeriod"), "year")) == y)
				payslip_pages(pages, m, o);
		}
		if (!json_array_size(pages)) {
			json_decref(pages);
			loket_error(x->rep, 404, 404, "NotFound", "no payslips for this employment in %lld", y);
			return;
		}
		snprintf(fn, sizeof fn, "Loonstroken_%" JSON_INTEGER_FORMAT "_%lld.pdf", num, y);
		reply_pdf(x, pages, fn);
		return;
	}
	json_t *slip = find_payslip(x->p[0], x->p[1]);
	if (!slip) {
		loket_error(x->rep, 404, 404, "NotFound", "no payslip of this employment in that payroll run");
		return;
	}
	const char *accept = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	if (accept && strcasestr(accept, "application/pdf")) {
		json_t *pages = json_array(), *pp = json_object_get(slip, "payrollPeriod");
		payslip_pages(pages, m, slip);
		snprintf(fn, sizeof fn, "Loonstrook_%" JSON_INTEGER_FORMAT "_%" JSON_INTEGER_FORMAT "-%02" JSON_INTEGER_FORMAT ".pdf",
			 num, json_integer_value(json_object_get(pp, "year")),
			 json_integer_value(json_object_get(pp, "periodNumber")));
		reply_pdf(x, pages, fn);
		return;
	}
	json_t *types = json_object_get(slip, "payslipTypes");
	single(x, 200,
	       json_pack("{s:O,s:[{s:O*,s:o}]}", "employmentId", json_object_get(m, "id"), "payrollPeriods", "payrollPeriod",
			 json_object_get(slip, "payrollPeriod"), "payslipTypes", types ? json_deep_copy(types) : json_array()));
}

static void h_yearend_get(struct ctx *x)
{
	json_t *m = need(x, "employments", x->p[0], "employment"), *o, *ys = NULL;
	long long y;
	size_t i;
	if (!m || !path_year(x, x->p[1], &y))
		return;
	IDX_EACH("yearEndStatements", "employmentId", x->p[0], i, o) {
		if (sget(o, "employmentId") && strcmp(sget(o, "employmentId"), x->p[0]) == 0 &&
		    json_integer_value(json_object_get(o, "year")) == y)
			ys = o;
	}
	if (!ys) {
		loket_error(x->rep, 404, 404, "NotFound", "no year-end statement of this employment for %lld", y);
		return;
	}
	char title[64], from[16], to[16], fn[128];
	snprintf(title, sizeof title, "Jaaropgave %lld", y);
	snprintf(from, sizeof from, "%lld-01-01", y);
	snprintf(to, sizeof to, "%lld-12-31", y);
	const char *sd = str_or(m, "startDate", ""), *ed = str_or(m, "endDate", "");
	json_t *lines = doc_page(m, title), *rv = json_object_get(ys, "revision");
	add_line(lines, "Tijdvak: %s t/m %s", strcmp(sd, from) > 0 ? sd : from, *ed && strcmp(ed, to) < 0 ? ed : to);
	if (json_integer_value(rv) > 1) /* re-issued (/__emu/reissue-yearendstatement) */
		add_line(lines, "Herzien: %" JSON_INTEGER_FORMAT, json_integer_value(rv));
	snprintf(fn, sizeof fn, "Jaaropgave_%" JSON_INTEGER_FORMAT "_%lld.pdf",
		 json_integer_value(json_object_get(employee_of(m), "employeeNumber")), y);
	reply_pdf(x, json_pack("[o]", lines), fn);
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
	IDX_EACH("employees", "employerId", employer, i, o) {
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
		if (!check_meta_key(x, "employee", "gender", json_object_get(pd, "gender"), "personalDetails.gender"))
			return 0;
	}
	if (!check_meta_key(x, "employee", "country", json_object_get(json_object_get(b, "address"), "country"),
			    "address.country"))
		return 0;
	return 1;
}

/* Loket serves metadata objects with their labels; a PUT sends only the key. The labels come
 * from the employee metadata of the state (the same lists GET .../metadata serves). */
static void label_metadata(json_t *e)
{
	label_from_meta("employee", "gender", json_object_get(json_object_get(e, "personalDetails"), "gender"));
	label_from_meta("employee", "country", json_object_get(json_object_get(e, "address"), "country"));
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
			json_object_set_new(o, k, json_deep_copy(v));
	}
	label_metadata(o);
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

/* The BSN of an employee or a concept employee: its own endpoint, never in the resource. */
static void bsn_put(struct ctx *x, const char *cname, const char *what)
{
	json_t *o = need(x, cname, x->p[0], what);
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

static void bsn_get(struct ctx *x, const char *cname, const char *what)
{
	json_t *o = need(x, cname, x->p[0], what);
	if (!o)
		return;
	json_t *b = json_object_get(o, "citizenServiceNumber");
	single(x, 200, json_pack("{s:O}", "citizenServiceNumber", b ? b : json_null()));
}

static void h_bsn_put(struct ctx *x) { bsn_put(x, "employees", "employee"); }
static void h_concept_bsn_get(struct ctx *x) { bsn_get(x, "conceptEmployees", "concept employee"); }
static void h_concept_bsn_put(struct ctx *x) { bsn_put(x, "conceptEmployees", "concept employee"); }

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
	emu_uuid(id, 1);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "employerId", json_string(x->p[0]));
	coll_add("conceptEmployees", o);
	single(x, 201, view(o, "conceptEmployees"));
}

static json_t *wage_new(const char *employment, json_t *src, const char *start);

static void h_convert(struct ctx *x)
{
	if (x->body) { /* the spec declares no request body for this operation */
		loket_error(x->rep, 400, 1404, "Exception", "convertToEmployee takes no request body");
		return;
	}
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
		IDX_EACH("employees", "employerId", er, i, o) {
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
	coll_add("employees", emp);

	char mid[37];
	emu_uuid(mid, 1);
	json_t *inr = json_object_get(md, "incomeRelationshipNumber");
	json_t *m = json_pack("{s:s,s:O,s:s,s:O,s:n,s:I}", "id", mid, "employeeId", json_object_get(ce, "id"),
			      "payrollAdministrationId", paid, "startDate", json_object_get(md, "startDate"), "endDate",
			      "incomeRelationshipNumber", json_is_integer(inr) ? json_integer_value(inr) : (json_int_t)1);
	static const char *mcopy[] = {"historicalStartDate", "employmentContractType", "employmentDurationType",
				      "typeOfEmployee", "namePayslip"};
	for (size_t i = 0; i < sizeof mcopy / sizeof mcopy[0]; i++)
		if (json_object_get(md, mcopy[i]))
			json_object_set(m, mcopy[i], json_object_get(md, mcopy[i]));
	json_object_set_new(m, "employerId", json_string(er)); /* internal link (see number_versions) */
	json_object_set_new(m, "lastModifiedVersionNumber", json_integer(S.version));
	json_int_t top = 0; /* the administration's next payrollId */
	IDX_FOREACH("employments", "payrollAdministrationId", paid, pk, pm) if (json_integer_value(json_object_get(pm, "payrollId")) > top)
		top = json_integer_value(json_object_get(pm, "payrollId"));
	json_object_set_new(m, "payrollId", json_integer(top + 1));
	coll_add("employments", m);
	json_t *wd = json_object_get(ce, "wageData");
	if (json_is_number(json_object_get(wd, "grossWage")))
		coll_add("wages", wage_new(mid, wd, sget(md, "startDate")));
	/* the concept's working hours and organizational entity (as given) from the start date on */
	static const char *const parts[][2] = {{"workingHoursData", "workingHours"},
					       {"organizationalEntityData", "organizationalEntities"}};
	for (size_t i = 0; i < 2; i++) {
		json_t *src = json_object_get(ce, parts[i][0]);
		if (!json_is_object(src))
			continue;
		json_t *o = json_deep_copy(src);
		char pid[37];
		emu_uuid(pid, 1);
		json_object_set_new(o, "id", json_string(pid));
		json_object_set_new(o, "employmentId", json_string(mid));
		json_object_set(o, "startDate", json_object_get(md, "startDate"));
		json_object_set_new(o, "endDate", json_null());
		coll_add(parts[i][1], o);
	}
	json_t *res = json_pack("{s:O,s:s}", "employeeId", json_object_get(emp, "id"), "employmentId", mid);
	coll_del("conceptEmployees", ci);
	single(x, 200, res);
}

/* --- wages: linked chain */

static json_t *wage_new(const char *employment, json_t *src, const char *start)
{
	json_t *w = json_deep_copy(src);
	char id[37];
	emu_uuid(id, 1);
	json_object_set_new(w, "id", json_string(id));
	json_object_set_new(w, "employmentId", json_string(employment));
	json_object_set_new(w, "startDate", json_string(start));
	json_object_set_new(w, "endDate", json_null());
	if (!json_object_get(w, "grossWageType"))
		json_object_set_new(w, "grossWageType", json_pack("{s:i}", "key", 1));
	label_from_meta("wage", "grossWageType", json_object_get(w, "grossWageType"));
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
	size_t cap;
	idx_find(cname, "employmentId", employment, &cap);
	json_t **v = emu_xcalloc(cap + 1, sizeof *v);
	IDX_EACH(cname, "employmentId", employment, i, o) {
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
	if (!check_amount(x, x->body, "grossWage", 0.01, 999999.99, 1) ||
	    !check_meta_key(x, "wage", "grossWageType", json_object_get(x->body, "grossWageType"), "grossWageType"))
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
		emu_date_days(sget(v[n - 1], "startDate"), &last);
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
	coll_add("wages", w);
	single(x, 201, view(w, "wages"));
}

static void h_wage_put(struct ctx *x)
{
	json_t *w = need(x, "wages", x->p[0], "wage");
	if (!w || !body_object(x))
		return;
	if (!check_amount(x, x->body, "grossWage", 0.01, 999999.99, 0) ||
	    !check_meta_key(x, "wage", "grossWageType", json_object_get(x->body, "grossWageType"), "grossWageType"))
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
			emu_date_days(sget(v[pos - 1], "startDate"), &prev);
		else if (get_date(find_id("employments", sget(w, "employmentId"), NULL), "startDate", &ms) == 0)
			prev = ms - 1;
		if (pos + 1 < n)
			emu_date_days(sget(v[pos + 1], "startDate"), &next);
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
			json_object_set_new(w, k, json_deep_copy(val));
	}
	label_from_meta("wage", "grossWageType", json_object_get(w, "grossWageType"));
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
	coll_del("wages", idx);
	single(x, 200, json_object()); /* the spec: content is an object (with no properties) */
}

/* --- benefits and deductions: broken chain per payrollComponent.key */

static json_t *employment_admin_component(json_t *m, json_int_t key)
{
	const char *pa = sget(m, "payrollAdministrationId");
	json_t *o;
	size_t i;
	IDX_EACH("payrollComponents", "payrollAdministrationId", pa, i, o) {
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
	IDX_EACH("benefitsAndDeductions", "employmentId", sget(m, "id"), i, o) {
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
	emu_uuid(id, 1);
	json_t *rec = json_pack("{s:s,s:s}", "id", id, "employmentId", x->p[0]);
	if (!bd_apply(x, m, rec, NULL, 0)) {
		json_decref(rec);
		return;
	}
	coll_add("benefitsAndDeductions", rec);
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
	coll_del("benefitsAndDeductions", idx);
	single(x, 200, json_object()); /* the spec: content is an object (with no properties) */
}

/* --- payroll period data: upsert keyed on the combination from the spec */

/* Loket's defaults for the parts of the key a request leaves out (the emulator's choice; the
 * real ones come from …/payrollperioddata/defaults): shift 1, payslip type 1, the
 * administration's one distribution unit. */
#define PPD_DEFAULT_DU "d15d0000-0000-4000-8000-000000000001"
static json_t *ppd_default(const char *k)
{
	if (!strcmp(k, "shift"))
		return json_pack("{s:i}", "shiftNumber", 1);
	if (!strcmp(k, "payslipType"))
		return json_pack("{s:i,s:s}", "key", 1, "value", "Normale strook");
	if (!strcmp(k, "distributionUnit"))
		return json_pack("{s:s,s:i,s:s}", "key", PPD_DEFAULT_DU, "code", 1, "description", "Algemeen");
	return json_null();
}

static json_t *ppd_key(json_t *b)
{
	json_t *pp = json_object_get(b, "payrollPeriod");
	static const char *const ks[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
	json_t *k = json_array();
	json_array_append(k, json_object_get(pp, "year") ? json_object_get(pp, "year") : json_null());
	json_array_append(k, json_object_get(pp, "periodNumber") ? json_object_get(pp, "periodNumber") : json_null());
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
		json_t *o = json_object_get(b, ks[i]);
		json_t *d = NULL;
		if (!json_is_object(o))
			o = d = ppd_default(ks[i]);
		json_t *v = json_object_get(o, i == 0 ? "shiftNumber" : "key");
		json_array_append(k, v ? v : json_null());
		json_decref(d);
	}
	return k;
}

/* Whether a PATCH/POST body (or an item of the collective PATCH) breaks a rule for employment
 * m: 0 when not, else 1 with Loket's code and description. */
static int ppd_invalid(json_t *body, json_t *m, int *code, char *msg, size_t n)
{
	json_t *pp = json_object_get(body, "payrollPeriod");
	json_t *y = json_object_get(pp, "year"), *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || !json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 53) {
		*code = 1701;
		snprintf(msg, n, "payrollPeriod.year and payrollPeriod.periodNumber (1..53) are required");
		return 1;
	}
	const char *pa = sget(m, "payrollAdministrationId");
	int any = 0, hit = 0;
	json_t *o;
	size_t i;
	IDX_EACH("payrollPeriods", "payrollAdministrationId", pa, i, o) {
		if (!pa || !sget(o, "payrollAdministrationId") || strcmp(sget(o, "payrollAdministrationId"), pa) != 0)
			continue;
		if (json_integer_value(json_object_get(o, "year")) != json_integer_value(y))
			continue;
		any = 1;
		hit |= json_integer_value(json_object_get(o, "periodNumber")) == json_integer_value(p);
	}
	if (any && !hit) {
		*code = 1702;
		snprintf(msg, n, "payrollPeriod %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
			 " does not exist for this payroll administration", json_integer_value(y), json_integer_value(p));
		return 1;
	}
	json_t *pcs = json_object_get(body, "payrollComponents");
	if (pcs && !json_is_array(pcs)) {
		*code = 1703;
		snprintf(msg, n, "payrollComponents must be an array");
		return 1;
	}
	json_array_foreach(pcs, i, o) {
		json_t *k = json_object_get(json_object_get(o, "payrollComponent"), "key"), *v = json_object_get(o, "value");
		if (!json_is_integer(k) || (!json_is_number(v) && !json_is_null(v))) {
			*code = 1704;
			snprintf(msg, n, "payrollComponents[%zu] needs payrollComponent.key and a numeric value (or null)", i);
			return 1;
		}
		if (json_is_number(v) && (json_number_value(v) <= -1e8 || json_number_value(v) >= 1e8)) { /* the spec's rule of thumb */
			*code = 1709;
			snprintf(msg, n, "payrollComponents[%zu].value: an amount lies between -100000000 and 100000000", i);
			return 1;
		}
		json_t *cat = employment_admin_component(m, json_integer_value(k));
		if (!cat) {
			*code = 1705;
			snprintf(msg, n, "payrollComponent %" JSON_INTEGER_FORMAT " is not available for this payroll administration",
				 json_integer_value(k));
			return 1;
		}
		if (json_is_true(json_object_get(o, "isSupplement")) && !json_is_true(json_object_get(cat, "canBeSupplemented"))) {
			*code = 1706;
			snprintf(msg, n, "payrollComponent %" JSON_INTEGER_FORMAT " cannot be supplemented", json_integer_value(k));
			return 1;
		}
	}
	return 0;
}

/* Validate a PATCH/POST body; returns 1 ok (else the 400 is set). */
static int ppd_check(struct ctx *x, json_t *m)
{
	int code;
	char msg[300];
	if (!ppd_invalid(x->body, m, &code, msg, sizeof msg))
		return 1;
	BBR(x->rep, code, "%s", msg);
	return 0;
}

static json_t *ppd_find(const char *employment, json_t *key)
{
	json_t *o;
	size_t i;
	IDX_EACH("payrollPeriodData", "employmentId", employment, i, o) {
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
		int del = json_is_null(json_object_get(o, "value")); /* null deletes the entry ([SPEC]) */
		json_array_foreach(cur, j, e) {
			if (json_integer_value(json_object_get(json_object_get(e, "payrollComponent"), "key")) == k) {
				if (del)
					json_array_remove(cur, j);
				else
					json_array_set(cur, j, o);
				done = 1;
				break;
			}
		}
		if (!done && !del)
			json_array_append(cur, o);
	}
}

/* The upsert of body (checked) into employment m's records: the record its key names, made
 * when new (*made set), its components merged. */
static json_t *ppd_upsert(const char *employment, json_t *body, int *made)
{
	json_t *key = ppd_key(body);
	json_t *rec = ppd_find(employment, key);
	json_decref(key);
	*made = !rec;
	if (!rec) {
		char id[37];
		emu_uuid(id, 1);
		rec = json_pack("{s:s,s:s,s:{s:O,s:O},s:o,s:[]}", "id", id, "employmentId", employment,
				"payrollPeriod", "year", json_object_get(json_object_get(body, "payrollPeriod"), "year"),
				"periodNumber", json_object_get(json_object_get(body, "payrollPeriod"), "periodNumber"),
				"payslipText", json_null(), "payrollComponents");
		static const char *ks[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
		for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
			json_t *v = json_object_get(body, ks[i]);
			json_object_set_new(rec, ks[i], json_is_object(v) ? json_deep_copy(v) : ppd_default(ks[i]));
		}
		coll_add("payrollPeriodData", rec);
	}
	if (json_object_get(body, "payslipText"))
		json_object_set(rec, "payslipText", json_object_get(body, "payslipText"));
	ppd_merge_components(rec, json_object_get(body, "payrollComponents"));
	return rec;
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
	int made;
	rec = ppd_upsert(x->p[0], x->body, &made);
	single(x, made && !upsert ? 201 : 200, view(rec, "payrollPeriodData"));
}

static void h_ppd_patch(struct ctx *x) { ppd_write(x, 1); }
static void h_ppd_post(struct ctx *x) { ppd_write(x, 0); }

/* What a collective PATCH with invalid items does: 0 (the default) refuses the whole request
 * (400, nothing applied); 200 or 400 (--collective-partial) applies the valid items and
 * answers with that status and the messages of the others (Loket's behaviour is UNCONFIRMED). */
static int g_partial;

/* PATCH /providers/employers/{employerId}/payrollperioddata: the collective upsert. The body
 * is a JSON array, one item per employment x period x key: the per-employment PATCH's body
 * plus employmentId (an employment of this employer). Every item is checked as that PATCH's
 * body is; a 400 names each invalid item by its index (from 0) and employmentId (the
 * message's id). The items are applied in order, each as the per-employment PATCH would.
 * Answer 200, content null (the spec declares no body). */
static void h_ppd_collective(struct ctx *x)
{
	if (!need(x, "employers", x->p[0], "employer"))
		return;
	if (!json_is_array(x->body) || !json_array_size(x->body)) {
		loket_error(x->rep, 400, 1000, "Exception", "The request body must be a non-empty JSON array");
		return;
	}
	size_t n = json_array_size(x->body), i;
	json_t *msgs = json_array(), *item;
	json_t **ms = emu_xcalloc(n, sizeof *ms);
	json_array_foreach(x->body, i, item) {
		const char *eid = sget(item, "employmentId");
		json_t *m = eid ? find_id("employments", eid, NULL) : NULL;
		int code = 1708;
		char msg[300], d[420];
		if (!json_is_object(item))
			snprintf(msg, sizeof msg, "an item must be an object");
		else if (!m || !emp_of_employer(m, x->p[0], NULL))
			snprintf(msg, sizeof msg, "employmentId: not an employment of this employer");
		else if (!ppd_invalid(item, m, &code, msg, sizeof msg)) {
			ms[i] = m;
			continue;
		}
		snprintf(d, sizeof d, "item %zu (employmentId %s): %s", i, eid ? eid : "missing", msg);
		json_array_append_new(msgs, json_pack("{s:i,s:o,s:s,s:s,s:[]}", "code", code, "id", eid ? json_string(eid) : json_null(),
						      "type", "BrokenBusinessRule", "description", d, "properties"));
	}
	if (json_array_size(msgs) && !g_partial) {
		reply_body(x->rep, 400, json_pack("{s:o,s:o,s:[]}", "version", version_obj(), "messages", msgs, "_embedded"));
		free(ms);
		return;
	}
	json_array_foreach(x->body, i, item) if (ms[i]) {
		int made;
		ppd_upsert(sget(item, "employmentId"), item, &made);
	}
	free(ms);
	if (json_array_size(msgs))
		reply_body(x->rep, (unsigned)g_partial, json_pack("{s:o,s:o,s:n}", "version", version_obj(), "messages", msgs, "content"));
	else {
		json_decref(msgs);
		single(x, 200, json_null());
	}
}

/* PUT changes the writable fields the body sends (a field not sent keeps its value); a
 * payrollComponents sent replaces the list as a whole, so a component left out is removed
 * (payrollPeriod and payslipType are read-only). doc/loket-fixtures.md, payroll period data. */
static void h_ppd_put(struct ctx *x)
{
	json_t *rec = need(x, "payrollPeriodData", x->p[0], "payroll period data");
	if (!rec || !body_object(x))
		return;
	json_t *m = find_id("employments", sget(rec, "employmentId") ? sget(rec, "employmentId") : "", NULL);
	if (!m) {
		loket_error(x->rep, 404, 404, "NotFound", "employment not found");
		return;
	}
	json_t *merged = json_deep_copy(rec);
	static const char *const ks[] = {"shift", "distributionUnit", "costCenter", "costUnit", "payslipText",
					 "payrollComponents"};
	for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
		if (json_object_get(x->body, ks[i]))
			json_object_set(merged, ks[i], json_object_get(x->body, ks[i]));
	json_t *sent = x->body;
	x->body = merged;
	int ok = ppd_check(x, m);
	x->body = sent;
	if (ok) {
		json_t *key = ppd_key(merged);
		json_t *other = ppd_find(sget(rec, "employmentId"), key);
		json_decref(key);
		if (other && other != rec) {
			BBR(x->rep, 1707, "A record for this payrollPeriod, shift, payslipType, distributionUnit, costCenter and "
					  "costUnit already exists");
			ok = 0;
		}
	}
	if (ok) {
		json_object_update(rec, merged);
		single(x, 200, view(rec, "payrollPeriodData"));
	}
	json_decref(merged);
}

static void h_ppd_delete(struct ctx *x)
{
	size_t idx;
	if (!find_id("payrollPeriodData", x->p[0], &idx)) {
		loket_error(x->rep, 404, 404, "NotFound", "payroll period data not found");
		return;
	}
	coll_del("payrollPeriodData", idx);
	single(x, 200, json_object()); /* the spec: content is an object (with no properties) */
}

/* --- terminate */

static void close_open(const char *cname, const char *employment, long end)
{
	json_t *o;
	size_t i;
	IDX_EACH(cname, "employmentId", employment, i, o) {
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

/* ----- the audit trail of employee data (GET .../{employerId}/auditTrail/EmployeeData)
 *
 * A PUT of a wage, a benefit or deduction or an employee that names its person in the header
 * X-Emu-User ("Jong, I": a change made by hand in Loket; loketpipe's push names none) keeps
 * one entry per field it changed, in the state's "auditTrail" (/__emu/reset empties it): the
 * spec's item with entity.value "wage", "benefitAndDeduction" or "employee", field.value the
 * API's field name (an employee's nested field: its last name, "emailAddress"), oldValue and
 * newValue as text (a metadata object: its key), performedBy.formattedName the header's
 * name, mutationOrigin "By user", timeStamp X-Emu-Time when given (ISO 8601), else now
 * (UTC). The list takes the required startDate and endDate (a date, or a date-time; a date
 * alone as endDate takes in its whole day) and the usual paging and filter. */

static json_t *audit_text(json_t *v)
{
	if (!v || json_is_null(v))
		return json_null();
	if (json_is_object(v) && json_object_get(v, "key"))
		v = json_object_get(v, "key");
	if (json_is_string(v))
		return json_incref(v);
	if (json_is_integer(v))
		return json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_t *r = emu_jstr(t ? t : "");
	free(t);
	return r;
}

/* seconds since the epoch of "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]"; end_of_day for a date alone */
static int audit_time(const char *s, int end_of_day, long long *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
	if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (s[10] == 'T' || s[10] == ' ') {
		if (sscanf(s + 11, "%2d:%2d", &h, &mi) != 2)
			return -1;
		sscanf(s + 11, "%*2d:%*2d:%2d", &se);
	} else if (s[10])
		return -1;
	else if (end_of_day)
		h = 23, mi = 59, se = 59;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se};
	*out = (long long)timegm(&tm);
	return 0;
}

struct audit_put { const char *cname; json_t *before; const char *user; };

static void audit_fields(json_t *rows, const char *prefix, json_t *a, json_t *b)
{
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) {
		json_t *o = json_object_get(a, k);
		if (json_is_object(v) && !json_object_get(v, "key")) {
			audit_fields(rows, k, json_is_object(o) ? o : NULL, v);
			continue;
		}
		json_t *ot = audit_text(o), *nt = audit_text(v);
		if (!json_equal(ot, nt))
			json_array_append_new(rows, json_pack("{s:s,s:o,s:o}", "field", k, "old", ot, "new", nt));
		else
			json_decref(ot), json_decref(nt);
	}
	(void)prefix;
}

static void audit_after(struct ctx *x, struct audit_put *ap)
{
	if (!ap->before || x->rep->status < 200 || x->rep->status >= 300)
		return;
	json_t *now = find_id(ap->cname, x->p[0], NULL), *ee = now, *m = NULL;
	if (!now)
		return;
	if (strcmp(ap->cname, "employees")) {
		m = find_id("employments", sget(now, "employmentId") ? sget(now, "employmentId") : "", NULL);
		ee = m ? find_id("employees", sget(m, "employeeId") ? sget(m, "employeeId") : "", NULL) : NULL;
	}
	json_t *er = ee ? find_id("employers", employer_of_employee(ee), NULL) : NULL;
	const char *ent = !strcmp(ap->cname, "wages") ? "wage" : !strcmp(ap->cname, "employees") ? "employee" : "benefitAndDeduction";
	char ts[40];
	const char *given = MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, "X-Emu-Time");
	if (given)
		snprintf(ts, sizeof ts, "%s", given);
	else {
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	}
	json_t *rows = json_array(), *r, *trail = json_object_get(S.state, "auditTrail");
	if (!trail)
		json_object_set_new(S.state, "auditTrail", trail = json_array());
	audit_fields(rows, "", ap->before, now);
	size_t i;
	json_array_foreach(rows, i, r) {
		const char *f = sget(r, "field");
		if (!strcmp(f, "id") || !strcmp(f, "employmentId") || !strcmp(f, "employerId"))
			continue;
		json_t *pd = json_object_get(ee, "personalDetails");
		json_array_append_new(
			trail,
			json_pack("{s:s,s:{s:O*,s:O*,s:O*},s:{s:O*,s:O*,s:O*},s:{s:O*,s:O*},s:{s:i,s:s},s:{s:i,s:s},s:{s:O*},"
				  "s:{s:i,s:s},s:{s:i,s:s},s:O,s:O,s:{s:s,s:s,s:s,s:s,s:n},s:s}",
				  "employerId", employer_of_employee(ee ? ee : now), "employee", "employeeNumber",
				  json_object_get(ee, "employeeNumber"), "id", json_object_get(ee, "id"), "name",
				  json_object_get(pd, "lastName"), "employer", "companyName", json_object_get(er, "companyName"),
				  "employerNumber", json_object_get(er, "employerNumber"), "id", json_object_get(er, "id"),
				  "employment", "id", json_object_get(m, "id"), "startDate", json_object_get(m, "startDate"),
				  "entity", "key", !strcmp(ent, "employee") ? 1 : !strcmp(ent, "wage") ? 2 : 3, "value", ent,
				  "field", "key", (int)i + 1, "value", f, "identification", "description",
				  json_object_get(now, "startDate"), "mutationOrigin", "key", 1, "value", "By user",
				  "mutationType", "key", 2, "value", "wijzigen", "oldValue", json_object_get(r, "old"), "newValue",
				  json_object_get(r, "new"), "performedBy", "formattedName", ap->user, "id",
				  "00000000-0000-4000-8000-00000000e001", "initials", "", "lastName", ap->user, "prefix",
				  "timeStamp", ts));
	}
	json_decref(rows);
}

static void h_audit_employee_data(struct ctx *x)
{
	if (!need(x, "employers", x->p[0], "employer"))
		return;
	long long from, to, at;
	const char *sd = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "startDate"),
		   *ed = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "endDate");
	if (audit_time(sd, 0, &from) || audit_time(ed, 1, &to)) {
		BBR(x->rep, 1701, "startDate and endDate are required (a date or a date-time)");
		return;
	}
	json_t *all = json_array(), *o;
	size_t i;
	json_array_foreach(json_object_get(S.state, "auditTrail"), i, o) {
		const char *er = sget(o, "employerId");
		if (er && !strcmp(er, x->p[0]) && !audit_time(sget(o, "timeStamp") ? sget(o, "timeStamp") : "", 0, &at) &&
		    at >= from && at <= to)
			json_array_append_new(all, view(o, "auditTrail"));
	}
	list_items(x, all, NULL);
}

/* Routes relative to /v2; "*" is a path parameter; literals compare case-insensitively. */
/* What a write moves the version numbers of (the path parameter names it): the employee's
 * employments, one employment, the employment of a wage or of a benefit/deduction; the
 * employee a concept employee became. Payroll period data and concept employees: none. */
enum scope { SC_NONE, SC_EMPLOYEE, SC_EMPLOYMENT, SC_WAGE, SC_BD, SC_CONVERT };
static const struct { const char *method, *pattern; handler h; enum scope scope; } API[] = {
	{"GET", "providers/employers/lastmodifiedversionnumbers", h_employer_versions, SC_NONE},
	{"GET", "providers/employers/*/employees/employments/lastmodifiedversionnumbers", h_employment_versions, SC_NONE},
	{"GET", "providers/employers/*/employees/employments/comprehensive", h_comprehensive, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/payrollperiods/*/payrollperioddata", h_admin_period_ppd, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/availablepayrollcomponentsets", h_component_sets, SC_NONE},
	{"PATCH", "providers/employers/*/payrollperioddata", h_ppd_collective, SC_NONE},
	{"GET", "providers/employers", h_employers, SC_NONE},
	{"GET", "providers/employers/*", h_employer, SC_NONE},
	{"GET", "providers/employers/*/payrolladministrations", h_payrolladmins, SC_NONE},
	{"GET", "providers/employers/*/employees", h_employees, SC_NONE},
	{"GET", "providers/employers/*/employees/employments", h_employments_er, SC_NONE},
	{"GET", "providers/employers/employees/*", h_employee_get, SC_NONE},
	{"PUT", "providers/employers/employees/*", h_employee_put, SC_EMPLOYEE},
	{"GET", "providers/employers/employees/*/metadata", h_meta_employee, SC_NONE},
	{"GET", "providers/employers/employees/*/citizenservicenumber", h_bsn_get, SC_NONE},
	{"PUT", "providers/employers/employees/*/citizenservicenumber", h_bsn_put, SC_EMPLOYEE},
	{"GET", "providers/employers/employees/*/employments", h_employments_ee, SC_NONE},
	{"GET", "providers/employers/employees/employments/*", h_employment_get, SC_NONE},
	{"PATCH", "providers/employers/employees/employments/*/terminate", h_terminate, SC_EMPLOYMENT},
	{"GET", "providers/employers/employees/employments/wages/*", h_wage_get, SC_NONE},
	{"PUT", "providers/employers/employees/employments/wages/*", h_wage_put, SC_WAGE},
	{"DELETE", "providers/employers/employees/employments/wages/*", h_wage_delete, SC_WAGE},
	{"GET", "providers/employers/employees/employments/*/wages", h_wages, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/wages/metadata", h_meta_wage, SC_NONE},
	{"POST", "providers/employers/employees/employments/*/wages", h_wage_post, SC_EMPLOYMENT},
	{"GET", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_get, SC_NONE},
	{"PUT", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_put, SC_BD},
	{"DELETE", "providers/employers/employees/employments/benefitsanddeductions/*", h_bd_delete, SC_BD},
	{"GET", "providers/employers/employees/employments/*/benefitsanddeductions", h_bds, SC_NONE},
	{"POST", "providers/employers/employees/employments/*/benefitsanddeductions", h_bd_post, SC_EMPLOYMENT},
	{"GET", "providers/employers/employees/employments/payrollperioddata/*", h_ppd_get, SC_NONE},
	{"PUT", "providers/employers/employees/employments/payrollperioddata/*", h_ppd_put, SC_NONE},
	{"DELETE", "providers/employers/employees/employments/payrollperioddata/*", h_ppd_delete, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/payrollperioddata", h_ppds, SC_NONE},
	{"POST", "providers/employers/employees/employments/*/payrollperioddata", h_ppd_post, SC_NONE},
	{"PATCH", "providers/employers/employees/employments/*/payrollperioddata", h_ppd_patch, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/payrollcomponents/year/*", h_components, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/payrollperiods", h_periods, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/payrollruns/*", h_payrollrun_get, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/payrollruns", h_payrollruns, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/journalruns/*", h_journalrun_get, SC_NONE},
	{"PATCH", "providers/employers/payrolladministrations/journalruns/*", h_journalrun_patch, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/journalruns/*/results", h_journal_results, SC_NONE},
	{"GET", "providers/employers/payrolladministrations/*/journalruns", h_journalruns, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/payslips", h_payslips, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/payslips/*", h_payslip_get, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/yearendstatements", h_yearends, SC_NONE},
	{"GET", "providers/employers/employees/employments/*/yearendstatements/*", h_yearend_get, SC_NONE},
	{"GET", "providers/employers/*/auditTrail/EmployeeData", h_audit_employee_data, SC_NONE},
	{"GET", "providers/employers/*/conceptemployees", h_concepts, SC_NONE},
	{"GET", "providers/employers/*/conceptemployees/metadata", h_meta_concept, SC_NONE},
	{"POST", "providers/employers/*/conceptemployees", h_concept_post, SC_NONE},
	{"GET", "providers/employers/conceptemployees/*", h_concept_get, SC_NONE},
	{"PATCH", "providers/employers/conceptemployees/*/convertToEmployee", h_convert, SC_CONVERT},
	{"GET", "providers/employers/conceptemployees/*/citizenservicenumber", h_concept_bsn_get, SC_NONE},
	{"PUT", "providers/employers/conceptemployees/*/citizenservicenumber", h_concept_bsn_put, SC_NONE},
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
		char *p = emu_xstrdup(API[i].pattern), *ps[MAX_SEGS + 1];
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

/* ------------------------------------------------ the variable data import (control) */

/* POST /__emu/import-variable-data?payrollAdministrationId=..&year=YYYY&from=DATE&to=DATE&distributionUnit=yes|no
 * with the CSV as the body: what Loket's dialog Werkgever -> Collectieve mutaties -> Importeren
 * -> Variabele gegevens does with action Overwrite (doc/loket-fixtures.md; the file's layout:
 * lib/lp_hours_csv.h). The date range must lie in the year and within one payroll period of
 * it (the emulator's choice: what Loket does with a range over several periods is
 * UNCONFIRMED); each row writes the payroll period data of the employment with that payrollId
 * in the administration, in that period, payslip type 1, its shift and distribution unit
 * (an empty cell: the emulator's default one, as a REST write without one): every filled cell
 * overwrites that component's value, an empty cell leaves it ("an empty cell means no
 * value"). Everything is checked first; any problem is 400 {"error": "row R, column C
 * (NAME): ..."} and nothing is applied. Called with S.lock held. */

#define IMP_MAX_COLS 256
#define IMP_ERR(...) (snprintf(err, errn, __VA_ARGS__), 1)

/* A cell's number: -?digits(,d{1,2})? (Loket's decimal comma) as a JSON number with two
 * decimals, as a REST body's amount arrives (a real); NULL when it is not one. */
static json_t *imp_number(const char *s)
{
	const char *p = s;
	char buf[32];
	size_t n = 0;
	if (*p == '-')
		buf[n++] = *p++;
	size_t d = strspn(p, "0123456789");
	if (d < 1 || d > 8)
		return NULL;
	memcpy(buf + n, p, d);
	n += d;
	p += d;
	char frac[3] = "00";
	if (*p == ',') {
		size_t f = strspn(++p, "0123456789");
		if (f < 1 || f > 2)
			return NULL;
		memcpy(frac, p, f);
		p += f;
	}
	if (*p)
		return NULL;
	snprintf(buf + n, sizeof buf - n, ".%s", frac);
	return json_loads(buf, JSON_DECODE_ANY, NULL);
}

/* The distribution unit of code in the administration's records (or the default one). */
static json_t *imp_du(long long code)
{
	json_t *d = ppd_default("distributionUnit"), *o;
	size_t i;
	if (json_integer_value(json_object_get(d, "code")) == code)
		return d;
	json_decref(d);
	json_array_foreach(coll("payrollPeriodData"), i, o) {
		json_t *u = json_object_get(o, "distributionUnit");
		if (json_is_integer(json_object_get(u, "code")) && json_integer_value(json_object_get(u, "code")) == code)
			return json_deep_copy(u);
	}
	return NULL;
}

/* Split line (modified) at ';' into f; returns the number of fields, or -1 when too many. */
static int imp_split(char *line, char **f)
{
	int n = 0;
	for (char *p = line;; p++) {
		if (n == IMP_MAX_COLS)
			return -1;
		f[n++] = p;
		p += strcspn(p, ";");
		if (!*p)
			return n;
		*p = '\0';
	}
}

static int import_check(struct MHD_Connection *c, struct req *r, char *err, size_t errn, json_t **rows_out,
			json_t **period_out, int *ncells)
{
	const char *pa_id = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "payrollAdministrationId"),
		   *ys = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "year"),
		   *fs = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from"),
		   *ts = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to"),
		   *dus = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "distributionUnit");
	long long year;
	long from, to;
	json_t *pa = pa_id ? find_id("payrollAdministrations", pa_id, NULL) : NULL;
	if (!pa)
		return IMP_ERR("payrollAdministrationId: %s", pa_id ? "no such payroll administration" : "required");
	if (!ys || emu_strict_ll(ys, 1900, 2999, &year))
		return IMP_ERR("year: a four-digit year is required");
	if (!fs || emu_date_days(fs, &from) || !ts || emu_date_days(ts, &to) || from > to)
		return IMP_ERR("from and to: two dates YYYY-MM-DD, from not after to, are required");
	if (from < emu_days_from_civil(year, 1, 1) || to > emu_days_from_civil(year, 12, 31))
		return IMP_ERR("from and to: the date range must lie in the year %lld", year);
	if (!dus || (strcmp(dus, "yes") && strcmp(dus, "no")))
		return IMP_ERR("distributionUnit: yes or no is required");
	int with_du = !strcmp(dus, "yes");
	/* the payroll period: the one period of the year the range lies in */
	json_t *per = NULL, *o;
	size_t i;
	int nper = 0;
	IDX_EACH("payrollPeriods", "payrollAdministrationId", pa_id, i, o) {
		long ps, pe;
		if (json_integer_value(json_object_get(o, "year")) != year || get_date(o, "startDate", &ps) || get_date(o, "endDate", &pe) ||
		    pe < from || ps > to)
			continue;
		nper++;
		if (!per || ps <= from)
			per = o;
	}
	if (!nper)
		return IMP_ERR("from and to: no payroll period of %lld lies in the date range", year);
	long ps, pe;
	get_date(per, "startDate", &ps);
	get_date(per, "endDate", &pe);
	if (nper > 1 || from < ps || to > pe)
		return IMP_ERR("from and to: the date range covers %d payroll periods of %lld; loket-emu imports into one "
			       "(a range within one period)", nper, year);
	/* the file */
	if (!r->raw.len)
		return IMP_ERR("the body (the CSV file) is empty");
	for (size_t k = 0; k < r->raw.len; k++) {
		unsigned char ch = (unsigned char)r->raw.p[k];
		if (ch >= 0x7f || (ch < 0x20 && ch != '\r' && ch != '\n')) {
			size_t row = 1;
			for (size_t q = 0; q < k; q++)
				row += r->raw.p[q] == '\n';
			return IMP_ERR("row %zu: not ASCII text (byte 0x%02x)", row, ch);
		}
	}
	char *text = emu_xstrdup(r->raw.p), *f[IMP_MAX_COLS];
	char *names[IMP_MAX_COLS] = {0};
	json_int_t keys[IMP_MAX_COLS];
	int ncol = 0, first = with_du ? 4 : 3, bad = 0;
	size_t rowno = 0, len = strlen(text);
	json_t *rows = json_array(), *seen = json_object();
	char ybuf[32];
	snprintf(ybuf, sizeof ybuf, "%lld", year);
	*ncells = 0;
	/* lines: CRLF (or LF); a last line ending the file with its line break */
	for (char *line = text; !bad && line < text + len;) {
		char *nl = strchr(line, '\n'), *next = nl ? nl + 1 : text + len;
		if (nl)
			*nl = '\0';
		size_t ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		rowno++;
		if (strchr(line, '\r')) {
			bad = IMP_ERR("row %zu: a CR inside the line", rowno);
			break;
		}
		int n = imp_split(line, f);
		if (n < 0) {
			bad = IMP_ERR("row %zu: more than %d columns", rowno, IMP_MAX_COLS);
			break;
		}
		if (rowno == 1) { /* the header */
			static const char *const fixed[] = {LP_HOURS_CSV_CLIENT, LP_HOURS_CSV_PERSNR, LP_HOURS_CSV_SHIFT, LP_HOURS_CSV_DU};
			for (int k = 0; k < first && !bad; k++)
				if (k >= n || strcasecmp(f[k], fixed[k]))
					bad = IMP_ERR("row 1, column %d (%s): expected %s%s", k + 1, k < n ? f[k] : "missing", fixed[k],
						      k == 3 ? " (distributionUnit=yes)" : "");
			if (bad)
				break;
			if (n == first) {
				bad = IMP_ERR("row 1: no payroll component columns after %s", fixed[first - 1]);
				break;
			}
			for (int k = first; k < n && !bad; k++) {
				long long key;
				names[k] = f[k];
				if (emu_strict_ll(f[k], 0, INT_MAX, &key)) {
					bad = IMP_ERR("row 1, column %d (%s): not a payroll component number", k + 1, f[k]);
					break;
				}
				json_t *comp = NULL, *pc;
				size_t q;
				IDX_EACH("payrollComponents", "payrollAdministrationId", pa_id, q, pc) if (year_is(pc, ybuf, NULL) &&
									json_integer_value(json_object_get(pc, "key")) == key) comp = pc;
				if (!comp)
					bad = IMP_ERR("row 1, column %d (%s): payroll component %lld is not in the catalogue of %lld", k + 1, f[k], key, year);
				else if (json_is_false(json_object_get(comp, "isCollectiveMutationPossible")))
					bad = IMP_ERR("row 1, column %d (%s): payroll component %lld cannot be imported (isCollectiveMutationPossible is false)", k + 1, f[k], key);
				for (int j = first; j < k && !bad; j++)
					if (keys[j] == key)
						bad = IMP_ERR("row 1, column %d (%s): payroll component %lld twice (column %d)", k + 1, f[k], key, j + 1);
				keys[k] = (json_int_t)key;
			}
			ncol = n;
			line = next;
			continue;
		}
		if (n != ncol) {
			bad = IMP_ERR("row %zu: %d columns, the header has %d", rowno, n, ncol);
			break;
		}
		long long v;
		if (emu_strict_ll(f[0], 0, INT_MAX, &v) || v != json_integer_value(json_object_get(pa, "clientNumber"))) {
			bad = IMP_ERR("row %zu, column 1 (%s): '%s' is not this payroll administration's client number", rowno,
				      LP_HOURS_CSV_CLIENT, f[0]);
			break;
		}
		json_t *m = NULL;
		long long persnr;
		if (!emu_strict_ll(f[1], 0, INT_MAX, &persnr))
			IDX_FOREACH("employments", "payrollAdministrationId", pa_id, q, e) if (json_integer_value(json_object_get(e, "payrollId")) == persnr &&
											  json_is_integer(json_object_get(e, "payrollId"))) m = e;
		if (!m) {
			bad = IMP_ERR("row %zu, column 2 (%s): no employment with payrollId '%s' in this payroll administration", rowno,
				      LP_HOURS_CSV_PERSNR, f[1]);
			break;
		}
		long ms, me;
		if ((get_date(m, "startDate", &ms) == 0 && ms > pe) || (get_date(m, "endDate", &me) == 0 && me < ps)) {
			bad = IMP_ERR("row %zu, column 2 (%s): the employment with payrollId %lld is not active in payroll period %lld/%" JSON_INTEGER_FORMAT,
				      rowno, LP_HOURS_CSV_PERSNR, persnr, year, json_integer_value(json_object_get(per, "periodNumber")));
			break;
		}
		long long shift = 1, code = -1;
		if (*f[2] && emu_strict_ll(f[2], 1, 99, &shift)) {
			bad = IMP_ERR("row %zu, column 3 (%s): '%s' is not a shift number", rowno, LP_HOURS_CSV_SHIFT, f[2]);
			break;
		}
		json_t *du = NULL;
		if (with_du && *f[3] && (emu_strict_ll(f[3], 0, INT_MAX, &code) || !(du = imp_du(code)))) {
			bad = IMP_ERR("row %zu, column 4 (%s): '%s' is not a distribution unit code of this payroll administration", rowno,
				      LP_HOURS_CSV_DU, f[3]);
			break;
		}
		if (!du)
			du = ppd_default("distributionUnit");
		char key[96];
		snprintf(key, sizeof key, "%lld/%lld/%" JSON_INTEGER_FORMAT, persnr, shift, json_integer_value(json_object_get(du, "code")));
		if (json_object_get(seen, key)) {
			json_decref(du);
			bad = IMP_ERR("row %zu: payrollId %lld, shift %lld and this distribution unit again (row %" JSON_INTEGER_FORMAT ")",
				      rowno, persnr, shift, json_integer_value(json_object_get(seen, key)));
			break;
		}
		json_object_set_new(seen, key, json_integer((json_int_t)rowno));
		json_t *pcs = json_array();
		for (int k = first; k < n && !bad; k++) {
			if (!*f[k])
				continue; /* no value: left as it is */
			json_t *num = imp_number(f[k]);
			if (!num) {
				bad = IMP_ERR("row %zu, column %d (%s): '%s' is not a number (digits, a decimal comma, at most two decimals)",
					      rowno, k + 1, names[k], f[k]);
				json_decref(pcs);
				json_decref(du);
				break;
			}
			json_array_append_new(pcs, json_pack("{s:{s:I},s:o,s:b}", "payrollComponent", "key", keys[k], "value", num,
							     "isSupplement", 0));
			(*ncells)++;
		}
		if (bad)
			break;
		json_array_append_new(rows, json_pack("{s:O,s:I,s:o,s:o}", "employment", json_object_get(m, "id"), "shift",
						      (json_int_t)shift, "distributionUnit", du, "payrollComponents", pcs));
		{ /* the write as the REST PATCH would check it */
			json_t *body = json_pack("{s:{s:I,s:O},s:{s:I},s:O,s:O}", "payrollPeriod", "year", (json_int_t)year, "periodNumber",
						 json_object_get(per, "periodNumber"), "shift", "shiftNumber", (json_int_t)shift,
						 "distributionUnit", du, "payrollComponents", pcs);
			int code2;
			char msg[300];
			if (ppd_invalid(body, m, &code2, msg, sizeof msg))
				bad = IMP_ERR("row %zu: %s", rowno, msg);
			json_decref(body);
		}
		line = next;
	}
	if (!bad && rowno < 2)
		bad = IMP_ERR("row 2: the file has no rows after the header");
	free(text);
	json_decref(seen);
	if (bad) {
		json_decref(rows);
		return 1;
	}
	*rows_out = rows;
	*period_out = per;
	return 0;
}
#undef IMP_ERR

static void import_variable_data(struct MHD_Connection *c, struct req *r, struct reply *rep)
{
	char err[600];
	json_t *rows, *per;
	int cells;
	if (r->too_large) {
		reply_body(rep, 413, json_pack("{s:s}", "error", "the file is too large"));
		return;
	}
	if (import_check(c, r, err, sizeof err, &rows, &per, &cells)) {
		reply_body(rep, 400, json_pack("{s:o}", "error", emu_jstr(err)));
		return;
	}
	size_t i, made_n = 0, written = 0;
	json_t *row;
	json_array_foreach(rows, i, row) {
		if (!json_array_size(json_object_get(row, "payrollComponents")))
			continue; /* only empty cells: nothing to write */
		json_t *body = json_pack("{s:{s:O,s:O},s:{s:O},s:{s:i,s:s},s:O,s:O}", "payrollPeriod", "year",
					 json_object_get(per, "year"), "periodNumber", json_object_get(per, "periodNumber"), "shift",
					 "shiftNumber", json_object_get(row, "shift"), "payslipType", "key", 1, "value", "Normale strook",
					 "distributionUnit", json_object_get(row, "distributionUnit"), "payrollComponents",
					 json_object_get(row, "payrollComponents"));
		int made;
		ppd_upsert(sget(row, "employment"), body, &made);
		made_n += (size_t)made;
		written++;
		json_decref(body);
	}
	reply_body(rep, 200, json_pack("{s:b,s:O,s:O,s:I,s:I,s:I,s:I}", "ok", 1, "year", json_object_get(per, "year"),
				       "periodNumber", json_object_get(per, "periodNumber"), "rows", (json_int_t)json_array_size(rows),
				       "records_written", (json_int_t)written, "records_created", (json_int_t)made_n, "values",
				       (json_int_t)cells));
	json_decref(rows);
}

/* ------------------------------------------------------------- control */

/* POST /__emu/reissue-yearendstatement {"employmentId":"...","year":2025}: Loket re-issued that
 * year-end statement (a correction after the year): its revision goes up by one (a statement
 * without one is revision 1), so its PDF has other bytes ("Herzien: N"); the list, which gives
 * years only, stays the same. 400 for a bad body, 404 when there is no such statement. Under
 * S.lock. */
static void reissue_yearend(struct req *r, struct reply *rep)
{
	json_error_t je;
	json_t *b = r->too_large ? NULL : json_loadb(r->raw.p ? r->raw.p : "", r->raw.len, 0, &je);
	const char *em = json_string_value(json_object_get(b, "employmentId"));
	json_t *yj = json_object_get(b, "year");
	if (!json_is_object(b) || !em || !json_is_integer(yj) || json_object_size(b) != 2) {
		reply_body(rep, 400, json_pack("{s:s}", "error", "expected {\"employmentId\": \"...\", \"year\": YYYY}"));
		json_decref(b);
		return;
	}
	json_t *o, *ys = NULL;
	size_t i;
	IDX_EACH("yearEndStatements", "employmentId", em, i, o) {
		if (sget(o, "employmentId") && strcmp(sget(o, "employmentId"), em) == 0 &&
		    json_equal(json_object_get(o, "year"), yj))
			ys = o;
	}
	if (!ys) {
		reply_body(rep, 404, json_pack("{s:s}", "error", "no year-end statement of this employment for that year"));
		json_decref(b);
		return;
	}
	json_t *rv = json_object_get(ys, "revision");
	json_int_t n = (json_is_integer(rv) ? json_integer_value(rv) : 1) + 1;
	json_object_set_new(ys, "revision", json_integer(n));
	emu_sb_json(&rep->body, json_pack("{s:s,s:O,s:I}", "employmentId", em, "year", yj, "revision", (json_int_t)n));
	json_decref(b);
}

static void handle_control(struct req *r, struct MHD_Connection *c, const char *url, const char *method, struct reply *rep)
{
	rep->status = 200;
	rep->ctype = "application/json";
	const char *want = strcmp(url, "/__emu/stats") == 0 || strcmp(url, "/__emu/state") == 0 ||
				   strcmp(url, "/__emu/requests") == 0 ? "GET" : "POST";
	int known = strcmp(url, "/__emu/stats") == 0 || strcmp(url, "/__emu/state") == 0 ||
		    strcmp(url, "/__emu/requests") == 0 ||
		    strcmp(url, "/__emu/faults") == 0 || strcmp(url, "/__emu/reset") == 0 ||
		    strcmp(url, "/__emu/reset-log") == 0 ||
		    strcmp(url, "/__emu/authcode") == 0 || strcmp(url, "/__emu/revoke-tokens") == 0 ||
		    strcmp(url, "/__emu/import-variable-data") == 0 ||
		    strcmp(url, "/__emu/reissue-yearendstatement") == 0;
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
		json_t *o = json_object();
		emu_stats_json(o, &S.st, &S.plan);
		emu_sb_json(&rep->body, o);
	} else if (strcmp(url, "/__emu/requests") == 0) {
		char *s = json_dumps(S.requests ? S.requests : json_array(), EMU_DUMP_FLAGS);
		if (!s)
			emu_oom();
		emu_sb_adds(&rep->body, s);
		free(s);
	} else if (strcmp(url, "/__emu/state") == 0) {
		char *s = json_dumps(S.state, EMU_DUMP_FLAGS);
		if (!s)
			emu_oom();
		emu_sb_adds(&rep->body, s);
		free(s);
	} else if (strcmp(url, "/__emu/faults") == 0) {
		struct emu_plan p;
		char err[256];
		if (r->too_large) {
			reply_body(rep, 413, json_pack("{s:s}", "error", "fault plan too large"));
		} else if (emu_plan_parse(r->raw.p ? r->raw.p : "", r->raw.len, &p, err, sizeof err)) {
			reply_body(rep, 400, json_pack("{s:o}", "error", emu_jstr(err)));
		} else {
			emu_plan_free(&S.plan);
			S.plan = p;
			emu_sb_adds(&rep->body, "{\"ok\":true}");
		}
	} else if (strcmp(url, "/__emu/reset-log") == 0) { /* counters and request log only: the state stays */
		reset_counters_locked();
		json_decref(S.requests);
		S.requests = NULL;
		emu_sb_adds(&rep->body, "{\"ok\":true}");
	} else if (strcmp(url, "/__emu/reset") == 0) {
		reset_counters_locked();
		json_decref(S.requests);
		S.requests = NULL;
		emu_plan_free(&S.plan);
		emu_plan_default(&S.plan);
		json_decref(S.state);
		S.state = json_deep_copy(g_initial);
		S.version = g_version0;
		idx_stale_all();
		if (!S.state)
			emu_oom();
		emu_sb_adds(&rep->body, "{\"ok\":true}");
	} else if (strcmp(url, "/__emu/import-variable-data") == 0) {
		import_variable_data(c, r, rep);
	} else if (strcmp(url, "/__emu/reissue-yearendstatement") == 0) {
		reissue_yearend(r, rep);
	} else if (strcmp(url, "/__emu/authcode") == 0) {
		char code[72];
		mint_token_locked(TOK_CODE, 600, code);
		emu_sb_json(&rep->body, json_pack("{s:s}", "code", code));
	} else {
		revoke_tokens_locked();
		emu_sb_adds(&rep->body, "{\"ok\":true}");
	}
	pthread_mutex_unlock(&S.lock);
}

/* ------------------------------------------------------------- dispatch */

/* The id whose version numbers a write of this scope moves, looked up before the write (a
 * DELETE removes the record that names its employment); NULL when none. */
static char *scope_before(const enum scope *sc, const char *p0)
{
	json_t *o;
	switch (*sc) {
	case SC_EMPLOYEE: case SC_EMPLOYMENT: case SC_CONVERT:
		return p0 ? emu_xstrdup(p0) : NULL;
	case SC_WAGE: case SC_BD:
		o = p0 ? find_id(*sc == SC_WAGE ? "wages" : "benefitsAndDeductions", p0, NULL) : NULL;
		return o && sget(o, "employmentId") ? emu_xstrdup(sget(o, "employmentId")) : NULL;
	default:
		return NULL;
	}
}

/* After a write that succeeded (2xx, not X-ValidateOnly): the next version numbers. */
static void scope_after(enum scope sc, char *id, struct MHD_Connection *c, unsigned status)
{
	const char *vo = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-ValidateOnly");
	if (id && status >= 200 && status < 300 && !(vo && strcasecmp(vo, "true") == 0)) {
		if (sc == SC_EMPLOYEE || sc == SC_CONVERT)
			touch_employee(id); /* a converted concept employee's GUID is its employee's */
		else
			touch_employment(id);
	}
	free(id);
}

static void handle_api(struct req *r, struct MHD_Connection *c, const char *url, const char *method, struct reply *rep)
{
	pthread_mutex_lock(&S.lock);
	log_request_locked(c, url, method, r);
	accept_version(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT), t_version);
	if (t_version[0])
		snprintf(rep->vtype, sizeof rep->vtype, "application/json;version=%s", t_version);
	if (strcmp(url, "/token") == 0) {
		if (strcmp(method, "POST") == 0) {
			handle_token(r, rep);
		} else {
			oauth_error(rep, 405, "invalid_request", "use POST");
			snprintf(rep->allow, sizeof rep->allow, "POST");
		}
		goto out;
	}
	if (!emu_starts_with(url, "/v2/")) {
		error_for(rep, 404);
		goto out;
	}
	char *u = emu_xstrdup(url + 4), allow[64];
	const char *params[4] = {0};
	int ri = route(method, u, params, allow, sizeof allow);
	if (ri == -1) {
		error_for(rep, 404);
	} else {
		const char *tok = emu_bearer(c);
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
			if (strcmp(method, "GET") && strcmp(method, "DELETE") && (r->raw.len || r->too_large)) {
				json_error_t je; /* no body at all: x.body stays NULL (handlers that need one say so) */
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
			if (ok) {
				char *scope_id = scope_before(&API[ri].scope, x.p[0]);
				struct audit_put ap = {NULL, NULL, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Emu-User")};
				ap.cname = API[ri].h == h_wage_put ? "wages" : API[ri].h == h_bd_put ? "benefitsAndDeductions"
					   : API[ri].h == h_employee_put ? "employees" : NULL;
				if (ap.user && *ap.user && ap.cname && find_id(ap.cname, x.p[0], NULL))
					ap.before = json_deep_copy(find_id(ap.cname, x.p[0], NULL));
				API[ri].h(&x);
				audit_after(&x, &ap);
				json_decref(ap.before);
				scope_after(API[ri].scope, scope_id, x.c, rep->status);
			}
			json_decref(x.body);
		}
	}
	free(u);
out:
	t_version[0] = '\0';
	pthread_mutex_unlock(&S.lock);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)cls, (void)version;
	struct req *r = *con_cls;
	if (!r) {
		r = emu_xcalloc(1, sizeof *r);
		*con_cls = r;
		r->control = emu_starts_with(url, "/__emu/");
		if (!r->control)
			emu_decide_fault(&S.lock, &S.plan, &S.st, method, url, &r->f);
		return MHD_YES;
	}
	if (*upload_size) {
		if (r->raw.len + *upload_size > EMU_MAX_BODY)
			r->too_large = 1;
		else if (r->f.kind == EMU_F_NONE || r->f.kind == EMU_F_MALFORMED || r->f.kind == EMU_F_LOST || r->control)
			emu_sb_addn(&r->raw, upload, *upload_size); /* a lost answer's request is processed in full */
		*upload_size = 0;
		return MHD_YES;
	}
	int hold = emu_hold(c, &r->f, &r->delayed);
	if (hold)
		return hold > 0 ? MHD_YES : MHD_NO;
	struct reply rep = {0};
	if (r->control) {
		handle_control(r, c, url, method, &rep);
	} else if (r->f.kind == EMU_F_STATUS) {
		error_for(&rep, r->f.status);
		if (r->f.status == 429)
			memcpy(rep.retry_after, r->f.retry_after, sizeof rep.retry_after);
	} else {
		handle_api(r, c, url, method, &rep);
		/* a JSON success answers the version asked for (errors stay plain application/json) */
		if (rep.vtype[0] && rep.status >= 200 && rep.status < 300 && (!rep.ctype ||
		    strcmp(rep.ctype, "application/json") == 0) && emu_starts_with(url, "/v2/"))
			rep.ctype = rep.vtype;
		if (r->f.kind == EMU_F_MALFORMED)
			malform(r, &rep);
		if (r->f.kind == EMU_F_LOST) { /* done, but the answer never arrives */
			emu_sb_reset(&rep.body);
			return MHD_NO;
		}
	}
	return queue_reply(c, &rep);
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
	      "  --collective-partial 200|400\n"
	      "                     a collective payroll period data PATCH with invalid items\n"
	      "                     applies the valid ones and answers this status (default:\n"
	      "                     the whole request is refused with 400, nothing applied)\n"
	      "  --watch-pid PID    exit when process PID is gone\n\n"
	      "Control endpoints: GET /__emu/stats, GET /__emu/state, POST /__emu/faults,\n"
	      "POST /__emu/reset, POST /__emu/authcode, POST /__emu/revoke-tokens,\n"
	      "POST /__emu/import-variable-data (Loket's CSV import of variable data),\n"
	      "POST /__emu/reissue-yearendstatement (a re-issued year-end statement).\n"
	      "See doc/loket-fixtures.md.\n",
	      f);
}

static int token_ttl_option(const char *name, const char *v)
{
	if (strcmp(name, "--collective-partial") == 0) {
		long long st;
		if (emu_strict_ll(v, 200, 400, &st) || (st != 200 && st != 400))
			emu_bad_usage("--collective-partial must be 200 or 400", v);
		g_partial = (int)st;
		return 0;
	}
	if (strcmp(name, "--token-ttl") != 0)
		return -1;
	if (emu_strict_ll(v, 0, 86400LL * 365, &g_token_ttl))
		emu_bad_usage("--token-ttl must be 0..31536000 seconds (0: every token is born expired)", v);
	return 0;
}

static void cleanup(void)
{
	pthread_mutex_lock(&S.lock);
	revoke_tokens_locked();
	reset_counters_locked();
	emu_plan_free(&S.plan);
	json_decref(S.state);
	json_decref(S.requests);
	pthread_mutex_unlock(&S.lock);
	json_decref(g_initial);
	free(g_client_id);
	free(g_client_secret);
}

int main(int argc, char **argv)
{
	static const struct emu_app app = {
		.name = "loket-emu",
		.faults_env = "LOKET_EMU_FAULTS",
		.plan = &S.plan,
		.usage = usage,
		.option = token_ttl_option,
		.load = load_fixtures,
		.on_request = on_request,
		.free_req = free_req,
		.cleanup = cleanup,
	};
	return emu_main(argc, argv, &app);
}
