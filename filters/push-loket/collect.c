/* The collective PATCH of payroll period data (PatchCollectivePayrollPeriodDataByEmployerId).
 *
 * The payroll period data upserts of a plan (PATCH ops on an employment's payrollperioddata)
 * that are ready at the same time, each the next op of its chain, go out together: up to
 * R.cap items in one PATCH /providers/employers/{employerId}/payrollperioddata. A group:
 *   1. reads each payroll period it touches once, for the whole administration (the
 *      per-period list, payslip type 1, by a payroll component set that holds every
 *      component the group writes in that period); the administration's payroll periods
 *      and component sets are read once per run. Each op is then done (a record holds its
 *      body), drifted (fails as it would on its own) or goes in the request;
 *   2. journals "sent" for each op that goes (as an op on its own does), then sends the one
 *      request;
 *   3. a 2xx: reads the touched periods back once (whether Loket applies part of a request
 *      is UNCONFIRMED) and marks done only the ops whose records hold; the others go the
 *      per-op way. A 4xx: every op of it goes the per-op way, so that each refusal is
 *      Loket's answer to that op alone and the good ones are applied. No answer, or 5xx/429
 *      after retries: read back, and resend what does not hold (an upsert of the same values
 *      is idempotent), at most MAX_ROUNDS requests.
 * Ops that do not fit go the per-op way: a period Loket does not list, no set that holds their
 * components, a payslip type other than 1, a second op of one employment and period in the
 * group, or the periods and sets could not be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le_component.h"
#include "lp_le_ppd.h"
#include "lp_loket.h"
#include "push.h"

#define PAGE_SIZE 250

struct period {
	struct group *g;
	json_int_t year, num;
	long long id;
	json_t *keys;    /* the component keys the group writes in it */
	const char *set; /* a payroll component set that holds them all */
	json_t *items;   /* the records read */
	long page;
	int live; /* an op of the group is in it */
	char err[400];
};

struct gop {
	struct op *o;
	char *em; /* its employment */
	size_t per;
};

struct group {
	LP_VEC(struct gop) ops;
	LP_VEC(struct period *) per;
	int reads_out, after, unknown, rounds, auth_retried, attempts;
	long status;
	char *body;
	char err[700];
};

int coll_wants(const struct op *o)
{
	json_int_t y, n;
	const json_t *body = json_object_get(o->rec, "body");
	if (!R.collective || o->solo || R.coll_setup < 0 || o->needs || strcmp(o->method, "PATCH") ||
	    !R.cfg->loket.employer_id || !R.cfg->loket.payroll_administration_id || !lp_le_ppd_period_of(body, &y, &n))
		return 0;
	long long st = lp_le_ppd_payslip_of(body);
	if (st && st != LP_LE_PPD_PAYSLIP_NORMAL) /* the per-period list is read for payslip type 1 */
		return 0;
	char *em = lp_le_ppd_employment_of_path(o->path);
	int ok = em != NULL;
	free(em);
	return ok;
}

void coll_gather(struct op *o)
{
	o->gathered = 1;
	o->ch->busy = 1;
	R.grouped++;
	*LP_VEC_PUSH(&R.gather) = o;
}

/* The op leaves the collective way: its chain takes it up again, on its own. */
static void go_solo(struct op *o)
{
	o->gathered = 0;
	R.grouped--;
	o->solo = 1;
	o->ch->busy = 0;
	ready_push(o->ch);
}

/* ---------------------------------------------------------------- once per run */

static void on_setup(void *ud, const lp_http_resp *resp, const char *err)
{
	json_t **dst = ud;
	json_t *j = resp && resp->status == 200 ? lp_json_loadb(resp->body, resp->len, NULL) : NULL;
	json_t *items = json_object_get(j, "_embedded");
	if (json_is_array(items))
		*dst = json_incref(items);
	else {
		lp_warn("%s: %s could not be read (%s): payroll period data goes per employment", R.cfg->client,
			dst == &R.periods ? "the payroll periods" : "the payroll component sets",
			err ? err : resp ? "unexpected answer" : "no answer");
		R.coll_setup = -1;
	}
	json_decref(j);
	if (--R.setup_out == 0) {
		R.inflight--;
		if (R.coll_setup == 1)
			R.coll_setup = 2;
	}
}

static void setup(void)
{
	static const char *const h[] = {LP_LOKET_ACCEPT, NULL};
	const char *pa = R.cfg->loket.payroll_administration_id;
	char *p = lp_le_ppd_periods(pa), *s = lp_le_component_sets(pa);
	R.coll_setup = 1;
	R.setup_out = 2;
	R.inflight++;
	lp_http_multi_add(R.multi, "GET", p, h, NULL, 0, 0, on_setup, &R.periods);
	lp_http_multi_add(R.multi, "GET", s, h, NULL, 0, 0, on_setup, &R.sets);
	free(p);
	free(s);
}

/* ---------------------------------------------------------------- a group */

