/* lp_le_employment.c - see lp_le_employment.h */
#include "lp_le_employment.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

char *lp_le_employment_list(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/employees/employments", employer_id);
}

char *lp_le_employment_versions(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/employees/employments/lastmodifiedversionnumbers", employer_id);
}

const char *lp_le_employment_admin(const json_t *e)
{
	return lp_json_str(lp_json_obj(e, "payrollAdministration"), "id");
}

void lp_le_employment_current(json_t *rec, const json_t *e)
{
	json_t *ee = lp_json_obj(e, "employee");
	json_object_set_new(rec, "id", lp_le_copy(e, "id"));
	json_object_set_new(rec, "employee_id", ee ? lp_le_copy(ee, "id") : json_null());
	json_object_set_new(rec, "employee_number", ee ? lp_le_copy(ee, "employeeNumber") : json_null());
	json_object_set_new(rec, "income_number", lp_le_copy(e, "incomeRelationshipNumber"));
	json_object_set_new(rec, "payroll_id", lp_le_copy(e, "payrollId"));
	json_object_set_new(rec, "start_date", lp_le_copy(e, "startDate"));
	json_object_set_new(rec, "end_date", lp_le_copy(e, "endDate"));
	const char *paid = lp_le_employment_admin(e);
	json_object_set_new(rec, "payroll_administration_id", paid ? json_string(paid) : json_null());
	json_t *pa = lp_json_obj(e, "payrollAdministration");
	json_object_set_new(rec, "client_number", pa ? lp_le_copy(pa, "clientNumber") : json_null());
}
