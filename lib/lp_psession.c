/* lp_psession.c - see lp_psession.h */
#include "lp_psession.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_secret.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MARGIN_S 300 /* a token with less left than this is not used */

void lp_psession_failf(lp_psession *s, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (s->fail)
		s->fail(s->ctx, code, msg);
	else
		lp_warn("%s: %s", s->cfg->client, msg);
	lp_psession_wipe(s);
	exit(code);
}

static void wipe(char **p)
{
	lp_secret_free(*p);
	*p = NULL;
}

void lp_psession_wipe(lp_psession *s)
{
	wipe(&s->v1_token);
	wipe(&s->v2_token);
	wipe(&s->client_id);
	wipe(&s->client_secret);
}

void lp_psession_free(lp_psession *s)
{
	lp_psession_wipe(s);
	lp_http_free(s->http);
	lp_rate_free(s->rate);
	s->http = NULL;
	s->rate = NULL;
}

void lp_psession_init(lp_psession *s, const lp_config *cfg, const char *base, const char *record_dir,
		      const char *replay_dir, lp_psession_fail_fn fail, void *ctx)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->fail = fail;
	s->ctx = ctx;
	lp_http_opts ho = {0};
	ho.base_url = base ? base : cfg->personio.base_url;
	ho.proxy = cfg->personio.proxy;
	ho.record_dir = record_dir;
	ho.replay_dir = replay_dir;
	char err[512];
	s->http = lp_http_new(&ho, err, sizeof err);
	if (!s->http)
		lp_die(LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
	if (lp_http_replaying(s->http))
		return;
	lp_secret_credentials(cfg->path, "personio.credentials_file", cfg->personio.credentials_file,
			      "PERSONIO_CLIENT_ID", "PERSONIO_CLIENT_SECRET", &s->client_id, &s->client_secret);
	s->rate = lp_rate_personio(lp_http_base(s->http), s->client_id);
	lp_http_set_gate(s->http, lp_rate_wait, s->rate);
}

static const char *const *api_headers(lp_psession *s, const char *token, const char *content_type, char hbuf[3][600])
{
	static const char *h[6];
	int n = 0;
	h[n++] = "Accept: application/json";
	snprintf(hbuf[0], 600, "X-Personio-App-ID: %s", s->cfg->personio.app_id);
	h[n++] = hbuf[0];
	if (s->cfg->personio.partner_id) {
		snprintf(hbuf[1], 600, "X-Personio-Partner-ID: %s", s->cfg->personio.partner_id);
		h[n++] = hbuf[1];
	}
	if (token) {
		snprintf(hbuf[2], 600, "Authorization: Bearer %s", token);
		h[n++] = hbuf[2];
	}
	if (content_type)
		h[n++] = content_type;
	h[n] = NULL;
	return h;
}

/* ---- the token cache ------------------------------------------------------------------ */

