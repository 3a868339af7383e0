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

static void str_or_null(lp_jw *w, const char *key, const json_t *o, const char *k)
{
	lp_jw_key(w, key);
	lp_jw_str(w, o ? lp_json_str(o, k) : NULL);
}

/* one key: {"NAME": s} or null without s */
static void labelled(lp_jw *w, const char *key, const char *name, const char *s)
{
	lp_jw_key(w, key);
	if (!s) {
		lp_jw_null(w);
		return;
	}
	lp_jw_obj(w);
	lp_jw_key(w, name);
	lp_jw_str(w, s);
	lp_jw_end(w);
}

void lp_le_employee_jw(lp_jw *w, const json_t *p)
{
	json_t *ad = lp_json_obj(p, "address");
	const char *hn = ad ? lp_json_str(ad, "house_number") : NULL;
	lp_jw_obj(w);
	lp_jw_key(w, "personalDetails");
	lp_jw_obj(w);
	str_or_null(w, "initials", p, "initials");
	str_or_null(w, "firstName", p, "first_name");
	str_or_null(w, "prefix", p, "prefix");
	str_or_null(w, "lastName", p, "last_name");
	str_or_null(w, "dateOfBirth", p, "date_of_birth");
	labelled(w, "gender", "value", lp_loket_gender_label(lp_json_str(p, "gender")));
	lp_jw_end(w);
	lp_jw_key(w, "address");
	lp_jw_obj(w);
	str_or_null(w, "street", ad, "street");
	lp_jw_key(w, "houseNumber");
	if (hn)
		lp_jw_int(w, atoll(hn));
	else
		lp_jw_null(w);
	str_or_null(w, "houseNumberAddition", ad, "house_number_addition");
	str_or_null(w, "postalCode", ad, "postal_code");
	str_or_null(w, "city", ad, "city");
	labelled(w, "country", "isoCode", ad ? lp_json_str(ad, "country") : NULL);
	lp_jw_end(w);
	lp_jw_key(w, "contactInformation");
	lp_jw_obj(w);
	str_or_null(w, "emailAddress", p, "email");
	str_or_null(w, "phoneNumber", p, "phone");
	lp_jw_end(w);
	lp_jw_end(w);
}

/* one mapping, lp_le_employee_jw's: its text read back (by jansson itself: only strings, null
 * and integers are in it, and a string may hold any control character) */
json_t *lp_le_employee_object(const json_t *p)
{
	lp_jw w = LP_JW_INIT;
	lp_le_employee_jw(&w, p);
	size_t n;
	const char *t = lp_jw_text(&w, &n);
	json_error_t e;
	json_t *o = json_loadb(t, n, 0, &e);
	if (!o)
		lp_die(LP_EXIT_IO, "lp_le_employee_object: %s", e.text);
	lp_jw_free(&w);
	return o;
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
