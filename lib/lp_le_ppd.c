/* lp_le_ppd.c - see lp_le_ppd.h */
#include "lp_le_ppd.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

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

json_t *lp_le_ppd_patch_body(int year, int period, const json_t *key)
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
