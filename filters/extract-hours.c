/* extract-hours - one client's Personio attendances for a date range -> `hours` records (H5).
 *
 * The employees are read once (GET /v1/company/employees, paged as extract-personio pages
 * it) for their Employee number (Loket) and legal entity; then GET /v1/company/attendances
 * with start_date and end_date (both inclusive; the spec's required parameters), limit and
 * an element offset, checked against metadata.total_elements as the spec's
 * AttendancePeriodsResponse gives it. Each attendance of an employee of the configured
 * legal entity becomes one `hours` record: worked time = end_time - start_time - break
 * (minutes), in hundredths of an hour rounded half up (20 minutes = 0.33), the hour code
 * the attendance's project name (hours.code_from "project") or hours.default_code. What
 * cannot be read becomes an `issue` record, never a guess. The session (credentials,
 * tokens, rate limits, paging) is lib/lp_psession; the last record is stream_end, complete
 * only when every page came.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_hours_src.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_personio.h"
#include "lp_psession.h"

static const char usage[] =
	"Usage: extract-hours -c CONFIG --from DATE --to DATE [OPTION]...\n"
	"Read one client's Personio attendances from DATE to DATE (both included) and write one\n"
	"NDJSON `hours` record per attendance (worked time = end - start - break), issue records\n"
	"for what cannot be read, and a last stream_end record to standard output.\n"
	"\n"
	"  -c, --config FILE   client configuration (schemas/client-config.schema.json); hours.code_from\n"
	"                      \"project\" (default: the project's name, else hours.default_code) or \"none\"\n"
	"      --from DATE     first day, YYYY-MM-DD\n"
	"      --to DATE       last day, YYYY-MM-DD (not before --from)\n"
	"      --only ID       only the employee with this Personio id or Employee number (Loket)\n"
	"      --base-url URL  Personio API base URL (default: config, else https://api.personio.de)\n"
	"      --record DIR    store every raw API response in DIR (mode 0700/0600)\n"
	"      --replay DIR    answer every request from DIR instead of the network\n"
	"  -v, --verbose       report counts and the number of HTTP requests on stderr\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Credentials, token cache and rate limits as for extract-personio(1): personio.credentials_file\n"
	"or PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET, never on the command line.\n"
	"Hours are exact hundredths: minutes / 60 rounded half up to the hundredth (20 min = 0.33).\n"
	"\n"
	"Exit status: 0 complete; 1 complete, with error issues (an attendance left out); 2 usage;\n"
	"3 --only names no employee; 4 configuration or credentials; 5 Personio failed or answered\n"
	"nonsense (the stream is marked incomplete); 6 Personio refused the credentials; 7 local\n"
	"I/O error. See loketpipe(7).\n";

struct emp {
	char *empno;  /* Employee number (Loket) as Personio has it, or NULL */
	int in_scope; /* of the configured legal entity */
};

struct run {
	lp_config *cfg;
	lp_psession ps;
	lp_date from, to;
	const char *only;
	char *only_pid;
	int verbose;
	lp_map *emps;   /* Personio id -> struct emp */
	lp_map *seen;   /* attendance ids */
	unsigned long employees, attendances, hours, other_entity, issues, errors;
};

static json_t *counts(const struct run *r)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I}", "employees", (json_int_t)r->employees, "attendances",
			 (json_int_t)r->attendances, "hours", (json_int_t)r->hours, "other_legal_entity",
			 (json_int_t)r->other_entity, "issues", (json_int_t)r->issues);
}

static void free_emp(void *p)
{
	struct emp *e = p;
	if (e)
		free(e->empno);
	free(e);
}

static void fail_hook(void *ctx, int code, const char *msg)
{
	struct run *r = ctx;
	lp_stream_abort(r->cfg->client, "personio", counts(r), msg);
	lp_psession_wipe(&r->ps);
	exit(code);
}

