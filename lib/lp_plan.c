/* lp_plan.c - see lp_plan.h */
#include "lp_plan.h"
#include "lp_jalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_map.h"

void lp_plan_begin(struct lp_plan *p, const char *client)
{
	memset(p, 0, sizeof *p);
	p->client = client;
	p->by_rule = json_object();
}

void lp_plan_end(struct lp_plan *p)
{
	json_decref(p->by_rule);
	p->by_rule = NULL;
}

char *lp_plan_op_id(const char *client, const char *method, const char *path, const json_t *body, char buf[24])
{
	int was = lp_jalloc_arena_pause(); /* bt is freed with free() */
	char *bt = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	lp_jalloc_arena_resume(was);
	if (bt)
		bt[lp_json_untag(bt, strlen(bt))] = '\0';
	char *key = lp_xasprintf("%s\n%s\n%s\n%s", client, method, path, bt ? bt : "");
	snprintf(buf, 24, "%016" PRIx64, lp_hash_str(key));
	free(key);
	free(bt);
	return buf;
}

json_t *lp_plan_op(struct lp_plan *p, const struct lp_plan_op *o, const char *message)
{
	char idb[24];
	lp_plan_op_id(p->client, o->method, o->path, o->body, idb);
	p->seq++;
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string("loket.op"));
	json_object_set_new(j, "client", json_string(p->client));
	json_object_set_new(j, "seq", json_integer((json_int_t)p->seq));
	json_object_set_new(j, "op_id", json_string(idb));
	json_object_set_new(j, "chain", json_string(o->chain));
	json_object_set_new(j, "rule", json_string(o->rule));
	json_object_set_new(j, "entity", json_string(o->entity));
	json_object_set_new(j, "action", json_string(o->action));
	lp_json_set_str(j, "personio_id", o->personio_id);
	json_object_set_new(j, "employee_number", o->employee_number >= 0 ? json_integer(o->employee_number) : json_null());
	json_object_set_new(j, "method", json_string(o->method));
	json_object_set_new(j, "path", json_string(o->path));
	json_object_set_new(j, "body", o->body ? o->body : json_null());
	json_object_set_new(j, "before", o->before ? o->before : json_null());
	json_object_set_new(j, "after", o->after ? o->after : json_null());
	json_object_set_new(j, "message", json_string(message));
	if (o->needs_id)
		json_object_set_new(j, "needs_id_of", json_string(o->needs_id));
	if (o->expect)
		json_object_set_new(j, "expect", o->expect);
	memcpy(p->last_op, idb, sizeof p->last_op);
	json_t *n = json_object_get(p->by_rule, o->rule);
	json_object_set_new(p->by_rule, o->rule, json_integer(n ? json_integer_value(n) + 1 : 1));
	return j;
}

json_t *lp_plan_record(const struct lp_plan *p, int blocked, const char *reason, unsigned long issues, json_t *waiting)
{
	json_t *r = json_object();
	json_object_set_new(r, "type", json_string("plan"));
	json_object_set_new(r, "client", json_string(p->client));
	json_object_set_new(r, "blocked", json_boolean(blocked));
	lp_json_set_str(r, "reason", reason);
	json_object_set_new(r, "ops", json_integer((json_int_t)p->seq));
	json_object_set_new(r, "ops_by_rule", json_incref(p->by_rule));
	json_object_set_new(r, "issues", json_integer((json_int_t)issues));
	json_object_set_new(r, "concept_employees_waiting", waiting ? waiting : json_array());
	return r;
}
