/* plan.c - --plan (H5): the same cells as the CSV, written as the plan push-loket executes.
 *
 * Per employment of the current state (in its order): the cells of its row (the hours of the
 * range per mapped component) against the entries Loket holds of those components in the
 * period's record of the configured shift and payslip type 1 (fetch-loket's variable input).
 * A component whose sum differs is sent with the sum; one Loket holds that the hours no longer
 * give is sent as null (removed, never 0); one that is equal is not sent. Nothing to send: no
 * op. An employment with no hours at all is covered too (its employee's hours were all taken
 * out of the month): what the hours route does not give is removed; an employee who is left
 * out (do_not_import, errors, another client's claim) keeps what Loket holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcm.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_ppd.h"
#include "lp_ndjson.h"
#include "lp_plan.h"

/* Whether an entry's record is the one the upsert writes: shift hours.shift, payslip type 1
 * (or none said). */
static int target_key(const struct run *r, const json_t *key)
{
	json_t *sh = json_object_get(json_object_get(key, "shift"), "shiftNumber");
	json_t *pt = json_object_get(json_object_get(key, "payslipType"), "key");
	long long shift = json_is_integer(sh) ? (long long)json_integer_value(sh) : LP_LE_PPD_DEFAULT_SHIFT;
	long long pst = json_is_integer(pt) ? (long long)json_integer_value(pt) : LP_LE_PPD_PAYSLIP_NORMAL;
	return shift == r->cfg->hours.shift && pst == LP_LE_PPD_PAYSLIP_NORMAL;
}

static const json_t *du_of(const json_t *key)
{
	json_t *du = json_object_get(json_object_get(key, "distributionUnit"), "key");
	return du && !json_is_null(du) ? du : NULL;
}

/* The body's upsert key: the period, the shift, payslip type 1 and, when Loket's record has
 * one, its distribution unit (so the PATCH lands in that record; a new record gets Loket's
 * default unit, as the CSV's empty cell does). */
static json_t *body_of(const struct run *r, const json_t *du, json_t *comps)
{
	json_t *b = json_pack("{s:{s:i,s:i},s:{s:i},s:{s:i}}", "payrollPeriod", "year", r->pyear, "periodNumber", r->pperiod,
			      "shift", "shiftNumber", r->cfg->hours.shift, "payslipType", "key", LP_LE_PPD_PAYSLIP_NORMAL);
	if (du)
		json_object_set_new(b, "distributionUnit", json_pack("{s:O}", "key", du));
	json_object_set_new(b, "payrollComponents", comps);
	return b;
}

static struct employee *employee_by_number(struct run *r, long long number)
{
	char key[24];
	void *v;
	snprintf(key, sizeof key, "%lld", number);
	return number >= 0 && lp_map_get(r->employees, key, &v) ? v : NULL;
}

