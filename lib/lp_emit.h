/* lp_emit.h - the records every filter emits: issue (a finding about the data) and
 * stream_end (the last record of a complete extract). Shapes: schemas/issue.schema.json,
 * schemas/stream_end.schema.json.
 */
#ifndef LP_EMIT_H
#define LP_EMIT_H

#include <jansson.h>
#include <stdarg.h>

/* severity: "error" (blocks the sync, E4), "warning", "info". Any string argument may be
 * NULL (written as null, or left out for source). message and hint are written with their
 * BSNs and IBANs masked (lp_mask_text): a person reads them; the value itself is in the
 * record the issue is about. Returns a new object. */
json_t *lp_issue(const char *client, const char *severity, const char *rule, const char *personio_id,
		 const char *employee_number, const char *field, const char *message, const char *hint);
/* lp_issue with the message formatted (at most 1023 bytes). */
json_t *lp_issuef(const char *client, const char *severity, const char *rule, const char *personio_id,
		  const char *employee_number, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
json_t *lp_vissuef(const char *client, const char *severity, const char *rule, const char *personio_id,
		   const char *employee_number, const char *field, const char *hint, const char *fmt, va_list ap)
	__attribute__((format(printf, 8, 0)));
/* Adds "source": where the data came from ("FILE:LINE" or "GET /path item N"). */
void lp_issue_source(json_t *issue, const char *source);

/* {"type":"stream_end","client":..,"source":..,"complete":..,"counts":{..}} */
json_t *lp_stream_end(const char *client, const char *source, int complete, json_t *counts, const char *error);

/* The counts object of a stream_end: {names[i]: values[i]} for i < n. */
json_t *lp_stream_counts(const char *const *names, const unsigned long *values, int n);

/* End an extract that failed: write stream_end with complete:false and the message (which
 * must hold no secret), flush, and report "PROG: CLIENT: message" on stderr. The caller then
 * cleans up and exits with its code. */
void lp_stream_abort(const char *client, const char *source, json_t *counts, const char *msg);
/* An extract's fatal failure, all of it: lp_stream_abort with the message formatted (at most
 * 1023 bytes), then cleanup(ctx) when cleanup is not NULL (free, wipe secrets), then exit with
 * code. For a filter's own variadic fail(): va_start, then call this. */
_Noreturn void lp_stream_vfail(const char *client, const char *source, json_t *counts, int code,
			       void (*cleanup)(void *), void *ctx, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

#endif
