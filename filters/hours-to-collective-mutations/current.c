/* current.c - the client's side of Loket from fetch-loket's output: its employments (employee
 * number, income number, payrollId, dates), the payroll client number they carry, and the
 * payroll component catalogue of the file's year. Records of other types and of other
 * clients are skipped; the client's stream must end with stream_end complete:true. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcm.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_rec.h"

static lp_date date_or(const json_t *rec, const char *k, const char *where, lp_date dflt)
{
	lp_date d;
	return lp_rec_date(rec, k, 1, where, &d) ? dflt : d;
}

/* A field a fetch-loket older than it did not write: say so rather than "expected ...". */
static void need(const json_t *rec, const char *k, const char *where)
{
	if (!json_object_get(rec, k))
		lp_die_at(LP_EXIT_DATA, where, k, "missing: the current state was written by an older fetch-loket; run fetch-loket again");
}

static void employment(struct run *r, const json_t *rec, const char *where)
{
	need(rec, "payroll_id", where);
	need(rec, "client_number", where);
	struct employment *m = LP_VEC_PUSH(&r->ems);
	m->id = lp_xstrdup(lp_rec_str(rec, "id", 0, where));
	m->employee_number = lp_rec_int(rec, "employee_number", 1, where);
	m->income_number = lp_rec_int(rec, "income_number", 1, where);
	m->payroll_id = lp_rec_int(rec, "payroll_id", 1, where);
	m->start = date_or(rec, "start_date", where, INT32_MIN);
	m->end = date_or(rec, "end_date", where, INT32_MAX);
	long long cn = lp_rec_int(rec, "client_number", 1, where);
	if (cn >= 0 && r->loket_client_number >= 0 && cn != r->loket_client_number)
		lp_die_at(LP_EXIT_DATA, where, "client_number",
			  "client number %lld, an employment before has %lld: one payroll client number per file (H3)", cn,
			  r->loket_client_number);
	if (cn >= 0)
		r->loket_client_number = cn;
	char pk[24];
	snprintf(pk, sizeof pk, "%lld", m->payroll_id);
	if (m->payroll_id >= 0 && !lp_map_add(r->payroll_ids, pk)) /* a row is found by it: never two employments' */
		lp_die_at(LP_EXIT_DATA, where, "payroll_id", "payrollId %lld of a second employment: Loket makes it unique per administration",
			  m->payroll_id);
	if (m->employee_number < 0)
		return; /* no employee number: no hours can find it */
	char key[24];
	void *v = NULL;
	snprintf(key, sizeof key, "%lld", m->employee_number);
	if (!lp_map_get(r->ems_by_number, key, &v)) {
		v = lp_xmalloc(sizeof(struct emlist));
		memset(v, 0, sizeof(struct emlist));
		lp_map_put(r->ems_by_number, key, v);
	}
	*LP_VEC_PUSH(&((struct emlist *)v)->v) = r->ems.n - 1;
}

/* --plan: an entry of a mapped component in the plan's period (its employment found at the
 * end: one that is not among the current state's employments gets no op) */
static void variable_input(struct run *r, const json_t *rec, const char *where)
{
	if (lp_rec_int(rec, "year", 0, where) != r->pyear || lp_rec_int(rec, "period", 0, where) != r->pperiod)
		return;
	long long comp = lp_rec_int(rec, "payroll_component_key", 0, where);
	int mapped = 0;
	for (size_t k = 0; k < r->ncols; k++)
		mapped |= r->cols[k] == comp;
	if (!mapped)
		return; /* not the hours' (H1): never touched */
	const char *em = lp_rec_str(rec, "employment_id", 0, where);
	lp_cents value;
	if (lp_money_from_json(json_object_get(rec, "value"), &value))
		lp_die_at(LP_EXIT_DATA, where, "value", "expected an amount such as \"8.00\"");
	json_t *key = json_object_get(rec, "key");
	if (!json_is_object(key))
		lp_die_at(LP_EXIT_DATA, where, "key", "expected the record's upsert key (an object)");
	struct held *h = LP_VEC_PUSH(&r->held);
	*h = (struct held){lp_xstrdup(em), json_incref(key), comp, value, lp_rec_bool(rec, "is_supplement", 1, where) == 1};
}

static void component(struct run *r, const json_t *rec, const char *where)
{
	if (lp_rec_int(rec, "year", 0, where) != r->year)
		return;
	char key[24];
	snprintf(key, sizeof key, "%lld", lp_rec_int(rec, "key", 0, where));
	int ok = lp_rec_bool(rec, "is_collective_mutation_possible", 1, where);
	lp_map_put(r->catalogue, key, (void *)(uintptr_t)(ok == 0 ? 2 : 1)); /* null: not said, taken as possible */
	r->have_catalogue = 1;
}

void load_current(struct run *r, const char *path)
{
	char *const paths[] = {(char *)path};
	lp_in *in = lp_in_open(paths, 1);
	r->in = in;
	json_t *rec;
	int got, ended = 0;
	char where[4200];
	r->loket_client_number = -1;
	while ((got = lp_in_next(in, &rec)) == 1) {
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = lp_json_str(rec, "type");
		const char *client = lp_json_str(rec, "client");
		if (!client || strcmp(client, r->cfg->client)) {
			json_decref(rec);
			continue;
		}
		if (ended)
			lp_die_at(LP_EXIT_DATA, where, "type", "a record of client %s after its stream_end", client);
		if (!strcmp(type, "loket.current.employment"))
			employment(r, rec, where);
		else if (r->plan && !strcmp(type, "loket.current.variable_input"))
			variable_input(r, rec, where);
		else if (!strcmp(type, "loket.current.payroll_component"))
			component(r, rec, where);
		else if (!strcmp(type, "stream_end")) {
			if (lp_rec_bool(rec, "complete", 0, where) != 1)
				lp_die_at(LP_EXIT_DATA, where, "complete",
					  "the current state of client %s is incomplete (fetch-loket failed): no file from part of Loket", client);
			ended = 1;
		}
		json_decref(rec);
	}
	if (got < 0)
		exit(lp_in_error(in));
	lp_in_close(in);
	r->in = NULL;
	if (!ended)
		lp_die_at(LP_EXIT_DATA, path, NULL,
			  "no stream_end of client %s: not fetch-loket's complete output for this client", r->cfg->client);
}
