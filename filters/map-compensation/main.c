/* map-compensation - turn validated Personio records into the desired Loket state.
 *
 * Reads validate's output one client at a time and writes, per person in scope:
 *   loket.employee           employee data in Loket's own layout, BSN and IBAN (D3: blanks are null)
 *                            (this file)
 *   loket.wage               the basic wage chain from the compensation start date (S1, S2, S3):
 *                            monthly as is, annual / 12 (rounded half away from zero), hourly as
 *                            an hourly wage; always the 100% FTE amount (wages.c)
 *   loket.benefit_deduction  each mapped monthly recurring compensation (R1): value positive,
 *                            deduction true for a negative amount; a mapping pair
 *                            {payment, deduction} picks the component by that sign (benefits.c)
 *   loket.variable_input     one-time compensations of a mapped type summed per payroll period
 *                            (O1, O2) (one_time.c)
 * Unmapped types and disabled kinds produce nothing (K2). Nothing is dated before the
 * compensation start date (K1). Issue, validation, stream_end and other records pass through.
 * An amount Loket would refuse (lp_range.h) is never written (E2, for a pipeline without
 * validate): a bad salary holds back that employee's wage chain (wages.c), a bad benefit or
 * deduction the whole employee (benefits.c), each with an error issue (held_back, here); the
 * other employees are mapped. This file: the options, reading a client's block and the
 * records every rule writes from; map.h: what the files share.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "lp_block.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le_employee.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_rec.h"
#include "lp_emit.h"

static const char usage[] =
	"Usage: map-compensation -c CONFIG [-c CONFIG]... [FILE]...\n"
	"Turn validated Personio records into the desired Loket state: loket.employee, loket.wage,\n"
	"loket.benefit_deduction and loket.variable_input records.\n"
	"\n"
	"  -c, --config FILE   a client configuration; one per client in the input\n"
	"      --only ID       only the employee with this Personio id or Employee number (Loket)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON, '-' or none for standard input, .gz read transparently.\n"
	"Rounding: annual salary / 12 is rounded half away from zero to whole cents.\n"
	"\n"
	"Exit status: 0 done; 1 done, but an employee's amount Loket would refuse held back that\n"
	"employee's wages or the employee (E2 error issues); 2 usage; 3 bad input (file:line and\n"
	"field named); 4 configuration. See loketpipe(7).\n";

struct ctx {
	lp_configs cfgs;
	const char *only;  /* --only: one employee by Personio id or Employee number */
};

void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

/* "101" -> 101; null or not a number -> -1, written as JSON null (validate has reported it). */
static long long number_or_null(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || strspn(s, "0123456789") != n || n > 9)
		return -1;
	return atoll(s);
}

static void int_or_null(lp_jw *w, long long v)
{
	if (v < 0)
		lp_jw_null(w);
	else
		lp_jw_int(w, v);
}

/* every loket.* record is written here (lp_jw: no jansson object per record) */
static lp_jw jw = LP_JW_INIT;

lp_jw *base(const char *type, const char *client, const struct person *p)
{
	lp_jw_obj(&jw);
	lp_jw_key(&jw, "type");
	lp_jw_str(&jw, type);
	lp_jw_key(&jw, "client");
	lp_jw_str(&jw, client);
	lp_jw_key(&jw, "personio_id");
	lp_jw_str(&jw, p->pid);
	lp_jw_key(&jw, "employee_number");
	int_or_null(&jw, p->empno);
	lp_jw_key(&jw, "income_number");
	int_or_null(&jw, p->incno);
	return &jw;
}

void done(lp_jw *w)
{
	lp_jw_end(w);
	lp_jw_line(w);
}

/* as: the value of p's record at key, as it is (left out when absent, as json_object_set_new
 * leaves out the NULL of json_deep_copy(NULL)) */
static void copy_field(lp_jw *w, const struct person *p, const char *key, const char *as)
{
	const json_t *v = json_object_get(p->rec, key);
	if (!v)
		return;
	lp_jw_key(w, as);
	lp_jw_json(w, v);
}

/* E2: an amount Loket would refuse holds back what it belongs to, with an error issue naming
 * the employee, the compensation and the field (validate reports the same; this is for a
 * pipeline without it). Counted for the exit status. */
static unsigned long held_errors;

void held_back(const lp_config *cfg, const struct person *p, const struct comp *c, const char *field,
	       const char *hint, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *i = lp_issue(cfg->client, "error", "E2", p->pid, lp_json_str(p->rec, "employee_number"), field, msg, hint);
	lp_issue_source(i, c->where);
	out_new(i);
	held_errors++;
}

static void free_person(void *v)
{
	struct person *p = v;
	if (p) {
		free(p->comps.v);
		free(p);
	}
}

/* The people of one block in input order (all but --only's one dropped), indexed in people
 * by personio_id; returns how many. */
