/* current.c - the current Loket state (fetch-loket's loket.current.* records), read one
 * client at a time and indexed: employees by number and id, employments with their wages
 * (sorted by start), benefits and payroll period data, concept employees, Loket's metadata and
 * its payroll component catalogue. Compact structs: dates as lp_date, money as lp_cents,
 * strings interned in the client's arena; an employee record is kept as its text and parsed
 * only while its employee is planned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_rec.h"

const char *cur_keep(struct cur *c, const char *s)
{
	return arena_str(&c->arena, s);
}

/* An employment id a sub-record refers to: stored once for the run of records that follow
 * their employment (as fetch-loket writes them), no hashing. */
static const char *cur_ref(struct cur *c, const char *s)
{
	if (!c->last_ref || strcmp(c->last_ref, s))
		c->last_ref = arena_str(&c->arena, s);
	return c->last_ref;
}

/* The state being read for the client of a record at w; a client whose plan is written
 * (its state freed) gets no more records. */
static struct cur *cur_for(struct currents *cs, const char *client, const char *w)
{
	void *v = NULL;
	if (lp_map_get(cs->by_client, client, &v)) {
		struct cur *c = v;
		if (!c || c->ended)
			lp_die_at(LP_EXIT_DATA, w, "client",
				  "client %s's current state goes on after its stream_end%s: give each client's current "
				  "state once, ending with its stream_end (as fetch-loket writes it)", client,
				  c ? "" : ", and its plan is written");
		return c;
	}
	struct cur *c = lp_xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->client = arena_str(&c->arena, client);
	c->ppd_keys = json_array();
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
	return c;
}

/* ---- the records */

/* The text of the record being loaded (the employee's, kept to be parsed again when planned). */
static const char *raw_text;
static size_t raw_len;

static void load_employee(struct cur *c, json_t *r, const char *w)
{
	char nb[24];
	struct cur_employee *e = (void *)arena_alloc(&c->arena, sizeof *e); /* with the rest of the client */
	memset(e, 0, sizeof *e);
	e->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	e->number = lp_rec_int(r, "employee_number", 1, w);
	e->text = arena_text(&c->arena, raw_text, raw_len);
	e->len = raw_len;
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
	struct cur_employment *m = (void *)arena_alloc(&c->arena, sizeof *m);
	memset(m, 0, sizeof *m);
	m->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	m->employee = cur_keep(c, lp_rec_str(r, "employee_id", 0, w));
	m->admin = arena_intern(&c->arena, lp_rec_str(r, "payroll_administration_id", 0, w)); /* one or a few */
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
	x->employment = cur_ref(c, lp_rec_str(r, "employment_id", 0, w));
	lp_rec_date(r, "start_date", 0, w, &x->start);
	x->amount = lp_rec_money(r, "gross_wage", w);
	x->type = (int)lp_rec_int(r, "gross_wage_type.key", 1, w); /* a key until load_current reads its kind */
	x->scale = json_is_true(json_object_get(r, "apply_pay_grade")); /* Loket takes the wage from the pay scale (X3) */
}

static void load_benefit(struct cur *c, json_t *r, const char *w)
{
	struct cur_benefit *x = LP_VEC_PUSH(&c->bens);
	x->id = cur_keep(c, lp_rec_str(r, "id", 0, w));
	x->employment = cur_ref(c, lp_rec_str(r, "employment_id", 0, w));
	x->key = lp_rec_int(r, "payroll_component_key", 0, w);
	x->value = lp_rec_money(r, "value", w);
	lp_rec_date(r, "start_date", 0, w, &x->start);
	x->has_end = lp_rec_date(r, "end_date", 1, w, &x->end) == 0;
}

/* a and b are the same JSON, members in the same order (so they are written the same). */
static int same_json(const json_t *a, const json_t *b)
{
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		void *i = json_object_iter((json_t *)a), *j = json_object_iter((json_t *)b);
		for (; i && j; i = json_object_iter_next((json_t *)a, i), j = json_object_iter_next((json_t *)b, j))
			if (strcmp(json_object_iter_key(i), json_object_iter_key(j)) ||
			    !same_json(json_object_iter_value(i), json_object_iter_value(j)))
				return 0;
		return 1;
	}
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (size_t k = 0; k < json_array_size(a); k++)
			if (!same_json(json_array_get(a, k), json_array_get(b, k)))
				return 0;
		return 1;
	}
	return json_equal(a, b);
}

/* The one tree of a period data record's upsert key: the records of a client mostly share a
 * few keys (shift, payslip type, ...), held once; past SHARED_KEYS distinct ones each is held. */
