/* lp_le_check.h - values checked for what Loket accepts before they are written on: the body of
 * a plan's op before push-loket sends it, and the dates of every answer Loket sends before a
 * reader (fetch-loket, loket-employees, fetch-documents, fetch-journal) passes them on.
 *
 * An op's body (lp_le_body_check), per entity, holds only the members loketpipe's own plans
 * write (lp_le_* bodies), each of its type:
 *   dates      "YYYY-MM-DD", a real calendar day, years 1900..2199 (lib/lp_date)
 *   amounts    a JSON number with at most two decimals, in Loket's documented range
 *              (lib/lp_range.h): a wage's grossWage 0.01..999999.99, a concept employee's
 *              1..1000000, a benefit or deduction's value 0.01..99999.99; payroll period data
 *              has no documented range (any sign, two decimals)
 *   texts      strings without a control character (lp_text_ctrl)
 *   keys, numbers, flags   JSON integers (a distribution unit's key may be a uuid string), booleans
 *   a BSN      9 digits passing the 11-check
 * An employee's PUT carries Loket's whole employee resource (what Loket sent, with the plan's
 * changes): there every member named as a date must be a date or null and every text free of
 * control characters; that its other members are Loket's own is what push-loket's preflight
 * checks (the body must hold what Loket holds). A DELETE has no body. A member that is absent
 * is Loket's to refuse (its answer says which).
 */
#ifndef LP_LE_CHECK_H
#define LP_LE_CHECK_H

#include <jansson.h>
#include <stddef.h>

/* 0 when the body (an object, or null for a DELETE) of an op of entity ("wage",
 * "benefit_deduction", "concept_employee", "variable_input", "citizen_service_number",
 * "employee") and method is one Loket accepts; else -1 with err "body.PATH: why" (no text
 * value is quoted: only dates and amounts, which are not personal). An unknown entity is -1. */
int lp_le_body_check(const char *entity, const char *method, const json_t *body, char *err, size_t n);

/* 1 when member name k names a date in Loket's resources: "date", date... ("dateOfBirth",
 * "dateTimeCreation") or ...Date ("startDate", "commissionUntilDate1"). */
int lp_le_date_name(const char *k);

/* 0 when every date-named member anywhere in a Loket answer is null or a date ("YYYY-MM-DD",
 * or a date-time "YYYY-MM-DDT..."): a real calendar day, years 1900..2199; else -1 with err
 * "PATH: 'VALUE' is not a calendar date ..." (PATH like "_embedded[3].startDate"). */
int lp_le_answer_dates(const json_t *answer, char *err, size_t n);

#endif
