/* employees.c - extract-personio's employees: GET /v1/company/employees paged with an
 * element offset and checked against metadata.total_elements; each employee a "person"
 * record (--only: the one that matches).
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

/* Item i of the page at offset: its person record written (unless --only leaves it out),
 * with its issues after it. */
static void one_employee(struct run *r, json_t *emp, size_t i, long offset, const char *what, lp_map *seen,
			 int attr_seen[LP_A__COUNT])
{
	char idb[64], src[96];
	const char *id = json_is_object(emp) ? lp_personio_employee_id(emp, idb, sizeof idb) : NULL;
	if (!id)
		fail(r, LP_EXIT_REMOTE, "GET /v1/company/employees: item %zu has no attributes.id (%s)", i, what);
	if (!lp_map_add(seen, id))
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
	lp_personio_check_attributes(r->cfg, emp, attr_seen, r->issues_buf);
	if (r->only)
		r->only_pid = lp_xstrdup(lp_json_str(p, "personio_id"));
	if (lp_out_new(p))
		lp_die(LP_EXIT_IO, "write error on standard output");
	r->persons++;
	flush_issues(r);
}

void employees(struct run *r)
{
	long page = r->cfg->personio.page_size;
	long offset = 0, total = -1;
	lp_map *seen = lp_map_new();
	int attr_seen[LP_A__COUNT] = {0};
	for (;;) {
		char *target = lp_xasprintf("/v1/company/employees?limit=%ld&offset=%ld", page, offset);
		char what[64];
		snprintf(what, sizeof what, "employees offset %ld", offset);
		json_t *j = api_get(r, 0, target, what);
		free(target);
		json_t *meta = lp_json_obj(j, "metadata");
		json_t *te = meta ? json_object_get(meta, "total_elements") : NULL;
		json_t *data = lp_json_arr(j, "data");
		if (!json_is_true(json_object_get(j, "success")) || !data || !json_is_integer(te) ||
		    json_integer_value(te) < 0)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: the answer has the wrong shape (expected success, data[] and "
			     "metadata.total_elements) (%s)", what);
		if (total < 0)
			total = (long)json_integer_value(te);
		else if (json_integer_value(te) != total)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: the number of employees changed from %ld to %lld during the "
			     "extract; run it again (%s)", total, (long long)json_integer_value(te), what);
		size_t n = json_array_size(data), i;
		json_t *emp;
		json_array_foreach(data, i, emp)
			one_employee(r, emp, i, offset, what, seen, attr_seen);
		json_decref(j);
		offset += (long)n;
		if (offset >= total)
			break;
		if (n == 0)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: empty page at offset %ld but Personio announced %ld employees; "
			     "the list is incomplete", offset, total);
	}
	if ((long)lp_map_size(seen) != total)
		fail(r, LP_EXIT_REMOTE, "GET /v1/company/employees: received %zu employees, Personio announced %ld",
		     lp_map_size(seen), total);
	lp_map_free(seen, NULL);
	if (r->only && !r->only_pid)
		fail(r, LP_EXIT_DATA, "--only %s: no employee has this Personio id or Employee number (Loket)", r->only);
}
