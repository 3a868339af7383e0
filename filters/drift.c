/* drift - flag the ops of a plan that overwrite a manual change made in Loket (issue 17
 * part 3), and keep the record of what loketpipe last wrote to Loket.
 *
 * Between diff-loket and push-loket: every loket.op whose "before" (what Loket holds now)
 * differs from what loketpipe last wrote to the same Loket value gets a member
 * manual_change {loket, written, by, at}; every other record passes unchanged (its exact
 * text). After push-loket, --record adds the "after" of every op Loket holds now (outcome
 * applied or already_applied) to the written-state file.
 *
 * A Loket value is named by its employee number and what identifies it in Loket's data,
 * the same in diff-loket's before and after whatever the record's id: a wage by its start
 * date, a benefit or deduction by payroll component and start date, variable input by
 * year, period and payroll component, employee data by its field. Concept employees and
 * the BSN are never recorded (the BSN is not kept anywhere outside Loket).
 *
 * The written-state file is a CRC-checked NDJSON log (lib/lp_crcline, 0600, append only):
 * a first line {"type":"drift.written", client, loket} naming the client and the Loket
 * payroll administration it belongs to, then {"type":"drift.value", key, value, op_id, at}
 * lines (at: the --as-of of the run that recorded it; lines written before it existed have
 * none); the last line of a key wins.
 *
 * Who and when: when a plan has at least one flagged op, one paged read of Loket's audit
 * trail of employee data (lib/lp_le_audit) for the days from the earliest recording of a
 * flagged value to --as-of fills by/at: the latest entry of the op's employee, entity and
 * field whose new value is the value Loket holds. The read runs in a child process, so that
 * nothing in it (Loket failing, a refused token, the client's lock held, an exit deep in the
 * HTTP or OAuth code) ends drift: when it fails, the ops stay flagged with by/at null and
 * one warning issue per flagged op says why. No flagged op: no request.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_json.h"
#include "lp_le_audit.h"
#include "lp_loket_get.h"
#include "lp_ndjson.h"

static const char usage[] =
	"Usage: drift -c CONFIG --written FILE [--as-of DATE] [PLAN]...\n"
	"       drift -c CONFIG --written FILE [--as-of DATE] --record PLAN RESULTS\n"
	"Flag the ops of a plan (diff-loket's output) that overwrite a manual change made in Loket:\n"
	"every loket.op whose before (what Loket holds now) differs from what loketpipe last wrote\n"
	"there gets manual_change {loket, written, by, at}; every other record passes unchanged.\n"
	"When any op is flagged, Loket's audit trail of employee data (from the day the value was\n"
	"recorded to DATE) says who changed it and when (by, at); when it cannot be read, by/at\n"
	"stay null and a warning issue says why (the plan goes on).\n"
	"With --record, add what push-loket's RESULTS say Loket now holds (the after of each op\n"
	"applied or already applied) to FILE instead; nothing is printed.\n"
	"\n"
	"  -c, --config FILE    the client configuration (client, loket.base_url,\n"
	"                       loket.payroll_administration_id; for the audit trail\n"
	"                       loket.employer_id and loket.token_file)\n"
	"      --as-of DATE     the run date, YYYY-MM-DD (default: today, UTC): the end of the\n"
	"                       audit trail's period; --record keeps it as the values' date\n"
	"      --written FILE   the written-state file: what loketpipe last wrote to Loket (0600,\n"
	"                       CRC-checked lines); missing: nothing written yet (--record makes it)\n"
	"      --record         record a push (PLAN and its RESULTS) in FILE\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	"Exit status: 0 done; 2 usage; 3 bad input (not NDJSON, an op without its fields); 4\n"
	"configuration, or FILE refused: damaged, another client's or Loket's, a symbolic link,\n"
	"another user's, wider than 0600; 7 I/O. See loketpipe(7).\n";

struct state {
	const char *path, *client;
	char *loket;     /* "BASE_URL PAYROLL_ADMINISTRATION_ID" */
	json_t *written; /* key -> value */
	json_t *at;      /* key -> the date its value was recorded (lines that have one) */
	int header;      /* the first line was seen */
	const lp_config *cfg;
	lp_date as_of;
};

