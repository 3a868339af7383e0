/* lp_le_employer.h - the Loket employer: its version number (Loket's lastModifiedVersionNumber,
 * one database-global counter that never decreases; an employer's moves with every change of
 * the "static" data of its employments, employee data included, payroll period data not).
 */
#ifndef LP_LE_EMPLOYER_H
#define LP_LE_EMPLOYER_H

#include <jansson.h>

/* "/providers/employers/lastmodifiedversionnumbers?filter=id%20eq%20'<id>'": the version
 * number of this one employer (GET, a list of {id, lastModifiedVersionNumber}; the spec's
 * general filter on the item's id, so that the answer is one item however many employers
 * the user has). */
char *lp_le_employer_version(const char *employer_id);
/* {id, lastModifiedVersionNumber} of a version list (employers or employments): 1 with
 * *id and *version set, 0 when the item has not that shape. */
int lp_le_version_item(const json_t *item, const char **id, json_int_t *version);

#endif