static void out(json_t *rec)
{
	if (lp_out_new(rec))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

/* ---- employees --------------------------------------------------------------------- */

static void one_employee(void *ctx, json_t *item, long offset, size_t i)
{
	struct run *r = ctx;
	char idb[64], src[96];
	const char *pid = json_is_object(item) ? lp_personio_employee_id(item, idb, sizeof idb) : NULL;
	if (!pid)
		lp_psession_failf(&r->ps, LP_EXIT_REMOTE,
				  "GET /v1/company/employees: item %zu has no attributes.id (employees offset %ld)", i, offset);
	snprintf(src, sizeof src, "GET /v1/company/employees offset %ld item %zu", offset, i);
	json_t *discard = json_array(); /* the person's own findings are validate's and extract-personio's */
	json_t *p = lp_personio_person(r->cfg, item, src, discard);
	json_decref(discard);
	struct emp *e = lp_xmalloc(sizeof *e);
	const char *en = lp_json_str(p, "employee_number"), *le = lp_json_str(p, "legal_entity_id");
	e->empno = en ? lp_xstrdup(en) : NULL;
	e->in_scope = !r->cfg->attr[LP_A_LEGAL_ENTITY] || (le && !strcmp(le, r->cfg->personio.legal_entity_id));
	if (r->only && !r->only_pid && (!strcmp(pid, r->only) || (en && !strcmp(en, r->only))))
		r->only_pid = lp_xstrdup(pid);
	if (lp_map_put(r->emps, pid, e))
		lp_psession_failf(&r->ps, LP_EXIT_REMOTE,
				  "GET /v1/company/employees: employee %s was returned twice; the paging is not what "
				  "Personio documents (employees offset %ld)", pid, offset);
	json_decref(p);
	r->employees++;
}

/* ---- attendances ------------------------------------------------------------------- */

struct att {
	struct run *r;
	const char *id, *pid, *empno;
	char src[256];
};

/* an issue about one attendance; severity error unless warn */
static void att_issue(struct att *a, int warn, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void att_issue(struct att *a, int warn, const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *i = lp_vissuef(a->r->cfg->client, warn ? "warning" : "error", "H5", a->pid, a->empno, field, hint, fmt, ap);
	va_end(ap);
	lp_issue_source(i, a->src);
	out(i);
	a->r->issues++;
	if (!warn)
		a->r->errors++;
}

/* "HH:MM" -> minutes; max_h 23 for a start, 24 for an end (24:00 only) */
static int parse_time(const json_t *v, int max_h, int *min)
{
	const char *s = json_string_value(v);
	if (!s || strlen(s) != 5 || s[2] != ':' || strspn(s, "0123456789:") != 5)
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > max_h || m > 59 || (h == 24 && m))
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* text of an id (integer or string) into buf, or NULL */
static const char *id_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_integer(v)) {
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_string(v) && *json_string_value(v) && strlen(json_string_value(v)) < n) {
		snprintf(buf, n, "%s", json_string_value(v));
		return buf;
	}
	return NULL;
}

