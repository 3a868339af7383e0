/* lp_le_concept.c - see lp_le_concept.h */
#include "lp_le_concept.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_employee.h"
#include "lp_le_wage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lp_le_concept_list(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/conceptemployees", employer_id);
}

char *lp_le_concept_metadata(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/conceptemployees/metadata", employer_id);
}

char *lp_le_concept_bsn(const char *concept_id)
{
	return lp_xasprintf("/providers/employers/conceptemployees/%s/citizenservicenumber", concept_id);
}

json_t *lp_le_concept_body(const struct lp_le_concept_new *c)
{
	lp_le_employee_writable(c->employee);
	json_t *ed = json_object();
	json_object_set_new(ed, "employeeNumber", json_integer(c->number));
	const char *k;
	json_t *v;
	json_object_foreach(c->employee, k, v) json_object_set(ed, k, v);
	json_decref(c->employee);
	if (c->iban)
		json_object_set_new(ed, "iban", json_string(c->iban));
	json_t *md = json_object();
	json_object_set_new(md, "payrollAdministration", json_pack("{s:s}", "id", c->admin_id));
	char db[16];
	if (c->has_start)
		json_object_set_new(md, "startDate", json_string(lp_date_fmt(c->start, db)));
	if (c->income >= 0)
		json_object_set_new(md, "incomeRelationshipNumber", json_integer(c->income));
	json_t *body = json_object();
	json_object_set_new(body, "uniqueName", json_string(c->unique_name));
	json_object_set_new(body, "employeeData", ed);
	json_object_set_new(body, "employmentData", md);
	return body;
}

char *lp_le_concept_unique_name(const json_t *employee, const char *pid)
{
	json_t *pd = lp_json_obj(employee, "personalDetails");
	const char *fn = pd ? lp_json_str(pd, "firstName") : NULL, *ln = pd ? lp_json_str(pd, "lastName") : NULL;
	const char *px = pd ? lp_json_str(pd, "prefix") : NULL;
	return lp_xasprintf("%s%s%s%s%s (Personio %s)", fn ? fn : "", fn ? " " : "", px ? px : "", px ? " " : "",
			    ln ? ln : "", pid);
}

const char *const *lp_le_concept_identity(void)
{
	static const char *const id[] = {"uniqueName", NULL};
	return id;
}

void lp_le_concept_current(json_t *rec, const json_t *c)
{
	json_t *ed = lp_json_obj(c, "employeeData");
	json_object_set_new(rec, "id", lp_le_copy(c, "id"));
	json_object_set_new(rec, "employee_number", ed ? lp_le_copy(ed, "employeeNumber") : json_null());
	json_object_set_new(rec, "unique_name", lp_le_copy(c, "uniqueName"));
}

int lp_le_concept_number(const json_t *body, long long *number)
{
	json_t *num = json_object_get(lp_json_obj(body, "employeeData"), "employeeNumber");
	if (!json_is_integer(num))
		return 0;
	*number = (long long)json_integer_value(num);
	return 1;
}

char *lp_le_concept_employees_of(const char *concept_path)
{
	static const char tail[] = "/conceptemployees";
	size_t pl = strlen(concept_path), l = pl - (sizeof tail - 1);
	if (pl < sizeof tail || strcmp(concept_path + l, tail))
		return NULL;
	return lp_xasprintf("%.*s/employees", (int)l, concept_path);
}

void lp_le_concept_set_wage(json_t *body, lp_cents amount, long long wage_type_key)
{
	json_object_set_new(body, "wageData", lp_le_wage_data(amount, wage_type_key));
}
