/* lp_le_ppd.c - see lp_le_ppd.h */
#include "lp_le_ppd.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

#include <stdio.h>
#include <string.h>

char *lp_le_ppd_collection(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/payrollperioddata", employment_id);
}

char *lp_le_ppd_record(const char *ppd_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/payrollperioddata/%s", ppd_id);
}

char *lp_le_ppd_period_filter(json_int_t year, json_int_t period)
{
	return lp_xasprintf("payrollPeriod.year eq %" JSON_INTEGER_FORMAT " and payrollPeriod.periodNumber eq %" JSON_INTEGER_FORMAT,
			    year, period);
}

json_t *lp_le_ppd_component(long long key, lp_cents value, int supplement)
{
	return json_pack("{s:{s:I},s:o,s:b}", "payrollComponent", "key", (json_int_t)key, "value", lp_le_money_num(value),
			 "isSupplement", supplement);
}

void lp_le_ppd_key_into(json_t *body, const json_t *key)
{
	static const char *const ks[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
	for (int i = 0; i < 5; i++) {
		json_t *v = json_object_get(key, ks[i]);
		if (!json_is_object(v))
			continue;
		json_t *kv = json_object_get(v, i == 0 ? "shiftNumber" : "key");
		if (kv && !json_is_null(kv))
			json_object_set_new(body, ks[i], json_pack("{s:O}", i == 0 ? "shiftNumber" : "key", kv));
	}
}

static json_t *patch_body(int year, int period, const json_t *key)
{
	json_t *body = json_pack("{s:{s:i,s:i}}", "payrollPeriod", "year", year, "periodNumber", period);
	if (key)
		lp_le_ppd_key_into(body, key);
	else
		json_object_set_new(body, "shift", json_pack("{s:i}", "shiftNumber", LP_LE_PPD_DEFAULT_SHIFT));
	return body;
}

json_t *lp_le_ppd_view(int year, int period, long long key, lp_cents value)
{
	return json_pack("{s:i,s:i,s:I,s:o}", "year", year, "period", period, "payroll_component_key",
			 (json_int_t)key, "value", lp_le_money_str(value));
}

int lp_le_ppd_lands_in(const json_t *body, const json_t *item)
{
	json_t *key = json_deep_copy(body);
	json_object_del(key, "payrollComponents");
	int ok = lp_json_holds(key, item, NULL, 0);
	json_decref(key);
	return ok;
}

int lp_le_ppd_holds(const json_t *body, const json_t *item)
{
	int ok = lp_le_ppd_lands_in(body, item);
	size_t i, k;
	json_t *w, *h;
	json_array_foreach(json_object_get(body, "payrollComponents"), i, w) {
		int held = 0;
		if (json_is_null(json_object_get(w, "value"))) { /* a removal: held when the entry is gone */
			json_t *wk = json_object_get(json_object_get(w, "payrollComponent"), "key");
			held = 1;
			json_array_foreach(json_object_get(item, "payrollComponents"), k, h)
				held &= !json_equal(json_object_get(json_object_get(h, "payrollComponent"), "key"), wk);
		} else
			json_array_foreach(json_object_get(item, "payrollComponents"), k, h) held |= lp_json_holds(w, h, NULL, 0);
		ok &= held;
	}
	return ok;
}

const char *const *lp_le_ppd_identity(void)
{
	static const char *const id[] = {"payrollPeriod.year", "payrollPeriod.periodNumber", NULL};
	return id;
}

int lp_le_ppd_year(const json_t *d, long long *year)
{
	json_t *y = json_object_get(lp_json_obj(d, "payrollPeriod"), "year");
	if (!json_is_integer(y))
		return 0;
	*year = (long long)json_integer_value(y);
	return 1;
}

int lp_le_ppd_period_of(const json_t *body, json_int_t *year, json_int_t *period)
{
	json_t *pp = lp_json_obj(body, "payrollPeriod");
	json_t *y = json_object_get(pp, "year"), *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || !json_is_integer(p))
		return 0;
	*year = json_integer_value(y);
	*period = json_integer_value(p);
	return 1;
}

