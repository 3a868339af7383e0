/* benefit.c - benefits and deductions (R1-R3, K1-K3): per payroll component, Personio's
 * recurring compensations from the start date on; a record running across the start date is
 * end-dated the day before (R2), one from then on without a counterpart is deleted (R3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_le_benefit.h"

struct ben_plan {
	lp_date start;                /* the compensation start date */
	struct want_benefit *want;    /* desired, clipped to the employment, by component and date */
	size_t n;
	char *used;                   /* per want: matched by a current record */
	lp_map *bad;                  /* components not synced (R1) */
	char chain[128];
};

static int cmp_want(const void *a, const void *b)
{
	const struct want_benefit *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int is_bad(const struct ben_plan *p, long long key)
{
	char nb[24];
	return lp_map_get(p->bad, numkey(key, nb), NULL);
}

/* The desired records, clipped to lo; two of one component that overlap, or one whose sign
 * its component's kind refuses (R1), take the component out. */
static void want_list(struct run *r, const struct want_employee *d, struct ben_plan *p, lp_date lo)
{
	p->want = lp_xmalloc((d->b.n + 1) * sizeof *p->want);
	for (size_t i = 0; i < d->b.n; i++) {
		struct want_benefit x = d->b.v[i];
		if (x.has_end && x.end < lo)
			continue;
		if (x.start < lo)
			x.start = lo;
		p->want[p->n++] = x;
	}
	qsort(p->want, p->n, sizeof *p->want, cmp_want);
	p->bad = lp_map_new();
	char nb[24], db[16];
	const struct want_benefit *w = p->want;
	for (size_t i = 1; i < p->n; i++)
		if (w[i].key == w[i - 1].key && (!w[i - 1].has_end || w[i - 1].end >= w[i].start) && !is_bad(p, w[i].key)) {
			lp_map_add(p->bad, numkey(w[i].key, nb));
			issue(r, d, "error", "R1", "payroll_component_key", "keep one recurring compensation per Loket component at a time (or map the types to different components)",
			      "Employee %lld: two recurring compensations for component %lld overlap from %s; Loket holds "
			      "one record per component at a time, so component %lld is not synced", d->number,
			      w[i].key, lp_date_fmt(w[i].start, db), w[i].key);
		}
	for (size_t i = 0; i < p->n; i++) /* R1: the sign lives in the component's kind */
		if (!r1_kind_ok(r, d, &w[i]))
			lp_map_add(p->bad, numkey(w[i].key, nb));
	p->used = lp_xmalloc(p->n + 1);
	memset(p->used, 0, p->n + 1);
}

static json_t *view(const struct cur_benefit *h)
{
	return lp_le_benefit_view(h->key, h->value, h->start, h->has_end, h->end);
}

static json_t *expect(const struct cur_benefit *h)
{
	return lp_le_benefit_post_body(h->key, h->value, h->start, h->has_end, h->end);
}

/* R2: running across the start date: end it the day before. */
static void end_before(struct run *r, const struct want_employee *d, const struct ben_plan *p,
		       const struct cur_benefit *h, const char *path)
{
	char db[16], db2[16];
	lp_date S = p->start;
	plan_op(r,
		&(struct plan_op){.d = d, .rule = "R2", .entity = "benefit_deduction", .action = "end", .chain = p->chain,
				  .method = "PUT", .path = path, .body = lp_le_benefit_body(h->value, h->start, 1, S - 1),
				  .before = view(h), .after = lp_le_benefit_view(h->key, h->value, h->start, 1, S - 1),
				  .expect = expect(h)},
		"Employee %lld: component %lld (running since %s) is end-dated %s, the day before the "
		"compensation start date; from then on Personio's records apply", d->number, h->key,
		lp_date_fmt(h->start, db), lp_date_fmt(S - 1, db2));
}

/* One current record in one pass: pass 0 deletes and shrinks, pass 1 grows (so that nothing
 * overlaps on the way). */
static void plan_current(struct run *r, const struct want_employee *d, struct ben_plan *p,
			 const struct cur_benefit *h, int pass, const char *path)
{
	char db[16];
	if (h->start < p->start) {
		if (pass == 0)
			end_before(r, d, p, h, path);
		return;
	}
	size_t j;
	for (j = 0; j < p->n; j++)
		if (p->want[j].key == h->key && p->want[j].start == h->start && !p->used[j])
			break;
	if (j == p->n) { /* R3 */
		if (pass == 0)
			plan_op(r,
				&(struct plan_op){.d = d, .rule = "R3", .entity = "benefit_deduction", .action = "delete",
						  .chain = p->chain, .method = "DELETE", .path = path, .before = view(h),
						  .expect = expect(h)},
				"Employee %lld: component %lld from %s has no counterpart in Personio and is removed",
				d->number, h->key, lp_date_fmt(h->start, db));
		return;
	}
	p->used[j] = 1;
	const struct want_benefit *w = &p->want[j];
	int same_end = w->has_end == h->has_end && (!h->has_end || w->end == h->end);
	int extends = !same_end && (!w->has_end || (h->has_end && w->end > h->end));
	if ((w->value == h->value && same_end) || pass != extends)
		return; /* a record that grows waits for pass 2, after every shrink and deletion */
	plan_op(r,
		&(struct plan_op){.d = d, .rule = "K3", .entity = "benefit_deduction", .action = "update", .chain = p->chain,
				  .method = "PUT", .path = path,
				  .body = lp_le_benefit_body(w->value, w->start, w->has_end, w->end), .before = view(h),
				  .after = lp_le_benefit_view(w->key, w->value, w->start, w->has_end, w->end),
				  .expect = expect(h)},
		"Employee %lld: component %lld from %s takes Personio's value and end date", d->number, h->key,
		lp_date_fmt(h->start, db));
}

static void post_new(struct run *r, const struct want_employee *d, const struct cur_employment *m,
		     const struct ben_plan *p)
{
	char db[16], db2[16];
	for (size_t j = 0; j < p->n; j++) {
		const struct want_benefit *w = &p->want[j];
		if (p->used[j] || is_bad(p, w->key))
			continue;
		char *path = lp_le_benefit_collection(m->id);
		plan_op(r,
			&(struct plan_op){.d = d, .rule = "K3", .entity = "benefit_deduction", .action = "create",
					  .chain = p->chain, .method = "POST", .path = path,
					  .body = lp_le_benefit_post_body(w->key, w->value, w->start, w->has_end, w->end),
					  .after = lp_le_benefit_view(w->key, w->value, w->start, w->has_end, w->end)},
			"Employee %lld: component %lld, %s a month from %s%s%s", d->number, w->key,
			lp_money_fmt(w->value, (char[32]){0}), lp_date_fmt(w->start, db), w->has_end ? " to " : "",
			w->has_end ? lp_date_fmt(w->end, db2) : "");
		free(path);
	}
}

static void benefits(struct run *r, const struct want_employee *d, const struct cur_employment *m)
{
	if (!r->cfg->compensation.sync_recurring)
		return;
	struct ben_plan p = {.start = r->cfg->compensation.start_date};
	snprintf(p.chain, sizeof p.chain, "employment:%s", m->id);
	want_list(r, d, &p, p.start > m->start ? p.start : m->start);
	for (int pass = 0; pass < 2; pass++) {
		memset(p.used, 0, p.n + 1); /* each pass matches afresh (the same way) */
		for (size_t i = 0; i < m->b.n; i++) {
			const struct cur_benefit *h = &r->cur->bens.v[m->b.v[i]];
			if (!is_mapped(r, h->key) || is_bad(&p, h->key))
				continue; /* K2: never touch an unmapped component */
			if (h->has_end && h->end < p.start)
				continue; /* K1: history before the start date */
			char *path = lp_le_benefit_record(h->id);
			plan_current(r, d, &p, h, pass, path);
			free(path);
		}
	}
	post_new(r, d, m, &p);
	free(p.used);
	free(p.want);
	lp_map_free(p.bad, NULL);
}

/* benefits(), with every component that has a desired record Loket would refuse (E2, held:
 * "b|NUMBER|KEY") taken out on both sides: neither its desired nor its current records take
 * part, so it is left exactly as Loket has it (no R3 delete for a record that only failed
 * its check). */
void benefits_unless_held(struct run *r, const struct want_employee *d, const struct cur_employment *m, lp_map *held)
{
	char k[64];
	size_t nheld = 0;
	for (size_t i = 0; i < d->b.n; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, d->b.v[i].key);
		nheld += lp_map_get(held, k, NULL) != 0;
	}
	if (!nheld) {
		benefits(r, d, m);
		return;
	}
	struct want_employee dd = *d;
	struct cur_employment mm = *m;
	memset(&dd.b, 0, sizeof dd.b);
	memset(&mm.b, 0, sizeof mm.b);
	for (size_t i = 0; i < d->b.n; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, d->b.v[i].key);
		if (!lp_map_get(held, k, NULL))
			*LP_VEC_PUSH(&dd.b) = d->b.v[i];
	}
	for (size_t i = 0; i < m->b.n; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, r->cur->bens.v[m->b.v[i]].key);
		if (!lp_map_get(held, k, NULL))
			*LP_VEC_PUSH(&mm.b) = m->b.v[i];
	}
	benefits(r, &dd, &mm);
	free(dd.b.v);
	free(mm.b.v);
}
