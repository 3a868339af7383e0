/* lp_le_benefit.c - see lp_le_benefit.h */
#include "lp_le_benefit.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_range.h"

char *lp_le_benefit_collection(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/benefitsanddeductions", employment_id);
}

char *lp_le_benefit_record(const char *benefit_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/benefitsAndDeductions/%s", benefit_id);
}

json_t *lp_le_benefit_body(lp_cents value, lp_date start, int has_end, lp_date end)
{
	return json_pack("{s:o,s:o,s:o}", "value", lp_le_money_num(value), "startDate", lp_le_date_str(start), "endDate",
			 has_end ? lp_le_date_str(end) : json_null());
}

json_t *lp_le_benefit_post_body(long long key, lp_cents value, lp_date start, int has_end, lp_date end)
{
	json_t *b = lp_le_benefit_body(value, start, has_end, end);
	json_object_set_new(b, "payrollComponent", json_pack("{s:I}", "key", (json_int_t)key));
	return b;
}

json_t *lp_le_benefit_view(long long key, lp_cents value, lp_date start, int has_end, lp_date end)
{
	return json_pack("{s:I,s:o,s:o,s:o}", "payroll_component_key", (json_int_t)key, "value", lp_le_money_str(value),
			 "start_date", lp_le_date_str(start), "end_date", has_end ? lp_le_date_str(end) : json_null());
}

const char *const *lp_le_benefit_identity(void)
{
	static const char *const id[] = {"payrollComponent.key", "startDate", NULL};
	return id;
}

int lp_le_benefit_current(json_t *rec, const json_t *b, const char *employment_id, char *err, size_t n)
{
	json_t *v = lp_le_amount_of(json_object_get(b, "value"), "benefit value", 0, LP_RANGE_BENEFIT_MAX, err, n);
	if (!v)
		return -1;
	json_t *pc = lp_json_obj(b, "payrollComponent");
	json_object_set_new(rec, "id", lp_le_copy(b, "id"));
	json_object_set_new(rec, "employment_id", json_string(employment_id));
	json_object_set_new(rec, "payroll_component_key", pc ? lp_le_copy(pc, "key") : json_null());
	json_object_set_new(rec, "value", v);
	json_object_set_new(rec, "start_date", lp_le_copy(b, "startDate"));
	json_object_set_new(rec, "end_date", lp_le_copy(b, "endDate"));
	return 0;
}
