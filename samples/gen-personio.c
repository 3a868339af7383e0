/* gen-personio - deterministic generator of synthetic Personio clients.
 *
 *   gen-personio --clients N --employees M [--seed S] [--start-date YYYY-MM-DD]
 *                [--month K] [--personio-url URL] [--loket-url URL] [--loket-token-file F]
 *                [--configs-only] --out DIR
 *
 * For each client genNNNN (N = 1..) it writes the Personio emulator fixtures
 * (doc/personio-fixtures.md)
 *     DIR/personio/genNNNN/{credentials.json,employees.json,
 *                           compensations.json,document-categories.json}
 * and a client configuration (schemas/client-config.schema.json)
 *     DIR/config/genNNNN.json
 * pointing at the Loket employer and payroll administration gen-loket writes for the same
 * arguments, with the one Loket login of the bureau (DIR/loket/token.json, credentials
 * DIR/loket/client.json). With --month K it writes the Personio data of the bureau month K
 * (doc/generators.md) and DIR/as-of, the as-of date of that month.
 *
 * Properties:
 *  - Deterministic: the same arguments give byte-identical files.  Every
 *    employee draws from its own PRNG stream, derived from (seed, client,
 *    employee), so employee k is the same whatever M is (samples/gen-model.c).
 *  - Streaming: one employee at a time is generated and written; memory use
 *    does not depend on M.
 *  - No floating point: amounts are integer cents, printed as "%lld.%02lld".
 *  - Valid data: every BSN passes the 11-proef, every IBAN mod-97, every
 *    postal code lp_nlid_postcode_valid; BSNs and IBAN account numbers are
 *    unique over the whole run while N*M <= 81 000 000 (with --month: 40 500 000).
 *  - The large files (employees, compensations) are written with fprintf and
 *    our own string escaping (jansson can only print numbers from doubles and
 *    building 100 000 employee trees is slow); the small ones with jansson.
 */
#include "gen-model.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "gen-personio"
#define VERSION "0.2.0"

static const char help[] =
	"usage: " PROG " --clients N --employees M [--seed S] [--start-date YYYY-MM-DD] [--month K]\n"
	"                    [--personio-url URL] [--loket-url URL] [--loket-token-file F]\n"
	"                    [--configs-only] --out DIR\n"
	"\n"
	"Writes deterministic synthetic Personio clients gen0001, gen0002, ...:\n"
	"  DIR/personio/<client>/{credentials.json,employees.json,compensations.json,\n"
	"                         document-categories.json}   (personio-emu fixtures)\n"
	"  DIR/config/<client>.json                            (client configuration)\n"
	"\n"
	"  --clients N         number of clients (1..99999)\n"
	"  --employees M       employees per client (1..10000000)\n"
	"  --seed S            PRNG seed, unsigned integer (default 1)\n"
	"  --start-date DATE   compensation start date (default 2026-01-01)\n"
	"  --month K           the bureau month K (1..12): month 1 is the first sync, month K > 1\n"
	"                      adds K-1 months of changes (3% salary changes, 10% one-time bonuses,\n"
	"                      2% changed recurring allowances, 0.5% leavers, 1% new hires a month);\n"
	"                      writes DIR/as-of (the 15th of month K)\n"
	"  --personio-url URL  personio.base_url of the configurations\n"
	"  --loket-url URL     loket.base_url (URL/v2) and loket.oauth_url (URL) of the configurations\n"
	"  --loket-token-file F  loket.token_file of the configurations (default ../loket/token.json,\n"
	"                      the bureau's one login); \"{client}\" in F becomes the client's name\n"
	"  --configs-only      write only DIR/config/ (and DIR/as-of)\n"
	"  --out DIR           output directory (created if missing)\n"
	"  --help, --version\n"
	"\n"
	"Same arguments give byte-identical output. gen-loket writes the matching Loket state.\n";

/* ---------------------------------------------------------- JSON output */

