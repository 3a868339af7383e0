/* diff-loket - compare the desired Loket state with what Loket holds and write the plan.
 *
 * Input: map-compensation's output (loket.employee, loket.wage, loket.benefit_deduction,
 * loket.variable_input, plus the validation record), read one client at a time; and with
 * --current, fetch-loket's output (loket.current.*), which is held in memory whole: a diff
 * needs the current state of every employee it may meet (indexed by hash, joined in O(1)).
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
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_block.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_json.h"
#include "lp_loket.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_range.h"
#include "lp_rec.h"
#include "lp_emit.h"

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
	"FILE is NDJSON, '-' or none for standard input, .gz read transparently. The current\n"
	"state is held in memory (a diff needs it whole); the desired state is read per client.\n"
	"\n"
	"Exit status: 0 plan written; 1 plan written but a client is blocked (E4, or its current\n"
	"state is missing or incomplete) or an error issue was raised; 2 usage; 3 bad input\n"
	"(file:line and field named); 4 configuration; 7 I/O. See loketpipe(7).\n";

/* ---------------------------------------------------------------- current state */

struct cwage {
	const char *id, *employment;
	lp_date start;
	lp_cents amount;
	int type, scale; /* scale: applyPayGrade, the wage comes from a pay scale (X3) */
};

struct cben {
	const char *id, *employment;
	long long key;
	lp_cents value;
	lp_date start, end;
	int has_end;
};

struct cvi {
	long long key;
	lp_cents value;
	int supplement;
};

struct cppd { /* one payroll period data record, from its component entries */
	const char *id, *employment;
	int year, period;
	json_t *key;
	struct cvi *e;
	size_t n, cap;
};

struct cempl {
	const char *id, *employee, *admin;
	long long income;
	lp_date start, end;
	int has_end;
	size_t *w, nw, capw;   /* indexes into cur.wages (sorted by start) */
	size_t *b, nb, capb;   /* into cur.bens */
	size_t *d, nd, capd;   /* into cur.ppd */
};

struct cemp {
	const char *id;
	long long number;
	json_t *rec;
	struct cempl **m;
	size_t nm, capm;
};

struct cconcept {
	const char *id, *name;
	long long number; /* -1: none */
};

struct ccomp { /* one component of Loket's catalogue of one year */
	int year;
	long long key;
	enum lp_component_kind kind;
	const char *desc, *label; /* description, deductionOrPayment label (or NULL) */
};

struct cur {
	char *client;
	json_t *hold; /* the employee records (their JSON is compared and sent back) and period data keys */
	char **strs;  /* copies of the other records' strings: their JSON is let go at once */
	size_t nstrs, capstrs;
	int complete;
	lp_map *emp_by_num, *emp_by_id, *empl_by_id, *ppd_by_id, *concept_by_num;
	struct cemp **emps;
	size_t nemps, capemps;
	struct cempl **empls;
	size_t nempls, capempls;
	struct cwage *wages;
	size_t nwages, capwages;
	struct cben *bens;
	size_t nbens, capbens;
	struct cppd **ppd;
	size_t nppd, capppd;
	struct cconcept *concepts;
	size_t nconcepts, capconcepts;
	json_t *meta;        /* "resource/field" (field in lower case) -> options, from loket.current.metadata */
	struct ccomp *comps; /* the payroll component catalogue */
	size_t ncomps, capcomps;
	lp_map *comp_by;     /* "year/key" -> index + 1 into comps */
	lp_map *comp_years;  /* the years the catalogue holds */
	int comp_max_year;
};

#define PUSH(arr, n, cap) ((n) == (cap) ? ((arr) = lp_xrealloc((arr), ((cap) = (cap) * 2 + 8) * sizeof *(arr))) : 0, &(arr)[(n)++])

static lp_map *currents; /* client -> struct cur */
static struct cur **cur_list;
static size_t ncur, capcur;

static const char *keep(struct cur *c, const char *s)
{
	if (!s)
		return NULL;
	char *d = lp_xstrdup(s);
	*PUSH(c->strs, c->nstrs, c->capstrs) = d;
	return d;
}

static char *numkey(long long n, char buf[24])
{
	snprintf(buf, 24, "%lld", n);
	return buf;
}

static struct cur *cur_for(const char *client, int create)
{
	void *v;
	if (lp_map_get(currents, client, &v))
		return v;
	if (!create)
		return NULL;
	struct cur *c = lp_xmalloc(sizeof *c);
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
	lp_map_put(currents, c->client, c);
	*PUSH(cur_list, ncur, capcur) = c;
	return c;
}


static int cmp_wage(const void *a, const void *b, void *ctx);

/* ---- Loket's metadata and component catalogue (current state) */

