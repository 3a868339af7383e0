/* compensations.c - the compensations of one client's block: currency (C3, X1), frequency
 * (R1), holiday allowance (S5), an amount Loket takes (E2, lp_range.h) and an unbroken salary
 * chain (S4). A compensation found wrong is not kept (keep 0), so it is not passed on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_iset.h"
#include "lp_range.h"
#include "lp_rec.h"
#include "validate.h"

static int month_of(lp_date d) { int y, m, dd; lp_date_ymd(d, &y, &m, &dd); return y * 12 + m - 1; }

static int cmp_salary(const void *a, const void *b)
{
	const struct comp *x = *(struct comp *const *)a, *y = *(struct comp *const *)b;
	return x->from < y->from ? -1 : x->from > y->from ? 1 : (x->idx < y->idx ? -1 : 1);
}

static int is_holiday_allowance(const char *name, const char *id)
{
	static const char *const words[] = {"holiday allowance", "holiday pay", "vakantiegeld", "vakantietoeslag",
					    "vakantie-uitkering", "vacation allowance", NULL};
	for (const char *const *w = words; *w; w++)
		if ((name && strcasestr(name, *w)) || (id && strcasestr(id, *w)))
			return 1;
	return (id && strcasestr(id, "holiday-allowance")) != 0;
}

/* E2 for a compensation: an error about one of its fields, its source the compensation's line. */
static void comp_error(struct block *k, const struct comp *c, const char *field, const char *hint, const char *fmt,
		       ...) __attribute__((format(printf, 5, 6)));
static void comp_error(struct block *k, const struct comp *c, const char *field, const char *hint, const char *fmt,
		       ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	add(k, k->late, "error", "E2", c->p, field, hint, "%s", msg);
	lp_issue_source(json_array_get(k->late, json_array_size(k->late) - 1), c->where);
}

/* E2: every salary map-compensation would send must be a gross wage Loket takes (lp_range.h),
 * and no two may start on the same day (which one counts cannot be guessed). Salaries that
 * end, or are followed by another, before the compensation start date are never sent (K1). */
static void salary_values(struct block *k, struct comp **sal, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	if (n > 1)
		qsort(sal, n, sizeof *sal, cmp_salary);
	char hint[200], msg[400], d[16];
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = sal[i];
		if (i + 1 < n && sal[i + 1]->from == c->from)
			comp_error(k, c, "effective_from", "end one of them in Personio (a person has one salary at a time)",
				   "salaries %s and %s both start on %s; which one counts cannot be guessed, so no salary "
				   "of this employee is synced", c->cid, sal[i + 1]->cid, lp_date_human(c->from, d));
		if ((c->has_to && c->to < start) || (i + 1 < n && sal[i + 1]->from <= start))
			continue; /* K1: never sent */
		if (!lp_range_salary(c->cid, c->amount, c->interval, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of salary %s in Personio, or set Consider in NL payroll "
			 "to No for this person until it is right", c->cid);
		comp_error(k, c, "amount", hint, "%s", msg);
	}
}

/* E2: a mapped monthly recurring compensation becomes a benefit or deduction, whose value
 * Loket takes from 0.01 to 99999.99 (the sign goes to the component, R1). */
