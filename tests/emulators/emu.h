/*
 * emu.h - code shared by the test emulators (personio-emu.c, loket-emu.c).
 *
 * Small utilities (allocation, string buffer, JSON text, numbers, random
 * hex), calendar dates, the fault plan and its per-request decision, the
 * latency timer that suspends MHD connections, and the start-up pieces
 * (common flags, port file, signals, watch-pid loop, shutdown).
 *
 * Every message is prefixed with emu_prog ("NAME: ..."); set it first in
 * main.  Nothing here is thread-safe unless it says so; the fault plan and
 * statistics are guarded by the caller's lock.
 */
#ifndef EMU_H
#define EMU_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EMU_VERSION "0.1.0"
#define EMU_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))
#define EMU_MAX_BODY (1u << 20) /* JSON / form bodies */
#define EMU_MAX_PATHS 256       /* distinct paths counted in the statistics */
#define EMU_EXIT_USAGE 2
#define EMU_EXIT_FIXTURES 3

/* Program name used as the prefix of every message (default "emu"). */
extern const char *emu_prog;

/* ------------------------------------------------------------------ utils */

/* Print "out of memory" and abort. */
__attribute__((noreturn)) void emu_oom(void);
/* calloc/realloc/strdup that abort on failure; zero sizes allocate 1 byte, NULL dups "". */
void *emu_xcalloc(size_t n, size_t sz);
void *emu_xrealloc(void *p, size_t sz);
char *emu_xstrdup(const char *s);

/* Growable NUL-terminated string buffer; zero-initialise, free with emu_sb_reset. */
struct emu_sb {
	char *p;
	size_t len, cap;
};
void emu_sb_grow(struct emu_sb *b, size_t need); /* room for need more bytes + NUL */
void emu_sb_addn(struct emu_sb *b, const char *s, size_t n);
void emu_sb_adds(struct emu_sb *b, const char *s);
__attribute__((format(printf, 2, 3))) void emu_sb_addf(struct emu_sb *b, const char *fmt, ...);
void emu_sb_reset(struct emu_sb *b); /* free and empty */

/* j as text with EMU_DUMP_FLAGS (any JSON value); caller frees. */
char *emu_dump_json(const json_t *j);
/* json_string that survives invalid UTF-8 (bytes >= 0x80 become '?'); NULL gives "". */
json_t *emu_jstr(const char *s);
/* Append j as text to b and release j (steals the reference). */
void emu_sb_json(struct emu_sb *b, json_t *j);

int emu_starts_with(const char *s, const char *pre);
/* Whole-string decimal integer in lo..hi into *out: 0, else -1. */
int emu_strict_ll(const char *s, long long lo, long long hi, long long *out);
/* FNV-1a of s continued from h, followed by a field separator. */
uint32_t emu_fnv1a(uint32_t h, const char *s);
/* nbytes (at most 64) random bytes from /dev/urandom as 2*nbytes hex digits + NUL. */
void emu_random_hex(char *out, size_t nbytes);
/* Random 8-4-4-4-12 hex id; v4 sets the version-4 UUID and variant bits. */
void emu_uuid(char out[37], int v4);

/* ------------------------------------------------------------------ dates */

int emu_is_leap(long y);
int emu_days_in_month(long y, int m);
/* Days since 1970-01-01 and back (H. Hinnant's algorithms). */
long emu_days_from_civil(long y, int m, int d);
void emu_civil_from_days(long z, long *y, int *m, int *d);
/* Strict YYYY-MM-DD with a real calendar day: 0, else -1. */
int emu_parse_date(const char *s, long *y, int *m, int *d);
/* The same, as days since 1970-01-01. */
int emu_date_days(const char *s, long *days);

/* ------------------------------------------------------------ fault plan */

/* EMPTY: 200, the reply's content type, no body; HTML: 200 text/html error page; NOTPDF: 200
 * application/pdf, bytes that do not start with %PDF- (the bad document answers a PDF client must refuse) */
enum emu_mal_kind {
	EMU_MAL_NONE, EMU_MAL_NOTJSON, EMU_MAL_TRUNCATED, EMU_MAL_WRONGSHAPE, EMU_MAL_401, EMU_MAL_403,
	EMU_MAL_EMPTY, EMU_MAL_HTML, EMU_MAL_NOTPDF, EMU_MAL__N
};

/* A fault plan (doc/personio-fixtures.md, "Fault plan"). */
struct emu_plan {
	long long n429, n500, ndrop, nlost, latency_ms;
	long long after;   /* counted faults start after this many API requests */
	char retry_after[32];
	char *always_path;
	int always_status;
	char *mal_path;
	enum emu_mal_kind mal_kind;
	double r5xx, r429, rdrop, rlost;
	uint64_t prng;
	char *scope;       /* faults only for URLs starting with this ("/v2"); NULL: all */
};

