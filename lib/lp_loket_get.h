/* lp_loket_get.h - reading Loket: a GET with the client's access token, and a paged list read
 * to the end and checked for completeness.
 *
 * A read session holds the HTTP client and the OAuth client (lp_oauth_for_config; NULL when
 * replaying). A 401 on a saved access token refreshes once and asks again; any other answer
 * than 200 fails. Lists are read with pageNumber/pageSize=250 to the end and checked
 * against totalSize: fewer items than announced, an empty page before the end, or more
 * items than announced fail. So does an answer with a date that is not one (every member
 * named as a date, anywhere in it: lp_le_answer_dates), so that no reader passes one on. Every failure calls the session's fail function (which must
 * not return: it ends the program, e.g. with a stream_end complete:false), with an exit code
 * (LP_EXIT_REMOTE, LP_EXIT_AUTH, or lp_oauth's) and a message naming the path, never a token.
 */
#ifndef LP_LOKET_GET_H
#define LP_LOKET_GET_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_http.h"
#include "lp_oauth.h"

typedef struct {
	lp_http *http;
	lp_oauth *oauth; /* NULL: no Authorization header (replay) */
	int refreshed;   /* a 401 was answered by one refresh already */
	void (*fail)(void *ctx, int code, const char *msg); /* never returns */
	void *ctx;
} lp_loket_get;

/* The Loket API base URL of a client: given (--base-url) when not NULL, else loket.base_url,
 * else https://api.loket.nl/v2. */
const char *lp_loket_base_url(const lp_config *cfg, const char *given);
/* Open g for cfg: the HTTP client at lp_loket_base_url(cfg, base) (record_dir or replay_dir may
 * be NULL; a base URL lp_http refuses is exit 4), and unless replaying the OAuth client
 * (lp_oauth_for_config, which takes the client's lock); fail and ctx as above. */
void lp_loket_get_open(lp_loket_get *g, const lp_config *cfg, const char *base, const char *record_dir,
		       const char *replay_dir, void (*fail)(void *ctx, int code, const char *msg), void *ctx);

/* GET target ("/path?query" relative to the API base) with the Accept header accept (a whole
 * "Accept: ..." line; NULL: lp_loket_accept(target)); returns the answer, a JSON object (new
 * reference). */
json_t *lp_loket_get_one(lp_loket_get *g, const char *target, const char *accept);

/* GET target with the Accept header accept (a whole "Accept: ..." line) for a download (a
 * PDF): the token and the one refresh on a 401 as lp_loket_get_one, but the answer is handed
 * back whatever its status (resp: body, status, ctype, disposition; free it with
 * lp_http_resp_free), so that the caller can judge one document without ending the run. A
 * 401 or 403 after the refresh still fails (LP_EXIT_AUTH), as does a token that cannot be had.
 * Returns 0, or -1 when no answer came (after lp_http's retries): err says why. */
int lp_loket_get_raw(lp_loket_get *g, const char *target, const char *accept, lp_http_resp *resp, char *err,
		     size_t errlen);

/* Every item of the paged list at path (which may hold a query already): fn(item, ctx) per
 * item in Loket's order; returns the number of items (= totalSize). declared: the operation
 * declares pageNumber/pageSize (every page asks pageNumber=N&pageSize=250); 0 where it does
 * not (the payroll component catalogue): the first page is asked for without them and later
 * pages, only when the answer announces more, with pageNumber alone (the spec's general
 * pagination rule for every list). */
long lp_loket_get_list(lp_loket_get *g, const char *path, const char *accept, int declared,
		       void (*fn)(json_t *item, void *ctx), void *ctx);

/* A1: a read of the administration's data in the audit log: "loket.read" {payroll_administration_id,
 * as_of, complete, counts (stolen), http_requests}, when g has an audit log (its OAuth client's:
 * none when replaying, or before the session is open). Every Loket reader calls it once, at its
 * end or at its failure (complete 0). */
void lp_loket_get_audit_read(const lp_loket_get *g, const lp_config *cfg, lp_date as_of, int complete, json_t *counts);

#endif
