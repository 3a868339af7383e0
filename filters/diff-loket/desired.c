/* desired.c - the desired state of one client (map-compensation's loket.* records), read per
 * block as its records arrive, into compact structs (no record is held as JSON; the
 * loket.employee record is kept as its text): its validation record (E4), one loket.employee
 * per employee number and its wages, benefits and variable input after it. A desired value
 * Loket would refuse is an E2 error that holds back that employee's wages, that component, or
 * (no employee number) that employee; never the client. What the block writes before its plan
 * (the records passed through, the E2 issues) is kept in input order and written at its end,
 * the E2 issues only when the client is planned (E4: a blocked client's desired state is not
 * read).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le_wage.h"
#include "lp_range.h"
#include "lp_rec.h"

/* An issue of reading, written at the block's end (desired_flush). */
static void defer(struct desired *ds, const char *sev, json_t *issue)
{
	*LP_VEC_PUSH(&ds->ev) = (struct ds_event){.issue = issue, .sev = sev};
}
#undef issue
#define issue(r, d, sev, rule, field, hint, ...)                                                                      \
	((void)(r), defer(ds, (sev),                                                                                   \
			  lp_issuef(ds->client, (sev), (rule), want_pid(d), want_number((d), (char[24]){0}), (field),  \
				    (hint), __VA_ARGS__)))

static void hold(struct desired *ds, char *k)
{
	lp_map_add(ds->held, k);
	free(k);
}

static struct want_employee *read_employee(struct desired *ds, json_t *rec, const char *raw, size_t len,
					   const char *w, const char *pid, long long en)
{
	char nb[24];
	struct want_employee *d = (void *)arena_alloc(&ds->arena, sizeof *d); /* with the rest of the client */
	memset(d, 0, sizeof *d);
	d->text = arena_text(&ds->arena, raw, len);
	d->len = len;
	d->where = arena_str(&ds->arena, w);
	d->pid = arena_str(&ds->arena, pid);
	d->number = en;
	d->income = lp_rec_int(rec, "income_number", 1, w);
	d->has_entry = lp_rec_date(rec, "entry_date", 1, w, &d->entry) == 0;
	if (!json_is_object(json_object_get(rec, "employee")))
		lp_die_at(LP_EXIT_DATA, w, "employee", "expected an object");
	lp_rec_str(rec, "citizen_service_number", 1, w);
	lp_map_put(ds->by_num, numkey(en, nb), d);
	*LP_VEC_PUSH(&ds->order) = d;
	return d;
}

static void read_wage(struct run *r, struct desired *ds, struct want_employee *d, json_t *rec, const char *w)
{
	char vwhy[200], db[16];
	struct want_wage *x = LP_VEC_PUSH(&d->w);
	lp_rec_date(rec, "start_date", 0, w, &x->start);
	x->amount = lp_rec_money(rec, "gross_wage", w);
	x->type = (int)lp_rec_int(rec, "gross_wage_type.key", 0, w);
	const char *why = lp_range_wage(x->amount, x->type == LP_LE_WAGE_HOURLY, vwhy, sizeof vwhy);
	if (!why)
		return;
	/* E2: the employee's whole wage chain waits; Loket keeps its wages */
	hold(ds, lp_xasprintf("w|%lld", d->number));
	issue(r, d, "error", "E2", "gross_wage", "correct the salary in Personio, then map and diff again",
	      "Employee %lld: the wage from %s (%s): %s; no wage of this employee is changed", d->number,
	      lp_date_fmt(x->start, db), w, why);
}

static void read_benefit(struct run *r, struct desired *ds, struct want_employee *d, json_t *rec, const char *w)
{
	char vwhy[200], db[16];
	struct want_benefit *x = LP_VEC_PUSH(&d->b);
	x->key = lp_rec_int(rec, "payroll_component_key", 0, w);
	x->value = lp_rec_money(rec, "value", w);
	lp_rec_date(rec, "start_date", 0, w, &x->start);
	x->has_end = lp_rec_date(rec, "end_date", 1, w, &x->end) == 0;
	x->where = arena_str(&ds->arena, w);
	x->deduction = lp_rec_bool(rec, "deduction", 0, w);                    /* R1: the kind its component must have */
	x->cid = arena_str(&ds->arena, lp_json_str(rec, "compensation_id")); /* for messages only */
	/* E2: a value Loket refuses (it is positive: the component says deduction or payment), or
	 * an end before the start: that component is left alone */
	const char *why = x->value < 0 ? "it is negative, but the value of a benefit or deduction is "
					 "positive (the component says which it is)"
				       : lp_range_benefit(x->value, vwhy, sizeof vwhy);
	const char *field = "value";
	if (!why && x->has_end && x->end < x->start) {
		why = "it ends before it starts";
		field = "end_date";
	}
	if (!why)
		return;
	hold(ds, lp_xasprintf("b|%lld|%lld", d->number, x->key));
	issue(r, d, "error", "E2", field, "correct the recurring compensation in Personio, then map and diff again",
	      "Employee %lld: component %lld from %s, %s (%s): %s; that component is left as Loket has it", d->number,
	      x->key, lp_date_fmt(x->start, db), lp_money_fmt(x->value, (char[32]){0}), w, why);
}

