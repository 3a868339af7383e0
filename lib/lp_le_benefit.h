/* lp_le_benefit.h - the Loket benefit or deduction (a recurring value of a payroll component
 * on an employment): paths, bodies and views.
 */
#ifndef LP_LE_BENEFIT_H
#define LP_LE_BENEFIT_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"

/* "/providers/employers/employees/employments/{employmentId}/benefitsanddeductions": an
 * employment's benefits and deductions (GET, paged; POST). */
char *lp_le_benefit_collection(const char *employment_id);
/* "/providers/employers/employees/employments/benefitsAndDeductions/{id}": one (PUT, DELETE). */
char *lp_le_benefit_record(const char *benefit_id);

/* The body of a PUT: {value, startDate, endDate} (endDate null when it runs on). */
json_t *lp_le_benefit_body(lp_cents value, lp_date start, int has_end, lp_date end);
/* The body of a POST, and the expect of an op over a current record (the record as Loket
 * holds it): the PUT body with payrollComponent {key}. */
json_t *lp_le_benefit_post_body(long long key, lp_cents value, lp_date start, int has_end, lp_date end);
/* The plan's view: {payroll_component_key, value, start_date, end_date}. */
json_t *lp_le_benefit_view(long long key, lp_cents value, lp_date start, int has_end, lp_date end);

/* The identity of a posted benefit or deduction in its collection (NULL-terminated dotted
 * fields of the POST body): payrollComponent.key, startDate. */
const char *const *lp_le_benefit_identity(void);

/* The loket.current.benefit_deduction fields of one Loket sent (an item of
 * lp_le_benefit_collection), set into rec: id, employment_id, payroll_component_key, value,
 * start_date, end_date. 0, or -1 with err when its value is not an amount, or lies outside
 * 0.00 .. 99999.99 (Loket's range, lib/lp_range.h). */
int lp_le_benefit_current(json_t *rec, const json_t *item, const char *employment_id, char *err, size_t n);

#endif
