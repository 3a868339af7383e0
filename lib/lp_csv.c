/* lp_csv.c - see lp_csv.h */
#include "lp_csv.h"
#include "lp_cli.h"
#include "lp_vec.h"

#include <csv.h>
#include <string.h>

struct rd {
	LP_VEC(char *) fields;
	unsigned long row;
	lp_csv_row_fn fn;
	void *ctx;
	int stop;
};

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
	r->row++;
	if (!r->stop)
		r->stop = r->fn(r->ctx, r->row, r->fields.v, r->fields.n);
	for (size_t i = 0; i < r->fields.n; i++)
		free(r->fields.v[i]);
	r->fields.n = 0;
}

int lp_csv_read(FILE *f, const char *name, char sep, lp_csv_row_fn fn, void *ctx)
{
	struct csv_parser p;
	struct rd r = {{NULL, 0, 0}, 0, fn, ctx, 0};
	char buf[65536];
	size_t got;
	int rc = 0;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		lp_die(LP_EXIT_IO, "out of memory");
	csv_set_delim(&p, (unsigned char)sep);
	while (!r.stop && (got = fread(buf, 1, sizeof buf, f)) > 0) {
		if (csv_parse(&p, buf, got, field_cb, row_cb, &r) != got) {
			lp_warn_at(name, r.row + 1, NULL, "CSV: %s", csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		lp_warn("%s: read error", name);
		rc = -1;
	}
	if (rc == 0 && !r.stop && csv_fini(&p, field_cb, row_cb, &r) != 0) {
		lp_warn_at(name, r.row + 1, NULL, "CSV: %s", csv_strerror(csv_error(&p)));
		rc = -1;
	}
	for (size_t i = 0; i < r.fields.n; i++)
		free(r.fields.v[i]);
	free(r.fields.v);
	csv_free(&p);
	return rc ? rc : r.stop;
}

int lp_csv_write_row(FILE *f, char sep, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t l = strlen(s);
		int quote = l > 0 && (s[0] == ' ' || s[l - 1] == ' ');
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
