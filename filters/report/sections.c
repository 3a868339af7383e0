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
		char *p = who(c, r);
		if (json_is_integer(st))
			putf("%s%s %s (%s): HTTP %lld", html ? "" : "  ", str(r, "method"), str(r, "path"), p,
			     (long long)json_integer_value(st));
		else
			putf("%s%s %s (%s): no answer from Loket", html ? "" : "  ", str(r, "method"), str(r, "path"), p);
		free(p);
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

int left_out(const json_t *i)
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
			/* the journal's issues (J1, J2) are about a run or the administration, not an employee;
			 * an issue of no person (a mapping, the configuration) names none */
			if ((str(r, "rule") && str(r, "rule")[0] == 'J' && !str(r, "employee_number")) || !about_person(c, r))
				putf("%s%s%s%s: %s", html ? "" : "  ", str(r, "rule"), str(r, "field") ? ", " : "",
				     str(r, "field") ? str(r, "field") : "", str(r, "message"));
			else {
				char *p = who(c, r);
				putf("%s%s %s%s%s: %s", html ? "" : "  ", str(r, "rule"), p, str(r, "field") ? ", " : "",
				     str(r, "field") ? str(r, "field") : "", str(r, "message"));
				free(p);
			}
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
		para_hang(2, 4, "%s (employee number %s): only employee data and base salary are in Loket; the rest follows "
			  "once it is finalised", str(k, "unique_name") ? str(k, "unique_name") : "?",
			  json_is_integer(en) ? num((long long)json_integer_value(en)) : "none");
		tag("</li>\n");
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
		char *p = who(c, r);
		para_hang(2, 4, "%s: %s (%s)", p, str(r, "message"), str(r, "rule"));
		free(p);
		tag("</li>\n");
	}
	tag("</ul>\n");
}
