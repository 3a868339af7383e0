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
#include "lp_rate.h"

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_date as_of;
	int future;
	const char *only;
	int verbose;
	char *client_id, *client_secret;
	char *v1_token, *v2_token;
	long long v1_expires, v2_expires; /* epoch seconds */
	int v1_cached, v2_cached;         /* the token came from the token cache */
	lp_rate *rate;                    /* Personio's limits, shared by the host's processes */
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
/* Headers for a request: the app headers, then the token (if any) or a content type. */
const char *const *api_headers(struct run *r, const char *token, const char *content_type, char hbuf[3][600]);

/* tokens.c: the v1 and v2 tokens, from the client's token cache while they are valid, else
 * minted (POST /v1/auth, POST /v2/auth/token) and saved there */
void v1_auth(struct run *r);
void v2_auth(struct run *r);
/* Personio answered status to a request with the v1/v2 token: when that says the token was
 * refused (401; 403 too for a cached one), a new one is minted: 1 (ask again), else 0. */
int token_refused(struct run *r, int v2, long status);
/* a v1 answer's Authorization header (Personio's legacy rotation): taken when it differs */
void token_rotated(struct run *r, const char *token);
/* GET with the token of the API version; on 401 re-authenticate once and try again. */
json_t *api_get(struct run *r, int v2, const char *target, const char *what);

/* employees.c: every employee a "person" record (--only: the one, its id in r->only_pid) */
void employees(struct run *r);

/* compensations.c: every distinct compensation a "compensation" record */
void compensations(struct run *r);

#endif
