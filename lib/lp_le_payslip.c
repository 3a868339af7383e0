/* lp_le_payslip.c - see lp_le_payslip.h */
#include "lp_le_payslip.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

#include <stdio.h>

char *lp_le_payslip_list(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/payslips", employment_id);
}

char *lp_le_payslip_pdf(const char *employment_id, const char *run_id)
{
	if (!lp_le_uuid_ok(employment_id) || !lp_le_uuid_ok(run_id))
		return NULL;
	return lp_xasprintf("/providers/employers/employees/employments/%s/payslips/%s", employment_id, run_id);
}

static int date_of(const json_t *o, const char *k, lp_date *d)
{
	const char *s = lp_json_str(o, k);
	return s && !lp_date_parse_prefix(s, d) ? 0 : -1;
}

int lp_le_payslip_read(const json_t *item, lp_le_payslip_info *o, char *err, size_t n)
{
	const char *id = lp_json_str(item, "payrollrunId");
	if (!id || !lp_le_uuid_ok(id)) {
		snprintf(err, n, "payrollrunId: not a uuid");
		return -1;
	}
	o->run_id = id;
	json_t *pp = lp_json_obj(item, "payrollPeriod"), *y = json_object_get(pp, "year"),
	       *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || json_integer_value(y) < 1900 || json_integer_value(y) > 2199 || !json_is_integer(p) ||
	    json_integer_value(p) < 1 || json_integer_value(p) > 53 || date_of(pp, "periodStartDate", &o->start) ||
	    date_of(pp, "periodEndDate", &o->end) || o->end < o->start) {
		snprintf(err, n, "payslip of run %s: payrollPeriod: expected {year, periodNumber, periodStartDate, periodEndDate}", id);
		return -1;
	}
	o->year = (int)json_integer_value(y);
	o->period = (int)json_integer_value(p);
	return 0;
}

