/* diff-loket - compare the desired Loket state with what Loket holds and write the plan.
 *
 * Input: map-compensation's output (loket.employee, loket.wage, loket.benefit_deduction,
 * loket.variable_input, plus the validation record), read one client at a time into compact
 * structs as its records arrive; and with --current, fetch-loket's output (loket.current.*),
 * read one client at a time too: when a client's desired block is complete, forward through
 * --current to that client's stream_end (fetch-loket writes it sorted by client), then planned
 * and freed. Memory is bounded by the largest client when --current is in the desired state's
 * client order; clients met on the way are held until their turn (current.c).
 * Output: one loket.op record per change, in the order push-loket must apply them within a
 * chain, issue records for what is left out and why, one plan record per client and a
 * stream_end. Upstream issue and validation records pass through unchanged.
 *
 * The rules (DESIGN.md) and where they act:
 *   M1 match on Employee number; no match -> POST a concept employee
 *   M2 a concept employee gets employee data and base salary only; every plan lists the
 *      concept employees still waiting
 *   M3 income number (+ entry date) picks the employment
 *   E3 an employment with an end date in Loket: the employee is left out; X2 its compensation
 *   D2/D3 employee fields: Personio's current value, blanks clear (where Loket allows null)
 *   K1 nothing dated before the compensation start date changes; K2 unmapped components are
 *      never touched; K3 Personio's additions, changes and deletions are reflected
 *   wages: the linked date chain (only appended to; a change in the middle deletes the tail
 *      first, then posts in date order); X3 warns before a pay-scale wage is overwritten
 *   R1 a benefit goes only to a component of its sign's kind in Loket's catalogue (negative:
 *      deduction, positive: payment) for every year it runs in, and a one-time entry only
 *      to a payment component of its period's year; else an error and that component is left
 *      alone for the employee (held back, never removed)
 *   R2 a mapped benefit running across the start date is end-dated the day before; R3 a
 *      mapped benefit from the start date on without a counterpart is deleted; no overlaps
 *   O1/O2 variable input upserted per period (PATCH); O3 a mapped entry absent from
 *      Personio is removed (PUT of the record without it, or DELETE when nothing is left)
 *   metadata keys (gender, country, grossWageType) come from Loket's metadata in the current
 *   state (loket.current.metadata), by label or isoCode; without any metadata: LX1, no plan;
 *   a value the metadata has no option for: LX2 (the field or record is held back)
 *   E2 a desired value Loket would refuse (lp_range.h) is an error that holds back that
 *      employee's wages, that component, or (no employee number) that employee; never the client
 * Where, in filters/diff-loket/: main.c reads the arguments, refuses a client (E4, LX1),
 * picks the employment (M3, E3/X2) and calls the differs: employee.c (D2/D3, the BSN),
 * concept.c (M1/M2), wage.c (K1/K3/X3), benefit.c (R1-R3), variable.c (O1-O3), with the R1
 * checks in r1.c; desired.c reads the desired state (E2), current.c and metadata.c the
 * current one (LX2 keys), plan.c writes ops, issues and the plan record. Each Loket entity's
 * paths, bodies and views are lib/lp_le_*.c's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_block.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_jalloc.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_ndjson.h"

static const char usage[] =
	"Usage: diff-loket -c CONFIG [-c CONFIG]... --current FILE [OPTION]... [FILE]...\n"
	"Compare the desired Loket state (map-compensation) with the current one (fetch-loket)\n"
	"and write the plan: one loket.op record per change, issues, a plan record per client.\n"
	"\n"
	"  -c, --config FILE    a client configuration; one per client in the input\n"
	"      --current FILE   fetch-loket's output (may be given more than once, .gz allowed)\n"
	"      --only ID        only the employee with this Personio id or Employee number\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"FILE is NDJSON, '-' or none for standard input, .gz read transparently. Both states are\n"
	"read one client at a time; --current in another client order than FILE holds the clients\n"
	"it passes until their turn (see diff-loket(1)).\n"
	"\n"
	"Exit status: 0 plan written; 1 plan written but a client is blocked (E4, or its current\n"
	"state is missing or incomplete) or an error issue was raised; 2 usage; 3 bad input\n"
	"(file:line and field named); 4 configuration; 7 I/O. See loketpipe(7).\n";

/* ---------------------------------------------------------------- one client */

