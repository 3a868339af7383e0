/* fetch-documents - Loket -> the client's document directory (DOC1): the payslips of every
 * approved payroll run and the year-end statements of every employment of the payroll
 * administration, as PDF files and one loket.document record each.
 *
 * Reads (lib/lp_loket_get, lists paged and checked against totalSize): the employer's
 * employments (the configured administration's kept), the administration's payroll runs,
 * then per employment its payslip list and its year-end statement list. What is in scope:
 *   - a payslip whose run is listed and approved, whose period ends on or after
 *     documents.from and whose run's availableForEmployeeDate is on or before --as-of. A run
 *     without that date is held back (never a guess), as is a payslip of a run that is not
 *     approved or not listed: each is counted and an issue (DOC1, info) names the employee
 *     number, the period and why;
 *   - a year-end statement of year Y when Y-12-31 >= documents.from and Y < the year of --as-of.
 * The document directory (0700) holds the PDFs (0600; written to a temporary name, fsync'd,
 * renamed, the directory fsync'd) named after the key and the first 16 hex digits of their
 * sha256, and index.ndjson (lib/lp_crcline): one line per file fetched (key, sha256, size,
 * file, file_name, and for a year-end statement the approved runs of its year then). A
 * payslip whose key is in the index with its file unchanged is not fetched again; a year-end
 * statement only when the approved runs of its year changed since (Loket re-issues it after a
 * correction run) or with --refetch-yearend. Every document in scope gets a record, sorted by
 * key, fetched now or before; then stream_end. Lists are held in memory (a few hundred
 * items per administration); a PDF is held one at a time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_employment.h"
#include "lp_le_payslip.h"
#include "lp_le_run.h"
#include "lp_le_yearend.h"
#include "lp_lock.h"
#include "lp_loket_get.h"
#include "lp_ndjson.h"
#include "lp_oauth.h"
#include "lp_sha256.h"

#define INDEX_NAME "index.ndjson"

/* how long a year-end statement is fetched again (once per --as-of day) after the approved runs
 * of its year changed: Loket's re-issue may follow the correction run by days (UNCONFIRMED) */
#define YEAREND_WATCH_DAYS 31

static const char usage[] =
	"Usage: fetch-documents --config FILE [OPTION]...\n"
	"Loket -> the client's document directory (DOC1): the payslips of the approved payroll\n"
	"runs and the year-end statements of every employment of the payroll administration,\n"
	"from documents.from (default compensation.start_date) up to --as-of, as PDF files and\n"
	"one loket.document record each (sorted by key, fetched now or on an earlier run), then\n"
	"a stream_end record. A payslip is never fetched before its run's availableForEmployeeDate.\n"
	"\n"
	"  -c, --config FILE    client configuration (loket.*, documents.from, documents.dir)\n"
	"      --as-of DATE     the reference date, YYYY-MM-DD (default: today, UTC)\n"
	"      --dir DIR        the document directory (default: documents.dir); made 0700\n"
	"      --only NUMBER    only the employments of this employee number\n"
	"      --refetch-yearend  fetch every year-end statement in scope again\n"
	"      --base-url URL   Loket API base (default: config, else https://api.loket.nl/v2)\n"
	"      --record DIR     store every raw API response in DIR (0700/0600; PDFs too)\n"
	"      --replay DIR     answer every request from DIR instead of the network\n"
	"      --audit FILE     append to this audit log (default: the config's audit_log)\n"
	"      --actor NAME     who runs it, for the audit log (default: $USER)\n"
	"  -v, --verbose        report counts, what was held back and why, on stderr\n"
	"  -h, --help           show this help and exit\n"
	"  -V, --version        show the version and exit\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 complete; 2 usage; 3 the index is damaged; 4 configuration, token file or\n"
	"a document directory with group/other access; 5 Loket failed (the stream ends with\n"
	"complete:false) or a document was not a good PDF (issue records; the others are\n"
	"written); 6 Loket refused the token: run loket-auth; 7 local I/O error (a full disk:\n"
	"nothing half-written is kept); 8 another run for this client holds its lock.\n"
	"See fetch-documents(1), loketpipe(7).\n";

/* N_LATER: payslips of approved runs not yet available to the employee on --as-of;
 * N_HELD: payslips held back with an issue (run not listed, not approved, without a date) */