/* "resource/field", the field's last dotted part in lower case (Loket's field names). */
static void meta_key(char *buf, size_t n, const char *resource, const char *field)
{
	const char *dot = strrchr(field, '.');
	snprintf(buf, n, "%s/%s", resource, dot ? dot + 1 : field);
	char *q = strchr(buf, '/');
	for (; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
}

/* The options of a metadata field: the resource's own list, else any resource's (generic
 * metadata such as gender and country "are the same for every object", the spec says).
 * NULL when the current state has none. */
static const json_t *meta_options(const struct cur *c, const char *resource, const char *field)
{
	char k[160], tail[140];
	meta_key(k, sizeof k, resource, field);
	json_t *v = json_object_get(c->meta, k);
	if (v)
		return v;
	meta_key(tail, sizeof tail, "", field); /* "/field" */
	const char *mk;
	json_object_foreach(c->meta, mk, v) {
		size_t lk = strlen(mk), lt = strlen(tail);
		if (lk > lt && !strcmp(mk + lk - lt, tail))
			return v;
	}
	return NULL;
}

/* The wage kind (LP_LOKET_WAGE_*) of a grossWageType key, 0 when the metadata does not say. */
static int wage_kind_of_key(const json_t *options, long long key)
{
	size_t i;
	json_t *o;
	json_array_foreach(options, i, o) {
		json_t *k = json_object_get(o, "key");
		if (json_is_integer(k) && json_integer_value(k) == key)
			return lp_loket_wage_kind(lp_json_str(o, "value"));
	}
	return 0;
}

static void load_metadata(struct cur *c, json_t *r, const char *w)
{
	const char *res = lp_rec_str(r, "resource", 0, w), *field = lp_rec_str(r, "field", 0, w);
	json_t *opts = json_object_get(r, "options");
	size_t i;
	json_t *o;
	if (!json_is_array(opts)) {
		lp_warn("%s: options: expected an array of {key, value}", w);
		exit(LP_EXIT_DATA);
	}
	json_array_foreach(opts, i, o) if (!json_is_object(o) || !json_object_get(o, "key")) {
		lp_warn("%s: options: option %zu: expected an object with a key", w, i + 1);
		exit(LP_EXIT_DATA);
	}
	char k[160];
	meta_key(k, sizeof k, res, field);
	json_object_set(c->meta, k, opts);
}

static const char *keep(struct cur *c, const char *s);

static void load_component(struct cur *c, json_t *r, const char *w)
{
	struct ccomp *x = PUSH(c->comps, c->ncomps, c->capcomps);
	x->year = (int)lp_rec_int(r, "year", 0, w);
	x->key = lp_rec_int(r, "key", 0, w);
	x->desc = keep(c, lp_rec_str(r, "description", 1, w));
	json_t *dp = json_object_get(r, "deduction_or_payment");
	x->label = json_is_null(dp) ? NULL : keep(c, lp_rec_str(r, "deduction_or_payment.value", 1, w));
	x->kind = lp_loket_component_kind(x->label);
	char k[48];
	snprintf(k, sizeof k, "%d", x->year);
	lp_map_add(c->comp_years, k);
	if (x->year > c->comp_max_year)
		c->comp_max_year = x->year;
	snprintf(k, sizeof k, "%d/%lld", x->year, x->key);
	if (lp_map_put(c->comp_by, k, (void *)c->ncomps)) {
		lp_warn("%s: key: payroll component %lld twice in the catalogue of %d", w, x->key, x->year);
		exit(LP_EXIT_DATA);
	}
}

static void load_current(char *const *paths, int n)
{
	lp_in *in = lp_in_open(paths, n);
	json_t *r;
	int rc;
	char w[600];
	while ((rc = lp_in_next(in, &r)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = json_string_value(json_object_get(r, "type"));
		const char *client = lp_rec_str(r, "client", 0, w);
		struct cur *c = cur_for(client, 1);
		char nb[24];
		if (!strcmp(type, "loket.current.employee")) {
			struct cemp *e = lp_xmalloc(sizeof *e);
			memset(e, 0, sizeof *e);
			e->id = lp_rec_str(r, "id", 0, w);
			e->number = lp_rec_int(r, "employee_number", 1, w);
			e->rec = r;
			json_array_append(c->hold, r);
			if (!json_is_object(json_object_get(r, "employee"))) {
				lp_warn("%s: employee: expected an object", w);
				exit(LP_EXIT_DATA);
			}
			lp_rec_str(r, "citizen_service_number", 1, w);
			if (lp_map_put(c->emp_by_id, e->id, e)) {
				lp_warn("%s: id: employee %s twice in the current state", w, e->id);
				exit(LP_EXIT_DATA);
			}
			if (e->number >= 0)
				lp_map_put(c->emp_by_num, numkey(e->number, nb), e);
			*PUSH(c->emps, c->nemps, c->capemps) = e;
		} else if (!strcmp(type, "loket.current.employment")) {
			struct cempl *m = lp_xmalloc(sizeof *m);
			memset(m, 0, sizeof *m);
			m->id = keep(c, lp_rec_str(r, "id", 0, w));
			m->employee = keep(c, lp_rec_str(r, "employee_id", 0, w));
			m->admin = keep(c, lp_rec_str(r, "payroll_administration_id", 0, w));
			m->income = lp_rec_int(r, "income_number", 1, w);
			lp_rec_date(r, "start_date", 0, w, &m->start);
			m->has_end = lp_rec_date(r, "end_date", 1, w, &m->end) == 0;
			if (lp_map_put(c->empl_by_id, m->id, m)) {
				lp_warn("%s: id: employment %s twice in the current state", w, m->id);
				exit(LP_EXIT_DATA);
			}
			*PUSH(c->empls, c->nempls, c->capempls) = m;
		} else if (!strcmp(type, "loket.current.wage")) {
			struct cwage *x = PUSH(c->wages, c->nwages, c->capwages);
			x->id = keep(c, lp_rec_str(r, "id", 0, w));
			x->employment = keep(c, lp_rec_str(r, "employment_id", 0, w));
			lp_rec_date(r, "start_date", 0, w, &x->start);
			x->amount = lp_rec_money(r, "gross_wage", w);
			x->type = (int)lp_rec_int(r, "gross_wage_type.key", 1, w);
			json_t *ap = json_object_get(r, "apply_pay_grade");
			x->scale = json_is_true(ap); /* Loket takes the wage from the pay scale (X3) */
		} else if (!strcmp(type, "loket.current.benefit_deduction")) {
			struct cben *x = PUSH(c->bens, c->nbens, c->capbens);
			x->id = keep(c, lp_rec_str(r, "id", 0, w));
			x->employment = keep(c, lp_rec_str(r, "employment_id", 0, w));
			x->key = lp_rec_int(r, "payroll_component_key", 0, w);
			x->value = lp_rec_money(r, "value", w);
			lp_rec_date(r, "start_date", 0, w, &x->start);
			x->has_end = lp_rec_date(r, "end_date", 1, w, &x->end) == 0;
		} else if (!strcmp(type, "loket.current.variable_input")) {
			const char *id = lp_rec_str(r, "id", 0, w);
			void *v;
			struct cppd *d;
			if (lp_map_get(c->ppd_by_id, id, &v))
				d = v;
			else {
				d = lp_xmalloc(sizeof *d);
				memset(d, 0, sizeof *d);
				d->id = keep(c, id);
				d->employment = keep(c, lp_rec_str(r, "employment_id", 0, w));
				d->year = (int)lp_rec_int(r, "year", 0, w);
				d->period = (int)lp_rec_int(r, "period", 0, w);
				d->key = json_object_get(r, "key");
				if (!json_is_object(d->key)) {
					lp_warn("%s: key: expected an object", w);
					exit(LP_EXIT_DATA);
				}
				json_array_append(c->hold, d->key);
				lp_map_put(c->ppd_by_id, d->id, d);
				*PUSH(c->ppd, c->nppd, c->capppd) = d;
			}
			struct cvi *e = PUSH(d->e, d->n, d->cap);
			e->key = lp_rec_int(r, "payroll_component_key", 0, w);
			e->value = lp_rec_money(r, "value", w);
			e->supplement = json_is_true(json_object_get(r, "is_supplement"));
		} else if (!strcmp(type, "loket.current.concept_employee")) {
			struct cconcept *x = PUSH(c->concepts, c->nconcepts, c->capconcepts);
			x->id = keep(c, lp_rec_str(r, "id", 0, w));
			x->name = keep(c, lp_rec_str(r, "unique_name", 1, w));
			x->number = lp_rec_int(r, "employee_number", 1, w);
			if (x->number >= 0)
				lp_map_put(c->concept_by_num, numkey(x->number, nb), x);
		} else if (!strcmp(type, "loket.current.metadata")) {
			load_metadata(c, r, w);
		} else if (!strcmp(type, "loket.current.payroll_component")) {
			load_component(c, r, w);
		} else if (!strcmp(type, "stream_end")) {
			c->complete = lp_rec_bool(r, "complete", 0, w);
		}
		json_decref(r); /* what is needed was copied out, or is held */
	}
	if (rc < 0)
		exit(lp_in_error(in));
	lp_in_close(in);
	/* attach the sub-records to their employments */
	for (size_t k = 0; k < ncur; k++) {
		struct cur *c = cur_list[k];
		void *v;
		for (size_t i = 0; i < c->nempls; i++) {
			struct cempl *m = c->empls[i];
			if (lp_map_get(c->emp_by_id, m->employee, &v)) {
				struct cemp *e = v;
				*PUSH(e->m, e->nm, e->capm) = m;
			}
		}
		for (size_t i = 0; i < c->nwages; i++)
			if (lp_map_get(c->empl_by_id, c->wages[i].employment, &v)) {
				struct cempl *m = v;
				*PUSH(m->w, m->nw, m->capw) = i;
			}
		for (size_t i = 0; i < c->nbens; i++)
			if (lp_map_get(c->empl_by_id, c->bens[i].employment, &v)) {
				struct cempl *m = v;
				*PUSH(m->b, m->nb, m->capb) = i;
			}
		for (size_t i = 0; i < c->nppd; i++)
			if (lp_map_get(c->empl_by_id, c->ppd[i]->employment, &v)) {
				struct cempl *m = v;
				*PUSH(m->d, m->nd, m->capd) = i;
			}
		for (size_t i = 0; i < c->nempls; i++)
			if (c->empls[i]->nw > 1)
				qsort_r(c->empls[i]->w, c->empls[i]->nw, sizeof(size_t), cmp_wage, c);
		/* a current wage's type is compared by kind: Loket's key read through its metadata */
		const json_t *wt = meta_options(c, "wage", "grossWageType");
		for (size_t i = 0; i < c->nwages; i++)
			c->wages[i].type = wage_kind_of_key(wt, c->wages[i].type);
	}
}

static int cmp_wage(const void *a, const void *b, void *ctx)
{
	const struct cur *c = ctx;
	lp_date x = c->wages[*(const size_t *)a].start, y = c->wages[*(const size_t *)b].start;
	return x < y ? -1 : x > y;
}

static void free_current(void)
{
	for (size_t k = 0; k < ncur; k++) {
		struct cur *c = cur_list[k];
		for (size_t i = 0; i < c->nemps; i++) {
			free(c->emps[i]->m);
			free(c->emps[i]);
		}
		for (size_t i = 0; i < c->nempls; i++) {
			free(c->empls[i]->w);
			free(c->empls[i]->b);
			free(c->empls[i]->d);
			free(c->empls[i]);
		}
		for (size_t i = 0; i < c->nppd; i++) {
			free(c->ppd[i]->e);
			free(c->ppd[i]);
		}
		free(c->emps);
		free(c->empls);
		free(c->ppd);
		free(c->wages);
		free(c->bens);
		free(c->concepts);
		free(c->comps);
		json_decref(c->meta);
		lp_map_free(c->comp_by, NULL);
		lp_map_free(c->comp_years, NULL);
		lp_map_free(c->emp_by_num, NULL);
		lp_map_free(c->emp_by_id, NULL);
		lp_map_free(c->empl_by_id, NULL);
		lp_map_free(c->ppd_by_id, NULL);
		lp_map_free(c->concept_by_num, NULL);
		json_decref(c->hold);
		for (size_t i = 0; i < c->nstrs; i++)
			free(c->strs[i]);
		free(c->strs);
		free(c->client);
		free(c);
	}
	free(cur_list);
	lp_map_free(currents, NULL);
}

/* ---------------------------------------------------------------- desired state */

struct dwage {
	lp_date start;
	lp_cents amount;
	int type;
};

struct dben {
	long long key;
	lp_cents value;
	lp_date start, end;
	int has_end;
	int deduction;       /* Personio's amount was negative (R1) */
	const char *where, *cid;
};

struct dvi {
	int year, period;
	long long key;
	lp_cents value;
};

struct demp {
	json_t *rec;
	const char *where, *pid;
	long long number, income;
	lp_date entry;
	int has_entry;
	struct dwage *w;
	size_t nw, capw;
	struct dben *b;
	size_t nb, capb;
	struct dvi *v;
	size_t nv, capv;
};

/* ---------------------------------------------------------------- the run */

struct run {
	lp_configs cfgs;
	const char *only;
	int findings;
	/* per client */
	const lp_config *cfg;
	struct cur *cur;
	unsigned long seq, issues;
	json_t *by_rule;
	char last_op[24];      /* op_id of the op written last */
	const char *needs_id;  /* the next op's needs_id_of (consumed by op()) */
	json_t *expect;        /* the next op's expect (consumed by op()) */
	lp_map *mapped; /* component keys the configuration maps */
};

static void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

static const char *numstr(long long n, char buf[24])
{
	return n < 0 ? NULL : numkey(n, buf);
}

static void issue(struct run *r, const struct demp *d, const char *sev, const char *rule, const char *field,
		  const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void issue(struct run *r, const struct demp *d, const char *sev, const char *rule, const char *field,
		  const char *hint, const char *fmt, ...)
{
	char msg[1024], nb[24];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!strcmp(sev, "error"))
		r->findings = 1;
	r->issues++;
	out_new(lp_issue(r->cfg->client, sev, rule, d ? d->pid : NULL, d ? numstr(d->number, nb) : NULL, field, msg,
			 hint));
}

static json_t *money_num(lp_cents c)
{
	char b[32];
	return lp_json_dec(lp_money_fmt(c, b));
}

static json_t *money_str(lp_cents c)
{
	char b[32];
	return json_string(lp_money_fmt(c, b));
}

static json_t *date_str(lp_date d)
{
	char b[16];
	return json_string(lp_date_fmt(d, b));
}

/* One op record. path is relative to the API base (…/v2). Takes body, before, after. */
static void op(struct run *r, const struct demp *d, const char *rule, const char *entity, const char *action,
	       const char *chain, const char *method, const char *path, json_t *body, json_t *before, json_t *after,
	       const char *fmt, ...) __attribute__((format(printf, 12, 13)));
static void op(struct run *r, const struct demp *d, const char *rule, const char *entity, const char *action,
	       const char *chain, const char *method, const char *path, json_t *body, json_t *before, json_t *after,
	       const char *fmt, ...)
{
	char msg[1024], idb[24];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* op_id: a hash of what the op does, stable across runs (push-loket's journal key) */
	char *bt = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (bt)
		bt[lp_json_untag(bt, strlen(bt))] = '\0';
	char *key = lp_xasprintf("%s\n%s\n%s\n%s", r->cfg->client, method, path, bt ? bt : "");
	snprintf(idb, sizeof idb, "%016" PRIx64, lp_hash_str(key));
	free(key);
	free(bt);
	r->seq++;
	json_t *o = json_object();
	json_object_set_new(o, "type", json_string("loket.op"));
	json_object_set_new(o, "client", json_string(r->cfg->client));
	json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(o, "op_id", json_string(idb));
	json_object_set_new(o, "chain", json_string(chain));
	json_object_set_new(o, "rule", json_string(rule));
	json_object_set_new(o, "entity", json_string(entity));
	json_object_set_new(o, "action", json_string(action));
	lp_json_set_str(o, "personio_id", d ? d->pid : NULL);
	json_object_set_new(o, "employee_number", d && d->number >= 0 ? json_integer(d->number) : json_null());
	json_object_set_new(o, "method", json_string(method));
	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "body", body ? body : json_null());
	json_object_set_new(o, "before", before ? before : json_null());
	json_object_set_new(o, "after", after ? after : json_null());
	json_object_set_new(o, "message", json_string(msg));
	if (r->needs_id) {
		json_object_set_new(o, "needs_id_of", json_string(r->needs_id));
		r->needs_id = NULL;
	}
	if (r->expect) { /* what the record holds now, in Loket's fields: push-loket writes only over that */
		json_object_set_new(o, "expect", r->expect);
		r->expect = NULL;
	}
	memcpy(r->last_op, idb, sizeof r->last_op);
	json_t *n = json_object_get(r->by_rule, rule);
	json_object_set_new(r->by_rule, rule, json_integer(n ? json_integer_value(n) + 1 : 1));
	out_new(o);
}

static int is_mapped(const struct run *r, long long key)
{
	char nb[24];
	return lp_map_get(r->mapped, numkey(key, nb), NULL);
}

/* ---- metadata keys: from Loket's metadata in the current state, never guessed */

/* The labels of a metadata field's options, for messages ("Man, Vrouw, ..."). */
static const char *labels_of(const json_t *opts, char *buf, size_t n)
{
	size_t i, used = 0;
	json_t *o;
	buf[0] = '\0';
	json_array_foreach(opts, i, o) {
		const char *v = lp_json_str(o, "isoCode") ? lp_json_str(o, "isoCode") : lp_json_str(o, "value");
		if (i == 8 || used + (v ? strlen(v) : 1) + 8 >= n) {
			snprintf(buf + used, n - used, ", ...");
			break;
		}
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", v ? v : "?");
	}
	return opts && buf[0] ? buf : "none";
}

/* Loket's grossWageType key for each wage kind (LP_LOKET_WAGE_*), per client: the option whose
 * label means that kind (lp_loket_wage_kind); -1 when no option, or more than one, does. */
static long long wage_key_of[3] = {-1, -1, -1};

static long long loket_wage_key(int kind)
{
	return kind == LP_LOKET_WAGE_PERIODIC || kind == LP_LOKET_WAGE_HOURLY ? wage_key_of[kind] : -1;
}

static void set_wage_keys(const struct cur *c)
{
	int seen[3] = {0, 0, 0};
	size_t i;
	json_t *o;
	wage_key_of[1] = wage_key_of[2] = -1;
	json_array_foreach(meta_options(c, "wage", "grossWageType"), i, o) {
		int k = lp_loket_wage_kind(lp_json_str(o, "value"));
		json_t *key = json_object_get(o, "key");
		if (k && json_is_integer(key))
			wage_key_of[k] = seen[k]++ ? -1 : (long long)json_integer_value(key);
	}
}

/* LX2: every desired wage of the employee has a key in Loket's wage metadata; else an error
 * and none of the employee's wages is changed (Loket keeps them). */
static int wage_keys_ok(struct run *r, const struct demp *d)
{
	char lb[200];
	for (size_t i = 0; i < d->nw; i++) {
		if (loket_wage_key(d->w[i].type) >= 0)
			continue;
		issue(r, d, "error", "LX2", "gross_wage_type",
		      "check Loket's wage metadata (grossWageType): the labels loketpipe knows are in lib/lp_loket.c",
		      "Employee %lld: Loket's wage metadata has no single grossWageType option for a%s wage (options: %s), "
		      "and the key is never guessed: no wage of this employee is sent", d->number,
		      d->w[i].type == LP_LOKET_WAGE_HOURLY ? "n hourly" : " periodic",
		      labels_of(meta_options(r->cur, "wage", "grossWageType"), lb, sizeof lb));
		return 0;
	}
	return 1;
}

/* Each metadata object of o that names its option ({value} or {isoCode}, no key) becomes
 * {key} from Loket's metadata for resource; one Loket has no single option for is removed (a
 * missing field is not compared, so Loket keeps its value) with an LX2 warning. */
static void resolve_into(struct run *r, const struct demp *d, json_t *o, const char *resource, const char *prefix)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(o, tmp, k, v) {
		char path[256], lb[200];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
		if (!json_is_object(v))
			continue;
		if (json_object_get(v, "key") || (!json_object_get(v, "value") && !json_object_get(v, "isoCode"))) {
			resolve_into(r, d, v, resource, path);
			continue;
		}
		const json_t *opts = meta_options(r->cur, resource, k);
		json_t *key = NULL;
		int found = opts ? lp_loket_option_key(opts, v, &key) : 0;
		if (found == 1) {
			json_object_set_new(o, k, json_pack("{s:O}", "key", key));
			continue;
		}
		const char *name = lp_json_str(v, "isoCode") ? lp_json_str(v, "isoCode") : lp_json_str(v, "value");
		issue(r, d, "warning", "LX2", path, "correct the value in Personio (a country as its ISO code, e.g. NL), or set it in Loket by hand",
		      "Employee %lld: %s '%s' has %s in Loket's %s metadata (options: %s), and the key is never guessed: "
		      "left as it is in Loket", d->number, path, name ? name : "?", found < 0 ? "more than one option" : "no option",
		      k, labels_of(opts, lb, sizeof lb));
		json_object_del(o, k);
	}
}

static json_t *with_keys(struct run *r, const struct demp *d, const json_t *employee, const char *resource)
{
	json_t *o = json_deep_copy(employee);
	resolve_into(r, d, o, resource, "");
	return o;
}

/* ---- R1: the sign lives in the component's kind */

/* Loket holds values 0.01..99999.99 and whether a component pays or deducts is the
 * component's (deductionOrPayment in its catalogue): a negative amount may go only to a
 * deduction component and a positive one only to a payment component, in the catalogue of
 * every year the record runs in (from its start year up to its end year, or the last year
 * read). 0 with an error issue when not, or when the catalogue cannot tell. */
static int r1_kind_ok(struct run *r, const struct demp *d, const struct dben *b)
{
	const struct cur *c = r->cur;
	int y0, y1, mo, dy;
	lp_date_ymd(b->start, &y0, &mo, &dy);
	if (b->has_end)
		lp_date_ymd(b->end, &y1, &mo, &dy);
	else
		y1 = c->comp_max_year > y0 ? c->comp_max_year : y0;
	char db[16], amt[40], what[160], k[48];
	char a[32];
	lp_money_fmt(b->value, a);
	snprintf(amt, sizeof amt, "%s%s", b->deduction ? "-" : "", a);
	snprintf(what, sizeof what, "compensation %s (%s a month from %s)", b->cid ? b->cid : "?", amt,
		 lp_date_fmt(b->start, db));
	for (int y = y0; y <= y1; y++) {
		void *v;
		snprintf(k, sizeof k, "%d", y);
		if (!lp_map_get(c->comp_years, k, NULL)) {
			if (y > y0)
				continue; /* not read: after --as-of plus the future months */
			issue(r, d, "error", "R1", "payroll_component_key",
			      "run fetch-loket with an --as-of that covers this year (it reads the catalogue from the compensation start date's year on) and diff again",
			      "Employee %lld: %s cannot be checked: the current Loket state has no payroll component catalogue "
			      "for %d, so whether component %lld pays or deducts is unknown; component %lld is not synced for "
			      "this employee", d->number, what, y, b->key, b->key);
			return 0;
		}
		snprintf(k, sizeof k, "%d/%lld", y, b->key);
		if (!lp_map_get(c->comp_by, k, &v)) {
			issue(r, d, "error", "R1", "payroll_component_key",
			      "map the compensation type to a component of this payroll administration (compensation.mapping), or have the payroll administrator add the component",
			      "Employee %lld: %s is mapped to component %lld, which is not in Loket's payroll component "
			      "catalogue for %d; component %lld is not synced for this employee", d->number, what, b->key, y,
			      b->key);
			return 0;
		}
		const struct ccomp *x = &c->comps[(size_t)v - 1];
		enum lp_component_kind want = b->deduction ? LP_COMPONENT_DEDUCTION : LP_COMPONENT_PAYMENT;
		if (x->kind == want)
			continue;
		char hint[300];
		if (x->kind == LP_COMPONENT_NEITHER)
			snprintf(hint, sizeof hint, "map this compensation type to a %s component in compensation.mapping",
				 b->deduction ? "deduction" : "payment");
		else if (b->deduction)
			snprintf(hint, sizeof hint, "map this compensation type to a deduction component, or to a pair "
				 "{\"payment\": %lld, \"deduction\": KEY} in compensation.mapping (or correct the sign in Personio)", b->key);
		else
			snprintf(hint, sizeof hint, "map this compensation type to a payment component, or to a pair "
				 "{\"payment\": KEY, \"deduction\": %lld} in compensation.mapping (or correct the sign in Personio)", b->key);
		if (x->kind == LP_COMPONENT_NEITHER)
			issue(r, d, "error", "R1", "payroll_component_key", hint,
			      "Employee %lld: %s goes to component %lld (%s), which in %d is neither a deduction nor a payment "
			      "in Loket; component %lld is not synced for this employee", d->number, what, b->key,
			      x->desc ? x->desc : "no description", y, b->key);
		else
			issue(r, d, "error", "R1", "payroll_component_key", hint,
			      "Employee %lld: %s is a %s, but Loket component %lld (%s) is a %s (%s) in %d: Loket holds only "
			      "positive values and the sign is the component's, so the employee would be %s %s instead of %s; "
			      "component %lld is not synced for this employee", d->number, what,
			      b->deduction ? "deduction" : "payment", b->key, x->desc ? x->desc : "no description",
			      x->kind == LP_COMPONENT_PAYMENT ? "payment" : "deduction", x->label ? x->label : "?", y,
			      b->deduction ? "paid" : "charged", a, b->deduction ? "charged" : "paid", b->key);
		return 0;
	}
	return 1;
}

/* R1 for one-time payments: a desired variable input entry (one period, one component) may
 * go only to a payment component (Betaling) in the catalogue of its period's year. It keeps
 * its sign (the spec allows negative payroll period data), so a negative amount on a payment
 * component is a correction and allowed. A deduction component, one of neither kind, one
 * missing from that year's catalogue, or a year whose catalogue was not read: 0 with an error
 * issue naming the compensation type(s), the period and the component; the caller holds the
 * entry back and leaves Loket's entry for that period and component as it is. */
static int r1_vi_ok(struct run *r, const struct demp *d, const struct dvi *w)
{
	const struct cur *c = r->cur;
	char types[200], what[400], k[48], a[32], hint[400];
	size_t used = 0;
	types[0] = '\0';
	for (size_t i = 0; i < r->cfg->compensation.nmap; i++) { /* one-time payments go to a pair's payment member */
		const lp_mapping *mp = &r->cfg->compensation.map[i];
		if (mp->payment != w->key)
			continue;
		int n = snprintf(types + used, sizeof types - used, "%s'%s'", used ? ", " : "", mp->type_id);
		if (n < 0 || (size_t)n >= sizeof types - used) {
			types[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	snprintf(what, sizeof what, "one-time payments%s%s%s in period %d-%02d (%s)", used ? " of type" : "",
		 strchr(types, ',') ? "s " : used ? " " : "", types, w->year, w->period, lp_money_fmt(w->value, a));
	void *v;
	snprintf(k, sizeof k, "%d", w->year);
	if (!lp_map_get(c->comp_years, k, NULL)) {
		issue(r, d, "error", "R1", "payroll_component_key",
		      "run fetch-loket with an --as-of that covers this year (it reads the catalogue from the compensation start date's year on) and diff again",
		      "Employee %lld: %s cannot be checked: the current Loket state has no payroll component catalogue "
		      "for %d, so whether component %lld pays or deducts is unknown; period %d-%02d of component %lld is "
		      "not synced for this employee and Loket's entry for it stays as it is", d->number, what, w->year,
		      w->key, w->year, w->period, w->key);
		return 0;
	}
	snprintf(k, sizeof k, "%d/%lld", w->year, w->key);
	if (!lp_map_get(c->comp_by, k, &v)) {
		snprintf(hint, sizeof hint, "map the compensation type to a payment component of this payroll administration, "
			 "or to a pair {\"payment\": KEY, \"deduction\": KEY}, in compensation.mapping (a pair sends one-time "
			 "payments to its payment member, with their sign); or have the payroll administrator add component %lld",
			 w->key);
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s go to component %lld, which is not in Loket's payroll component catalogue for %d; "
		      "period %d-%02d of component %lld is not synced for this employee and Loket's entry for it stays as "
		      "it is", d->number, what, w->key, w->year, w->year, w->period, w->key);
		return 0;
	}
	const struct ccomp *x = &c->comps[(size_t)v - 1];
	if (x->kind == LP_COMPONENT_PAYMENT)
		return 1;
	snprintf(hint, sizeof hint, "map the compensation type to a payment component, or to a pair {\"payment\": KEY, "
		 "\"deduction\": %s} in compensation.mapping: a pair sends one-time payments to its payment member, with "
		 "their sign", x->kind == LP_COMPONENT_DEDUCTION ? numkey(w->key, (char[24]){0}) : "KEY");
	if (x->kind == LP_COMPONENT_NEITHER)
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s go to component %lld (%s), which in %d is neither a deduction nor a payment in "
		      "Loket; period %d-%02d of component %lld is not synced for this employee and Loket's entry for it "
		      "stays as it is", d->number, what, w->key, x->desc ? x->desc : "no description", w->year, w->year,
		      w->period, w->key);
	else {
		char abs[32], eff[120] = "";
		if (w->value)
			snprintf(eff, sizeof eff, ", so the employee would be %s %s instead of %s", w->value > 0 ? "charged" : "paid",
				 lp_money_fmt(w->value > 0 ? w->value : -w->value, abs), w->value > 0 ? "paid" : "charged");
		issue(r, d, "error", "R1", "payroll_component_key", hint,
		      "Employee %lld: %s go to component %lld (%s), which is a deduction (%s) in %d: a one-time payment goes "
		      "only to a payment component, with its sign%s; period %d-%02d of component %lld is not synced for this "
		      "employee and Loket's entry for it stays as it is", d->number, what, w->key,
		      x->desc ? x->desc : "no description", x->label ? x->label : "?", w->year, eff, w->year, w->period,
		      w->key);
	}
	return 0;
}

/* ---- employee data (D2, D3) */

/* Compare the desired fields into the current object; record changes and apply them to
 * merged (a copy of the current resource). */
static void cmp_fields(const json_t *want, json_t *merged, const char *prefix, json_t *changes)
{
	const char *k;
	json_t *dv;
	json_object_foreach((json_t *)want, k, dv) {
		char path[256];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
		json_t *cv = json_object_get(merged, k);
		if (json_is_null(dv) && !lp_loket_clearable(path))
			continue; /* Loket keeps a value here; a blank cannot clear it */
		int meta = json_is_object(dv) && json_object_get(dv, "key"); /* resolved by with_keys */
		if (json_is_object(dv) && !meta) {
			if (!json_is_object(cv)) {
				cv = json_object();
				json_object_set_new(merged, k, cv);
			}
			cmp_fields(dv, cv, path, changes);
			continue;
		}
		int same;
		if (meta)
			same = json_is_object(cv) && json_equal(json_object_get(dv, "key"), json_object_get(cv, "key"));
		else
			same = json_equal(dv, cv ? cv : json_null());
		if (same)
			continue;
		json_array_append_new(changes,
				      json_pack("{s:s,s:O,s:O}", "field", path, "before", cv ? cv : json_null(), "after", dv));
		json_object_set(merged, k, dv);
	}
}

static void employee_data(struct run *r, const struct demp *d, const struct cemp *e)
{
	json_t *want = with_keys(r, d, json_object_get(d->rec, "employee"), "employee");
	json_t *merged = json_deep_copy(json_object_get(e->rec, "employee"));
	json_t *changes = json_array();
	cmp_fields(want, merged, "", changes);
	json_t *before = json_object(), *after = json_object();
	int cleared = 0, n = 0;
	size_t i;
	json_t *ch;
	char fields[512] = "";
	json_array_foreach(changes, i, ch) {
		const char *f = lp_json_str(ch, "field");
		json_object_set(before, f, json_object_get(ch, "before"));
		json_object_set(after, f, json_object_get(ch, "after"));
		cleared |= json_is_null(json_object_get(ch, "after"));
		if (strlen(fields) + strlen(f) + 3 < sizeof fields)
			snprintf(fields + strlen(fields), sizeof fields - strlen(fields), "%s%s", n ? ", " : "", f);
		n++;
	}
	json_decref(changes);
	json_decref(want);
	char chain[128], *path;
	snprintf(chain, sizeof chain, "employee:%s", e->id);
	if (n) {
		lp_loket_writable(merged);
		path = lp_xasprintf("/providers/employers/employees/%s", e->id);
		op(r, d, cleared ? "D3" : "D2", "employee", "update", chain, "PUT", path, merged, before, after,
		   "Employee %lld: %s %s Personio's current value%s", d->number, fields, n > 1 ? "take" : "takes",
		   cleared ? " (blank in Personio: cleared in Loket)" : "");
		free(path);
	} else {
		json_decref(merged);
		json_decref(before);
		json_decref(after);
	}
	const char *want_bsn = lp_json_str(d->rec, "citizen_service_number");
	const char *have_bsn = lp_json_str(e->rec, "citizen_service_number");
	if (want_bsn && (!have_bsn || strcmp(want_bsn, have_bsn))) {
		path = lp_xasprintf("/providers/employers/employees/%s/citizenservicenumber", e->id);
		op(r, d, "D2", "citizen_service_number", "update", chain, "PUT", path,
		   json_pack("{s:s}", "citizenServiceNumber", want_bsn),
		   json_pack("{s:O}", "citizen_service_number", json_object_get(e->rec, "citizen_service_number")),
		   json_pack("{s:s}", "citizen_service_number", want_bsn), "Employee %lld: the BSN takes Personio's value",
		   d->number);
		free(path);
	}
}

/* ---- concept employees (M1, M2) */

static void concept_post(struct run *r, const struct demp *d, json_t *created)
{
	json_t *emp = with_keys(r, d, json_object_get(d->rec, "employee"), "concept_employee");
	lp_loket_writable(emp);
	json_t *ed = json_object();
	json_object_set_new(ed, "employeeNumber", json_integer(d->number));
	const char *k;
	json_t *v;
	json_object_foreach(emp, k, v) json_object_set(ed, k, v);
	json_decref(emp);
	const char *iban = lp_json_str(d->rec, "iban");
	if (iban)
		json_object_set_new(ed, "iban", json_string(iban));
	json_t *md = json_object();
	json_object_set_new(md, "payrollAdministration",
			    json_pack("{s:s}", "id", r->cfg->loket.payroll_administration_id));
	char db[16];
	if (d->has_entry)
		json_object_set_new(md, "startDate", json_string(lp_date_fmt(d->entry, db)));
	if (d->income >= 0)
		json_object_set_new(md, "incomeRelationshipNumber", json_integer(d->income));
	json_t *pd = lp_json_obj(json_object_get(d->rec, "employee"), "personalDetails");
	const char *fn = pd ? lp_json_str(pd, "firstName") : NULL, *ln = pd ? lp_json_str(pd, "lastName") : NULL;
	const char *px = pd ? lp_json_str(pd, "prefix") : NULL;
	char *name = lp_xasprintf("%s%s%s%s%s (Personio %s)", fn ? fn : "", fn ? " " : "", px ? px : "", px ? " " : "",
				  ln ? ln : "", d->pid);
	json_t *body = json_object();
	json_object_set_new(body, "uniqueName", json_string(name));
	json_object_set_new(body, "employeeData", ed);
	json_object_set_new(body, "employmentData", md);
	json_t *after = json_pack("{s:I,s:s}", "employee_number", (json_int_t)d->number, "unique_name", name);
	int with_wage = d->nw && wage_keys_ok(r, d);
	if (with_wage) { /* M2: base salary only, the first one of the chain */
		json_object_set_new(body, "wageData",
				    json_pack("{s:o,s:{s:I},s:b}", "grossWage", money_num(d->w[0].amount),
					      "grossWageType", "key", (json_int_t)loket_wage_key(d->w[0].type), "applyPayGrade", 0));
		json_object_set_new(after, "gross_wage", money_str(d->w[0].amount));
	}
	char chain[64], *path = lp_xasprintf("/providers/employers/%s/conceptemployees", r->cfg->loket.employer_id);
	snprintf(chain, sizeof chain, "concept:%lld", d->number);
	op(r, d, "M1", "concept_employee", "create", chain, "POST", path, body, NULL, after,
	   "Employee number %lld is not in Loket: a concept employee is created with employee data%s (M2)", d->number,
	   with_wage ? " and base salary" : "");
	free(path);
	/* the BSN goes on the concept employee's own endpoint, which needs the id Loket gives it:
	 * push-loket fills the placeholder from the POST above (needs_id_of) */
	const char *bsn = lp_json_str(d->rec, "citizen_service_number");
	char concept_op[24];
	memcpy(concept_op, r->last_op, sizeof concept_op);
	if (bsn) {
		r->needs_id = concept_op;
		op(r, d, "M1", "citizen_service_number", "create", chain, "PUT",
		   "/providers/employers/conceptemployees/{conceptEmployeeId}/citizenservicenumber",
		   json_pack("{s:s}", "citizenServiceNumber", bsn), NULL, json_pack("{s:s}", "citizen_service_number", bsn),
		   "Employee number %lld: the new concept employee gets its BSN (M1)", d->number);
	}
	size_t rest = d->nb + d->nv + (d->nw > 1 ? d->nw - 1 : 0);
	issue(r, d, "info", "M2", NULL, "finalise the concept employee in Loket (convert it to an employee); the next sync sends the rest",
	      "New concept employee '%s': only employee data%s and base salary are sent; %zu other compensation "
	      "record(s) follow once the payroll administrator has finalised the employee.%s", name,
	      bsn ? ", the BSN" : "", rest, bsn ? "" : " Personio has no BSN for this person: enter it in Loket when finalising.");
	json_array_append_new(created, json_pack("{s:n,s:s,s:I}", "id", "unique_name", name, "employee_number",
						 (json_int_t)d->number));
	free(name);
}

/* ---- wages (K1, K3, S1-S3, X3): the linked date chain */

static int wage_eq(const struct dwage *a, lp_cents amount, int type)
{
	return a->amount == amount && a->type == type;
}

static json_t *wage_view(lp_date start, lp_cents amount, int type)
{
	return json_pack("{s:o,s:o,s:i}", "start_date", date_str(start), "gross_wage", money_str(amount),
			 "gross_wage_type", type);
}

static json_t *wage_body(lp_date start, lp_cents amount, int type)
{ /* type: the wage kind; Loket's key for it comes from its metadata (wage_keys_ok checked it) */
	return json_pack("{s:o,s:o,s:{s:I},s:b}", "startDate", date_str(start), "grossWage", money_num(amount),
			 "grossWageType", "key", (json_int_t)loket_wage_key(type), "applyPayGrade", 0);
}

/* A current wage as Loket holds it (the expect of an op that writes over it or deletes it). */
static json_t *wage_expect(const struct cwage *h)
{
	json_t *e = wage_body(h->start, h->amount, h->type);
	if (h->scale)
		json_object_set_new(e, "applyPayGrade", json_true());
	else
		json_object_del(e, "applyPayGrade"); /* false or absent: Loket need not send it */
	return e;
}

static void wages(struct run *r, const struct demp *d, const struct cempl *m)
{
	if (!d->nw)
		return; /* salary not synced (disabled, or S4 held it back): Loket's wages stay as they are */
	const struct cur *c = r->cur;
	lp_date lo = r->cfg->compensation.start_date > m->start ? r->cfg->compensation.start_date : m->start;
	/* the desired chain from lo on, consecutive equal values merged */
	struct dwage *want = lp_xmalloc(d->nw * sizeof *want);
	size_t nwant = 0;
	for (size_t i = 0; i < d->nw; i++) {
		struct dwage x = d->w[i];
		if (i + 1 < d->nw && d->w[i + 1].start <= lo)
			continue; /* wholly before the employment or the start date (K1, M3) */
		if (x.start < lo)
			x.start = lo;
		if (nwant && wage_eq(&want[nwant - 1], x.amount, x.type))
			continue;
		want[nwant++] = x;
	}
	/* the current chain: records before the first desired date stay (K1); the last of them
	 * carries on into the desired period unless a new record closes it */
	const struct cwage *base = NULL;
	size_t first_in = m->nw;
	for (size_t i = 0; i < m->nw; i++) {
		const struct cwage *w = &c->wages[m->w[i]];
		if (w->start < want[0].start)
			base = w;
		else if (first_in == m->nw)
			first_in = i;
	}
	size_t skip = base && !base->scale && wage_eq(&want[0], base->amount, base->type) ? 1 : 0;
	/* match current records (from first_in) with desired points by start date */
	size_t ncur = m->nw - first_in;
	const struct cwage **have = lp_xmalloc((ncur ? ncur : 1) * sizeof *have);
	for (size_t i = 0; i < ncur; i++)
		have[i] = &c->wages[m->w[first_in + i]];
	char *keep = lp_xmalloc(ncur + 1), *post = lp_xmalloc(nwant + 1);
	long *match = lp_xmalloc((nwant + 1) * sizeof *match);
	memset(keep, 0, ncur + 1);
	for (size_t j = skip; j < nwant; j++) {
		match[j] = -1;
		for (size_t i = 0; i < ncur; i++) /* both sorted: a merge walk would do; chains are short */
			if (have[i]->start == want[j].start) {
				match[j] = (long)i;
				keep[i] = 1;
			}
		post[j] = match[j] < 0;
	}
	/* a new record can only go at the end of the chain: kept records after the first new
	 * one are deleted and posted again, in date order */
	lp_date first_post = 0;
	int any_post = 0;
	for (size_t j = skip; j < nwant; j++)
		if (post[j] && (!any_post || want[j].start < first_post)) {
			first_post = want[j].start;
			any_post = 1;
		}
	char *moved = lp_xmalloc(ncur + 1);
	memset(moved, 0, ncur + 1);
	if (any_post)
		for (size_t j = skip; j < nwant; j++)
			if (match[j] >= 0 && want[j].start > first_post) {
				keep[match[j]] = 0;
				moved[match[j]] = 1;
				match[j] = -1;
				post[j] = 1;
			}
	char chain[128], db[16];
	snprintf(chain, sizeof chain, "employment:%s", m->id);
	/* X3: a pay-scale wage is about to be changed, deleted, or closed by a new record */
	int x3 = base && base->scale && !skip && post[0];
	for (size_t i = 0; i < ncur; i++)
		x3 |= have[i]->scale;
	if (x3) {
		issue(r, d, "warning", "X3", "gross_wage", "pay scales are not supported: keep the wage in Personio, or stop syncing salary for this employee",
		      "Employee %lld has a wage on a pay scale (salary scale/step) in Loket; the sync overwrites it with "
		      "Personio's fixed gross wage from %s", d->number, lp_date_fmt(want[skip < nwant ? skip : 0].start, db));
	}
	/* deletions, last first, so that each one removes the end (or a middle) of the chain */
	for (size_t i = ncur; i-- > 0;) {
		if (keep[i])
			continue;
		char *path = lp_xasprintf("/providers/employers/employees/employments/wages/%s", have[i]->id);
		r->expect = wage_expect(have[i]);
		op(r, d, "K3", "wage", "delete", chain, "DELETE", path, NULL,
		   wage_view(have[i]->start, have[i]->amount, have[i]->type), NULL,
		   moved[i] ? "Employee %lld: the wage from %s is deleted to make room for an earlier change in the "
			      "chain (Loket only appends); it is posted again after it"
			    : "Employee %lld: the wage from %s is not in Personio's salary chain",
		   d->number, lp_date_fmt(have[i]->start, db));
		free(path);
	}
	for (size_t j = skip; j < nwant; j++) {
		if (match[j] < 0)
			continue;
		const struct cwage *h = have[match[j]];
		if (wage_eq(&want[j], h->amount, h->type) && !h->scale)
			continue;
		char *path = lp_xasprintf("/providers/employers/employees/employments/wages/%s", h->id);
		r->expect = wage_expect(h);
		op(r, d, h->scale ? "X3" : "K3", "wage", "update", chain, "PUT", path,
		   wage_body(want[j].start, want[j].amount, want[j].type), wage_view(h->start, h->amount, h->type),
		   wage_view(want[j].start, want[j].amount, want[j].type),
		   "Employee %lld: the wage from %s becomes %s%s", d->number, lp_date_fmt(want[j].start, db),
		   lp_money_fmt(want[j].amount, (char[32]){0}), want[j].type == LP_LOKET_WAGE_HOURLY ? " per hour" : "");
		free(path);
	}
	for (size_t j = skip; j < nwant; j++) {
		if (!post[j])
			continue;
		char *path = lp_xasprintf("/providers/employers/employees/employments/%s/wages", m->id);
		op(r, d, "K3", "wage", "create", chain, "POST", path, wage_body(want[j].start, want[j].amount, want[j].type),
		   NULL, wage_view(want[j].start, want[j].amount, want[j].type),
		   "Employee %lld: a new wage of %s%s from %s (the record before it ends the day before)", d->number,
		   lp_money_fmt(want[j].amount, (char[32]){0}), want[j].type == LP_LOKET_WAGE_HOURLY ? " per hour" : "",
		   lp_date_fmt(want[j].start, db));
		free(path);
	}
	free(want);
	free(have);
	free(keep);
	free(moved);
	free(post);
	free(match);
}

/* ---- benefits and deductions (R1-R3, K1-K3) */

static json_t *ben_view(long long key, lp_cents value, lp_date start, int has_end, lp_date end)
{
	return json_pack("{s:I,s:o,s:o,s:o}", "payroll_component_key", (json_int_t)key, "value", money_str(value),
			 "start_date", date_str(start), "end_date", has_end ? date_str(end) : json_null());
}

static json_t *ben_body(lp_cents value, lp_date start, int has_end, lp_date end)
{
	return json_pack("{s:o,s:o,s:o}", "value", money_num(value), "startDate", date_str(start), "endDate",
			 has_end ? date_str(end) : json_null());
}

/* A current benefit or deduction as Loket holds it (the expect of an op that writes over it). */
static json_t *ben_expect(const struct cben *h)
{
	json_t *e = ben_body(h->value, h->start, h->has_end, h->end);
	json_object_set_new(e, "payrollComponent", json_pack("{s:I}", "key", (json_int_t)h->key));
	return e;
}

static int cmp_dben(const void *a, const void *b)
{
	const struct dben *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void benefits(struct run *r, const struct demp *d, const struct cempl *m)
{
	if (!r->cfg->compensation.sync_recurring)
		return;
	const struct cur *c = r->cur;
	lp_date S = r->cfg->compensation.start_date;
	lp_date lo = S > m->start ? S : m->start;
	char chain[128], db[16], db2[16];
	snprintf(chain, sizeof chain, "employment:%s", m->id);
	/* desired, clipped to the employment, sorted by component and date; overlaps refused */
	struct dben *want = lp_xmalloc((d->nb + 1) * sizeof *want);
	size_t nw = 0;
	for (size_t i = 0; i < d->nb; i++) {
		struct dben x = d->b[i];
		if (x.has_end && x.end < lo)
			continue;
		if (x.start < lo)
			x.start = lo;
		want[nw++] = x;
	}
	qsort(want, nw, sizeof *want, cmp_dben);
	lp_map *bad = lp_map_new();
	char nb[24];
	for (size_t i = 1; i < nw; i++)
		if (want[i].key == want[i - 1].key && (!want[i - 1].has_end || want[i - 1].end >= want[i].start) &&
		    !lp_map_get(bad, numkey(want[i].key, nb), NULL)) {
			lp_map_add(bad, nb);
			issue(r, d, "error", "R1", "payroll_component_key", "keep one recurring compensation per Loket component at a time (or map the types to different components)",
			      "Employee %lld: two recurring compensations for component %lld overlap from %s; Loket holds "
			      "one record per component at a time, so component %lld is not synced", d->number,
			      want[i].key, lp_date_fmt(want[i].start, db), want[i].key);
		}
	for (size_t i = 0; i < nw; i++) /* R1: the sign lives in the component's kind */
		if (!r1_kind_ok(r, d, &want[i]))
			lp_map_add(bad, numkey(want[i].key, nb));
	char *used = lp_xmalloc(nw + 1);
	memset(used, 0, nw + 1);
	/* pass 1: deletions and end-dating (shrinks) first, so that nothing overlaps on the way */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->nb; i++) {
			const struct cben *h = &c->bens[m->b[i]];
			if (!is_mapped(r, h->key) || lp_map_get(bad, numkey(h->key, nb), NULL))
				continue; /* K2: never touch an unmapped component */
			if (h->has_end && h->end < S)
				continue; /* K1: history before the start date */
			char *path = lp_xasprintf("/providers/employers/employees/employments/benefitsAndDeductions/%s", h->id);
			if (h->start < S) { /* R2: running across the start date: end it the day before */
				if (pass == 0) {
					r->expect = ben_expect(h);
					op(r, d, "R2", "benefit_deduction", "end", chain, "PUT", path,
					   ben_body(h->value, h->start, 1, S - 1),
					   ben_view(h->key, h->value, h->start, h->has_end, h->end),
					   ben_view(h->key, h->value, h->start, 1, S - 1),
					   "Employee %lld: component %lld (running since %s) is end-dated %s, the day before the "
					   "compensation start date; from then on Personio's records apply", d->number, h->key,
					   lp_date_fmt(h->start, db), lp_date_fmt(S - 1, db2));
				}
				free(path);
				continue;
			}
			size_t j;
			for (j = 0; j < nw; j++)
				if (want[j].key == h->key && want[j].start == h->start && !used[j])
					break;
			if (j == nw) { /* R3 */
				if (pass == 0) {
					r->expect = ben_expect(h);
					op(r, d, "R3", "benefit_deduction", "delete", chain, "DELETE", path, NULL,
					   ben_view(h->key, h->value, h->start, h->has_end, h->end), NULL,
					   "Employee %lld: component %lld from %s has no counterpart in Personio and is removed",
					   d->number, h->key, lp_date_fmt(h->start, db));
				}
				free(path);
				continue;
			}
			used[j] = 1;
			int same_end = want[j].has_end == h->has_end && (!h->has_end || want[j].end == h->end);
			int extends = !same_end && (!want[j].has_end || (h->has_end && want[j].end > h->end));
			/* a record that grows waits for pass 2, after every shrink and deletion */
			if ((want[j].value != h->value || !same_end) && pass == extends) {
				r->expect = ben_expect(h);
				op(r, d, "K3", "benefit_deduction", "update", chain, "PUT", path,
				   ben_body(want[j].value, want[j].start, want[j].has_end, want[j].end),
				   ben_view(h->key, h->value, h->start, h->has_end, h->end),
				   ben_view(want[j].key, want[j].value, want[j].start, want[j].has_end, want[j].end),
				   "Employee %lld: component %lld from %s takes Personio's value and end date", d->number,
				   h->key, lp_date_fmt(h->start, db));
			}
			free(path);
		}
	}
	for (size_t j = 0; j < nw; j++) {
		if (used[j] || lp_map_get(bad, numkey(want[j].key, nb), NULL))
			continue;
		char *path = lp_xasprintf("/providers/employers/employees/employments/%s/benefitsanddeductions", m->id);
		json_t *body = ben_body(want[j].value, want[j].start, want[j].has_end, want[j].end);
		json_object_set_new(body, "payrollComponent", json_pack("{s:I}", "key", (json_int_t)want[j].key));
		op(r, d, "K3", "benefit_deduction", "create", chain, "POST", path, body, NULL,
		   ben_view(want[j].key, want[j].value, want[j].start, want[j].has_end, want[j].end),
		   "Employee %lld: component %lld, %s a month from %s%s%s", d->number, want[j].key,
		   lp_money_fmt(want[j].value, (char[32]){0}), lp_date_fmt(want[j].start, db),
		   want[j].has_end ? " to " : "", want[j].has_end ? lp_date_fmt(want[j].end, db2) : "");
		free(path);
	}
	free(used);
	free(want);
	lp_map_free(bad, NULL);
}

/* ---- variable input (O1-O3, K1-K3) */

struct vslot { /* a current entry of a mapped component, from the start date's period on */
	const struct cppd *rec;
	size_t idx;
	int matched;
};

static json_t *vi_view(int year, int period, long long key, lp_cents value)
{
	return json_pack("{s:i,s:i,s:I,s:o}", "year", year, "period", period, "payroll_component_key",
			 (json_int_t)key, "value", money_str(value));
}

static json_t *ppd_component(long long key, lp_cents value, int supplement)
{
	return json_pack("{s:{s:I},s:o,s:b}", "payrollComponent", "key", (json_int_t)key, "value", money_num(value),
			 "isSupplement", supplement);
}

/* The upsert key of an existing record, as a PATCH body carries it. */
static void key_into(json_t *body, const json_t *key)
{
	static const char *const ks[] = {"shift", "payslipType", "distributionUnit", "costCenter", "costUnit"};
	for (int i = 0; i < 5; i++) {
		json_t *v = json_object_get(key, ks[i]);
		if (!json_is_object(v))
			continue;
		json_t *kv = json_object_get(v, i == 0 ? "shiftNumber" : "key");
		if (kv && !json_is_null(kv))
			json_object_set_new(body, ks[i], json_pack("{s:O}", i == 0 ? "shiftNumber" : "key", kv));
	}
}

static void variable_input(struct run *r, const struct demp *d, const struct cempl *m)
{
	if (!r->cfg->compensation.sync_one_time)
		return;
	const struct cur *c = r->cur;
	lp_date S = r->cfg->compensation.start_date;
	int sy, sp;
	lp_period_of(S, &sy, &sp);
	char chain[128];
	snprintf(chain, sizeof chain, "employment:%s", m->id);
	/* current entries of mapped components from the start date's period on, by (period, key) */
	lp_map *slots = lp_map_new();
	lp_map *held = lp_map_new(); /* R1: "year/period/key" held back: no PATCH, and no O3 either */
	size_t nslot = 0;
	for (size_t i = 0; i < m->nd; i++)
		nslot += c->ppd[m->d[i]]->n;
	struct vslot *sl = lp_xmalloc((nslot + 1) * sizeof *sl);
	nslot = 0;
	char kb[64];
	for (size_t i = 0; i < m->nd; i++) {
		const struct cppd *p = c->ppd[m->d[i]];
		if (p->year < sy || (p->year == sy && p->period < sp))
			continue; /* K1 */
		for (size_t k = 0; k < p->n; k++) {
			if (!is_mapped(r, p->e[k].key))
				continue; /* K2 */
			sl[nslot] = (struct vslot){p, k, 0};
			snprintf(kb, sizeof kb, "%d/%d/%lld", p->year, p->period, p->e[k].key);
			if (!lp_map_get(slots, kb, NULL))
				lp_map_put(slots, kb, &sl[nslot]);
			nslot++;
		}
	}
	/* desired entries: equal -> nothing; else upsert, grouped per period and record key */
	struct up {
		int year, period;
		const struct cppd *rec; /* the record it goes into, or NULL: a new one */
		json_t *comps, *before, *after;
	} *ups = lp_xmalloc((d->nv + 1) * sizeof *ups);
	size_t nup = 0;
	for (size_t j = 0; j < d->nv; j++) {
		const struct dvi *w = &d->v[j];
		if (w->year < sy || (w->year == sy && w->period < sp))
			continue;
		snprintf(kb, sizeof kb, "%d/%d/%lld", w->year, w->period, w->key);
		if (!r1_vi_ok(r, d, w)) { /* R1: Loket's entries of that period and component stay as they are */
			lp_map_add(held, kb);
			continue;
		}
		void *v;
		struct vslot *s = lp_map_get(slots, kb, &v) ? v : NULL;
		if (s)
			s->matched = 1;
		if (s && s->rec->e[s->idx].value == w->value && !s->rec->e[s->idx].supplement)
			continue;
		size_t u;
		for (u = 0; u < nup; u++)
			if (ups[u].year == w->year && ups[u].period == w->period && ups[u].rec == (s ? s->rec : NULL))
				break;
		if (u == nup) {
			ups[nup++] = (struct up){w->year, w->period, s ? s->rec : NULL, json_array(), json_array(), json_array()};
		}
		json_array_append_new(ups[u].comps, ppd_component(w->key, w->value, 0));
		json_array_append_new(ups[u].before, s ? vi_view(w->year, w->period, w->key, s->rec->e[s->idx].value) : json_null());
		json_array_append_new(ups[u].after, vi_view(w->year, w->period, w->key, w->value));
	}
	/* O3 first: entries no desired value claims (and second entries for the same period and
	 * component) leave their record: PUT it without them, or DELETE it when nothing is left */
	for (size_t i = 0; i < m->nd; i++) {
		const struct cppd *p = c->ppd[m->d[i]];
		if (p->year < sy || (p->year == sy && p->period < sp))
			continue;
		if (lp_period_start(p->year, p->period) < S)
			continue; /* the period begins before the start date: nothing is removed from it */
		json_t *keep = json_array(), *gone = json_array(), *all = json_array();
		for (size_t k = 0; k < p->n; k++) {
			const struct cvi *e = &p->e[k];
			int remove = 0;
			snprintf(kb, sizeof kb, "%d/%d/%lld", p->year, p->period, e->key);
			if (is_mapped(r, e->key) && !lp_map_get(held, kb, NULL)) { /* R1: held back, never removed */
				void *v;
				struct vslot *s = lp_map_get(slots, kb, &v) ? v : NULL;
				remove = !s || !s->matched || s->rec != p || s->idx != k;
			}
			if (remove)
				json_array_append_new(gone, vi_view(p->year, p->period, e->key, e->value));
			else
				json_array_append_new(keep, ppd_component(e->key, e->value, e->supplement));
			json_array_append_new(all, ppd_component(e->key, e->value, e->supplement));
		}
		if (json_array_size(gone)) {
			char *path = lp_xasprintf("/providers/employers/employees/employments/payrollperioddata/%s", p->id);
			json_t *g0 = json_array_get(gone, 0);
			long long k0 = (long long)json_integer_value(json_object_get(g0, "payroll_component_key"));
			r->expect = json_pack("{s:O}", "payrollComponents", all); /* the record as the plan saw it */
			if (json_array_size(keep)) {
				json_t *body = json_pack("{s:O}", "payrollComponents", keep);
				key_into(body, p->key);
				json_object_del(body, "payslipType"); /* read-only in a PUT */
				op(r, d, "O3", "variable_input", "remove", chain, "PUT", path, body, json_incref(gone), NULL,
				   "Employee %lld: period %d-%02d: component %lld%s not in Personio and is removed; the "
				   "record's other components stay", d->number, p->year, p->period, k0,
				   json_array_size(gone) > 1 ? " (and more) are" : " is");
			} else
				op(r, d, "O3", "variable_input", "delete", chain, "DELETE", path, NULL, json_incref(gone), NULL,
				   "Employee %lld: period %d-%02d: component %lld%s not in Personio and is removed",
				   d->number, p->year, p->period, k0, json_array_size(gone) > 1 ? " (and more) are" : " is");
			free(path);
		}
		json_decref(keep);
		json_decref(gone);
		json_decref(all);
	}
	for (size_t u = 0; u < nup; u++) {
		json_t *body = json_pack("{s:{s:i,s:i}}", "payrollPeriod", "year", ups[u].year, "periodNumber", ups[u].period);
		if (ups[u].rec)
			key_into(body, ups[u].rec->key);
		else
			json_object_set_new(body, "shift", json_pack("{s:i}", "shiftNumber", LP_LOKET_DEFAULT_SHIFT));
		json_object_set_new(body, "payrollComponents", ups[u].comps);
		char *path = lp_xasprintf("/providers/employers/employees/employments/%s/payrollperioddata", m->id);
		int all_new = 1;
		size_t i;
		json_t *b;
		json_array_foreach(ups[u].before, i, b) all_new &= json_is_null(b);
		op(r, d, all_new ? "O1" : "K3", "variable_input", "upsert", chain, "PATCH", path, body, ups[u].before,
		   ups[u].after, "Employee %lld: period %d-%02d: variable input %s (one entry per component, the "
		   "period's one-time payments summed: O2)", d->number, ups[u].year, ups[u].period,
		   all_new ? "added" : "set to Personio's sum");
		free(path);
	}
	free(ups);
	free(sl);
	lp_map_free(slots, NULL);
	lp_map_free(held, NULL);
}

/* ---- one client */

static int cmp_dwage(const void *a, const void *b)
{
	const struct dwage *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}


static void free_demps(struct demp **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i]->w);
		free(v[i]->b);
		free(v[i]->v);
		free(v[i]);
	}
	free(v);
}

