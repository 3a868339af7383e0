/* lp_loket.c - see lp_loket.h */
#include "lp_loket.h"
#include "lp_json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Labels that name the same option; the first of each group is the one loketpipe writes. */
static const char *const synonyms[][5] = {
	{"Man", "Male", "Mannelijk", NULL},
	{"Vrouw", "Female", "Vrouwelijk", NULL},
	{"Periodeloon", "Periodiek", "Periodiek loon", "periodic", NULL},
	{"Uurloon", "Uur", "hourly", NULL},
	{"Betaling", "Payment", NULL},
	{"Inhouding", "Deduction", NULL},
};
enum { SYN_MAN, SYN_VROUW, SYN_PERIODIC, SYN_HOURLY, SYN_PAYMENT, SYN_DEDUCTION, SYN__COUNT };

static int group_of(const char *label)
{
	for (int g = 0; label && g < SYN__COUNT; g++)
		for (int i = 0; synonyms[g][i]; i++)
			if (!strcasecmp(label, synonyms[g][i]))
				return g;
	return -1;
}

int lp_loket_label_eq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	if (!strcasecmp(a, b))
		return 1;
	int g = group_of(a);
	return g >= 0 && g == group_of(b);
}

int lp_loket_wage_kind(const char *label)
{
	int g = group_of(label);
	return g == SYN_PERIODIC ? LP_LOKET_WAGE_PERIODIC : g == SYN_HOURLY ? LP_LOKET_WAGE_HOURLY : 0;
}

enum lp_component_kind lp_loket_component_kind(const char *label)
{
	int g = group_of(label);
	return g == SYN_PAYMENT ? LP_COMPONENT_PAYMENT : g == SYN_DEDUCTION ? LP_COMPONENT_DEDUCTION : LP_COMPONENT_NEITHER;
}

const char *lp_loket_gender_label(const char *g)
{
	if (!g)
		return NULL;
	if (!strcasecmp(g, "male") || !strcasecmp(g, "m") || !strcasecmp(g, "man"))
		return synonyms[SYN_MAN][0];
	if (!strcasecmp(g, "female") || !strcasecmp(g, "f") || !strcasecmp(g, "vrouw"))
		return synonyms[SYN_VROUW][0];
	return NULL;
}

int lp_loket_option_key(const json_t *options, const json_t *want, json_t **key)
{
	const char *label = lp_json_str(want, "value"), *iso = lp_json_str(want, "isoCode");
	size_t i;
	json_t *o;
	int found = 0;
	if (!label && !iso)
		return 0;
	json_array_foreach(options, i, o) {
		json_t *k = json_object_get(o, "key");
		if (!k || json_is_null(k))
			continue;
		int hit = iso ? lp_json_str(o, "isoCode") && !strcasecmp(iso, lp_json_str(o, "isoCode"))
			      : lp_loket_label_eq(label, lp_json_str(o, "value"));
		if (!hit)
			continue;
		if (found++)
			return -1;
		*key = k;
	}
	return found;
}

static json_t *str_or_null(const json_t *o, const char *k)
{
	const char *s = lp_json_str(o, k);
	return s ? json_string(s) : json_null();
}

json_t *lp_loket_employee_object(const json_t *p)
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

int lp_loket_clearable(const char *path)
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

void lp_loket_writable(json_t *e)
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