static void recurring_values(struct block *k, struct comp *cs, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	char hint[200], msg[400];
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = &cs[i];
		if (!c->keep || strcmp(c->kind, "recurring") || !c->type_id ||
		    !json_object_get(k->cfg->compensation.mapping, c->type_id) || (c->has_to && c->to < start))
			continue;
		if (!lp_range_recurring(c->cid, c->type_name ? c->type_name : c->type_id, c->amount, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of compensation %s in Personio (end it rather than "
			 "setting it to 0), or set Consider in NL payroll to No for this person until it is right", c->cid);
		comp_error(k, c, "amount", hint, "%s", msg);
	}
}

/* S4: the salary chain must be unbroken from max(compensation start date, entry date). */
static void salary_chain(struct block *k, struct person *p, struct comp **sal, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	if (p->has_entry && p->entry > start)
		start = p->entry;
	if (n > 1)
		qsort(sal, n, sizeof *sal, cmp_salary);
	lp_date cur = start; /* first day not yet covered */
	int open = 0, gap = 0;
	lp_date gap_from = 0, gap_to = 0;
	for (size_t i = 0; i < n && !open; i++) {
		if (sal[i]->has_to && sal[i]->to < cur)
			continue;
		if (sal[i]->from > cur) {
			gap = 1;
			gap_from = cur;
			gap_to = sal[i]->from - 1;
			break;
		}
		if (sal[i]->has_to)
			cur = sal[i]->to + 1;
		else
			open = 1;
	}
	if (!gap && !open) {
		/* nothing covers cur and after; a termination on or before cur closes the chain */
		lp_date term;
		int has_term = lp_rec_date(p->rec, "termination_date", 1, p->where, &term) == 0;
		if (!(has_term && term < cur)) {
			gap = 2;
			gap_from = cur;
		}
	}
	if (!gap)
		return;
	char a[16], b[16], hint[160];
	lp_date_human(gap_from, a);
	snprintf(hint, sizeof hint, "add a salary in Personio with a start date %s and sync again", a);
	if (gap == 1)
		add(k, k->late, "warning", "S4", p, "salary", hint,
		    "Cannot sync base salary because no salary was found for %s to %s. Add a salary in Personio "
		    "with a start date %s and sync again.", a, lp_date_human(gap_to, b), a);
	else
		add(k, k->late, "warning", "S4", p, "salary", hint,
		    "Cannot sync base salary because no salary was found from %s on. Add a salary in Personio "
		    "with a start date %s and sync again.", a, a);
	for (size_t i = 0; i < n; i++)
		sal[i]->keep = 0;
}

/* The block's compensation records (those of a person read: another legal entity's are not
 * there), each kept when its person is in scope. */
size_t read_compensations(struct block *k, struct comp *cs)
{
	size_t n = json_array_size(k->b->recs), nc = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(k->b->recs, i);
		const char *w = lp_block_where(k->b, i);
		if (strcmp(json_string_value(json_object_get(r, "type")), "compensation"))
			continue;
		struct comp *c = &cs[nc];
		memset(c, 0, sizeof *c);
		c->idx = i;
		const char *pid = lp_rec_str(r, "personio_id", 0, w);
		c->cid = lp_rec_str(r, "compensation_id", 0, w);
		c->kind = lp_rec_str(r, "kind", 0, w);
		if (strcmp(c->kind, "salary") && strcmp(c->kind, "recurring") && strcmp(c->kind, "one_time")) {
			lp_die_at(LP_EXIT_DATA, w, "kind", "expected salary, recurring or one_time");
		}
		c->currency = lp_rec_str(r, "currency", 0, w);
		c->interval = lp_rec_str(r, "interval", 1, w);
		c->type_id = lp_rec_str(r, "type_id", 1, w);
		c->type_name = lp_rec_str(r, "type_name", 1, w);
		c->amount = lp_rec_money(r, "amount", w);
		c->where = w;
		lp_rec_date(r, "effective_from", 0, w, &c->from);
		c->has_to = lp_rec_date(r, "effective_to", 1, w, &c->to) == 0;
		void *pv = NULL;
		if (!lp_map_get(k->people, pid, &pv))
			continue; /* no person record (e.g. another legal entity): nothing to sync */
		c->p = pv;
		c->keep = c->p->in_scope;
		nc++;
	}
	return nc;
}

/* What X1 and S5 keep track of over one block */
struct seen {
	lp_iset eur, foreign;  /* person and month (pm_key) with a EUR, a non-EUR compensation */
	lp_iset x1;            /* person and month already reported (X1) */
	lp_map *s5;            /* type_id already reported (S5) */
};

/* the key of a person and a month (year * 12 + month - 1, never negative) */
static uint64_t pm_key(const struct person *p, int month)
{
	return (uint64_t)p->no << 32 | (uint32_t)month;
}

/* X1 needs, per person and month, whether a EUR and a non-EUR compensation meet: a one-time
 * payment in its month, a salary or recurring compensation in every month it runs (from the
 * compensation start date, up to a year past --as-of) */
static void currency_months(struct block *k, const struct comp *cs, size_t n, struct seen *s)
{
	/* the months of a person without a compensation in another currency can never be mixed:
	 * only those of people with one are marked */
	lp_iset foreign_people = LP_ISET_INIT;
	for (size_t i = 0; i < n; i++)
		if (cs[i].keep && strcmp(cs[i].currency, "EUR"))
			lp_iset_add(&foreign_people, cs[i].p->no);
	for (size_t i = 0; i < n && foreign_people.n; i++) {
		const struct comp *c = &cs[i];
		if (!c->keep || !lp_iset_has(&foreign_people, c->p->no))
			continue;
		/* one-time: its month; salary and recurring: every month they run, from the
		 * compensation start date to their end (or a year past the run date) */
		int m0 = month_of(c->from), m1 = m0;
		if (strcmp(c->kind, "one_time")) {
			int first = month_of(k->cfg->compensation.start_date), last = month_of(k->x->as_of) + 12;
			m1 = c->has_to ? month_of(c->to) : last;
			if (m1 > last)
				m1 = last;
			if (m0 < first)
				m0 = first;
		}
		lp_iset *set = strcmp(c->currency, "EUR") ? &s->foreign : &s->eur;
		for (int m = m0; m <= m1; m++)
			lp_iset_add(set, pm_key(c->p, m));
	}
	lp_iset_free(&foreign_people);
}

