/* lp_le_run.c - see lp_le_run.h */
#include "lp_le_run.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"

#include <stdio.h>

char *lp_le_run_list(const char *payroll_administration_id)
{
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/payrollruns", payroll_administration_id);
}

int lp_le_run_approved(const json_t *run)
{
	json_t *k = json_object_get(json_object_get(run, "payrollRunStatus"), "key");
	return json_is_integer(k) && json_integer_value(k) == LP_LE_RUN_APPROVED;
}

int lp_le_run_read(const json_t *run, lp_le_run_info *o, char *err, size_t n)
{
	const char *id = lp_json_str(run, "id");
	if (!id || !lp_le_uuid_ok(id)) {
		snprintf(err, n, "id: not a uuid");
		return -1;
	}
	o->id = id;
	json_t *pp = lp_json_obj(run, "payrollPeriod"), *y = json_object_get(pp, "year"),
	       *p = json_object_get(pp, "periodNumber");
	if (!json_is_integer(y) || json_integer_value(y) < 1900 || json_integer_value(y) > 2199 || !json_is_integer(p) ||
	    json_integer_value(p) < 1 || json_integer_value(p) > 53) {
		snprintf(err, n, "run %s: payrollPeriod: expected {year, periodNumber}", id);
		return -1;
	}
	o->year = (int)json_integer_value(y);
	o->period = (int)json_integer_value(p);
	json_t *s = json_object_get(run, "sequenceNumberApproved");
	if (s && !json_is_null(s) && !json_is_integer(s)) {
		snprintf(err, n, "run %s: sequenceNumberApproved: not an integer", id);
		return -1;
	}
	o->seq_approved = json_is_integer(s) ? (long long)json_integer_value(s) : -1;
	json_t *a = json_object_get(run, "availableForEmployeeDate");
	o->available = -1;
	if (a && !json_is_null(a)) {
		lp_date d;
		if (!json_is_string(a) || lp_date_parse_prefix(json_string_value(a), &d)) {
			snprintf(err, n, "run %s: availableForEmployeeDate: not a date", id);
			return -1;
		}
		o->available = d;
	}
	o->approved = lp_le_run_approved(run);
	return 0;
}
