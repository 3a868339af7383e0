/* mark.c - journal-export -c: the per-client ledger, the J2 link audit, and with
 * --mark-exported the exactly-once export (issue 14 item 3).
 *
 * The state machine of one export (journal-export(1), EXACTLY ONCE):
 *   1. every output rendered and written to "FILE.jx-tmp" (0600) and fsync'd;
 *   2. an "intent" ledger line per run exported (the final paths, their sha256, the temporary
 *      paths, rerun, as-of), fsync'd;
 *   3. each temporary file linked to its final name (link(2): an existing file is never
 *      replaced; EEXIST refuses the export, exit 7) and unlinked; the directories fsync'd;
 *   4. a "written" line per run, fsync'd; the audit event journal.exported;
 *   5. per run: GET it (read before write); 7 -> "marked" without a PATCH; 4 -> PATCH
 *      MarkAsProcessed, GET again: 7 -> "marked" (audit journal.marked).
 * A resumed run reads the ledger: "marked" is never exported again; "written" (or an intent
 * whose files are all in place, or can be put in place from their temporary files, with the
 * recorded sha256) is only marked; any other intent is exported again.
 */
#define _POSIX_C_SOURCE 200809L
#include "je.h"
#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_emit.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_le_journal.h"
#include "lp_lock.h"
#include "lp_ndjson.h"
#include "lp_loket.h"
#include "lp_loket_get.h"
#include "lp_oauth.h"
#include "lp_sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum lst { L_NONE, L_INTENT, L_WRITTEN, L_MARKED };
static const char *const lst_names[] = {"none", "intent", "written", "marked"};

struct lrun {          /* what the ledger says of one run */
	char *id;
	enum lst st;
	json_t *files;     /* the last intent's files [{path, sha256, tmp}] */
	unsigned long line;
	long seq, year, period; /* from the intent */
};

enum { C_EXPORTED, C_MARKED, C_RERUN, C_REFUSED, C_NONE, C_PATCHES, C_N };
static const char *const count_names[C_N] = {"exported", "marked", "rerun", "refused", "none", "patches"};

static struct {
	lp_config *cfg;
	const struct je_mark_opts *mo;
	char *lpath;
	lp_crclog *ledger;
	LP_VEC(struct lrun) lr;
	int have_link;
	char *link_to;     /* the last link recorded (NULL: none or revoked) */
	lp_audit *audit;
	lp_loket_get g;
	int g_open;
	unsigned long n[C_N];
	int findings, remote;
	char **fin, **tmp;  /* export_files' paths (reachable when a step exits) */
	json_t *files;
	void *pl;
} M;

/* per run of the input: what this export does with it */
enum act { A_HOLD, A_EXPORT, A_MARK };
struct plan {
	enum act act;
	int rerun, loket, marked;  /* loket: the status Loket showed (-1: none) */
	const char *outcome;       /* NULL: no journal.export record */
	json_t *files;             /* basenames */
	json_t *finals;            /* the intent's files (A_MARK of a resumed run), borrowed */
};

static void test_kill(const char *step)
{
	const char *k = getenv("LOKETPIPE_TEST_KILL_AT");
	if (k && !strcmp(k, step))
		raise(SIGKILL);
}

static struct lrun *lrun_of(const char *id, int make)
{
	for (size_t i = 0; i < M.lr.n; i++)
		if (!strcmp(M.lr.v[i].id, id))
			return &M.lr.v[i];
	if (!make)
		return NULL;
	struct lrun *r = LP_VEC_PUSH(&M.lr);
	memset(r, 0, sizeof *r);
	r->id = lp_xstrdup(id);
	return r;
}

static int bad_line(unsigned long line, const char *what)
{
	lp_warn("%s:%lu: the ledger is damaged (%s): nothing is done. Keep it for the record and move it aside: "
		"journal-export then reads the runs back from Loket (a run written but not yet marked is then exported again)",
		M.lpath, line, what);
	return LP_EXIT_IO;
}