static void one_attendance(void *ctx, json_t *item, long offset, size_t i)
{
	struct run *r = ctx;
	char idb[64], pidb[64], b[48];
	struct att a = {r, NULL, NULL, NULL, ""};
	json_t *at = json_is_object(item) ? lp_json_obj(item, "attributes") : NULL;
	a.id = json_is_object(item) ? id_text(json_object_get(item, "id"), idb, sizeof idb) : NULL;
	if (!a.id || !at)
		lp_psession_failf(&r->ps, LP_EXIT_REMOTE,
				  "GET /v1/company/attendances: item %zu has no id or attributes (attendances offset %ld)", i,
				  offset);
	if (!lp_map_add(r->seen, a.id))
		lp_psession_failf(&r->ps, LP_EXIT_REMOTE,
				  "GET /v1/company/attendances: attendance %s was returned twice; the paging is not what "
				  "Personio documents (attendances offset %ld)", a.id, offset);
	r->attendances++;
	snprintf(a.src, sizeof a.src, "GET /v1/company/attendances offset %ld item %zu (attendance %s)", offset, i, a.id);

	a.pid = id_text(json_object_get(at, "employee"), pidb, sizeof pidb);
	struct emp *e = NULL;
	if (!a.pid) {
		att_issue(&a, 0, "employee", "check the attendance in Personio", "attendance %s: no employee id", a.id);
		return;
	}
	if (r->only_pid && strcmp(a.pid, r->only_pid))
		return; /* --only: Personio was asked for one employee */
	if (!lp_map_get(r->emps, a.pid, (void **)&e)) {
		att_issue(&a, 0, "employee",
			  "give the API credential access to every employee (Personio: Settings > Integrations > API "
			  "credentials)", "attendance %s: employee %s is not in Personio's employee list", a.id, a.pid);
		return;
	}
	if (!e->in_scope) {
		r->other_entity++;
		return; /* another legal entity: not this client's payroll */
	}
	a.empno = e->empno;
	const char *st = lp_json_str(at, "status");
	if (st && strcmp(st, "confirmed")) {
		att_issue(&a, 1, "status", "approve or correct the attendance in Personio",
			  "attendance %s on %s: status %s, not confirmed; left out", a.id,
			  lp_hours_show(lp_json_str(at, "date"), b), lp_hours_show(st, (char[48]){0}));
		return;
	}
	long long en;
	if (!e->empno) {
		att_issue(&a, 0, lp_attr_names[LP_A_EMPLOYEE_NUMBER],
			  "enter the Employee number (Loket) in Personio", "attendance %s: the employee has no employee number "
			  "(Loket); the hours are left out", a.id);
		return;
	}
	if (lp_hours_employee_number(e->empno, &en)) {
		att_issue(&a, 0, lp_attr_names[LP_A_EMPLOYEE_NUMBER], "the employee number (Loket) is a whole number",
			  "attendance %s: employee number '%s' is not a whole number; the hours are left out", a.id,
			  lp_hours_show(e->empno, b));
		return;
	}
	lp_date d;
	const char *ds = lp_json_str(at, "date");
	if (!ds || lp_date_parse(ds, &d)) {
		att_issue(&a, 0, "date", NULL, "attendance %s: '%s' is not a date (YYYY-MM-DD)", a.id, lp_hours_show(ds, b));
		return;
	}
	if (d < r->from || d > r->to) {
		att_issue(&a, 0, "date", "Personio answered outside the range asked for; run it again",
			  "attendance %s: date %s is outside --from..--to", a.id, ds);
		return;
	}
	int start, end;
	json_t *ev = json_object_get(at, "end_time");
	if (parse_time(json_object_get(at, "start_time"), 23, &start)) {
		att_issue(&a, 0, "start_time", NULL, "attendance %s on %s: start_time is not HH:MM", a.id, ds);
		return;
	}
	if (!ev || json_is_null(ev)) {
		att_issue(&a, 0, "end_time", "complete the attendance in Personio",
			  "attendance %s on %s: no end_time (the period is still open); left out", a.id, ds);
		return;
	}
	if (parse_time(ev, 24, &end)) {
		att_issue(&a, 0, "end_time", NULL, "attendance %s on %s: end_time is not HH:MM", a.id, ds);
		return;
	}
	json_t *bv = json_object_get(at, "break");
	long long brk = 0;
	if (bv && !json_is_null(bv)) {
		if (!json_is_integer(bv) || json_integer_value(bv) < 0 || json_integer_value(bv) > 1440) {
			att_issue(&a, 0, "break", NULL, "attendance %s on %s: break is not a whole number of minutes", a.id, ds);
			return;
		}
		brk = (long long)json_integer_value(bv);
	}
	if (end < start) {
		att_issue(&a, 0, "end_time", "split a period over midnight into one attendance per day",
			  "attendance %s on %s: it ends (%s) before it starts (%s)", a.id, ds,
			  lp_hours_show(json_string_value(ev), b), json_string_value(json_object_get(at, "start_time")));
		return;
	}
	long long worked = end - start - brk;
	if (worked < 0) {
		att_issue(&a, 0, "break", "correct the break in Personio",
			  "attendance %s on %s: the break (%lld min) is longer than the period (%d min)", a.id, ds, brk,
			  end - start);
		return;
	}
	const char *code = NULL;
	char cb[128];
	json_t *proj = json_object_get(at, "project");
	if (!strcmp(r->cfg->hours.code_from, "project") && json_is_object(proj)) {
		const char *nm = lp_json_str(lp_json_obj(proj, "attributes"), "name");
		if (nm && strlen(nm) < sizeof cb) {
			snprintf(cb, sizeof cb, "%s", nm);
			char *s = cb;
			while (*s == ' ')
				s++;
			size_t n = strlen(s);
			while (n && s[n - 1] == ' ')
				s[--n] = '\0';
			code = s;
		}
		if (!code || !lp_hours_code_ok(code)) {
			att_issue(&a, 0, "project", "name the Personio project 1-64 of A-Z a-z 0-9 _ - . (it is the hour code)",
				  "attendance %s on %s: project name '%s' is not an hour code (1-64 of A-Z a-z 0-9 _ - .)", a.id,
				  ds, lp_hours_show(nm, b));
			return;
		}
	}
	if (!code)
		code = r->cfg->hours.default_code;
	if (!code) {
		att_issue(&a, 0, "project", "set hours.default_code in the client configuration",
			  "attendance %s on %s: no project and no hours.default_code: no hour code", a.id, ds);
		return;
	}
	if (!lp_hours_code_ok(code)) {
		att_issue(&a, 0, "project", "hours.default_code must be 1-64 of A-Z a-z 0-9 _ - .",
			  "hours.default_code '%s' is not an hour code", lp_hours_show(code, b));
		return;
	}
	int64_t h = lp_div_round(worked * 100, 60); /* half up: worked >= 0 */
	out(lp_hours_record(r->cfg->client, en, a.pid, d, code, h, -1,
			    json_pack("{s:s,s:s}", "kind", "personio-attendance", "id", a.id)));
	r->hours++;
}

