/* lp_config.c - see lp_config.h */
#include "lp_config.h"
#include "lp_io.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const lp_attr_names[LP_A__COUNT] = {
	"first_name", "last_name", "preferred_name", "prefix", "initials",
	"date_of_birth", "gender", "bsn", "iban", "email", "phone",
	"address_line", "street", "house_number", "house_number_addition",
	"postal_code", "city", "country", "status", "legal_entity",
	"consider_nl_payroll", "employee_number", "income_number", "entry_date",
	"termination_date", "weekly_hours",
};

/* Personio v1 standard attribute keys used when the map does not name one. */
static const char *const attr_default[LP_A__COUNT] = {
	[LP_A_FIRST_NAME] = "first_name", [LP_A_LAST_NAME] = "last_name",
	[LP_A_PREFERRED_NAME] = "preferred_name", [LP_A_GENDER] = "gender",
	[LP_A_EMAIL] = "email", [LP_A_STATUS] = "status", [LP_A_LEGAL_ENTITY] = "subcompany",
	[LP_A_ENTRY_DATE] = "hire_date", [LP_A_TERMINATION_DATE] = "termination_date",
	[LP_A_WEEKLY_HOURS] = "weekly_working_hours",
};

struct ctx {
	const char *file;
	int bad;
};

static void bad(struct ctx *x, const char *key, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof msg, fmt, arg);
	lp_warn_at(x->file, 0, key, "%s", msg);
	x->bad = 1;
}

/* Every key of obj must be in allowed[]. */
static void only_keys(struct ctx *x, json_t *obj, const char *prefix, const char *const *allowed)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (!strcmp(*a, k))
				ok = 1;
		if (!ok) {
			char path[256];
			snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
			bad(x, path, "unknown key%s", "");
		}
	}
}

static json_t *get_obj(struct ctx *x, json_t *o, const char *key, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		if (required)
			bad(x, key, "missing (an object is required)%s", "");
		return NULL;
	}
	if (!json_is_object(v)) {
		bad(x, key, "must be an object%s", "");
		return NULL;
	}
	return v;
}

static char *get_str(struct ctx *x, json_t *o, const char *path, const char *key, int required)
{
	json_t *v = json_object_get(o, key);
	char full[256];
	snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", key);
	if (!v) {
		if (required)
			bad(x, full, "missing (a string is required)%s", "");
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		bad(x, full, "must be a non-empty string%s", "");
		return NULL;
	}
	return lp_xstrdup(json_string_value(v));
}

static long long get_int(struct ctx *x, json_t *o, const char *path, const char *key, long long min,
			 long long max, long long dflt)
{
	json_t *v = json_object_get(o, key);
	char full[256], rng[96];
	snprintf(full, sizeof full, "%s.%s", path, key);
	if (!v)
		return dflt;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(rng, sizeof rng, "%lld to %lld", min, max);
		bad(x, full, "must be a whole number from %s", rng);
		return dflt;
	}
	return json_integer_value(v);
}

static int get_bool(struct ctx *x, json_t *o, const char *path, const char *key, int dflt)
{
	json_t *v = json_object_get(o, key);
	char full[256];
	snprintf(full, sizeof full, "%s.%s", path, key);
	if (!v)
		return dflt;
	if (!json_is_boolean(v)) {
		bad(x, full, "must be true or false%s", "");
		return dflt;
	}
	return json_is_true(v);
}

static char *resolve(const lp_config *c, const char *p)
{
	if (!p)
		return NULL;
	if (p[0] == '/')
		return lp_xstrdup(p);
	return lp_xasprintf("%s/%s", c->dir, p);
}

