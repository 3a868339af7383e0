/* fetch-loket - read what one Loket payroll administration holds, as NDJSON.
 *
 * Writes loket.current.* records: employees (with their BSN, which Loket serves apart),
 * employments of the configured payroll administration, and per employment its wages,
 * benefits and deductions and payroll period data (from the compensation start date's year
 * on), plus the concept employees. Lists are read with pageNumber/pageSize to the end and
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
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"
#include "lp_record.h"

static const char usage[] =
	"Usage: fetch-loket --config FILE [OPTION]...\n"
	"Read what one Loket payroll administration holds; write loket.current.* records and a\n"
	"stream_end record to standard output.\n"
	"\n"
	"  -c, --config FILE   client configuration (loket.base_url, employer_id,\n"
	"                      payroll_administration_id, token_file, oauth_url)\n"
	"      --base-url URL  Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --record DIR    store every raw API response in DIR (0700/0600)\n"
	"      --replay DIR    answer every request from DIR instead of the network\n"
	"  -v, --verbose       report counts and HTTP requests on stderr\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Client credentials: loket.credentials_file (0600), else LOKET_CLIENT_ID and\n"
	"LOKET_CLIENT_SECRET. The refresh token lives in loket.token_file (see loket-auth(1)).\n"
	"\n"
	"Exit status: 0 complete; 2 usage; 4 configuration or token file; 5 Loket failed or the\n"
	"data came incomplete (the stream ends with complete:false); 6 Loket refused the token:\n"
	"run loket-auth; 7 local I/O error; 8 another run for this client holds its lock.\n"
	"See loketpipe(7).\n";

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_oauth *oauth;
	int start_year, refreshed;
	unsigned long counts[6];
};

enum { C_EMPLOYEES, C_EMPLOYMENTS, C_WAGES, C_BENEFITS, C_PERIODDATA, C_CONCEPTS };
static const char *const count_names[] = {"employees", "employments", "wages", "benefits_deductions",
					   "payroll_period_data", "concept_employees"};

static json_t *counts(const struct run *r)
{
	json_t *o = json_object();
	for (int i = 0; i < 6; i++)
		json_object_set_new(o, count_names[i], json_integer((json_int_t)r->counts[i]));
	return o;
}

static _Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct run *r, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lp_stream_abort(r->cfg->client, "loket", counts(r), msg);
	lp_oauth_free(r->oauth);
	exit(code);
}

static void out(json_t *rec)
{
	if (lp_out_new(rec))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

/* GET one page; returns the parsed answer (an object). */
static json_t *get(struct run *r, const char *target)
{
	char pbuf[256], auth[600], err[700];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	const char *h[4] = {"Accept: application/json;version=2018-01-01", NULL, NULL, NULL};
	if (r->oauth) {
		int code;
		const char *tok = lp_oauth_access_token(r->oauth, &code, err, sizeof err);
		if (!tok)
			fail(r, code, "%s", err);
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
		h[1] = auth;
	}
	lp_http_resp resp;
	if (lp_http_request(r->http, "GET", target, h, NULL, 0, 0, &resp))
		fail(r, LP_EXIT_REMOTE, "%s", lp_http_error(r->http));
	if (resp.status == 401 && r->oauth && !r->refreshed) {
		/* the saved access token was refused (revoked): refresh once and ask again */
		lp_http_resp_free(&resp);
		int code;
		r->refreshed = 1;
		if (!lp_oauth_refresh(r->oauth, &code, err, sizeof err))
			fail(r, code, "%s", err);
		return get(r, target);
	}
	if (resp.status != 200) {
		long st = resp.status;
		lp_http_resp_free(&resp);
		fail(r, st == 401 || st == 403 ? LP_EXIT_AUTH : LP_EXIT_REMOTE, "GET %s: HTTP %ld", path, st);
	}
	json_t *j = lp_json_loadb(resp.body, resp.len, NULL);
	lp_http_resp_free(&resp);
	if (!json_is_object(j))
		fail(r, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object", path);
	return j;
}

/* Every item of a paged list, checked against totalSize; fn is called per item. */
static void list(struct run *r, const char *path, void (*fn)(struct run *, json_t *, void *), void *ctx)
{
	long got = 0, total = -1;
	for (long page = 1;; page++) {
		char *t = lp_xasprintf("%s%spageNumber=%ld&pageSize=250", path, strchr(path, '?') ? "&" : "?", page);
		json_t *j = get(r, t);
		free(t);
		json_t *items = lp_json_arr(j, "_embedded");
		json_t *ts = json_object_get(j, "totalSize");
		if (!items || !json_is_integer(ts))
			fail(r, LP_EXIT_REMOTE, "GET %s: the answer has the wrong shape (expected _embedded[] and totalSize)", path);
		if (total < 0)
			total = (long)json_integer_value(ts);
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it) fn(r, it, ctx);
		got += (long)json_array_size(items);
		size_t n = json_array_size(items);
		json_decref(j);
		if (got >= total)
			break;
		if (n == 0)
			fail(r, LP_EXIT_REMOTE, "GET %s: received %ld of %ld items; the list is incomplete", path, got, total);
	}
	if (got != total)
		fail(r, LP_EXIT_REMOTE, "GET %s: received %ld items, Loket announced %ld", path, got, total);
}

