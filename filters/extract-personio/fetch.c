/* fetch.c - extract-personio's failure and counts: fail() and the session's fail hook close
 * the stream as incomplete (stream_end complete:false) after the issues waiting, wipe the
 * secrets and exit. The requests, tokens and credentials are lib/lp_psession.
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
			lp_die(LP_EXIT_IO, "%s", lp_out_error());
	}
	json_array_clear(r->issues_buf);
}

void fail_hook(void *ctx, int code, const char *msg)
{
	struct run *r = ctx;
	flush_issues(r);
	lp_stream_abort(r->cfg->client, "personio", counts(r), msg);
	lp_psession_wipe(&r->ps); /* the secrets go before the process does */
	exit(code);
}

void fail(struct run *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail_hook(r, code, msg);
	exit(code);
}
