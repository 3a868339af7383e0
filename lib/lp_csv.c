/* lp_csv.c - see lp_csv.h */
#include "lp_csv.h"
#include "lp_cli.h"
#include "lp_vec.h"

#include <csv.h>
#include <string.h>

struct rd {
	LP_VEC(char *) fields;
	unsigned long line; /* the line being fed */
	unsigned long last; /* the last line that had bytes */
	lp_csv_row_fn fn;
	void *ctx;
	int stop;
	int cr; /* the bytes fed so far end in a CR: an LF first in the next ones ends no line */
};

/* a line ends in LF, CRLF or a CR alone (old Mac exports) */
static const char *line_end(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\n' || (b[i] == '\r' && (i + 1 == n || b[i + 1] != '\n')))
			return b + i;
	return NULL;
}

static void field_cb(void *s, size_t len, void *data)
{
	struct rd *r = data;
	char *f = lp_xmalloc(len + 1);
	if (len)
		memcpy(f, s, len);
	f[len] = '\0';
	*LP_VEC_PUSH(&r->fields) = f;
}

static void row_cb(int c, void *data)
{
	struct rd *r = data;
	(void)c;
	/* the row ends on the line being fed; it started as many lines earlier as its fields
	 * hold line ends */
	unsigned long nl = 0;
	for (size_t i = 0; i < r->fields.n; i++)
		for (const char *p = r->fields.v[i]; *p; p++)
			nl += *p == '\n' || (*p == '\r' && p[1] != '\n');
	if (!r->stop)
		r->stop = r->fn(r->ctx, r->line > nl ? r->line - nl : 1, r->fields.v, r->fields.n);
	for (size_t i = 0; i < r->fields.n; i++)
		free(r->fields.v[i]);
	r->fields.n = 0;
}

/* the separator of seps found most often outside quotes in the first line of b (n bytes) */
static char sniff(const char *b, size_t n, const char *seps)
{
	size_t best = 0;
	char sep = seps[0];
	int inq = 0;
	for (const char *s = seps; *s; s++) {
		size_t k = 0;
		inq = 0;
		for (size_t i = 0; i < n && (inq || (b[i] != '\n' && b[i] != '\r')); i++) {
			if (b[i] == '"')
				inq = !inq;
			else if (!inq && b[i] == *s)
				k++;
		}
		if (k > best) {
			best = k;
			sep = *s;
		}
	}
	return sep;
}

/* feed n bytes to the parser line by line, so that r->line is the line being parsed */
static int feed(struct csv_parser *p, struct rd *r, const char *b, size_t n, const char *name)
{
	while (n && !r->stop) {
		if (r->cr && *b == '\n') { /* the LF of a CRLF split between two reads */
			r->cr = 0;
			if (csv_parse(p, b, 1, field_cb, row_cb, r) != 1) {
				lp_warn_at(name, r->line - 1, NULL, "CSV: %s", csv_strerror(csv_error(p)));
				return -1;
			}
			b++, n--;
			continue;
		}
		const char *e = line_end(b, n);
		size_t k = e ? (size_t)(e - b) + 1 : n;
		r->cr = e && *e == '\r';
		r->last = r->line;
		if (memchr(b, '\0', k)) { /* a field would end there: never read "7<NUL>5" as 7 */
			lp_warn_at(name, r->line, NULL, "CSV: a NUL byte: not a text file (UTF-16? save it as UTF-8)");
			return -1;
		}
		if (csv_parse(p, b, k, field_cb, row_cb, r) != k) {
			lp_warn_at(name, r->line, NULL, "CSV: %s", csv_strerror(csv_error(p)));
			return -1;
		}
		if (e)
			r->line++;
		b += k;
		n -= k;
	}
	return 0;
}

