/* hours.c - the hours records, one at a time: checked, mapped and summed into their cell.
 *
 * Nothing of a record is kept but its sum in a cell, its employee (once per employee number)
 * and a bit for its day and code (the duplicate check): memory grows with the employees and
 * cells, not with the records. A record without a client or an employee number cannot be
 * given to anyone and stops everything (exit 3); every other problem is a finding for its
 * employee, who is then left out of the file (hcm.h: finding). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcm.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_rec.h"

static struct employee *employee_of(struct run *r, long long number)
{
	char key[24];
	void *v;
	snprintf(key, sizeof key, "%lld", number);
	if (lp_map_get(r->employees, key, &v))
		return v;
	struct employee *e = lp_xmalloc(sizeof *e);
	memset(e, 0, sizeof *e);
	e->number = number;
	lp_map_put(r->employees, key, e);
	*LP_VEC_PUSH(&r->emps) = e;
	return e;
}

static void claim(struct run *r, long long number, const char *client)
{
	char key[24];
	snprintf(key, sizeof key, "%lld", number);
	if (!lp_map_get(r->claims, key, NULL))
		lp_map_put(r->claims, key, (void *)keep(r, client));
}

/* An hour code: 1-64 bytes of text, no control characters, no space at either end. */
static int code_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* The quantity: a decimal string (or number) 0.00..999.99 with at most two decimals. 0 ok;
 * else -1 after the finding. */
static int quantity(struct run *r, struct employee *e, const json_t *rec, const char *where, lp_cents *h)
{
	const char *s = lp_json_text(json_object_get(rec, "hours"));
	if (!s) {
		finding(r, "error", "H1", e, -1, "hours", where, NULL, "hours: expected a decimal string such as \"7.50\"");
		return -1;
	}
	size_t p = s[0] == '-', dig = strspn(s + p, "0123456789");
	if (!dig || (s[p + dig] && (s[p + dig] != '.' || !s[p + dig + 1] || strspn(s + p + dig + 1, "0123456789") != strlen(s + p + dig + 1)))) {
		finding(r, "error", "H1", e, -1, "hours", where, NULL, "hours: '%.40s' is not a decimal number", s);
		return -1;
	}
	int rc = lp_dec_parse(s, 2, h);
	if (rc == LP_DEC_PRECISION) {
		finding(r, "error", "H1", e, -1, "hours", where, "hours are exact to the hundredth (1h15 = 1.25)",
			"hours: '%.40s' has more than two decimals", s);
		return -1;
	}
	if (rc || *h >= HCM_MAX_CELL) {
		finding(r, "error", "H1", e, -1, "hours", where, NULL, "hours: '%.40s': 1 000 hours or more in one record", s);
		return -1;
	}
	if (*h < 0) {
		finding(r, "error", "H1", e, -1, "hours", where, NULL, "hours: '%.40s' is negative", s);
		return -1;
	}
	return 0;
}

/* The days bitmap of e's code (made on first use). */
static unsigned char *days_of(struct run *r, struct employee *e, const char *code)
{
	for (size_t i = 0; i < e->codes.n; i++)
		if (!strcmp(e->codes.v[i].code, code))
			return e->codes.v[i].days;
	struct code_days *c = LP_VEC_PUSH(&e->codes);
	c->code = lp_xstrdup(code);
	c->days = lp_xmalloc((size_t)r->ndays / 8 + 1);
	memset(c->days, 0, (size_t)r->ndays / 8 + 1);
	return c->days;
}

static void unmapped(struct run *r, const char *code, lp_cents h)
{
	void *v;
	if (!lp_map_get(r->unmapped_by_code, code, &v)) {
		struct unmapped *u = lp_xmalloc(sizeof *u);
		memset(u, 0, sizeof *u);
		u->code = lp_xstrdup(code);
		lp_map_put(r->unmapped_by_code, code, u);
		*LP_VEC_PUSH(&r->unmapped) = u;
		v = u;
	}
	((struct unmapped *)v)->hours += h;
	((struct unmapped *)v)->records++;
	r->hours_unmapped += h;
}

