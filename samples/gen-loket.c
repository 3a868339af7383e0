/* gen-loket - the Loket emulator state of gen-personio's synthetic bureau, month 1.
 *
 *   gen-loket --clients N --employees M [--seed S] [--start-date YYYY-MM-DD] --out DIR
 *
 * Writes DIR/loket/state.json and DIR/loket/client.json (doc/loket-fixtures.md): ONE Loket
 * user over all N employers, as a bureau has, so one loket-emu process serves the whole
 * batch. The people, ids and employers are those gen-personio writes for the same arguments
 * (samples/gen-model.c): each client genNNNN is an employer with one payroll administration
 * (the ids, client number and tax id of DIR/config/genNNNN.json), and Loket holds what a
 * bureau migrating the client would have entered before its first sync:
 *  - every employee of the month-1 Personio data except the onboarding ones (not yet
 *    started) and the monthly new hires (they come later), with the same name, BSN,
 *    address, e-mail and phone; one employment each (income number 1) from the hire date,
 *    ended on the termination date of those who left;
 *  - for those hired before the compensation start date, one wage from the hire date at
 *    the amount before a 3% raise (so the first sync writes the wage of the start date on);
 *    no benefits, no payroll period data (the first sync writes them);
 *  - the component catalogue of the mapped types and the monthly payroll periods of the
 *    start year and the next, per administration; the metadata of the write endpoints.
 * client.json ({client_id, client_secret}, mode 0600) is also the credentials_file every
 * generated configuration names (../loket/client.json). Deterministic and streaming: the
 * people are generated again for each collection, never held in memory.
 */
#include "gen-model.h"

#include "lp_date.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PROG "gen-loket"
#define VERSION "0.1.0"

static const char help[] =
	"usage: " PROG " --clients N --employees M [--seed S] [--start-date YYYY-MM-DD] --out DIR\n"
	"\n"
	"Writes the Loket emulator fixtures of gen-personio's clients (the same arguments):\n"
	"  DIR/loket/state.json    N employers, their payroll administrations, employees,\n"
	"                          employments and wage history before the start date\n"
	"  DIR/loket/client.json   the one API client of the bureau (mode 0600)\n"
	"\n"
	"  --clients N, --employees M, --seed S, --start-date DATE, --out DIR: as gen-personio\n"
	"  --help, --version\n"
	"\n"
	"Same arguments give byte-identical output.\n";

struct out {
	FILE *f;
	int first; /* no item of the current collection written yet */
};

static void item(struct out *o)
{
	fputs(o->first ? "\n  " : ",\n  ", o->f);
	o->first = 0;
}

static void begin(struct out *o, const char *name, int first_collection)
{
	fprintf(o->f, "%s\"%s\": [", first_collection ? "{\n " : ",\n ", name);
	o->first = 1;
}

static void end(struct out *o)
{
	fputs(o->first ? "]" : "\n ]", o->f);
}

/* ids: a fixed prefix per collection, then client (5 hex digits) and person (7) */
static void uuid(char out[37], const char *prefix, unsigned ci, unsigned long i)
{
	snprintf(out, 37, "%s-0000-4000-8000-%05x%07lx", prefix, ci & 0xfffffu, i & 0xffffffful);
}

static void date_or_null(FILE *f, long z)
{
	char d[GEN_DATEBUF];
	if (z < 0) {
		fputs("null", f);
		return;
	}
	gen_fmt_date(d, z);
	fprintf(f, "\"%s\"", d);
}

static const char *blank_null(const char *s)
{
	return s && *s ? s : NULL;
}

typedef void each_fn(struct out *o, const struct gen_run *r, const struct gen_client *c, unsigned ci,
		     const struct gen_person *p);

/* Every person Loket holds, client by client (see the header). */
static void each_person(struct out *o, const struct gen_run *r, each_fn *fn)
{
	struct gen_person p;
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		struct gen_client c;
		gen_client(r, ci, &c);
		for (unsigned long i = 1; i <= r->employees; i++) {
			gen_person(r, ci, i, &p);
			if (strcmp(p.status, "onboarding") != 0)
				fn(o, r, &c, ci, &p);
		}
	}
}

