/* lp_le_employee.c - see lp_le_employee.h */
#include "lp_le_employee.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_loket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lp_le_employee_list(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/employees", employer_id);
}

char *lp_le_employee_record(const char *employee_id)
{
	return lp_xasprintf("/providers/employers/employees/%s", employee_id);
}

char *lp_le_employee_bsn(const char *employee_id)
{
	return lp_xasprintf("/providers/employers/employees/%s/citizenservicenumber", employee_id);
}

char *lp_le_employee_metadata(const char *employee_id)
{
	return lp_xasprintf("/providers/employers/employees/%s/metadata", employee_id);
}

static json_t *str_or_null(const json_t *o, const char *k)
{
	const char *s = lp_json_str(o, k);
	return s ? json_string(s) : json_null();
}

json_t *lp_le_employee_object(const json_t *p)
{
	json_t *ad = lp_json_obj(p, "address");
	const char *gl = lp_loket_gender_label(lp_json_str(p, "gender"));
	const char *hn = ad ? lp_json_str(ad, "house_number") : NULL;
	const char *country = ad ? lp_json_str(ad, "country") : NULL;
	json_t *pd = json_object();
	json_object_set_new(pd, "initials", str_or_null(p, "initials"));
	json_object_set_new(pd, "firstName", str_or_null(p, "first_name"));
	json_object_set_new(pd, "prefix", str_or_null(p, "prefix"));
	json_object_set_new(pd, "lastName", str_or_null(p, "last_name"));
	json_object_set_new(pd, "dateOfBirth", str_or_null(p, "date_of_birth"));
	json_object_set_new(pd, "gender", gl ? json_pack("{s:s}", "value", gl) : json_null());
	json_t *a = json_object();
	json_object_set_new(a, "street", ad ? str_or_null(ad, "street") : json_null());
	json_object_set_new(a, "houseNumber", hn ? json_integer(atoll(hn)) : json_null());
	json_object_set_new(a, "houseNumberAddition", ad ? str_or_null(ad, "house_number_addition") : json_null());
	json_object_set_new(a, "postalCode", ad ? str_or_null(ad, "postal_code") : json_null());
	json_object_set_new(a, "city", ad ? str_or_null(ad, "city") : json_null());
	json_object_set_new(a, "country", country ? json_pack("{s:s}", "isoCode", country) : json_null());
	json_t *ci = json_object();
	json_object_set_new(ci, "emailAddress", str_or_null(p, "email"));
	json_object_set_new(ci, "phoneNumber", str_or_null(p, "phone"));
	return json_pack("{s:o,s:o,s:o}", "personalDetails", pd, "address", a, "contactInformation", ci);
}

int lp_le_employee_clearable(const char *path)
{
	static const char *const fixed[] = {"personalDetails.gender", "personalDetails.initials",
					    "personalDetails.lastName", "personalDetails.dateOfBirth", "address.country"};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (!strcmp(path, fixed[i]))
			return 0;
	return 1;
}

static void strip_labels(json_t *o)
{
	const char *k;
	json_t *v;
	void *tmp;
	if (json_object_get(o, "key")) {
		json_object_del(o, "value");
		json_object_del(o, "isoCode");
	}
	json_object_foreach_safe(o, tmp, k, v) {
		if (json_is_object(v)) {
			strip_labels(v);
			if (!strcmp(k, "country") && !json_object_get(v, "key"))
				json_object_del(o, k);
		}
	}
}

void lp_le_employee_writable(json_t *e)
{
	static const char *const top[] = {"id", "revokeEmployeeSelfServiceAccessOn", "statusEmployeeSelfService"};
	static const char *const pd[] = {"aowDate", "formattedName", "photo"};
	for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
		json_object_del(e, top[i]);
	json_t *p = lp_json_obj(e, "personalDetails");
	for (size_t i = 0; p && i < sizeof pd / sizeof pd[0]; i++)
		json_object_del(p, pd[i]);
	strip_labels(e);
}

void lp_le_employee_cmp(const json_t *want, json_t *merged, const char *prefix, json_t *changes)
{
	const char *k;
	json_t *dv;
	json_object_foreach((json_t *)want, k, dv) {
		char path[256];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
		json_t *cv = json_object_get(merged, k);
		if (json_is_null(dv) && !lp_le_employee_clearable(path))
			continue; /* Loket keeps a value here; a blank cannot clear it */
		int meta = json_is_object(dv) && json_object_get(dv, "key"); /* resolved to Loket's key */
		if (json_is_object(dv) && !meta) {
			if (!json_is_object(cv)) {
				cv = json_object();
				json_object_set_new(merged, k, cv);
			}
			lp_le_employee_cmp(dv, cv, path, changes);
			continue;
		}
		int same;
		if (meta)
			same = json_is_object(cv) && json_equal(json_object_get(dv, "key"), json_object_get(cv, "key"));
		else
			same = json_equal(dv, cv ? cv : json_null());
		if (same)
			continue;
		json_array_append_new(changes,
				      json_pack("{s:s,s:O,s:O}", "field", path, "before", cv ? cv : json_null(), "after", dv));
		json_object_set(merged, k, dv);
	}
}

void lp_le_employee_current(json_t *rec, const json_t *e, const json_t *bsn)
{
	json_object_set_new(rec, "id", lp_le_copy(e, "id"));
	json_object_set_new(rec, "employee_number", lp_le_copy(e, "employeeNumber"));
	json_t *emp = json_deep_copy(e);
	json_object_del(emp, "id");
	static const char *const need[] = {"personalDetails", "address", "contactInformation"};
	for (int i = 0; i < 3; i++)
		if (!json_object_get(emp, need[i]))
			json_object_set_new(emp, need[i], json_null());
	json_object_set_new(rec, "employee", emp);
	json_object_set_new(rec, "citizen_service_number", bsn ? lp_le_copy(bsn, "citizenServiceNumber") : json_null());
}

char *lp_le_employee_number_filter(long long number)
{
	return lp_xasprintf("employeeNumber eq %lld", number);
}

size_t lp_le_employee_max_length(const char *person_field, const char **loket_field)
{
	static const struct {
		const char *person, *loket;
		size_t max;
	} limits[] = {
		{"address.street", "street", 24},
		{"address.house_number_addition", "houseNumberAddition", 4},
		{"address.postal_code", "postalCode", 9},
		{"address.city", "city", 24},
		{"email", "emailAddress", 255},
		{"phone", "phoneNumber", 15},
		{"initials", "initials", 6},
		{"first_name", "firstName", 28},
		{"prefix", "prefix", 10},
		{"last_name", "lastName", 25},
	};
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
		if (!strcmp(limits[i].person, person_field)) {
			*loket_field = limits[i].loket;
			return limits[i].max;
		}
	*loket_field = NULL;
	return 0;
}
