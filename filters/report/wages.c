/* wages.c - the summary's figures: the ops by kind, refusals, warnings and who was left out;
 * per payroll month the total gross wage in Loket before and after the run.
 *
 * The wage totals need Loket's current wages (fetch-loket's loket.current.wage and
 * loket.current.employment records, current.ndjson): "before" is the monthly gross wage in
 * effect on the first day of each month (the record with the latest start date on or before
 * it) summed over every employment in Loket not ended before that day; "after" is the same
 * with the plan's wage ops applied to those chains (a create adds its record, an update
 * replaces the record of its "before" start date, a delete removes it). Hourly wages (type 2)
 * are not money per month: they are left out of the sums and counted. The months are those
 * from the first month a wage op touches to the later of the last such month and the run's
 * as-of month. Concept employees are not in it (they are no employment yet).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_date.h"
#include "lp_map.h"
#include "lp_money.h"
#include "report.h"

struct wrec {
	lp_date start;
	lp_cents gross;
	long long type;
};

struct chain {
	LP_VEC(struct wrec) before, after;
	lp_date end; /* the employment's end date, or a date after every month */
	int hourly;
};

static struct chain *chain_for(lp_map *m, const char *id)
{
	void *v;
	if (lp_map_get(m, id, &v))
		return v;
	struct chain *ch = lp_xmalloc(sizeof *ch);
	memset(ch, 0, sizeof *ch);
	ch->end = INT32_MAX;
	lp_map_put(m, id, ch);
	return ch;
}

static void chain_free(void *v)
{
	struct chain *ch = v;
	free(ch->before.v);
	free(ch->after.v);
	free(ch);
}

static int wrec_of(const json_t *w, struct wrec *out)
{
	return !str(w, "start_date") || lp_date_parse(str(w, "start_date"), &out->start) ||
			       lp_money_from_json(json_object_get(w, "gross_wage"), &out->gross)
		       ? -1
		       : (out->type = wage_type(w), 0);
}

/* the wage in effect on day d of list l: 1 and *w, or 0 when none is */
static int in_effect(const struct wrec *l, size_t n, lp_date d, struct wrec *w)
{
	int found = 0;
	for (size_t i = 0; i < n; i++)
		if (l[i].start <= d && (!found || l[i].start > w->start))
			*w = l[i], found = 1;
	return found;
}

static void remove_start(struct chain *ch, lp_date s)
{
	for (size_t i = 0; i < ch->after.n; i++)
		if (ch->after.v[i].start == s) {
			ch->after.v[i] = ch->after.v[--ch->after.n];
			return;
		}
}

/* apply a wage op to its chain's "after"; the months it touches widen [*lo, *hi] */
static void apply(lp_map *m, const json_t *op, lp_date *lo, lp_date *hi)
{
	const char *chain = str(op, "chain");
	if (!chain || strncmp(chain, "employment:", 11))
		return;
	struct chain *ch = chain_for(m, chain + 11);
	struct wrec b, a;
	int hb = !wrec_of(json_object_get(op, "before"), &b), ha = !wrec_of(json_object_get(op, "after"), &a);
	if (hb)
		remove_start(ch, b.start);
	if (ha)
		*LP_VEC_PUSH(&ch->after) = a;
	for (int k = 0; k < 2; k++) {
		if (!(k ? ha : hb))
			continue;
		lp_date s = k ? a.start : b.start;
		if (s < *lo)
			*lo = s;
		if (s > *hi)
			*hi = s;
	}
}