static void employee(struct out *o, const struct gen_run *r, const struct gen_client *c, unsigned ci,
		     const struct gen_person *p)
{
	(void)r;
	FILE *f = o->f;
	char id[37], buf[256];
	uuid(id, "0e7f3a1c", ci, p->number);
	item(o);
	fprintf(f, "{\"id\": \"%s\", \"employerId\": \"%s\", \"employeeNumber\": %lu, \"citizenServiceNumber\": \"%s\",\n",
		id, c->employer_id, p->number, p->bsn);
	fputs("   \"personalDetails\": {\"initials\": ", f);
	gen_jstr(f, p->initials);
	fputs(", \"firstName\": ", f);
	gen_jstr(f, p->first);
	fputs(", \"prefix\": ", f);
	gen_jstr(f, blank_null(p->sn->prefix));
	fputs(", \"lastName\": ", f);
	gen_jstr(f, p->sn->name);
	int g = !strcmp(p->gender, "male") ? 1 : !strcmp(p->gender, "female") ? 2 : 3;
	fprintf(f, ", \"dateOfBirth\": \"%04d-%02d-%02d\", \"gender\": {\"key\": %d, \"value\": \"%s\"}},\n", p->by,
		p->bm, p->bd, g, g == 1 ? "Man" : g == 2 ? "Vrouw" : "Onbekend");
	fputs("   \"address\": {\"street\": ", f);
	gen_jstr(f, p->street);
	fprintf(f, ", \"houseNumber\": %s, \"houseNumberAddition\": ", p->house);
	gen_jstr(f, blank_null(p->addition));
	fputs(", \"postalCode\": ", f);
	gen_jstr(f, p->pc);
	fputs(", \"city\": ", f);
	gen_jstr(f, p->city->name);
	fputs(", \"country\": {\"isoCode\": \"NL\", \"key\": 1, \"value\": \"Nederland\"}},\n", f);
	gen_email(p, c, buf, sizeof buf);
	fputs("   \"contactInformation\": {\"emailAddress\": ", f);
	gen_jstr(f, buf);
	fputs(", \"phoneNumber\": ", f);
	gen_jstr(f, p->phone);
	fputs(", \"mobilePhoneNumber\": null}}", f);
}

static void employment(struct out *o, const struct gen_run *r, const struct gen_client *c, unsigned ci,
		       const struct gen_person *p)
{
	(void)r;
	char id[37], ee[37], d[GEN_DATEBUF];
	uuid(id, "3d2c1b0a", ci, p->number);
	uuid(ee, "0e7f3a1c", ci, p->number);
	gen_fmt_date(d, p->hire);
	item(o);
	fprintf(o->f, "{\"id\": \"%s\", \"employeeId\": \"%s\", \"payrollAdministrationId\": \"%s\", \"startDate\": \"%s\", \"endDate\": ",
		id, ee, c->admin_id, d);
	date_or_null(o->f, p->term);
	fprintf(o->f, ", \"historicalStartDate\": \"%s\", \"incomeRelationshipNumber\": 1, \"payrollId\": %lu,\n"
		      "   \"employmentContractType\": {\"key\": 1, \"value\": \"Arbeidsovereenkomst (excl BBL)\"},"
		      " \"employmentDurationType\": {\"key\": 1, \"value\": \"Contract of indefinite duration\"}}",
		d, p->number); /* payrollId: one employment per person, so the person's index is unique in the administration */
}

