/* people.c - who is in scope (E1, D1) and whether the data of a person in scope is what
 * Personio's integration and Loket itself require (E2 and Loket's field limits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le_employee.h"
#include "lp_mask.h"
#include "lp_nlid.h"
#include "lp_rec.h"
#include "lp_scope.h"
#include "validate.h"

static int len_ok(const char *s, size_t max)
{
	/* Loket counts characters; count UTF-8 code points */
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n <= max;
}

static int all_digits(const char *s, size_t maxlen)
{
	size_t l = strlen(s);
	return l > 0 && l <= maxlen && strspn(s, "0123456789") == l && s[0] != '0';
}

/* E2: a value longer than Loket allows for the employee field it goes to (lp_le_employee) */
static void check_length(struct block *k, struct person *p, const char *field, const char *v)
{
	const char *loket_name;
	size_t max = lp_le_employee_max_length(field, &loket_name);
	if (v && max && !len_ok(v, max))
		add(k, p->issues, "error", "E2", p, field, "shorten it in Personio",
		    "%s is longer than the %zu characters Loket allows for %s: '%s'", field, max, loket_name, v);
}

static void require(struct block *k, struct person *p, const char *field, const char *v, const char *what)
{
	if (!v)
		add(k, p->issues, "error", "E2", p, field,
		    "fill it in Personio, or set Consider in NL payroll to No for this person",
		    "%s is missing; it is mandatory for the Loket payroll", what);
}

/* E2 on the address, email and phone */
static void check_contact(struct block *k, struct person *p)
{
	const json_t *r = p->rec;
	const char *w = p->where;
	const char *street = lp_rec_str(r, "address.street", 1, w);
	const char *hn = lp_rec_str(r, "address.house_number", 1, w);
	const char *pc = lp_rec_str(r, "address.postal_code", 1, w);
	const char *city = lp_rec_str(r, "address.city", 1, w);
	const char *country = lp_rec_str(r, "address.country", 1, w);
	require(k, p, "address.street", street, "Street");
	check_length(k, p, "address.street", street);
	require(k, p, "address.house_number", hn, "House number");
	if (hn && !all_digits(hn, 6))
		add(k, p->issues, "error", "E2", p, "address.house_number",
		    "put letters and other additions in House number addition",
		    "house number '%s' is not a whole number", hn);
	check_length(k, p, "address.house_number_addition", lp_rec_str(r, "address.house_number_addition", 1, w));
	require(k, p, "address.postal_code", pc, "Postal code");
	if (pc && (!country || !strcasecmp(country, "NL")) && !lp_nlid_postcode_valid(pc))
		add(k, p->issues, "error", "E2", p, "address.postal_code", "write it as 1234 AB",
		    "'%s' is not a Dutch postal code", pc);
	else
		check_length(k, p, "address.postal_code", pc);
	require(k, p, "address.city", city, "City");
	check_length(k, p, "address.city", city);
	check_length(k, p, "email", lp_rec_str(r, "email", 1, w));
	check_length(k, p, "phone", lp_rec_str(r, "phone", 1, w));
}

/* E2 on who the person is: numbers, names, dates; then the address, email and phone */
static void check_person_data(struct block *k, struct person *p)
{
	const json_t *r = p->rec;
	const char *w = p->where;
	const char *empno = lp_rec_str(r, "employee_number", 1, w);
	const char *inc = lp_rec_str(r, "income_number", 1, w);
	if (!empno)
		require(k, p, "employee_number", NULL, "Employee number (Loket)");
	else if (!all_digits(empno, 9) || atol(empno) > 2147483647L)
		add(k, p->issues, "error", "E2", p, "employee_number", "use the employee number Loket shows",
		    "Employee number (Loket) '%s' is not a whole number from 1 up", empno);
	if (!inc)
		require(k, p, "income_number", NULL, "Income number");
	else if (!all_digits(inc, 4))
		add(k, p->issues, "error", "E2", p, "income_number", "use the income relationship number from Loket",
		    "Income number '%s' is not a whole number from 1 to 9999", inc);

	const char *bsn = lp_rec_str(r, "bsn", 1, w);
	if (!bsn)
		require(k, p, "bsn", NULL, "BSN (citizen service number)");
	else if (!lp_nlid_bsn_valid(bsn))
		add(k, p->issues, "error", "E2", p, "bsn", "check the number against the passport or ID card",
		    "BSN '%s' is not a valid citizen service number (11-check)", bsn);
	const char *iban = lp_rec_str(r, "iban", 1, w);
	if (!iban)
		require(k, p, "iban", NULL, "IBAN");
	else if (!lp_nlid_iban_valid(iban))
		add(k, p->issues, "error", "E2", p, "iban", "check the bank account number",
		    "IBAN '%s' is not valid (ISO 13616 check digits)", iban);

	const char *ini = lp_rec_str(r, "initials", 1, w);
	require(k, p, "initials", ini, "Initials");
	check_length(k, p, "initials", ini);
	check_length(k, p, "first_name", lp_rec_str(r, "first_name", 1, w));
	check_length(k, p, "prefix", lp_rec_str(r, "prefix", 1, w));
	const char *ln = lp_rec_str(r, "last_name", 1, w);
	require(k, p, "last_name", ln, "Last name");
	check_length(k, p, "last_name", ln);

	lp_date dob;
	if (lp_rec_date(r, "date_of_birth", 1, w, &dob))
		require(k, p, "date_of_birth", NULL, "Date of birth");
	else if (dob > k->x->as_of) {
		char d[11];
		add(k, p->issues, "error", "E2", p, "date_of_birth", "correct the date of birth",
		    "date of birth %s lies after the run date", lp_date_fmt(dob, d));
	}
	if (!p->has_entry)
		require(k, p, "entry_date", NULL, "Entry date");
	check_contact(k, p);
}

