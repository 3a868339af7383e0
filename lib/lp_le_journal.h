/* lp_le_journal.h - Loket's journal run (journaalrun) of a payroll administration and its
 * results (the ledger lines of one payroll run's journal entry, J1): their paths, the
 * mark-exported PATCH body, and the fields loketpipe reads, checked.
 *
 * Statuses (journalRunStatus.key, the spec's list): 0 Staat klaar voor journaliseren, 1 Geen
 * journaal resultaten, 2 Fout bij aanmaken, 3 Verwijderd door gebruiker, 4 Journaal gereed,
 * 5 Wordt geëxporteerd, 6 Exporteren mislukt, 7 Journaal geëxporteerd. Runs with 0..3 have no
 * results (the call is an error).
 */
#ifndef LP_LE_JOURNAL_H
#define LP_LE_JOURNAL_H

#include <jansson.h>
#include <stddef.h>

#include "lp_date.h"
#include "lp_money.h"

#define LP_LE_JOURNAL_READY 4    /* "Journaal gereed": ready, not yet exported */
#define LP_LE_JOURNAL_FAILED 6   /* "Exporteren mislukt" */
#define LP_LE_JOURNAL_EXPORTED 7 /* "Journaal geëxporteerd" */
#define LP_LE_JOURNAL_MAX_STATUS 7

/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/journalruns": the
 * administration's journal runs (GET, paged). */
char *lp_le_journal_list(const char *payroll_administration_id);
/* ".../payrolladministrations/journalruns/{journalRunId}/results" (GET, paged); NULL when
 * the id is not a uuid. */
char *lp_le_journal_results(const char *journal_run_id);
/* ".../payrolladministrations/journalruns/{journalRunId}": one run (GET) and the target of
 * the mark-as-processed PATCH; NULL when the id is not a uuid. */
char *lp_le_journal_run(const char *journal_run_id);
/* The PATCH body {"action": "MarkAsProcessed" (failed 0) | "MarkAsProcessingFailed",
 * "application": {"key": application_key}, "message": message (cut to 255 bytes, NULL: none)}. */
json_t *lp_le_journal_mark_body(int failed, long long application_key, const char *message);

/* A journal run Loket listed, checked. Strings are borrowed from the run. */
typedef struct {
	const char *id;             /* uuid */
	long long seq;              /* sequenceNumber */
	int status;                 /* journalRunStatus.key, 0..7 */
	const char *payroll_run_id; /* payrollRun.payrollRunId (uuid) */
	int year, period;           /* payrollRun.payrollPeriod.year/.periodNumber */
	lp_date start, end;         /* .periodStartDate/.periodEndDate */
	lp_date finished;           /* the date of processingFinishedTime, -1 when absent or null */
} lp_le_journal_info;

/* 0, or -1 with err naming the field ("journal run ID: payrollRun: ..."): an id that is no
 * uuid, a sequenceNumber that is no integer, an unknown status (not 0..7), a run without a
 * payroll run, a period without year, number or dates. */
int lp_le_journal_read(const json_t *run, lp_le_journal_info *out, char *err, size_t n);

/* One result line, checked. Strings are borrowed from the item; NULL when Loket sent none. */
typedef struct {
	const char *account_code, *account_description;
	const char *cost_center_code, *cost_center_description;
	const char *cost_unit_code, *cost_unit_description;
	long long component_key; /* payrollComponent.key, -1 when none */
	const char *component_description;
	lp_cents debit, credit;  /* debetAmount, creditAmount, exact (may be negative) */
} lp_le_journal_line;

/* 0, or -1 with err naming the field: generalLedgerAccount without a code, an amount that is
 * not a JSON number with at most two decimals (a string, null, too large), a costCenter,
 * costUnit or payrollComponent that is neither null nor an object with its code/key. */
int lp_le_journal_line_read(const json_t *item, lp_le_journal_line *out, char *err, size_t n);

#endif
