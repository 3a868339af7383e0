/* sections.c - the rest of a client's report: the changes per employee, Loket's refusals, the
 * errors and warnings with their fixes, the concept employees to finalise, who was left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_map.h"
#include "report.h"

long long empno(const json_t *r)
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

void changes(const struct client *c)
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

void refusals(const struct client *c)
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

void issues(const struct client *c)
{
	static const char *const sev[] = {"error", "warning"};
	for (int s = 0; s < 2; s++) {
		size_t i, n = 0;
		json_t *r;
		json_array_foreach(c->issues, i, r) n += str(r, "severity") && !strcmp(str(r, "severity"), sev[s]) && !left_out(r);
		if (!n)
			continue;
		heading(2, s == 1 ? "Warnings"
			   : documents_only(c) ? "Errors (these documents are not shared until fixed)"
			   : journal_only(c)   ? "Errors (these entries are not exported until fixed)"
					       : "Errors (they block the sync until fixed)");
		tag("<ul>\n");
		json_array_foreach(c->issues, i, r) {
			if (!str(r, "severity") || strcmp(str(r, "severity"), sev[s]) || left_out(r))
				continue;
			tag("<li>");
			/* the journal's issues (J1, J2) are about a run or the administration, not an employee */
			if (str(r, "rule") && str(r, "rule")[0] == 'J' && !str(r, "employee_number"))
				putf("%s%s%s%s: %s", html ? "" : "  ", str(r, "rule"), str(r, "field") ? ", " : "",
				     str(r, "field") ? str(r, "field") : "", str(r, "message"));
			else
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

void concepts(const struct client *c)
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

void excluded(const struct client *c)
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
