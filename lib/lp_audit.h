/* lp_audit.h - the audit log (A1): who did what, when, to which administration.
 *
 * Append-only NDJSON, one event per line, file mode 0600, each line written with one
 * write(2) on an O_APPEND descriptor and fsync'd. Every event gets "time" (UTC, ISO 8601),
 * "actor" (--actor, else $USER, else "unknown"), "client" and "program". Callers pass no
 * secrets and no BSN or IBAN (paths carry Loket's ids, not personal numbers).
 */
#ifndef LP_AUDIT_H
#define LP_AUDIT_H

#include <jansson.h>

typedef struct lp_audit lp_audit;

/* path NULL: no audit log (every call below is then a no-op). Exits 4 when it cannot be opened. */
lp_audit *lp_audit_open(const char *path, const char *actor, const char *client);
/* Append one event: "event" plus the fields of `fields` (stolen). Exits 7 on a write error. */
void lp_audit_event(lp_audit *a, const char *event, json_t *fields);
void lp_audit_close(lp_audit *a);

#endif
