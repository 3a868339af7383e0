/* extract-personio - read one client's employees and compensations from Personio as NDJSON.
 *
 * Employees come from the v1 API (POST /v1/auth, GET /v1/company/employees paged with
 * limit <= 100 and an element offset, checked against metadata.total_elements); each
 * becomes a "person" record (employees.c). Compensations come from the v2 API
 * (POST /v2/auth/token, client credentials; GET /v2/compensations in one-month windows from
 * the month of the compensation start date to the --as-of month plus the configured future
 * months, following _meta.links.next.href); each distinct compensation becomes a
 * "compensation" record, its dates kept as Personio gave them (choosing what is effective is
 * validate's job, rule D1) (compensations.c). Values that cannot be read become "issue"
 * records. The last record is "stream_end" with complete:true only when everything was
 * received; any failure ends the stream with complete:false and a non-zero exit, so a
 * cut-off extract never looks complete (fail() in fetch.c, with the requests, the tokens and
 * the credentials: lib/lp_psession). This file: the command line and the run; extract.h: what
 * they share.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "lp_cli.h"
#include "lp_ndjson.h"
#include "lp_emit.h"

static const char usage[] =
	"Usage: extract-personio --config FILE [OPTION]...\n"
	"Read one client's employees and compensations from Personio; write NDJSON records\n"
	"(person, compensation, issue, stream_end) to standard output.\n"
	"\n"
	"  -c, --config FILE        client configuration (schemas/client-config.schema.json)\n"
	"      --as-of DATE         the run date, YYYY-MM-DD (default: today, UTC)\n"
	"      --future-months N    months after the as-of month to read (default: config, else 2)\n"
	"      --only ID            only the employee with this Personio id or Employee number (Loket)\n"
	"      --persons-only       read the employees only, no compensations (push-documents needs no more)\n"
	"      --base-url URL       Personio API base URL (default: config, else https://api.personio.de)\n"
	"      --record DIR         store every raw API response in DIR (mode 0700/0600)\n"
	"      --replay DIR         answer every request from DIR instead of the network\n"
	"  -v, --verbose            report counts and the number of HTTP requests on stderr\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Credentials: the JSON file personio.credentials_file of the configuration (mode 0600,\n"
	"{\"client_id\":...,\"client_secret\":...}), else PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET\n"
	"from the environment. Never on the command line. The tokens are kept for their lifetime in\n"
	"personio.token_cache (0600; default <client>.personio-token.json beside loket.token_file).\n"
	"Personio's rate limits are shared by every process of the host through LOKETPIPE_RATE_DIR\n"
	"(default ${TMPDIR:-/tmp}/loketpipe-rate-UID); see extract-personio(1).\n"
	"\n"
	"Exit status: 0 complete; 1 complete, with error issues in the data; 2 usage; 4 configuration\n"
	"or credentials; 5 Personio failed or answered nonsense (the stream is marked incomplete);\n"
	"6 Personio refused the credentials; 7 local I/O error. See loketpipe(7).\n";

/* what the command line names (the rest of it lands in r) */
struct args {
	const char *config, *as_of, *base, *rec, *rep;
};

/* the options, into a and r; exits 0 on --help and --version, 2 on a usage error */
static void parse_args(int argc, char **argv, struct args *a, struct run *r)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
		{"future-months", required_argument, 0, 'f'}, {"only", required_argument, 0, 'o'},
		{"base-url", required_argument, 0, 'b'}, {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'p'}, {"verbose", no_argument, 0, 'v'},
		{"persons-only", no_argument, 0, 'P'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'a': a->as_of = optarg; break;
		case 'f': r->future = (int)lp_opt_long("--future-months", optarg, 0, 24); break;
		case 'o': r->only = optarg; break;
		case 'b': a->base = optarg; break;
		case 'r': a->rec = optarg; break;
		case 'p': a->rep = optarg; break;
		case 'v': r->verbose = 1; break;
		case 'P': r->persons_only = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s' (credentials are never taken from the command line)",
			     argv[optind]);
	if (!a->config)
		lp_usage_die(usage, "--config is required");
	if (a->rec && a->rep)
		lp_usage_die(usage, "--record and --replay exclude each other");
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct run r;
	memset(&r, 0, sizeof r);
	r.future = -1;
	lp_init(argv[0]);
	parse_args(argc, argv, &a, &r);
	r.as_of = a.as_of ? lp_date_opt("--as-of", a.as_of) : lp_date_today();
	r.cfg = lp_config_load(a.config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	if (r.future < 0)
		r.future = r.cfg->personio.future_months;
	if (r.as_of < r.cfg->compensation.start_date && lp_date_month_start(r.as_of) < lp_date_month_start(r.cfg->compensation.start_date))
		lp_warn("%s: --as-of is before the compensation start date; reading from the start date's month", r.cfg->client);

	r.issues_buf = json_array();
	lp_psession_init(&r.ps, r.cfg, a.base, a.rec, a.rep, fail_hook, &r);
	lp_psession_v1_auth(&r.ps);
	employees(&r);
	if (!r.persons_only) {
		lp_psession_v2_auth(&r.ps);
		compensations(&r);
	}

	lp_out_new(lp_stream_end(r.cfg->client, "personio", 1, counts(&r), NULL));
	int out = lp_out_close();
	if (r.verbose)
		lp_warn("%s: %lu persons, %lu compensations, %lu issues (%lu errors), %lu HTTP requests (%lu waited "
			"%llu ms for the rate limits)", r.cfg->client, r.persons, r.compensations, r.issues, r.errors,
			lp_http_requests(r.ps.http), r.ps.rate ? lp_rate_waits(r.ps.rate) : 0UL,
			r.ps.rate ? (unsigned long long)lp_rate_waited_ms(r.ps.rate) : 0ULL);
	lp_psession_free(&r.ps);
	free(r.only_pid);
	json_decref(r.issues_buf);
	lp_config_free(r.cfg);
	if (out)
		return out;
	return r.errors ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
