/* ops.c - diff-loket's ops (and push-loket's results of them) in words a payroll administrator
 * reads: what each changes, its value in Loket before and after, grouped by employee; what the
 * run destroys in Loket (R3, O3, D3 and K3's removed wage chain tails) in a section of its
 * own; the counts by kind.
 *
 * An op's "before" and "after" (diff-loket) hold the record as Loket has it and as it will be:
 * a wage {start_date, gross_wage, gross_wage_type}, a benefit or deduction
 * {payroll_component_key, value, start_date, end_date}, variable input [{year, period,
 * payroll_component_key, value}] (null: none), employee data {dotted field: value}, a concept
 * employee {unique_name, gross_wage}, a BSN {citizen_service_number}. A push result carries
 * neither: they come from its op (by op_id) when the plan is in the input too. Every text goes
 * through put() and is masked (a BSN, an IBAN).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_money.h"
#include "report.h"

static const char *const kind_words[] = {"created", "changed", "ended", "removed"};

int op_kind(const json_t *op)
{
	const char *a = str(op, "action") ? str(op, "action") : "";
	if (!strcmp(a, "create"))
		return OP_CREATED;
	if (!strcmp(a, "end"))
		return OP_ENDED;
	if (!strcmp(a, "delete") || !strcmp(a, "remove"))
		return OP_REMOVED;
	if (!strcmp(a, "upsert")) { /* variable input: created when Loket had none of it */
		const json_t *b = json_object_get(op, "before"), *x;
		size_t i;
		int any = 0;
		json_array_foreach(b, i, x) any |= !json_is_null(x);
		return any ? OP_CHANGED : OP_CREATED;
	}
	return OP_CHANGED;
}

const char *kind_word(int k)
{
	return kind_words[k];
}

int destroys(const json_t *op)
{
	const char *r = str(op, "rule") ? str(op, "rule") : "";
	return !strcmp(r, "R3") || !strcmp(r, "O3") || !strcmp(r, "D3") ||
	       (!strcmp(r, "K3") && op_kind(op) == OP_REMOVED);
}

/* a key or number as text: an integer, a decimal or a string (NULL when none) */
static const char *key_of(const json_t *r, const char *k)
{
	static char b[4][32];
	static int n;
	const json_t *v = json_object_get(r, k);
	if (json_is_integer(v)) {
		n = (n + 1) % 4;
		snprintf(b[n], sizeof b[n], "%lld", (long long)json_integer_value(v));
		return b[n];
	}
	return lp_json_text(v);
}

/* growing text */
struct buf {
	char *s;
	size_t n;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *t;
	if (vasprintf(&t, fmt, ap) < 0)
		lp_die(LP_EXIT_IO, "out of memory");
	va_end(ap);
	size_t k = strlen(t);
	b->s = realloc(b->s, b->n + k + 1);
	if (!b->s)
		lp_die(LP_EXIT_IO, "out of memory");
	memcpy(b->s + b->n, t, k + 1);
	b->n += k;
	free(t);
}

static char *done(struct buf *b)
{
	return b->s ? b->s : lp_xstrdup("");
}

/* an amount as Loket holds it: "4166.67" (a decimal that is not one: as written) */
static const char *amount(const json_t *v, char out[32])
{
	lp_cents c;
	if (lp_money_from_json(v, &c) == 0)
		return lp_money_fmt(c, out);
	snprintf(out, 32, "%s", lp_json_text(v) ? lp_json_text(v) : "?");
	return out;
}

/* Loket's wage type: 1 a monthly wage, 2 an hourly one (a number or {key}) */
long long wage_type(const json_t *w)
{
	const json_t *t = json_object_get(w, "gross_wage_type");
	if (json_is_object(t))
		t = json_object_get(t, "key");
	return json_is_integer(t) ? (long long)json_integer_value(t) : -1;
}

static void wage_words(struct buf *b, const json_t *w)
{
	char a[32];
	long long t = wage_type(w);
	add(b, "%s %s from %s", amount(json_object_get(w, "gross_wage"), a),
	    t == 1 ? "a month" : t == 2 ? "an hour" : "(wage type ?)", str(w, "start_date") ? str(w, "start_date") : "?");
}