static int component_key(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* compensation.mapping.TYPE: a component key, or {"payment": KEY, "deduction": KEY}. */
static void mapping_entry(struct ctx *x, lp_config *c, const char *type, json_t *v)
{
	char full[300], sub[320];
	snprintf(full, sizeof full, "compensation.mapping.%s", type);
	lp_mapping *e = &c->compensation.map[c->compensation.nmap];
	e->type_id = type;
	if (component_key(v)) {
		e->payment = e->deduction = (long long)json_integer_value(v);
		c->compensation.nmap++;
		return;
	}
	if (!json_is_object(v)) {
		bad(x, full, "must be a Loket payroll component key (a whole number) or a pair "
			     "{\"payment\": KEY, \"deduction\": KEY}%s", "");
		return;
	}
	static const char *const pair_keys[] = {"payment", "deduction", NULL};
	only_keys(x, v, full, pair_keys);
	int ok = 1;
	for (int i = 0; i < 2; i++) {
		json_t *k = json_object_get(v, pair_keys[i]);
		snprintf(sub, sizeof sub, "%s.%s", full, pair_keys[i]);
		if (!component_key(k)) {
			bad(x, sub, k ? "must be a Loket payroll component key (a whole number)%s"
				      : "missing (a pair names a payment and a deduction component)%s", "");
			ok = 0;
		}
	}
	if (!ok)
		return;
	e->payment = (long long)json_integer_value(json_object_get(v, "payment"));
	e->deduction = (long long)json_integer_value(json_object_get(v, "deduction"));
	e->pair = 1;
	if (e->payment == e->deduction) {
		bad(x, full, "payment and deduction must be different components (or give the one key)%s", "");
		return;
	}
	c->compensation.nmap++;
}

long long lp_config_component(const lp_config *c, const char *type_id, int deduction)
{
	if (!type_id)
		return -1;
	for (size_t i = 0; i < c->compensation.nmap; i++)
		if (!strcmp(c->compensation.map[i].type_id, type_id))
			return deduction ? c->compensation.map[i].deduction : c->compensation.map[i].payment;
	return -1;
}

long long lp_config_hour_component(const lp_config *c, const char *code)
{
	json_t *v = code ? json_object_get(c->hours.codes, code) : NULL;
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

int lp_config_hours_skip(const lp_config *c, long long employee_number)
{
	size_t i;
	json_t *v;
	json_array_foreach(c->hours.do_not_import, i, v) if (json_integer_value(v) == employee_number) return 1;
	return 0;
}

/* hours.csv.delimiter / .decimal: one of two characters, or absent (0: either) */
static char get_char(struct ctx *x, json_t *o, const char *key, const char *allowed)
{
	char full[64];
	snprintf(full, sizeof full, "hours.csv.%s", key);
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	const char *s = json_string_value(v);
	if (!s || strlen(s) != 1 || !strchr(allowed, s[0])) {
		char want[16];
		snprintf(want, sizeof want, "'%c' or '%c'", allowed[0], allowed[1]);
		bad(x, full, "must be %s", want);
		return 0;
	}
	return s[0];
}

static void load_hours(struct ctx *x, lp_config *c, json_t *h)
{
	static const char *const hours_keys[] = {"codes", "default_code", "code_from", "do_not_import",
						 "distribution_unit", "shift", "csv", NULL};
	static const char *const csv_keys[] = {"employee_number", "date", "hour_code", "hours", "delimiter", "decimal", NULL};
	only_keys(x, h, "hours", hours_keys);
	json_t *codes = json_object_get(h, "codes");
	if (codes && !json_is_object(codes))
		bad(x, "hours.codes", "must be an object: hour code -> Loket payroll component number%s", "");
	else if (codes) {
		const char *k;
		json_t *v;
		json_object_foreach(codes, k, v) {
			char full[300];
			snprintf(full, sizeof full, "hours.codes.%s", k);
			if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 99999)
				bad(x, full, "must be a Loket payroll component number (a whole number 1 to 99999)%s", "");
			else if (!*k || strlen(k) > 64)
				bad(x, full, "an hour code must be 1-64 characters%s", "");
		}
		c->hours.codes = codes;
	}
	c->hours.default_code = get_str(x, h, "hours", "default_code", 0);
	c->hours.code_from = get_str(x, h, "hours", "code_from", 0);
	if (c->hours.code_from && strcmp(c->hours.code_from, "project") && strcmp(c->hours.code_from, "none"))
		bad(x, "hours.code_from", "must be \"project\" or \"none\"%s", "");
	if (!c->hours.code_from)
		c->hours.code_from = lp_xstrdup("project");
	json_t *dn = json_object_get(h, "do_not_import");
	size_t i;
	json_t *v;
	if (dn && !json_is_array(dn))
		bad(x, "hours.do_not_import", "must be an array of employee numbers%s", "");
	else if (dn) {
		json_array_foreach(dn, i, v) if (!json_is_integer(v) || json_integer_value(v) < 0) {
			bad(x, "hours.do_not_import", "must be an array of employee numbers (whole numbers)%s", "");
			break;
		}
		c->hours.do_not_import = dn;
	}
	c->hours.distribution_unit = get_bool(x, h, "hours", "distribution_unit", 0);
	c->hours.shift = (int)get_int(x, h, "hours", "shift", 1, 99, 1);
	json_t *csv = get_obj(x, h, "csv", 0);
	if (csv) {
		only_keys(x, csv, "hours.csv", csv_keys);
		c->hours.csv.employee_number = get_str(x, csv, "hours.csv", "employee_number", 0);
		c->hours.csv.date = get_str(x, csv, "hours.csv", "date", 0);
		c->hours.csv.hour_code = get_str(x, csv, "hours.csv", "hour_code", 0);
		c->hours.csv.hours = get_str(x, csv, "hours.csv", "hours", 0);
		c->hours.csv.delimiter = get_char(x, csv, "delimiter", ";,");
		c->hours.csv.decimal = get_char(x, csv, "decimal", ",.");
	}
	static const char *const dflt[] = {"employee_number", "date", "hour_code", "hours"};
	char **f[] = {&c->hours.csv.employee_number, &c->hours.csv.date, &c->hours.csv.hour_code, &c->hours.csv.hours};
	for (int k = 0; k < 4; k++)
		if (!*f[k])
			*f[k] = lp_xstrdup(dflt[k]);
}

char *lp_config_doc_title(const lp_config *c, int yearend, int n, int year, int period)
{
	const char *t = yearend ? (n > 0 ? c->documents.title_yearend_corrected : c->documents.title_yearend)
				: (n > 0 ? c->documents.title_payslip_correction : c->documents.title_payslip);
	char out[256], num[24];
	size_t len = 0;
	for (const char *p = t; *p && len < sizeof out - 1;) {
		const char *sub = NULL;
		size_t skip = 1;
		if (!strncmp(p, "{year}", 6))
			snprintf(num, sizeof num, "%d", year), sub = num, skip = 6;
		else if (!strncmp(p, "{period}", 8))
			snprintf(num, sizeof num, "%02d", period), sub = num, skip = 8;
		else if (!strncmp(p, "{n}", 3))
			snprintf(num, sizeof num, "%d", n), sub = num, skip = 3;
		if (sub)
			for (; *sub && len < sizeof out - 1; sub++)
				out[len++] = *sub;
		else
			out[len++] = *p;
		p += skip;
	}
	out[len] = 0;
	if (len == sizeof out - 1) { /* cut at 255 bytes: drop a partial UTF-8 character */
		size_t k = len;
		while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out[k - 1] & 0x80)) {
			unsigned char lead = (unsigned char)out[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
			if (len - (k - 1) < need)
				out[k - 1] = 0;
		}
	}
	return lp_xstrdup(out);
}

