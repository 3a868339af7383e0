/* push-loket - apply a reviewed plan (diff-loket's loket.op records) to Loket, exactly once.
 *
 * Ops of one chain (an employment, an employee, a concept employee) are applied one after
 * the other in seq order; different chains run side by side, up to --concurrency requests
 * in flight (libcurl multi, lib/lp_http). 429, 5xx and transport errors are retried with
 * backoff and jitter (Retry-After honoured); a 4xx business-rule answer is a failed result
 * carrying Loket's messages, and the rest of that op's chain is skipped.
 *
 * Exactly once. Every op reads its target before it writes, whatever the journal says: a POST
 * its collection (sent only when its record is not there; a wage or benefit there with other
 * values is drift), a PATCH the employment's period data (done when a record of the period
 * holds the body's values), a PUT its record (done when it holds the body; an employee must
 * still hold every value the plan read, else drift), a DELETE its record (done when gone).
 * So a plan is bound to the state it was made from, and a second application, with another
 * journal or none, writes nothing. libcurl's own resend of a POST on a fresh connection is
 * refused (lib/lp_http); the POST's answer then counts as lost and it is read back.
 *
 * The journal (lib/lp_journal: NDJSON with a CRC per line) records each op as "sent" when its
 * request is handed out and "done"/"failed" when the answer is in; one fsync per round makes a
 * round's lines durable while its requests are in flight, and a result record goes to
 * standard output only after the journal line for it is on disk. A resumed run skips done
 * ops; the others read their target first, as every op does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_http.h"
#include "lp_journal.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_concept.h"
#include "lp_le_employee.h"
#include "lp_le_ppd.h"
#include "lp_loket.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"
#include "lp_rec.h"
#include "lp_emit.h"
#include "lp_vec.h"

static const char usage[] =
	"Usage: push-loket -c CONFIG --journal FILE [OPTION]... [PLAN]...\n"
	"Apply a plan (diff-loket's output) to Loket: one loket.result record per op.\n"
	"\n"
	"  -c, --config FILE      the client configuration (loket.base_url, token_file, oauth_url)\n"
	"      --journal FILE     the run's journal: a killed run resumes from it (required\n"
	"                         unless --dry-run; one journal per plan)\n"
	"      --concurrency N    requests in flight at most (1..64, default 8)\n"
	"      --audit FILE       append to this audit log (default: the config's audit_log)\n"
	"      --actor NAME       who runs the push, for the audit log (default: $USER)\n"
	"      --base-url URL     the Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --dry-run          send nothing: print the requests the run would send\n"
	"  -v, --verbose          report counts and HTTP requests on standard error\n"
	"  -h, --help             show this help and exit\n"
	"  -V, --version          show the version and exit\n"
	"\n"
	"Client credentials: loket.credentials_file (0600), else LOKET_CLIENT_ID and\n"
	"LOKET_CLIENT_SECRET. The refresh token lives in loket.token_file (see loket-auth(1)).\n"
	"\n"
	"Exit status: 0 every op applied (or applied before); 1 Loket refused ops (business rules,\n"
	"drift) or the plan is blocked; 2 usage; 3 bad plan; 4 configuration, token or journal file;\n"
	"5 Loket failed after retries (resume later with the same journal); 6 Loket refused the\n"
	"token: run loket-auth; 7 I/O; 8 another run for this client holds its lock. See loketpipe(7).\n";

#define MAX_ROUNDS 5 /* POST reconcile-and-resend rounds before giving up */

enum outcome { O_APPLIED, O_ALREADY, O_FAILED, O_SKIPPED, O_REMOTE };
static const char *const outcome_names[] = {"applied", "already_applied", "failed", "skipped", "failed"};

struct chain;

struct op {
	json_t *rec;
	long seq;
	const char *op_id, *chain_key, *method, *path, *rule, *entity, *action;
	char *body;
	size_t blen;
	enum lp_jstate js;
	int rounds, ambiguous, auth_retried, sent_here, put_rounds;
	struct chain *ch;
	char *etag;
	const char *needs; /* needs_id_of: the op (a POST of this chain) whose new record's id fills the path */
	char *made_id;     /* a POST: the id of the record it created (or found) */
	char *path_own;    /* the path with that id filled in */
	json_t *recon; /* reconcile: the collection read so far */
	long recon_page;
};