/* the keys of one op and the value each has in v (op's "before" or "after"): an object
 * key -> value (null members for what v lacks), or NULL when the op names no recorded value */
static json_t *keys_of(const json_t *op, const char *which)
{
	const char *e = json_string_value(json_object_get(op, "entity"));
	const json_t *en = json_object_get(op, "employee_number");
	if (!e || !json_is_integer(en))
		return NULL;
	long long n = (long long)json_integer_value(en);
	const json_t *v = json_object_get(op, which), *o = json_object_get(op, !strcmp(which, "before") ? "after" : "before");
	json_t *k = json_object();
	if (!strcmp(e, "wage") || !strcmp(e, "benefit_deduction")) {
		const json_t *r = json_is_object(v) ? v : o; /* the one that names it */
		const char *sd = json_string_value(json_object_get(r, "start_date"));
		const json_t *pc = json_object_get(r, "payroll_component_key");
		char *s = NULL;
		if (sd && !strcmp(e, "wage"))
			s = lp_xasprintf("wage:%lld:%s", n, sd);
		else if (sd && json_is_integer(pc))
			s = lp_xasprintf("benefit_deduction:%lld:%lld:%s", n, (long long)json_integer_value(pc), sd);
		if (s)
			json_object_set_new(k, s, json_is_object(v) ? json_deep_copy(v) : json_null());
		free(s);
	} else if (!strcmp(e, "variable_input")) {
		size_t i, m = json_array_size(v) > json_array_size(o) ? json_array_size(v) : json_array_size(o);
		for (i = 0; i < m; i++) {
			const json_t *x = json_array_get(v, i), *y = json_array_get(o, i);
			const json_t *r = json_is_object(x) ? x : y;
			const json_t *yr = json_object_get(r, "year"), *p = json_object_get(r, "period"),
				     *pc = json_object_get(r, "payroll_component_key");
			if (!json_is_integer(yr) || !json_is_integer(p) || !json_is_integer(pc))
				continue;
			char *s = lp_xasprintf("variable_input:%lld:%lld:%lld:%lld", n, (long long)json_integer_value(yr),
					       (long long)json_integer_value(p), (long long)json_integer_value(pc));
			json_object_set_new(k, s, json_is_object(x) ? json_deep_copy(x) : json_null());
			free(s);
		}
	} else if (!strcmp(e, "employee")) {
		const json_t *r = json_is_object(v) ? v : o, *x;
		const char *f;
		json_object_foreach((json_t *)r, f, x) {
			char *s = lp_xasprintf("employee:%lld:%s", n, f);
			const json_t *y = json_object_get(v, f);
			json_object_set_new(k, s, y ? json_deep_copy(y) : json_null());
			free(s);
		}
	}
	if (!json_object_size(k)) {
		json_decref(k);
		return NULL;
	}
	return k;
}

