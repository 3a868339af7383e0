/* lp_rec.h - reading fields of input records strictly.
 *
 * Each accessor takes a dotted path ("address.street") and the record's position
 * ("FILE:LINE"). A missing field, or a value of the wrong type, is bad input: the program
 * prints "PROG: FILE:LINE: FIELD: expected ..." and exits 3. Nothing is guessed.
 */
#ifndef LP_REC_H
#define LP_REC_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"

/* The value at a dotted path ("contactInformation.phoneNumber"), or NULL when a part is
 * missing or not an object. Never exits: the accessors below are the strict ones. */
const json_t *lp_rec_get(const json_t *r, const char *path);

/* String, or NULL when the value is null and nullable is set. */
const char *lp_rec_str(const json_t *r, const char *path, int nullable, const char *where);
/* 1/0, or -1 for null when nullable. */
int lp_rec_bool(const json_t *r, const char *path, int nullable, const char *where);
/* A YYYY-MM-DD date; returns 0 and sets *d, or 1 for null when nullable. */
int lp_rec_date(const json_t *r, const char *path, int nullable, const char *where, lp_date *d);
/* An amount written as a decimal string with up to two decimals. */
lp_cents lp_rec_money(const json_t *r, const char *path, const char *where);

/* A non-negative integer (ids, numbers, keys); null gives -1 when nullable. */
long long lp_rec_int(const json_t *r, const char *path, int nullable, const char *where);

#endif
