/* fetch-journal - Loket -> journal records (J1): for one payroll administration, the journal
 * runs that are ready and not yet exported (journalRunStatus 4), and for each its results (the
 * ledger lines), as journal.line records then one journal.entry, runs sorted by sequence
 * number, then stream_end.
 *
 * Reads (lib/lp_loket_get, lists paged and checked against totalSize): the administration's
 * journal runs; per run kept, its results; the administration's payroll runs only when the
 * journal-run list is empty (seed 004: an old journal module gives none). J1 per run: lines
 * with both amounts zero are dropped; a negative amount moves to the other side (an issue,
 * warning); an entry whose debit and credit totals differ (in cents) is an issue (error) and
 * its entry says "balanced": false. One bad run (a field Loket sent that is not what the spec
 * says) is an issue naming the run and field, and the others go on. Memory: the run list, and
 * the lines of one run at a time (an entry is written after its lines, with their totals).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_journal.h"
#include "lp_le_run.h"
#include "lp_lock.h"
#include "lp_loket_get.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"

static const char usage[] =
	"Usage: fetch-journal --config FILE [OPTION]...\n"
	"Loket -> journal records (J1): the journal runs of the payroll administration that are\n"
	"ready and not yet exported (status 4 \"Journaal gereed\"), each as its journal.line\n"
	"records then one journal.entry (sorted by sequence number), then a stream_end record.\n"
	"Lines with both amounts zero are dropped; a negative amount moves to the other side (a\n"
	"warning); an entry that does not balance to the cent is an error issue and says\n"
	"\"balanced\": false (writers refuse it).\n"
	"\n"
	"  -c, --config FILE    client configuration (loket.*, journal.*)\n"
	"      --as-of DATE     the reference date, YYYY-MM-DD (default: today, UTC): runs whose\n"
	"                       processing finished after it are left for a later run\n"
	"      --only RUN       only the journal run with this id\n"
	"      --rerun RUN      also this journal run when it is exported already (status 7), on\n"
	"                       purpose (may be given more than once)\n"
	"      --base-url URL   Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --record DIR     store every raw API response in DIR (0700/0600)\n"
	"      --replay DIR     answer every request from DIR instead of the network\n"
	"  -v, --verbose        report counts and what was left out, on stderr\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 complete; 1 an entry does not balance, or the list is empty while the\n"
	"administration has approved payroll runs (issue records); 2 usage; 4 configuration or\n"
	"token file; 5 Loket failed (the stream ends with complete:false) or sent a journal run or\n"
	"line that is not what the spec says (an issue per run; the others are written); 6 Loket\n"
	"refused the token: run loket-auth; 7 local I/O error; 8 another run holds the lock.\n"
	"See fetch-journal(1), loketpipe(7).\n";

enum { N_RUNS, N_ENTRIES, N_LINES, N_ZERO, N_FLIPPED, N_UNBALANCED, N_OTHER, N_LATER, N_BAD, N__ };
static const char *const count_names[N__] = {"journal_runs", "entries", "lines", "zero_lines_dropped", "flipped",
					     "unbalanced", "other_status", "not_yet", "bad_runs"};

struct jrun {
	json_t *item; /* Loket's run (owned) */
	lp_le_journal_info ji;
};

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_oauth *oauth;
	lp_loket_get g;
	lp_date as_of;
	const char *only;
	const char **rerun;
	size_t nrerun;
	int verbose;
	struct jrun *runs;
	size_t nrun, crun;
	long approved; /* approved payroll runs (only read when the journal-run list is empty) */
	/* the run whose results are read */
	const struct jrun *cur;
	json_t *lines;  /* its journal.line records */
	long item;      /* the result item's number (1-based) */
	int cur_bad;    /* its results hold a bad line */
	lp_cents debit, credit;
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

static _Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static _Noreturn void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_stream_vfail(r->cfg->client, "loket", counts(r), code, cleanup, r, fmt, ap);
}

static void get_fail(void *ctx, int code, const char *msg) { fail(ctx, code, "%s", msg); }

static void out(struct run *r, json_t *rec)
{
	if (lp_out_new(rec))
		fail(r, LP_EXIT_IO, "%s", lp_out_error());
}

/* An issue of rule J1 about a journal run (run NULL: the administration); source "journal
 * run ID" */
