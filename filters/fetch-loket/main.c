/* fetch-loket - read what one Loket payroll administration holds, as NDJSON.
 *
 * Writes loket.current.* records: employees (with their BSN, which Loket serves apart),
 * employments of the configured payroll administration, and per employment its wages,
 * benefits and deductions and payroll period data (from the compensation start date's year
 * on), plus the concept employees; then Loket's metadata (the options of gender, country,
 * grossWageType ... from GET .../metadata of a PUT employee, a POST wage and a POST concept
 * employee, once per run) and the administration's payroll component catalogue for every year
 * the sync concerns (the compensation start date's year to the year of --as-of plus
 * personio.future_months). Lists are read with pageNumber/pageSize to the end and
 * checked against totalSize; the last record is stream_end with complete:true only when
 * everything was received. OAuth through loket.token_file (lib/lp_oauth): a saved access token
 * is used while it lasts, else the refresh token is rotated and saved before use; the run
 * holds the client's lock. --record/--replay as in extract-personio.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_le_benefit.h"
#include "lp_le_component.h"
#include "lp_le_concept.h"
#include "lp_le_employee.h"
#include "lp_le_employment.h"
#include "lp_le_ppd.h"
#include "lp_le_wage.h"
#include "lp_loket.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_audit.h"
#include "lp_oauth.h"
#include "lp_emit.h"
#include "fetch.h"

static const char usage[] =
	"Usage: fetch-loket --config FILE [OPTION]...\n"
	"Read what one Loket payroll administration holds; write loket.current.* records and a\n"
	"stream_end record to standard output.\n"
	"\n"
	"  -c, --config FILE   client configuration (loket.base_url, employer_id,\n"
	"                      payroll_administration_id, token_file, oauth_url)\n"
	"      --as-of DATE    the run date, YYYY-MM-DD (default: today, UTC): the payroll\n"
	"                      component catalogue is read for the years from the compensation\n"
	"                      start date to DATE plus personio.future_months\n"
	"      --base-url URL  Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --state DIR     keep the last complete read in DIR (0700) and, next time, read\n"
	"                      again only what Loket's version numbers say changed; payroll\n"
	"                      period data per period of the administration, the periods an\n"
	"                      approved payroll run closed from DIR\n"
	"      --full          with --state: read everything (and save a new snapshot)\n"
	"      --max-age DAYS  with --state: a snapshot made more than DAYS before --as-of\n"
	"                      is read again in full (default 35: a monthly run uses it)\n"
	"      --record DIR    store every raw API response in DIR (0700/0600)\n"
	"      --replay DIR    answer every request from DIR instead of the network\n"
	"  -v, --verbose       report counts and HTTP requests on stderr\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 complete; 2 usage; 4 configuration or token file; 5 Loket failed or the\n"
	"data came incomplete (the stream ends with complete:false); 6 Loket refused the token:\n"
	"run loket-auth; 7 local I/O error (also: the --state snapshot cannot be saved, the old one\n"
	"is kept); 8 another run for this client holds its lock.\n"
	"See loketpipe(7).\n";

static const char *const count_names[C__N] = {"employees", "employments", "wages", "benefits_deductions",
					      "payroll_period_data", "concept_employees", "payroll_components",
					      "metadata_fields"};

json_t *counts(const struct run *r)
{
	return lp_stream_counts(count_names, r->counts, C__N);
}

/* A1: the read itself (who read the administration's personal data, when, how much, whether
 * it came whole) */
static void audit_read(struct run *r, int complete)
{
	lp_loket_get_audit_read(&r->g, r->cfg, r->as_of, complete, counts(r));
}

/* what fail() frees before the process ends */
static void fail_cleanup(void *ctx)
{
	struct run *r = ctx;
	audit_read(r, 0);
	lp_oauth_free(r->oauth);
	free(r->first_employee);
	free(r->first_employment);
}

void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_stream_vfail(r->cfg->client, "loket", counts(r), code, fail_cleanup, r, fmt, ap);
}