enum { N_EM, N_SLIP, N_YE, N_FETCHED, N_KEPT, N_LATER, N_HELD, N_BAD, N__ };
static const char *const count_names[N__] = {"employments", "payslips", "yearend_statements", "fetched",
					     "already_fetched", "not_yet_available", "held_back", "bad_documents"};

struct emp {
	char *id;
	long long num;
};

struct run_i {
	char id[37];
	int year, period, approved, correction;
	long long seq;
	lp_date available;
};

struct doc {
	char *key;
	int yearend;
	const struct emp *em;
	const struct run_i *run; /* payslip */
	int year, period;
	lp_date start, end;
	json_t *runs; /* yearend: the approved run ids of its year, sorted */
};

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_oauth *oauth;
	lp_loket_get g;
	lp_audit *audit;
	lp_crclog *idx;
	json_t *index; /* key -> its latest index line */
	char *index_path;
	lp_date as_of, from;
	long long only;
	int verbose, refetch;
	char *dir;
	int dirfd;
	struct emp *ems;
	size_t nem, cem;
	struct run_i *runs;
	size_t nrun, crun;
	struct doc *docs;
	size_t ndoc, cdoc;
	const struct emp *cur; /* the employment whose list is read */
	unsigned long n[N__];
};

static json_t *counts(const struct run *r)
{
	return lp_stream_counts(count_names, r->n, N__);
}

static void cleanup(void *ctx)
{
	struct run *r = ctx;
	lp_oauth_free(r->oauth);
	r->oauth = NULL;
}

static _Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static _Noreturn void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_stream_vfail(r->cfg->client, "loket", counts(r), code, cleanup, r, fmt, ap);
}

static void get_fail(void *ctx, int code, const char *msg) { fail(ctx, code, "%s", msg); }

static void out(struct run *r, json_t *rec)
{
	if (lp_out_new(rec))
		fail(r, LP_EXIT_IO, "%s", lp_out_error());
}

/* An issue about one document or payslip (DOC1); num < 0: no employee number known. */
static void issue(struct run *r, const char *sev, long long num, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static void issue(struct run *r, const char *sev, long long num, const char *field, const char *hint, const char *fmt, ...)
{
	char nb[24] = "?";
	if (num >= 0)
		snprintf(nb, sizeof nb, "%lld", num);
	va_list ap;
	va_start(ap, fmt);
	json_t *o = lp_vissuef(r->cfg->client, sev, "DOC1", NULL, num >= 0 ? nb : NULL, field, hint, fmt, ap);
	va_end(ap);
	if (r->verbose || !strcmp(sev, "error"))
		lp_warn("%s: employee %s: %s", r->cfg->client, nb, lp_json_str(o, "message"));
	out(r, o);
}

/* ---- the document directory and its index */

/* mkdir -p with 0700 for what it makes */
static int make_dirs(const char *path)
{
	char *p = lp_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0700) && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

static void open_dir(struct run *r, const char *dir)
{
	if (make_dirs(dir))
		lp_die(LP_EXIT_IO, "%s: document directory %s: cannot create: %s", r->cfg->client, dir, strerror(errno));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		lp_die(errno == ENOTDIR || errno == ELOOP ? LP_EXIT_CONFIG : LP_EXIT_IO,
		       "%s: document directory %s: %s", r->cfg->client, dir, strerror(errno));
	if (st.st_mode & 077)
		lp_die(LP_EXIT_CONFIG, "%s: document directory %s has group or other access (mode %03o); chmod 700 it",
		       r->cfg->client, dir, (unsigned)(st.st_mode & 0777));
	if (st.st_uid != geteuid())
		lp_die(LP_EXIT_CONFIG, "%s: document directory %s belongs to another user", r->cfg->client, dir);
	char *abs = realpath(dir, NULL);
	if (!abs)
		lp_die(LP_EXIT_IO, "%s: document directory %s: %s", r->cfg->client, dir, strerror(errno));
	r->dir = abs;
	r->dirfd = fd;
	/* temporary files a killed run left (the lock is ours: no other run writes here) */
	DIR *dp = opendir(abs);
	struct dirent *de;
	while (dp && (de = readdir(dp)) != NULL)
		if (!strncmp(de->d_name, ".tmp-", 5) && unlinkat(fd, de->d_name, 0) == 0 && r->verbose)
			lp_warn("%s: %s/%s: a temporary file of a stopped run, removed", r->cfg->client, abs, de->d_name);
	if (dp)
		closedir(dp);
}

static int hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* a file name the index may name: made by this program (letters, digits, '-', '.', no
 * leading dot) */
static int own_name(const char *s)
{
	if (!s || !*s || *s == '.' || strlen(s) > 200)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '.'))
			return 0;
	return 1;
}

