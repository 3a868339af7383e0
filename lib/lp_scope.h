/* lp_scope.h - whether a Personio person belongs to this client's payroll (E1).
 *
 * A person is in scope when the legal entity is the configured one (personio.legal_entity_id),
 * the status is "active" and "Consider in NL payroll" is true. validate decides the sync's
 * scope with it (E1, then its own entry-date rule D1); push-documents shares no document with
 * a person out of scope.
 */
#ifndef LP_SCOPE_H
#define LP_SCOPE_H

#include <jansson.h>
#include <stddef.h>

#include "lp_config.h"

/* person: a `person` record (schemas/person.schema.json) read at where ("FILE:LINE"); a field of
 * the wrong type exits 3 (lp_rec). Returns NULL when the person is in scope, else the reason in
 * words ("status is leave; only Active employees are synced"), written into buf (n >= 300). */
const char *lp_scope_why_not(const lp_config *c, const json_t *person, const char *where, char *buf, size_t n);

#endif
