/* What every op reads before it writes: a POST or PATCH its collection (reconcile), a PUT or
 * DELETE its record (preflight); what Loket holds decides whether the op is done, drifted or
 * sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_concept.h"
#include "lp_le_employee.h"
#include "lp_le_ppd.h"
#include "lp_loket.h"
#include "lp_rec.h"
#include "push.h"

/* Remove the member at a dotted path from o, if it is there. */
static void undotted_del(json_t *o, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	char *last = strrchr(buf, '.');
	if (last)
		*last++ = '\0';
	json_t *parent = last ? (json_t *)lp_rec_get(o, buf) : o;
	if (json_is_object(parent))
		json_object_del(parent, last ? last : buf);
}

static void on_recon(void *ud, const lp_http_resp *resp, const char *err);

int ppd_judge(const struct op *o, const json_t *items, const char *employment, char *drift, size_t n)
{
	json_t *body = json_object_get(o->rec, "body"), *it;
	size_t i;
	json_array_foreach(items, i, it) {
		const char *em = employment ? lp_le_ppd_employment_of(it) : NULL;
		if ((!employment || (em && !strcmp(em, employment))) && lp_le_ppd_holds(body, it))
			return 1;
	}
	json_array_foreach(items, i, it) {
		const char *em = employment ? lp_le_ppd_employment_of(it) : NULL;
		if ((!employment || (em && !strcmp(em, employment))) &&
		    lp_le_ppd_drift(body, json_object_get(o->rec, "before"), it, drift, n))
			return -1;
	}
	return 0;
}
static void check_no_employee(struct op *o);

void reconcile(struct op *o)
{
	o->recon_page = o->recon_page ? o->recon_page : 1;
	char *t;
	json_int_t y, n;
	if (!strcmp(o->method, "PATCH") && lp_le_ppd_period_of(json_object_get(o->rec, "body"), &y, &n)) {
		/* only the records of that period: Loket's filter ([SPEC-intro] "Filtering") */
		char *f = lp_le_ppd_period_filter(y, n), *e = lp_http_escape(f);
		t = lp_xasprintf("%s?filter=%s&pageNumber=%ld&pageSize=250", o->path, e, o->recon_page);
		free(e);
		free(f);
	} else
		t = lp_xasprintf("%s?pageNumber=%ld&pageSize=250", o->path, o->recon_page);
	const char *const h[] = {lp_loket_accept(t), NULL};
	lp_http_multi_add(R.multi, "GET", t, h, NULL, 0, 0, on_recon, o);
	free(t);
}

static void on_recon(void *ud, const lp_http_resp *resp, const char *err)
{
	struct op *o = ud;
	if (!resp || resp->status != 200) {
		char e[800];
		snprintf(e, sizeof e, "reading %s before writing to it failed: %s", o->path,
			 err ? err : resp->status == 401 ? "HTTP 401" : "unexpected answer");
		finish(o, O_REMOTE, resp ? resp->status : 0, 0, NULL, e);
		return;
	}
	json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
	json_t *items = lp_json_arr(j, "_embedded");
	size_t i;
	json_t *it, *found = NULL;
	int patch = !strcmp(o->method, "PATCH");
	json_t *body = json_object_get(o->rec, "body");
	char drift[600] = "";
	if (patch) {
		int v = ppd_judge(o, items, NULL, drift, sizeof drift);
		found = v > 0 ? items : NULL;
	} else
		json_array_foreach(items, i, it) if (!found && lp_le_same_record(o->entity, body, it)) found = it;
	if (drift[0]) {
		json_decref(j);
		jmark(o, "failed", 409);
		finish(o, O_FAILED, 0, 0, NULL, drift);
		return;
	}
	json_t *tp = json_object_get(j, "totalPages");
	long pages = json_is_integer(tp) ? (long)json_integer_value(tp) : 1;
	if (found) {
		/* there already: sent by this run (its answer lost), by an earlier run, or by an
		 * application of this plan (or of one made from the same state) with another journal.
		 * A wage or benefit must also hold the plan's values: one that differs was changed in
		 * Loket after the plan was made, and nothing is written over it. */
		char diff[300];
		int values = !strcmp(o->entity, "wage") || !strcmp(o->entity, "benefit_deduction");
		if (values && !lp_json_holds(json_object_get(o->rec, "body"), found, diff, sizeof diff)) {
			char e[600];
			snprintf(e, sizeof e, "Loket already holds this record with another %s (changed in Loket after the plan "
				 "was made): nothing is written; run fetch-loket and diff-loket again", diff);
			json_decref(j);
			jmark(o, "failed", 409);
			finish(o, O_FAILED, 0, 0, NULL, e);
			return;
		}
		if (is_post(o) && lp_json_str(found, "id")) {
			free(o->made_id);
			o->made_id = lp_xstrdup(lp_json_str(found, "id"));
		}
		json_decref(j);
		jmark(o, "done", 0);
		finish(o, o->sent_here ? O_APPLIED : O_ALREADY, 0, 0, NULL, NULL);
		return;
	}
	int more = o->recon_page < pages && json_array_size(items);
	json_decref(j);
	if (more) {
		o->recon_page++;
		reconcile(o);
		return;
	}
	o->recon_page = 0;
	if (!strcmp(o->entity, "concept_employee") && !o->sent_here) {
		check_no_employee(o); /* not a concept: is it an employee already? */
		return;
	}
	send_op(o); /* not there: the POST never landed */
}

