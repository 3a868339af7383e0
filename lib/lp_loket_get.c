/* lp_loket_get.c - see lp_loket_get.h */
#include "lp_loket_get.h"
#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_json.h"
#include "lp_le_check.h"
#include "lp_loket.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Noreturn void gfail(lp_loket_get *g, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static _Noreturn void gfail(lp_loket_get *g, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	g->fail(g->ctx, code, msg);
	abort(); /* fail must not return */
}

/* One GET with the access token, a 401 answered by one refresh; 0 with resp, or -1 when no
 * answer came (lp_http_error says why). */
static int get_authed(lp_loket_get *g, const char *target, const char *accept, lp_http_resp *resp)
{
	char auth[600], err[700];
	const char *h[3] = {accept ? accept : lp_loket_accept(target), NULL, NULL};
	for (;;) {
		if (g->oauth) {
			int code;
			const char *tok = lp_oauth_access_token(g->oauth, &code, err, sizeof err);
			if (!tok)
				gfail(g, code, "%s", err);
			snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
			h[1] = auth;
		}
		int rc = lp_http_request(g->http, "GET", target, h, NULL, 0, 0, resp);
		explicit_bzero(auth, sizeof auth);
		if (rc)
			return -1;
		if (resp->status == 401 && g->oauth && !g->refreshed) {
			/* the saved access token was refused (revoked): refresh once and ask again */
			lp_http_resp_free(resp);
			int code;
			g->refreshed = 1;
			if (!lp_oauth_refresh(g->oauth, &code, err, sizeof err))
				gfail(g, code, "%s", err);
			continue;
		}
		return 0;
	}
}

int lp_loket_get_raw(lp_loket_get *g, const char *target, const char *accept, lp_http_resp *resp, char *err,
		     size_t errlen)
{
	char pbuf[256];
	if (get_authed(g, target, accept, resp)) {
		snprintf(err, errlen, "%s", lp_http_error(g->http));
		return -1;
	}
	if (resp->status == 401 || resp->status == 403) {
		long st = resp->status;
		lp_http_resp_free(resp);
		gfail(g, LP_EXIT_AUTH, "GET %s: HTTP %ld", lp_http_path(target, pbuf, sizeof pbuf), st);
	}
	return 0;
}

json_t *lp_loket_get_one(lp_loket_get *g, const char *target, const char *accept)
{
	char pbuf[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	lp_http_resp resp;
	if (get_authed(g, target, accept, &resp))
		gfail(g, LP_EXIT_REMOTE, "%s", lp_http_error(g->http));
	if (resp.status != 200) {
		long st = resp.status;
		lp_http_resp_free(&resp);
		gfail(g, st == 401 || st == 403 ? LP_EXIT_AUTH : LP_EXIT_REMOTE, "GET %s: HTTP %ld", path, st);
	}
	json_error_t e;
	json_t *j = lp_json_loadb(resp.body, resp.len, &e);
	lp_http_resp_free(&resp);
	if (!json_is_object(j)) {
		json_decref(j);
		if (!j) /* why, and where in the answer (an invalid number: its text) */
			gfail(g, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object: %s (line %d, column %d)", path,
			      e.text, e.line, e.column);
		gfail(g, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object", path);
	}
	char err[300];
	if (lp_le_answer_dates(j, err, sizeof err)) { /* no impossible date is passed on */
		json_decref(j);
		gfail(g, LP_EXIT_REMOTE, "GET %s: %s", path, err);
	}
	return j;
}

long lp_loket_get_list(lp_loket_get *g, const char *path, const char *accept, int declared,
		       void (*fn)(json_t *item, void *ctx), void *ctx)
{
	char pbuf[256];
	const char *shown = lp_http_path(path, pbuf, sizeof pbuf);
	long got = 0, total = -1;
	for (long page = 1;; page++) {
		const char *sep = strchr(path, '?') ? "&" : "?";
		char *t = declared ? lp_xasprintf("%s%spageNumber=%ld&pageSize=250", path, sep, page)
			  : page == 1 ? lp_xstrdup(path) : lp_xasprintf("%s%spageNumber=%ld", path, sep, page);
		json_t *j = lp_loket_get_one(g, t, accept);
		free(t);
		json_t *items = lp_json_arr(j, "_embedded"), *ts = json_object_get(j, "totalSize");
		if (!items || !json_is_integer(ts) || json_integer_value(ts) < 0) {
			json_decref(j);
			gfail(g, LP_EXIT_REMOTE, "GET %s: the answer has the wrong shape (expected _embedded[] and totalSize)", shown);
		}
		if (total < 0)
			total = (long)json_integer_value(ts);
		size_t i, n = json_array_size(items);
		json_t *it;
		json_array_foreach(items, i, it) fn(it, ctx);
		got += (long)n;
		json_decref(j);
		if (got >= total)
			break;
		if (n == 0)
			gfail(g, LP_EXIT_REMOTE, "GET %s: received %ld of %ld items; the list is incomplete", shown, got, total);
	}
	if (got != total)
		gfail(g, LP_EXIT_REMOTE, "GET %s: received %ld items, Loket announced %ld", shown, got, total);
	return got;
}

const char *lp_loket_base_url(const lp_config *cfg, const char *given)
{
	return given ? given : cfg->loket.base_url ? cfg->loket.base_url : "https://api.loket.nl/v2";
}

void lp_loket_get_open(lp_loket_get *g, const lp_config *cfg, const char *base, const char *record_dir,
		       const char *replay_dir, void (*fail)(void *ctx, int code, const char *msg), void *ctx)
{
	lp_http_opts ho = {0};
	ho.base_url = lp_loket_base_url(cfg, base);
	ho.proxy = cfg->loket.proxy;
	ho.record_dir = record_dir;
	ho.replay_dir = replay_dir;
	char err[700];
	lp_http *h = lp_http_new(&ho, err, sizeof err);
	if (!h)
		lp_die(LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
	*g = (lp_loket_get){.http = h, .oauth = replay_dir ? NULL : lp_oauth_for_config(cfg), .fail = fail, .ctx = ctx};
}

void lp_loket_get_audit_read(const lp_loket_get *g, const lp_config *cfg, lp_date as_of, int complete, json_t *counts)
{
	struct lp_audit *a = g->oauth ? lp_oauth_audit(g->oauth) : NULL;
	if (!a) {
		json_decref(counts);
		return;
	}
	char d[16];
	lp_date_fmt(as_of, d);
	const char *pa = cfg->loket.payroll_administration_id;
	lp_audit_event(a, "loket.read",
		       json_pack("{s:s,s:s,s:b,s:o,s:I}", "payroll_administration_id", pa ? pa : "", "as_of", d, "complete",
				 complete, "counts", counts ? counts : json_object(), "http_requests",
				 (json_int_t)(g->http ? lp_http_requests(g->http) : 0)));
}