static void wage(struct out *o, const struct gen_run *r, const struct gen_client *c, unsigned ci,
		 const struct gen_person *p)
{
	(void)c;
	if (p->hire >= r->start || p->ncomp == 0)
		return; /* hired on or after the start date: the first sync writes the first wage */
	int hourly;
	long long now = gen_monthly_cents(&p->comp[0], &hourly); /* the salary in force at the start date */
	long long before = (now * 100 + 51) / 103;                 /* before a 3% raise */
	if (before < 1)
		before = 1;
	char id[37], em[37], d[GEN_DATEBUF], a[32];
	uuid(id, "9a8b7c6d", ci, p->number);
	uuid(em, "3d2c1b0a", ci, p->number);
	gen_fmt_date(d, p->hire);
	item(o);
	fprintf(o->f, "{\"id\": \"%s\", \"employmentId\": \"%s\", \"startDate\": \"%s\", \"endDate\": ", id, em, d);
	date_or_null(o->f, p->term);
	fprintf(o->f, ", \"grossWage\": %s, \"grossWageType\": {\"key\": %d, \"value\": \"%s\"},"
		      " \"payrollPeriodType\": {\"key\": 1, \"value\": \"Maand\"}}",
		gen_cents(a, before), hourly ? 2 : 1, hourly ? "Uurloon" : "Periodeloon");
}

struct component { int key; const char *desc; int cat; const char *cat_name; int deduct, sup; };
static const struct component components[] = {
	{1, "Uren gewerkt", 1, "Uren", 0, 0},
	{8042, "REISKOSTEN VAS", 9, "Netto vergoeding", 0, 1},
	{8043, "TELEFOON", 9, "Netto vergoeding", 0, 1},
	{8055, "PENSIOEN WN", 12, "Bruto inhouding", 1, 0},
	{8101, "PRESTATIEBONUS", 7, "Bruto vergoeding volgens tabel", 0, 1},
	{8102, "AANBRENGBONUS", 7, "Bruto vergoeding volgens tabel", 0, 1},
	{8103, "TEKENBONUS", 7, "Bruto vergoeding volgens tabel", 0, 1},
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The write endpoints' metadata (as tests/fixtures/loket/acme: the emulator's keys). */
struct meta { const char *field; const char *opts; };
static const char gender[] = "[{\"key\": 1, \"value\": \"Man\"}, {\"key\": 2, \"value\": \"Vrouw\"}, {\"key\": 3, \"value\": \"Onbekend\"}]";
static const char civil[] = "[{\"key\": 1, \"value\": \"Ongehuwd\"}, {\"key\": 2, \"value\": \"Gehuwd\"}, {\"key\": 3, \"value\": \"Geregistreerd partnerschap\"}, {\"key\": 4, \"value\": \"Gescheiden\"}, {\"key\": 5, \"value\": \"Weduwe/weduwnaar\"}]";
static const char nationality[] = "[{\"key\": 1, \"value\": \"Nederlandse\"}, {\"key\": 2, \"value\": \"Belgische\"}, {\"key\": 3, \"value\": \"Duitse\"}, {\"key\": 4, \"value\": \"Franse\"}, {\"key\": 5, \"value\": \"Britse\"}, {\"key\": 6, \"value\": \"Spaanse\"}, {\"key\": 7, \"value\": \"Marokkaanse\"}, {\"key\": 8, \"value\": \"Turkse\"}]";
static const char country[] = "[{\"key\": 1, \"isoCode\": \"NL\", \"value\": \"Nederland\"}, {\"key\": 2, \"isoCode\": \"BE\", \"value\": \"Belgi\\u00eb\"}, {\"key\": 3, \"isoCode\": \"DE\", \"value\": \"Duitsland\"}, {\"key\": 4, \"isoCode\": \"FR\", \"value\": \"Frankrijk\"}, {\"key\": 5, \"isoCode\": \"GB\", \"value\": \"Verenigd Koninkrijk\"}, {\"key\": 6, \"isoCode\": \"ES\", \"value\": \"Spanje\"}, {\"key\": 7, \"isoCode\": \"MA\", \"value\": \"Marokko\"}, {\"key\": 8, \"isoCode\": \"TR\", \"value\": \"Turkije\"}]";
static const char last_name[] = "[{\"key\": 1, \"value\": \"Eigen naam\"}, {\"key\": 2, \"value\": \"Naam partner + eigen naam\"}, {\"key\": 3, \"value\": \"Naam partner\"}, {\"key\": 4, \"value\": \"Eigen naam + naam partner\"}]";
static const char wage_type[] = "[{\"key\": 1, \"value\": \"Periodeloon\"}, {\"key\": 2, \"value\": \"Uurloon\"}]";
static const char pay_scale[] = "[{\"key\": 1, \"value\": \"Schaal A\"}, {\"key\": 2, \"value\": \"Schaal B\"}, {\"key\": 3, \"value\": \"Schaal C\"}]";

