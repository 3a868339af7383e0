/* hours-from-csv - a timesheet CSV as time-tracking tools export it -> `hours` records (H5).
 *
 * The client's configuration names the header of each column (hours.csv.employee_number,
 * .date, .hour_code, .hours), the delimiter (';' or ',', else the one found most often in
 * the header line) and the decimal separator (',' or '.', else either). Columns are found
 * by their header name (trimmed, case-insensitive); other columns are ignored. Each data row
 * becomes one `hours` record in the file's order, streaming (one row in memory at a time).
 * A bad field becomes an `issue` record (rule H5, severity error) naming file, line and
 * column, and its row is left out; the other rows go on, and the exit status is 1 at the end.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_csv.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_hours_src.h"
#include "lp_json.h"
#include "lp_money.h"
#include "lp_ndjson.h"

static const char usage[] =
	"Usage: hours-from-csv -c CONFIG [FILE]...\n"
	"Read a timesheet CSV (employee number, date, hour code, hours; one row per line) and write\n"
	"one NDJSON `hours` record per row, in the file's order, to standard output. A bad row\n"
	"becomes an `issue` record (rule H5) naming file, line and column; the other rows go on.\n"
	"\n"
	"  -c, --config FILE   client configuration: hours.csv gives the header names (default\n"
	"                      employee_number, date, hour_code, hours), the delimiter (';' or ',';\n"
	"                      absent: found in the header line) and the decimal separator (',' or\n"
	"                      '.'; absent: either)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE: '-' or none reads standard input. A UTF-8 byte order mark, CRLF or CR line ends, quoted\n"
	"fields and blank lines are handled. Dates: YYYY-MM-DD or DD-MM-YYYY. Hours: 0 to 999.99,\n"
	"at most two decimals, no thousands separator (7,75 or 7.75 as hours.csv.decimal says).\n"
	"Hour codes: 1-64 of A-Z a-z 0-9 _ - . (case kept). Employee numbers: whole numbers.\n"
	"\n"
	"Exit status: 0 every row read; 1 bad rows (issue records written, the others kept);\n"
	"2 usage; 3 a file that cannot be read (not found, a read error, broken CSV quoting, a NUL,\n"
	"empty, a header without a configured column or with one twice: its issue record written);\n"
	"4 configuration; 7 write error. See loketpipe(7).\n";

enum col { C_EMP, C_DATE, C_CODE, C_HOURS, C__N };

struct file_run {
	const lp_config *cfg;
	const char *name;
	const char *colname[C__N]; /* the configured header names */
	long idx[C__N];            /* their field index, -1 before the header */
	size_t need;               /* fields a row must have: 1 + the largest index */
	size_t ncols;              /* the header's fields */
	char sep;                  /* the delimiter used */
	int header_done;
	unsigned long rows, bad;   /* data rows, bad ones */
	int stop_bad;              /* the header is unusable: the file is left */
};

static unsigned long g_records, g_issues;

