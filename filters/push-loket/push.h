/* push.h - push-loket's private interface: the shared state of a run (R), the plan reader and
 * its chains (plan.c), the run loop, the journal and the results (run.c), the reads that go
 * before every write (check.c), the writes (send.c) and the collective PATCH of payroll period
 * data (collect.c); usage and main in main.c.
 */
#ifndef PUSH_H
#define PUSH_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "lp_audit.h"
#include "lp_config.h"
#include "lp_http.h"
#include "lp_journal.h"
#include "lp_oauth.h"
#include "lp_vec.h"

#define MAX_ROUNDS 5 /* POST reconcile-and-resend rounds before giving up */

enum outcome { O_APPLIED, O_ALREADY, O_FAILED, O_SKIPPED, O_REMOTE };

struct chain;
struct group;

struct op {
	json_t *rec;
	long seq;
	const char *op_id, *chain_key, *method, *path, *rule, *entity, *action;
	char *body;
	size_t blen;
	enum lp_jstate js;
	int rounds, ambiguous, auth_retried, sent_here, put_rounds;
	struct chain *ch;
	char *etag;
	const char *needs; /* needs_id_of: the op (a POST of this chain) whose new record's id fills the path */
	char *made_id;     /* a POST: the id of the record it created (or found) */
	char *path_own;    /* the path with that id filled in */
	json_t *recon; /* reconcile: the collection read so far */
	long recon_page;
	int gathered; /* waiting for or in a collective PATCH (counted in R.grouped, not R.inflight) */
	int solo;     /* goes the per-op way (left a collective PATCH, or never fit one) */
};

struct chain {
	LP_VEC(struct op *) ops; /* in seq order */
	size_t next;
	int busy, dead;
};

struct run {
	const lp_config *cfg;
	lp_http *http;
	lp_http_multi *multi;
	lp_oauth *oauth;
	lp_audit *audit;
	lp_journal *journal;
	int resumed;
	json_t *pending; /* result records waiting for the journal to reach the disk */
	int inflight, conc;
	size_t unfinished;
	LP_VEC(struct chain *) ready; /* chains whose next op may start, oldest first from rhead */
	size_t rhead;
	unsigned long counts[5];
	int auth_failed, auth_code, force_refresh;
	time_t refreshed_at;
	char auth_err[700], authz[800]; /* authz: the Authorization header, wiped at the end */
	char first_remote[700]; /* what the first op that failed remotely met (said even without -v) */
	const char *hdrs[2];
	/* the collective PATCH of payroll period data (collect.c) */
	int collective;        /* on (not --no-collective) */
	long cap;              /* items per request at most */
	LP_VEC(struct op *) gather; /* ready ops waiting for a collective PATCH, in ready order */
	size_t ghead;
	size_t grouped;        /* ops gathered or in a collective PATCH */
	int coll_setup;        /* 0 not read, 1 reading, 2 read, -1 failed: the periods and sets */
	int setup_out;
	json_t *periods, *sets; /* the administration's payroll periods and component sets */
	unsigned long coll_requests, coll_items;
};

extern struct run R; /* the run (run.c) */

/* The plan as read: its ops (in seq order once build_chains has run) and their chains, in the
 * order of their first op. */
struct plan {
	LP_VEC(struct op *) ops;
	LP_VEC(struct chain *) chains;
	json_t *hold; /* the ops' records: their strings are the ops' */
	char id[24];  /* plan_id: a hash of the op_ids in seq order */
};

struct args {
	const char *config, *journal, *audit, *actor, *base, *state;
	int dry, verbose, no_collective;
	long conc, cap;
};

/* ---------------------------------------------------------------- plan.c */

int read_plan(char **files, int nfiles, struct plan *p);
int build_chains(struct plan *p);
struct op *chain_op(const struct chain *c, const char *op_id);
void dry_run(const struct plan *p, const char *base_url);
void free_plan(struct plan *p);

/* ---------------------------------------------------------------- run.c */

void out_new(json_t *r);
void jmark(struct op *o, const char *state, long status);
json_t *messages_of(const lp_http_resp *resp);
void finish(struct op *o, enum outcome oc, long status, int attempts, json_t *messages, const char *error);
int is_post(const struct op *o);
void ready_push(struct chain *c);
int run_plan(const struct plan *p, const struct args *a, const char *base_url);

/* ---------------------------------------------------------------- check.c */

void reconcile(struct op *o);
void preflight(struct op *o);
/* What Loket's records (items) say of a payroll period data PATCH op: 1 a record holds its
 * body (done), -1 a record it lands in holds a value the plan did not see (drift, named in
 * drift), 0 neither (to be sent). employment: look only at the items of this employment
 * (employment.id, the per-period list); NULL: at every item (the employment's own list). */
int ppd_judge(const struct op *o, const json_t *items, const char *employment, char *drift, size_t n);

/* ---------------------------------------------------------------- collect.c */

/* 1 when op o is ready to go in a collective PATCH (then coll_gather it, not begin). */
int coll_wants(const struct op *o);
void coll_gather(struct op *o);
/* Start what the gathered ops need: the periods and sets once, then collective PATCHes of up
 * to R.cap items while there is room. */
void coll_step(void);
void coll_free(void);

/* ---------------------------------------------------------------- send.c */

void send_op(struct op *o);
int fill_path(struct op *o);

#endif
