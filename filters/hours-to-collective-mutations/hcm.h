/* hcm.h - what the files of hours-to-collective-mutations share: the run, Loket's employments,
 * the employees of the hours, the cells of the file, the findings. */
#ifndef HCM_H
#define HCM_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "lp_config.h"
#include "lp_date.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_vec.h"

/* Hours are hundredths (lp_dec_parse scale 2): 1h15 = 125. A cell of the file holds less. */
#define HCM_MAX_CELL 100000 /* 1 000 hours: Loket's hours are < 1000 (the spec's rule of thumb) */

/* An employment of the client in the current state (loket.current.employment). */
struct employment {
	char *id;
	long long employee_number, income_number, payroll_id; /* -1: null */
	lp_date start, end;                                 /* INT32_MIN / INT32_MAX when null */
};

/* An entry Loket holds of a mapped component in the plan's period (loket.current.variable_input,
 * --plan only). */
struct held {
	char *em;       /* employment id */
	json_t *key;    /* the record's upsert key besides the period (fetch-loket's "key") */
	long long comp; /* payroll component key */
	lp_cents value;
	int supplement;
};

/* The days of the range one employee has hours of one code on (the duplicate check). */
struct code_days {
	char *code;
	unsigned char *days; /* a bit per day from --from */
};

/* An employee number of the client's hours. */
struct employee {
	long long number;
	char *personio_id;      /* the first record's, or NULL */
	int skip;               /* hours.do_not_import (H2) */
	int said_not_in_loket, said_no_payroll_id, said_two_persons, said_source_error;
	int written;            /* a row of the file is its */
	unsigned long errors;   /* findings of severity error: the employee is left out */
	const char *claimed_by; /* another client of the account whose hours or configuration has the number */
	lp_cents hours;         /* every hour read (valid quantities) */
	LP_VEC(struct code_days) codes;
};

/* A row of the file: one employment and distribution unit (the shift is the configuration's). */
struct row {
	const struct employment *m;
	struct employee *e;
	long long du;       /* distribution unit code, -1: none (an empty cell) */
	int64_t *val;       /* per column, hundredths */
	unsigned char *has; /* per column: a value was given */
};

/* The hours of one unmapped code (H1). */
struct unmapped {
	char *code;
	lp_cents hours;
	unsigned long records;
};

struct run {
	lp_config *cfg;     /* -c: the client whose hours these are */
	lp_configs account; /* --account-config: the account's other integrations (H2) */
	int year;
	lp_date from, to;
	int ndays;
	FILE *report;       /* --report, or NULL */
	const char *report_path;
	long long loket_client_number;  /* the current state's (its employments'), -1: none */
	long long client_number;        /* the file's aanslnr */
	const char *client_number_from; /* "loket" or "config" */
	long long *cols;    /* the component numbers of the columns, ascending */
	size_t ncols;
	int plan;           /* --plan: loket.op records instead of the CSV */
	int pyear, pperiod; /* --plan: the payroll period of the range */
	/* the current state */
	LP_VEC(struct employment) ems;
	lp_map *ems_by_number;    /* "N" -> struct emlist * */
	lp_map *payroll_ids;      /* the payrollIds seen (unique) */
	LP_VEC(struct held) held; /* --plan: Loket's entries of the mapped components in the period */
	lp_map *catalogue;        /* "KEY" -> (void *)1 collective mutation possible, (void *)2 not; of --year */
	int have_catalogue;
	/* the hours */
	lp_map *employees;        /* "N" -> struct employee * */
	LP_VEC(struct employee *) emps;
	lp_map *claims;           /* "N" -> client name (kept in strs) */
	lp_map *rows;             /* "PAYROLLID/DU" -> struct row * */
	LP_VEC(struct row *) rowv;
	lp_map *unmapped_by_code;
	LP_VEC(struct unmapped *) unmapped;
	LP_VEC(char *) strs;
	struct lp_in *in;   /* the input being read (reachable when bad input ends the run in lp_die) */
	unsigned long records, hours_records, other_types, account_records, foreign_records, du_ignored;
	unsigned long errors, warnings, infos;
	lp_cents hours_read, hours_unmapped, hours_not_imported;
};

struct emlist {
	LP_VEC(size_t) v; /* indices into run.ems */
};

/* A string kept until the end of the run. */
const char *keep(struct run *r, const char *s);

/* A finding: an issue record to --report (when given) and, for an error or a warning, a line
 * on stderr; counted by severity. e (or, without one, number >= 0) names the employee;
 * source is "FILE:LINE" or NULL; an error counts against e (the employee is left out). */
void finding(struct run *r, const char *severity, const char *rule, struct employee *e, long long number, const char *field,
	     const char *source, const char *hint, const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* current.c: the client's employments and the payroll component catalogue of the year from
 * fetch-loket's output; exits 3 when it is not complete or not the client's. */
void load_current(struct run *r, const char *path);

/* hours.c: every hours record of the input, streamed into the cells. */
void read_hours(struct run *r, char *const *paths, int n);

/* out.c: the checks made at the end (claims, cell sums, unmapped codes, do-not-import), then
 * the file on stdout and the summary (stderr, --report). Returns the exit code. */
int finish(struct run *r);

/* plan.c (--plan): the plan on stdout: per employment one PATCH upsert of its payroll period
 * data in the period with the components that differ from Loket's; returns 0 or LP_EXIT_IO. */
int write_plan(struct run *r, size_t *nrows, lp_cents *written, size_t *nemps);
/* 1 when the employee is left out (do_not_import, errors, another client's claim). */
int left_out(const struct employee *e);

/* "7,75", "160", "0,5": hundredths as Loket's import reads a number (a decimal comma, no
 * trailing zeros, no thousands separator); buf 32 bytes. */
char *csv_number(int64_t v, char *buf);

#endif
