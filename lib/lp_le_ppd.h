/* lp_le_ppd.h - Loket's payroll period data (variable input: one record per employment,
 * period and upsert key, holding one entry per payroll component): paths, bodies, views,
 * and how an upsert (PATCH) meets the records.
 */
#ifndef LP_LE_PPD_H
#define LP_LE_PPD_H

#include <jansson.h>

#include "lp_date.h"
#include "lp_money.h"
#include "lp_le_run.h"

/* Where a new record goes: payroll period data is written with shift 1 and Loket's
 * defaults for the rest of the upsert key (UNCONFIRMED which defaults Loket applies;
 * diff-loket therefore matches existing entries on period and component, not on the full
 * key). */
#define LP_LE_PPD_DEFAULT_SHIFT 1

/* "/providers/employers/employees/employments/{employmentId}/payrollperioddata": an
 * employment's payroll period data (GET, paged, filterable; PATCH upserts). */
char *lp_le_ppd_collection(const char *employment_id);
/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollperiods": the
 * administration's payroll periods, each with its payrollRuns (GET; the spec declares no
 * paging for it). */
char *lp_le_ppd_periods(const char *payroll_administration_id);
/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollPeriods/{payrollPeriodId}/payrollperioddata?payslipType=T&payrollComponentSet=S"
 * (or, set NULL, "...&payrollComponentCategory=C"): the payroll period data of every
 * employment of the administration in one period, of one payslip type, with the entries of
 * the components of one payroll component set (or of one category) (GET, paged; each item
 * names its employment: employment.id). */
char *lp_le_ppd_of_period(const char *payroll_administration_id, long long period_id, int payslip_type, const char *set,
			  long long category);
/* The payslip type loketpipe writes: 1, the normal payslip ("Normale strook"). */
#define LP_LE_PPD_PAYSLIP_NORMAL 1
/* The payslip types a read of a whole administration's period (lp_le_ppd_of_period, one
 * request each) asks for: 1 and 2, the normal payslip and the special-rate one ("Bijzonder
 * tarief strook"): the spec's payslipType parameter of that list names these two ("either for
 * the normal payslip or the tarif payslip"). A record on either counts for diff-loket, as on a
 * read per employment, which returns every payslip type. */
extern const int lp_le_ppd_payslip_types[];
#define LP_LE_PPD_N_PAYSLIP_TYPES 2
/* 1 when a payroll period Loket sent (an item of lp_le_ppd_periods) has an approved payroll
 * run (payrollRuns[], lp_le_run_approved): the period is closed. */
int lp_le_ppd_period_closed(const json_t *period);
/* The employment id of an item of lp_le_ppd_of_period (employment.id), or NULL. */
const char *lp_le_ppd_employment_of(const json_t *item);

/* "/providers/employers/employees/employments/payrollperioddata/{id}": one record (PUT, DELETE). */
char *lp_le_ppd_record(const char *ppd_id);
/* Loket's filter for the records of one period: "payrollPeriod.year eq Y and
 * payrollPeriod.periodNumber eq N" (to be URL-escaped into ?filter=). */
char *lp_le_ppd_period_filter(json_int_t year, json_int_t period);

/* One entry of payrollComponents: {payrollComponent: {key}, value, isSupplement}. */
json_t *lp_le_ppd_component(long long key, lp_cents value, int supplement);
/* Copy the upsert key of an existing record (key: its shift, payslipType, distributionUnit,
 * costCenter, costUnit, as fetch-loket keeps them) into body, as a PATCH or PUT carries it. */
void lp_le_ppd_key_into(json_t *body, const json_t *key);
/* The body of a PATCH (upsert) of these entries (taken): {payrollPeriod: {year, periodNumber}},
 * the upsert key of the record it goes into (key) or, for a new record (key NULL), shift
 * LP_LE_PPD_DEFAULT_SHIFT, and payrollComponents. */
json_t *lp_le_ppd_upsert_body(int year, int period, const json_t *key, json_t *components);
/* The PUT body of an existing record (key: its upsert key) left with these entries (taken):
 * payrollComponents and the key fields, payslipType left out (read-only in a PUT). */