static void issue(struct run *r, const char *sev, const char *run, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void issue(struct run *r, const char *sev, const char *run, const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *o = lp_vissuef(r->cfg->client, sev, "J1", NULL, NULL, field, hint, fmt, ap);
	va_end(ap);
	if (run) {
		char src[80];
		snprintf(src, sizeof src, "journal run %s", run);
		lp_issue_source(o, src);
	}
	if (r->verbose || !strcmp(sev, "error"))
		lp_warn("%s: %s", r->cfg->client, lp_json_str(o, "message"));
	out(r, o);
}

static int rerun_of(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->nrerun; i++)
		if (!strcasecmp(r->rerun[i], id))
			return 1;
	return 0;
}

/* ---- the journal runs */

static void journal_run(json_t *it, void *ctx)
{
	struct run *r = ctx;
	r->n[N_RUNS]++;
	lp_le_journal_info ji;
	char err[300];
	const char *id = lp_json_str(it, "id");
	if (r->only && (!id || strcasecmp(id, r->only)))
		return;
	if (lp_le_journal_read(it, &ji, err, sizeof err)) {
		/* one bad run: an issue; the others go on */
		r->n[N_BAD]++;
		const char *f = strstr(err, ": ");
		char field[64] = "";
		if (f) { /* the field is the text between the run and the problem */
			const char *s = f + 2, *e = strstr(s, ": ");
			if (e && !strncmp(err, "journal run ", 12) && (size_t)(e - s) < sizeof field)
				snprintf(field, sizeof field, "%.*s", (int)(e - s), s);
			else if (!strncmp(err, "journal run: ", 13))
				snprintf(field, sizeof field, "id");
		}
		issue(r, "error", id && lp_le_uuid_ok(id) ? id : NULL, *field ? field : NULL,
		      "it is not fetched; it is tried again on the next run", "GET journalruns: %s", err);
		return;
	}
	for (size_t i = 0; i < r->nrun; i++)
		if (!strcasecmp(r->runs[i].ji.id, ji.id))
			fail(r, LP_EXIT_REMOTE, "GET journalruns: journal run %s came twice (the list changed while it was read)", ji.id);
	int want = ji.status == LP_LE_JOURNAL_READY || (ji.status == LP_LE_JOURNAL_EXPORTED && rerun_of(r, ji.id));
	if (!want) {
		r->n[N_OTHER]++;
		if (r->verbose)
			lp_warn("%s: journal run %s (sequence number %lld): status %d, left out", r->cfg->client, ji.id, ji.seq, ji.status);
		return;
	}
	if (ji.finished >= 0 && ji.finished > r->as_of) {
		r->n[N_LATER]++;
		if (r->verbose)
			lp_warn("%s: journal run %s: processed after --as-of, left for a later run", r->cfg->client, ji.id);
		return;
	}
	if (r->nrun == r->crun)
		r->runs = lp_xrealloc(r->runs, (r->crun = r->crun ? 2 * r->crun : 16) * sizeof *r->runs);
	struct jrun *x = &r->runs[r->nrun++];
	x->item = json_incref(it);
	/* the borrowed strings of ji point into the item, which x keeps */
	x->ji = ji;
}

static int seq_order(const void *a, const void *b)
{
	const struct jrun *x = a, *y = b;
	if (x->ji.seq != y->ji.seq)
		return x->ji.seq < y->ji.seq ? -1 : 1;
	return strcasecmp(x->ji.id, y->ji.id);
}

static void payroll_run(json_t *it, void *ctx)
{
	struct run *r = ctx;
	if (lp_le_run_approved(it))
		r->approved++;
}