static void plan_record(struct run *r, int blocked, const char *reason, json_t *created)
{
	json_t *waiting = json_array();
	if (r->cur)
		for (size_t i = 0; i < r->cur->nconcepts; i++) {
			const struct cconcept *k = &r->cur->concepts[i];
			json_array_append_new(waiting, json_pack("{s:s,s:s?,s:o}", "id", k->id, "unique_name", k->name,
								 "employee_number",
								 k->number >= 0 ? json_integer(k->number) : json_null()));
		}
	size_t i;
	json_t *v;
	json_array_foreach(created, i, v) json_array_append(waiting, v);
	json_t *p = json_object();
	json_object_set_new(p, "type", json_string("plan"));
	json_object_set_new(p, "client", json_string(r->cfg->client));
	json_object_set_new(p, "blocked", json_boolean(blocked));
	lp_json_set_str(p, "reason", reason);
	json_object_set_new(p, "ops", json_integer((json_int_t)r->seq));
	json_object_set_new(p, "ops_by_rule", json_incref(r->by_rule));
	json_object_set_new(p, "issues", json_integer((json_int_t)r->issues));
	json_object_set_new(p, "concept_employees_waiting", waiting);
	out_new(p);
}

/* benefits(), with every component that has a desired record Loket would refuse (E2, held:
 * "b|NUMBER|KEY") taken out on both sides: neither its desired nor its current records take
 * part, so it is left exactly as Loket has it (no R3 delete for a record that only failed
 * its check). */
