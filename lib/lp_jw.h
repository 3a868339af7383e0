/* lp_jw.h - a buffer writer for records of a fixed shape, byte for byte what lp_out writes.
 *
 * A filter that builds many output records of a known shape (map-compensation's loket.*)
 * writes them here instead of building jansson objects and dumping them: no allocation per
 * value, one pass. The text is exactly what lp_out() (json_dumpb with JSON_COMPACT, then
 * lp_json_untag) writes for the same object built with the same keys in the same order:
 * strings escaped as jansson escapes them (\" \\ \b \f \n \r \t, other controls \u00XX in
 * upper-case hex, everything else, U+2028 and DEL included, as is; the input is valid UTF-8),
 * integers as %lld, a lp_json tagged decimal string as its bare number. tests/fuzz/jw.c checks
 * this against jansson.
 *
 *	lp_jw w = LP_JW_INIT;
 *	lp_jw_obj(&w); lp_jw_key(&w, "type"); lp_jw_str(&w, "loket.wage"); ... lp_jw_end(&w);
 *	lp_jw_line(&w);            one line on standard output, the buffer emptied for the next
 *	lp_jw_free(&w);
 *
 * Commas and colons are the writer's: a key, then one value (a scalar, or an object or array
 * opened, filled and ended). Nesting up to LP_JW_DEPTH levels.
 */
#ifndef LP_JW_H
#define LP_JW_H

#include <jansson.h>
#include <stddef.h>

#define LP_JW_DEPTH 32

typedef struct {
	char *buf;
	size_t len, cap;
	int depth, after_key;
	unsigned char more[LP_JW_DEPTH]; /* a value written at this depth: the next needs a comma */
	char close[LP_JW_DEPTH];         /* '}' or ']' */
} lp_jw;

#define LP_JW_INIT {NULL, 0, 0, 0, 0, {0}, {0}}

void lp_jw_obj(lp_jw *w);
void lp_jw_arr(lp_jw *w);
void lp_jw_end(lp_jw *w);           /* closes the innermost object or array */
void lp_jw_key(lp_jw *w, const char *key);
void lp_jw_keyn(lp_jw *w, const char *key, size_t n); /* a key of n bytes (NUL allowed) */
void lp_jw_str(lp_jw *w, const char *s); /* NULL: null */
void lp_jw_strn(lp_jw *w, const char *s, size_t n);
void lp_jw_int(lp_jw *w, long long v);
void lp_jw_bool(lp_jw *w, int v);
void lp_jw_null(lp_jw *w);
/* Any jansson value as lp_out writes it (NULL: null), objects in their keys' order (a real,
 * which loketpipe never makes, and what is nested deeper than LP_JW_DEPTH by jansson). */
void lp_jw_json(lp_jw *w, const json_t *v);

/* The text so far (not NUL-terminated) and its length. */
const char *lp_jw_text(const lp_jw *w, size_t *len);
/* Empty the buffer for the next record (the memory is kept). */
void lp_jw_reset(lp_jw *w);
/* Write the record as one line on standard output (lp_out_raw) and reset; a write error exits
 * 7 with lp_out_error()'s message. */
void lp_jw_line(lp_jw *w);
void lp_jw_free(lp_jw *w);

#endif
