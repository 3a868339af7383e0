/* state.c - fetch-loket --state DIR: Loket's request floor.
 *
 * The state directory holds the last complete read ("fetch-loket.snapshot", lp_snap: 0600,
 * atomic, checksummed) with the version numbers it was read at and its --as-of date. A run:
 *   1. the employer's version number (1 request); unchanged since the snapshot: employees
 *      (with their BSN), employments, wages, benefits and deductions come from it;
 *   2. changed (or no usable snapshot): the version number of every employment of the
 *      employer, the employment list and the employee list (1 request each, paged); then per
 *      employment of the administration its wages and benefits, and per employee its BSN,
 *      only where the employment's number moved or is new (every one without a snapshot);
 *      employments that are gone are gone;
 *   3. the payroll periods of the administration (1 request, with their payroll runs); per
 *      period from the compensation start date to --as-of plus personio.future_months, its
 *      payroll period data for the whole administration, for each payslip type of
 *      lp_le_ppd_payslip_types (the normal and the special-rate payslip): 1 request by a
 *      payroll component set that holds every component of the year's catalogue (so every
 *      record comes whole: diff-loket must see all entries of a record before it deletes
 *      it), else 1 request per category of the catalogue; except for a period closed by an
 *      approved payroll run that was closed already when the snapshot read it: that one
 *      comes from the snapshot (Loket takes no payroll period data for a period whose run is
 *      approved: corrections go into a later period, so what was read after the approval
 *      stays true; but loketpipe's own plans may write into such a period, so a writer
 *      first creates DIR/loket-written (push-loket --state, under the client's lock), and
 *      while it exists no period comes from the
 *      snapshot; it is removed once a snapshot read after it is saved);
 *   4. the concept employees (1 request) every time; the metadata (3 requests), the
 *      component catalogue (1 per year) and the component sets (1) from the snapshot only
 *      for a run on the same --as-of date (a resumed or repeated run), else read again: no
 *      version number covers them, and a period read by a set that no longer holds every
 *      component would miss entries that diff-loket then deletes.
 * The records written are the same as a --full read's (the same order). The new snapshot is
 * saved after the last record and before stream_end: a failure to save it (a full disk) ends
 * the stream complete:false with exit 7 and leaves the old snapshot as it was; a failed read
 * saves nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le_employee.h"
#include "lp_le_employer.h"
#include "lp_le_employment.h"
#include "lp_le_ppd.h"
#include "lp_le_benefit.h"
#include "lp_le_component.h"
#include "lp_le_concept.h"
#include "lp_le_wage.h"
#include "lp_ndjson.h"
#include "lp_snap.h"

#define SNAP_NAME "fetch-loket.snapshot"
/* Made by whoever writes to Loket (monthly-sync, before push-loket): the closed periods of the
 * snapshot may have been written since; removed after a snapshot read after it is saved. */
#define WRITTEN_NAME LP_SNAP_WRITTEN
/* 2: employment records carry payroll_id and client_number (a format 1 snapshot is read again) */
#define SNAP_FORMAT 2

struct st {
	const json_t *old;    /* the usable snapshot, or NULL */
	json_t *versions;     /* employment id -> its version number now */
	json_t *covered;      /* employee id -> true: it has an employment (its changes move a number) */
	json_t *dirty;        /* employee id -> true: read its BSN again */
	json_t *old_ems;      /* employment id -> its snapshot entry */
	json_t *old_ees;      /* employee id -> its snapshot record */
	json_t *ems;          /* the new employment entries {record, version, wages, benefits} */
	json_t *ees;          /* the new employee records */
	json_t *periods;      /* the administration's payroll periods (as Loket sent them) */
	unsigned long reused; /* employments whose wages and benefits came from the snapshot */
	int written;          /* WRITTEN_NAME exists: no period from the snapshot */
};

static char *date_str(lp_date d)
{
	char b[16];
	return lp_xstrdup(lp_date_fmt(d, b));
}

