/* extract.h - extract-personio's private interface: the run (main.c), its failure and
 * counts (fetch.c; the session with Personio is lib/lp_psession), and turning Personio's
 * answers into records: employees (employees.c) and compensations (compensations.c).
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_psession.h"

struct run {
	lp_config *cfg;
	lp_psession ps;       /* credentials, tokens, HTTP, rate limits */
	lp_date as_of;
	int future;
	const char *only;
	int verbose;
	int persons_only;     /* --persons-only: no compensations read */
	char *only_pid;       /* Personio id of --only once known */
	unsigned long persons, compensations, issues, errors;
	json_t *issues_buf;   /* issue records waiting to be written */
};

/* fetch.c */

/* Fatal API failure: close the stream as incomplete and exit. */
_Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* the session's fail hook (lp_psession): the same, with the message made */
void fail_hook(void *ctx, int code, const char *msg);
/* the persons, compensations and issues counts of r, for stream_end */
json_t *counts(const struct run *r);
/* the issue records waiting in r->issues_buf written and counted */
void flush_issues(struct run *r);

/* employees.c: every employee a "person" record (--only: the one, its id in r->only_pid) */
void employees(struct run *r);

/* compensations.c: every distinct compensation a "compensation" record */
void compensations(struct run *r);

#endif
