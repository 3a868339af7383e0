/* lp_json.h - JSON parsing without binary floating point.
 *
 * jansson turns every number with a fraction or an exponent into a C double. Money must
 * never pass through one, so lp_json_loadb() first rewrites each such number token of the
 * input into a JSON string holding the exact digits ("4166.67" instead of 4166.67) and only
 * then lets jansson parse it. Integers stay integers (json_int_t is 64-bit). Consumers read
 * amounts with lp_money_from_json(), which accepts an integer or such a decimal string.
 * No json_real is ever created or written by loketpipe.
 *
 * Numbers stay numbers on the way out: the string made from a fractional number starts with
 * the tag byte LP_JSON_DEC_TAG (U+001F, a control character that the loader refuses inside
 * real strings), and every writer (lp_out, lp_json_dumps) turns such a tagged string back
 * into the bare number token. So a record that is read and written again keeps 4166.67 as a
 * JSON number, and a filter can put an exact decimal number into a request body with
 * lp_json_dec(). Read any text that may be such a number with lp_json_text().
 */
#ifndef LP_JSON_H
#define LP_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Parse exactly one JSON value from buf (len bytes; no NUL needed at the end). Rejects
 * duplicate object keys, invalid UTF-8, unpaired surrogates, \u0000, control characters in
 * strings, integers beyond 64 bits, nesting deeper than jansson's 2048 values, and every
 * number-like run that is not exactly one JSON number token. On error returns NULL and fills
 * err (line, column, position, text). One pass over the bytes in memory, building the jansson
 * tree directly (no jansson parser, no copy of the input): see lp_json.c. */
json_t *lp_json_loadb(const char *buf, size_t len, json_error_t *err);
/* The reference reader lp_json_loadb replaced: fractional numbers quoted by a pre-scan, then
 * jansson's json_loadb. Kept only so tests and tests/fuzz/json can check that both accept
 * the same inputs and build the same trees; never used by a program. */
json_t *lp_json_loadb_ref(const char *buf, size_t len, json_error_t *err);

#define LP_JSON_DEC_TAG '\x1f'

/* A JSON number with exactly these digits (e.g. "4166.67", "-12.5"); NULL if digits is not
 * a JSON number token. */
json_t *lp_json_dec(const char *digits);
/* The text of a string value without the decimal tag; NULL when v is not a string. */
const char *lp_json_text(const json_t *v);
/* Rewrite the tagged decimal strings of serialised JSON (buf, n bytes) into bare numbers, in
 * place; returns the new length. */
size_t lp_json_untag(char *buf, size_t n);

/* Serialise compactly (object keys in insertion order). Caller frees. */
char *lp_json_dumps(const json_t *v);

/* Small getters: NULL when absent or of another type (lp_json_str: a fractional number, a
 * tagged string inside, is a number and no string). */
const char *lp_json_str(const json_t *obj, const char *key);
json_t *lp_json_obj(const json_t *obj, const char *key);
json_t *lp_json_arr(const json_t *obj, const char *key);

/* Whether have holds every value of want: each member of a want object is held by the same
 * member of have (members have has beyond want's do not matter, so a metadata object {key}
 * is held by {key, value}), arrays element by element, numbers by exact value (4250.00 and
 * 4250 are the same; no double is made), a want null by null or absence. When not held and
 * diff is given, the dotted path of the first difference goes there. */
int lp_json_holds(const json_t *want, const json_t *have, char *diff, size_t n);

/* Set key to a string, or to null when s is NULL. */
void lp_json_set_str(json_t *obj, const char *key, const char *s);

#endif