/* The one employment of e on day, or NULL after the finding (H2: never a guess). */
static const struct employment *employment_on(struct run *r, struct employee *e, lp_date day, const char *where)
{
	char key[24], ds[11];
	void *v = NULL;
	snprintf(key, sizeof key, "%lld", e->number);
	if (!lp_map_get(r->ems_by_number, key, &v)) {
		if (!e->said_not_in_loket)
			finding(r, "error", "H2", e, -1, "employee_number", where, "check the employee number in the time registration",
				"employee number %lld is not in Loket (no employment in the current state)", e->number);
		else
			e->errors++;
		e->said_not_in_loket = 1;
		return NULL;
	}
	const struct emlist *l = v;
	const struct employment *hit = NULL;
	int n = 0;
	long long inc[2] = {-1, -1};
	for (size_t i = 0; i < l->v.n; i++) {
		const struct employment *m = &r->ems.v[l->v.v[i]];
		if (m->start <= day && day <= m->end) {
			if (n < 2)
				inc[n] = m->income_number;
			n++;
			hit = m;
		}
	}
	if (n == 0) {
		finding(r, "error", "H2", e, -1, "date", where, NULL, "no employment in Loket on %s", lp_date_fmt(day, ds));
		return NULL;
	}
	if (n > 1) {
		finding(r, "error", "H2", e, -1, "date", where, "end one of them in Loket",
			"%d employments in Loket on %s (income numbers %lld and %lld): not guessed", n, lp_date_fmt(day, ds), inc[0], inc[1]);
		return NULL;
	}
	if (hit->payroll_id < 0) {
		if (!e->said_no_payroll_id)
			finding(r, "error", "H2", e, -1, "payroll_id", where, NULL,
				"employment %s (income number %lld) has no payrollId in the current state", hit->id, hit->income_number);
		else
			e->errors++;
		e->said_no_payroll_id = 1;
		return NULL;
	}
	return hit;
}

static struct row *row_of(struct run *r, const struct employment *m, struct employee *e, long long du)
{
	char key[48];
	void *v;
	snprintf(key, sizeof key, "%lld/%lld", m->payroll_id, du);
	if (lp_map_get(r->rows, key, &v))
		return v;
	struct row *w = lp_xmalloc(sizeof *w);
	w->m = m;
	w->e = e;
	w->du = du;
	w->val = lp_xmalloc(r->ncols * sizeof *w->val);
	w->has = lp_xmalloc(r->ncols);
	memset(w->val, 0, r->ncols * sizeof *w->val);
	memset(w->has, 0, r->ncols);
	lp_map_put(r->rows, key, w);
	*LP_VEC_PUSH(&r->rowv) = w;
	return w;
}

static size_t column_of(const struct run *r, long long comp)
{
	size_t lo = 0, hi = r->ncols;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->cols[mid] < comp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo; /* comp is a column: the columns are hours.codes' components */
}

/* where (the input's FILE:LINE) and, when the record says, where it came from: "FILE:LINE
 * (SHEET.csv:LINE)" or "FILE:LINE (Personio attendance ID)" */
static const char *origin(const json_t *rec, const char *where, char *buf, size_t n)
{
	const json_t *src = json_object_get(rec, "source");
	const char *kind = lp_json_str(src, "kind"), *file = lp_json_str(src, "file"), *id = lp_json_str(src, "id");
	const json_t *line = json_object_get(src, "line");
	if (kind && !strcmp(kind, "csv") && file && json_is_integer(line))
		snprintf(buf, n, "%s (%.200s:%lld)", where, file, (long long)json_integer_value(line));
	else if (kind && !strcmp(kind, "personio-attendance") && id)
		snprintf(buf, n, "%s (Personio attendance %.64s)", where, id);
	else
		return where;
	return buf;
}

/* An error issue of the hours' source (hours-from-csv, extract-hours) naming an employee of the
 * client: a row or an attendance of theirs is missing from the records, so the employee is left
 * out rather than written with part of their hours (Overwrite would replace the period's value
 * with the part). */
static void source_error(struct run *r, const json_t *rec, const char *where)
{
	const char *type = lp_json_str(rec, "type"), *sev = lp_json_str(rec, "severity"), *client = lp_json_str(rec, "client");
	const char *num = lp_json_str(rec, "employee_number");
	long long n = 0;
	size_t len = num ? strlen(num) : 0;
	if (strcmp(type, "issue") || !sev || strcmp(sev, "error") || !client || strcmp(client, r->cfg->client) || len < 1 ||
	    len > 9 || strspn(num, "0123456789") != len)
		return;
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (num[i] - '0');
	struct employee *e = employee_of(r, n);
	if (lp_config_hours_skip(r->cfg, n)) {
		e->skip = 1;
		return;
	}
	if (!e->said_source_error)
		finding(r, "error", "H5", e, -1, NULL, where, "correct the source and export again",
			"the hours source left some of the employee's hours out (%.200s): the employee is left out, not written "
			"with part of the hours", lp_json_str(rec, "source") ? lp_json_str(rec, "source") : "its issue record");
	else
		e->errors++;
	e->said_source_error = 1;
}