/* The snapshot in dir when it may be used for this run, else NULL (with a warning naming why,
 * except when there is none). */
static json_t *load(struct run *r, const char *dir, long max_age)
{
	json_t *j = lp_snap_load_json(dir, SNAP_NAME, r->cfg->client, "reading everything");
	if (!j)
		return NULL;
	const lp_config *c = r->cfg;
	const char *as_of = lp_json_str(j, "as_of");
	lp_date d;
	const char *why = NULL;
	if (!json_is_object(j) || json_integer_value(json_object_get(j, "format")) != SNAP_FORMAT || !as_of ||
	    lp_date_parse(as_of, &d) || !json_is_integer(json_object_get(j, "employer_version")))
		why = "is not a snapshot of this version of fetch-loket";
	else if ((why = lp_snap_foreign(j, c)))
		;
	else if (json_integer_value(json_object_get(j, "start_year")) != r->start_year)
		why = "was made for another compensation start year";
	else if (d > r->as_of)
		why = "was made for a later --as-of date";
	else if ((long)(r->as_of - d) > max_age)
		why = "is older than --max-age days";
	if (why) {
		lp_warn("%s: %s/%s %s; reading everything", c->client, dir, SNAP_NAME, why);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* 1 when a cached part of the snapshot (metadata, catalogue: {as_of, ...}) is young enough. */
static int young(const struct run *r, const json_t *part, long max_age)
{
	lp_date d;
	const char *s = lp_json_str(part, "as_of");
	return s && !lp_date_parse(s, &d) && d <= r->as_of && (long)(r->as_of - d) <= max_age;
}

static void version_item(struct run *r, json_t *it, void *ctx)
{
	struct st *s = ctx;
	const char *id;
	json_int_t v;
	if (!lp_le_version_item(it, &id, &v))
		fail(r, LP_EXIT_REMOTE, "a version number item without id or integer lastModifiedVersionNumber");
	json_object_set_new(s->versions, id, json_integer(v));
}

/* An employment of the list: every one marks its employee covered (and dirty when its number
 * moved or it is new); those of the administration are kept, with their wages and benefits
 * read again or taken from the snapshot. */
static void st_employment(struct run *r, json_t *e, void *ctx)
{
	struct st *s = ctx;
	const char *id = lp_json_str(e, "id"), *ee = lp_json_str(lp_json_obj(e, "employee"), "id");
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employment without id");
	json_t *v = json_object_get(s->versions, id), *old = json_object_get(s->old_ems, id);
	int same = v && old && json_equal(v, json_object_get(old, "version"));
	if (ee) {
		json_object_set_new(s->covered, ee, json_true());
		if (!same || !json_object_get(s->old_ees, ee))
			json_object_set_new(s->dirty, ee, json_true());
	}
	const char *paid = lp_le_employment_admin(e);
	if (!paid || strcmp(paid, r->cfg->loket.payroll_administration_id))
		return; /* another administration's: not written (its employee's BSN is, see above) */
	json_t *o = rec(r, "loket.current.employment");
	lp_le_employment_current(o, e);
	json_t *ent = json_pack("{s:o,s:O*}", "record", o, "version", v);
	if (same) {
		json_object_set(ent, "wages", json_object_get(old, "wages"));
		json_object_set(ent, "benefits", json_object_get(old, "benefits"));
		s->reused++;
	} else {
		json_t *w = json_array(), *b = json_array();
		char *pw = lp_le_wage_collection(id), *pb = lp_le_benefit_collection(id);
		out_sink(w);
		list(r, pw, wage, (void *)id);
		out_sink(b);
		list(r, pb, benefit, (void *)id);
		out_sink(NULL);
		free(pw);
		free(pb);
		json_object_set_new(ent, "wages", w);
		json_object_set_new(ent, "benefits", b);
	}
	json_array_append_new(s->ems, ent);
}

/* An employee of the list: its BSN read again when dirty or never covered by a number. */
static void st_employee(struct run *r, json_t *e, void *ctx)
{
	struct st *s = ctx;
	const char *id = lp_json_str(e, "id");
	if (!id)
		fail(r, LP_EXIT_REMOTE, "an employee without id");
	json_t *old = json_object_get(s->old_ees, id), *b = NULL;
	if (!old || json_object_get(s->dirty, id) || !json_object_get(s->covered, id)) {
		char *t = lp_le_employee_bsn(id);
		b = get(r, t);
		free(t);
	} else {
		b = json_pack("{s:{s:O}}", "content", "citizenServiceNumber", json_object_get(old, "citizen_service_number"));
	}
	json_t *o = rec(r, "loket.current.employee");
	lp_le_employee_current(o, e, lp_json_obj(b, "content"));
	json_decref(b);
	json_array_append_new(s->ees, o);
}

/* employees, employments, wages and benefits into snap (new); 1 when they were read, 0 when
 * they came from the snapshot */
static int read_people(struct run *r, struct st *s, json_t *snap, json_int_t employer_version)
{
	const lp_config *c = r->cfg;
	const json_t *old = s->old;
	if (old && json_integer_value(json_object_get(old, "employer_version")) == employer_version) {
		json_object_set(snap, "employees", json_object_get(old, "employees"));
		json_object_set(snap, "employments", json_object_get(old, "employments"));
		s->reused = json_array_size(json_object_get(old, "employments"));
		json_object_set(snap, "other_employments", json_object_get(old, "other_employments"));
		return 0;
	}
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(old, "employments"), i, x)
		json_object_set(s->old_ems, lp_json_str(lp_json_obj(x, "record"), "id"), x);
	json_array_foreach(json_object_get(old, "other_employments"), i, x) /* other administrations' */
		json_object_set_new(s->old_ems, json_string_value(json_array_get(x, 0)),
				    json_pack("{s:O,s:b}", "version", json_array_get(x, 1), "other", 1));
	json_array_foreach(json_object_get(old, "employees"), i, x) json_object_set(s->old_ees, lp_json_str(x, "id"), x);
	list_at(r, lp_le_employment_versions(c->loket.employer_id), version_item, s);
	list_at(r, lp_le_employment_list(c->loket.employer_id), st_employment, s);
	list_at(r, lp_le_employee_list(c->loket.employer_id), st_employee, s);
	json_object_set(snap, "employees", s->ees);
	json_object_set(snap, "employments", s->ems);
	/* the other administrations' employments: their numbers, so that their employees' BSN
	 * is read again only when one moved */
	json_t *mine = json_object(), *others = json_array(), *v;
	const char *k;
	json_array_foreach(s->ems, i, x) json_object_set_new(mine, lp_json_str(lp_json_obj(x, "record"), "id"), json_true());
	json_object_foreach(s->versions, k, v) if (!json_object_get(mine, k)) json_array_append_new(others, json_pack("[s,O]", k, v));
	json_decref(mine);
	json_object_set_new(snap, "other_employments", others);
	return 1;
}

static void keep_period(struct run *r, json_t *p, void *ctx)
{
	(void)r;
	json_array_append(((struct st *)ctx)->periods, p);
}

static void ppd_item(struct run *r, json_t *d, void *ctx)
{
	(void)ctx;
	const char *em = lp_le_ppd_employment_of(d);
	if (!em)
		fail(r, LP_EXIT_REMOTE, "payroll period data without employment.id");
	perioddata(r, d, (void *)em);
}

/* The categories (sorted, distinct) of the components of the catalogue of year: asked one by
 * one, they give every entry of every record (a record may hold components of several
 * categories, and diff-loket must see all of them before it deletes one). */
static json_t *categories(const json_t *catalogue, long long year)
{
	json_t *cats = json_array(), *c;
	size_t i;
	json_array_foreach(catalogue, i, c) {
		json_t *cat = json_object_get(json_object_get(c, "category"), "key");
		if (json_integer_value(json_object_get(c, "year")) != year || !json_is_integer(cat))
			continue;
		size_t at = 0;
		while (at < json_array_size(cats) && json_integer_value(json_array_get(cats, at)) < json_integer_value(cat))
			at++;
		if (at == json_array_size(cats) || !json_equal(json_array_get(cats, at), cat))
			json_array_insert(cats, at, cat);
	}
	return cats;
}

/* The old snapshot's entry of this period when it was read closed, else NULL. */
static json_t *closed_before(const json_t *old, const json_t *period)
{
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(old, "periods"), i, p)
		if (json_equal(json_object_get(p, "id"), json_object_get(period, "id")) &&
		    json_equal(json_object_get(p, "year"), json_object_get(period, "year")) &&
		    json_equal(json_object_get(p, "period"), json_object_get(period, "periodNumber")) &&
		    json_is_true(json_object_get(p, "closed")))
			return p;
	return NULL;
}

