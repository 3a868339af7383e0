/* tokens.c - extract-personio's Personio tokens: minted with the client's credentials
 * (POST /v1/auth, POST /v2/auth/token) and kept in the client's token cache
 * (personio.token_cache, mode 0600, replaced atomically) for their documented lifetime
 * (expires_in, 24 h) less five minutes, so that a resumed or repeated run within that time
 * does not log in again. The cache belongs to one credential at one base URL: a cache of
 * another client_id or base URL is not used. A token Personio refuses is minted again once.
 * Nothing of a token ever reaches a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extract.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_secret.h"

#define MARGIN_S 300 /* a token with less left than this is not used */

/* the cache as JSON (an empty object when there is none or it is not ours); never fails */
static json_t *cache_load(struct run *r)
{
	const char *f = r->cfg->personio.token_cache;
	char *buf, err[600];
	size_t len;
	json_t *j = NULL;
	if (f && !lp_secret_read_file(f, &buf, &len, err, sizeof err)) {
		j = json_loadb(buf, len, 0, NULL);
		lp_secret_free(buf);
	} else if (f && !strstr(err, "No such file"))
		lp_warn("%s: token cache %s; logging in instead", r->cfg->client, err);
	const char *b = j ? lp_json_str(j, "base_url") : NULL, *id = j ? lp_json_str(j, "client_id") : NULL;
	if (!json_is_object(j) || !b || !id || strcmp(b, lp_http_base(r->http)) || strcmp(id, r->client_id)) {
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
static int cache_get(struct run *r, const char *kind, char **tok, long long *expires)
{
	json_t *j = cache_load(r), *e = json_object_get(j, kind);
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

static void cache_put(struct run *r, const char *kind, const char *tok, long long expires)
{
	const char *f = r->cfg->personio.token_cache;
	if (!f)
		return;
	json_t *j = cache_load(r);
	json_object_set_new(j, "base_url", json_string(lp_http_base(r->http)));
	json_object_set_new(j, "client_id", json_string(r->client_id));
	json_object_set_new(j, kind, json_pack("{s:s,s:I}", "token", tok, "expires_at", (json_int_t)expires));
	char *text = json_dumps(j, JSON_COMPACT), err[600];
	cache_drop(j);
	if (lp_secret_write_file(f, text, strlen(text), err, sizeof err))
		lp_warn("%s: the token cache cannot be saved (%s); the next run logs in again", r->cfg->client, err);
	lp_secret_free(text);
}

/* POST credentials (body, wiped here) to an authentication endpoint and return the token
 * found at [obj.]key of the answer, its lifetime in *expires_in. Nothing of the request or
 * answer is ever logged. */
static char *authenticate(struct run *r, const char *path, const char *content_type, char *body, const char *obj,
			  const char *key, long long *expires_in)
{
	char hbuf[3][600];
	lp_http_resp resp;
	int rc = lp_http_request(r->http, "POST", path, api_headers(r, NULL, content_type, hbuf), body, strlen(body),
				 LP_HTTP_SECRET, &resp);
	lp_secret_free(body);
	if (rc)
		fail(r, LP_EXIT_REMOTE, "%s", lp_http_error(r->http));
	if (resp.status != 200) {
		lp_secret_free(resp.body);
		if (resp.status == 400 || resp.status == 401 || resp.status == 403)
			fail(r, LP_EXIT_AUTH,
			     "POST %s: HTTP %ld: Personio refused the credentials; check client_id and client_secret "
			     "of this client's Personio API credential", path, resp.status);
		fail(r, LP_EXIT_REMOTE, "POST %s: HTTP %ld%s", path, resp.status, resp.attempts > 1 ? " after retries" : "");
	}
	json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
	lp_secret_free(resp.body);
	json_t *holder = obj ? lp_json_obj(j, obj) : j;
	const char *tok = holder ? lp_json_str(holder, key) : NULL;
	if (!tok || !*tok) {
		json_decref(j);
		fail(r, LP_EXIT_REMOTE, "POST %s: the answer has no %s%s%s", path, obj ? obj : "", obj ? "." : "", key);
	}
	json_t *ei = json_object_get(holder, "expires_in");
	*expires_in = json_is_integer(ei) && json_integer_value(ei) > 0 ? (long long)json_integer_value(ei) : 0;
	char *t = lp_xstrdup(tok);
	json_string_set(json_object_get(holder, key), "");
	json_decref(j);
	return t;
}

static void mint(struct run *r, int v2)
{
	char *body, *tok;
	long long life;
	if (!v2) {
		json_t *b = json_pack("{s:s,s:s}", "client_id", r->client_id, "client_secret", r->client_secret);
		body = json_dumps(b, JSON_COMPACT);
		json_string_set(json_object_get(b, "client_secret"), "");
		json_decref(b);
		tok = authenticate(r, "/v1/auth", "Content-Type: application/json", body, "data", "token", &life);
	} else {
		char *id = lp_http_escape(r->client_id), *sec = lp_http_escape(r->client_secret);
		body = lp_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", id, sec);
		lp_secret_free(id);
		lp_secret_free(sec);
		tok = authenticate(r, "/v2/auth/token", "Content-Type: application/x-www-form-urlencoded", body, NULL,
				   "access_token", &life);
	}
	long long expires = (long long)time(NULL) + life;
	wipe(v2 ? &r->v2_token : &r->v1_token);
	*(v2 ? &r->v2_token : &r->v1_token) = tok;
	*(v2 ? &r->v2_expires : &r->v1_expires) = expires;
	*(v2 ? &r->v2_cached : &r->v1_cached) = 0;
	if (life) /* no lifetime given: not kept */
		cache_put(r, v2 ? "v2" : "v1", tok, expires);
}

static void auth(struct run *r, int v2)
{
	char **tok = v2 ? &r->v2_token : &r->v1_token;
	wipe(tok);
	if (cache_get(r, v2 ? "v2" : "v1", tok, v2 ? &r->v2_expires : &r->v1_expires))
		*(v2 ? &r->v2_cached : &r->v1_cached) = 1;
	else
		mint(r, v2);
}

void v1_auth(struct run *r) { auth(r, 0); }
void v2_auth(struct run *r) { auth(r, 1); }

int token_refused(struct run *r, int v2, long status)
{
	int cached = v2 ? r->v2_cached : r->v1_cached;
	if (status != 401 && !(status == 403 && cached))
		return 0;
	mint(r, v2);
	return 1;
}

void token_rotated(struct run *r, const char *token)
{
	if (!*token || (r->v1_token && !strcmp(token, r->v1_token)))
		return; /* today Personio sends the same stable token back */
	wipe(&r->v1_token);
	r->v1_token = lp_xstrdup(token);
	cache_put(r, "v1", token, r->v1_expires);
}