static int ledger_line(json_t *o, unsigned long line, void *ctx)
{
	(void)ctx;
	const char *type = lp_json_str(o, "type"), *st = lp_json_str(o, "state"), *cl = lp_json_str(o, "client");
	if (!type || strcmp(type, "journal.ledger"))
		return bad_line(line, "not a line of journal-export's ledger");
	if (!cl || strcmp(cl, M.cfg->client))
		return bad_line(line, "a line of another client");
	if (st && !strcmp(st, "link")) {
		json_t *to = json_object_get(o, "to");
		if (!lp_json_str(o, "payroll_administration") || !(json_is_null(to) || json_is_string(to)))
			return bad_line(line, "a link line needs payroll_administration and to");
		const char *pa = M.cfg->loket.payroll_administration_id;
		if (pa && !strcasecmp(pa, lp_json_str(o, "payroll_administration"))) {
			free(M.link_to);
			M.link_to = json_is_string(to) ? lp_xstrdup(json_string_value(to)) : NULL;
			M.have_link = 1;
		}
		return 0;
	}
	const char *run = lp_json_str(o, "run");
	int k = -1;
	for (int i = 1; st && i < 4; i++)
		if (!strcmp(st, lst_names[i]))
			k = i;
	if (k < 0 || !run || !lp_le_uuid_ok(run))
		return bad_line(line, "a line needs a known state and a run id");
	struct lrun *r = lrun_of(run, 1);
	if (k == L_INTENT) {
		json_t *f = json_object_get(o, "files"), *v;
		size_t i;
		if (!json_is_array(f) || !json_array_size(f))
			return bad_line(line, "an intent without files");
		json_array_foreach(f, i, v) if (!lp_json_str(v, "path") || !lp_json_str(v, "sha256") || !lp_json_str(v, "tmp"))
			return bad_line(line, "an intent's file needs path, sha256 and tmp");
		json_decref(r->files);
		r->files = json_incref(f);
		r->st = L_INTENT; /* a rerun's intent starts over */
		r->seq = (long)json_integer_value(json_object_get(o, "seq"));
		r->year = (long)json_integer_value(json_object_get(o, "year"));
		r->period = (long)json_integer_value(json_object_get(o, "period"));
	} else if (k == L_WRITTEN) {
		if (r->st == L_NONE)
			return bad_line(line, "written without an intent");
		if (r->st != L_MARKED)
			r->st = L_WRITTEN;
	} else
		r->st = L_MARKED;
	r->line = line;
	return 0;
}

static void ledger_put(json_t *o)
{
	json_object_set_new(o, "type", json_string("journal.ledger"));
	json_object_set_new(o, "client", json_string(M.cfg->client));
	if (lp_crclog_append(M.ledger, o) || lp_crclog_sync(M.ledger)) {
		int e = errno;
		json_decref(o);
		lp_die(LP_EXIT_IO, "ledger %s: %s: stopped here; run again (the ledger resumes)", M.lpath, strerror(e));
	}
	json_decref(o);
}

/* the ledger file must be ours alone: a regular file (never a symlink), our own, 0600 */
static void ledger_check(const char *path)
{
	struct stat st;
	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return;
		lp_die(LP_EXIT_IO, "ledger %s: %s", path, strerror(errno));
	}
	const char *why = S_ISLNK(st.st_mode) ? "is a symbolic link"
			  : !S_ISREG(st.st_mode)  ? "is not a regular file"
			  : st.st_uid != geteuid() ? "belongs to another user"
			  : (st.st_mode & 077)     ? "can be read or written by others (mode wider than 0600)"
						   : NULL;
	if (why)
		lp_die(LP_EXIT_IO, "ledger %s:1: %s: refused, nothing done. Check who made it; a ledger of your own is a plain "
		       "file of mode 0600 (chmod 600, or move it aside: the runs are then read back from Loket)", path, why);
}