static int on_line(json_t *obj, unsigned long line, void *ctx)
{
	struct state *s = ctx;
	const char *t = json_string_value(json_object_get(obj, "type"));
	if (!s->header || (t && !strcmp(t, "drift.written"))) { /* a second header: two first pushes at once */
		const char *c = json_string_value(json_object_get(obj, "client")),
			   *l = json_string_value(json_object_get(obj, "loket"));
		if (!t || strcmp(t, "drift.written") || !c || !l) {
			lp_warn("%s:%lu: not a written-state file (its first line is not a drift.written header): "
				"nothing is flagged or pushed; move it away or give the right --written",
				s->path, line);
			return LP_EXIT_CONFIG;
		}
		if (strcmp(c, s->client) || strcmp(l, s->loket)) {
			lp_warn("%s:%lu: the written-state file of client %s (%s), not of %s (%s): nothing is flagged or "
				"pushed; give this client's own --written",
				s->path, line, c, l, s->client, s->loket);
			return LP_EXIT_CONFIG;
		}
		s->header = 1;
		return 0;
	}
	const char *k = json_string_value(json_object_get(obj, "key"));
	json_t *v = json_object_get(obj, "value");
	if (!t || strcmp(t, "drift.value") || !k || !v) {
		lp_warn("%s:%lu: not a drift.value line (type, key and value): the written-state file is damaged; nothing "
			"is flagged or pushed",
			s->path, line);
		return LP_EXIT_CONFIG;
	}
	json_object_set(s->written, k, v);
	lp_date d;
	const char *at = json_string_value(json_object_get(obj, "at"));
	if (at && !lp_date_parse(at, &d))
		json_object_set_new(s->at, k, json_integer(d));
	else
		json_object_del(s->at, k);
	return 0;
}

/* read the written-state file (changing nothing); a missing one holds nothing */
static int load(struct state *s)
{
	struct stat st;
	if (lstat(s->path, &st) && errno == ENOENT)
		return 0;
	int rc = lp_crclog_read(s->path, "written-state file", on_line, s);
	if (rc == LP_EXIT_DATA) { /* a damaged line: the file is refused like a bad configuration */
		lp_warn("%s: the written-state file is damaged: nothing is flagged or pushed; restore it from a "
			"backup, or move it away (drift then knows nothing loketpipe wrote until the next push)",
			s->path);
		rc = LP_EXIT_CONFIG;
	}
	return rc;
}

static int need(const json_t *op, const char *where, unsigned long line)
{
	static const char *const f[] = {"entity", "op_id", "seq"};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++)
		if (!json_object_get(op, f[i])) {
			lp_warn_at(where, line, f[i], "missing in a loket.op");
			return LP_EXIT_DATA;
		}
	return 0;
}

/* manual_change of op, or NULL when Loket holds what loketpipe last wrote there (or
 * loketpipe never wrote it) */
static json_t *manual_change(const struct state *s, const json_t *op)
{
	json_t *now = keys_of(op, "before");
	if (!now)
		return NULL;
	json_t *lk = json_object(), *wr = json_object(), *v;
	const char *k;
	json_object_foreach(now, k, v) {
		json_t *w = json_object_get(s->written, k);
		if (w && !json_equal(w, v)) {
			json_object_set(lk, k, v);
			json_object_set(wr, k, w);
		}
	}
	json_decref(now);
	json_t *mc = NULL;
	if (json_object_size(lk)) {
		const char *e = json_string_value(json_object_get(op, "entity"));
		json_t *l, *w;
		if (!strcmp(e, "wage") || !strcmp(e, "benefit_deduction")) { /* one value: as it is */
			void *it = json_object_iter(lk);
			l = json_incref(json_object_iter_value(it));
			w = json_incref(json_object_get(wr, json_object_iter_key(it)));
		} else if (!strcmp(e, "variable_input")) { /* the periods that differ */
			l = json_array();
			w = json_array();
			json_object_foreach(lk, k, v) {
				json_array_append(l, v);
				json_array_append(w, json_object_get(wr, k));
			}
		} else { /* employee data: the fields that differ */
			l = json_object();
			w = json_object();
			json_object_foreach(lk, k, v) {
				const char *f = strchr(strchr(k, ':') + 1, ':') + 1;
				json_object_set(l, f, v);
				json_object_set(w, f, json_object_get(wr, k));
			}
		}
		mc = json_pack("{s:o,s:o,s:n,s:n}", "loket", l, "written", w, "by", "at");
	}
	json_decref(lk);
	json_decref(wr);
	return mc;
}

/* ---- who and when: Loket's audit trail */