const char *const lp_book_names[3] = {"period_end", "period_start", "run_date"};

/* the journal section (J1, J2); j NULL: its defaults */
static void load_journal(struct ctx *x, lp_config *c, json_t *j)
{
	static const char *const keys[] = {"journal_code", "bookkeeping_administration", "booking_date", "application_key",
					   "dir", NULL};
	c->journal.booking_date = LP_BOOK_PERIOD_END;
	c->journal.application_key = -1;
	if (j) {
		c->journal.application_key = get_int(x, j, "journal", "application_key", 1, INT32_MAX, -1);
		char *jd = get_str(x, j, "journal", "dir", 0);
		c->journal.dir = resolve(c, jd);
		free(jd);
		only_keys(x, j, "journal", keys);
		c->journal.journal_code = get_str(x, j, "journal", "journal_code", 0);
		c->journal.bookkeeping_administration = get_str(x, j, "journal", "bookkeeping_administration", 0);
		char *b = get_str(x, j, "journal", "booking_date", 0);
		if (b) {
			int k = -1;
			for (int i = 0; i < 3; i++)
				if (!strcmp(b, lp_book_names[i]))
					k = i;
			if (k < 0)
				bad(x, "journal.booking_date", "must be period_end, period_start or run_date, got '%s'", b);
			else
				c->journal.booking_date = k;
			free(b);
		}
		const char *jc = c->journal.journal_code;
		int ok = jc && strlen(jc) <= 20;
		for (const char *p = jc; ok && *p; p++)
			ok = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_';
		if (jc && !ok)
			bad(x, "journal.journal_code", "must be 1-20 letters, digits, '-' or '_', got '%.40s'", jc);
		const char *ba = c->journal.bookkeeping_administration;
		if (ba && strlen(ba) > 100)
			bad(x, "journal.bookkeeping_administration", "at most 100 characters%s", "");
	}
	if (!c->journal.journal_code)
		c->journal.journal_code = lp_xstrdup("MEM");
	if (!c->journal.dir && c->loket.token_file && c->client) { /* beside the token file */
		const char *tf = c->loket.token_file, *sl = strrchr(tf, '/');
		int dl = (int)(sl - tf);
		c->journal.dir = lp_xasprintf("%.*s/%s.journal", dl ? dl : 1, tf, c->client);
	}
}