static void ledger_open(void)
{
	const struct je_mark_opts *mo = M.mo;
	if (mo->ledger)
		M.lpath = lp_xstrdup(mo->ledger);
	else {
		if (!M.cfg->journal.dir)
			lp_die(LP_EXIT_CONFIG, "%s: journal.dir: no ledger directory (set journal.dir or loket.token_file, or give "
			       "--ledger)", M.cfg->path);
		const char *d = M.cfg->journal.dir;
		if (mkdir(d, 0700) && errno != EEXIST)
			lp_die(LP_EXIT_IO, "ledger directory %s: %s", d, strerror(errno));
		struct stat st;
		if (lstat(d, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
			lp_die(LP_EXIT_IO, "ledger directory %s: must be a directory of yours with mode 0700 (chmod 700)", d);
		M.lpath = lp_xasprintf("%s/ledger.ndjson", d);
	}
	/* one journal-export per ledger: a second one stops at once (exit 8) */
	char *lock = lp_xasprintf("%s.lock", M.lpath);
	lp_lock_client(M.cfg->client, lock);
	free(lock);
	ledger_check(M.lpath);
	int rc = lp_crclog_open(M.lpath, "ledger", ledger_line, NULL, &M.ledger);
	if (rc)
		exit(rc == LP_EXIT_CONFIG || rc == LP_EXIT_DATA ? LP_EXIT_IO : rc);
	if (lp_crclog_torn(M.ledger))
		lp_warn("%s: ledger %s: a torn last line (a run killed while writing it) was cut off; that step is done again",
			M.cfg->client, M.lpath);
}

/* J2: the link of this payroll administration, as the configuration gives it, against the last
 * one the ledger recorded; a change is a link line and an audit event */
static void link_audit(void)
{
	const char *pa = M.cfg->loket.payroll_administration_id;
	const char *to = M.cfg->journal.bookkeeping_administration;
	if (!pa)
		return;
	int same = (to == NULL) == (M.link_to == NULL) && (!to || !strcmp(to, M.link_to));
	if (same)
		return;
	json_t *from = M.link_to ? json_string(M.link_to) : json_null();
	json_t *tj = to ? json_string(to) : json_null();
	ledger_put(json_pack("{s:s,s:s,s:O,s:O,s:s}", "state", "link", "payroll_administration", pa, "from", from, "to", tj,
			     "as_of", M.mo->as_of));
	lp_audit_event(M.audit, "journal.link", json_pack("{s:s,s:o,s:o}", "payroll_administration", pa, "from", from, "to", tj));
	lp_warn("%s: J2: payroll administration %s: bookkeeping administration %s%s%s -> %s%s%s (recorded in the audit log)",
		M.cfg->client, pa, M.link_to ? "'" : "", M.link_to ? M.link_to : "none", M.link_to ? "'" : "", to ? "'" : "",
		to ? to : "none (revoked)", to ? "'" : "");
	free(M.link_to);
	M.link_to = to ? lp_xstrdup(to) : NULL;
	M.have_link = 1;
}

static _Noreturn void get_fail(void *ctx, int code, const char *msg)
{
	(void)ctx;
	lp_die(code, "%s (the ledger keeps what was done; run again)", msg);
}

/* Loket's status of run id (GET): the key 0..7, or -1 with a warning (no answer, 404, nonsense) */
static int loket_status(const char *id, char *why, size_t n)
{
	char *p = lp_le_journal_run(id);
	lp_http_resp resp;
	char err[700];
	int st = -1;
	if (lp_loket_get_raw(&M.g, p, NULL, &resp, err, sizeof err)) {
		snprintf(why, n, "no answer from Loket: %s", err);
		free(p);
		return -1;
	}
	if (resp.status != 200)
		snprintf(why, n, "GET of the run: HTTP %ld", resp.status);
	else {
		json_t *j = lp_json_loadb(resp.body, resp.len, NULL), *c = json_object_get(j, "content");
		json_t *k = json_object_get(json_object_get(c ? c : j, "journalRunStatus"), "key");
		if (json_is_integer(k) && json_integer_value(k) >= 0 && json_integer_value(k) <= LP_LE_JOURNAL_MAX_STATUS)
			st = (int)json_integer_value(k);
		else
			snprintf(why, n, "GET of the run: no journalRunStatus.key 0..7 in the answer");
		json_decref(j);
	}
	lp_http_resp_free(&resp);
	free(p);
	return st;
}

/* PATCH MarkAsProcessed: the HTTP status of the answer, or -1 when none came (after retries) */
static long patch_mark(const char *id, const char *msg, char *why, size_t n)
{
	char *p = lp_le_journal_run(id);
	json_t *b = lp_le_journal_mark_body(0, M.cfg->journal.application_key, msg);
	char *body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	char auth[600] = "", err[700];
	int code;
	long st = -1;
	for (int tries = 0; tries < 2; tries++) {
		const char *h[4] = {LP_LOKET_ACCEPT, "Content-Type: application/json;version=2018-01-01", NULL, NULL};
		if (M.g.oauth) {
			const char *tok = tries ? lp_oauth_refresh(M.g.oauth, &code, err, sizeof err)
						: lp_oauth_access_token(M.g.oauth, &code, err, sizeof err);
			if (!tok)
				lp_die(code, "%s", err);
			snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
			h[2] = auth;
		}
		lp_http_resp resp;
		M.n[C_PATCHES]++;
		int rc = lp_http_request(M.g.http, "PATCH", p, h, body, strlen(body), 0, &resp);
		memset(auth, 0, sizeof auth);
		if (rc) {
			snprintf(why, n, "%s", lp_http_error(M.g.http));
			break;
		}
		st = resp.status;
		lp_http_resp_free(&resp);
		if (st != 401 || !M.g.oauth)
			break;
	}
	free(body);
	free(p);
	return st;
}

static const char *status_name(int st)
{
	static const char *const names[] = {"0 Staat klaar voor journaliseren", "1 Geen journaal resultaten",
					    "2 Fout bij aanmaken", "3 Verwijderd door gebruiker", "4 Journaal gereed",
					    "5 Wordt geëxporteerd", "6 Exporteren mislukt", "7 Journaal geëxporteerd"};
	return st >= 0 && st <= 7 ? names[st] : "unknown";
}

static void issue(struct run *r, const char *sev, const char *field, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void issue(struct run *r, const char *sev, const char *field, const char *hint, const char *fmt, ...)
{
	char msg[1500];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_t *is = lp_issuef(M.cfg->client, sev, "J1", NULL, NULL, field, hint, "journal run %s (sequence %ld, %ld period %ld): %s",
			       r->id, r->seq, r->year, r->period, msg);
	lp_issue_source(is, r->where);
	*LP_VEC_PUSH(&passed) = is;
	lp_warn("%s: journal run %s: %s", M.cfg->client, r->id, msg);
	if (!strcmp(sev, "error"))
		M.findings = 1;
}

static int file_has(const char *path, const char *sha)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	lp_sha256_ctx c;
	lp_sha256_init(&c);
	char buf[65536];
	ssize_t k;
	while ((k = read(fd, buf, sizeof buf)) > 0)
		lp_sha256_update(&c, buf, (size_t)k);
	close(fd);
	if (k < 0)
		return 0;
	unsigned char d[32];
	char hex[65];
	lp_sha256_final(&c, d);
	lp_sha256_tohex(d, hex);
	return !strcmp(hex, sha);
}

static void fsync_dir_of(const char *path)
{
	char *dir = je_dir_of(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	free(dir);
	if (dfd < 0 || fsync(dfd))
		lp_die(LP_EXIT_IO, "%s: fsync of its directory: %s", path, strerror(errno));
	close(dfd);
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* an intent of an earlier run: its files in place (from their temporary files when the link
 * was not done yet)? 1 when every file holds its sha256 now */
static int roll_forward(json_t *files)
{
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *path = lp_json_str(f, "path"), *sha = lp_json_str(f, "sha256"), *tmp = lp_json_str(f, "tmp");
		if (file_has(path, sha))
			continue;
		if (access(path, F_OK) == 0 || !file_has(tmp, sha))
			return 0;
	}
	json_array_foreach(files, i, f) {
		const char *path = lp_json_str(f, "path"), *tmp = lp_json_str(f, "tmp");
		if (access(path, F_OK) != 0) {
			if (link(tmp, path))
				lp_die(LP_EXIT_IO, "%s: link: %s", path, strerror(errno));
			fsync_dir_of(path);
		}
		unlink(tmp);
	}
	return 1;
}

static void stale_tmps(json_t *files)
{
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) unlink(lp_json_str(f, "tmp"));
}

static json_t *basenames(json_t *files)
{
	json_t *a = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) json_array_append_new(a, json_string(base_of(lp_json_str(f, "path"))));
	return a;
}

static int is_rerun(const char *id)
{
	for (size_t i = 0; i < M.mo->rerun.n; i++)
		if (!strcasecmp(M.mo->rerun.v[i], id))
			return 1;
	return 0;
}

/* an absolute path for the ledger: the directory resolved, the name kept */
static char *abs_path(const char *p)
{
	char *dir = je_dir_of(p), real[PATH_MAX];
	if (!realpath(dir, real))
		lp_die(LP_EXIT_IO, "%s: its directory %s: %s (nothing written)", p, dir, strerror(errno));
	free(dir);
	return lp_xasprintf("%s/%s", strcmp(real, "/") ? real : "", base_of(p));
}

/* 1. - 4.: write the files of the runs to export; returns their ledger description */
static json_t *export_files(je_outputs *outs, struct plan *pl)
{
	size_t nf = outs->n;
	json_t *files = M.files = json_array();
	char **fin = M.fin = lp_xmalloc(nf * sizeof *fin), **tmp = M.tmp = lp_xmalloc(nf * sizeof *tmp);
	for (size_t i = 0; i < nf; i++) {
		fin[i] = abs_path(outs->v[i].path);
		tmp[i] = lp_xasprintf("%s.jx-tmp", fin[i]);
		struct stat st;
		if (!lstat(fin[i], &st))
			lp_die(LP_EXIT_IO, "%s: exists already: never replaced under --mark-exported (it may have been imported); "
			       "give a new file name. Nothing written, nothing marked", outs->v[i].path);
	}
	for (size_t i = 0; i < nf; i++) {
		struct output *o = &outs->v[i];
		if (je_render(o, M.mo->as_of))
			lp_die(LP_EXIT_IO, "out of memory (nothing written)");
		unlink(tmp[i]); /* a stale one of a run killed before its intent (the ledger lock makes it ours) */
		int fd = open(tmp[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || je_write_all(fd, o->mem, o->len) || fsync(fd) || close(fd)) {
			int e = errno;
			for (size_t j = 0; j <= i; j++)
				unlink(tmp[j]);
			lp_die(LP_EXIT_IO, "%s: %s: %s (nothing written, nothing marked)", o->path, fd < 0 ? "create" : "write",
			       strerror(e));
		}
		char sha[65];
		lp_sha256_hex(o->mem, o->len, sha);
		json_array_append_new(files, json_pack("{s:s,s:s,s:s}", "path", fin[i], "sha256", sha, "tmp", tmp[i]));
	}
	test_kill("temp");
	for (size_t i = 0; i < runs.n; i++)
		if (pl[i].act == A_EXPORT) {
			struct run *r = &runs.v[i];
			json_t *l = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:O,s:b,s:s}", "type", "journal.ledger", "client",
					      M.cfg->client, "state", "intent", "run", r->id, "seq",
					      (json_int_t)r->seq, "year", (json_int_t)r->year, "period", (json_int_t)r->period,
					      "files", files, "rerun", pl[i].rerun, "as_of", M.mo->as_of);
			if (lp_crclog_append(M.ledger, l)) {
				int e = errno;
				json_decref(l);
				for (size_t j = 0; j < nf; j++)
					unlink(tmp[j]);
				lp_die(LP_EXIT_IO, "ledger %s: %s (nothing written, nothing marked)", M.lpath, strerror(e));
			}
			json_decref(l);
		}
	if (lp_crclog_sync(M.ledger)) {
		int e = errno;
		for (size_t j = 0; j < nf; j++)
			unlink(tmp[j]);
		lp_die(LP_EXIT_IO, "ledger %s: fsync: %s (nothing written, nothing marked)", M.lpath, strerror(e));
	}
	test_kill("intent");
	for (size_t i = 0; i < nf; i++) {
		if (link(tmp[i], fin[i])) {
			int e = errno;
			for (size_t j = 0; j < i; j++) /* ours, made a moment ago: none of them is left */
				unlink(fin[j]);
			for (size_t j = 0; j < nf; j++)
				unlink(tmp[j]);
			lp_die(LP_EXIT_IO, "%s: %s (never replaced under --mark-exported; nothing written, nothing marked)",
			       outs->v[i].path, e == EEXIST ? "exists already" : strerror(e));
		}
		unlink(tmp[i]);
		fsync_dir_of(fin[i]);
		char step[32];
		snprintf(step, sizeof step, "link:%zu", i + 1);
		test_kill(step);
	}
	for (size_t i = 0; i < nf; i++)
		free(fin[i]), free(tmp[i]);
	free(fin), free(tmp);
	M.fin = M.tmp = NULL;
	return files;
}

