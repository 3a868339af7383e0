/* validate - check a client's Personio records against the sync rules before anything
 * reaches Loket.
 *
 * Reads person, compensation, issue and stream_end records (extract-personio's output), one
 * client at a time (lp_block). People out of scope are dropped with an info issue saying why
 * (E1, D1); the data of people in scope is checked the way Personio's integration and Loket
 * itself check it (E2 and Loket's field limits); compensations are checked for currency (C3,
 * X1), frequency (R1), holiday allowance (S5), an amount Loket takes (E2, lp_range.h) and an
 * unbroken salary chain (S4). Every finding is an issue record; good records pass on
 * unchanged, records of other types pass through.
 * Each client ends with a "validation" record saying whether the sync is blocked (E4: any
 * error blocks it) and the exit status is 1 when any client is blocked.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lp_block.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_nlid.h"
#include "lp_range.h"
#include "lp_rec.h"
#include "lp_emit.h"
#include "lp_vec.h"

static const char usage[] =
	"Usage: validate -c CONFIG [-c CONFIG]... [OPTION]... [FILE]...\n"
	"Check Personio records (person, compensation) against the sync rules; write the good\n"
	"records, an issue record per finding and a validation record per client.\n"
	"\n"
	"  -c, --config FILE   a client configuration; give one per client in the input. Several\n"
	"                      are also checked against each other (C1, C2)\n"
	"      --as-of DATE    the run date, YYYY-MM-DD (default: today, UTC)\n"
	"      --only ID       only the employee with this Personio id or Employee number (Loket)\n"
	"      --check-config  only check the configurations against each other (C1, C2): an issue\n"
	"                      record and a line on standard error per finding; no FILE is read\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON, '-' or none for standard input, .gz read transparently.\n"
	"\n"
	"Exit status: 0 nothing blocks the sync; 1 the sync of at least one client is blocked (E4);\n"
	"2 usage; 3 bad input (file:line and field named); 4 configuration (with --check-config:\n"
	"also any C1/C2 finding). See loketpipe(7).\n";

struct ctx {
	lp_configs cfgs;
	lp_map *cfg_issues;   /* client -> json array of C1/C2 issues */
	lp_date as_of;
	const char *only;     /* --only: one employee by Personio id or Employee number */
	int blocked_any;
};

struct comp;

struct person {
	json_t *rec;
	const char *pid, *empno, *where;
	int in_scope, skip;
	lp_date entry;
	int has_entry;
	json_t *issues;       /* issues about this person, written after it */
	LP_VEC(struct comp *) sal; /* this person's salaries still kept, for S4 */
};

struct block {
	struct ctx *x;
	lp_config *cfg;
	lp_block *b;
	lp_map *people;       /* personio_id -> struct person* */
	json_t *late;         /* issues found on the whole block (S4, X1, ...) */
	unsigned long errors, warnings, in_scope, out_of_scope, infos;
};

