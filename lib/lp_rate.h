/* lp_rate.h - rate limits shared by every process of the host (issue 11, item 3).
 *
 * A limit is the server's: N requests per P seconds, at most B at once ("N/P:B", B default
 * N), which a token bucket of rate N/P and size B models. Its
 * state lives in a small file in the rate directory, read and written under an exclusive
 * flock (lp_lock_wait), so that all workers of a batch (one process per client, GNU
 * parallel) draw from the same buckets. A request takes its token under the lock (the
 * bucket may go below zero: the request then has a place in the queue) and sleeps, outside
 * the lock, until its turn; never a busy wait. What the server still refuses (429 with
 * Retry-After) is retried by lp_http as before.
 *
 * The rate directory: LOKETPIPE_RATE_DIR, else ${TMPDIR:-/tmp}/loketpipe-rate-<uid>; made
 * 0700, and used only when it is a directory of the user's own with no group/other access.
 * When it cannot be used, the limits are kept inside the process (a warning says so): never
 * no limit at all. A damaged bucket file (unreadable, a time from before a reboot, a count
 * out of range) is reset to an empty bucket, never a full one and never a crash.
 *
 * The client keeps below the limit it is given: its own bucket fills at 90 % of the rate
 * and holds at most min(B, N/10) tokens (at least one). So any P seconds see at most N of
 * its requests whether the server counts with a token bucket, a sliding or a fixed window,
 * and the slack absorbs the clocks and the network between here and the server.
 */
#ifndef LP_RATE_H
#define LP_RATE_H

#include <stdint.h>

typedef struct {
	long n, per_s, burst; /* n requests per per_s seconds, burst at most at once */
} lp_rate_spec;

/* "N/P" or "N/P:B" (N, P, B positive integers, B <= N; B default N). 0, or -1. */
int lp_rate_parse(const char *s, lp_rate_spec *out);

typedef struct lp_rate lp_rate;

/* Personio's documented limits for one API credential (client_id) at one base URL, each
 * overridable by an environment variable holding "N/P[:B]" (tests scale them down):
 *   per IP (every client of the host):
 *     LOKETPIPE_RATE_V1          every /v1/ request           2000/60
 *   per credential:
 *     LOKETPIPE_RATE_V1_AUTH     POST /v1/auth                  60/60
 *     LOKETPIPE_RATE_EMPLOYEES   GET /v1/company/employees     300/60:15
 *     LOKETPIPE_RATE_DOCUMENTS   POST /v1/company/documents     60/60
 *     LOKETPIPE_RATE_V2_TOKEN    POST /v2/auth/token           150/60
 * v2 resource endpoints have no documented limit: only 429 handling applies to them.
 * A malformed variable is exit 4. */
lp_rate *lp_rate_personio(const char *base_url, const char *client_id);
void lp_rate_free(lp_rate *r);
/* Wait for the tokens of every limit the request falls under (path without the query).
 * Fits lp_http_set_gate. */
void lp_rate_wait(void *rate, const char *method, const char *path);
/* Requests that had to wait, and the milliseconds waited in all (for --verbose). */
unsigned long lp_rate_waits(const lp_rate *r);
uint64_t lp_rate_waited_ms(const lp_rate *r);

#endif
