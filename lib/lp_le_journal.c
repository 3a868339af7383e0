/* lp_le_journal.c - see lp_le_journal.h */
#include "lp_le_journal.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

#include <stdio.h>
#include <string.h>

char *lp_le_journal_list(const char *payroll_administration_id)
{
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/journalruns", payroll_administration_id);
}

char *lp_le_journal_results(const char *journal_run_id)
{
	if (!lp_le_uuid_ok(journal_run_id))
		return NULL;
	return lp_xasprintf("/providers/employers/payrolladministrations/journalruns/%s/results", journal_run_id);
}

char *lp_le_journal_run(const char *journal_run_id)
{
	if (!lp_le_uuid_ok(journal_run_id))
		return NULL;
	return lp_xasprintf("/providers/employers/payrolladministrations/journalruns/%s", journal_run_id);
}

json_t *lp_le_journal_mark_body(int failed, long long application_key, const char *message)
{
	json_t *o = json_pack("{s:s,s:{s:I}}", "action", failed ? "MarkAsProcessingFailed" : "MarkAsProcessed", "application",
			      "key", (json_int_t)application_key);
	if (message) {
		char m[256];
		snprintf(m, sizeof m, "%s", message);
		size_t k = strlen(m);
		if (k == 255) { /* cut: drop a partial UTF-8 character at the end */
			size_t j = k;
			while (j > 0 && ((unsigned char)m[j - 1] & 0xC0) == 0x80)
				j--;
			if (j > 0 && ((unsigned char)m[j - 1] & 0x80)) {
				unsigned char lead = (unsigned char)m[j - 1];
				size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
				if (k - (j - 1) < need)
					m[j - 1] = '\0';
			}
		}
		json_object_set_new(o, "message", json_string(m));
	}
	return o;
}

static int date_of(const json_t *o, const char *k, lp_date *d)
{
	const char *s = lp_json_str(o, k);
	return s && !lp_date_parse_prefix(s, d) ? 0 : -1;
}

int lp_le_journal_read(const json_t *run, lp_le_journal_info *o, char *err, size_t n)
{
	memset(o, 0, sizeof *o);
	const char *id = lp_json_str(run, "id");
	if (!id || !lp_le_uuid_ok(id)) {
		snprintf(err, n, "journal run: id: not a uuid");
		return -1;
	}
	o->id = id;
	json_t *s = json_object_get(run, "sequenceNumber");
	if (!json_is_integer(s) || json_integer_value(s) < 0) {
		snprintf(err, n, "journal run %s: sequenceNumber: not a whole number", id);
		return -1;
	}
	o->seq = (long long)json_integer_value(s);
	json_t *k = json_object_get(lp_json_obj(run, "journalRunStatus"), "key");
	if (!json_is_integer(k) || json_integer_value(k) < 0 || json_integer_value(k) > LP_LE_JOURNAL_MAX_STATUS) {
		snprintf(err, n, "journal run %s: journalRunStatus.key: not a known status (0..7)", id);
		return -1;
	}
	o->status = (int)json_integer_value(k);
	json_t *pr = lp_json_obj(run, "payrollRun");
	const char *pid = lp_json_str(pr, "payrollRunId");
	if (!pr || !pid || !lp_le_uuid_ok(pid)) {
		snprintf(err, n, "journal run %s: payrollRun.payrollRunId: no payroll run", id);
		return -1;
	}
	o->payroll_run_id = pid;
	json_t *pp = lp_json_obj(pr, "payrollPeriod"), *y = json_object_get(pp, "year"), *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || json_integer_value(y) < 1900 || json_integer_value(y) > 2199 || !json_is_integer(p) ||
	    json_integer_value(p) < 1 || json_integer_value(p) > 53 || date_of(pp, "periodStartDate", &o->start) ||
	    date_of(pp, "periodEndDate", &o->end) || o->end < o->start) {
		snprintf(err, n, "journal run %s: payrollRun.payrollPeriod: expected {year, periodNumber, periodStartDate, periodEndDate}", id);
		return -1;
	}
	o->year = (int)json_integer_value(y);
	o->period = (int)json_integer_value(p);
	json_t *f = json_object_get(run, "processingFinishedTime");
	o->finished = -1;
	if (f && !json_is_null(f)) {
		lp_date d;
		if (!json_is_string(f) || lp_date_parse_prefix(json_string_value(f), &d)) {
			snprintf(err, n, "journal run %s: processingFinishedTime: not a date-time", id);
			return -1;
		}
		o->finished = d;
	}
	return 0;
}

/* an amount Loket sent: a JSON number (an integer, or the exact decimal lp_json_loadb made of
 * a fraction: a string with its tag), never a string */
static int amount(const json_t *v, lp_cents *c)
{
	if (json_is_string(v) && json_string_value(v)[0] != LP_JSON_DEC_TAG)
		return -1;
	return lp_money_from_json(v, c) == LP_DEC_OK ? 0 : -1;
}

/* {code, description} of member k (null allowed: *code NULL); -1 when neither null nor such
 * an object */
static int coded(const json_t *item, const char *k, const char **code, const char **desc)
{
	json_t *v = json_object_get(item, k);
	*code = *desc = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return -1;
	json_t *c = json_object_get(v, "code"), *d = json_object_get(v, "description");
	if (!json_is_string(c) || !json_string_length(c) || (d && !json_is_null(d) && !json_is_string(d)))
		return -1;
	*code = json_string_value(c);
	*desc = json_is_string(d) ? json_string_value(d) : NULL;
	return 0;
}

int lp_le_journal_line_read(const json_t *item, lp_le_journal_line *o, char *err, size_t n)
{
	memset(o, 0, sizeof *o);
	o->component_key = -1;
	if (!json_is_object(item)) {
		snprintf(err, n, "not an object");
		return -1;
	}
	if (coded(item, "generalLedgerAccount", &o->account_code, &o->account_description) || !o->account_code) {
		snprintf(err, n, "generalLedgerAccount.code: no ledger account");
		return -1;
	}
	if (amount(json_object_get(item, "debetAmount"), &o->debit)) {
		snprintf(err, n, "debetAmount: not a number with at most two decimals");
		return -1;
	}
	if (amount(json_object_get(item, "creditAmount"), &o->credit)) {
		snprintf(err, n, "creditAmount: not a number with at most two decimals");
		return -1;
	}
	if (coded(item, "costCenter", &o->cost_center_code, &o->cost_center_description)) {
		snprintf(err, n, "costCenter: neither null nor {code, description}");
		return -1;
	}
	if (coded(item, "costUnit", &o->cost_unit_code, &o->cost_unit_description)) {
		snprintf(err, n, "costUnit: neither null nor {code, description}");
		return -1;
	}
	json_t *pc = json_object_get(item, "payrollComponent");
	if (pc && !json_is_null(pc)) {
		json_t *k = json_object_get(pc, "key"), *d = json_object_get(pc, "description");
		if (!json_is_object(pc) || !json_is_integer(k) || json_integer_value(k) < 0 || (d && !json_is_null(d) && !json_is_string(d))) {
			snprintf(err, n, "payrollComponent: neither null nor {key, description}");
			return -1;
		}
		o->component_key = (long long)json_integer_value(k);
		o->component_description = json_is_string(d) ? json_string_value(d) : NULL;
	}
	return 0;
}
