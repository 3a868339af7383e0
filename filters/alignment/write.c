/* write.c - the comparison as text (an e-mail), HTML (prints on A4) and CSV (';', decimal
 * comma, formula-safe). Every text a person reads goes through lib/lp_mask: BSNs and IBANs
 * masked, control characters shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "lp_cli.h"
#include "lp_csv.h"
#include "lp_json.h"
#include "lp_mask.h"

const char *const mark_word[] = {"keep", "overwrite", "end", "delete", "create", "leave", "differs"};
static const char *const mark_loud[] = {"keep", "OVERWRITE", "END", "DELETE", "create", "leave", "differs"};
enum { NMARK = 7 };

static int html;

const char *what_word(enum what w)
{
	return w == W_SALARY ? "salary" : w == W_RECURRING ? "recurring" : "one-time";
}

char *side_text(const struct row *r, const struct side *s, char *buf)
{
	char m[32], d[16];
	if (!s->has)
		return strcpy(buf, "-");
	int n = snprintf(buf, 96, "%s%s", lp_money_fmt(s->v, m),
			 s->hourly ? " an hour" : r->what == W_RECURRING ? " a month" : "");
	if (r->what != W_ONE_TIME && s->start && s->start != r->date)
		n += snprintf(buf + n, (size_t)(96 - n), " since %s", lp_date_fmt(s->start, d));
	if (r->what == W_RECURRING && s->has_end)
		n += snprintf(buf + n, (size_t)(96 - n), " to %s", lp_date_fmt(s->end, d));
	if (s->scale)
		snprintf(buf + n, (size_t)(96 - n), " (pay scale)");
	return buf;
}

/* the row's key: "from 2026-01-01", "8043 from 2025-01-01", "8101 in 2026-04"; buf 64 */
static char *key_text(const struct row *r, char *buf)
{
	char d[16];
	if (r->what == W_ONE_TIME)
		snprintf(buf, 64, "%lld in %d-%02d", r->comp, r->year, r->period);
	else if (r->what == W_RECURRING)
		snprintf(buf, 64, "%lld from %s", r->comp, lp_date_fmt(r->date, d));
	else
		snprintf(buf, 64, "from %s", lp_date_fmt(r->date, d));
	return buf;
}

static char *mark_text(const struct row *r, char *buf)
{
	snprintf(buf, 48, "%s%s%s%s", mark_loud[r->mark], r->rule && *r->rule && r->mark != M_KEEP ? " (" : "",
		 r->rule && r->mark != M_KEEP ? r->rule : "", r->rule && *r->rule && r->mark != M_KEEP ? ")" : "");
	return buf;
}

/* ------------------------------------------------------------------------- text and HTML */

static void put(const char *s)
{
	if (lp_mask_write(stdout, s, html, 1))
		lp_die(LP_EXIT_IO, "out of memory");
}

static void tag(const char *s)
{
	if (html)
		fputs(s, stdout);
}

static void heading(int level, const char *s)
{
	if (html) {
		printf("<h%d>", level);
		put(s);
		printf("</h%d>\n", level);
		return;
	}
	printf("\n");
	put(s);
	printf("\n");
	for (size_t n = strlen(s); n > 0; n--)
		putchar(level == 1 ? '=' : level == 2 ? '-' : '~');
	printf("\n");
}

static void para(const char *s)
{
	tag("<p>");
	put(s);
	tag("</p>");
	printf("\n");
}

static void item(const char *s)
{
	tag("<li>");
	if (!html)
		printf("  - ");
	put(s);
	tag("</li>");
	printf("\n");
}

/* "Jan de Vries (employee 101, Personio 1001)"; buf 256 */
static char *who(const struct emp *e, char *buf)
{
	snprintf(buf, 256, "%s (%s%s%s%s)", e->name ? e->name : "name unknown", e->number ? "employee " : "no employee number",
		 e->number ? e->number : "", e->pid ? ", Personio " : "", e->pid ? e->pid : "");
	return buf;
}