static json_t *g_sink;

void out_sink(json_t *array) { g_sink = array; }

void out(json_t *rec)
{
	if (g_sink) {
		json_array_append_new(g_sink, rec);
		return;
	}
	if (lp_out_new(rec))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

/* GET one answer (lib/lp_loket_get: the access token, one refresh on a 401, 200 or fail). */
json_t *get(struct run *r, const char *target) { return lp_loket_get_one(&r->g, target, NULL); }

/* the read session's failures end the stream */
static void get_fail(void *ctx, int code, const char *msg) { fail(ctx, code, "%s", msg); }

struct each {
	struct run *r;
	void (*fn)(struct run *, json_t *, void *);
	void *ctx;
};

static void each_item(json_t *it, void *ctx)
{
	struct each *e = ctx;
	e->fn(e->r, it, e->ctx);
}

/* Every item of a paged list, checked against totalSize (lp_loket_get_list); fn is called
 * per item. declared: the operation declares pageNumber/pageSize (see lp_loket_get.h). */
void list_q(struct run *r, const char *path, int declared, void (*fn)(struct run *, json_t *, void *), void *ctx)
{
	struct each e = {r, fn, ctx};
	lp_loket_get_list(&r->g, path, NULL, declared, each_item, &e);
}

void list(struct run *r, const char *path, void (*fn)(struct run *, json_t *, void *), void *ctx)
{
	list_q(r, path, 1, fn, ctx);
}

void list_at(struct run *r, char *path, void (*fn)(struct run *, json_t *, void *), void *ctx)
{
	list_q(r, path, 1, fn, ctx);
	free(path);
}

void list_at0(struct run *r, char *path, void (*fn)(struct run *, json_t *, void *), void *ctx)
{
	list_q(r, path, 0, fn, ctx);
	free(path);
}

json_t *rec(struct run *r, const char *type)
{
	return json_pack("{s:s,s:s}", "type", type, "client", r->cfg->client);
}

/* A module's translation failed (an amount that is not one): the stream is incomplete. */
void check(struct run *r, int rc, const char *err)
{
	if (rc)
		fail(r, LP_EXIT_REMOTE, "%s", err);
}

static void employee(struct run *r, json_t *e, void *ctx)
{
	(void)ctx;
	const char *id = lp_json_str(e, "id");
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employee without id");
	char *t = lp_le_employee_bsn(id);
	json_t *b = get(r, t);
	free(t);
	json_t *o = rec(r, "loket.current.employee");
	lp_le_employee_current(o, e, lp_json_obj(b, "content"));
	json_decref(b);
	if (!r->first_employee)
		r->first_employee = lp_xstrdup(id);
	r->counts[C_EMPLOYEES]++;
	out(o);
}

void wage(struct run *r, json_t *w, void *ctx)
{
	char err[200];
	json_t *o = rec(r, "loket.current.wage");
	check(r, lp_le_wage_current(o, w, ctx, err, sizeof err), err);
	r->counts[C_WAGES]++;
	out(o);
}

void benefit(struct run *r, json_t *b, void *ctx)
{
	char err[200];
	json_t *o = rec(r, "loket.current.benefit_deduction");
	check(r, lp_le_benefit_current(o, b, ctx, err, sizeof err), err);
	r->counts[C_BENEFITS]++;
	out(o);
}

void perioddata(struct run *r, json_t *d, void *ctx)
{
	long long y;
	if (lp_le_ppd_year(d, &y) && y < r->start_year)
		return; /* before the compensation start date's year: never touched, not needed */
	char err[200];
	json_t *entries = json_array();
	int rc = lp_le_ppd_current(entries, d, ctx, err, sizeof err);
	size_t i;
	json_t *e;
	json_array_foreach(entries, i, e) { /* on a bad amount: the entries before it, then the failure */
		json_t *o = rec(r, "loket.current.variable_input");
		json_object_update(o, e);
		r->counts[C_PERIODDATA]++;
		out(o);
	}
	json_decref(entries);
	check(r, rc, err);
}

static void employment(struct run *r, json_t *e, void *ctx)
{
	(void)ctx;
	const char *paid = lp_le_employment_admin(e);
	if (!paid || strcmp(paid, r->cfg->loket.payroll_administration_id))
		return; /* another administration of the same employer */
	const char *id = lp_json_str(e, "id");
	json_t *o = rec(r, "loket.current.employment");
	lp_le_employment_current(o, e);
	r->counts[C_EMPLOYMENTS]++;
	out(o);
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employment without id");
	if (!r->first_employment)
		r->first_employment = lp_xstrdup(id);
	char *(*const paths[])(const char *) = {lp_le_wage_collection, lp_le_benefit_collection, lp_le_ppd_collection};
	void (*const fns[])(struct run *, json_t *, void *) = {wage, benefit, perioddata};
	for (int i = 0; i < 3; i++) {
		char *p = paths[i](id);
		list(r, p, fns[i], (void *)id);
		free(p);
	}
}

void concept(struct run *r, json_t *c, void *ctx)
{
	(void)ctx;
	json_t *o = rec(r, "loket.current.concept_employee");
	lp_le_concept_current(o, c);
	r->counts[C_CONCEPTS]++;
	out(o);
}

/* One metadata answer (GET <write endpoint>/metadata): _embedded[] of {field, options[]}, one
 * loket.current.metadata record per field. Metadata lists the fields of one resource, so it is
 * one request; its totalSize is not checked (the spec's own example reports 3 for one field). */
void metadata(struct run *r, const char *resource, const char *target)
{
	char pbuf[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	json_t *j = get(r, target);
	char err[300];
	json_t *fields = json_array();
	int rc = lp_loket_metadata_current(fields, j, resource, err, sizeof err);
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) { /* on a field of the wrong shape: the fields before it, then the failure */
		json_t *o = rec(r, "loket.current.metadata");
		json_object_update(o, f);
		r->counts[C_METADATA]++;
		out(o);
	}
	json_decref(fields);
	if (rc) {
		json_decref(j);
		fail(r, LP_EXIT_REMOTE, "GET %s: %s", path, err);
	}
	json_decref(j);
}

/* One component of the catalogue of a year (ctx: the year). */
void component(struct run *r, json_t *c, void *ctx)
{
	json_t *o = rec(r, "loket.current.payroll_component");
	if (lp_le_component_current(o, c, *(int *)ctx)) {
		json_decref(o);
		fail(r, LP_EXIT_REMOTE, "a payroll component without a key (year %d)", *(int *)ctx);
	}
	r->counts[C_COMPONENTS]++;
	out(o);
}

/* The metadata, once per run: for a PUT employee and a POST wage (of the first employee and
 * employment: generic fields have the same options everywhere) and a POST concept employee. */
void read_metadata_all(struct run *r)
{
	char *p;
	if (r->first_employee) {
		p = lp_le_employee_metadata(r->first_employee);
		metadata(r, "employee", p);
		free(p);
	}
	if (r->first_employment) {
		p = lp_le_wage_metadata(r->first_employment);
		metadata(r, "wage", p);
		free(p);
	}
	p = lp_le_concept_metadata(r->cfg->loket.employer_id);
	metadata(r, "concept_employee", p);
	free(p);
}

/* Everything the diff needs, in this order: employees (with their BSN), employments (with
 * their wages, benefits and period data), concept employees, the metadata, and the payroll
 * component catalogue of every year from the start date's to last_year. */
static void read_all(struct run *r, int last_year)
{
	const lp_config *cfg = r->cfg;
	char *p;
	list_at(r, lp_le_employee_list(cfg->loket.employer_id), employee, NULL);
	list_at(r, lp_le_employment_list(cfg->loket.employer_id), employment, NULL);
	list_at(r, lp_le_concept_list(cfg->loket.employer_id), concept, NULL);
	read_metadata_all(r);
	for (int year = r->start_year; year <= last_year; year++) {
		p = lp_le_component_catalogue(cfg->loket.payroll_administration_id, year);
		list_q(r, p, 0, component, &year);
		free(p);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"base-url", required_argument, 0, 'b'},
		{"as-of", required_argument, 0, 'a'}, {"state", required_argument, 0, 's'},
		{"full", no_argument, 0, 'F'}, {"max-age", required_argument, 0, 'm'},
		{"record", required_argument, 0, 'r'}, {"replay", required_argument, 0, 'p'},
		{"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *base = NULL, *rec_dir = NULL, *rep_dir = NULL, *as_of = NULL, *state = NULL;
	int verbose = 0, full = 0, c;
	long max_age = 35;
	char *end;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'b': base = optarg; break;
		case 'a': as_of = optarg; break;
		case 's': state = optarg; break;
		case 'F': full = 1; break;
		case 'm':
			max_age = strtol(optarg, &end, 10);
			if (!*optarg || *end || max_age < 0 || max_age > 36600) {
				lp_warn("--max-age: expected a number of days (0..36600), got '%s'", optarg);
				lp_usage_exit(usage, LP_EXIT_USAGE);
			}
			break;
		case 'r': rec_dir = optarg; break;
		case 'p': rep_dir = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || optind < argc || (rec_dir && rep_dir) || (full && !state)) {
		lp_warn(!config ? "--config is required" : optind < argc ? "unexpected argument" :
			full && !state ? "--full needs --state" : "--record and --replay exclude each other");
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
	struct run r;
	memset(&r, 0, sizeof r);
	r.cfg = lp_config_load(config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	const lp_config *cfg = r.cfg;
	if (!cfg->loket.employer_id || !cfg->loket.payroll_administration_id)
		lp_die(LP_EXIT_CONFIG, "%s: loket.employer_id and loket.payroll_administration_id are required", cfg->path);
	int y, m, d, last_year;
	lp_date_ymd(cfg->compensation.start_date, &y, &m, &d);
	r.start_year = y;
	lp_date day = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	lp_date_ymd(lp_date_add_months(lp_date_month_start(day), cfg->personio.future_months), &last_year, &m, &d);
	if (last_year < r.start_year)
		last_year = r.start_year;
	r.last_year = last_year;
	r.as_of = day;
	lp_loket_get_open(&r.g, cfg, base, rec_dir, rep_dir, get_fail, &r); /* takes the client's lock unless replaying */
	r.http = r.g.http;
	r.oauth = r.g.oauth;
	int oc;
	if (state) {
		oc = fetch_with_state(&r, state, full, max_age);
	} else {
		read_all(&r, last_year);
		lp_out_new(lp_stream_end(cfg->client, "loket", 1, counts(&r), NULL));
		oc = lp_out_close();
	}
	if (verbose)
		lp_warn("%s: %lu employees, %lu employments, %lu wages, %lu benefits/deductions, %lu period data, %lu concept "
			"employees, %lu payroll components (%d-%d), %lu metadata fields, %lu HTTP requests (+%lu token)",
			cfg->client, r.counts[0], r.counts[1], r.counts[2], r.counts[3], r.counts[4], r.counts[5],
			r.counts[C_COMPONENTS], r.start_year, last_year, r.counts[C_METADATA], lp_http_requests(r.http),
			r.oauth ? lp_oauth_requests(r.oauth) : 0UL);
	if (verbose && state)
		lp_warn("%s: --state %s: employer version number %" JSON_INTEGER_FORMAT "; employees and employments %s; "
			"wages and benefits of %lu employments and the payroll period data of %lu closed periods from the snapshot",
			cfg->client, state, r.employer_version, r.reread ? "read" : "from the snapshot", r.reused_employments,
			r.reused_periods);
	audit_read(&r, oc == 0);
	lp_oauth_free(r.oauth);
	free(r.first_employee);
	free(r.first_employment);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	return oc;
}
