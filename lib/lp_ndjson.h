/* lp_ndjson.h - NDJSON records in and out.
 *
 * Input: the files named on the command line in order ("-" or none = stdin); each is read
 * through zlib, so gzip-compressed files (and streams) are read transparently. Lines may be
 * of any length up to LP_NDJSON_MAX_LINE; blank lines are skipped; every other line must be
 * one JSON object with a string "type". The reader keeps file name and line number for
 * messages. Numbers are parsed exactly (lp_json_loadb).
 *
 * Output: one compact JSON object per line on stdout; write errors are caught at the end.
 */
#ifndef LP_NDJSON_H
#define LP_NDJSON_H

#include <jansson.h>

#define LP_NDJSON_MAX_LINE (256UL * 1024 * 1024)

typedef struct lp_in lp_in;

/* paths: n file names; n == 0 reads stdin. Never fails (files are opened lazily). */
lp_in *lp_in_open(char *const *paths, int n);
/* 1: *rec holds a new reference; 0: end of all input; -1: error, already reported;
 * lp_in_error() then gives the exit code (LP_EXIT_DATA or LP_EXIT_IO). */
int lp_in_next(lp_in *in, json_t **rec);
int lp_in_error(const lp_in *in);
const char *lp_in_name(const lp_in *in);
unsigned long lp_in_line(const lp_in *in);
/* The text of the record lp_in_next() returned last (valid until the next call). */
const char *lp_in_raw(const lp_in *in, size_t *len);
void lp_in_close(lp_in *in);

/* Write a record as one line; returns 0, or -1 on a write error. */
int lp_out(const json_t *rec);
/* Write a line as it was read (records passed through unchanged keep their exact text). */
int lp_out_raw(const char *line, size_t len);
/* Write and drop the reference. */
int lp_out_new(json_t *rec);
/* "write error on standard output: REASON" for the message of a caller whose write failed:
 * the errno of the first lp_out* write that failed (a full disk, a file size limit, a closed
 * pipe), else the current errno (a caller's own printf), else no reason. */
const char *lp_out_error(void);
/* Flush stdout; on error report it and return LP_EXIT_IO, else 0. */
int lp_out_close(void);

#endif