#define SHARED_KEYS 32
static json_t *shared_key(struct cur *c, json_t *key)
{
	size_t n = json_array_size(c->ppd_keys);
	for (size_t i = 0; i < n && i < SHARED_KEYS; i++)
		if (same_json(json_array_get(c->ppd_keys, i), key))
			return json_array_get(c->ppd_keys, i);
	json_array_append(c->ppd_keys, key);
	return key;
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
		d = (void *)arena_alloc(&c->arena, sizeof *d);
		memset(d, 0, sizeof *d);
		d->id = cur_keep(c, id);
		d->employment = cur_ref(c, lp_rec_str(r, "employment_id", 0, w));
		d->year = (int)lp_rec_int(r, "year", 0, w);
		d->period = (int)lp_rec_int(r, "period", 0, w);
		json_t *key = json_object_get(r, "key");
		if (!json_is_object(key))
			lp_die_at(LP_EXIT_DATA, w, "key", "expected an object");
		d->key = shared_key(c, key);
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
	if (!strcmp(type, "stream_end")) {
		c->complete = lp_rec_bool(r, "complete", 0, w);
		c->ended = 1;
	}
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
	lp_map *maps[] = {c->emp_by_id, c->empl_by_id, c->ppd_by_id}; /* needed only while loading */
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		lp_map_free(maps[i], NULL);
	c->emp_by_id = c->empl_by_id = c->ppd_by_id = NULL;
}

void open_current(struct currents *cs, char *const *paths, int n)
{
	cs->by_client = lp_map_new();
	cs->in = lp_in_open(paths, n);
}

static void free_cur(struct cur *c);

/* Read one record into its client's state; 0 at the end of input. */
static int read_one(struct currents *cs, struct cur **got)
{
	json_t *r;
	int rc = lp_in_next(cs->in, &r);
	if (rc < 0)
		exit(lp_in_error(cs->in));
	if (rc == 0) {
		cs->eof = 1;
		return 0;
	}
	char w[600];
	where_fmt(w, sizeof w, lp_in_name(cs->in), lp_in_line(cs->in));
	const char *type = json_string_value(json_object_get(r, "type"));
	struct cur *c = cur_for(cs, lp_rec_str(r, "client", 0, w), w);
	raw_text = lp_in_raw(cs->in, &raw_len);
	load_record(c, r, type, w);
	json_decref(r); /* what is needed was copied out */
	*got = c;
	return 1;
}

struct cur *cur_get(struct currents *cs, const char *client)
{
	void *v = NULL;
	if (lp_map_get(cs->by_client, client, &v) && !v)
		lp_die(LP_EXIT_DATA, "client %s: a second block of its desired state, after its plan was written: give "
				     "each client's desired state once", client);
	struct cur *c = v, *got;
	while (!(c && c->ended) && !cs->eof)
		if (read_one(cs, &got) && !strcmp(got->client, client))
			c = got;
	if (c && !c->attached) {
		attach(c);
		c->attached = 1;
	}
	return c;
}

void cur_done(struct currents *cs, struct cur *c)
{
	if (!c)
		return;
	lp_map_put(cs->by_client, c->client, NULL); /* the key is copied: c->client may go */
	free_cur(c);
}

static void free_value(void *v)
{
	if (v)
		free_cur(v);
}

void close_current(struct currents *cs, int drain)
{
	struct cur *got;
	while (drain && read_one(cs, &got))
		if (got->ended) /* no plan comes for it now: it was read only to check it */
			cur_done(cs, got);
	lp_in_close(cs->in);
	lp_map_free(cs->by_client, free_value);
}

static void free_cur(struct cur *c)
{
	for (size_t i = 0; i < c->emps.n; i++) {
		free(c->emps.v[i]->m.v);
	}
	for (size_t i = 0; i < c->empls.n; i++) {
		free(c->empls.v[i]->w.v);
		free(c->empls.v[i]->b.v);
		free(c->empls.v[i]->d.v);
	}
	for (size_t i = 0; i < c->ppd.n; i++) {
		free(c->ppd.v[i]->e.v);
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
	json_decref(c->ppd_keys);
	arena_free(&c->arena);
	free(c);
}

json_t *cur_employee_rec(struct cur_employee *e)
{
	json_error_t err;
	if (!e->rec && !(e->rec = lp_json_loadb(e->text, e->len, &err))) /* it was parsed once: cannot fail */
		lp_die(LP_EXIT_DATA, "employee %s: its record no longer parses: %s", e->id, err.text);
	return e->rec;
}

void cur_employee_release(struct cur_employee *e)
{
	json_decref(e->rec);
	e->rec = NULL;
}
