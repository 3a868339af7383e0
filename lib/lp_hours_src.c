/* lp_hours_src.c - see lp_hours_src.h */
#include "lp_hours_src.h"
#include "lp_json.h"
#include "lp_money.h"

#include <string.h>

int lp_hours_code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= 64 && strspn(s, LP_HOURS_CODE_CHARS) == n;
}

int lp_hours_employee_number(const char *s, long long *out)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 1 || n > 9 || strspn(s, "0123456789") != n)
		return -1;
	long long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	*out = v;
	return 0;
}

json_t *lp_hours_record(const char *client, long long employee_number, const char *personio_id, lp_date date,
			const char *hour_code, int64_t hundredths, long long distribution_unit, json_t *source)
{
	char d[11], h[32];
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("hours"));
	json_object_set_new(o, "client", json_string(client));
	json_object_set_new(o, "employee_number", json_integer((json_int_t)employee_number));
	lp_json_set_str(o, "personio_id", personio_id);
	json_object_set_new(o, "date", json_string(lp_date_fmt(date, d)));
	json_object_set_new(o, "hour_code", json_string(hour_code));
	json_object_set_new(o, "hours", json_string(lp_dec_fmt(hundredths, 2, h)));
	json_object_set_new(o, "distribution_unit",
			    distribution_unit < 0 ? json_null() : json_integer((json_int_t)distribution_unit));
	json_object_set_new(o, "source", source);
	return o;
}

char *lp_hours_show(const char *s, char buf[48])
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && o < 40; p++)
		buf[o++] = *p >= 0x20 && *p < 0x7f ? (char)*p : '?';
	if (s && strlen(s) > 40) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

char *lp_utf8_fix(char *s)
{
	for (unsigned char *p = (unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 && *p >= 0xc2 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			: (*p & 0xf8) == 0xf0 && *p <= 0xf4 ? 3 : -1;
		int k = 0;
		while (n > 0 && k < n && (p[k + 1] & 0xc0) == 0x80)
			k++;
		/* a whole sequence, but not an overlong one or a surrogate (jansson refuses both) */
		if (n == 2 && k == 2 && ((*p == 0xe0 && p[1] < 0xa0) || (*p == 0xed && p[1] >= 0xa0)))
			k = -1;
		if (n == 3 && k == 3 && ((*p == 0xf0 && p[1] < 0x90) || (*p == 0xf4 && p[1] >= 0x90)))
			k = -1;
		if (n < 0 || k < n) {
			*p++ = '?';
			continue;
		}
		p += 1 + n;
	}
	return s;
}