static void out(json_t *rec)
{
	if (lp_out_new(rec))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

/* an issue about FILE:LINE, column (NULL: the row), also said on stderr */
static void issue(struct file_run *f, unsigned long line, const char *column, const char *empno, const char *hint,
		  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void issue(struct file_run *f, unsigned long line, const char *column, const char *empno, const char *hint,
		  const char *fmt, ...)
{
	char msg[1024], src[4200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lp_warn_at(f->name, line, column, "%s", msg);
	snprintf(src, sizeof src, "%s:%lu", f->name, line);
	json_t *i = lp_issue(f->cfg->client, "error", "H5", NULL, empno, column, msg, hint);
	lp_issue_source(i, src);
	out(i);
	g_issues++;
}

/* s trimmed of spaces and tabs, in place */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* ---- the values -------------------------------------------------------------------- */

/* hours text -> hundredths; 0, or -1 with the reason in why */
static int parse_hours(const char *s, char dec, int64_t *out_h, char *why, size_t wn)
{
	char b[48], t[64];
	size_t n = strlen(s), nd = 0, nc = 0, after = 0;
	const char *sep = NULL;
	if (!n) {
		snprintf(why, wn, "no hours (the field is empty)");
		return -1;
	}
	if (s[0] == '-') {
		snprintf(why, wn, "'%s': negative hours", lp_hours_show(s, b));
		return -1;
	}
	if (strspn(s, "0123456789.,") != n) {
		snprintf(why, wn, "'%s' is not a number of hours", lp_hours_show(s, b));
		return -1;
	}
	for (const char *p = s; *p; p++)
		if (*p == '.' || *p == ',') {
			*p == '.' ? nd++ : nc++;
			sep = p;
		}
	if (nd + nc > 1) {
		snprintf(why, wn, "'%s': more than one separator (a thousands separator is not accepted)",
			 lp_hours_show(s, b));
		return -1;
	}
	if (sep && dec && *sep != dec) {
		snprintf(why, wn, "'%s': '%c' is not the decimal separator (hours.csv.decimal is '%c')", lp_hours_show(s, b),
			 *sep, dec);
		return -1;
	}
	if (sep) {
		after = n - (size_t)(sep - s) - 1;
		if (after == 0 || sep == s) {
			snprintf(why, wn, "'%s' is not a number of hours", lp_hours_show(s, b));
			return -1;
		}
		if (after > 2) {
			snprintf(why, wn, "'%s': %zu decimals; at most two (hundredths of an hour)", lp_hours_show(s, b), after);
			return -1;
		}
	}
	if (n >= sizeof t) {
		snprintf(why, wn, "'%s': 1 000 hours or more", lp_hours_show(s, b));
		return -1;
	}
	memcpy(t, s, n + 1);
	if (sep)
		t[sep - s] = '.';
	int64_t v;
	if (lp_dec_parse(t, 2, &v) != LP_DEC_OK || v > LP_HOURS_MAX) {
		snprintf(why, wn, "'%s': 1 000 hours or more", lp_hours_show(s, b));
		return -1;
	}
	*out_h = v;
	return 0;
}

/* YYYY-MM-DD or DD-MM-YYYY */
static int parse_date(const char *s, lp_date *d)
{
	if (strlen(s) == 10 && s[2] == '-' && s[5] == '-') {
		char iso[11] = {s[6], s[7], s[8], s[9], '-', s[3], s[4], '-', s[0], s[1], '\0'};
		return lp_date_parse(iso, d);
	}
	return lp_date_parse(s, d);
}

/* ---- rows -------------------------------------------------------------------------- */

static int header(struct file_run *f, unsigned long line, char **fields, size_t n)
{
	for (int c = 0; c < C__N; c++) {
		f->idx[c] = -1;
		for (size_t i = 0; i < n; i++) {
			if (strcasecmp(trim(fields[i]), f->colname[c]))
				continue;
			if (f->idx[c] >= 0) {
				issue(f, line, f->colname[c], NULL, "rename one of the two columns",
				      "the header has two columns named '%s' (fields %ld and %zu)", f->colname[c], f->idx[c] + 1,
				      i + 1);
				f->stop_bad = 1;
			} else
				f->idx[c] = (long)i;
		}
	}
	for (int c = 0; c < C__N; c++) {
		if (f->idx[c] >= 0) {
			if ((size_t)f->idx[c] + 1 > f->need)
				f->need = (size_t)f->idx[c] + 1;
			continue;
		}
		char hint[256];
		char other = f->sep == ';' ? ',' : ';';
		if (n == 1 && strchr(fields[0], other))
			snprintf(hint, sizeof hint, "the file's delimiter looks like '%c', not '%c' (hours.csv.delimiter)", other,
				 f->sep);
		else
			snprintf(hint, sizeof hint, "name the column in hours.csv of the client configuration, or add it to the file");
		issue(f, line, f->colname[c], NULL, hint, "the header has no column '%s'; the file is left out", f->colname[c]);
		f->stop_bad = 1;
	}
	/* ',' between fields, the decimal separator unset and a column after the hours: an unquoted
	 * 7,5 would read as 7 hours and a 5 in the next column (a last column's extra field is a
	 * long row, refused below) */
	if (!f->stop_bad && f->sep == ',' && !f->cfg->hours.csv.decimal && (size_t)f->idx[C_HOURS] + 1 < n) {
		issue(f, line, f->colname[C_HOURS], NULL,
		      "set hours.csv.decimal in the client configuration: '.', or ',' when the file quotes the hours (\"7,5\")",
		      "with ',' between fields and no decimal separator configured, a decimal comma in '%s' cannot be told "
		      "from the next column; the file is left out", f->colname[C_HOURS]);
		f->stop_bad = 1;
	}
	f->ncols = n;
	f->header_done = 1;
	return f->stop_bad;
}

static int blank_row(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (*trim(fields[i]))
			return 0;
	return 1;
}

static int row(void *ctx, unsigned long line, char **fields, size_t n)
{
	struct file_run *f = ctx;
	if (!f->header_done)
		return header(f, line, fields, n);
	if (blank_row(fields, n))
		return 0; /* ";;;" as spreadsheets write an empty line */
	f->rows++;
	if (n < f->need) {
		int m = 0; /* the first configured column the row does not reach */
		for (int c = 0, found = 0; c < C__N; c++)
			if ((size_t)f->idx[c] >= n && (!found || f->idx[c] < f->idx[m]))
				m = c, found = 1;
		issue(f, line, f->colname[m], NULL, "every row needs as many fields as the header has columns",
		      "short row: %zu field%s, column '%s' is field %ld; the row is left out", n, n == 1 ? "" : "s",
		      f->colname[m], f->idx[m] + 1);
		f->bad++;
		return 0;
	}
	for (size_t i = f->ncols; i < n; i++)
		if (*trim(fields[i])) { /* 7,5 unquoted in a ',' file: never read as 7 */
			/* the value of a column without a name is shown only when it is the decimals of a
			 * split number: it may be anything else (a BSN, an IBAN), never printed */
			size_t l = strlen(fields[i]);
			int show = l <= 2 && strspn(fields[i], "0123456789") == l;
			issue(f, line, NULL, NULL, "quote a value that holds the delimiter, e.g. \"7,5\" in a ',' file",
			      "long row: %zu fields, the header has %zu (field %zu is %s%s%s); the row is left out", n, f->ncols,
			      i + 1, show ? "'" : "", show ? fields[i] : "not empty", show ? "'" : "");
			f->bad++;
			return 0;
		}
	char *emp = trim(fields[f->idx[C_EMP]]), *date = trim(fields[f->idx[C_DATE]]);
	char *code = trim(fields[f->idx[C_CODE]]), *hrs = trim(fields[f->idx[C_HOURS]]);
	char b[48], why[256];
	long long en = -1;
	lp_date d;
	int64_t h;
	int ok = 1;
	int en_ok = lp_hours_employee_number(emp, &en) == 0;
	const char *en_text = en_ok ? emp : NULL;
	if (!en_ok) {
		issue(f, line, f->colname[C_EMP], NULL, "the employee number (Loket) is a whole number such as 101",
		      "'%s' is not an employee number (a whole number of at most 9 digits)", lp_hours_show(emp, b));
		ok = 0;
	}
	if (parse_date(date, &d)) {
		issue(f, line, f->colname[C_DATE], en_text, "write the date as YYYY-MM-DD (or DD-MM-YYYY)",
		      "'%s' is not a date (YYYY-MM-DD or DD-MM-YYYY)", lp_hours_show(date, b));
		ok = 0;
	}
	if (!lp_hours_code_ok(code)) {
		issue(f, line, f->colname[C_CODE], en_text, "an hour code is 1-64 of A-Z a-z 0-9 _ - . such as WORK",
		      "'%s' is not an hour code (1-64 of A-Z a-z 0-9 _ - .)", lp_hours_show(code, b));
		ok = 0;
	}
	if (parse_hours(hrs, f->cfg->hours.csv.decimal, &h, why, sizeof why)) {
		issue(f, line, f->colname[C_HOURS], en_text, "hours are 0 to 999.99 with at most two decimals, e.g. 7,75",
		      "%s", why);
		ok = 0;
	}
	if (!ok) {
		f->bad++;
		return 0;
	}
	out(lp_hours_record(f->cfg->client, en, NULL, d, code, h, -1,
			    json_pack("{s:s,s:s,s:I}", "kind", "csv", "file", f->name, "line", (json_int_t)line)));
	g_records++;
	return 0;
}

/* one file: 0 all rows good, 1 bad rows, 3 not readable to its end */
static int one_file(const lp_config *cfg, const char *path)
{
	int std = !strcmp(path, "-");
	FILE *fp = std ? stdin : fopen(path, "rb");
	if (!fp) {
		lp_warn("%s: cannot open: %s", path, strerror(errno));
		return LP_EXIT_DATA;
	}
	struct file_run f = {0};
	char *name = lp_utf8_fix(lp_xstrdup(path)); /* in records and messages: valid UTF-8 */
	f.cfg = cfg;
	f.name = name;
	f.colname[C_EMP] = cfg->hours.csv.employee_number;
	f.colname[C_DATE] = cfg->hours.csv.date;
	f.colname[C_CODE] = cfg->hours.csv.hour_code;
	f.colname[C_HOURS] = cfg->hours.csv.hours;
	lp_csv_opts o = {cfg->hours.csv.delimiter, ";,", 1};
	f.sep = o.sep ? o.sep : ';';
	/* the separator is known before the header row arrives (lp_csv sets it first) */
	int rc = lp_csv_read_opts(fp, name, &o, &f.sep, row, &f);
	if (!std)
		fclose(fp);
	if (rc >= 0 && !f.header_done)
		issue(&f, 1, NULL, NULL, "the first line names the columns", "the file is empty: no header line");
	free(name);
	/* no usable header: none of the file's hours came out, which is no bad row but a file that
	 * cannot be read (the route after it must not take it for a month without hours) */
	if (rc < 0 || !f.header_done || f.stop_bad)
		return LP_EXIT_DATA;
	return f.bad ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL;
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "-c CONFIG is required");
	lp_config *cfg = lp_config_load(config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	int rc = LP_EXIT_OK;
	static char *const dash[] = {"-"};
	char *const *files = optind < argc ? argv + optind : dash;
	int nf = optind < argc ? argc - optind : 1;
	for (int i = 0; i < nf; i++) {
		int r = one_file(cfg, files[i]);
		if (r > rc)
			rc = r;
	}
	lp_config_free(cfg);
	int o = lp_out_close();
	return o ? o : rc;
}