/* ---- one run's results */

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static void result_line(json_t *it, void *ctx)
{
	struct run *r = ctx;
	const struct jrun *x = r->cur;
	r->item++;
	if (r->cur_bad)
		return;
	lp_le_journal_line ln;
	char err[300];
	if (lp_le_journal_line_read(it, &ln, err, sizeof err)) {
		r->cur_bad = 1;
		char field[64];
		const char *c = strchr(err, ':');
		snprintf(field, sizeof field, "%.*s", c ? (int)(c - err) : 0, err);
		r->n[N_BAD]++;
		issue(r, "error", x->ji.id, *field ? field : NULL, "the entry is not written; it is fetched again on the next run",
		      "journal run %s (sequence number %lld): result line %ld: %s", x->ji.id, x->ji.seq, r->item, err);
		return;
	}
	if (ln.debit == 0 && ln.credit == 0) {
		r->n[N_ZERO]++;
		if (r->verbose)
			lp_warn("%s: journal run %s: result line %ld (account %s): both amounts zero, dropped", r->cfg->client,
				x->ji.id, r->item, ln.account_code);
		return;
	}
	int flipped = 0;
	char a[32];
	if (ln.debit < 0) {
		issue(r, "warning", x->ji.id, "debetAmount", NULL,
		      "journal run %s: result line %ld (account %s): debit %s is negative; booked as credit", x->ji.id, r->item,
		      ln.account_code, lp_money_fmt(ln.debit, a));
		ln.credit += -ln.debit;
		ln.debit = 0;
		flipped = 1;
	}
	if (ln.credit < 0) {
		issue(r, "warning", x->ji.id, "creditAmount", NULL,
		      "journal run %s: result line %ld (account %s): credit %s is negative; booked as debit", x->ji.id, r->item,
		      ln.account_code, lp_money_fmt(ln.credit, a));
		ln.debit += -ln.credit;
		ln.credit = 0;
		flipped = 1;
	}
	r->n[N_FLIPPED] += (unsigned long)flipped;
	r->debit += ln.debit;
	r->credit += ln.credit;
	if (r->debit > LP_MONEY_MAX || r->credit > LP_MONEY_MAX)
		fail(r, LP_EXIT_REMOTE, "journal run %s: the totals are out of range", x->ji.id);
	char d[32], c[32];
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "type", "journal.line", "client",
			      r->cfg->client, "journal_run_id", x->ji.id, "line", (json_int_t)(json_array_size(r->lines) + 1),
			      "account_code", ln.account_code, "account_description", str_or_null(ln.account_description), "debit",
			      lp_money_fmt(ln.debit, d), "credit", lp_money_fmt(ln.credit, c), "cost_center_code",
			      str_or_null(ln.cost_center_code), "cost_center_description", str_or_null(ln.cost_center_description),
			      "cost_unit_code", str_or_null(ln.cost_unit_code), "cost_unit_description",
			      str_or_null(ln.cost_unit_description), "payroll_component_key",
			      ln.component_key >= 0 ? json_integer((json_int_t)ln.component_key) : json_null(),
			      "payroll_component_description", str_or_null(ln.component_description), "flipped", flipped);
	json_array_append_new(r->lines, o);
}

