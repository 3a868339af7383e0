/* lp_loket.h - Loket's own field layout, in one place.
 *
 * Desired-state records carry Loket's field names (personalDetails, address,
 * contactInformation ...) so that diff-loket can compare them with what Loket holds and
 * push-loket can send them. Metadata keys that Loket's spec does not confirm are chosen
 * here and nowhere else (gender keys, grossWageType keys).
 */
#ifndef LP_LOKET_H
#define LP_LOKET_H

#include <jansson.h>

/* Loket gross wage types (grossWageType.key): 1 periodic, 2 hourly (spec description). */
enum { LP_LOKET_WAGE_PERIODIC = 1, LP_LOKET_WAGE_HOURLY = 2 };

/* gender.key for a Personio gender ("male", "female", ...): 1 male, 2 female (UNCONFIRMED,
 * read the labels from /metadata); 0 when there is no sure key (sent as null). */
int lp_loket_gender_key(const char *personio_gender);

/* The Loket employee object (personalDetails, address, contactInformation) built from a
 * person record. Blank values are null, so that clearing a field in Personio clears it in
 * Loket (D3). */
json_t *lp_loket_employee_object(const json_t *person);

/* 0 when Loket does not allow the field at this dotted path to be null (the spec marks it
 * nullable:false), so a blank in Personio cannot clear it: personalDetails.gender,
 * .initials, .lastName, .dateOfBirth and address.country. 1 otherwise (D3 clears it). */
int lp_loket_clearable(const char *path);

/* Remove from an employee resource (in place) what the spec marks readOnly for
 * PUT /providers/employers/employees/{employeeId}: id, revokeEmployeeSelfServiceAccessOn,
 * statusEmployeeSelfService, personalDetails.aowDate/.formattedName/.photo, the "value" label
 * of every metadata object ({key, value}) and country.isoCode. A country left without a key
 * is dropped (its key is only known from Loket's metadata). */
void lp_loket_writable(json_t *employee);

/* Where a new concept employee's variable data goes: payroll period data is written with
 * shift 1 and Loket's defaults for the rest of the upsert key (UNCONFIRMED which defaults
 * Loket applies; diff-loket therefore matches existing entries on period and component, not
 * on the full key). */
#define LP_LOKET_DEFAULT_SHIFT 1

#endif
