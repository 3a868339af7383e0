/* lp_lock.h - one run per client at a time (DESIGN principle 7).
 *
 * A run that talks to Loket for a client (fetch-loket, push-loket, loket-auth) holds an
 * exclusive flock(2) on "<token file>.lock" for as long as it lives; the lock goes with the
 * process, so a killed run never leaves it behind. A second run for the same client stops at
 * once with exit 8 (LP_EXIT_BUSY) instead of racing for the rotating refresh token.
 */
#ifndef LP_LOCK_H
#define LP_LOCK_H

/* Take the lock for token_file (NULL: nothing to lock). Exits 8 when another process holds
 * it, 4 when the lock file cannot be made. */
void lp_lock_client(const char *client, const char *token_file);

#endif
