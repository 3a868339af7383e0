/* compensations.c - extract-personio's compensations: GET /v2/compensations in one-month
 * windows from the month of the compensation start date to the --as-of month plus the
 * future months, following _meta.links.next.href; each distinct compensation (by id, over
 * all windows) a "compensation" record, its dates as Personio gave them.
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

/* Item i of page pageno of the window starting d1: its record written, with its issues,
 * unless an earlier window gave the same id. */
static void one_compensation(struct run *r, json_t *item, const char *d1, int pageno, size_t i, lp_map *seen)
{
	char src[96], cidb[160];
	snprintf(src, sizeof src, "GET /v2/compensations %s page %d item %zu", d1, pageno + 1, i);
	json_t *idv = json_is_object(item) ? json_object_get(item, "id") : NULL;
	if (json_is_string(idv) || json_is_integer(idv)) {
		if (json_is_string(idv))
			snprintf(cidb, sizeof cidb, "%s", json_string_value(idv));
		else
			snprintf(cidb, sizeof cidb, "%lld", (long long)json_integer_value(idv));
		if (!lp_map_add(seen, cidb))
			return; /* seen in an earlier month window */
	}
	json_t *c = lp_personio_compensation(r->cfg, item, src, r->issues_buf);
	if (c) {
		if (lp_out_new(c))
			lp_die(LP_EXIT_IO, "%s", lp_out_error());
		r->compensations++;
	}
	flush_issues(r);
}

/* The month window starting m, every page of it (target: its first page, freed here). */
static void month_window(struct run *r, lp_date m, char *target, lp_map *seen)
{
	char d1[11];
	lp_date_fmt(m, d1);
	lp_map *links = lp_map_new();
	for (int pageno = 0;; pageno++) {
		char what[64];
		snprintf(what, sizeof what, "compensations %.7s page %d", d1, pageno + 1);
		json_t *j = lp_psession_get(&r->ps, 1, target, what);
		json_t *data = lp_json_arr(j, "_data");
		json_t *meta = lp_json_obj(j, "_meta");
		json_t *links_o = meta ? lp_json_obj(meta, "links") : NULL;
		json_t *next = links_o ? json_object_get(links_o, "next") : NULL;
		const char *href = json_is_object(next) ? lp_json_str(next, "href") : NULL;
		if (!data || (next && !json_is_null(next) && !href))
			fail(r, LP_EXIT_REMOTE,
			     "GET /v2/compensations: the answer has the wrong shape (expected _data[] and "
			     "_meta.links.next.href) (%s)", what);
		size_t i;
		json_t *item;
		json_array_foreach(data, i, item)
			one_compensation(r, item, d1, pageno, i, seen);
		if (!href) {
			json_decref(j);
			break;
		}
		if (json_array_size(data) == 0)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v2/compensations: an empty page still links to a next page; stopping instead "
			     "of looping (%s)", what);
		if (!lp_map_add(links, href))
			fail(r, LP_EXIT_REMOTE,
			     "GET /v2/compensations: the next link repeats an earlier page; stopping instead of "
			     "looping (%s)", what);
		free(target);
		target = lp_xstrdup(href);
		json_decref(j);
	}
	lp_map_free(links, NULL);
	free(target);
}

void compensations(struct run *r)
{
	lp_map *seen = lp_map_new();
	lp_date first = lp_date_month_start(r->cfg->compensation.start_date);
	lp_date last = lp_date_month_start(lp_date_add_months(r->as_of, r->future));
	char *le = lp_http_escape(r->cfg->personio.legal_entity_id);
	char *person = r->only_pid ? lp_http_escape(r->only_pid) : NULL;
	for (lp_date m = first; m <= last; m = lp_date_add_months(m, 1)) {
		char d1[11], d2[11];
		lp_date_fmt(m, d1);
		lp_date_fmt(lp_date_month_end(m), d2);
		char *target = lp_xasprintf("/v2/compensations?start_date=%s&end_date=%s&legal_entity.id=%s%s%s&limit=100",
					    d1, d2, le, person ? "&person.id=" : "", person ? person : "");
		month_window(r, m, target, seen);
	}
	free(le);
	free(person);
	lp_map_free(seen, NULL);
}
