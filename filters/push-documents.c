/* push-documents - payroll documents from Loket (fetch-documents' loket.document records) onto
 * the employees' Personio profiles (DOC1), each exactly once.
 *
 * Input: loket.document records and extract-personio's person records of one client; records
 * of other types pass through unchanged. Every record is read before anything is sent (a
 * document can only be matched once every person is known): memory grows with the number of
 * records, not with the documents' bytes (one file at a time is in memory while it is sent).
 *
 * Matching (M1): a document goes to the one person whose Employee number (Loket) is the
 * document's; none or several: an issue record (DOC1), never a guess. A person out of scope
 * (lib/lp_scope, E1) gets nothing. A file that is missing, over Personio's 30 MB or whose bytes
 * no longer have the record's sha256 is not sent.
 *
 * Exactly once (the recipe of hours-journal-documents-batch-notes.md section 3c): a per-client
 * ledger (lib/lp_crcline: CRC-checked NDJSON, append, fsync) holds an "intent" line for each
 * document (key + sha256) before its POST and a "done" line with Personio's document id after
 * it. Personio has no idempotency key, so the comment carries a marker
 * (loketpipe:{key}:sha256:{first 16 hex}); an intent without done (a killed run, a lost answer,
 * a timeout, a 5xx) is resolved by reading the person's documents of the category back (v2
 * list, once per person per run, again after an unclear answer) and looking for the marker.
 * Only when it is not there is the document uploaded (again).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_lock.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_psession.h"
#include "lp_rec.h"
#include "lp_scope.h"
#include "lp_sha256.h"

static const char usage[] =
	"Usage: push-documents -c CONFIG [OPTION]... [FILE]...\n"
	"Upload payroll documents (fetch-documents' loket.document records) to the employees'\n"
	"Personio profiles, matched by Employee number (Loket) against extract-personio's person\n"
	"records, each exactly once. Writes one document.result record per document, issue\n"
	"records and a last stream_end record; records of other types pass through.\n"
	"\n"
	"  -c, --config FILE   client configuration (documents.category_id or documents.category,\n"
	"                      documents.dir, documents.titles)\n"
	"      --as-of DATE    the run date, YYYY-MM-DD (default today): a document whose\n"
	"                      available_from lies after it is not sent yet\n"
	"      --base URL      Personio API base URL (default: config, else https://api.personio.de)\n"
	"      --ledger FILE   the client's ledger (default: <documents.dir>/personio-ledger.ndjson)\n"
	"      --only N        only the documents of Employee number (Loket) N\n"
	"      --dry-run       say what would be uploaded; send nothing, write no ledger line\n"
	"      --audit FILE    append to this audit log (default: the config's audit_log)\n"
	"      --actor NAME    who runs it, for the audit log (default: $USER)\n"
	"  -v, --verbose       report counts and HTTP requests on standard error\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Credentials, token cache and rate limits as for extract-personio(1): personio.credentials_file\n"
	"or PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET, never on the command line.\n"
	"\n"
	"Exit status: 0 every document is in Personio (or was already); 1 documents were left out\n"
	"with error issues (no or several matching persons, too big, file missing or changed) or\n"
	"Personio refused them; 2 usage; 3 bad input or a damaged ledger; 4 configuration (an\n"
	"unknown category); 5 Personio failed (run again: the ledger resumes); 6 Personio refused the\n"
	"credentials; 7 I/O (the ledger cannot be written: nothing more is sent); 8 another run\n"
	"holds the ledger's lock. See loketpipe(7).\n";

#define MAX_FILE (30L * 1024 * 1024) /* Personio: "may not be greater than 30720 kilobytes" */
#define ROUNDS 3                     /* uploads of one document per run at most */

enum lstate { L_NONE, L_INTENT, L_DONE, L_FAILED };

struct lent {                   /* what the ledger says of one document (key + sha256) */
	enum lstate st;
	char *doc_id;           /* done: Personio's document id */
	char *title;            /* the title of its intent */
	int corrected;          /* the intent's title is a correction's */
	char *owner;            /* the Personio person it was sent to (intent, done) */
	time_t intent_at;       /* when its last intent was written, 0: unknown */
	int counted;            /* counted in done_of (an intent or a done line was written) */
};

struct person {
	const char *pid, *empno;
	char *why_not;          /* out of scope (E1): why, else NULL */
	char where[300];
};

struct plist {
	size_t n;
	struct person *p[4];    /* the first few; n counts them all */
};

struct doc {
	json_t *rec;
	char where[300];
	const char *key, *kind, *sha, *file, *file_name, *period_end;
	long long empno, year, period, correction, size;
	int has_avail;
	lp_date avail;
};

struct rb {                     /* a person's documents of the category, read back */
	json_t *items;          /* array of the v2 items, NULL: not read (or stale) */
};

static struct {
	lp_config *cfg;
	lp_psession ps;
	int session, v2_authed;
	lp_crclog *ledger;
	const char *ledger_path;
	lp_audit *audit;
	lp_map *ents;           /* "key sha256" -> struct lent */
	lp_map *done_of;        /* key -> (intptr_t) number of distinct sha256 sent (an intent or done:
				 * maybe in Personio), for the "gecorrigeerd n" of a re-issued statement */
	lp_map *done_key;       /* key -> the sha256 (malloc'd) last done under it */
	char *docdir;           /* the client's document directory, resolved: every file lies in it */
	lp_date avail_limit;    /* min(--as-of, today): nothing is shared before its date in fact */
	lp_map *people;         /* employee number -> struct plist */
	lp_map *readback;       /* personio id -> struct rb */
	struct doc *docs;
	size_t ndocs, cap;
	struct person **persons;
	size_t npersons;
	long long category_id;
	const char *category_name;
	lp_date as_of;
	long long only;         /* -1: all */
	int dry, verbose, incomplete;
	const char *incomplete_why;
	unsigned long uploaded, already, recovered, skipped, failed, planned, issues, errors, refused, remote, misplaced;
	int io_failed;
} R;

/* ---- output -------------------------------------------------------------------------- */

static json_t *counts(void)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "documents", (json_int_t)R.ndocs, "uploaded",
			 (json_int_t)R.uploaded, "already", (json_int_t)R.already, "recovered", (json_int_t)R.recovered,
			 "skipped", (json_int_t)R.skipped, "failed", (json_int_t)R.failed, "issues", (json_int_t)R.issues,
			 "misplaced", (json_int_t)R.misplaced);
}

