/* loket-employees - Loket -> the other system (H4): name, address and city of every employee,
 * and the contract data of every employment (start date, hours per week, function,
 * department), as records of what changed since the previous run.
 *
 * One read of Loket's comprehensive employment list of the employer as of --as-of
 * (lib/lp_le_comprehensive: paged, checked against totalSize, each employment once), the
 * employments of the configured payroll administration kept. With --state DIR the views of
 * the last complete run are in DIR/loket-employees.snapshot (lib/lp_snap: 0600, atomic,
 * checksummed) with the employer's version number (lib/lp_le_employer) and the first day the
 * date-dependent parts may read differently (lp_le_comprehensive_next_change): while that
 * number has not moved and --as-of lies before that day, nothing can have changed and the
 * list is not read at all (1 request). Otherwise the list is read and compared with the
 * snapshot: one record per employee and per employment that is new, changed (the fields,
 * old and new) or gone. Without a usable snapshot (none, damaged, another client's, --full)
 * every employee and employment is new. Records are written only once everything was
 * read; the snapshot is saved after them (a run killed before that repeats them next time:
 * at least once) and stream_end comes last, complete:true only when the snapshot is saved.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_csv.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_le_comprehensive.h"
#include "lp_le_employer.h"
#include "lp_mask.h"
#include "lp_loket_get.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"
#include "lp_snap.h"

#define SNAP_NAME "loket-employees.snapshot"
#define SNAP_FORMAT 1

static const char usage[] =
	"Usage: loket-employees --config FILE [OPTION]...\n"
	"Loket -> the other system (H4): name, address and city of every employee and the\n"
	"contract data of every employment of the payroll administration (start and end date,\n"
	"hours per week, function, department), as records of what is new, changed or gone\n"
	"since the previous run (loket.change.employee, loket.change.employment), then a\n"
	"stream_end record.\n"
	"\n"
	"  -c, --config FILE   client configuration (loket.base_url, employer_id,\n"
	"                      payroll_administration_id, token_file, oauth_url)\n"
	"      --as-of DATE    the reference date, YYYY-MM-DD (default: today, UTC)\n"
	"      --state DIR     keep what this run saw in DIR (0700) and write only what changed\n"
	"                      since the previous run; without it every run writes everything\n"
	"      --full          with --state: write everything as new (and save a new state)\n"
	"      --csv           write CSV instead of NDJSON (';', CRLF, UTF-8, a header row), for a\n"
	"                      person: BSNs and IBANs masked, control characters shown\n"
	"      --base-url URL  Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --record DIR    store every raw API response in DIR (0700/0600)\n"
	"      --replay DIR    answer every request from DIR instead of the network\n"
	"  -v, --verbose       report counts and HTTP requests on stderr\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 complete; 2 usage; 4 configuration or token file; 5 Loket failed or the\n"
	"data came incomplete (the stream ends with complete:false, the state is left as it\n"
	"was); 6 Loket refused the token: run loket-auth; 7 local I/O error (also: the state\n"
	"cannot be saved; the old one is kept); 8 another run for this client holds its lock.\n"
	"See loket-employees(1), loketpipe(7).\n";

enum { N_EE, N_EM, NEW_EE, CHG_EE, GONE_EE, NEW_EM, CHG_EM, GONE_EM, N__ };
static const char *const count_names[N__] = {"employees", "employments", "new_employees", "changed_employees",
					     "gone_employees", "new_employments", "changed_employments",
					     "gone_employments"};

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_oauth *oauth;
	lp_loket_get g;
	int csv;
	lp_date as_of, next_change;
	json_t *ees, *ems;   /* employee id -> view, employment id -> view (this run's) */
	unsigned long n[N__];
};

static json_t *counts(const struct run *r)
{
	return lp_stream_counts(count_names, r->n, N__);
}

/* at a failure: the read in the audit log (A1), then the OAuth client */
static void cleanup(void *ctx)
{
	struct run *r = ctx;
	lp_loket_get_audit_read(&r->g, r->cfg, r->as_of, 0, counts(r));
	r->g.oauth = NULL;
	lp_oauth_free(r->oauth);
	r->oauth = NULL;
}

