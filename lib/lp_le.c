/* lp_le.c - see lp_le.h */
#include "lp_le.h"
#include "lp_json.h"
#include "lp_le_benefit.h"
#include "lp_le_concept.h"
#include "lp_le_ppd.h"
#include "lp_le_wage.h"
#include "lp_rec.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

json_t *lp_le_money_num(lp_cents c)
{
	char b[32];
	return lp_json_dec(lp_money_fmt(c, b));
}

json_t *lp_le_money_str(lp_cents c)
{
	char b[32];
	return json_string(lp_money_fmt(c, b));
}

json_t *lp_le_date_str(lp_date d)
{
	char b[16];
	return json_string(lp_date_fmt(d, b));
}

/* what a plan's path may hold: Loket's paths are ids, names and one {placeholder} at most */
#define PATH_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_.{}"

/* 1 when path holds exactly one placeholder segment, "/{name}" with letters only. */
static int placeholder_ok(const char *path)
{
	const char *a = strchr(path, '{'), *b = a ? strchr(a, '}') : NULL;
	if (!b || a[-1] != '/' || b == a + 1 || (b[1] && b[1] != '/') || strpbrk(b + 1, "{}"))
		return 0;
	for (const char *p = a + 1; p < b; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return 0;
	return 1;
}

int lp_le_path_ok(const char *path, int placeholder)
{
	return !strncmp(path, "/providers/", 11) && !strstr(path, "..") && strspn(path, PATH_CHARS) == strlen(path) &&
	       (placeholder ? placeholder_ok(path) : !strpbrk(path, "{}"));
}

json_t *lp_le_bsn_body(const char *bsn)
{
	return json_pack("{s:s}", "citizenServiceNumber", bsn);
}

int lp_le_same_record(const char *entity, const json_t *body, const json_t *item)
{
	static const struct {
		const char *entity;
		const char *const *(*identity)(void);
	} ids[] = {
		{"wage", lp_le_wage_identity},
		{"benefit_deduction", lp_le_benefit_identity},
		{"concept_employee", lp_le_concept_identity},
		{"variable_input", lp_le_ppd_identity},
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		if (strcmp(ids[i].entity, entity))
			continue;
		for (const char *const *f = ids[i].identity(); *f; f++) {
			const json_t *x = lp_rec_get(body, *f), *y = lp_rec_get(item, *f);
			if (!x || !y || !json_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 0;
}

json_t *lp_le_copy(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? json_deep_copy(v) : json_null();
}

json_t *lp_le_money_of(const json_t *v, const char *what, char *err, size_t n)
{
	lp_cents c;
	char b[32];
	if (lp_money_from_json(v, &c) != LP_DEC_OK) {
		snprintf(err, n, "%s: not an amount with at most two decimals", what);
		return NULL;
	}
	return json_string(lp_money_fmt(c, b));
}

json_t *lp_le_amount_of(const json_t *v, const char *what, lp_cents min, lp_cents max, char *err, size_t n)
{
	lp_cents c;
	char b[32], lo[32], hi[32];
	json_t *r = lp_le_money_of(v, what, err, n);
	if (!r || (lp_money_from_json(v, &c) == LP_DEC_OK && c >= min && c <= max))
		return r;
	json_decref(r);
	snprintf(err, n, "%s: %s is outside %s .. %s, the range Loket holds", what, lp_money_fmt(c, b), lp_money_fmt(min, lo),
		 lp_money_fmt(max, hi));
	return NULL;
}

json_t *lp_le_metadata_of(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_object(v))
		return json_null();
	json_t *key = json_object_get(v, "key"), *val = json_object_get(v, "value");
	return json_pack("{s:O,s:O}", "key", json_is_integer(key) ? key : json_null(), "value",
			 json_is_string(val) ? val : json_null());
}

int lp_le_uuid_ok(const char *s)
{
	static const int len[] = {8, 4, 4, 4, 12};
	if (!s)
		return 0;
	for (int g = 0; g < 5; g++) {
		for (int i = 0; i < len[g]; i++, s++)
			if (!isxdigit((unsigned char)*s))
				return 0;
		if (*s != (g < 4 ? '-' : '\0'))
			return 0;
		s++;
	}
	return 1;
}
