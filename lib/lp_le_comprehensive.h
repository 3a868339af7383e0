/* lp_le_comprehensive.h - Loket's comprehensive employment (GetEmploymentsComprehensiveByEmployerId):
 * every employment of an employer with its employee (address included), the working hours,
 * the organizational entity (department, function) and the wage in force on a reference
 * date, one list (paged). Its path, the Accept header its response version needs, and the
 * records loketpipe makes of an item (H4: what flows from Loket to the other system).
 *
 * The views are whitelists: only the fields named here leave Loket's answer, so the BSN, an
 * identity document's number, bank accounts or anything Loket adds later never reach the
 * output.
 */
#ifndef LP_LE_COMPREHENSIVE_H
#define LP_LE_COMPREHENSIVE_H

#include <jansson.h>
#include <stddef.h>

#include "lp_date.h"

/* The spec declares this operation's answer for resource version 2019-12-16 (the version
 * that "introduced the Comprehensive resource"), not the 2018-01-01 of LP_LOKET_ACCEPT. */
#define LP_LE_COMPREHENSIVE_ACCEPT "Accept: application/json;version=2019-12-16"

/* "/providers/employers/{employerId}/employees/employments/comprehensive?referenceDate=YYYY-MM-DD"
 * (GET, paged). */
char *lp_le_comprehensive_list(const char *employer_id, lp_date reference_date);

/* The employee of an item, as loketpipe's view (a new object, in this field order):
 * employee_id, employee_number, initials, first_name, prefix, last_name, formatted_name,
 * street, house_number, house_number_addition, postal_code, city, country (the address
 * country's isoCode); absent values null. NULL with err when the item has no employee id. */
json_t *lp_le_comprehensive_employee(const json_t *item, char *err, size_t n);

/* The employment of an item (a new object, in this order): employment_id, employee_id,
 * employee_number, income_number, payroll_id, payroll_administration_id, start_date,
 * end_date, hours_per_week (workinghours.deviatingHoursPerWeek, else averageHoursPerWeek,
 * else the shift's fullTimeHoursPerWeek), full_time_hours_per_week (the shift's), both exact
 * decimal strings "38.00" or null, function (organizationalEntity.deviatingFunctionDescription,
 * else function.description), department_code, department (its description); absent or null
 * parts give null. NULL with err when the item has no id, or hours that are not a number of
 * hours with at most two decimals (0 .. 168). */
json_t *lp_le_comprehensive_employment(const json_t *item, char *err, size_t n);

/* The first day after reference on which the date-dependent parts of item (its working
 * hours and organizational entity, and the employment's own start and end) may read
 * differently without any version number moving: the day after the earliest end date on or
 * after reference, or a start date after reference; LP_LE_DATE_NEVER when none. */
#define LP_LE_DATE_NEVER ((lp_date)2147483647)
lp_date lp_le_comprehensive_next_change(const json_t *item, lp_date reference);

#endif
