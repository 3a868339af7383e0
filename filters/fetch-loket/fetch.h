/* fetch.h - what the files of fetch-loket share: the run, Loket reads, the record sink. */
#ifndef FETCH_H
#define FETCH_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_http.h"
#include "lp_loket_get.h"
#include "lp_oauth.h"

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_oauth *oauth;
	lp_loket_get g;       /* the read session (lib/lp_loket_get) over http and oauth */
	int start_year, last_year;
	lp_date as_of;
	unsigned long counts[8];
	char *first_employee, *first_employment; /* whose /metadata is read */
	/* --state: employments whose wages and benefits came from the snapshot, periods whose
	 * payroll period data did, whether employees and employments were read, the employer's
	 * version number */
	unsigned long reused_employments, reused_periods;
	int reread;
	json_int_t employer_version;
};

enum { C_EMPLOYEES, C_EMPLOYMENTS, C_WAGES, C_BENEFITS, C_PERIODDATA, C_CONCEPTS, C_COMPONENTS, C_METADATA, C__N };

/* The counts object of a stream_end. */
json_t *counts(const struct run *r);
/* End the stream with complete:false and exit code. */
_Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Write a record (taken) to standard output, or into the sink when one is set. */
void out(json_t *rec);
/* Send records to this array (borrowed) instead of standard output; NULL: standard output. */
void out_sink(json_t *array);
/* GET one answer (an object; fails the stream otherwise). */
json_t *get(struct run *r, const char *target);
/* Every item of a paged list (declared: the operation declares pageNumber/pageSize). */
void list_q(struct run *r, const char *path, int declared, void (*fn)(struct run *, json_t *, void *), void *ctx);
void list(struct run *r, const char *path, void (*fn)(struct run *, json_t *, void *), void *ctx);
/* list() of a malloc'd path, freed after. */
void list_at(struct run *r, char *path, void (*fn)(struct run *, json_t *, void *), void *ctx);
/* The same for a list whose operation declares no paging (list_q with declared 0). */
void list_at0(struct run *r, char *path, void (*fn)(struct run *, json_t *, void *), void *ctx);
/* A new record {type, client}. */
json_t *rec(struct run *r, const char *type);
/* A translation failed: the stream is incomplete. */
void check(struct run *r, int rc, const char *err);

/* The per-item translations (ctx as main.c documents each). */
void wage(struct run *r, json_t *w, void *employment_id);
void benefit(struct run *r, json_t *b, void *employment_id);
void perioddata(struct run *r, json_t *d, void *employment_id);
void concept(struct run *r, json_t *c, void *ctx);
void component(struct run *r, json_t *c, void *year);
void metadata(struct run *r, const char *resource, const char *target);
/* The three metadata answers of a run (of the first employee and employment). */
void read_metadata_all(struct run *r);

/* fetch-loket --state DIR (state.c): read what changed since the snapshot in dir, write the
 * same records a full read would, save the new snapshot; full: ignore the snapshot;
 * max_age: the most days between the snapshot's --as-of and this one's. Returns the exit
 * code. */
int fetch_with_state(struct run *r, const char *dir, int full, long max_age);

#endif
