/* lp_le_employee.h - the Loket employee: its paths, the object built from a Personio person,
 * what a PUT may carry, and the field-by-field comparison (D2/D3).
 */
#ifndef LP_LE_EMPLOYEE_H
#define LP_LE_EMPLOYEE_H

#include <jansson.h>

#include "lp_jw.h"

/* "/providers/employers/{employerId}/employees": the employer's employees (GET, paged). */
char *lp_le_employee_list(const char *employer_id);
/* Loket's filter for the employee with this employee number: "employeeNumber eq N" (to be
 * URL-escaped into ?filter=). */
char *lp_le_employee_number_filter(long long number);
/* "/providers/employers/employees/{employeeId}": one employee (PUT). */
char *lp_le_employee_record(const char *employee_id);
/* "/providers/employers/employees/{employeeId}/citizenservicenumber": its BSN (GET, PUT). */
char *lp_le_employee_bsn(const char *employee_id);
/* "/providers/employers/employees/{employeeId}/metadata": the employee metadata (GET). */
char *lp_le_employee_metadata(const char *employee_id);

/* The Loket employee object (personalDetails, address, contactInformation) built from a
 * person record. Blank values are null, so that clearing a field in Personio clears it in
 * Loket (D3). Metadata fields name their option, never a key: gender {"value": "Man"} (or
 * null when lp_loket_gender_label has none), country {"isoCode": "NL"}. */
json_t *lp_le_employee_object(const json_t *person);
/* The same object written into w as one value (after a key, or at the top): what lp_out writes
 * for lp_le_employee_object's, byte for byte; map-compensation's loket.employee. */
void lp_le_employee_jw(lp_jw *w, const json_t *person);

/* 0 when Loket does not allow the field at this dotted path to be null (the spec marks it
 * nullable:false), so a blank in Personio cannot clear it: personalDetails.gender,
 * .initials, .lastName, .dateOfBirth and address.country. 1 otherwise (D3 clears it). */
int lp_le_employee_clearable(const char *path);

/* Remove from an employee resource (in place) what the spec marks readOnly for
 * PUT /providers/employers/employees/{employeeId}: id, revokeEmployeeSelfServiceAccessOn,
 * statusEmployeeSelfService, personalDetails.aowDate/.formattedName/.photo, the "value" label
 * of every metadata object ({key, value}) and country.isoCode. A country left without a key
 * is dropped (its key is only known from Loket's metadata). Makes the PUT body. */
void lp_le_employee_writable(json_t *employee);

/* Compare the desired employee fields (want, metadata objects already {key}) with merged (a
 * copy of the current resource), below the dotted prefix ("" at the top): every field that
 * differs is appended to changes as {field, before, after} and set in merged. A null Loket
 * cannot hold (lp_le_employee_clearable) is skipped; metadata compare by key. */
void lp_le_employee_cmp(const json_t *want, json_t *merged, const char *prefix, json_t *changes);

/* The loket.current.employee fields of an employee Loket sent (an item of
 * lp_le_employee_list) and the content of its lp_le_employee_bsn answer (or NULL), set into
 * rec: id, employee_number, employee (the whole resource but its id, which a PUT sends back
 * with the mapped fields changed; personalDetails, address, contactInformation null when
 * absent) and citizen_service_number. */
void lp_le_employee_current(json_t *rec, const json_t *item, const json_t *bsn_content);

/* The most characters Loket takes in the employee field a person record's field goes to
 * (address.street, address.house_number_addition, address.postal_code, address.city, email,
 * phone, initials, first_name, prefix, last_name), with Loket's name of that field in
 * *loket_field; 0 for a field without a limit here. */
size_t lp_le_employee_max_length(const char *person_field, const char **loket_field);

#endif
