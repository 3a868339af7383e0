/* rows.c - the rows of the comparison, per employee.
 *
 * Each op of the plan makes its rows and marks them: a wage update or a benefit update
 * overwrites (before -> after), a benefit end is R2, a benefit delete R3 (both "end"), a
 * variable input delete or remove O3 ("delete"), a wage delete removes a link of the chain
 * ("delete"; "keep" when the same wage is posted again after it: Loket only appends), a create
 * or an upsert without before creates. An op names the Loket record it writes over by its path
 * (the record's id) and the employment by its chain. What no op touches is paired by the keys
 * diff-loket uses (a wage: the Loket wage in effect on Personio's start date; a benefit: the
 * component and start date; variable input: year, period and component): equal is "keep",
 * anything else "leave" (no op: the sync leaves Loket as it is; the employee's issues say
 * why), or "differs" when there is no plan at all.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le_wage.h"

const char *txt(const json_t *r, const char *k)
{
	const char *s = lp_json_text(json_object_get(r, k));
	return s ? s : "";
}

const char *rec_number(const json_t *r, char *buf)
{
	const json_t *v = json_object_get(r, "employee_number");
	if (json_is_integer(v)) {
		snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	const char *s = json_string_value(v);
	if (!s || !*s)
		return NULL;
	snprintf(buf, 24, "%s", s);
	return buf;
}

static long long num(const json_t *r, const char *k)
{
	const json_t *v = json_object_get(r, k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static lp_cents money(const json_t *r, const char *k)
{
	lp_cents c;
	if (lp_money_from_json(json_object_get(r, k), &c))
		lp_die(LP_EXIT_DATA, "a %s record: %s: not an amount", txt(r, "type")[0] ? txt(r, "type") : "plan", k);
	return c;
}

/* 1 and *d when member k is a date, 0 when it is null or absent */
static int date_of(const json_t *r, const char *k, lp_date *d)
{
	const char *s = lp_json_text(json_object_get(r, k));
	if (!s)
		return 0;
	if (lp_date_parse(s, d))
		lp_die(LP_EXIT_DATA, "a %s record: %s: '%s' is not a date", txt(r, "type")[0] ? txt(r, "type") : "plan", k, s);
	return 1;
}

static struct emp *emp_for(struct input *in, const char *number, const char *pid)
{
	char k[64];
	void *v;
	if (!number && !pid)
		return NULL;
	snprintf(k, sizeof k, "%s:%s", number ? "n" : "p", number ? number : pid);
	if (lp_map_get(in->emp_by, k, &v)) {
		struct emp *e = v;
		if (!e->pid && pid)
			e->pid = lp_xstrdup(pid);
		return e;
	}
	struct emp *e = lp_xmalloc(sizeof *e);
	memset(e, 0, sizeof *e);
	e->number = number ? lp_xstrdup(number) : NULL;
	e->pid = pid ? lp_xstrdup(pid) : NULL;
	e->income = -1;
	e->issues = json_array(), e->ops = json_array(), e->wages = json_array(), e->bens = json_array(),
	e->vis = json_array();
	lp_map_put(in->emp_by, k, e);
	*LP_VEC_PUSH(&in->emps) = e;
	return e;
}

static struct emp *emp_of(struct input *in, const json_t *r)
{
	char nb[24];
	const char *pid = lp_json_text(json_object_get(r, "personio_id"));
	return emp_for(in, rec_number(r, nb), pid && *pid ? pid : NULL);
}

/* "First prefix Last" from names in Loket's layout (firstName, prefix, lastName) or
 * extract-personio's (first_name, prefix, last_name) */
static char *name_of(const json_t *d, int loket)
{
	const char *f = txt(d, loket ? "firstName" : "first_name"), *p = txt(d, "prefix"),
		   *l = txt(d, loket ? "lastName" : "last_name");
	if (!*f && !*l)
		return NULL;
	return lp_xasprintf("%s%s%s%s%s", f, *f && (*p || *l) ? " " : "", p, *p && *l ? " " : "", l);
}

