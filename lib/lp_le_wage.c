/* lp_le_wage.c - see lp_le_wage.h */
#include "lp_le_wage.h"
#include "lp_cli.h"
#include "lp_le.h"
#include "lp_loket.h"

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
