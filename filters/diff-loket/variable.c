/* variable.c - variable input (O1-O3, K1-K3): payroll period data upserted per period (PATCH,
 * one entry per component: the period's sum, O2); a mapped entry absent from Personio is
 * removed (O3: PUT of the record without it, or DELETE when nothing is left).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_le_ppd.h"

struct vslot { /* a current entry of a mapped component, from the start date's period on */
	const struct cur_ppd *rec;
	size_t idx;
	int matched;
};

struct upsert { /* one PATCH: a period's entries going into one record */
	int year, period;
	const struct cur_ppd *rec; /* the record it goes into, or NULL: a new one */
	json_t *comps, *before, *after;
};

struct vi_plan {
	lp_date start; /* the compensation start date, and its period */
	int sy, sp;
	lp_map *slots;        /* "year/period/key" -> the first struct vslot */
	lp_map *held;         /* R1: "year/period/key" held back: no PATCH, and no O3 either */
	LP_VEC(struct vslot) sl;
	LP_VEC(struct upsert) ups;
	char chain[128];
};

static int before_start(const struct vi_plan *p, int year, int period)
{
	return year < p->sy || (year == p->sy && period < p->sp); /* K1 */
}

static struct vslot *slot_of(const struct vi_plan *p, int year, int period, long long key)
{
	char kb[64];
	void *v;
	snprintf(kb, sizeof kb, "%d/%d/%lld", year, period, key);
	return lp_map_get(p->slots, kb, &v) ? v : NULL;
}

/* Current entries of mapped components from the start date's period on, by (period, key). */
static void collect_slots(const struct run *r, const struct cur_employment *m, struct vi_plan *p)
{
	size_t nslot = 0;
	for (size_t i = 0; i < m->d.n; i++)
		nslot += r->cur->ppd.v[m->d.v[i]]->e.n;
	p->sl.v = lp_xmalloc((nslot + 1) * sizeof *p->sl.v); /* never grown: the map points into it */
	p->sl.cap = nslot + 1;
	char kb[64];
	for (size_t i = 0; i < m->d.n; i++) {
		const struct cur_ppd *c = r->cur->ppd.v[m->d.v[i]];
		if (before_start(p, c->year, c->period))
			continue;
		for (size_t k = 0; k < c->e.n; k++) {
			if (!is_mapped(r, c->e.v[k].key))
				continue; /* K2 */
			struct vslot *s = LP_VEC_PUSH(&p->sl);
			*s = (struct vslot){c, k, 0};
			snprintf(kb, sizeof kb, "%d/%d/%lld", c->year, c->period, c->e.v[k].key);
			if (!lp_map_get(p->slots, kb, NULL))
				lp_map_put(p->slots, kb, s);
		}
	}
}

/* Desired entries: equal -> nothing; else upsert, grouped per period and record key. */
static void collect_upserts(struct run *r, const struct want_employee *d, struct vi_plan *p)
{
	char kb[64];
	for (size_t j = 0; j < d->v.n; j++) {
		const struct want_vi *w = &d->v.v[j];
		if (before_start(p, w->year, w->period))
			continue;
		if (!r1_vi_ok(r, d, w)) { /* R1: Loket's entries of that period and component stay as they are */
			snprintf(kb, sizeof kb, "%d/%d/%lld", w->year, w->period, w->key);
			lp_map_add(p->held, kb);
			continue;
		}
		struct vslot *s = slot_of(p, w->year, w->period, w->key);
		if (s)
			s->matched = 1;
		if (s && s->rec->e.v[s->idx].value == w->value && !s->rec->e.v[s->idx].supplement)
			continue;
		size_t u;
		for (u = 0; u < p->ups.n; u++)
			if (p->ups.v[u].year == w->year && p->ups.v[u].period == w->period && p->ups.v[u].rec == (s ? s->rec : NULL))
				break;
		if (u == p->ups.n)
			*LP_VEC_PUSH(&p->ups) = (struct upsert){w->year, w->period, s ? s->rec : NULL, json_array(), json_array(), json_array()};
		struct upsert *up = &p->ups.v[u];
		json_array_append_new(up->comps, lp_le_ppd_component(w->key, w->value, 0));
		json_array_append_new(up->before, s ? lp_le_ppd_view(w->year, w->period, w->key, s->rec->e.v[s->idx].value) : json_null());
		json_array_append_new(up->after, lp_le_ppd_view(w->year, w->period, w->key, w->value));
	}
}

/* O3 of one record: entries no desired value claims (and second entries for the same period
 * and component) leave it. */
