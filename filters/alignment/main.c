/* alignment - the first-sync alignment: Loket's salaries, recurring and one-time compensation
 * beside Personio's, per employee from the compensation start date on, each row marked with
 * what the first sync would do (keep, overwrite, end, delete, create, leave).
 *
 * Input: fetch-loket's output (--current, loket.current.*), map-compensation's (the desired
 * state, the operands) and diff-loket's plan (--plan: loket.op, issue, plan); optionally
 * extract-personio's (--people) for the names of people the desired state does not hold.
 * The marks come from the plan's ops (rows.c): an op names the Loket record it writes over by
 * its path, the employment by its chain, and carries before and after; only the records no op
 * touches are paired here, by the keys diff-loket's plan uses for them (start date, component
 * and start date, period and component). Nothing is planned anew.
 *
 * Completeness: each input must end with its stream_end (complete:true), the plan with its plan
 * record and as many ops as that announces; else the report says at the top that the
 * comparison is incomplete, the rest is written in full (exit 3, or 5 for a stage that failed
 * remotely), and no CSV is written (a spreadsheet has no top to say it at).
 */
#include <getopt.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_rec.h"

static const char usage[] =
	"Usage: alignment -c CONFIG --current FILE --plan FILE [--people FILE] [--html | --csv]\n"
	"                 [--title TEXT] [FILE]...\n"
	"The first-sync alignment: per employee, Loket's salaries, recurring and one-time\n"
	"compensation beside Personio's from the compensation start date on, each row marked with\n"
	"what the first sync would do: keep, overwrite, end (R2, R3), delete (O3, a wage not in\n"
	"Personio's chain), create, or leave (no op: Loket stays as it is). What it destroys comes\n"
	"first, each with its amount. BSNs and IBANs are masked.\n"
	"\n"
	"  -c, --config FILE    the client's configuration (compensation start date, mapping)\n"
	"      --current FILE   fetch-loket's output (Loket's current state)\n"
	"      --plan FILE      diff-loket's plan of the same current and desired state\n"
	"      --people FILE    extract-personio's output: names of people left out (optional)\n"
	"      --html           write HTML instead of text\n"
	"      --csv            write the rows as CSV (';', decimal comma) instead of text\n"
	"      --title TEXT     the report's title (default: loketpipe first-sync alignment)\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"FILE is map-compensation's output (the desired state), '-' or none for standard input;\n"
	".gz is read transparently.\n"
	"\n"
	"Exit status: 0 written, the input complete; 1 written, but diff-loket made no plan (blocked);\n"
	"2 usage; 3 bad input, or an input is incomplete (cut off, a plan without its plan record):\n"
	"the text says so at the top, no CSV is written; 4 configuration; 5 a stage failed remotely\n"
	"(a stream_end with complete:false); 7 I/O. See alignment(1), loketpipe(7).\n";

enum src { S_CURRENT, S_DESIRED, S_PLAN, S_PEOPLE };
static const char *const src_name[] = {"The Loket data (fetch-loket, --current)",
				       "The desired Loket data (map-compensation)", "The plan (diff-loket, --plan)",
				       "The Personio data (extract-personio, --people)"};
static const char *const src_end[] = {"loket", "personio", "plan", "personio"};

