/* lp_le_comprehensive.c - see lp_le_comprehensive.h */
#include "lp_le_comprehensive.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_money.h"

#include <stdio.h>
#include <string.h>

char *lp_le_comprehensive_list(const char *employer_id, lp_date reference_date)
{
	char d[16];
	return lp_xasprintf("/providers/employers/%s/employees/employments/comprehensive?referenceDate=%s", employer_id,
			    lp_date_fmt(reference_date, d));
}

static json_t *integer(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? json_integer(json_integer_value(v)) : json_null();
}

static json_t *text(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	const char *s = json_is_string(v) ? lp_json_text(v) : NULL;
	return s && *s ? json_string(s) : json_null();
}

json_t *lp_le_comprehensive_employee(const json_t *item, char *err, size_t n)
{
	json_t *e = lp_json_obj(item, "employee"), *pd = lp_json_obj(e, "personalDetails"), *a = lp_json_obj(e, "address");
	if (!lp_json_str(e, "id")) {
		snprintf(err, n, "an employment without employee.id");
		return NULL;
	}
	json_t *o = json_object();
	json_object_set_new(o, "employee_id", json_string(lp_json_str(e, "id")));
	json_object_set_new(o, "employee_number", integer(e, "employeeNumber"));
	static const char *const pdk[][2] = {{"initials", "initials"}, {"first_name", "firstName"}, {"prefix", "prefix"},
					     {"last_name", "lastName"}, {"formatted_name", "formattedName"}};
	for (size_t i = 0; i < sizeof pdk / sizeof pdk[0]; i++)
		json_object_set_new(o, pdk[i][0], text(pd, pdk[i][1]));
	json_object_set_new(o, "street", text(a, "street"));
	json_object_set_new(o, "house_number", integer(a, "houseNumber"));
	json_object_set_new(o, "house_number_addition", text(a, "houseNumberAddition"));
	json_object_set_new(o, "postal_code", text(a, "postalCode"));
	json_object_set_new(o, "city", text(a, "city"));
	json_object_set_new(o, "country", text(lp_json_obj(a, "country"), "isoCode"));
	return o;
}

/* hours (a JSON number Loket sent: an integer or lp_json's exact decimal) as "38.00", to the
 * hundredth (Loket's double may carry more decimals, 22.8571 for 160/7: rounded half up in
 * integers, 22.86); null when absent or null; -1 when no number of hours in 0..168 */
static int hours(const json_t *o, const char *k, json_t **out)
{
	json_t *v = json_object_get(o, k);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	int64_t h, fine;
	if (json_is_integer(v))
		h = (int64_t)json_integer_value(v) * 100;
	else if (!json_is_string(v))
		return -1;
	else if (lp_dec_parse(lp_json_text(v), 2, &h) != LP_DEC_OK) {
		if (lp_dec_parse(lp_json_text(v), 9, &fine) != LP_DEC_OK)
			return -1;
		h = lp_div_round(fine, 10000000);
	}
	if (h < 0 || h > 16800)
		return -1;
	char b[32];
	*out = json_string(lp_dec_fmt(h, 2, b));
	return 0;
}

json_t *lp_le_comprehensive_employment(const json_t *item, char *err, size_t n)
{
	const char *id = lp_json_str(item, "id");
	if (!id) {
		snprintf(err, n, "an employment without id");
		return NULL;
	}
	json_t *e = lp_json_obj(item, "employee"), *wh = lp_json_obj(item, "workinghours"),
	       *oe = lp_json_obj(item, "organizationalEntity"), *sh = lp_json_obj(wh, "shift");
	json_t *hpw = NULL, *full = NULL, *x = NULL;
	static const char *const hk[] = {"deviatingHoursPerWeek", "averageHoursPerWeek"};
	for (size_t i = 0; i < 2 && !hpw; i++)
		if (hours(wh, hk[i], &hpw)) {
			snprintf(err, n, "employment %s: workinghours.%s: not a number of hours from 0 to 168", id, hk[i]);
			return NULL;
		}
	if (hours(sh, "fullTimeHoursPerWeek", &full)) {
		json_decref(hpw);
		snprintf(err, n, "employment %s: workinghours.shift.fullTimeHoursPerWeek: not a number of hours from 0 to 168", id);
		return NULL;
	}
	if (!hpw && full)
		hpw = json_incref(full);
	json_t *o = json_object();
	json_object_set_new(o, "employment_id", json_string(id));
	json_object_set_new(o, "employee_id", text(e, "id"));
	json_object_set_new(o, "employee_number", integer(e, "employeeNumber"));
	json_object_set_new(o, "income_number", integer(item, "incomeRelationshipNumber"));
	json_object_set_new(o, "payroll_id", integer(item, "payrollId"));
	json_object_set_new(o, "payroll_administration_id", text(lp_json_obj(item, "payrollAdministration"), "id"));
	json_object_set_new(o, "start_date", text(item, "startDate"));
	json_object_set_new(o, "end_date", text(item, "endDate"));
	json_object_set_new(o, "hours_per_week", hpw ? hpw : json_null());
	json_object_set_new(o, "full_time_hours_per_week", full ? full : json_null());
	x = text(oe, "deviatingFunctionDescription");
	if (json_is_null(x)) {
		json_decref(x);
		x = text(lp_json_obj(oe, "function"), "description");
	}
	json_object_set_new(o, "function", x);
	json_object_set_new(o, "department_code", integer(lp_json_obj(oe, "department"), "code"));
	json_object_set_new(o, "department", text(lp_json_obj(oe, "department"), "description"));
	return o;
}

static void earliest_end(const json_t *o, lp_date reference, lp_date *next)
{
	lp_date d;
	const char *s = lp_json_str(o, "endDate");
	if (s && !lp_date_parse(s, &d) && d >= reference && d + 1 < *next)
		*next = d + 1;
}

static void later_start(const json_t *o, lp_date reference, lp_date *next)
{
	lp_date d;
	const char *s = lp_json_str(o, "startDate");
	if (s && !lp_date_parse(s, &d) && d > reference && d < *next)
		*next = d;
}

lp_date lp_le_comprehensive_next_change(const json_t *item, lp_date reference)
{
	lp_date next = LP_LE_DATE_NEVER;
	const json_t *parts[] = {item, lp_json_obj(item, "workinghours"), lp_json_obj(item, "organizationalEntity")};
	for (size_t i = 0; i < 3; i++) {
		earliest_end(parts[i], reference, &next);
		later_start(parts[i], reference, &next);
	}
	return next;
}
