/* hours-to-collective-mutations - hours records -> the CSV Loket imports under Werkgever ->
 * Collectieve mutaties -> Importeren -> Variabele gegevens (rules H1-H3).
 *
 * Reads fetch-loket's output (--current: employments with their payrollId, the
 * administration's client number, the component catalogue) whole, then streams the hours
 * records: each is checked, mapped (hour code -> component number, H1; employee number ->
 * the one employment on its date -> payrollId, H2) and summed into its cell (employment x
 * distribution unit x component). Only the cells are held. At the end the employees with an
 * error, a claim by another client of the account, or hours.do_not_import are left out and the
 * others are written: header aanslnr;persnr;ploeg;[verdelingseenheid;]COMPONENT..., CRLF.
 * Findings are issue records (--report) and lines on stderr. The layout's one home is
 * lib/lp_hours_csv.h.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcm.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_hours_src.h"
#include "lp_json.h"
#include "lp_le_ppd.h"

static const char usage[] =
	"Usage: hours-to-collective-mutations -c CONFIG --current FILE --year YYYY --from DATE --to DATE\n"
	"                                     [--account-config CONFIG]... [--report FILE] [--plan] [FILE]...\n"
	"Hours records (type hours) -> the CSV file Loket imports under Werkgever -> Collectieve\n"
	"mutaties -> Importeren -> Variabele gegevens, on standard output: aanslnr;persnr;ploeg;\n"
	"(with hours.distribution_unit: verdelingseenheid;) then the Loket payroll component\n"
	"numbers hours.codes maps to; one row per employment (and distribution unit), the hours\n"
	"of the date range summed per component, decimal comma, CRLF, ASCII.\n"
	"\n"
	"  -c, --config FILE          the client whose hours these are (hours.codes,\n"
	"                             do_not_import, distribution_unit, shift; loket.client_number)\n"
	"      --current FILE         fetch-loket's output for that client: employments (payrollId,\n"
	"                             dates), the client number, the component catalogue\n"
	"      --year YYYY            the payroll year of the file (the import dialog's year)\n"
	"      --from DATE, --to DATE the date range (YYYY-MM-DD, in the year): hours dated\n"
	"                             outside it are errors\n"
	"      --account-config FILE  another integration of the same account (repeatable): an\n"
	"                             employee number its hours or do_not_import claim too is an\n"
	"                             error (H2); its hours records in the input are only checked\n"
	"      --report FILE          write every finding as an issue record and a summary record\n"
	"                             (type hours.export) to FILE, NDJSON\n"
	"      --plan                 write, instead of the CSV, the plan push-loket executes (H5):\n"
	"                             per employment one PATCH upsert of its payroll period data in\n"
	"                             the period of the range (which must lie in one period) with\n"
	"                             the components that differ from the current state's\n"
	"                             variable input, null for a value the hours no longer give\n"
	"  -h, --help                 show this help and exit\n"
	"  -V, --version              show the version and exit\n"
	"\n"
	"FILE is NDJSON of hours records ('-' or none: standard input, .gz read transparently).\n"
	"Import the file in Loket: year YYYY, the same date range, file type CSV, action\n"
	"Overwrite, distribution unit Yes (when the file has the column, else No). Overwrite\n"
	"replaces the period's values of these components for the employments in the file.\n"
	"\n"
	"Exit status: 0 written; 1 written without the employees named on stderr (errors in\n"
	"their hours); 2 usage; 3 bad input that stops everything (not NDJSON, a record without\n"
	"client or employee number, an incomplete hours stream, a current state that is not\n"
	"complete or not the client's): nothing written; 4 configuration; 7 I/O.\n"
	"See loketpipe(7).\n";

const char *keep(struct run *r, const char *s)
{
	if (!s)
		return NULL;
	char *d = lp_xstrdup(s);
	*LP_VEC_PUSH(&r->strs) = d;
	return d;
}

void finding(struct run *r, const char *severity, const char *rule, struct employee *e, long long number, const char *field,
	     const char *source, const char *hint, const char *fmt, ...)
{
	char msg[1024], num[24], who[48] = "", src[4600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lp_utf8_fix(msg);
	if (source) { /* the input's values are valid UTF-8: only a cut can break a character */
		snprintf(src, sizeof src, "%s", source);
		source = lp_utf8_fix(src);
	}
	if (e)
		number = e->number;
	if (number >= 0) {
		snprintf(num, sizeof num, "%lld", number);
		snprintf(who, sizeof who, "employee %lld: ", number);
	}
	if (!strcmp(severity, "error")) {
		r->errors++;
		if (e)
			e->errors++;
	} else if (!strcmp(severity, "warning"))
		r->warnings++;
	else
		r->infos++;
	if (strcmp(severity, "info"))
		lp_warn("%s: %s%s%s%s: %s", r->cfg->client, source ? source : "", source ? ": " : "", who, severity, msg);
	if (!r->report)
		return;
	json_t *o = lp_issue(r->cfg->client, severity, rule, e ? e->personio_id : NULL, number >= 0 ? num : NULL, field, msg, hint);
	lp_issue_source(o, source);
	char *s = lp_json_dumps(o);
	fprintf(r->report, "%s\n", s);
	free(s);
	json_decref(o);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