static void out(json_t *rec)
{
	if (lp_out_new(rec))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

static void fail_hook(void *ctx, int code, const char *msg)
{
	(void)ctx;
	lp_stream_abort(R.cfg->client, "push", counts(), msg);
	lp_psession_wipe(&R.ps);
	exit(code);
}

/* stop the run: stream_end complete:false, the message on stderr, exit code */
static _Noreturn void stop(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void wipe(void *ctx)
{
	(void)ctx;
	lp_psession_wipe(&R.ps);
}

static _Noreturn void stop(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lp_stream_vfail(R.cfg->client, "push", counts(), code, wipe, NULL, fmt, ap);
}

/* the document in a person's words, for messages: "payslip 2026-03", "payslip 2026-03
 * (correction run 1)", "year-end statement 2025" (the key is in the document.result record) */
static const char *dname(const struct doc *d)
{
	static char b[128];
	if (!strcmp(d->kind, "yearend"))
		snprintf(b, sizeof b, "year-end statement %lld", d->year);
	else if (d->correction > 0)
		snprintf(b, sizeof b, "payslip %lld-%02lld (correction run %lld)", d->year, d->period, d->correction);
	else
		snprintf(b, sizeof b, "payslip %lld-%02lld", d->year, d->period);
	return b;
}

static void issue(const struct doc *d, const struct person *p, int error, const char *rule, const char *field,
		  const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void issue(const struct doc *d, const struct person *p, int error, const char *rule, const char *field,
		  const char *hint, const char *fmt, ...)
{
	char en[32];
	snprintf(en, sizeof en, "%lld", d->empno);
	va_list ap;
	va_start(ap, fmt);
	json_t *i = lp_vissuef(R.cfg->client, error ? "error" : "warning", rule, p ? p->pid : NULL, en, field, hint, fmt, ap);
	va_end(ap);
	lp_issue_source(i, d->where);
	out(i);
	R.issues++;
	if (error)
		R.errors++;
}

static void result(const struct doc *d, const struct person *p, const char *title, int corrected, const char *status,
		   const char *doc_id, const char *reason)
{
	char en[32];
	snprintf(en, sizeof en, "%lld", d->empno); /* text, as in issue records */
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:I,s:o,s:o,s:s,s:o,s:b,s:o}", "type", "document.result",
			      "client", R.cfg->client, "key", d->key, "sha256", d->sha, "employee_number", en, "personio_id", p ? json_string(p->pid) : json_null(), "kind", d->kind,
			      "year", (json_int_t)d->year, "period", d->period < 0 ? json_null() : json_integer(d->period),
			      "title", title ? json_string(title) : json_null(), "status", status, "personio_document_id",
			      doc_id ? json_string(doc_id) : json_null(), "corrected", corrected, "reason",
			      reason ? json_string(reason) : json_null());
	out(r);
}

/* ---- the ledger ---------------------------------------------------------------------- */

static char *ent_key(const char *key, const char *sha)
{
	return lp_xasprintf("%s %s", key, sha);
}

static struct lent *ent(const char *key, const char *sha, int make)
{
	char *k = ent_key(key, sha);
	struct lent *e = NULL;
	if (!lp_map_get(R.ents, k, (void **)&e) && make) {
		e = lp_xmalloc(sizeof *e);
		memset(e, 0, sizeof *e);
		lp_map_put(R.ents, k, e);
	}
	free(k);
	return e;
}

static void free_ent(void *v)
{
	struct lent *e = v;
	if (e) {
		free(e->doc_id);
		free(e->title);
		free(e->owner);
	}
	free(e);
}

static int done_count(const char *key)
{
	void *v = NULL;
	return lp_map_get(R.done_of, key, &v) ? (int)(intptr_t)v : 0;
}

static void set_owner(struct lent *e, const char *pid)
{
	if (!pid)
		return;
	free(e->owner);
	e->owner = lp_xstrdup(pid);
}

/* "YYYY-MM-DDTHH:MM:SSZ" (iso_now's) as epoch seconds, 0 when it is not that */
static time_t iso_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	return end && !*end ? timegm(&tm) : 0;
}

/* e (of key) may be in Personio now: counted once among the key's hashes */
static void count_sent(const char *key, struct lent *e)
{
	if (e->counted)
		return;
	e->counted = 1;
	lp_map_put(R.done_of, key, (void *)(intptr_t)(done_count(key) + 1));
}

static int ledger_line(json_t *o, unsigned long line, void *ctx)
{
	(void)ctx;
	char where[4200];
	snprintf(where, sizeof where, "%s:%lu", R.ledger_path, line);
	const char *type = lp_json_str(o, "type");
	if (!type || strcmp(type, "document.ledger")) {
		lp_warn("%s: type: not a line of push-documents' ledger", where);
		return LP_EXIT_DATA;
	}
	const char *client = lp_json_str(o, "client"), *state = lp_json_str(o, "state");
	const char *key = lp_json_str(o, "key"), *sha = lp_json_str(o, "sha256");
	if (!client || strcmp(client, R.cfg->client)) {
		lp_warn("%s: client: the ledger is of client %s, not %s", where, client ? client : "(none)", R.cfg->client);
		return LP_EXIT_CONFIG;
	}
	if (!state || !key || !sha || strlen(sha) != 64) {
		lp_warn("%s: a ledger line needs state, key and sha256", where);
		return LP_EXIT_DATA;
	}
	struct lent *e = ent(key, sha, 1);
	if (!strcmp(state, "intent")) {
		const char *t = lp_json_str(o, "title");
		if (!t) {
			lp_warn("%s: title: an intent line needs the title", where);
			return LP_EXIT_DATA;
		}
		count_sent(key, e);
		if (e->st != L_DONE) {
			e->st = L_INTENT;
			free(e->title);
			e->title = lp_xstrdup(t);
			e->corrected = json_is_true(json_object_get(o, "corrected"));
			set_owner(e, lp_json_str(o, "employee_id"));
			e->intent_at = iso_time(lp_json_str(o, "intent_at"));
		}
	} else if (!strcmp(state, "done")) {
		const char *id = lp_json_str(o, "document_id");
		if (!id) {
			lp_warn("%s: document_id: a done line needs Personio's document id", where);
			return LP_EXIT_DATA;
		}
		count_sent(key, e);
		if (e->st != L_DONE) {
			e->st = L_DONE;
			free(e->doc_id);
			e->doc_id = lp_xstrdup(id);
			const char *t = lp_json_str(o, "title");
			if (t) {
				free(e->title);
				e->title = lp_xstrdup(t);
			}
			if (lp_json_str(o, "employee_id")) /* else the intent's (older ledgers) */
				set_owner(e, lp_json_str(o, "employee_id"));
		}
		free(lp_map_put(R.done_key, key, lp_xstrdup(sha))); /* the last hash done under the key */
	} else if (!strcmp(state, "failed")) {
		if (e->st != L_DONE)
			e->st = L_FAILED; /* Personio refused it: nothing landed; the next run tries again */
	} else {
		lp_warn("%s: state: '%s' is not intent, done or failed", where, state);
		return LP_EXIT_DATA;
	}
	return 0;
}

