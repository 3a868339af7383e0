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
 * payroll administration it belongs to, then {"type":"drift.value", key, value, op_id}
 * lines; the last line of a key wins.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_json.h"
#include "lp_loket_get.h"
#include "lp_ndjson.h"

static const char usage[] =
	"Usage: drift -c CONFIG --written FILE [PLAN]...\n"
	"       drift -c CONFIG --written FILE --record PLAN RESULTS\n"
	"Flag the ops of a plan (diff-loket's output) that overwrite a manual change made in Loket:\n"
	"every loket.op whose before (what Loket holds now) differs from what loketpipe last wrote\n"
	"there gets manual_change {loket, written, by, at}; every other record passes unchanged.\n"
	"With --record, add what push-loket's RESULTS say Loket now holds (the after of each op\n"
	"applied or already applied) to FILE instead; nothing is printed.\n"
	"\n"
	"  -c, --config FILE    the client configuration (client, loket.base_url,\n"
	"                       loket.payroll_administration_id)\n"
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
	int header;      /* the first line was seen */
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

static int flag(struct state *s, char **paths, int n)
{
	lp_in *in = lp_in_open(paths, n);
	json_t *r;
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
		}
		int w;
		if (mc) {
			json_object_set_new(r, "manual_change", mc);
			w = lp_out(r);
		} else {
			size_t len;
			const char *raw = lp_in_raw(in, &len);
			w = lp_out_raw(raw, len);
		}
		json_decref(r);
		if (w) {
			lp_warn("%s", lp_out_error());
			rc = LP_EXIT_IO;
			break;
		}
	}
	if (got < 0)
		rc = lp_in_error(in);
	lp_in_close(in);
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
					add, json_pack("{s:s,s:s,s:O,s:s}", "type", "drift.value", "key", key, "value", v, "op_id", id));
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
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL, *written = NULL;
	int rec = 0, c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'w': written = optarg; break;
		case 'r': rec = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || !written)
		lp_usage_die(usage, "%s is required", !config ? "--config" : "--written");
	if (rec && argc - optind != 2)
		lp_usage_die(usage, "--record takes the plan and its results (two files)");
	lp_config *cfg = lp_config_load(config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	struct state s = {written, cfg->client, NULL, json_object(), 0};
	s.loket = lp_xasprintf("%s %s", lp_loket_base_url(cfg, NULL),
			       cfg->loket.payroll_administration_id ? cfg->loket.payroll_administration_id : "-");
	int rc = rec ? record(&s, argv[optind], argv[optind + 1]) : load(&s);
	if (!rec && !rc)
		rc = flag(&s, argv + optind, argc - optind);
	json_decref(s.written);
	free(s.loket);
	lp_config_free(cfg);
	return rc;
}
