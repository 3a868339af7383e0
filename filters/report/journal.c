/* journal.c - the payroll journal entries (J1, seed 004) for a person to check before booking:
 * fetch-journal's journal.entry and journal.line records, one table per entry (the run, its
 * lines, the totals, balanced or the difference), and journal-export's journal.export records
 * (the files, marked processed in Loket or not). Entries that are not exported come first.
 *
 * Amounts are printed from the records' decimal strings, read exactly into cents (lp_money):
 * never through floating point, and never masked (an amount is not a personal number; the
 * descriptions are masked and escaped as every text of the report).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_nlid.h"
#include "report.h"

/* an integer member, -1 when it is not one */
static long long ival(const json_t *r, const char *k)
{
	json_t *v = json_object_get(r, k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* an amount member in cents; 0 when it is not an amount (check() says so at the top) */
static int amount(const json_t *r, const char *k, lp_cents *c)
{
	const char *s = str(r, k);
	*c = 0;
	if (s && lp_money_parse(s, c) == LP_DEC_OK)
		return 1;
	*c = 0;
	return 0;
}

int journal_only(const struct client *c)
{
	if (c->plan || c->validation || json_array_size(c->ops) || json_array_size(c->results) ||
	    json_array_size(c->docs))
		return 0;
	if (json_array_size(c->jentries) || json_array_size(c->jlines) || json_array_size(c->jexports))
		return 1;
	/* fetch-journal's output without an entry: its stream_end counts journal runs */
	size_t i;
	json_t *r;
	json_array_foreach(c->ends, i, r) if (json_object_get(json_object_get(r, "counts"), "journal_runs")) return 1;
	json_array_foreach(c->issues, i, r) if (str(r, "rule") && str(r, "rule")[0] == 'J') return 1;
	return 0;
}

/* the lines of run id, in their order */
static json_t *lines_of(const struct client *c, const char *id)
{
	json_t *a = json_array();
	size_t i;
	json_t *r;
	json_array_foreach(c->jlines, i, r) if (str(r, "journal_run_id") && !strcmp(str(r, "journal_run_id"), id))
		json_array_append(a, r);
	return a;
}

/* the last journal.export record of run id, or NULL */
static const json_t *export_of(const struct client *c, const char *id)
{
	const json_t *x = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(c->jexports, i, r) if (str(r, "journal_run_id") && !strcmp(str(r, "journal_run_id"), id)) x = r;
	return x;
}

/* what is wrong with entry e (with its lines) for booking, in words into why; 0 when it may be
 * booked: balanced by its flag, its totals and its lines alike */
static int unbookable(const struct client *c, const json_t *e, char *why, size_t n)
{
	lp_cents d, k, ld = 0, lk = 0;
	int ok = amount(e, "total_debit", &d) & amount(e, "total_credit", &k);
	json_t *ls = lines_of(c, str(e, "journal_run_id") ? str(e, "journal_run_id") : "");
	size_t i, nl = json_array_size(ls);
	json_t *l;
	json_array_foreach(ls, i, l) {
		lp_cents x, y;
		ok &= amount(l, "debit", &x) & amount(l, "credit", &y);
		ld += x;
		lk += y;
	}
	json_decref(ls);
	char a[32], b[32];
	*why = 0;
	if (!ok)
		snprintf(why, n, "an amount of the entry or of its lines is not an amount (see the warning at the top)");
	else if (d != k) {
		lp_cents diff = d > k ? d - k : k - d;
		snprintf(why, n, "NOT balanced: the %s side is %lld cent%s more than the %s side (debit %s, credit %s)",
			 d > k ? "debit" : "credit", (long long)diff, diff == 1 ? "" : "s", d > k ? "credit" : "debit",
			 lp_money_fmt(d, a), lp_money_fmt(k, b));
	} else if (ld != d || lk != k)
		snprintf(why, n, "the lines add up to debit %s and credit %s, not the entry's totals: the input is "
			 "inconsistent", lp_money_fmt(ld, a), lp_money_fmt(lk, b));
	else if (ival(e, "lines") != (long long)nl)
		snprintf(why, n, "the entry counts %lld line(s) but the input holds %zu: the input is inconsistent",
			 ival(e, "lines"), nl);
	else if (!json_is_true(json_object_get(e, "balanced")))
		snprintf(why, n, "fetch-journal marked it not balanced");
	return *why != 0;
}

static int refused_export(const json_t *x)
{
	return x && str(x, "outcome") && !strcmp(str(x, "outcome"), "refused");
}

/* the export of a run, in words */
static void export_words(const json_t *x, char *w, size_t n)
{
	if (!x) {
		snprintf(w, n, "not exported in this input (review only; not marked in Loket)");
		return;
	}
	const char *o = str(x, "outcome") ? str(x, "outcome") : "?";
	char files[1024] = "";
	size_t k, m = 0;
	json_t *f;
	json_array_foreach(json_object_get(x, "files"), k, f) if (json_string_value(f) && m < sizeof files)
		m += (size_t)snprintf(files + m, sizeof files - m, "%s%s", m ? ", " : "", json_string_value(f));
	int marked = json_is_true(json_object_get(x, "marked"));
	const char *mk = marked ? "marked processed in Loket" : "NOT marked in Loket (Loket offers it again next time)";
	if (!strcmp(o, "refused"))
		snprintf(w, n, "refused: not written, not marked in Loket");
	else if (!strcmp(o, "exported"))
		snprintf(w, n, "written to %s; %s", m ? files : "-", mk);
	else if (!strcmp(o, "marked"))
		snprintf(w, n, "written earlier to %s; %s now", m ? files : "-", mk);
	else if (!strcmp(o, "none"))
		snprintf(w, n, "exported and %s on an earlier run; nothing written now", marked ? "marked processed in Loket" : "not marked");
	else if (!strcmp(o, "rerun"))
		snprintf(w, n, "written again on purpose (--rerun) to %s; %s", m ? files : "-", mk);
	else
		snprintf(w, n, "%s (%s); %s", o, m ? files : "-", mk);
}

/* journal check: lines without their entry, amounts that are not amounts */
void journal_check(struct client *c)
{
	lp_map *runs = lp_map_new(), *told = lp_map_new();
	size_t i;
	json_t *r;
	json_array_foreach(c->jentries, i, r) lp_map_add(runs, str(r, "journal_run_id") ? str(r, "journal_run_id") : "");
	json_array_foreach(c->jlines, i, r) {
		const char *id = str(r, "journal_run_id") ? str(r, "journal_run_id") : "-";
		if (!lp_map_get(runs, id, NULL) && lp_map_add(told, id))
			problem(&c->probs, LP_EXIT_DATA,
				"The journal lines of run %s have no journal.entry after them: the input ended early "
				"(fetch-journal was stopped, or the file was cut off). Do not book from this report: "
				"run fetch-journal again.", id);
		lp_cents x;
		for (int k = 0; k < 2; k++)
			if (!amount(r, k ? "credit" : "debit", &x))
				problem(&c->probs, LP_EXIT_DATA,
					"Journal run %s, line %lld: %s is not an amount with two decimals; the entry "
					"cannot be checked. Run fetch-journal again.", id, ival(r, "line"),
					k ? "credit" : "debit");
	}
	json_array_foreach(c->jentries, i, r) {
		lp_cents x;
		for (int k = 0; k < 2; k++)
			if (!amount(r, k ? "total_credit" : "total_debit", &x))
				problem(&c->probs, LP_EXIT_DATA,
					"Journal run %s: %s is not an amount with two decimals; the entry cannot be "
					"checked. Run fetch-journal again.",
					str(r, "journal_run_id") ? str(r, "journal_run_id") : "-",
					k ? "total_credit" : "total_debit");
	}
	lp_map_free(runs, NULL);
	lp_map_free(told, NULL);
}

static int cmp_entry(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	long long p = ival(x, "sequence_number"), q = ival(y, "sequence_number");
	if (p != q)
		return p < q ? -1 : 1;
	const char *s = str(x, "journal_run_id"), *t = str(y, "journal_run_id");
	return strcmp(s ? s : "", t ? t : "");
}

/* the entries sorted by sequence number (then id); *n their count; free() the array */
static json_t **sorted(const struct client *c, size_t *n)
{
	*n = json_array_size(c->jentries);
	json_t **v = lp_xmalloc((*n ? *n : 1) * sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = json_array_get(c->jentries, i);
	qsort(v, *n, sizeof *v, cmp_entry);
	return v;
}

/* "11 (2026-10)": an entry's sequence number and period */
static const char *label(const json_t *e)
{
	static char b[96];
	snprintf(b, sizeof b, "%lld (%04lld-%02lld)", ival(e, "sequence_number"), ival(e, "year"), ival(e, "period"));
	return b;
}

void journal_summary(const struct client *c)
{
	size_t n, bad = 0, i;
	json_t **v = sorted(c, &n);
	char why[512];
	for (i = 0; i < n; i++)
		bad += unbookable(c, v[i], why, sizeof why) || refused_export(export_of(c, str(v[i], "journal_run_id") ?
									     str(v[i], "journal_run_id") : ""));
	free(v);
	unsigned long out[5] = {0}, marked = 0, unmarked = 0, err = 0;
	static const char *const oc[] = {"exported", "marked", "rerun", "refused", "none"};
	json_t *r;
	json_array_foreach(c->jexports, i, r) {
		for (int k = 0; k < 5; k++)
			out[k] += str(r, "outcome") && !strcmp(str(r, "outcome"), oc[k]);
		if (!refused_export(r) && !(str(r, "outcome") && !strcmp(str(r, "outcome"), "none"))) {
			marked += json_is_true(json_object_get(r, "marked"));
			unmarked += !json_is_true(json_object_get(r, "marked"));
		}
	}
	json_array_foreach(c->issues, i, r) err += str(r, "severity") && !strcmp(str(r, "severity"), "error");
	tag("<ul>\n");
	if (incomplete(c)) {
		tag("<li class=\"failed\">");
		putf("%sThis client's input is incomplete: see the warning at the top. Do not book from this report.",
		     html ? "" : "  ");
		tag("</li>");
		putf("\n");
	}
	tag("<li>");
	if (n)
		putf("%sJournal entries: %zu, %zu of them balanced and bookable, %zu NOT (see below).", html ? "" : "  ", n,
		     n - bad, bad);
	else if (err)
		putf("%sNo journal entry: see the errors below.", html ? "" : "  ");
	else
		putf("%sNo journal entry to export: Loket has no journal run that is ready and not yet exported.",
		     html ? "" : "  ");
	tag("</li>");
	putf("\n");
	tag("<li>");
	if (json_array_size(c->jexports)) {
		putf("%sExport: %lu written now, %lu written earlier and marked now, %lu written again (--rerun), %lu "
		     "refused; %lu marked processed in Loket, %lu NOT marked.", html ? "" : "  ", out[0], out[1], out[2],
		     out[3], marked, unmarked);
		if (out[4])
			putf(" %lu exported on an earlier run (nothing written now).", out[4]);
		if (unmarked && !marked)
			putf(" A review export: Loket still offers these runs, they are fetched again next time.");
	} else if (n)
		putf("%sNot exported in this input: the entries are shown for review; nothing is marked in Loket.",
		     html ? "" : "  ");
	else
		putf("%sNothing exported.", html ? "" : "  ");
	tag("</li>");
	putf("\n");
	tag("</ul>\n");
}

/* the entries that are not exported, and why: said before the tables */
void journal_refused(const struct client *c)
{
	size_t n, i, k = 0;
	json_t **v = sorted(c, &n);
	char why[512];
	for (i = 0; i < n; i++) {
		const char *id = str(v[i], "journal_run_id") ? str(v[i], "journal_run_id") : "-";
		int ub = unbookable(c, v[i], why, sizeof why);
		const json_t *x = export_of(c, id);
		if (!ub && !refused_export(x))
			continue;
		if (!k++) {
			heading(2, "Journal entries NOT exported (J1)");
			tag("<ul>\n");
		}
		tag("<li class=\"failed\">");
		putf("%sEntry %s, journal run %s: %s. It is not exported nor marked in Loket; correct the journal in "
		     "Loket and run the journal again.", html ? "" : "  ", label(v[i]), id,
		     ub ? why : "journal-export refused it (see the errors)");
		tag("</li>");
		putf("\n");
	}
	if (k)
		tag("</ul>\n");
	free(v);
}

/* ---------------------------------------------------------------- the tables */

enum { COLS = 8 };
static const char *const col_name[COLS] = {"#", "account", "description", "debit", "credit", "cost centre",
					   "cost unit", "payroll component"};
static const int col_right[COLS] = {1, 0, 0, 1, 1, 0, 0, 0};

/* code and description in one cell: "KPL100 Kantoor Amsterdam", "-" when neither */
static char *pair(const json_t *r, const char *code, const char *desc)
{
	json_t *cv = json_object_get(r, code);
	const char *d = str(r, desc);
	char cb[32];
	const char *cs = str(r, code);
	if (!cs && json_is_integer(cv))
		snprintf(cb, sizeof cb, "%lld", (long long)json_integer_value(cv)), cs = cb;
	if (!cs && !d)
		return lp_xstrdup("-");
	return lp_xasprintf("%s%s%s", cs ? cs : "", cs && d ? " " : "", d ? d : "");
}

static char *money_cell(const json_t *r, const char *k)
{
	lp_cents c;
	char b[32];
	return amount(r, k, &c) ? lp_xstrdup(lp_money_fmt(c, b)) : lp_xstrdup("?");
}

/* display width of UTF-8 text: its code points */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* text: cell s padded to w (right-aligned or not); masked unless it is an amount (raw) */
static void cell(const char *s, size_t w, int right, int last, int raw)
{
	char *m = lp_xmalloc(strlen(s) + 1);
	if (raw)
		strcpy(m, s);
	else
		lp_nlid_mask_text(s, m);
	size_t pad = w > width(m) ? w - width(m) : 0;
	if (right)
		printf("%*s", (int)pad, "");
	fputs(m, stdout);
	if (!right && !last)
		printf("%*s", (int)pad, "");
	free(m);
}

static void row_text(char *const *cells, const size_t *w)
{
	int last = COLS - 1;
	while (last > 0 && !*cells[last])
		last--;
	printf("    ");
	for (int k = 0; k <= last; k++) {
		if (k)
			printf("  ");
		cell(cells[k], w[k], col_right[k], k == last, k == 3 || k == 4);
	}
	printf("\n");
}

static void row_html(char *const *cells, const char *cls)
{
	printf("<tr%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	for (int k = 0; k < COLS; k++) {
		printf(col_right[k] ? "<td style=\"text-align:right\">" : "<td>");
		(k == 3 || k == 4 ? put_plain : put)(cells[k]);
		printf("</td>");
	}
	printf("</tr>\n");
}

/* Loket's journalRunStatus keys of runs with results, in words (doc/journal-emulator.md) */
static const char *status_words(long long k)
{
	static const char *const w[] = {" (journal ready)", " (being exported)", " (export failed)", " (exported)"};
	return k >= 4 && k <= 7 ? w[k - 4] : "";
}

/* one entry: its heading, what it is, its lines and totals */
static void entry(const struct client *c, const json_t *e)
{
	const char *id = str(e, "journal_run_id") ? str(e, "journal_run_id") : "-";
	char *h = lp_xasprintf("Journal entry %s, booking date %s, journal %s", label(e),
			       str(e, "booking_date") ? str(e, "booking_date") : "-",
			       str(e, "journal_code") ? str(e, "journal_code") : "-");
	heading(3, h);
	free(h);
	char ew[1400], why[512];
	export_words(export_of(c, id), ew, sizeof ew);
	int ub = unbookable(c, e, why, sizeof why);
	tag("<ul>\n");
	const char *ba = str(e, "bookkeeping_administration");
	const char *items[4] = {NULL};
	char *it0 = lp_xasprintf("journal run %s, payroll run %s, period %s to %s, Loket status %s%s when fetched", id,
				 str(e, "payroll_run_id") ? str(e, "payroll_run_id") : "-",
				 str(e, "period_start") ? str(e, "period_start") : "-",
				 str(e, "period_end") ? str(e, "period_end") : "-", num(ival(e, "status")),
				 status_words(ival(e, "status")));
	char *it1 = lp_xasprintf("bookkeeping administration: %s", ba ? ba : "none linked in the configuration (J2)");
	char *it2 = lp_xasprintf("export: %s", ew);
	items[0] = it0, items[1] = it1, items[2] = it2;
	for (int k = 0; k < 3; k++) {
		tag("<li>");
		putf("%s", html ? "" : "  ");
		put(items[k]);
		tag("</li>");
		putf("\n");
	}
	free(it0), free(it1), free(it2);
	tag("</ul>\n");
	json_t *ls = lines_of(c, id);
	size_t nl = json_array_size(ls), i;
	char *(*cells)[COLS] = lp_xmalloc((nl + 1) * sizeof *cells);
	size_t w[COLS];
	for (int k = 0; k < COLS; k++)
		w[k] = width(col_name[k]);
	json_t *l;
	json_array_foreach(ls, i, l) {
		char **x = cells[i];
		x[0] = lp_xstrdup(num(ival(l, "line")));
		x[1] = lp_xstrdup(str(l, "account_code") ? str(l, "account_code") : "-");
		x[2] = lp_xstrdup(str(l, "account_description") ? str(l, "account_description") : "-");
		x[3] = money_cell(l, "debit");
		x[4] = money_cell(l, "credit");
		x[5] = pair(l, "cost_center_code", "cost_center_description");
		x[6] = pair(l, "cost_unit_code", "cost_unit_description");
		x[7] = pair(l, "payroll_component_key", "payroll_component_description");
		if (json_is_true(json_object_get(l, "flipped"))) {
			char *f = lp_xasprintf("%s (negative in Loket: moved to this side)", x[7]);
			free(x[7]);
			x[7] = f;
		}
	}
	char **t = cells[nl];
	t[0] = lp_xstrdup("");
	t[1] = lp_xstrdup("total");
	t[2] = lp_xstrdup("");
	t[3] = money_cell(e, "total_debit");
	t[4] = money_cell(e, "total_credit");
	t[5] = lp_xstrdup(ub ? why : "balanced");
	t[6] = lp_xstrdup("");
	t[7] = lp_xstrdup("");
	for (i = 0; i <= nl; i++)
		for (int k = 0; k < COLS; k++)
			if (!(i == nl && k == 5) && width(cells[i][k]) > w[k]) /* the verdict runs on */
				w[k] = width(cells[i][k]);
	if (html) {
		printf("<table>\n<tr>");
		for (int k = 0; k < COLS; k++) {
			printf("<th>");
			put(col_name[k]);
			printf("</th>");
		}
		printf("</tr>\n");
		for (i = 0; i < nl; i++)
			row_html(cells[i], NULL);
		/* the totals row: the verdict spans the last three columns */
		printf("<tr class=\"%s\"><td></td><td>total</td><td></td><td style=\"text-align:right\">", ub ? "failed" : "applied");
		put_plain(t[3]);
		printf("</td><td style=\"text-align:right\">");
		put_plain(t[4]);
		printf("</td><td colspan=\"3\">");
		put(t[5]);
		printf("</td></tr>\n</table>\n");
	} else {
		printf("\n");
		char *hd[COLS];
		for (int k = 0; k < COLS; k++)
			hd[k] = (char *)col_name[k];
		row_text(hd, w);
		for (i = 0; i < nl; i++)
			row_text(cells[i], w);
		row_text(t, w);
	}
	for (i = 0; i <= nl; i++)
		for (int k = 0; k < COLS; k++)
			free(cells[i][k]);
	free(cells);
	json_decref(ls);
}

void journal(const struct client *c)
{
	size_t n, i;
	if (!json_array_size(c->jentries) && !json_array_size(c->jexports))
		return;
	if (!journal_only(c))
		journal_refused(c);
	json_t **v = sorted(c, &n);
	heading(2, n == 1 ? "Journal entry, for review before booking (J1)" : "Journal entries, for review before booking (J1)");
	for (i = 0; i < n; i++)
		entry(c, v[i]);
	free(v);
	/* exports of runs whose entry is not in this input (written earlier, marked now) */
	lp_map *have = lp_map_new();
	json_t *r;
	json_array_foreach(c->jentries, i, r) lp_map_add(have, str(r, "journal_run_id") ? str(r, "journal_run_id") : "");
	size_t k = 0;
	json_array_foreach(c->jexports, i, r) {
		const char *id = str(r, "journal_run_id") ? str(r, "journal_run_id") : "-";
		if (lp_map_get(have, id, NULL))
			continue;
		if (!k++) {
			heading(3, "Exported runs whose entry is not in this input");
			tag("<ul>\n");
		}
		char ew[1400];
		export_words(r, ew, sizeof ew);
		tag("<li>");
		putf("%sEntry %s, journal run %s: %s", html ? "" : "  ", label(r), id, ew);
		tag("</li>");
		putf("\n");
	}
	if (k)
		tag("</ul>\n");
	lp_map_free(have, NULL);
}