/* ------------------------------------------------------------------------- employees */

static void gather(struct input *in)
{
	size_t i;
	json_t *r;
	json_array_foreach(in->desired, i, r) {
		struct emp *e = emp_of(in, r);
		if (!e)
			continue;
		const char *type = txt(r, "type");
		if (e->income < 0)
			e->income = num(r, "income_number");
		if (!strcmp(type, "loket.employee")) {
			e->want_emp = r;
			e->has_entry = date_of(r, "entry_date", &e->entry);
			if (!e->name)
				e->name = name_of(json_object_get(json_object_get(r, "employee"), "personalDetails"), 1);
		} else
			json_array_append(!strcmp(type, "loket.wage") ? e->wages
					  : !strcmp(type, "loket.benefit_deduction") ? e->bens : e->vis, r);
	}
	json_array_foreach(in->ops, i, r) {
		struct emp *e = emp_of(in, r);
		if (!e)
			continue;
		json_array_append(e->ops, r);
		if (!strcmp(txt(r, "entity"), "concept_employee") && !strcmp(txt(r, "action"), "create"))
			e->concept = r;
	}
	json_array_foreach(in->issues, i, r) {
		struct emp *e = emp_of(in, r);
		if (e)
			json_array_append(e->issues, r);
	}
	/* names the desired state does not hold: Personio's (--people), else Loket's */
	lp_map *pp = lp_map_new(), *le = lp_map_new();
	json_array_foreach(in->people, i, r) lp_map_put(pp, txt(r, "personio_id"), r);
	char nb[24];
	json_array_foreach(in->cur_emps, i, r) if (rec_number(r, nb)) lp_map_put(le, nb, r);
	for (size_t k = 0; k < in->emps.n; k++) {
		struct emp *e = in->emps.v[k];
		void *v;
		if (!e->name && e->pid && lp_map_get(pp, e->pid, &v))
			e->name = name_of(v, 0);
		if (!e->name && e->number && lp_map_get(le, e->number, &v))
			e->name = name_of(json_object_get(json_object_get(v, "employee"), "personalDetails"), 1);
	}
	lp_map_free(pp, NULL);
	lp_map_free(le, NULL);
}

/* The employment the plan's ops write on (their chain); for an employee without ops, the one
 * with the desired income number (M3: the entry date breaks a tie, else the latest start). */
static void pick_employment(struct input *in, struct emp *e)
{
	size_t i, j;
	json_t *op, *m;
	json_array_foreach(e->ops, i, op) {
		const char *ch = txt(op, "chain");
		if (strncmp(ch, "employment:", 11))
			continue;
		json_array_foreach(in->cur_empls, j, m) if (!strcmp(txt(m, "id"), ch + 11)) {
			e->employment = m;
			return;
		}
	}
	if (!e->number)
		return;
	const json_t *best = NULL;
	lp_date bs = 0;
	char nb[24];
	json_array_foreach(in->cur_empls, j, m) {
		lp_date s = 0;
		if (!rec_number(m, nb) || strcmp(nb, e->number) || num(m, "income_number") != e->income)
			continue;
		date_of(m, "start_date", &s);
		if (!best || (e->has_entry && s == e->entry) || (!(e->has_entry && bs == e->entry) && s > bs))
			best = m, bs = s;
	}
	e->employment = best;
}

/* ------------------------------------------------------------------------- sides */

static int wage_hourly(const struct input *in, const json_t *w, int current)
{
	long long k = num(json_object_get(w, "gross_wage_type"), "key");
	if (current && in->wage_opts)
		return lp_le_wage_kind_of_key(in->wage_opts, k) == LP_LE_WAGE_HOURLY;
	return k == LP_LE_WAGE_HOURLY;
}

