/* lp_le_audit.c - see lp_le_audit.h */
#include "lp_le_audit.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_money.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *lp_le_audit_employee_data(const char *employer_id, lp_date from, lp_date to)
{
	char f[16], t[16];
	return lp_xasprintf("/providers/employers/%s/auditTrail/EmployeeData?startDate=%sT00:00:00Z&endDate=%sT23:59:59Z",
			    employer_id, lp_date_fmt(from, f), lp_date_fmt(to, t));
}

/* loketpipe's entity and view field -> the audit trail's entity and field (Loket's API names) */
static const struct {
	const char *entity, *field, *a_entity, *a_field;
} NAMES[] = {
	{"wage", "gross_wage", "wage", "grossWage"},
	{"wage", "gross_wage_type", "wage", "grossWageType"},
	{"wage", "start_date", "wage", "startDate"},
	{"benefit_deduction", "value", "benefitAndDeduction", "value"},
	{"benefit_deduction", "start_date", "benefitAndDeduction", "startDate"},
	{"benefit_deduction", "end_date", "benefitAndDeduction", "endDate"},
};

int lp_le_audit_names(const char *entity, const char *field, const char **a_entity, const char **a_field)
{
	if (!entity || !field)
		return 0;
	if (!strcmp(entity, "employee")) { /* Loket's own (dotted) field name: its last segment */
		const char *d = strrchr(field, '.');
		*a_entity = "employee";
		*a_field = d ? d + 1 : field;
		return **a_field != '\0';
	}
	for (size_t i = 0; i < sizeof NAMES / sizeof *NAMES; i++)
		if (!strcmp(NAMES[i].entity, entity) && !strcmp(NAMES[i].field, field)) {
			*a_entity = NAMES[i].a_entity;
			*a_field = NAMES[i].a_field;
			return 1;
		}
	return 0;
}

/* an amount as newValue may write it: "4000", "4000.5", "4000,50" (a decimal comma) */
static int amount_of(const char *s, lp_cents *c)
{
	char b[64];
	if (strlen(s) >= sizeof b)
		return -1;
	strcpy(b, s);
	char *comma = strchr(b, ',');
	if (comma && !strchr(b, '.'))
		*comma = '.';
	return lp_money_parse(b, c);
}

static int value_is(const json_t *ours, const json_t *theirs)
{
	if (json_is_null(ours) || !ours)
		return json_is_null(theirs) || !theirs;
	const char *t = json_string_value(theirs);
	if (!t)
		return 0;
	if (json_is_integer(ours)) {
		char *e;
		long long v = strtoll(t, &e, 10);
		return e != t && !*e && v == (long long)json_integer_value(ours);
	}
	const char *o = json_string_value(ours);
	if (!o)
		return 0;
	if (!strcmp(o, t))
		return 1;
	lp_date a, b;
	if (!lp_date_parse(o, &a))
		return !lp_date_parse_prefix(t, &b) && a == b;
	lp_cents x, y;
	return !lp_money_parse(o, &x) && !amount_of(t, &y) && x == y;
}

int lp_le_audit_is(const json_t *item, long long employee, const char *entity, const char *field, const json_t *value)
{
	const char *ae, *af;
	if (!lp_le_audit_names(entity, field, &ae, &af))
		return 0;
	const json_t *en = json_object_get(json_object_get(item, "employee"), "employeeNumber");
	const char *ie = json_string_value(json_object_get(json_object_get(item, "entity"), "value")),
		   *fi = json_string_value(json_object_get(json_object_get(item, "field"), "value"));
	return json_is_integer(en) && (long long)json_integer_value(en) == employee && ie && !strcasecmp(ie, ae) && fi &&
	       !strcasecmp(fi, af) && value_is(value, json_object_get(item, "newValue"));
}

const char *lp_le_audit_by(const json_t *item)
{
	const char *s = json_string_value(json_object_get(json_object_get(item, "performedBy"), "formattedName"));
	return s && *s ? s : NULL;
}

const char *lp_le_audit_at(const json_t *item)
{
	const char *s = json_string_value(json_object_get(item, "timeStamp"));
	return s && *s ? s : NULL;
}