static _Noreturn void vfail(struct run *r, int code, const char *fmt, va_list ap)
{
	if (!r->csv)
		lp_stream_vfail(r->cfg->client, "loket", counts(r), code, cleanup, r, fmt, ap);
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	fflush(stdout);
	cleanup(r);
	lp_die(code, "%s: %s", r->cfg->client, msg);
}

static _Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static _Noreturn void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(r, code, fmt, ap);
}

static void get_fail(void *ctx, int code, const char *msg) { fail(ctx, code, "%s", msg); }

/* ---- reading */

static void item(json_t *it, void *ctx)
{
	struct run *r = ctx;
	char err[300];
	const char *want = r->cfg->loket.payroll_administration_id;
	const char *paid = lp_json_str(lp_json_obj(it, "payrollAdministration"), "id");
	json_t *em = lp_le_comprehensive_employment(it, err, sizeof err);
	if (!em)
		fail(r, LP_EXIT_REMOTE, "GET comprehensive: %s", err);
	const char *id = lp_json_str(em, "employment_id");
	if (json_object_get(r->ems, id)) {
		json_decref(em);
		fail(r, LP_EXIT_REMOTE, "GET comprehensive: employment %s came twice (the list changed while it was read)", id);
	}
	if (want && (!paid || strcmp(paid, want))) { /* another administration's (or none) */
		json_object_set_new(r->ems, id, json_null());
		json_decref(em);
		return;
	}
	json_t *ee = lp_le_comprehensive_employee(it, err, sizeof err);
	if (!ee) {
		json_decref(em);
		fail(r, LP_EXIT_REMOTE, "GET comprehensive: employment %s: %s", id, err);
	}
	json_object_set_new(r->ems, id, em);
	const char *eid = lp_json_str(ee, "employee_id");
	if (!json_object_get(r->ees, eid))
		json_object_set(r->ees, eid, ee);
	json_decref(ee);
	lp_date nc = lp_le_comprehensive_next_change(it, r->as_of);
	if (nc < r->next_change)
		r->next_change = nc;
}

/* the employer's version number (1 request) */
static json_int_t employer_version(struct run *r)
{
	const char *er = r->cfg->loket.employer_id, *vid;
	char *p = lp_le_employer_version(er);
	json_t *vl = lp_loket_get_one(&r->g, p, NULL), *items = lp_json_arr(vl, "_embedded");
	free(p);
	json_int_t ev;
	if (!items || json_array_size(items) != 1 || !lp_le_version_item(json_array_get(items, 0), &vid, &ev) ||
	    strcmp(vid, er)) {
		json_decref(vl);
		fail(r, LP_EXIT_REMOTE, "GET lastmodifiedversionnumbers: expected the one employer's {id, lastModifiedVersionNumber}");
	}
	json_decref(vl);
	return ev;
}

/* ---- the state */

static const char *str_or(const json_t *o, const char *k) { return lp_json_str(o, k) ? lp_json_str(o, k) : ""; }