static void benefit_words(struct buf *b, const json_t *w)
{
	char a[32];
	add(b, "%s a month from %s", amount(json_object_get(w, "value"), a), str(w, "start_date") ? str(w, "start_date") : "?");
	if (str(w, "end_date"))
		add(b, " to %s", str(w, "end_date"));
	else
		add(b, ", no end date");
}

static void variable_words(struct buf *b, const json_t *v)
{
	size_t i, n = 0;
	const json_t *x;
	char a[32];
	json_array_foreach(v, i, x) {
		if (json_is_null(x))
			continue;
		add(b, "%scomponent %s: %s", n++ ? "; " : "", key_of(x, "payroll_component_key") ? key_of(x, "payroll_component_key") : "?",
		    amount(json_object_get(x, "value"), a));
	}
	if (!n)
		add(b, "none");
}

/* a Loket employee field (dotted, as diff-loket names it) in words */
static const char *field_words(const char *k)
{
	static const char *const w[][2] = {
		{"contactInformation.emailAddress", "e-mail address"},
		{"contactInformation.phoneNumber", "phone number"},
		{"contactInformation.mobilePhoneNumber", "mobile phone number"},
		{"personalDetails.initials", "initials"},
		{"personalDetails.firstName", "first name"},
		{"personalDetails.prefix", "name prefix"},
		{"personalDetails.lastName", "last name"},
		{"personalDetails.dateOfBirth", "date of birth"},
		{"personalDetails.gender", "gender"},
		{"address.street", "street"},
		{"address.houseNumber", "house number"},
		{"address.houseNumberAddition", "house number addition"},
		{"address.postalCode", "postal code"},
		{"address.city", "city"},
		{"address.country", "country"},
		{"iban", "IBAN"},
		{"citizenServiceNumber", "BSN"},
		{"citizen_service_number", "BSN"},
	};
	for (size_t i = 0; i < sizeof w / sizeof *w; i++)
		if (!strcmp(k, w[i][0]))
			return w[i][1];
	return k;
}

static void fields_words(struct buf *b, const json_t *o)
{
	const char *k;
	const json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)o, k, v) {
		const char *t = lp_json_text(v);
		if (json_is_object(v) || json_is_array(v)) {
			char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
			add(b, "%s%s %s", n++ ? "; " : "", field_words(k), d ? d : "?");
			free(d);
		} else
			add(b, "%s%s %s", n++ ? "; " : "", field_words(k), json_is_null(v) ? "(empty)" : t ? t : "?");
	}
	if (!n)
		add(b, "(empty)");
}

/* one side (before or after) of op in words; none: what is said when there is nothing */
static char *side(const json_t *op, const char *which, const char *none)
{
	const json_t *v = json_object_get(op, which);
	const char *e = str(op, "entity") ? str(op, "entity") : "";
	struct buf b = {0};
	if (!v || json_is_null(v))
		add(&b, "%s", none);
	else if (!strcmp(e, "wage"))
		wage_words(&b, v);
	else if (!strcmp(e, "benefit_deduction"))
		benefit_words(&b, v);
	else if (!strcmp(e, "variable_input"))
		variable_words(&b, v);
	else if (!strcmp(e, "concept_employee")) {
		char a[32];
		add(&b, "concept employee '%s'", str(v, "unique_name") ? str(v, "unique_name") : "?");
		if (json_object_get(v, "gross_wage"))
			add(&b, ", gross wage %s", amount(json_object_get(v, "gross_wage"), a));
	} else if (json_is_object(v))
		fields_words(&b, v);
	else {
		char *d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		add(&b, "%s", d ? d : "?");
		free(d);
	}
	char *s = done(&b);
	text_clean(s);
	return s;
}