int lp_csv_read_opts(FILE *f, const char *name, const lp_csv_opts *o, char *used, lp_csv_row_fn fn, void *ctx)
{
	struct csv_parser p;
	struct rd r = {{NULL, 0, 0}, 1, 1, fn, ctx, 0, 0};
	char buf[65536];
	size_t got;
	int rc = 0, first = 1;
	char *head = NULL; /* sep 0: the first line read ahead */
	size_t hn = 0;
	char sep = o->sep;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		lp_die(LP_EXIT_IO, "out of memory");
	while (!r.stop && (got = fread(buf, 1, sizeof buf, f)) > 0) {
		const char *b = buf;
		if (first && o->bom && got >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
			b += 3, got -= 3;
		first = 0;
		if (!sep) { /* gather the first line, then decide */
			head = lp_xrealloc(head, hn + got);
			memcpy(head + hn, b, got);
			hn += got;
			if (!memchr(b, '\n', got) && !memchr(b, '\r', got))
				continue;
			sep = sniff(head, hn, o->seps && *o->seps ? o->seps : ",");
			csv_set_delim(&p, (unsigned char)sep);
			if (used)
				*used = sep;
			rc = feed(&p, &r, head, hn, name);
			free(head);
			head = NULL;
			if (rc)
				break;
			continue;
		}
		if (used)
			*used = sep;
		csv_set_delim(&p, (unsigned char)sep);
		if ((rc = feed(&p, &r, b, got, name)))
			break;
	}
	if (rc == 0 && ferror(f)) {
		lp_warn("%s: read error", name);
		rc = -1;
	}
	if (rc == 0 && !r.stop && !sep) { /* one line without an end, or nothing */
		sep = sniff(head ? head : "", hn, o->seps && *o->seps ? o->seps : ",");
		csv_set_delim(&p, (unsigned char)sep);
		if (used)
			*used = sep;
		rc = feed(&p, &r, head ? head : "", hn, name);
	}
	free(head);
	if (rc == 0 && !r.stop && csv_fini(&p, field_cb, row_cb, &r) != 0) {
		lp_warn_at(name, r.last, NULL, "CSV: %s", csv_strerror(csv_error(&p)));
		rc = -1;
	}
	for (size_t i = 0; i < r.fields.n; i++)
		free(r.fields.v[i]);
	free(r.fields.v);
	csv_free(&p);
	return rc ? rc : r.stop;
}

int lp_csv_read(FILE *f, const char *name, char sep, lp_csv_row_fn fn, void *ctx)
{
	lp_csv_opts o = {sep, NULL, 0};
	return lp_csv_read_opts(f, name, &o, NULL, fn, ctx);
}

int lp_csv_write_row(FILE *f, char sep, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t l = strlen(s);
		/* libcsv takes spaces and tabs at the edges of an unquoted field away */
		int quote = l > 0 && (s[0] == ' ' || s[0] == '\t' || s[l - 1] == ' ' || s[l - 1] == '\t');
		for (const char *p = s; *p && !quote; p++)
			if (*p == sep || *p == '"' || *p == '\r' || *p == '\n')
				quote = 1;
		if (i && fputc(sep, f) == EOF)
			return -1;
		if (!quote) {
			if (fputs(s, f) == EOF && l)
				return -1;
			continue;
		}
		if (fputc('"', f) == EOF)
			return -1;
		for (const char *p = s; *p; p++) {
			if (*p == '"' && fputc('"', f) == EOF)
				return -1;
			if (fputc(*p, f) == EOF)
				return -1;
		}
		if (fputc('"', f) == EOF)
			return -1;
	}
	return fputs("\r\n", f) == EOF ? -1 : 0;
}

char *lp_csv_defuse(const char *s)
{
	if (!s || !s[0] || !strchr("=+-@\t\r", s[0]))
		return NULL;
	return lp_xasprintf("'%s", s);
}

char *lp_csv_money(lp_cents c, char buf[32])
{
	lp_money_fmt(c, buf);
	char *p = strchr(buf, '.');
	if (p)
		*p = ',';
	return buf;
}