static void one(struct run *r, const struct jrun *x)
{
	const lp_le_journal_info *j = &x->ji;
	const lp_config *cfg = r->cfg;
	lp_date book = cfg->journal.booking_date == LP_BOOK_PERIOD_START ? j->start
		       : cfg->journal.booking_date == LP_BOOK_RUN_DATE  ? j->finished
									 : j->end;
	if (book < 0) {
		r->n[N_BAD]++;
		issue(r, "error", j->id, "processingFinishedTime", "set journal.booking_date to period_end, or wait until Loket has processed it",
		      "journal run %s (sequence number %lld): no processingFinishedTime, so no booking date by journal.booking_date run_date",
		      j->id, j->seq);
		return;
	}
	char *p = lp_le_journal_results(j->id);
	r->cur = x;
	r->lines = json_array();
	r->item = 0;
	r->cur_bad = 0;
	r->debit = r->credit = 0;
	lp_loket_get_list(&r->g, p, NULL, 1, result_line, r);
	free(p);
	if (r->cur_bad) {
		json_decref(r->lines);
		r->lines = NULL;
		return;
	}
	size_t i;
	json_t *l;
	json_array_foreach(r->lines, i, l)
		out(r, json_incref(l));
	r->n[N_LINES] += json_array_size(r->lines);
	int balanced = r->debit == r->credit;
	char a[32], b[32], s[16], e[16], bd[16];
	if (!balanced) {
		r->n[N_UNBALANCED]++;
		issue(r, "error", j->id, "total_debit", "the entry is not exported; correct the journal profile in Loket and run the journal again",
		      "journal run %s (sequence number %lld, %d-%02d): debit %s and credit %s do not balance", j->id, j->seq, j->year,
		      j->period, lp_money_fmt(r->debit, a), lp_money_fmt(r->credit, b));
	}
	json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:o,s:i,s:I,s:s,s:s,s:b}", "type", "journal.entry",
			      "client", cfg->client, "journal_run_id", j->id, "sequence_number", (json_int_t)j->seq, "payroll_run_id",
			      j->payroll_run_id, "year", j->year, "period", j->period, "period_start", lp_date_fmt(j->start, s),
			      "period_end", lp_date_fmt(j->end, e), "booking_date", lp_date_fmt(book, bd), "journal_code",
			      cfg->journal.journal_code, "bookkeeping_administration",
			      str_or_null(cfg->journal.bookkeeping_administration), "status", j->status, "lines",
			      (json_int_t)json_array_size(r->lines), "total_debit", lp_money_fmt(r->debit, a), "total_credit",
			      lp_money_fmt(r->credit, b), "balanced", balanced);
	out(r, o);
	r->n[N_ENTRIES]++;
	json_decref(r->lines);
	r->lines = NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"base-url", required_argument, 0, 'b'},
		{"as-of", required_argument, 0, 'a'}, {"only", required_argument, 0, 'o'},
		{"rerun", required_argument, 0, 'R'}, {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'p'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *base = NULL, *as_of = NULL, *rec_dir = NULL, *rep_dir = NULL;
	struct run r;
	memset(&r, 0, sizeof r);
	r.rerun = lp_xmalloc((size_t)argc * sizeof *r.rerun);
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'b': base = optarg; break;
		case 'a': as_of = optarg; break;
		case 'o':
			if (!lp_le_uuid_ok(optarg))
				lp_usage_die(usage, "--only: not a journal run id (a uuid): '%s'", optarg);
			r.only = optarg;
			break;
		case 'R':
			if (!lp_le_uuid_ok(optarg))
				lp_usage_die(usage, "--rerun: not a journal run id (a uuid): '%s'", optarg);
			r.rerun[r.nrerun++] = optarg;
			break;
		case 'r': rec_dir = optarg; break;
		case 'p': rep_dir = optarg; break;
		case 'v': r.verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "--config is required");
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s'", argv[optind]);
	if (rec_dir && rep_dir)
		lp_usage_die(usage, "--record and --replay exclude each other");
	r.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	r.cfg = lp_config_load(config);
	if (!r.cfg) {
		free(r.rerun);
		return LP_EXIT_CONFIG;
	}
	const lp_config *cfg = r.cfg;
	if (!cfg->loket.payroll_administration_id || !lp_le_uuid_ok(cfg->loket.payroll_administration_id))
		lp_die(LP_EXIT_CONFIG, "%s: loket.payroll_administration_id: a uuid is required", cfg->path);
	lp_loket_get_open(&r.g, cfg, base, rec_dir, rep_dir, get_fail, &r); /* takes the client's lock unless replaying */
	r.http = r.g.http;
	r.oauth = r.g.oauth;

	char *p = lp_le_journal_list(cfg->loket.payroll_administration_id);
	long total = lp_loket_get_list(&r.g, p, NULL, 1, journal_run, &r);
	free(p);
	int findings = 0;
	if (total == 0) {
		/* seed 004: an empty list while payroll runs are approved is the old journal module */
		p = lp_le_run_list(cfg->loket.payroll_administration_id);
		lp_loket_get_list(&r.g, p, NULL, 1, payroll_run, &r);
		free(p);
		if (r.approved > 0) {
			findings = 1;
			issue(&r, "error", NULL, "journalruns",
			      "the administration needs the current journal profile (product Journaliseren, 940) in Loket; ask the "
			      "payroll bureau or Loket's helpdesk to convert it, then run the journal again",
			      "Loket lists no journal runs while the payroll administration has %ld approved payroll runs: an old "
			      "version of the journal module (Journaal Basis 938 / Journaalmodule) is in use, which makes none "
			      "(\"Het blijkt dat er dan een oude versie van de journaal module in Loket.nl wordt gebruikt\")",
			      r.approved);
		}
	}
	if (r.only && !r.nrun && !r.n[N_BAD] && r.verbose)
		lp_warn("%s: --only %s: no such journal run ready", cfg->client, r.only);
	if (r.nrun)
		qsort(r.runs, r.nrun, sizeof *r.runs, seq_order);
	for (size_t i = 0; i < r.nrun; i++)
		one(&r, &r.runs[i]);

	out(&r, lp_stream_end(cfg->client, "loket", 1, counts(&r), NULL));
	int oc = lp_out_close();
	lp_loket_get_audit_read(&r.g, cfg, r.as_of, oc == 0, counts(&r));
	if (r.verbose)
		lp_warn("%s: %lu journal runs listed, %lu entries (%lu lines; %lu zero lines dropped, %lu flipped), %lu "
			"unbalanced, %lu of another status, %lu not yet, %lu bad; %lu HTTP requests",
			cfg->client, r.n[N_RUNS], r.n[N_ENTRIES], r.n[N_LINES], r.n[N_ZERO], r.n[N_FLIPPED], r.n[N_UNBALANCED],
			r.n[N_OTHER], r.n[N_LATER], r.n[N_BAD], lp_http_requests(r.http));
	int rc = oc ? oc : r.n[N_BAD] ? LP_EXIT_REMOTE : (findings || r.n[N_UNBALANCED]) ? LP_EXIT_FINDINGS : 0;
	for (size_t i = 0; i < r.nrun; i++)
		json_decref(r.runs[i].item);
	free(r.runs);
	free(r.rerun);
	lp_oauth_free(r.oauth);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	return rc;
}
