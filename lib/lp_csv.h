/* lp_csv.h - CSV through libcsv: reading rows with a callback, writing quoted fields.
 *
 * Reading is strict (CSV_STRICT | CSV_STRICT_FINI): a stray quote or an unterminated
 * quoted field is an error naming the row. Writing quotes a field only when needed
 * (separator, quote, CR or LF inside, or a leading/trailing space or tab).
 */
#ifndef LP_CSV_H
#define LP_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "lp_money.h"

/* Called once per row with its fields (NUL-terminated copies, valid during the call) and
 * the line the row starts on (1-based; lines end in LF, CRLF or a CR alone; a quoted field
 * may span lines; blank lines are skipped). Return non-zero to stop reading. */
typedef int (*lp_csv_row_fn)(void *ctx, unsigned long line, char **fields, size_t n);

/* Read all rows of f with separator sep. Returns 0, the callback's non-zero value, or -1
 * on a CSV syntax or read error or a NUL byte in the input (reported as "PROG: NAME:LINE:
 * message"). */
int lp_csv_read(FILE *f, const char *name, char sep, lp_csv_row_fn fn, void *ctx);

typedef struct {
	char sep;          /* the separator, or 0: the one of seps found most often outside quotes
			    * in the first line (a tie: the first of seps; none: seps[0]) */
	const char *seps;  /* the candidates when sep is 0, e.g. ";," */
	int bom;           /* skip a UTF-8 byte order mark (EF BB BF) at the very start */
} lp_csv_opts;

/* lp_csv_read with options; the separator used goes to *used (when not NULL) before the
 * first row is passed on. The first line is read ahead only when sep is 0 (memory: that line). */
int lp_csv_read_opts(FILE *f, const char *name, const lp_csv_opts *o, char *used, lp_csv_row_fn fn, void *ctx);

/* Write one row (fields may be NULL for empty) terminated by CRLF, as Loket's import
 * expects of a CSV file. Returns 0 or -1 on a write error. */
int lp_csv_write_row(FILE *f, char sep, const char *const *fields, size_t n);

/* A text a spreadsheet would run as a formula (its first character one of = + - @ tab CR)
 * kept behind a quote, as spreadsheets show a text (OWASP's CSV injection advice): returns a
 * new string the caller frees, or NULL when s is safe as it is (or NULL). */
char *lp_csv_defuse(const char *s);

/* An amount with a decimal comma ("-85,40"), as the Dutch-locale CSV convention writes it
 * (the reason its separator is ';'); buf 32 bytes. */
char *lp_csv_money(lp_cents c, char buf[32]);

#endif