/* A concept employee's POST: the employer must not have an employee with that employee
 * number either. One that has was made from this concept (finalised by the administrator
 * after the plan was made) or by hand: posting again would make a second person. */
static void on_employee_check(void *ud, const lp_http_resp *resp, const char *err)
{
	struct op *o = ud;
	if (!resp || resp->status != 200) {
		char e[800];
		snprintf(e, sizeof e, "reading the employees before creating a concept employee failed: %s",
			 err ? err : "unexpected answer");
		finish(o, O_REMOTE, resp ? resp->status : 0, 0, NULL, e);
		return;
	}
	json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
	size_t n = json_array_size(lp_json_arr(j, "_embedded"));
	json_decref(j);
	if (n) {
		jmark(o, "failed", 409);
		finish(o, O_FAILED, 0, resp->attempts, NULL,
		       "this employee number is an employee in Loket already (the concept employee was finalised after "
		       "the plan was made, or entered by hand): nothing is written; run fetch-loket and diff-loket again");
		return;
	}
	send_op(o);
}

static void check_no_employee(struct op *o)
{
	long long num;
	if (!lp_le_concept_number(json_object_get(o->rec, "body"), &num)) {
		send_op(o); /* Loket gives it a number: nothing to compare */
		return;
	}
	char *list = lp_le_concept_employees_of(o->path);
	if (!list) {
		jmark(o, "failed", 0);
		finish(o, O_FAILED, 0, 0, NULL, "a concept employee is created on an employer's .../conceptemployees path only");
		return;
	}
	char *f = lp_le_employee_number_filter(num), *e = lp_http_escape(f);
	char *t = lp_xasprintf("%s?filter=%s&pageNumber=1&pageSize=1", list, e);
	free(e);
	free(f);
	free(list);
	const char *const h[] = {lp_loket_accept(t), NULL};
	lp_http_multi_add(R.multi, "GET", t, h, NULL, 0, 0, on_employee_check, o);
	free(t);
}

/* Whether every dotted field of want holds its value in content (metadata objects compare by
 * key). When not and drift is given, it names the first field that differs. */
static int fields_hold(const json_t *content, const json_t *want, char *drift, size_t n)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)want, k, v) {
		const json_t *cur = lp_rec_get(content, k);
		int meta = json_is_object(v) && json_object_get(v, "key");
		int same = meta ? json_is_object(cur) && json_equal(json_object_get(v, "key"), json_object_get(cur, "key"))
				: json_equal(v, cur ? cur : json_null());
		if (!same) {
			if (drift)
				snprintf(drift, n, "%s was changed in Loket after the plan was made", k);
			return 0;
		}
	}
	return json_object_size(want) > 0;
}

/* Whether Loket's record still holds what the plan saw (the op's "expect", in Loket's fields);
 * when not, drift names the first field that differs. Ops without expect hold. */