/* ---- the run ----------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"from", required_argument, 0, 'f'},
		{"to", required_argument, 0, 't'}, {"only", required_argument, 0, 'o'},
		{"base-url", required_argument, 0, 'b'}, {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'p'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *from = NULL, *to = NULL, *base = NULL, *rec = NULL, *rep = NULL;
	struct run r;
	memset(&r, 0, sizeof r);
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': r.only = optarg; break;
		case 'b': base = optarg; break;
		case 'r': rec = optarg; break;
		case 'p': rep = optarg; break;
		case 'v': r.verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s' (credentials are never taken from the command line)",
			     argv[optind]);
	if (!config)
		lp_usage_die(usage, "--config is required");
	if (!from || !to)
		lp_usage_die(usage, "--from and --to are required");
	if (rec && rep)
		lp_usage_die(usage, "--record and --replay exclude each other");
	r.from = lp_date_opt("--from", from);
	r.to = lp_date_opt("--to", to);
	if (r.to < r.from)
		lp_usage_die(usage, "--to %s is before --from %s", to, from);
	r.cfg = lp_config_load(config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	r.emps = lp_map_new();
	r.seen = lp_map_new();

	lp_psession_init(&r.ps, r.cfg, base, rec, rep, fail_hook, &r);
	lp_psession_v1_auth(&r.ps);
	lp_psession_v1_list(&r.ps, "/v1/company/employees", r.cfg->personio.page_size, "employees", one_employee, &r);
	if (r.only && !r.only_pid)
		lp_psession_failf(&r.ps, LP_EXIT_DATA, "--only %s: no employee has this Personio id or Employee number (Loket)",
				  r.only);
	char f[11], t[11];
	char *pid = r.only_pid ? lp_http_escape(r.only_pid) : NULL;
	char *target = lp_xasprintf("/v1/company/attendances?start_date=%s&end_date=%s%s%s", lp_date_fmt(r.from, f),
				    lp_date_fmt(r.to, t), pid ? "&employees%5B%5D=" : "", pid ? pid : "");
	free(pid);
	lp_psession_v1_list(&r.ps, target, r.cfg->personio.page_size, "attendances", one_attendance, &r);
	free(target);

	out(lp_stream_end(r.cfg->client, "personio", 1, counts(&r), NULL));
	int o = lp_out_close();
	if (r.verbose)
		lp_warn("%s: %lu employees, %lu attendances, %lu hours records, %lu of another legal entity, %lu issues "
			"(%lu errors), %lu HTTP requests (%lu waited %llu ms for the rate limits)", r.cfg->client, r.employees,
			r.attendances, r.hours, r.other_entity, r.issues, r.errors, lp_http_requests(r.ps.http),
			r.ps.rate ? lp_rate_waits(r.ps.rate) : 0UL,
			r.ps.rate ? (unsigned long long)lp_rate_waited_ms(r.ps.rate) : 0ULL);
	lp_psession_free(&r.ps);
	lp_map_free(r.emps, free_emp);
	lp_map_free(r.seen, NULL);
	free(r.only_pid);
	lp_config_free(r.cfg);
	if (o)
		return o;
	return r.errors ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
