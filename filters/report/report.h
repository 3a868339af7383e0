/* report.h - what the files of report share: the records of each client, as read (main.c),
 * checked for completeness (check.c) and written as text or HTML (out.c, top.c, sections.c).
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "lp_map.h"
#include "lp_vec.h"

/* what a file holds, by the last stage that wrote into it (a later stage wins) */
enum kind { K_INPUT, K_PERSONIO, K_CURRENT, K_VALIDATED, K_DESIRED, K_PLAN, K_PUSH, K_JOURNAL, K_JEXPORT };

/* problems, each in words for a person */
typedef LP_VEC(char *) prob_list;

/* one client's records in one input file */
struct seg {
	const char *file;
	unsigned long records, after_end, last_line; /* after_end: records after its last stream_end */
	enum kind kind;
};

struct client {
	char *name;
	json_t *validation, *plan, *ops, *results, *issues, *ends;
	json_t *docs;           /* push-documents' document.result records */
	json_t *jentries, *jlines, *jexports; /* journal.entry, journal.line, journal.export records */
	unsigned long requests; /* loket.request records: a dry run */
	LP_VEC(struct seg) segs;
	prob_list probs; /* what makes this client's input incomplete, in words for a person */
	/* from push-loket's stream_end, -1 when there is none */
	long long refused, remote, not_run;
	int has_push; /* push-loket's output is part of the input */
	lp_map *names;  /* "p:PERSONIO_ID" and "e:EMPLOYEE_NUMBER" -> a person's name (people.c) */
	lp_map *op_ids; /* op_id -> its loket.op (held by ops) */
	json_t *cwages, *cemps; /* fetch-loket's loket.current.wage, loket.current.employment */
	int has_current;        /* fetch-loket's output is part of the input */
};

typedef LP_VEC(struct client *) client_list;

extern int html;           /* --html */
extern client_list order;  /* in the order they first appear */
extern int worst;          /* 0, LP_EXIT_DATA or LP_EXIT_REMOTE */
extern prob_list gprobs;   /* problems of no client (an empty file) */

/* check.c: completeness */
void problem(prob_list *list, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void seg_note(struct client *c, const char *file, const char *type, const json_t *r, unsigned long line);
void check(struct client *c);
int incomplete(const struct client *c);

/* out.c: output with masking and escaping */
/* Loket's text made one line of plain text in place: C0 controls (newline, CR, ESC ...), DEL,
 * U+2028 and U+2029 become spaces (a description cannot add or fake a line of the report) */
void text_clean(char *s);
void put(const char *s);
/* s escaped in HTML but not masked: only for text that cannot hold a personal number (an
 * amount read by lp_money) */
void put_plain(const char *s);
void putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a paragraph: in text wrapped at 78 columns, each line indented by indent spaces; in HTML as is */
void para(int indent, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* the same with the lines after the first indented by rest */
void para_hang(int indent, int rest, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* the same after lead, written as it is (its spaces kept) at the start of the first line */
void para_lead(int indent, int rest, const char *lead, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tag(const char *s);
void heading(int level, const char *text);
void page_begin(const char *title);
void page_end(void);
const char *num(long long v);
const char *str(const json_t *r, const char *k);

/* top.c: said first */
void warnings(void);
void summary(const struct client *c);

/* sections.c: the rest of a client's report */
/* a record's employee_number (an integer or its text), -1 when it has none */
long long empno(const json_t *r);
/* 1 for an issue about someone left out of the sync (E1, E3, M3 warnings) */
int left_out(const json_t *i);
void refusals(const struct client *c);
void issues(const struct client *c);
void concepts(const struct client *c);
void excluded(const struct client *c);

/* people.c: who a record is about */
void names_note(struct client *c, const char *type, const json_t *r);
void names_free(struct client *c);
/* the op of a push result r (by op_id), NULL when the plan is not in the input; r itself for an op */
const json_t *op_of(const struct client *c, const json_t *r);
const char *personio_of(const struct client *c, const json_t *r);
const char *name_of(const struct client *c, const char *pid, long long e);
/* "Jan de Vries (employee 101, Personio 1001)", "no employee number, Personio 1026" (malloc'd) */
char *who(const struct client *c, const json_t *r);
/* 1 when r names a person: an employee number or a Personio id */
int about_person(const struct client *c, const json_t *r);

/* ops.c: the changes, before and after, by employee; what is destroyed */
enum { OP_CREATED, OP_CHANGED, OP_ENDED, OP_REMOVED };
int op_kind(const json_t *op);
const char *kind_word(int kind);
/* 1 for an op that destroys what Loket holds: R3, O3, D3, K3 removing a wage chain's tail */
int destroys(const json_t *op);
long long wage_type(const json_t *w);
void op_counts(const struct client *c, unsigned long n[4]);
void changes(const struct client *c);
void destroyed(const struct client *c);

/* wages.c: the summary's counts and the gross wage per payroll month */
void overview(const struct client *c);

/* documents.c: the payroll documents shared with Personio (DOC1) */
/* 1 for a documents run's input: document results, and no plan, validation or push */
int documents_only(const struct client *c);
void documents_summary(const struct client *c);
void documents(const struct client *c);

/* journal.c: the payroll journal entries for review before booking (J1) */
/* 1 for a journal run's input: journal records (or fetch-journal's end), no plan, validation,
 * push or documents */
int journal_only(const struct client *c);
void journal_check(struct client *c);
void journal_summary(const struct client *c);
void journal_refused(const struct client *c);
void journal(const struct client *c);

#endif
