/* lp_le_run.h - Loket's payroll run (verloningsrun) of a payroll administration: its path
 * and the fields loketpipe reads (status, sequenceNumberApproved, period,
 * availableForEmployeeDate). lp_le_ppd reads the runs a payroll period lists with the same
 * status test.
 */
#ifndef LP_LE_RUN_H
#define LP_LE_RUN_H

#include <jansson.h>

#include "lp_date.h"

/* The status of a payroll run that Loket has approved: payrollRunStatus.key 9 ("Verloning
 * goedgekeurd."). */
#define LP_LE_RUN_APPROVED 9

/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollruns": the
 * administration's payroll runs (GET, paged). */
char *lp_le_run_list(const char *payroll_administration_id);

/* 1 when a payroll run Loket sent (an item of lp_le_run_list, or of a period's payrollRuns)
 * is approved (payrollRunStatus.key LP_LE_RUN_APPROVED). */
int lp_le_run_approved(const json_t *run);

/* The fields of a run Loket sent, checked: id (a uuid), payrollPeriod.year/.periodNumber,
 * sequenceNumberApproved (-1 when absent or null: a run not approved has none) and
 * availableForEmployeeDate (*available -1 when absent or null: "never a guess"). 0, or -1
 * with err naming the field. */
typedef struct {
	const char *id; /* borrowed from the run */
	int year, period;
	long long seq_approved;
	lp_date available; /* -1: none */
	int approved;
} lp_le_run_info;
int lp_le_run_read(const json_t *run, lp_le_run_info *out, char *err, size_t n);

#endif