/* a side from a record: a current or desired one, or an op's before/after view */
static struct side side_wage(const struct input *in, const json_t *w, int current)
{
	struct side s = {.has = 1, .v = money(w, "gross_wage")};
	const json_t *t = json_object_get(w, "gross_wage_type");
	s.hourly = json_is_integer(t) ? json_integer_value(t) == LP_LE_WAGE_HOURLY : wage_hourly(in, w, current);
	date_of(w, "start_date", &s.start);
	s.scale = current && json_object_get(w, "pay_scale") && !json_is_null(json_object_get(w, "pay_scale"));
	return s;
}

static struct side side_ben(const json_t *b)
{
	struct side s = {.has = 1, .v = money(b, "value")};
	date_of(b, "start_date", &s.start);
	s.has_end = date_of(b, "end_date", &s.end);
	return s;
}

static struct side side_vi(const json_t *v)
{
	return (struct side){.has = 1, .v = money(v, "value")};
}

static int in_effect(const json_t *w, lp_date d)
{
	lp_date s, e;
	if (!date_of(w, "start_date", &s) || s > d)
		return 0;
	return !date_of(w, "end_date", &e) || e >= d;
}

static int same_ben(const struct side *a, const struct side *b)
{
	return a->v == b->v && a->has_end == b->has_end && (!a->has_end || a->end == b->end);
}

/* ------------------------------------------------------------------------- rows */

struct ctx {
	struct input *in;
	struct emp *e;
	const char *mid;       /* the employment's id, or "" */
	const json_t *cw, *cb, *cv; /* its current wages, benefits, variable input entries */
	lp_date start, lo;     /* the compensation start date; it or the employment's start */
	int sy, sp;            /* the start date's period */
	lp_map *lop;           /* Loket records an op writes over or removes ("w:ID", "b:ID", "v:Y/P/K") */
	lp_map *lshown;        /* Loket records in some row */
	lp_map *pused;         /* desired records in some row ("w:DATE", "b:K/DATE", "v:Y/P/K") */
	lp_map *skip;          /* op ids already in a row */
	int noplan;
	char why[200];         /* the employee's rule ids with a finding, for "leave" rows */
};

static struct row *new_row(struct ctx *c, enum what w, long long comp)
{
	struct row *r = LP_VEC_PUSH(&c->e->rows);
	memset(r, 0, sizeof *r);
	r->e = c->e;
	r->what = w;
	r->comp = comp;
	return r;
}

static const json_t *by_id(const json_t *arr, const char *id)
{
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r) if (!strcmp(txt(r, "id"), id)) return r;
	return NULL;
}