/* display width: UTF-8 code points */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void cell(const char *s, size_t w, int last)
{
	if (html) {
		printf("<td>");
		put(s);
		printf("</td>");
		return;
	}
	put(s);
	if (!last)
		for (size_t n = width(s); n < w + 2; n++)
			putchar(' ');
}

static void table(const struct input *in, const struct emp *e)
{
	static const char *const head[] = {"what", "key", "Loket", "Personio", "first sync"};
	size_t w[5];
	for (int k = 0; k < 5; k++)
		w[k] = strlen(head[k]);
	char t[5][128];
	for (int pass = 0; pass < 2; pass++) {
		if (pass) {
			tag("<table><tr>");
			if (!html)
				printf("  ");
			for (int k = 0; k < 5; k++) {
				if (html)
					printf("<th>%s</th>", head[k]);
				else
					cell(head[k], w[k], k == 4);
			}
			tag("</tr>");
			printf("\n");
		}
		for (size_t i = 0; i < e->rows.n; i++) {
			const struct row *r = &e->rows.v[i];
			snprintf(t[0], sizeof t[0], "%s", what_word(r->what));
			key_text(r, t[1]);
			side_text(r, &r->l, t[2]);
			side_text(r, &r->p, t[3]);
			mark_text(r, t[4]);
			if (!pass) {
				for (int k = 0; k < 5; k++)
					if (width(t[k]) > w[k])
						w[k] = width(t[k]);
				continue;
			}
			printf(html ? "<tr class=\"%s\">" : "  ", mark_word[r->mark]);
			for (int k = 0; k < 5; k++) {
				if (html && k == 4) {
					printf("<td>");
					put(t[4]);
					if (*r->note) {
						printf("<br><small>");
						put(r->note);
						printf("</small>");
					}
					printf("</td>");
				} else
					cell(t[k], w[k], k == 4);
			}
			tag("</tr>");
			printf("\n");
			if (!html && *r->note) {
				printf("  %*s", (int)(w[0] + 2), "");
				printf("(");
				put(r->note);
				printf(")\n");
			}
		}
	}
	tag("</table>\n");
	(void)in;
}

static void issues_of(const json_t *issues)
{
	size_t i;
	json_t *x;
	if (!json_array_size(issues))
		return;
	tag("<ul class=\"issues\">\n");
	json_array_foreach(issues, i, x) {
		char b[1400];
		const char *hint = txt(x, "hint");
		const char *msg = txt(x, "message");
		size_t n = strlen(msg);
		snprintf(b, sizeof b, "%s %s: %s%s%s", txt(x, "rule"), txt(x, "severity"), msg,
			 !*hint ? "" : n && msg[n - 1] == '.' ? " Fix: " : ". Fix: ", hint);
		item(b);
	}
	tag("</ul>\n");
}

static void destroyed(const struct input *in, size_t n, int noplan)
{
	char h[128], b[1024], p[256], k[64], l[96];
	snprintf(h, sizeof h, "What the first sync removes or ends in Loket (%zu)", n);
	heading(2, h);
	if (noplan) {
		para("Cannot be said: there is no plan (see above).");
		return;
	}
	if (!n) {
		para("Nothing: the first sync removes or ends no Loket record of salary, recurring or one-time compensation.");
		return;
	}
	para("Each of these Loket records is lost from the compensation start date on: recurring records Personio "
	     "lacks are ended (R3, or end-dated the day before the start date, R2), one-time entries it lacks are "
	     "deleted (O3), wages not in its salary chain are deleted. Where Loket is right, enter the record in "
	     "Personio before the first sync and run this check again.");
	tag("<ul class=\"destroyed\">\n");
	for (size_t i = 0; i < in->emps.n; i++) {
		const struct emp *e = in->emps.v[i];
		for (size_t j = 0; j < e->rows.n; j++) {
			const struct row *r = &e->rows.v[j];
			if (!r->destroys)
				continue;
			snprintf(b, sizeof b, "%s: %s %s%s, %s: %s (%s)", who(e, p), what_word(r->what),
				 r->what == W_SALARY ? "" : "component ", key_text(r, k), side_text(r, &r->l, l), r->note,
				 r->rule && *r->rule ? r->rule : "-");
			item(b);
		}
	}
	tag("</ul>\n");
}