static void read_vi(struct want_employee *d, json_t *rec, const char *w)
{
	struct want_vi *x = LP_VEC_PUSH(&d->v);
	x->year = (int)lp_rec_int(rec, "year", 0, w);
	x->period = (int)lp_rec_int(rec, "period", 0, w);
	x->key = lp_rec_int(rec, "payroll_component_key", 0, w);
	x->value = lp_rec_money(rec, "value", w);
	if (x->period < 1 || x->period > 53)
		lp_die_at(LP_EXIT_DATA, w, "period", "expected 1..53");
}

/* One desired-state record of an employee with an employee number. */
static void read_record(struct run *r, struct desired *ds, json_t *rec, const char *raw, size_t len, const char *w,
			const char *type, const char *pid, long long en)
{
	char nb[24];
	void *v;
	struct want_employee *d = lp_map_get(ds->by_num, numkey(en, nb), &v) ? v : NULL;
	if (!strcmp(type, "loket.employee")) {
		if (d)
			lp_die_at(LP_EXIT_DATA, w, "employee_number", "employee %lld twice in one client's desired state", en);
		read_employee(ds, rec, raw, len, w, pid, en);
		return;
	}
	if (!d)
		lp_die_at(LP_EXIT_DATA, w, "employee_number",
			  "%s for employee %lld comes before (or without) its loket.employee record", type, en);
	if (!strcmp(type, "loket.wage"))
		read_wage(r, ds, d, rec, w);
	else if (!strcmp(type, "loket.benefit_deduction"))
		read_benefit(r, ds, d, rec, w);
	else if (!strcmp(type, "loket.variable_input"))
		read_vi(d, rec, w);
	else
		lp_die_at(LP_EXIT_DATA, w, "type", "unknown desired-state record type '%s'", type);
}

/* E2: no Employee number (Loket), nothing to match on (M1): left out, said once. */
static void no_number(struct run *r, struct desired *ds, const char *pid, const char *w)
{
	char *k = lp_xasprintf("n|%s", pid);
	if (lp_map_add(ds->held, k)) {
		struct want_employee who = {.pid = pid, .number = -1};
		issue(r, &who, "error", "E2", "employee_number", "fill in Employee number (Loket) in Personio",
		      "Personio employee %s has no Employee number (Loket): left out of the plan (%s)", pid, w);
	}
	free(k);
}

struct desired *desired_new(const char *client, const char *where)
{
	struct desired *ds = lp_xmalloc(sizeof *ds);
	memset(ds, 0, sizeof *ds);
	ds->client = arena_str(&ds->arena, client);
	ds->first_where = arena_str(&ds->arena, where);
	ds->by_num = lp_map_new();
	ds->held = lp_map_new();
	return ds;
}

void desired_record(struct run *r, struct desired *ds, json_t *rec, const char *raw, size_t len, const char *w)
{
	char nb[24];
	const char *type = json_string_value(json_object_get(rec, "type"));
	ds->nrecs++;
	if (!strcmp(type, "validation")) { /* E4 */
		ds->validated = 1;
		ds->blocked |= lp_rec_bool(rec, "blocked", 0, w);
	}
	if (!strcmp(type, "stream_end"))
		return; /* the upstream stream ends here; the plan gets its own */
	/* pass the records through that are not desired state; collect the desired state */
	if (strncmp(type, "loket.", 6) || !strncmp(type, "loket.current.", 14) || !strcmp(type, "loket.op")) {
		*LP_VEC_PUSH(&ds->ev) = (struct ds_event){.raw = arena_text(&ds->arena, raw, len), .len = len};
		return;
	}
	if (ds->validated && ds->blocked)
		return; /* E4: not read (a validation record after it may still block the client) */
	const char *pid = lp_rec_str(rec, "personio_id", 0, w);
	long long en = lp_rec_int(rec, "employee_number", 1, w);
	if (r->only && strcmp(pid, r->only) && (en < 0 || strcmp(numkey(en, nb), r->only)))
		return;
	if (en < 0)
		no_number(r, ds, pid, w);
	else
		read_record(r, ds, rec, raw, len, w, type, pid, en);
}

void desired_flush(struct run *r, struct desired *ds, int planned)
{
	for (size_t i = 0; i < ds->ev.n; i++) {
		struct ds_event *e = &ds->ev.v[i];
		if (e->raw) {
			if (lp_out_raw(e->raw, e->len))
				lp_die(LP_EXIT_IO, "%s", lp_out_error());
		} else if (planned) {
			issue_put(r, e->sev, e->issue);
			e->issue = NULL;
		}
	}
	if (!planned)
		return;
	for (size_t i = 0; i < ds->order.n; i++) {
		char *k = lp_xasprintf("w|%lld", ds->order.v[i]->number);
		if (lp_map_get(ds->held, k, NULL))
			ds->order.v[i]->w.n = 0; /* E2: as without a desired wage (S4): Loket's wages stay */
		free(k);
	}
}

void free_desired(struct desired *ds)
{
	for (size_t i = 0; i < ds->order.n; i++) {
		free(ds->order.v[i]->w.v);
		free(ds->order.v[i]->b.v);
		free(ds->order.v[i]->v.v);
	}
	free(ds->order.v);
	lp_map_free(ds->by_num, NULL);
	lp_map_free(ds->held, NULL);
	for (size_t i = 0; i < ds->ev.n; i++)
		json_decref(ds->ev.v[i].issue);
	free(ds->ev.v);
	arena_free(&ds->arena);
	free(ds);
}