lp_config *lp_config_load(const char *path)
{
	static const char *const top_keys[] = {"client", "personio", "loket", "compensation", "attributes", "documents", "hours",
					       "journal", "audit_log", NULL};
	static const char *const personio_keys[] = {"base_url", "credentials_file", "app_id", "partner_id",
						    "legal_entity_id", "future_months", "page_size", "token_cache", "proxy", NULL};
	static const char *const loket_keys[] = {"base_url", "employer_id", "payroll_administration_id",
						 "client_number", "tax_id", "token_file", "oauth_url",
						 "credentials_file", "redirect_uri", "lock_file", "proxy", NULL};
	static const char *const comp_keys[] = {"start_date", "sync_salary", "sync_recurring", "sync_one_time", "mapping", NULL};
	static const char *const doc_keys[] = {"category_id", "category", "from", "dir", "titles", NULL};
	static const char *const title_keys[] = {"payslip", "payslip_correction", "yearend", "yearend_corrected", NULL};
	struct ctx x = {path, 0};

	/* O_NONBLOCK: a FIFO or a device given as the configuration is refused, never waited on */
	int cfd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat cst;
	if (cfd < 0 || fstat(cfd, &cst) != 0) {
		lp_warn("%s: cannot open: %s", path, strerror(errno));
		if (cfd >= 0)
			close(cfd);
		return NULL;
	}
	if (!S_ISREG(cst.st_mode)) {
		lp_warn("%s: %s, not a regular file", path, lp_file_kind(cst.st_mode));
		close(cfd);
		return NULL;
	}
	fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK);
	FILE *f = fdopen(cfd, "rb");
	if (!f) {
		lp_warn("%s: cannot open: %s", path, strerror(errno));
		close(cfd);
		return NULL;
	}
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n + 4096 > cap)
			buf = lp_xrealloc(buf, cap = cap * 2 + 8192);
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	json_error_t e;
	json_t *root = lp_json_loadb(buf, n, &e);
	free(buf);
	if (!root) {
		lp_warn_at(path, (unsigned long)(e.line > 0 ? e.line : 0), NULL, "not valid JSON: %s", e.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		lp_warn_at(path, 0, NULL, "must be a JSON object");
		json_decref(root);
		return NULL;
	}

	lp_config *c = lp_xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->root = root;
	c->path = lp_xstrdup(path);
	const char *slash = strrchr(path, '/');
	c->dir = slash ? lp_xasprintf("%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path) : lp_xstrdup(".");
	c->loket.client_number = -1;
	c->documents.category_id = -1;

	only_keys(&x, root, "", top_keys);
	c->client = get_str(&x, root, "", "client", 1);
	if (c->client) {
		size_t l = strlen(c->client);
		if (l > 64 || strspn(c->client, "abcdefghijklmnopqrstuvwxyz0123456789_-") != l || c->client[0] == '-' || c->client[0] == '_')
			bad(&x, "client", "must be 1-64 characters a-z, 0-9, '-' or '_'%s", "");
	}

	char *al = get_str(&x, root, "", "audit_log", 0);
	c->audit_log = resolve(c, al);
	free(al);

	json_t *p = get_obj(&x, root, "personio", 1);
	if (p) {
		only_keys(&x, p, "personio", personio_keys);
		c->personio.base_url = get_str(&x, p, "personio", "base_url", 0);
		char *cf = get_str(&x, p, "personio", "credentials_file", 0);
		c->personio.credentials_file = resolve(c, cf);
		free(cf);
		c->personio.app_id = get_str(&x, p, "personio", "app_id", 0);
		c->personio.partner_id = get_str(&x, p, "personio", "partner_id", 0);
		c->personio.legal_entity_id = get_str(&x, p, "personio", "legal_entity_id", 1);
		c->personio.future_months = (int)get_int(&x, p, "personio", "future_months", 0, 24, 2);
		c->personio.page_size = (int)get_int(&x, p, "personio", "page_size", 1, 100, 100);
		char *tc = get_str(&x, p, "personio", "token_cache", 0);
		c->personio.token_cache = resolve(c, tc);
		free(tc);
		c->personio.proxy = get_str(&x, p, "personio", "proxy", 0);
	}
	if (!c->personio.base_url)
		c->personio.base_url = lp_xstrdup("https://api.personio.de");
	if (!c->personio.app_id)
		c->personio.app_id = lp_xstrdup("LOKETPIPE");
	for (const char *q = c->personio.app_id; *q; q++)
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')) {
			bad(&x, "personio.app_id", "must be UPPER_SNAKE_CASE%s", "");
			break;
		}

	json_t *l = get_obj(&x, root, "loket", 0);
	if (l) {
		only_keys(&x, l, "loket", loket_keys);
		c->loket.base_url = get_str(&x, l, "loket", "base_url", 0);
		c->loket.employer_id = get_str(&x, l, "loket", "employer_id", 0);
		c->loket.payroll_administration_id = get_str(&x, l, "loket", "payroll_administration_id", 0);
		c->loket.tax_id = get_str(&x, l, "loket", "tax_id", 0);
		char *tf = get_str(&x, l, "loket", "token_file", 0);
		c->loket.token_file = resolve(c, tf);
		free(tf);
		c->loket.client_number = get_int(&x, l, "loket", "client_number", 0, 999999999, -1);
		c->loket.oauth_url = get_str(&x, l, "loket", "oauth_url", 0);
		char *lc = get_str(&x, l, "loket", "credentials_file", 0);
		c->loket.credentials_file = resolve(c, lc);
		free(lc);
		c->loket.redirect_uri = get_str(&x, l, "loket", "redirect_uri", 0);
		char *lf = get_str(&x, l, "loket", "lock_file", 0);
		c->loket.lock_file = resolve(c, lf);
		free(lf);
		c->loket.proxy = get_str(&x, l, "loket", "proxy", 0);
	}
	if (c->loket.token_file && c->client) { /* the defaults beside the token file */
		const char *tf = c->loket.token_file, *sl = strrchr(tf, '/');
		int dl = (int)(sl - tf); /* resolve() made it absolute or relative to a directory */
		char *tl = lp_xasprintf("%s.lock", tf); /* the token file's own lock (lp_oauth) */
		if (c->loket.lock_file && !strcmp(c->loket.lock_file, tl))
			bad(&x, "loket.lock_file", "is the token file's own lock (%s); the client lock must be another file", tl);
		if (!c->loket.lock_file) /* <client>.lock, unless that is the token file's lock (token file named <client>) */
			c->loket.lock_file = lp_xasprintf("%.*s/%s%s.lock", dl ? dl : 1, tf, c->client,
							  strcmp(tf + (sl ? sl - tf + 1 : 0), c->client) ? "" : ".client");
		free(tl);
		if (!c->personio.token_cache)
			c->personio.token_cache = lp_xasprintf("%.*s/%s.personio-token.json", dl ? dl : 1, tf, c->client);
	}
	if (!c->loket.oauth_url)
		c->loket.oauth_url = lp_xstrdup("https://oauth.loket.nl");

	json_t *k = get_obj(&x, root, "compensation", 1);
	if (k) {
		only_keys(&x, k, "compensation", comp_keys);
		char *sd = get_str(&x, k, "compensation", "start_date", 1);
		if (sd && lp_date_parse(sd, &c->compensation.start_date))
			bad(&x, "compensation.start_date", "must be a date YYYY-MM-DD, got '%s'", sd);
		free(sd);
		c->compensation.sync_salary = get_bool(&x, k, "compensation", "sync_salary", 1);
		c->compensation.sync_recurring = get_bool(&x, k, "compensation", "sync_recurring", 1);
		c->compensation.sync_one_time = get_bool(&x, k, "compensation", "sync_one_time", 1);
		json_t *m = json_object_get(k, "mapping");
		if (m && !json_is_object(m))
			bad(&x, "compensation.mapping", "must be an object%s", "");
		else if (m) {
			c->compensation.mapping = m;
			c->compensation.map = lp_xmalloc((json_object_size(m) + 1) * sizeof *c->compensation.map);
			const char *mk;
			json_t *mv;
			json_object_foreach(m, mk, mv) mapping_entry(&x, c, mk, mv);
		}
	}
	for (int i = 0; i < LP_A__COUNT; i++)
		c->attr[i] = attr_default[i];
	json_t *a = get_obj(&x, root, "attributes", 0);
	if (a) {
		const char *ak;
		json_t *av;
		json_object_foreach(a, ak, av) {
			int idx = -1;
			for (int i = 0; i < LP_A__COUNT; i++)
				if (!strcmp(lp_attr_names[i], ak))
					idx = i;
			char full[256];
			snprintf(full, sizeof full, "attributes.%s", ak);
			if (idx < 0)
				bad(&x, full, "unknown key%s", "");
			else if (!json_is_string(av) || json_string_length(av) == 0)
				bad(&x, full, "must be a Personio attribute key such as dynamic_1234%s", "");
			else
				c->attr[idx] = json_string_value(av);
		}
	}

	json_t *d = get_obj(&x, root, "documents", 0);
	c->documents.from = c->compensation.start_date;
	if (d) {
		only_keys(&x, d, "documents", doc_keys);
		c->documents.category_id = get_int(&x, d, "documents", "category_id", 1, INT64_MAX, -1);
		c->documents.category = get_str(&x, d, "documents", "category", 0);
		if (c->documents.category && c->documents.category_id >= 0)
			bad(&x, "documents.category", "names the category a second time (documents.category_id too); keep one%s", "");
		char *fr = get_str(&x, d, "documents", "from", 0);
		if (fr && lp_date_parse(fr, &c->documents.from))
			bad(&x, "documents.from", "must be a date YYYY-MM-DD, got '%s'", fr);
		free(fr);
		char *dd = get_str(&x, d, "documents", "dir", 0);
		c->documents.dir = resolve(c, dd);
		free(dd);
		json_t *t = get_obj(&x, d, "titles", 0);
		if (t) {
			only_keys(&x, t, "documents.titles", title_keys);
			char **slot[] = {&c->documents.title_payslip, &c->documents.title_payslip_correction,
					 &c->documents.title_yearend, &c->documents.title_yearend_corrected};
			for (int i = 0; i < 4; i++)
				*slot[i] = get_str(&x, t, "documents.titles", title_keys[i], 0);
		}
	}
	if (!c->documents.dir && c->loket.token_file && c->client) {
		const char *tf = c->loket.token_file, *sl = strrchr(tf, '/');
		int dl = (int)(sl - tf);
		c->documents.dir = lp_xasprintf("%.*s/%s.documents", dl ? dl : 1, tf, c->client);
	}
	static const char *const title_default[] = {"Loonstrook {year}-{period}", "Loonstrook {year}-{period} correctie {n}",
						    "Jaaropgaaf {year}", "Jaaropgaaf {year} gecorrigeerd {n}"};
	char **tslot[] = {&c->documents.title_payslip, &c->documents.title_payslip_correction, &c->documents.title_yearend,
			  &c->documents.title_yearend_corrected};
	for (int i = 0; i < 4; i++)
		if (!*tslot[i])
			*tslot[i] = lp_xstrdup(title_default[i]);

	load_journal(&x, c, get_obj(&x, root, "journal", 0));

	json_t *h = get_obj(&x, root, "hours", 0), *none = json_object();
	load_hours(&x, c, h ? h : none); /* without the section: its defaults */
	json_decref(none);

	if (x.bad) {
		lp_config_free(c);
		return NULL;
	}
	return c;
}

