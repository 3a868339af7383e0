/* lp_loket.h - Loket's own field layout, in one place.
 *
 * Desired-state records carry Loket's field names (personalDetails, address,
 * contactInformation ...) so that diff-loket can compare them with what Loket holds and
 * push-loket can send them. Metadata fields (gender, country, grossWageType, a payroll
 * component's deductionOrPayment) are never given a key here: desired records name the
 * option by Loket's label ("value") or isoCode, and diff-loket looks the key up in the
 * metadata fetch-loket read from Loket (loket.current.metadata). Which labels mean what is
 * chosen here and nowhere else.
 */
#ifndef LP_LOKET_H
#define LP_LOKET_H

#include <jansson.h>

/* The API version every request to Loket names ([SPEC-intro] "Versioning"). */
#define LP_LOKET_ACCEPT "Accept: application/json;version=2018-01-01"
#define LP_LOKET_CONTENT_TYPE "Content-Type: application/json;version=2018-01-01"

/* Wage kinds as loket.wage records carry them (gross_wage_type.key), numbered as the spec's
 * description of grossWageType numbers them: 1 periodic, 2 hourly. They are loketpipe's
 * kinds, not the keys sent: diff-loket sends the key of the option of Loket's wage metadata
 * (field grossWageType) whose label means that kind (lp_loket_wage_kind). */
enum { LP_LOKET_WAGE_PERIODIC = 1, LP_LOKET_WAGE_HOURLY = 2 };

/* The kind a grossWageType label means: LP_LOKET_WAGE_PERIODIC for "Periodeloon" (also
 * "Periodiek", "Periodiek loon", "periodic"), LP_LOKET_WAGE_HOURLY for "Uurloon" (also
 * "Uur", "hourly"); case is ignored. 0 for any other label. The labels are UNCONFIRMED: the
 * spec's own examples say "hourly"; Loket's metadata is what counts. */
int lp_loket_wage_kind(const char *label);

/* The Loket label of a Personio gender ("male", "female", ...): "Man" or "Vrouw" (the spec's
 * metadata example), NULL when there is no sure one (Loket keeps its value). */
const char *lp_loket_gender_label(const char *personio_gender);

/* The key of the option in a metadata options array ([{key, value, isoCode?}], as Loket's
 * /metadata answers list them) that want names: want is {"value": label} (compared with
 * lp_loket_label_eq) or {"isoCode": "NL"} (case ignored). Returns 1 and sets *key when exactly
 * one option matches, 0 when none does, -1 when several do. */
int lp_loket_option_key(const json_t *options, const json_t *want, json_t **key);

/* 1 when two labels name the same option: equal ignoring case, or synonyms listed here
 * ("Man"/"Male", "Vrouw"/"Female", the wage kinds above, "Betaling"/"Payment",
 * "Inhouding"/"Deduction"). */
int lp_loket_label_eq(const char *a, const char *b);

/* What a payroll component does with its value, from the label of its deductionOrPayment
 * (catalogue GET .../payrollcomponents/year/{year}): "Inhouding" deducts, "Betaling" pays
 * (the spec's example is {"key": 2, "value": "Betaling"}; the deduction label is UNCONFIRMED).
 * NULL or another label: neither (the spec: "In case the component is neither a deduction
 * or a payment, NULL is returned"). */
enum lp_component_kind { LP_COMPONENT_NEITHER = 0, LP_COMPONENT_PAYMENT = 1, LP_COMPONENT_DEDUCTION = 2 };
enum lp_component_kind lp_loket_component_kind(const char *deduction_or_payment_label);

/* The Loket employee object (personalDetails, address, contactInformation) built from a
 * person record. Blank values are null, so that clearing a field in Personio clears it in
 * Loket (D3). Metadata fields name their option, never a key: gender {"value": "Man"} (or
 * null when lp_loket_gender_label has none), country {"isoCode": "NL"}. */
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