static int expect_holds(const struct op *o, const json_t *content, char *drift, size_t n)
{
	json_t *ex = json_object_get(o->rec, "expect");
	char diff[300];
	if (!json_is_object(ex) || lp_json_holds(ex, content, diff, sizeof diff))
		return 1;
	snprintf(drift, n, "%s was changed in Loket after the plan was made: nothing is written; run fetch-loket and "
		 "diff-loket again", diff);
	return 0;
}

static int is_employee_put(const struct op *o)
{
	return !strcmp(o->entity, "employee") && json_is_object(json_object_get(o->rec, "before"));
}

/* A PUT reads its record first. If Loket holds the body already, the op is done (an earlier
 * attempt, run or application made it) and nothing is written. An employee PUT sends the
 * whole employee resource as the plan read it, so every field of it must still hold the
 * plan's value, the ones the plan changes holding their "before" value: otherwise the
 * employee was edited in Loket after the plan was made and the op fails (drift) rather than
 * write over that edit. Then the PUT carries If-Match with the ETag just read. */
static void on_preflight(void *ud, const lp_http_resp *resp, const char *err)
{
	struct op *o = ud;
	if (resp && resp->status == 404 && !strcmp(o->method, "DELETE")) {
		jmark(o, "done", 404); /* gone already: nothing to delete */
		finish(o, O_ALREADY, 404, resp->attempts, NULL, NULL);
		return;
	}
	if (resp && resp->status == 200 && !strcmp(o->method, "DELETE")) {
		json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
		char drift[600] = "";
		expect_holds(o, lp_json_obj(j, "content"), drift, sizeof drift);
		json_decref(j);
		if (drift[0]) {
			jmark(o, "failed", 409);
			finish(o, O_FAILED, 0, resp->attempts, NULL, drift);
		} else
			send_op(o);
		return;
	}
	if (!resp || resp->status != 200) {
		if (resp && resp->status == 404) {
			jmark(o, "failed", 404);
			finish(o, O_FAILED, 404, resp->attempts, messages_of(resp),
			       is_employee_put(o) ? "the employee is no longer in Loket" : "the record is no longer in Loket");
		} else
			finish(o, O_REMOTE, resp ? resp->status : 0, 0, NULL, err ? err : "reading the record failed");
		return;
	}
	json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
	json_t *content = lp_json_obj(j, "content");
	char drift[600] = "";
	int employee = is_employee_put(o);
	int applied = employee ? fields_hold(content, json_object_get(o->rec, "after"), NULL, 0)
			       : content && lp_json_holds(json_object_get(o->rec, "body"), content, NULL, 0);
	if (employee && !applied && fields_hold(content, json_object_get(o->rec, "before"), drift, sizeof drift)) {
		json_t *rest = json_deep_copy(json_object_get(o->rec, "body"));
		const char *k;
		json_t *v;
		json_object_foreach(json_object_get(o->rec, "after"), k, v) undotted_del(rest, k);
		char diff[300];
		if (!lp_json_holds(rest, content, diff, sizeof diff))
			snprintf(drift, sizeof drift, "%s was changed in Loket after the plan was made", diff);
		json_decref(rest);
	} else if (!employee && !applied)
		expect_holds(o, content, drift, sizeof drift);
	if (applied) { /* made already: by this op (its first answer lost) or before */
		json_decref(j);
		jmark(o, "done", 200);
		finish(o, o->sent_here ? O_APPLIED : O_ALREADY, 200, resp->attempts, NULL, NULL);
		return;
	}
	json_decref(j);
	if (drift[0]) {
		jmark(o, "failed", 409);
		finish(o, O_FAILED, 0, resp->attempts, NULL, drift);
		return;
	}
	free(o->etag);
	o->etag = employee && resp->etag[0] ? lp_xasprintf("If-Match: %s", resp->etag) : NULL;
	send_op(o);
}

void preflight(struct op *o)
{
	const char *const h[] = {lp_loket_accept(o->path), NULL};
	lp_http_multi_add(R.multi, "GET", o->path, h, NULL, 0, 0, on_preflight, o);
}
