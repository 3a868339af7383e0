/* json.c - libFuzzer harness: lp_json_loadb (lib/lp_json) against the reader it replaced
 * (lp_json_loadb_ref: a pre-scan quoting fractional numbers, then jansson) and jansson itself.
 *
 * Properties:
 *   - lp_json_loadb and lp_json_loadb_ref accept exactly the same inputs (an input with a NUL
 *     byte aside: jansson takes one right after a top-level number for the end, lp_json_loadb
 *     refuses it) and build the same tree: the same values, the object members in the same
 *     order (what a filter writes out depends on it);
 *   - every input jansson reads (with the same flags) and that has no \u001f (the decimal tag,
 *     refused by lp_json on purpose) is read by lp_json_loadb to the same value: the same
 *     types, strings and integers (an input with a NUL byte aside: jansson reads "7\0" as 7), and each real jansson makes is the exact digits lp_json
 *     keeps (strtod of them is the same double);
 *   - lp_json_loadb accepts nothing jansson refuses, but for a real too large for a double
 *     (lp_json keeps the digits and never makes one);
 *   - what lp_json_dumps writes is read back (by lp_json and by jansson) to the same value.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_json.h"

#include <strings.h>

static int same(const json_t *j, const json_t *l)
{
	if (json_is_real(j)) {
		const char *t = json_is_string(l) ? json_string_value(l) : NULL;
		if (!t || t[0] != LP_JSON_DEC_TAG)
			return 0;
		return strtod(t + 1, NULL) == json_real_value(j);
	}
	if (json_typeof(j) != json_typeof(l))
		return 0;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (json_object_size(j) != json_object_size(l))
			return 0;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			json_t *w = json_object_get(l, k);
			if (!w || !same(v, w))
				return 0;
		}
		return 1;
	}
	case JSON_ARRAY:
		if (json_array_size(j) != json_array_size(l))
			return 0;
		for (size_t i = 0; i < json_array_size(j); i++)
			if (!same(json_array_get(j, i), json_array_get(l, i)))
				return 0;
		return 1;
	case JSON_STRING:
		return json_string_length(j) == json_string_length(l) &&
		       !memcmp(json_string_value(j), json_string_value(l), json_string_length(j));
	case JSON_INTEGER:
		return json_integer_value(j) == json_integer_value(l);
	default:
		return 1; /* true, false, null */
	}
}

/* the same tree, object members in the same order */
static int identical(const json_t *a, const json_t *b)
{
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
		for (; ia && ib; ia = json_object_iter_next((json_t *)a, ia), ib = json_object_iter_next((json_t *)b, ib)) {
			size_t la = json_object_iter_key_len(ia), lb = json_object_iter_key_len(ib);
			if (la != lb || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), la) ||
			    !identical(json_object_iter_value(ia), json_object_iter_value(ib)))
				return 0;
		}
		return !ia && !ib;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!identical(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

static int has_tag_escape(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++)
		if (p[i] == '\\' && !strncasecmp((const char *)p + i + 1, "u001f", 5))
			return 1;
	return 0;
}

FUZZ_INIT("fuzz-json", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;
	json_error_t je, le;
	json_t *j = json_loadb((const char *)data, size, flags, &je);
	json_t *l = lp_json_loadb((const char *)data, size, &le);
	json_error_t re;
	json_t *r = lp_json_loadb_ref((const char *)data, size, &re);
	if (!memchr(data, 0, size)) {
		FUZZ_CHECK(!r == !l);
		FUZZ_CHECK(!r || identical(r, l));
	} else
		FUZZ_CHECK(!l || r); /* with a NUL byte: never more than the reference */
	json_decref(r);
	/* (jansson takes a NUL byte right after a top-level number for the end: lp_json does not) */
	if (j && !has_tag_escape(data, size) && !memchr(data, 0, size)) {
		FUZZ_CHECK(l != NULL);
		FUZZ_CHECK(same(j, l));
	}
	if (l && !j)
		FUZZ_CHECK(strstr(je.text, "overflow") != NULL);
	if (!l)
		FUZZ_CHECK(le.text[0] != '\0'); /* every refusal says why */
	if (l) {
		char *s = lp_json_dumps(l);
		FUZZ_CHECK(s != NULL);
		json_t *back = lp_json_loadb(s, strlen(s), &le);
		FUZZ_CHECK(back != NULL);
		FUZZ_CHECK(json_equal(back, l));
		if (j) {
			json_t *jb = json_loadb(s, strlen(s), flags, &je);
			FUZZ_CHECK(jb != NULL);
			FUZZ_CHECK(same(jb, l));
			json_decref(jb);
		}
		json_decref(back);
		free(s);
	}
	json_decref(j);
	json_decref(l);
	return 0;
}