/* ,"key":{"label":..,"value":"..","type":..,"universal_id":..} */
static void attr(FILE *f, const char *key, const char *label, const char *value, const char *type, const char *uid)
{
	fprintf(f, ",\"%s\":{\"label\":", key);
	gen_jstr(f, label);
	fputs(",\"value\":", f);
	gen_jstr(f, value);
	fprintf(f, ",\"type\":\"%s\",\"universal_id\":", type);
	gen_jstr(f, uid);
	putc('}', f);
}

struct comp_out {
	FILE *f;
	int first; /* no item written yet */
	const char *entity;
};

static void comp_item(struct comp_out *co, unsigned long pid, const struct gen_comp *c)
{
	char a[32], df[GEN_DATEBUF], dt[GEN_DATEBUF];
	gen_fmt_date(df, c->from);
	if (c->to >= 0)
		gen_fmt_date(dt, c->to);
	fprintf(co->f,
		"%s{\"id\":\"cmp-%lu-%d\",\"person\":{\"id\":\"%lu\"},"
		"\"legal_entity\":{\"id\":\"%s\"},"
		"\"type\":{\"id\":\"%s\",\"name\":\"%s\",\"category\":\"%s\"},"
		"\"amount\":{\"value\":%s,\"currency\":\"EUR\"},",
		co->first ? "" : ",\n", pid, c->n, pid, co->entity, c->type_id, c->type_name, c->category,
		gen_cents(a, c->cents));
	if (c->interval)
		fprintf(co->f, "\"interval\":\"%s\",", c->interval);
	else
		fputs("\"interval\":null,", co->f);
	fprintf(co->f, "\"effective_from\":\"%s\",\"effective_to\":", df);
	if (c->to >= 0)
		fprintf(co->f, "\"%s\"", dt);
	else
		fputs("null", co->f);
	if (c->hours > 0)
		fprintf(co->f, ",\"weekly_working_hours\":%d,\"full_time_weekly_working_hours\":40", c->hours);
	fputc('}', co->f);
	co->first = 0;
}

static void write_person(const struct gen_person *p, const struct gen_client *cl, FILE *ef, int first,
			 struct comp_out *co)
{
	char buf[256], d1[GEN_DATEBUF], d2[GEN_DATEBUF], dob[GEN_DATEBUF], num[24];
	gen_fmt_stamp(d1, p->hire);
	if (p->term >= 0)
		gen_fmt_stamp(d2, p->term);
	snprintf(dob, sizeof dob, "%04d-%02d-%02d", p->by, p->bm, p->bd);

	fprintf(ef,
		"%s{\"type\":\"Employee\",\"attributes\":{"
		"\"id\":{\"label\":\"ID\",\"value\":%lu,\"type\":\"integer\",\"universal_id\":\"id\"}",
		first ? "" : ",\n", p->pid);
	attr(ef, "first_name", "First name", p->first, "standard", "first_name");
	attr(ef, "last_name", "Last name", p->sn->name, "standard", "last_name");
	attr(ef, "preferred_name", "Preferred name", "", "standard", "preferred_name");
	gen_email(p, cl, buf, sizeof buf);
	attr(ef, "email", "Email", buf, "standard", "email");
	attr(ef, "gender", "Gender", p->gender, "standard", "gender");
	attr(ef, "status", "Status", p->status, "standard", "status");
	attr(ef, "hire_date", "Hire date", d1, "date", "hire_date");
	attr(ef, "termination_date", "Termination date", p->term >= 0 ? d2 : NULL, "date", "termination_date");
	snprintf(num, sizeof num, "%d", p->hours);
	attr(ef, "weekly_working_hours", "Weekly hours", num, "standard", "weekly_working_hours");
	fprintf(ef,
		",\"subcompany\":{\"label\":\"Subcompany\",\"value\":{\"type\":\"Subcompany\","
		"\"attributes\":{\"id\":%s,\"name\":",
		cl->entity);
	gen_jstr(ef, cl->entity_name);
	fputs("}},\"type\":\"standard\",\"universal_id\":\"subcompany\"}", ef);
	snprintf(num, sizeof num, "%lu", p->number);
	attr(ef, "dynamic_1001", "Employee number (Loket)", num, "standard", NULL);
	attr(ef, "dynamic_1002", "Income number", "1", "standard", NULL);
	attr(ef, "dynamic_1003", "Consider in NL payroll", "Yes", "list", NULL);
	attr(ef, "dynamic_1004", "BSN", p->bsn, "standard", NULL);
	attr(ef, "dynamic_1005", "IBAN", p->iban, "standard", "iban");
	attr(ef, "dynamic_1006", "Date of birth", dob, "date", NULL);
	attr(ef, "dynamic_1007", "Initials", p->initials, "standard", NULL);
	attr(ef, "dynamic_1008", "Prefix", p->sn->prefix, "standard", NULL);
	attr(ef, "dynamic_1010", "Street", p->street, "standard", NULL);
	attr(ef, "dynamic_1011", "House number", p->house, "standard", NULL);
	attr(ef, "dynamic_1012", "House number addition", p->addition, "standard", NULL);
	attr(ef, "dynamic_1013", "Postal code", p->pc, "standard", NULL);
	attr(ef, "dynamic_1014", "City", p->city->name, "standard", NULL);
	attr(ef, "dynamic_1015", "Country", "NL", "standard", NULL);
	attr(ef, "dynamic_1016", "Phone", p->phone, "standard", NULL);
	fputs("}}", ef);
	for (int k = 0; k < p->ncomp; k++)
		comp_item(co, p->pid, &p->comp[k]);
}

