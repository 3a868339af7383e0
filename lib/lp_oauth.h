/* lp_oauth.h - Loket's OAuth 2.0 client: authorization code once, then rotating refresh tokens.
 *
 * Loket issues a new refresh token on every refresh and the old one stops working. The new
 * one is therefore written to the token file (0600, atomically: temporary file, fsync, rename)
 * BEFORE the access token is used. The temporary file, "<token file>.new", is created and its
 * space reserved on disk (lp_secret_reserve) before /token is called: when it cannot be
 * written (full disk, read-only directory), Loket is not asked and the saved refresh token
 * still works (exit 7). A ".new" that holds a whole token file (a run stopped between
 * Loket's answer and the rename) replaces the token file at the next start; any other
 * ".new" (an unused reservation) is removed.
 * A refused refresh token (invalid_grant) is exit code 6: a person must log in again
 * (loket-auth). Tokens never appear in messages.
 *
 * One holder of the refresh token: many processes (one per client of a bureau) may share a
 * token file. Every read-refresh-save of it, and the take-over of a ".new", happens under an
 * exclusive flock on "<token file>.lock", held only for that step; a process waits for it
 * (sleeping, up to 60 s, LOKETPIPE_LOCK_WAIT_MS) and then reads the file again: when another
 * process has refreshed meanwhile (an access token with more than five minutes left), that
 * token is used and /token is not called. So N workers whose saved access token expired make
 * one /token request between them. The access token reaches them only through the token file.
 * A wait that runs out is exit 8, with nothing sent to Loket.
 */
#ifndef LP_OAUTH_H
#define LP_OAUTH_H

#include <stddef.h>

#include "lp_config.h"

typedef struct lp_oauth lp_oauth;

/* The --help paragraph of every program that logs in with lp_oauth_for_config. */
#define LP_OAUTH_HELP                                                                      \
	"Client credentials: loket.credentials_file (0600), else LOKET_CLIENT_ID and\n"       \
	"LOKET_CLIENT_SECRET. The refresh token lives in loket.token_file (see loket-auth(1)).\n"

/* oauth_url: "https://oauth.loket.nl" (the token endpoint is oauth_url + "/token"). */
lp_oauth *lp_oauth_new(const char *oauth_url, const char *client_id, const char *client_secret,
		       const char *token_file, char *err, size_t errlen);
void lp_oauth_free(lp_oauth *o);

/* A valid access token: the one in memory or in the token file while it has more than five
 * minutes left, else a fresh one (refresh, rotating the refresh token). NULL on failure:
 * *code is the exit code (6 refused, 5 remote, 4 token file missing, not private or not a
 * token file, 7 the new token file cannot be written), err says why without any token in it. The token file (0600) holds the refresh token, the access token and its
 * expiry (epoch seconds). */
const char *lp_oauth_access_token(lp_oauth *o, int *code, char *err, size_t errlen);
/* The access token from lp_oauth_access_token was refused (a 401): a new one. Under the lock,
 * when the token file holds another access token with time left (another process refreshed
 * already), that one; only when the file still holds the refused token (or none with time
 * left) a refresh, rotating the refresh token. Before any access token was used by this
 * process (loket-auth --check) it always refreshes, which proves the refresh token works. */
const char *lp_oauth_refresh(lp_oauth *o, int *code, char *err, size_t errlen);

/* Exchange an authorization code (the one-time login) and save the refresh token.
 * 0, or an exit code with err filled. */
int lp_oauth_exchange_code(lp_oauth *o, const char *auth_code, const char *redirect_uri, char *err, size_t errlen);

/* The OAuth client of a client configuration, the way every Loket program starts: it needs
 * loket.token_file, takes the client's lock (lp_lock on loket.lock_file, by default
 * "<directory of the token file>/<client>.lock": exit 8 when another run holds it), reads
 * the client credentials (loket.credentials_file, else LOKET_CLIENT_ID / LOKET_CLIENT_SECRET)
 * and exits 4 with the key named when any of that is missing or wrong. */
lp_oauth *lp_oauth_for_config(const lp_config *cfg);
/* A1: lp_oauth_for_config opens the configuration's audit_log (when set) and appends to it
 * "token.rotated" {system, grant, token_file} after each new refresh token is saved (by
 * whichever program refreshed), and "login.failed" {system, grant, token_file, http_status,
 * error} when the token endpoint refuses a grant (400/401). lp_oauth_set_audit makes o use a
 * program's own log instead (--audit, --actor): a borrowed handle, NULL for none. */
struct lp_audit;
void lp_oauth_set_audit(lp_oauth *o, struct lp_audit *a);
/* The audit log o writes to (NULL: none), for a program's own events (fetch-loket's read). */
struct lp_audit *lp_oauth_audit(const lp_oauth *o);

/* The client id (not secret; the authorize URL carries it). */
const char *lp_oauth_client_id(const lp_oauth *o);

/* Number of HTTP requests made to the token endpoint. */
unsigned long lp_oauth_requests(const lp_oauth *o);

#endif
