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

#endif