struct chain {
	LP_VEC(struct op *) ops; /* in seq order */
	size_t next;
	int busy, dead;
};

struct run {
	const lp_config *cfg;
	lp_http *http;
	lp_http_multi *multi;
	lp_oauth *oauth;
	lp_audit *audit;
	lp_journal *journal;
	int resumed;
	json_t *pending; /* result records waiting for the journal to reach the disk */
	int inflight, conc;
	size_t unfinished;
	LP_VEC(struct chain *) ready; /* chains whose next op may start, oldest first from rhead */
	size_t rhead;
	unsigned long counts[5];
	int auth_failed, auth_code, force_refresh;
	time_t refreshed_at;
	char auth_err[700], authz[800];
	const char *hdrs[2];
};

static struct run R;

/* The payroll administration, for the audit log ("" when the configuration names none). */
static const char *admin_id(void)
{
	return R.cfg->loket.payroll_administration_id ? R.cfg->loket.payroll_administration_id : "";
}

static void out_kept(const json_t *r)
{
	if (lp_out(r))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

static void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

/* ---------------------------------------------------------------- journal */

static void jfail(const char *what)
{
	lp_die(LP_EXIT_IO, "%s: journal %s: %s: %s", R.cfg->client, lp_journal_path(R.journal), what, strerror(errno));
}

/* Make the journal durable, then write the results that waited for it. */
static void jsync(void)
{
	if (lp_journal_sync(R.journal) != 0)
		jfail("fsync failed");
	size_t i;
	json_t *r;
	json_array_foreach(R.pending, i, r) out_kept(r);
	json_array_clear(R.pending);
}

static void jmark(struct op *o, const char *state, long status)
{
	if (lp_journal_mark(R.journal, o->op_id, o->seq, state, status, strcmp(state, "done") ? NULL : o->made_id) != 0)
		jfail("write failed");
}

/* ---------------------------------------------------------------- results */

static void result(struct op *o, enum outcome oc, long status, int attempts, json_t *messages, const char *error)
{
	json_t *r = json_object();
	json_object_set_new(r, "type", json_string("loket.result"));
	json_object_set_new(r, "client", json_string(R.cfg->client));
	json_object_set_new(r, "seq", json_integer(o->seq));
	json_object_set_new(r, "op_id", json_string(o->op_id));
	json_object_set_new(r, "rule", json_string(o->rule));
	json_object_set_new(r, "entity", json_string(o->entity));
	json_object_set_new(r, "action", json_string(o->action));
	json_object_set(r, "employee_number", json_object_get(o->rec, "employee_number"));
	json_object_set_new(r, "method", json_string(o->method));
	json_object_set_new(r, "path", json_string(o->path));
	json_object_set(r, "message", json_object_get(o->rec, "message"));
	json_object_set_new(r, "outcome", json_string(outcome_names[oc]));
	json_object_set_new(r, "http_status", status > 0 ? json_integer(status) : json_null());
	json_object_set_new(r, "attempts", json_integer(attempts));
	json_object_set_new(r, "messages", messages ? messages : json_array());
	lp_json_set_str(r, "error", error);
	json_array_append_new(R.pending, r);
	R.counts[oc]++;
	R.unfinished--;
	if (oc != O_ALREADY && oc != O_SKIPPED)
		lp_audit_event(R.audit, "op",
			       json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:o}", "payroll_administration_id", admin_id(),
					 "op_id", o->op_id, "seq", (json_int_t)o->seq, "rule", o->rule, "entity", o->entity,
					 "action", o->action, "method", o->method, "path", o->path, "employee_number",
					 json_object_get(o->rec, "employee_number"), "outcome", outcome_names[oc], "http_status",
					 status > 0 ? json_integer(status) : json_null()));
}

/* Loket's messages[].description of an error answer (no personal data is added). */
static json_t *messages_of(const lp_http_resp *resp)
{
	json_t *out = json_array();
	json_t *j = resp ? lp_json_loadb(resp->body, resp->len, NULL) : NULL;
	size_t i;
	json_t *m;
	json_array_foreach(lp_json_arr(j, "messages"), i, m) {
		const char *d = lp_json_str(m, "description");
		if (d)
			json_array_append_new(out, json_string(d));
	}
	json_decref(j);
	return out;
}

/* ---------------------------------------------------------------- running ops */

static void step_chain(struct chain *c);
static void send_op(struct op *o);
static void preflight(struct op *o);