/* Why no plan can be made for the client (E4, LX1), with the error issue; NULL: a plan. */
static const char *refusal(struct run *r, const struct desired *ds)
{
	const char *reason = NULL;
	if (!ds->validated || ds->blocked) {
		reason = !ds->validated ? "the desired state carries no validation record: run validate before map-compensation"
					: "validation found errors (E4): fix them, or set Consider in NL payroll to No";
		issue(r, NULL, "error", "E4", NULL, "see validate's issues for this client", "No plan for %s: %s",
		      r->cfg->client, reason);
	} else if (!r->cur || !r->cur->complete) {
		reason = !r->cur ? "the current Loket state (--current) has no records for this client"
				 : "the current Loket state is incomplete (its stream_end is missing or says complete:false)";
		issue(r, NULL, "error", "LX1", NULL, "run fetch-loket again and diff with its complete output",
		      "No plan for %s: %s", r->cfg->client, reason);
	} else if (!json_object_size(r->cur->meta)) {
		reason = "the current Loket state holds no Loket metadata (loket.current.metadata): the keys of gender, "
			 "country and wage type are never guessed";
		issue(r, NULL, "error", "LX1", NULL, "run fetch-loket again (it reads Loket's metadata) and diff with its output",
		      "No plan for %s: %s", r->cfg->client, reason);
	} else if (r->cfg->loket.payroll_administration_id) {
		for (size_t i = 0; i < r->cur->empls.n && !reason; i++) {
			const struct cur_employment *m = r->cur->empls.v[i];
			if (!strcmp(m->admin, r->cfg->loket.payroll_administration_id))
				continue;
			reason = "the current Loket state belongs to another payroll administration than the configuration's";
			issue(r, NULL, "error", "LX1", "payroll_administration_id", "fetch the administration the configuration names",
			      "No plan for %s: employment %s is in payroll administration %s, the configuration names %s",
			      r->cfg->client, m->id, m->admin, r->cfg->loket.payroll_administration_id);
		}
	}
	return reason;
}

/* M3: the employment with the income number; the entry date breaks a tie. NULL when none;
 * *in_admin: the employee has any employment in this payroll administration. */
static const struct cur_employment *employment_of(const struct want_employee *d, const struct cur_employee *e,
						  int *in_admin)
{
	const struct cur_employment *m = NULL;
	*in_admin = 0;
	for (size_t j = 0; j < e->m.n; j++) {
		const struct cur_employment *x = e->m.v[j];
		*in_admin = 1;
		if (x->income != d->income)
			continue;
		if (!m || (d->has_entry && x->start == d->entry) ||
		    (!(d->has_entry && m->start == d->entry) && x->start > m->start))
			m = x;
	}
	return m;
}

/* One employee Loket has: M3 picks the employment (E3 leaves a terminated one out), then
 * each differ in turn. */
static void plan_employee(struct run *r, const struct desired *ds, const struct want_employee *d,
			  const struct cur_employee *e)
{
	int in_admin;
	const struct cur_employment *m = employment_of(d, e, &in_admin);
	if (!in_admin) {
		issue(r, d, "warning", "M3", "employee_number", "check the Employee number in Personio, or add the employment in this payroll administration",
		      "Employee %lld exists in Loket but has no employment in this payroll administration: left out",
		      d->number);
		return;
	}
	if (m && m->has_end) {
		char db[16];
		issue(r, d, "warning", "E3", NULL, "nothing to do if the employee is leaving; otherwise remove the end date in Loket",
		      "Employee %lld is terminated in Loket (end date %s): left out of the sync", d->number,
		      lp_date_fmt(m->end, db));
		size_t nc = d->w.n + d->b.n + d->v.n;
		if (nc)
			issue(r, d, "warning", "X2", NULL, NULL,
			      "Employee %lld: %zu compensation record(s) from Personio are not created on the "
			      "terminated Loket employment", d->number, nc);
		return;
	}
	employee_data(r, d, e);
	if (!m) {
		issue(r, d, "warning", "M3", "income_number", "the payroll administrator creates the new employment in Loket; the next sync links to it",
		      "Employee %lld has no employment with income number %lld in Loket: employee data is "
		      "synced, compensation waits until that employment exists", d->number, d->income);
		return;
	}
	if (wage_keys_ok(r, d))
		wages(r, d, m);
	benefits_unless_held(r, d, m, ds->held);
	variable_input(r, d, m);
}