/* The first text of o (a person record, or its address; prefix: the dotted path so far) that
 * holds a control character (lib/lp_mask: C0, C1, DEL, U+2028/U+2029, bidi controls): its
 * field into field, the character's name into what and its place (in characters) into *at. */
static int first_control(const json_t *o, const char *prefix, char *field, size_t fn, char *what, size_t wn, long *at)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		char path[128];
		/* the dotted path is made only for an object to go into or a control found (not a
		 * printf per field of every person) */
		if (json_is_object(v)) {
			snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
			if (first_control(v, path, field, fn, what, wn, at))
				return 1;
		}
		const char *s = json_string_value(v);
		if (s && s[0] == LP_JSON_DEC_TAG)
			continue; /* a number (lib/lp_json) */
		unsigned long cp;
		long off = s ? lp_text_ctrl(s, &cp) : -1;
		if (off < 0)
			continue;
		long chars = 1;
		for (long i = 0; i < off; i++)
			chars += ((unsigned char)s[i] & 0xC0) != 0x80;
		snprintf(field, fn, "%s%s%s", prefix, *prefix ? "." : "", key);
		lp_text_ctrl_name(cp, what, wn);
		*at = chars;
		return 1;
	}
	return 0;
}

/* A control character in any text of a person in scope (a name, the address, email, phone ...)
 * never reaches Loket: that employee is left out of this sync with a warning (E2), the others
 * go on (it is not an error: E4 would block the whole administration for it). */
static int has_control(struct block *k, struct person *p)
{
	char field[128], what[64];
	long at;
	if (!first_control(p->rec, "", field, sizeof field, what, sizeof what, &at))
		return 0;
	add(k, p->issues, "warning", "E2", p, field, "retype the value in Personio without it",
	    "not synced: %s holds a control character, %s, at character %ld; this employee is left out of the sync "
	    "until it is removed (the others go on)", field, what, at);
	k->out_of_scope++;
	return 1;
}

/* Decide scope (E1, D1); check the data of people in scope (E2). */
void person(struct block *k, json_t *rec, const char *where)
{
	struct person *p = lp_xmalloc(sizeof *p);
	memset(p, 0, sizeof *p);
	p->rec = rec;
	p->where = where;
	p->no = k->npeople++;
	p->pid = lp_rec_str(rec, "personio_id", 0, where);
	p->empno = lp_rec_str(rec, "employee_number", 1, where);
	p->issues = json_array();
	p->has_entry = lp_rec_date(rec, "entry_date", 1, where, &p->entry) == 0;
	if (lp_map_get(k->people, p->pid, NULL)) {
		lp_die(LP_EXIT_DATA, "%s: personio_id %s: the same person twice in one client's records", where, p->pid);
	}
	lp_map_put(k->people, p->pid, p);
	if (k->x->only && strcmp(p->pid, k->x->only) && !(p->empno && !strcmp(p->empno, k->x->only))) {
		p->skip = 1; /* not the one employee asked for: no output, no findings */
		return;
	}

	char buf[300], d[16];
	const char *why = lp_scope_why_not(k->cfg, rec, where, buf, sizeof buf);
	if (why) {
		add(k, p->issues, "info", "E1", p, NULL, NULL, "not synced: %s", why);
		k->out_of_scope++;
		return;
	}
	if (p->has_entry && p->entry > k->x->as_of) {
		add(k, p->issues, "info", "D1", p, "entry_date", NULL,
		    "not synced yet: employment starts %s, after the run date; synced from then on",
		    lp_date_human(p->entry, d));
		k->out_of_scope++;
		return;
	}
	if (has_control(k, p))
		return;
	p->in_scope = 1;
	k->in_scope++;
	check_person_data(k, p);
}

void free_person(void *v)
{
	struct person *p = v;
	if (!p)
		return;
	json_decref(p->issues);
	free(p->sal.v);
	free(p);
}