static void ready_push(struct chain *c)
{
	if (R.ready.n == R.ready.cap && R.rhead > 0) { /* reuse the consumed front */
		memmove(R.ready.v, R.ready.v + R.rhead, (R.ready.n - R.rhead) * sizeof *R.ready.v);
		R.ready.n -= R.rhead;
		R.rhead = 0;
	}
	*LP_VEC_PUSH(&R.ready) = c;
}

static void finish(struct op *o, enum outcome oc, long status, int attempts, json_t *messages, const char *error)
{
	result(o, oc, status, attempts, messages, error);
	R.inflight--;
	struct chain *c = o->ch;
	c->busy = 0;
	c->next++;
	if (oc == O_FAILED || oc == O_REMOTE)
		c->dead = 1;
	step_chain(c);
	if (c->next < c->ops.n)
		ready_push(c);
}

static const char *const *hook(void *ctx, char *err, size_t n)
{
	(void)ctx;
	int code;
	const char *tok;
	if (R.force_refresh) { /* Loket refused the access token: one refresh */
		R.force_refresh = 0;
		R.refreshed_at = time(NULL);
		tok = lp_oauth_refresh(R.oauth, &code, err, n);
	} else
		tok = lp_oauth_access_token(R.oauth, &code, err, n);
	if (!tok) {
		R.auth_failed = 1;
		R.auth_code = code;
		snprintf(R.auth_err, sizeof R.auth_err, "%s", err);
		return NULL;
	}
	snprintf(R.authz, sizeof R.authz, "Authorization: Bearer %s", tok);
	R.hdrs[0] = R.authz;
	R.hdrs[1] = NULL;
	return R.hdrs;
}

static int is_post(const struct op *o) { return !strcmp(o->method, "POST"); }

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
static void check_no_employee(struct op *o);

static void reconcile(struct op *o)
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
	static const char *const h[] = {LP_LOKET_ACCEPT, NULL};
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
	json_array_foreach(items, i, it) if (!found && (patch ? lp_le_ppd_holds(body, it) : lp_le_same_record(o->entity, body, it))) found = it;
	char drift[600] = "";
	if (patch && !found)
		json_array_foreach(items, i, it) if (!drift[0])
			lp_le_ppd_drift(body, json_object_get(o->rec, "before"), it, drift, sizeof drift);
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
	long long num = lp_le_concept_number(json_object_get(o->rec, "body"));
	if (num < 0) {
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
	static const char *const h[] = {LP_LOKET_ACCEPT, NULL};
	lp_http_multi_add(R.multi, "GET", t, h, NULL, 0, 0, on_employee_check, o);
	free(t);
}

