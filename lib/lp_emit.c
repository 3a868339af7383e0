/* lp_emit.c - see lp_emit.h */
#include "lp_emit.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_mask.h"
#include "lp_ndjson.h"

#include <stdio.h>
#include <stdlib.h>

static void set_masked(json_t *o, const char *key, const char *s)
{
	char *m = s ? lp_mask_text(s) : NULL;
	if (s && !m)
		lp_die(LP_EXIT_IO, "out of memory");
	lp_json_set_str(o, key, m);
	free(m);
}

json_t *lp_issue(const char *client, const char *severity, const char *rule, const char *personio_id,
		 const char *employee_number, const char *field, const char *message, const char *hint)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("issue"));
	lp_json_set_str(o, "client", client);
	lp_json_set_str(o, "severity", severity);
	lp_json_set_str(o, "rule", rule);
	lp_json_set_str(o, "stage", lp_prog);
	lp_json_set_str(o, "personio_id", personio_id);
	lp_json_set_str(o, "employee_number", employee_number);
	lp_json_set_str(o, "field", field);
	/* the message a person reads: BSNs and IBANs masked (lib/lp_mask); the value itself is in
	 * the record the issue is about (no downstream program reads it from here) */
	set_masked(o, "message", message);
	set_masked(o, "hint", hint);
	return o;
}

json_t *lp_issuef(const char *client, const char *severity, const char *rule, const char *personio_id,
		  const char *employee_number, const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *o = lp_vissuef(client, severity, rule, personio_id, employee_number, field, hint, fmt, ap);
	va_end(ap);
	return o;
}

json_t *lp_vissuef(const char *client, const char *severity, const char *rule, const char *personio_id,
		   const char *employee_number, const char *field, const char *hint, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return lp_issue(client, severity, rule, personio_id, employee_number, field, msg, hint);
}

void lp_issue_source(json_t *issue, const char *source)
{
	if (source)
		json_object_set_new(issue, "source", json_string(source));
}

json_t *lp_stream_end(const char *client, const char *source, int complete, json_t *counts, const char *error)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("stream_end"));
	lp_json_set_str(o, "client", client);
	json_object_set_new(o, "source", json_string(source));
	json_object_set_new(o, "complete", json_boolean(complete));
	json_object_set_new(o, "counts", counts ? counts : json_object());
	if (error)
		json_object_set_new(o, "error", json_string(error));
	return o;
}

void lp_stream_abort(const char *client, const char *source, json_t *counts, const char *msg)
{
	lp_out_new(lp_stream_end(client, source, 0, counts, msg));
	lp_out_close();
	lp_warn("%s: %s", client, msg);
}

void lp_stream_vfail(const char *client, const char *source, json_t *counts, int code, void (*cleanup)(void *),
		     void *ctx, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	lp_stream_abort(client, source, counts, msg);
	if (cleanup)
		cleanup(ctx);
	exit(code);
}

json_t *lp_stream_counts(const char *const *names, const unsigned long *values, int n)
{
	json_t *o = json_object();
	for (int i = 0; i < n; i++)
		json_object_set_new(o, names[i], json_integer((json_int_t)values[i]));
	return o;
}
