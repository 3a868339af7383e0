/* The write itself and its answer; the path of an op that needs an id its chain made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_loket.h"
#include "push.h"

static void on_send(void *ud, const lp_http_resp *resp, const char *err)
{
	struct op *o = ud;
	if (R.auth_failed) {
		finish(o, O_REMOTE, 0, 0, NULL, R.auth_err);
		return;
	}
	long st = resp ? resp->status : 0;
	int attempts = resp ? resp->attempts : 0;
	if (resp && st >= 200 && st < 300) {
		if (is_post(o)) { /* the new record's id, for an op of the chain that needs it */
			json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
			const char *id = lp_json_str(lp_json_obj(j, "content"), "id");
			if (id)
				o->made_id = lp_xstrdup(id);
			json_decref(j);
		}
		jmark(o, "done", st);
		finish(o, O_APPLIED, st, attempts, NULL, NULL);
		return;
	}
	if (resp && st == 404 && !strcmp(o->method, "DELETE")) {
		/* gone already: deleted by an attempt whose answer was lost (libcurl's own resend
		 * included), by an earlier run, or by an application of this plan with another
		 * journal; what the plan wants holds, and nothing was written */
		jmark(o, "done", st);
		finish(o, attempts > 1 ? O_APPLIED : O_ALREADY, st, attempts, NULL, NULL);
		return;
	}
	if (resp && st == 412 && o->etag && ++o->put_rounds < MAX_ROUNDS) {
		/* the employee changed since it was read: possibly by this very PUT, sent twice
		 * (its first answer lost); read it again and judge afresh */
		free(o->etag);
		o->etag = NULL;
		preflight(o);
		return;
	}
	if (resp && st == 401 && !o->auth_retried) {
		o->auth_retried = 1; /* the saved access token was revoked or ran out: refresh, send again */
		if (time(NULL) - R.refreshed_at > 5)
			R.force_refresh = 1;
		send_op(o);
		return;
	}
	if (resp && st >= 400 && st < 500 && st != 429 && st != 401) {
		jmark(o, "failed", st);
		finish(o, O_FAILED, st, attempts, messages_of(resp), st == 412 ? "changed in Loket since it was read: run fetch-loket and diff-loket again" : NULL);
		return;
	}
	/* 5xx/429 after retries, 401, or no answer: the request may or may not have landed */
	o->ambiguous = 1;
	if (is_post(o) && (!resp || st >= 500) && ++o->rounds < MAX_ROUNDS) {
		reconcile(o);
		return;
	}
	char e[700];
	snprintf(e, sizeof e, "%s", err ? err : st == 401 ? "Loket refused the access token" : "Loket kept failing");
	finish(o, O_REMOTE, st, attempts, resp ? messages_of(resp) : NULL, e);
}

void send_op(struct op *o)
{
	jmark(o, "sent", -1);
	o->sent_here = 1;
	const char *h[4] = {lp_loket_accept(o->path), NULL, NULL, NULL};
	int n = 1;
	if (o->body)
		h[n++] = lp_loket_content_type(o->path);
	if (o->etag)
		h[n++] = o->etag;
	unsigned flags = is_post(o) ? LP_HTTP_NO_RETRY | LP_HTTP_RETRY_429 : 0;
	lp_http_multi_add(R.multi, o->method, o->path, h, o->body, o->blen, flags, on_send, o);
}

/* The path of an op that needs the id of a record its chain created: the placeholder segment
 * ("{conceptEmployeeId}") becomes that id. 0, or -1 when the id is not known. */
int fill_path(struct op *o)
{
	const struct op *src = chain_op(o->ch, o->needs);
	if (!src || !src->made_id || !src->made_id[0] || strspn(src->made_id, "0123456789abcdefABCDEF-") != strlen(src->made_id) ||
	    strlen(src->made_id) > 64)
		return -1; /* unknown, or not an id (a journal line or an answer must not steer a path) */
	const char *a = strchr(o->path, '{'), *b = strchr(o->path, '}');
	free(o->path_own);
	o->path_own = lp_xasprintf("%.*s%s%s", (int)(a - o->path), o->path, src->made_id, b + 1);
	o->path = o->path_own;
	return 0;
}