static void add(struct block *k, json_t *list, const char *severity, const char *rule, const struct person *p,
		const char *field, const char *hint, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static void add(struct block *k, json_t *list, const char *severity, const char *rule, const struct person *p,
		const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *i = lp_vissuef(k->cfg->client, severity, rule, p ? p->pid : NULL, p ? p->empno : NULL, field, hint, fmt, ap);
	va_end(ap);
	if (p)
		lp_issue_source(i, p->where);
	json_array_append_new(list, i);
	if (!strcmp(severity, "error"))
		k->errors++;
	else if (!strcmp(severity, "warning"))
		k->warnings++;
	else
		k->infos++;
}

/* ---- configuration: C1, C2 ---------------------------------------------------------- */

static void cfg_issue(struct ctx *x, const lp_config *c, const char *rule, const char *field, const char *msg,
		      const char *hint)
{
	void *v = NULL;
	lp_map_get(x->cfg_issues, c->client, &v);
	json_t *i = lp_issue(c->client, "error", rule, NULL, NULL, field, msg, hint);
	lp_issue_source(i, c->path);
	json_array_append_new(v, i);
}

/* The Personio account a configuration reads: its base URL and its credentials file (by
 * device and inode, so any path to one file is the same; its text when it cannot be
 * examined), or "env" when the credentials come from the environment (one environment, one
 * account). Caller frees. */
static char *account_of(const lp_config *c)
{
	struct stat st;
	const char *f = c->personio.credentials_file;
	if (!f)
		return lp_xasprintf("%s\nenv", c->personio.base_url);
	if (stat(f, &st) == 0)
		return lp_xasprintf("%s\nfile %ju:%ju", c->personio.base_url, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	return lp_xasprintf("%s\npath %s", c->personio.base_url, f);
}

static void check_configs(struct ctx *x)
{
	char **acct = lp_xmalloc((x->cfgs.n + 1) * sizeof *acct);
	for (size_t i = 0; i < x->cfgs.n; i++) {
		lp_map_put(x->cfg_issues, x->cfgs.v[i]->client, json_array());
		acct[i] = account_of(x->cfgs.v[i]);
	}
	for (size_t i = 0; i < x->cfgs.n; i++) {
		lp_config *c = x->cfgs.v[i];
		char msg[512];
		if (!c->loket.payroll_administration_id)
			cfg_issue(x, c, "C1", "loket.payroll_administration_id",
				  "the legal entity is not linked to a Loket payroll administration",
				  "set loket.payroll_administration_id in the client configuration");
		if (!c->loket.tax_id)
			cfg_issue(x, c, "C2", "loket.tax_id", "the payroll administration has no tax id (loonheffingennummer)",
				  "set loket.tax_id, e.g. 123456789L01");
		for (size_t j = 0; j < x->cfgs.n; j++) {
			lp_config *o = x->cfgs.v[j];
			if (j == i)
				continue;
			if (c->loket.payroll_administration_id && o->loket.payroll_administration_id &&
			    !strcmp(c->loket.payroll_administration_id, o->loket.payroll_administration_id)) {
				snprintf(msg, sizeof msg, "payroll administration %s is also linked to client %s: one "
					 "legal entity, one administration", c->loket.payroll_administration_id, o->client);
				cfg_issue(x, c, "C1", "loket.payroll_administration_id", msg,
					  "link each Loket payroll administration to one client only");
			}
			if (c->loket.tax_id && o->loket.tax_id && !strcasecmp(c->loket.tax_id, o->loket.tax_id)) {
				snprintf(msg, sizeof msg, "tax id %s is shared with client %s", c->loket.tax_id, o->client);
				cfg_issue(x, c, "C2", "loket.tax_id", msg,
					  "administrations that share a tax id are not supported");
			}
			if (!strcmp(acct[i], acct[j]) && !strcmp(c->personio.legal_entity_id, o->personio.legal_entity_id)) {
				snprintf(msg, sizeof msg, "legal entity %s is also linked by client %s%s",
					 c->personio.legal_entity_id, o->client,
					 c->personio.credentials_file ? "" : " (both read Personio with the credentials from the environment)");
				cfg_issue(x, c, "C1", "personio.legal_entity_id", msg,
					  "link each Personio legal entity to one administration only");
			}
		}
	}
	for (size_t i = 0; i < x->cfgs.n; i++)
		free(acct[i]);
	free(acct);
}

/* ---- people: E1, D1, E2 ------------------------------------------------------------- */

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

static void check_length(struct block *k, struct person *p, const char *field, const char *v, size_t max,
			 const char *loket_name)
{
	if (v && !len_ok(v, max))
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
	check_length(k, p, "initials", ini, 6, "initials");
	check_length(k, p, "first_name", lp_rec_str(r, "first_name", 1, w), 28, "firstName");
	check_length(k, p, "prefix", lp_rec_str(r, "prefix", 1, w), 10, "prefix");
	const char *ln = lp_rec_str(r, "last_name", 1, w);
	require(k, p, "last_name", ln, "Last name");
	check_length(k, p, "last_name", ln, 25, "lastName");

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

	const char *street = lp_rec_str(r, "address.street", 1, w);
	const char *hn = lp_rec_str(r, "address.house_number", 1, w);
	const char *pc = lp_rec_str(r, "address.postal_code", 1, w);
	const char *city = lp_rec_str(r, "address.city", 1, w);
	const char *country = lp_rec_str(r, "address.country", 1, w);
	require(k, p, "address.street", street, "Street");
	check_length(k, p, "address.street", street, 24, "street");
	require(k, p, "address.house_number", hn, "House number");
	if (hn && !all_digits(hn, 6))
		add(k, p->issues, "error", "E2", p, "address.house_number",
		    "put letters and other additions in House number addition",
		    "house number '%s' is not a whole number", hn);
	check_length(k, p, "address.house_number_addition", lp_rec_str(r, "address.house_number_addition", 1, w), 4,
		     "houseNumberAddition");
	require(k, p, "address.postal_code", pc, "Postal code");
	if (pc && (!country || !strcasecmp(country, "NL")) && !lp_nlid_postcode_valid(pc))
		add(k, p->issues, "error", "E2", p, "address.postal_code", "write it as 1234 AB",
		    "'%s' is not a Dutch postal code", pc);
	else
		check_length(k, p, "address.postal_code", pc, 9, "postalCode");
	require(k, p, "address.city", city, "City");
	check_length(k, p, "address.city", city, 24, "city");
	check_length(k, p, "email", lp_rec_str(r, "email", 1, w), 255, "emailAddress");
	check_length(k, p, "phone", lp_rec_str(r, "phone", 1, w), 15, "phoneNumber");
}

/* Decide scope (E1, D1); check the data of people in scope (E2). */
static void person(struct block *k, json_t *rec, const char *where)
{
	struct person *p = lp_xmalloc(sizeof *p);
	memset(p, 0, sizeof *p);
	p->rec = rec;
	p->where = where;
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

	const char *le = lp_rec_str(rec, "legal_entity_id", 1, where);
	const char *st = lp_rec_str(rec, "status", 1, where);
	int nl = lp_rec_bool(rec, "consider_nl_payroll", 1, where);
	const char *why = NULL;
	char buf[300], d[16];
	if (!le || strcmp(le, k->cfg->personio.legal_entity_id)) {
		snprintf(buf, sizeof buf, "legal entity %s is not linked to this Loket administration (only %s is)",
			 le ? le : "(none)", k->cfg->personio.legal_entity_id);
		why = buf;
	} else if (!st || strcmp(st, "active")) {
		snprintf(buf, sizeof buf, "status is %s; only Active employees are synced", st ? st : "(none)");
		why = buf;
	} else if (nl != 1)
		why = nl == 0 ? "Consider in NL payroll is No" : "Consider in NL payroll is not set";
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
	p->in_scope = 1;
	k->in_scope++;
	check_person_data(k, p);
}

/* ---- compensations: C3, X1, R1, S5, S4 ---------------------------------------------- */

struct comp {
	size_t idx;
	const char *kind, *currency, *interval, *type_id, *type_name, *cid, *where;
	lp_cents amount;
	lp_date from, to;
	int has_to, keep;
	struct person *p;
};

static int month_of(lp_date d) { int y, m, dd; lp_date_ymd(d, &y, &m, &dd); return y * 12 + m - 1; }

static int cmp_salary(const void *a, const void *b)
{
	const struct comp *x = *(struct comp *const *)a, *y = *(struct comp *const *)b;
	return x->from < y->from ? -1 : x->from > y->from ? 1 : (x->idx < y->idx ? -1 : 1);
}

static int is_holiday_allowance(const char *name, const char *id)
{
	static const char *const words[] = {"holiday allowance", "holiday pay", "vakantiegeld", "vakantietoeslag",
					    "vakantie-uitkering", "vacation allowance", NULL};
	for (const char *const *w = words; *w; w++)
		if ((name && strcasestr(name, *w)) || (id && strcasestr(id, *w)))
			return 1;
	return (id && strcasestr(id, "holiday-allowance")) != 0;
}

/* E2 for a compensation: an error about one of its fields, its source the compensation's line. */
static void comp_error(struct block *k, const struct comp *c, const char *field, const char *hint, const char *fmt,
		       ...) __attribute__((format(printf, 5, 6)));
static void comp_error(struct block *k, const struct comp *c, const char *field, const char *hint, const char *fmt,
		       ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	add(k, k->late, "error", "E2", c->p, field, hint, "%s", msg);
	lp_issue_source(json_array_get(k->late, json_array_size(k->late) - 1), c->where);
}

/* E2: every salary map-compensation would send must be a gross wage Loket takes (lp_range.h),
 * and no two may start on the same day (which one counts cannot be guessed). Salaries that
 * end, or are followed by another, before the compensation start date are never sent (K1). */
static void salary_values(struct block *k, struct comp **sal, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	if (n > 1)
		qsort(sal, n, sizeof *sal, cmp_salary);
	char hint[200], msg[400], d[16];
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = sal[i];
		if (i + 1 < n && sal[i + 1]->from == c->from)
			comp_error(k, c, "effective_from", "end one of them in Personio (a person has one salary at a time)",
				   "salaries %s and %s both start on %s; which one counts cannot be guessed, so no salary "
				   "of this employee is synced", c->cid, sal[i + 1]->cid, lp_date_human(c->from, d));
		if ((c->has_to && c->to < start) || (i + 1 < n && sal[i + 1]->from <= start))
			continue; /* K1: never sent */
		if (!lp_range_salary(c->cid, c->amount, c->interval, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of salary %s in Personio, or set Consider in NL payroll "
			 "to No for this person until it is right", c->cid);
		comp_error(k, c, "amount", hint, "%s", msg);
	}
}

/* E2: a mapped monthly recurring compensation becomes a benefit or deduction, whose value
 * Loket takes from 0.01 to 99999.99 (the sign goes to the component, R1). */
static void recurring_values(struct block *k, struct comp *cs, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	char hint[200], msg[400];
	for (size_t i = 0; i < n; i++) {
		const struct comp *c = &cs[i];
		if (!c->keep || strcmp(c->kind, "recurring") || !c->type_id ||
		    !json_object_get(k->cfg->compensation.mapping, c->type_id) || (c->has_to && c->to < start))
			continue;
		if (!lp_range_recurring(c->cid, c->type_name ? c->type_name : c->type_id, c->amount, msg, sizeof msg))
			continue;
		snprintf(hint, sizeof hint, "correct the amount of compensation %s in Personio (end it rather than "
			 "setting it to 0), or set Consider in NL payroll to No for this person until it is right", c->cid);
		comp_error(k, c, "amount", hint, "%s", msg);
	}
}

/* S4: the salary chain must be unbroken from max(compensation start date, entry date). */
static void salary_chain(struct block *k, struct person *p, struct comp **sal, size_t n)
{
	lp_date start = k->cfg->compensation.start_date;
	if (p->has_entry && p->entry > start)
		start = p->entry;
	if (n > 1)
		qsort(sal, n, sizeof *sal, cmp_salary);
	lp_date cur = start; /* first day not yet covered */
	int open = 0, gap = 0;
	lp_date gap_from = 0, gap_to = 0;
	for (size_t i = 0; i < n && !open; i++) {
		if (sal[i]->has_to && sal[i]->to < cur)
			continue;
		if (sal[i]->from > cur) {
			gap = 1;
			gap_from = cur;
			gap_to = sal[i]->from - 1;
			break;
		}
		if (sal[i]->has_to)
			cur = sal[i]->to + 1;
		else
			open = 1;
	}
	if (!gap && !open) {
		/* nothing covers cur and after; a termination on or before cur closes the chain */
		lp_date term;
		int has_term = lp_rec_date(p->rec, "termination_date", 1, p->where, &term) == 0;
		if (!(has_term && term < cur)) {
			gap = 2;
			gap_from = cur;
		}
	}
	if (!gap)
		return;
	char a[16], b[16], hint[160];
	lp_date_human(gap_from, a);
	snprintf(hint, sizeof hint, "add a salary in Personio with a start date %s and sync again", a);
	if (gap == 1)
		add(k, k->late, "warning", "S4", p, "salary", hint,
		    "Cannot sync base salary because no salary was found for %s to %s. Add a salary in Personio "
		    "with a start date %s and sync again.", a, lp_date_human(gap_to, b), a);
	else
		add(k, k->late, "warning", "S4", p, "salary", hint,
		    "Cannot sync base salary because no salary was found from %s on. Add a salary in Personio "
		    "with a start date %s and sync again.", a, a);
	for (size_t i = 0; i < n; i++)
		sal[i]->keep = 0;
}

static void compensations(struct block *k, struct comp *cs, size_t n)
{
	/* X1 needs, per person and month, whether EUR and non-EUR one-time payments meet */
	lp_map *eur = lp_map_new(), *foreign = lp_map_new(), *x1 = lp_map_new(), *s5 = lp_map_new();
	char key[256];
	for (size_t i = 0; i < n; i++) {
		struct comp *c = &cs[i];
		if (!c->keep)
			continue;
		/* one-time: its month; salary and recurring: every month they run, from the
		 * compensation start date to their end (or a year past the run date) */
		int m0 = month_of(c->from), m1 = m0;
		if (strcmp(c->kind, "one_time")) {
			int first = month_of(k->cfg->compensation.start_date), last = month_of(k->x->as_of) + 12;
			m1 = c->has_to ? month_of(c->to) : last;
			if (m1 > last)
				m1 = last;
			if (m0 < first)
				m0 = first;
		}
		for (int m = m0; m <= m1; m++) {
			snprintf(key, sizeof key, "%s|%d", c->p->pid, m);
			lp_map_add(strcmp(c->currency, "EUR") ? foreign : eur, key);
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct comp *c = &cs[i];
		if (!c->keep)
			continue;
		snprintf(key, sizeof key, "%s|%d", c->p->pid, month_of(c->from));
		int mixed = lp_map_get(eur, key, NULL) && lp_map_get(foreign, key, NULL);
		if (mixed && !strcmp(c->kind, "one_time")) {
			if (lp_map_add(x1, key)) {
				int y, m, dd;
				lp_date_ymd(c->from, &y, &m, &dd);
				add(k, k->late, "warning", "X1", c->p, "currency",
				    "enter every compensation of that month in EUR, or remove the other currency",
				    "%04d-%02d has compensations in EUR and in another currency: nothing of that period "
				    "is synced for this employee", y, m);
			}
			c->keep = 0;
			continue;
		}
		if (strcmp(c->currency, "EUR")) {
			add(k, k->late, "warning", "C3", c->p, "currency", "enter the compensation in EUR",
			    "compensation %s is in %s; only EUR is synced", c->cid, c->currency);
			c->keep = 0;
			continue;
		}
		if (!strcmp(c->kind, "recurring") && (!c->interval || strcmp(c->interval, "monthly"))) {
			add(k, k->late, "warning", "R1", c->p, "interval", "enter it in Loket by hand, or make it monthly",
			    "recurring compensation %s (%s) is paid %s; only monthly recurring compensation is synced",
			    c->cid, c->type_name ? c->type_name : c->type_id ? c->type_id : "?",
			    c->interval ? c->interval : "without an interval");
			c->keep = 0;
			continue;
		}
		if (!strcmp(c->kind, "salary") && (!c->interval || (strcmp(c->interval, "monthly") &&
				strcmp(c->interval, "yearly") && strcmp(c->interval, "hourly")))) {
			add(k, k->late, "warning", "C3", c->p, "interval", "enter the salary per month, year or hour",
			    "salary %s is given %s; only monthly, yearly and hourly salaries are synced", c->cid,
			    c->interval ? c->interval : "without an interval");
			c->keep = 0;
			continue;
		}
		if (strcmp(c->kind, "salary") && c->type_id && json_object_get(k->cfg->compensation.mapping, c->type_id) &&
		    is_holiday_allowance(c->type_name, c->type_id) && lp_map_add(s5, c->type_id))
			add(k, k->late, "warning", "S5", NULL, "compensation.mapping",
			    "remove the mapping: Loket computes holiday allowance itself",
			    "compensation type %s (%s) is mapped to Loket component %lld, so holiday allowance would be "
			    "sent to Loket", c->type_id, c->type_name ? c->type_name : "?",
			    lp_config_component(k->cfg, c->type_id, 0));
	}
	if (k->cfg->compensation.sync_recurring)
		recurring_values(k, cs, n);
	/* E2 and S4 per person (in input order), over the EUR salaries that survived */
	if (k->cfg->compensation.sync_salary) {
		for (size_t i = 0; i < n; i++) {
			struct person *p = cs[i].p;
			if (!cs[i].keep || strcmp(cs[i].kind, "salary"))
				continue;
			*LP_VEC_PUSH(&p->sal) = &cs[i];
		}
		size_t nb = json_array_size(k->b->recs);
		for (size_t r = 0; r < nb; r++) {
			json_t *rec = json_array_get(k->b->recs, r);
			void *v;
			if (strcmp(json_string_value(json_object_get(rec, "type")), "person") ||
			    !lp_map_get(k->people, json_string_value(json_object_get(rec, "personio_id")), &v))
				continue;
			struct person *p = v;
			if (p->in_scope && p->rec == rec) {
				salary_values(k, p->sal.v, p->sal.n);
				salary_chain(k, p, p->sal.v, p->sal.n);
			}
		}
	}
	lp_map_free(eur, NULL);
	lp_map_free(foreign, NULL);
	lp_map_free(x1, NULL);
	lp_map_free(s5, NULL);
}

/* ---- one client's block ------------------------------------------------------------- */

static void free_person(void *v)
{
	struct person *p = v;
	if (!p)
		return;
	json_decref(p->issues);
	free(p->sal.v);
	free(p);
}

static void free_json(void *v)
{
	json_decref(v);
}

static void out(json_t *r)
{
	if (lp_out(r))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

static void out_issues(json_t *list)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) out(v);
}

static int run_block(void *ctx, lp_block *b)
{
	struct ctx *x = ctx;
	struct block k;
	memset(&k, 0, sizeof k);
	k.x = x;
	k.cfg = lp_configs_for(&x->cfgs, b->client, lp_block_where(b, 0));
	k.b = b;
	k.people = lp_map_new();
	k.late = json_array();

	size_t n = json_array_size(b->recs);
	struct comp *cs = lp_xmalloc((n ? n : 1) * sizeof *cs);
	size_t nc = 0;
	unsigned long upstream_errors = 0;
	int complete = -1;
	const char *incomplete_error = NULL;

	/* pass 1: people, compensations, upstream issues and the extract's completeness */
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		const char *w = lp_block_where(b, i);
		if (!strcmp(type, "person"))
			person(&k, r, w);
		else if (!strcmp(type, "issue")) {
			const char *sev = lp_rec_str(r, "severity", 0, w);
			if (!strcmp(sev, "error"))
				upstream_errors++;
		} else if (!strcmp(type, "stream_end")) {
			complete = lp_rec_bool(r, "complete", 0, w);
			if (!complete)
				incomplete_error = lp_rec_str(r, "error", 1, w);
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *w = lp_block_where(b, i);
		if (strcmp(json_string_value(json_object_get(r, "type")), "compensation"))
			continue;
		struct comp *c = &cs[nc];
		memset(c, 0, sizeof *c);
		c->idx = i;
		const char *pid = lp_rec_str(r, "personio_id", 0, w);
		c->cid = lp_rec_str(r, "compensation_id", 0, w);
		c->kind = lp_rec_str(r, "kind", 0, w);
		if (strcmp(c->kind, "salary") && strcmp(c->kind, "recurring") && strcmp(c->kind, "one_time")) {
			lp_die_at(LP_EXIT_DATA, w, "kind", "expected salary, recurring or one_time");
		}
		c->currency = lp_rec_str(r, "currency", 0, w);
		c->interval = lp_rec_str(r, "interval", 1, w);
		c->type_id = lp_rec_str(r, "type_id", 1, w);
		c->type_name = lp_rec_str(r, "type_name", 1, w);
		c->amount = lp_rec_money(r, "amount", w);
		c->where = w;
		lp_rec_date(r, "effective_from", 0, w, &c->from);
		c->has_to = lp_rec_date(r, "effective_to", 1, w, &c->to) == 0;
		void *pv = NULL;
		if (!lp_map_get(k.people, pid, &pv))
			continue; /* no person record (e.g. another legal entity): nothing to sync */
		c->p = pv;
		c->keep = c->p->in_scope;
		nc++;
	}
	compensations(&k, cs, nc);

	/* pass 2: write, in input order */
	void *ci = NULL;
	lp_map_get(x->cfg_issues, b->client, &ci);
	k.errors += json_array_size(ci);
	out_issues(ci);
	size_t next_comp = 0;
	size_t end_at = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		if (!strcmp(type, "person")) {
			void *pv;
			lp_map_get(k.people, json_string_value(json_object_get(r, "personio_id")), &pv);
			struct person *p = pv;
			if (p->in_scope)
				lp_block_pass(b, i);
			if (!p->skip)
				out_issues(p->issues);
		} else if (!strcmp(type, "compensation")) {
			while (next_comp < nc && cs[next_comp].idx < i)
				next_comp++;
			if (next_comp < nc && cs[next_comp].idx == i && cs[next_comp].keep)
				lp_block_pass(b, i);
		} else if (!strcmp(type, "stream_end"))
			end_at = i;
		else
			lp_block_pass(b, i);
	}
	out_issues(k.late);
	if (complete != 1) {
		char msg[700];
		snprintf(msg, sizeof msg, "%s%s", complete == 0 ? "the Personio extract is incomplete: " :
			 "the input has no stream_end record, so it may be incomplete",
			 complete == 0 && incomplete_error ? incomplete_error : "");
		json_t *i = lp_issue(k.cfg->client, "error", "E4", NULL, NULL, NULL, msg,
				     "run the extract again; nothing is synced from an incomplete extract");
		out(i);
		json_decref(i);
		k.errors++;
	}
	int blocked = k.errors + upstream_errors > 0;
	char d[11];
	json_t *val = json_pack("{s:s,s:s,s:s,s:b,s:{s:I,s:I,s:I,s:I,s:I}}", "type", "validation", "client",
				k.cfg->client, "as_of", lp_date_fmt(x->as_of, d), "blocked", blocked, "counts", "errors",
				(json_int_t)(k.errors + upstream_errors), "warnings", (json_int_t)k.warnings, "info",
				(json_int_t)k.infos, "in_scope", (json_int_t)k.in_scope, "out_of_scope",
				(json_int_t)k.out_of_scope);
	out(val);
	json_decref(val);
	if (end_at != (size_t)-1)
		lp_block_pass(b, end_at);
	if (blocked) {
		x->blocked_any = 1;
		lp_warn("%s: sync blocked: %lu error%s (E4); fix the data or set Consider in NL payroll to No", k.cfg->client,
			k.errors + upstream_errors, k.errors + upstream_errors == 1 ? "" : "s");
	}
	free(cs);
	json_decref(k.late);
	lp_map_free(k.people, free_person);
	return 0;
}

/* --check-config: check_configs' findings (C1, C2), each as its issue record on stdout and one
 * line on stderr naming its file; nothing is read. Exit 4 when there is any. */
static int check_config_only(struct ctx *x)
{
	unsigned long n = 0;
	for (size_t i = 0; i < x->cfgs.n; i++) {
		void *v = NULL;
		lp_map_get(x->cfg_issues, x->cfgs.v[i]->client, &v);
		size_t k;
		json_t *is;
		json_array_foreach((json_t *)v, k, is) {
			lp_warn("%s: %s %s: %s (fix: %s)", x->cfgs.v[i]->path, lp_json_str(is, "rule"),
				lp_json_str(is, "field"), lp_json_str(is, "message"), lp_json_str(is, "hint"));
			out(is);
			n++;
		}
	}
	int oc = lp_out_close();
	return oc ? oc : n ? LP_EXIT_CONFIG : LP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
					     {"only", required_argument, 0, 'o'}, {"check-config", no_argument, 0, 'C'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	struct ctx x;
	memset(&x, 0, sizeof x);
	lp_init(argv[0]);
	const char *as_of = NULL;
	int c, check_only = 0;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': lp_configs_add(&x.cfgs, optarg); break;
		case 'a': as_of = optarg; break;
		case 'o': x.only = optarg; break;
		case 'C': check_only = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!x.cfgs.n)
		lp_usage_die(usage, "at least one --config is required");
	if (check_only && optind < argc)
		lp_usage_die(usage, "--check-config reads no records, but FILE %s was given", argv[optind]);
	x.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	x.cfg_issues = lp_map_new();
	check_configs(&x);
	if (check_only) {
		int r = check_config_only(&x);
		lp_map_free(x.cfg_issues, free_json);
		lp_configs_free(&x.cfgs);
		return r;
	}

	lp_in *in = lp_in_open(argv + optind, argc - optind);
	int rc = lp_block_run(in, run_block, &x);
	lp_in_close(in);
	int oc = lp_out_close();
	lp_map_free(x.cfg_issues, free_json);
	lp_configs_free(&x.cfgs);
	if (rc)
		return rc;
	if (oc)
		return oc;
	return x.blocked_any ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
