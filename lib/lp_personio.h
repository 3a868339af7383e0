/* lp_personio.h - Personio's response shapes, read in one place.
 *
 * v1 employees (GET /v1/company/employees, data[] items of {"type":"Employee",
 * "attributes":{key:{label,value,type,universal_id}}}) become person records; v2
 * compensation items (GET /v2/compensations, _data[] items) become compensation records.
 * The v2 item shape is NOT confirmed by Personio: the shape we adopted is written down in
 * doc/personio-fixtures.md, and this file is the only code that reads it.
 *
 * Values that cannot be read become issue records (rule PX2) and the field is null, or,
 * for a compensation, the record is withheld: an unreadable amount is never guessed.
 */
#ifndef LP_PERSONIO_H
#define LP_PERSONIO_H

#include <jansson.h>
#include <stddef.h>

#include "lp_config.h"

/* The employee's id as text (buf), or NULL when the item has none. */
const char *lp_personio_employee_id(const json_t *emp, char *buf, size_t n);

/* Build the person record. Issues found are appended to `issues` (a JSON array). */
json_t *lp_personio_person(const lp_config *c, const json_t *emp, const char *source, json_t *issues);

/* Mapped attributes that the API did not return for this employee at all (the API
 * credential's attribute whitelist leaves them out silently): one PX1 issue each,
 * reported once per attribute per run (seen[] keeps track, LP_A__COUNT ints). */
void lp_personio_check_attributes(const lp_config *c, const json_t *emp, int *seen, json_t *issues);

/* Build the compensation record, or NULL (with an issue) when it cannot be read. */
json_t *lp_personio_compensation(const lp_config *c, const json_t *item, const char *source, json_t *issues);

/* The person id of a compensation item (buf), or NULL. */
const char *lp_personio_compensation_person(const json_t *item, char *buf, size_t n);

#endif
