/* validate - check a client's Personio records against the sync rules before anything
 * reaches Loket.
 *
 * Reads person, compensation, issue and stream_end records (extract-personio's output), one
 * client at a time (lp_block). People out of scope are dropped with an info issue saying why
 * (E1, D1); the data of people in scope is checked the way Personio's integration and Loket
 * itself check it (E2 and Loket's field limits); compensations are checked for currency (C3,
 * X1), frequency (R1), holiday allowance (S5), an amount Loket takes (E2, lp_range.h) and an
 * unbroken salary chain (S4). Every finding is an issue record; good records pass on
 * unchanged, records of other types pass through.
 * Each client ends with a "validation" record saying whether the sync is blocked (E4: any
 * error blocks it) and the exit status is 1 when any client is blocked.
 *
 * Where the rules act:
 *   C1, C2                   config.c (every configuration against the others; --check-config)
 *   E1, D1, E2 (person)      people.c (scope; personal data and Loket's field limits)
 *   C3, X1, R1, S5, S4,
 *   E2 (amounts)             compensations.c
 *   E4                       main.c (run_block: the validation record, the exit status)
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_ndjson.h"
#include "lp_rec.h"
#include "validate.h"

static const char usage[] =
	"Usage: validate -c CONFIG [-c CONFIG]... [OPTION]... [FILE]...\n"
	"Check Personio records (person, compensation) against the sync rules; write the good\n"
	"records, an issue record per finding and a validation record per client.\n"
	"\n"
	"  -c, --config FILE   a client configuration; give one per client in the input. Several\n"
	"                      are also checked against each other (C1, C2)\n"
	"      --as-of DATE    the run date, YYYY-MM-DD (default: today, UTC)\n"
	"      --only ID       only the employee with this Personio id or Employee number (Loket)\n"
	"      --check-config  only check the configurations against each other (C1, C2): an issue\n"
	"                      record and a line on standard error per finding; no FILE is read\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON, '-' or none for standard input, .gz read transparently.\n"
	"\n"
	"Exit status: 0 nothing blocks the sync; 1 the sync of at least one client is blocked (E4);\n"
	"2 usage; 3 bad input (file:line and field named); 4 configuration (with --check-config:\n"
	"also any C1/C2 finding). See loketpipe(7).\n";

void add(struct block *k, json_t *list, const char *severity, const char *rule, const struct person *p,
	 const char *field, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	json_t *i = lp_vissuef(k->cfg->client, severity, rule, p ? p->pid : NULL, p ? p->empno : NULL, field, hint, fmt, ap);
	va_end(ap);
	if (p)
		lp_issue_source(i, p->where);
	json_array_append_new(list, i);
	if (!strcmp(severity, "error"))
		k->errors++;
	else if (!strcmp(severity, "warning"))
		k->warnings++;
	else
		k->infos++;
}

static void free_json(void *v)
{
	json_decref(v);
}

void out(json_t *r)
{
	if (lp_out(r))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

void out_issues(json_t *list)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v) out(v);
}

/* ---- one client's block ------------------------------------------------------------- */

/* What the block says of the steps before validate */
struct upstream {
	unsigned long errors; /* error issues in the input */
	int complete;         /* the stream_end's complete; -1 without a stream_end */
	const char *error;    /* the stream_end's error, when incomplete */
};

/* pass 1: people, upstream issues and the extract's completeness */
static void read_block(struct block *k, struct upstream *u)
{
	size_t n = json_array_size(k->b->recs);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(k->b->recs, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		const char *w = lp_block_where(k->b, i);
		if (!strcmp(type, "person"))
			person(k, r, w);
		else if (!strcmp(type, "issue")) {
			const char *sev = lp_rec_str(r, "severity", 0, w);
			if (!strcmp(sev, "error"))
				u->errors++;
		} else if (!strcmp(type, "stream_end")) {
			u->complete = lp_rec_bool(r, "complete", 0, w);
			if (!u->complete)
				u->error = lp_rec_str(r, "error", 1, w);
		}
	}
}

/* pass 2: the client's C1/C2 issues, then every record kept in input order, each person's
 * issues after it, then the block's own issues; returns the index of the stream_end record
 * ((size_t)-1 for none), which is written last */
