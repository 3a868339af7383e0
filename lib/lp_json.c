/* lp_json.c - see lp_json.h */
#include "lp_json.h"
#include "lp_cli.h"
#include "lp_jalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Length of the number-like run at p: the characters a number token is made of, and letters
 * and dots after them (so "0x10", "1.2.3" and "2e" are seen whole), 0 if none. */
static size_t number_len(const char *p, const char *end, int *fractional)
{
	const char *q = p;
	*fractional = 0;
	while (q < end) {
		char c = *q;
		if ((c >= '0' && c <= '9') || c == '-' || c == '+')
			q++;
		else if (c == '.' || c == 'e' || c == 'E') {
			*fractional = 1;
			q++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			q++;
		else
			break;
	}
	return (size_t)(q - p);
}

static size_t number_token(const char *s, size_t n);

/* err's line, column (1-based; in characters, as jansson counts them, not bytes: a UTF-8
 * continuation byte is no column of its own) and position of p in buf; the rest cleared */
static void err_at(json_error_t *err, const char *buf, const char *p)
{
	memset(err, 0, sizeof *err);
	int line = 1, col = 0;
	for (const char *q = buf; q < p; q++)
		if (*q == '\n') {
			line++;
			col = 0;
		} else if ((*q & 0xC0) != 0x80)
			col++;
	err->line = line;
	err->column = col + 1;
	err->position = (int)(p - buf);
}

/* err for the invalid number run p[0..n) of buf: its text, line and column */
static void bad_number(const char *buf, const char *p, size_t n, json_error_t *err)
{
	if (!err)
		return;
	err_at(err, buf, p);
	int show = n > 40 ? 40 : (int)n;
	char t[48];
	int k = 0;
	for (int i = 0; i < show; i++) /* the run is ASCII by construction */
		t[k++] = p[i];
	t[k] = '\0';
	snprintf(err->text, sizeof err->text, "invalid number '%s%s'", t, n > 40 ? "..." : "");
}

/* Scan once; if no fractional number is outside a string, return NULL (use buf as is).
 * Otherwise return a malloc'd copy where those numbers are quoted. A number-like run outside
 * a string that is not exactly one JSON number token ("1.", "-.5", "01.5", "2e", "1.2.3",
 * "1e5e5", "--1.5", "+1", ".5", "0x10", "-Infinity") stops the scan: *badp and *badn say
 * where (the one place numbers are checked: jansson's own check never sees a quoted one). */
static char *quote_fractions(const char *buf, size_t len, size_t *outlen, int *tagged, const char **badp, size_t *badn)
{
	const char *p = buf, *end = buf + len;
	char *out = NULL;
	size_t o = 0, cap = 0;
	const char *copied = buf; /* everything before this is already in out */
	/* where an object key stands (after '{', and after ',' in an object) a number is left as
	 * it is, for jansson to refuse: quoted, {1.5: 2} would be an object with a key (found by
	 * tests/fuzz/json). Containers deeper than the stack are past jansson's depth limit anyway. */
	unsigned char in_obj[4096];
	size_t depth = 0;
	int key = 0;

	while (p < end) {
		char c = *p;
		if (c == '{' || c == '[') {
			if (depth < sizeof in_obj)
				in_obj[depth] = c == '{';
			depth++;
			key = c == '{';
		} else if (c == '}' || c == ']') {
			if (depth)
				depth--;
			key = 0;
		} else if (c == ',')
			key = depth && depth <= sizeof in_obj && in_obj[depth - 1];
		else if (c == ':')
			key = 0;
		if (c == '"') {
			key = 0;
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end) {
					p++;
					if (*p == 'u' && end - p >= 5 && strncasecmp(p, "u001f", 5) == 0)
						*tagged = 1; /* the decimal tag inside a real string: refused */
				}
				p++;
			}
			if (p < end)
				p++;
			continue;
		}
		if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
			int frac;
			size_t n = number_len(p, end, &frac);
			if (!number_token(p, n)) {
				*badp = p;
				*badn = n;
				free(out);
				return NULL;
			}
			if (frac && !key) {
				size_t need = (size_t)(p - copied) + n + 8;
				if (o + need + 1 > cap) {
					cap = (o + need + 1) * 2 + len / 4;
					out = lp_xrealloc(out, cap);
				}
				memcpy(out + o, copied, (size_t)(p - copied));
				o += (size_t)(p - copied);
				out[o++] = '"';
				memcpy(out + o, "\\u001f", 6);
				o += 6;
				memcpy(out + o, p, n);
				o += n;
				out[o++] = '"';
				copied = p + n;
			}
			p += n;
			continue;
		}
		p++;
	}
	if (!out)
		return NULL;
	size_t rest = (size_t)(end - copied);
	if (o + rest + 1 > cap)
		out = lp_xrealloc(out, o + rest + 1);
	memcpy(out + o, copied, rest);
	o += rest;
	out[o] = '\0';
	*outlen = o;
	return out;
}

