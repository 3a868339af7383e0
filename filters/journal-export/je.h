/* je.h - journal-export's parts: the entries read (main.c), the writers (main.c) and the
 * exactly-once export with --mark-exported (mark.c). */
#ifndef JE_H
#define JE_H

#include "lp_money.h"
#include "lp_vec.h"

#include <jansson.h>
#include <stddef.h>

enum fmt { F_XAF, F_CSV, F_NDJSON };

struct jline {
	long no;
	char *acc, *accdesc, *cc, *cu, *desc, *raw;
	lp_cents d, c;
};

struct run {
	char *id;
	int has_entry;
	LP_VEC(struct jline) lines;
	lp_cents sd, sc;
	/* from the entry */
	long seq, year, period, nlines;
	long status;
	char *where; /* FILE:LINE of the entry */
	char *pstart, *pend, *bdate, *jcode, *raw;
	lp_cents td, tc;
	const char *refusal; /* why refused, or NULL */
	int hold;            /* not in this export (--mark-exported: exported already, or refused) */
	char why[300];
};

typedef LP_VEC(struct run) je_runs;
extern je_runs runs;
typedef LP_VEC(json_t *) je_jsons;
extern je_jsons passed; /* issue records to pass on */
extern char *client, *bk_admin;


struct output {
	enum fmt fmt;
	const char *path; /* NULL: stdout */
	char *mem;        /* the rendered file */
	size_t len;
};
typedef LP_VEC(struct output) je_outputs;

/* the options of the exactly-once export */
struct je_mark_opts {
	const char *config, *ledger, *base_url, *actor, *audit, *as_of;
	int mark;          /* --mark-exported */
	LP_VEC(const char *) rerun;
};

/* Render o->fmt of the runs not refused nor held into o->mem. 0, or -1 (out of memory). */
int je_render(struct output *o, const char *as_of);
/* Write every output with a path: temporary files, fsync, rename over, directory fsync. Exits 7. */
void je_write_replace(je_outputs *outs);
/* -c: the ledger, the link audit and with --mark-exported the exactly-once export; the exit code. */
int je_mark_run(const struct je_mark_opts *mo, je_outputs *outs);
/* Write the passed issue records to stdout */
int je_pass_issues(void);
void je_free_all(void);
/* 1 when an entry was read (bk_admin is then its bookkeeping administration) */
int have_bk_admin(void);
/* write(2) all of p; -1 with errno (0 bytes written: ENOSPC) */
int je_write_all(int fd, const char *p, size_t n);
/* the directory of path (malloc'd) */
char *je_dir_of(const char *path);

#endif
