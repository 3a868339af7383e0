/* lp_le_employment.h - the Loket employment: its paths. Its sub-collections are their
 * entities' (lp_le_wage_collection, lp_le_benefit_collection, lp_le_ppd_collection).
 */
#ifndef LP_LE_EMPLOYMENT_H
#define LP_LE_EMPLOYMENT_H

/* "/providers/employers/{employerId}/employees/employments": every employment of the
 * employer's employees (GET, paged). */
char *lp_le_employment_list(const char *employer_id);

#endif