/* the cache as JSON (an empty object when there is none or it is not ours); never fails */
static json_t *cache_load(lp_psession *s)
{
	const char *f = s->cfg->personio.token_cache;
	char *buf, err[600];
	size_t len;
	json_t *j = NULL;
	if (f && !lp_secret_read_file(f, &buf, &len, err, sizeof err)) {
		j = json_loadb(buf, len, 0, NULL);
		lp_secret_free(buf);
	} else if (f && !strstr(err, "No such file"))
		lp_warn("%s: token cache %s; logging in instead", s->cfg->client, err);
	const char *b = j ? lp_json_str(j, "base_url") : NULL, *id = j ? lp_json_str(j, "client_id") : NULL;
	if (!json_is_object(j) || !b || !id || strcmp(b, lp_http_base(s->http)) || strcmp(id, s->client_id)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* wipe the tokens of a parsed cache, then free it */
static void cache_drop(json_t *j)
{
	const char *k[] = {"v1", "v2"};
	for (int i = 0; i < 2; i++)
		json_string_set(json_object_get(json_object_get(j, k[i]), "token"), "");
	json_decref(j);
}

/* the token of one kind in the cache when it has time left */
static int cache_get(lp_psession *s, const char *kind, char **tok, long long *expires)
{
	json_t *j = cache_load(s), *e = json_object_get(j, kind);
	const char *t = lp_json_str(e, "token");
	json_t *x = json_object_get(e, "expires_at");
	int ok = t && *t && json_is_integer(x) && json_integer_value(x) - (json_int_t)time(NULL) > MARGIN_S;
	if (ok) {
		*tok = lp_xstrdup(t);
		*expires = (long long)json_integer_value(x);
	}
	cache_drop(j);
	return ok;
}

static void cache_put(lp_psession *s, const char *kind, const char *tok, long long expires)
{
	const char *f = s->cfg->personio.token_cache;
	if (!f)
		return;
	json_t *j = cache_load(s);
	json_object_set_new(j, "base_url", json_string(lp_http_base(s->http)));
	json_object_set_new(j, "client_id", json_string(s->client_id));
	json_object_set_new(j, kind, json_pack("{s:s,s:I}", "token", tok, "expires_at", (json_int_t)expires));
	char *text = json_dumps(j, JSON_COMPACT), err[600];
	cache_drop(j);
	if (lp_secret_write_file(f, text, strlen(text), err, sizeof err))
		lp_warn("%s: the token cache cannot be saved (%s); the next run logs in again", s->cfg->client, err);
	lp_secret_free(text);
}

/* ---- minting -------------------------------------------------------------------------- */

/* POST credentials (body, wiped here) to an authentication endpoint and return the token
 * found at [obj.]key of the answer, its lifetime in *expires_in. Nothing of the request or
 * answer is ever logged. */
static char *authenticate(lp_psession *s, const char *path, const char *content_type, char *body, const char *obj,
			  const char *key, long long *expires_in)
{
	char hbuf[3][600];
	lp_http_resp resp;
	int rc = lp_http_request(s->http, "POST", path, api_headers(s, NULL, content_type, hbuf), body, strlen(body),
				 LP_HTTP_SECRET, &resp);
	lp_secret_free(body);
	if (rc)
		lp_psession_failf(s, LP_EXIT_REMOTE, "%s", lp_http_error(s->http));
	if (resp.status != 200) {
		lp_secret_free(resp.body);
		if (resp.status == 400 || resp.status == 401 || resp.status == 403)
			lp_psession_failf(s, LP_EXIT_AUTH,
					  "POST %s: HTTP %ld: Personio refused the credentials; check client_id and "
					  "client_secret of this client's Personio API credential", path, resp.status);
		lp_psession_failf(s, LP_EXIT_REMOTE, "POST %s: HTTP %ld%s", path, resp.status,
				  resp.attempts > 1 ? " after retries" : "");
	}
	json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
	lp_secret_free(resp.body);
	json_t *holder = obj ? lp_json_obj(j, obj) : j;
	const char *tok = holder ? lp_json_str(holder, key) : NULL;
	if (!tok || !*tok) {
		json_decref(j);
		lp_psession_failf(s, LP_EXIT_REMOTE, "POST %s: the answer has no %s%s%s", path, obj ? obj : "",
				  obj ? "." : "", key);
	}
	json_t *ei = json_object_get(holder, "expires_in");
	*expires_in = json_is_integer(ei) && json_integer_value(ei) > 0 ? (long long)json_integer_value(ei) : 0;
	char *t = lp_xstrdup(tok);
	json_string_set(json_object_get(holder, key), "");
	json_decref(j);
	return t;
}

static void mint(lp_psession *s, int v2)
{
	char *body, *tok;
	long long life;
	if (!v2) {
		json_t *b = json_pack("{s:s,s:s}", "client_id", s->client_id, "client_secret", s->client_secret);
		body = json_dumps(b, JSON_COMPACT);
		json_string_set(json_object_get(b, "client_secret"), "");
		json_decref(b);
		tok = authenticate(s, "/v1/auth", "Content-Type: application/json", body, "data", "token", &life);
	} else {
		char *id = lp_http_escape(s->client_id), *sec = lp_http_escape(s->client_secret);
		body = lp_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", id, sec);
		lp_secret_free(id);
		lp_secret_free(sec);
		tok = authenticate(s, "/v2/auth/token", "Content-Type: application/x-www-form-urlencoded", body, NULL,
				   "access_token", &life);
	}
	long long expires = (long long)time(NULL) + life;
	wipe(v2 ? &s->v2_token : &s->v1_token);
	*(v2 ? &s->v2_token : &s->v1_token) = tok;
	*(v2 ? &s->v2_expires : &s->v1_expires) = expires;
	*(v2 ? &s->v2_cached : &s->v1_cached) = 0;
	if (life) /* no lifetime given: not kept */
		cache_put(s, v2 ? "v2" : "v1", tok, expires);
}

static void auth(lp_psession *s, int v2)
{
	if (lp_http_replaying(s->http))
		return;
	char **tok = v2 ? &s->v2_token : &s->v1_token;
	wipe(tok);
	if (cache_get(s, v2 ? "v2" : "v1", tok, v2 ? &s->v2_expires : &s->v1_expires))
		*(v2 ? &s->v2_cached : &s->v1_cached) = 1;
	else
		mint(s, v2);
}

void lp_psession_v1_auth(lp_psession *s) { auth(s, 0); }
void lp_psession_v2_auth(lp_psession *s) { auth(s, 1); }

/* Personio answered status to a request with the v1/v2 token: when that says the token was
 * refused (401; 403 too for a cached one), a new one is minted: 1 (ask again), else 0. */
static int token_refused(lp_psession *s, int v2, long status)
{
	int cached = v2 ? s->v2_cached : s->v1_cached;
	if (status != 401 && !(status == 403 && cached))
		return 0;
	mint(s, v2);
	return 1;
}

/* a v1 answer's Authorization header (Personio's legacy rotation): taken when it differs */
static void token_rotated(lp_psession *s, const char *token)
{
	if (!*token || (s->v1_token && !strcmp(token, s->v1_token)))
		return; /* today Personio sends the same stable token back */
	wipe(&s->v1_token);
	s->v1_token = lp_xstrdup(token);
	cache_put(s, "v1", token, s->v1_expires);
}

/* ---- GET ------------------------------------------------------------------------------ */

void lp_psession_api_message(const lp_http_resp *resp, char *out, size_t n)
{
	out[0] = '\0';
	json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
	const char *m = NULL;
	if (j) {
		json_t *e = lp_json_obj(j, "error");
		json_t *errs = lp_json_arr(j, "errors");
		if (e)
			m = lp_json_str(e, "message");
		else if (errs && json_array_size(errs) > 0)
			m = lp_json_str(json_array_get(errs, 0), "detail");
		else
			m = lp_json_str(j, "error_description");
		const char *k;
		json_t *v;
		if (e && json_is_object(lp_json_obj(e, "error_data")))
			json_object_foreach(lp_json_obj(e, "error_data"), k, v) {
				const char *d = json_is_array(v) ? json_string_value(json_array_get(v, 0)) : NULL;
				if (d) { /* v1's validation errors: the first field and its message */
					snprintf(out, n, "%.200s (%.60s: %.200s)", m ? m : "refused", k, d);
					json_decref(j);
					return;
				}
			}
	}
	if (m)
		snprintf(out, n, "%.300s", m);
	json_decref(j);
}

json_t *lp_psession_get(lp_psession *s, int v2, const char *target, const char *what)
{
	char hbuf[3][600], pbuf[256], msg[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	for (int reauth = 0;; reauth++) {
		char **tok = v2 ? &s->v2_token : &s->v1_token;
		lp_http_resp resp;
		int hrc = lp_http_request(s->http, "GET", target, api_headers(s, *tok, NULL, hbuf), NULL, 0,
					  v2 ? 0 : LP_HTTP_AUTHZ, &resp);
		explicit_bzero(hbuf, sizeof hbuf); /* the Authorization header */
		if (hrc)
			lp_psession_failf(s, LP_EXIT_REMOTE, "%s (%s)", lp_http_error(s->http), what);
		if (!reauth && !lp_http_replaying(s->http) && token_refused(s, v2, resp.status)) {
			lp_http_resp_free(&resp);
			continue;
		}
		if (resp.status == 200 && resp.authz)
			token_rotated(s, resp.authz);
		if (resp.status != 200) {
			lp_psession_api_message(&resp, msg, sizeof msg);
			long st = resp.status;
			int att = resp.attempts;
			lp_http_resp_free(&resp);
			lp_psession_failf(s, st == 401 || st == 403 ? LP_EXIT_AUTH : LP_EXIT_REMOTE, "GET %s: HTTP %ld%s%s%s (%s)",
					  path, st, att > 1 ? " after retries" : "", *msg ? ": " : "", msg, what);
		}
		json_error_t e;
		json_t *j = lp_json_loadb(resp.body, resp.len, &e);
		lp_http_resp_free(&resp);
		if (!j || !json_is_object(j))
			lp_psession_failf(s, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object%s%s (%s)", path,
					  j ? "" : ": ", j ? "" : e.text, what);
		return j;
	}
}

/* ---- v1 lists ------------------------------------------------------------------------- */

long lp_psession_v1_list(lp_psession *s, const char *target, long limit, const char *noun,
			 lp_psession_item_fn item, void *ctx)
{
	char pbuf[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	long offset = 0, total = -1, got = 0;
	for (;;) {
		char *t = lp_xasprintf("%s%climit=%ld&offset=%ld", target, strchr(target, '?') ? '&' : '?', limit, offset);
		char what[64];
		snprintf(what, sizeof what, "%.30s offset %ld", noun, offset);
		json_t *j = lp_psession_get(s, 0, t, what);
		free(t);
		json_t *meta = lp_json_obj(j, "metadata");
		json_t *te = meta ? json_object_get(meta, "total_elements") : NULL;
		json_t *data = lp_json_arr(j, "data");
		if (!json_is_true(json_object_get(j, "success")) || !data || !json_is_integer(te) ||
		    json_integer_value(te) < 0)
			lp_psession_failf(s, LP_EXIT_REMOTE,
					  "GET %s: the answer has the wrong shape (expected success, data[] and "
					  "metadata.total_elements) (%s)", path, what);
		if (total < 0)
			total = (long)json_integer_value(te);
		else if (json_integer_value(te) != total)
			lp_psession_failf(s, LP_EXIT_REMOTE,
					  "GET %s: the number of %s changed from %ld to %lld during the extract; run it "
					  "again (%s)", path, noun, total, (long long)json_integer_value(te), what);
		size_t n = json_array_size(data), i;
		json_t *it;
		json_array_foreach(data, i, it)
			item(ctx, it, offset, i);
		json_decref(j);
		offset += (long)n;
		got += (long)n;
		if (offset >= total)
			break;
		if (n == 0)
			lp_psession_failf(s, LP_EXIT_REMOTE,
					  "GET %s: empty page at offset %ld but Personio announced %ld %s; the list is "
					  "incomplete", path, offset, total, noun);
	}
	if (got != total)
		lp_psession_failf(s, LP_EXIT_REMOTE, "GET %s: received %ld %s, Personio announced %ld", path, got, noun,
				  total);
	return got;
}

/* ---- writes --------------------------------------------------------------------------- */

int lp_psession_send(lp_psession *s, int v2, const char *method, const char *target, const char *content_type,
		     const char *body, size_t len, unsigned flags, lp_http_resp *resp)
{
	char hbuf[3][600];
	for (int reauth = 0;; reauth++) {
		char **tok = v2 ? &s->v2_token : &s->v1_token;
		int hrc = lp_http_request(s->http, method, target, api_headers(s, *tok, content_type, hbuf), body, len,
					  flags | (v2 ? 0 : LP_HTTP_AUTHZ), resp);
		explicit_bzero(hbuf, sizeof hbuf); /* the Authorization header */
		if (hrc)
			return -1;
		if (!reauth && !lp_http_replaying(s->http) && token_refused(s, v2, resp->status)) {
			lp_http_resp_free(resp);
			continue;
		}
		if (resp->status >= 200 && resp->status < 300 && resp->authz)
			token_rotated(s, resp->authz);
		return 0;
	}
}

/* ---- v2 lists ------------------------------------------------------------------------- */

long lp_psession_v2_list(lp_psession *s, const char *target, const char *noun, lp_psession_item_fn item, void *ctx)
{
	char pbuf[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	char *t = lp_xstrdup(target);
	lp_map *seen = lp_map_new();
	long got = 0, page = 0;
	for (;; page++) {
		char what[64];
		snprintf(what, sizeof what, "%.30s page %ld", noun, page + 1);
		json_t *j = lp_psession_get(s, 1, t, what);
		json_t *data = lp_json_arr(j, "_data");
		json_t *meta = lp_json_obj(j, "_meta");
		json_t *links = meta ? lp_json_obj(meta, "links") : NULL;
		json_t *next = links ? json_object_get(links, "next") : NULL;
		const char *href = json_is_object(next) ? lp_json_str(next, "href") : NULL;
		if (!data || (next && !json_is_null(next) && !href)) {
			json_decref(j);
			free(t);
			lp_map_free(seen, NULL);
			lp_psession_failf(s, LP_EXIT_REMOTE,
					  "GET %s: the answer has the wrong shape (expected _data[] and a string "
					  "_meta.links.next.href or none) (%s)", path, what);
		}
		size_t i;
		json_t *it;
		json_array_foreach(data, i, it)
			item(ctx, it, page, i);
		got += (long)json_array_size(data);
		int empty = json_array_size(data) == 0;
		char *nt = href ? lp_xstrdup(href) : NULL;
		json_decref(j);
		if (!nt)
			break;
		if (empty || !lp_map_add(seen, nt)) {
			free(nt);
			free(t);
			lp_map_free(seen, NULL);
			lp_psession_failf(s, LP_EXIT_REMOTE,
					  empty ? "GET %s: an empty page still links to a next page; stopping instead of "
						  "looping (%s)"
						: "GET %s: the next link repeats an earlier page; stopping instead of looping (%s)",
					  path, what);
		}
		free(t);
		t = nt;
	}
	free(t);
	lp_map_free(seen, NULL);
	return got;
}
