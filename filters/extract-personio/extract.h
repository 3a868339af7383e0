/* extract.h - extract-personio's private interface: the run (main.c), the requests to
 * Personio with their authentication and failure (fetch.c), and turning Personio's answers
 * into records: employees (employees.c) and compensations (compensations.c).
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_http.h"

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_date as_of;
	int future;
	const char *only;
	int verbose;
	char *client_id, *client_secret;
	char *v1_token, *v2_token;
	char *only_pid;       /* Personio id of --only once known */
	unsigned long persons, compensations, issues, errors;
	json_t *issues_buf;   /* issue records waiting to be written */
};

/* fetch.c */

/* Fatal API failure: close the stream as incomplete and exit. */
_Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* a secret freed and its pointer cleared */
void wipe(char **p);
/* the persons, compensations and issues counts of r, for stream_end */
json_t *counts(const struct run *r);
/* the issue records waiting in r->issues_buf written and counted */
void flush_issues(struct run *r);
void load_credentials(struct run *r);
void v1_auth(struct run *r);
void v2_auth(struct run *r);
/* GET with the token of the API version; on 401 re-authenticate once and try again. */
json_t *api_get(struct run *r, int v2, const char *target, const char *what);

/* employees.c: every employee a "person" record (--only: the one, its id in r->only_pid) */
void employees(struct run *r);

/* compensations.c: every distinct compensation a "compensation" record */
void compensations(struct run *r);

#endif
