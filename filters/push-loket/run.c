/* The run: the send loop and its ready queue, the journal marks, the results. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "push.h"

struct run R;

static const char *const outcome_names[] = {"applied", "already_applied", "failed", "skipped", "failed"};

/* The payroll administration, for the audit log ("" when the configuration names none). */
static const char *admin_id(void)
{
	return R.cfg->loket.payroll_administration_id ? R.cfg->loket.payroll_administration_id : "";
}

static void out_kept(const json_t *r)
{
	if (lp_out(r))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
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

void jmark(struct op *o, const char *state, long status)
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
	if (oc == O_REMOTE && !R.first_remote[0]) {
		if (status > 0)
			snprintf(R.first_remote, sizeof R.first_remote, "%s %s: HTTP %ld%s%s", o->method, o->path, status,
				 error ? ": " : "", error ? error : "");
		else
			snprintf(R.first_remote, sizeof R.first_remote, "%s", error ? error : "no answer");
	}
	if (oc != O_ALREADY && oc != O_SKIPPED)
		lp_audit_event(R.audit, "op",
			       json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:o}", "payroll_administration_id", admin_id(),
					 "op_id", o->op_id, "seq", (json_int_t)o->seq, "rule", o->rule, "entity", o->entity,
					 "action", o->action, "method", o->method, "path", o->path, "employee_number",
					 json_object_get(o->rec, "employee_number"), "outcome", outcome_names[oc], "http_status",
					 status > 0 ? json_integer(status) : json_null()));
}

/* Loket's messages[].description of an error answer (no personal data is added). */
json_t *messages_of(const lp_http_resp *resp)
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

static void step_chain(struct chain *c);

void ready_push(struct chain *c)
{
	if (R.ready.n == R.ready.cap && R.rhead > 0) { /* reuse the consumed front */
		memmove(R.ready.v, R.ready.v + R.rhead, (R.ready.n - R.rhead) * sizeof *R.ready.v);
		R.ready.n -= R.rhead;
		R.rhead = 0;
	}
	*LP_VEC_PUSH(&R.ready) = c;
}

void finish(struct op *o, enum outcome oc, long status, int attempts, json_t *messages, const char *error)
{
	result(o, oc, status, attempts, messages, error);
	if (o->gathered) {
		o->gathered = 0;
		R.grouped--;
	} else
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

int is_post(const struct op *o) { return !strcmp(o->method, "POST"); }

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
		while (R.rhead < R.ready.n && !R.auth_failed) {
			struct chain *c = R.ready.v[R.rhead];
			if (c->busy || c->next >= c->ops.n) {
				R.rhead++;
				continue;
			}
			struct op *o = c->ops.v[c->next];
			if (coll_wants(o)) { /* waits for a collective PATCH with the others ready now */
				R.rhead++;
				coll_gather(o);
				continue;
			}
			if (R.inflight >= R.conc)
				break;
			R.rhead++;
			begin(o);
		}
		if (!R.auth_failed)
			coll_step();
		/* send first, then one fsync while the requests are out (for the "sent" lines
		 * of this round and the "done" lines of the last; results are written only
		 * after it), then wait for answers */
		lp_http_multi_send(R.multi);
		jsync();
		int more = lp_http_multi_wait(R.multi);
		if (!more && R.inflight == 0 && (R.auth_failed || (R.rhead == R.ready.n && !R.grouped)))
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
	} else if (!done) {
		/* said whatever -v says: an exit 5 alone tells nobody what to do */
		lp_warn("%s: the push is not finished: %lu op%s failed at Loket, %lu not run%s%s; what was applied is in "
			"the journal: run again with the same --journal", R.cfg->client, R.counts[O_REMOTE],
			R.counts[O_REMOTE] == 1 ? "" : "s", unfinished, R.first_remote[0] ? "; the first: " : "", R.first_remote);
		rc = LP_EXIT_REMOTE;
	}
	else if (R.counts[O_FAILED] || R.counts[O_SKIPPED])
		rc = LP_EXIT_FINDINGS;
	if (verbose && R.coll_requests)
		lp_warn("%s: payroll period data: %lu collective PATCH requests for %lu items", R.cfg->client, R.coll_requests,
			R.coll_items);
	if (verbose)
		lp_warn("%s: %zu ops: %lu applied, %lu applied before, %lu refused, %lu skipped, %lu failed remotely; "
			"%lu HTTP requests (+%lu token)", R.cfg->client, nops, R.counts[O_APPLIED], R.counts[O_ALREADY],
			R.counts[O_FAILED], R.counts[O_SKIPPED], R.counts[O_REMOTE], lp_http_requests(R.http),
			lp_oauth_requests(R.oauth));
	return rc;
}

/* Apply the plan: the journal, the audit log, the send loop, the counts. Returns the exit code. */
int run_plan(const struct plan *p, const struct args *a, const char *base_url)
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
	coll_free();
	lp_audit_close(R.audit);
	lp_journal_close(R.journal);
	free(R.ready.v);
	explicit_bzero(R.authz, sizeof R.authz);
	return rc;
}