static void on_send(void *ud, const lp_http_resp *resp, const char *err)
{
	struct op *o = ud;
	if (R.auth_failed) {
		finish(o, O_REMOTE, 0, 0, NULL, R.auth_err);
		return;
	}
	long st = resp ? resp->status : 0;
	int attempts = resp ? resp->attempts : 0;
	if (resp && st >= 200 && st < 300) {
		if (is_post(o)) { /* the new record's id, for an op of the chain that needs it */
			json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
			const char *id = lp_json_str(lp_json_obj(j, "content"), "id");
			if (id)
				o->made_id = lp_xstrdup(id);
			json_decref(j);
		}
		jmark(o, "done", st);
		finish(o, O_APPLIED, st, attempts, NULL, NULL);
		return;
	}
	if (resp && st == 404 && !strcmp(o->method, "DELETE")) {
		/* gone already: deleted by an attempt whose answer was lost (libcurl's own resend
		 * included), by an earlier run, or by an application of this plan with another
		 * journal; what the plan wants holds, and nothing was written */
		jmark(o, "done", st);
		finish(o, attempts > 1 ? O_APPLIED : O_ALREADY, st, attempts, NULL, NULL);
		return;
	}
	if (resp && st == 412 && o->etag && ++o->put_rounds < MAX_ROUNDS) {
		/* the employee changed since it was read: possibly by this very PUT, sent twice
		 * (its first answer lost); read it again and judge afresh */
		free(o->etag);
		o->etag = NULL;
		preflight(o);
		return;
	}
	if (resp && st == 401 && !o->auth_retried) {
		o->auth_retried = 1; /* the saved access token was revoked or ran out: refresh, send again */
		if (time(NULL) - R.refreshed_at > 5)
			R.force_refresh = 1;
		send_op(o);
		return;
	}
	if (resp && st >= 400 && st < 500 && st != 429 && st != 401) {
		jmark(o, "failed", st);
		finish(o, O_FAILED, st, attempts, messages_of(resp), st == 412 ? "changed in Loket since it was read: run fetch-loket and diff-loket again" : NULL);
		return;
	}
	/* 5xx/429 after retries, 401, or no answer: the request may or may not have landed */
	o->ambiguous = 1;
	if (is_post(o) && (!resp || st >= 500) && ++o->rounds < MAX_ROUNDS) {
		reconcile(o);
		return;
	}
	char e[700];
	snprintf(e, sizeof e, "%s", err ? err : st == 401 ? "Loket refused the access token" : "Loket kept failing");
	finish(o, O_REMOTE, st, attempts, resp ? messages_of(resp) : NULL, e);
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

static void preflight(struct op *o)
{
	static const char *const h[] = {LP_LOKET_ACCEPT, NULL};
	lp_http_multi_add(R.multi, "GET", o->path, h, NULL, 0, 0, on_preflight, o);
}

static void send_op(struct op *o)
{
	jmark(o, "sent", -1);
	o->sent_here = 1;
	const char *h[4] = {LP_LOKET_ACCEPT, NULL, NULL, NULL};
	int n = 1;
	if (o->body)
		h[n++] = LP_LOKET_CONTENT_TYPE;
	if (o->etag)
		h[n++] = o->etag;
	unsigned flags = is_post(o) ? LP_HTTP_NO_RETRY | LP_HTTP_RETRY_429 : 0;
	lp_http_multi_add(R.multi, o->method, o->path, h, o->body, o->blen, flags, on_send, o);
}

/* The op of chain c with this op_id, or NULL. */
static struct op *chain_op(const struct chain *c, const char *op_id)
{
	for (size_t i = 0; i < c->ops.n; i++)
		if (!strcmp(c->ops.v[i]->op_id, op_id))
			return c->ops.v[i];
	return NULL;
}

/* The path of an op that needs the id of a record its chain created: the placeholder segment
 * ("{conceptEmployeeId}") becomes that id. 0, or -1 when the id is not known. */
static int fill_path(struct op *o)
{
	const struct op *src = chain_op(o->ch, o->needs);
	if (!src || !src->made_id || !src->made_id[0] || strspn(src->made_id, "0123456789abcdefABCDEF-") != strlen(src->made_id) ||
	    strlen(src->made_id) > 64)
		return -1; /* unknown, or not an id (a journal line or an answer must not steer a path) */
	const char *a = strchr(o->path, '{'), *b = strchr(o->path, '}');
	free(o->path_own);
	o->path_own = lp_xasprintf("%.*s%s%s", (int)(a - o->path), o->path, src->made_id, b + 1);
	o->path = o->path_own;
	return 0;
}

static void begin(struct op *o)
{
	R.inflight++;
	o->ch->busy = 1;
	if (o->needs && !o->path_own && fill_path(o)) {
		jmark(o, "failed", 0);
		finish(o, O_FAILED, 0, 0, NULL, "the id of the record created by an earlier op of its chain is not known: "
						  "run fetch-loket and diff-loket again");
		return;
	}
	/* in a resumed run every op that is not done may have been sent, even without a
	 * "sent" line (requests leave before their line reaches the disk) */
	if (R.resumed && o->js != LP_J_DONE)
		o->ambiguous = 1;
	/* every op reads its target first, whatever the journal says: a plan is bound to the
	 * state it was made from, and what Loket holds already is not written again */
	if (is_post(o) || !strcmp(o->method, "PATCH"))
		reconcile(o);
	else
		preflight(o);
}

/* Ops done in an earlier run are accounted for at once; a dead chain skips the rest. */
static void step_chain(struct chain *c)
{
	while (c->next < c->ops.n && !c->busy) {
		struct op *o = c->ops.v[c->next];
		if (c->dead) {
			result(o, O_SKIPPED, 0, 0, NULL, "an earlier op of its chain was not applied");
			c->next++;
			continue;
		}
		if (o->js == LP_J_DONE) {
			const char *id = lp_journal_id(R.journal, o->op_id);
			if (id && !o->made_id)
				o->made_id = lp_xstrdup(id);
			result(o, O_ALREADY, 0, 0, NULL, NULL);
			c->next++;
			continue;
		}
		break;
	}
}

/* ---------------------------------------------------------------- the plan */

/* The plan as read: its ops (in seq order once build_chains has run) and their chains, in the
 * order of their first op. */
struct plan {
	LP_VEC(struct op *) ops;
	LP_VEC(struct chain *) chains;
	json_t *hold; /* the ops' records: their strings are the ops' */
	char id[24];  /* plan_id: a hash of the op_ids in seq order */
};

/* One loket.op record (kept by the caller: the op's strings are its) as an op, checked; bad
 * input exits with LP_EXIT_DATA naming the place w and the field. */
static struct op *read_op(json_t *rec, const char *w)
{
	struct op *o = lp_xmalloc(sizeof *o);
	memset(o, 0, sizeof *o);
	o->rec = rec;
	o->seq = (long)lp_rec_int(rec, "seq", 0, w);
	if (o->seq < 1)
		lp_die_at(LP_EXIT_DATA, w, "seq", "expected 1 or more");
	o->op_id = lp_rec_str(rec, "op_id", 0, w);
	o->chain_key = lp_rec_str(rec, "chain", 0, w);
	o->method = lp_rec_str(rec, "method", 0, w);
	o->path = lp_rec_str(rec, "path", 0, w);
	o->rule = lp_rec_str(rec, "rule", 0, w);
	o->entity = lp_rec_str(rec, "entity", 0, w);
	o->action = lp_rec_str(rec, "action", 0, w);
	json_t *nv = json_object_get(rec, "needs_id_of");
	o->needs = !nv || json_is_null(nv) ? NULL : lp_rec_str(rec, "needs_id_of", 0, w);
	if (!lp_le_path_ok(o->path, o->needs != NULL))
		lp_die_at(LP_EXIT_DATA, w, "path", "not a Loket API path%s",
			  o->needs || strpbrk(o->path, "{}") ? " (needs_id_of goes with exactly one {placeholder} segment)" : "");
	static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
	int okm = 0;
	for (int i = 0; i < 4; i++)
		okm |= !strcmp(o->method, methods[i]);
	if (!okm)
		lp_die_at(LP_EXIT_DATA, w, "method", "expected POST, PUT, PATCH or DELETE");
	json_t *b = json_object_get(rec, "body");
	if (json_is_object(b)) {
		o->body = lp_json_dumps(b);
		o->blen = strlen(o->body);
	} else if (!json_is_null(b))
		lp_die_at(LP_EXIT_DATA, w, "body", "expected an object or null");
	return o;
}

/* Read the plan: the ops of this client (other clients' records are refused), its plan record
 * and its stream_end; every other record passes through to standard output. Returns 0 when
 * the plan is there, complete and not blocked, else the exit code (its message printed). */
static int read_plan(char **files, int nfiles, struct plan *p)
{
	const char *cl = R.cfg->client;
	lp_in *in = lp_in_open(files, nfiles);
	json_t *rec;
	int rc, have_plan = 0, blocked = 0, complete = 0;
	char w[600];
	while ((rc = lp_in_next(in, &rec)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = json_string_value(json_object_get(rec, "type"));
		const char *client = lp_rec_str(rec, "client", 0, w);
		if (strcmp(client, cl))
			lp_die_at(LP_EXIT_DATA, w, "client", "'%s' is not the configured client '%s' (push one client per run)",
				  client, cl);
		if (!strcmp(type, "loket.op")) {
			json_array_append_new(p->hold, rec);
			*LP_VEC_PUSH(&p->ops) = read_op(rec, w);
			continue;
		}
		if (!strcmp(type, "plan")) {
			have_plan = 1;
			blocked |= lp_rec_bool(rec, "blocked", 0, w);
		}
		if (!strcmp(type, "stream_end")) {
			const char *src = lp_json_str(rec, "source");
			if (src && !strcmp(src, "plan"))
				complete = lp_rec_bool(rec, "complete", 0, w);
			json_decref(rec);
			continue; /* the pushed stream gets its own */
		}
		out_new(rec);
	}
	int err = rc < 0 ? lp_in_error(in) : 0;
	lp_in_close(in);
	if (rc < 0)
		return err;
	if (!have_plan || !complete) {
		lp_warn("%s: the plan is %s: nothing is pushed", cl,
			!have_plan ? "missing its plan record (is this diff-loket's output?)" : "incomplete (no complete stream_end)");
		return LP_EXIT_DATA;
	}
	if (blocked) {
		lp_warn("%s: the plan is blocked (E4, or no current Loket state): nothing is pushed", cl);
		out_new(lp_stream_end(cl, "push", 1, json_pack("{s:i}", "ops", 0), NULL));
		return LP_EXIT_FINDINGS;
	}
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	long x = (*(struct op *const *)a)->seq, y = (*(struct op *const *)b)->seq;
	return x < y ? -1 : x > y;
}

/* The chain of key, made when it is new. */
static struct chain *chain_of(struct plan *p, lp_map *chains, const char *key)
{
	void *v;
	if (lp_map_get(chains, key, &v))
		return v;
	struct chain *ch = lp_xmalloc(sizeof *ch);
	memset(ch, 0, sizeof *ch);
	lp_map_put(chains, key, ch);
	*LP_VEC_PUSH(&p->chains) = ch;
	return ch;
}

/* plan_id: the hash of the op_ids in seq order, each followed by a newline. */
static void plan_id_of(struct plan *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->ops.n; i++)
		len += strlen(p->ops.v[i]->op_id) + 1;
	char *cat = lp_xmalloc(len), *e = cat;
	for (size_t i = 0; i < p->ops.n; i++) {
		size_t l = strlen(p->ops.v[i]->op_id);
		memcpy(e, p->ops.v[i]->op_id, l);
		e[l] = '\n';
		e += l + 1;
	}
	*e = '\0';
	snprintf(p->id, sizeof p->id, "%016llx", (unsigned long long)lp_hash_str(cat));
	free(cat);
}

/* Sort the ops by seq (a seq or an op_id twice is refused), give each its chain, check that
 * every needs_id_of names an earlier POST of the same chain, and name the plan. Returns 0 or
 * LP_EXIT_DATA (its message printed). */
static int build_chains(struct plan *p)
{
	const char *cl = R.cfg->client;
	struct op **ops = p->ops.v;
	size_t nops = p->ops.n;
	if (nops > 1)
		qsort(ops, nops, sizeof *ops, cmp_seq);
	lp_map *seen = lp_map_new(), *chains = lp_map_new();
	int rc = 0;
	for (size_t i = 0; i < nops && !rc; i++) {
		struct op *o = ops[i];
		if (i && ops[i - 1]->seq == o->seq) {
			lp_warn("%s: seq %ld twice in the plan", cl, o->seq);
			rc = LP_EXIT_DATA;
		} else if (!lp_map_add(seen, o->op_id)) {
			lp_warn("%s: op_id %s twice in the plan (seq %ld)", cl, o->op_id, o->seq);
			rc = LP_EXIT_DATA;
		} else {
			o->ch = chain_of(p, chains, o->chain_key);
			*LP_VEC_PUSH(&o->ch->ops) = o;
		}
	}
	lp_map_free(seen, NULL);
	lp_map_free(chains, NULL);
	for (size_t i = 0; i < nops && !rc; i++) { /* needs_id_of names an earlier POST of the same chain */
		struct op *o = ops[i];
		const struct op *src = o->needs ? chain_op(o->ch, o->needs) : NULL;
		if (o->needs && (!src || src->seq >= o->seq || !is_post(src))) {
			lp_warn("%s: seq %ld: needs_id_of: %s is not an earlier POST of its chain", cl, o->seq, o->needs);
			rc = LP_EXIT_DATA;
		}
	}
	if (!rc)
		plan_id_of(p);
	return rc;
}

static void free_plan(struct plan *p)
{
	for (size_t i = 0; i < p->ops.n; i++) {
		struct op *o = p->ops.v[i];
		free(o->body);
		free(o->etag);
		free(o->made_id);
		free(o->path_own);
		free(o);
	}
	for (size_t k = 0; k < p->chains.n; k++) {
		free(p->chains.v[k]->ops.v);
		free(p->chains.v[k]);
	}
	free(p->ops.v);
	free(p->chains.v);
	json_decref(p->hold);
}

/* ---------------------------------------------------------------- dry run */

/* --dry-run: the request of every op, in seq order, as a loket.request record. */
static void dry_run(const struct plan *p, const char *base_url)
{
	for (size_t i = 0; i < p->ops.n; i++) {
		const struct op *o = p->ops.v[i];
		char *url = lp_xasprintf("%s%s", base_url, o->path);
		json_t *hs = json_pack("[s]", LP_LOKET_ACCEPT);
		if (o->body)
			json_array_append_new(hs, json_string(LP_LOKET_CONTENT_TYPE));
		json_t *r = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:O}", "type", "loket.request", "client",
				      R.cfg->client, "seq", (json_int_t)o->seq, "op_id", o->op_id, "rule", o->rule, "outcome",
				      "dry_run", "method", o->method, "url", url, "headers", hs, "body",
				      json_object_get(o->rec, "body"));
		free(url);
		out_new(r);
	}
	out_new(lp_stream_end(R.cfg->client, "push", 1, json_pack("{s:I}", "ops", (json_int_t)p->ops.n), NULL));
}

