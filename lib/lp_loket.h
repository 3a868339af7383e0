/* lp_loket.h - Loket's labels and metadata options, and the headers every request names.
 *
 * Desired-state records carry Loket's field names (personalDetails, address,
 * contactInformation ...) so that diff-loket can compare them with what Loket holds and
 * push-loket can send them. Metadata fields (gender, country, grossWageType, a payroll
 * component's deductionOrPayment) are never given a key here: desired records name the
 * option by Loket's label ("value") or isoCode, and diff-loket looks the key up in the
 * metadata fetch-loket read from Loket (loket.current.metadata). Which labels mean what is
 * chosen here and nowhere else. What is particular to one Loket entity (its paths, bodies,
 * the employee object, wage and component kinds) is its module's: lp_le.h.
 */
#ifndef LP_LOKET_H
#define LP_LOKET_H

#include <jansson.h>

/* The resource version most requests to Loket name ([SPEC-intro] "Versioning"). */
#define LP_LOKET_ACCEPT "Accept: application/json;version=2018-01-01"
#define LP_LOKET_CONTENT_TYPE "Content-Type: application/json;version=2018-01-01"

/* The Accept and Content-Type lines of a request to target (a path below the base URL, or a
 * whole URL; a query is allowed): LP_LOKET_ACCEPT / LP_LOKET_CONTENT_TYPE, except for the
 * resources the spec declares in other versions only (lp_loket_version.c): the employee
 * (GET .../{employerId}/employees, GET and PUT .../employees/{employeeId}: 2018-12-31) and the
 * employer's employments (.../{employerId}/employees/employments[/comprehensive]: 2019-12-16).
 * Static strings. */
const char *lp_loket_accept(const char *target);
const char *lp_loket_content_type(const char *target);

/* The Loket label of a Personio gender ("male", "female", ...): "Man" or "Vrouw" (the spec's
 * metadata example), NULL when there is no sure one (Loket keeps its value). */
const char *lp_loket_gender_label(const char *personio_gender);

/* The key of the option in a metadata options array ([{key, value, isoCode?}], as Loket's
 * /metadata answers list them) that want names: want is {"value": label} (compared with
 * lp_loket_label_eq) or {"isoCode": "NL"} (case ignored). Returns 1 and sets *key when exactly
 * one option matches, 0 when none does, -1 when several do. */
int lp_loket_option_key(const json_t *options, const json_t *want, json_t **key);

/* 1 when two labels name the same option: equal ignoring case, or synonyms listed here
 * ("Man"/"Male", "Vrouw"/"Female", the wage kinds (lp_le_wage_kind), "Betaling"/"Payment",
 * "Inhouding"/"Deduction"). */
int lp_loket_label_eq(const char *a, const char *b);

/* The loket.current.metadata fields of one metadata answer (GET .../metadata: _embedded[] of
 * {field, options[]}, every option an object with a key), one object {resource, field,
 * options} per field appended to out. 0, or -1 with err naming the item or option that has the
 * wrong shape (the fields before it appended). */
int lp_loket_metadata_current(json_t *out, const json_t *answer, const char *resource, char *err, size_t n);

/* What a metadata option is called in a message: its isoCode, else its value (label); NULL
 * when it has neither. */
const char *lp_loket_option_label(const json_t *option);
/* The labels of a metadata field's options, for messages ("Man, Vrouw, ..."; at most 8, then
 * ", ..."), in buf; "none" when there are none. */
const char *lp_loket_option_labels(const json_t *options, char *buf, size_t n);
/* 1 when v names a metadata option by label or ISO code ({value} or {isoCode}) and has no key
 * yet: what a desired record carries where Loket wants a key. */
int lp_loket_names_option(const json_t *v);
/* {"key": key}: how a write names a metadata option. */
json_t *lp_loket_key_object(json_t *key);

#endif