static void wage_totals(const struct client *c)
{
	size_t i;
	json_t *r;
	if (!json_array_size(c->ops) && !json_array_size(c->results))
		return;
	tag("<li>");
	if (!c->has_current) {
		para(2, "Gross wage per payroll month: not shown, as Loket's current wages are not in this input (give "
			"report fetch-loket's output, current.ndjson, too).");
		tag("</li>\n");
		return;
	}
	lp_map *m = lp_map_new();
	json_array_foreach(c->cemps, i, r) {
		lp_date e;
		if (str(r, "id") && str(r, "end_date") && !lp_date_parse(str(r, "end_date"), &e))
			chain_for(m, str(r, "id"))->end = e;
	}
	json_array_foreach(c->cwages, i, r) {
		struct wrec w;
		if (!str(r, "employment_id") || wrec_of(r, &w))
			continue;
		struct chain *ch = chain_for(m, str(r, "employment_id"));
		*LP_VEC_PUSH(&ch->before) = w;
		*LP_VEC_PUSH(&ch->after) = w;
	}
	lp_date lo = INT32_MAX, hi = INT32_MIN, asof;
	json_array_foreach(c->ops, i, r) if (str(r, "entity") && !strcmp(str(r, "entity"), "wage")) apply(m, r, &lo, &hi);
	if (c->validation && str(c->validation, "as_of") && !lp_date_parse(str(c->validation, "as_of"), &asof)) {
		if (asof > hi)
			hi = asof;
		if (asof < lo)
			lo = asof;
	}
	if (lo > hi) { /* no wage op and no as-of date: no month to show */
		para(2, "Gross wage per payroll month: no month to show (no wage changes, no as-of date).");
		tag("</li>\n");
		lp_map_free(m, chain_free);
		return;
	}
	lo = lp_date_month_start(lo);
	/* the employment ids, sorted, so that the sums do not depend on the map's order */
	size_t ne = lp_map_size(m), k = 0;
	const char **ids = lp_xmalloc((ne ? ne : 1) * sizeof *ids);
	/* (lp_map has no iteration: the ids come from the records that made the chains) */
	lp_map *listed = lp_map_new();
	json_array_foreach(c->cwages, i, r) if (str(r, "employment_id") && lp_map_add(listed, str(r, "employment_id")))
		ids[k++] = str(r, "employment_id");
	json_array_foreach(c->ops, i, r) {
		const char *ch = str(r, "chain");
		if (str(r, "entity") && !strcmp(str(r, "entity"), "wage") && ch && !strncmp(ch, "employment:", 11) &&
		    lp_map_add(listed, ch + 11) && k < ne)
			ids[k++] = ch + 11;
	}
	lp_map_free(listed, NULL);
	unsigned long hourly = 0;
	for (size_t e = 0; e < k; e++) {
		void *v;
		lp_map_get(m, ids[e], &v);
		struct chain *ch = v;
		for (size_t j = 0; j < ch->before.n; j++)
			ch->hourly |= ch->before.v[j].type != 1;
		for (size_t j = 0; j < ch->after.n; j++)
			ch->hourly |= ch->after.v[j].type != 1;
		hourly += ch->hourly;
	}
	char hr[120] = "";
	if (hourly)
		snprintf(hr, sizeof hr, "; %lu employment(s) with an hourly wage are left out", hourly);
	para(2, "Gross wage in Loket per payroll month, before and after this run: the monthly wage in effect on the "
		"first of the month, summed over the %zu employment(s) with a wage in Loket (Loket's current wages, "
		"with this plan's wage changes applied)%s.", k, hr);
	tag("<table class=\"wages\">\n<tr><th>month</th><th>before</th><th>after</th><th>difference</th></tr>\n");
	if (!html)
		printf("    month          before         after    difference\n");
	for (lp_date d = lo; d <= hi; d = lp_date_add_months(d, 1)) {
		lp_cents sb = 0, sa = 0;
		for (size_t e = 0; e < k; e++) {
			void *v;
			lp_map_get(m, ids[e], &v);
			struct chain *ch = v;
			struct wrec w = {0};
			if (ch->hourly || ch->end < d)
				continue;
			if (in_effect(ch->before.v, ch->before.n, d, &w))
				sb += w.gross;
			if (in_effect(ch->after.v, ch->after.n, d, &w))
				sa += w.gross;
		}
		char mb[32], ma[32], md[32], ms[16];
		int y, mo, dd;
		lp_date_ymd(d, &y, &mo, &dd);
		snprintf(ms, sizeof ms, "%04d-%02d", y, mo);
		lp_money_fmt(sb, mb);
		lp_money_fmt(sa, ma);
		lp_money_fmt(sa - sb, md);
		if (html)
			printf("<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">%s%s</td></tr>\n",
			       ms, mb, ma, sa > sb ? "+" : "", md);
		else {
			char sd[40];
			snprintf(sd, sizeof sd, "%s%s", sa > sb ? "+" : "", md);
			printf("    %s  %12s  %12s  %12s\n", ms, mb, ma, sd);
		}
	}
	tag("</table></li>\n");
	free(ids);
	lp_map_free(m, chain_free);
}

/* the counts by kind, then the wage totals */
void overview(const struct client *c)
{
	if (!json_array_size(c->ops) && !json_array_size(c->results) && !json_array_size(c->issues))
		return;
	unsigned long n[4], refused = 0, warn = 0, out = 0, err = 0;
	op_counts(c, n);
	size_t i;
	json_t *r;
	json_array_foreach(c->results, i, r) refused += str(r, "outcome") && !strcmp(str(r, "outcome"), "failed");
	json_array_foreach(c->issues, i, r) {
		const char *s = str(r, "severity");
		if (left_out(r))
			out++;
		else if (s && !strcmp(s, "warning"))
			warn++;
		else if (s && !strcmp(s, "error"))
			err++;
	}
	heading(2, "Summary");
	tag("<ul>\n<li>");
	putf("%sChanges: %lu created, %lu changed, %lu ended, %lu removed", html ? "" : "  ", n[0], n[1], n[2], n[3]);
	if (c->has_push)
		putf("; %lu refused by Loket.", refused);
	else
		putf("; none sent to Loket yet.");
	tag("</li>\n<li>");
	putf("%s%sIssues: %lu error(s), %lu warning(s), %lu left out of the sync.", html ? "" : "\n", html ? "" : "  ", err,
	     warn, out);
	tag("</li>\n");
	putf("\n");
	wage_totals(c);
	tag("</ul>\n");
}