/* ---------------------------------------------------------------- the run */

struct args {
	const char *config, *journal, *audit, *actor, *base;
	int dry, verbose;
	long conc;
};

/* Open (or resume) the plan's journal, bound to this Loket; read back each op's state. */
static int open_journal(const struct plan *p, const char *path, const char *base_url)
{
	lp_map *plan_seq = lp_map_new();
	for (size_t i = 0; i < p->ops.n; i++)
		lp_map_put(plan_seq, p->ops.v[i]->op_id, (void *)(intptr_t)p->ops.v[i]->seq);
	const char *admin = R.cfg->loket.payroll_administration_id;
	char *loket = lp_xasprintf("%s %s", base_url, admin ? admin : "-");
	int rc = lp_journal_open(path, R.cfg->client, p->id, loket, plan_seq, &R.journal);
	free(loket);
	lp_map_free(plan_seq, NULL);
	if (rc)
		return rc;
	R.resumed = lp_journal_resumed(R.journal);
	for (size_t i = 0; i < p->ops.n; i++)
		p->ops.v[i]->js = lp_journal_state(R.journal, p->ops.v[i]->op_id);
	return 0;
}

/* The loop: start chains while there is room, let the engine work, then make the journal
 * durable before any result is written. */
static void send_all(const struct plan *p)
{
	R.unfinished = p->ops.n;
	for (size_t k = 0; k < p->chains.n; k++) {
		struct chain *c = p->chains.v[k];
		step_chain(c); /* ops applied by an earlier run */
		if (c->next < c->ops.n)
			ready_push(c);
	}
	while (R.unfinished > 0) {
		while (R.inflight < R.conc && R.rhead < R.ready.n && !R.auth_failed) {
			struct chain *c = R.ready.v[R.rhead++];
			if (!c->busy && c->next < c->ops.n)
				begin(c->ops.v[c->next]);
		}
		/* send first, then one fsync while the requests are out (for the "sent" lines
		 * of this round and the "done" lines of the last; results are written only
		 * after it), then wait for answers */
		lp_http_multi_send(R.multi);
		jsync();
		int more = lp_http_multi_wait(R.multi);
		if (!more && R.inflight == 0 && (R.auth_failed || R.rhead == R.ready.n))
			break;
	}
	jsync();
}

