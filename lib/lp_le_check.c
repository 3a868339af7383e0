/* lp_le_check.c - see lp_le_check.h */
#include "lp_le_check.h"
#include "lp_date.h"
#include "lp_json.h"
#include "lp_mask.h"
#include "lp_money.h"
#include "lp_nlid.h"
#include "lp_range.h"

#include <stdio.h>
#include <string.h>

enum kind { K_TEXT, K_DATE, K_INT, K_BOOL, K_KEY, K_AMOUNT, K_BSN };

struct member {
	const char *path; /* dotted; "[]" an element of an array */
	enum kind kind;
	int null_ok;
	lp_cents min, max; /* K_AMOUNT */
};

#define AMOUNT_ANY -LP_MONEY_MAX, LP_MONEY_MAX

static const struct member wage[] = {
	{"startDate", K_DATE, 0, 0, 0},
	{"grossWage", K_AMOUNT, 0, 1, LP_RANGE_WAGE_MAX}, /* Loket: 0.01 .. 999999.99 */
	{"grossWageType.key", K_INT, 0, 0, 0},
	{"applyPayGrade", K_BOOL, 0, 0, 0},
	{NULL, 0, 0, 0, 0}};

static const struct member benefit[] = {
	{"value", K_AMOUNT, 0, LP_RANGE_BENEFIT_MIN, LP_RANGE_BENEFIT_MAX},
	{"startDate", K_DATE, 0, 0, 0},
	{"endDate", K_DATE, 1, 0, 0},
	{"payrollComponent.key", K_INT, 0, 0, 0},
	{NULL, 0, 0, 0, 0}};

static const struct member concept[] = {
	{"uniqueName", K_TEXT, 0, 0, 0},
	{"employeeData.employeeNumber", K_INT, 1, 0, 0},
	{"employeeData.personalDetails.initials", K_TEXT, 1, 0, 0},
	{"employeeData.personalDetails.firstName", K_TEXT, 1, 0, 0},
	{"employeeData.personalDetails.prefix", K_TEXT, 1, 0, 0},
	{"employeeData.personalDetails.lastName", K_TEXT, 1, 0, 0},
	{"employeeData.personalDetails.dateOfBirth", K_DATE, 1, 0, 0},
	{"employeeData.personalDetails.gender.key", K_INT, 1, 0, 0},
	{"employeeData.address.street", K_TEXT, 1, 0, 0},
	{"employeeData.address.houseNumber", K_INT, 1, 0, 0},
	{"employeeData.address.houseNumberAddition", K_TEXT, 1, 0, 0},
	{"employeeData.address.postalCode", K_TEXT, 1, 0, 0},
	{"employeeData.address.city", K_TEXT, 1, 0, 0},
	{"employeeData.address.country.key", K_INT, 1, 0, 0},
	{"employeeData.contactInformation.emailAddress", K_TEXT, 1, 0, 0},
	{"employeeData.contactInformation.phoneNumber", K_TEXT, 1, 0, 0},
	{"employeeData.iban", K_TEXT, 1, 0, 0},
	{"employmentData.payrollAdministration.id", K_TEXT, 0, 0, 0},
	{"employmentData.startDate", K_DATE, 1, 0, 0},
	{"employmentData.incomeRelationshipNumber", K_INT, 1, 0, 0},
	{"wageData.grossWage", K_AMOUNT, 0, 100, 100000000}, /* Loket: 1 .. 1000000 */
	{"wageData.grossWageType.key", K_INT, 0, 0, 0},
	{"wageData.applyPayGrade", K_BOOL, 0, 0, 0},
	{NULL, 0, 0, 0, 0}};

static const struct member ppd[] = {
	{"payrollPeriod.year", K_INT, 0, 0, 0},
	{"payrollPeriod.periodNumber", K_INT, 0, 0, 0},
	{"shift.shiftNumber", K_INT, 0, 0, 0},
	{"payslipType.key", K_KEY, 0, 0, 0},
	{"distributionUnit.key", K_KEY, 0, 0, 0},
	{"costCenter.key", K_KEY, 0, 0, 0},
	{"costUnit.key", K_KEY, 0, 0, 0},
	{"payrollComponents[].payrollComponent.key", K_INT, 0, 0, 0},
	{"payrollComponents[].value", K_AMOUNT, 1, AMOUNT_ANY}, /* null: the entry is removed */
	{"payrollComponents[].isSupplement", K_BOOL, 0, 0, 0},
	{NULL, 0, 0, 0, 0}};

