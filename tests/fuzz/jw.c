/* jw.c - libFuzzer harness: lib/lp_jw (the buffer writer of map-compensation's records) against
 * what lp_out writes (jansson's json_dumpb, then lp_json_untag: lp_json_dumps).
 *
 * Properties:
 *   - the input bytes as a string (when they are UTF-8, as every string loketpipe reads is):
 *     lp_jw_strn writes exactly what lp_out writes for json_stringn of them, and as an object
 *     key (lp_jw_keyn, when they hold no NUL, which jansson keys cannot) exactly what lp_out
 *     writes for that object; so does lp_jw_str for the text up to a NUL;
 *   - the input read by jansson as any JSON value (NUL allowed in strings, no lp_json pre-scan,
 *     so strings may start with the decimal tag): lp_jw_json writes exactly lp_out's text, and
 *     again after the writer was reset (nothing of an earlier record stays behind).
 * A key that starts with the decimal tag is left out of both: lp_json_untag turns it into a bare
 * number, which is not JSON (lp_jw keeps it a string); no reader lets such a key in (lp_json
 * refuses U+001F in any string) and no key loketpipe writes has one.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_jw.h"

FUZZ_INIT("fuzz-jw", (void)0)

static lp_jw w = LP_JW_INIT;

/* a key anywhere in v that starts with the decimal tag */
static int tag_key(const json_t *v)
{
	const char *k;
	json_t *m;
	if (json_is_array(v))
		for (size_t i = 0; i < json_array_size(v); i++)
			if (tag_key(json_array_get(v, i)))
				return 1;
	if (json_is_object(v))
		json_object_foreach((json_t *)v, k, m)
			if (k[0] == LP_JSON_DEC_TAG || tag_key(m))
				return 1;
	return 0;
}

static void check(const json_t *v)
{
	char *want = lp_json_dumps(v);
	size_t n;
	const char *got = lp_jw_text(&w, &n);
	FUZZ_CHECK(n == strlen(want) && !memcmp(got, want, n));
	free(want);
	lp_jw_reset(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	json_t *str = json_stringn(s, size);
	if (str) {
		lp_jw_strn(&w, s, size);
		check(str);
		json_decref(str);
		if (!memchr(s, '\0', size) && !(size && s[0] == LP_JSON_DEC_TAG)) {
			json_t *o = json_object();
			json_object_setn_new_nocheck(o, s, size, json_integer((json_int_t)size));
			lp_jw_obj(&w);
			lp_jw_keyn(&w, s, size);
			lp_jw_int(&w, (long long)size);
			lp_jw_end(&w);
			check(o);
			json_decref(o);
		} else {
			char *c = strndup(s, size);
			json_t *t = json_string(c);
			lp_jw_str(&w, c);
			check(t);
			json_decref(t);
			free(c);
		}
	}
	json_error_t e;
	json_t *v = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	if (v && !tag_key(v)) {
		lp_jw_json(&w, v);
		check(v);
		lp_jw_arr(&w); /* a record left half written, then reset: the next starts clean */
		lp_jw_key(&w, "x");
		lp_jw_reset(&w);
		lp_jw_json(&w, v);
		check(v);
	}
	json_decref(v);
	return 0;
}
