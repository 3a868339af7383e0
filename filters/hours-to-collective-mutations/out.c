/* out.c - the end of a run: the checks that need every record (another client's claim, a
 * cell's sum, the unmapped codes, the employees not imported), the file, the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcm.h"
#include "lp_cli.h"
#include "lp_csv.h"
#include "lp_hours_csv.h"
#include "lp_json.h"
#include "lp_ndjson.h"

char *csv_number(int64_t v, char *buf)
{
	int neg = v < 0;
	uint64_t a = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	unsigned frac = (unsigned)(a % 100);
	int n = snprintf(buf, 32, "%s%llu", neg ? "-" : "", (unsigned long long)(a / 100));
	if (frac % 10)
		snprintf(buf + n, 32 - (size_t)n, ",%02u", frac);
	else if (frac)
		snprintf(buf + n, 32 - (size_t)n, ",%u", frac / 10);
	return buf;
}

static char *hours_text(lp_cents c, char *buf)
{
	return lp_dec_fmt(c, 2, buf);
}

static int cmp_emp(const void *a, const void *b)
{
	const struct employee *x = *(struct employee *const *)a, *y = *(struct employee *const *)b;
	return x->number < y->number ? -1 : x->number > y->number;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	if (x->m->payroll_id != y->m->payroll_id)
		return x->m->payroll_id < y->m->payroll_id ? -1 : 1;
	return x->du < y->du ? -1 : x->du > y->du;
}

static int cmp_unmapped(const void *a, const void *b)
{
	return strcmp((*(struct unmapped *const *)a)->code, (*(struct unmapped *const *)b)->code);
}

static void free_emlist(void *v)
{
	free(((struct emlist *)v)->v.v);
	free(v);
}

int left_out(const struct employee *e)
{
	return e->skip || e->errors || e->claimed_by;
}

/* the end-of-run findings, in a stable order: per employee by number, then per code */
static void checks(struct run *r)
{
	char b[32], c[32];
	if (r->emps.n > 1) /* (qsort's array may not be NULL, even for none) */
		qsort(r->emps.v, r->emps.n, sizeof *r->emps.v, cmp_emp);
	if (r->rowv.n > 1)
		qsort(r->rowv.v, r->rowv.n, sizeof *r->rowv.v, cmp_row);
	for (size_t i = 0; i < r->emps.n; i++) {
		struct employee *e = r->emps.v[i];
		char key[24];
		void *v = NULL;
		snprintf(key, sizeof key, "%lld", e->number);
		if (e->skip) {
			finding(r, "info", "H2", e, -1, "employee_number", NULL, NULL,
				"hours.do_not_import: %s hours left out", hours_text(e->hours, b));
			continue;
		}
		if (lp_map_get(r->claims, key, &v)) {
			e->claimed_by = v;
			finding(r, "error", "H2", e, -1, "employee_number", NULL,
				"employee numbers must be unique across the account's integrations",
				"employee number %lld is claimed by client %s too (its hours or hours.do_not_import): left out",
				e->number, (const char *)v);
		}
	}
	for (size_t i = 0; i < r->rowv.n; i++) {
		struct row *w = r->rowv.v[i];
		for (size_t k = 0; k < r->ncols; k++)
			if (w->has[k] && w->val[k] >= HCM_MAX_CELL)
				finding(r, "error", "H3", w->e, -1, "hours", NULL, "Loket takes less than 1 000 hours in one value",
					"%s hours of component %lld for payrollId %lld in %s..%s: 1 000 or more in one cell",
					hours_text(w->val[k], b), r->cols[k], w->m->payroll_id, lp_date_fmt(r->from, c),
					lp_date_fmt(r->to, c + 11));
	}
	if (r->unmapped.n > 1)
		qsort(r->unmapped.v, r->unmapped.n, sizeof *r->unmapped.v, cmp_unmapped);
	for (size_t i = 0; i < r->unmapped.n; i++) {
		const struct unmapped *u = r->unmapped.v[i];
		finding(r, "warning", "H1", NULL, -1, "hour_code", NULL, "map it in hours.codes to import it",
			"hour code %.64s is not mapped to a Loket payroll component: %s hours (%lu records) left out", u->code,
			hours_text(u->hours, b), u->records);
	}
	if (r->du_ignored)
		finding(r, "warning", "H3", NULL, -1, "distribution_unit", NULL, "set hours.distribution_unit to true to keep them apart",
			"%lu records name a distribution unit, but the file has no distribution unit column: their hours are summed "
			"into the employment's row", r->du_ignored);
	for (size_t i = 0; i < r->emps.n; i++) {
		struct employee *e = r->emps.v[i];
		if (!e->skip && (e->errors || e->claimed_by))
			finding(r, "info", "H2", e, -1, NULL, NULL, NULL, "left out of the file: %s hours", hours_text(e->hours, b));
	}
}

