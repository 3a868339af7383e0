/* lp_audit.h - the audit log (A1): who did what, when, to which administration; tamper-evident.
 *
 * Append-only NDJSON, one event per line, file mode 0600. Every line is a JSON object:
 *   {"seq":N,"prev":P,"time":T,"event":E,"os_user":U,"actor":A,"client":C,"program":G,
 *    ...the caller's fields...,"hash":H}
 * seq     1, 2, ... per log file (the line number among the log's chain lines);
 * prev    the SHA-256 (lower-case hex) of the previous line's bytes as they are in the file,
 *         without its newline; 64 zeros on the first line of a log;
 * hash    the SHA-256 of this line's own bytes without the hash member: the hash member is
 *         always the last one, so the hashed bytes are the line with its final
 *         `,"hash":"<64 hex>"}` replaced by `}` (the exact bytes written, nothing re-encoded:
 *         a verifier needs no JSON canonicalisation to check it);
 * time    UTC, ISO 8601, seconds; os_user the name of the effective user (getpwuid(geteuid()),
 *         "uid N" when it has no name), always; actor the --actor label, or null.
 * A caller's field named seq, prev, hash or os_user is kept as caller_seq, ... .
 *
 * Appends are serialized across processes: under an exclusive flock(2) on the log itself the
 * last line is read (its seq and bytes make the next seq and prev), and the new line goes out
 * in one write(2) on the O_APPEND descriptor, then fsync, then the lock is released. The lock
 * is waited for up to 60 s (LOKETPIPE_LOCK_WAIT_MS), then exit 8.
 *
 * A torn last line (a write cut short: kill, power loss, full disk), i.e. bytes after the last
 * newline: the next writer ends them with a newline and appends a "log.recovered" event
 * (torn_offset, torn_bytes, torn_sha256: where the torn bytes start, how many, their SHA-256)
 * whose prev is the hash of the last whole line before them; the torn line itself stays, out
 * of the chain. When the torn bytes are in fact a whole line of the chain (only the newline
 * was lost), the newline is added and the chain goes on from it.
 * A log from before the chain (lines without seq/hash): the first writer appends a
 * "log.chained" event, seq 1, whose prev is the SHA-256 of all the bytes before it
 * (legacy_lines, legacy_bytes), so the old lines are sealed as a whole from then on.
 * Anything else at the end of the log (a line that is not JSON, not an event) is refused when
 * the log is opened (exit 4: look at it with audit-verify).
 *
 * The file: created 0600; refused (exit 4, naming the file) when it is a symbolic link, not a
 * regular file, another user's, or open to group or others (an existing 0644 log is not
 * kept: chmod 600 it after checking it). Callers pass no secrets and no BSN or IBAN (paths
 * carry Loket's ids, not personal numbers).
 */
#ifndef LP_AUDIT_H
#define LP_AUDIT_H

#include <jansson.h>
#include <stddef.h>

typedef struct lp_audit lp_audit;

/* path NULL: no audit log (every call below is then a no-op). actor: the --actor label (NULL
 * or "": none). Exits 4 when it cannot be opened or is refused (above). */
lp_audit *lp_audit_open(const char *path, const char *actor, const char *client);
/* Append one event: "event" plus the fields of `fields` (stolen). Exits 7 on a write error,
 * 8 when the log's lock stays held past the wait. */
void lp_audit_event(lp_audit *a, const char *event, json_t *fields);
void lp_audit_close(lp_audit *a);
/* Open path, append one event, close (path NULL: nothing, fields freed): for library code that
 * logs one thing on its way out (a refused Personio login). Exits as the three above. */
void lp_audit_once(const char *path, const char *client, const char *event, json_t *fields);
/* The log's path (NULL for a NULL log). */
const char *lp_audit_path(const lp_audit *a);

/* The effective user's name (getpwuid(geteuid())), or "uid N": a static string. */
const char *lp_audit_os_user(void);

/* The chain's building blocks, for audit-verify. */
#define LP_AUDIT_HASH_SUFFIX 75 /* strlen(",\"hash\":\"") + 64 + strlen("\"}") */
/* line (n bytes, no newline) ends in `,"hash":"<64 lower-case hex>"}`: 1, with the SHA-256 of
 * its content (the line with that suffix replaced by "}") in content_hex and the stated hash
 * in stated_hex (both 65 bytes); else 0. */
int lp_audit_line_hashes(const char *line, size_t n, char content_hex[65], char stated_hex[65]);
/* Take the log's flock (LOCK_EX or LOCK_SH) on fd, waiting as above: 0, or -1 when the wait ran
 * out (errno EWOULDBLOCK) or flock failed. */
int lp_audit_lock(int fd, int how);

#endif
