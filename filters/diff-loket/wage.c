/* wage.c - wages (K1, K3, X3): the linked date chain of an employment. Loket only appends to
 * it: a change in the middle deletes the tail first, then posts in date order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_le_wage.h"

struct wage_plan {
	struct want_wage *want; /* the desired chain from the first date that may change */
	size_t nwant, skip;     /* skip: 1 when the first desired point only carries the base on */
	const struct cur_wage *base; /* the last current record before the desired chain */
	const struct cur_wage **have; /* the current records from the desired chain's start on */
	size_t nhave;
	char *keep, *post, *moved; /* per have: kept, moved (deleted to be posted again); per want: posted */
	long *match;               /* per want: the have with its start date, or -1 */
	char chain[128];
};

static int same(const struct want_wage *a, lp_cents amount, int type)
{
	return lp_le_wage_eq(a->amount, a->type, amount, type);
}

/* The desired chain from lo on, consecutive equal values merged. */
static void want_chain(struct wage_plan *p, const struct want_employee *d, lp_date lo)
{
	p->want = lp_xmalloc(d->w.n * sizeof *p->want);
	for (size_t i = 0; i < d->w.n; i++) {
		struct want_wage x = d->w.v[i];
		if (i + 1 < d->w.n && d->w.v[i + 1].start <= lo)
			continue; /* wholly before the employment or the start date (K1, M3) */
		if (x.start < lo)
			x.start = lo;
		if (p->nwant && same(&p->want[p->nwant - 1], x.amount, x.type))
			continue;
		p->want[p->nwant++] = x;
	}
}

/* The current chain: records before the first desired date stay (K1); the last of them
 * carries on into the desired period unless a new record closes it. */
static void have_chain(struct wage_plan *p, const struct cur *c, const struct cur_employment *m)
{
	size_t first_in = m->w.n;
	for (size_t i = 0; i < m->w.n; i++) {
		const struct cur_wage *w = &c->wages.v[m->w.v[i]];
		if (w->start < p->want[0].start)
			p->base = w;
		else if (first_in == m->w.n)
			first_in = i;
	}
	p->skip = p->base && !p->base->scale && same(&p->want[0], p->base->amount, p->base->type) ? 1 : 0;
	p->nhave = m->w.n - first_in;
	p->have = lp_xmalloc((p->nhave ? p->nhave : 1) * sizeof *p->have);
	for (size_t i = 0; i < p->nhave; i++)
		p->have[i] = &c->wages.v[m->w.v[first_in + i]];
}

/* Match current records with desired points by start date; a new record can only go at the
 * end of the chain: kept records after the first new one are deleted and posted again. */
static void match_chains(struct wage_plan *p)
{
	p->keep = lp_xmalloc(p->nhave + 1);
	p->moved = lp_xmalloc(p->nhave + 1);
	p->post = lp_xmalloc(p->nwant + 1);
	p->match = lp_xmalloc((p->nwant + 1) * sizeof *p->match);
	memset(p->keep, 0, p->nhave + 1);
	memset(p->moved, 0, p->nhave + 1);
	for (size_t j = p->skip; j < p->nwant; j++) {
		p->match[j] = -1;
		for (size_t i = 0; i < p->nhave; i++) /* both sorted: a merge walk would do; chains are short */
			if (p->have[i]->start == p->want[j].start) {
				p->match[j] = (long)i;
				p->keep[i] = 1;
			}
		p->post[j] = p->match[j] < 0;
	}
	lp_date first_post = 0;
	int any_post = 0;
	for (size_t j = p->skip; j < p->nwant; j++)
		if (p->post[j] && (!any_post || p->want[j].start < first_post)) {
			first_post = p->want[j].start;
			any_post = 1;
		}
	if (any_post)
		for (size_t j = p->skip; j < p->nwant; j++)
			if (p->match[j] >= 0 && p->want[j].start > first_post) {
				p->keep[p->match[j]] = 0;
				p->moved[p->match[j]] = 1;
				p->match[j] = -1;
				p->post[j] = 1;
			}
}

/* X3: a pay-scale wage is about to be changed, deleted, or closed by a new record. */
static void warn_pay_scale(struct run *r, const struct want_employee *d, const struct wage_plan *p)
{
	int x3 = p->base && p->base->scale && !p->skip && p->post[0];
	for (size_t i = 0; i < p->nhave; i++)
		x3 |= p->have[i]->scale;
	char db[16];
	if (x3)
		issue(r, d, "warning", "X3", "gross_wage", "pay scales are not supported: keep the wage in Personio, or stop syncing salary for this employee",
		      "Employee %lld has a wage on a pay scale (salary scale/step) in Loket; the sync overwrites it with "
		      "Personio's fixed gross wage from %s", d->number,
		      lp_date_fmt(p->want[p->skip < p->nwant ? p->skip : 0].start, db));
}