/* the usable snapshot in dir, or NULL (with a warning why, except when there is none) */
static json_t *load(struct run *r, const char *dir)
{
	json_t *j = lp_snap_load_json(dir, SNAP_NAME, r->cfg->client, "writing everything as new");
	if (!j)
		return NULL;
	const lp_config *c = r->cfg;
	lp_date d;
	const char *why = NULL;
	if (!json_is_object(j) || json_integer_value(json_object_get(j, "format")) != SNAP_FORMAT ||
	    strcmp(str_or(j, "program"), "loket-employees") || !lp_json_str(j, "as_of") ||
	    lp_date_parse(lp_json_str(j, "as_of"), &d) || !json_is_integer(json_object_get(j, "employer_version")) ||
	    !lp_json_obj(j, "employees") || !lp_json_obj(j, "employments"))
		why = "is not a state file of this version of loket-employees";
	else
		why = lp_snap_foreign(j, c);
	if (why) {
		lp_warn("%s: %s/%s %s; writing everything as new", c->client, dir, SNAP_NAME, why);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* 1 when the snapshot still says what Loket holds: the employer's number has not moved and
 * no date-dependent part can read differently on --as-of than on the snapshot's date */
static int still_true(const struct run *r, const json_t *old, json_int_t ev)
{
	lp_date d, nc = LP_LE_DATE_NEVER;
	if (json_integer_value(json_object_get(old, "employer_version")) != ev ||
	    lp_date_parse(lp_json_str(old, "as_of"), &d) || d > r->as_of)
		return 0;
	const char *s = lp_json_str(old, "next_change");
	if (s && lp_date_parse(s, &nc))
		return 0;
	return r->as_of < nc;
}

static void save(struct run *r, const char *dir, json_int_t ev)
{
	char a[16], b[16], err[700];
	json_t *ems = json_object(), *v;
	const char *k;
	json_object_foreach(r->ems, k, v) if (!json_is_null(v)) json_object_set(ems, k, v);
	json_t *snap = json_pack("{s:i,s:s,s:s,s:s,s:s?,s:s,s:I,s:s?,s:O,s:o}", "format", SNAP_FORMAT, "program",
				 "loket-employees", "client", r->cfg->client, "employer_id", r->cfg->loket.employer_id,
				 "payroll_administration_id", r->cfg->loket.payroll_administration_id, "as_of",
				 lp_date_fmt(r->as_of, a), "employer_version", ev, "next_change",
				 r->next_change == LP_LE_DATE_NEVER ? NULL : lp_date_fmt(r->next_change, b), "employees",
				 r->ees, "employments", ems);
	char *body = lp_json_dumps(snap);
	json_decref(snap);
	int rc = lp_snap_save(dir, SNAP_NAME, body, strlen(body), err, sizeof err);
	free(body);
	if (rc)
		fail(r, LP_EXIT_IO, "%s (the previous state is kept)", err);
}

/* ---- comparing and writing */

static const char *const CSV_COLS[] = {
	"record", "change", "employee_id", "employee_number", "initials", "first_name", "prefix", "last_name",
	"formatted_name", "street", "house_number", "house_number_addition", "postal_code", "city", "country",
	"employment_id", "income_number", "payroll_id", "payroll_administration_id", "start_date", "end_date",
	"hours_per_week", "full_time_hours_per_week", "function", "department_code", "department", "changed_fields"};
#define NCOLS (sizeof CSV_COLS / sizeof CSV_COLS[0])

static void out_csv(struct run *r, const char *const *f)
{
	if (lp_csv_write_row(stdout, ';', f, NCOLS))
		fail(r, LP_EXIT_IO, "%s", lp_out_error());
}

static void emit(struct run *r, int employee, const char *change, const json_t *view, json_t *changes)
{
	if (!r->csv) {
		json_t *o = json_pack("{s:s,s:s,s:s}", "type", employee ? "loket.change.employee" : "loket.change.employment",
				      "client", r->cfg->client, "change", change);
		json_object_update(o, (json_t *)view);
		json_object_set(o, "changes", changes);
		if (lp_out_new(o))
			fail(r, LP_EXIT_IO, "%s", lp_out_error());
		return;
	}
	char nums[NCOLS][24];
	char *quoted[NCOLS] = {0}, *shown[NCOLS] = {0};
	const char *f[NCOLS] = {employee ? "employee" : "employment", change};
	for (size_t i = 2; i < NCOLS - 1; i++) {
		json_t *v = json_object_get(view, CSV_COLS[i]);
		if (json_is_integer(v)) {
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)json_integer_value(v));
			f[i] = nums[i];
		} else if ((f[i] = lp_json_text(v))) {
			/* a person reads this: BSNs and IBANs masked, control characters shown (lib/lp_mask) */
			if (!(shown[i] = lp_mask_human(f[i], 0)))
				fail(r, LP_EXIT_IO, "out of memory");
			f[i] = shown[i];
			/* a text a spreadsheet would run as a formula: kept behind a quote */
			if ((quoted[i] = lp_csv_defuse(f[i])))
				f[i] = quoted[i];
		}
	}
	size_t len = 1, i;
	json_t *c;
	json_array_foreach(changes, i, c) len += strlen(lp_json_str(c, "field")) + 1;
	char *names = lp_xmalloc(len);
	names[0] = '\0';
	json_array_foreach(changes, i, c) {
		if (i)
			strcat(names, " ");
		strcat(names, lp_json_str(c, "field"));
	}
	f[NCOLS - 1] = names;
	out_csv(r, f);
	free(names);
	for (i = 0; i < NCOLS; i++) {
		free(quoted[i]);
		free(shown[i]);
	}
}