static const char *last_seg(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void key(char *b, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void key(char *b, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, n, fmt, ap);
	va_end(ap);
}

/* the other op of a wage delete that posts the same wage again (Loket only appends), or NULL */
static const json_t *reposted(const struct ctx *c, const json_t *del)
{
	size_t i;
	json_t *op;
	const json_t *b = json_object_get(del, "before");
	json_array_foreach(c->e->ops, i, op) {
		const json_t *a = json_object_get(op, "after");
		if (!strcmp(txt(op, "entity"), "wage") && !strcmp(txt(op, "action"), "create") &&
		    !strcmp(txt(op, "chain"), txt(del, "chain")) && json_is_object(a) && json_equal(json_object_get(a, "start_date"), json_object_get(b, "start_date")) &&
		    !strcmp(txt(a, "gross_wage"), txt(b, "gross_wage")) &&
		    json_equal(json_object_get(a, "gross_wage_type"), json_object_get(b, "gross_wage_type")))
			return op;
	}
	return NULL;
}

static void op_wage(struct ctx *c, const json_t *op, const char *action)
{
	char k[96], db[16];
	const json_t *b = json_object_get(op, "before"), *a = json_object_get(op, "after");
	struct row *r = new_row(c, W_SALARY, -1);
	r->rule = txt(op, "rule");
	if (!strcmp(action, "create")) {
		r->p = side_wage(c->in, a, 0);
		r->date = r->p.start;
		key(k, sizeof k, "w:%s", txt(a, "start_date"));
		lp_map_add(c->pused, k);
		/* what Loket pays on that date now */
		size_t i;
		json_t *w;
		json_array_foreach(c->cw, i, w) if (!strcmp(txt(w, "employment_id"), c->mid) && in_effect(w, r->date))
		{
			r->l = side_wage(c->in, w, 1);
			key(k, sizeof k, "w:%s", txt(w, "id"));
			lp_map_add(c->lshown, k);
			break;
		}
		r->mark = r->l.has ? M_OVERWRITE : M_CREATE;
		if (r->l.has)
			snprintf(r->note, sizeof r->note, "a new wage record from %s; Loket's record in effect then ends the day before "
				 "(Loket only appends to the chain)", lp_date_fmt(r->date, db));
		return;
	}
	const char *id = last_seg(txt(op, "path"));
	const json_t *cw = by_id(c->cw, id);
	r->l = side_wage(c->in, cw ? cw : b, cw != NULL);
	r->date = r->l.start;
	key(k, sizeof k, "w:%s", id);
	lp_map_add(c->lop, k);
	lp_map_add(c->lshown, k);
	if (!strcmp(action, "update")) {
		r->p = side_wage(c->in, a, 0);
		r->mark = M_OVERWRITE;
		key(k, sizeof k, "w:%s", txt(a, "start_date"));
		lp_map_add(c->pused, k);
		if (r->l.scale)
			snprintf(r->note, sizeof r->note, "Loket's wage is on a pay scale: it becomes Personio's fixed wage (X3)");
		return;
	}
	const json_t *again = reposted(c, op);
	if (again) {
		lp_map_add(c->skip, txt(again, "op_id"));
		r->p = r->l;
		r->mark = M_KEEP;
		key(k, sizeof k, "w:%s", txt(b, "start_date"));
		lp_map_add(c->pused, k);
		snprintf(r->note, sizeof r->note, "deleted and posted again with the same value, to make room for an earlier "
			 "change (Loket only appends to the chain)");
		return;
	}
	r->mark = M_DELETE;
	r->destroys = 1;
	snprintf(r->note, sizeof r->note, "not in Personio's salary chain: removed");
}

/* a desired benefit of this employee with component comp in effect on d, or NULL */
static const json_t *want_ben_on(const struct ctx *c, long long comp, lp_date d)
{
	size_t i;
	json_t *b;
	json_array_foreach(c->e->bens, i, b) if (num(b, "payroll_component_key") == comp && in_effect(b, d)) return b;
	return NULL;
}

static void op_ben(struct ctx *c, const json_t *op, const char *action)
{
	char k[96], db[16];
	const json_t *b = json_object_get(op, "before"), *a = json_object_get(op, "after");
	struct row *r = new_row(c, W_RECURRING, num(json_is_object(a) ? a : b, "payroll_component_key"));
	r->rule = txt(op, "rule");
	if (!strcmp(action, "create")) {
		r->p = side_ben(a);
		r->date = r->p.start;
		r->mark = M_CREATE;
		key(k, sizeof k, "b:%lld/%s", r->comp, txt(a, "start_date"));
		lp_map_add(c->pused, k);
		return;
	}
	const char *id = last_seg(txt(op, "path"));
	const json_t *cb = by_id(c->cb, id);
	r->l = side_ben(cb ? cb : b);
	r->date = r->l.start;
	key(k, sizeof k, "b:%s", id);
	lp_map_add(c->lop, k);
	lp_map_add(c->lshown, k);
	if (!strcmp(action, "update")) {
		r->p = side_ben(a);
		r->mark = M_OVERWRITE;
		key(k, sizeof k, "b:%lld/%s", r->comp, txt(a, "start_date"));
		lp_map_add(c->pused, k);
		if (r->p.v == r->l.v)
			snprintf(r->note, sizeof r->note, "the same amount; the end date becomes Personio's");
		return;
	}
	r->mark = M_END;
	if (!strcmp(action, "end")) {
		lp_date e = 0;
		date_of(a, "end_date", &e);
		const json_t *w = want_ben_on(c, r->comp, e + 1);
		r->destroys = !w;
		snprintf(r->note, sizeof r->note, "end-dated %s, the day before the compensation start date; %s",
			 lp_date_fmt(e, db), w ? "Personio's record of the component follows (see its row)"
					       : "Personio has no record of this component then: it is not paid from then on");
		return;
	}
	r->destroys = 1;
	snprintf(r->note, sizeof r->note, "no counterpart in Personio: removed");
}

static void op_vi(struct ctx *c, const json_t *op, const char *action)
{
	char k[96];
	const json_t *bs = json_object_get(op, "before"), *as = json_object_get(op, "after");
	size_t n = json_array_size(json_is_array(as) ? as : bs);
	for (size_t i = 0; i < n; i++) {
		const json_t *b = json_array_get(bs, i), *a = json_array_get(as, i), *x = json_is_object(a) ? a : b;
		if (!json_is_object(x))
			continue;
		struct row *r = new_row(c, W_ONE_TIME, num(x, "payroll_component_key"));
		r->rule = txt(op, "rule");
		r->year = (int)num(x, "year"), r->period = (int)num(x, "period");
		key(k, sizeof k, "v:%d/%d/%lld", r->year, r->period, r->comp);
		if (json_is_object(b)) {
			r->l = side_vi(b);
			lp_map_add(c->lshown, k);
			lp_map_add(c->lop, k);
		}
		if (!strcmp(action, "upsert")) {
			r->p = side_vi(a);
			r->mark = r->l.has ? M_OVERWRITE : M_CREATE;
			lp_map_add(c->pused, k);
			continue;
		}
		r->mark = M_DELETE;
		r->destroys = 1;
		snprintf(r->note, sizeof r->note, "not in Personio: removed%s",
			 !strcmp(action, "remove") ? " (the Loket record's other components stay)" : "");
	}
}

/* desired records no op wrote: keep when Loket holds them, else leave */
static enum mark unmatched(const struct ctx *c, struct row *r, const char *pside)
{
	if (c->noplan)
		return M_DIFFERS;
	if (c->e->concept || strstr(c->why, "M2"))
		snprintf(r->note, sizeof r->note, "%s", pside ? "waits until the payroll administrator finalises the concept "
						  "employee in Loket (M2)" : "no op: Loket keeps it");
	else
		snprintf(r->note, sizeof r->note, "%s%s%s", pside ? "not sent to Loket" : "no op: Loket keeps it",
			 *c->why ? "; see " : "", c->why);
	return M_LEAVE;
}

static void rest_wages(struct ctx *c)
{
	char k[96];
	size_t n = json_array_size(c->e->wages);
	for (size_t i = 0; i < n; i++) {
		const json_t *w = json_array_get(c->e->wages, i), *nx = json_array_get(c->e->wages, i + 1);
		lp_date s, e, ns;
		if (!date_of(w, "start_date", &s) || (date_of(w, "end_date", &e) && e < c->lo))
			continue;
		if (nx && date_of(nx, "start_date", &ns) && ns <= c->lo)
			continue; /* wholly before the start date (K1) */
		if (s < c->lo)
			s = c->lo;
		char db[16];
		key(k, sizeof k, "w:%s", lp_date_fmt(s, db));
		if (!lp_map_add(c->pused, k))
			continue;
		struct row *r = new_row(c, W_SALARY, -1);
		r->p = side_wage(c->in, w, 0);
		r->date = s;
		size_t j;
		json_t *cw;
		json_array_foreach(c->cw, j, cw) {
			key(k, sizeof k, "w:%s", txt(cw, "id"));
			if (strcmp(txt(cw, "employment_id"), c->mid) || !in_effect(cw, s) || lp_map_get(c->lop, k, NULL))
				continue;
			r->l = side_wage(c->in, cw, 1);
			lp_map_add(c->lshown, k);
			break;
		}
		if (r->l.has && r->l.v == r->p.v && r->l.hourly == r->p.hourly && !r->l.scale)
			r->mark = M_KEEP;
		else if (c->e->concept && !c->noplan &&
			 !strcmp(txt(json_object_get(c->e->concept, "after"), "gross_wage"), txt(w, "gross_wage"))) {
			r->mark = M_CREATE;
			r->rule = "M1";
			snprintf(r->note, sizeof r->note, "with the new concept employee");
		} else
			r->mark = unmatched(c, r, "p");
	}
}

static void rest_bens(struct ctx *c)
{
	char k[96], db[16];
	size_t i, j;
	json_t *b, *cb;
	json_array_foreach(c->e->bens, i, b) {
		struct side p = side_ben(b);
		if (p.has_end && p.end < c->lo)
			continue;
		if (p.start < c->lo)
			p.start = c->lo;
		long long comp = num(b, "payroll_component_key");
		key(k, sizeof k, "b:%lld/%s", comp, lp_date_fmt(p.start, db));
		if (!lp_map_add(c->pused, k))
			continue;
		struct row *r = new_row(c, W_RECURRING, comp);
		r->p = p;
		r->date = p.start;
		json_array_foreach(c->cb, j, cb) {
			key(k, sizeof k, "b:%s", txt(cb, "id"));
			struct side l = side_ben(cb);
			if (strcmp(txt(cb, "employment_id"), c->mid) || num(cb, "payroll_component_key") != comp ||
			    l.start != p.start || lp_map_get(c->lop, k, NULL))
				continue;
			r->l = l;
			lp_map_add(c->lshown, k);
			break;
		}
		r->mark = r->l.has && same_ben(&r->l, &r->p) ? M_KEEP : unmatched(c, r, "p");
	}
}

static void rest_vis(struct ctx *c)
{
	char k[96];
	size_t i, j;
	json_t *v, *cv;
	json_array_foreach(c->e->vis, i, v) {
		int y = (int)num(v, "year"), p = (int)num(v, "period");
		long long comp = num(v, "payroll_component_key");
		if (y < c->sy || (y == c->sy && p < c->sp))
			continue;
		key(k, sizeof k, "v:%d/%d/%lld", y, p, comp);
		if (!lp_map_add(c->pused, k))
			continue;
		struct row *r = new_row(c, W_ONE_TIME, comp);
		r->year = y, r->period = p;
		r->p = side_vi(v);
		json_array_foreach(c->cv, j, cv) if (!strcmp(txt(cv, "employment_id"), c->mid) &&
							     num(cv, "year") == y && num(cv, "period") == p &&
							     num(cv, "payroll_component_key") == comp && !lp_map_get(c->lop, k, NULL))
		{
			r->l = side_vi(cv);
			break;
		}
		lp_map_add(c->lshown, k);
		r->mark = r->l.has && r->l.v == r->p.v ? M_KEEP : unmatched(c, r, "p");
	}
}

static int is_mapped(const struct ctx *c, long long comp)
{
	char nb[24];
	snprintf(nb, sizeof nb, "%lld", comp);
	return lp_map_get(c->in->mapped, nb, NULL);
}

/* a row of a kind the configuration does not sync: say so */
static void not_synced(const struct ctx *c, struct row *r)
{
	static const char *const key[] = {"sync_salary", "sync_recurring", "sync_one_time"};
	const int on[] = {c->in->cfg->compensation.sync_salary, c->in->cfg->compensation.sync_recurring,
			  c->in->cfg->compensation.sync_one_time};
	if (!on[r->what] && r->mark == M_LEAVE)
		snprintf(r->note, sizeof r->note, "not synced: compensation.%s is false in the configuration", key[r->what]);
}

/* Loket's records from the start date on that no row holds yet: the sync leaves them */
static void rest_loket(struct ctx *c)
{
	char k[96];
	size_t i;
	json_t *x;
	json_array_foreach(c->cw, i, x) {
		lp_date e;
		key(k, sizeof k, "w:%s", txt(x, "id"));
		if (strcmp(txt(x, "employment_id"), c->mid) || lp_map_get(c->lshown, k, NULL) ||
		    (date_of(x, "end_date", &e) && e < c->lo))
			continue;
		struct row *r = new_row(c, W_SALARY, -1);
		r->l = side_wage(c->in, x, 1);
		r->date = r->l.start;
		r->mark = unmatched(c, r, NULL);
	}
	json_array_foreach(c->cb, i, x) {
		struct side l = side_ben(x);
		key(k, sizeof k, "b:%s", txt(x, "id"));
		if (strcmp(txt(x, "employment_id"), c->mid) || lp_map_get(c->lshown, k, NULL) || (l.has_end && l.end < c->start))
			continue;
		if (!is_mapped(c, num(x, "payroll_component_key"))) {
			c->in->unmapped++;
			continue;
		}
		struct row *r = new_row(c, W_RECURRING, num(x, "payroll_component_key"));
		r->l = l;
		r->date = l.start;
		r->mark = unmatched(c, r, NULL);
	}
	json_array_foreach(c->cv, i, x) {
		int y = (int)num(x, "year"), p = (int)num(x, "period");
		long long comp = num(x, "payroll_component_key");
		key(k, sizeof k, "v:%d/%d/%lld", y, p, comp);
		if (strcmp(txt(x, "employment_id"), c->mid) || lp_map_get(c->lshown, k, NULL) || y < c->sy ||
		    (y == c->sy && p < c->sp))
			continue;
		if (!is_mapped(c, comp)) {
			c->in->unmapped++;
			continue;
		}
		struct row *r = new_row(c, W_ONE_TIME, comp);
		r->year = y, r->period = p;
		r->l = side_vi(x);
		r->mark = unmatched(c, r, NULL);
	}
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->what != y->what)
		return x->what < y->what ? -1 : 1;
	if (x->comp != y->comp)
		return x->comp < y->comp ? -1 : 1;
	long long p = x->what == W_ONE_TIME ? x->year * 100LL + x->period : x->date,
		  q = y->what == W_ONE_TIME ? y->year * 100LL + y->period : y->date;
	if (p != q)
		return p < q ? -1 : 1;
	return x->mark < y->mark ? -1 : x->mark > y->mark;
}

