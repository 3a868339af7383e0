/* lp_jw.c - see lp_jw.h */
#include "lp_jw.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"

#include <stdlib.h>
#include <string.h>

static void grow(lp_jw *w, size_t more)
{
	if (w->len + more <= w->cap)
		return;
	size_t c = w->cap ? w->cap : 1024;
	while (c < w->len + more)
		c *= 2;
	w->buf = lp_xrealloc(w->buf, c);
	w->cap = c;
}

static inline void put(lp_jw *w, const char *s, size_t n)
{
	grow(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void putc1(lp_jw *w, char c)
{
	grow(w, 1);
	w->buf[w->len++] = c;
}

/* before a value: the comma of an array element, or nothing after a key */
static inline void sep(lp_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->more[w->depth])
		putc1(w, ',');
	w->more[w->depth] = 1;
}

static void begin(lp_jw *w, char c)
{
	sep(w);
	if (w->depth + 1 >= LP_JW_DEPTH)
		lp_die(LP_EXIT_IO, "lp_jw: nested deeper than %d", LP_JW_DEPTH);
	putc1(w, c);
	w->more[++w->depth] = 0;
	w->close[w->depth] = c == '{' ? '}' : ']';
}

void lp_jw_obj(lp_jw *w) { begin(w, '{'); }
void lp_jw_arr(lp_jw *w) { begin(w, '['); }

void lp_jw_end(lp_jw *w)
{
	if (w->depth == 0)
		lp_die(LP_EXIT_IO, "lp_jw: an end without an object or array");
	putc1(w, w->close[w->depth--]);
}

/* jansson's escapes (dump.c, dump_string without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH) */
static void escaped(lp_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	grow(w, n + 2);
	w->buf[w->len++] = '"';
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		char e[6] = {'\\', 0, 0, 0, 0, 0};
		size_t el = 2;
		switch (c) {
		case '"': e[1] = '"'; break;
		case '\\': e[1] = '\\'; break;
		case '\b': e[1] = 'b'; break;
		case '\f': e[1] = 'f'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		case '\t': e[1] = 't'; break;
		default:
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			el = 6;
		}
		put(w, e, el);
	}
	put(w, s + run, n - run);
	putc1(w, '"');
}

/* a tagged decimal (or what looks like one) goes through jansson and lp_json_untag, exactly
 * as lp_out writes it */
static void via_jansson(lp_jw *w, const json_t *v)
{
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
	if (n == 0)
		lp_die(LP_EXIT_IO, "lp_jw: a value jansson cannot write");
	grow(w, n);
	json_dumpb(v, w->buf + w->len, n, JSON_COMPACT | JSON_ENCODE_ANY);
	w->len += lp_json_untag(w->buf + w->len, n);
}

void lp_jw_keyn(lp_jw *w, const char *key, size_t n)
{
	if (w->more[w->depth])
		putc1(w, ',');
	w->more[w->depth] = 1;
	escaped(w, key, n);
	putc1(w, ':');
	w->after_key = 1;
}

void lp_jw_key(lp_jw *w, const char *key) { lp_jw_keyn(w, key, strlen(key)); }

void lp_jw_strn(lp_jw *w, const char *s, size_t n)
{
	sep(w);
	if (n && s[0] == LP_JSON_DEC_TAG) {
		json_t *t = json_stringn(s, n);
		if (!t)
			lp_die(LP_EXIT_IO, "lp_jw: a string that is not UTF-8");
		via_jansson(w, t);
		json_decref(t);
		return;
	}
	escaped(w, s, n);
}

void lp_jw_str(lp_jw *w, const char *s)
{
	if (!s)
		lp_jw_null(w);
	else
		lp_jw_strn(w, s, strlen(s));
}

void lp_jw_int(lp_jw *w, long long v)
{
	sep(w);
	char b[24], *e = b + sizeof b, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(e - p));
}

void lp_jw_bool(lp_jw *w, int v)
{
	sep(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void lp_jw_null(lp_jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void lp_jw_json(lp_jw *w, const json_t *v)
{
	if (!v || json_is_null(v))
		lp_jw_null(w);
	else if (json_is_string(v))
		lp_jw_strn(w, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		lp_jw_int(w, (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		lp_jw_bool(w, json_is_true(v));
	else if (json_is_object(v) && w->depth + 1 < LP_JW_DEPTH) {
		const char *k;
		size_t kn;
		json_t *m;
		lp_jw_obj(w);
		json_object_keylen_foreach((json_t *)v, k, kn, m) {
			lp_jw_keyn(w, k, kn);
			lp_jw_json(w, m);
		}
		lp_jw_end(w);
	} else if (json_is_array(v) && w->depth + 1 < LP_JW_DEPTH) {
		lp_jw_arr(w);
		for (size_t i = 0; i < json_array_size(v); i++)
			lp_jw_json(w, json_array_get(v, i));
		lp_jw_end(w);
	} else { /* a real (loketpipe makes none), or nested deeper than the writer goes */
		sep(w);
		via_jansson(w, v);
	}
}

const char *lp_jw_text(const lp_jw *w, size_t *len)
{
	*len = w->len;
	return w->buf ? w->buf : "";
}

void lp_jw_reset(lp_jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->after_key = 0;
	w->more[0] = 0;
}

void lp_jw_line(lp_jw *w)
{
	if (lp_out_raw(w->buf, w->len))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
	lp_jw_reset(w);
}

void lp_jw_free(lp_jw *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}
