/* check.c - completeness: which stage wrote each file of a client, whether each ends with its
 * stream_end, a stage that failed remotely, a plan or a push that is not whole; each problem in
 * words for a person (what is missing, what to do) and the exit status it makes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_map.h"
#include "report.h"

static const char *const kind_names[] = {
	"The input", "The Personio data (extract-personio)", "The Loket data (fetch-loket)",
	"The validated data (validate)", "The desired Loket data (map-compensation)", "The plan (diff-loket)",
	"The push results (push-loket)", "The journal entries (fetch-journal)", "The export results (journal-export)"};

int worst;
prob_list gprobs;

void problem(prob_list *list, int code, const char *fmt, ...)
{
	char b[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	*LP_VEC_PUSH(list) = lp_xstrdup(b);
	if (code > worst)
		worst = code;
}

static enum kind kind_of(const char *type, const json_t *r)
{
	if (!strcmp(type, "person") || !strcmp(type, "compensation"))
		return K_PERSONIO;
	if (!strncmp(type, "loket.current.", 14))
		return K_CURRENT;
	if (!strcmp(type, "validation"))
		return K_VALIDATED;
	if (!strcmp(type, "loket.employee") || !strcmp(type, "loket.wage") || !strcmp(type, "loket.benefit_deduction") ||
	    !strcmp(type, "loket.variable_input"))
		return K_DESIRED;
	if (!strcmp(type, "loket.op") || !strcmp(type, "plan"))
		return K_PLAN;
	if (!strcmp(type, "loket.result") || !strcmp(type, "loket.request"))
		return K_PUSH;
	if (!strcmp(type, "journal.entry") || !strcmp(type, "journal.line"))
		return K_JOURNAL;
	if (!strcmp(type, "journal.export"))
		return K_JEXPORT;
	if (!strcmp(type, "stream_end")) {
		const char *src = str(r, "source");
		static const char *const srcs[] = {"personio", "loket", "plan", "push"};
		static const enum kind ks[] = {K_PERSONIO, K_CURRENT, K_PLAN, K_PUSH};
		for (int i = 0; src && i < 4; i++)
			if (!strcmp(src, srcs[i]))
				return ks[i];
	}
	return K_INPUT;
}

/* note a record of client c read from file at line: which stage wrote it, and whether a
 * stream_end followed it */
void seg_note(struct client *c, const char *file, const char *type, const json_t *r, unsigned long line)
{
	struct seg *g = c->segs.n ? &c->segs.v[c->segs.n - 1] : NULL;
	if (!g || g->file != file) {
		g = LP_VEC_PUSH(&c->segs);
		memset(g, 0, sizeof *g);
		g->file = file;
	}
	enum kind k = kind_of(type, r);
	if (k > g->kind)
		g->kind = k;
	g->records++;
	g->last_line = line;
	g->after_end = strcmp(type, "stream_end") ? g->after_end + 1 : 0;
}

