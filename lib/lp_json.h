/* lp_json.h - JSON parsing without binary floating point.
 *
 * jansson turns every number with a fraction or an exponent into a C double. Money must
 * never pass through one, so lp_json_loadb() first rewrites each such number token of the
 * input into a JSON string holding the exact digits ("4166.67" instead of 4166.67) and only
 * then lets jansson parse it. Integers stay integers (json_int_t is 64-bit). Consumers read
 * amounts with lp_money_from_json(), which accepts an integer or such a decimal string.
 * No json_real is ever created or written by loketpipe.
 */
#ifndef LP_JSON_H
#define LP_JSON_H

#include <jansson.h>
#include <stddef.h>

/* Parse exactly one JSON value from buf (len bytes). Rejects duplicate object keys.
 * On error returns NULL and fills err (line/column/text as jansson does). */
json_t *lp_json_loadb(const char *buf, size_t len, json_error_t *err);

/* Serialise compactly (object keys in insertion order). Caller frees. */
char *lp_json_dumps(const json_t *v);

/* Small getters: NULL when absent or of another type. */
const char *lp_json_str(const json_t *obj, const char *key);
json_t *lp_json_obj(const json_t *obj, const char *key);
json_t *lp_json_arr(const json_t *obj, const char *key);

/* Set key to a string, or to null when s is NULL. */
void lp_json_set_str(json_t *obj, const char *key, const char *s);

#endif