/* a flagged op: where it is in the plan, and what its match needs */
struct flagged {
	size_t rec;         /* its record */
	long long employee; /* employee number */
	const char *entity;
	json_t *fields;     /* view field -> the value Loket holds, for the fields that differ */
	lp_date since;      /* the earliest recording of its values (as_of - 366 when unknown) */
	json_t *best;       /* the latest matching entry so far (borrowed while reading) */
};

struct audit {
	struct flagged *f;
	size_t n;
	long entries;
};

/* the fields of a flagged op whose value differs from what loketpipe wrote (view field -> Loket's) */
static json_t *differing(const json_t *op, const json_t *mc)
{
	const char *e = json_string_value(json_object_get(op, "entity"));
	const json_t *l = json_object_get(mc, "loket"), *w = json_object_get(mc, "written"), *v;
	json_t *d = json_object();
	const char *k;
	if (!strcmp(e, "variable_input") || !json_is_object(l)) /* its own audit trail; removed by hand: no field */
		return d;
	json_object_foreach((json_t *)l, k, v) {
		const json_t *x = json_is_object(w) ? json_object_get(w, k) : NULL;
		if (!x || !json_equal(x, v))
			json_object_set(d, k, (json_t *)v);
	}
	return d;
}

static void on_entry(json_t *item, void *ctx)
{
	struct audit *a = ctx;
	a->entries++;
	for (size_t i = 0; i < a->n; i++) {
		struct flagged *f = &a->f[i];
		const char *k, *at = lp_le_audit_at(item), *bat = f->best ? lp_le_audit_at(f->best) : NULL;
		json_t *v;
		if (!at || (bat && strcmp(at, bat) < 0)) /* ISO 8601 as Loket writes it: the text orders it */
			continue;
		json_object_foreach(f->fields, k, v) if (lp_le_audit_is(item, f->employee, f->entity, k, v))
		{
			json_decref(f->best);
			f->best = json_incref(item);
			break;
		}
	}
}

/* the child's read session, for its failure's A1 record */
struct child {
	lp_loket_get g;
	const struct state *s;
	struct audit *a;
};

static _Noreturn void child_fail(void *ctx, int code, const char *msg)
{
	struct child *c = ctx;
	lp_warn("%s", msg);
	if (c) /* A1: the read, incomplete */
		lp_loket_get_audit_read(&c->g, c->s->cfg, c->s->as_of, 0,
					json_pack("{s:I}", "audit_entries", (json_int_t)c->a->entries));
	fflush(stderr);
	_exit(code ? code : LP_EXIT_REMOTE);
}

/* the child: read the trail, write [{by, at} or null per flagged op] to out; never returns */
static _Noreturn void audit_child(const struct state *s, struct audit *a, FILE *out)
{
	const lp_config *cfg = s->cfg;
	if (!cfg->loket.employer_id)
		child_fail(NULL, LP_EXIT_CONFIG, "loket.employer_id is not set in the configuration");
	lp_date from = s->as_of;
	for (size_t i = 0; i < a->n; i++)
		if (a->f[i].since < from)
			from = a->f[i].since;
	static struct child c;
	c.s = s;
	c.a = a;
	lp_loket_get_open(&c.g, cfg, NULL, NULL, NULL, child_fail, &c); /* the client's lock, for this read */
	char *path = lp_le_audit_employee_data(cfg->loket.employer_id, from, s->as_of);
	lp_loket_get_list(&c.g, path, NULL, 1, on_entry, a);
	free(path);
	lp_loket_get_audit_read(&c.g, cfg, s->as_of, 1, json_pack("{s:I}", "audit_entries", (json_int_t)a->entries));
	json_t *r = json_array();
	for (size_t i = 0; i < a->n; i++) {
		const json_t *b = a->f[i].best;
		json_array_append_new(r, b ? json_pack("{s:s?,s:s?}", "by", lp_le_audit_by(b), "at", lp_le_audit_at(b))
					   : json_null());
	}
	int rc = json_dumpf(r, out, JSON_COMPACT) || fflush(out) ? LP_EXIT_IO : 0;
	fflush(stderr);
	_exit(rc);
}

