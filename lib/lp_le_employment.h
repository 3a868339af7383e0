/* lp_le_employment.h - the Loket employment: its paths. Its sub-collections are their
 * entities' (lp_le_wage_collection, lp_le_benefit_collection, lp_le_ppd_collection).
 */
#ifndef LP_LE_EMPLOYMENT_H
#define LP_LE_EMPLOYMENT_H

#include <jansson.h>

/* "/providers/employers/{employerId}/employees/employments": every employment of the
 * employer's employees (GET, paged). */
char *lp_le_employment_list(const char *employer_id);

/* "/providers/employers/{employerId}/employees/employments/lastmodifiedversionnumbers": the
 * version number ({id, lastModifiedVersionNumber}) of every employment of the employer (GET,
 * paged); see lp_le_employer.h. */
char *lp_le_employment_versions(const char *employer_id);

/* The id of the payroll administration an employment Loket sent belongs to, or NULL. */
const char *lp_le_employment_admin(const json_t *item);
/* The loket.current.employment fields of an employment Loket sent (an item of
 * lp_le_employment_list), set into rec: id, employee_id, employee_number, income_number,
 * payroll_id (payrollId, "PersoneelsnummerVerloning": the persnr of Loket's CSV imports, made
 * by Loket, unique per payroll administration), start_date, end_date,
 * payroll_administration_id and client_number (the administration's clientNumber, the
 * aanslnr of the CSV imports, which Loket sends with every employment). */
void lp_le_employment_current(json_t *rec, const json_t *item);

#endif
