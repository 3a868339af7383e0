/* align.h - what the files of alignment share: the records read (main.c), the rows of the
 * comparison made from them (rows.c) and their text, HTML and CSV forms (write.c).
 */
#ifndef ALIGN_H
#define ALIGN_H

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_vec.h"

/* what a row compares */
enum what { W_SALARY, W_RECURRING, W_ONE_TIME };
/* what the first sync does with it */
enum mark {
	M_KEEP,      /* Loket already holds Personio's value: nothing */
	M_OVERWRITE, /* Loket's value is replaced by Personio's */
	M_END,       /* a recurring Loket record ends (R2: the day before the start date; R3: removed) */
	M_DELETE,    /* a Loket record is removed (O3 one-time entry; a wage not in Personio's chain) */
	M_CREATE,    /* Personio's record is added where Loket has none */
	M_LEAVE,     /* no op: the sync leaves Loket as it is (and does not send Personio's record) */
	M_DIFFERS    /* no plan was made (blocked): the values differ, nothing says what a sync does */
};
extern const char *const mark_word[]; /* "keep", "overwrite", ... (the CSV's) */

/* one side of a row: a value of Loket or of Personio */
struct side {
	int has;
	lp_cents v;
	int hourly;                /* a wage per hour */
	lp_date start, end;        /* the record's own dates (end: has_end) */
	int has_end;
	int scale;                 /* a Loket wage on a pay scale */
};

struct emp;
struct row {
	struct emp *e;
	enum what what;
	long long comp;            /* the Loket payroll component, -1 for the basic wage */
	lp_date date;              /* the key: the start date (salary, recurring) */
	int year, period;          /* the key of a one-time entry */
	struct side l, p;          /* Loket, Personio */
	enum mark mark;
	const char *rule;          /* the op's rule id, or NULL */
	int destroys;              /* Loket value lost from the start date on: listed first */
	char note[320];
};

struct emp {
	char *number;              /* employee number as text, or NULL */
	char *pid;                 /* Personio id, or NULL */
	char *name;                /* Personio's name, else Loket's; NULL: unknown */
	const json_t *employment;  /* the Loket employment the sync uses, or NULL */
	const json_t *want_emp;    /* map-compensation's loket.employee */
	long long income;          /* the desired income number, -1 unknown */
	lp_date entry;
	int has_entry;
	json_t *issues, *ops, *wages, *bens, *vis; /* this employee's records */
	const json_t *concept;     /* a concept employee create op (M1), or NULL */
	LP_VEC(struct row) rows;
};

/* the whole input of the client */
struct input {
	const lp_config *cfg;
	const char *as_of;         /* the validation record's, or NULL */
	json_t *cur_emps, *cur_empls, *cur_wages, *cur_bens, *cur_vis, *people;
	json_t *issues, *plan, *validation;
	json_t *ops;               /* every loket.op */
	json_t *desired;           /* map-compensation's loket.* records, in order */
	json_t *wage_opts;         /* Loket's grossWageType options, or NULL */
	lp_map *mapped;            /* the mapped Loket components ("8042") */
	LP_VEC(char *) probs;      /* what makes the comparison incomplete, in words */
	int worst;                 /* the exit status they make */
	LP_VEC(struct emp *) emps; /* in the order of the report */
	lp_map *emp_by;            /* "n:101" / "p:1026" -> struct emp */
	lp_map *by_empl;           /* "w:ID", "b:ID", "v:ID" -> the employment's current records */
	unsigned long unmapped;    /* Loket records of unmapped components left out (K2) */
};

/* rows.c */
void build_rows(struct input *in);
void free_rows(struct input *in);
/* the text of member k of r ("" when absent or not text) */
const char *txt(const json_t *r, const char *k);
/* a record's employee number as text ("101"), NULL when it has none; buf 24 bytes */
const char *rec_number(const json_t *r, char *buf);

/* write.c */
void write_text(const struct input *in, const char *title, int html);
/* 0, or -1 on a write error */
int write_csv(const struct input *in);
/* the value of one side in words: "3200.00", "18.75 an hour", "25.00 a month to 2026-09-30"
 * (since: Loket's record began before the row's date); buf 96 bytes */
char *side_text(const struct row *r, const struct side *s, char *buf);
const char *what_word(enum what w);

#endif