static int cmp_want_wage(const void *a, const void *b)
{
	const struct want_wage *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* The plan of a client that is not refused: every desired employee, then the concept
 * employees of Loket the desired state does not name (M2). */
static void plan_client(struct run *r, const struct desired *ds, json_t *created)
{
	char nb[24];
	set_wage_keys(r->cur);
	for (size_t i = 0; i < ds->order.n; i++) {
		struct want_employee *d = ds->order.v[i];
		if (d->w.n > 1)
			qsort(d->w.v, d->w.n, sizeof *d->w.v, cmp_want_wage);
		void *v;
		struct cur_employee *e = lp_map_get(r->cur->emp_by_num, numkey(d->number, nb), &v) ? v : NULL;
		json_error_t err; /* the records were parsed once when read: cannot fail now */
		/* an employee's trees (the re-parse, bodies, views) from lp_jalloc's arena, freed at once
		 * onto its free lists (texts freed with free(), json_dumps's, are made outside it) */
		lp_jalloc_arena_begin();
		if (!(d->rec = lp_json_loadb(d->text, d->len, &err)))
			lp_die_at(LP_EXIT_DATA, d->where, NULL, "%s", err.text);
		if (e) {
			cur_employee_rec(e);
			plan_employee(r, ds, d, e);
			cur_employee_release(e);
		} else
			concept_for(r, d, created);
		json_decref(d->rec);
		d->rec = NULL;
		lp_jalloc_arena_end();
	}
	for (size_t i = 0; i < r->cur->concepts.n; i++) {
		const struct cur_concept *k = &r->cur->concepts.v[i];
		if (k->number >= 0 && lp_map_get(ds->by_num, numkey(k->number, nb), NULL))
			continue; /* reported with its employee above */
		if (r->only)
			continue;
		issue(r, NULL, "info", "M2", NULL, "finalise it in Loket, or remove it there if it is not needed",
		      "Concept employee '%s'%s waits to be finalised in Loket", k->name ? k->name : k->id,
		      k->number >= 0 ? "" : " (no employee number)");
	}
}

/* A client's desired block is complete: its plan (or its refusal), then its states go. */
static void run_client(struct run *r, struct desired *ds)
{
	r->cfg = lp_configs_for(&r->cfgs, ds->client, ds->first_where);
	r->cur = cur_get(&r->cs, ds->client);
	r->issues = 0;
	lp_plan_begin(&r->plan, r->cfg->client);
	r->mapped = lp_map_new();
	char nb[24];
	for (size_t i = 0; i < r->cfg->compensation.nmap; i++) { /* both members of a pair (R1) */
		lp_map_add(r->mapped, numkey(r->cfg->compensation.map[i].payment, nb));
		lp_map_add(r->mapped, numkey(r->cfg->compensation.map[i].deduction, nb));
	}
	int planned = ds->validated && !ds->blocked;
	desired_flush(r, ds, planned);
	json_t *created = json_array();
	const char *reason = refusal(r, ds);
	if (!reason)
		plan_client(r, ds, created);
	plan_record(r, reason != NULL, reason, created);
	if (reason)
		r->findings = 1;
	json_t *counts = json_pack("{s:I,s:I}", "ops", (json_int_t)r->plan.seq, "issues", (json_int_t)r->issues);
	out_new(lp_stream_end(r->cfg->client, "plan", 1, counts, NULL));
	json_decref(created);
	lp_plan_end(&r->plan);
	lp_map_free(r->mapped, NULL);
	cur_done(&r->cs, r->cur);
	r->cur = NULL;
	free_desired(ds);
}

static void free_open(void *v)
{
	if (v)
		free_desired(v);
}

/* The desired state, one block per client (lp_block_route: a block ends with the client's
 * stream_end, or the end of input, as lp_block_run's do), its records read as they arrive,
 * never held. */
static void *desired_open(void *ctx, const char *client, const char *name, unsigned long line)
{
	(void)ctx;
	char w[600];
	return desired_new(client, where_fmt(w, sizeof w, name, line));
}

static int desired_one(void *ctx, void *state, json_t *rec, const char *raw, size_t len, const char *name,
		       unsigned long line)
{
	char w[600];
	desired_record(ctx, state, rec, raw, len, where_fmt(w, sizeof w, name, line));
	json_decref(rec);
	return 0;
}

static int desired_end(void *ctx, void *state, int has_end)
{
	(void)has_end;
	run_client(ctx, state);
	return 0;
}

static int run_desired(struct run *r, lp_in *in)
{
	static const lp_block_route_ops ops = {desired_open, desired_one, desired_end, free_open, 0};
	return lp_block_route(in, &ops, r);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"current", required_argument, 0, 'C'},
					     {"only", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	lp_init(argv[0]);
	struct run r;
	memset(&r, 0, sizeof r);
	LP_VEC(char *) cur = {0};
	int c;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': lp_configs_add(&r.cfgs, optarg); break;
		case 'C': *LP_VEC_PUSH(&cur) = optarg; break;
		case 'o': r.only = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!r.cfgs.n || !cur.n) {
		lp_warn(!r.cfgs.n ? "at least one --config is required" : "--current is required");
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
	open_current(&r.cs, cur.v, (int)cur.n);
	lp_in *in = lp_in_open(argv + optind, argc - optind);
	int rc = run_desired(&r, in);
	lp_in_close(in);
	close_current(&r.cs, !rc); /* the rest of --current is read: its errors are reported as before */
	int oc = lp_out_close();
	free(cur.v);
	lp_configs_free(&r.cfgs);
	return rc ? rc : oc ? oc : r.findings ? LP_EXIT_FINDINGS : 0;
}