static size_t read_people(const struct ctx *x, lp_block *b, lp_map *people, struct person **order)
{
	size_t n = json_array_size(b->recs), np = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *w = lp_block_where(b, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		if (strcmp(type, "person"))
			continue;
		struct person *p = lp_xmalloc(sizeof *p);
		memset(p, 0, sizeof *p);
		p->rec = r;
		p->where = w;
		p->pid = lp_rec_str(r, "personio_id", 0, w);
		const char *en = lp_rec_str(r, "employee_number", 1, w);
		lp_rec_str(r, "income_number", 1, w);
		if (x->only && strcmp(p->pid, x->only) && !(en && !strcmp(en, x->only))) {
			free(p);
			continue;
		}
		p->empno = number_or_null(lp_json_str(r, "employee_number"));
		p->incno = number_or_null(lp_json_str(r, "income_number"));
		if (lp_map_get(people, p->pid, NULL)) {
			lp_die(LP_EXIT_DATA, "%s: personio_id %s: the same person twice in one client's records", w, p->pid);
		}
		lp_map_put(people, p->pid, p);
		order[np++] = p;
	}
	return np;
}

/* A compensation record read into *out; 0 when it is not one to map (not EUR, a salary
 * interval Loket does not take, or its kind disabled). */
static int read_comp(const lp_config *cfg, json_t *r, const char *w, struct comp *out)
{
	struct comp c = {r, w, NULL, NULL, NULL, NULL, 0, 0, 0, 0};
	c.kind = lp_rec_str(r, "kind", 0, w);
	c.cid = lp_rec_str(r, "compensation_id", 0, w);
	c.interval = lp_rec_str(r, "interval", 1, w);
	c.type_id = lp_rec_str(r, "type_id", 1, w);
	c.amount = lp_rec_money(r, "amount", w);
	lp_rec_date(r, "effective_from", 0, w, &c.from);
	c.has_to = lp_rec_date(r, "effective_to", 1, w, &c.to) == 0;
	const char *cur = lp_rec_str(r, "currency", 0, w);
	if (strcmp(cur, "EUR"))
		return 0; /* C3: validate reported it */
	int enabled = !strcmp(c.kind, "salary") ? cfg->compensation.sync_salary
		      : !strcmp(c.kind, "recurring") ? cfg->compensation.sync_recurring
		      : !strcmp(c.kind, "one_time") ? cfg->compensation.sync_one_time : -1;
	if (enabled < 0) {
		lp_die_at(LP_EXIT_DATA, w, "kind", "expected salary, recurring or one_time");
	}
	if (!strcmp(c.kind, "salary") && (!c.interval || (strcmp(c.interval, "monthly") &&
			strcmp(c.interval, "yearly") && strcmp(c.interval, "hourly"))))
		return 0; /* validate reported it (C3) */
	if (!enabled)
		return 0;
	*out = c;
	return 1;
}

/* Each compensation of a person kept goes to that person's comps, in input order. */
static void read_comps(const lp_config *cfg, lp_block *b, lp_map *people)
{
	size_t n = json_array_size(b->recs);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *w = lp_block_where(b, i);
		if (strcmp(json_string_value(json_object_get(r, "type")), "compensation"))
			continue;
		void *pv;
		if (!lp_map_get(people, lp_rec_str(r, "personio_id", 0, w), &pv))
			continue; /* validate dropped the person: nothing to sync */
		struct person *p = pv;
		struct comp c;
		if (read_comp(cfg, r, w, &c))
			*LP_VEC_PUSH(&p->comps) = c;
	}
}

/* One person's desired state: loket.employee, wages, benefits and deductions, variable input;
 * nothing when a benefit or deduction holds the employee back (E2). */
static void map_person(const lp_config *cfg, const struct person *p)
{
	if (benefit_values(cfg, p))
		return; /* E2: held back whole */
	lp_jw *w = base("loket.employee", cfg->client, p);
	copy_field(w, p, "entry_date", "entry_date");
	lp_jw_key(w, "employee");
	lp_le_employee_jw(w, p->rec);
	copy_field(w, p, "bsn", "citizen_service_number");
	copy_field(w, p, "iban", "iban");
	done(w);
	wages(cfg, p);
	benefits(cfg, p);
	variable_input(cfg, p);
}

static int run_block(void *ctx, lp_block *b)
{
	struct ctx *x = ctx;
	const lp_config *cfg = lp_configs_for(&x->cfgs, b->client, lp_block_where(b, 0));
	size_t n = json_array_size(b->recs);
	lp_map *people = lp_map_new();
	struct person **order = lp_xmalloc((n ? n : 1) * sizeof *order);
	size_t np = read_people(x, b, people, order);
	read_comps(cfg, b, people);
	for (size_t i = 0; i < np; i++)
		map_person(cfg, order[i]);
	for (size_t i = 0; i < n; i++) {
		json_t *r = json_array_get(b->recs, i);
		const char *type = json_string_value(json_object_get(r, "type"));
		if (strcmp(type, "person") && strcmp(type, "compensation"))
			lp_block_pass(b, i);
	}
	free(order);
	lp_map_free(people, free_person);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"only", required_argument, 0, 'o'},
					     {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	lp_init(argv[0]);
	struct ctx x;
	memset(&x, 0, sizeof x);
	int c;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': lp_configs_add(&x.cfgs, optarg); break;
		case 'o': x.only = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!x.cfgs.n)
		lp_usage_die(usage, "at least one --config is required");
	lp_in *in = lp_in_open(argv + optind, argc - optind);
	int rc = lp_block_run(in, run_block, &x);
	lp_in_close(in);
	lp_jw_free(&jw);
	int oc = lp_out_close();
	lp_configs_free(&x.cfgs);
	return rc ? rc : oc ? oc : held_errors ? LP_EXIT_FINDINGS : 0;
}
