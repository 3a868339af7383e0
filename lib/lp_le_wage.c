/* lp_le_wage.c - see lp_le_wage.h */
#include "lp_le_wage.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_loket.h"
#include "lp_range.h"

int lp_le_wage_kind(const char *label)
{
	return lp_loket_label_eq(label, "Periodeloon") ? LP_LE_WAGE_PERIODIC
	       : lp_loket_label_eq(label, "Uurloon")   ? LP_LE_WAGE_HOURLY
						       : 0;
}

char *lp_le_wage_collection(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/wages", employment_id);
}

char *lp_le_wage_record(const char *wage_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/wages/%s", wage_id);
}

char *lp_le_wage_metadata(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/wages/metadata", employment_id);
}

json_t *lp_le_wage_body(lp_date start, lp_cents amount, long long key)
{
	return json_pack("{s:o,s:o,s:{s:I},s:b}", "startDate", lp_le_date_str(start), "grossWage",
			 lp_le_money_num(amount), "grossWageType", "key", (json_int_t)key, "applyPayGrade", 0);
}

json_t *lp_le_wage_data(lp_cents amount, long long key)
{
	return json_pack("{s:o,s:{s:I},s:b}", "grossWage", lp_le_money_num(amount), "grossWageType", "key",
			 (json_int_t)key, "applyPayGrade", 0);
}

json_t *lp_le_wage_expect(lp_date start, lp_cents amount, long long key, int scale)
{
	json_t *e = lp_le_wage_body(start, amount, key);
	if (scale)
		json_object_set_new(e, "applyPayGrade", json_true());
	else
		json_object_del(e, "applyPayGrade"); /* false or absent: Loket need not send it */
	return e;
}

json_t *lp_le_wage_view(lp_date start, lp_cents amount, int kind)
{
	return json_pack("{s:o,s:o,s:i}", "start_date", lp_le_date_str(start), "gross_wage", lp_le_money_str(amount),
			 "gross_wage_type", kind);
}

int lp_le_wage_eq(lp_cents a_amount, int a_kind, lp_cents b_amount, int b_kind)
{
	return a_amount == b_amount && a_kind == b_kind;
}

const char *const *lp_le_wage_identity(void)
{
	static const char *const id[] = {"startDate", NULL};
	return id;
}

int lp_le_wage_current(json_t *rec, const json_t *w, const char *employment_id, char *err, size_t n)
{
	json_t *gw = lp_le_amount_of(json_object_get(w, "grossWage"), "wage grossWage", 0, LP_RANGE_WAGE_MAX, err, n);
	if (!gw)
		return -1;
	json_object_set_new(rec, "id", lp_le_copy(w, "id"));
	json_object_set_new(rec, "employment_id", json_string(employment_id));
	json_object_set_new(rec, "start_date", lp_le_copy(w, "startDate"));
	json_object_set_new(rec, "end_date", lp_le_copy(w, "endDate"));
	json_object_set_new(rec, "gross_wage", gw);
	json_t *gt = lp_json_obj(w, "grossWageType");
	json_object_set_new(rec, "gross_wage_type", json_pack("{s:O}", "key", gt ? json_object_get(gt, "key") : json_null()));
	json_t *ap = json_object_get(w, "applyPayGrade");
	json_object_set_new(rec, "apply_pay_grade", json_is_boolean(ap) ? json_deep_copy(ap) : json_null());
	static const char *const pk[][2] = {{"payScale", "pay_scale"}, {"payGrade", "pay_grade"}};
	for (int i = 0; i < 2; i++) {
		json_t *k = json_object_get(lp_json_obj(w, pk[i][0]), "key");
		json_object_set_new(rec, pk[i][1], json_is_integer(k) ? json_deep_copy(k) : json_null());
	}
	return 0;
}

int lp_le_wage_kind_of_key(const json_t *options, long long key)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) {
		json_t *k = json_object_get(o, "key");
		if (json_is_integer(k) && json_integer_value(k) == key)
			return lp_le_wage_kind(lp_json_str(o, "value"));
	}
	return 0;
}

void lp_le_wage_keys(const json_t *options, long long key_of[3])
{
	int seen[3] = {0, 0, 0};
	size_t i;
	json_t *o;
	key_of[0] = key_of[1] = key_of[2] = -1;
	json_array_foreach(options, i, o) {
		int k = lp_le_wage_kind(lp_json_str(o, "value"));
		json_t *key = json_object_get(o, "key");
		if (k && json_is_integer(key))
			key_of[k] = seen[k]++ ? -1 : (long long)json_integer_value(key);
	}
}
