/* lp_personio.c - see lp_personio.h */
#include "lp_personio.h"
#include "lp_addr.h"
#include "lp_cli.h"
#include "lp_date.h"
#include "lp_json.h"
#include "lp_money.h"
#include "lp_nlid.h"
#include "lp_emit.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- reading a v1 attribute ------------------------------------------------------- */

/* The attribute object for key, or NULL when the API did not send the key. */
static const json_t *attr_obj(const json_t *emp, const char *key)
{
	json_t *attrs = lp_json_obj(emp, "attributes");
	return key && attrs ? json_object_get(attrs, key) : NULL;
}

static const json_t *attr_value(const json_t *emp, const char *key)
{
	const json_t *a = attr_obj(emp, key);
	if (json_is_object(a) && json_object_get(a, "value"))
		return json_object_get(a, "value");
	return a; /* tolerate a flattened value */
}

/* Text of a scalar value, trimmed; NULL for null/empty. Returns -1 for a value that has no
 * text form (array, object without id). buf holds the result. */
static int value_text(const json_t *v, char *buf, size_t n, const char **out)
{
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		const char *s = lp_json_text(v);
		while (*s && isspace((unsigned char)*s))
			s++;
		size_t l = strlen(s);
		while (l > 0 && isspace((unsigned char)s[l - 1]))
			l--;
		if (l == 0)
			return 0;
		if (l >= n)
			return -1;
		memcpy(buf, s, l);
		buf[l] = '\0';
		*out = buf;
		return 0;
	}
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return 0;
	}
	if (json_is_boolean(v)) {
		snprintf(buf, n, "%s", json_is_true(v) ? "true" : "false");
		*out = buf;
		return 0;
	}
	if (json_is_object(v)) { /* reference value {type, attributes:{id, name}} */
		json_t *a = lp_json_obj(v, "attributes");
		json_t *id = a ? json_object_get(a, "id") : json_object_get(v, "id");
		if (json_is_object(id))
			id = json_object_get(id, "value");
		if (json_is_integer(id) || json_is_string(id))
			return value_text(id, buf, n, out);
	}
	return -1;
}

struct emp_ctx {
	const lp_config *c;
	const json_t *emp;
	const char *source;
	json_t *issues;
	const char *pid;
	char empno[128];
};

static void px2(struct emp_ctx *x, enum lp_attr f, const char *what, const char *hint)
{
	char msg[512];
	snprintf(msg, sizeof msg, "Personio attribute %s (%s): %s", x->c->attr[f], lp_attr_names[f], what);
	json_t *i = lp_issue(x->c->client, "error", "PX2", x->pid, x->empno[0] ? x->empno : NULL, lp_attr_names[f],
			     msg, hint);
	lp_issue_source(i, x->source);
	json_array_append_new(x->issues, i);
}

/* Fetch a field as trimmed text into buf; NULL when absent or empty. */
static const char *field_text(struct emp_ctx *x, enum lp_attr f, char *buf, size_t n)
{
	const char *out;
	if (!x->c->attr[f])
		return NULL;
	if (value_text(attr_value(x->emp, x->c->attr[f]), buf, n, &out) < 0) {
		char what[256];
		snprintf(what, sizeof what, "the value is a list or object, not text");
		px2(x, f, what, "check the attribute's type in Personio");
		return NULL;
	}
	return out;
}

static void set_text(struct emp_ctx *x, json_t *o, const char *key, enum lp_attr f)
{
	char buf[1024];
	lp_json_set_str(o, key, field_text(x, f, buf, sizeof buf));
}

static void set_date(struct emp_ctx *x, json_t *o, const char *key, enum lp_attr f)
{
	char buf[256], d[11];
	const char *s = field_text(x, f, buf, sizeof buf);
	lp_date dt;
	if (s && lp_date_parse_prefix(s, &dt) == 0) {
		lp_json_set_str(o, key, lp_date_fmt(dt, d));
		return;
	}
	if (s) {
		char what[512];
		snprintf(what, sizeof what, "'%s' is not a date (YYYY-MM-DD)", s);
		px2(x, f, what, "enter the date in Personio as a calendar date");
	}
	json_object_set_new(o, key, json_null());
}

