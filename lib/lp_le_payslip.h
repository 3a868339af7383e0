/* lp_le_payslip.h - Loket's payslip (loonstrook) of an employment: the paths of the list and of
 * the PDF, and the fields of a list item (the year-end statement is lp_le_yearend's).
 *
 * ".../payslips/{payrollrunId}" and ".../payslips/{year}" share one path position in Loket's
 * spec: a run's path is only built from a run id that is a uuid (lp_le_uuid_ok), never from
 * anything that could read as a year, and the year form is never used for a run.
 */
#ifndef LP_LE_PAYSLIP_H
#define LP_LE_PAYSLIP_H

#include <jansson.h>
#include <stddef.h>

#include "lp_date.h"

/* The Accept header of a document download. */
#define LP_LE_PDF_ACCEPT "Accept: application/pdf"

/* "/providers/employers/employees/employments/{employmentId}/payslips": one item per payroll
 * run with a payslip of the employment (GET, paged). */
char *lp_le_payslip_list(const char *employment_id);
/* ".../employments/{employmentId}/payslips/{payrollrunId}": the run's payslip of the
 * employment (GET; with LP_LE_PDF_ACCEPT a PDF). NULL when either id is not a uuid. */
char *lp_le_payslip_pdf(const char *employment_id, const char *payrollrun_id);

/* The fields of an item of lp_le_payslip_list: payrollrunId (a uuid), payrollPeriod {year,
 * periodNumber, periodStartDate, periodEndDate}. 0, or -1 with err naming the field. */
typedef struct {
	const char *run_id; /* borrowed */
	int year, period;
	lp_date start, end;
} lp_le_payslip_info;
int lp_le_payslip_read(const json_t *item, lp_le_payslip_info *out, char *err, size_t n);

#endif
