/* The ops of a plan: read and checked, sorted into chains, named; --dry-run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_check.h"
#include "lp_loket.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_rec.h"
#include "push.h"

/* One loket.op record (kept by the caller: the op's strings are its) as an op, checked; bad
 * input exits with LP_EXIT_DATA naming the place w and the field. */
static struct op *read_op(json_t *rec, const char *w)
{
	struct op *o = lp_xmalloc(sizeof *o);
	memset(o, 0, sizeof *o);
	o->rec = rec;
	o->seq = (long)lp_rec_int(rec, "seq", 0, w);
	if (o->seq < 1)
		lp_die_at(LP_EXIT_DATA, w, "seq", "expected 1 or more");
	o->op_id = lp_rec_str(rec, "op_id", 0, w);
	o->chain_key = lp_rec_str(rec, "chain", 0, w);
	o->method = lp_rec_str(rec, "method", 0, w);
	o->path = lp_rec_str(rec, "path", 0, w);
	o->rule = lp_rec_str(rec, "rule", 0, w);
	o->entity = lp_rec_str(rec, "entity", 0, w);
	o->action = lp_rec_str(rec, "action", 0, w);
	json_t *nv = json_object_get(rec, "needs_id_of");
	o->needs = !nv || json_is_null(nv) ? NULL : lp_rec_str(rec, "needs_id_of", 0, w);
	if (!lp_le_path_ok(o->path, o->needs != NULL))
		lp_die_at(LP_EXIT_DATA, w, "path", "not a Loket API path%s",
			  o->needs || strpbrk(o->path, "{}") ? " (needs_id_of goes with exactly one {placeholder} segment)" : "");
	static const char *const methods[] = {"POST", "PUT", "PATCH", "DELETE"};
	int okm = 0;
	for (int i = 0; i < 4; i++)
		okm |= !strcmp(o->method, methods[i]);
	if (!okm)
		lp_die_at(LP_EXIT_DATA, w, "method", "expected POST, PUT, PATCH or DELETE");
	json_t *b = json_object_get(rec, "body");
	if (json_is_object(b)) {
		o->body = lp_json_dumps(b);
		o->blen = strlen(o->body);
	} else if (!json_is_null(b))
		lp_die_at(LP_EXIT_DATA, w, "body", "expected an object or null");
	/* values Loket would not take (an impossible date, three decimals, an unknown member, a
	 * control character): this op is refused when its turn comes, the others go on */
	char err[400];
	if (lp_le_body_check(o->entity, o->method, b, err, sizeof err))
		o->refusal = lp_xstrdup(err);
	return o;
}

/* Read the plan: the ops of this client (other clients' records are refused), its plan record
 * and its stream_end; every other record passes through to standard output. Returns 0 when
 * the plan is there, complete and not blocked, else the exit code (its message printed). */
