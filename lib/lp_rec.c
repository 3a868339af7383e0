/* lp_rec.c - see lp_rec.h */
#include "lp_rec.h"
#include "lp_cli.h"
#include "lp_json.h"

#include <stdlib.h>
#include <string.h>

const json_t *lp_rec_get(const json_t *r, const char *path)
{
	char buf[128];
	size_t n = strlen(path);
	if (n && n < sizeof buf && !memchr(path, '.', n)) /* one key (most fields): no copy of it */
		return json_is_object(r) ? json_object_get(r, path) : NULL;
	const json_t *v = r;
	while (v && *path) {
		size_t l = strcspn(path, ".");
		if (l >= sizeof buf)
			return NULL;
		memcpy(buf, path, l);
		buf[l] = '\0';
		v = json_is_object(v) ? json_object_get(v, buf) : NULL;
		path += l + (path[l] == '.');
	}
	return v;
}

static _Noreturn void bad(const char *where, const char *path, const char *want)
{
	lp_die_at(LP_EXIT_DATA, where, path, "expected %s", want);
}

const char *lp_rec_str(const json_t *r, const char *path, int nullable, const char *where)
{
	const json_t *v = lp_rec_get(r, path);
	if (json_is_string(v))
		return lp_json_text(v);
	if (nullable && json_is_null(v))
		return NULL;
	bad(where, path, nullable ? "a string or null" : "a string");
}

int lp_rec_bool(const json_t *r, const char *path, int nullable, const char *where)
{
	const json_t *v = lp_rec_get(r, path);
	if (json_is_boolean(v))
		return json_is_true(v);
	if (nullable && json_is_null(v))
		return -1;
	bad(where, path, nullable ? "true, false or null" : "true or false");
}

int lp_rec_date(const json_t *r, const char *path, int nullable, const char *where, lp_date *d)
{
	const json_t *v = lp_rec_get(r, path);
	if (nullable && json_is_null(v))
		return 1;
	if (json_is_string(v) && lp_date_parse(json_string_value(v), d) == 0)
		return 0;
	bad(where, path, nullable ? "a date YYYY-MM-DD or null" : "a date YYYY-MM-DD");
}

lp_cents lp_rec_money(const json_t *r, const char *path, const char *where)
{
	const json_t *v = lp_rec_get(r, path);
	lp_cents c;
	if (!json_is_string(v) || lp_money_parse(lp_json_text(v), &c) != LP_DEC_OK)
		bad(where, path, "an amount as a decimal string with at most two decimals, e.g. \"4166.67\"");
	return c;
}

long long lp_rec_int(const json_t *r, const char *path, int nullable, const char *where)
{
	const json_t *v = lp_rec_get(r, path);
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (long long)json_integer_value(v);
	if (nullable && json_is_null(v))
		return -1;
	bad(where, path, nullable ? "a whole number (0 or more) or null" : "a whole number (0 or more)");
}