/* The first payroll component set that holds every component of the catalogue of year, or NULL. */
static const char *covering_set(const json_t *sets, const json_t *catalogue, long long year)
{
	size_t i;
	json_t *set;
	json_array_foreach(sets, i, set) if (lp_json_str(set, "id") && lp_le_component_set_covers(set, catalogue, year))
		return lp_json_str(set, "id");
	return NULL;
}

/* the payroll period data of every period the sync concerns, into snap's "periods" */
static unsigned long read_periods(struct run *r, struct st *s, json_t *snap, const json_t *catalogue, const json_t *sets)
{
	const lp_config *c = r->cfg;
	char *p = lp_le_ppd_periods(c->loket.payroll_administration_id);
	list_q(r, p, 0, keep_period, s);
	free(p);
	lp_date first = c->compensation.start_date,
		last = lp_date_month_end(lp_date_add_months(lp_date_month_start(r->as_of), c->personio.future_months));
	json_t *out = json_array(), *per;
	size_t i;
	unsigned long reused = 0;
	json_array_foreach(s->periods, i, per) {
		lp_date ps, pe;
		const char *a = lp_json_str(per, "startDate"), *b = lp_json_str(per, "endDate");
		json_t *id = json_object_get(per, "id"), *y = json_object_get(per, "year");
		if (!a || !b || lp_date_parse(a, &ps) || lp_date_parse(b, &pe) || !json_is_integer(id) || !json_is_integer(y) ||
		    !json_is_integer(json_object_get(per, "periodNumber")))
			fail(r, LP_EXIT_REMOTE, "a payroll period without id, year, periodNumber, startDate or endDate");
		if (pe < first || ps > last)
			continue;
		int closed = lp_le_ppd_period_closed(per);
		json_t *was = closed && !s->written ? closed_before(s->old, per) : NULL;
		json_t *recs;
		if (was) {
			recs = json_incref(json_object_get(was, "records"));
			reused++;
		} else {
			recs = json_array();
			const char *set = covering_set(sets, catalogue, json_integer_value(y));
			json_t *cats = set ? json_pack("[i]", 0) : categories(catalogue, json_integer_value(y)), *cat;
			size_t k;
			out_sink(recs);
			for (int t = 0; t < LP_LE_PPD_N_PAYSLIP_TYPES; t++)
				json_array_foreach(cats, k, cat) list_at(r, lp_le_ppd_of_period(c->loket.payroll_administration_id,
										json_integer_value(id),
										lp_le_ppd_payslip_types[t], set,
										json_integer_value(cat)),
								ppd_item, NULL);
			out_sink(NULL);
			json_decref(cats);
		}
		json_array_append_new(out, json_pack("{s:O,s:O,s:O,s:b,s:o}", "id", id, "year", y, "period",
						     json_object_get(per, "periodNumber"), "closed", closed, "records", recs));
	}
	json_object_set_new(snap, "periods", out);
	return reused;
}