/* Who and when for the flagged ops: fills their manual_change by/at from the audit trail.
 * Returns NULL, or why it could not be read (malloc'd). */
static char *who_and_when(const struct state *s, struct audit *a, json_t *recs)
{
	FILE *out = tmpfile(), *err = tmpfile();
	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return lp_xasprintf("cannot make a temporary file: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fileno(err), 2);
		audit_child(s, a, out);
	}
	int st = 0;
	char *why = NULL;
	if (pid < 0)
		why = lp_xasprintf("cannot start the audit trail read: %s", strerror(errno));
	else
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	json_t *r = NULL;
	if (!why && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		rewind(out);
		r = json_loadf(out, 0, NULL);
		if (json_array_size(r) != a->n)
			why = lp_xstrdup("the audit trail read gave no answer");
	} else if (!why) { /* its message: the last line it wrote */
		char line[1024], last[1024] = "";
		rewind(err);
		while (fgets(line, sizeof line, err))
			if (*line != '\n')
				snprintf(last, sizeof last, "%s", line);
		last[strcspn(last, "\n")] = '\0';
		size_t pl = strlen(lp_prog);
		const char *m = !strncmp(last, lp_prog, pl) && !strncmp(last + pl, ": ", 2) ? last + pl + 2 : last;
		why = WIFEXITED(st) ? lp_xasprintf("%s (exit %d)", *m ? m : "the audit trail read failed", WEXITSTATUS(st))
				    : lp_xasprintf("the audit trail read ended by signal %d", WTERMSIG(st));
	}
	if (!why)
		for (size_t i = 0; i < a->n; i++) {
			json_t *b = json_array_get(r, i), *mc = json_object_get(json_array_get(recs, a->f[i].rec), "manual_change");
			const char *by = json_string_value(json_object_get(b, "by")), *at = json_string_value(json_object_get(b, "at"));
			if (by)
				json_object_set_new(mc, "by", json_string(by));
			if (at)
				json_object_set_new(mc, "at", json_string(at));
		}
	json_decref(r);
	fclose(out);
	fclose(err);
	return why;
}

/* the warning of a flagged op whose who and when are not known */
static json_t *unknown_issue(const struct state *s, const json_t *op, const char *why)
{
	const json_t *en = json_object_get(op, "employee_number");
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)json_integer_value(en));
	const char *rule = json_string_value(json_object_get(op, "rule"));
	char *m = lp_xasprintf("overwrites a manual change made in Loket; who made it and when is not known: Loket's "
			       "audit trail could not be read: %s",
			       why);
	json_t *pid = json_object_get(op, "personio_id");
	json_t *i = json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:s,s:n,s:s,s:s,s:s}", "type", "issue", "client", s->client,
			      "severity", "warning", "rule", rule ? rule : "K3", "stage", "drift", "personio_id",
			      json_is_string(pid) ? pid : json_null(), "employee_number", num, "field", "message", m, "hint",
			      "the sync goes on; who and when are in Loket's audit trail of employee data", "source",
			      "GET /providers/employers/{employerId}/auditTrail/EmployeeData");
	free(m);
	return i;
}

