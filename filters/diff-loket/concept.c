/* concept.c - concept employees (M1, M2): an employee number Loket does not know becomes a
 * concept employee with employee data and base salary only, and its BSN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_concept.h"
#include "lp_le_wage.h"

/* M1: the POST, with the base salary when its key is known (M2). */
static void post(struct run *r, const struct want_employee *d, const char *name, const char *chain)
{
	json_t *body = lp_le_concept_body(&(struct lp_le_concept_new){
		.unique_name = name,
		.number = d->number,
		.employee = with_keys(r, d, json_object_get(d->rec, "employee"), "concept_employee"),
		.iban = lp_json_str(d->rec, "iban"),
		.admin_id = r->cfg->loket.payroll_administration_id,
		.has_start = d->has_entry,
		.start = d->entry,
		.income = d->income,
	});
	json_t *after = json_pack("{s:I,s:s}", "employee_number", (json_int_t)d->number, "unique_name", name);
	int with_wage = d->w.n && wage_keys_ok(r, d);
	if (with_wage) { /* M2: base salary only, the first one of the chain */
		lp_le_concept_set_wage(body, d->w.v[0].amount, loket_wage_key(r->cur, d->w.v[0].type));
		json_object_set_new(after, "gross_wage", lp_le_money_str(d->w.v[0].amount));
	}
	char *path = lp_le_concept_list(r->cfg->loket.employer_id);
	plan_op(r,
		&(struct plan_op){.d = d, .rule = "M1", .entity = "concept_employee", .action = "create", .chain = chain,
				  .method = "POST", .path = path, .body = body, .after = after},
		"Employee number %lld is not in Loket: a concept employee is created with employee data%s (M2)", d->number,
		with_wage ? " and base salary" : "");
	free(path);
}

/* The BSN goes on the concept employee's own endpoint, which needs the id Loket gives it:
 * push-loket fills the placeholder from the POST just written (needs_id_of). */
static void post_bsn(struct run *r, const struct want_employee *d, const char *bsn, const char *chain)
{
	char concept_op[24];
	memcpy(concept_op, r->plan.last_op, sizeof concept_op);
	char *path = lp_le_concept_bsn("{conceptEmployeeId}");
	plan_op(r,
		&(struct plan_op){.d = d, .rule = "M1", .entity = "citizen_service_number", .action = "create",
				  .chain = chain, .method = "PUT", .path = path, .body = lp_le_bsn_body(bsn),
				  .after = json_pack("{s:s}", "citizen_service_number", bsn), .needs_id = concept_op},
		"Employee number %lld: the new concept employee gets its BSN (M1)", d->number);
	free(path);
}

static void concept_post(struct run *r, const struct want_employee *d, json_t *created)
{
	char *name = lp_le_concept_unique_name(json_object_get(d->rec, "employee"), d->pid);
	char chain[64];
	snprintf(chain, sizeof chain, "concept:%lld", d->number);
	post(r, d, name, chain);
	const char *bsn = lp_json_str(d->rec, "citizen_service_number");
	if (bsn)
		post_bsn(r, d, bsn, chain);
	size_t rest = d->b.n + d->v.n + (d->w.n > 1 ? d->w.n - 1 : 0);
	issue(r, d, "info", "M2", NULL, "finalise the concept employee in Loket (convert it to an employee); the next sync sends the rest",
	      "New concept employee '%s': only employee data%s and base salary are sent; %zu other compensation "
	      "record(s) follow once the payroll administrator has finalised the employee.%s", name,
	      bsn ? ", the BSN" : "", rest, bsn ? "" : " Personio has no BSN for this person: enter it in Loket when finalising.");
	json_array_append_new(created, json_pack("{s:n,s:s,s:I}", "id", "unique_name", name, "employee_number",
						 (json_int_t)d->number));
	free(name);
}

/* M1/M2: an employee number Loket has no employee for: a concept employee waiting to be
 * finalised, or a new one. */
void concept_for(struct run *r, const struct want_employee *d, json_t *created)
{
	char nb[24];
	void *v;
	const struct cur_concept *k = lp_map_get(r->cur->concept_by_num, numkey(d->number, nb), &v) ? v : NULL;
	if (!k) {
		concept_post(r, d, created);
		return;
	}
	size_t rest = d->b.n + d->v.n + d->w.n;
	issue(r, d, "info", "M2", NULL, "finalise the concept employee in Loket; the next sync sends the rest",
	      "Concept employee '%s' (employee number %lld) waits to be finalised in Loket; nothing "
	      "is sent for it until then (%zu compensation record(s) waiting)",
	      k->name ? k->name : k->id, d->number, rest);
}