/* ----------------------------------------------------------- small files */

static void dump_json(json_t *j, const char *path, mode_t mode)
{
	FILE *f = gen_open(PROG, path, mode);
	if (json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF)
		gen_die(PROG, "%s: write error", path);
	gen_close(PROG, f, path);
	json_decref(j);
}

static void write_config(const struct gen_run *r, const struct gen_client *cl, const char *path)
{
	char start[GEN_DATEBUF], cred[64], token[4200];
	gen_fmt_date(start, r->start);
	snprintf(cred, sizeof cred, "../personio/%s/credentials.json", cl->name);

	json_t *mapping = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "travel-allowance", 8042, "phone-allowance", 8043,
				    "pension-contribution", 8055, "performance-bonus", 8101, "referral-bonus", 8102,
				    "signing-bonus", 8103);
	json_t *attrs = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
				  "s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
				  "first_name", "first_name", "last_name", "last_name", "preferred_name", "preferred_name",
				  "email", "email", "gender", "gender", "status", "status", "legal_entity", "subcompany",
				  "entry_date", "hire_date", "termination_date", "termination_date", "weekly_hours",
				  "weekly_working_hours", "employee_number", "dynamic_1001", "income_number", "dynamic_1002",
				  "consider_nl_payroll", "dynamic_1003", "bsn", "dynamic_1004", "iban", "dynamic_1005",
				  "date_of_birth", "dynamic_1006", "initials", "dynamic_1007", "prefix", "dynamic_1008",
				  "street", "dynamic_1010", "house_number", "dynamic_1011", "house_number_addition",
				  "dynamic_1012", "postal_code", "dynamic_1013", "city", "dynamic_1014", "country",
				  "dynamic_1015", "phone", "dynamic_1016");
	const char *tf = r->token_file ? r->token_file : "../loket/token.json", *at = strstr(tf, "{client}");
	if (at)
		snprintf(token, sizeof token, "%.*s%s%s", (int)(at - tf), tf, cl->name, at + strlen("{client}"));
	else
		snprintf(token, sizeof token, "%s", tf);
	json_t *personio = json_pack("{s:s,s:s}", "credentials_file", cred, "legal_entity_id", cl->entity);
	if (r->personio_url)
		json_object_set_new(personio, "base_url", json_string(r->personio_url));
	/* one Loket login for the whole bureau: one token file, one API client */
	json_t *loket = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s}", "employer_id", cl->employer_id,
				  "payroll_administration_id", cl->admin_id, "client_number", cl->client_number, "tax_id",
				  cl->tax, "token_file", token, "credentials_file", "../loket/client.json");
	if (r->loket_url) {
		char v2[4200];
		snprintf(v2, sizeof v2, "%s/v2", r->loket_url);
		json_object_set_new(loket, "base_url", json_string(v2));
		json_object_set_new(loket, "oauth_url", json_string(r->loket_url));
		json_object_set_new(loket, "redirect_uri", json_string("http://127.0.0.1/callback"));
	}
	json_t *cfg = json_pack("{s:s,s:o,s:o,s:{s:s,s:b,s:b,s:b,s:o},s:o,s:{s:i}}", "client", cl->name, "personio",
				personio, "loket", loket, "compensation", "start_date", start, "sync_salary", 1,
				"sync_recurring", 1, "sync_one_time", 1, "mapping", mapping, "attributes", attrs, "documents",
				"category_id", 2);
	if (cfg == NULL)
		gen_die(PROG, "internal error: json_pack");
	dump_json(cfg, path, 0644);
}