/* The columns: every component hours.codes maps to, once, ascending (the same header every
 * month for a client). */
static void columns(struct run *r)
{
	const char *k;
	json_t *v;
	size_t n = json_object_size(r->cfg->hours.codes);
	if (!n)
		lp_die(LP_EXIT_CONFIG, "%s: hours.codes maps no hour code to a Loket payroll component: nothing to import (H1)",
		       r->cfg->path);
	r->cols = lp_xmalloc(n * sizeof *r->cols);
	json_object_foreach(r->cfg->hours.codes, k, v) r->cols[r->ncols++] = (long long)json_integer_value(v);
	qsort(r->cols, r->ncols, sizeof *r->cols, cmp_ll);
	size_t w = 0;
	for (size_t i = 0; i < r->ncols; i++)
		if (!w || r->cols[w - 1] != r->cols[i])
			r->cols[w++] = r->cols[i];
	r->ncols = w;
}

/* The mapped components against the catalogue of the year (config error when one is missing
 * or cannot be imported collectively). */
static void check_catalogue(struct run *r)
{
	if (!r->have_catalogue) {
		finding(r, "warning", "H1", NULL, -1, "hours.codes", NULL, "run fetch-loket with an --as-of in the year",
			"the current state has no payroll component catalogue of %d: the component numbers of hours.codes are not checked",
			r->year);
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach(r->cfg->hours.codes, k, v) {
		char key[24];
		void *p = NULL;
		snprintf(key, sizeof key, "%lld", (long long)json_integer_value(v));
		if (!lp_map_get(r->catalogue, key, &p))
			lp_die(LP_EXIT_CONFIG, "%s: hours.codes.%s: payroll component %s is not in Loket's catalogue of %d (H1)",
			       r->cfg->path, k, key, r->year);
		if (p == (void *)2)
			lp_die(LP_EXIT_CONFIG, "%s: hours.codes.%s: payroll component %s cannot be imported collectively "
			       "(isCollectiveMutationPossible is false) (H1)", r->cfg->path, k, key);
	}
}

/* The client number: Loket's (the employments' payrollAdministration.clientNumber) is the one
 * the import checks; loket.client_number of the configuration is used only when the current
 * state has none, and one that differs from Loket's is a configuration error (H3). */
static void client_number(struct run *r, long long loket)
{
	long long conf = r->cfg->loket.client_number;
	if (loket >= 0 && conf >= 0 && loket != conf)
		lp_die(LP_EXIT_CONFIG, "%s: loket.client_number is %lld, Loket's payroll administration has client number %lld (H3)",
		       r->cfg->path, conf, loket);
	r->client_number = loket >= 0 ? loket : conf;
	r->client_number_from = loket >= 0 ? "loket" : "config";
	if (r->client_number < 0)
		lp_die(LP_EXIT_CONFIG, "%s: no payroll client number (aanslnr): neither the current state nor loket.client_number has one (H3)",
		       r->cfg->path);
}

/* The account's other integrations: not the client itself, not its payroll client number;
 * their hours.do_not_import numbers are theirs (claims, H2). */
static void account(struct run *r)
{
	for (size_t i = 0; i < r->account.n; i++) {
		lp_config *o = r->account.v[i];
		if (!strcmp(o->client, r->cfg->client))
			lp_die(LP_EXIT_CONFIG, "%s: --account-config names the client of -c (%s) again", o->path, o->client);
		if (o->loket.client_number >= 0 && o->loket.client_number == r->client_number)
			lp_die(LP_EXIT_CONFIG, "%s: client %s has payroll client number %lld too: one per integration (H3)", o->path,
			       o->client, r->client_number);
		size_t k;
		json_t *v;
		json_array_foreach(o->hours.do_not_import, k, v) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)json_integer_value(v));
			if (!lp_map_get(r->claims, key, NULL))
				lp_map_put(r->claims, key, (void *)keep(r, o->client));
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"current", required_argument, 0, 'C'},
		{"year", required_argument, 0, 'y'}, {"from", required_argument, 0, 'f'},
		{"to", required_argument, 0, 't'}, {"account-config", required_argument, 0, 'a'},
		{"report", required_argument, 0, 'r'}, {"plan", no_argument, 0, 'P'}, {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *current = NULL, *from = NULL, *to = NULL;
	LP_VEC(const char *) acc = {0};
	struct run r;
	memset(&r, 0, sizeof r);
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'C': current = optarg; break;
		case 'y': r.year = (int)lp_opt_long("--year", optarg, 1900, 2199); break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'a': *LP_VEC_PUSH(&acc) = optarg; break;
		case 'r': r.report_path = optarg; break;
		case 'P': r.plan = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || !current || !r.year || !from || !to)
		lp_usage_die(usage, "%s is required", !config ? "--config" : !current ? "--current" : !r.year ? "--year" : !from ? "--from" : "--to");
	r.from = lp_date_opt("--from", from);
	r.to = lp_date_opt("--to", to);
	int fy, ty, fm, tm, d;
	lp_date_ymd(r.from, &fy, &fm, &d);
	lp_date_ymd(r.to, &ty, &tm, &d);
	if (fy != r.year || ty != r.year)
		lp_usage_die(usage, "--from and --to must lie in --year %d (one year per file, H3)", r.year);
	if (r.from > r.to)
		lp_usage_die(usage, "--from %s is after --to %s", from, to);
	r.ndays = (int)(r.to - r.from) + 1;
	if (r.plan && lp_le_ppd_period_of_range(r.from, r.to, &r.pyear, &r.pperiod))
		lp_usage_die(usage, "--plan: the date range %s..%s is not inside one payroll period (the upserts go into one)", from, to);

	r.cfg = lp_config_load(config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	for (size_t i = 0; i < acc.n; i++)
		lp_configs_add(&r.account, acc.v[i]);
	free(acc.v);
	if (r.report_path && !(r.report = fopen(r.report_path, "w")))
		lp_die(LP_EXIT_IO, "--report %s: cannot write it", r.report_path);
	r.ems_by_number = lp_map_new();
	r.payroll_ids = lp_map_new();
	r.catalogue = lp_map_new();
	r.employees = lp_map_new();
	r.claims = lp_map_new();
	r.rows = lp_map_new();
	r.unmapped_by_code = lp_map_new();
	columns(&r);

	load_current(&r, current);
	client_number(&r, r.loket_client_number);
	check_catalogue(&r);
	account(&r);
	if (fm != tm && !r.plan)
		finding(&r, "warning", "H3", NULL, -1, "to", NULL, "make one file per payroll period",
			"the date range %s..%s covers more than one monthly payroll period: what Loket's import does with such a "
			"range is UNCONFIRMED", from, to);

	read_hours(&r, argv + optind, argc - optind);
	return finish(&r);
}