static int flag(struct state *s, char **paths, int n)
{
	lp_in *in = lp_in_open(paths, n);
	/* the records from the first flagged op on wait for the audit trail: a string (its exact
	 * text) or the flagged op; the ones before it go out as they come */
	json_t *r, *recs = json_array();
	struct audit a = {0};
	size_t cap = 0, issues_at = (size_t)-1;
	int rc = 0, got;
	while ((got = lp_in_next(in, &r)) == 1) {
		const char *t = json_string_value(json_object_get(r, "type"));
		json_t *mc = NULL;
		if (!strcmp(t, "loket.op")) {
			if ((rc = need(r, lp_in_name(in), lp_in_line(in)))) {
				json_decref(r);
				break;
			}
			mc = manual_change(s, r);
		} else if (a.n && issues_at == (size_t)-1 && (!strcmp(t, "plan") || !strcmp(t, "stream_end")))
			issues_at = json_array_size(recs);
		if (mc) {
			json_object_set_new(r, "manual_change", mc);
			json_t *d = differing(r, mc);
			if (a.n == cap)
				a.f = lp_xrealloc(a.f, (cap = cap ? 2 * cap : 8) * sizeof *a.f);
			lp_date since = s->as_of; /* the earliest recording of its values; none dated: a year back */
			int dated = 0;
			const char *k;
			json_t *v, *keys = keys_of(r, "before");
			json_object_foreach(keys, k, v) {
				json_t *d0 = json_object_get(s->at, k);
				if (d0 && json_integer_value(d0) < since)
					since = (lp_date)json_integer_value(d0);
				dated |= d0 != NULL;
			}
			json_decref(keys);
			if (!dated)
				since = s->as_of - 366;
			a.f[a.n++] = (struct flagged){json_array_size(recs), json_integer_value(json_object_get(r, "employee_number")),
						      json_string_value(json_object_get(r, "entity")), d, since, NULL};
			json_array_append_new(recs, r);
		} else {
			size_t len;
			const char *raw = lp_in_raw(in, &len);
			json_decref(r);
			if (!a.n && lp_out_raw(raw, len)) {
				rc = -1;
				break;
			}
			if (a.n)
				json_array_append_new(recs, json_stringn(raw, len));
		}
	}
	if (got < 0)
		rc = lp_in_error(in);
	lp_in_close(in);
	char *why = !rc && a.n ? who_and_when(s, &a, recs) : NULL;
	if (why)
		lp_warn("%s: who changed the %zu value%s flagged in Loket and when is not known: %s; the sync goes on", s->client,
			a.n, a.n == 1 ? "" : "s", why);
	size_t i;
	json_t *x;
	json_array_foreach(recs, i, x) {
		if (rc)
			break;
		if (why && i == issues_at)
			for (size_t k = 0; k < a.n && !rc; k++)
				rc = lp_out_new(unknown_issue(s, json_array_get(recs, a.f[k].rec), why));
		if (!rc)
			rc = json_is_string(x) ? lp_out_raw(json_string_value(x), json_string_length(x)) : lp_out(x);
	}
	if (!rc && why && issues_at == (size_t)-1)
		for (size_t k = 0; k < a.n && !rc; k++)
			rc = lp_out_new(unknown_issue(s, json_array_get(recs, a.f[k].rec), why));
	if (rc == -1) {
		lp_warn("%s", lp_out_error());
		rc = LP_EXIT_IO;
	}
	for (size_t k = 0; k < a.n; k++) {
		json_decref(a.f[k].fields);
		json_decref(a.f[k].best);
	}
	free(a.f);
	free(why);
	json_decref(recs);
	int oc = lp_out_close();
	return rc ? rc : oc;
}