void write_text(const struct input *in, const char *title, int as_html)
{
	html = as_html;
	char b[2048], d[16], p[256];
	int noplan = !in->plan || json_is_true(json_object_get(in->plan, "blocked"));
	if (html) {
		printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
		put(title);
		printf("</title>\n<style>@page{size:A4;margin:15mm}body{font-family:sans-serif;font-size:10pt;max-width:60em;"
		       "margin:1em auto}table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #bbb;"
		       "padding:.15em .4em;text-align:left;vertical-align:top}td:nth-child(-n+4){white-space:nowrap}tr{break-inside:avoid}h3{break-after:avoid;"
		       "margin-bottom:.2em}.overwrite td:last-child,.end td:last-child,.delete td:last-child{font-weight:bold;"
		       "color:#a00}.keep{color:#555}.incomplete{border:2px solid #a00;padding:0 1em}"
		       "small{font-weight:normal;color:#333}</style></head><body>\n");
	}
	heading(1, title);
	snprintf(b, sizeof b, "Client %s. Compensation start date %s. Personio and Loket as of %s. Nothing of this "
		 "has been written to Loket: it is what the first sync would do.", in->cfg->client,
		 lp_date_fmt(in->cfg->compensation.start_date, d), in->as_of ? in->as_of : "(a date the input does not say)");
	para(b);
	if (in->probs.n) {
		tag("<div class=\"incomplete\">");
		heading(2, "The comparison is incomplete");
		tag("<ul>\n");
		for (size_t i = 0; i < in->probs.n; i++)
			item(in->probs.v[i]);
		tag("</ul>");
		tag("</div>\n");
	}
	if (noplan) {
		snprintf(b, sizeof b, "No plan: %s. What the first sync would do cannot be said until that is fixed; the "
			 "rows below compare the values only (marked keep or differs).",
			 in->plan && *txt(in->plan, "reason") ? txt(in->plan, "reason") : "diff-loket made none");
		para(b);
	}
	para("From the compensation start date on, the first sync makes Loket match Personio: it overwrites Loket's "
	     "values, ends the recurring records Personio lacks and deletes the one-time entries Personio lacks. "
	     "Records before the start date are never changed (K1); components that are not mapped are never touched "
	     "(K2) and not listed.");
	size_t cnt[NMARK] = {0}, ndes = 0, ncmp = 0, nleft = 0;
	for (size_t i = 0; i < in->emps.n; i++) {
		const struct emp *e = in->emps.v[i];
		ncmp += e->rows.n > 0;
		nleft += !e->rows.n;
		for (size_t j = 0; j < e->rows.n; j++) {
			cnt[e->rows.v[j].mark]++;
			ndes += e->rows.v[j].destroys;
		}
	}
	heading(2, "Summary");
	size_t w = (size_t)snprintf(b, sizeof b, "Rows:");
	for (int m = 0; m < NMARK; m++)
		if (cnt[m] || m < M_LEAVE)
			w += (size_t)snprintf(b + w, sizeof b - w, "%s %zu %s", m ? "," : "", cnt[m], mark_word[m]);
	char nd[24];
	snprintf(nd, sizeof nd, "%zu", ndes);
	snprintf(b + w, sizeof b - w, ". Removed or ended in Loket: %s. Employees compared: %zu; people not compared: "
		 "%zu. Loket records of unmapped components (left alone, not listed): %lu.", noplan ? "unknown (no plan)" : nd,
		 ncmp, nleft, in->unmapped);
	para(b);
	destroyed(in, ndes, noplan);
	heading(2, "Per employee");
	for (size_t i = 0; i < in->emps.n; i++) {
		const struct emp *e = in->emps.v[i];
		if (!e->rows.n)
			continue;
		heading(3, who(e, p));
		issues_of(e->issues);
		table(in, e);
	}
	if (nleft) {
		heading(2, "People not compared");
		for (size_t i = 0; i < in->emps.n; i++) {
			const struct emp *e = in->emps.v[i];
			if (e->rows.n)
				continue;
			heading(3, who(e, p));
			if (json_array_size(e->issues))
				issues_of(e->issues);
			else
				para("Not in the desired state and no finding names them.");
		}
	}
	json_t *general = json_array();
	size_t i;
	json_t *x;
	char nb[24];
	json_array_foreach(in->issues, i, x) if (!rec_number(x, nb) && !*txt(x, "personio_id")) json_array_append(general, x);
	if (json_array_size(general)) {
		heading(2, "Findings for the whole client");
		issues_of(general);
	}
	json_decref(general);
	if (html)
		printf("</body></html>\n");
}