json_t *lp_json_loadb_ref(const char *buf, size_t len, json_error_t *err)
{
	size_t qlen = 0;
	int tagged = 0;
	const char *badp = NULL;
	size_t badn = 0;
	char *q = quote_fractions(buf, len, &qlen, &tagged, &badp, &badn);
	if (badp) {
		bad_number(buf, badp, badn, err);
		return NULL;
	}
	if (tagged) {
		free(q);
		if (err) {
			memset(err, 0, sizeof *err);
			snprintf(err->text, sizeof err->text, "a string holds the control character U+001F");
		}
		return NULL;
	}
	json_t *v = json_loadb(q ? q : buf, q ? qlen : len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, err);
	free(q);
	return v;
}

/* Length of a JSON number token at s (whole string), 0 if it is not exactly one. */
static size_t number_token(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n ? i : 0;
}

json_t *lp_json_dec(const char *digits)
{
	size_t n = strlen(digits);
	if (n > 60 || !number_token(digits, n))
		return NULL;
	char b[64];
	b[0] = LP_JSON_DEC_TAG;
	memcpy(b + 1, digits, n + 1);
	return json_string(b);
}

const char *lp_json_text(const json_t *v)
{
	const char *s = json_string_value(v);
	if (s && *s == LP_JSON_DEC_TAG)
		s++;
	return s;
}

size_t lp_json_untag(char *buf, size_t n)
{
	size_t r = 0, w = 0;
	while (r < n) {
		if (buf[r] == '"' && n - r >= 8 && buf[r + 1] == '\\' && strncasecmp(buf + r + 2, "u001f", 5) == 0) {
			size_t e = r + 7;
			while (e < n && buf[e] != '"')
				e++;
			size_t len = e - (r + 7);
			if (e < n && len && number_token(buf + r + 7, len)) {
				memmove(buf + w, buf + r + 7, len);
				w += len;
				r = e + 1;
				continue;
			}
		}
		if (buf[r] == '"') { /* copy a whole string, escapes included */
			buf[w++] = buf[r++];
			while (r < n && buf[r] != '"') {
				if (buf[r] == '\\' && r + 1 < n)
					buf[w++] = buf[r++];
				buf[w++] = buf[r++];
			}
			if (r < n)
				buf[w++] = buf[r++];
			continue;
		}
		buf[w++] = buf[r++];
	}
	return w;
}

char *lp_json_dumps(const json_t *v)
{
	int was = lp_jalloc_arena_pause(); /* the caller frees the text with free() */
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	lp_jalloc_arena_resume(was);
	if (!s)
		lp_die(LP_EXIT_IO, "out of memory");
	s[lp_json_untag(s, strlen(s))] = '\0';
	return s;
}

const char *lp_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	/* a fractional number is a tagged string inside: a number, not a string (found by
	 * tests/fuzz/personio: "category": 850.0 reached an issue message with the tag in it,
	 * which the next program refused) */
	return s && *s == LP_JSON_DEC_TAG ? NULL : s;
}

json_t *lp_json_obj(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

json_t *lp_json_arr(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

void lp_json_set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, s ? json_string(s) : json_null());
}

/* A JSON number (an integer or a tagged decimal) in a canonical text: no leading zeros, no
 * trailing fractional zeros ("4250.00" -> "4250", "-0.50" -> "-0.5"). 0 when v is no number. */
