/* lp_money.c - see lp_money.h */
#include "lp_money.h"
#include "lp_json.h"

#include <stdio.h>
#include <string.h>

int lp_dec_parse(const char *s, int scale, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	char digits[64];
	int nd = 0, point = -1; /* point = number of integer digits */
	long exp = 0;

	if (!s || scale < 0 || scale > 9)
		return LP_DEC_SYNTAX;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!(*p >= '0' && *p <= '9') && !(*p == '.' && p[1] >= '0' && p[1] <= '9'))
		return LP_DEC_SYNTAX;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (nd == 0 && *p == '0' && point < 0)
				continue; /* leading zero of the integer part */
			if (nd >= (int)sizeof digits - 1) {
				/* only trailing fraction zeros may be dropped */
				if (point >= 0 && *p == '0')
					continue;
				return point >= 0 ? LP_DEC_PRECISION : LP_DEC_RANGE;
			}
			digits[nd++] = *p;
		} else if (*p == '.' && point < 0) {
			point = nd;
		} else
			break;
	}
	if (point < 0)
		point = nd;
	if (*p == 'e' || *p == 'E') {
		int eneg = 0;
		p++;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		if (!(*p >= '0' && *p <= '9'))
			return LP_DEC_SYNTAX;
		for (; *p >= '0' && *p <= '9'; p++) {
			exp = exp * 10 + (*p - '0');
			if (exp > 100)
				return LP_DEC_RANGE;
		}
		if (eneg)
			exp = -exp;
	}
	if (*p)
		return LP_DEC_SYNTAX;
	/* value = 0.digits * 10^(point+exp); we want digits shifted so that `scale`
	 * decimals remain: integer = digits[0 .. point+exp+scale) and the rest must be 0. */
	long intlen = point + exp + scale;
	int64_t v = 0;
	for (long i = 0; i < nd; i++) {
		if (i >= intlen) {
			if (digits[i] != '0')
				return LP_DEC_PRECISION;
			continue;
		}
		if (v > (LP_MONEY_MAX - (digits[i] - '0')) / 10)
			return LP_DEC_RANGE;
		v = v * 10 + (digits[i] - '0');
	}
	for (long i = nd; i < intlen; i++) {
		if (v > LP_MONEY_MAX / 10)
			return LP_DEC_RANGE;
		v *= 10;
	}
	*out = neg ? -v : v;
	return LP_DEC_OK;
}

char *lp_dec_fmt(int64_t v, int scale, char *buf)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t pow = 1;
	for (int i = 0; i < scale; i++)
		pow *= 10;
	if (scale == 0)
		snprintf(buf, 32, "%s%llu", v < 0 ? "-" : "", (unsigned long long)u);
	else
		snprintf(buf, 32, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(u / pow), scale,
			 (unsigned long long)(u % pow));
	return buf;
}

int lp_money_parse(const char *s, lp_cents *out)
{
	return lp_dec_parse(s, 2, out);
}

int lp_money_from_json(const json_t *v, lp_cents *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i > LP_MONEY_MAX / 100 || i < -LP_MONEY_MAX / 100)
			return LP_DEC_RANGE;
		*out = (lp_cents)i * 100;
		return LP_DEC_OK;
	}
	if (json_is_string(v))
		return lp_money_parse(lp_json_text(v), out);
	return LP_DEC_SYNTAX;
}

char *lp_money_fmt(lp_cents c, char buf[32])
{
	return lp_dec_fmt(c, 2, buf);
}

const char *lp_dec_strerror(int err)
{
	switch (err) {
	case LP_DEC_OK: return "ok";
	case LP_DEC_SYNTAX: return "not a decimal number";
	case LP_DEC_PRECISION: return "more decimals than allowed";
	case LP_DEC_RANGE: return "number out of range";
	}
	return "bad number";
}

int64_t lp_div_round(int64_t num, int64_t den)
{
	if (den < 0) {
		num = -num;
		den = -den;
	}
	int64_t q = num / den, r = num % den; /* C99: truncates toward zero */
	if (r < 0)
		r = -r;
	if (r >= den - r) /* r*2 >= den without overflow */
		q += num < 0 ? -1 : 1;
	return q;
}
