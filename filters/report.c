/* report - a person's summary of a sync run, as text or HTML.
 *
 * Reads what a run produced (validate's issues and validation record, diff-loket's ops,
 * issues and plan record, push-loket's results; any mix, in any order) and writes per client:
 * the outcome, what changed per employee (planned, applied, refused or skipped), Loket's
 * refusals, the warnings and errors with their fixes, the concept employees waiting to be
 * finalised (M2), and who was left out and why. BSNs and IBANs in any text are masked.
 * It holds the records of the whole input (a report is read by a person: it is small).
 *
 * Completeness: every stage ends a client's stream with a stream_end record (extract-personio
 * "personio", fetch-loket "loket", diff-loket "plan", push-loket "push"; validate and
 * map-compensation pass Personio's on). A file whose stream of a client does not end with one
 * was cut off or written by a program that was stopped; a stream_end with complete:false is a
 * stage that failed remotely; a plan without its plan record, or holding fewer ops than it
 * announces, and a push with ops that have no result are incomplete too. Each is said at the
 * top of the report, the rest is written in full, and the exit status is 5 (a remote failure)
 * or 3 (input that ended early); "No changes" is only said of a complete, unblocked plan.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_nlid.h"
#include "lp_rec.h"
#include "lp_vec.h"

static const char usage[] =
	"Usage: report [--html] [--title TEXT] [FILE]...\n"
	"Summarise a sync run for a person: per client what changed per employee, what Loket\n"
	"refused, warnings and errors with their fixes, concept employees to finalise (M2) and\n"
	"who was left out and why. BSNs and IBANs are masked.\n"
	"\n"
	"      --html          write HTML instead of text\n"
	"      --title TEXT    the report's title (default: loketpipe sync report)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON (validate, diff-loket or push-loket output), '-' or none for standard\n"
	"input, .gz read transparently. An input that ended early, or a stage that failed, is\n"
	"said at the top of the report (what is missing, what to do); the rest is written in full.\n"
	"\n"
	"Exit status: 0 written, the input complete; 2 usage; 3 bad input (nothing written), or the\n"
	"input is incomplete (a file cut off, a plan without its plan record, ops without a result);\n"
	"5 a stage failed remotely (a stream_end with complete:false, e.g. a push Loket stopped);\n"
	"7 I/O. See loketpipe(7).\n";

static int html;

/* ---- output with masking and escaping */

static void put(const char *s)
{
	if (!s)
		s = "-";
	char *m = lp_xmalloc(strlen(s) + 1);
	lp_nlid_mask_text(s, m);
	if (!html)
		fputs(m, stdout);
	else
		for (const char *p = m; *p; p++) {
			switch (*p) {
			case '<': fputs("&lt;", stdout); break;
			case '>': fputs("&gt;", stdout); break;
			case '&': fputs("&amp;", stdout); break;
			case '"': fputs("&quot;", stdout); break;
			default: putchar(*p);
			}
		}
	free(m);
}

static void putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void putf(const char *fmt, ...)
{
	char b[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	put(b);
}

/* raw markup (HTML only) */
static void tag(const char *s)
{
	if (html)
		fputs(s, stdout);
}

static void heading(int level, const char *text)
{
	if (html) {
		printf("<h%d>", level);
		put(text);
		printf("</h%d>\n", level);
	} else {
		printf("\n");
		put(text);
		printf("\n");
		for (size_t i = strlen(text); i > 0; i--)
			putchar(level == 1 ? '=' : '-');
		printf("\n");
	}
}

/* ---- the records of one client */

/* what a file holds, by the last stage that wrote into it (a later stage wins) */
enum kind { K_INPUT, K_PERSONIO, K_CURRENT, K_VALIDATED, K_DESIRED, K_PLAN, K_PUSH };
static const char *const kind_names[] = {
	"The input", "The Personio data (extract-personio)", "The Loket data (fetch-loket)",
	"The validated data (validate)", "The desired Loket data (map-compensation)", "The plan (diff-loket)",
	"The push results (push-loket)"};

/* problems, each in words for a person */
typedef LP_VEC(char *) prob_list;

/* one client's records in one input file */
struct seg {
	const char *file;
	unsigned long records, after_end, last_line; /* after_end: records after its last stream_end */
	enum kind kind;
};

struct client {
	char *name;
	json_t *validation, *plan, *ops, *results, *issues, *ends;
	unsigned long requests; /* loket.request records: a dry run */
	LP_VEC(struct seg) segs;
	prob_list probs; /* what makes this client's input incomplete, in words for a person */
	/* from push-loket's stream_end, -1 when there is none */
	long long refused, remote, not_run;
	int has_push; /* push-loket's output is part of the input */
};

static lp_map *clients;
static LP_VEC(struct client *) order;

static struct client *client_for(const char *name)
{
	void *v;
	if (lp_map_get(clients, name, &v))
		return v;
	struct client *c = lp_xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->name = lp_xstrdup(name);
	c->ops = json_array();
	c->results = json_array();
	c->issues = json_array();
	c->ends = json_array();
	c->refused = c->remote = c->not_run = -1;
	lp_map_put(clients, c->name, c);
	*LP_VEC_PUSH(&order) = c;
	return c;
}

static long long empno(const json_t *r)
{
	json_t *v = json_object_get(r, "employee_number");
	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	const char *s = json_string_value(v);
	return s && *s ? atoll(s) : -1;
}

static int cmp_emp(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	long long p = empno(x), q = empno(y);
	if (p != q)
		return p < q ? -1 : 1;
	json_int_t s = json_integer_value(json_object_get(x, "seq")), t = json_integer_value(json_object_get(y, "seq"));
	return s < t ? -1 : s > t;
}

static const char *num(long long v)
{
	static char b[4][24];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof b[k], "%lld", v);
	return b[k];
}

