/* lp_plan.h - the plan push-loket executes: loket.op records (seq, op_id, counts per rule)
 * and the plan record of a client. Written by diff-loket and by hours-to-collective-mutations
 * --plan (schemas/loket.op.schema.json, schemas/plan.schema.json).
 */
#ifndef LP_PLAN_H
#define LP_PLAN_H

#include <jansson.h>

/* One client's plan while it is written. */
struct lp_plan {
	const char *client;
	unsigned long seq;  /* ops written so far (the last op's seq) */
	json_t *by_rule;    /* rule -> ops */
	char last_op[24];   /* op_id of the op written last */
};
void lp_plan_begin(struct lp_plan *p, const char *client);
void lp_plan_end(struct lp_plan *p);

/* One op. path is relative to the API base (.../v2). body, before, after and expect are
 * taken. employee_number -1: null. */
struct lp_plan_op {
	const char *personio_id;
	long long employee_number;
	const char *rule, *entity, *action, *chain, *method, *path;
	json_t *body, *before, *after;
	json_t *expect;       /* what the record holds now, in Loket's fields: push-loket writes only over that */
	const char *needs_id; /* the op_id whose created id fills the path's placeholder */
};

/* op_id: a hash of client, method, path and body (sorted keys, amounts untagged): the same
 * change has the same id in every run (push-loket's journal key); buf 24 bytes. */
char *lp_plan_op_id(const char *client, const char *method, const char *path, const json_t *body, char buf[24]);

/* The loket.op record of o (the next seq; counted in by_rule, last_op set), to be written by
 * the caller. */
json_t *lp_plan_op(struct lp_plan *p, const struct lp_plan_op *o, const char *message);

/* The plan record: blocked (and why), the ops, the issues the planner raised and the concept
 * employees waiting (taken; NULL: none). */
json_t *lp_plan_record(const struct lp_plan *p, int blocked, const char *reason, unsigned long issues, json_t *waiting);

#endif