static int write_file(struct run *r, size_t *nrows, lp_cents *written, size_t *nemps)
{
	int du = r->cfg->hours.distribution_unit;
	size_t nf = (size_t)(du ? 4 : 3) + r->ncols, first = du ? 4 : 3;
	const char **f = lp_xmalloc(nf * sizeof *f);
	char (*buf)[32] = lp_xmalloc(nf * sizeof *buf);
	f[0] = LP_HOURS_CSV_CLIENT;
	f[1] = LP_HOURS_CSV_PERSNR;
	f[2] = LP_HOURS_CSV_SHIFT;
	if (du)
		f[3] = LP_HOURS_CSV_DU;
	for (size_t k = 0; k < r->ncols; k++) {
		snprintf(buf[first + k], 32, "%lld", r->cols[k]);
		f[first + k] = buf[first + k];
	}
	int rc = lp_csv_write_row(stdout, LP_HOURS_CSV_SEP, f, nf);
	for (size_t i = 0; i < r->rowv.n && !rc; i++) {
		struct row *w = r->rowv.v[i];
		if (left_out(w->e))
			continue;
		snprintf(buf[0], 32, "%lld", r->client_number);
		snprintf(buf[1], 32, "%lld", w->m->payroll_id);
		snprintf(buf[2], 32, "%d", r->cfg->hours.shift);
		f[0] = buf[0], f[1] = buf[1], f[2] = buf[2];
		if (du) {
			snprintf(buf[3], 32, "%lld", w->du);
			f[3] = w->du >= 0 ? buf[3] : NULL; /* empty: the employment's own */
		}
		for (size_t k = 0; k < r->ncols; k++) {
			f[first + k] = w->has[k] ? csv_number(w->val[k], buf[first + k]) : NULL; /* empty: no value */
			if (w->has[k])
				*written += w->val[k];
		}
		rc = lp_csv_write_row(stdout, LP_HOURS_CSV_SEP, f, nf);
		(*nrows)++;
		w->e->written = 1;
	}
	for (size_t i = 0; i < r->emps.n; i++)
		*nemps += r->emps.v[i]->written != 0;
	free(f);
	free(buf);
	return rc ? LP_EXIT_IO : 0;
}

