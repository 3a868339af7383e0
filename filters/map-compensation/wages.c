/* wages.c - map-compensation's loket.wage records: the basic wage chain from the
 * compensation start date (S1, S2, S3, K1); monthly as is, annual / 12 (rounded half away
 * from zero), hourly as an hourly wage; always the 100% FTE amount.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "lp_cli.h"
#include "lp_le_wage.h"
#include "lp_range.h"

struct wrow {
	const struct comp *c;
	lp_date from, end;
	int has_end, hourly;
	lp_cents v;
};

static int cmp_from(const void *a, const void *b)
{
	const struct comp *x = *(const struct comp *const *)a, *y = *(const struct comp *const *)b;
	return x->from < y->from ? -1 : x->from > y->from ? 1 : 0;
}

/* The rows of the n salaries s (sorted by start) into row, *nr of them; 1 when one of them
 * holds back the chain (E2, issues written). */
static int wage_rows(const lp_config *cfg, const struct person *p, struct comp **s, size_t n, struct wrow *row,
		     size_t *nr)
{
	lp_date start = cfg->compensation.start_date;
	int bad = 0;
	char d1[16], msg[400], hint[200];
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && s[i + 1]->from == s[i]->from) {
			held_back(cfg, p, s[i], "effective_from", "end one of them in Personio (a person has one salary at a time)",
				  "salaries %s and %s both start on %s; which one counts cannot be guessed, so no salary of "
				  "this employee is synced", s[i]->cid, s[i + 1]->cid, lp_date_human(s[i]->from, d1));
			bad = 1;
		}
		struct wrow *r = &row[*nr];
		r->c = s[i];
		r->from = s[i]->from < start ? start : s[i]->from;
		r->has_end = 0;
		r->end = 0;
		if (i + 1 < n) {
			r->end = s[i + 1]->from - 1;
			r->has_end = 1;
		}
		if (s[i]->has_to && (!r->has_end || s[i]->to < r->end)) {
			r->end = s[i]->to;
			r->has_end = 1;
		}
		if (r->has_end && r->end < r->from)
			continue; /* superseded or ended before the compensation start date */
		r->hourly = !strcmp(s[i]->interval, "hourly");
		r->v = !strcmp(s[i]->interval, "yearly") ? lp_div_round(s[i]->amount, 12) : s[i]->amount;
		(*nr)++;
		if (!lp_range_salary(s[i]->cid, s[i]->amount, s[i]->interval, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of salary %s in Personio; until then Loket keeps this "
			 "employee's wages as they are", s[i]->cid);
		held_back(cfg, p, s[i], "amount", hint, "%s; no salary of this employee is synced", msg);
		bad = 1;
	}
	return bad;
}

static void write_wage(const lp_config *cfg, const struct person *p, const struct wrow *r)
{
	char a[32], d1[16], d2[11];
	lp_jw *w = base("loket.wage", cfg->client, p);
	lp_jw_key(w, "start_date");
	lp_jw_str(w, lp_date_fmt(r->from, d1));
	lp_jw_key(w, "end_date");
	lp_jw_str(w, r->has_end ? lp_date_fmt(r->end, d2) : NULL);
	lp_jw_key(w, "gross_wage");
	lp_jw_str(w, lp_money_fmt(r->v, a));
	lp_jw_key(w, "gross_wage_type");
	lp_jw_obj(w);
	lp_jw_key(w, "key");
	lp_jw_int(w, r->hourly ? LP_LE_WAGE_HOURLY : LP_LE_WAGE_PERIODIC);
	lp_jw_end(w);
	lp_jw_key(w, "basis");
	lp_jw_str(w, r->hourly ? "hourly" : !strcmp(r->c->interval, "yearly") ? "yearly_divided_by_12" : "monthly");
	lp_jw_key(w, "compensation_id");
	lp_jw_str(w, r->c->cid);
	done(w);
}

/* A salary Loket would not take (lp_range.h), or two salaries starting on one day, hold back
 * the whole chain of that employee (E2): diff-loket then leaves Loket's wages as they are,
 * as for S4. */
void wages(const lp_config *cfg, const struct person *p)
{
	struct comp **s = lp_xmalloc((p->comps.n ? p->comps.n : 1) * sizeof *s);
	struct wrow *row = lp_xmalloc((p->comps.n ? p->comps.n : 1) * sizeof *row);
	size_t n = 0, nr = 0;
	for (size_t i = 0; i < p->comps.n; i++)
		if (!strcmp(p->comps.v[i].kind, "salary"))
			s[n++] = &p->comps.v[i];
	qsort(s, n, sizeof *s, cmp_from); /* qsort is not stable: equal dates keep no order, so hold them back */
	int bad = wage_rows(cfg, p, s, n, row, &nr);
	for (size_t i = 0; i < nr && !bad; i++)
		write_wage(cfg, p, &row[i]);
	free(row);
	free(s);
}