static int index_line(json_t *o, unsigned long line, void *ctx)
{
	struct run *r = ctx;
	const char *key = lp_json_str(o, "key"), *sha = lp_json_str(o, "sha256"), *file = lp_json_str(o, "file");
	json_t *size = json_object_get(o, "size");
	if (!key || strncmp(key, "loket:", 6) || !hex64(sha) || !own_name(file) || !json_is_integer(size) ||
	    json_integer_value(size) <= 0) {
		lp_warn_at(r->index_path, line, NULL, "not an index line of fetch-documents (key, sha256, size, file)");
		return LP_EXIT_DATA;
	}
	json_object_set_new(r->index, key, json_deep_copy(o));
	return 0;
}

static void open_index(struct run *r)
{
	r->index_path = lp_xasprintf("%s/%s", r->dir, INDEX_NAME);
	int rc = lp_crclog_open(r->index_path, "index", index_line, r, &r->idx);
	if (rc)
		fail(r, rc, "the document index cannot be used (see above); nothing was fetched");
	if (lp_crclog_torn(r->idx))
		lp_warn("%s: %s: a torn last line (a run was stopped while writing it) was cut off; its document is fetched again",
			r->cfg->client, lp_crclog_path(r->idx));
}

/* sha256 and size of the file name in the directory: 0, or -1 with errno (ENOENT: gone) */
static int file_hash(struct run *r, const char *name, char hex[65], long long *size)
{
	int fd = openat(r->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	lp_sha256_ctx c;
	lp_sha256_init(&c);
	char buf[65536];
	ssize_t n;
	long long total = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		lp_sha256_update(&c, buf, (size_t)n);
		total += n;
	}
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	unsigned char d[32];
	lp_sha256_final(&c, d);
	lp_sha256_tohex(d, hex);
	*size = total;
	return 0;
}

/* Write body as name in the directory: a temporary file ".tmp-NAME" (0600), fsync, rename,
 * fsync of the directory. 0, or -1 with errno (the temporary file removed). */
static int write_file(struct run *r, const char *name, const char *body, size_t len)
{
	char *tmp = lp_xasprintf("%s/.tmp-%s", r->dir, name), *fin = lp_xasprintf("%s/%s", r->dir, name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), e = 0;
	if (fd < 0)
		e = errno;
	for (size_t off = 0; !e && off < len;) {
		ssize_t w = write(fd, body + off, len - off);
		if (w < 0 && errno != EINTR)
			e = errno;
		else if (w > 0)
			off += (size_t)w;
	}
	if (fd >= 0 && !e && fsync(fd))
		e = errno;
	if (fd >= 0 && close(fd) && !e)
		e = errno;
	if (!e && rename(tmp, fin))
		e = errno;
	if (e)
		unlink(tmp);
	else if (fsync(r->dirfd))
		e = errno;
	free(tmp);
	free(fin);
	errno = e;
	return e ? -1 : 0;
}

/* ---- reading Loket */

static void employment(json_t *it, void *ctx)
{
	struct run *r = ctx;
	const char *want = r->cfg->loket.payroll_administration_id, *paid = lp_le_employment_admin(it);
	const char *id = lp_json_str(it, "id");
	json_t *num = json_object_get(lp_json_obj(it, "employee"), "employeeNumber");
	if (want && (!paid || strcmp(paid, want)))
		return;
	if (!json_is_integer(num) || json_integer_value(num) < 0 || !id || !lp_le_uuid_ok(id)) {
		/* one bad employment is left out (an issue); the others go on */
		r->n[N_BAD]++;
		issue(r, "error", json_is_integer(num) ? (long long)json_integer_value(num) : -1, json_is_integer(num) ? "id" : "employee.employeeNumber",
		      NULL, "GET employments: employment %.40s left out: it has no uuid id or no employee.employeeNumber",
		      id && lp_le_uuid_ok(id) ? id : "(without a usable id)");
		return;
	}
	if (r->only >= 0 && json_integer_value(num) != r->only)
		return;
	for (size_t i = 0; i < r->nem; i++)
		if (!strcmp(r->ems[i].id, id))
			fail(r, LP_EXIT_REMOTE, "GET employments: employment %s came twice (the list changed while it was read)", id);
	if (r->nem == r->cem)
		r->ems = lp_xrealloc(r->ems, (r->cem = r->cem ? 2 * r->cem : 64) * sizeof *r->ems);
	r->ems[r->nem++] = (struct emp){lp_xstrdup(id), (long long)json_integer_value(num)};
}