static int record(struct state *s, char *plan, char *results)
{
	json_t *ops = json_object(); /* op_id -> op */
	lp_in *in = lp_in_open(&plan, 1);
	json_t *r;
	int got, rc = 0;
	while ((got = lp_in_next(in, &r)) == 1) {
		const char *t = json_string_value(json_object_get(r, "type"));
		if (!strcmp(t, "loket.op") && !(rc = need(r, lp_in_name(in), lp_in_line(in))) &&
		    json_is_string(json_object_get(r, "op_id")))
			json_object_set(ops, json_string_value(json_object_get(r, "op_id")), r);
		json_decref(r);
		if (rc)
			break;
	}
	if (got < 0)
		rc = lp_in_error(in);
	lp_in_close(in);
	json_t *add = json_array(); /* the lines to append, in the results' order */
	char day[16];
	if (!rc) {
		in = lp_in_open(&results, 1);
		while ((got = lp_in_next(in, &r)) == 1) {
			const char *t = json_string_value(json_object_get(r, "type")),
				   *o = json_string_value(json_object_get(r, "outcome")),
				   *id = json_string_value(json_object_get(r, "op_id"));
			json_t *op = id ? json_object_get(ops, id) : NULL;
			if (!strcmp(t, "loket.result") && o && (!strcmp(o, "applied") || !strcmp(o, "already_applied"))) {
				if (!op) {
					lp_warn_at(lp_in_name(in), lp_in_line(in), "op_id", "%s is not an op of the plan %s",
						   id ? id : "(none)", plan);
					json_decref(r);
					rc = LP_EXIT_DATA;
					break;
				}
				json_t *k = keys_of(op, "after"), *v;
				const char *key;
				json_object_foreach(k, key, v) json_array_append_new(
					add, json_pack("{s:s,s:s,s:O,s:s,s:s}", "type", "drift.value", "key", key, "value", v, "op_id", id,
						       "at", lp_date_fmt(s->as_of, day)));
				json_decref(k);
			}
			json_decref(r);
		}
		if (got < 0)
			rc = lp_in_error(in);
		lp_in_close(in);
	}
	json_decref(ops);
	if (!rc) {
		lp_crclog *l;
		struct stat st;
		int fresh = lstat(s->path, &st) && errno == ENOENT;
		if (fresh) /* nothing to check yet: the header goes first */
			s->header = 0;
		rc = lp_crclog_open(s->path, "written-state file", on_line, s, &l);
		if (rc == LP_EXIT_DATA) {
			lp_warn("%s: the written-state file is damaged: the push is not recorded", s->path);
			rc = LP_EXIT_CONFIG;
		}
		if (!rc) {
			size_t i;
			json_t *x;
			if (!lp_crclog_lines(l)) {
				json_t *h = json_pack("{s:s,s:s,s:s}", "type", "drift.written", "client", s->client, "loket", s->loket);
				if (lp_crclog_append(l, h))
					rc = LP_EXIT_IO;
				json_decref(h);
			}
			json_array_foreach(add, i, x) if (!rc && lp_crclog_append(l, x)) rc = LP_EXIT_IO;
			if (!rc && lp_crclog_sync(l))
				rc = LP_EXIT_IO;
			if (rc)
				lp_warn("%s: cannot write the written-state file: %s", s->path, strerror(errno));
			lp_crclog_close(l);
		}
	}
	json_decref(add);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"written", required_argument, NULL, 'w'},
					     {"record", no_argument, NULL, 'r'},
					     {"as-of", required_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL, *written = NULL, *as_of = NULL;
	int rec = 0, c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'w': written = optarg; break;
		case 'r': rec = 1; break;
		case 'a': as_of = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || !written)
		lp_usage_die(usage, "%s is required", !config ? "--config" : "--written");
	if (rec && argc - optind != 2)
		lp_usage_die(usage, "--record takes the plan and its results (two files)");
	lp_date day = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	lp_config *cfg = lp_config_load(config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	struct state s = {written, cfg->client, NULL, json_object(), json_object(), 0, cfg, day};
	s.loket = lp_xasprintf("%s %s", lp_loket_base_url(cfg, NULL),
			       cfg->loket.payroll_administration_id ? cfg->loket.payroll_administration_id : "-");
	int rc = rec ? record(&s, argv[optind], argv[optind + 1]) : load(&s);
	if (!rec && !rc)
		rc = flag(&s, argv + optind, argc - optind);
	json_decref(s.written);
	json_decref(s.at);
	free(s.loket);
	lp_config_free(cfg);
	return rc;
}