static void metadata(struct out *o)
{
	static const struct meta employee_m[] = {{"gender", gender}, {"civilStatus", civil}, {"nationality", nationality},
						 {"country", country}, {"howToFormatLastName", last_name}};
	static const struct meta wage_m[] = {{"grossWageType", wage_type}, {"payScale", pay_scale}};
	for (size_t k = 0; k < N_OF(employee_m); k++) {
		item(o);
		fprintf(o->f, "{\"resource\": \"employee\", \"field\": \"%s\", \"options\": %s}", employee_m[k].field,
			employee_m[k].opts);
	}
	for (size_t k = 0; k < N_OF(wage_m); k++) {
		item(o);
		fprintf(o->f, "{\"resource\": \"wage\", \"field\": \"%s\", \"options\": %s}", wage_m[k].field, wage_m[k].opts);
	}
	for (size_t k = 0; k < N_OF(employee_m) + N_OF(wage_m); k++) {
		const struct meta *m = k < N_OF(employee_m) ? &employee_m[k] : &wage_m[k - N_OF(employee_m)];
		item(o);
		fprintf(o->f, "{\"resource\": \"conceptEmployee\", \"field\": \"%s\", \"options\": %s}", m->field, m->opts);
	}
}

static void write_state(const struct gen_run *r, const char *path)
{
	struct out o = {gen_open(PROG, path, 0644), 1};
	FILE *f = o.f;
	int y0, m0, d0;
	lp_date_ymd((lp_date)r->start, &y0, &m0, &d0);
	struct gen_client c;

	begin(&o, "employers", 1);
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		gen_client(r, ci, &c);
		item(&o);
		fprintf(f, "{\"id\": \"%s\", \"companyName\": ", c.employer_id);
		gen_jstr(f, c.entity_name);
		fprintf(f, ", \"employerNumber\": %u, \"chamberOfCommerceNumber\": \"%08u\"}", ci, 60000000u + ci);
	}
	end(&o);
	begin(&o, "payrollAdministrations", 0);
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		gen_client(r, ci, &c);
		item(&o);
		fprintf(f, "{\"id\": \"%s\", \"employerId\": \"%s\", \"name\": ", c.admin_id, c.employer_id);
		gen_jstr(f, c.entity_name);
		fprintf(f, ", \"description\": \"%s maandverloning\", \"clientNumber\": %d, \"payrollTaxesNumber\": \"%s\","
			   " \"administrationNumber\": \"1\", \"startDate\": \"2015-01-01\", \"endDate\": null,"
			   " \"payrollPeriodType\": {\"key\": 1, \"value\": \"Maand\"}}",
			c.name, c.client_number, c.tax);
	}
	end(&o);
	begin(&o, "employees", 0);
	each_person(&o, r, employee);
	end(&o);
	begin(&o, "employments", 0);
	each_person(&o, r, employment);
	end(&o);
	begin(&o, "wages", 0);
	each_person(&o, r, wage);
	end(&o);
	begin(&o, "benefitsAndDeductions", 0);
	end(&o);
	begin(&o, "payrollPeriodData", 0);
	end(&o);
	begin(&o, "conceptEmployees", 0);
	end(&o);
	begin(&o, "payrollComponents", 0);
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		gen_client(r, ci, &c);
		for (int y = y0; y <= y0 + 1; y++)
			for (size_t k = 0; k < N_OF(components); k++) {
				const struct component *x = &components[k];
				item(&o);
				fprintf(f, "{\"payrollAdministrationId\": \"%s\", \"year\": %d, \"key\": %d, \"description\": \"%s\","
					   " \"category\": {\"key\": %d, \"value\": \"%s\"}, \"deductionOrPayment\": {\"key\": %d,"
					   " \"value\": \"%s\"}, \"canBeSupplemented\": %s, \"isCollectiveMutationPossible\": true}",
					c.admin_id, y, x->key, x->desc, x->cat, x->cat_name, x->deduct ? 1 : 2,
					x->deduct ? "Inhouding" : "Betaling", x->sup ? "true" : "false");
			}
	}
	end(&o);
	/* one payroll component set per administration holding every component, as a bureau defines
	 * it for fetch-loket (README: one request per payroll period instead of one per category) */
	begin(&o, "payrollComponentSets", 0);
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		gen_client(r, ci, &c);
		item(&o);
		fprintf(f, "{\"payrollAdministrationId\": \"%s\", \"id\": \"5e750000-0000-4000-8000-%012u\","
			   " \"isDefaultForBrowserPayrollPeriodData\": true, \"isDefaultForPayrollPeriodData\": false,"
			   " \"isDefinedOnProviderLevel\": false, \"payrollComponents\": [",
			c.admin_id, ci);
		for (size_t k = 0; k < N_OF(components); k++)
			fprintf(f, "%s{\"payrollComponent\": {\"key\": %d}}", k ? ", " : "", components[k].key);
		fputs("]}", f);
	}
	end(&o);
	begin(&o, "payrollPeriods", 0);
	for (unsigned ci = 1; ci <= r->clients; ci++) {
		gen_client(r, ci, &c);
		for (int y = y0; y <= y0 + 1; y++)
			for (int m = 1; m <= 12; m++) {
				char a[GEN_DATEBUF], b[GEN_DATEBUF];
				long first = lp_date_from_ymd(y, m, 1);
				gen_fmt_date(a, first);
				gen_fmt_date(b, gen_last_of_month(first, 0));
				item(&o);
				/* ids unique over the whole state: client, year, period */
				fprintf(f, "{\"payrollAdministrationId\": \"%s\", \"id\": %u%06d, \"year\": %d, \"periodNumber\": %d,"
					   " \"startDate\": \"%s\", \"endDate\": \"%s\", \"payrollPeriodType\": {\"key\": 1,"
					   " \"value\": \"Maand\"}, \"testYear\": false, \"payrollRuns\": []}",
					c.admin_id, ci, y * 100 + m, y, m, a, b);
			}
	}
	end(&o);
	begin(&o, "metadata", 0);
	metadata(&o);
	end(&o);
	fputs("\n}\n", f);
	gen_close(PROG, f, path);
}

int main(int argc, char **argv)
{
	struct gen_run r;
	gen_parse_args(&r, argc, argv, PROG, VERSION, help, 0);
	r.month = 1; /* Loket as it is before the first sync; later months are what the syncs wrote */
	char dir[4096], path[4200];
	snprintf(dir, sizeof dir, "%s/loket", r.out);
	gen_mkdir_p(PROG, dir);
	snprintf(path, sizeof path, "%s/state.json", dir);
	write_state(&r, path);

	/* the bureau's one Loket API client: test values derived from the seed, mode 0600 */
	uint64_t st = r.seed ^ 0x10CE7ULL;
	snprintf(path, sizeof path, "%s/client.json", dir);
	FILE *f = gen_open(PROG, path, 0600);
	fprintf(f, "{\n  \"client_id\": \"loket-bureau-client\",\n  \"client_secret\": \"loket-bureau-secret-%016" PRIx64
		   "\",\n  \"redirect_uri\": \"http://127.0.0.1/callback\"\n}\n",
		gen_next(&st));
	gen_close(PROG, f, path);
	return 0;
}