static void payroll_run(json_t *it, void *ctx)
{
	struct run *r = ctx;
	lp_le_run_info ri;
	char err[300];
	if (lp_le_run_read(it, &ri, err, sizeof err))
		fail(r, LP_EXIT_REMOTE, "GET payrollruns: %s", err);
	if (r->nrun == r->crun)
		r->runs = lp_xrealloc(r->runs, (r->crun = r->crun ? 2 * r->crun : 32) * sizeof *r->runs);
	struct run_i *x = &r->runs[r->nrun++];
	memset(x, 0, sizeof *x);
	snprintf(x->id, sizeof x->id, "%s", ri.id);
	x->year = ri.year;
	x->period = ri.period;
	x->approved = ri.approved;
	x->seq = ri.seq_approved;
	x->available = ri.available;
}

static int run_order(const void *a, const void *b)
{
	const struct run_i *x = a, *y = b;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	if (x->approved != y->approved)
		return x->approved ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* the correction number of every approved run: 0 for the first of its period in Loket's
 * order of approval (sequenceNumberApproved), 1, 2 ... for the later ones */
static void number_runs(struct run *r)
{
	if (r->nrun)
		qsort(r->runs, r->nrun, sizeof *r->runs, run_order);
	for (size_t i = 0; i < r->nrun; i++) {
		struct run_i *x = &r->runs[i];
		if (!x->approved)
			continue;
		x->correction = 0;
		if (i > 0 && r->runs[i - 1].approved && r->runs[i - 1].year == x->year && r->runs[i - 1].period == x->period)
			x->correction = r->runs[i - 1].correction + 1;
		for (size_t j = 0; j < i; j++)
			if (!strcasecmp(r->runs[j].id, x->id))
				fail(r, LP_EXIT_REMOTE, "GET payrollruns: run %s came twice", x->id);
	}
}

static const struct run_i *run_by_id(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->nrun; i++)
		if (!strcasecmp(r->runs[i].id, id))
			return &r->runs[i];
	return NULL;
}

static struct doc *new_doc(struct run *r)
{
	if (r->ndoc == r->cdoc)
		r->docs = lp_xrealloc(r->docs, (r->cdoc = r->cdoc ? 2 * r->cdoc : 256) * sizeof *r->docs);
	struct doc *d = &r->docs[r->ndoc++];
	memset(d, 0, sizeof *d);
	d->em = r->cur;
	return d;
}

static void payslip(json_t *it, void *ctx)
{
	struct run *r = ctx;
	const struct emp *em = r->cur;
	lp_le_payslip_info pi;
	char err[300], a[16];
	if (lp_le_payslip_read(it, &pi, err, sizeof err)) {
		/* one bad item: this payslip is not fetched; the others are */
		r->n[N_BAD]++;
		issue(r, "error", em->num, "payrollPeriod", NULL, "GET payslips of employment %s: %s", em->id, err);
		return;
	}
	if (pi.end < r->from)
		return; /* before documents.from: not in scope */
	const struct run_i *x = run_by_id(r, pi.run_id);
	const char *why = NULL;
	if (!x)
		why = "its payroll run is not in the administration's list of runs";
	else if (!x->approved)
		why = "its payroll run is not approved";
	else if (x->available < 0)
		why = "its payroll run has no availableForEmployeeDate (never guessed)";
	if (why) {
		r->n[N_HELD]++;
		issue(r, "info", em->num, x ? "availableForEmployeeDate" : "payrollrunId", "fetched on a later run once Loket says when the employee may see it",
		      "payslip %d-%02d (run %s) held back: %s", pi.year, pi.period, pi.run_id, why);
		return;
	}
	if (x->available > r->as_of) {
		r->n[N_LATER]++;
		if (r->verbose)
			lp_warn("%s: employee %lld: payslip %d-%02d held back: available to the employee from %s", r->cfg->client,
				em->num, pi.year, pi.period, lp_date_fmt(x->available, a));
		return;
	}
	struct doc *d = new_doc(r);
	d->key = lp_xasprintf("loket:%s:%s:payslip:%s", r->cfg->loket.employer_id, em->id, x->id);
	d->run = x;
	d->year = pi.year;
	d->period = pi.period;
	d->start = pi.start;
	d->end = pi.end;
	r->n[N_SLIP]++;
}