/* one record for what became of a view (old, now: NULL when absent) */
static void compare(struct run *r, int employee, const json_t *old, const json_t *now)
{
	json_t *changes = json_array();
	int cn = employee ? NEW_EE : NEW_EM;
	if (!old) {
		emit(r, employee, "new", now, changes);
		r->n[cn]++;
	} else if (!now) {
		emit(r, employee, "gone", old, changes);
		r->n[cn + 2]++;
	} else {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)now, k, v) {
			json_t *was = json_object_get(old, k);
			if (!json_equal(v, was ? was : json_null()))
				json_array_append_new(changes, json_pack("{s:s,s:O,s:O}", "field", k, "old", was ? was : json_null(), "new", v));
		}
		if (json_array_size(changes)) {
			emit(r, employee, "changed", now, changes);
			r->n[cn + 1]++;
		}
	}
	json_decref(changes);
}

struct key { long long num; const char *id; const json_t *now, *old; };

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->id, y->id);
}

static long long num_of(const json_t *v, const char *k)
{
	json_t *n = json_object_get(v, k);
	return json_is_integer(n) ? (long long)json_integer_value(n) : -1;
}

/* the union of the ids of two id -> view objects, sorted by (numk, id) */
static struct key *keys_of(const json_t *now, const json_t *old, const char *numk, size_t *n)
{
	struct key *ks = lp_xmalloc((json_object_size(now) + json_object_size(old) + 1) * sizeof *ks);
	size_t m = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)now, k, v) if (!json_is_null(v)) ks[m++] = (struct key){num_of(v, numk), k, v, json_object_get(old, k)};
	json_object_foreach((json_t *)old, k, v) {
		json_t *x = json_object_get(now, k);
		if (x && !json_is_null(x))
			continue;
		ks[m++] = (struct key){num_of(v, numk), k, NULL, v};
	}
	qsort(ks, m, sizeof *ks, key_cmp);
	*n = m;
	return ks;
}

/* per employee (by employee number): its record, then those of its employments (by income
 * number) */
