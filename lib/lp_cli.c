/* lp_cli.c - see lp_cli.h */
#include "lp_cli.h"

#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lp_secret.h"

#if defined(__SANITIZE_ADDRESS__)
#define LP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LP_ASAN 1
#endif
#endif

const char *lp_prog = "loketpipe";

static unsigned long long max_memory;

unsigned long long lp_max_memory(void) { return max_memory; }

/* LOKETPIPE_MAX_MEMORY: "4G", "512M", "1073741824", "0" or "unlimited" (no bound) */
static void bound_memory(void)
{
	const char *v = getenv("LOKETPIPE_MAX_MEMORY");
	unsigned long long b = LP_MAX_MEMORY_DEFAULT;
	if (v && *v) {
		char *end;
		errno = 0;
		unsigned long long x = strtoull(v, &end, 10);
		int shift = 0;
		if (!strcmp(v, "unlimited"))
			x = 0, end = (char *)v + strlen(v);
		else if (*end && !end[1]) {
			const char *u = strchr("KMGT", *end == 'k' ? 'K' : *end);
			shift = u ? 10 * (int)(u - "KMGT" + 1) : -1;
			end += u ? 1 : 0;
		}
		if (errno || end == v || *end || v[0] == '-' || shift < 0 || (shift && x > (~0ULL >> shift)))
			lp_die(LP_EXIT_CONFIG, "LOKETPIPE_MAX_MEMORY: '%s' is not a size: bytes, or with a K, M, G or T suffix "
			       "(e.g. 4G), or 0 for no bound", v);
		b = x << shift;
	}
#ifdef LP_ASAN
	b = 0; /* the sanitizer's shadow memory needs terabytes of address space */
#endif
	max_memory = 0;
	struct rlimit rl;
	if (!b || getrlimit(RLIMIT_AS, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= b) {
		max_memory = rl.rlim_cur; /* already lower: kept */
		return;
	}
	rl.rlim_cur = b;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < b)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_AS, &rl) == 0)
		max_memory = rl.rlim_cur;
}

void lp_oom(void)
{
	if (max_memory)
		lp_die(LP_EXIT_IO, "out of memory (the bound is %llu MiB: LOKETPIPE_MAX_MEMORY)", max_memory >> 20);
	lp_die(LP_EXIT_IO, "out of memory");
}

void lp_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;
	lp_prog = s ? s + 1 : (argv0 ? argv0 : "loketpipe");
	/* Filters free a client's records and parse the next: keeping freed heap instead of
	 * trimming it back to the kernel each time saves a quarter of the run time. Untouched
	 * pages are not resident, so peak RSS does not change. */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 64 << 20);
	mallopt(M_MXFAST, 0);
	lp_secret_harden();
	bound_memory();
}

int lp_stdout_errno;

/* stdout before a message on stderr, so that the two stay in order; a failure is kept */
static void flush_stdout(void)
{
	int e = errno;
	errno = 0;
	if (fflush(stdout) != 0 && !lp_stdout_errno)
		lp_stdout_errno = errno ? errno : EIO;
	errno = e;
}

void lp_vwarn(const char *fmt, va_list ap)
{
	flush_stdout();
	fprintf(stderr, "%s: ", lp_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lp_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_vwarn(fmt, ap);
	va_end(ap);
}

void lp_die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_vwarn(fmt, ap);
	va_end(ap);
	exit(code);
}

static void vwarn_at(const char *file, unsigned long line, const char *field, const char *fmt, va_list ap)
{
	flush_stdout();
	fprintf(stderr, "%s: %s", lp_prog, file ? file : "-");
	if (line)
		fprintf(stderr, ":%lu", line);
	if (field && *field)
		fprintf(stderr, ": %s", field);
	fputs(": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void lp_warn_at(const char *file, unsigned long line, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(file, line, field, fmt, ap);
	va_end(ap);
}

void lp_die_at(int code, const char *where, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(where, 0, field, fmt, ap);
	va_end(ap);
	exit(code);
}

void lp_usage_exit(const char *usage, int code)
{
	FILE *f = code == 0 ? stdout : stderr;
	fputs(usage, f);
	if (code != 0)
		fprintf(stderr, "Try '%s --help' for more information.\n", lp_prog);
	exit(code);
}

void lp_usage_die(const char *usage, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_vwarn(fmt, ap);
	va_end(ap);
	lp_usage_exit(usage ? usage : "", LP_EXIT_USAGE);
}

void lp_version_exit(void)
{
	printf("%s (loketpipe) %s\n", lp_prog, LP_VERSION);
	exit(0);
}

void *lp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		lp_oom();
	return p;
}

void *lp_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		lp_oom();
	return p;
}

char *lp_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		lp_oom();
	return p;
}

char *lp_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		lp_oom();
	return p;
}

long lp_opt_long(const char *opt, const char *val, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < min || v > max)
		lp_usage_die(NULL, "%s: expected a whole number from %ld to %ld, got '%s'", opt, min, max, val);
	return v;
}

const char *lp_report_opts(int argc, char **argv, const char *usage, const char *def, int *html)
{
	static const struct option opts[] = {{"html", no_argument, 0, 'H'}, {"title", required_argument, 0, 't'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *title = def;
	int c;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case 'H': *html = 1; break;
		case 't': title = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	return title;
}