/* append one line and make it durable; a failure stops the run (exit 7): nothing is sent
 * without its intent on disk */
static void ledger_put(json_t *o)
{
	json_object_set_new(o, "type", json_string("document.ledger"));
	json_object_set_new(o, "client", json_string(R.cfg->client));
	if (lp_crclog_append(R.ledger, o) || lp_crclog_sync(R.ledger)) {
		int e = errno;
		json_decref(o);
		R.io_failed = 1;
		stop(LP_EXIT_IO, "ledger %s: %s; nothing more is sent", R.ledger_path, strerror(e));
	}
	json_decref(o);
}

static void iso_now(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- input --------------------------------------------------------------------------- */

static int hex64(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* an Employee number written as a whole number: 1 and *n, else 0 */
static int whole(const char *s, long long *n)
{
	if (!s || !*s || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s))
		return 0;
	*n = strtoll(s, NULL, 10);
	return 1;
}

static void client_check(json_t *rec, const char *where)
{
	const char *c = lp_rec_str(rec, "client", 0, where);
	if (strcmp(c, R.cfg->client))
		lp_die_at(LP_EXIT_DATA, where, "client", "a record of client %s; the configuration is of %s", c, R.cfg->client);
}

static void read_document(json_t *rec, const char *where, lp_map *keys)
{
	client_check(rec, where);
	struct doc d;
	memset(&d, 0, sizeof d);
	snprintf(d.where, sizeof d.where, "%s", where);
	d.key = lp_rec_str(rec, "key", 0, where);
	d.kind = lp_rec_str(rec, "kind", 0, where);
	d.sha = lp_rec_str(rec, "sha256", 0, where);
	d.file = lp_rec_str(rec, "file", 0, where);
	d.file_name = lp_rec_str(rec, "file_name", 0, where);
	d.empno = lp_rec_int(rec, "employee_number", 0, where);
	d.year = lp_rec_int(rec, "year", 0, where);
	d.period = lp_rec_int(rec, "period", 1, where);
	d.correction = lp_rec_int(rec, "correction", 0, where);
	d.size = lp_rec_int(rec, "size", 0, where);
	lp_date pe;
	lp_rec_date(rec, "period_end", 0, where, &pe);
	d.period_end = lp_rec_str(rec, "period_end", 0, where);
	d.has_avail = lp_rec_date(rec, "available_from", 1, where, &d.avail) == 0;
	if (strcmp(d.kind, "payslip") && strcmp(d.kind, "yearend"))
		lp_die_at(LP_EXIT_DATA, where, "kind", "'%s' is not payslip or yearend", d.kind);
	if (strncmp(d.key, "loket:", 6))
		lp_die_at(LP_EXIT_DATA, where, "key", "'%s' is not a loket:... document key", d.key);
	if (!hex64(d.sha))
		lp_die_at(LP_EXIT_DATA, where, "sha256", "expected 64 lower-case hex digits");
	if (!strcmp(d.kind, "payslip") && (d.period < 1 || d.period > 53))
		lp_die_at(LP_EXIT_DATA, where, "period", "a payslip needs its period (1..53)");
	if (!strcmp(d.kind, "payslip") && !d.has_avail) /* never sent without Loket's availableForEmployeeDate */
		lp_die_at(LP_EXIT_DATA, where, "available_from", "a payslip needs the date Loket makes it available to the employee");
	if (d.file[0] != '/')
		lp_die_at(LP_EXIT_DATA, where, "file", "expected an absolute path");
	if (!lp_map_add(keys, d.key))
		lp_die_at(LP_EXIT_DATA, where, "key", "document %s is in the input twice", d.key);
	if (R.only >= 0 && d.empno != R.only)
		return;
	d.rec = json_incref(rec);
	if (R.ndocs == R.cap) {
		R.cap = R.cap ? 2 * R.cap : 64;
		R.docs = lp_xrealloc(R.docs, R.cap * sizeof *R.docs);
	}
	R.docs[R.ndocs++] = d;
}

static void read_person(json_t *rec, const char *where)
{
	client_check(rec, where);
	struct person *p = lp_xmalloc(sizeof *p);
	memset(p, 0, sizeof *p);
	snprintf(p->where, sizeof p->where, "%s", where);
	p->pid = lp_rec_str(rec, "personio_id", 0, where);
	p->empno = lp_rec_str(rec, "employee_number", 1, where);
	char buf[400];
	const char *why = lp_scope_why_not(R.cfg, rec, where, buf, sizeof buf);
	p->why_not = why ? lp_xstrdup(why) : NULL;
	R.persons = lp_xrealloc(R.persons, (R.npersons + 1) * sizeof *R.persons);
	R.persons[R.npersons++] = p;
	long long n;
	if (!whole(p->empno, &n))
		return; /* no number (or not a whole one): no document can be matched to this person */
	char k[32];
	snprintf(k, sizeof k, "%lld", n);
	struct plist *l = NULL;
	if (!lp_map_get(R.people, k, (void **)&l)) {
		l = lp_xmalloc(sizeof *l);
		memset(l, 0, sizeof *l);
		lp_map_put(R.people, k, l);
	}
	for (size_t i = 0; i < l->n && i < sizeof l->p / sizeof l->p[0]; i++)
		if (!strcmp(l->p[i]->pid, p->pid))
			return; /* the same person twice (two extracts concatenated): one person */
	if (l->n < sizeof l->p / sizeof l->p[0])
		l->p[l->n] = p;
	l->n++;
}

/* every record: documents and persons kept (json kept alive in recs), the rest passed on */
static json_t *read_input(char **paths, int n)
{
	json_t *recs = json_array(), *rec;
	lp_map *keys = lp_map_new();
	int persons_open = 0, personio_end = 0; /* person records seen; extract-personio's stream_end seen */
	char last_person[300] = "";
	lp_in *in = lp_in_open(paths, n);
	int rc;
	while ((rc = lp_in_next(in, &rec)) == 1) {
		char where[300];
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		const char *type = lp_json_str(rec, "type");
		if (!strcmp(type, "loket.document")) {
			json_array_append(recs, rec);
			read_document(rec, where, keys);
		} else if (!strcmp(type, "person")) {
			json_array_append(recs, rec);
			read_person(rec, where);
			persons_open = 1;
			snprintf(last_person, sizeof last_person, "%s", where);
		} else if (!strcmp(type, "stream_end") && lp_json_str(rec, "source") &&
			   !strcmp(lp_json_str(rec, "source"), "personio")) {
			/* extract-personio's end: read with its persons (not passed on, as they are not) */
			if (!json_is_true(json_object_get(rec, "complete")) && !R.incomplete) {
				R.incomplete = 1;
				R.incomplete_why = lp_xasprintf("%s: extract-personio's stream_end says the persons are incomplete", where);
			}
			personio_end = 1;
		} else {
			if (!strcmp(type, "stream_end") && !json_is_true(json_object_get(rec, "complete")) && !R.incomplete) {
				R.incomplete = 1;
				R.incomplete_why = lp_xasprintf("%s: an upstream stream_end says the input is incomplete", where);
			}
			size_t len;
			const char *raw = lp_in_raw(in, &len);
			if (lp_out_raw(raw, len))
				lp_die(LP_EXIT_IO, "%s", lp_out_error());
		}
		json_decref(rec);
	}
	if (rc < 0)
		exit(lp_in_error(in));
	lp_in_close(in);
	lp_map_free(keys, NULL);
	if (persons_open && !personio_end && !R.incomplete) {
		/* a list cut short could make an Employee number look unique that is not */
		R.incomplete = 1;
		R.incomplete_why = lp_xasprintf("%s: the person records end without extract-personio's stream_end (a list "
						"cut short: extract-personio stopped, or a partial copy)", last_person);
	}
	return recs;
}

/* ---- Personio: categories, read-back, upload ------------------------------------------ */

static void session(void)
{
	if (R.session)
		return;
	R.session = 1;
	lp_psession_v1_auth(&R.ps);
}

static void resolve_category(void)
{
	long long want = R.cfg->documents.category_id;
	const char *name = R.cfg->documents.category;
	if (want < 0 && !name)
		lp_die(LP_EXIT_CONFIG, "%s: documents.category_id or documents.category is required: the Personio document "
		       "category the documents go to", R.cfg->path);
	session();
	json_t *j = lp_psession_get(&R.ps, 0, "/v1/company/document-categories", "document categories");
	json_t *data = lp_json_arr(j, "data");
	if (!data)
		lp_psession_failf(&R.ps, LP_EXIT_REMOTE, "GET /v1/company/document-categories: the answer has no data[]");
	size_t i, hits = 0;
	json_t *it;
	char *names = lp_xstrdup("");
	long long found = -1;
	json_array_foreach(data, i, it) {
		json_t *idv = json_object_get(it, "id");
		const char *nm = lp_json_str(lp_json_obj(it, "attributes"), "name");
		long long id = json_is_integer(idv) ? (long long)json_integer_value(idv)
			     : json_is_string(idv) ? strtoll(json_string_value(idv), NULL, 10) : -1;
		if (id < 0 || !nm)
			continue;
		char *n2 = lp_xasprintf("%s%s%lld \"%s\"", names, *names ? ", " : "", id, nm);
		free(names);
		names = n2;
		if ((want >= 0 && id == want) || (want < 0 && !strcmp(nm, name))) {
			hits++;
			found = id;
		}
	}
	json_decref(j);
	if (hits != 1) {
		char what[600];
		if (want >= 0)
			snprintf(what, sizeof what, "documents.category_id %lld is not a Personio document category", want);
		else if (!hits)
			snprintf(what, sizeof what, "documents.category \"%.200s\" is not a Personio document category", name);
		else
			snprintf(what, sizeof what,
				 "documents.category \"%.200s\" names %zu Personio document categories; give documents.category_id",
				 name, hits);
		char *m = lp_xasprintf("%s: %s; the categories are: %s", R.cfg->path, what, *names ? names : "(none)");
		free(names);
		lp_warn("%s", m);
		free(m);
		stop(LP_EXIT_CONFIG, "unknown document category; nothing was sent");
	}
	free(names);
	R.category_id = found;
}

static void add_item(void *ctx, json_t *item, long page, size_t i)
{
	(void)page, (void)i;
	json_array_append((json_t *)ctx, item);
}

static void free_rb(void *v)
{
	struct rb *b = v;
	if (b)
		json_decref(b->items);
	free(b);
}

/* the person's documents of the category, read once per run (again after an unclear upload) */
static json_t *read_back(const char *pid)
{
	struct rb *b = NULL;
	if (!lp_map_get(R.readback, pid, (void **)&b)) {
		b = lp_xmalloc(sizeof *b);
		b->items = NULL;
		lp_map_put(R.readback, pid, b);
	}
	if (b->items)
		return b->items;
	if (!R.v2_authed) {
		lp_psession_v2_auth(&R.ps);
		R.v2_authed = 1;
	}
	char *o = lp_http_escape(pid);
	char *t = lp_xasprintf("/v2/document-management/documents?owner_id=%s&category_id=%lld&limit=200", o,
			       R.category_id);
	free(o);
	b->items = json_array();
	lp_psession_v2_list(&R.ps, t, "documents", add_item, b->items);
	free(t);
	return b->items;
}

static void stale(const char *pid)
{
	struct rb *b = NULL;
	if (lp_map_get(R.readback, pid, (void **)&b) && b->items) {
		json_decref(b->items);
		b->items = NULL;
	}
}

static const char *id_text(const json_t *v, char *buf, size_t n)
{
	if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && *json_string_value(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else
		return NULL;
	return buf;
}

/* the id of the document whose comment carries marker, or NULL. No fallback by title and date
 * (the recipe's): a document someone uploaded by hand under the same title is never taken for
 * ours, and every upload of ours carries its marker. */
static const char *find(json_t *items, const char *marker, char *buf, size_t n)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) {
		const char *c = lp_json_str(it, "comment");
		if (c && strstr(c, marker))
			return id_text(json_object_get(it, "id"), buf, n);
	}
	return NULL;
}