/* what op changes, in words: "gross wage", "benefit/deduction, component 8042" ... */
static char *what(const json_t *op)
{
	const char *e = str(op, "entity") ? str(op, "entity") : "?";
	const json_t *b = json_object_get(op, "before"), *a = json_object_get(op, "after");
	const json_t *any = json_is_null(a) || !a ? b : a;
	struct buf w = {0};
	if (!strcmp(e, "wage"))
		add(&w, "gross wage");
	else if (!strcmp(e, "benefit_deduction")) {
		add(&w, "benefit/deduction");
		if (key_of(any, "payroll_component_key"))
			add(&w, ", component %s", key_of(any, "payroll_component_key"));
	} else if (!strcmp(e, "variable_input")) {
		add(&w, "variable input");
		size_t i;
		const json_t *x, *p = NULL;
		json_array_foreach(a, i, x) if (!p && json_is_object(x)) p = x;
		json_array_foreach(b, i, x) if (!p && json_is_object(x)) p = x;
		json_t *y = json_object_get(p, "year"), *m = json_object_get(p, "period");
		if (json_is_integer(y) && json_is_integer(m))
			add(&w, ", period %lld-%02lld", (long long)json_integer_value(y), (long long)json_integer_value(m));
	} else if (!strcmp(e, "employee"))
		add(&w, "employee data");
	else if (!strcmp(e, "concept_employee"))
		add(&w, "new concept employee");
	else if (!strcmp(e, "citizen_service_number"))
		add(&w, "BSN");
	else
		add(&w, "%s", e);
	return done(&w);
}

/* drift's manual_change of op in words (NULL when there is none): "overwrites a manual change
 * made in Loket: Loket holds VALUE (changed by BY at AT); loketpipe wrote VALUE" */
static char *manual_words(const json_t *op)
{
	const json_t *mc = json_object_get(op, "manual_change");
	if (!json_is_object(mc))
		return NULL;
	json_t *t = json_copy((json_t *)op);
	json_object_set(t, "before", json_object_get(mc, "loket"));
	json_object_set(t, "after", json_object_get(mc, "written"));
	char *l = side(t, "before", "none (removed by hand)"), *w = side(t, "after", "none (removed by loketpipe)");
	json_decref(t);
	const char *by = str(mc, "by"), *at = str(mc, "at");
	struct buf b = {0};
	add(&b, "overwrites a manual change made in Loket: Loket holds %s", l);
	if (by || at)
		add(&b, " (changed%s%s%s%s)", by ? " by " : "", by ? by : "", at ? " at " : "", at ? at : "");
	add(&b, "; loketpipe last wrote %s", w);
	free(l);
	free(w);
	return done(&b);
}

/* one row of the changes: a result (x, its op when known) or a planned op (x == op) */
struct row {
	const json_t *x, *op;
	const char *pid;
	long long e;
};

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->e != y->e)
		return x->e < y->e ? -1 : 1;
	int p = strcmp(x->pid ? x->pid : "", y->pid ? y->pid : "");
	if (p)
		return p;
	json_int_t s = json_integer_value(json_object_get(x->x, "seq")), t = json_integer_value(json_object_get(y->x, "seq"));
	return s < t ? -1 : s > t;
}

/* the rows: one per op, its result when there is one, else the planned op; only those that
 * destroy when only_destroying; sorted by employee number, Personio id, seq */
static struct row *rows_of(const struct client *c, int only_destroying, size_t *np)
{
	lp_map *seen = lp_map_new();
	size_t n = json_array_size(c->results) + json_array_size(c->ops), k = 0, i;
	struct row *v = lp_xmalloc((n ? n : 1) * sizeof *v);
	json_t *r;
	json_array_foreach(c->results, i, r) {
		lp_map_add(seen, str(r, "op_id") ? str(r, "op_id") : "");
		const json_t *op = op_of(c, r);
		if (only_destroying && !destroys(op ? op : r))
			continue;
		v[k++] = (struct row){r, op, personio_of(c, r), empno(r)};
	}
	json_array_foreach(c->ops, i, r) {
		if (lp_map_get(seen, str(r, "op_id") ? str(r, "op_id") : "", NULL) || (only_destroying && !destroys(r)))
			continue;
		v[k++] = (struct row){r, r, personio_of(c, r), empno(r)};
	}
	lp_map_free(seen, NULL);
	qsort(v, k, sizeof *v, cmp_row);
	*np = k;
	return v;
}

void op_counts(const struct client *c, unsigned long n[4])
{
	size_t nr;
	struct row *v = rows_of(c, 0, &nr);
	memset(n, 0, 4 * sizeof *n);
	for (size_t i = 0; i < nr; i++)
		n[op_kind(v[i].op ? v[i].op : v[i].x)]++;
	free(v);
}

