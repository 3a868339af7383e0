/* lp_json.c - see lp_json.h */
#include "lp_json.h"
#include "lp_cli.h"

#include <string.h>

/* Length of the number token at p (JSON grammar characters only), 0 if none. */
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
		} else
			break;
	}
	return (size_t)(q - p);
}

/* Scan once; if no fractional number is outside a string, return NULL (use buf as is).
 * Otherwise return a malloc'd copy where those numbers are quoted. */
static char *quote_fractions(const char *buf, size_t len, size_t *outlen)
{
	const char *p = buf, *end = buf + len;
	char *out = NULL;
	size_t o = 0, cap = 0;
	const char *copied = buf; /* everything before this is already in out */

	while (p < end) {
		char c = *p;
		if (c == '"') {
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			p++;
			continue;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			int frac;
			size_t n = number_len(p, end, &frac);
			if (frac) {
				size_t need = (size_t)(p - copied) + n + 2;
				if (o + need + 1 > cap) {
					cap = (o + need + 1) * 2 + len / 4;
					out = lp_xrealloc(out, cap);
				}
				memcpy(out + o, copied, (size_t)(p - copied));
				o += (size_t)(p - copied);
				out[o++] = '"';
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
	char *q = quote_fractions(buf, len, &qlen);
	json_t *v = json_loadb(q ? q : buf, q ? qlen : len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, err);
	free(q);
	return v;
}

char *lp_json_dumps(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		lp_die(LP_EXIT_IO, "out of memory");
	return s;
}

const char *lp_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
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