struct mp {
	char *buf;
	size_t len, cap;
};

static void mp_put(struct mp *m, const void *p, size_t n)
{
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2 + 4096;
		m->buf = lp_xrealloc(m->buf, m->cap);
	}
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void mp_str(struct mp *m, const char *s) { mp_put(m, s, strlen(s)); }

static void mp_field(struct mp *m, const char *b, const char *name, const char *value)
{
	mp_str(m, "--");
	mp_str(m, b);
	mp_str(m, "\r\nContent-Disposition: form-data; name=\"");
	mp_str(m, name);
	mp_str(m, "\"\r\n\r\n");
	mp_str(m, value);
	mp_str(m, "\r\n");
}

/* a random boundary that occurs in none of the parts */
static void boundary(char out[48], const char *bytes, size_t n, const char *const *fields)
{
	for (;;) {
		unsigned char r[16];
		if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
			lp_die(LP_EXIT_IO, "getrandom: %s", strerror(errno));
		int k = snprintf(out, 48, "loketpipe-");
		for (size_t i = 0; i < sizeof r; i++)
			k += snprintf(out + k, 48 - (size_t)k, "%02x", r[i]);
		int clash = memmem(bytes, n, out, strlen(out)) != NULL;
		for (const char *const *f = fields; *f && !clash; f++)
			clash = strstr(*f, out) != NULL;
		if (!clash)
			return;
	}
}