static const char *str(const json_t *r, const char *k)
{
	return lp_json_text(json_object_get(r, k));
}

/* ---- completeness */

static int worst;         /* 0, LP_EXIT_DATA or LP_EXIT_REMOTE */
static prob_list gprobs; /* problems of no client (an empty file) */

static void problem(prob_list *list, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(prob_list *list, int code, const char *fmt, ...)
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
static void seg_note(struct client *c, const char *file, const char *type, const json_t *r, unsigned long line)
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

static int incomplete(const struct client *c)
{
	return c->probs.n > 0;
}

static void check(struct client *c)
{
	size_t i;
	json_t *r;
	const json_t *push_end = NULL, *plan_end = NULL;
	/* a stage that failed remotely */
	json_array_foreach(c->ends, i, r) {
		const char *src = str(r, "source") ? str(r, "source") : "?";
		if (!strcmp(src, "push")) {
			push_end = r; /* the last one counts */
			continue;
		}
		if (!strcmp(src, "plan"))
			plan_end = r;
		if (json_is_true(json_object_get(r, "complete")))
			continue;
		const char *err = str(r, "error") ? str(r, "error") : "no reason given";
		if (!strcmp(src, "personio"))
			problem(&c->probs, LP_EXIT_REMOTE,
				"Reading Personio did not finish (%s): not everything was received, so nothing of this run "
				"may be synced. Run the sync again; if Personio keeps failing, try again later.", err);
		else if (!strcmp(src, "loket"))
			problem(&c->probs, LP_EXIT_REMOTE,
				"Reading Loket did not finish (%s): without all of Loket's data no plan is made. Run the sync "
				"again; if Loket keeps failing, try again later.", err);
		else
			problem(&c->probs, LP_EXIT_REMOTE, "A stage (%s) did not finish (%s). Run the sync again.",
				src, err);
	}
	/* files that end early, except the push results (below, with their numbers) */
	int plan_cut = 0, push_cut = 0;
	const struct seg *pushg = NULL;
	for (size_t k = 0; k < c->segs.n; k++) {
		const struct seg *g = &c->segs.v[k];
		if (!g->after_end)
			continue;
		if (g->kind == K_PUSH) {
			push_cut = 1;
			pushg = g;
		} else if (g->kind == K_PLAN) {
			plan_cut = 1;
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
	/* op ids: the plan's, and those with a result */
	lp_map *ops = lp_map_new(), *res = lp_map_new();
	json_array_foreach(c->ops, i, r) lp_map_add(ops, str(r, "op_id") ? str(r, "op_id") : "");
	json_array_foreach(c->results, i, r) lp_map_add(res, str(r, "op_id") ? str(r, "op_id") : "");
	size_t nops = lp_map_size(ops), nres = lp_map_size(res), unresulted = 0;
	json_array_foreach(c->ops, i, r) unresulted += !lp_map_get(res, str(r, "op_id") ? str(r, "op_id") : "", NULL);
	lp_map_free(ops, NULL);
	lp_map_free(res, NULL);
	int has_push = nres || c->requests || push_end || push_cut;
	c->has_push = has_push;
	json_t *po = c->plan ? json_object_get(c->plan, "ops") : NULL;
	long long plan_ops = json_is_integer(po) ? (long long)json_integer_value(po) : -1;
	/* the plan */
	if (!plan_cut && !c->plan && (nops || plan_end))
		problem(&c->probs, LP_EXIT_DATA,
			"The plan has no summary record (type plan), so it is not all of diff-loket's output. Do not push "
			"it: make the plan again.");
	else if (!plan_cut && c->plan && plan_ops >= 0 && (nops || !has_push) && (long long)nops != plan_ops)
		problem(&c->probs, LP_EXIT_DATA,
			"The plan announces %lld change(s) but holds %zu, so it is not all of diff-loket's output. Do not "
			"push it: make the plan again.", plan_ops, nops);
	if (!has_push)
		return;
	/* the push */
	long long total = push_end && count_of(push_end, "ops") >= 0 ? count_of(push_end, "ops")
			  : plan_ops >= 0 ? plan_ops : nops ? (long long)nops : -1;
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
	if (push_cut || !push_end) {
		problem(&c->probs, LP_EXIT_DATA,
			"The push results end early (%s, after line %lu): %zu of %s change(s) have a result, and the end "
			"record is missing, so push-loket was stopped before it finished, or the file was cut off. Whether "
			"the other changes were made cannot be told from this file. Run the same command again: it resumes "
			"and makes only what is missing.", pushg ? pushg->file : "-", pushg ? pushg->last_line : 0UL,
			nres + c->requests, tot);
		return;
	}
	if (!json_is_true(json_object_get(push_end, "complete"))) {
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
		return;
	}
	if (total >= 0 && (long long)(nres + c->requests) < total)
		problem(&c->probs, LP_EXIT_DATA,
			"%lld of the plan's %lld change(s) have no result in this input, so it is not all of push-loket's "
			"output. Run the same command again: it resumes and makes only what is missing.",
			total - (long long)(nres + c->requests), total);
	else if (unresulted)
		problem(&c->probs, LP_EXIT_DATA,
			"%zu change(s) of the plan have no result in this input: the results are of another plan, or not "
			"all of push-loket's output. Run the same command again: it resumes and makes only what is missing.",
			unresulted);
}

/* said first: what is missing and what to do */
static void warnings(void)
{
	size_t n = gprobs.n;
	for (size_t i = 0; i < order.n; i++)
		n += order.v[i]->probs.n;
	if (!n)
		return;
	tag("<div class=\"incomplete\">\n");
	heading(2, "WARNING: this report is incomplete");
	putf("%sThe run did not finish, or its files were cut off. What follows is what the input holds, not the "
	     "whole run.\n", html ? "" : "  ");
	tag("<ul>\n");
	for (size_t i = 0; i < gprobs.n; i++) {
		tag("<li>");
		putf("%s", html ? "" : "  - ");
		put(gprobs.v[i]);
		tag("</li>");
		putf("\n");
	}
	for (size_t i = 0; i < order.n; i++)
		for (size_t k = 0; k < order.v[i]->probs.n; k++) {
			tag("<li>");
			putf("%sClient %s: ", html ? "" : "  - ", order.v[i]->name);
			put(order.v[i]->probs.v[k]);
			tag("</li>");
			putf("\n");
		}
	tag("</ul>\n</div>\n");
}

/* ---- sections */

static void summary(const struct client *c)
{
	size_t nops = json_array_size(c->ops), nres = json_array_size(c->results);
	unsigned long out[4] = {0};
	static const char *const names[] = {"applied", "already_applied", "failed", "skipped"};
	size_t i;
	json_t *r;
	json_array_foreach(c->results, i, r) {
		const char *o = str(r, "outcome");
		for (int k = 0; k < 4; k++)
			if (o && !strcmp(o, names[k]))
				out[k]++;
	}
	unsigned long err = 0, warn = 0;
	json_array_foreach(c->issues, i, r) {
		const char *s = str(r, "severity");
		err += s && !strcmp(s, "error");
		warn += s && !strcmp(s, "warning");
	}
	tag("<ul>\n");
	if (incomplete(c)) {
		tag("<li class=\"failed\">");
		putf("%sThis client's input is incomplete: see the warning at the top.", html ? "" : "  ");
		tag("</li>");
		putf("\n");
	}
	if (c->validation) {
		tag("<li>");
		putf("%sAs of %s: validation %s; the run raised %lu error(s) and %lu warning(s).", html ? "" : "  ",
		     str(c->validation, "as_of") ? str(c->validation, "as_of") : "-",
		     json_is_true(json_object_get(c->validation, "blocked")) ? "BLOCKED the sync (E4)" : "passed", err, warn);
		tag("</li>");
		putf("\n");
	}
	if (c->plan) {
		tag("<li>");
		if (json_is_true(json_object_get(c->plan, "blocked")))
			putf("%sNo plan: %s", html ? "" : "  ", str(c->plan, "reason"));
		else if (json_is_integer(json_object_get(c->plan, "ops")))
			putf("%sPlan: %lld change(s).", html ? "" : "  ", (long long)json_integer_value(json_object_get(c->plan, "ops")));
		else
			putf("%sPlan: %zu change(s).", html ? "" : "  ", nops ? nops : nres);
		tag("</li>");
		putf("\n");
	}
	if (nres) {
		tag("<li>");
		/* push-loket's stream_end tells refusals (4xx) from ops Loket kept failing on */
		if (c->refused >= 0 && c->remote >= 0)
			putf("%sPushed to Loket: %lu applied, %lu applied before (resumed run), %lld refused, %lu skipped",
			     html ? "" : "  ", out[0], out[1], c->refused, out[3]);
		else
			putf("%sPushed to Loket, as far as the results go: %lu applied, %lu applied before (resumed run), %lu "
			     "refused or failed, %lu skipped", html ? "" : "  ", out[0], out[1], out[2], out[3]);
		if (c->remote > 0)
			putf(", %lld not made because Loket kept failing", c->remote);
		if (c->not_run > 0)
			putf(", %lld not started", c->not_run);
		putf(".");
		tag("</li>");
		putf("\n");
	} else if (c->requests) {
		tag("<li>");
		putf("%sDry run: %lu request(s) would be sent; nothing was sent to Loket.", html ? "" : "  ", c->requests);
		tag("</li>");
		putf("\n");
	} else if (c->plan && !json_is_true(json_object_get(c->plan, "blocked")) && !incomplete(c) && !c->has_push) {
		tag("<li>");
		putf("%sNothing has been sent to Loket yet (plan only).", html ? "" : "  ");
		tag("</li>");
		putf("\n");
	}
	tag("</ul>\n");
}

static void changes(const struct client *c)
{
	/* one row per op: the result when there is one, else the planned op */
	lp_map *done = lp_map_new();
	json_t *rows = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(c->results, i, r) {
		json_array_append(rows, r);
		lp_map_add(done, str(r, "op_id") ? str(r, "op_id") : "");
	}
	json_array_foreach(c->ops, i, r) if (!lp_map_get(done, str(r, "op_id") ? str(r, "op_id") : "", NULL))
		json_array_append(rows, r);
	lp_map_free(done, NULL);
	size_t n = json_array_size(rows);
	heading(2, "Changes per employee");
	if (!n) {
		/* "No changes" only of a whole plan that is not blocked */
		const char *why;
		if (incomplete(c))
			why = "Changes cannot be shown: the input ended early or a stage failed (see the warning at the top).";
		else if (c->plan && !json_is_true(json_object_get(c->plan, "blocked")) &&
			 json_integer_value(json_object_get(c->plan, "ops")) == 0)
			why = "No changes: Loket already holds what Personio says.";
		else if (c->plan && !json_is_true(json_object_get(c->plan, "blocked")))
			why = "The planned changes are not in this input (a dry run's output holds requests, not changes): "
			      "report the plan to see them.";
		else if (c->plan || (c->validation && json_is_true(json_object_get(c->validation, "blocked"))))
			why = "Nothing is planned: the sync is blocked (see above).";
		else
			why = "No plan in this input: nothing has been compared with Loket.";
		putf("%s%s\n", html ? "" : "  ", why);
		json_decref(rows);
		return;
	}
	json_t **v = lp_xmalloc(n * sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = json_array_get(rows, i);
	qsort(v, n, sizeof *v, cmp_emp);
	tag("<table>\n<tr><th>employee</th><th>rule</th><th>change</th><th>outcome</th></tr>\n");
	long long last = -2;
	for (i = 0; i < n; i++) {
		const json_t *x = v[i];
		/* an op without a result in a push's report: not known whether it was made */
		const char *oc = str(x, "outcome") ? str(x, "outcome") : c->has_push ? "no result" : "planned";
		long long e = empno(x);
		if (html) {
			printf("<tr><td>");
			if (e >= 0)
				printf("%lld", e);
			printf("</td><td>");
			put(str(x, "rule"));
			printf("</td><td>");
			put(str(x, "message"));
			printf("</td><td class=\"%s\">", str(x, "outcome") ? oc : "planned");
			put(oc);
			if (str(x, "error")) {
				printf(": ");
				put(str(x, "error"));
			}
			printf("</td></tr>\n");
			continue;
		}
		if (e != last)
			putf("  employee %s\n", e >= 0 ? num(e) : "-");
		last = e;
		putf("    [%s] %s -> %s", str(x, "rule"), str(x, "message"), oc);
		if (str(x, "error"))
			putf(" (%s)", str(x, "error"));
		putf("\n");
	}
	tag("</table>\n");
	free(v);
	json_decref(rows);
}

static void refusals(const struct client *c)
{
	size_t i, n = 0;
	json_t *r;
	json_array_foreach(c->results, i, r) n += str(r, "outcome") && !strcmp(str(r, "outcome"), "failed");
	if (!n)
		return;
	heading(2, c->remote > 0 ? "Not made: refused by Loket, or Loket kept failing" : "Refused by Loket");
	tag("<ul>\n");
	json_array_foreach(c->results, i, r) {
		if (!str(r, "outcome") || strcmp(str(r, "outcome"), "failed"))
			continue;
		tag("<li>");
		json_t *st = json_object_get(r, "http_status");
		if (json_is_integer(st))
			putf("%s%s %s (employee %lld): HTTP %lld", html ? "" : "  ", str(r, "method"), str(r, "path"), empno(r),
			     (long long)json_integer_value(st));
		else
			putf("%s%s %s (employee %lld): no answer from Loket", html ? "" : "  ", str(r, "method"), str(r, "path"),
			     empno(r));
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(r, "messages"), k, m) putf("; %s", json_string_value(m));
		if (str(r, "error"))
			putf("; %s", str(r, "error"));
		tag("</li>");
		putf("\n");
	}
	tag("</ul>\n");
}

static int left_out(const json_t *i)
{
	const char *rule = str(i, "rule"), *sev = str(i, "severity");
	return rule && (!strcmp(rule, "E1") || !strcmp(rule, "E3") || (!strcmp(rule, "M3") && sev && !strcmp(sev, "warning")));
}

static void issues(const struct client *c)
{
	static const char *const sev[] = {"error", "warning"};
	for (int s = 0; s < 2; s++) {
		size_t i, n = 0;
		json_t *r;
		json_array_foreach(c->issues, i, r) n += str(r, "severity") && !strcmp(str(r, "severity"), sev[s]) && !left_out(r);
		if (!n)
			continue;
		heading(2, s == 0 ? "Errors (they block the sync until fixed)" : "Warnings");
		tag("<ul>\n");
		json_array_foreach(c->issues, i, r) {
			if (!str(r, "severity") || strcmp(str(r, "severity"), sev[s]) || left_out(r))
				continue;
			tag("<li>");
			putf("%s%s employee %s%s%s: %s", html ? "" : "  ", str(r, "rule"),
			     str(r, "employee_number") ? str(r, "employee_number") : "-",
			     str(r, "field") ? ", " : "", str(r, "field") ? str(r, "field") : "", str(r, "message"));
			if (str(r, "hint"))
				putf("%sfix: %s", html ? " - " : "\n      ", str(r, "hint"));
			tag("</li>");
			putf("\n");
		}
		tag("</ul>\n");
	}
}

static void concepts(const struct client *c)
{
	json_t *w = c->plan ? json_object_get(c->plan, "concept_employees_waiting") : NULL;
	if (!json_array_size(w))
		return;
	heading(2, "Concept employees to finalise in Loket (M2)");
	tag("<ul>\n");
	size_t i;
	json_t *k;
	json_array_foreach(w, i, k) {
		tag("<li>");
		json_t *en = json_object_get(k, "employee_number");
		putf("%s%s (employee number %s): only employee data and base salary are in Loket; the rest follows once it "
		     "is finalised", html ? "" : "  ", str(k, "unique_name") ? str(k, "unique_name") : "?",
		     json_is_integer(en) ? num((long long)json_integer_value(en)) : "none");
		tag("</li>");
		putf("\n");
	}
	tag("</ul>\n");
}

static void excluded(const struct client *c)
{
	size_t i, n = 0;
	json_t *r;
	json_array_foreach(c->issues, i, r) n += left_out(r);
	if (!n)
		return;
	heading(2, "Left out, and why");
	tag("<ul>\n");
	json_array_foreach(c->issues, i, r) {
		if (!left_out(r))
			continue;
		tag("<li>");
		putf("%sPersonio %s / employee %s: %s (%s)", html ? "" : "  ", str(r, "personio_id") ? str(r, "personio_id") : "-",
		     str(r, "employee_number") ? str(r, "employee_number") : "-", str(r, "message"), str(r, "rule"));
		tag("</li>");
		putf("\n");
	}
	tag("</ul>\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"html", no_argument, 0, 'H'}, {"title", required_argument, 0, 't'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *title = "loketpipe sync report";
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H': html = 1; break;
		case 't': title = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	clients = lp_map_new();
	lp_map *seen = lp_map_new();
	json_t *r;
	int rc = 0, bad = 0;
	char w[600];
	/* one file at a time: each must end every client's stream with a stream_end */
	int nfiles = argc - optind;
	for (int f = 0; f < (nfiles ? nfiles : 1) && !bad; f++) {
		const char *file = nfiles && strcmp(argv[optind + f], "-") ? argv[optind + f] : "standard input";
		lp_in *in = lp_in_open(nfiles ? argv + optind + f : NULL, nfiles ? 1 : 0);
		unsigned long nrec = 0;
		while ((rc = lp_in_next(in, &r)) == 1) {
			nrec++;
			snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
			const char *type = json_string_value(json_object_get(r, "type"));
			struct client *cl = client_for(lp_rec_str(r, "client", 0, w));
			seg_note(cl, file, type, r, lp_in_line(in));
			if (!strcmp(type, "issue")) {
				/* the same issue reaches the report through several stages: once is enough */
				char *key = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
				if (lp_map_add(seen, key))
					json_array_append(cl->issues, r);
				free(key);
			}
			else if (!strcmp(type, "loket.op"))
				json_array_append(cl->ops, r);
			else if (!strcmp(type, "loket.result"))
				json_array_append(cl->results, r);
			else if (!strcmp(type, "validation"))
				json_decref(cl->validation), cl->validation = json_incref(r);
			else if (!strcmp(type, "plan"))
				json_decref(cl->plan), cl->plan = json_incref(r);
			else if (!strcmp(type, "stream_end"))
				json_array_append(cl->ends, r);
			else if (!strcmp(type, "loket.request"))
				cl->requests++;
			json_decref(r);
		}
		bad = rc < 0 ? lp_in_error(in) : 0;
		lp_in_close(in);
		if (!bad && !nrec)
			problem(&gprobs, LP_EXIT_DATA,
				"%s holds no records: the stage that writes it did not get that far, or the file was cut off. "
				"Run the sync again.", file);
	}
	lp_map_free(seen, NULL);
	if (!bad)
		for (size_t i = 0; i < order.n; i++)
			check(order.v[i]);
	if (html && !bad) {
		printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
		put(title);
		printf("</title>\n<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
		       "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
		       ".failed{color:#a00}.skipped{color:#a60}.applied{color:#060}"
		       ".incomplete{border:2px solid #a00;padding:0 1em;margin:1em 0}</style></head><body>\n");
	}
	if (!bad) {
		heading(1, title);
		warnings();
	}
	for (size_t i = 0; !bad && i < order.n; i++) { /* nothing is written from bad input */
		struct client *cl = order.v[i];
		char *h = lp_xasprintf("Client %s", cl->name);
		heading(1, h);
		free(h);
		summary(cl);
		issues(cl);
		changes(cl);
		refusals(cl);
		concepts(cl);
		excluded(cl);
	}
	if (html && !bad)
		printf("</body></html>\n");
	for (size_t i = 0; i < order.n; i++) {
		struct client *cl = order.v[i];
		json_decref(cl->validation);
		json_decref(cl->plan);
		json_decref(cl->ops);
		json_decref(cl->results);
		json_decref(cl->issues);
		json_decref(cl->ends);
		for (size_t k = 0; k < cl->probs.n; k++)
			free(cl->probs.v[k]);
		free(cl->probs.v);
		free(cl->segs.v);
		free(cl->name);
		free(cl);
	}
	for (size_t k = 0; k < gprobs.n; k++)
		free(gprobs.v[k]);
	free(gprobs.v);
	free(order.v);
	lp_map_free(clients, NULL);
	if (bad)
		return bad;
	int oc = lp_out_close();
	return oc ? oc : worst;
}