static void mark_one(struct run *r, struct plan *p, json_t *files, unsigned long *patch_no)
{
	char why[800];
	int st = p->loket;
	if (st == LP_LE_JOURNAL_READY) {
		json_t *names = basenames(files);
		char msg[256] = "loketpipe journal-export:";
		size_t i;
		json_t *v;
		json_array_foreach(names, i, v) {
			size_t k = strlen(msg);
			snprintf(msg + k, sizeof msg - k, "%s%s", i ? ", " : " ", json_string_value(v));
		}
		json_decref(names);
		why[0] = '\0';
		long hs = patch_mark(r->id, msg, why, sizeof why);
		char step[32];
		snprintf(step, sizeof step, "patch:%lu", ++*patch_no);
		test_kill(step);
		if (hs < 0 || hs == 200 || hs == 400 || hs == 409) {
			/* read the run: a lost answer may have landed, a 409 may be another application's mark */
			st = loket_status(r->id, why, sizeof why);
		} else {
			snprintf(why, sizeof why, "PATCH MarkAsProcessed: HTTP %ld", hs);
			st = -1;
		}
		if (st < 0) {
			issue(r, "error", "journalRunStatus.key", "run journal-export again with the same options: the ledger resumes",
			      "written but not marked processed in Loket: %s", why);
			M.remote = 1;
			return;
		}
	}
	if (st == LP_LE_JOURNAL_EXPORTED) {
		ledger_put(json_pack("{s:s,s:s,s:s}", "state", "marked", "run", r->id, "as_of", M.mo->as_of));
		lp_audit_event(M.audit, "journal.marked",
			       json_pack("{s:s,s:I,s:I,s:I}", "journal_run_id", r->id, "sequence_number", (json_int_t)r->seq,
					 "year", (json_int_t)r->year, "period", (json_int_t)r->period));
		p->marked = 1;
		M.n[C_MARKED]++;
		return;
	}
	issue(r, "error", "journalRunStatus.key",
	      "look at the run in Loket (Journaal); when it is back at 4 run journal-export again: the ledger resumes",
	      "written but not marked: Loket shows status %s", status_name(st));
}

