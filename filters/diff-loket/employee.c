/* employee.c - employee data (D2, D3): Personio's current value of every field, blanks clear
 * where Loket allows null; and the BSN on its own endpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_employee.h"

/* The before and after of every changed field, and their names for the message. */
struct employee_changes {
	json_t *before, *after;
	int cleared, n;
	char fields[512];
};

static void collect(const json_t *changes, struct employee_changes *x)
{
	size_t i;
	json_t *ch;
	x->before = json_object();
	x->after = json_object();
	json_array_foreach(changes, i, ch) {
		const char *f = lp_json_str(ch, "field");
		json_object_set(x->before, f, json_object_get(ch, "before"));
		json_object_set(x->after, f, json_object_get(ch, "after"));
		x->cleared |= json_is_null(json_object_get(ch, "after"));
		if (strlen(x->fields) + strlen(f) + 3 < sizeof x->fields)
			snprintf(x->fields + strlen(x->fields), sizeof x->fields - strlen(x->fields), "%s%s", x->n ? ", " : "", f);
		x->n++;
	}
}

/* D2/D3: one PUT of the whole employee, Loket's record with Personio's fields merged in. */
static void employee_put(struct run *r, const struct want_employee *d, const struct cur_employee *e, const char *chain)
{
	json_t *want = with_keys_in(r, d, json_object_get(d->rec, "employee"), "employee"); /* d->rec: parsed for this plan */
	/* e->rec was parsed for this employee's plan alone (cur_employee_rec): its employee object
	 * becomes the merged record in place, no copy */
	json_t *merged = json_incref(json_object_get(e->rec, "employee"));
	json_t *changes = json_array();
	lp_le_employee_cmp(want, merged, "", changes);
	struct employee_changes x = {0};
	collect(changes, &x);
	json_decref(changes);
	json_decref(want);
	if (!x.n) {
		json_decref(merged);
		json_decref(x.before);
		json_decref(x.after);
		return;
	}
	lp_le_employee_writable(merged);
	char *path = lp_le_employee_record(e->id);
	plan_op(r,
		&(struct plan_op){.d = d, .rule = x.cleared ? "D3" : "D2", .entity = "employee", .action = "update",
				  .chain = chain, .method = "PUT", .path = path, .body = merged, .before = x.before,
				  .after = x.after},
		"Employee %lld: %s %s Personio's current value%s", d->number, x.fields, x.n > 1 ? "take" : "takes",
		x.cleared ? " (blank in Personio: cleared in Loket)" : "");
	free(path);
}

static void employee_bsn(struct run *r, const struct want_employee *d, const struct cur_employee *e, const char *chain)
{
	const char *want_bsn = lp_json_str(d->rec, "citizen_service_number");
	const char *have_bsn = lp_json_str(e->rec, "citizen_service_number");
	if (!want_bsn || (have_bsn && !strcmp(want_bsn, have_bsn)))
		return;
	char *path = lp_le_employee_bsn(e->id);
	plan_op(r,
		&(struct plan_op){.d = d, .rule = "D2", .entity = "citizen_service_number", .action = "update",
				  .chain = chain, .method = "PUT", .path = path, .body = lp_le_bsn_body(want_bsn),
				  .before = json_pack("{s:O}", "citizen_service_number",
						      json_object_get(e->rec, "citizen_service_number")),
				  .after = json_pack("{s:s}", "citizen_service_number", want_bsn)},
		"Employee %lld: the BSN takes Personio's value", d->number);
	free(path);
}

void employee_data(struct run *r, const struct want_employee *d, const struct cur_employee *e)
{
	char chain[128];
	snprintf(chain, sizeof chain, "employee:%s", e->id);
	employee_put(r, d, e, chain);
	employee_bsn(r, d, e, chain);
}