json_t *lp_le_ppd_put_body(json_t *components, const json_t *key);
/* A record as Loket holds it, by its entries (taken): {payrollComponents} (an op's expect). */
json_t *lp_le_ppd_expect(json_t *components);
/* The plan's view of one entry: {year, period, payroll_component_key, value}. */
json_t *lp_le_ppd_view(int year, int period, long long key, lp_cents value);

/* 1 when item (a record of the collection) is the one an upsert with this PATCH body lands
 * in: the same period and key fields (everything of the body but its components). */
int lp_le_ppd_lands_in(const json_t *body, const json_t *item);
/* 1 when item is that record and already holds every component of the body with its value
 * (a component the body sends with value null: item has no entry of it). */
int lp_le_ppd_holds(const json_t *body, const json_t *item);

/* The identity of an upserted record in its collection (NULL-terminated dotted fields of the
 * body): payrollPeriod.year, payrollPeriod.periodNumber. */
const char *const *lp_le_ppd_identity(void);

/* The payroll year of a record Loket sent (payrollPeriod.year): 1 and *year set, or 0 when it
 * has none (or not an integer). */
int lp_le_ppd_year(const json_t *item, long long *year);
/* The period a PATCH body writes (payrollPeriod.year, .periodNumber): 1 and both set, or 0. */
int lp_le_ppd_period_of(const json_t *body, json_int_t *year, json_int_t *period);
/* The loket.current.variable_input fields of a record Loket sent (an item of
 * lp_le_ppd_collection), one object per component entry, appended to out: id, employment_id,
 * year, period, payroll_component_key, value, is_supplement and key (the record's upsert key
 * besides the period: shift, payslipType, distributionUnit, costCenter, costUnit). 0, or -1
 * with err when a value is not an amount (the entries before it appended). */
int lp_le_ppd_current(json_t *out, const json_t *item, const char *employment_id, char *err, size_t n);
/* Whether a record the upsert with this body lands in (lp_le_ppd_lands_in) holds, for a
 * component the body writes, a value that is neither the plan's before (before[i] the
 * plan's view of the body's i-th entry, lp_le_ppd_view; null: no entry) nor the body's:
 * changed in Loket after the plan was made. A component the body sends as null (a removal)
 * drifts when the record holds it with a value other than before's (or before has none).
 * 1 with the component and value named in drift. */
int lp_le_ppd_drift(const json_t *body, const json_t *before, const json_t *item, char *drift, size_t n);

/* The payroll period a date range lies in: Loket's monthly periods (lp_period_of, as
 * diff-loket takes them; the period number is the month). 0 with *year and *period set, or -1
 * when from and to lie in different periods. */
int lp_le_ppd_period_of_range(lp_date from, lp_date to, int *year, int *period);

/* ---- the collective PATCH (PatchCollectivePayrollPeriodDataByEmployerId) */

/* "/providers/employers/{employerId}/payrollperioddata": the collective upsert (PATCH; the
 * body a JSON array of items, each a per-employment PATCH body plus employmentId; 200 with
 * no body declared, 400 with messages[]). */
char *lp_le_ppd_collective(const char *employer_id);
/* The employment id of a per-employment path (lp_le_ppd_collection's), malloc'd, or NULL. */
char *lp_le_ppd_employment_of_path(const char *path);
/* An item of the collective body: a copy of the per-employment PATCH body with employmentId. */
json_t *lp_le_ppd_collective_item(const json_t *body, const char *employment_id);
/* The id of the payroll period year/period among the administration's periods (the items of
 * lp_le_ppd_periods): 1 and *id set, or 0 when it is not there. */
int lp_le_ppd_period_id(const json_t *periods, json_int_t year, json_int_t period, long long *id);
/* The payslip type a PATCH body names (payslipType.key), or 0 when it names none (Loket's
 * default applies). */
long long lp_le_ppd_payslip_of(const json_t *body);

#endif
