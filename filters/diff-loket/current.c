/* current.c - the current Loket state (fetch-loket's loket.current.* records), held whole and
 * indexed per client: employees by number and id, employments with their wages (sorted by
 * start), benefits and payroll period data, concept employees, Loket's metadata and its
 * payroll component catalogue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_ndjson.h"
#include "lp_rec.h"

const char *cur_keep(struct cur *c, const char *s)
{
	if (!s)
		return NULL;
	char *d = lp_xstrdup(s);
	*LP_VEC_PUSH(&c->strs) = d;
	return d;
}

static struct cur *cur_for(struct currents *cs, const char *client)
{
	struct cur *c = cur_find(cs, client);
	if (c)
		return c;
	c = lp_xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->client = lp_xstrdup(client);
	c->hold = json_array();
	c->emp_by_num = lp_map_new();
	c->emp_by_id = lp_map_new();
	c->empl_by_id = lp_map_new();
	c->ppd_by_id = lp_map_new();
	c->concept_by_num = lp_map_new();
	c->meta = json_object();
	c->comp_by = lp_map_new();
	c->comp_years = lp_map_new();
	c->wage_key_of[0] = c->wage_key_of[1] = c->wage_key_of[2] = -1;
	lp_map_put(cs->by_client, c->client, c);
	*LP_VEC_PUSH(&cs->list) = c;
	return c;
}

struct cur *cur_find(const struct currents *cs, const char *client)
{
	void *v;
	return lp_map_get(cs->by_client, client, &v) ? v : NULL;
}

/* ---- the records */

static void load_employee(struct cur *c, json_t *r, const char *w)
{
	char nb[24];
	struct cur_employee *e = lp_xmalloc(sizeof *e);
	memset(e, 0, sizeof *e);
	e->id = lp_rec_str(r, "id", 0, w);
	e->number = lp_rec_int(r, "employee_number", 1, w);
	e->rec = r;
	json_array_append(c->hold, r);
	if (!json_is_object(json_object_get(r, "employee")))
		lp_die_at(LP_EXIT_DATA, w, "employee", "expected an object");
	lp_rec_str(r, "citizen_service_number", 1, w);
	if (lp_map_put(c->emp_by_id, e->id, e))
		lp_die_at(LP_EXIT_DATA, w, "id", "employee %s twice in the current state", e->id);
	if (e->number >= 0)
		lp_map_put(c->emp_by_num, numkey(e->number, nb), e);
	*LP_VEC_PUSH(&c->emps) = e;
}

static void load_employment(struct cur *c, json_t *r, const char *w)
{
	struct cur_employment *m = lp_xmalloc(sizeof *m);
	memset(m, 0, sizeof *m);
	m->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	m->employee = cur_keep(c, lp_rec_str(r, "employee_id", 0, w));
	m->admin = cur_keep(c, lp_rec_str(r, "payroll_administration_id", 0, w));
	m->income = lp_rec_int(r, "income_number", 1, w);
	lp_rec_date(r, "start_date", 0, w, &m->start);
	m->has_end = lp_rec_date(r, "end_date", 1, w, &m->end) == 0;
	if (lp_map_put(c->empl_by_id, m->id, m))
		lp_die_at(LP_EXIT_DATA, w, "id", "employment %s twice in the current state", m->id);
	*LP_VEC_PUSH(&c->empls) = m;
}

static void load_wage(struct cur *c, json_t *r, const char *w)
{
	struct cur_wage *x = LP_VEC_PUSH(&c->wages);
	x->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	x->employment = cur_keep(c, lp_rec_str(r, "employment_id", 0, w));
	lp_rec_date(r, "start_date", 0, w, &x->start);
	x->amount = lp_rec_money(r, "gross_wage", w);
	x->type = (int)lp_rec_int(r, "gross_wage_type.key", 1, w); /* a key until load_current reads its kind */
	x->scale = json_is_true(json_object_get(r, "apply_pay_grade")); /* Loket takes the wage from the pay scale (X3) */
}

static void load_benefit(struct cur *c, json_t *r, const char *w)
{
	struct cur_benefit *x = LP_VEC_PUSH(&c->bens);
	x->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	x->employment = cur_keep(c, lp_rec_str(r, "employment_id", 0, w));
	x->key = lp_rec_int(r, "payroll_component_key", 0, w);
	x->value = lp_rec_money(r, "value", w);
	lp_rec_date(r, "start_date", 0, w, &x->start);
	x->has_end = lp_rec_date(r, "end_date", 1, w, &x->end) == 0;
}

/* One component entry; the record is made by its first entry. */
static void load_ppd_entry(struct cur *c, json_t *r, const char *w)
{
	const char *id = lp_rec_str(r, "id", 0, w);
	void *v;
	struct cur_ppd *d;
	if (lp_map_get(c->ppd_by_id, id, &v))
		d = v;
	else {
		d = lp_xmalloc(sizeof *d);
		memset(d, 0, sizeof *d);
		d->id = cur_keep(c, id);
		d->employment = cur_keep(c, lp_rec_str(r, "employment_id", 0, w));
		d->year = (int)lp_rec_int(r, "year", 0, w);
		d->period = (int)lp_rec_int(r, "period", 0, w);
		d->key = json_object_get(r, "key");
		if (!json_is_object(d->key))
			lp_die_at(LP_EXIT_DATA, w, "key", "expected an object");
		json_array_append(c->hold, d->key);
		lp_map_put(c->ppd_by_id, d->id, d);
		*LP_VEC_PUSH(&c->ppd) = d;
	}
	struct cur_ppd_entry *e = LP_VEC_PUSH(&d->e);
	e->key = lp_rec_int(r, "payroll_component_key", 0, w);
	e->value = lp_rec_money(r, "value", w);
	e->supplement = json_is_true(json_object_get(r, "is_supplement"));
}

