/* push-loket - apply a reviewed plan (diff-loket's loket.op records) to Loket, exactly once.
 *
 * Ops of one chain (an employment, an employee, a concept employee) are applied one after
 * the other in seq order; different chains run side by side, up to --concurrency requests
 * in flight (libcurl multi, lib/lp_http). 429, 5xx and transport errors are retried with
 * backoff and jitter (Retry-After honoured); a 4xx business-rule answer is a failed result
 * carrying Loket's messages, and the rest of that op's chain is skipped.
 *
 * Exactly once. Every op reads its target before it writes, whatever the journal says: a POST
 * its collection (sent only when its record is not there; a wage or benefit there with other
 * values is drift), a PATCH the employment's period data (done when a record of the period
 * holds the body's values), a PUT its record (done when it holds the body; an employee must
 * still hold every value the plan read, else drift), a DELETE its record (done when gone).
 * So a plan is bound to the state it was made from, and a second application, with another
 * journal or none, writes nothing. libcurl's own resend of a POST on a fresh connection is
 * refused (lib/lp_http); the POST's answer then counts as lost and it is read back.
 *
 * Payroll period data upserts (PATCH) that are ready at the same time go out in one collective
 * PATCH per up to --collective-items ops, with one read per touched period before and after
 * (collect.c); --no-collective sends each on its own.
 *
 * The journal (lib/lp_journal: NDJSON with a CRC per line) records each op as "sent" when its
 * request is handed out and "done"/"failed" when the answer is in; one fsync per round makes a
 * round's lines durable while its requests are in flight, and a result record goes to
 * standard output only after the journal line for it is on disk. A resumed run skips done
 * ops; the others read their target first, as every op does.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_http.h"
#include "lp_loket_get.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"
#include "lp_snap.h"
#include "push.h"

static const char usage[] =
	"Usage: push-loket -c CONFIG --journal FILE [OPTION]... [PLAN]...\n"
	"Apply a plan (diff-loket's output) to Loket: one loket.result record per op.\n"
	"\n"
	"  -c, --config FILE      the client configuration (loket.base_url, token_file, oauth_url)\n"
	"      --journal FILE     the run's journal: a killed run resumes from it (required\n"
	"                         unless --dry-run; one journal per plan)\n"
	"      --concurrency N    requests in flight at most (1..64, default 8)\n"
	"      --collective-items N\n"
	"                         payroll period data upserts per collective PATCH at most\n"
	"                         (1..1000, default 100)\n"
	"      --no-collective    send every payroll period data upsert on its own (per employment)\n"
	"      --audit FILE       append to this audit log (default: the config's audit_log)\n"
	"      --actor NAME       who runs the push, for the audit log (default: $USER)\n"
	"      --base-url URL     the Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --state DIR        fetch-loket's state directory: DIR/loket-written is made before\n"
	"                         the first write (under the client's lock), so that fetch-loket\n"
	"                         reads closed payroll periods again (see fetch-loket(1))\n"
	"      --dry-run          send nothing: print the requests the run would send\n"
	"  -v, --verbose          report counts and HTTP requests on standard error\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 every op applied (or applied before); 1 Loket refused ops (business rules,\n"
	"drift) or the plan is blocked; 2 usage; 3 bad plan; 4 configuration, token or journal file;\n"
	"5 Loket failed after retries (resume later with the same journal); 6 Loket refused the\n"
	"token: run loket-auth; 7 I/O; 8 another run for this client holds its lock. See loketpipe(7).\n";

/* optarg as an integer 1..max, else a usage error naming the option */
static long int_arg(const char *name, long max)
{
	char *end;
	long v = strtol(optarg, &end, 10);
	if (*end || !*optarg || v < 1 || v > max) {
		lp_warn("%s: expected 1..%ld", name, max);
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
	return v;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"journal", required_argument, 0, 'j'},
		{"concurrency", required_argument, 0, 'n'}, {"audit", required_argument, 0, 'a'},
		{"actor", required_argument, 0, 'A'}, {"base-url", required_argument, 0, 'b'},
		{"dry-run", no_argument, 0, 'd'}, {"verbose", no_argument, 0, 'v'},
		{"collective-items", required_argument, 0, 'C'}, {"no-collective", no_argument, 0, 'N'},
		{"state", required_argument, 0, 'S'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	memset(a, 0, sizeof *a);
	a->conc = 8;
	a->cap = 100;
	int c;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'j': a->journal = optarg; break;
		case 'n': a->conc = int_arg("--concurrency", 64); break;
		case 'C': a->cap = int_arg("--collective-items", 1000); break;
		case 'N': a->no_collective = 1; break;
		case 'S': a->state = optarg; break;
		case 'a': a->audit = optarg; break;
		case 'A': a->actor = optarg; break;
		case 'b': a->base = optarg; break;
		case 'd': a->dry = 1; break;
		case 'v': a->verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!a->config || (!a->journal && !a->dry)) {
		lp_warn(!a->config ? "--config is required" : "--journal is required (or --dry-run)");
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
}

int main(int argc, char **argv)
{
	struct args a;
	lp_init(argv[0]);
	parse_args(argc, argv, &a);
	lp_config *cfg = lp_config_load(a.config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	R.cfg = cfg;
	R.pending = json_array();
	R.conc = (int)a.conc;
	R.collective = !a.no_collective;
	R.cap = a.cap;
	lp_http_opts ho = {0};
	ho.base_url = lp_loket_base_url(cfg, a.base);
	ho.proxy = cfg->loket.proxy;
	if (!a.dry) { /* everything that can stop a live run is settled before the plan is read */
		R.oauth = lp_oauth_for_config(cfg); /* takes the client's lock */
		char err[700];
		R.http = lp_http_new(&ho, err, sizeof err);
		if (!R.http)
			lp_die(LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
	}
	struct plan p;
	memset(&p, 0, sizeof p);
	p.hold = json_array();
	int exit_code = read_plan(argv + optind, argc - optind, &p);
	if (!exit_code)
		exit_code = build_chains(&p);
	if (!exit_code && a.dry)
		dry_run(&p, ho.base_url);
	else if (!exit_code) {
		/* the mark for fetch-loket, under the client's lock, before the first write: a plan
		 * without ops writes nothing and leaves the snapshot's closed periods good */
		char err[700];
		if (a.state && p.ops.n &&
		    (lp_snap_dir(a.state, err, sizeof err) || lp_snap_save(a.state, LP_SNAP_WRITTEN, "", 0, err, sizeof err)))
			lp_die(LP_EXIT_IO, "%s: --state: %s; nothing was sent to Loket", cfg->client, err);
		exit_code = run_plan(&p, &a, ho.base_url);
	}
	lp_oauth_free(R.oauth);
	lp_http_free(R.http);
	int oc = lp_out_close();
	free_plan(&p);
	json_decref(R.pending);
	lp_config_free(cfg);
	return exit_code ? exit_code : oc;
}
