/* employees.c - extract-personio's employees: GET /v1/company/employees paged with an
 * element offset and checked against metadata.total_elements (lp_psession_v1_list); each
 * employee a "person" record (--only: the one that matches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_personio.h"

static int matches_only(const struct run *r, const json_t *person)
{
	const char *pid = lp_json_str(person, "personio_id");
	const char *en = lp_json_str(person, "employee_number");
	return (pid && !strcmp(pid, r->only)) || (en && !strcmp(en, r->only));
}

struct emp_walk {
	struct run *r;
	lp_map *seen;
	int attr_seen[LP_A__COUNT];
};

/* Item i of the page at offset: its person record written (unless --only leaves it out),
 * with its issues after it. */
static void one_employee(void *ctx, json_t *emp, long offset, size_t i)
{
	struct emp_walk *w = ctx;
	struct run *r = w->r;
	char idb[64], src[96], what[64];
	snprintf(what, sizeof what, "employees offset %ld", offset);
	const char *id = json_is_object(emp) ? lp_personio_employee_id(emp, idb, sizeof idb) : NULL;
	if (!id)
		fail(r, LP_EXIT_REMOTE, "GET /v1/company/employees: item %zu has no attributes.id (%s)", i, what);
	if (!lp_map_add(w->seen, id))
		fail(r, LP_EXIT_REMOTE,
		     "GET /v1/company/employees: employee %s was returned twice; the paging is not what "
		     "Personio documents (%s)", id, what);
	snprintf(src, sizeof src, "GET /v1/company/employees offset %ld item %zu", offset, i);
	json_t *p = lp_personio_person(r->cfg, emp, src, r->issues_buf);
	if (r->only && !matches_only(r, p)) {
		json_decref(p);
		json_array_clear(r->issues_buf);
		return;
	}
	lp_personio_check_attributes(r->cfg, emp, w->attr_seen, r->issues_buf);
	if (r->only)
		r->only_pid = lp_xstrdup(lp_json_str(p, "personio_id"));
	if (lp_out_new(p))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
	r->persons++;
	flush_issues(r);
}

void employees(struct run *r)
{
	struct emp_walk w = {r, lp_map_new(), {0}};
	lp_psession_v1_list(&r->ps, "/v1/company/employees", r->cfg->personio.page_size, "employees", one_employee, &w);
	lp_map_free(w.seen, NULL);
	if (r->only && !r->only_pid)
		fail(r, LP_EXIT_DATA, "--only %s: no employee has this Personio id or Employee number (Loket)", r->only);
}
