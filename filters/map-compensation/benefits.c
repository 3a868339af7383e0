/* benefits.c - map-compensation's loket.benefit_deduction records: each mapped monthly
 * recurring compensation (R1, K1, K2): value positive, deduction true for a negative amount;
 * a mapping pair {payment, deduction} picks the component by that sign. A value Loket would
 * refuse holds back the whole employee (E2).
 */
#include <stdio.h>
#include <string.h>

#include "map.h"
#include "lp_range.h"

/* E2: the benefits and deductions benefits() would write must have a value Loket takes.
 * One that does not holds back the whole employee (no loket.* record at all): a benefit
 * merely left out would read downstream as deleted in Personio (R3), and Loket's record
 * would be removed. Returns 1 when the employee is held back. */
int benefit_values(const lp_config *cfg, const struct person *p)
{
	if (!cfg->compensation.sync_recurring)
		return 0;
	lp_date start = cfg->compensation.start_date;
	int bad = 0;
	char msg[400], hint[240];
	for (size_t i = 0; i < p->comps.n; i++) {
		const struct comp *c = &p->comps.v[i];
		if (strcmp(c->kind, "recurring") || !c->type_id || !json_object_get(cfg->compensation.mapping, c->type_id) ||
		    !c->interval || strcmp(c->interval, "monthly") || (c->has_to && c->to < start))
			continue;
		if (!lp_range_recurring(c->cid, NULL, c->amount, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of compensation %s in Personio (end it rather than setting "
			 "it to 0); until then nothing of this employee is synced", c->cid);
		held_back(cfg, p, c, "amount", hint, "%s; this employee is left out of the sync", msg);
		bad = 1;
	}
	return bad;
}

/* R1, K1, K2: mapped monthly recurring compensations from the start date on. */
void benefits(const lp_config *cfg, const struct person *p)
{
	lp_date start = cfg->compensation.start_date;
	for (size_t i = 0; i < p->comps.n; i++) {
		const struct comp *c = &p->comps.v[i];
		long long key = mapped_key(cfg, c->type_id, c->amount < 0);
		if (strcmp(c->kind, "recurring") || key < 0 || !c->interval || strcmp(c->interval, "monthly"))
			continue;
		if (c->has_to && c->to < start)
			continue;
		char a[32], d1[11], d2[11];
		lp_jw *w = base("loket.benefit_deduction", cfg->client, p);
		lp_jw_key(w, "payroll_component_key");
		lp_jw_int(w, key);
		lp_jw_key(w, "value");
		lp_jw_str(w, lp_money_fmt(c->amount < 0 ? -c->amount : c->amount, a));
		lp_jw_key(w, "deduction");
		lp_jw_bool(w, c->amount < 0);
		lp_jw_key(w, "start_date");
		lp_jw_str(w, lp_date_fmt(c->from < start ? start : c->from, d1));
		lp_jw_key(w, "end_date");
		lp_jw_str(w, c->has_to ? lp_date_fmt(c->to, d2) : NULL);
		lp_jw_key(w, "compensation_id");
		lp_jw_str(w, c->cid);
		done(w);
	}
}