static void write_changes(struct run *r, const json_t *old)
{
	const json_t *oees = lp_json_obj(old, "employees"), *oems = lp_json_obj(old, "employments");
	size_t ne, nm;
	struct key *ees = keys_of(r->ees, oees, "employee_number", &ne), *ems = keys_of(r->ems, oems, "income_number", &nm);
	json_t *by_ee = json_object(); /* employee id -> [indexes into ems] */
	for (size_t i = 0; i < nm; i++) {
		const char *e = lp_json_str(ems[i].now ? ems[i].now : ems[i].old, "employee_id");
		json_t *a = json_object_get(by_ee, e ? e : "");
		if (!a)
			json_object_set_new(by_ee, e ? e : "", a = json_array());
		json_array_append_new(a, json_integer((json_int_t)i));
	}
	for (size_t i = 0; i < ne; i++) {
		compare(r, 1, ees[i].old, ees[i].now);
		size_t k;
		json_t *x;
		json_array_foreach(json_object_get(by_ee, ees[i].id), k, x) {
			struct key *m = &ems[json_integer_value(x)];
			compare(r, 0, m->old, m->now);
		}
		json_object_del(by_ee, ees[i].id);
	}
	/* employments whose employee is in neither (a snapshot made by hand): still reported */
	const char *k;
	json_t *a;
	json_object_foreach(by_ee, k, a) {
		size_t j;
		json_t *x;
		json_array_foreach(a, j, x) {
			struct key *m = &ems[json_integer_value(x)];
			compare(r, 0, m->old, m->now);
		}
	}
	json_decref(by_ee);
	free(ees);
	free(ems);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"base-url", required_argument, 0, 'b'},
		{"as-of", required_argument, 0, 'a'}, {"state", required_argument, 0, 's'},
		{"full", no_argument, 0, 'F'}, {"csv", no_argument, 0, 'C'},
		{"record", required_argument, 0, 'r'}, {"replay", required_argument, 0, 'p'},
		{"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *base = NULL, *as_of = NULL, *state = NULL, *rec_dir = NULL, *rep_dir = NULL;
	int verbose = 0, full = 0, csv = 0, c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'b': base = optarg; break;
		case 'a': as_of = optarg; break;
		case 's': state = optarg; break;
		case 'F': full = 1; break;
		case 'C': csv = 1; break;
		case 'r': rec_dir = optarg; break;
		case 'p': rep_dir = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "--config is required");
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s'", argv[optind]);
	if (full && !state)
		lp_usage_die(usage, "--full needs --state");
	if (rec_dir && rep_dir)
		lp_usage_die(usage, "--record and --replay exclude each other");
	struct run r;
	memset(&r, 0, sizeof r);
	r.csv = csv;
	r.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	r.cfg = lp_config_load(config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	const lp_config *cfg = r.cfg;
	if (!cfg->loket.employer_id)
		lp_die(LP_EXIT_CONFIG, "%s: loket.employer_id is required", cfg->path);
	char err[700];
	if (state && lp_snap_dir(state, err, sizeof err))
		lp_die(LP_EXIT_IO, "%s", err);
	lp_loket_get_open(&r.g, cfg, base, rec_dir, rep_dir, get_fail, &r); /* takes the client's lock unless replaying */
	r.http = r.g.http;
	r.oauth = r.g.oauth;
	r.ees = json_object();
	r.ems = json_object();
	r.next_change = LP_LE_DATE_NEVER;

	json_t *old = state && !full ? load(&r, state) : NULL;
	json_int_t ev = 0;
	int reused = 0;
	if (state) /* asked before the list: a change made while it is read moves it for next time */
		ev = employer_version(&r);
	if (old && still_true(&r, old, ev)) {
		reused = 1; /* nothing can have changed: no list, no records, the state stays */
		r.n[N_EE] = json_object_size(lp_json_obj(old, "employees"));
		r.n[N_EM] = json_object_size(lp_json_obj(old, "employments"));
		if (csv)
			out_csv(&r, CSV_COLS);
	} else {
		char *p = lp_le_comprehensive_list(cfg->loket.employer_id, r.as_of);
		lp_loket_get_list(&r.g, p, LP_LE_COMPREHENSIVE_ACCEPT, 1, item, &r);
		free(p);
		r.n[N_EE] = json_object_size(r.ees);
		const char *k;
		json_t *v;
		json_object_foreach(r.ems, k, v) r.n[N_EM] += !json_is_null(v);
		if (csv)
			out_csv(&r, CSV_COLS);
		write_changes(&r, old);
		if (fflush(stdout) || ferror(stdout)) /* nothing saved for records that did not get out */
			fail(&r, LP_EXIT_IO, "%s", lp_out_error());
		if (state)
			save(&r, state, ev);
	}
	int oc;
	if (csv)
		oc = fflush(stdout) || ferror(stdout) ? (lp_warn("%s", lp_out_error()), LP_EXIT_IO) : 0;
	else {
		lp_out_new(lp_stream_end(cfg->client, "loket", 1, counts(&r), NULL));
		oc = lp_out_close();
	}
	lp_loket_get_audit_read(&r.g, cfg, r.as_of, oc == 0, counts(&r));
	if (verbose)
		lp_warn("%s: %lu employees, %lu employments; new/changed/gone: employees %lu/%lu/%lu, employments %lu/%lu/%lu;%s "
			"%lu HTTP requests (+%lu token)",
			cfg->client, r.n[N_EE], r.n[N_EM], r.n[NEW_EE], r.n[CHG_EE], r.n[GONE_EE], r.n[NEW_EM], r.n[CHG_EM],
			r.n[GONE_EM], reused ? " nothing changed since the state (employer version number and dates);" : "",
			lp_http_requests(r.http), r.oauth ? lp_oauth_requests(r.oauth) : 0UL);
	json_decref(old);
	json_decref(r.ees);
	json_decref(r.ems);
	lp_oauth_free(r.oauth);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	return oc;
}