static void load_concept(struct cur *c, json_t *r, const char *w)
{
	char nb[24];
	struct cur_concept *x = LP_VEC_PUSH(&c->concepts);
	x->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	x->name = cur_keep(c, lp_rec_str(r, "unique_name", 1, w));
	x->number = lp_rec_int(r, "employee_number", 1, w);
	if (x->number >= 0)
		lp_map_put(c->concept_by_num, numkey(x->number, nb), x);
}

static void load_record(struct cur *c, json_t *r, const char *type, const char *w)
{
	static const struct {
		const char *type;
		void (*load)(struct cur *, json_t *, const char *);
	} loaders[] = {
		{"loket.current.employee", load_employee},
		{"loket.current.employment", load_employment},
		{"loket.current.wage", load_wage},
		{"loket.current.benefit_deduction", load_benefit},
		{"loket.current.variable_input", load_ppd_entry},
		{"loket.current.concept_employee", load_concept},
		{"loket.current.metadata", load_metadata},
		{"loket.current.payroll_component", load_component},
	};
	for (size_t i = 0; i < sizeof loaders / sizeof loaders[0]; i++)
		if (!strcmp(type, loaders[i].type)) {
			loaders[i].load(c, r, w);
			return;
		}
	if (!strcmp(type, "stream_end"))
		c->complete = lp_rec_bool(r, "complete", 0, w);
}

static int cmp_wage(const void *a, const void *b, void *ctx)
{
	const struct cur *c = ctx;
	lp_date x = c->wages.v[*(const size_t *)a].start, y = c->wages.v[*(const size_t *)b].start;
	return x < y ? -1 : x > y;
}

/* Attach the sub-records to their employments, the employments to their employees. */
static void attach(struct cur *c)
{
	void *v;
	for (size_t i = 0; i < c->empls.n; i++)
		if (lp_map_get(c->emp_by_id, c->empls.v[i]->employee, &v))
			*LP_VEC_PUSH(&((struct cur_employee *)v)->m) = c->empls.v[i];
	for (size_t i = 0; i < c->wages.n; i++)
		if (lp_map_get(c->empl_by_id, c->wages.v[i].employment, &v))
			*LP_VEC_PUSH(&((struct cur_employment *)v)->w) = i;
	for (size_t i = 0; i < c->bens.n; i++)
		if (lp_map_get(c->empl_by_id, c->bens.v[i].employment, &v))
			*LP_VEC_PUSH(&((struct cur_employment *)v)->b) = i;
	for (size_t i = 0; i < c->ppd.n; i++)
		if (lp_map_get(c->empl_by_id, c->ppd.v[i]->employment, &v))
			*LP_VEC_PUSH(&((struct cur_employment *)v)->d) = i;
	for (size_t i = 0; i < c->empls.n; i++)
		if (c->empls.v[i]->w.n > 1)
			qsort_r(c->empls.v[i]->w.v, c->empls.v[i]->w.n, sizeof(size_t), cmp_wage, c);
	read_wage_kinds(c);
}

void load_current(struct currents *cs, char *const *paths, int n)
{
	cs->by_client = lp_map_new();
	lp_in *in = lp_in_open(paths, n);
	json_t *r;
	int rc;
	char w[600];
	while ((rc = lp_in_next(in, &r)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = json_string_value(json_object_get(r, "type"));
		struct cur *c = cur_for(cs, lp_rec_str(r, "client", 0, w));
		load_record(c, r, type, w);
		json_decref(r); /* what is needed was copied out, or is held */
	}
	if (rc < 0)
		exit(lp_in_error(in));
	lp_in_close(in);
	for (size_t k = 0; k < cs->list.n; k++)
		attach(cs->list.v[k]);
}

static void free_cur(struct cur *c)
{
	for (size_t i = 0; i < c->emps.n; i++) {
		free(c->emps.v[i]->m.v);
		free(c->emps.v[i]);
	}
	for (size_t i = 0; i < c->empls.n; i++) {
		free(c->empls.v[i]->w.v);
		free(c->empls.v[i]->b.v);
		free(c->empls.v[i]->d.v);
		free(c->empls.v[i]);
	}
	for (size_t i = 0; i < c->ppd.n; i++) {
		free(c->ppd.v[i]->e.v);
		free(c->ppd.v[i]);
	}
	free(c->emps.v);
	free(c->empls.v);
	free(c->ppd.v);
	free(c->wages.v);
	free(c->bens.v);
	free(c->concepts.v);
	free(c->comps.v);
	json_decref(c->meta);
	lp_map *maps[] = {c->comp_by, c->comp_years, c->emp_by_num, c->emp_by_id, c->empl_by_id, c->ppd_by_id, c->concept_by_num};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		lp_map_free(maps[i], NULL);
	json_decref(c->hold);
	for (size_t i = 0; i < c->strs.n; i++)
		free(c->strs.v[i]);
	free(c->strs.v);
	free(c->client);
	free(c);
}

void free_current(struct currents *cs)
{
	for (size_t k = 0; k < cs->list.n; k++)
		free_cur(cs->list.v[k]);
	free(cs->list.v);
	lp_map_free(cs->by_client, NULL);
}