/* a file name safe inside a quoted header value */
static char *safe_name(const char *s)
{
	char *o = lp_xstrdup(*s ? s : "document.pdf");
	for (char *p = o; *p; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	return o;
}

/* the multipart/form-data body of the upload */
static struct mp upload_body(const char *title, const char *pid, const char *date, const char *comment,
			     const char *name, const char *bytes, size_t n, char b[48])
{
	char cat[32];
	snprintf(cat, sizeof cat, "%lld", R.category_id);
	char *fname = safe_name(name);
	const char *fields[] = {title, pid, cat, date, comment, fname, NULL};
	boundary(b, bytes, n, fields);
	struct mp m = {0};
	mp_field(&m, b, "title", title);
	mp_field(&m, b, "employee_id", pid);
	mp_field(&m, b, "category_id", cat);
	mp_field(&m, b, "date", date);
	mp_field(&m, b, "comment", comment);
	mp_str(&m, "--");
	mp_str(&m, b);
	mp_str(&m, "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
	mp_str(&m, fname);
	mp_str(&m, "\"\r\nContent-Type: application/pdf\r\n\r\n");
	mp_put(&m, bytes, n);
	mp_str(&m, "\r\n--");
	mp_str(&m, b);
	mp_str(&m, "--\r\n");
	free(fname);
	return m;
}

/* read a file whole (at most MAX_FILE): 0, or -1 with errno */
static int slurp(const char *path, char **buf, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		int e = errno ? errno : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	if (st.st_size > MAX_FILE) {
		close(fd);
		*buf = NULL;
		*n = (size_t)st.st_size;
		return 0;
	}
	char *b = lp_xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			free(b);
			close(fd);
			errno = e;
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*buf = b;
	*n = got;
	return 0;
}

/* the title and whether it is a correction's */
static char *title_of(const struct doc *d, struct lent *e, int *corrected)
{
	if (e && e->title && e->st != L_FAILED) { /* as the intent had it: a resumed run names it alike */
		*corrected = e->corrected;
		return lp_xstrdup(e->title);
	}
	int yearend = !strcmp(d->kind, "yearend");
	int n = yearend ? done_count(d->key) - (e && e->counted) : (int)d->correction; /* the earlier hashes */
	*corrected = yearend && n > 0; /* a re-issued year-end statement (a correction run's payslip is its
					* own document, titled as a correction) */
	return lp_config_doc_title(R.cfg, yearend, n, (int)d->year, d->period < 0 ? 0 : (int)d->period);
}

static void shared(const struct doc *d, const struct person *p, const char *title, const char *id, const char *how)
{
	json_t *f = json_pack("{s:I,s:s,s:s,s:I,s:o,s:s,s:s,s:s,s:s,s:s}", "employee_number", (json_int_t)d->empno,
			      "personio_id", p->pid, "kind", d->kind, "year", (json_int_t)d->year, "period",
			      d->period < 0 ? json_null() : json_integer(d->period), "key", d->key, "sha256", d->sha,
			      "personio_document_id", id, "title", title, "how", how);
	lp_audit_event(R.audit, "document.shared", f);
}

static void mark_done(const struct doc *d, struct lent *e, const char *pid, const char *title, const char *id,
		      const char *how)
{
	ledger_put(json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "state", "done", "key", d->key, "sha256", d->sha,
			     "employee_id", pid, "document_id", id, "title", title, "how", how));
	count_sent(d->key, e);
	e->st = L_DONE;
	free(e->doc_id);
	e->doc_id = lp_xstrdup(id);
	set_owner(e, pid);
	free(lp_map_put(R.done_key, d->key, lp_xstrdup(d->sha)));
}

/* LOKETPIPE_TEST_KILL_AT=posted:N: SIGKILL after the Nth upload's answer, before its done line */
static void test_kill(const char *at, unsigned long n)
{
	const char *k = getenv("LOKETPIPE_TEST_KILL_AT");
	size_t l = strlen(at);
	if (k && !strncmp(k, at, l) && k[l] == ':' && strtoul(k + l + 1, NULL, 10) == n)
		raise(SIGKILL);
}

/* Before the read-back after an unclear answer: a request that timed out (or whose connection
 * broke) may still be in Personio's hands, and a read-back at once would not see the document
 * it is about to store. LOKETPIPE_DOC_SETTLE_MS (default 5000) is that wait; how long Personio
 * may take is UNCONFIRMED. */
static void settle(void)
{
	const char *e = getenv("LOKETPIPE_DOC_SETTLE_MS");
	long ms = e && *e ? strtol(e, NULL, 10) : 5000;
	if (ms <= 0)
		return;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* the settle wait, counted from an intent written at t (a run resumed right after a kill) */
static void settle_since(time_t t)
{
	const char *e = getenv("LOKETPIPE_DOC_SETTLE_MS");
	long ms = e && *e ? strtol(e, NULL, 10) : 5000;
	long long left = (long long)t * 1000 + ms - (long long)time(NULL) * 1000;
	if (ms <= 0 || left <= 0)
		return;
	if (left > ms)
		left = ms; /* a clock that went back: never longer than the wait itself */
	struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void one(const struct doc *d)
{
	char en[32], buf[700];
	snprintf(en, sizeof en, "%lld", d->empno);
	struct lent *e = ent(d->key, d->sha, 0);
	int corrected = 0;
	char *title = title_of(d, e, &corrected); /* also for a report line of a document not sent */
	struct plist *l = NULL;
	lp_map_get(R.people, en, (void **)&l);
	struct person *p = l && l->n == 1 ? l->p[0] : NULL;
	if (l && l->n > 1 && l->n <= sizeof l->p / sizeof l->p[0]) {
		/* several persons with the number: the one in scope (E1: this legal entity, active, NL
		 * payroll), when exactly one is; a person of another legal entity, or an inactive
		 * profile of a rehire, then keeps nobody's documents from them */
		size_t in = 0;
		for (size_t i = 0; i < l->n; i++)
			if (!l->p[i]->why_not)
				p = in++ ? NULL : l->p[i];
		if (in != 1)
			p = NULL;
	}
	if (!p) {
		if (!l)
			issue(d, NULL, 1, "DOC1", "employee_number", "enter the Employee number (Loket) in Personio",
			      "%s: no Personio person has Employee number (Loket) %s; not uploaded", dname(d), en);
		else
			issue(d, NULL, 1, "DOC1", "employee_number", "give each person their own Employee number (Loket)",
			      "%s: %zu Personio persons have Employee number (Loket) %s; not uploaded", dname(d), l->n,
			      en);
		result(d, NULL, title, corrected, "skipped", NULL, !l ? "no Personio person has this Employee number (Loket)"
								 : "several Personio persons have this Employee number (Loket)");
		R.skipped++;
		free(title);
		return;
	}
	/* a payslip is its run's and never changes: done under the key with other bytes (a PDF
	 * downloaded again, e.g. after the index was moved aside, need not be byte-identical) is
	 * the same payslip, already in Personio; only a year-end statement is issued again */
	void *dsha = NULL;
	struct lent *de = NULL;
	if (!strcmp(d->kind, "payslip") && (!e || e->st != L_DONE) && lp_map_get(R.done_key, d->key, &dsha) &&
	    (de = ent(d->key, dsha, 0)) && de->st == L_DONE) {
		issue(d, p, 0, "DOC1", "sha256", NULL,
		      "%s: the PDF Loket gives now has other bytes (sha256 %.16s) than the one in Personio (%.16s, "
		      "document %s); a run's payslip does not change: not uploaded again", dname(d), d->sha, (char *)dsha,
		      de->doc_id);
		e = de;
	}
	if (e && e->st == L_DONE && (!e->owner || !strcmp(e->owner, p->pid))) { /* in Personio already, whatever the
										   * person's scope is now */
		result(d, p, title, corrected, "already", e->doc_id, NULL);
		R.already++;
		free(title);
		return;
	}
	if (e && e->st == L_DONE) {
		/* shared with another person than the one the number names now: Personio's Employee
		 * number was wrong then, or is now. Said loudly; the person it names now gets it */
		issue(d, p, 1, "DOC1", "employee_number", "remove the document from the other profile by hand",
		      "%s was shared with Personio person %s (document %s) on an earlier run; Employee number (Loket) %s "
		      "is person %s now: it goes to %s; remove document %s from %s's profile if it does not belong there",
		      dname(d), e->owner, e->doc_id, en, p->pid, p->pid, e->doc_id, e->owner);
		R.misplaced++;
		e->st = L_NONE;
	}
	if (p->why_not) {
		issue(d, p, 0, "E1", NULL, NULL, "%s: not shared: %s", dname(d), p->why_not);
		snprintf(buf, sizeof buf, "not in scope: %s", p->why_not);
		result(d, p, title, corrected, "skipped", NULL, buf);
		free(title);
		R.skipped++;
		return;
	}
	if (d->has_avail && d->avail > R.avail_limit) {
		char a[11];
		snprintf(buf, sizeof buf, "available to the employee from %s (after %s)", lp_date_fmt(d->avail, a),
			 R.avail_limit < R.as_of ? "today" : "--as-of");
		result(d, p, title, corrected, "skipped", NULL, buf);
		R.skipped++;
		free(title);
		return;
	}
	char *bytes = NULL;
	size_t n = 0;
	char *real = realpath(d->file, NULL);
	size_t dl = strlen(R.docdir);
	int inside = real && !strncmp(real, R.docdir, dl) && (real[dl] == '/' || (dl == 1 && R.docdir[0] == '/'));
	free(real);
	if (!inside && (real || errno != ENOENT)) {
		/* never a file elsewhere (another client's PDF, a symbolic link out): a record names
		 * only what fetch-documents wrote into this client's directory */
		issue(d, p, 1, "DOC1", "file", "run fetch-documents for this client; its records name its own files",
		      "%s: file %s is not in the client's document directory %s; not uploaded", dname(d), d->file, R.docdir);
		result(d, p, title, corrected, "skipped", NULL, "the file is not in the client's document directory");
		R.skipped++;
		free(title);
		return;
	}
	if (slurp(d->file, &bytes, &n)) {
		int err = errno;
		issue(d, p, 1, "DOC1", "file", "run fetch-documents again", "%s: file %s: %s; not uploaded", dname(d),
		      d->file, strerror(err));
		snprintf(buf, sizeof buf, "file: %s", strerror(err));
		result(d, p, title, corrected, "skipped", NULL, buf);
		R.skipped++;
		free(title);
		return;
	}
	if (!bytes) {
		issue(d, p, 1, "DOC1", "size", "Personio takes files up to 30 MB; upload it by hand, smaller",
		      "%s: %zu bytes, over Personio's limit of 30 MB; not uploaded", dname(d), n);
		result(d, p, title, corrected, "skipped", NULL, "over Personio's 30 MB limit");
		R.skipped++;
		free(title);
		return;
	}
	char hex[65];
	lp_sha256_hex(bytes, n, hex);
	if (strcmp(hex, d->sha)) {
		issue(d, p, 1, "DOC1", "sha256", "run fetch-documents again",
		      "%s: file %s no longer has the record's sha256; not uploaded", dname(d), d->file);
		result(d, p, title, corrected, "skipped", NULL, "the file's bytes do not have the record's sha256");
		R.skipped++;
		free(title);
		free(bytes);
		return;
	}
	if (n < 5 || memcmp(bytes, "%PDF-", 5)) { /* fetch-documents checks it too: never send what is not one */
		issue(d, p, 1, "DOC1", "file", "run fetch-documents again",
		      "%s: file %s is not a PDF (it does not start with %%PDF-); not uploaded", dname(d), d->file);
		result(d, p, title, corrected, "skipped", NULL, "not a PDF");
		R.skipped++;
		free(title);
		free(bytes);
		return;
	}
	char marker[400];
	snprintf(marker, sizeof marker, "loketpipe:%s:sha256:%.16s", d->key, d->sha);
	if (R.dry) {
		result(d, p, title, corrected, "planned", NULL,
		       e && e->st == L_INTENT ? "dry run: an earlier run may have sent it; would read back, then upload "
						"when it is not there"
					  : "dry run: would upload (unless reading the person's documents back finds it)");
		R.planned++;
		free(title);
		free(bytes);
		return;
	}
	if (!e)
		e = ent(d->key, d->sha, 1);
	char idb[128];
	const char *id;
	if (e->st == L_INTENT && e->owner && strcmp(e->owner, p->pid) && find(read_back(e->owner), marker, idb, sizeof idb)) {
		/* an earlier run's upload landed on the person the number named then */
		issue(d, p, 1, "DOC1", "employee_number", "remove the document from the other profile by hand",
		      "%s was uploaded to Personio person %s (document %s) by an earlier run; Employee number (Loket) %s is "
		      "person %s now: it goes to %s; remove document %s from %s's profile if it does not belong there",
		      dname(d), e->owner, idb, en, p->pid, p->pid, idb, e->owner);
		R.misplaced++;
	}
	if (e->st == L_INTENT && e->intent_at)
		settle_since(e->intent_at); /* a killed run's upload may still be landing */
	/* Not done in this ledger: the person's documents are read back (once per person and run)
	 * before anything is sent, whatever the ledger says, so that an upload this ledger does not
	 * know (the ledger lost, moved aside after damage, a torn last line, another host's ledger
	 * in a batch over several hosts) is never made twice: the marker in Personio is the truth.
	 * The fallback by title and date only for an intent of this ledger (its own upload). */
	int was_intent = e->st == L_INTENT;
	if ((id = find(read_back(p->pid), marker, idb, sizeof idb))) {
		shared(d, p, title, id, "recovered"); /* A1 first: a repeated event is possible, a lost one not */
		mark_done(d, e, p->pid, title, id, "recovered");
		result(d, p, title, corrected, "recovered", id,
		       was_intent ? "an earlier run's upload, found by its marker"
					   : "in Personio already (found by its marker; this ledger did not know it)");
		R.recovered++;
		free(title);
		free(bytes);
		return;
	}
	char b[48];
	struct mp m = upload_body(title, p->pid, d->period_end, marker, d->file_name, bytes, n, b);
	free(bytes);
	char ct[96];
	snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s", b);
	static unsigned long posts;
	const char *outcome = NULL;
	for (int round = 1; round <= ROUNDS && !outcome; round++) {
		char at[32];
		iso_now(at);
		ledger_put(json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:s}", "state", "intent", "key", d->key, "sha256", d->sha,
				     "employee_id", p->pid, "title", title, "corrected", corrected, "category_id",
				     (json_int_t)R.category_id, "intent_at", at));
		count_sent(d->key, e);
		free(e->title);
		e->title = lp_xstrdup(title);
		e->corrected = corrected;
		if (e->st != L_DONE)
			e->st = L_INTENT;
		lp_http_resp resp;
		memset(&resp, 0, sizeof resp);
		int rc = lp_psession_send(&R.ps, 0, "POST", "/v1/company/documents", ct, m.buf, m.len,
					  LP_HTTP_NO_RETRY | LP_HTTP_RETRY_429, &resp);
		test_kill("posted", ++posts);
		if (!rc && (resp.status == 200 || resp.status == 201)) {
			json_t *j = lp_json_loadb(resp.body, resp.len, NULL);
			id = id_text(json_object_get(lp_json_obj(j, "data"), "id"), idb, sizeof idb);
			json_decref(j);
			if (id) {
				lp_http_resp_free(&resp);
				shared(d, p, title, id, "uploaded");
				mark_done(d, e, p->pid, title, id, "uploaded");
				result(d, p, title, corrected, "uploaded", id, NULL);
				R.uploaded++;
				outcome = "done";
				break;
			}
		}
		if (!rc && resp.status == 401) {
			lp_http_resp_free(&resp);
			free(m.buf);
			free(title);
			stop(LP_EXIT_AUTH, "POST /v1/company/documents: HTTP 401: Personio refused the credentials");
		}
		if (!rc && resp.status >= 400 && resp.status < 500 && resp.status != 408 && resp.status != 429) {
			char msg[500];
			lp_psession_api_message(&resp, msg, sizeof msg);
			if (!*msg)
				snprintf(msg, sizeof msg, "no message");
			long st = resp.status;
			lp_http_resp_free(&resp);
			ledger_put(json_pack("{s:s,s:s,s:s,s:I,s:s}", "state", "failed", "key", d->key, "sha256", d->sha,
					     "status", (json_int_t)st, "message", msg));
			e->st = L_FAILED;
			issue(d, p, 1, "DOC1", NULL, "correct it in Personio or the configuration, then run again",
			      "%s: Personio refused the upload: HTTP %ld: %s", dname(d), st, msg);
			snprintf(buf, sizeof buf, "Personio refused it: HTTP %ld: %s", st, msg);
			result(d, p, title, corrected, "failed", NULL, buf);
			R.failed++;
			R.refused++;
			outcome = "refused";
			break;
		}
		if (!rc && resp.status == 429) { /* still limited after the retries: not processed */
			lp_http_resp_free(&resp);
			outcome = "limited";
			break;
		}
		/* no answer, a timeout, a 5xx, or a 2xx without an id: it may have landed */
		if (R.verbose)
			lp_warn("%s: %s: %s; reading back", R.cfg->client, d->key,
				rc ? lp_http_error(R.ps.http) : "no document id in the answer");
		lp_http_resp_free(&resp);
		settle();
		stale(p->pid);
		if ((id = find(read_back(p->pid), marker, idb, sizeof idb))) {
			shared(d, p, title, id, "uploaded");
			mark_done(d, e, p->pid, title, id, "uploaded");
			result(d, p, title, corrected, "uploaded", id,
			       "the answer was lost; found by its marker");
			R.uploaded++;
			outcome = "done";
		}
	}
	free(m.buf);
	if (!outcome || !strcmp(outcome, "limited")) {
		issue(d, p, 1, "DOC1", NULL, "run push-documents again later: the ledger resumes",
		      outcome ? "%s: Personio still answered 429 (rate limit) after the retries; not uploaded"
			      : "%s: no clear answer from Personio after %d uploads and read-backs; run again",
		      dname(d), ROUNDS);
		result(d, p, title, corrected, "failed", NULL,
		       outcome ? "rate limited" : "no clear answer from Personio; run again (the ledger resumes)");
		R.failed++;
		R.remote++;
	}
	free(title);
}

/* ---- the run ------------------------------------------------------------------------- */

static void free_plist(void *v) { free(v); }

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
		{"base", required_argument, 0, 'b'}, {"base-url", required_argument, 0, 'b'},
		{"ledger", required_argument, 0, 'l'}, {"dry-run", no_argument, 0, 'd'},
		{"only", required_argument, 0, 'o'}, {"audit", required_argument, 0, 'U'},
		{"actor", required_argument, 0, 'A'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *as_of = NULL, *base = NULL, *ledger = NULL, *audit = NULL, *actor = NULL;
	int c;
	lp_init(argv[0]);
	R.only = -1;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'a': as_of = optarg; break;
		case 'b': base = optarg; break;
		case 'l': ledger = optarg; break;
		case 'd': R.dry = 1; break;
		case 'o': R.only = lp_opt_long("--only", optarg, 0, 999999999999999L); break;
		case 'U': audit = optarg; break;
		case 'A': actor = optarg; break;
		case 'v': R.verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "--config is required");
	R.as_of = as_of ? lp_date_opt("--as-of", as_of) : lp_date_today();
	/* --as-of says which documents a run concerns; it never lets one out before its date in
	 * fact: a document available to the employee after today waits, whatever --as-of says */
	R.avail_limit = R.as_of < lp_date_today() ? R.as_of : lp_date_today();
	if (R.as_of > lp_date_today())
		lp_warn("--as-of %s lies after today: no document available to the employee after today is shared", as_of);
	R.cfg = lp_config_load(config);
	if (!R.cfg)
		return LP_EXIT_CONFIG;
	char *lpath = NULL;
	if (R.cfg->documents.dir && mkdir(R.cfg->documents.dir, 0700) && errno != EEXIST)
		lp_die(LP_EXIT_CONFIG, "%s: documents.dir %s: %s", R.cfg->path, R.cfg->documents.dir, strerror(errno));
	if (ledger)
		lpath = lp_xstrdup(ledger);
	else if (R.cfg->documents.dir)
		lpath = lp_xasprintf("%s/personio-ledger.ndjson", R.cfg->documents.dir);
	else
		lp_die(LP_EXIT_CONFIG, "%s: no ledger: set documents.dir (or loket.token_file) or give --ledger", R.cfg->path);
	R.ledger_path = lpath;
	{ /* the files a record may name: those inside the client's document directory */
		char *ddir = R.cfg->documents.dir ? lp_xstrdup(R.cfg->documents.dir) : lp_xstrdup(lpath);
		if (!R.cfg->documents.dir) {
			char *sl = strrchr(ddir, '/');
			if (sl)
				*(sl == ddir ? sl + 1 : sl) = '\0';
			else
				strcpy(ddir, ".");
		}
		R.docdir = realpath(ddir, NULL);
		if (!R.docdir)
			lp_die(LP_EXIT_CONFIG, "%s: the document directory %s: %s", R.cfg->path, ddir, strerror(errno));
		free(ddir);
	}
	R.ents = lp_map_new();
	R.done_of = lp_map_new();
	R.done_key = lp_map_new();
	R.people = lp_map_new();
	R.readback = lp_map_new();

	/* one run per client: the ledger's own lock (not the client's Loket lock: a run of
	 * fetch-documents holds that one and may feed this one through a pipe), the default
	 * ledger's when --ledger names another, and "<loket.lock_file>.documents" beside the
	 * client's Loket lock, so that a second ledger (--ledger, another configuration with
	 * another documents.dir) cannot upload alongside */
	char *lock = lp_xasprintf("%s.lock", lpath);
	lp_lock_client(R.cfg->client, lock);
	free(lock);
	if (ledger && R.cfg->documents.dir) {
		char *dl = lp_xasprintf("%s/personio-ledger.ndjson", R.cfg->documents.dir);
		if (strcmp(dl, lpath)) {
			lock = lp_xasprintf("%s.lock", dl);
			lp_lock_client(R.cfg->client, lock);
			free(lock);
		}
		free(dl);
	}
	if (R.cfg->loket.lock_file) {
		lock = lp_xasprintf("%s.documents", R.cfg->loket.lock_file);
		lp_lock_client(R.cfg->client, lock);
		free(lock);
	}
	struct stat st;
	if (R.dry && !stat(lpath, &st)) { /* a rehearsal reads the ledger and changes nothing, a torn line neither */
		int rc = lp_crclog_read(lpath, "ledger", ledger_line, NULL);
		if (rc)
			return rc;
	} else if (!R.dry) {
		int rc = lp_crclog_open(lpath, "ledger", ledger_line, NULL, &R.ledger);
		if (rc)
			return rc; /* damaged (3), wrong mode (4), I/O (7): nothing was sent */
		if (lp_crclog_torn(R.ledger))
			lp_warn("%s: ledger %s: a torn last line (a run killed while writing it) was cut off; its document "
				"is read back before it is sent again", R.cfg->client, lpath);
	}
	json_t *recs = read_input(argv + optind, argc - optind);
	if (R.incomplete) {
		lp_warn("%s", R.incomplete_why);
		stop(LP_EXIT_DATA, "the person or document records are incomplete; nothing was sent (a partial person list "
		     "could match a document to the wrong person)");
	}
	lp_psession_init(&R.ps, R.cfg, base, NULL, NULL, fail_hook, NULL);
	if (R.ndocs)
		resolve_category();
	if (!R.dry)
		R.audit = lp_audit_open(audit ? audit : R.cfg->audit_log, actor, R.cfg->client);
	for (size_t i = 0; i < R.ndocs; i++)
		one(&R.docs[i]);
	out(lp_stream_end(R.cfg->client, "push", !R.remote, counts(),
			  R.remote ? "documents without a clear answer from Personio; run again" : NULL));
	int o = lp_out_close();
	if (R.verbose)
		lp_warn("%s: %zu documents: %lu uploaded, %lu already there, %lu recovered, %lu skipped, %lu failed%s; "
			"%lu HTTP requests", R.cfg->client, R.ndocs, R.uploaded, R.already, R.recovered, R.skipped, R.failed,
			R.dry ? " (dry run)" : "", lp_http_requests(R.ps.http));
	lp_audit_close(R.audit);
	if (R.ledger)
		lp_crclog_close(R.ledger);
	lp_psession_free(&R.ps);
	for (size_t i = 0; i < R.ndocs; i++)
		json_decref(R.docs[i].rec);
	free(R.docs);
	for (size_t i = 0; i < R.npersons; i++) {
		free(R.persons[i]->why_not);
		free(R.persons[i]);
	}
	free(R.persons);
	json_decref(recs);
	lp_map_free(R.ents, free_ent);
	lp_map_free(R.done_of, NULL);
	lp_map_free(R.done_key, free);
	free(R.docdir);
	lp_map_free(R.people, free_plist);
	lp_map_free(R.readback, free_rb);
	free((char *)R.incomplete_why);
	free(lpath);
	lp_config_free(R.cfg);
	if (o)
		return o;
	if (R.remote)
		return LP_EXIT_REMOTE;
	return R.errors || R.refused ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