static void yearend(json_t *it, void *ctx)
{
	struct run *r = ctx;
	const struct emp *em = r->cur;
	int y, ay, am, ad;
	char err[200];
	if (lp_le_yearend_read(it, &y, err, sizeof err)) {
		r->n[N_BAD]++;
		issue(r, "error", em->num, "year", NULL, "GET yearendstatements of employment %s: %s", em->id, err);
		return;
	}
	lp_date_ymd(r->as_of, &ay, &am, &ad);
	if (lp_date_from_ymd(y, 12, 31) < r->from || y >= ay)
		return;
	struct doc *d = new_doc(r);
	d->key = lp_xasprintf("loket:%s:%s:jaaropgaaf:%d", r->cfg->loket.employer_id, em->id, y);
	d->yearend = 1;
	d->year = y;
	d->start = lp_date_from_ymd(y, 1, 1);
	d->end = lp_date_from_ymd(y, 12, 31);
	d->runs = json_array();
	for (size_t i = 0; i < r->nrun; i++)
		if (r->runs[i].approved && r->runs[i].year == y)
			json_array_append_new(d->runs, json_string(r->runs[i].id));
	r->n[N_YE]++;
}

static int doc_order(const void *a, const void *b)
{
	return strcmp(((const struct doc *)a)->key, ((const struct doc *)b)->key);
}

/* ---- one document */

/* The file name Loket offered (Content-Disposition), sanitised: its last path component,
 * every byte but letters, digits, '.', '-' and '_' made '_', no leading dot, at most 120
 * bytes; NULL when nothing is left. Only ever a record's file_name, never a path. */
static char *offered_name(const char *disp)
{
	const char *p = disp;
	for (; (p = strcasestr(p, "filename")) != NULL; p += 8) {
		const char *q = p + 8;
		while (*q == ' ')
			q++;
		if (*q == '=')
			break;
	}
	if (!p)
		return NULL;
	p = strchr(p, '=') + 1;
	while (*p == ' ')
		p++;
	char v[512];
	size_t n = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"' && n < sizeof v - 1; p++) {
			if (*p == '\\' && p[1])
				p++;
			v[n++] = *p;
		}
	} else
		for (; *p && *p != ';' && *p != ' ' && n < sizeof v - 1; p++)
			v[n++] = *p;
	v[n] = '\0';
	const char *base = v;
	for (const char *s = v; *s; s++)
		if (*s == '/' || *s == '\\')
			base = s + 1;
	while (*base == '.')
		base++;
	char *o = lp_xmalloc(121);
	size_t m = 0;
	for (const unsigned char *s = (const unsigned char *)base; *s && m < 120; s++)
		o[m++] = ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '.' ||
			  *s == '-' || *s == '_')
				 ? (char)*s
				 : '_';
	o[m] = '\0';
	if (!m) {
		free(o);
		return NULL;
	}
	return o;
}

