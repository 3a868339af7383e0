/* lp_block.h - reading NDJSON one client at a time.
 *
 * Filters that need all of a client's records together (validate: salary chains; map:
 * sums per period) read through lp_block_run(). Records are collected per client key and
 * handed over when that client's stream_end record arrives (it is the last record of the
 * block) or at the end of input. Memory is therefore bounded by the largest client, not by
 * the whole input: a bureau's concatenated stream of many clients stays flat.
 */
#ifndef LP_BLOCK_H
#define LP_BLOCK_H

#include <jansson.h>

#include "lp_ndjson.h"
#include "lp_vec.h"

/* Where a record came from and its text: read through lp_block_where and lp_block_pass. */
struct lp_block_line {
	size_t off, rawlen;   /* its text as read (for passing it on unchanged) in the block's arena */
	unsigned long line;   /* its line number in file names[file] */
	size_t file;
	const char *where;    /* "FILE:LINE", made when first asked for (lp_block_where) */
};

struct lp_block_where_chunk;

typedef struct {
	const char *client;
	json_t *recs;    /* array of records in input order */
	LP_VEC(struct lp_block_line) lines; /* one per record of recs */
	int has_end;     /* the block ended with a stream_end record */
	/* lp_block.c's: one arena for all texts, the file names, the "FILE:LINE" texts made */
	char *text;
	size_t tlen, tcap;
	LP_VEC(char *) names;
	struct lp_block_where_chunk *wheres;
} lp_block;

/* The most records one client's block may hold, and so the memory a filter holding them
 * needs (a few KiB a record as jansson objects plus the text): LOKETPIPE_MAX_RECORDS, default
 * LP_BLOCK_MAX_RECORDS (1 000 000; 0: no bound). A block that grows beyond it stops the run
 * with exit 7 naming the client, the record and the bound, before memory runs out. */
#define LP_BLOCK_MAX_RECORDS 1000000UL
unsigned long lp_block_max_records(void);

/* Called once per complete block; returns 0 or an exit code to stop with. */
typedef int (*lp_block_fn)(void *ctx, lp_block *b);

/* Reads everything from in; returns 0, the callback's code, or the input's error code.
 * A record without a string "client" is bad input (exit 3, file:line named). */
int lp_block_run(lp_in *in, lp_block_fn fn, void *ctx);

/* The routing of lp_block_run without holding anything: each record goes to its client's
 * state as it arrives, and a client's block ends at its stream_end (or at the end of input,
 * in the order the clients first appeared). diff-loket reads its desired state so.
 *   open:   a new client's state (name and line of its first record);
 *   record: one record of that client: the callee owns rec (a reference); 0 or an exit code;
 *   end:    the block is complete (has_end: it ended with a stream_end): 0 or an exit code;
 *           the callee frees the state;
 *   drop:   free a state that never ended (the run stopped early).
 * The same checks as lp_block_run: a record without a string "client" is exit 3, and more than
 * lp_block_max_records() records of one client is exit 7 (holds: say the filter holds them). */
typedef struct {
	void *(*open)(void *ctx, const char *client, const char *name, unsigned long line);
	int (*record)(void *ctx, void *state, json_t *rec, const char *raw, size_t len, const char *name,
		      unsigned long line);
	int (*end)(void *ctx, void *state, int has_end);
	void (*drop)(void *state);
	int holds;
} lp_block_route_ops;
int lp_block_route(lp_in *in, const lp_block_route_ops *ops, void *ctx);

/* "FILE:LINE" of record i of a block, valid until the callback returns (the block is freed).
 * Made on the first call for that record (and kept): a record nobody asks about costs none. */
const char *lp_block_where(const lp_block *b, size_t i);
/* The text of record i as it was read (*len bytes, not NUL-terminated), valid until the
 * callback returns. */
const char *lp_block_text(const lp_block *b, size_t i, size_t *len);
/* Write record i exactly as it was read. Exits 7 on a write error. */
void lp_block_pass(const lp_block *b, size_t i);

#endif