static void write_client(const struct gen_run *r, unsigned ci)
{
	struct gen_client cl;
	char dir[4096], path[4200];
	gen_client(r, ci, &cl);
	snprintf(dir, sizeof dir, "%s/config", r->out);
	gen_mkdir_p(PROG, dir);
	snprintf(path, sizeof path, "%s/%s.json", dir, cl.name);
	write_config(r, &cl, path);
	if (r->configs_only)
		return;

	snprintf(dir, sizeof dir, "%s/personio/%s", r->out, cl.name);
	gen_mkdir_p(PROG, dir);
	/* credentials: test values derived from the seed; mode 0600 like a real secret */
	uint64_t st = r->seed ^ 0x5EC7E7ULL ^ ((uint64_t)ci << 32);
	char secret[64], id[64];
	snprintf(secret, sizeof secret, "%s-secret-%016" PRIx64, cl.name, gen_next(&st));
	snprintf(id, sizeof id, "papi-%s-id", cl.name);
	snprintf(path, sizeof path, "%s/credentials.json", dir);
	dump_json(json_pack("{s:s,s:s}", "client_id", id, "client_secret", secret), path, 0600);

	snprintf(path, sizeof path, "%s/document-categories.json", dir);
	dump_json(json_pack("[{s:i,s:s,s:{s:s}},{s:i,s:s,s:{s:s}},{s:i,s:s,s:{s:s}}]", "id", 1, "type",
			    "DocumentCategory", "attributes", "name", "Contracts", "id", 2, "type", "DocumentCategory",
			    "attributes", "name", "Payslips and year-end statements (Loket)", "id", 3, "type",
			    "DocumentCategory", "attributes", "name", "Other documents"),
		  path, 0644);

	char epath[4200], cpath[4200];
	snprintf(epath, sizeof epath, "%s/employees.json", dir);
	snprintf(cpath, sizeof cpath, "%s/compensations.json", dir);
	FILE *ef = gen_open(PROG, epath, 0644);
	struct comp_out co = {gen_open(PROG, cpath, 0644), 1, cl.entity};
	fputs("[\n", ef);
	fputs("[\n", co.f);
	struct gen_person p;
	for (unsigned long i = 1; i <= r->employees; i++) {
		gen_person(r, ci, i, &p);
		gen_person_months(r, ci, &p);
		write_person(&p, &cl, ef, i == 1, &co);
	}
	for (unsigned j = 1; gen_new_hire(r, ci, j, &p); j++)
		write_person(&p, &cl, ef, 0, &co);
	fputs("\n]\n", ef);
	fputs(co.first ? "]\n" : "\n]\n", co.f);
	gen_close(PROG, ef, epath);
	gen_close(PROG, co.f, cpath);
}

int main(int argc, char **argv)
{
	struct gen_run r;
	gen_parse_args(&r, argc, argv, PROG, VERSION, help, 1);
	gen_mkdir_p(PROG, r.out);
	for (unsigned ci = 1; ci <= r.clients; ci++)
		write_client(&r, ci);
	if (r.month) {
		char path[4200], d[GEN_DATEBUF];
		snprintf(path, sizeof path, "%s/as-of", r.out);
		gen_fmt_date(d, gen_as_of(&r, r.month));
		FILE *f = gen_open(PROG, path, 0644);
		fprintf(f, "%s\n", d);
		gen_close(PROG, f, path);
	}
	return 0;
}