int je_mark_run(const struct je_mark_opts *mo, je_outputs *outs)
{
	M.mo = mo;
	M.cfg = lp_config_load(mo->config);
	lp_config *cfg = M.cfg;
	if (!cfg)
		return LP_EXIT_CONFIG; /* the loader said why */
	if (client && strcmp(client, cfg->client))
		lp_die(LP_EXIT_DATA, "the records are of client %s, the configuration %s is of %s", client, cfg->path, cfg->client);
	if (mo->mark && cfg->journal.application_key < 0)
		lp_die(LP_EXIT_CONFIG, "%s: journal.application_key: missing; --mark-exported needs Loket's key of the application "
		       "that processed the results (the PATCH's application.key)", cfg->path);
	if (mo->mark && !cfg->loket.payroll_administration_id)
		lp_die(LP_EXIT_CONFIG, "%s: loket.payroll_administration_id: missing", cfg->path);
	M.audit = lp_audit_open(mo->audit ? mo->audit : cfg->audit_log, mo->actor, cfg->client);
	ledger_open();
	link_audit();
	const char *bk = cfg->journal.bookkeeping_administration;
	if (mo->mark && !bk)
		lp_die(LP_EXIT_CONFIG, "%s: journal.bookkeeping_administration: no bookkeeping administration linked (revoked?); "
		       "nothing written", cfg->path);
	if (have_bk_admin() && ((bk == NULL) != (bk_admin == NULL) || (bk && strcmp(bk, bk_admin))))
		lp_die(LP_EXIT_DATA, "the entries are for bookkeeping administration %s, %s links %s: fetch the journal again "
		       "with this configuration (nothing written)", bk_admin ? bk_admin : "none", cfg->path, bk ? bk : "none");

	struct plan *pl = M.pl = lp_xmalloc((runs.n ? runs.n : 1) * sizeof *pl);
	memset(pl, 0, (runs.n ? runs.n : 1) * sizeof *pl);
	size_t nexport = 0;
	int code = 0;
	if (!mo->mark) { /* -c without --mark-exported: the files as without -c, the link audit done */
		for (size_t i = 0; i < outs->n; i++)
			if (je_render(&outs->v[i], mo->as_of))
				lp_die(LP_EXIT_IO, "out of memory (nothing written)");
		je_write_replace(outs);
		goto records;
	}
	for (size_t i = 0; i < mo->rerun.n; i++) {
		int found = 0;
		for (size_t k = 0; k < runs.n; k++)
			found |= !strcasecmp(runs.v[k].id, mo->rerun.v[i]);
		if (!found)
			lp_warn("%s: --rerun %s: no entry of that run in the input (fetch it with fetch-journal --rerun)", cfg->client,
				mo->rerun.v[i]);
	}
	/* the client's Loket lock: fetch-journal at the other end of a pipe holds it until it has
	 * exited, so it is waited for here (LOKETPIPE_LOCK_WAIT_MS), then taken by lp_oauth */
	if (cfg->loket.lock_file) {
		int busy;
		char err[600];
		int fd = lp_lock_wait(cfg->loket.lock_file, -1, &busy, err, sizeof err);
		if (fd < 0)
			lp_die(busy ? LP_EXIT_BUSY : LP_EXIT_CONFIG, "%s: %s", cfg->client, err);
		lp_lock_release(fd);
	}
	lp_loket_get_open(&M.g, cfg, mo->base_url, NULL, NULL, get_fail, NULL);
	M.g_open = 1;

	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		struct plan *p = &pl[i];
		p->act = A_HOLD;
		p->loket = -1;
		if (r->refusal) {
			p->outcome = "refused";
			continue;
		}
		p->rerun = is_rerun(r->id);
		if (r->status == LP_LE_JOURNAL_EXPORTED && !p->rerun) {
			p->outcome = "refused";
			issue(r, "error", "status", "give journal-export --rerun RUN too to export it again on purpose",
			      "exported already (status 7 in the input: fetch-journal --rerun) and not named by --rerun: not exported");
			continue;
		}
		char why[800];
		p->loket = loket_status(r->id, why, sizeof why);
		if (p->loket < 0) {
			p->outcome = "refused";
			issue(r, "error", "journalRunStatus.key", "run journal-export again later", "not exported: %s", why);
			M.remote = 1;
			continue;
		}
		struct lrun *l = lrun_of(r->id, 0);
		enum lst ls = l ? l->st : L_NONE;
		if (p->rerun) {
			p->act = A_EXPORT;
			p->outcome = "rerun";
			if (l && l->files)
				stale_tmps(l->files);
			continue;
		}
		switch (ls) {
		case L_MARKED:
			if (p->loket == LP_LE_JOURNAL_EXPORTED) {
				p->outcome = "none";
				p->marked = 1;
				M.n[C_NONE]++;
			} else {
				p->outcome = "refused";
				issue(r, "error", "journalRunStatus.key",
				      "it was reset in Loket? give --rerun RUN to export it again on purpose",
				      "the ledger (%s:%lu) says it was exported and marked, Loket shows status %s: nothing written or sent",
				      M.lpath, l->line, status_name(p->loket));
			}
			break;
		case L_WRITTEN:
		case L_INTENT:
			if (ls == L_INTENT && !roll_forward(l->files)) {
				stale_tmps(l->files);
				goto fresh;
			}
			if (ls == L_INTENT)
				ledger_put(json_pack("{s:s,s:s,s:s}", "state", "written", "run", r->id, "as_of", mo->as_of));
			else {
				size_t k;
				json_t *f;
				json_array_foreach(l->files, k, f) if (access(lp_json_str(f, "path"), F_OK))
					issue(r, "warning", "files",
					      "give --rerun RUN to export it again when it was not imported",
					      "its file %s was written earlier and is missing now: NOT exported again (it may have "
					      "been imported)", lp_json_str(f, "path"));
			}
			p->act = A_MARK;
			p->outcome = "marked";
			p->finals = l->files;
			break;
		case L_NONE:
		fresh:
			if (p->loket == LP_LE_JOURNAL_READY) {
				p->act = A_EXPORT;
				p->outcome = "exported";
			} else if (p->loket == LP_LE_JOURNAL_EXPORTED && ls == L_NONE) {
				p->outcome = "none";
				p->marked = 1;
				M.n[C_NONE]++;
				lp_warn("%s: journal run %s: Loket shows it exported (status 7) and the ledger %s does not know it "
					"(the ledger was lost or moved aside?): not exported again (--rerun RUN exports it on purpose)",
					cfg->client, r->id, M.lpath);
			} else {
				p->outcome = "refused";
				issue(r, "error", "journalRunStatus.key", "look at the run in Loket (Journaal)",
				      "not exported: Loket shows status %s, not 4 (Journaal gereed)", status_name(p->loket));
			}
			break;
		}
	}
	for (size_t i = 0; i < runs.n; i++) {
		runs.v[i].hold = pl[i].act != A_EXPORT;
		nexport += pl[i].act == A_EXPORT;
	}
	json_t *files = NULL;
	if (nexport) {
		files = export_files(outs, pl);
		for (size_t i = 0; i < runs.n; i++)
			if (pl[i].act == A_EXPORT)
				ledger_put(json_pack("{s:s,s:s,s:s}", "state", "written", "run", runs.v[i].id, "as_of", mo->as_of));
		test_kill("written");
		for (size_t i = 0; i < runs.n; i++)
			if (pl[i].act == A_EXPORT) {
				struct run *r = &runs.v[i];
				json_t *sha = json_object();
				size_t k;
				json_t *f;
				json_array_foreach(files, k, f) json_object_set_new(sha, base_of(lp_json_str(f, "path")),
										    json_string(lp_json_str(f, "sha256")));
				lp_audit_event(M.audit, "journal.exported",
					       json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "journal_run_id", r->id, "sequence_number",
							 (json_int_t)r->seq, "year", (json_int_t)r->year, "period",
							 (json_int_t)r->period, "files", basenames(files), "sha256", sha));
				M.n[pl[i].rerun ? C_RERUN : C_EXPORTED]++;
			}
	} else
		lp_warn("%s: nothing to export: no file written", cfg->client);
	unsigned long patch_no = 0;
	for (size_t i = 0; i < runs.n; i++) {
		struct plan *p = &pl[i];
		if (p->act == A_EXPORT && (!p->rerun || p->loket == LP_LE_JOURNAL_READY))
			mark_one(&runs.v[i], p, files, &patch_no);
		else if (p->act == A_EXPORT && p->rerun) {
			/* a rerun of a run Loket shows exported: nothing to send; the ledger says so */
			p->marked = p->loket == LP_LE_JOURNAL_EXPORTED;
			if (p->marked)
				ledger_put(json_pack("{s:s,s:s,s:s}", "state", "marked", "run", runs.v[i].id, "as_of", mo->as_of));
		}
		else if (p->act == A_MARK)
			mark_one(&runs.v[i], p, p->finals, &patch_no);
		if (p->act == A_EXPORT)
			p->files = basenames(files);
		else if (p->act == A_MARK)
			p->files = basenames(p->finals);
	}
	json_decref(files);
	/* runs the ledger has written but not marked that the input does not hold (a fresh fetch
	 * after a kill between a PATCH and its marked line no longer lists a run Loket marked):
	 * read and marked too, so that the ledger and the audit log are complete */
	json_t *extra = json_array();
	for (size_t i = 0; i < M.lr.n; i++) {
		struct lrun *l = &M.lr.v[i];
		int in_input = 0;
		for (size_t k = 0; k < runs.n && !in_input; k++)
			in_input = !strcasecmp(runs.v[k].id, l->id);
		if (in_input || l->st != L_WRITTEN)
			continue;
		char where[4200], why[800];
		snprintf(where, sizeof where, "%s:%lu", M.lpath, l->line);
		struct run fake = {.id = l->id, .seq = l->seq, .year = l->year, .period = l->period, .where = where};
		struct plan p = {.act = A_MARK};
		p.loket = loket_status(l->id, why, sizeof why);
		if (p.loket < 0) {
			issue(&fake, "error", "journalRunStatus.key", "run journal-export again later", "written, not marked: %s", why);
			M.remote = 1;
			continue;
		}
		mark_one(&fake, &p, l->files, &patch_no);
		json_array_append_new(extra, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:s,s:b}", "type", "journal.export", "client",
						       cfg->client, "journal_run_id", l->id, "sequence_number", (json_int_t)l->seq,
						       "year", (json_int_t)l->year, "period", (json_int_t)l->period, "files",
						       basenames(l->files), "outcome", "marked", "marked", p.marked));
	}
	M.files = extra;