static void remove_unclaimed(struct run *r, const struct want_employee *d, const struct vi_plan *p,
			     const struct cur_ppd *c)
{
	json_t *keep = json_array(), *gone = json_array(), *all = json_array();
	char kb[64];
	for (size_t k = 0; k < c->e.n; k++) {
		const struct cur_ppd_entry *e = &c->e.v[k];
		int remove = 0;
		snprintf(kb, sizeof kb, "%d/%d/%lld", c->year, c->period, e->key);
		if (is_mapped(r, e->key) && !lp_map_get(p->held, kb, NULL)) { /* R1: held back, never removed */
			struct vslot *s = slot_of(p, c->year, c->period, e->key);
			remove = !s || !s->matched || s->rec != c || s->idx != k;
		}
		if (remove)
			json_array_append_new(gone, lp_le_ppd_view(c->year, c->period, e->key, e->value));
		else
			json_array_append_new(keep, lp_le_ppd_component(e->key, e->value, e->supplement));
		json_array_append_new(all, lp_le_ppd_component(e->key, e->value, e->supplement));
	}
	size_t ngone = json_array_size(gone);
	if (ngone) {
		char *path = lp_le_ppd_record(c->id);
		long long k0 = (long long)json_integer_value(json_object_get(json_array_get(gone, 0), "payroll_component_key"));
		struct plan_op o = {.d = d, .rule = "O3", .entity = "variable_input", .action = "delete", .chain = p->chain,
				    .method = "DELETE", .path = path, .before = json_incref(gone),
				    .expect = lp_le_ppd_expect(json_incref(all))}; /* the record as the plan saw it */
		if (json_array_size(keep)) {
			o.action = "remove";
			o.method = "PUT";
			o.body = lp_le_ppd_put_body(json_incref(keep), c->key);
			plan_op(r, &o,
				"Employee %lld: period %d-%02d: component %lld%s not in Personio and is removed; the "
				"record's other components stay", d->number, c->year, c->period, k0,
				ngone > 1 ? " (and more) are" : " is");
		} else
			plan_op(r, &o, "Employee %lld: period %d-%02d: component %lld%s not in Personio and is removed",
				d->number, c->year, c->period, k0, ngone > 1 ? " (and more) are" : " is");
		free(path);
	}
	json_decref(keep);
	json_decref(gone);
	json_decref(all);
}

static void upsert(struct run *r, const struct want_employee *d, const struct cur_employment *m,
		   const struct vi_plan *p, const struct upsert *up)
{
	json_t *body = lp_le_ppd_upsert_body(up->year, up->period, up->rec ? up->rec->key : NULL, up->comps);
	char *path = lp_le_ppd_collection(m->id);
	int all_new = 1;
	size_t i;
	json_t *b;
	json_array_foreach(up->before, i, b) all_new &= json_is_null(b);
	plan_op(r,
		&(struct plan_op){.d = d, .rule = all_new ? "O1" : "K3", .entity = "variable_input", .action = "upsert",
				  .chain = p->chain, .method = "PATCH", .path = path, .body = body, .before = up->before,
				  .after = up->after},
		"Employee %lld: period %d-%02d: variable input %s (one entry per component, the "
		"period's one-time payments summed: O2)", d->number, up->year, up->period,
		all_new ? "added" : "set to Personio's sum");
	free(path);
}

void variable_input(struct run *r, const struct want_employee *d, const struct cur_employment *m)
{
	if (!r->cfg->compensation.sync_one_time)
		return;
	struct vi_plan p = {.start = r->cfg->compensation.start_date, .slots = lp_map_new(), .held = lp_map_new()};
	lp_period_of(p.start, &p.sy, &p.sp);
	snprintf(p.chain, sizeof p.chain, "employment:%s", m->id);
	collect_slots(r, m, &p);
	collect_upserts(r, d, &p);
	/* O3 first */
	for (size_t i = 0; i < m->d.n; i++) {
		const struct cur_ppd *c = r->cur->ppd.v[m->d.v[i]];
		if (before_start(&p, c->year, c->period))
			continue;
		if (lp_period_start(c->year, c->period) < p.start)
			continue; /* the period begins before the start date: nothing is removed from it */
		remove_unclaimed(r, d, &p, c);
	}
	for (size_t u = 0; u < p.ups.n; u++)
		upsert(r, d, m, &p, &p.ups.v[u]);
	free(p.ups.v);
	free(p.sl.v);
	lp_map_free(p.slots, NULL);
	lp_map_free(p.held, NULL);
}
