/* map.h - map-compensation's private interface: a person and its compensations as read
 * (main.c), the records every rule writes from (main.c: base, out_new, held_back for E2),
 * the wage chain (wages.c: S1-S3, K1), benefits and deductions (benefits.c: R1, K1, K2, E2)
 * and variable input (one_time.c: O1, O2, K1, K2).
 */
#ifndef MAP_H
#define MAP_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_jw.h"
#include "lp_money.h"
#include "lp_vec.h"

struct comp {
	const json_t *rec;
	const char *where, *kind, *interval, *type_id, *cid;
	lp_cents amount;
	lp_date from, to;
	int has_to;
};

struct person {
	const json_t *rec;
	const char *where, *pid;
	long long empno, incno; /* employee_number, income_number as written (-1: null), read once */
	LP_VEC(struct comp) comps;
};

/* main.c */

/* a record written; a write error exits */
void out_new(json_t *r);
/* A record of this type about p begun in the one output writer (lp_jw.h; records of a fixed
 * shape, written as lp_out would write the same jansson object): type, client, personio_id,
 * employee_number, income_number. The caller adds its keys, then ends it with done(). */
lp_jw *base(const char *type, const char *client, const struct person *p);
/* the record begun by base() closed and written as one line; a write error exits */
void done(lp_jw *w);
/* E2: an amount Loket would refuse holds back what it belongs to, with an error issue naming
 * the employee, the compensation and the field; counted for the exit status. */
void held_back(const lp_config *cfg, const struct person *p, const struct comp *c, const char *field,
	       const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The component of a mapped type (K2: -1 when unmapped); a pair routes by sign (R1). */
static inline long long mapped_key(const lp_config *cfg, const char *type_id, int negative)
{
	return lp_config_component(cfg, type_id, negative);
}

/* wages.c: S1-S3 and K1, the wage chain from the compensation start date */
void wages(const lp_config *cfg, const struct person *p);

/* benefits.c: E2 for the values benefits() would write (1: the employee is held back), and
 * R1, K1, K2: mapped monthly recurring compensations from the start date on */
int benefit_values(const lp_config *cfg, const struct person *p);
void benefits(const lp_config *cfg, const struct person *p);

/* one_time.c: O1, O2, K1, K2: one-time payments of a mapped type, summed per period and
 * component */
void variable_input(const lp_config *cfg, const struct person *p);

#endif
