/* lp_json.c - see lp_json.h */
#include "lp_json.h"
#include "lp_cli.h"

#include <stdio.h>
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

/* err for the invalid number run p[0..n) of buf: its text, line and column (1-based). */
static void bad_number(const char *buf, const char *p, size_t n, json_error_t *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
	int line = 1;
	const char *ls = buf;
	for (const char *q = buf; q < p; q++)
		if (*q == '\n') {
			line++;
			ls = q + 1;
		}
	err->line = line;
	err->column = (int)(p - ls) + 1;
	err->position = (int)(p - buf);
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

json_t *lp_json_loadb(const char *buf, size_t len, json_error_t *err)
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
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
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
