/* one_time.c - map-compensation's loket.variable_input records: one-time compensations of a
 * mapped type summed per payroll period and component (O1, O2), none before the
 * compensation start date (K1), none of an unmapped type (K2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"
#include "lp_cli.h"
#include "lp_map.h"

struct vi {
	int year, period;
	long long key;
	lp_cents sum;
	LP_VEC(const char *) ids; /* the compensations summed, in input order */
};

static int cmp_vi(const void *a, const void *b)
{
	const struct vi *x = a, *y = b;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* O1, O2, K1, K2: one-time payments of a mapped type, summed per period and component. */
void variable_input(const lp_config *cfg, const struct person *p)
{
	struct vi *v = lp_xmalloc((p->comps.n ? p->comps.n : 1) * sizeof *v);
	size_t n = 0;
	lp_map *idx = lp_map_new();
	for (size_t i = 0; i < p->comps.n; i++) {
		const struct comp *c = &p->comps.v[i];
		/* a pair's payment component: variable input keeps its sign (the spec: "a value can
		 * be a negative number"), so nothing is lost by not routing it */
		long long key = mapped_key(cfg, c->type_id, 0);
		if (strcmp(c->kind, "one_time") || key < 0 || c->from < cfg->compensation.start_date)
			continue;
		int y, per;
		lp_period_of(c->from, &y, &per);
		char k[64];
		snprintf(k, sizeof k, "%d|%d|%lld", y, per, key);
		void *slot;
		struct vi *e;
		if (lp_map_get(idx, k, &slot))
			e = &v[(size_t)slot - 1];
		else {
			e = &v[n++];
			e->year = y;
			e->period = per;
			e->key = key;
			e->sum = 0;
			e->ids.v = NULL;
			e->ids.n = e->ids.cap = 0;
			lp_map_put(idx, k, (void *)n);
		}
		e->sum += c->amount;
		*LP_VEC_PUSH(&e->ids) = c->cid;
	}
	qsort(v, n, sizeof *v, cmp_vi);
	for (size_t i = 0; i < n; i++) {
		char a[32];
		lp_jw *w = base("loket.variable_input", cfg->client, p);
		lp_jw_key(w, "year");
		lp_jw_int(w, v[i].year);
		lp_jw_key(w, "period");
		lp_jw_int(w, v[i].period);
		lp_jw_key(w, "payroll_component_key");
		lp_jw_int(w, v[i].key);
		lp_jw_key(w, "value");
		lp_jw_str(w, lp_money_fmt(v[i].sum, a));
		lp_jw_key(w, "compensation_ids");
		lp_jw_arr(w);
		for (size_t j = 0; j < v[i].ids.n; j++)
			lp_jw_str(w, v[i].ids.v[j]);
		lp_jw_end(w);
		done(w);
		free(v[i].ids.v);
	}
	lp_map_free(idx, NULL);
	free(v);
}
