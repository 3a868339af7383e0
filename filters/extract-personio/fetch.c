/* fetch.c - extract-personio's requests to Personio: credentials, the v1 and v2 tokens, the
 * headers, GET with one re-authentication on 401, and fail(), which closes the stream as
 * incomplete.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_emit.h"
#include "lp_secret.h"

json_t *counts(const struct run *r)
{
	return json_pack("{s:I,s:I,s:I}", "persons", (json_int_t)r->persons, "compensations",
			 (json_int_t)r->compensations, "issues", (json_int_t)r->issues);
}

void flush_issues(struct run *r)
{
	size_t i;
	json_t *v;
	json_array_foreach(r->issues_buf, i, v) {
		if (!strcmp(lp_json_str(v, "severity") ? lp_json_str(v, "severity") : "", "error"))
			r->errors++;
		r->issues++;
		if (lp_out(v))
			lp_die(LP_EXIT_IO, "write error on standard output");
	}
	json_array_clear(r->issues_buf);
}

/* the secrets go before the process does */
static void fail_cleanup(void *ctx)
{
	struct run *r = ctx;
	wipe(&r->v1_token);
	wipe(&r->v2_token);
	wipe(&r->client_id);
	wipe(&r->client_secret);
}

void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	flush_issues(r);
	va_start(ap, fmt);
	lp_stream_vfail(r->cfg->client, "personio", counts(r), code, fail_cleanup, r, fmt, ap);
}

void wipe(char **p)
{
	lp_secret_free(*p);
	*p = NULL;
}

/* ---- credentials and tokens -------------------------------------------------------- */

void load_credentials(struct run *r)
{
	lp_secret_credentials(r->cfg->path, "personio.credentials_file", r->cfg->personio.credentials_file,
			      "PERSONIO_CLIENT_ID", "PERSONIO_CLIENT_SECRET", &r->client_id, &r->client_secret);
}

/* Headers for a request: the app headers, then the token (if any) or a content type. */
static const char *const *api_headers(struct run *r, const char *token, const char *content_type, char hbuf[3][600])
{
	static const char *h[6];
	int n = 0;
	h[n++] = "Accept: application/json";
	snprintf(hbuf[0], 600, "X-Personio-App-ID: %s", r->cfg->personio.app_id);
	h[n++] = hbuf[0];
	if (r->cfg->personio.partner_id) {
		snprintf(hbuf[1], 600, "X-Personio-Partner-ID: %s", r->cfg->personio.partner_id);
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

/* POST credentials (body, wiped here) to an authentication endpoint and return the token
 * found at [obj.]key of the answer. Nothing of the request or answer is ever logged. */
static char *authenticate(struct run *r, const char *path, const char *content_type, char *body, const char *obj,
			  const char *key)
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
	char *t = lp_xstrdup(tok);
	json_string_set(json_object_get(holder, key), "");
	json_decref(j);
	return t;
}

void v1_auth(struct run *r)
{
	json_t *b = json_pack("{s:s,s:s}", "client_id", r->client_id, "client_secret", r->client_secret);
	char *body = json_dumps(b, JSON_COMPACT);
	json_string_set(json_object_get(b, "client_secret"), "");
	json_decref(b);
	r->v1_token = authenticate(r, "/v1/auth", "Content-Type: application/json", body, "data", "token");
}

void v2_auth(struct run *r)
{
	char *id = lp_http_escape(r->client_id), *sec = lp_http_escape(r->client_secret);
	char *body = lp_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", id, sec);
	lp_secret_free(id);
	lp_secret_free(sec);
	r->v2_token = authenticate(r, "/v2/auth/token", "Content-Type: application/x-www-form-urlencoded", body, NULL,
				   "access_token");
}

/* A short, safe excerpt of an API error body: Personio's own message only. */
static void api_message(const lp_http_resp *resp, char *out, size_t n)
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
	}
	if (m)
		snprintf(out, n, ": %.200s", m);
	json_decref(j);
}

/* GET with the token of the API version; on 401 re-authenticate once and try again. */
json_t *api_get(struct run *r, int v2, const char *target, const char *what)
{
	char hbuf[3][600], pbuf[256], msg[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	for (int reauth = 0;; reauth++) {
		char **tok = v2 ? &r->v2_token : &r->v1_token;
		lp_http_resp resp;
		if (lp_http_request(r->http, "GET", target, api_headers(r, *tok, NULL, hbuf), NULL, 0, 0, &resp))
			fail(r, LP_EXIT_REMOTE, "%s (%s)", lp_http_error(r->http), what);
		if (resp.status == 401 && !reauth && !lp_http_replaying(r->http)) {
			lp_http_resp_free(&resp);
			wipe(tok);
			if (v2)
				v2_auth(r);
			else
				v1_auth(r);
			continue;
		}
		if (resp.status != 200) {
			api_message(&resp, msg, sizeof msg);
			long st = resp.status;
			int att = resp.attempts;
			lp_http_resp_free(&resp);
			fail(r, st == 401 || st == 403 ? LP_EXIT_AUTH : LP_EXIT_REMOTE, "GET %s: HTTP %ld%s%s (%s)", path, st,
			     att > 1 ? " after retries" : "", msg, what);
		}
		json_error_t e;
		json_t *j = lp_json_loadb(resp.body, resp.len, &e);
		lp_http_resp_free(&resp);
		if (!j || !json_is_object(j))
			fail(r, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object%s%s (%s)", path, j ? "" : ": ",
			     j ? "" : e.text, what);
		return j;
	}
}