/* the current records of kind k ("w", "b", "v") of an employment (an empty array: none) */
static const json_t *of_employment(const struct input *in, const char *k, const char *mid)
{
	static json_t *none;
	char key[160];
	void *v;
	snprintf(key, sizeof key, "%s:%s", k, mid);
	if (lp_map_get(in->by_empl, key, &v))
		return v;
	if (!none)
		none = json_array();
	return none;
}

static void index_current(struct input *in)
{
	const json_t *arr[3] = {in->cur_wages, in->cur_bens, in->cur_vis};
	static const char *const k[3] = {"w", "b", "v"};
	char key[160];
	in->by_empl = lp_map_new();
	for (int a = 0; a < 3; a++) {
		size_t i;
		json_t *r;
		void *v;
		json_array_foreach(arr[a], i, r) {
			snprintf(key, sizeof key, "%s:%s", k[a], txt(r, "employment_id"));
			if (!lp_map_get(in->by_empl, key, &v))
				lp_map_put(in->by_empl, key, v = json_array());
			json_array_append(v, r);
		}
	}
}

static void drop(void *v)
{
	json_decref(v);
}

void free_rows(struct input *in)
{
	lp_map_free(in->by_empl, drop);
	lp_map_free(in->emp_by, NULL);
}

static void emp_rows(struct input *in, struct emp *e)
{
	if (!e->want_emp && !json_array_size(e->wages) && !json_array_size(e->bens) && !json_array_size(e->vis))
		return; /* not in the desired state: left out (its issues say why) */
	pick_employment(in, e);
	struct ctx c = {.in = in, .e = e, .mid = e->employment ? txt(e->employment, "id") : "",
			.start = in->cfg->compensation.start_date, .lop = lp_map_new(), .lshown = lp_map_new(),
			.pused = lp_map_new(), .skip = lp_map_new(),
			.noplan = !in->plan || json_is_true(json_object_get(in->plan, "blocked"))};
	c.cw = of_employment(in, "w", c.mid), c.cb = of_employment(in, "b", c.mid), c.cv = of_employment(in, "v", c.mid);
	c.lo = c.start;
	lp_date ms;
	if (e->employment && date_of(e->employment, "start_date", &ms) && ms > c.lo)
		c.lo = ms;
	lp_period_of(c.start, &c.sy, &c.sp);
	size_t i, w = 0;
	json_t *x;
	json_array_foreach(e->issues, i, x) {
		const char *rule = txt(x, "rule");
		if (*rule && !strstr(c.why, rule) && w + strlen(rule) + 3 < sizeof c.why)
			w += (size_t)snprintf(c.why + w, sizeof c.why - w, "%s%s", w ? ", " : "", rule);
	}
	json_array_foreach(e->ops, i, x) {
		const char *ent = txt(x, "entity"), *act = txt(x, "action");
		if (lp_map_get(c.skip, txt(x, "op_id"), NULL))
			continue;
		if (!strcmp(ent, "wage"))
			op_wage(&c, x, act);
		else if (!strcmp(ent, "benefit_deduction"))
			op_ben(&c, x, act);
		else if (!strcmp(ent, "variable_input"))
			op_vi(&c, x, act);
	}
	rest_wages(&c);
	rest_bens(&c);
	rest_vis(&c);
	if (e->employment)
		rest_loket(&c);
	for (size_t k = 0; k < e->rows.n; k++)
		not_synced(&c, &e->rows.v[k]);
	qsort(e->rows.v, e->rows.n, sizeof *e->rows.v, cmp_row);
	lp_map_free(c.lop, NULL);
	lp_map_free(c.lshown, NULL);
	lp_map_free(c.pused, NULL);
	lp_map_free(c.skip, NULL);
}

