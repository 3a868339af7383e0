/* r1.c - R1: the sign lives in the component's kind.
 *
 * Loket holds values 0.01..99999.99 and whether a component pays or deducts is the
 * component's (deductionOrPayment in its catalogue). A recurring benefit's negative amount
 * may go only to a deduction component and a positive one only to a payment component, in
 * the catalogue of every year the record runs in; a one-time payment only to a payment
 * component of its period's year. Each check gives 0 with an error issue when not, or when
 * the catalogue cannot tell.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_emit.h"

static const char hint_no_year[] = "run fetch-loket with an --as-of that covers this year (it reads the catalogue from "
				   "the compensation start date's year on) and diff again";

/* A recurring record whose component has the wrong kind (or none) in year y. */
static void wrong_kind(struct run *r, const struct want_employee *d, const struct want_benefit *b,
		       const struct cur_component *x, int y, const char *what, const char *a)
{
	char hint[300];
	if (x->kind == LP_COMPONENT_NEITHER)
		snprintf(hint, sizeof hint, "map this compensation type to a %s component in compensation.mapping",
			 b->deduction ? "deduction" : "payment");
	else if (b->deduction)
		snprintf(hint, sizeof hint, "map this compensation type to a deduction component, or to a pair "
			 "{\"payment\": %lld, \"deduction\": KEY} in compensation.mapping (or correct the sign in Personio)", b->key);
	else
		snprintf(hint, sizeof hint, "map this compensation type to a payment component, or to a pair "
			 "{\"payment\": KEY, \"deduction\": %lld} in compensation.mapping (or correct the sign in Personio)", b->key);
	if (x->kind == LP_COMPONENT_NEITHER)
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s goes to component %lld (%s), which in %d is neither a deduction nor a payment "
		      "in Loket; component %lld is not synced for this employee", d->number, what, b->key,
		      x->desc ? x->desc : "no description", y, b->key);
	else
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s is a %s, but Loket component %lld (%s) is a %s (%s) in %d: Loket holds only "
		      "positive values and the sign is the component's, so the employee would be %s %s instead of %s; "
		      "component %lld is not synced for this employee", d->number, what,
		      b->deduction ? "deduction" : "payment", b->key, x->desc ? x->desc : "no description",
		      x->kind == LP_COMPONENT_PAYMENT ? "payment" : "deduction", x->label ? x->label : "?", y,
		      b->deduction ? "paid" : "charged", a, b->deduction ? "charged" : "paid", b->key);
}

/* From its start year up to its end year, or the last year read. */
int r1_kind_ok(struct run *r, const struct want_employee *d, const struct want_benefit *b)
{
	const struct cur *c = r->cur;
	int y0, y1, mo, dy;
	lp_date_ymd(b->start, &y0, &mo, &dy);
	if (b->has_end)
		lp_date_ymd(b->end, &y1, &mo, &dy);
	else
		y1 = c->comp_max_year > y0 ? c->comp_max_year : y0;
	char db[16], amt[40], what[160], a[32];
	lp_money_fmt(b->value, a);
	snprintf(amt, sizeof amt, "%s%s", b->deduction ? "-" : "", a);
	snprintf(what, sizeof what, "compensation %s (%s a month from %s)", b->cid ? b->cid : "?", amt,
		 lp_date_fmt(b->start, db));
	for (int y = y0; y <= y1; y++) {
		if (!cur_has_year(c, y)) {
			if (y > y0)
				continue; /* not read: after --as-of plus the future months */
			issue(r, d, "error", "R1", "payroll_component_key", hint_no_year,
			      "Employee %lld: %s cannot be checked: the current Loket state has no payroll component catalogue "
			      "for %d, so whether component %lld pays or deducts is unknown; component %lld is not synced for "
			      "this employee", d->number, what, y, b->key, b->key);
			return 0;
		}
		const struct cur_component *x = cur_component(c, y, b->key);
		if (!x) {
			issue(r, d, "error", "R1", "payroll_component_key",
			      "map the compensation type to a component of this payroll administration (compensation.mapping), or have the payroll administrator add the component",
			      "Employee %lld: %s is mapped to component %lld, which is not in Loket's payroll component "
			      "catalogue for %d; component %lld is not synced for this employee", d->number, what, b->key, y,
			      b->key);
			return 0;
		}
		if (x->kind == (b->deduction ? LP_COMPONENT_DEDUCTION : LP_COMPONENT_PAYMENT))
			continue;
		wrong_kind(r, d, b, x, y, what, a);
		return 0;
	}
	return 1;
}