static void end_group(struct group *g)
{
	R.inflight--;
	for (size_t i = 0; i < g->ops.n; i++)
		free(g->ops.v[i].em);
	for (size_t i = 0; i < g->per.n; i++) {
		json_decref(g->per.v[i]->keys);
		json_decref(g->per.v[i]->items);
		free(g->per.v[i]);
	}
	free(g->ops.v);
	free(g->per.v);
	free(g->body);
	free(g);
}

static void read_page(struct period *p);
static void send_group(struct group *g);

/* Read every period an op of the group is in (again). */
static void read_periods(struct group *g)
{
	for (size_t i = 0; i < g->per.n; i++)
		g->per.v[i]->live = 0;
	for (size_t i = 0; i < g->ops.n; i++)
		g->per.v[g->ops.v[i].per]->live = 1;
	g->reads_out = 0;
	for (size_t i = 0; i < g->per.n; i++) {
		struct period *p = g->per.v[i];
		if (!p->live)
			continue;
		json_decref(p->items);
		p->items = json_array();
		p->page = 1;
		p->err[0] = '\0';
		g->reads_out++;
	}
	for (size_t i = 0; i < g->per.n; i++)
		if (g->per.v[i]->live)
			read_page(g->per.v[i]);
}

/* What the records read say of each op: done, drifted, sent (again) or the per-op way. */
static void judge(struct group *g)
{
	size_t keep = 0;
	int ok = g->after && !g->unknown;
	for (size_t i = 0; i < g->ops.n; i++) {
		struct gop q = g->ops.v[i];
		struct op *o = q.o;
		struct period *p = g->per.v[q.per];
		char drift[600] = "";
		int v = p->err[0] ? 0 : ppd_judge(o, p->items, q.em, drift, sizeof drift);
		if (p->err[0])
			finish(o, O_REMOTE, 0, 0, NULL, p->err);
		else if (v > 0) {
			jmark(o, "done", ok ? g->status : 0);
			finish(o, o->sent_here ? O_APPLIED : O_ALREADY, ok && o->sent_here ? g->status : 0,
			       ok && o->sent_here ? g->attempts : 0, NULL, NULL);
		} else if (v < 0) {
			jmark(o, "failed", 409);
			finish(o, O_FAILED, 0, 0, NULL, drift);
		} else if (ok)
			go_solo(o); /* Loket said OK, yet its record does not hold: the per-op way tells why */
		else if (g->after && g->rounds >= MAX_ROUNDS)
			finish(o, O_REMOTE, 0, 0, NULL, g->err);
		else {
			g->ops.v[keep++] = q;
			continue;
		}
		free(q.em);
	}
	g->ops.n = keep;
	if (keep)
		send_group(g);
	else
		end_group(g);
}

static void on_read(void *ud, const lp_http_resp *resp, const char *err)
{
	struct period *p = ud;
	struct group *g = p->g;
	if (!resp || resp->status != 200)
		snprintf(p->err, sizeof p->err, "reading the payroll period data of period %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT
			 " %s failed: %s", p->year, p->num, g->after ? "after writing it" : "before writing to it",
			 err ? err : resp->status == 401 ? "HTTP 401" : "unexpected answer");
	else {
		json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
		json_t *items = lp_json_arr(j, "_embedded"), *tp = json_object_get(j, "totalPages");
		json_array_extend(p->items, items);
		int more = json_is_integer(tp) && p->page < json_integer_value(tp) && json_array_size(items);
		json_decref(j);
		if (more) {
			p->page++;
			read_page(p);
			return;
		}
	}
	if (--g->reads_out == 0)
		judge(g);
}

static void read_page(struct period *p)
{
	static const char *const h[] = {LP_LOKET_ACCEPT, NULL};
	char *base = lp_le_ppd_of_period(R.cfg->loket.payroll_administration_id, p->id, LP_LE_PPD_PAYSLIP_NORMAL, p->set, 0);
	char *t = lp_xasprintf("%s&pageNumber=%ld&pageSize=%d", base, p->page, PAGE_SIZE);
	lp_http_multi_add(R.multi, "GET", t, h, NULL, 0, 0, on_read, p);
	free(t);
	free(base);
}

static void on_patch(void *ud, const lp_http_resp *resp, const char *err)
{
	struct group *g = ud;
	long st = resp ? resp->status : 0;
	if (R.auth_failed) {
		for (size_t i = 0; i < g->ops.n; i++)
			finish(g->ops.v[i].o, O_REMOTE, 0, 0, NULL, R.auth_err);
		end_group(g);
		return;
	}
	if (resp && st >= 200 && st < 300) {
		g->after = 1;
		g->unknown = 0;
		g->status = st;
		g->attempts = resp->attempts;
		read_periods(g);
		return;
	}
	if (st == 401 && !g->auth_retried) {
		g->auth_retried = 1; /* the saved access token was revoked or ran out: refresh, send again */
		if (time(NULL) - R.refreshed_at > 5)
			R.force_refresh = 1;
		g->rounds--;
		send_group(g);
		return;
	}
	if (resp && st >= 400 && st < 500 && st != 429 && st != 401) {
		/* refused: which item, and whether Loket applied the others, is for each op alone */
		for (size_t i = 0; i < g->ops.n; i++)
			go_solo(g->ops.v[i].o);
		end_group(g);
		return;
	}
	/* no answer, 5xx/429 after retries, 401 again: it may or may not have landed */
	g->after = 1;
	g->unknown = 1;
	g->status = 0;
	snprintf(g->err, sizeof g->err, "%s", err ? err : st == 401 ? "Loket refused the access token" : "Loket kept failing");
	read_periods(g);
}