static json_t *rec(struct run *r, const char *type)
{
	return json_pack("{s:s,s:s}", "type", type, "client", r->cfg->client);
}

/* Loket sends amounts as JSON numbers: keep the exact digits as a decimal string. */
static json_t *money(struct run *r, const json_t *v, const char *what)
{
	lp_cents c;
	char b[32];
	if (lp_money_from_json(v, &c) != LP_DEC_OK)
		fail(r, LP_EXIT_REMOTE, "%s: not an amount with at most two decimals", what);
	return json_string(lp_money_fmt(c, b));
}

static json_t *copy(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return v ? json_deep_copy(v) : json_null();
}

static void employee(struct run *r, json_t *e, void *ctx)
{
	(void)ctx;
	const char *id = lp_json_str(e, "id");
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employee without id");
	char *t = lp_xasprintf("/providers/employers/employees/%s/citizenservicenumber", id);
	json_t *b = get(r, t);
	free(t);
	json_t *content = lp_json_obj(b, "content");
	json_t *o = rec(r, "loket.current.employee");
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "employee_number", copy(e, "employeeNumber"));
	/* the whole resource (a PUT sends it back with the mapped fields changed) */
	json_t *emp = json_deep_copy(e);
	json_object_del(emp, "id");
	static const char *const need[] = {"personalDetails", "address", "contactInformation"};
	for (int i = 0; i < 3; i++)
		if (!json_object_get(emp, need[i]))
			json_object_set_new(emp, need[i], json_null());
	json_object_set_new(o, "employee", emp);
	json_object_set_new(o, "citizen_service_number", content ? copy(content, "citizenServiceNumber") : json_null());
	json_decref(b);
	r->counts[C_EMPLOYEES]++;
	out(o);
}

static void wage(struct run *r, json_t *w, void *ctx)
{
	json_t *o = rec(r, "loket.current.wage");
	json_object_set_new(o, "id", copy(w, "id"));
	json_object_set_new(o, "employment_id", json_string(ctx));
	json_object_set_new(o, "start_date", copy(w, "startDate"));
	json_object_set_new(o, "end_date", copy(w, "endDate"));
	json_object_set_new(o, "gross_wage", money(r, json_object_get(w, "grossWage"), "wage grossWage"));
	json_t *gt = lp_json_obj(w, "grossWageType");
	json_object_set_new(o, "gross_wage_type", json_pack("{s:O}", "key", gt ? json_object_get(gt, "key") : json_null()));
	json_t *ap = json_object_get(w, "applyPayGrade");
	json_object_set_new(o, "apply_pay_grade", json_is_boolean(ap) ? json_deep_copy(ap) : json_null());
	static const char *const pk[][2] = {{"payScale", "pay_scale"}, {"payGrade", "pay_grade"}};
	for (int i = 0; i < 2; i++) {
		json_t *k = json_object_get(lp_json_obj(w, pk[i][0]), "key");
		json_object_set_new(o, pk[i][1], json_is_integer(k) ? json_deep_copy(k) : json_null());
	}
	r->counts[C_WAGES]++;
	out(o);
}

static void benefit(struct run *r, json_t *b, void *ctx)
{
	json_t *pc = lp_json_obj(b, "payrollComponent");
	json_t *o = rec(r, "loket.current.benefit_deduction");
	json_object_set_new(o, "id", copy(b, "id"));
	json_object_set_new(o, "employment_id", json_string(ctx));
	json_object_set_new(o, "payroll_component_key", pc ? copy(pc, "key") : json_null());
	json_object_set_new(o, "value", money(r, json_object_get(b, "value"), "benefit value"));
	json_object_set_new(o, "start_date", copy(b, "startDate"));
	json_object_set_new(o, "end_date", copy(b, "endDate"));
	r->counts[C_BENEFITS]++;
	out(o);
}

