/* lp_le_concept.h - Loket's concept employee (an employee the payroll administrator has not
 * finalised yet, M1/M2): paths and the POST body.
 */
#ifndef LP_LE_CONCEPT_H
#define LP_LE_CONCEPT_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"

/* "/providers/employers/{employerId}/conceptemployees": the employer's concept employees
 * (GET, paged; POST creates one). */
char *lp_le_concept_list(const char *employer_id);
/* "/providers/employers/{employerId}/conceptemployees/metadata" (GET). */
char *lp_le_concept_metadata(const char *employer_id);
/* "/providers/employers/conceptemployees/{conceptEmployeeId}/citizenservicenumber": its BSN
 * (PUT); id may be a placeholder such as "{conceptEmployeeId}". */
char *lp_le_concept_bsn(const char *concept_id);

/* What a new concept employee is made of. */
struct lp_le_concept_new {
	const char *unique_name;
	long long number;     /* employeeNumber */
	json_t *employee;     /* the employee object (metadata as {key}); taken, made writable */
	const char *iban;     /* or NULL */
	const char *admin_id; /* the payroll administration's id */
	int has_start;
	lp_date start;        /* the employment's startDate, when has_start */
	long long income;     /* incomeRelationshipNumber, or -1 */
};
/* The POST body: {uniqueName, employeeData: {employeeNumber, the employee's fields, iban?},
 * employmentData: {payrollAdministration: {id}, startDate?, incomeRelationshipNumber?}}.
 * A wage goes in as "wageData" (lp_le_wage_data), by the caller. */
json_t *lp_le_concept_body(const struct lp_le_concept_new *c);
/* Add the concept employee's wage to its POST body: wageData (lp_le_wage_data). */
void lp_le_concept_set_wage(json_t *body, lp_cents amount, long long wage_type_key);
/* The unique name diff-loket gives a concept employee: "First prefix Last (Personio PID)"
 * from the employee object's personalDetails (missing parts left out). */
char *lp_le_concept_unique_name(const json_t *employee, const char *personio_id);

/* The identity of a posted concept employee in its collection (NULL-terminated dotted fields
 * of the POST body): uniqueName. */
const char *const *lp_le_concept_identity(void);

/* The loket.current.concept_employee fields of one Loket sent (an item of
 * lp_le_concept_list), set into rec: id, employee_number, unique_name. */
void lp_le_concept_current(json_t *rec, const json_t *item);
/* The employee number a concept employee's POST body gives it (employeeData.employeeNumber):
 * 1 and *number set, or 0 when it gives none (Loket is to choose one). */
int lp_le_concept_number(const json_t *body, long long *number);
/* The employer's employee list (lp_le_employee_list) of a concept employee's POST path,
 * ".../{employerId}/conceptemployees"; NULL when concept_path is not one. */
char *lp_le_concept_employees_of(const char *concept_path);

#endif
