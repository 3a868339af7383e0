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
#include "lp_ndjson.h"
#include "lp_plan.h"
#include "lp_vec.h"

/* ---------------------------------------------------------------- one arena per client (arena.c) */

struct arena {
	struct arena_chunk *head;
	const char **set; /* the interned strings */
	size_t nset, capset;
};
char *arena_alloc(struct arena *a, size_t n); /* aligned for any struct, freed with the arena */
/* A NUL-terminated copy of n bytes of s; of the string s (NULL stays NULL); the one copy of s. */
const char *arena_text(struct arena *a, const char *s, size_t n);
const char *arena_str(struct arena *a, const char *s);
const char *arena_intern(struct arena *a, const char *s);
void arena_free(struct arena *a);

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
	json_t *key; /* its upsert key, shared by the records with the same key (cur.ppd_keys) */
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
	const char *text; /* the record as read (in cur.arena) */
	size_t len;
	json_t *rec;      /* parsed from text while the employee is planned (cur_employee_rec), else NULL */
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
	const char *client;
	struct arena arena; /* every string and the employee records' texts: no record is held as JSON */
	json_t *ppd_keys;   /* the period data records' upsert keys, one tree per distinct key */
	const char *last_ref; /* the employment id the last sub-record named (cur_ref) */
	int complete;
	int ended;          /* its stream_end was read: no more records come for it */
	int attached;       /* its sub-records are attached to their employments (attach) */
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

/* The current state, read one client at a time: fetch-loket writes it sorted by client, each
 * client's records ending with its stream_end. A client's state is read when its plan is
 * made (cur_get: forward through --current to its stream_end) and freed after it (cur_done).
 * Clients read on the way (not sorted, or not in the desired state's order) are held until
 * their plan is made or the input ends. */
struct currents {
	lp_in *in;
	int eof;
	lp_map *by_client; /* client -> struct cur (NULL: planned and freed) */
};

void open_current(struct currents *cs, char *const *paths, int n);
/* The client's current state, complete (read up to its stream_end or the end of input);
 * NULL when the input has no record for it. */
struct cur *cur_get(struct currents *cs, const char *client);
/* The plan of c is written: free it. A later record of its client is bad input. */
void cur_done(struct currents *cs, struct cur *c);
/* With drain, read the rest of --current (its errors are reported as when it was read
 * whole), freeing each client at its stream_end; then free everything. */
void close_current(struct currents *cs, int drain);
/* A copy of s kept as long as the current state (NULL stays NULL). */
const char *cur_keep(struct cur *c, const char *s);
/* Parse the employee record for its plan into e->rec; cur_employee_release lets it go. */
json_t *cur_employee_rec(struct cur_employee *e);
void cur_employee_release(struct cur_employee *e);
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
	const char *text; /* the loket.employee record as read (in desired.arena) */
	size_t len;
	json_t *rec;      /* parsed from text while the employee is planned, else NULL */
	const char *where, *pid;
	long long number, income;
	lp_date entry;
	int has_entry;
	LP_VEC(struct want_wage) w;
	LP_VEC(struct want_benefit) b;
	LP_VEC(struct want_vi) v;
};

/* What the desired state's block writes before its plan, in input order: the records
 * passed through and the E2 issues of its reading (written only when the client is planned). */
struct ds_event {
	const char *raw; /* a record passed through (in desired.arena), or NULL: */
	size_t len;
	json_t *issue;   /* an issue of severity sev */
	const char *sev;
};

/* One client's desired state, read as its records arrive (desired.c): compact structs, no
 * record held as JSON. */
struct desired {
	const char *client, *first_where; /* in arena */
	struct arena arena;
	unsigned long nrecs;
	LP_VEC(struct ds_event) ev;
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

/* desired.c: a new client block; read one record of it into ds (E2 issues kept for
 * desired_flush); at its end, when it is planned, write what the block passes through and the
 * E2 issues in input order (planned: 0 writes only the records passed through); free. */
struct desired *desired_new(const char *client, const char *where);
void desired_record(struct run *r, struct desired *ds, json_t *rec, const char *raw, size_t len, const char *where);
void desired_flush(struct run *r, struct desired *ds, int planned);
void free_desired(struct desired *ds);

/* ---------------------------------------------------------------- the plan (plan.c) */

void out_new(json_t *r);
char *numkey(long long n, char buf[24]);
/* "NAME:LINE" into buf (n bytes, at least 32), for messages; without printf (one per record). */
const char *where_fmt(char *buf, size_t n, const char *name, unsigned long line);
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
/* The same in place (employee is the caller's own copy, parsed for this plan). */
json_t *with_keys_in(struct run *r, const struct want_employee *d, json_t *employee, const char *resource);

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