static void keep_set(struct run *r, json_t *set, void *ctx)
{
	(void)r;
	json_array_append(ctx, set);
}

/* the catalogue of every year the sync concerns and the payroll component sets: from the
 * snapshot while young, else read */
static void read_catalogue(struct run *r, const json_t *old, json_t *snap, long max_age, const char *as_of)
{
	const json_t *was = json_object_get(old, "components");
	if (old && young(r, was, max_age) && json_integer_value(json_object_get(was, "first")) == r->start_year &&
	    json_integer_value(json_object_get(was, "last")) == r->last_year && json_is_array(json_object_get(was, "sets"))) {
		json_object_set(snap, "components", (json_t *)was);
		return;
	}
	json_t *sets = json_array();
	list_at0(r, lp_le_component_sets(r->cfg->loket.payroll_administration_id), keep_set, sets);
	json_t *recs = json_array();
	out_sink(recs);
	for (int year = r->start_year; year <= r->last_year; year++) {
		char *p = lp_le_component_catalogue(r->cfg->loket.payroll_administration_id, year);
		list_q(r, p, 0, component, &year);
		free(p);
	}
	out_sink(NULL);
	json_object_set_new(snap, "components", json_pack("{s:s,s:i,s:i,s:o,s:o}", "as_of", as_of, "first", r->start_year,
							  "last", r->last_year, "records", recs, "sets", sets));
}