/* The counts: to the audit log and the stream_end (and standard error with verbose); the exit
 * code they make. */
static int end_run(const struct plan *p, int verbose)
{
	size_t nops = p->ops.n;
	unsigned long unfinished = R.unfinished;
	json_t *counts = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "ops", (json_int_t)nops, "applied",
				   (json_int_t)R.counts[O_APPLIED], "already_applied", (json_int_t)R.counts[O_ALREADY],
				   "failed", (json_int_t)R.counts[O_FAILED], "skipped", (json_int_t)R.counts[O_SKIPPED],
				   "remote_failures", (json_int_t)R.counts[O_REMOTE], "not_run", (json_int_t)unfinished);
	int done = !unfinished && !R.counts[O_REMOTE] && !R.auth_failed, rc = 0;
	lp_audit_event(R.audit, "run_end", json_pack("{s:s,s:O}", "plan_id", p->id, "counts", counts));
	out_new(lp_stream_end(R.cfg->client, "push", done, counts,
			      done ? NULL : R.auth_failed ? R.auth_err : "Loket failed for some ops; run again with the same journal"));
	if (R.auth_failed) {
		lp_warn("%s: %s", R.cfg->client, R.auth_err);
		rc = R.auth_code ? R.auth_code : LP_EXIT_AUTH;
	} else if (!done)
		rc = LP_EXIT_REMOTE;
	else if (R.counts[O_FAILED] || R.counts[O_SKIPPED])
		rc = LP_EXIT_FINDINGS;
	if (verbose)
		lp_warn("%s: %zu ops: %lu applied, %lu applied before, %lu refused, %lu skipped, %lu failed remotely; "
			"%lu HTTP requests (+%lu token)", R.cfg->client, nops, R.counts[O_APPLIED], R.counts[O_ALREADY],
			R.counts[O_FAILED], R.counts[O_SKIPPED], R.counts[O_REMOTE], lp_http_requests(R.http),
			lp_oauth_requests(R.oauth));
	return rc;
}

