/* lp_range.h - the amounts Loket takes, and the ones we call absurd: in one place.
 *
 * From Loket's OpenAPI spec (v2, ../shared/reference/loket-openapi-v2.json):
 *   grossWage of a wage (POST …/employments/{id}/wages, PUT …/wages/{id}): 0.01 … 999999.99
 *   grossWage of a concept employee's wageData (POST …/conceptemployees): 1 … 1000000
 *   value of a benefit or deduction (…/benefitsanddeductions): 0.01 … 99999.99; the sign
 *   lives in the payroll component (deduction or payment), so the value is never negative
 *   payroll period data (variable input): no range documented, negative values allowed
 * An hourly wage uses the same grossWage field; the spec gives it no range of its own.
 *
 * Our bounds (so that one range holds on both wage endpoints, and typos are caught):
 *   a wage (periodic, per month after annual / 12) is 1.00 … 999999.99: below 1.00 a new
 *   employee's wageData is refused, and no 100% FTE salary is that small;
 *   an hourly wage is 1.00 … 1000.00: above 1000.00 an hour is a monthly or annual amount
 *   entered as hourly (two million a year at full time), never a payroll rate;
 *   a benefit or deduction is 0.01 … 99999.99 in absolute value (Loket's range).
 */
#ifndef LP_RANGE_H
#define LP_RANGE_H

#include <stddef.h>

#include "lp_money.h"

#define LP_RANGE_WAGE_MIN 100             /* 1.00 */
#define LP_RANGE_WAGE_MAX 99999999        /* 999999.99 */
#define LP_RANGE_HOURLY_MAX 100000        /* 1000.00 */
#define LP_RANGE_BENEFIT_MIN 1            /* 0.01 */
#define LP_RANGE_BENEFIT_MAX 9999999      /* 99999.99 */

/* NULL when a gross wage of v (per period, or per hour when hourly) is in range; else why
 * not, in buf (n >= 160), e.g. "0.00 is not more than 0: Loket takes a gross wage of 0.01 to
 * 999999.99". */
const char *lp_range_wage(lp_cents v, int hourly, char *buf, size_t n);
/* The same for the amount of a benefit or deduction; v may be negative (a deduction): its
 * absolute value must be in range. */
const char *lp_range_benefit(lp_cents v, char *buf, size_t n);

/* A Personio salary as map-compensation sends it: interval "monthly" as is, "yearly" / 12
 * (lp_div_round), "hourly" as an hourly wage. NULL when Loket takes it; else the finding in
 * buf (n >= 400), naming the compensation: "salary c1 of 0.05 a year is 0.00 a month (/ 12):
 * 0.00 is not more than 0: ...". */
const char *lp_range_salary(const char *compensation_id, lp_cents amount, const char *interval, char *buf, size_t n);
/* The same for a monthly recurring compensation (a benefit or deduction); type may be NULL. */
const char *lp_range_recurring(const char *compensation_id, const char *type, lp_cents amount, char *buf, size_t n);

#endif