/* the metadata (of the first employee and employment, as a full read): from the snapshot
 * while young and read for the same ones, else read */
static void read_metadata(struct run *r, const json_t *old, json_t *snap, long max_age, const char *as_of)
{
	const json_t *was = json_object_get(old, "metadata");
	const char *ee = r->first_employee ? r->first_employee : "", *em = r->first_employment ? r->first_employment : "";
	if (old && young(r, was, max_age) && !strcmp(lp_json_str(was, "employee") ? lp_json_str(was, "employee") : "", ee) &&
	    !strcmp(lp_json_str(was, "employment") ? lp_json_str(was, "employment") : "", em)) {
		json_object_set(snap, "metadata", (json_t *)was);
		return;
	}
	json_t *recs = json_array();
	out_sink(recs);
	read_metadata_all(r);
	out_sink(NULL);
	json_object_set_new(snap, "metadata", json_pack("{s:s,s:s,s:s,s:o}", "as_of", as_of, "employee", ee, "employment", em,
							"records", recs));
}

/* write a record (a copy), counted by its kind */
static void emit(struct run *r, json_t *o, int kind)
{
	r->counts[kind]++;
	out(json_deep_copy(o));
}

static void emit_all(struct run *r, const json_t *arr, int kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) emit(r, o, kind);
}

