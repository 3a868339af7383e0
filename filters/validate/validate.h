/* validate.h - validate's private interface: one client's block and its people and
 * compensations (main.c), the configuration checks (config.c: C1, C2, --check-config), the
 * checks of people (people.c: E1, D1, E2) and of compensations (compensations.c: C3, X1, R1,
 * S5, S4, E2).
 */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <stddef.h>

#include <jansson.h>

#include "lp_block.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_vec.h"

struct ctx {
	lp_configs cfgs;
	lp_map *cfg_issues;   /* client -> json array of C1/C2 issues */
	lp_date as_of;
	const char *only;     /* --only: one employee by Personio id or Employee number */
	int blocked_any;
};

struct comp;

struct person {
	json_t *rec;
	const char *pid, *empno, *where;
	int in_scope, skip;
	unsigned long no;     /* 0, 1, ... in the block: with a month, the key of X1's sets */
	lp_date entry;
	int has_entry;
	json_t *issues;       /* issues about this person, written after it */
	LP_VEC(struct comp *) sal; /* this person's salaries still kept, for S4 */
};

struct comp {
	size_t idx;
	const char *kind, *currency, *interval, *type_id, *type_name, *cid, *where;
	lp_cents amount;
	lp_date from, to;
	int has_to, keep;
	struct person *p;
};

struct block {
	struct ctx *x;
	lp_config *cfg;
	lp_block *b;
	lp_map *people;       /* personio_id -> struct person* */
	json_t *late;         /* issues found on the whole block (S4, X1, ...) */
	unsigned long errors, warnings, in_scope, out_of_scope, infos;
	unsigned long npeople; /* people read so far */
};

/* main.c: a finding about p (or the client, p NULL) appended to list and counted by severity */
void add(struct block *k, json_t *list, const char *severity, const char *rule, const struct person *p,
	 const char *field, const char *hint, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* main.c: write one record, or one array of them, to standard output (exit on a write error) */
void out(json_t *r);
void out_issues(json_t *list);

/* config.c: C1, C2 over all configurations into x->cfg_issues; --check-config */
void check_configs(struct ctx *x);
int check_config_only(struct ctx *x);

/* people.c: a person record read into k->people; scope (E1, D1) and data (E2) checked */
void person(struct block *k, json_t *rec, const char *where);
void free_person(void *v);

/* compensations.c: the block's compensation records read into cs (those of a person read,
 * in input order; returns how many), then checked (C3, X1, R1, S5, E2, S4) */
size_t read_compensations(struct block *k, struct comp *cs);
void compensations(struct block *k, struct comp *cs, size_t n);

#endif