static long long count_of(const json_t *end, const char *k)
{
	json_t *v = json_object_get(json_object_get(end, "counts"), k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

int incomplete(const struct client *c)
{
	return c->probs.n > 0;
}

/* what check's steps find and pass on */
struct ck {
	const json_t *push_end, *plan_end; /* the last stream_end of push-loket, of diff-loket */
	int plan_cut, push_cut;            /* a file of the plan, of the push results, ends early */
	const struct seg *pushg;           /* the push results' file that ends early */
	size_t nops, nres, unresulted;     /* op ids: the plan's, those with a result, the plan's without one */
	long long plan_ops;                /* the changes the plan record announces, -1 when it does not say */
};

/* a stage that failed remotely */
static void check_ends(struct client *c, struct ck *st)
{
	size_t i;
	json_t *r;
	json_array_foreach(c->ends, i, r) {
		const char *src = str(r, "source") ? str(r, "source") : "?";
		if (!strcmp(src, "push")) {
			st->push_end = r; /* the last one counts */
			continue;
		}
		if (!strcmp(src, "plan"))
			st->plan_end = r;
		if (json_is_true(json_object_get(r, "complete")))
			continue;
		const char *err = str(r, "error") ? str(r, "error") : "no reason given";
		if (!strcmp(src, "personio"))
			problem(&c->probs, LP_EXIT_REMOTE,
				"Reading Personio did not finish (%s): not everything was received, so nothing of this run "
				"may be synced. Run the sync again; if Personio keeps failing, try again later.", err);
		else if (!strcmp(src, "loket") && json_object_get(json_object_get(r, "counts"), "journal_runs"))
			problem(&c->probs, LP_EXIT_REMOTE,
				"Reading Loket's journal runs did not finish (%s): entries or lines may be missing, so "
				"nothing of this report may be booked. Run fetch-journal again; if Loket keeps failing, try "
				"again later.", err);
		else if (!strcmp(src, "loket"))
			problem(&c->probs, LP_EXIT_REMOTE,
				"Reading Loket did not finish (%s): without all of Loket's data no plan is made. Run the sync "
				"again; if Loket keeps failing, try again later.", err);
		else
			problem(&c->probs, LP_EXIT_REMOTE, "A stage (%s) did not finish (%s). Run the sync again.",
				src, err);
	}
}

/* files that end early, except the push results (check_push, with their numbers) */
static void check_cuts(struct client *c, struct ck *st)
{
	for (size_t k = 0; k < c->segs.n; k++) {
		const struct seg *g = &c->segs.v[k];
		if (!g->after_end)
			continue;
		if (g->kind == K_PUSH) {
			st->push_cut = 1;
			st->pushg = g;
		} else if (g->kind == K_PLAN) {
			st->plan_cut = 1;
			problem(&c->probs, LP_EXIT_DATA,
				"The plan ends early (%s, after line %lu): its end record is missing, so diff-loket (or "
				"push-loket, if this is its output) was stopped before it finished, or the file was cut off. "
				"It holds %zu change(s); more may be missing. Do not push it: run the same command again.",
				g->file, g->last_line, json_array_size(c->ops));
		} else
			problem(&c->probs, LP_EXIT_DATA,
				"%s ends early (%s, after line %lu): its end record is missing, so the program writing it was "
				"stopped before it finished, or the file was cut off. People, changes or errors may be missing "
				"from this report. Run the sync again.", kind_names[g->kind], g->file, g->last_line);
	}
}

/* op ids: the plan's, and those with a result */
static void count_ops(const struct client *c, struct ck *st)
{
	size_t i;
	json_t *r;
	lp_map *ops = lp_map_new(), *res = lp_map_new();
	json_array_foreach(c->ops, i, r) lp_map_add(ops, str(r, "op_id") ? str(r, "op_id") : "");
	json_array_foreach(c->results, i, r) lp_map_add(res, str(r, "op_id") ? str(r, "op_id") : "");
	st->nops = lp_map_size(ops);
	st->nres = lp_map_size(res);
	json_array_foreach(c->ops, i, r) st->unresulted += !lp_map_get(res, str(r, "op_id") ? str(r, "op_id") : "", NULL);
	lp_map_free(ops, NULL);
	lp_map_free(res, NULL);
}

/* the plan: its plan record, and as many ops as that announces */
static void check_plan(struct client *c, struct ck *st)
{
	json_t *po = c->plan ? json_object_get(c->plan, "ops") : NULL;
	st->plan_ops = json_is_integer(po) ? (long long)json_integer_value(po) : -1;
	if (!st->plan_cut && !c->plan && (st->nops || st->plan_end))
		problem(&c->probs, LP_EXIT_DATA,
			"The plan has no summary record (type plan), so it is not all of diff-loket's output. Do not push "
			"it: make the plan again.");
	else if (!st->plan_cut && c->plan && st->plan_ops >= 0 && (st->nops || !c->has_push) &&
		 (long long)st->nops != st->plan_ops)
		problem(&c->probs, LP_EXIT_DATA,
			"The plan announces %lld change(s) but holds %zu, so it is not all of diff-loket's output. Do not "
			"push it: make the plan again.", st->plan_ops, st->nops);
}

/* a push that push-loket's stream_end says stopped before it finished (Loket failed, or refused
 * the login): total changes, tot in words */
static void push_stopped(struct client *c, const json_t *push_end, long long total, const char *tot)
{
	const char *err = str(push_end, "error") ? str(push_end, "error") : "no reason given";
	long long made = count_of(push_end, "applied") + count_of(push_end, "already_applied");
	char why[400] = "";
	size_t w = 0;
	const long long parts[] = {c->remote, count_of(push_end, "skipped"), c->not_run, c->refused};
	static const char *const what[] = {"Loket kept failing or did not answer", "skipped after them",
					   "not started", "refused by Loket (see below)"};
	for (int k = 0; k < 4; k++)
		if (parts[k] > 0 && w < sizeof why)
			w += (size_t)snprintf(why + w, sizeof why - w, "%s%lld %s", w ? ", " : ": ", parts[k], what[k]);
	/* push-loket's message for a refused login says "run loket-auth" (lp_oauth) */
	int relogin = strstr(err, "loket-auth") != NULL;
	problem(&c->probs, LP_EXIT_REMOTE,
		"The push to Loket stopped before it finished: %lld of %s change(s) were not made%s. push-loket "
		"said: %s. %s the same command again: it resumes and makes only what is missing.",
		total >= 0 && made >= 0 ? total - made : -1, tot, why, err,
		relogin ? "Loket wants a new login first: run loket-auth, then run" : "Run");
}

/* the push: its stream_end, and a result for every change */
static void check_push(struct client *c, const struct ck *st)
{
	const json_t *push_end = st->push_end;
	long long total = push_end && count_of(push_end, "ops") >= 0 ? count_of(push_end, "ops")
			  : st->plan_ops >= 0 ? st->plan_ops : st->nops ? (long long)st->nops : -1;
	char tot[48];
	if (total >= 0)
		snprintf(tot, sizeof tot, "%lld", total);
	else
		snprintf(tot, sizeof tot, "the plan's");
	if (push_end) {
		c->refused = count_of(push_end, "failed");
		c->remote = count_of(push_end, "remote_failures");
		c->not_run = count_of(push_end, "not_run");
	}
	if (st->push_cut || !push_end) {
		problem(&c->probs, LP_EXIT_DATA,
			"The push results end early (%s, after line %lu): %zu of %s change(s) have a result, and the end "
			"record is missing, so push-loket was stopped before it finished, or the file was cut off. Whether "
			"the other changes were made cannot be told from this file. Run the same command again: it resumes "
			"and makes only what is missing.", st->pushg ? st->pushg->file : "-",
			st->pushg ? st->pushg->last_line : 0UL, st->nres + c->requests, tot);
		return;
	}
	if (!json_is_true(json_object_get(push_end, "complete"))) {
		push_stopped(c, push_end, total, tot);
		return;
	}
	if (total >= 0 && (long long)(st->nres + c->requests) < total)
		problem(&c->probs, LP_EXIT_DATA,
			"%lld of the plan's %lld change(s) have no result in this input, so it is not all of push-loket's "
			"output. Run the same command again: it resumes and makes only what is missing.",
			total - (long long)(st->nres + c->requests), total);
	else if (st->unresulted)
		problem(&c->probs, LP_EXIT_DATA,
			"%zu change(s) of the plan have no result in this input: the results are of another plan, or not "
			"all of push-loket's output. Run the same command again: it resumes and makes only what is missing.",
			st->unresulted);
}

/* the problems of client c, into c->probs (and worst); what a push holds, into c */
void check(struct client *c)
{
	struct ck st;
	memset(&st, 0, sizeof st);
	check_ends(c, &st);
	check_cuts(c, &st);
	count_ops(c, &st);
	c->has_push = st.nres || c->requests || st.push_end || st.push_cut;
	check_plan(c, &st);
	if (c->has_push)
		check_push(c, &st);
	journal_check(c);
}