/* The PDF checks: NULL when good, else why not. */
static const char *bad_pdf(const lp_http_resp *rs)
{
	static char why[200];
	if (rs->status != 200) {
		snprintf(why, sizeof why, "Loket answered HTTP %ld", rs->status);
		return why;
	}
	if (strncasecmp(rs->ctype, "application/pdf", 15) || (rs->ctype[15] && rs->ctype[15] != ';' && rs->ctype[15] != ' ')) {
		snprintf(why, sizeof why, "the answer is not a PDF (Content-Type \"%.80s\")", rs->ctype);
		for (char *c = why; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
		return why;
	}
	if (rs->len == 0)
		return "the answer is empty";
	if (rs->len < 5 || memcmp(rs->body, "%PDF-", 5))
		return "the answer does not start with %PDF- (not a PDF)";
	size_t tail = rs->len < 1024 ? rs->len : 1024;
	const char *t = rs->body + rs->len - tail;
	int eof = 0;
	for (size_t i = 0; i + 5 <= tail; i++)
		if (!memcmp(t + i, "%%EOF", 5))
			eof = 1;
	if (!eof)
		return "the PDF has no %%EOF marker near its end (cut off?)";
	return NULL;
}

static json_t *record(struct run *r, const struct doc *d, const char *file, long long size, const char *sha,
		      const char *file_name)
{
	char a[16], b[16], c[16];
	char *path = lp_xasprintf("%s/%s", r->dir, file);
	const struct run_i *x = d->run;
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s?,s:i,s:o,s:s,s:s,s:i,s:o,s:s,s:I,s:s,s:s?}", "type",
			      "loket.document", "client", r->cfg->client, "key", d->key, "kind", d->yearend ? "yearend" : "payslip",
			      "employer_id", r->cfg->loket.employer_id, "employment_id", d->em->id, "employee_number",
			      (json_int_t)d->em->num, "payroll_run_id", x ? x->id : NULL, "year", d->year, "period",
			      d->yearend ? json_null() : json_integer(d->period), "period_start", lp_date_fmt(d->start, a),
			      "period_end", lp_date_fmt(d->end, b), "correction", x ? x->correction : 0, "available_from",
			      x ? json_string(lp_date_fmt(x->available, c)) : json_null(), "file", path, "size", (json_int_t)size,
			      "sha256", sha, "file_name", file_name);
	free(path);
	return o;
}

/* An index line of a year-end statement still watched: within its watch_until and not yet
 * looked at on this --as-of */
static int watched(const struct run *r, const json_t *e)
{
	lp_date until, seen;
	const char *w = lp_json_str(e, "watch_until"), *a = lp_json_str(e, "as_of");
	return w && a && !lp_date_parse(w, &until) && !lp_date_parse(a, &seen) && r->as_of <= until && r->as_of > seen;
}

