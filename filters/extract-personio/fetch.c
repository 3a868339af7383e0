/* fetch.c - extract-personio's requests to Personio: credentials, the headers, GET with one
 * new token when Personio refuses the one it has (tokens.c), and fail(), which closes the
 * stream as incomplete.
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

const char *const *api_headers(struct run *r, const char *token, const char *content_type, char hbuf[3][600])
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
		if (lp_http_request(r->http, "GET", target, api_headers(r, *tok, NULL, hbuf), NULL, 0, v2 ? 0 : LP_HTTP_AUTHZ,
				    &resp))
			fail(r, LP_EXIT_REMOTE, "%s (%s)", lp_http_error(r->http), what);
		if (!reauth && !lp_http_replaying(r->http) && token_refused(r, v2, resp.status)) {
			lp_http_resp_free(&resp);
			continue;
		}
		if (resp.status == 200 && resp.authz)
			token_rotated(r, resp.authz);
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
