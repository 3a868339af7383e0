/* lp_le_audit.h - Loket's audit trail of employee data (GET
 * /providers/employers/{employerId}/auditTrail/EmployeeData, GetEmployeeDataAuditTrailByEmployerId,
 * version 2018-01-01, paged): who changed what in the employee's data, its employments and
 * what hangs under them (wages, benefits and deductions), and when. drift reads it to say who
 * made a manual change and when.
 *
 * An entry (an item of _embedded) names the employee (employee.employeeNumber), the table
 * (entity.value) and the field (field.value), the new value as text (newValue; null for a
 * delete), the person (performedBy.formattedName) and the time (timeStamp). The spec gives
 * examples only ("employee", "Achternaam"): which names Loket uses for the fields loketpipe
 * writes is UNCONFIRMED. The table in lp_le_audit.c is the one place that says it (Loket's
 * API names: entity "wage" field "grossWage", ...); loket-emu writes the same.
 */
#ifndef LP_LE_AUDIT_H
#define LP_LE_AUDIT_H

#include <jansson.h>

#include "lp_date.h"

/* ".../{employerId}/auditTrail/EmployeeData?startDate=FROMT00:00:00Z&endDate=TOT23:59:59Z":
 * the entries of the days from .. to (UTC, both whole days), for lp_loket_get_list (the
 * operation declares pageNumber/pageSize). */
char *lp_le_audit_employee_data(const char *employer_id, lp_date from, lp_date to);

/* The audit trail's entity and field of a field of a plan's view (op entity "wage" field
 * "gross_wage", "benefit_deduction" "value", "employee" "contactInformation.emailAddress"):
 * 1 with *a_entity and *a_field set (static strings, or for employee data the last segment of
 * field), 0 when the audit trail of employee data does not hold it (variable input: payroll
 * period data has its own trail; ids and keys). */
int lp_le_audit_names(const char *entity, const char *field, const char **a_entity, const char **a_field);

/* 1 when item records a change of field (a plan view's field of entity, as for
 * lp_le_audit_names) of employee number employee to value (the plan's form: "4000.00", 1,
 * "2026-01-01", text, null). newValue is text: an amount is compared as an amount ("4000",
 * "4000.0", "4000,00" equal "4000.00"), an integer as an integer, a date by its
 * "YYYY-MM-DD" (a date-time's date); other text exactly. */
int lp_le_audit_is(const json_t *item, long long employee, const char *entity, const char *field, const json_t *value);

/* performedBy.formattedName ("Jong, I"), NULL when the entry has none. */
const char *lp_le_audit_by(const json_t *item);
/* timeStamp as Loket sent it (ISO 8601), NULL when absent. */
const char *lp_le_audit_at(const json_t *item);

#endif