static void send_group(struct group *g)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < g->ops.n; i++) {
		struct op *o = g->ops.v[i].o;
		json_array_append_new(arr, lp_le_ppd_collective_item(json_object_get(o->rec, "body"), g->ops.v[i].em));
		jmark(o, "sent", -1);
		o->sent_here = 1;
	}
	free(g->body);
	g->body = lp_json_dumps(arr);
	json_decref(arr);
	g->rounds++;
	R.coll_requests++;
	R.coll_items += g->ops.n;
	char *path = lp_le_ppd_collective(R.cfg->loket.employer_id);
	static const char *const h[] = {LP_LOKET_ACCEPT, LP_LOKET_CONTENT_TYPE, NULL};
	/* libcurl's own resend is refused: a lost answer comes here, to be read back first */
	lp_http_multi_add(R.multi, "PATCH", path, h, g->body, strlen(g->body), LP_HTTP_NO_RETRY | LP_HTTP_RETRY_429,
			  on_patch, g);
	free(path);
}

/* 1 when the set (an item of the component sets) holds every key of keys. */
static int set_holds(const json_t *set, const json_t *keys)
{
	size_t i;
	json_t *want;
	json_array_foreach(keys, i, want) if (!lp_le_component_set_has(set, want)) return 0;
	return 1;
}

static size_t period_in(struct group *g, json_int_t y, json_int_t n, long long id)
{
	for (size_t i = 0; i < g->per.n; i++)
		if (g->per.v[i]->year == y && g->per.v[i]->num == n)
			return i;
	struct period *p = lp_xmalloc(sizeof *p);
	*p = (struct period){.g = g, .year = y, .num = n, .id = id, .keys = json_array()};
	*LP_VEC_PUSH(&g->per) = p;
	return g->per.n - 1;
}

/* A group of the gathered ops, up to R.cap of them, in the order they became ready. */
static void make_group(void)
{
	struct group *g = lp_xmalloc(sizeof *g);
	memset(g, 0, sizeof *g);
	while (R.ghead < R.gather.n && (long)g->ops.n < R.cap) {
		struct op *o = R.gather.v[R.ghead++];
		json_t *body = json_object_get(o->rec, "body"), *c;
		json_int_t y, n;
		long long id;
		lp_le_ppd_period_of(body, &y, &n);
		char *em = lp_le_ppd_employment_of_path(o->path);
		int twice = 0;
		for (size_t i = 0; i < g->ops.n; i++)
			twice |= !strcmp(g->ops.v[i].em, em) && g->per.v[g->ops.v[i].per]->year == y &&
				 g->per.v[g->ops.v[i].per]->num == n;
		if (twice || !lp_le_ppd_period_id(R.periods, y, n, &id)) {
			free(em);
			go_solo(o);
			continue;
		}
		size_t pi = period_in(g, y, n, id), i;
		json_array_foreach(json_object_get(body, "payrollComponents"), i, c)
			json_array_append(g->per.v[pi]->keys, json_object_get(json_object_get(c, "payrollComponent"), "key"));
		*LP_VEC_PUSH(&g->ops) = (struct gop){o, em, pi};
	}
	for (size_t i = 0; i < g->per.n; i++) {
		size_t k;
		json_t *set;
		json_array_foreach(R.sets, k, set) if (!g->per.v[i]->set && lp_json_str(set, "id") && set_holds(set, g->per.v[i]->keys))
			g->per.v[i]->set = lp_json_str(set, "id");
	}
	size_t keep = 0;
	for (size_t i = 0; i < g->ops.n; i++) {
		if (g->per.v[g->ops.v[i].per]->set) {
			g->ops.v[keep++] = g->ops.v[i];
			continue;
		}
		go_solo(g->ops.v[i].o); /* no set holds what it writes: the per-op way reads it whole */
		free(g->ops.v[i].em);
	}
	g->ops.n = keep;
	R.inflight++;
	if (keep)
		read_periods(g);
	else
		end_group(g);
}

void coll_step(void)
{
	if (R.ghead == R.gather.n)
		return;
	if (R.coll_setup == 0)
		setup();
	if (R.coll_setup == 1)
		return;
	while (R.ghead < R.gather.n && (R.coll_setup < 0 || R.inflight < R.conc)) {
		if (R.coll_setup < 0)
			go_solo(R.gather.v[R.ghead++]);
		else
			make_group();
	}
	if (R.ghead == R.gather.n)
		R.ghead = R.gather.n = 0;
}

void coll_free(void)
{
	free(R.gather.v);
	json_decref(R.periods);
	json_decref(R.sets);
}