static const struct member bsn[] = {{"citizenServiceNumber", K_BSN, 0, 0, 0}, {NULL, 0, 0, 0, 0}};

int lp_le_date_name(const char *k)
{
	size_t l = strlen(k);
	while (l && k[l - 1] >= '0' && k[l - 1] <= '9')
		l--;
	return !strcmp(k, "date") || (!strncmp(k, "date", 4) && ((k[4] >= 'A' && k[4] <= 'Z') || !strncmp(k, "datetime", 8))) ||
	       (l >= 5 && !strncmp(k + l - 4, "Date", 4));
}

/* a date as Loket writes one: YYYY-MM-DD, a date-time when time_ok */
static int date_ok(const char *s, int time_ok)
{
	lp_date d;
	return lp_date_parse_prefix(s, &d) == 0 && (s[10] == '\0' || (time_ok && s[10] == 'T'));
}

static const char *const date_rule = "is not a calendar date (YYYY-MM-DD, years 1900-2199)";

static int bad(char *err, size_t n, const char *path, const char *fmt, const char *a)
{
	char what[300];
	snprintf(what, sizeof what, fmt, a);
	snprintf(err, n, "body.%s: %s", path, what);
	return -1;
}

static int bad_date(char *err, size_t n, const char *path, const char *s)
{
	snprintf(err, n, "body.%s: '%.24s' %s", path, s, date_rule);
	return -1;
}

static int text_ok(const char *s, const char *path, char *err, size_t n)
{
	unsigned long cp;
	char nb[64];
	if (lp_text_ctrl(s, &cp) < 0)
		return 0;
	return bad(err, n, path, "holds a control character, %s", lp_text_ctrl_name(cp, nb, sizeof nb));
}

static int is_number(const json_t *v)
{
	const char *s = json_string_value(v);
	return json_is_integer(v) || (s && s[0] == LP_JSON_DEC_TAG);
}

static int leaf(const struct member *m, const json_t *v, const char *path, char *err, size_t n)
{
	const char *s = json_string_value(v);
	int tagged = s && s[0] == LP_JSON_DEC_TAG;
	if (json_is_null(v))
		return m->null_ok ? 0 : bad(err, n, path, "%s", "must not be null");
	switch (m->kind) {
	case K_TEXT:
		if (!s || tagged)
			return bad(err, n, path, "%s", "expected a text");
		return text_ok(s, path, err, n);
	case K_DATE:
		if (!s || tagged)
			return bad(err, n, path, "%s", "expected a date YYYY-MM-DD");
		return date_ok(s, 0) ? 0 : bad_date(err, n, path, s);
	case K_INT:
		return json_is_integer(v) ? 0 : bad(err, n, path, "%s", "expected a whole number");
	case K_BOOL:
		return json_is_boolean(v) ? 0 : bad(err, n, path, "%s", "expected true or false");
	case K_KEY:
		if (json_is_integer(v))
			return 0;
		if (!s || tagged)
			return bad(err, n, path, "%s", "expected a key (a whole number or an id)");
		return text_ok(s, path, err, n);
	case K_AMOUNT: {
		lp_cents c;
		char b[32], lo[32], hi[32];
		if (!is_number(v))
			return bad(err, n, path, "%s", "expected an amount (a JSON number)");
		int rc = lp_money_from_json(v, &c);
		if (rc == LP_DEC_PRECISION) {
			char q[48];
			snprintf(q, sizeof q, "%.40s", lp_json_text(v));
			return bad(err, n, path, "%s has more than two decimals: Loket takes cents", q);
		}
		if (rc != LP_DEC_OK || c < m->min || c > m->max) {
			char q[160];
			snprintf(q, sizeof q, "%.40s is outside %s .. %s", rc == LP_DEC_OK ? lp_money_fmt(c, b) : lp_json_text(v),
				 lp_money_fmt(m->min, lo), lp_money_fmt(m->max, hi));
			return bad(err, n, path, "%s, the range Loket takes", q);
		}
		return 0;
	}
	case K_BSN:
		if (!s || tagged || !lp_nlid_bsn_valid(s))
			return bad(err, n, path, "%s", "not a valid BSN (9 digits, 11-check)");
		return 0;
	}
	return 0;
}

