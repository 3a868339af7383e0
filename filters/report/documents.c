/* documents.c - the payroll documents a run shared with Personio (DOC1): push-documents'
 * document.result records, per employee, with what was not shared and why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "report.h"

/* what a result's status means for a person */
static const char *said(const char *status)
{
	static const char *const st[][2] = {
		{"uploaded", "shared now"},
		{"recovered", "shared (found in Personio after an answer was lost)"},
		{"already", "in Personio since an earlier run"},
		{"skipped", "NOT shared"},
		{"failed", "NOT shared: Personio failed"},
		{"planned", "would be shared (dry run)"},
	};
	for (size_t i = 0; status && i < sizeof st / sizeof *st; i++)
		if (!strcmp(status, st[i][0]))
			return st[i][1];
	return status ? status : "?";
}

static int cmp_doc(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	long long p = empno(x), q = empno(y);
	if (p != q)
		return p < q ? -1 : 1;
	const char *s = str(x, "key"), *t = str(y, "key");
	return strcmp(s ? s : "", t ? t : "");
}

int documents_only(const struct client *c)
{
	return json_array_size(c->docs) && !c->plan && !c->validation && !json_array_size(c->ops) &&
	       !json_array_size(c->results);
}

/* the counts by status, in the summary's words */
void documents_summary(const struct client *c)
{
	static const char *const st[] = {"uploaded", "recovered", "already", "skipped", "failed", "planned"};
	unsigned long n[6] = {0}, corrected = 0;
	size_t i;
	json_t *r;
	json_array_foreach(c->docs, i, r) {
		for (int k = 0; k < 6; k++)
			n[k] += str(r, "status") && !strcmp(str(r, "status"), st[k]);
		corrected += json_is_true(json_object_get(r, "corrected")) &&
			     (str(r, "status") && (!strcmp(str(r, "status"), "uploaded") || !strcmp(str(r, "status"), "recovered")));
	}
	tag("<ul>\n<li>");
	if (n[5])
		putf("%sDry run: %lu document(s) would be shared with Personio; nothing was sent. %lu are there already, "
		     "%lu cannot be shared.", html ? "" : "  ", n[5], n[2], n[3] + n[4]);
	else
		putf("%sDocuments shared with Personio: %lu now (%lu of them found there after a lost answer), %lu there "
		     "since an earlier run, %lu NOT shared.", html ? "" : "  ", n[0] + n[1], n[1], n[2], n[3] + n[4]);
	if (corrected)
		putf(" %lu corrected year-end statement(s) among them.", corrected);
	tag("</li>\n</ul>");
	putf("\n");
}

void documents(const struct client *c)
{
	size_t n = json_array_size(c->docs);
	if (!n)
		return;
	heading(2, "Documents per employee (DOC1)");
	json_t **v = lp_xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(c->docs, i);
	qsort(v, n, sizeof *v, cmp_doc);
	tag("<table>\n<tr><th>employee</th><th>document</th><th>outcome</th></tr>\n");
	long long last = -2;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = v[i];
		long long e = empno(x);
		const char *st = str(x, "status"), *title = str(x, "title") ? str(x, "title") : str(x, "key");
		int bad = st && (!strcmp(st, "skipped") || !strcmp(st, "failed"));
		int corr = json_is_true(json_object_get(x, "corrected"));
		if (html) {
			printf("<tr><td>");
			if (e >= 0)
				printf("%lld", e);
			printf("</td><td>");
			put(title);
			printf("</td><td class=\"%s\">", bad ? "failed" : "applied");
			put(said(st));
			if (corr)
				put(" (a corrected version: Loket issued it again)");
			if (str(x, "reason")) {
				printf(": ");
				put(str(x, "reason"));
			}
			printf("</td></tr>\n");
			continue;
		}
		if (e != last)
			putf("  employee %s\n", e >= 0 ? num(e) : "-");
		last = e;
		putf("    %s -> %s", title ? title : "?", said(st));
		if (corr)
			putf(" (a corrected version: Loket issued it again)");
		if (str(x, "reason"))
			putf(": %s", str(x, "reason"));
		putf("\n");
	}
	tag("</table>\n");
	free(v);
}
