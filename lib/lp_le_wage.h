/* lp_le_wage.h - the Loket wage (one link of an employment's date chain): paths, kinds,
 * bodies, views and the comparison.
 */
#ifndef LP_LE_WAGE_H
#define LP_LE_WAGE_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"

/* Wage kinds as loket.wage records carry them (gross_wage_type.key), numbered as the spec's
 * description of grossWageType numbers them: 1 periodic, 2 hourly. They are loketpipe's
 * kinds, not the keys sent: diff-loket sends the key of the option of Loket's wage metadata
 * (field grossWageType) whose label means that kind (lp_le_wage_kind). */
enum { LP_LE_WAGE_PERIODIC = 1, LP_LE_WAGE_HOURLY = 2 };

/* The kind a grossWageType label means: LP_LE_WAGE_PERIODIC for "Periodeloon" (also
 * "Periodiek", "Periodiek loon", "periodic"), LP_LE_WAGE_HOURLY for "Uurloon" (also
 * "Uur", "hourly"); case is ignored (the synonyms are lp_loket_label_eq's). 0 for any other
 * label. The labels are UNCONFIRMED: the spec's own examples say "hourly"; Loket's metadata
 * is what counts. */
int lp_le_wage_kind(const char *label);

/* "/providers/employers/employees/employments/{employmentId}/wages": an employment's wages
 * (GET, paged; POST). */
char *lp_le_wage_collection(const char *employment_id);
/* "/providers/employers/employees/employments/wages/{wageId}": one wage (PUT, DELETE). */
char *lp_le_wage_record(const char *wage_id);
/* "/providers/employers/employees/employments/{employmentId}/wages/metadata" (GET). */
char *lp_le_wage_metadata(const char *employment_id);

/* The body of a POST or PUT: {startDate, grossWage, grossWageType: {key}, applyPayGrade:
 * false}; key is Loket's grossWageType key (from its metadata), not a kind. */
json_t *lp_le_wage_body(lp_date start, lp_cents amount, long long key);
/* A concept employee's wageData (the same without startDate). */
json_t *lp_le_wage_data(lp_cents amount, long long key);
/* A current wage as Loket holds it (the expect of an op that writes over it or deletes it):
 * the body, with applyPayGrade true when it is on a pay scale, else left out. */
json_t *lp_le_wage_expect(lp_date start, lp_cents amount, long long key, int scale);
/* The plan's view: {start_date, gross_wage, gross_wage_type} (type: the kind). */
json_t *lp_le_wage_view(lp_date start, lp_cents amount, int kind);
/* 1 when two wages carry the same amount and kind. */
int lp_le_wage_eq(lp_cents a_amount, int a_kind, lp_cents b_amount, int b_kind);

/* The identity of a posted wage in its collection (NULL-terminated dotted fields of the
 * POST body): startDate. */
const char *const *lp_le_wage_identity(void);

/* The loket.current.wage fields of a wage Loket sent (an item of lp_le_wage_collection), set
 * into rec: id, employment_id, start_date, end_date, gross_wage, gross_wage_type {key},
 * apply_pay_grade, pay_scale, pay_grade. 0, or -1 with err when its amount is not one, or lies
 * outside 0.00 .. 999999.99 (Loket's range, lib/lp_range.h). */
int lp_le_wage_current(json_t *rec, const json_t *item, const char *employment_id, char *err, size_t n);

/* The field of Loket's wage metadata that lists the wage kinds. */
#define LP_LE_WAGE_TYPE_FIELD "grossWageType"
/* The kind (LP_LE_WAGE_*) of a grossWageType key in those options; 0 when they do not say. */
int lp_le_wage_kind_of_key(const json_t *options, long long key);
/* Loket's grossWageType key for each kind (key_of[LP_LE_WAGE_PERIODIC], [..._HOURLY]): the
 * option whose label means that kind; -1 when no option, or more than one, does. */
void lp_le_wage_keys(const json_t *options, long long key_of[3]);

#endif