int fetch_with_state(struct run *r, const char *dir, int full, long max_age)
{
	const lp_config *c = r->cfg;
	char err[700];
	if (lp_snap_dir(dir, err, sizeof err))
		fail(r, LP_EXIT_IO, "%s", err);
	json_t *old = full ? NULL : load(r, dir, max_age);
	char *written = lp_xasprintf("%s/%s", dir, WRITTEN_NAME);
	struct st s = {.old = old, .versions = json_object(), .covered = json_object(), .dirty = json_object(),
		       .old_ems = json_object(), .old_ees = json_object(), .ems = json_array(), .ees = json_array(),
		       .periods = json_array(), .written = access(written, F_OK) == 0};
	char *as_of = date_str(r->as_of);

	/* 1. the employer's version number, asked before anything it covers is read: a change
	 * made while this run reads shows as a move next time */
	char *p = lp_le_employer_version(c->loket.employer_id);
	json_t *vl = get(r, p), *items = lp_json_arr(vl, "_embedded");
	const char *vid;
	json_int_t ev;
	if (!items || json_array_size(items) != 1 || !lp_le_version_item(json_array_get(items, 0), &vid, &ev) ||
	    strcmp(vid, c->loket.employer_id))
		fail(r, LP_EXIT_REMOTE, "GET %s: expected the one employer's {id, lastModifiedVersionNumber}", "lastmodifiedversionnumbers");
	json_decref(vl);
	free(p);

	json_t *snap = json_pack("{s:i,s:s,s:s,s:s,s:i,s:s,s:I}", "format", SNAP_FORMAT, "client", c->client, "employer_id",
				 c->loket.employer_id, "payroll_administration_id", c->loket.payroll_administration_id,
				 "start_year", r->start_year, "as_of", as_of, "employer_version", (json_int_t)ev);
	r->reread = read_people(r, &s, snap, ev);
	json_t *ent;
	size_t i;

	json_t *ees = json_object_get(snap, "employees"), *ems = json_object_get(snap, "employments");
	if (json_array_size(ees))
		r->first_employee = lp_xstrdup(lp_json_str(json_array_get(ees, 0), "id"));
	if (json_array_size(ems))
		r->first_employment = lp_xstrdup(lp_json_str(lp_json_obj(json_array_get(ems, 0), "record"), "id"));

	read_catalogue(r, old, snap, 0, as_of); /* same --as-of only (4. above) */
	const json_t *catalogue = json_object_get(json_object_get(snap, "components"), "records");
	unsigned long closed =
		read_periods(r, &s, snap, catalogue, json_object_get(json_object_get(snap, "components"), "sets"));
	json_t *concepts = json_array();
	out_sink(concepts);
	list_at(r, lp_le_concept_list(c->loket.employer_id), concept, NULL);
	out_sink(NULL);
	read_metadata(r, old, snap, 0, as_of);

	/* everything was received: write it, in a full read's order */
	memset(r->counts, 0, sizeof r->counts);
	emit_all(r, ees, C_EMPLOYEES);
	json_array_foreach(ems, i, ent) {
		emit(r, json_object_get(ent, "record"), C_EMPLOYMENTS);
		emit_all(r, json_object_get(ent, "wages"), C_WAGES);
		emit_all(r, json_object_get(ent, "benefits"), C_BENEFITS);
	}
	json_t *per;
	json_array_foreach(json_object_get(snap, "periods"), i, per) emit_all(r, json_object_get(per, "records"), C_PERIODDATA);
	emit_all(r, concepts, C_CONCEPTS);
	emit_all(r, json_object_get(json_object_get(snap, "metadata"), "records"), C_METADATA);
	emit_all(r, catalogue, C_COMPONENTS);
	json_decref(concepts);

	/* then the snapshot, before stream_end: complete:true only when it is saved too */
	char *body = json_dumps(snap, JSON_COMPACT);
	if (!body)
		fail(r, LP_EXIT_IO, "out of memory");
	int rc = lp_snap_save(dir, SNAP_NAME, body, strlen(body), err, sizeof err);
	free(body);
	if (rc)
		fail(r, LP_EXIT_IO, "%s (the previous snapshot is kept)", err);
	if (s.written && unlink(written) != 0 && errno != ENOENT) /* it stays: the next run reads every period again */
		lp_warn("%s: cannot remove %s: %s", c->client, written, strerror(errno));
	free(written);
	json_decref(snap);
	json_decref(old);
	json_decref(s.versions);
	json_decref(s.covered);
	json_decref(s.dirty);
	json_decref(s.old_ems);
	json_decref(s.old_ees);
	json_decref(s.ems);
	json_decref(s.ees);
	json_decref(s.periods);
	free(as_of);
	r->reused_employments = s.reused;
	r->employer_version = ev;
	r->reused_periods = closed;
	lp_out_new(lp_stream_end(c->client, "loket", 1, counts(r), NULL));
	return lp_out_close();
}