/* Apply the plan: the journal, the audit log, the send loop, the counts. Returns the exit code. */
static int run_plan(const struct plan *p, const struct args *a, const char *base_url)
{
	int rc = open_journal(p, a->journal, base_url);
	if (rc)
		return rc;
	R.audit = lp_audit_open(a->audit ? a->audit : R.cfg->audit_log, a->actor, R.cfg->client);
	R.multi = lp_http_multi_new(R.http, R.conc, hook, NULL);
	lp_audit_event(R.audit, "run_start",
		       json_pack("{s:s,s:s,s:I,s:s}", "payroll_administration_id", admin_id(), "plan_id", p->id, "ops",
				 (json_int_t)p->ops.n, "journal", a->journal));
	send_all(p);
	rc = end_run(p, a->verbose);
	lp_http_multi_free(R.multi);
	lp_audit_close(R.audit);
	lp_journal_close(R.journal);
	free(R.ready.v);
	return rc;
}

/* ---------------------------------------------------------------- main */

static void parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"journal", required_argument, 0, 'j'},
		{"concurrency", required_argument, 0, 'n'}, {"audit", required_argument, 0, 'a'},
		{"actor", required_argument, 0, 'A'}, {"base-url", required_argument, 0, 'b'},
		{"dry-run", no_argument, 0, 'd'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	memset(a, 0, sizeof *a);
	a->conc = 8;
	int c;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'j': a->journal = optarg; break;
		case 'n': {
			char *end;
			a->conc = strtol(optarg, &end, 10);
			if (*end || a->conc < 1 || a->conc > 64) {
				lp_warn("--concurrency: expected 1..64");
				lp_usage_exit(usage, LP_EXIT_USAGE);
			}
			break;
		}
		case 'a': a->audit = optarg; break;
		case 'A': a->actor = optarg; break;
		case 'b': a->base = optarg; break;
		case 'd': a->dry = 1; break;
		case 'v': a->verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!a->config || (!a->journal && !a->dry)) {
		lp_warn(!a->config ? "--config is required" : "--journal is required (or --dry-run)");
		lp_usage_exit(usage, LP_EXIT_USAGE);
	}
}

