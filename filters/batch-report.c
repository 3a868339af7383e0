/* batch-report - the bureau's view of one batch: run status records (run.status, one per
 * client, as monthly-sync writes them and bureau-sync gathers them) -> a text summary, one
 * line per client and a total, or one HTML page with a row per client.
 *
 * Every value is text from a file: in HTML each is escaped (& < > " '), and in both forms
 * BSNs and IBANs in any text are masked and control characters shown as <U+XXXX> (lib/lp_mask),
 * so neither ever appears. Links (report_href, log_href) are written only when they are plain relative paths (letters,
 * digits, . _ - /): no scheme, so never javascript: or a remote page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_mask.h"
#include "lp_vec.h"

static const char usage[] =
	"Usage: batch-report [--html] [--title TEXT] [FILE]...\n"
	"The bureau's view of a batch: run status records (type run.status, one per client) as a\n"
	"text summary (a line per client and a total) or, with --html, one HTML page with a row\n"
	"per client: outcome, changes, refusals, warnings, what the read back after the push found\n"
	"left (remaining), the blocked reason or first error, and\n"
	"links to the client's report and log. Values are escaped; BSNs and IBANs are masked.\n"
	"\n"
	"      --html          write HTML instead of text\n"
	"      --title TEXT    the page's title (default: loketpipe batch overview)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE is NDJSON ('-' or none: standard input, .gz read transparently); records of other\n"
	"types are skipped.\n"
	"\n"
	"Exit status: 0 written; 2 usage; 3 bad input (a run.status record without a client or\n"
	"outcome, or not NDJSON; named by file and line); 7 I/O. See loketpipe(7).\n";

static int html;

/* text: masked, control characters shown (a line per client, whatever a message holds), and
 * in HTML escaped (lib/lp_mask) */
static void put(const char *s)
{
	if (lp_mask_write(stdout, s ? s : "", html, 0))
		lp_die(LP_EXIT_IO, "out of memory");
}

static long long count(const json_t *r, const char *k)
{
	json_t *v = json_object_get(json_object_get(r, "counts"), k);
	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

/* a string member, or an integer one as text (a ring of buffers); NULL when absent or null */
static const char *text_of(const json_t *r, const char *k)
{
	static char b[4][24];
	static int i;
	json_t *v = json_object_get(r, k);
	if (!json_is_integer(v))
		return lp_json_text(v);
	i = (i + 1) % 4;
	snprintf(b[i], sizeof b[i], "%lld", (long long)json_integer_value(v));
	return b[i];
}

static int safe_href(const char *h)
{
	if (!h || !*h || *h == '/')
		return 0;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") == strlen(h);
}

static void link_cell(const json_t *r, const char *k, const char *label)
{
	const char *h = text_of(r, k);
	printf("<td>");
	if (safe_href(h)) {
		printf("<a href=\"");
		put(h);
		printf("\">%s</a>", label);
	}
	printf("</td>");
}

static const char *const kinds[] = {"done", "no_changes", "planned", "blocked", "refused", "busy", "auth", "failed", "not_run"};
#define NKINDS (sizeof kinds / sizeof *kinds)

typedef LP_VEC(json_t *) recs;

static void totals(const recs *rs)
{
	size_t n[NKINDS + 1] = {0};
	for (size_t i = 0; i < rs->n; i++) {
		const char *o = text_of(rs->v[i], "outcome");
		size_t k = 0;
		while (k < NKINDS && strcmp(kinds[k], o))
			k++;
		n[k]++;
	}
	printf("%zu client%s:", rs->n, rs->n == 1 ? "" : "s");
	const char *sep = " ";
	for (size_t k = 0; k <= NKINDS; k++)
		if (n[k]) {
			printf("%s%zu %s", sep, n[k], k < NKINDS ? kinds[k] : "other");
			sep = ", ";
		}
	printf("\n");
}

static void text_line(const json_t *r)
{
	put(text_of(r, "client"));
	printf(": ");
	put(text_of(r, "outcome"));
	const char *ops = text_of(r, "ops");
	const char *x = text_of(r, "exit");
	printf(" (exit %s): %lld applied of ", x ? x : "-", count(r, "applied"));
	put(ops ? ops : "-");
	printf(" planned, %lld refused, %lld warning(s)", count(r, "refused"), count(r, "warnings"));
	const char *left = text_of(r, "remaining");
	if (left && !strcmp(left, "0"))
		printf(", verified");
	else if (left) {
		printf(", ");
		put(left);
		printf(" left after the read back");
	}
	const char *e = text_of(r, "first_error");
	if (e) {
		printf(": ");
		put(e);
	}
	printf("\n");
}

static void html_row(const json_t *r)
{
	const char *o = text_of(r, "outcome");
	printf("<tr class=\"");
	put(strspn(o, "abcdefghijklmnopqrstuvwxyz_") == strlen(o) ? o : "other");
	printf("\"><td>");
	put(text_of(r, "client"));
	printf("</td><td class=\"outcome\">");
	put(o);
	printf("</td><td>%lld", count(r, "applied"));
	const char *ops = text_of(r, "ops");
	if (ops) {
		printf(" of ");
		put(ops);
	}
	printf("</td><td>%lld</td><td>%lld</td><td class=\"left\">", count(r, "refused"), count(r, "warnings"));
	put(text_of(r, "remaining"));
	printf("</td><td>");
	put(text_of(r, "first_error"));
	printf("</td>");
	link_cell(r, "report_href", "report");
	link_cell(r, "log_href", "log");
	printf("</tr>\n");
}

int main(int argc, char **argv)
{
	lp_init(argv[0]);
	const char *title = lp_report_opts(argc, argv, usage, "loketpipe batch overview", &html);
	recs rs = {0};
	lp_in *in = lp_in_open(argv + optind, argc - optind);
	json_t *r;
	int got;
	while ((got = lp_in_next(in, &r)) == 1) {
		if (strcmp(lp_json_str(r, "type"), "run.status")) {
			json_decref(r);
			continue;
		}
		const char *miss = !json_is_string(json_object_get(r, "client"))    ? "client"
				   : !json_is_string(json_object_get(r, "outcome")) ? "outcome"
										    : NULL;
		if (miss) {
			char where[4096];
			snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
			lp_die_at(LP_EXIT_DATA, where, miss, "a run.status record needs a string %s", miss);
		}
		*LP_VEC_PUSH(&rs) = r;
	}
	if (got < 0)
		return lp_in_error(in);
	lp_in_close(in);
	if (html) {
		printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
		put(title);
		printf("</title>\n<style>body{font-family:sans-serif;max-width:80em;margin:2em auto}table{border-collapse:collapse}"
		       "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
		       ".failed,.not_run,.auth,.busy{color:#a00}.blocked,.refused{color:#a60}.done{color:#060}</style>"
		       "</head><body>\n<h1>");
		put(title);
		printf("</h1>\n<p id=\"totals\">");
	}
	totals(&rs);
	if (html)
		printf("</p>\n<table id=\"clients\">\n<tr><th>Client</th><th>Outcome</th><th>Changes applied</th>"
		       "<th>Refused</th><th>Warnings</th><th>Left after the read back</th><th>Blocked reason or first error</th><th>Report</th><th>Log</th></tr>\n");
	for (size_t i = 0; i < rs.n; i++) {
		(html ? html_row : text_line)(rs.v[i]);
		json_decref(rs.v[i]);
	}
	free(rs.v);
	if (html)
		printf("</table>\n</body></html>\n");
	return lp_out_close();
}