void lp_config_free(lp_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	free(c->client);
	free(c->personio.base_url);
	free(c->personio.credentials_file);
	free(c->personio.app_id);
	free(c->personio.partner_id);
	free(c->personio.legal_entity_id);
	free(c->loket.base_url);
	free(c->loket.employer_id);
	free(c->loket.payroll_administration_id);
	free(c->loket.tax_id);
	free(c->loket.token_file);
	free(c->audit_log);
	free(c->documents.category);
	free(c->documents.dir);
	free(c->journal.journal_code);
	free(c->journal.bookkeeping_administration);
	free(c->journal.dir);
	free(c->documents.title_payslip);
	free(c->documents.title_payslip_correction);
	free(c->documents.title_yearend);
	free(c->documents.title_yearend_corrected);
	free(c->loket.oauth_url);
	free(c->loket.proxy);
	free(c->personio.proxy);
	free(c->loket.credentials_file);
	free(c->loket.redirect_uri);
	free(c->loket.lock_file);
	free(c->personio.token_cache);
	free(c->compensation.map);
	free(c->hours.default_code);
	free(c->hours.code_from);
	free(c->hours.csv.employee_number);
	free(c->hours.csv.date);
	free(c->hours.csv.hour_code);
	free(c->hours.csv.hours);
	json_decref(c->root);
	free(c);
}

