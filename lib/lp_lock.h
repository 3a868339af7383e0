/* lp_lock.h - one run per client at a time (DESIGN principle 7), and short waits for what
 * several processes share (the token file, rate-limit buckets).
 *
 * The client lock: a run that talks to Loket for a client (fetch-loket, push-loket,
 * loket-auth) holds an exclusive flock(2) on the client's own lock file for as long as it
 * lives: loket.lock_file, by default "<directory of loket.token_file>/<client>.lock". It is
 * apart from the token file, so clients that share one Loket login (one token file, the
 * usual case for a bureau) run in parallel. The lock goes with the process, so a killed run
 * never leaves it behind. A second run for the same client stops at once with exit 8
 * (LP_EXIT_BUSY).
 *
 * A step lock (lp_lock_wait): an exclusive flock on a file held only for one step (read,
 * refresh and save the token file; take a rate-limit token), waited for (sleeping, bounded)
 * instead of failing.
 */
#ifndef LP_LOCK_H
#define LP_LOCK_H

#include <stddef.h>

/* Take the client lock on lock_file (NULL: nothing to lock). Exits 8 when another process
 * holds it, 4 when the lock file cannot be made. */
void lp_lock_client(const char *client, const char *lock_file);

/* Default of the longest wait for a step lock: 60 s (LOKETPIPE_LOCK_WAIT_MS overrides). */
#define LP_LOCK_WAIT_MS 60000L
/* Open (create 0600, never through a symlink) and lock path exclusively, waiting up to
 * wait_ms (< 0: LOKETPIPE_LOCK_WAIT_MS, else LP_LOCK_WAIT_MS) by sleeping between tries.
 * The file descriptor (>= 0), or -1 with err filled: *busy is set when the wait ran out
 * (the lock is held by another process), clear when the file cannot be opened or locked. */
int lp_lock_wait(const char *path, long wait_ms, int *busy, char *err, size_t errlen);
/* Unlock and close (fd < 0: nothing). */
void lp_lock_release(int fd);

#endif