static void benefits_unless_held(struct run *r, const struct demp *d, const struct cempl *m, lp_map *held)
{
	char k[64];
	size_t nheld = 0;
	for (size_t i = 0; i < d->nb; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, d->b[i].key);
		nheld += lp_map_get(held, k, NULL) != 0;
	}
	if (!nheld) {
		benefits(r, d, m);
		return;
	}
	struct demp dd = *d;
	struct cempl mm = *m;
	dd.b = lp_xmalloc((d->nb + 1) * sizeof *dd.b);
	dd.nb = 0;
	for (size_t i = 0; i < d->nb; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, d->b[i].key);
		if (!lp_map_get(held, k, NULL))
			dd.b[dd.nb++] = d->b[i];
	}
	mm.b = lp_xmalloc((m->nb + 1) * sizeof *mm.b);
	mm.nb = 0;
	for (size_t i = 0; i < m->nb; i++) {
		snprintf(k, sizeof k, "b|%lld|%lld", d->number, r->cur->bens[m->b[i]].key);
		if (!lp_map_get(held, k, NULL))
			mm.b[mm.nb++] = m->b[i];
	}
	benefits(r, &dd, &mm);
	free(dd.b);
	free(mm.b);
}

static int run_block(void *ctx, lp_block *b)
{
	struct run *r = ctx;
	r->cfg = lp_configs_for(&r->cfgs, b->client, lp_block_where(b, 0));
	r->cur = cur_for(b->client, 0);
	r->seq = r->issues = 0;
	r->by_rule = json_object();
	r->mapped = lp_map_new();
	char nb[24];
	for (size_t i = 0; i < r->cfg->compensation.nmap; i++) { /* both members of a pair (R1) */
		lp_map_add(r->mapped, numkey(r->cfg->compensation.map[i].payment, nb));
		lp_map_add(r->mapped, numkey(r->cfg->compensation.map[i].deduction, nb));
	}
	size_t n = json_array_size(b->recs);
	int validated = 0, blocked = 0;
	lp_map *by_num = lp_map_new();
	lp_map *held = lp_map_new(); /* E2: "w|NUMBER" wage chain, "b|NUMBER|KEY" component, "n|PID" no number */
	char vwhy[200];
	struct demp **order = NULL;
	size_t nd = 0, capd = 0;
	/* E4 first: a blocked (or unvalidated) client's desired records are not even read */
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_array_get(b->recs, i);
		if (!strcmp(json_string_value(json_object_get(rec, "type")), "validation")) {
			validated = 1;
			blocked |= lp_rec_bool(rec, "blocked", 0, lp_block_where(b, i));
		}
	}
	/* pass the records through that are not desired state; collect the desired state */
	for (size_t i = 0; i < n; i++) {
		json_t *rec = json_array_get(b->recs, i);
		const char *w = lp_block_where(b, i);
		const char *type = json_string_value(json_object_get(rec, "type"));
		if (!strcmp(type, "stream_end"))
			continue; /* the upstream stream ends here; the plan gets its own */
		if (strncmp(type, "loket.", 6) || !strncmp(type, "loket.current.", 14) || !strcmp(type, "loket.op")) {
			lp_block_pass(b, i);
			continue;
		}
		if (!validated || blocked)
			continue;
		const char *pid = lp_rec_str(rec, "personio_id", 0, w);
		long long en = lp_rec_int(rec, "employee_number", 1, w);
		if (r->only && strcmp(pid, r->only) && (en < 0 || strcmp(numkey(en, nb), r->only)))
			continue;
		if (en < 0) { /* E2: no Employee number (Loket), nothing to match on (M1): left out */
			char *k = lp_xasprintf("n|%s", pid);
			if (lp_map_add(held, k)) {
				struct demp who = {.pid = pid, .number = -1};
				issue(r, &who, "error", "E2", "employee_number", "fill in Employee number (Loket) in Personio",
				      "Personio employee %s has no Employee number (Loket): left out of the plan (%s)", pid, w);
			}
			free(k);
			continue;
		}
		void *v;
		struct demp *d = lp_map_get(by_num, numkey(en, nb), &v) ? v : NULL;
		if (!strcmp(type, "loket.employee")) {
			if (d) {
				lp_warn("%s: employee_number: employee %lld twice in one client's desired state", w, en);
				exit(LP_EXIT_DATA);
			}
			d = lp_xmalloc(sizeof *d);
			memset(d, 0, sizeof *d);
			d->rec = rec;
			d->where = w;
			d->pid = pid;
			d->number = en;
			d->income = lp_rec_int(rec, "income_number", 1, w);
			d->has_entry = lp_rec_date(rec, "entry_date", 1, w, &d->entry) == 0;
			if (!json_is_object(json_object_get(rec, "employee"))) {
				lp_warn("%s: employee: expected an object", w);
				exit(LP_EXIT_DATA);
			}
			lp_rec_str(rec, "citizen_service_number", 1, w);
			lp_map_put(by_num, numkey(en, nb), d);
			*PUSH(order, nd, capd) = d;
			continue;
		}
		if (!d) {
			lp_warn("%s: employee_number: %s for employee %lld comes before (or without) its loket.employee record",
				w, type, en);
			exit(LP_EXIT_DATA);
		}
		if (!strcmp(type, "loket.wage")) {
			struct dwage *x = PUSH(d->w, d->nw, d->capw);
			lp_rec_date(rec, "start_date", 0, w, &x->start);
			x->amount = lp_rec_money(rec, "gross_wage", w);
			x->type = (int)lp_rec_int(rec, "gross_wage_type.key", 0, w);
			const char *why = lp_range_wage(x->amount, x->type == LP_LOKET_WAGE_HOURLY, vwhy, sizeof vwhy);
			if (why) { /* E2: the employee's whole wage chain waits; Loket keeps its wages */
				char db[16], *k = lp_xasprintf("w|%lld", en);
				lp_map_add(held, k);
				free(k);
				issue(r, d, "error", "E2", "gross_wage", "correct the salary in Personio, then map and diff again",
				      "Employee %lld: the wage from %s (%s): %s; no wage of this employee is changed", en,
				      lp_date_fmt(x->start, db), w, why);
			}
		} else if (!strcmp(type, "loket.benefit_deduction")) {
			struct dben *x = PUSH(d->b, d->nb, d->capb);
			x->key = lp_rec_int(rec, "payroll_component_key", 0, w);
			x->value = lp_rec_money(rec, "value", w);
			lp_rec_date(rec, "start_date", 0, w, &x->start);
			x->has_end = lp_rec_date(rec, "end_date", 1, w, &x->end) == 0;
			x->where = w;
			x->deduction = lp_rec_bool(rec, "deduction", 0, w); /* R1: the kind its component must have */
			x->cid = lp_json_str(rec, "compensation_id"); /* for messages only */
			/* E2: a value Loket refuses (it is positive: the component says deduction or
			 * payment), or an end before the start: that component is left alone */
			const char *why = x->value < 0 ? "it is negative, but the value of a benefit or deduction is "
							   "positive (the component says which it is)"
					  : lp_range_benefit(x->value, vwhy, sizeof vwhy);
			const char *field = "value";
			if (!why && x->has_end && x->end < x->start) {
				why = "it ends before it starts";
				field = "end_date";
			}
			if (why) {
				char db[16], *k = lp_xasprintf("b|%lld|%lld", en, x->key);
				lp_map_add(held, k);
				free(k);
				issue(r, d, "error", "E2", field, "correct the recurring compensation in Personio, then map and diff again",
				      "Employee %lld: component %lld from %s, %s (%s): %s; that component is left as Loket has it",
				      en, x->key, lp_date_fmt(x->start, db), lp_money_fmt(x->value, (char[32]){0}), w, why);
			}
		} else if (!strcmp(type, "loket.variable_input")) {
			struct dvi *x = PUSH(d->v, d->nv, d->capv);
			x->year = (int)lp_rec_int(rec, "year", 0, w);
			x->period = (int)lp_rec_int(rec, "period", 0, w);
			x->key = lp_rec_int(rec, "payroll_component_key", 0, w);
			x->value = lp_rec_money(rec, "value", w);
			if (x->period < 1 || x->period > 53) {
				lp_warn("%s: period: expected 1..53", w);
				exit(LP_EXIT_DATA);
			}
		} else {
			lp_warn("%s: type: unknown desired-state record type '%s'", w, type);
			exit(LP_EXIT_DATA);
		}
	}
	for (size_t i = 0; i < nd; i++) {
		char *k = lp_xasprintf("w|%lld", order[i]->number);
		if (lp_map_get(held, k, NULL))
			order[i]->nw = 0; /* E2: as without a desired wage (S4): Loket's wages stay */
		free(k);
	}
	json_t *created = json_array();
	const char *reason = NULL;
	if (!validated || blocked) {
		reason = !validated ? "the desired state carries no validation record: run validate before map-compensation"
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
		for (size_t i = 0; i < r->cur->nempls && !reason; i++)
			if (strcmp(r->cur->empls[i]->admin, r->cfg->loket.payroll_administration_id)) {
				reason = "the current Loket state belongs to another payroll administration than the configuration's";
				issue(r, NULL, "error", "LX1", "payroll_administration_id", "fetch the administration the configuration names",
				      "No plan for %s: employment %s is in payroll administration %s, the configuration names %s",
				      r->cfg->client, r->cur->empls[i]->id, r->cur->empls[i]->admin,
				      r->cfg->loket.payroll_administration_id);
			}
	}
	if (!reason) {
		set_wage_keys(r->cur);
		for (size_t i = 0; i < nd; i++) {
			struct demp *d = order[i];
			if (d->nw > 1)
				qsort(d->w, d->nw, sizeof *d->w, cmp_dwage);
			void *v;
			struct cemp *e = lp_map_get(r->cur->emp_by_num, numkey(d->number, nb), &v) ? v : NULL;
			if (!e) {
				struct cconcept *k = lp_map_get(r->cur->concept_by_num, nb, &v) ? v : NULL;
				if (k) {
					size_t rest = d->nb + d->nv + d->nw;
					issue(r, d, "info", "M2", NULL, "finalise the concept employee in Loket; the next sync sends the rest",
					      "Concept employee '%s' (employee number %lld) waits to be finalised in Loket; nothing "
					      "is sent for it until then (%zu compensation record(s) waiting)",
					      k->name ? k->name : k->id, d->number, rest);
				} else
					concept_post(r, d, created);
				continue;
			}
			/* M3: the employment with the income number; the entry date breaks a tie */
			struct cempl *m = NULL;
			int in_admin = 0;
			for (size_t j = 0; j < e->nm; j++) {
				struct cempl *x = e->m[j];
				in_admin = 1;
				if (x->income != d->income)
					continue;
				if (!m || (d->has_entry && x->start == d->entry) ||
				    (!(d->has_entry && m->start == d->entry) && x->start > m->start))
					m = x;
			}
			if (!in_admin) {
				issue(r, d, "warning", "M3", "employee_number", "check the Employee number in Personio, or add the employment in this payroll administration",
				      "Employee %lld exists in Loket but has no employment in this payroll administration: left out",
				      d->number);
				continue;
			}
			if (m && m->has_end) {
				char db[16];
				issue(r, d, "warning", "E3", NULL, "nothing to do if the employee is leaving; otherwise remove the end date in Loket",
				      "Employee %lld is terminated in Loket (end date %s): left out of the sync", d->number,
				      lp_date_fmt(m->end, db));
				size_t nc = d->nw + d->nb + d->nv;
				if (nc)
					issue(r, d, "warning", "X2", NULL, NULL,
					      "Employee %lld: %zu compensation record(s) from Personio are not created on the "
					      "terminated Loket employment", d->number, nc);
				continue;
			}
			employee_data(r, d, e);
			if (!m) {
				issue(r, d, "warning", "M3", "income_number", "the payroll administrator creates the new employment in Loket; the next sync links to it",
				      "Employee %lld has no employment with income number %lld in Loket: employee data is "
				      "synced, compensation waits until that employment exists", d->number, d->income);
				continue;
			}
			if (wage_keys_ok(r, d))
				wages(r, d, m);
			benefits_unless_held(r, d, m, held);
			variable_input(r, d, m);
		}
		if (r->cur)
			for (size_t i = 0; i < r->cur->nconcepts; i++) {
				const struct cconcept *k = &r->cur->concepts[i];
				if (k->number >= 0 && lp_map_get(by_num, numkey(k->number, nb), NULL))
					continue; /* reported with its employee above */
				if (r->only)
					continue;
				issue(r, NULL, "info", "M2", NULL, "finalise it in Loket, or remove it there if it is not needed",
				      "Concept employee '%s'%s waits to be finalised in Loket", k->name ? k->name : k->id,
				      k->number >= 0 ? "" : " (no employee number)");
			}
	}
	plan_record(r, reason != NULL, reason, created);
	if (reason)
		r->findings = 1;
	json_t *counts = json_pack("{s:I,s:I}", "ops", (json_int_t)r->seq, "issues", (json_int_t)r->issues);
	out_new(lp_stream_end(r->cfg->client, "plan", 1, counts, NULL));
	json_decref(created);
	json_decref(r->by_rule);
	lp_map_free(r->mapped, NULL);
	lp_map_free(by_num, NULL);
	lp_map_free(held, NULL);
	free_demps(order, nd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"current", required_argument, 0, 'C'},
					     {"only", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	lp_init(argv[0]);
	struct run r;
	memset(&r, 0, sizeof r);
	char **cur = NULL;
	int ncurf = 0, c;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': lp_configs_add(&r.cfgs, optarg); break;
		case 'C':
			cur = lp_xrealloc(cur, (size_t)(ncurf + 1) * sizeof *cur);
			cur[ncurf++] = optarg;
			break;
		case 'o': r.only = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!r.cfgs.n || !ncurf) {
		lp_warn(!r.cfgs.n ? "at least one --config is required" : "--current is required");
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
	currents = lp_map_new();
	load_current(cur, ncurf);
	free(cur);
	lp_in *in = lp_in_open(argv + optind, argc - optind);
	int rc = lp_block_run(in, run_block, &r);
	lp_in_close(in);
	int oc = lp_out_close();
	free_current();
	lp_configs_free(&r.cfgs);
	return rc ? rc : oc ? oc : r.findings ? LP_EXIT_FINDINGS : 0;
}
