/* plan.c - the plan writer: loket.op records (op_id, seq, counts per rule), issues and the
 * plan record of a client.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_ndjson.h"

void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "write error on standard output");
}

char *numkey(long long n, char buf[24])
{
	snprintf(buf, 24, "%lld", n);
	return buf;
}

int is_mapped(const struct run *r, long long key)
{
	char nb[24];
	return lp_map_get(r->mapped, numkey(key, nb), NULL);
}

const char *want_pid(const struct want_employee *d)
{
	return d ? d->pid : NULL;
}

const char *want_number(const struct want_employee *d, char buf[24])
{
	return d && d->number >= 0 ? numkey(d->number, buf) : NULL;
}

void issue_put(struct run *r, const char *severity, json_t *issue)
{
	if (!strcmp(severity, "error"))
		r->findings = 1;
	r->issues++;
	out_new(issue);
}

/* op_id: a hash of what the op does, stable across runs (push-loket's journal key) */
static void op_id(const struct run *r, const struct plan_op *o, char idb[24])
{
	char *bt = o->body ? json_dumps(o->body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (bt)
		bt[lp_json_untag(bt, strlen(bt))] = '\0';
	char *key = lp_xasprintf("%s\n%s\n%s\n%s", r->cfg->client, o->method, o->path, bt ? bt : "");
	snprintf(idb, 24, "%016" PRIx64, lp_hash_str(key));
	free(key);
	free(bt);
}

void plan_op(struct run *r, const struct plan_op *o, const char *fmt, ...)
{
	char msg[1024], idb[24];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	op_id(r, o, idb);
	r->seq++;
	const struct want_employee *d = o->d;
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string("loket.op"));
	json_object_set_new(j, "client", json_string(r->cfg->client));
	json_object_set_new(j, "seq", json_integer((json_int_t)r->seq));
	json_object_set_new(j, "op_id", json_string(idb));
	json_object_set_new(j, "chain", json_string(o->chain));
	json_object_set_new(j, "rule", json_string(o->rule));
	json_object_set_new(j, "entity", json_string(o->entity));
	json_object_set_new(j, "action", json_string(o->action));
	lp_json_set_str(j, "personio_id", want_pid(d));
	json_object_set_new(j, "employee_number", d && d->number >= 0 ? json_integer(d->number) : json_null());
	json_object_set_new(j, "method", json_string(o->method));
	json_object_set_new(j, "path", json_string(o->path));
	json_object_set_new(j, "body", o->body ? o->body : json_null());
	json_object_set_new(j, "before", o->before ? o->before : json_null());
	json_object_set_new(j, "after", o->after ? o->after : json_null());
	json_object_set_new(j, "message", json_string(msg));
	if (o->needs_id)
		json_object_set_new(j, "needs_id_of", json_string(o->needs_id));
	if (o->expect)
		json_object_set_new(j, "expect", o->expect);
	memcpy(r->last_op, idb, sizeof r->last_op);
	json_t *n = json_object_get(r->by_rule, o->rule);
	json_object_set_new(r->by_rule, o->rule, json_integer(n ? json_integer_value(n) + 1 : 1));
	out_new(j);
}

void plan_record(struct run *r, int blocked, const char *reason, json_t *created)
{
	json_t *waiting = json_array();
	if (r->cur)
		for (size_t i = 0; i < r->cur->concepts.n; i++) {
			const struct cur_concept *k = &r->cur->concepts.v[i];
			json_array_append_new(waiting, json_pack("{s:s,s:s?,s:o}", "id", k->id, "unique_name", k->name,
								 "employee_number",
								 k->number >= 0 ? json_integer(k->number) : json_null()));
		}
	size_t i;
	json_t *v;
	json_array_foreach(created, i, v) json_array_append(waiting, v);
	json_t *p = json_object();
	json_object_set_new(p, "type", json_string("plan"));
	json_object_set_new(p, "client", json_string(r->cfg->client));
	json_object_set_new(p, "blocked", json_boolean(blocked));
	lp_json_set_str(p, "reason", reason);
	json_object_set_new(p, "ops", json_integer((json_int_t)r->seq));
	json_object_set_new(p, "ops_by_rule", json_incref(r->by_rule));
	json_object_set_new(p, "issues", json_integer((json_int_t)r->issues));
	json_object_set_new(p, "concept_employees_waiting", waiting);
	out_new(p);
}