static void problem(struct input *in, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void problem(struct input *in, int code, const char *fmt, ...)
{
	char b[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	*LP_VEC_PUSH(&in->probs) = lp_xstrdup(b);
	if (code > in->worst)
		in->worst = code;
}

static void take(struct input *in, enum src s, json_t *r, const char *type)
{
	static const struct {
		enum src s;
		const char *type;
		size_t off;
	} to[] = {
		{S_CURRENT, "loket.current.employee", offsetof(struct input, cur_emps)},
		{S_CURRENT, "loket.current.employment", offsetof(struct input, cur_empls)},
		{S_CURRENT, "loket.current.wage", offsetof(struct input, cur_wages)},
		{S_CURRENT, "loket.current.benefit_deduction", offsetof(struct input, cur_bens)},
		{S_CURRENT, "loket.current.variable_input", offsetof(struct input, cur_vis)},
		{S_PLAN, "issue", offsetof(struct input, issues)},
		{S_PLAN, "loket.op", offsetof(struct input, ops)},
		{S_PEOPLE, "person", offsetof(struct input, people)},
	};
	for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
		if (to[i].s == s && !strcmp(to[i].type, type)) {
			json_array_append(*(json_t **)((char *)in + to[i].off), r);
			return;
		}
	if (s == S_CURRENT && !strcmp(type, "loket.current.metadata") &&
	    !strcmp(txt(r, "resource"), "wage") && !strcmp(txt(r, "field"), "grossWageType")) {
		json_decref(in->wage_opts);
		in->wage_opts = json_incref(json_object_get(r, "options"));
	} else if (s == S_DESIRED && !strcmp(type, "validation")) {
		json_decref(in->validation);
		in->validation = json_incref(r);
	} else if (s == S_PLAN && !strcmp(type, "plan")) {
		json_decref(in->plan);
		in->plan = json_incref(r);
	}
}

/* ---- the fields rows.c reads, checked where the record is (FILE:LINE: FIELD: ...) */

static void need_money(const json_t *r, const char *k, const char *w, const char *field)
{
	lp_cents c;
	if (lp_money_from_json(json_object_get(r, k), &c))
		lp_die_at(LP_EXIT_DATA, w, field, "expected an amount, e.g. \"4166.67\"");
}

static void need_date(const json_t *r, const char *k, int nullable, const char *w, const char *field)
{
	const json_t *v = json_object_get(r, k);
	lp_date d;
	if (nullable && (!v || json_is_null(v)))
		return;
	if (!json_is_string(v) || lp_date_parse(json_string_value(v), &d))
		lp_die_at(LP_EXIT_DATA, w, field, "expected a date YYYY-MM-DD%s", nullable ? " or null" : "");
}

static void need_int(const json_t *r, const char *k, const char *w, const char *field)
{
	if (!json_is_integer(json_object_get(r, k)))
		lp_die_at(LP_EXIT_DATA, w, field, "expected an integer");
}

/* a wage, benefit or variable input entry as a record or an op's view holds it; pre: the
 * field's path for messages ("before.", "after[0].", "") */
static void need_view(const json_t *r, char kind, const char *w, const char *pre)
{
	char f[64];
	if (!json_is_object(r))
		lp_die_at(LP_EXIT_DATA, w, *pre ? pre : NULL, "expected an object");
#define F(name) (snprintf(f, sizeof f, "%s%s", pre, name), f)
	if (kind == 'w') {
		need_date(r, "start_date", 0, w, F("start_date"));
		need_money(r, "gross_wage", w, F("gross_wage"));
	} else if (kind == 'b') {
		need_int(r, "payroll_component_key", w, F("payroll_component_key"));
		need_money(r, "value", w, F("value"));
		need_date(r, "start_date", 0, w, F("start_date"));
		need_date(r, "end_date", 1, w, F("end_date"));
	} else {
		need_int(r, "year", w, F("year"));
		need_int(r, "period", w, F("period"));
		need_int(r, "payroll_component_key", w, F("payroll_component_key"));
		need_money(r, "value", w, F("value"));
	}
#undef F
}

/* an op on a wage, benefit or variable input: what its action needs of before and after */
static void need_op(const json_t *r, const char *w)
{
	const char *ent = lp_rec_str(r, "entity", 0, w), *act = lp_rec_str(r, "action", 0, w);
	char kind = !strcmp(ent, "wage") ? 'w' : !strcmp(ent, "benefit_deduction") ? 'b' : !strcmp(ent, "variable_input") ? 'v' : 0;
	if (!kind)
		return;
	lp_rec_str(r, "path", 0, w);
	lp_rec_str(r, "rule", 0, w);
	int create = !strcmp(act, "create") || !strcmp(act, "upsert"), keeps = !strcmp(act, "delete") || !strcmp(act, "remove");
	const json_t *b = json_object_get(r, "before"), *a = json_object_get(r, "after");
	if (kind != 'v') {
		if (!create)
			need_view(b, kind, w, "before.");
		if (!keeps)
			need_view(a, kind, w, "after.");
		return;
	}
	const json_t *x = keeps ? b : a;
	if (!json_is_array(x) || !json_array_size(x) || (!keeps && json_array_size(b) != json_array_size(a)))
		lp_die_at(LP_EXIT_DATA, w, keeps ? "before" : "after",
			  "expected an array of entries%s", keeps ? "" : ", as long as before");
	char pre[32];
	for (size_t i = 0; i < json_array_size(x); i++) {
		snprintf(pre, sizeof pre, "%s[%zu].", keeps ? "before" : "after", i);
		need_view(json_array_get(x, i), 'v', w, pre);
		if (!keeps && !json_is_null(json_array_get(b, i))) {
			snprintf(pre, sizeof pre, "before[%zu].", i);
			need_view(json_array_get(b, i), 'v', w, pre);
		}
	}
}

static void need_fields(const json_t *r, const char *type, const char *w)
{
	if (!strcmp(type, "loket.op"))
		need_op(r, w);
	else if (!strcmp(type, "loket.current.wage") || !strcmp(type, "loket.current.benefit_deduction") ||
		 !strcmp(type, "loket.current.variable_input")) {
		lp_rec_str(r, "id", 0, w);
		lp_rec_str(r, "employment_id", 0, w);
		need_view(r, type[14], w, "");
		if (type[14] == 'w')
			need_date(r, "end_date", 1, w, "end_date");
	} else if (!strcmp(type, "loket.current.employment")) {
		lp_rec_str(r, "id", 0, w);
		need_date(r, "start_date", 0, w, "start_date");
	} else if (!strcmp(type, "loket.wage") || !strcmp(type, "loket.benefit_deduction") ||
		   !strcmp(type, "loket.variable_input")) {
		need_view(r, type[6], w, "");
		if (type[6] == 'w')
			need_date(r, "end_date", 1, w, "end_date");
	}
}

/* the records of one input (files: n names, 0 = standard input) */
static void read_src(struct input *in, enum src s, char **files, int n)
{
	lp_in *f = lp_in_open(files, n);
	json_t *r, *last_end = NULL;
	unsigned long nrec = 0, after_end = 0, last_line = 0;
	int rc;
	char w[600];
	const char *name = n ? files[0] : "standard input";
	while ((rc = lp_in_next(f, &r)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(f), lp_in_line(f));
		const char *type = lp_rec_str(r, "type", 0, w);
		const char *client = lp_rec_str(r, "client", 0, w);
		if (strcmp(client, in->cfg->client))
			lp_die_at(LP_EXIT_DATA, w, "client",
				  "a record of client '%s'; the configuration is of client '%s' (one client per run)", client,
				  in->cfg->client);
		need_fields(r, type, w);
		nrec++;
		last_line = lp_in_line(f);
		if (!strcmp(type, "stream_end")) {
			after_end = 0;
			json_decref(last_end);
			last_end = json_incref(r);
		} else
			after_end++;
		if (s == S_DESIRED && (!strcmp(type, "loket.employee") || !strcmp(type, "loket.wage") ||
				       !strcmp(type, "loket.benefit_deduction") || !strcmp(type, "loket.variable_input")))
			json_array_append(in->desired, r);
		else
			take(in, s, r, type);
		json_decref(r);
	}
	if (rc < 0)
		exit(lp_in_error(f));
	lp_in_close(f);
	if (!nrec)
		problem(in, LP_EXIT_DATA, "%s: %s holds no records: the stage that writes it did not get that far. The "
			"comparison is incomplete: make it again.", src_name[s], name);
	else if (after_end || !last_end)
		problem(in, LP_EXIT_DATA, "%s ends early (%s, after line %lu): its end record (stream_end) is missing, "
			"so the program writing it was stopped, or the file was cut off. The comparison is incomplete: "
			"rows may be missing or marked wrongly. Run first-sync-check again.", src_name[s], name, last_line);
	else if (!json_is_true(json_object_get(last_end, "complete")))
		problem(in, LP_EXIT_REMOTE, "%s did not finish (%s): the comparison is incomplete. Run first-sync-check "
			"again; if the API keeps failing, try later.", src_name[s],
			lp_json_text(json_object_get(last_end, "error")) ? lp_json_text(json_object_get(last_end, "error"))
									  : "no reason given");
	else if (!lp_json_text(json_object_get(last_end, "source")) ||
		 strcmp(lp_json_text(json_object_get(last_end, "source")), src_end[s]))
		problem(in, LP_EXIT_DATA, "%s (%s) ends with the end record of another stage (source '%s', not '%s'): "
			"the wrong file was given. The comparison is incomplete.", src_name[s], name,
			lp_json_text(json_object_get(last_end, "source")) ? lp_json_text(json_object_get(last_end, "source")) : "?",
			src_end[s]);
	json_decref(last_end);
}

/* the plan: its plan record, as many ops as it announces */
static void check_plan(struct input *in)
{
	if (!in->plan) {
		problem(in, LP_EXIT_DATA, "The plan has no summary record (type plan), so it is not all of diff-loket's "
			"output. The comparison is incomplete: make the plan again.");
		return;
	}
	json_t *n = json_object_get(in->plan, "ops");
	if (json_is_integer(n) && (size_t)json_integer_value(n) != json_array_size(in->ops))
		problem(in, LP_EXIT_DATA, "The plan announces %lld change(s) but holds %zu, so it is not all of "
			"diff-loket's output. The comparison is incomplete: make the plan again.",
			(long long)json_integer_value(n), json_array_size(in->ops));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"current", required_argument, 0, 'C'},
		{"plan", required_argument, 0, 'P'},   {"people", required_argument, 0, 'p'},
		{"html", no_argument, 0, 'H'},         {"csv", no_argument, 0, 'S'},
		{"title", required_argument, 0, 't'},  {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'},      {0, 0, 0, 0}};
	lp_init(argv[0]);
	const char *cfgp = NULL, *title = "loketpipe first-sync alignment";
	LP_VEC(char *) cur = {0};
	char *plan = NULL, *people = NULL;
	int html = 0, csv = 0, c;
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (cfgp)
				lp_usage_die(usage, "-c given twice: alignment compares one client");
			cfgp = optarg;
			break;
		case 'C': *LP_VEC_PUSH(&cur) = optarg; break;
		case 'P':
			if (plan)
				lp_usage_die(usage, "--plan given twice");
			plan = optarg;
			break;
		case 'p': people = optarg; break;
		case 'H': html = 1; break;
		case 'S': csv = 1; break;
		case 't': title = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!cfgp || !cur.n || !plan)
		lp_usage_die(usage, "%s is required", !cfgp ? "-c CONFIG" : !cur.n ? "--current FILE" : "--plan FILE");
	if (html && csv)
		lp_usage_die(usage, "--html and --csv: one output at a time");
	lp_config *cfg = lp_config_load(cfgp);
	if (!cfg)
		return LP_EXIT_CONFIG;
	struct input in = {.cfg = cfg};
	json_t **arrays[] = {&in.cur_emps, &in.cur_empls, &in.cur_wages, &in.cur_bens, &in.cur_vis,
			     &in.people,   &in.issues,    &in.ops,       &in.desired};
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		*arrays[i] = json_array();
	in.mapped = lp_map_new();
	char nb[24];
	for (size_t i = 0; i < cfg->compensation.nmap; i++) { /* both members of a pair (R1) */
		snprintf(nb, sizeof nb, "%lld", cfg->compensation.map[i].payment);
		lp_map_add(in.mapped, nb);
		snprintf(nb, sizeof nb, "%lld", cfg->compensation.map[i].deduction);
		lp_map_add(in.mapped, nb);
	}
	read_src(&in, S_CURRENT, cur.v, (int)cur.n);
	read_src(&in, S_DESIRED, argv + optind, argc - optind);
	read_src(&in, S_PLAN, &plan, 1);
	if (people)
		read_src(&in, S_PEOPLE, &people, 1);
	check_plan(&in);
	in.as_of = in.validation ? lp_json_text(json_object_get(in.validation, "as_of")) : NULL;
	build_rows(&in);
	int rc = 0;
	if (csv) {
		if (in.probs.n) {
			for (size_t i = 0; i < in.probs.n; i++)
				lp_warn("%s", in.probs.v[i]);
			lp_warn("no CSV written: the comparison is incomplete");
		} else if (write_csv(&in))
			rc = LP_EXIT_IO;
	} else
		write_text(&in, title, html);
	int blocked = in.plan && json_is_true(json_object_get(in.plan, "blocked"));
	int oc = lp_out_close();
	/* free what was read */
	for (size_t i = 0; i < in.emps.n; i++) {
		struct emp *e = in.emps.v[i];
		free(e->number), free(e->pid), free(e->name), free(e->rows.v);
		json_decref(e->issues), json_decref(e->ops), json_decref(e->wages), json_decref(e->bens), json_decref(e->vis);
		free(e);
	}
	free(in.emps.v);
	for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
		json_decref(*arrays[i]);
	for (size_t i = 0; i < in.probs.n; i++)
		free(in.probs.v[i]);
	free(in.probs.v);
	json_decref(in.plan), json_decref(in.validation), json_decref(in.wage_opts);
	lp_map_free(in.mapped, NULL);
	free_rows(&in);
	lp_config_free(cfg);
	free(cur.v);
	if (rc || oc)
		return rc ? rc : oc;
	return in.worst ? in.worst : blocked ? LP_EXIT_FINDINGS : 0;
}
