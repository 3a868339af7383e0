/* diff.h - diff-loket's private interface: the current state (current.c), the desired state
 * of one client (main.c, desired.c), the plan writer (plan.c), Loket's metadata and catalogue (metadata.c)
 * and one differ per Loket entity (employee.c, concept.c, wage.c, benefit.c, variable.c,
 * with the R1 checks in r1.c).
 */
#ifndef DIFF_H
#define DIFF_H

#include <jansson.h>

#include "lp_block.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_le_component.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_plan.h"
#include "lp_vec.h"

/* ---------------------------------------------------------------- current state (current.c) */

struct cur_wage {
	const char *id, *employment;
	lp_date start;
	lp_cents amount;
	int type, scale; /* type: the wage kind; scale: applyPayGrade, from a pay scale (X3) */
};

struct cur_benefit {
	const char *id, *employment;
	long long key;
	lp_cents value;
	lp_date start, end;
	int has_end;
};

struct cur_ppd_entry { /* one component entry of a payroll period data record */
	long long key;
	lp_cents value;
	int supplement;
};

struct cur_ppd { /* one payroll period data record, from its component entries */
	const char *id, *employment;
	int year, period;
	json_t *key;
	LP_VEC(struct cur_ppd_entry) e;
};

struct cur_employment {
	const char *id, *employee, *admin;
	long long income;
	lp_date start, end;
	int has_end;
	LP_VEC(size_t) w; /* indexes into cur.wages (sorted by start) */
	LP_VEC(size_t) b; /* into cur.bens */
	LP_VEC(size_t) d; /* into cur.ppd */
};

struct cur_employee {
	const char *id;
	long long number;
	json_t *rec;
	LP_VEC(struct cur_employment *) m;
};

struct cur_concept {
	const char *id, *name;
	long long number; /* -1: none */
};

struct cur_component { /* one component of Loket's catalogue of one year */
	int year;
	long long key;
	enum lp_component_kind kind;
	const char *desc, *label; /* description, deductionOrPayment label (or NULL) */
};

/* One client's current state. */
struct cur {
	char *client;
	json_t *hold;       /* the employee records (their JSON is compared and sent back) and period data keys */
	LP_VEC(char *) strs; /* copies of the other records' strings: their JSON is let go at once */
	int complete;
	lp_map *emp_by_num, *emp_by_id, *empl_by_id, *ppd_by_id, *concept_by_num;
	LP_VEC(struct cur_employee *) emps;
	LP_VEC(struct cur_employment *) empls;
	LP_VEC(struct cur_wage) wages;
	LP_VEC(struct cur_benefit) bens;
	LP_VEC(struct cur_ppd *) ppd;
	LP_VEC(struct cur_concept) concepts;
	json_t *meta;                       /* "resource/field" (field in lower case) -> options, from loket.current.metadata */
	LP_VEC(struct cur_component) comps; /* the payroll component catalogue */
	lp_map *comp_by;                    /* "year/key" -> index + 1 into comps */
	lp_map *comp_years;                 /* the years the catalogue holds */
	int comp_max_year;
	/* Loket's grossWageType key for each wage kind (LP_LE_WAGE_*): the option whose label
	 * means that kind; -1 when no option, or more than one, does (set_wage_keys) */
	long long wage_key_of[3];
};

/* Every client's current state. */
struct currents {
	lp_map *by_client; /* client -> struct cur */
	LP_VEC(struct cur *) list;
};

void load_current(struct currents *cs, char *const *paths, int n);
/* A copy of s kept as long as the current state (NULL stays NULL). */
const char *cur_keep(struct cur *c, const char *s);
struct cur *cur_find(const struct currents *cs, const char *client);
void free_current(struct currents *cs);
/* metadata.c: the loaders of loket.current.metadata and .payroll_component records, and the
 * current wages' kinds read through the wage metadata (once all is loaded). */
void load_metadata(struct cur *c, json_t *r, const char *w);
void load_component(struct cur *c, json_t *r, const char *w);
void read_wage_kinds(struct cur *c);
/* The options of a metadata field ("resource/field" or any resource's), NULL when none. */
const json_t *meta_options(const struct cur *c, const char *resource, const char *field);
/* The catalogue's component of a year, NULL when it is not there. */
const struct cur_component *cur_component(const struct cur *c, int year, long long key);
/* 1 when the catalogue of that year was read. */
int cur_has_year(const struct cur *c, int year);