static int num_canon(const json_t *v, char *out, size_t n)
{
	char buf[64];
	const char *s;
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = buf;
	} else if (json_is_string(v) && json_string_value(v)[0] == LP_JSON_DEC_TAG)
		s = json_string_value(v) + 1;
	else
		return 0;
	if (strpbrk(s, "eE")) { /* loketpipe writes none; compared as written */
		snprintf(out, n, "%s", s);
		return 1;
	}
	int neg = *s == '-';
	s += neg;
	while (s[0] == '0' && s[1] && s[1] != '.')
		s++;
	size_t l = strlen(s);
	const char *dot = strchr(s, '.');
	if (dot) {
		while (l > (size_t)(dot - s) + 1 && s[l - 1] == '0')
			l--;
		if (s[l - 1] == '.')
			l--;
	}
	int zero = l == 1 && s[0] == '0';
	snprintf(out, n, "%s%.*s", neg && !zero ? "-" : "", (int)l, s);
	return 1;
}

static int holds_at(const json_t *want, const json_t *have, char *path, size_t at, size_t cap)
{
	char a[80], b[80];
	if (json_is_object(want)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)want, k, v) {
			size_t l = (size_t)snprintf(path + at, cap - at, "%s%s", at ? "." : "", k);
			size_t next = at + l < cap ? at + l : cap - 1;
			if (!holds_at(v, json_is_object(have) ? json_object_get(have, k) : NULL, path, next, cap))
				return 0;
			path[at] = '\0';
		}
		return 1;
	}
	if (json_is_array(want)) {
		if (!json_is_array(have) || json_array_size(have) != json_array_size(want))
			return 0;
		for (size_t i = 0; i < json_array_size(want); i++) {
			size_t l = (size_t)snprintf(path + at, cap - at, "[%zu]", i);
			size_t next = at + l < cap ? at + l : cap - 1;
			if (!holds_at(json_array_get(want, i), json_array_get(have, i), path, next, cap))
				return 0;
			path[at] = '\0';
		}
		return 1;
	}
	if (json_is_null(want))
		return !have || json_is_null(have);
	if (num_canon(want, a, sizeof a))
		return have && num_canon(have, b, sizeof b) && !strcmp(a, b);
	return have && json_equal(want, have);
}

int lp_json_holds(const json_t *want, const json_t *have, char *diff, size_t n)
{
	char path[512] = "";
	int ok = holds_at(want, have, path, 0, sizeof path);
	if (!ok && diff && n)
		snprintf(diff, n, "%s", path[0] ? path : "(the whole record)");
	return ok;
}

/* ---- the record parser ----------------------------------------------------------------
 *
 * lp_json_loadb parses the bytes in memory in one pass and builds the jansson tree with
 * jansson's own constructors (so every consumer, json_decref and the dumpers see the same
 * values as before). What it saves against json_loadb: jansson reads through a stream one
 * byte at a time (a UTF-8 check and a position update per byte), copies every string and key
 * byte by byte into a buffer, mallocs each key only to copy it again into the object, and
 * lp_json_loadb_ref scanned the whole text once more before that to quote fractional numbers.
 * Here a string without escapes goes from the input straight into json_stringn_nocheck (one
 * copy, the one jansson's value needs), a key straight into the object, and a fractional
 * number becomes its tagged string at once.
 *
 * It refuses what lp_json_loadb_ref refuses, and nothing else (tests/fuzz/json checks both on
 * every input): jansson's JSON_REJECT_DUPLICATES | JSON_DECODE_ANY grammar and limits, the
 * exact number tokens of number_token(), and the decimal tag U+001F inside a real string. */

#define LP_JSON_MAX_DEPTH 2048 /* JSON_PARSER_MAX_DEPTH: values, scalars included */

typedef struct {
	const unsigned char *p, *end, *buf;
	int depth;
	json_error_t *err;
	int failed;
	char *scratch; /* decoded strings with escapes */
	size_t scap, sused; /* sused: the most of it ever written, wiped before it is freed */
} jparse;

