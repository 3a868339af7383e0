/* lp_hours_src.h - the `hours` record as its sources make it (hours-from-csv, extract-hours).
 *
 * Shape: schemas/hours.schema.json. Hours are exact hundredths (int64, never a float),
 * written with lp_dec_fmt as "7.50". The checks here are the ones both sources apply, so
 * that a record from either passes the same rules:
 *   - an hour code is 1 to 64 characters of A-Z a-z 0-9 _ - . (LP_HOURS_CODE_CHARS); any
 *     other is "an hour code in an unknown format";
 *   - a quantity is 0.00 to 999.99 hours (0 to LP_HOURS_MAX hundredths);
 *   - an employee number (Loket) is a whole number: 1 to 9 digits, nothing else.
 */
#ifndef LP_HOURS_SRC_H
#define LP_HOURS_SRC_H

#include <jansson.h>
#include <stdint.h>

#include "lp_date.h"

#define LP_HOURS_CODE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-."
#define LP_HOURS_MAX 99999 /* hundredths: 999.99 hours */

/* 1 when s is an hour code of the accepted format */
int lp_hours_code_ok(const char *s);
/* 0 and the number in *out when s is a whole employee number (1-9 digits), else -1 */
int lp_hours_employee_number(const char *s, long long *out);

/* A new hours record. personio_id NULL: null; distribution_unit < 0: null. source is
 * taken over (a new reference: {"kind":...,...}). */
json_t *lp_hours_record(const char *client, long long employee_number, const char *personio_id, lp_date date,
			const char *hour_code, int64_t hundredths, long long distribution_unit, json_t *source);

/* Text of a value for a message a person reads: at most 40 bytes of it, every byte outside
 * printable ASCII written as '?' (so a message is always valid UTF-8). buf 48 bytes. */
char *lp_hours_show(const char *s, char buf[48]);

/* s made valid UTF-8 in place and returned: a byte that does not start or continue a whole
 * sequence (a value cut by "%.40s" in the middle of a character, a file name in another
 * encoding) becomes '?', so that the record or issue that carries it can be written. */
char *lp_utf8_fix(char *s);

#endif