/* ---------------------------------------------------------------- desired state */

struct want_wage {
	lp_date start;
	lp_cents amount;
	int type;
};

struct want_benefit {
	long long key;
	lp_cents value;
	lp_date start, end;
	int has_end;
	int deduction; /* Personio's amount was negative (R1) */
	const char *where, *cid;
};

struct want_vi { /* one variable input entry: a period's sum for a component */
	int year, period;
	long long key;
	lp_cents value;
};

struct want_employee {
	json_t *rec;
	const char *where, *pid;
	long long number, income;
	lp_date entry;
	int has_entry;
	LP_VEC(struct want_wage) w;
	LP_VEC(struct want_benefit) b;
	LP_VEC(struct want_vi) v;
};

/* One client's desired state, as read (desired.c). */
struct desired {
	int validated, blocked;
	lp_map *by_num;                         /* employee number -> struct want_employee */
	lp_map *held;                           /* E2: "w|NUMBER" wage chain, "b|NUMBER|KEY" component, "n|PID" no number */
	LP_VEC(struct want_employee *) order;   /* in input order */
};

/* ---------------------------------------------------------------- the run */

struct run {
	lp_configs cfgs;
	const char *only;
	int findings;
	struct currents cs;
	/* per client */
	const lp_config *cfg;
	struct cur *cur;
	unsigned long issues;
	struct lp_plan plan; /* seq, ops per rule, the op written last */
	lp_map *mapped;   /* component keys the configuration maps */
};

/* desired.c: read the block's desired state into ds (issues E2 on the way); frees with
 * free_desired. */
void read_desired(struct run *r, lp_block *b, struct desired *ds);
void free_desired(struct desired *ds);

/* ---------------------------------------------------------------- the plan (plan.c) */

void out_new(json_t *r);
char *numkey(long long n, char buf[24]);
int is_mapped(const struct run *r, long long key);
const char *want_pid(const struct want_employee *d);
const char *want_number(const struct want_employee *d, char buf[24]);
void issue_put(struct run *r, const char *severity, json_t *issue);
/* An issue record about employee d (or NULL), formatted by lp_issuef. */
#define issue(r, d, sev, rule, field, hint, ...)                                                                      \
	issue_put((r), (sev),                                                                                          \
		  lp_issuef((r)->cfg->client, (sev), (rule), want_pid(d), want_number((d), (char[24]){0}), (field),   \
			    (hint), __VA_ARGS__))

/* One op record. path is relative to the API base (.../v2). body, before, after and expect
 * are taken. */
struct plan_op {
	const struct want_employee *d;
	const char *rule, *entity, *action, *chain, *method, *path;
	json_t *body, *before, *after;
	json_t *expect;       /* what the record holds now, in Loket's fields: push-loket writes only over that */
	const char *needs_id; /* the op_id whose created id fills the path's placeholder */
};
void plan_op(struct run *r, const struct plan_op *o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void plan_record(struct run *r, int blocked, const char *reason, json_t *created);

/* ---------------------------------------------------------------- metadata keys (metadata.c) */

void set_wage_keys(struct cur *c);
long long loket_wage_key(const struct cur *c, int kind);
int wage_keys_ok(struct run *r, const struct want_employee *d);
json_t *with_keys(struct run *r, const struct want_employee *d, const json_t *employee, const char *resource);

/* ---------------------------------------------------------------- the differs */

void employee_data(struct run *r, const struct want_employee *d, const struct cur_employee *e);
/* M1/M2: an employee number Loket has no employee for: a concept employee waiting to be
 * finalised (M2 info), or a new one (POST); created collects the new ones for the plan. */
void concept_for(struct run *r, const struct want_employee *d, json_t *created);
void wages(struct run *r, const struct want_employee *d, const struct cur_employment *m);
void benefits_unless_held(struct run *r, const struct want_employee *d, const struct cur_employment *m, lp_map *held);
void variable_input(struct run *r, const struct want_employee *d, const struct cur_employment *m);
int r1_kind_ok(struct run *r, const struct want_employee *d, const struct want_benefit *b);
int r1_vi_ok(struct run *r, const struct want_employee *d, const struct want_vi *w);

#endif