/* Initials from given names: "Jan Pieter" -> "J.P.", "Jan-Willem" -> "J.W.". */
static void derive_initials(const char *first, char *out, size_t n)
{
	size_t o = 0;
	int at_start = 1;
	for (const unsigned char *p = (const unsigned char *)first; *p && o + 6 < n; p++) {
		if (*p == ' ' || *p == '-' || *p == '.') {
			at_start = 1;
			continue;
		}
		if (at_start) {
			size_t cl = *p < 0x80 ? 1 : (*p >= 0xF0 ? 4 : (*p >= 0xE0 ? 3 : 2));
			for (size_t i = 0; i < cl && p[i]; i++)
				out[o++] = (char)(i == 0 && cl == 1 ? toupper(p[i]) : p[i]);
			out[o++] = '.';
			p += cl - 1;
			at_start = 0;
		}
	}
	out[o] = '\0';
}

static int yes_no(const char *s, int *out)
{
	static const char *const yes[] = {"yes", "ja", "true", "1", "y", "j", NULL};
	static const char *const no[] = {"no", "nee", "false", "0", "n", NULL};
	for (const char *const *p = yes; *p; p++)
		if (!strcasecmp(s, *p))
			return *out = 1, 0;
	for (const char *const *p = no; *p; p++)
		if (!strcasecmp(s, *p))
			return *out = 0, 0;
	return -1;
}

const char *lp_personio_employee_id(const json_t *emp, char *buf, size_t n)
{
	const char *out;
	if (value_text(attr_value(emp, "id"), buf, n, &out) < 0)
		return NULL;
	return out;
}

void lp_personio_check_attributes(const lp_config *c, const json_t *emp, int *seen, json_t *issues)
{
	for (int f = 0; f < LP_A__COUNT; f++) {
		if (!c->attr[f] || seen[f] || attr_obj(emp, c->attr[f]))
			continue;
		seen[f] = 1;
		char msg[512], hint[512];
		snprintf(msg, sizeof msg, "Personio did not return attribute %s (mapped to %s) for any employee so far",
			 c->attr[f], lp_attr_names[f]);
		snprintf(hint, sizeof hint,
			 "add %s to the API credential's readable employee attributes in Personio "
			 "(Settings > Integrations > API credentials), or fix attributes.%s in the client configuration",
			 c->attr[f], lp_attr_names[f]);
		json_t *i = lp_issue(c->client, "error", "PX1", NULL, NULL, lp_attr_names[f], msg, hint);
		json_array_append_new(issues, i);
	}
}