/* X1, C3, R1 for one compensation kept so far (keep 0 when it fails one); S5 for its type */
static void check_comp(struct block *k, struct comp *c, struct seen *s)
{
	uint64_t key = pm_key(c->p, month_of(c->from));
	int mixed = lp_iset_has(&s->eur, key) && lp_iset_has(&s->foreign, key);
	if (mixed && !strcmp(c->kind, "one_time")) {
		if (lp_iset_add(&s->x1, key)) {
			int y, m, dd;
			lp_date_ymd(c->from, &y, &m, &dd);
			add(k, k->late, "warning", "X1", c->p, "currency",
			    "enter every compensation of that month in EUR, or remove the other currency",
			    "%04d-%02d has compensations in EUR and in another currency: none of the one-time "
			    "payments of that month is synced for this employee (salaries and recurring "
			    "compensation in EUR are; those in another currency are not, C3)", y, m);
		}
		c->keep = 0;
		return;
	}
	if (strcmp(c->currency, "EUR")) {
		add(k, k->late, "warning", "C3", c->p, "currency", "enter the compensation in EUR",
		    "compensation %s is in %s; only EUR is synced", c->cid, c->currency);
		c->keep = 0;
		return;
	}
	if (!strcmp(c->kind, "recurring") && (!c->interval || strcmp(c->interval, "monthly"))) {
		add(k, k->late, "warning", "R1", c->p, "interval", "enter it in Loket by hand, or make it monthly",
		    "recurring compensation %s (%s) is paid %s; only monthly recurring compensation is synced",
		    c->cid, c->type_name ? c->type_name : c->type_id ? c->type_id : "?",
		    c->interval ? c->interval : "without an interval");
		c->keep = 0;
		return;
	}
	if (!strcmp(c->kind, "salary") && (!c->interval || (strcmp(c->interval, "monthly") &&
			strcmp(c->interval, "yearly") && strcmp(c->interval, "hourly")))) {
		add(k, k->late, "warning", "C3", c->p, "interval", "enter the salary per month, year or hour",
		    "salary %s is given %s; only monthly, yearly and hourly salaries are synced", c->cid,
		    c->interval ? c->interval : "without an interval");
		c->keep = 0;
		return;
	}
	if (strcmp(c->kind, "salary") && c->type_id && json_object_get(k->cfg->compensation.mapping, c->type_id) &&
	    is_holiday_allowance(c->type_name, c->type_id) && lp_map_add(s->s5, c->type_id))
		add(k, k->late, "warning", "S5", NULL, "compensation.mapping",
		    "remove the mapping: Loket computes holiday allowance itself",
		    "compensation type %s (%s) is mapped to Loket component %lld, so holiday allowance would be "
		    "sent to Loket", c->type_id, c->type_name ? c->type_name : "?",
		    lp_config_component(k->cfg, c->type_id, 0));
}

/* E2 and S4 per person (in input order), over the EUR salaries that survived */
static void check_salaries(struct block *k, struct comp *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct person *p = cs[i].p;
		if (!cs[i].keep || strcmp(cs[i].kind, "salary"))
			continue;
		*LP_VEC_PUSH(&p->sal) = &cs[i];
	}
	size_t nb = json_array_size(k->b->recs);
	for (size_t r = 0; r < nb; r++) {
		json_t *rec = json_array_get(k->b->recs, r);
		void *v;
		if (strcmp(json_string_value(json_object_get(rec, "type")), "person") ||
		    !lp_map_get(k->people, json_string_value(json_object_get(rec, "personio_id")), &v))
			continue;
		struct person *p = v;
		if (p->in_scope && p->rec == rec) {
			salary_values(k, p->sal.v, p->sal.n);
			salary_chain(k, p, p->sal.v, p->sal.n);
		}
	}
}

void compensations(struct block *k, struct comp *cs, size_t n)
{
	struct seen s = {LP_ISET_INIT, LP_ISET_INIT, LP_ISET_INIT, lp_map_new()};
	currency_months(k, cs, n, &s);
	for (size_t i = 0; i < n; i++)
		if (cs[i].keep)
			check_comp(k, &cs[i], &s);
	if (k->cfg->compensation.sync_recurring)
		recurring_values(k, cs, n);
	if (k->cfg->compensation.sync_salary)
		check_salaries(k, cs, n);
	lp_iset_free(&s.eur);
	lp_iset_free(&s.foreign);
	lp_iset_free(&s.x1);
	lp_map_free(s.s5, NULL);
}