/* byte classes inside a string: 0 plain ASCII, 1 '"', 2 '\\', 3 control, 4 >= 0x80 */
static const unsigned char str_class[256] = {
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

/* the error at q: line, column (characters), position (bytes), as jansson counts them */
static void jp_fail(jparse *j, const unsigned char *q, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void jp_fail(jparse *j, const unsigned char *q, const char *fmt, ...)
{
	if (j->failed)
		return;
	j->failed = 1;
	if (!j->err)
		return;
	json_error_t *e = j->err;
	err_at(e, (const char *)j->buf, (const char *)(q < j->end ? q : j->end));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof e->text, fmt, ap);
	va_end(ap);
}

static void jp_ws(jparse *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

/* the length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 if invalid: the checks
 * of jansson's utf8_check_first and utf8_check_full */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned u = p[0];
	size_t n;
	unsigned v;
	if (u >= 0xC2 && u <= 0xDF) {
		n = 2;
		v = u & 0x1F;
	} else if (u >= 0xE0 && u <= 0xEF) {
		n = 3;
		v = u & 0x0F;
	} else if (u >= 0xF0 && u <= 0xF4) {
		n = 4;
		v = u & 0x07;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
		return 0;
	return n;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
	if (end - p < 4)
		return -1;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void scratch_need(jparse *j, size_t n)
{
	if (n > j->scap) {
		size_t c = j->scap ? j->scap : 256;
		while (c < n)
			c *= 2;
		j->scratch = lp_xrealloc(j->scratch, c);
		j->scap = c;
	}
}

/* The string at j->p (just past its opening quote): its text in *s, *n (in the input when it
 * has no escapes, else decoded into j->scratch); j->p after the closing quote. 0 or -1. */
static int jp_string(jparse *j, const char **s, size_t *n)
{
	const unsigned char *start = j->p, *q = j->p, *end = j->end;
	for (;;) {
		while (q < end && str_class[*q] == 0)
			q++;
		if (q >= end) {
			jp_fail(j, q, "premature end of input");
			return -1;
		}
		unsigned c = str_class[*q];
		if (c == 1) {
			*s = (const char *)start;
			*n = (size_t)(q - start);
			j->p = q + 1;
			return 0;
		}
		if (c == 4) {
			size_t k = utf8_seq(q, end);
			if (!k) {
				jp_fail(j, q, "unable to decode byte 0x%x", *q);
				return -1;
			}
			q += k;
			continue;
		}
		if (c == 3) {
			jp_fail(j, q, *q == '\n' ? "unexpected newline" : "control character 0x%x", *q);
			return -1;
		}
		break; /* an escape: decode from here on */
	}
	/* the decoded text is never longer than the source */
	size_t have = (size_t)(q - start);
	scratch_need(j, (size_t)(end - start) + 1);
	char *o = j->scratch;
	memcpy(o, start, have);
	o += have;
	for (;;) {
		if (q >= end) {
			jp_fail(j, q, "premature end of input");
			goto fail;
		}
		unsigned c = str_class[*q];
		if (c == 0) {
			*o++ = (char)*q++;
			continue;
		}
		if (c == 1)
			break;
		if (c == 3) {
			jp_fail(j, q, *q == '\n' ? "unexpected newline" : "control character 0x%x", *q);
			goto fail;
		}
		if (c == 4) {
			size_t k = utf8_seq(q, end);
			if (!k) {
				jp_fail(j, q, "unable to decode byte 0x%x", *q);
				goto fail;
			}
			memcpy(o, q, k);
			o += k;
			q += k;
			continue;
		}
		/* '\\' */
		if (end - q < 2) {
			jp_fail(j, end, "premature end of input");
			goto fail;
		}
		unsigned char e = q[1];
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char to[] = "\"\\/\b\f\n\r\t";
			*o++ = to[simple - "\"\\/bfnrt"];
			q += 2;
			continue;
		}
		if (e != 'u') {
			jp_fail(j, q, "invalid escape");
			goto fail;
		}
		int v = hex4(q + 2, end);
		if (v < 0) {
			jp_fail(j, q, "invalid escape");
			goto fail;
		}
		const unsigned char *esc = q;
		q += 6;
		long cp = v;
		if (v >= 0xD800 && v <= 0xDBFF) {
			int w = q + 1 < end && q[0] == '\\' && q[1] == 'u' ? hex4(q + 2, end) : -2;
			if (w == -1) {
				jp_fail(j, q, "invalid escape");
				goto fail;
			}
			if (w < 0xDC00 || w > 0xDFFF) {
				jp_fail(j, esc, "invalid Unicode '\\u%04X'", (unsigned)v);
				goto fail;
			}
			q += 6;
			cp = 0x10000 + ((long)(v - 0xD800) << 10) + (w - 0xDC00);
		} else if (v >= 0xDC00 && v <= 0xDFFF) {
			jp_fail(j, esc, "invalid Unicode '\\u%04X'", (unsigned)v);
			goto fail;
		}
		if (cp == 0) {
			jp_fail(j, esc, "\\u0000 is not allowed");
			goto fail;
		}
		if (cp == LP_JSON_DEC_TAG) {
			jp_fail(j, esc, "a string holds the control character U+001F");
			goto fail;
		}
		if (cp < 0x80)
			*o++ = (char)cp;
		else if (cp < 0x800) {
			*o++ = (char)(0xC0 | (cp >> 6));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*o++ = (char)(0xE0 | (cp >> 12));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*o++ = (char)(0xF0 | (cp >> 18));
			*o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
			*o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*o++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*s = j->scratch;
	*n = (size_t)(o - j->scratch);
	j->p = q + 1;
	if (*n > j->sused)
		j->sused = *n;
	return 0;
fail:
	if ((size_t)(o - j->scratch) > j->sused)
		j->sused = (size_t)(o - j->scratch);
	return -1;
}

/* the number run at j->p: an integer, or the tagged string of a fractional number */
static json_t *jp_number(jparse *j)
{
	const unsigned char *p = j->p;
	int frac;
	size_t n = number_len((const char *)p, (const char *)j->end, &frac);
	if (!number_token((const char *)p, n)) {
		j->failed = 1;
		bad_number((const char *)j->buf, (const char *)p, n, j->err);
		return NULL;
	}
	j->p += n;
	if (frac) {
		char b[128], *t = n + 1 <= sizeof b ? b : lp_xmalloc(n + 1);
		t[0] = LP_JSON_DEC_TAG;
		memcpy(t + 1, p, n);
		json_t *v = json_stringn_nocheck(t, n + 1);
		if (t != b)
			free(t);
		return v;
	}
	/* strtoll's range: -9223372036854775808 .. 9223372036854775807 */
	int neg = *p == '-';
	const unsigned char *d = p + neg, *e = p + n;
	unsigned long long u = 0, lim = neg ? 9223372036854775808ULL : 9223372036854775807ULL;
	for (; d < e; d++) {
		unsigned dig = (unsigned)(*d - '0');
		if (u > (lim - dig) / 10) {
			jp_fail(j, p + n, neg ? "too big negative integer" : "too big integer");
			return NULL;
		}
		u = u * 10 + dig;
	}
	json_int_t v = neg ? (u == 9223372036854775808ULL ? (json_int_t)(-9223372036854775807LL - 1) : -(json_int_t)u)
			   : (json_int_t)u;
	return json_integer(v);
}

/* after a member or an element: ',' (1: another follows), the closing bracket (0: done), else
 * the error "'}' expected" or "']' expected" (-1) */
static int jp_sep(jparse *j, unsigned char close)
{
	jp_ws(j);
	if (j->p < j->end && *j->p == ',') {
		j->p++;
		jp_ws(j);
		return 1;
	}
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	jp_fail(j, j->p, "'%c' expected", close);
	return -1;
}

static json_t *jp_value(jparse *j);

static void wipe_free(char *p, size_t n)
{
	explicit_bzero(p, n);
	free(p);
}

static json_t *jp_object(jparse *j)
{
	json_t *o = json_object();
	if (!o)
		lp_die(LP_EXIT_IO, "out of memory");
	jp_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return o;
	}
	for (;;) {
		if (j->p >= j->end || *j->p != '"') {
			jp_fail(j, j->p, "string or '}' expected");
			goto bad;
		}
		j->p++;
		const char *k;
		size_t kn;
		if (jp_string(j, &k, &kn))
			goto bad;
		/* a key with escapes lives in the scratch buffer, which the value may reuse */
		char kb[256], *key = (char *)k;
		if (k == j->scratch) {
			key = kn < sizeof kb ? kb : lp_xmalloc(kn + 1);
			memcpy(key, k, kn);
		}
		jp_ws(j);
		if (j->p >= j->end || *j->p != ':') {
			jp_fail(j, j->p, "':' expected");
			if (key != k && key != kb)
				wipe_free(key, kn);
			goto bad;
		}
		j->p++;
		jp_ws(j);
		json_t *v = jp_value(j);
		if (!v) {
			if (key != k && key != kb)
				wipe_free(key, kn);
			goto bad;
		}
		size_t before = json_object_size(o);
		int r = json_object_setn_new_nocheck(o, key, kn, v);
		if (key != k && key != kb)
			wipe_free(key, kn);
		if (r)
			lp_die(LP_EXIT_IO, "out of memory");
		if (json_object_size(o) == before) { /* the key was there: jansson replaced its value */
			jp_fail(j, j->p, "duplicate object key");
			goto bad;
		}
		int more = jp_sep(j, '}');
		if (more < 0)
			goto bad;
		if (!more)
			return o;
	}
bad:
	json_decref(o);
	return NULL;
}

static json_t *jp_array(jparse *j)
{
	json_t *a = json_array();
	if (!a)
		lp_die(LP_EXIT_IO, "out of memory");
	jp_ws(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return a;
	}
	for (;;) {
		json_t *v = jp_value(j);
		if (!v)
			goto bad;
		if (json_array_append_new(a, v))
			lp_die(LP_EXIT_IO, "out of memory");
		int more = jp_sep(j, ']');
		if (more < 0)
			goto bad;
		if (!more)
			return a;
	}
bad:
	json_decref(a);
	return NULL;
}

static int jp_word(jparse *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return 0;
	const unsigned char *q = j->p + n; /* jansson reads a word as all its letters */
	if (q < j->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
		return 0;
	j->p = q;
	return 1;
}

static json_t *jp_value(jparse *j)
{
	if (++j->depth > LP_JSON_MAX_DEPTH) {
		jp_fail(j, j->p, "maximum parsing depth reached");
		return NULL;
	}
	json_t *v = NULL;
	if (j->p >= j->end) {
		jp_fail(j, j->p, "unexpected token near end of file");
		return NULL;
	}
	unsigned char c = *j->p;
	switch (c) {
	case '{':
		j->p++;
		v = jp_object(j);
		break;
	case '[':
		j->p++;
		v = jp_array(j);
		break;
	case '"': {
		j->p++;
		const char *s;
		size_t n;
		if (jp_string(j, &s, &n))
			return NULL;
		v = json_stringn_nocheck(s, n);
		break;
	}
	case 't':
		if (jp_word(j, "true", 4))
			v = json_true();
		break;
	case 'f':
		if (jp_word(j, "false", 5))
			v = json_false();
		break;
	case 'n':
		if (jp_word(j, "null", 4))
			v = json_null();
		break;
	default:
		if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'))
			v = jp_number(j);
		break;
	}
	if (!v && !j->failed) { /* the word as jansson shows it: "invalid token near 'Infinity'" */
		const unsigned char *q = j->p;
		while (q < j->end && q - j->p < 20 && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
			q++;
		if (q > j->p)
			jp_fail(j, j->p, "invalid token near '%.*s'", (int)(q - j->p), (const char *)j->p);
		else
			jp_fail(j, j->p, "invalid token");
	}
	if (v)
		j->depth--;
	return v;
}

json_t *lp_json_loadb(const char *buf, size_t len, json_error_t *err)
{
	jparse j = {(const unsigned char *)buf, (const unsigned char *)buf + len, (const unsigned char *)buf, 0, err,
		    0, NULL, 0, 0};
	jp_ws(&j);
	json_t *v = jp_value(&j);
	if (v) {
		jp_ws(&j);
		if (j.p < j.end) {
			jp_fail(&j, j.p, "end of file expected");
			json_decref(v);
			v = NULL;
		} else if (err) {
			memset(err, 0, sizeof *err);
			err->position = (int)len;
		}
	}
	/* what was decoded may be a secret's (jansson's parser decoded into jansson's blocks, which
	 * lp_jalloc wipes once a secret was read): wiped, as a long key's copy is */
	if (j.scratch)
		explicit_bzero(j.scratch, j.sused);
	free(j.scratch);
	return v;
}
