/* gen-model.h - the synthetic bureau shared by gen-personio and gen-loket.
 *
 * One model of N clients x M employees, derived from (seed, client, employee) only, so the
 * Personio fixtures (gen-personio) and the Loket emulator state (gen-loket) describe the
 * same people, ids and employers. Deterministic, integer cents, no floating point.
 */
#ifndef GEN_MODEL_H
#define GEN_MODEL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define GEN_DATEBUF 48 /* roomy: keeps -Wformat-truncation quiet at any -O */
#define GEN_MAXCOMP 64 /* compensations of one person (base + 12 months of changes) */
#define GEN_MAXMONTH 12

struct gen_run {
	unsigned clients;
	unsigned long employees;
	uint64_t seed;
	long start;  /* compensation start date, days since epoch */
	int month;   /* 0: the classic snapshot; 1..GEN_MAXMONTH: the bureau month K */
	const char *out;
	const char *personio_url, *loket_url; /* written into the configurations when set */
	const char *token_file; /* loket.token_file; "{client}" becomes the client's name */
	int configs_only;
};

/* The identities of client ci (1..N): the same in both emulators and in the configuration. */
struct gen_client {
	char name[16];        /* genNNNN */
	char entity[16];      /* Personio legal entity id: 1000 + ci */
	char entity_name[48];
	char employer_id[37], admin_id[37]; /* Loket */
	char tax[16];         /* loonheffingennummer: 9 digits + L01, unique per client */
	int client_number;    /* 10000 + ci */
};

struct gen_comp {
	int n;                /* cmp-PID-n */
	const char *type_id, *type_name, *category, *interval; /* interval NULL: one-time */
	long long cents;
	long from, to;        /* to < 0: open */
	int hours;            /* > 0: salaries carry the weekly hours */
};

struct gen_surname { const char *prefix, *name; };
struct gen_city { const char *name; int pc2; };

struct gen_person {
	unsigned long pid, number; /* Personio id (1000 + index), employee number (index) */
	const char *gender, *first, *status;
	const struct gen_surname *sn;
	char initials[8];
	long hire, term;      /* term < 0: none */
	int hours;
	int by, bm, bd;
	char bsn[10], iban[19];
	const struct gen_city *city;
	char pc[8], house[8], phone[16];
	const char *addition, *street;
	int ncomp;
	struct gen_comp comp[GEN_MAXCOMP];
	int new_hire;         /* month of hire for a monthly new hire, else 0 */
};

/* What happened to a person in one month (gen_month_event). */
enum gen_event { GEN_NONE, GEN_SALARY, GEN_BONUS, GEN_RECURRING, GEN_LEAVER };

/* helpers shared by both generators */
uint64_t gen_next(uint64_t *state); /* splitmix64 */
void gen_die(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void gen_mkdir_p(const char *prog, const char *path);
FILE *gen_open(const char *prog, const char *path, mode_t mode);
void gen_close(const char *prog, FILE *f, const char *path);
void gen_jstr(FILE *f, const char *s);
void gen_fmt_date(char out[GEN_DATEBUF], long z);
void gen_fmt_stamp(char out[GEN_DATEBUF], long z); /* Personio timestamp, Amsterdam midnight */
long gen_first_of_month(long z, int months);
long gen_last_of_month(long z, int months);
const char *gen_cents(char out[32], long long c);

/* Parse the options both generators take; returns 0, or exits 2 (usage) / 0 (--help,
 * --version, after printing `help`). `extra` names the options only gen-personio takes. */
void gen_parse_args(struct gen_run *r, int argc, char **argv, const char *prog, const char *version,
		    const char *help, int personio_options);

void gen_client(const struct gen_run *r, unsigned ci, struct gen_client *c);

/* The person's e-mail address (the same in Personio and Loket). */
void gen_email(const struct gen_person *p, const struct gen_client *c, char *out, size_t n);

/* The month-K as-of date: the 15th of the K-th month from the start date's month. */
long gen_as_of(const struct gen_run *r, int month);

/* Base employee i (1..M) of client ci as of month 1 (or the classic snapshot, month 0). */
void gen_person(const struct gen_run *r, unsigned ci, unsigned long i, struct gen_person *p);

/* Apply months 2..r->month to p (no-op in the classic snapshot and in month 1). */
void gen_person_months(const struct gen_run *r, unsigned ci, struct gen_person *p);

/* The new hires of client ci in months 2..r->month: call with j = 1, 2, ... until it
 * returns 0; fills p (its months after the hire applied) and returns 1. */
int gen_new_hire(const struct gen_run *r, unsigned ci, unsigned j, struct gen_person *p);

/* The event of person p in month m (2..), as gen_person_months applies it (for tests and docs). */
enum gen_event gen_month_event(const struct gen_run *r, unsigned ci, const struct gen_person *p, int m);

/* Monthly gross wage in Loket of a salary item: MONTHLY as is, YEARLY / 12 (half up),
 * HOURLY the hourly rate (*hourly set). */
long long gen_monthly_cents(const struct gen_comp *c, int *hourly);

#endif