void emu_plan_free(struct emu_plan *p);
void emu_plan_default(struct emu_plan *p);
/* Next seeded pseudo-random number in [0, 1) (xorshift64*). */
double emu_prng_unit(struct emu_plan *p);
/* Parse a fault plan from JSON text; 0 on success, else -1 with a message in err. */
int emu_plan_parse(const char *text, size_t len, struct emu_plan *p, char *err, size_t errlen);

struct emu_path_count { char *path; uint64_t n; };

/* Request and fault counters for /__emu/stats. */
struct emu_stats {
	uint64_t requests, f429, f500, fdrop, flost, fmal, fother;
	uint64_t by_method[6]; /* GET POST PUT PATCH DELETE other */
	struct emu_path_count paths[EMU_MAX_PATHS];
	size_t npaths;
	uint64_t other_paths;
};

void emu_stats_reset(struct emu_stats *st);
/* Add "requests", "by_path", "faults" and "pending" (from p) to object o. */
void emu_stats_json(json_t *o, const struct emu_stats *st, const struct emu_plan *p);

/* EMU_F_LOST: the request is processed, then the connection is dropped (the answer is lost) */
enum emu_fault_kind { EMU_F_NONE, EMU_F_STATUS, EMU_F_DROP, EMU_F_MALFORMED, EMU_F_LOST };

/* What the plan decided for one request. */
struct emu_fault {
	enum emu_fault_kind kind;
	int status;             /* EMU_F_STATUS */
	enum emu_mal_kind mal;  /* EMU_F_MALFORMED */
	char retry_after[32];   /* status 429 */
	long long latency_ms;
};

/* Under lock (which guards p and st): count a request (method, url) and draw its fault from p into f. */
void emu_decide_fault(pthread_mutex_t *lock, struct emu_plan *p, struct emu_stats *st, const char *method,
		      const char *url, struct emu_fault *f);

/* ---------------------------------------------------------------- misc */

/* The token of "Authorization: Bearer TOKEN", or NULL. */
const char *emu_bearer(struct MHD_Connection *c);
/* Print "PROG: message" and exit with EMU_EXIT_FIXTURES. */
__attribute__((noreturn, format(printf, 1, 2))) void emu_fixture_fail(const char *fmt, ...);
/* Load a JSON file or fail; secret keeps file text out of the message. */
json_t *emu_load_fixture(const char *path, int secret);

/* ------------------------------------------------------------- replies */

/* Reason phrase for the common statuses 400-405, 429, 500-504; else "Error". */
const char *emu_status_title(int st);
/*
 * Apply a body-level malformation (notjson, truncated, wrongshape: body
 * becomes wrongshape; empty, html, notpdf) to a reply; 0 if done, -1 for
 * the other kinds (status401, status403: the caller's error bodies).
 */
int emu_malform_body(enum emu_mal_kind k, const char *wrongshape, struct emu_sb *body, unsigned *status,
		     const char **ctype);
/* MHD response that takes over body (emptied either way), with Content-Type ctype (NULL: JSON); NULL on failure. */
struct MHD_Response *emu_response(struct emu_sb *body, const char *ctype);
/* Queue resp with status (0: 500) on c and release it. */
enum MHD_Result emu_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp);
/* Latency/drop before replying: 1 suspended (return MHD_YES), -1 drop (MHD_NO), 0 reply now. */
int emu_hold(struct MHD_Connection *c, const struct emu_fault *f, int *delayed);

/* ------------------------------------------------------------ start-up */

/* What emu_main needs to know about one emulator. */
struct emu_app {
	const char *name;                                 /* program name (emu_prog) */
	const char *faults_env;                           /* variable with the default fault plan */
	struct emu_plan *plan;                            /* receives the initial fault plan */
	void (*usage)(FILE *f);                           /* help text */
	int (*option)(const char *name, const char *val); /* other "--name" options, 0 if known; may be NULL */
	void (*load)(const char *fixtures);               /* load --fixtures or exit */
	MHD_AccessHandlerCallback on_request;
	void (*free_req)(void *req);                      /* per-connection state set by on_request */
	void (*on_port)(unsigned port);                   /* the port, before and after binding; may be NULL */
	void (*cleanup)(void);                            /* after the daemon stopped */
};

/*
 * The whole life of an emulator: parse the flags (--fixtures, --port,
 * --port-file, --faults, --threads, --watch-pid, --help, --version), load
 * the fixtures, listen on 127.0.0.1 (MHD thread pool, suspend/resume for
 * latency), write the port file atomically, print "listening on", run until
 * SIGINT/SIGTERM or the watched process is gone, then shut down.  Returns
 * the exit status; usage errors exit EMU_EXIT_USAGE.
 */
int emu_main(int argc, char **argv, const struct emu_app *app);
/* Print "PROG: msg[: arg]" and the usage to stderr; exit EMU_EXIT_USAGE. */
__attribute__((noreturn)) void emu_bad_usage(const char *msg, const char *arg);

#endif