/* One employment: the op (when anything differs). Returns 1 when an op was written. */
static int employment_op(struct run *r, struct lp_plan *p, size_t mi, const struct row *w, struct employee *e,
			 lp_cents *written)
{
	const struct employment *m = &r->ems.v[mi];
	/* Loket's entries of the mapped components in the target record(s) */
	const json_t *du = NULL;
	int have = 0, two = 0;
	const struct held **cur = lp_xmalloc((r->ncols + 1) * sizeof *cur);
	memset(cur, 0, (r->ncols + 1) * sizeof *cur);
	for (size_t i = 0; i < r->held.n; i++) {
		const struct held *h = &r->held.v[i];
		if (strcmp(h->em, m->id) || !target_key(r, h->key))
			continue;
		const json_t *hd = du_of(h->key);
		if (have && !(hd == du || (hd && du && json_equal(hd, du))))
			two = 1;
		du = hd;
		have = 1;
		for (size_t k = 0; k < r->ncols; k++)
			if (r->cols[k] == h->comp)
				cur[k] = h;
	}
	char a[32], b[32];
	if (two) {
		finding(r, "error", "H5", e, m->employee_number, "distribution_unit", NULL,
			"the REST route writes one record per employment and period",
			"employment %s holds payroll period data of shift %d in %d-%02d in more than one distribution unit: "
			"nothing is written for it", m->id, r->cfg->hours.shift, r->pyear, r->pperiod);
		free(cur);
		return 0;
	}
	json_t *comps = json_array(), *before = json_array(), *after = json_array();
	size_t set = 0, removed = 0;
	for (size_t k = 0; k < r->ncols; k++) {
		int want = w && w->has[k];
		if (want)
			*written += w->val[k];
		if (want && cur[k] && cur[k]->value == w->val[k] && !cur[k]->supplement)
			continue; /* Loket holds it: nothing to send */
		if (!want && !cur[k])
			continue;
		if (want) {
			json_array_append_new(comps, lp_le_ppd_component(r->cols[k], w->val[k], 0));
			json_array_append_new(after, lp_le_ppd_view(r->pyear, r->pperiod, r->cols[k], w->val[k]));
			set++;
		} else { /* the hours no longer give it: removed (null, never 0) */
			json_array_append_new(comps, json_pack("{s:{s:I},s:n,s:b}", "payrollComponent", "key", (json_int_t)r->cols[k],
							       "value", "isSupplement", 0));
			json_array_append_new(after, json_null());
			removed++;
		}
		json_array_append_new(before, cur[k] ? lp_le_ppd_view(r->pyear, r->pperiod, r->cols[k], cur[k]->value) : json_null());
	}
	free(cur);
	if (!json_array_size(comps)) {
		json_decref(comps);
		json_decref(before);
		json_decref(after);
		return 0;
	}
	char chain[128];
	snprintf(chain, sizeof chain, "employment:%s", m->id);
	char *path = lp_le_ppd_collection(m->id);
	long long k0 = (long long)json_integer_value(json_object_get(json_object_get(json_array_get(comps, 0), "payrollComponent"), "key"));
	const json_t *v0 = json_object_get(json_array_get(comps, 0), "value");
	char msg[512];
	if (json_is_null(v0))
		snprintf(b, sizeof b, "removed");
	else {
		lp_cents c0 = 0;
		lp_money_from_json(v0, &c0);
		snprintf(b, sizeof b, "%s hours", lp_dec_fmt(c0, 2, a));
	}
	snprintf(msg, sizeof msg,
		 "Employee %lld: period %d-%02d: hours as payroll period data: component %lld %s%s (%zu set, %zu removed)",
		 m->employee_number, r->pyear, r->pperiod, k0, b, set + removed > 1 ? " and more" : "", set, removed);
	struct lp_plan_op o = {.personio_id = e ? e->personio_id : NULL, .employee_number = m->employee_number,
			       .rule = "H5", .entity = "variable_input", .action = "upsert", .chain = chain,
			       .method = "PATCH", .path = path, .body = body_of(r, du, comps), .before = before,
			       .after = after};
	int rc = lp_out_new(lp_plan_op(p, &o, msg));
	free(path);
	if (rc)
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
	return 1;
}

int write_plan(struct run *r, size_t *nrows, lp_cents *written, size_t *nemps)
{
	/* the rows by employment; a row of a distribution unit code cannot be planned */
	const struct row **by_em = lp_xmalloc((r->ems.n + 1) * sizeof *by_em);
	memset(by_em, 0, (r->ems.n + 1) * sizeof *by_em);
	for (size_t i = 0; i < r->rowv.n; i++) {
		struct row *w = r->rowv.v[i];
		if (w->du >= 0 && !left_out(w->e))
			finding(r, "error", "H5", w->e, -1, "distribution_unit", NULL,
				"leave distribution_unit out of the hours records, or import the CSV",
				"distribution unit %lld: the REST route sends a distribution unit by its Loket id, which the current "
				"state does not give for a code: this employee is left out of the plan", w->du);
		by_em[w->m - r->ems.v] = w;
	}
	struct lp_plan p;
	lp_plan_begin(&p, r->cfg->client);
	for (size_t i = 0; i < r->ems.n; i++) {
		const struct row *w = by_em[i];
		struct employee *e = w ? w->e : employee_by_number(r, r->ems.v[i].employee_number);
		if (e && left_out(e))
			continue; /* left out: Loket keeps what it holds */
		if (!e && (r->ems.v[i].employee_number < 0 || lp_config_hours_skip(r->cfg, r->ems.v[i].employee_number)))
			continue; /* no hours can be its, or do_not_import */
		if (w) {
			(*nrows)++;
			e->written = 1;
		}
		employment_op(r, &p, i, w, e, written);
	}
	for (size_t i = 0; i < r->emps.n; i++)
		*nemps += r->emps.v[i]->written != 0;
	free(by_em);
	unsigned long issues = r->errors + r->warnings + r->infos;
	int rc = lp_out_new(lp_plan_record(&p, 0, NULL, issues, NULL));
	json_t *counts = json_pack("{s:I,s:I}", "ops", (json_int_t)p.seq, "issues", (json_int_t)issues);
	rc |= lp_out_new(lp_stream_end(r->cfg->client, "plan", 1, counts, NULL));
	lp_warn("%s: plan for %d-%02d: %lu ops", r->cfg->client, r->pyear, r->pperiod, p.seq);
	lp_plan_end(&p);
	return rc ? LP_EXIT_IO : 0;
}