static const struct member *find(const struct member *spec, const char *path)
{
	for (const struct member *m = spec; m->path; m++)
		if (!strcmp(m->path, path))
			return m;
	return NULL;
}

/* some member of spec lies under path (an object there may be null: "gender": null) */
static int under(const struct member *spec, const char *path)
{
	size_t l = strlen(path);
	for (const struct member *m = spec; m->path; m++)
		if (!strncmp(m->path, path, l) && (m->path[l] == '.' || m->path[l] == '['))
			return 1;
	return 0;
}

/* walk v at path: with a spec every leaf must be one of its members; without (an employee's
 * whole resource) dates by name and texts */
static int walk(const struct member *spec, const json_t *v, const char *path, const char *key, char *err, size_t n)
{
	char sub[256];
	if (json_is_object(v)) {
		if (spec && *path && !under(spec, path))
			return bad(err, n, path, "%s", "not a member loketpipe's plans write (is the plan edited by hand?)");
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
			if (walk(spec, x, sub, k, err, n))
				return -1;
		}
		return 0;
	}
	if (json_is_array(v)) {
		snprintf(sub, sizeof sub, "%s[]", path);
		if (spec && !under(spec, sub) && !find(spec, sub))
			return bad(err, n, path, "%s", "not a member loketpipe's plans write (is the plan edited by hand?)");
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) if (walk(spec, x, sub, key, err, n)) return -1;
		return 0;
	}
	if (spec) {
		const struct member *m = find(spec, path);
		if (m)
			return leaf(m, v, path, err, n);
		if (json_is_null(v) && under(spec, path))
			return 0;
		return bad(err, n, path, "%s", "not a member loketpipe's plans write (is the plan edited by hand?)");
	}
	const char *s = json_string_value(v);
	if (!s || s[0] == LP_JSON_DEC_TAG)
		return 0;
	if (lp_le_date_name(key) && !date_ok(s, 0))
		return bad_date(err, n, path, s);
	return text_ok(s, path, err, n);
}

int lp_le_body_check(const char *entity, const char *method, const json_t *body, char *err, size_t n)
{
	static const struct {
		const char *entity;
		const struct member *spec;
	} specs[] = {{"wage", wage}, {"benefit_deduction", benefit}, {"concept_employee", concept},
		     {"variable_input", ppd}, {"citizen_service_number", bsn}, {"employee", NULL}};
	if (!strcmp(method, "DELETE")) {
		if (body && !json_is_null(body)) {
			snprintf(err, n, "body: a DELETE has none");
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		if (strcmp(specs[i].entity, entity))
			continue;
		if (!json_is_object(body)) {
			snprintf(err, n, "body: a %s needs one", method);
			return -1;
		}
		return walk(specs[i].spec, body, "", "", err, n);
	}
	snprintf(err, n, "entity '%.40s': not one loketpipe's plans write", entity);
	return -1;
}

static int answer_walk(const json_t *v, const char *path, const char *key, char *err, size_t n)
{
	char sub[256];
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
			if (answer_walk(x, sub, k, err, n))
				return -1;
		}
		return 0;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			if (answer_walk(x, sub, key, err, n))
				return -1;
		}
		return 0;
	}
	if (!key || !lp_le_date_name(key) || json_is_null(v))
		return 0;
	const char *s = json_string_value(v);
	if (s && s[0] != LP_JSON_DEC_TAG && date_ok(s, 1))
		return 0;
	char q[48];
	if (s)
		snprintf(q, sizeof q, "'%.32s'", lp_json_text(v));
	else if (json_is_integer(v))
		snprintf(q, sizeof q, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else
		snprintf(q, sizeof q, "%s", json_is_boolean(v) ? "a boolean" : "a value");
	snprintf(err, n, "%s: %s %s", path, q, date_rule);
	return -1;
}

int lp_le_answer_dates(const json_t *answer, char *err, size_t n)
{
	return answer_walk(answer, "", NULL, err, n);
}
