/* lp_cli.h - program name, diagnostics and the exit codes every loketpipe filter shares.
 *
 * Diagnostics go to stderr as "PROG: message". Errors about input name the place:
 * "PROG: FILE:LINE: FIELD: message". Nothing here ever prints a secret: callers pass
 * only paths, field names and values that are not credentials.
 */
#ifndef LP_CLI_H
#define LP_CLI_H

#include <stdarg.h>
#include <stdio.h>

#define LP_VERSION "0.1.0"

/* Exit codes, the same for every program (documented in man/loketpipe.7). */
enum lp_exit {
	LP_EXIT_OK = 0,       /* done, everything complete */
	LP_EXIT_FINDINGS = 1, /* ran to the end, but found errors in the data (sync blocked) */
	LP_EXIT_USAGE = 2,    /* bad command line */
	LP_EXIT_DATA = 3,     /* bad input data: not NDJSON, wrong type, missing field */
	LP_EXIT_CONFIG = 4,   /* bad configuration, credentials file or permissions */
	LP_EXIT_REMOTE = 5,   /* remote API failed, answered nonsense or the data came incomplete */
	LP_EXIT_AUTH = 6,     /* the remote API refused the credentials: re-authorisation needed */
	LP_EXIT_IO = 7,       /* local I/O error, out of memory */
	LP_EXIT_BUSY = 8      /* another run holds this client's lock */
};

extern const char *lp_prog;
/* The errno of the first failed write or flush of standard output (0: none): a message may
 * flush it (lp_warn does) long before the program notices (lp_ndjson's lp_out_error). */
extern int lp_stdout_errno;

/* The start of every program: the program name for messages; lp_secret_harden() (no core
 * dumps, wiped frees); and the memory bound: RLIMIT_AS (address space) lowered to
 * LOKETPIPE_MAX_MEMORY (bytes, or with a K, M, G or T suffix, powers of 1024; 0 or
 * "unlimited": no bound of ours; default LP_MAX_MEMORY_DEFAULT), never raised. An allocation
 * beyond it fails as "out of memory", exit 7. Builds with AddressSanitizer, whose shadow
 * memory needs terabytes of address space, set no bound. A bad value: exit 4. */
#define LP_MAX_MEMORY_DEFAULT (4ULL << 30)
void lp_init(const char *argv0);
/* The bound lp_init set in bytes (0: none of ours). */
unsigned long long lp_max_memory(void);
/* "PROG: out of memory (LOKETPIPE_MAX_MEMORY ...)" and exit 7. */
_Noreturn void lp_oom(void);
void lp_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lp_vwarn(const char *fmt, va_list ap);
_Noreturn void lp_die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "PROG: FILE:LINE: FIELD: message"; line 0 and NULL field are left out. */
void lp_warn_at(const char *file, unsigned long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same, then exit with code: "PROG: WHERE: FIELD: message", where is "FILE:LINE" (or any
 * place), a NULL field is left out. For bad input: code is LP_EXIT_DATA. */
_Noreturn void lp_die_at(int code, const char *where, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* --help prints usage to stdout and exits 0; a usage error prints it to stderr, exits 2. */
_Noreturn void lp_usage_exit(const char *usage, int code);
/* A usage error: "PROG: message", then usage (when not NULL), then "Try 'PROG --help' for more
 * information.", all on stderr; exit 2. */
_Noreturn void lp_usage_die(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void lp_version_exit(void);
/* The options of a report (report, batch-report): --html (sets *html), --title T (returned;
 * def when not given), --help (usage), --version; exit 2 with usage on anything else.
 * optind is left at the first operand. */
const char *lp_report_opts(int argc, char **argv, const char *usage, const char *def, int *html);

/* Allocation that never returns NULL: on failure the program exits with LP_EXIT_IO. */
void *lp_xmalloc(size_t n);
void *lp_xrealloc(void *p, size_t n);
char *lp_xstrdup(const char *s);
char *lp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a non-negative decimal integer option value; exits 2 on nonsense. */
long lp_opt_long(const char *opt, const char *val, long min, long max);

#endif