static void perioddata(struct run *r, json_t *d, void *ctx)
{
	json_t *pp = lp_json_obj(d, "payrollPeriod");
	json_t *y = pp ? json_object_get(pp, "year") : NULL;
	if (json_is_integer(y) && json_integer_value(y) < r->start_year)
		return; /* before the compensation start date's year: never touched, not needed */
	json_t *comps = lp_json_arr(d, "payrollComponents");
	size_t i;
	json_t *c;
	json_array_foreach(comps, i, c) {
		json_t *pc = lp_json_obj(c, "payrollComponent");
		json_t *o = rec(r, "loket.current.variable_input");
		json_object_set_new(o, "id", copy(d, "id"));
		json_object_set_new(o, "employment_id", json_string(ctx));
		json_object_set_new(o, "year", y ? json_deep_copy(y) : json_null());
		json_object_set_new(o, "period", pp ? copy(pp, "periodNumber") : json_null());
		json_object_set_new(o, "payroll_component_key", pc ? copy(pc, "key") : json_null());
		json_object_set_new(o, "value", money(r, json_object_get(c, "value"), "payroll period data value"));
		json_object_set_new(o, "is_supplement", json_boolean(json_is_true(json_object_get(c, "isSupplement"))));
		/* the upsert key of payroll period data, besides the period itself */
		json_t *key = json_object();
		static const char *const kf[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
		for (int f = 0; f < 5; f++)
			json_object_set_new(key, kf[f], copy(d, kf[f]));
		json_object_set_new(o, "key", key);
		r->counts[C_PERIODDATA]++;
		out(o);
	}
}

static void employment(struct run *r, json_t *e, void *ctx)
{
	(void)ctx;
	json_t *pa = lp_json_obj(e, "payrollAdministration");
	const char *paid = pa ? lp_json_str(pa, "id") : NULL;
	if (!paid || strcmp(paid, r->cfg->loket.payroll_administration_id))
		return; /* another administration of the same employer */
	const char *id = lp_json_str(e, "id");
	json_t *ee = lp_json_obj(e, "employee");
	json_t *o = rec(r, "loket.current.employment");
	json_object_set_new(o, "id", copy(e, "id"));
	json_object_set_new(o, "employee_id", ee ? copy(ee, "id") : json_null());
	json_object_set_new(o, "employee_number", ee ? copy(ee, "employeeNumber") : json_null());
	json_object_set_new(o, "income_number", copy(e, "incomeRelationshipNumber"));
	json_object_set_new(o, "start_date", copy(e, "startDate"));
	json_object_set_new(o, "end_date", copy(e, "endDate"));
	json_object_set_new(o, "payroll_administration_id", json_string(paid));
	r->counts[C_EMPLOYMENTS]++;
	out(o);
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employment without id");
	static const char *const sub[] = {"wages", "benefitsanddeductions", "payrollperioddata"};
	void (*fns[])(struct run *, json_t *, void *) = {wage, benefit, perioddata};
	for (int i = 0; i < 3; i++) {
		char *p = lp_xasprintf("/providers/employers/employees/employments/%s/%s", id, sub[i]);
		list(r, p, fns[i], (void *)id);
		free(p);
	}
}

static void concept(struct run *r, json_t *c, void *ctx)
{
	(void)ctx;
	json_t *ed = lp_json_obj(c, "employeeData");
	json_t *o = rec(r, "loket.current.concept_employee");
	json_object_set_new(o, "id", copy(c, "id"));
	json_object_set_new(o, "employee_number", ed ? copy(ed, "employeeNumber") : json_null());
	json_object_set_new(o, "unique_name", copy(c, "uniqueName"));
	r->counts[C_CONCEPTS]++;
	out(o);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"base-url", required_argument, 0, 'b'},
		{"record", required_argument, 0, 'r'}, {"replay", required_argument, 0, 'p'},
		{"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *base = NULL, *rec_dir = NULL, *rep_dir = NULL;
	int verbose = 0, c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'b': base = optarg; break;
		case 'r': rec_dir = optarg; break;
		case 'p': rep_dir = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || optind < argc || (rec_dir && rep_dir)) {
		lp_warn(!config ? "--config is required" : optind < argc ? "unexpected argument" :
			"--record and --replay exclude each other");
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
	int y, m, d;
	lp_date_ymd(cfg->compensation.start_date, &y, &m, &d);
	r.start_year = y;
	lp_http_opts ho = {0};
	ho.base_url = base ? base : cfg->loket.base_url ? cfg->loket.base_url : "https://api.loket.nl/v2";
	ho.record_dir = rec_dir;
	ho.replay_dir = rep_dir;
	char err[700];
	r.http = lp_http_new(&ho, err, sizeof err);
	if (!r.http)
		lp_die(LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
	if (!rep_dir) {
		r.oauth = lp_oauth_for_config(cfg);
	}
	char *p = lp_xasprintf("/providers/employers/%s/employees", cfg->loket.employer_id);
	list(&r, p, employee, NULL);
	free(p);
	p = lp_xasprintf("/providers/employers/%s/employees/employments", cfg->loket.employer_id);
	list(&r, p, employment, NULL);
	free(p);
	p = lp_xasprintf("/providers/employers/%s/conceptemployees", cfg->loket.employer_id);
	list(&r, p, concept, NULL);
	free(p);
	lp_out_new(lp_stream_end(cfg->client, "loket", 1, counts(&r), NULL));
	int oc = lp_out_close();
	if (verbose)
		lp_warn("%s: %lu employees, %lu employments, %lu wages, %lu benefits/deductions, %lu period data, %lu concept "
			"employees, %lu HTTP requests (+%lu token)", cfg->client, r.counts[0], r.counts[1], r.counts[2],
			r.counts[3], r.counts[4], r.counts[5], lp_http_requests(r.http),
			r.oauth ? lp_oauth_requests(r.oauth) : 0UL);
	lp_oauth_free(r.oauth);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	return oc;
}