/* "         after:  VALUE", wrapped at 78 columns when it is longer (the lines after the first
 * under the value) */
static void side_line(const char *label, const char *v)
{
	if (9 + strlen(label) + strlen(v) <= 78)
		putf("         %s%s\n", label, v);
	else
		para_lead(9, 17, label, "%s", v);
}

/* the lines of one row: text "    [K3] changed: gross wage -> planned" and before/after side
 * by side when they fit in 78 columns, else one below the other; HTML a table row */
static void put_row(const struct client *c, const struct row *w)
{
	const json_t *x = w->x, *op = w->op ? w->op : w->x;
	const char *oc = str(x, "outcome") ? str(x, "outcome") : c->has_push ? "no result" : "planned";
	int known = w->op && (json_object_get(w->op, "before") || json_object_get(w->op, "after"));
	char *wt = what(op), *bf = known ? side(op, "before", "none") : NULL;
	int k = op_kind(op);
	/* D3 changes a field to blank: it is cleared */
	const char *said = str(op, "rule") && !strcmp(str(op, "rule"), "D3") ? "cleared" : kind_word(k);
	char *af = known ? side(op, "after", k == OP_REMOVED ? "removed" : "none") : NULL;
	char *mw = manual_words(op);
	if (html) {
		printf("<tr><td>");
		put(str(x, "rule"));
		printf("</td><td>");
		put(said);
		printf(": ");
		put(wt);
		if (!known) {
			printf("<br>");
			put(str(x, "message"));
		}
		if (mw) {
			printf("<br><strong class=\"manual\">");
			put(mw);
			printf("</strong>");
		}
		printf("</td><td>");
		put(bf ? bf : "");
		printf("</td><td>");
		put(af ? af : "");
		printf("</td><td class=\"%s\">", str(x, "outcome") ? oc : "planned");
		put(oc);
		if (str(x, "error")) {
			printf(": ");
			put(str(x, "error"));
		}
		printf("</td></tr>\n");
	} else {
		putf("    [%s] %s: %s -> %s", str(x, "rule"), said, wt, oc);
		if (str(x, "error"))
			putf(" (%s)", str(x, "error"));
		putf("\n");
		if (!known)
			putf("         %s\n", str(x, "message"));
		else if (9 + strlen("before: ") + strlen(bf) + strlen(" | after: ") + strlen(af) <= 78)
			putf("         before: %s | after: %s\n", bf, af);
		else {
			side_line("before: ", bf);
			side_line("after:  ", af);
		}
		if (mw)
			para_lead(9, 11, "! ", "%s", mw);
	}
	free(mw);
	free(wt);
	free(bf);
	free(af);
}

/* the rows, grouped by employee under a line naming them */
static void put_rows(const struct client *c, const struct row *v, size_t n)
{
	tag("<table class=\"changes\">\n<tr><th>rule</th><th>change</th><th>before</th><th>after</th><th>outcome</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		if (!i || v[i].e != v[i - 1].e || strcmp(v[i].pid ? v[i].pid : "", v[i - 1].pid ? v[i - 1].pid : "")) {
			char *p = who(c, v[i].x);
			tag("<tr class=\"person\"><th colspan=\"5\">");
			putf("%s%s", html ? "" : "  ", p);
			tag("</th></tr>");
			putf("\n");
			free(p);
		}
		put_row(c, &v[i]);
	}
	tag("</table>\n");
}

void changes(const struct client *c)
{
	size_t n;
	struct row *v = rows_of(c, 0, &n);
	heading(2, "Changes per employee, before and after");
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
		free(v);
		return;
	}
	put_rows(c, v, n);
	free(v);
}

void destroyed(const struct client *c)
{
	size_t n;
	struct row *v = rows_of(c, 1, &n);
	if (n) {
		tag("<div class=\"destroyed\">\n");
		heading(2, "What this run destroys in Loket");
		tag("<p>");
		para(2, "These records and values in Loket are removed, ended or cleared by this run (R3, O3, D3, K3): "
			"after the push they are gone from Loket. Each shows what it takes away (before) and what is "
			"left (after).");
		tag("</p>\n");
		put_rows(c, v, n);
		tag("</div>\n");
	}
	free(v);
}