static size_t write_records(struct block *k, const struct comp *cs, size_t nc)
{
	void *ci = NULL;
	lp_map_get(k->x->cfg_issues, k->b->client, &ci);
	k->errors += json_array_size(ci);
	out_issues(ci);
	size_t n = json_array_size(k->b->recs);
	size_t next_comp = 0;
	size_t end_at = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(k->b->recs, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		if (!strcmp(type, "person")) {
			void *pv;
			lp_map_get(k->people, json_string_value(json_object_get(r, "personio_id")), &pv);
			struct person *p = pv;
			if (p->in_scope)
				lp_block_pass(k->b, i);
			if (!p->skip)
				out_issues(p->issues);
		} else if (!strcmp(type, "compensation")) {
			while (next_comp < nc && cs[next_comp].idx < i)
				next_comp++;
			if (next_comp < nc && cs[next_comp].idx == i && cs[next_comp].keep)
				lp_block_pass(k->b, i);
		} else if (!strcmp(type, "stream_end"))
			end_at = i;
		else
			lp_block_pass(k->b, i);
	}
	out_issues(k->late);
	return end_at;
}

/* E4: an extract that is incomplete, or may be, blocks the sync */
static void write_incomplete(struct block *k, const struct upstream *u)
{
	if (u->complete == 1)
		return;
	char msg[700];
	snprintf(msg, sizeof msg, "%s%s", u->complete == 0 ? "the Personio extract is incomplete: " :
		 "the input has no stream_end record, so it may be incomplete",
		 u->complete == 0 && u->error ? u->error : "");
	json_t *i = lp_issue(k->cfg->client, "error", "E4", NULL, NULL, NULL, msg,
			     "run the extract again; nothing is synced from an incomplete extract");
	out(i);
	json_decref(i);
	k->errors++;
}

/* The client's validation record (E4: any error blocks the sync); returns blocked */
static int write_validation(struct block *k, unsigned long upstream_errors)
{
	int blocked = k->errors + upstream_errors > 0;
	char d[11];
	json_t *val = json_pack("{s:s,s:s,s:s,s:b,s:{s:I,s:I,s:I,s:I,s:I}}", "type", "validation", "client",
				k->cfg->client, "as_of", lp_date_fmt(k->x->as_of, d), "blocked", blocked, "counts", "errors",
				(json_int_t)(k->errors + upstream_errors), "warnings", (json_int_t)k->warnings, "info",
				(json_int_t)k->infos, "in_scope", (json_int_t)k->in_scope, "out_of_scope",
				(json_int_t)k->out_of_scope);
	out(val);
	json_decref(val);
	return blocked;
}

static int run_block(void *ctx, lp_block *b)
{
	struct ctx *x = ctx;
	struct block k;
	memset(&k, 0, sizeof k);
	k.x = x;
	k.cfg = lp_configs_for(&x->cfgs, b->client, lp_block_where(b, 0));
	k.b = b;
	k.people = lp_map_new();
	k.late = json_array();

	size_t n = json_array_size(b->recs);
	struct comp *cs = lp_xmalloc((n ? n : 1) * sizeof *cs);
	struct upstream u = {0, -1, NULL};
	read_block(&k, &u);
	size_t nc = read_compensations(&k, cs);
	compensations(&k, cs, nc);

	size_t end_at = write_records(&k, cs, nc);
	write_incomplete(&k, &u);
	int blocked = write_validation(&k, u.errors);
	if (end_at != (size_t)-1)
		lp_block_pass(b, end_at);
	if (blocked) {
		x->blocked_any = 1;
		lp_warn("%s: sync blocked: %lu error%s (E4); fix the data or set Consider in NL payroll to No", k.cfg->client,
			k.errors + u.errors, k.errors + u.errors == 1 ? "" : "s");
	}
	free(cs);
	json_decref(k.late);
	lp_map_free(k.people, free_person);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
					     {"only", required_argument, 0, 'o'}, {"check-config", no_argument, 0, 'C'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	struct ctx x;
	memset(&x, 0, sizeof x);
	lp_init(argv[0]);
	const char *as_of = NULL;
	int c, check_only = 0;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': lp_configs_add(&x.cfgs, optarg); break;
		case 'a': as_of = optarg; break;
		case 'o': x.only = optarg; break;
		case 'C': check_only = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!x.cfgs.n)
		lp_usage_die(usage, "at least one --config is required");
	if (check_only && optind < argc)
		lp_usage_die(usage, "--check-config reads no records, but FILE %s was given", argv[optind]);
	x.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	x.cfg_issues = lp_map_new();
	check_configs(&x);
	if (check_only) {
		int r = check_config_only(&x);
		lp_map_free(x.cfg_issues, free_json);
		lp_configs_free(&x.cfgs);
		return r;
	}

	lp_in *in = lp_in_open(argv + optind, argc - optind);
	int rc = lp_block_run(in, run_block, &x);
	lp_in_close(in);
	int oc = lp_out_close();
	lp_map_free(x.cfg_issues, free_json);
	lp_configs_free(&x.cfgs);
	if (rc)
		return rc;
	if (oc)
		return oc;
	return x.blocked_any ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