static void one(struct run *r, struct doc *d)
{
	json_t *e = json_object_get(r->index, d->key);
	const char *what = d->yearend ? "year-end statement" : "payslip";
	char ident[64];
	if (d->yearend)
		snprintf(ident, sizeof ident, "%s %d", what, d->year);
	else
		snprintf(ident, sizeof ident, "%s %d-%02d%s", what, d->year, d->period, d->run->correction ? " (correction)" : "");
	if (e) {
		char hex[65];
		long long size;
		const char *f = lp_json_str(e, "file");
		if (file_hash(r, f, hex, &size)) {
			if (errno != ENOENT)
				fail(r, LP_EXIT_IO, "%s/%s: %s", r->dir, f, strerror(errno));
			lp_warn("%s: employee %lld: %s: %s/%s is gone; fetching it again", r->cfg->client, d->em->num, ident, r->dir, f);
		} else if (strcmp(hex, lp_json_str(e, "sha256")) || size != json_integer_value(json_object_get(e, "size"))) {
			lp_warn("%s: employee %lld: %s: %s/%s was changed on disk; fetching it again", r->cfg->client, d->em->num,
				ident, r->dir, f);
		} else if (!d->yearend || (!r->refetch && json_equal(d->runs, json_object_get(e, "runs")) && !watched(r, e))) {
			r->n[N_KEPT]++;
			out(r, record(r, d, f, size, hex, lp_json_str(e, "file_name")));
			return;
		}
	}
	char *target = d->yearend ? lp_le_yearend_pdf(d->em->id, d->year) : lp_le_payslip_pdf(d->em->id, d->run->id);
	if (!target) /* ids checked when read: cannot happen */
		fail(r, LP_EXIT_REMOTE, "employment %s: not a path of ids", d->em->id);
	lp_http_resp rs;
	char err[700];
	const char *why = NULL;
	if (lp_loket_get_raw(&r->g, target, LP_LE_PDF_ACCEPT, &rs, err, sizeof err)) {
		why = err;
		memset(&rs, 0, sizeof rs);
	} else
		why = bad_pdf(&rs);
	free(target);
	if (why) {
		r->n[N_BAD]++;
		issue(r, "error", d->em->num, NULL, "nothing was stored for it; it is fetched again on the next run",
		      "%s (%s): %s", ident, d->key, why);
		lp_http_resp_free(&rs);
		return;
	}
	char sha[65];
	lp_sha256_hex(rs.body, rs.len, sha);
	char *name = d->yearend ? lp_xasprintf("yearend-%s-%d-%.16s.pdf", d->em->id, d->year, sha)
				: lp_xasprintf("payslip-%s-%s-%.16s.pdf", d->em->id, d->run->id, sha);
	char *offered = offered_name(rs.disposition);
	if (!offered)
		offered = d->yearend ? lp_xasprintf("Jaaropgaaf_%lld_%d.pdf", d->em->num, d->year)
				     : lp_xasprintf("Loonstrook_%lld_%d-%02d.pdf", d->em->num, d->year, d->period);
	if (write_file(r, name, rs.body, rs.len)) {
		int en = errno;
		lp_http_resp_free(&rs);
		fail(r, LP_EXIT_IO, "%s/%s: %s (nothing of it is kept)", r->dir, name, strerror(en));
	}
	long long size = (long long)rs.len;
	lp_http_resp_free(&rs);
	/* retrieved: audited before the index line, so a run stopped in between fetches it again
	 * and audits that too (every retrieval has its event) */
	json_t *ev = json_pack("{s:I,s:s,s:i,s:o,s:s,s:s,s:I}", "employee_number", (json_int_t)d->em->num, "kind",
			       d->yearend ? "yearend" : "payslip", "year", d->year, "period",
			       d->yearend ? json_null() : json_integer(d->period), "key", d->key, "sha256", sha, "size",
			       (json_int_t)size);
	if (!d->yearend)
		json_object_set_new(ev, "correction", json_integer(d->run->correction));
	lp_audit_event(r->audit, "document.retrieved", ev);
	/* a year-end statement whose year's runs changed is watched for YEAREND_WATCH_DAYS: Loket
	 * may issue it again days after the correction run, not on its day */
	const char *watch = NULL;
	char wbuf[16];
	if (d->yearend && (!e || !json_equal(d->runs, json_object_get(e, "runs"))) && e)
		watch = lp_date_fmt(r->as_of + YEAREND_WATCH_DAYS, wbuf);
	else if (d->yearend && e && lp_json_str(e, "watch_until"))
		watch = lp_json_str(e, "watch_until");
	/* a line when something it says is new: the file, a year-end statement's runs, or the day
	 * a watched one was looked at */
	if (!e || strcmp(lp_json_str(e, "sha256"), sha) || strcmp(lp_json_str(e, "file"), name) ||
	    (d->yearend && !json_equal(d->runs, json_object_get(e, "runs"))) || (d->yearend && watch)) {
		char a[16];
		json_t *line = json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "key", d->key, "kind", d->yearend ? "yearend" : "payslip",
					 "sha256", sha, "size", (json_int_t)size, "file", name, "file_name", offered, "as_of",
					 lp_date_fmt(r->as_of, a));
		if (d->yearend)
			json_object_set(line, "runs", d->runs);
		if (watch)
			json_object_set_new(line, "watch_until", json_string(watch));
		if (lp_crclog_append(r->idx, line) || lp_crclog_sync(r->idx)) {
			int en = errno;
			json_decref(line);
			fail(r, LP_EXIT_IO, "%s: %s (the file %s is not in the index; it is fetched again next time)",
			     lp_crclog_path(r->idx), strerror(en), name);
		}
		json_object_set_new(r->index, d->key, line);
	}
	r->n[N_FETCHED]++;
	out(r, record(r, d, name, size, sha, offered));
	free(name);
	free(offered);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"base-url", required_argument, 0, 'b'},
		{"as-of", required_argument, 0, 'a'}, {"dir", required_argument, 0, 'd'},
		{"only", required_argument, 0, 'o'}, {"refetch-yearend", no_argument, 0, 'R'},
		{"audit", required_argument, 0, 'U'}, {"actor", required_argument, 0, 'A'},
		{"record", required_argument, 0, 'r'}, {"replay", required_argument, 0, 'p'},
		{"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, 'h'},
		{"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *base = NULL, *as_of = NULL, *dir = NULL, *audit = NULL, *actor = NULL, *rec_dir = NULL,
		   *rep_dir = NULL;
	struct run r;
	memset(&r, 0, sizeof r);
	r.only = -1;
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'b': base = optarg; break;
		case 'a': as_of = optarg; break;
		case 'd': dir = optarg; break;
		case 'o': r.only = lp_opt_long("--only", optarg, 0, LONG_MAX); break;
		case 'R': r.refetch = 1; break;
		case 'U': audit = optarg; break;
		case 'A': actor = optarg; break;
		case 'r': rec_dir = optarg; break;
		case 'p': rep_dir = optarg; break;
		case 'v': r.verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "--config is required");
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s'", argv[optind]);
	if (rec_dir && rep_dir)
		lp_usage_die(usage, "--record and --replay exclude each other");
	r.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	r.cfg = lp_config_load(config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	const lp_config *cfg = r.cfg;
	if (!cfg->loket.employer_id || !lp_le_uuid_ok(cfg->loket.employer_id))
		lp_die(LP_EXIT_CONFIG, "%s: loket.employer_id: a uuid is required", cfg->path);
	if (!cfg->loket.payroll_administration_id || !lp_le_uuid_ok(cfg->loket.payroll_administration_id))
		lp_die(LP_EXIT_CONFIG, "%s: loket.payroll_administration_id: a uuid is required", cfg->path);
	if (!dir)
		dir = cfg->documents.dir;
	if (!dir)
		lp_die(LP_EXIT_CONFIG, "%s: documents.dir: no document directory (set it, or loket.token_file, or give --dir)",
		       cfg->path);
	r.from = cfg->documents.from;
	lp_loket_get_open(&r.g, cfg, base, rec_dir, rep_dir, get_fail, &r); /* takes the client's lock unless replaying */
	r.http = r.g.http;
	r.oauth = r.g.oauth;
	if (rep_dir) /* no login; the directory is still written by one run at a time */
		lp_lock_client(cfg->client, cfg->loket.lock_file);
	r.audit = lp_audit_open(audit ? audit : cfg->audit_log, actor, cfg->client);
	open_dir(&r, dir);
	r.index = json_object();
	open_index(&r);

	char *p = lp_le_employment_list(cfg->loket.employer_id);
	lp_loket_get_list(&r.g, p, NULL, 1, employment, &r);
	free(p);
	r.n[N_EM] = r.nem;
	p = lp_le_run_list(cfg->loket.payroll_administration_id);
	lp_loket_get_list(&r.g, p, NULL, 1, payroll_run, &r);
	free(p);
	number_runs(&r);
	for (size_t i = 0; i < r.nem; i++) {
		r.cur = &r.ems[i];
		p = lp_le_payslip_list(r.cur->id);
		lp_loket_get_list(&r.g, p, NULL, 1, payslip, &r);
		free(p);
		p = lp_le_yearend_list(r.cur->id);
		lp_loket_get_list(&r.g, p, NULL, 1, yearend, &r);
		free(p);
	}
	if (r.ndoc)
		qsort(r.docs, r.ndoc, sizeof *r.docs, doc_order);
	for (size_t i = 1; i < r.ndoc; i++)
		if (!strcmp(r.docs[i - 1].key, r.docs[i].key))
			fail(&r, LP_EXIT_REMOTE, "Loket listed the document %s twice (the list changed while it was read?)", r.docs[i].key);
	for (size_t i = 0; i < r.ndoc; i++)
		one(&r, &r.docs[i]);

	out(&r, lp_stream_end(cfg->client, "loket", 1, counts(&r), NULL));
	int oc = lp_out_close();
	if (r.verbose)
		lp_warn("%s: %lu employments; %lu payslips and %lu year-end statements in scope, %lu fetched, %lu already "
			"fetched; %lu payslips not yet available, %lu held back (issues), %lu bad documents; %lu HTTP requests "
			"(+%lu token)",
			cfg->client, r.n[N_EM], r.n[N_SLIP], r.n[N_YE], r.n[N_FETCHED], r.n[N_KEPT], r.n[N_LATER], r.n[N_HELD],
			r.n[N_BAD], lp_http_requests(r.http), r.oauth ? lp_oauth_requests(r.oauth) : 0UL);
	int rc = oc ? oc : r.n[N_BAD] ? LP_EXIT_REMOTE : 0;
	for (size_t i = 0; i < r.ndoc; i++) {
		free(r.docs[i].key);
		json_decref(r.docs[i].runs);
	}
	free(r.docs);
	for (size_t i = 0; i < r.nem; i++)
		free(r.ems[i].id);
	free(r.ems);
	free(r.runs);
	json_decref(r.index);
	lp_crclog_close(r.idx);
	close(r.dirfd);
	free(r.dir);
	free(r.index_path);
	lp_audit_close(r.audit);
	lp_oauth_free(r.oauth);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	return rc;
}