static int cmp_wage_start(const void *a, const void *b)
{
	const char *x = txt(*(json_t *const *)a, "start_date"), *y = txt(*(json_t *const *)b, "start_date");
	return strcmp(x, y);
}

static int cmp_emp(const void *a, const void *b)
{
	const struct emp *x = *(struct emp *const *)a, *y = *(struct emp *const *)b;
	if (!x->number != !y->number)
		return x->number ? -1 : 1;
	if (x->number) {
		long long p = atoll(x->number), q = atoll(y->number);
		if (p != q)
			return p < q ? -1 : 1;
		return strcmp(x->number, y->number);
	}
	return strcmp(x->pid ? x->pid : "", y->pid ? y->pid : "");
}

void build_rows(struct input *in)
{
	in->emp_by = lp_map_new();
	index_current(in);
	gather(in);
	for (size_t i = 0; i < in->emps.n; i++) {
		struct emp *e = in->emps.v[i];
		size_t n = json_array_size(e->wages);
		if (n > 1) { /* the chain in date order */
			json_t **v = lp_xmalloc(n * sizeof *v);
			for (size_t k = 0; k < n; k++)
				v[k] = json_incref(json_array_get(e->wages, k));
			qsort(v, n, sizeof *v, cmp_wage_start);
			json_array_clear(e->wages);
			for (size_t k = 0; k < n; k++)
				json_array_append_new(e->wages, v[k]);
			free(v);
		}
		emp_rows(in, e);
	}
	if (in->emps.n > 1)
		qsort(in->emps.v, in->emps.n, sizeof *in->emps.v, cmp_emp);
}
