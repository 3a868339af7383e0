/* report - a person's summary of a sync run, as text or HTML.
 *
 * Reads what a run produced (validate's issues and validation record, diff-loket's ops,
 * issues and plan record, push-loket's results; any mix, in any order) and writes per client:
 * the outcome, what changed per employee (planned, applied, refused or skipped), Loket's
 * refusals, the warnings and errors with their fixes, the concept employees waiting to be
 * finalised (M2), and who was left out and why. BSNs and IBANs in any text are masked.
 * It holds the records of the whole input (a report is read by a person: it is small).
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
	"input, .gz read transparently.\n"
	"\n"
	"Exit status: 0 written; 2 usage; 3 bad input; 7 I/O. See loketpipe(7).\n";

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

struct client {
	char *name;
	json_t *validation, *plan, *ops, *results, *issues, *ends;
};

static lp_map *clients;
static struct client **order;
static size_t nclients, capclients;

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
	lp_map_put(clients, c->name, c);
	if (nclients == capclients)
		order = lp_xrealloc(order, (capclients = capclients * 2 + 8) * sizeof *order);
	order[nclients++] = c;
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
		else
			putf("%sPlan: %zu change(s).", html ? "" : "  ", nops ? nops : nres);
		tag("</li>");
		putf("\n");
	}
	if (nres) {
		tag("<li>");
		putf("%sPushed to Loket: %lu applied, %lu applied before (resumed run), %lu refused, %lu skipped.",
		     html ? "" : "  ", out[0], out[1], out[2], out[3]);
		tag("</li>");
		putf("\n");
	} else if (c->plan && !json_is_true(json_object_get(c->plan, "blocked"))) {
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
		putf("%sNo changes: Loket already holds what Personio says.\n", html ? "" : "  ");
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
		const char *oc = str(x, "outcome") ? str(x, "outcome") : "planned";
		long long e = empno(x);
		if (html) {
			printf("<tr><td>");
			if (e >= 0)
				printf("%lld", e);
			printf("</td><td>");
			put(str(x, "rule"));
			printf("</td><td>");
			put(str(x, "message"));
			printf("</td><td class=\"%s\">", oc);
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
	heading(2, "Refused by Loket");
	tag("<ul>\n");
	json_array_foreach(c->results, i, r) {
		if (!str(r, "outcome") || strcmp(str(r, "outcome"), "failed"))
			continue;
		tag("<li>");
		putf("%s%s %s (employee %lld): HTTP %lld", html ? "" : "  ", str(r, "method"), str(r, "path"), empno(r),
		     (long long)json_integer_value(json_object_get(r, "http_status")));
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
	lp_in *in = lp_in_open(argv + optind, argc - optind);
	json_t *r;
	int rc;
	char w[600];
	while ((rc = lp_in_next(in, &r)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = json_string_value(json_object_get(r, "type"));
		struct client *cl = client_for(lp_rec_str(r, "client", 0, w));
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
		json_decref(r);
	}
	int bad = rc < 0 ? lp_in_error(in) : 0;
	lp_in_close(in);
	lp_map_free(seen, NULL);
	size_t nbad = nclients;
	if (bad)
		nclients = 0; /* nothing is written from bad input; everything is freed below */
	if (html && !bad) {
		printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
		put(title);
		printf("</title>\n<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
		       "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
		       ".failed{color:#a00}.skipped{color:#a60}.applied{color:#060}</style></head><body>\n");
	}
	if (!bad)
		heading(1, title);
	for (size_t i = 0; i < nclients; i++) {
		struct client *cl = order[i];
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
	for (size_t i = 0; i < capclients && i < (bad ? nbad : nclients); i++) {
		struct client *cl = order[i];
		json_decref(cl->validation);
		json_decref(cl->plan);
		json_decref(cl->ops);
		json_decref(cl->results);
		json_decref(cl->issues);
		json_decref(cl->ends);
		free(cl->name);
		free(cl);
	}
	free(order);
	lp_map_free(clients, NULL);
	return bad ? bad : lp_out_close();
}