int main(int argc, char **argv)
{
	struct args a;
	lp_init(argv[0]);
	parse_args(argc, argv, &a);
	lp_config *cfg = lp_config_load(a.config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	R.cfg = cfg;
	R.pending = json_array();
	R.conc = (int)a.conc;
	lp_http_opts ho = {0};
	ho.base_url = a.base ? a.base : cfg->loket.base_url ? cfg->loket.base_url : "https://api.loket.nl/v2";
	if (!a.dry) { /* everything that can stop a live run is settled before the plan is read */
		R.oauth = lp_oauth_for_config(cfg);
		char err[700];
		R.http = lp_http_new(&ho, err, sizeof err);
		if (!R.http)
			lp_die(LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
	}
	struct plan p;
	memset(&p, 0, sizeof p);
	p.hold = json_array();
	int exit_code = read_plan(argv + optind, argc - optind, &p);
	if (!exit_code)
		exit_code = build_chains(&p);
	if (!exit_code && a.dry)
		dry_run(&p, ho.base_url);
	else if (!exit_code)
		exit_code = run_plan(&p, &a, ho.base_url);
	lp_oauth_free(R.oauth);
	lp_http_free(R.http);
	int oc = lp_out_close();
	free_plan(&p);
	json_decref(R.pending);
	lp_config_free(cfg);
	return exit_code ? exit_code : oc;
}