int read_plan(char **files, int nfiles, struct plan *p)
{
	const char *cl = R.cfg->client;
	lp_in *in = lp_in_open(files, nfiles);
	json_t *rec;
	int rc, have_plan = 0, blocked = 0, complete = 0;
	char w[600];
	while ((rc = lp_in_next(in, &rec)) == 1) {
		snprintf(w, sizeof w, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = json_string_value(json_object_get(rec, "type"));
		const char *client = lp_rec_str(rec, "client", 0, w);
		if (strcmp(client, cl))
			lp_die_at(LP_EXIT_DATA, w, "client", "'%s' is not the configured client '%s' (push one client per run)",
				  client, cl);
		if (!strcmp(type, "loket.op")) {
			json_array_append_new(p->hold, rec);
			*LP_VEC_PUSH(&p->ops) = read_op(rec, w);
			continue;
		}
		if (!strcmp(type, "plan")) {
			have_plan = 1;
			blocked |= lp_rec_bool(rec, "blocked", 0, w);
		}
		if (!strcmp(type, "stream_end")) {
			const char *src = lp_json_str(rec, "source");
			if (src && !strcmp(src, "plan"))
				complete = lp_rec_bool(rec, "complete", 0, w);
			json_decref(rec);
			continue; /* the pushed stream gets its own */
		}
		out_new(rec);
	}
	int err = rc < 0 ? lp_in_error(in) : 0;
	lp_in_close(in);
	if (rc < 0)
		return err;
	if (!have_plan || !complete) {
		lp_warn("%s: the plan is %s: nothing is pushed", cl,
			!have_plan ? "missing its plan record (is this diff-loket's output?)" : "incomplete (no complete stream_end)");
		return LP_EXIT_DATA;
	}
	if (blocked) {
		lp_warn("%s: the plan is blocked (E4, or no current Loket state): nothing is pushed", cl);
		out_new(lp_stream_end(cl, "push", 1, json_pack("{s:i}", "ops", 0), NULL));
		return LP_EXIT_FINDINGS;
	}
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	long x = (*(struct op *const *)a)->seq, y = (*(struct op *const *)b)->seq;
	return x < y ? -1 : x > y;
}

/* The chain of key, made when it is new. */
static struct chain *chain_of(struct plan *p, lp_map *chains, const char *key)
{
	void *v;
	if (lp_map_get(chains, key, &v))
		return v;
	struct chain *ch = lp_xmalloc(sizeof *ch);
	memset(ch, 0, sizeof *ch);
	lp_map_put(chains, key, ch);
	*LP_VEC_PUSH(&p->chains) = ch;
	return ch;
}

/* plan_id: the hash of the op_ids in seq order, each followed by a newline. */
static void plan_id_of(struct plan *p)
{
	size_t len = 1;
	for (size_t i = 0; i < p->ops.n; i++)
		len += strlen(p->ops.v[i]->op_id) + 1;
	char *cat = lp_xmalloc(len), *e = cat;
	for (size_t i = 0; i < p->ops.n; i++) {
		size_t l = strlen(p->ops.v[i]->op_id);
		memcpy(e, p->ops.v[i]->op_id, l);
		e[l] = '\n';
		e += l + 1;
	}
	*e = '\0';
	snprintf(p->id, sizeof p->id, "%016llx", (unsigned long long)lp_hash_str(cat));
	free(cat);
}

/* Sort the ops by seq (a seq or an op_id twice is refused), give each its chain, check that
 * every needs_id_of names an earlier POST of the same chain, and name the plan. Returns 0 or
 * LP_EXIT_DATA (its message printed). */
int build_chains(struct plan *p)
{
	const char *cl = R.cfg->client;
	struct op **ops = p->ops.v;
	size_t nops = p->ops.n;
	if (nops > 1)
		qsort(ops, nops, sizeof *ops, cmp_seq);
	lp_map *seen = lp_map_new(), *chains = lp_map_new();
	int rc = 0;
	for (size_t i = 0; i < nops && !rc; i++) {
		struct op *o = ops[i];
		if (i && ops[i - 1]->seq == o->seq) {
			lp_warn("%s: seq %ld twice in the plan", cl, o->seq);
			rc = LP_EXIT_DATA;
		} else if (!lp_map_add(seen, o->op_id)) {
			lp_warn("%s: op_id %s twice in the plan (seq %ld)", cl, o->op_id, o->seq);
			rc = LP_EXIT_DATA;
		} else {
			o->ch = chain_of(p, chains, o->chain_key);
			*LP_VEC_PUSH(&o->ch->ops) = o;
		}
	}
	lp_map_free(seen, NULL);
	lp_map_free(chains, NULL);
	for (size_t i = 0; i < nops && !rc; i++) { /* needs_id_of names an earlier POST of the same chain */
		struct op *o = ops[i];
		const struct op *src = o->needs ? chain_op(o->ch, o->needs) : NULL;
		if (o->needs && (!src || src->seq >= o->seq || !is_post(src))) {
			lp_warn("%s: seq %ld: needs_id_of: %s is not an earlier POST of its chain", cl, o->seq, o->needs);
			rc = LP_EXIT_DATA;
		}
	}
	if (!rc)
		plan_id_of(p);
	return rc;
}

/* The op of chain c with this op_id, or NULL. */
struct op *chain_op(const struct chain *c, const char *op_id)
{
	for (size_t i = 0; i < c->ops.n; i++)
		if (!strcmp(c->ops.v[i]->op_id, op_id))
			return c->ops.v[i];
	return NULL;
}

void free_plan(struct plan *p)
{
	for (size_t i = 0; i < p->ops.n; i++) {
		struct op *o = p->ops.v[i];
		free(o->body);
		free(o->etag);
		free(o->made_id);
		free(o->path_own);
		free(o->refusal);
		free(o);
	}
	for (size_t k = 0; k < p->chains.n; k++) {
		free(p->chains.v[k]->ops.v);
		free(p->chains.v[k]);
	}
	free(p->ops.v);
	free(p->chains.v);
	json_decref(p->hold);
}

/* ---------------------------------------------------------------- dry run */

/* --dry-run: the request of every op, in seq order, as a loket.request record. */
void dry_run(const struct plan *p, const char *base_url)
{
	for (size_t i = 0; i < p->ops.n; i++) {
		const struct op *o = p->ops.v[i];
		if (o->refusal) { /* it would be refused: no request */
			out_new(refusal_issue(o));
			continue;
		}
		char *url = lp_xasprintf("%s%s", base_url, o->path);
		json_t *hs = json_pack("[s]", lp_loket_accept(o->path));
		if (o->body)
			json_array_append_new(hs, json_string(lp_loket_content_type(o->path)));
		json_t *r = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:O}", "type", "loket.request", "client",
				      R.cfg->client, "seq", (json_int_t)o->seq, "op_id", o->op_id, "rule", o->rule, "outcome",
				      "dry_run", "method", o->method, "url", url, "headers", hs, "body",
				      json_object_get(o->rec, "body"));
		free(url);
		out_new(r);
	}
	out_new(lp_stream_end(R.cfg->client, "push", 1, json_pack("{s:I}", "ops", (json_int_t)p->ops.n), NULL));
}