/* "one-time payments of types 'a', 'b' in period 2024-03 (12.00)": the compensation types
 * mapped to the entry's component (one-time payments go to a pair's payment member). */
static void vi_what(const struct run *r, const struct want_vi *w, char *what, size_t n)
{
	char types[200], a[32];
	size_t used = 0;
	types[0] = '\0';
	for (size_t i = 0; i < r->cfg->compensation.nmap; i++) {
		const lp_mapping *mp = &r->cfg->compensation.map[i];
		if (mp->payment != w->key)
			continue;
		int k = snprintf(types + used, sizeof types - used, "%s'%s'", used ? ", " : "", mp->type_id);
		if (k < 0 || (size_t)k >= sizeof types - used) {
			types[used] = '\0';
			break;
		}
		used += (size_t)k;
	}
	snprintf(what, n, "one-time payments%s%s%s in period %d-%02d (%s)", used ? " of type" : "",
		 strchr(types, ',') ? "s " : used ? " " : "", types, w->year, w->period, lp_money_fmt(w->value, a));
}

/* A one-time entry whose component is not a payment component in its year. */
static void vi_wrong_kind(struct run *r, const struct want_employee *d, const struct want_vi *w,
			  const struct cur_component *x, const char *what)
{
	char hint[400];
	snprintf(hint, sizeof hint, "map the compensation type to a payment component, or to a pair {\"payment\": KEY, "
		 "\"deduction\": %s} in compensation.mapping: a pair sends one-time payments to its payment member, with "
		 "their sign", x->kind == LP_COMPONENT_DEDUCTION ? numkey(w->key, (char[24]){0}) : "KEY");
	if (x->kind == LP_COMPONENT_NEITHER) {
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s go to component %lld (%s), which in %d is neither a deduction nor a payment in "
		      "Loket; period %d-%02d of component %lld is not synced for this employee and Loket's entry for it "
		      "stays as it is", d->number, what, w->key, x->desc ? x->desc : "no description", w->year, w->year,
		      w->period, w->key);
		return;
	}
	char abs[32], eff[120] = "";
	if (w->value)
		snprintf(eff, sizeof eff, ", so the employee would be %s %s instead of %s", w->value > 0 ? "charged" : "paid",
			 lp_money_fmt(w->value > 0 ? w->value : -w->value, abs), w->value > 0 ? "paid" : "charged");
	issue(r, d, "error", "R1", "payroll_component_key", hint,
	      "Employee %lld: %s go to component %lld (%s), which is a deduction (%s) in %d: a one-time payment goes "
	      "only to a payment component, with its sign%s; period %d-%02d of component %lld is not synced for this "
	      "employee and Loket's entry for it stays as it is", d->number, what, w->key,
	      x->desc ? x->desc : "no description", x->label ? x->label : "?", w->year, eff, w->year, w->period, w->key);
}

/* It keeps its sign (the spec allows negative payroll period data), so a negative amount on a
 * payment component is a correction and allowed; the caller holds a refused entry back and
 * leaves Loket's entry for that period and component as it is. */
int r1_vi_ok(struct run *r, const struct want_employee *d, const struct want_vi *w)
{
	const struct cur *c = r->cur;
	char what[400], hint[400];
	vi_what(r, w, what, sizeof what);
	if (!cur_has_year(c, w->year)) {
		issue(r, d, "error", "R1", "payroll_component_key", hint_no_year,
		      "Employee %lld: %s cannot be checked: the current Loket state has no payroll component catalogue "
		      "for %d, so whether component %lld pays or deducts is unknown; period %d-%02d of component %lld is "
		      "not synced for this employee and Loket's entry for it stays as it is", d->number, what, w->year,
		      w->key, w->year, w->period, w->key);
		return 0;
	}
	const struct cur_component *x = cur_component(c, w->year, w->key);
	if (!x) {
		snprintf(hint, sizeof hint, "map the compensation type to a payment component of this payroll administration, "
			 "or to a pair {\"payment\": KEY, \"deduction\": KEY}, in compensation.mapping (a pair sends one-time "
			 "payments to its payment member, with their sign); or have the payroll administrator add component %lld",
			 w->key);
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s go to component %lld, which is not in Loket's payroll component catalogue for %d; "
		      "period %d-%02d of component %lld is not synced for this employee and Loket's entry for it stays as "
		      "it is", d->number, what, w->key, w->year, w->year, w->period, w->key);
		return 0;
	}
	if (x->kind == LP_COMPONENT_PAYMENT)
		return 1;
	vi_wrong_kind(r, d, w, x, what);
	return 0;
}