static void one(struct run *r, const json_t *rec, const char *at)
{
	const char *where = at; /* the input's place: for what stops everything */
	const char *type = lp_json_str(rec, "type");
	if (!strcmp(type, "stream_end")) {
		if (lp_rec_bool(rec, "complete", 0, where) != 1)
			lp_die_at(LP_EXIT_DATA, where, "complete",
				  "the hours input is incomplete (its source failed): no file is written from part of the hours");
		return;
	}
	if (strcmp(type, "hours")) {
		r->other_types++;
		source_error(r, rec, where);
		return;
	}
	r->hours_records++;
	const char *client = lp_rec_str(rec, "client", 0, where);
	long long number = lp_rec_int(rec, "employee_number", 0, where);
	char obuf[4600];
	where = origin(rec, at, obuf, sizeof obuf); /* the findings name the record's origin too */
	if (strcmp(client, r->cfg->client)) {
		if (r->account.by_client && lp_map_get(r->account.by_client, client, NULL)) {
			claim(r, number, client); /* another integration's employee (H2) */
			r->account_records++;
			return;
		}
		r->foreign_records++;
		finding(r, "error", "H3", NULL, number, "client", where, "give its configuration with --account-config, or leave it out",
			"a record of client '%.64s', not of %s: left out", client, r->cfg->client);
		return;
	}
	struct employee *e = employee_of(r, number);
	const json_t *pid = json_object_get(rec, "personio_id");
	if (!e->personio_id && json_is_string(pid))
		e->personio_id = (char *)keep(r, json_string_value(pid));
	lp_cents h = 0;
	if (lp_config_hours_skip(r->cfg, number)) { /* left out whatever its records hold (H2) */
		e->skip = 1;
		const char *s = lp_json_text(json_object_get(rec, "hours"));
		if (s && !lp_dec_parse(s, 2, &h) && h > 0 && h < HCM_MAX_CELL) {
			e->hours += h;
			r->hours_not_imported += h;
		}
		return;
	}
	if (json_is_string(pid) && strcmp(e->personio_id, json_string_value(pid))) { /* H2: never two people's hours in one row */
		if (!e->said_two_persons)
			finding(r, "error", "H2", e, -1, "personio_id", where, "give each Personio employee an Employee number of their own",
				"employee number %lld is two Personio employees (%.64s and %.64s): not guessed", number, e->personio_id,
				json_string_value(pid));
		else
			e->errors++;
		e->said_two_persons = 1;
	}
	int bad = quantity(r, e, rec, where, &h);
	if (!bad) {
		e->hours += h;
		r->hours_read += h;
	}
	const char *ds = lp_json_str(rec, "date"), *code = lp_json_str(rec, "hour_code");
	lp_date day = 0;
	if (!ds || lp_date_parse(ds, &day)) {
		finding(r, "error", "H3", e, -1, "date", where, NULL, "date: expected YYYY-MM-DD");
		bad = 1;
	} else if (day < r->from || day > r->to) {
		char a[11], b[11];
		finding(r, "error", "H3", e, -1, "date", where, "make a file per date range; the import's year and range must match",
			"date %s is outside the file's range %s..%s", ds, lp_date_fmt(r->from, a), lp_date_fmt(r->to, b));
		bad = 1;
	}
	if (!code || !code_ok(code)) {
		finding(r, "error", "H1", e, -1, "hour_code", where, NULL,
			"hour_code: expected 1-64 characters of text without control characters or a space at either end");
		bad = 1;
	}
	const json_t *du = json_object_get(rec, "distribution_unit");
	if (du && !json_is_null(du) && (!json_is_integer(du) || json_integer_value(du) < 0)) {
		finding(r, "error", "H3", e, -1, "distribution_unit", where, NULL,
			"distribution_unit: expected Loket's distribution unit code (a whole number) or null");
		bad = 1;
	}
	if (bad)
		return;
	long long comp = lp_config_hour_component(r->cfg, code);
	if (comp < 0) { /* H1: left out, reported per code at the end */
		unmapped(r, code, h);
		return;
	}
	unsigned char *days = days_of(r, e, code);
	int d = (int)(day - r->from);
	if (days[d / 8] & (1u << (d % 8)))
		finding(r, "warning", "H1", e, -1, "hour_code", where, "check the time registration for a double entry",
			"hours of code %s on %s again: summed", code, ds);
	days[d / 8] |= (unsigned char)(1u << (d % 8));
	const struct employment *m = employment_on(r, e, day, where);
	if (!m)
		return;
	long long unit = -1;
	if (json_is_integer(du)) {
		if (r->cfg->hours.distribution_unit)
			unit = (long long)json_integer_value(du);
		else
			r->du_ignored++;
	}
	struct row *w = row_of(r, m, e, unit);
	size_t col = column_of(r, comp);
	w->val[col] += h; /* each < 1000 hours: no overflow; the cell's sum is checked at the end */
	w->has[col] = 1;
}

void read_hours(struct run *r, char *const *paths, int n)
{
	lp_in *in = lp_in_open(paths, n);
	r->in = in;
	json_t *rec;
	int got;
	char where[4200];
	while ((got = lp_in_next(in, &rec)) == 1) {
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		r->records++;
		one(r, rec, where);
		json_decref(rec);
	}
	if (got < 0)
		exit(lp_in_error(in));
	lp_in_close(in);
	r->in = NULL;
}
