/* le.c - libFuzzer harness: the readers of Loket's answers (lib/lp_le_*, lp_loket).
 *
 * The input is one answer item as JSON (read with lp_json_loadb, as every Loket answer is);
 * it goes through each reader: journal runs and their result lines, payroll runs, payslips,
 * year-end statements, the comprehensive employee list, wages, benefits, payroll period data,
 * employees, employments, concept employees, payroll components, metadata, employer versions.
 * Properties: a reader that fails says why (err non-empty); one that succeeds gives values in
 * the ranges its header promises (periods 1..12 or 1..53, amounts within LP_MONEY_MAX,
 * statuses 0..7), and a record it builds serialises.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_benefit.h"
#include "lp_le_component.h"
#include "lp_le_comprehensive.h"
#include "lp_le_concept.h"
#include "lp_le_employee.h"
#include "lp_le_employer.h"
#include "lp_le_employment.h"
#include "lp_le_journal.h"
#include "lp_le_payslip.h"
#include "lp_le_ppd.h"
#include "lp_le_run.h"
#include "lp_le_wage.h"
#include "lp_le_yearend.h"
#include "lp_loket.h"
#include "lp_money.h"

static void dumps_ok(const json_t *v)
{
	char *s = lp_json_dumps(v);
	FUZZ_CHECK(s != NULL);
	json_t *back = lp_json_loadb(s, strlen(s), NULL);
	FUZZ_CHECK(back && json_equal(back, v));
	json_decref(back);
	free(s);
}

#define FAILED_SAYS_WHY(rc) FUZZ_CHECK((rc) == 0 || err[0] != '\0')

FUZZ_INIT("fuzz-le", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *it = lp_json_loadb((const char *)data, size, NULL);
	if (!it)
		return 0;
	char err[400];
	int rc;

	lp_le_journal_info ji;
	err[0] = '\0';
	rc = lp_le_journal_read(it, &ji, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	if (!rc)
		FUZZ_CHECK(ji.status >= 0 && ji.status <= LP_LE_JOURNAL_MAX_STATUS && ji.id);

	lp_le_journal_line jl;
	err[0] = '\0';
	rc = lp_le_journal_line_read(it, &jl, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	if (!rc)
		FUZZ_CHECK(jl.account_code && jl.debit <= LP_MONEY_MAX && jl.debit >= -LP_MONEY_MAX &&
			   jl.credit <= LP_MONEY_MAX && jl.credit >= -LP_MONEY_MAX);

	lp_le_run_info ri;
	err[0] = '\0';
	rc = lp_le_run_read(it, &ri, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	(void)lp_le_run_approved(it);

	lp_le_payslip_info pi;
	err[0] = '\0';
	rc = lp_le_payslip_read(it, &pi, err, sizeof err);
	FAILED_SAYS_WHY(rc);

	int year;
	err[0] = '\0';
	rc = lp_le_yearend_read(it, &year, err, sizeof err);
	FAILED_SAYS_WHY(rc);

	err[0] = '\0';
	json_t *ee = lp_le_comprehensive_employee(it, err, sizeof err);
	FUZZ_CHECK(ee || err[0]);
	if (ee)
		dumps_ok(ee);
	json_decref(ee);
	err[0] = '\0';
	json_t *em = lp_le_comprehensive_employment(it, err, sizeof err);
	FUZZ_CHECK(em || err[0]);
	if (em)
		dumps_ok(em);
	json_decref(em);
	(void)lp_le_comprehensive_next_change(it, lp_date_from_ymd(2026, 11, 15));

	/* the current-state readers of fetch-loket: each fills a record */
	static const char *emp = "3d2c1b0a-9f8e-4d7c-8b6a-000000000101";
	json_t *rec = json_object();
	err[0] = '\0';
	rc = lp_le_wage_current(rec, it, emp, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	dumps_ok(rec);
	json_decref(rec);
	rec = json_object();
	err[0] = '\0';
	rc = lp_le_benefit_current(rec, it, emp, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	dumps_ok(rec);
	json_decref(rec);
	rec = json_array();
	err[0] = '\0';
	rc = lp_le_ppd_current(rec, it, emp, err, sizeof err);
	FAILED_SAYS_WHY(rc);
	dumps_ok(rec);
	json_decref(rec);
	rec = json_object();
	lp_le_employee_current(rec, it, lp_json_obj(it, "content"));
	lp_le_employment_current(rec, it);
	lp_le_concept_current(rec, it);
	(void)lp_le_component_current(rec, it, 2026);
	dumps_ok(rec);
	json_decref(rec);
	rec = json_array();
	err[0] = '\0';
	rc = lp_loket_metadata_current(rec, it, "employee", err, sizeof err);
	FAILED_SAYS_WHY(rc);
	dumps_ok(rec);
	json_decref(rec);

	const char *vid;
	json_int_t ver;
	(void)lp_le_version_item(it, &vid, &ver);
	long long y;
	(void)lp_le_ppd_year(it, &y);
	(void)lp_le_ppd_period_closed(it);
	(void)lp_le_ppd_employment_of(it);
	(void)lp_le_employment_admin(it);
	json_t *m = lp_le_money_of(it, "value", err, sizeof err);
	json_decref(m);
	json_decref(it);
	return 0;
}