int finish(struct run *r)
{
	checks(r);
	size_t nrows = 0, nemps = 0, out = 0, skipped = 0;
	lp_cents written = 0, in_error = 0;
	int rc = r->plan ? write_plan(r, &nrows, &written, &nemps) : write_file(r, &nrows, &written, &nemps);
	for (size_t i = 0; i < r->emps.n; i++) {
		const struct employee *e = r->emps.v[i];
		skipped += e->skip != 0;
		if (!e->skip && (e->errors || e->claimed_by)) {
			out++;
			in_error += e->hours;
		}
	}
	char a[32], b[32], c[32], d[32], f[32], t[11], u[11];
	lp_warn("%s: %zu rows (%zu employees), %s hours written for %d %s..%s, client number %lld; left out: %s hours of "
		"unmapped codes, %s hours of %zu employees not imported, %s hours of %zu employees with errors; %lu errors, %lu warnings",
		r->cfg->client, nrows, nemps, hours_text(written, a), r->year, lp_date_fmt(r->from, t), lp_date_fmt(r->to, u),
		r->client_number, hours_text(r->hours_unmapped, b), hours_text(r->hours_not_imported, c), skipped,
		hours_text(in_error, d), out, r->errors, r->warnings);
	if (r->report) {
		json_t *cols = json_array();
		for (size_t k = 0; k < r->ncols; k++)
			json_array_append_new(cols, json_integer(r->cols[k]));
		json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:s,s:I,s:s,s:i,s:b,s:o,s:I,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I},s:I,s:I}",
				      "type", "hours.export", "client", r->cfg->client, "year", r->year, "from", t, "to", u,
				      "client_number", (json_int_t)r->client_number, "client_number_from", r->client_number_from,
				      "shift", r->cfg->hours.shift, "distribution_unit", r->cfg->hours.distribution_unit, "columns", cols,
				      "rows", (json_int_t)nrows, "employees_written", (json_int_t)nemps, "employees_left_out",
				      (json_int_t)out, "employees_not_imported", (json_int_t)skipped, "hours_read",
				      hours_text(r->hours_read + r->hours_not_imported, f), "hours_written", a, "hours_unmapped", b,
				      "hours_not_imported", c, "hours_in_error", d, "records", "read", (json_int_t)r->records, "hours",
				      (json_int_t)r->hours_records, "other_types", (json_int_t)r->other_types, "account",
				      (json_int_t)r->account_records, "other_clients", (json_int_t)r->foreign_records, "errors",
				      (json_int_t)r->errors, "warnings", (json_int_t)r->warnings);
		char *s = lp_json_dumps(o);
		fprintf(r->report, "%s\n", s);
		free(s);
		json_decref(o);
		if (ferror(r->report) | fclose(r->report)) {
			lp_warn("--report %s: write error", r->report_path);
			rc = LP_EXIT_IO;
		}
	}
	int oc = lp_out_close();
	int code = rc || oc ? LP_EXIT_IO : r->errors ? LP_EXIT_FINDINGS : 0;
	/* free what the run holds (a clean exit under the leak checker) */
	for (size_t i = 0; i < r->rowv.n; i++) {
		free(r->rowv.v[i]->val);
		free(r->rowv.v[i]->has);
		free(r->rowv.v[i]);
	}
	for (size_t i = 0; i < r->emps.n; i++) {
		for (size_t k = 0; k < r->emps.v[i]->codes.n; k++) {
			free(r->emps.v[i]->codes.v[k].code);
			free(r->emps.v[i]->codes.v[k].days);
		}
		free(r->emps.v[i]->codes.v);
		free(r->emps.v[i]);
	}
	for (size_t i = 0; i < r->unmapped.n; i++) {
		free(r->unmapped.v[i]->code);
		free(r->unmapped.v[i]);
	}
	for (size_t i = 0; i < r->ems.n; i++)
		free(r->ems.v[i].id);
	for (size_t i = 0; i < r->held.n; i++) {
		json_decref(r->held.v[i].key);
		free(r->held.v[i].em);
	}
	free(r->held.v);
	for (size_t i = 0; i < r->strs.n; i++)
		free(r->strs.v[i]);
	free(r->rowv.v);
	free(r->emps.v);
	free(r->unmapped.v);
	free(r->ems.v);
	free(r->strs.v);
	free(r->cols);
	lp_map_free(r->ems_by_number, free_emlist);
	lp_map *maps[] = {r->catalogue, r->employees, r->claims, r->rows, r->unmapped_by_code, r->payroll_ids};
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		lp_map_free(maps[i], NULL);
	lp_configs_free(&r->account);
	lp_config_free(r->cfg);
	return code;
}