int lp_le_ppd_current(json_t *out, const json_t *d, const char *employment_id, char *err, size_t n)
{
	json_t *pp = lp_json_obj(d, "payrollPeriod");
	json_t *y = pp ? json_object_get(pp, "year") : NULL;
	size_t i;
	json_t *c;
	json_array_foreach(lp_json_arr(d, "payrollComponents"), i, c) {
		json_t *v = lp_le_money_of(json_object_get(c, "value"), "payroll period data value", err, n);
		if (!v)
			return -1;
		json_t *pc = lp_json_obj(c, "payrollComponent");
		json_t *o = json_object();
		json_object_set_new(o, "id", lp_le_copy(d, "id"));
		json_object_set_new(o, "employment_id", json_string(employment_id));
		json_object_set_new(o, "year", y ? json_deep_copy(y) : json_null());
		json_object_set_new(o, "period", pp ? lp_le_copy(pp, "periodNumber") : json_null());
		json_object_set_new(o, "payroll_component_key", pc ? lp_le_copy(pc, "key") : json_null());
		json_object_set_new(o, "value", v);
		json_object_set_new(o, "is_supplement", json_boolean(json_is_true(json_object_get(c, "isSupplement"))));
		json_t *key = json_object();
		static const char *const kf[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
		for (int f = 0; f < 5; f++)
			json_object_set_new(key, kf[f], lp_le_copy(d, kf[f]));
		json_object_set_new(o, "key", key);
		json_array_append_new(out, o);
	}
	return 0;
}

int lp_le_ppd_drift(const json_t *body, const json_t *before, const json_t *item, char *drift, size_t n)
{
	if (!lp_le_ppd_lands_in(body, item))
		return 0;
	size_t i, k;
	json_t *w, *h;
	json_array_foreach(json_object_get(body, "payrollComponents"), i, w) {
		json_t *wk = json_object_get(json_object_get(w, "payrollComponent"), "key");
		json_t *was = json_object_get(json_array_get(before, i), "value");
		lp_cents want, seen, cur;
		int removal = json_is_null(json_object_get(w, "value"));
		if (!removal && lp_money_from_json(json_object_get(w, "value"), &want))
			continue;
		int had = was && !lp_money_from_json(was, &seen);
		if (removal) /* only the value the plan saw may be removed */
			want = had ? seen : 0;
		json_array_foreach(json_object_get(item, "payrollComponents"), k, h) {
			if (!json_equal(json_object_get(json_object_get(h, "payrollComponent"), "key"), wk) ||
			    lp_money_from_json(json_object_get(h, "value"), &cur) || (!removal && cur == want) || (had && cur == seen))
				continue;
			char a[32];
			snprintf(drift, n, "component %" JSON_INTEGER_FORMAT " of this period holds %s in Loket, which the plan did "
				 "not see (changed in Loket after the plan was made): nothing is written; run fetch-loket and "
				 "diff-loket again", json_integer_value(wk), lp_money_fmt(cur, a));
			return 1;
		}
	}
	return 0;
}

json_t *lp_le_ppd_upsert_body(int year, int period, const json_t *key, json_t *components)
{
	json_t *body = patch_body(year, period, key);
	json_object_set_new(body, "payrollComponents", components);
	return body;
}

json_t *lp_le_ppd_put_body(json_t *components, const json_t *key)
{
	json_t *body = lp_le_ppd_expect(components);
	lp_le_ppd_key_into(body, key);
	json_object_del(body, "payslipType"); /* read-only in a PUT */
	return body;
}

json_t *lp_le_ppd_expect(json_t *components)
{
	json_t *o = json_object();
	json_object_set_new(o, "payrollComponents", components);
	return o;
}

char *lp_le_ppd_periods(const char *payroll_administration_id)
{
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/payrollperiods", payroll_administration_id);
}

const int lp_le_ppd_payslip_types[LP_LE_PPD_N_PAYSLIP_TYPES] = {LP_LE_PPD_PAYSLIP_NORMAL, 2};

char *lp_le_ppd_of_period(const char *payroll_administration_id, long long period_id, int payslip_type, const char *set,
			  long long category)
{
	if (set)
		return lp_xasprintf("/providers/employers/payrolladministrations/%s/payrollPeriods/%lld/payrollperioddata"
				    "?payslipType=%d&payrollComponentSet=%s",
				    payroll_administration_id, period_id, payslip_type, set);
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/payrollPeriods/%lld/payrollperioddata"
			    "?payslipType=%d&payrollComponentCategory=%lld",
			    payroll_administration_id, period_id, payslip_type, category);
}

int lp_le_ppd_period_closed(const json_t *period)
{
	size_t i;
	json_t *run;
	json_array_foreach(json_object_get(period, "payrollRuns"), i, run) if (lp_le_run_approved(run)) return 1;
	return 0;
}

const char *lp_le_ppd_employment_of(const json_t *item)
{
	return lp_json_str(lp_json_obj(item, "employment"), "id");
}

char *lp_le_ppd_collective(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/payrollperioddata", employer_id);
}

char *lp_le_ppd_employment_of_path(const char *path)
{
	static const char pre[] = "/providers/employers/employees/employments/", post[] = "/payrollperioddata";
	size_t n = strlen(path), a = sizeof pre - 1, b = sizeof post - 1;
	if (n <= a + b || strncmp(path, pre, a) || strcmp(path + n - b, post) || memchr(path + a, '/', n - a - b))
		return NULL;
	return lp_xasprintf("%.*s", (int)(n - a - b), path + a);
}

json_t *lp_le_ppd_collective_item(const json_t *body, const char *employment_id)
{
	json_t *it = json_deep_copy(body);
	json_object_set_new(it, "employmentId", json_string(employment_id));
	return it;
}

int lp_le_ppd_period_id(const json_t *periods, json_int_t year, json_int_t period, long long *id)
{
	size_t i;
	json_t *p;
	json_array_foreach(periods, i, p) {
		json_t *pid = json_object_get(p, "id");
		if (json_integer_value(json_object_get(p, "year")) == year &&
		    json_integer_value(json_object_get(p, "periodNumber")) == period && json_is_integer(pid)) {
			*id = (long long)json_integer_value(pid);
			return 1;
		}
	}
	return 0;
}

long long lp_le_ppd_payslip_of(const json_t *body)
{
	json_t *k = json_object_get(lp_json_obj(body, "payslipType"), "key");
	return json_is_integer(k) ? (long long)json_integer_value(k) : 0;
}

int lp_le_ppd_period_of_range(lp_date from, lp_date to, int *year, int *period)
{
	int y2, p2;
	lp_period_of(from, year, period);
	lp_period_of(to, &y2, &p2);
	return y2 == *year && p2 == *period ? 0 : -1;
}