json_t *lp_personio_person(const lp_config *c, const json_t *emp, const char *source, json_t *issues)
{
	char idbuf[64], buf[1024];
	struct emp_ctx x = {c, emp, source, issues, NULL, ""};
	x.pid = lp_personio_employee_id(emp, idbuf, sizeof idbuf);
	const char *en = field_text(&x, LP_A_EMPLOYEE_NUMBER, x.empno, sizeof x.empno);
	if (!en)
		x.empno[0] = '\0';

	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("person"));
	json_object_set_new(o, "client", json_string(c->client));
	lp_json_set_str(o, "personio_id", x.pid);

	const char *st = field_text(&x, LP_A_STATUS, buf, sizeof buf);
	if (st) {
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	lp_json_set_str(o, "status", st);
	set_text(&x, o, "legal_entity_id", LP_A_LEGAL_ENTITY);

	const char *cn = field_text(&x, LP_A_CONSIDER_NL_PAYROLL, buf, sizeof buf);
	int yn;
	if (!cn)
		json_object_set_new(o, "consider_nl_payroll", json_null());
	else if (yes_no(cn, &yn) == 0)
		json_object_set_new(o, "consider_nl_payroll", json_boolean(yn));
	else {
		char what[256];
		snprintf(what, sizeof what, "'%.100s' is neither Yes nor No", cn);
		px2(&x, LP_A_CONSIDER_NL_PAYROLL, what, "set Consider in NL payroll to Yes or No");
		json_object_set_new(o, "consider_nl_payroll", json_null());
	}
	lp_json_set_str(o, "employee_number", en ? x.empno : NULL);
	set_text(&x, o, "income_number", LP_A_INCOME_NUMBER);

	const char *first = field_text(&x, LP_A_FIRST_NAME, buf, sizeof buf);
	lp_json_set_str(o, "first_name", first);
	char ini[64], ib[256];
	const char *given = field_text(&x, LP_A_INITIALS, ib, sizeof ib);
	if (given)
		lp_json_set_str(o, "initials", given);
	else if (first) {
		derive_initials(first, ini, sizeof ini);
		lp_json_set_str(o, "initials", ini[0] ? ini : NULL);
	} else
		json_object_set_new(o, "initials", json_null());
	set_text(&x, o, "prefix", LP_A_PREFIX);
	set_text(&x, o, "last_name", LP_A_LAST_NAME);
	set_text(&x, o, "preferred_name", LP_A_PREFERRED_NAME);
	set_date(&x, o, "date_of_birth", LP_A_DATE_OF_BIRTH);

	const char *g = field_text(&x, LP_A_GENDER, buf, sizeof buf);
	if (g)
		for (char *p = buf; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	lp_json_set_str(o, "gender", g);

	/* BSN: digits only (people write 1234.56.782 or with spaces) */
	const char *bsn = field_text(&x, LP_A_BSN, buf, sizeof buf);
	if (bsn) {
		char *w = buf;
		for (const char *r = buf; *r; r++)
			if (*r != ' ' && *r != '.' && *r != '-')
				*w++ = *r;
		*w = '\0';
	}
	lp_json_set_str(o, "bsn", bsn);
	const char *iban = field_text(&x, LP_A_IBAN, buf, sizeof buf);
	if (iban) {
		char *w = buf;
		for (const char *r = buf; *r; r++)
			if (*r != ' ')
				*w++ = (char)toupper((unsigned char)*r);
		*w = '\0';
	}
	lp_json_set_str(o, "iban", iban);
	set_text(&x, o, "email", LP_A_EMAIL);
	set_text(&x, o, "phone", LP_A_PHONE);

	json_t *ad = json_object();
	char street[512], num[64], add[64];
	const char *line = field_text(&x, LP_A_ADDRESS_LINE, buf, sizeof buf);
	const char *s_street = NULL, *s_num = NULL, *s_add = NULL;
	if (line) {
		int r = lp_addr_split(line, street, sizeof street, num, sizeof num, add, sizeof add);
		s_street = street;
		s_num = r == 0 ? num : NULL;
		s_add = r == 0 && add[0] ? add : NULL;
	}
	char b1[512], b2[64], b3[64], pc[256], pcn[8];
	const char *v;
	v = field_text(&x, LP_A_STREET, b1, sizeof b1);
	lp_json_set_str(ad, "street", v ? v : s_street);
	v = field_text(&x, LP_A_HOUSE_NUMBER, b2, sizeof b2);
	lp_json_set_str(ad, "house_number", v ? v : s_num);
	v = field_text(&x, LP_A_HOUSE_NUMBER_ADDITION, b3, sizeof b3);
	lp_json_set_str(ad, "house_number_addition", v ? v : s_add);
	v = field_text(&x, LP_A_POSTAL_CODE, pc, sizeof pc);
	if (v) {
		lp_nlid_postcode_normalise(v, pcn);
		lp_json_set_str(ad, "postal_code", pcn[0] ? pcn : v); /* an invalid one stays as written for validate */
	} else
		json_object_set_new(ad, "postal_code", json_null());
	set_text(&x, ad, "city", LP_A_CITY);
	set_text(&x, ad, "country", LP_A_COUNTRY);
	json_object_set_new(o, "address", ad);

	set_date(&x, o, "entry_date", LP_A_ENTRY_DATE);
	set_date(&x, o, "termination_date", LP_A_TERMINATION_DATE);

	const char *wh = field_text(&x, LP_A_WEEKLY_HOURS, buf, sizeof buf);
	int64_t h;
	char hb[32];
	if (!wh)
		json_object_set_new(o, "weekly_hours", json_null());
	else if (lp_dec_parse(wh, 2, &h) == LP_DEC_OK && h >= 0 && h <= 16800)
		lp_json_set_str(o, "weekly_hours", lp_dec_fmt(h, 2, hb));
	else {
		char what[256];
		snprintf(what, sizeof what, "'%.100s' is not a number of hours per week", wh);
		px2(&x, LP_A_WEEKLY_HOURS, what, "enter the weekly working hours as a number, e.g. 40 or 32.5");
		json_object_set_new(o, "weekly_hours", json_null());
	}
	return o;
}

/* ---- compensations ---------------------------------------------------------------- */

const char *lp_personio_compensation_person(const json_t *item, char *buf, size_t n)
{
	const char *out;
	json_t *p = lp_json_obj(item, "person");
	if (!p || value_text(json_object_get(p, "id"), buf, n, &out) < 0)
		return NULL;
	return out;
}

static const char *sub_id(const json_t *item, const char *key, char *buf, size_t n)
{
	const char *out;
	json_t *p = lp_json_obj(item, key);
	if (!p || value_text(json_object_get(p, "id"), buf, n, &out) < 0)
		return NULL;
	return out;
}

static void comp_issue(const lp_config *c, const char *pid, const char *cid, const char *field, const char *what,
		       const char *source, json_t *issues)
{
	char msg[512];
	snprintf(msg, sizeof msg, "compensation %s: %s", cid ? cid : "(no id)", what);
	json_t *i = lp_issue(c->client, "error", "PX2", pid, NULL, field, msg,
			     "correct the compensation in Personio; it is not synced until it can be read");
	lp_issue_source(i, source);
	json_array_append_new(issues, i);
}

json_t *lp_personio_compensation(const lp_config *c, const json_t *item, const char *source, json_t *issues)
{
	char pidb[64], cidb[128], tidb[128], leb[64], cur[16], amt[32], d1[11], d2[11];
	const char *pid = lp_personio_compensation_person(item, pidb, sizeof pidb);
	const char *cid = NULL;
	json_t *idv = json_object_get(item, "id");
	if (value_text(idv, cidb, sizeof cidb, &cid) < 0)
		cid = NULL;
	if (!json_is_object(item)) {
		comp_issue(c, NULL, NULL, NULL, "item is not an object", source, issues);
		return NULL;
	}
	if (!cid || !pid) {
		comp_issue(c, pid, cid, !cid ? "id" : "person.id", "missing id or person.id", source, issues);
		return NULL;
	}
	json_t *type = lp_json_obj(item, "type");
	const char *cat = type ? lp_json_str(type, "category") : NULL;
	const char *kind, *basis = NULL;
	if (!cat) {
		comp_issue(c, pid, cid, "type.category", "missing category", source, issues);
		return NULL;
	} else if (!strcmp(cat, "FIXED_SALARY"))
		kind = "salary", basis = "fixed";
	else if (!strcmp(cat, "HOURLY_SALARY"))
		kind = "salary", basis = "hourly";
	else if (!strcmp(cat, "RECURRING"))
		kind = "recurring";
	else if (!strcmp(cat, "ONE_TIME") || !strcmp(cat, "BONUS"))
		kind = "one_time";
	else {
		char what[160];
		snprintf(what, sizeof what, "unknown category '%.60s'", cat);
		comp_issue(c, pid, cid, "type.category", what, source, issues);
		return NULL;
	}
	const char *tid = sub_id(item, "type", tidb, sizeof tidb);

	json_t *amount = lp_json_obj(item, "amount");
	lp_cents cents;
	int e = amount ? lp_money_from_json(json_object_get(amount, "value"), &cents) : LP_DEC_SYNTAX;
	if (e != LP_DEC_OK) {
		char what[160];
		snprintf(what, sizeof what, "amount.value: %s", lp_dec_strerror(e));
		comp_issue(c, pid, cid, "amount.value", what, source, issues);
		return NULL;
	}
	const char *currency = amount ? lp_json_str(amount, "currency") : NULL;
	if (!currency || strlen(currency) != 3) {
		comp_issue(c, pid, cid, "amount.currency", "missing or not an ISO 4217 code", source, issues);
		return NULL;
	}
	for (int i = 0; i < 3; i++)
		cur[i] = (char)toupper((unsigned char)currency[i]);
	cur[3] = '\0';

	const char *iv = lp_json_str(item, "interval");
	char ivl[16] = "";
	if (iv) {
		static const char *const ok[][2] = {{"MONTHLY", "monthly"}, {"QUARTERLY", "quarterly"},
						     {"HALF-YEARLY", "half_yearly"}, {"HALF_YEARLY", "half_yearly"},
						     {"YEARLY", "yearly"}, {"HOURLY", "hourly"}};
		for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
			if (!strcasecmp(iv, ok[i][0]))
				snprintf(ivl, sizeof ivl, "%s", ok[i][1]);
		if (!ivl[0]) {
			char what[160];
			snprintf(what, sizeof what, "unknown interval '%.40s'", iv);
			comp_issue(c, pid, cid, "interval", what, source, issues);
			return NULL;
		}
	} else if (json_object_get(item, "interval") && !json_is_null(json_object_get(item, "interval"))) {
		comp_issue(c, pid, cid, "interval", "not a string", source, issues);
		return NULL;
	}
	if (basis && !strcmp(basis, "hourly") && !ivl[0])
		snprintf(ivl, sizeof ivl, "hourly");

	lp_date from, to;
	const char *fs = lp_json_str(item, "effective_from");
	if (!fs || lp_date_parse_prefix(fs, &from)) {
		comp_issue(c, pid, cid, "effective_from", "missing or not a date", source, issues);
		return NULL;
	}
	json_t *tv = json_object_get(item, "effective_to");
	int has_to = tv && !json_is_null(tv);
	if (has_to && (!json_is_string(tv) || lp_date_parse_prefix(json_string_value(tv), &to) || to < from)) {
		comp_issue(c, pid, cid, "effective_to", "not a date on or after effective_from", source, issues);
		return NULL;
	}

	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("compensation"));
	json_object_set_new(o, "client", json_string(c->client));
	json_object_set_new(o, "personio_id", json_string(pid));
	json_object_set_new(o, "compensation_id", json_string(cid));
	json_object_set_new(o, "kind", json_string(kind));
	json_object_set_new(o, "category", json_string(cat));
	lp_json_set_str(o, "salary_basis", basis);
	lp_json_set_str(o, "type_id", tid);
	lp_json_set_str(o, "type_name", type ? lp_json_str(type, "name") : NULL);
	json_object_set_new(o, "amount", json_string(lp_money_fmt(cents, amt)));
	json_object_set_new(o, "currency", json_string(cur));
	lp_json_set_str(o, "interval", ivl[0] ? ivl : NULL);
	json_object_set_new(o, "effective_from", json_string(lp_date_fmt(from, d1)));
	lp_json_set_str(o, "effective_to", has_to ? lp_date_fmt(to, d2) : NULL);
	lp_json_set_str(o, "legal_entity_id", sub_id(item, "legal_entity", leb, sizeof leb));
	static const char *const hk[][2] = {{"weekly_working_hours", "weekly_hours"},
					     {"full_time_weekly_working_hours", "full_time_weekly_hours"}};
	for (int i = 0; i < 2; i++) {
		json_t *hv = json_object_get(item, hk[i][0]);
		int64_t h;
		char hb[32];
		if (!hv || json_is_null(hv))
			json_object_set_new(o, hk[i][1], json_null());
		else if ((json_is_integer(hv) && (h = json_integer_value(hv) * 100) >= 0 && h <= 16800) ||
			 (json_is_string(hv) && lp_dec_parse(lp_json_text(hv), 2, &h) == LP_DEC_OK && h >= 0 && h <= 16800))
			json_object_set_new(o, hk[i][1], json_string(lp_dec_fmt(h, 2, hb)));
		else {
			comp_issue(c, pid, cid, hk[i][0], "not a number of hours per week", source, issues);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}