/* A current wage as Loket holds it (the expect of an op that writes over it or deletes it). */
static json_t *expect(const struct run *r, const struct cur_wage *h)
{
	return lp_le_wage_expect(h->start, h->amount, loket_wage_key(r->cur, h->type), h->scale);
}

static json_t *body(const struct run *r, const struct want_wage *w)
{ /* Loket's key for the kind comes from its metadata (wage_keys_ok checked it) */
	return lp_le_wage_body(w->start, w->amount, loket_wage_key(r->cur, w->type));
}

/* Deletions, last first, so that each one removes the end (or a middle) of the chain. */
static void delete_wages(struct run *r, const struct want_employee *d, const struct wage_plan *p)
{
	char db[16];
	for (size_t i = p->nhave; i-- > 0;) {
		if (p->keep[i])
			continue;
		const struct cur_wage *h = p->have[i];
		char *path = lp_le_wage_record(h->id);
		plan_op(r,
			&(struct plan_op){.d = d, .rule = "K3", .entity = "wage", .action = "delete", .chain = p->chain,
					  .method = "DELETE", .path = path, .before = lp_le_wage_view(h->start, h->amount, h->type),
					  .expect = expect(r, h)},
			p->moved[i] ? "Employee %lld: the wage from %s is deleted to make room for an earlier change in the "
				      "chain (Loket only appends); it is posted again after it"
				    : "Employee %lld: the wage from %s is not in Personio's salary chain",
			d->number, lp_date_fmt(h->start, db));
		free(path);
	}
}

static void update_wages(struct run *r, const struct want_employee *d, const struct wage_plan *p)
{
	char db[16];
	for (size_t j = p->skip; j < p->nwant; j++) {
		if (p->match[j] < 0)
			continue;
		const struct cur_wage *h = p->have[p->match[j]];
		const struct want_wage *w = &p->want[j];
		if (same(w, h->amount, h->type) && !h->scale)
			continue;
		char *path = lp_le_wage_record(h->id);
		plan_op(r,
			&(struct plan_op){.d = d, .rule = h->scale ? "X3" : "K3", .entity = "wage", .action = "update",
					  .chain = p->chain, .method = "PUT", .path = path, .body = body(r, w),
					  .before = lp_le_wage_view(h->start, h->amount, h->type),
					  .after = lp_le_wage_view(w->start, w->amount, w->type), .expect = expect(r, h)},
			"Employee %lld: the wage from %s becomes %s%s", d->number, lp_date_fmt(w->start, db),
			lp_money_fmt(w->amount, (char[32]){0}), w->type == LP_LE_WAGE_HOURLY ? " per hour" : "");
		free(path);
	}
}

static void post_wages(struct run *r, const struct want_employee *d, const struct cur_employment *m,
		       const struct wage_plan *p)
{
	char db[16];
	for (size_t j = p->skip; j < p->nwant; j++) {
		if (!p->post[j])
			continue;
		const struct want_wage *w = &p->want[j];
		char *path = lp_le_wage_collection(m->id);
		plan_op(r,
			&(struct plan_op){.d = d, .rule = "K3", .entity = "wage", .action = "create", .chain = p->chain,
					  .method = "POST", .path = path, .body = body(r, w),
					  .after = lp_le_wage_view(w->start, w->amount, w->type)},
			"Employee %lld: a new wage of %s%s from %s (the record before it ends the day before)", d->number,
			lp_money_fmt(w->amount, (char[32]){0}), w->type == LP_LE_WAGE_HOURLY ? " per hour" : "",
			lp_date_fmt(w->start, db));
		free(path);
	}
}

void wages(struct run *r, const struct want_employee *d, const struct cur_employment *m)
{
	if (!d->w.n)
		return; /* salary not synced (disabled, or S4 held it back): Loket's wages stay as they are */
	lp_date lo = r->cfg->compensation.start_date > m->start ? r->cfg->compensation.start_date : m->start;
	struct wage_plan p = {0};
	want_chain(&p, d, lo);
	have_chain(&p, r->cur, m);
	match_chains(&p);
	snprintf(p.chain, sizeof p.chain, "employment:%s", m->id);
	warn_pay_scale(r, d, &p);
	delete_wages(r, d, &p);
	update_wages(r, d, &p);
	post_wages(r, d, m, &p);
	free(p.want);
	free(p.have);
	free(p.keep);
	free(p.moved);
	free(p.post);
	free(p.match);
}