void lp_configs_add(lp_configs *s, const char *path)
{
	lp_config *c = lp_config_load(path);
	if (!c)
		exit(LP_EXIT_CONFIG);
	if (!s->by_client)
		s->by_client = lp_map_new();
	if (lp_map_get(s->by_client, c->client, NULL))
		lp_die(LP_EXIT_CONFIG, "%s: client '%s' is configured twice", path, c->client);
	/* J2: one payroll administration has at most one bookkeeping administration linked */
	const char *pa = c->loket.payroll_administration_id;
	for (size_t i = 0; pa && c->journal.bookkeeping_administration && i < s->n; i++) {
		const lp_config *o = s->v[i];
		if (o->journal.bookkeeping_administration && o->loket.payroll_administration_id &&
		    !strcasecmp(o->loket.payroll_administration_id, pa))
			lp_die(LP_EXIT_CONFIG,
			       "%s: journal.bookkeeping_administration: payroll administration %s is linked to '%s' already by %s "
			       "(client '%s'): two links to one payroll administration (J2); keep one",
			       path, pa, o->journal.bookkeeping_administration, o->path, o->client);
	}
	lp_map_put(s->by_client, c->client, c);
	*LP_VEC_PUSH(s) = c;
}

lp_config *lp_configs_for(const lp_configs *s, const char *client, const char *where)
{
	void *v = NULL;
	if (!s->by_client || !lp_map_get(s->by_client, client, &v))
		lp_die(LP_EXIT_CONFIG, "%s: records of client '%s' but no --config for it", where, client);
	return v;
}

void lp_configs_free(lp_configs *s)
{
	for (size_t i = 0; i < s->n; i++)
		lp_config_free(s->v[i]);
	free(s->v);
	lp_map_free(s->by_client, NULL);
	s->v = NULL;
	s->n = s->cap = 0;
	s->by_client = NULL;
}
