/* lp_journal.h - push-loket's journal: what happened to each op of one plan, on disk.
 *
 * One journal per plan. NDJSON, mode 0600, append only. The first line names the journal,
 * its client and the plan (plan_id); every other line records one op: "sent" when its
 * request is handed out, "done" or "failed" when its answer is in. Every line ends with a
 * "crc" member: the CRC-32 (zlib) of the line's text without it, so that any damaged byte
 * in a line (a single flipped bit, a torn sector) is seen. CRC-32 detects every error of up
 * to 32 bits in a row, so every single-byte damage is caught.
 *
 * Opening a journal that exists resumes it:
 *   - a torn last line (no newline at its end: the run was killed while writing it) is cut
 *     off; that op then counts as possibly sent, which is what it is;
 *   - any other damage (bad CRC, not JSON, an unknown state, an op the plan does not have, a
 *     seq that is not the op's) is refused with the line number: nothing is guessed, and a
 *     damaged "done" can never make an op count as done;
 *   - a journal of another plan or client is refused.
 * Lines are written with lp_journal_mark and made durable with lp_journal_sync (one fsync
 * for many lines).
 */
#ifndef LP_JOURNAL_H
#define LP_JOURNAL_H

#include "lp_map.h"

typedef struct lp_journal lp_journal;

enum lp_jstate { LP_J_NONE, LP_J_SENT, LP_J_DONE, LP_J_FAILED };

/* Open or resume the journal at path for plan_id of client, applied to loket (the API base
 * and the payroll administration: a journal of the same plan for another Loket is refused,
 * its ops were not made there). plan_seq maps each op_id of the
 * plan to its seq (as (void *)(intptr_t)seq). Returns 0 and sets *out, or an exit code
 * (LP_EXIT_CONFIG: cannot open, wrong mode, another plan; LP_EXIT_DATA: damaged; LP_EXIT_IO)
 * with a message already printed; *out is then NULL. */
int lp_journal_open(const char *path, const char *client, const char *plan_id, const char *loket, const lp_map *plan_seq,
		    lp_journal **out);
/* 1 when the journal held op lines of an earlier run (or a header only: a run that stopped
 * before anything was sent). */
int lp_journal_resumed(const lp_journal *j);
/* What the journal says of op_id: done stays done whatever follows it. */
enum lp_jstate lp_journal_state(const lp_journal *j, const char *op_id);
/* Append one op line ("sent", "done", "failed"; status < 0: none; id: the id of the record a
 * done POST created, or NULL). Returns 0, or -1 with errno. */
int lp_journal_mark(lp_journal *j, const char *op_id, long seq, const char *state, long status, const char *id);
/* The id recorded with op_id's "done" line, or NULL. */
const char *lp_journal_id(const lp_journal *j, const char *op_id);
/* fsync when lines were written since the last sync. Returns 0, or -1 with errno. */
int lp_journal_sync(lp_journal *j);
const char *lp_journal_path(const lp_journal *j);
void lp_journal_close(lp_journal *j);

/* The same checks on a journal's bytes in memory, for tests: returns 0 (and the states of the
 * ops through state_of, which may be NULL) or the exit code open would give; *torn is set to
 * the length kept when a torn last line would be cut off (id_of, which may be NULL, gets the
 * created ids as strings the caller frees). Prints nothing when quiet. */
int lp_journal_check(const char *buf, size_t len, const char *client, const char *plan_id, const char *loket, const lp_map *plan_seq,
		     lp_map *state_of, lp_map *id_of, size_t *kept, int quiet, const char *name);

#endif