records:
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		struct plan *p = &pl[i];
		if (!mo->mark) {
			p->outcome = r->refusal ? "refused" : "exported";
			json_t *a = json_array();
			for (size_t k = 0; !r->refusal && k < outs->n; k++)
				json_array_append_new(a, json_string(base_of(outs->v[k].path)));
			p->files = a;
		}
		if (p->outcome && !strcmp(p->outcome, "refused"))
			M.n[C_REFUSED]++;
		json_t *rec = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:s,s:b}", "type", "journal.export", "client", cfg->client,
					"journal_run_id", r->id, "sequence_number", (json_int_t)r->seq, "year", (json_int_t)r->year,
					"period", (json_int_t)r->period, "files", p->files ? p->files : json_array(), "outcome",
					p->outcome ? p->outcome : "none", "marked", p->marked);
		p->files = NULL;
		if (lp_out(rec))
			code = LP_EXIT_IO;
		json_decref(rec);
	}
	for (size_t i = 0; M.files && i < json_array_size(M.files); i++)
		if (lp_out(json_array_get(M.files, i)))
			code = LP_EXIT_IO;
	json_decref(M.files);
	M.files = NULL;
	int refused_j1 = 0;
	for (size_t i = 0; i < runs.n; i++)
		refused_j1 |= runs.v[i].refusal != NULL;
	if (je_pass_issues())
		code = LP_EXIT_IO;
	json_t *end = lp_stream_end(cfg->client, "journal-export", 1, lp_stream_counts(count_names, M.n, C_N), NULL);
	if (lp_out(end))
		code = LP_EXIT_IO;
	json_decref(end);
	int oc = lp_out_close();
	if (oc)
		code = oc;
	if (!code)
		code = M.remote ? LP_EXIT_REMOTE : (M.findings || refused_j1) ? LP_EXIT_FINDINGS : 0;
	free(pl);
	for (size_t i = 0; i < M.lr.n; i++)
		free(M.lr.v[i].id), json_decref(M.lr.v[i].files);
	free(M.lr.v);
	free(M.link_to);
	free(M.lpath);
	lp_crclog_close(M.ledger);
	lp_audit_close(M.audit);
	if (M.g_open) {
		lp_oauth_free(M.g.oauth);
		lp_http_free(M.g.http);
	}
	lp_config_free(cfg);
	return code;
}