/* ------------------------------------------------------------------------- CSV */

int write_csv(const struct input *in)
{
	static const char *const head[] = {"employee_name", "employee_number", "personio_id", "entity", "component",
					   "date", "loket_value", "loket_detail", "personio_value", "personio_detail",
					   "first_sync", "rule", "note"};
	enum { N = 13 };
	int bad = lp_csv_write_row(stdout, ';', head, N) != 0;
	for (size_t i = 0; i < in->emps.n; i++) {
		const struct emp *e = in->emps.v[i];
		for (size_t j = 0; j < e->rows.n; j++) {
			const struct row *r = &e->rows.v[j];
			char comp[24] = "", date[16], lv[32] = "", pv[32] = "", ld[96], pd[96];
			if (r->comp >= 0)
				snprintf(comp, sizeof comp, "%lld", r->comp);
			if (r->what == W_ONE_TIME)
				snprintf(date, sizeof date, "%d-%02d", r->year, r->period);
			else
				lp_date_fmt(r->date, date);
			const struct side *s[2] = {&r->l, &r->p};
			char *val[2] = {lv, pv}, *det[2] = {ld, pd};
			for (int k = 0; k < 2; k++) {
				char t[96], dd[16];
				*det[k] = '\0';
				if (!s[k]->has)
					continue;
				lp_csv_money(s[k]->v, val[k]);
				size_t n = 0;
				n += (size_t)snprintf(t, sizeof t, "%s", s[k]->hourly ? "per hour" : r->what == W_RECURRING ? "per month" : "");
				if (r->what != W_ONE_TIME && s[k]->start && s[k]->start != r->date)
					n += (size_t)snprintf(t + n, sizeof t - n, "%ssince %s", n ? ", " : "", lp_date_fmt(s[k]->start, dd));
				if (r->what == W_RECURRING && s[k]->has_end)
					n += (size_t)snprintf(t + n, sizeof t - n, "%sto %s", n ? ", " : "", lp_date_fmt(s[k]->end, dd));
				if (s[k]->scale)
					snprintf(t + n, sizeof t - n, "%spay scale", n ? ", " : "");
				strcpy(det[k], t);
			}
			const char *f[N] = {e->name ? e->name : "", e->number ? e->number : "", e->pid ? e->pid : "",
					    what_word(r->what), comp, date, lv, ld, pv, pd, mark_word[r->mark],
					    r->rule ? r->rule : "", r->note};
			char *safe[N];
			for (int k = 0; k < N; k++) {
				char *m = lp_mask_human(f[k], 0);
				if (!m)
					lp_oom();
				char *d = lp_csv_defuse(m);
				safe[k] = d ? (free(m), d) : m;
			}
			bad |= lp_csv_write_row(stdout, ';', (const char *const *)safe, N) != 0;
			for (int k = 0; k < N; k++)
				free(safe[k]);
		}
	}
	return bad ? -1 : 0;
}
