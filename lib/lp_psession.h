/* lp_psession.h - one client's session with Personio's API: credentials, tokens, GET, paging.
 *
 * What extract-personio and extract-hours share (it was extract-personio's fetch.c and
 * tokens.c): the credentials (lp_secret_credentials), the headers Personio asks for
 * (X-Personio-App-ID, X-Personio-Partner-ID), the v1 and v2 tokens, kept in the client's
 * token cache (personio.token_cache, mode 0600, replaced atomically) for their documented
 * lifetime (expires_in, 24 h) less five minutes so that a resumed or repeated run does not
 * log in again (a cache of another client_id or base URL is not used), the rate limits every
 * process of the host shares (lp_rate_personio), a GET that mints a new token once when
 * Personio refuses the one it has, and the v1 lists paged with limit and an element offset
 * (GET /v1/company/employees, GET /v1/company/attendances).
 *
 * Every failure is fatal and goes through the program's fail hook, which ends its stream
 * (stream_end complete:false) and exits with the code; nothing of a token or a secret ever
 * reaches a message.
 */
#ifndef LP_PSESSION_H
#define LP_PSESSION_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_http.h"
#include "lp_rate.h"

/* The program's end of a failed extract: write what it must (its stream_end), wipe its
 * secrets (lp_psession_wipe) and exit with code. If it returns, the process exits with code. */
typedef void (*lp_psession_fail_fn)(void *ctx, int code, const char *msg);

typedef struct {
	const lp_config *cfg;
	lp_http *http;
	lp_rate *rate;                    /* NULL when replaying */
	char *client_id, *client_secret;  /* NULL when replaying */
	char *v1_token, *v2_token;
	long long v1_expires, v2_expires; /* epoch seconds */
	int v1_cached, v2_cached;         /* the token came from the token cache */
	lp_psession_fail_fn fail;
	void *ctx;
} lp_psession;

/* Set up s for cfg: the HTTP client (base URL: base, else the configuration's; record_dir or
 * replay_dir may be NULL), and unless replaying the credentials (exit 4 when there are none)
 * and the rate limiter. A bad base URL is exit 4. No request is made yet. */
void lp_psession_init(lp_psession *s, const lp_config *cfg, const char *base, const char *record_dir,
		      const char *replay_dir, lp_psession_fail_fn fail, void *ctx);
/* The tokens, from the cache while valid, else minted (POST /v1/auth, POST /v2/auth/token).
 * Nothing happens when replaying. */
void lp_psession_v1_auth(lp_psession *s);
void lp_psession_v2_auth(lp_psession *s);
/* GET target with the token of the API version; on 401 (or 403 with a cached token) one new
 * token and once more. A status other than 200 fails (401/403: exit 6, else 5), as does an
 * answer that is not a JSON object. what names the request in messages. */
json_t *lp_psession_get(lp_psession *s, int v2, const char *target, const char *what);

/* Called for item i of the page at offset (a borrowed reference). */
typedef void (*lp_psession_item_fn)(void *ctx, json_t *item, long offset, size_t i);
/* Every item of a v1 list: GET target (a path with its query, e.g.
 * "/v1/company/attendances?start_date=...") plus "limit=L&offset=O", page after page until
 * metadata.total_elements items came, item() for each in order. A page without success,
 * data[] and metadata.total_elements, a total that changes between pages, an empty page
 * short of the total or fewer items in all than announced fail (exit 5); noun names the
 * items in those messages ("employees"). Returns the number of items. */
long lp_psession_v1_list(lp_psession *s, const char *target, long limit, const char *noun,
			 lp_psession_item_fn item, void *ctx);

/* A write (POST, PATCH ...) with the token of the API version: headers as for GET plus
 * content_type (a whole "Content-Type: ..." header line, or NULL), flags as lp_http_request
 * (a write that must not be repeated blindly: LP_HTTP_NO_RETRY|LP_HTTP_RETRY_429). On 401 (or
 * 403 with a cached token) one new token and once more: Personio refused the request before
 * doing anything. Returns 0 with *resp holding any answer (the caller judges the status), or
 * -1 when no answer came (transport error, timeout, a lost answer: the write may have been
 * done); lp_http_error(s->http) then names why. Never fails through the fail hook except for a
 * token that cannot be minted. */
int lp_psession_send(lp_psession *s, int v2, const char *method, const char *target, const char *content_type,
		     const char *body, size_t len, unsigned flags, lp_http_resp *resp);

/* Every item of a v2 list with cursor paging: GET target, then each _meta.links.next.href in
 * turn until a page has none (as /v2/compensations and /v2/document-management/documents page),
 * item() for each item of _data[] (offset: the page number, from 0). A page without _data[], a
 * next link that is not a string, an empty page that links on or a next link seen before fail
 * (exit 5). Returns the number of items. */
long lp_psession_v2_list(lp_psession *s, const char *target, const char *noun, lp_psession_item_fn item, void *ctx);

/* A fatal failure: the message formatted (at most 1023 bytes), then the fail hook. */
_Noreturn void lp_psession_failf(lp_psession *s, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Personio's own message in an error answer (v1 error.message with the first field of
 * error_data, v2 errors[0].detail, the auth error_description), at most about 300 bytes, never
 * anything else of the body; "" when it has none. */
void lp_psession_api_message(const lp_http_resp *resp, char *out, size_t n);
/* Wipe and free the tokens and credentials (a fail hook calls it before it exits). */
void lp_psession_wipe(lp_psession *s);
/* lp_psession_wipe, then the HTTP client and the rate limiter freed. */
void lp_psession_free(lp_psession *s);

#endif
