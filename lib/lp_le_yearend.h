/* lp_le_yearend.h - Loket's year-end statement (jaaropgave) of an employment: the paths of the
 * list and of the PDF (LP_LE_PDF_ACCEPT, lp_le_payslip.h), and the year of a list item.
 */
#ifndef LP_LE_YEAREND_H
#define LP_LE_YEAREND_H

#include <jansson.h>
#include <stddef.h>

/* "/providers/employers/employees/employments/{employmentId}/yearendstatements": {year} per
 * statement (GET, paged). */
char *lp_le_yearend_list(const char *employment_id);
/* ".../employments/{employmentId}/yearendstatements/{year}": the statement as a PDF (GET).
 * NULL when the id is not a uuid or the year not 1900..2199. */
char *lp_le_yearend_pdf(const char *employment_id, int year);
/* The year of an item of lp_le_yearend_list: 0 and *year, or -1 with err. */
int lp_le_yearend_read(const json_t *item, int *year, char *err, size_t n);

#endif
