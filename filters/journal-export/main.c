/* journal-export - write payroll journal entries (journal.entry and journal.line records, as
 * fetch-journal makes them) as XAF 3.2, a semicolon CSV of memorial lines, or NDJSON.
 *
 * The whole input is read first: an entry comes after its lines, and XAF puts the ledger
 * accounts and the totals of all entries before the first transaction. An entry that is not
 * balanced ("balanced": false, its lines not adding up to its totals, debit != credit, a line
 * count or numbering that is not its own) is refused: an issue names the run, the others are
 * written, exit 1. With -o FILE the output goes to a temporary file in FILE's directory,
 * which is fsync'd and renamed over FILE, then the directory is fsync'd: FILE appears whole
 * or not at all.
 */
#define _POSIX_C_SOURCE 200809L
#include "lp_cli.h"
#include "lp_csv.h"
#include "lp_date.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le.h"
#include "lp_money.h"
#include "lp_oauth.h"
#include "lp_ndjson.h"
#include "lp_vec.h"
#include "je.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"Usage: journal-export --format xaf|csv|ndjson [-o FILE] [--format F -o FILE]... [--as-of DATE]\n"
	"                      [-c CONFIG [--mark-exported] [--rerun RUN]... [--ledger FILE] [--base-url URL]\n"
	"                       [--actor NAME] [--audit FILE]] [FILE...]\n"
	"Write the journal.entry and journal.line records of FILE... (or stdin) as an XAF 3.2\n"
	"audit file, a semicolon CSV of memorial lines, or NDJSON. Unbalanced entries are refused.\n"
	"\n"
	"  -f, --format F   xaf, csv or ndjson (required; repeatable, each -o takes the format before it)\n"
	"  -o, --output FILE  write FILE whole or not at all (temporary file, fsync, rename); with\n"
	"                   several, all or none; issue records then go to stdout. Default: stdout\n"
	"      --as-of DATE the XAF header's dateCreated and the ledger's date (default: today, UTC)\n"
	"  -c, --config F   the client configuration: the ledger (journal.dir), the J2 link audit\n"
	"      --mark-exported  exactly once: every output a new -o FILE (never replaced), then each\n"
	"                   run exported is marked processed in Loket (needs journal.application_key\n"
	"                   and journal.bookkeeping_administration); runs the ledger knows are not\n"
	"                   exported again\n"
	"      --rerun RUN  export RUN again on purpose whatever the ledger says (repeatable)\n"
	"      --ledger FILE  the ledger (default: <journal.dir>/ledger.ndjson)\n"
	"      --base-url URL  the Loket API (default: loket.base_url)\n"
	"      --actor NAME, --audit FILE  the audit log's actor and file (default: audit_log)\n"
	"  -h, --help       this help\n"
	"  -V, --version    the version\n"
	"\n"
	LP_OAUTH_HELP
	"\n"
	"Exit status: 0 all written (and marked), 1 an entry refused or a run not marked (issues),\n"
	"2 usage, 3 bad input, 4 configuration, 5 the input extract is incomplete or Loket failed (run\n"
	"again: the ledger resumes), 6 re-authorise, 7 I/O or a damaged/foreign ledger or an existing\n"
	"output file, 8 another run holds the ledger. See journal-export(1), loketpipe(7).\n";

je_runs runs;
je_jsons passed;
char *client, *bk_admin;
static int have_client, have_bk;
static int any_xaf;
int have_bk_admin(void) { return have_bk; }

static char *dup_or_null(const char *s) { return s ? lp_xstrdup(s) : NULL; }

/* a string member (NULL when null and null is allowed) or exit 3 naming the place */
static const char *field_str(lp_in *in, const json_t *rec, const char *key, int nullable, int nonempty)
{
	json_t *v = json_object_get(rec, key);
	char where[600];
	snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
	if ((!v || json_is_null(v)) && nullable)
		return NULL;
	if (!json_is_string(v) || !lp_json_text(v))
		lp_die_at(LP_EXIT_DATA, where, key, "%s", v ? "not a string" : "missing");
	const char *s = lp_json_text(v);
	if (nonempty && !*s)
		lp_die_at(LP_EXIT_DATA, where, key, "empty");
	return s;
}

static long field_int(lp_in *in, const json_t *rec, const char *key, long min, long max)
{
	json_t *v = json_object_get(rec, key);
	char where[600];
	snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
	if (!json_is_integer(v))
		lp_die_at(LP_EXIT_DATA, where, key, "%s", v ? "not an integer" : "missing");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		lp_die_at(LP_EXIT_DATA, where, key, "%lld is out of range %ld..%ld", (long long)n, min, max);
	return (long)n;
}

/* the records' amount form (schemas/journal.line.schema.json): 0 or digits without a leading
 * zero, a point, two decimals; no sign, exponent or other spelling of the same number */
static int amount_form(const char *s)
{
	const char *p = s;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	return p[0] == '.' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && !p[3];
}

static lp_cents field_money(lp_in *in, const json_t *rec, const char *key)
{
	const char *s = field_str(in, rec, key, 0, 1);
	lp_cents c;
	int e = lp_money_parse(s, &c);
	char where[600];
	snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
	if (!e && c >= 0 && !amount_form(s))
		lp_die_at(LP_EXIT_DATA, where, key, "'%s': not an amount as the records write it (digits, a point, two "
			  "decimals: 1234.50)", s);
	if (e)
		lp_die_at(LP_EXIT_DATA, where, key, "'%s': %s", s, lp_dec_strerror(e));
	if (c < 0)
		lp_die_at(LP_EXIT_DATA, where, key, "'%s': negative (J1: a negative amount belongs on the other side)", s);
	return c;
}

static const char *field_date(lp_in *in, const json_t *rec, const char *key)
{
	const char *s = field_str(in, rec, key, 0, 1);
	lp_date d;
	if (lp_date_parse(s, &d)) {
		char where[600];
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		lp_die_at(LP_EXIT_DATA, where, key, "'%s' is not a date YYYY-MM-DD", s);
	}
	return s;
}

/* one file is one company: every record of the same client (and bookkeeping administration) */
static void same_client(lp_in *in, const char *c)
{
	char where[600];
	snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
	if (!have_client) {
		client = lp_xstrdup(c);
		have_client = 1;
	} else if (strcmp(client, c))
		lp_die_at(LP_EXIT_DATA, where, "client", "'%s' after '%s': one export is one client's", c, client);
}

/* the run of id (a uuid, or exit 3 naming the place); uuids are compared without case */
static struct run *run_of(lp_in *in, const char *id)
{
	if (!lp_le_uuid_ok(id)) {
		char where[600];
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		lp_die_at(LP_EXIT_DATA, where, "journal_run_id", "'%s' is not a journal run id (a uuid)", id);
	}
	for (size_t i = 0; i < runs.n; i++)
		if (!strcasecmp(runs.v[i].id, id))
			return &runs.v[i];
	struct run *r = LP_VEC_PUSH(&runs);
	memset(r, 0, sizeof *r);
	r->id = lp_xstrdup(id);
	return r;
}

static char *raw_copy(lp_in *in)
{
	size_t len;
	const char *s = lp_in_raw(in, &len);
	char *p = lp_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void read_line(lp_in *in, json_t *rec)
{
	same_client(in, field_str(in, rec, "client", 0, 1));
	struct run *r = run_of(in, field_str(in, rec, "journal_run_id", 0, 1));
	if (r->has_entry) {
		char where[600];
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		lp_die_at(LP_EXIT_DATA, where, "journal_run_id", "a line of run %s after its journal.entry", r->id);
	}
	struct jline *l = LP_VEC_PUSH(&r->lines);
	memset(l, 0, sizeof *l);
	l->no = field_int(in, rec, "line", 1, 1000000000L);
	l->acc = lp_xstrdup(field_str(in, rec, "account_code", 0, 1));
	l->accdesc = dup_or_null(field_str(in, rec, "account_description", 1, 0));
	l->cc = dup_or_null(field_str(in, rec, "cost_center_code", 1, 0));
	l->cu = dup_or_null(field_str(in, rec, "cost_unit_code", 1, 0));
	const char *pd = field_str(in, rec, "payroll_component_description", 1, 0);
	/* the line's text: the payroll component (Loket's results have no line description),
	 * else the account's description */
	l->desc = dup_or_null(pd && *pd ? pd : l->accdesc);
	l->d = field_money(in, rec, "debit");
	l->c = field_money(in, rec, "credit");
	l->raw = raw_copy(in);
	r->sd += l->d;
	r->sc += l->c;
	if (r->sd > LP_MONEY_MAX || r->sc > LP_MONEY_MAX) {
		char where[600];
		snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
		lp_die_at(LP_EXIT_DATA, where, "debit", "the run's sum is out of range");
	}
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void refuse(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct run *r, const char *fmt, ...)
{
	if (r->refusal)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	r->refusal = r->why;
}

static void read_entry(lp_in *in, json_t *rec)
{
	char where[600];
	snprintf(where, sizeof where, "%s:%lu", lp_in_name(in), lp_in_line(in));
	same_client(in, field_str(in, rec, "client", 0, 1));
	const char *bk = field_str(in, rec, "bookkeeping_administration", 1, 0);
	if (!have_bk) {
		bk_admin = dup_or_null(bk);
		have_bk = 1;
	} else if ((bk == NULL) != (bk_admin == NULL) || (bk && strcmp(bk, bk_admin)))
		lp_die_at(LP_EXIT_DATA, where, "bookkeeping_administration",
			  "'%s' after '%s': one export is one bookkeeping administration's", bk ? bk : "null",
			  bk_admin ? bk_admin : "null");
	struct run *r = run_of(in, field_str(in, rec, "journal_run_id", 0, 1));
	if (r->has_entry)
		lp_die_at(LP_EXIT_DATA, where, "journal_run_id", "a second journal.entry of run %s", r->id);
	r->has_entry = 1;
	r->where = lp_xstrdup(where);
	r->seq = field_int(in, rec, "sequence_number", 0, 999999999L);
	r->year = field_int(in, rec, "year", 1900, 2199);
	r->period = field_int(in, rec, "period", 1, 999);
	r->pstart = lp_xstrdup(field_date(in, rec, "period_start"));
	r->pend = lp_xstrdup(field_date(in, rec, "period_end"));
	r->bdate = lp_xstrdup(field_date(in, rec, "booking_date"));
	r->jcode = lp_xstrdup(field_str(in, rec, "journal_code", 0, 1));
	r->status = field_int(in, rec, "status", 0, 7);
	r->nlines = field_int(in, rec, "lines", 0, 1000000000L);
	r->td = field_money(in, rec, "total_debit");
	r->tc = field_money(in, rec, "total_credit");
	json_t *b = json_object_get(rec, "balanced");
	if (!json_is_boolean(b))
		lp_die_at(LP_EXIT_DATA, where, "balanced", "%s", b ? "not a boolean" : "missing");
	r->raw = raw_copy(in);
	char a[32], c[32];
	if (!json_is_true(b))
		refuse(r, "not balanced (\"balanced\": false)");
	if (r->td != r->tc)
		refuse(r, "total_debit %s != total_credit %s", lp_money_fmt(r->td, a), lp_money_fmt(r->tc, c));
	if ((size_t)r->nlines != r->lines.n)
		refuse(r, "the entry says %ld lines, the input holds %zu", r->nlines, r->lines.n);
	if (r->sd != r->td)
		refuse(r, "its lines' debit adds up to %s, total_debit is %s", lp_money_fmt(r->sd, a),
		       lp_money_fmt(r->td, c));
	if (r->sc != r->tc)
		refuse(r, "its lines' credit adds up to %s, total_credit is %s", lp_money_fmt(r->sc, a),
		       lp_money_fmt(r->tc, c));
	for (size_t i = 0; i < r->lines.n; i++) {
		if (r->lines.v[i].no != (long)i + 1)
			refuse(r, "line %ld where line %zu belongs (lines numbered 1..n in order)", r->lines.v[i].no, i + 1);
		/* XAF's identifiers hold at most 35 characters */
		if (any_xaf && (utf8_len(r->lines.v[i].acc) > 35 || utf8_len(r->lines.v[i].cc) > 35 || utf8_len(r->lines.v[i].cu) > 35))
			refuse(r, "line %zu: an account, cost centre or cost unit code longer than 35 characters", i + 1);
	}
	if (any_xaf && utf8_len(r->jcode) > 35)
		refuse(r, "journal_code longer than 35 characters");
}

/* ---- output */

static FILE *out;
static int werr;

static void put(const char *s)
{
	if (fputs(s, out) == EOF)
		werr = 1;
}

/* XML text: & < > " escaped; characters XML 1.0 cannot hold (C0 controls but tab, LF, CR,
 * U+FFFE, U+FFFF) become a space (jansson gave valid UTF-8 without surrogates) */
static void xput(const char *s, size_t max)
{
	size_t n = 0; /* characters (code points) written: the schema's lengths count them */
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch & 0xC0) != 0x80 && n++ == max)
			break;
		const char *e = NULL;
		char one[2] = {(char)ch, 0};
		switch (ch) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		default: e = ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' ? " " : one;
		}
		/* U+FFFE and U+FFFF (EF BF BE, EF BF BF) are no XML characters either */
		if (ch == 0xEF && (unsigned char)s[1] == 0xBF && ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF)) {
			e = " ";
			s += 2;
		}
		put(e);
	}
}

/* an element of at most max characters (the schema's String999: a longer description is cut) */
static void xel_max(const char *ind, const char *name, const char *text, size_t max)
{
	put(ind);
	put("<");
	put(name);
	put(">");
	xput(text, max);
	put("</");
	put(name);
	put(">\n");
}

static void xel(const char *ind, const char *name, const char *text)
{
	xel_max(ind, name, text, (size_t)-1);
}

static void write_xaf(const char *as_of)
{
	lp_cents td = 0, tc = 0;
	long nl = 0;
	const char *start = NULL, *end = NULL;
	long y0 = 0, y1 = 0;
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (r->refusal || r->hold)
			continue;
		td += r->td;
		tc += r->tc;
		nl += (long)r->lines.n;
		if (!start || strcmp(r->pstart, start) < 0)
			start = r->pstart;
		if (!end || strcmp(r->pend, end) > 0)
			end = r->pend;
		if (!y0 || r->year < y0)
			y0 = r->year;
		if (r->year > y1)
			y1 = r->year;
	}
	char buf[64], a[32];
	put("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<auditfile xmlns=\"http://www.auditfiles.nl/XAF/3.2\">\n");
	put("\t<header>\n");
	if (!y0)
		snprintf(buf, sizeof buf, "%.4s", as_of);
	else if (y0 == y1)
		snprintf(buf, sizeof buf, "%ld", y0);
	else
		snprintf(buf, sizeof buf, "%ld-%ld", y0, y1);
	xel("\t\t", "fiscalYear", buf);
	xel("\t\t", "startDate", start ? start : as_of);
	xel("\t\t", "endDate", end ? end : as_of);
	xel("\t\t", "curCode", "EUR");
	xel("\t\t", "dateCreated", as_of);
	xel("\t\t", "softwareDesc", "loketpipe journal-export");
	xel("\t\t", "softwareVersion", LP_VERSION);
	put("\t</header>\n\t<company>\n");
	/* companyIdent is an identifier of at most 35 characters (optional): a longer name is left
	 * out rather than cut */
	if (bk_admin && utf8_len(bk_admin) <= 35)
		xel("\t\t", "companyIdent", bk_admin);
	else if (bk_admin)
		lp_warn("XAF: bookkeeping administration '%s' is longer than 35 characters: left out of companyIdent", bk_admin);
	xel_max("\t\t", "companyName", client ? client : "", 999);
	xel("\t\t", "taxRegistrationCountry", "NL");
	xel("\t\t", "taxRegIdent", "");
	/* generalLedger needs a ledgerAccount: it is left out when no line is kept */
	if (nl)
		put("\t\t<generalLedger>\n");
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (r->refusal || r->hold)
			continue;
		for (size_t k = 0; k < r->lines.n; k++) {
			struct jline *l = &r->lines.v[k];
			int seen = 0;
			/* the accounts used, each once, in the order they first appear */
			for (size_t j = 0; j <= i && !seen; j++) {
				if (runs.v[j].refusal || runs.v[j].hold)
					continue;
				size_t upto = j == i ? k : runs.v[j].lines.n;
				for (size_t m = 0; m < upto && !seen; m++)
					seen = !strcmp(runs.v[j].lines.v[m].acc, l->acc);
			}
			if (seen)
				continue;
			put("\t\t\t<ledgerAccount>\n");
			xel("\t\t\t\t", "accID", l->acc);
			xel_max("\t\t\t\t", "accDesc", l->accdesc ? l->accdesc : "", 999);
			/* Loket's results do not say whether an account is a balance-sheet or a profit and
			 * loss account: M (mixed) */
			xel("\t\t\t\t", "accTp", "M");
			put("\t\t\t</ledgerAccount>\n");
		}
	}
	if (nl)
		put("\t\t</generalLedger>\n");
	put("\t\t<transactions>\n");
	snprintf(buf, sizeof buf, "%ld", nl);
	xel("\t\t\t", "linesCount", buf);
	xel("\t\t\t", "totalDebit", lp_money_fmt(td, a));
	xel("\t\t\t", "totalCredit", lp_money_fmt(tc, a));
	/* one journal per journal code, in the order the codes first appear */
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (r->refusal || r->hold)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !runs.v[j].refusal && !runs.v[j].hold && !strcmp(runs.v[j].jcode, r->jcode);
		if (seen)
			continue;
		put("\t\t\t<journal>\n");
		xel("\t\t\t\t", "jrnID", r->jcode);
		xel("\t\t\t\t", "desc", "Loonjournaal (Loket.nl)");
		xel("\t\t\t\t", "jrnTp", "M");
		for (size_t j = i; j < runs.n; j++) {
			struct run *t = &runs.v[j];
			if (t->refusal || t->hold || strcmp(t->jcode, r->jcode))
				continue;
			put("\t\t\t\t<transaction>\n");
			snprintf(buf, sizeof buf, "%ld", t->seq);
			xel("\t\t\t\t\t", "nr", buf);
			char d[200];
			snprintf(d, sizeof d, "Loonjournaalpost %ld periode %ld (journaalrun %ld)", t->year, t->period, t->seq);
			xel("\t\t\t\t\t", "desc", d);
			snprintf(buf, sizeof buf, "%ld", t->period);
			xel("\t\t\t\t\t", "periodNumber", buf);
			xel("\t\t\t\t\t", "trDt", t->bdate);
			for (size_t k = 0; k < t->lines.n; k++) {
				struct jline *l = &t->lines.v[k];
				put("\t\t\t\t\t<trLine>\n");
				snprintf(buf, sizeof buf, "%ld", l->no);
				xel("\t\t\t\t\t\t", "nr", buf);
				xel("\t\t\t\t\t\t", "accID", l->acc);
				xel("\t\t\t\t\t\t", "docRef", t->id);
				xel("\t\t\t\t\t\t", "effDate", t->bdate);
				if (l->desc)
					xel("\t\t\t\t\t\t", "desc", l->desc);
				/* a line holds one side (J1 moved negatives over); both: the difference */
				lp_cents v = l->d - l->c;
				xel("\t\t\t\t\t\t", "amnt", lp_money_fmt(v < 0 ? -v : v, a));
				xel("\t\t\t\t\t\t", "amntTp", v < 0 ? "C" : "D");
				if (l->cc && *l->cc)
					xel("\t\t\t\t\t\t", "costID", l->cc);
				if (l->cu && *l->cu)
					xel("\t\t\t\t\t\t", "prodID", l->cu);
				put("\t\t\t\t\t</trLine>\n");
			}
			put("\t\t\t\t</transaction>\n");
		}
		put("\t\t\t</journal>\n");
	}
	put("\t\t</transactions>\n\t</company>\n</auditfile>\n");
}

static void write_csv(void)
{
	static const char *const head[] = {"date", "journal", "account", "description", "debit",
					   "credit", "cost_center", "cost_unit", "reference"};
	if (lp_csv_write_row(out, ';', head, 9))
		werr = 1;
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (r->refusal || r->hold)
			continue;
		for (size_t k = 0; k < r->lines.n; k++) {
			struct jline *l = &r->lines.v[k];
			char d[32], c[32];
			const char *txt[] = {r->jcode, l->acc, l->desc, l->cc, l->cu};
			char *safe[5];
			for (int j = 0; j < 5; j++)
				safe[j] = lp_csv_defuse(txt[j]);
			const char *f[9] = {r->bdate,
					    safe[0] ? safe[0] : txt[0],
					    safe[1] ? safe[1] : txt[1],
					    safe[2] ? safe[2] : txt[2],
					    lp_csv_money(l->d, d),
					    lp_csv_money(l->c, c),
					    safe[3] ? safe[3] : txt[3],
					    safe[4] ? safe[4] : txt[4],
					    r->id};
			if (lp_csv_write_row(out, ';', f, 9))
				werr = 1;
			for (int j = 0; j < 5; j++)
				free(safe[j]);
		}
	}
}

static void write_ndjson(void)
{
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (r->refusal || r->hold)
			continue;
		for (size_t k = 0; k < r->lines.n; k++) {
			put(r->lines.v[k].raw);
			put("\n");
		}
		put(r->raw);
		put("\n");
	}
}

int je_render(struct output *o, const char *as_of)
{
	o->mem = NULL, o->len = 0;
	out = open_memstream(&o->mem, &o->len);
	if (!out)
		return -1;
	werr = 0;
	if (o->fmt == F_XAF)
		write_xaf(as_of);
	else if (o->fmt == F_CSV)
		write_csv();
	else
		write_ndjson();
	if (fclose(out) == EOF)
		werr = 1;
	out = NULL;
	return werr ? -1 : 0;
}

/* the temporary files of je_write_replace, removed on any error */
static LP_VEC(char *) tmps;
static void drop_tmps(void)
{
	for (size_t i = 0; i < tmps.n; i++)
		if (tmps.v[i]) {
			unlink(tmps.v[i]);
			free(tmps.v[i]);
		}
	free(tmps.v);
	tmps.v = NULL, tmps.n = 0;
}

static _Noreturn void io_fail(const char *what, const char *path)
{
	int e = errno;
	drop_tmps();
	lp_die(LP_EXIT_IO, "%s: %s: %s (nothing written)", path, what, strerror(e));
}

int je_write_all(int fd, const char *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, p + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

char *je_abs_path(const char *p)
{
	char *dir = je_dir_of(p), real[PATH_MAX];
	const char *slash = strrchr(p, '/');
	const char *base = slash ? slash + 1 : p;
	char *r = realpath(dir, real) ? lp_xasprintf("%s/%s", strcmp(real, "/") ? real : "", base) : NULL;
	free(dir);
	return r;
}

char *je_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? lp_xasprintf("%.*s", (int)(slash - path == 0 ? 1 : slash - path), path) : lp_xstrdup(".");
}

void je_write_replace(je_outputs *outs)
{
	/* every file to its temporary file and fsync'd first; then the renames: all or none */
	for (size_t i = 0; i < outs->n; i++) {
		struct output *o = &outs->v[i];
		char *t = lp_xasprintf("%s.tmp.XXXXXX", o->path);
		*LP_VEC_PUSH(&tmps) = t;
		int fd = mkstemp(t);
		if (fd < 0) {
			tmps.v[tmps.n - 1] = NULL;
			free(t);
			io_fail("cannot create a temporary file", o->path);
		}
		if (fchmod(fd, 0600))
			io_fail("chmod", o->path);
		if (je_write_all(fd, o->mem, o->len))
			io_fail("write error", o->path);
		if (fsync(fd))
			io_fail("fsync", o->path);
		if (close(fd))
			io_fail("close", o->path);
	}
	for (size_t i = 0; i < outs->n; i++) {
		struct output *o = &outs->v[i];
		if (rename(tmps.v[i], o->path))
			io_fail("rename", o->path);
		free(tmps.v[i]);
		tmps.v[i] = NULL;
		char *dir = je_dir_of(o->path);
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		free(dir);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	drop_tmps();
}

int je_pass_issues(void)
{
	int bad = 0;
	for (size_t i = 0; i < passed.n; i++) {
		if (lp_out(passed.v[i]))
			bad = 1;
		json_decref(passed.v[i]);
		passed.v[i] = NULL;
	}
	passed.n = 0;
	return bad;
}

void je_free_all(void)
{
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		for (size_t k = 0; k < r->lines.n; k++) {
			struct jline *l = &r->lines.v[k];
			free(l->acc), free(l->accdesc), free(l->cc), free(l->cu), free(l->desc), free(l->raw);
		}
		free(r->lines.v);
		free(r->id), free(r->pstart), free(r->pend), free(r->bdate), free(r->jcode), free(r->raw), free(r->where);
	}
	free(runs.v);
	for (size_t i = 0; i < passed.n; i++)
		json_decref(passed.v[i]);
	free(passed.v);
	free(client);
	free(bk_admin);
}

static int parse_fmt(const char *f, enum fmt *out_fmt)
{
	if (!strcmp(f, "xaf"))
		*out_fmt = F_XAF;
	else if (!strcmp(f, "csv"))
		*out_fmt = F_CSV;
	else if (!strcmp(f, "ndjson"))
		*out_fmt = F_NDJSON;
	else
		return -1;
	return 0;
}

/* main's outputs and options: at file scope, reachable when an error exits (LeakSanitizer), and
 * so that the fuzz harness (tests/fuzz/journal-export.c) can set them back between inputs */
static je_outputs main_outs;
static struct je_mark_opts main_mo;

int main(int argc, char **argv)
{
	enum { O_MARK = 1000, O_RERUN, O_LEDGER, O_BASE, O_ACTOR, O_AUDIT };
	static const struct option opts[] = {{"format", required_argument, 0, 'f'}, {"output", required_argument, 0, 'o'},
					     {"as-of", required_argument, 0, 'a'},   {"config", required_argument, 0, 'c'},
					     {"mark-exported", no_argument, 0, O_MARK}, {"rerun", required_argument, 0, O_RERUN},
					     {"ledger", required_argument, 0, O_LEDGER}, {"base-url", required_argument, 0, O_BASE},
					     {"actor", required_argument, 0, O_ACTOR}, {"audit", required_argument, 0, O_AUDIT},
					     {"help", no_argument, 0, 'h'},
					     {"version", no_argument, 0, 'V'},       {0, 0, 0, 0}};
	char as_of[11];
	int c, pending = 0; /* a --format waiting for its -o */
	lp_init(argv[0]);
	lp_date today = 0;
	int have_as_of = 0;
	while ((c = getopt_long(argc, argv, "f:o:c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'f': {
			enum fmt f;
			if (parse_fmt(optarg, &f))
				lp_usage_die(usage, "--format: '%s' is not xaf, csv or ndjson", optarg);
			if (pending)
				lp_usage_die(usage, "--format %s: the --format before it has no -o FILE (each -o takes the format "
					     "given before it; only one output may go to stdout, the last)", optarg);
			struct output *o = LP_VEC_PUSH(&main_outs);
			memset(o, 0, sizeof *o);
			o->fmt = f;
			pending = 1;
			break;
		}
		case 'o':
			if (!pending)
				lp_usage_die(usage, "-o %s: give --format before each -o", optarg);
			if (!*optarg)
				lp_usage_die(usage, "--output: empty file name");
			main_outs.v[main_outs.n - 1].path = optarg;
			pending = 0;
			break;
		case 'a': today = lp_date_opt("--as-of", optarg), have_as_of = 1; break;
		case 'c': main_mo.config = optarg; break;
		case O_MARK: main_mo.mark = 1; break;
		case O_RERUN: *LP_VEC_PUSH(&main_mo.rerun) = optarg; break;
		case O_LEDGER: main_mo.ledger = optarg; break;
		case O_BASE: main_mo.base_url = optarg; break;
		case O_ACTOR: main_mo.actor = optarg; break;
		case O_AUDIT: main_mo.audit = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!main_outs.n)
		lp_usage_die(usage, "--format is required");
	for (size_t i = 0; i < main_outs.n; i++) {
		if (main_outs.v[i].fmt == F_XAF)
			any_xaf = 1;
		/* the same file however it is spelt (./x, d/../x, a linked directory) */
		char *a = main_outs.v[i].path ? je_abs_path(main_outs.v[i].path) : NULL;
		for (size_t j = 0; j < i; j++) {
			char *b = main_outs.v[j].path ? je_abs_path(main_outs.v[j].path) : NULL;
			int same = main_outs.v[i].path && main_outs.v[j].path &&
				   (a && b ? !strcmp(a, b) : !strcmp(main_outs.v[i].path, main_outs.v[j].path));
			free(b);
			if (same) {
				free(a);
				lp_usage_die(usage, "-o %s: given twice (as -o %s)", main_outs.v[i].path, main_outs.v[j].path);
			}
		}
		free(a);
	}
	if (main_mo.mark && !main_mo.config)
		lp_usage_die(usage, "--mark-exported needs -c CONFIG");
	if (main_mo.mark && pending)
		lp_usage_die(usage, "--mark-exported needs -o FILE for every --format (the runs are marked after the files are durable)");
	if (main_mo.config && pending)
		lp_usage_die(usage, "-c needs -o FILE for every --format (the journal.export records go to the standard output)");
	if (!main_mo.mark && main_mo.rerun.n)
		lp_usage_die(usage, "--rerun needs --mark-exported");
	if (!main_mo.config && (main_mo.ledger || main_mo.base_url || main_mo.audit || main_mo.actor))
		lp_usage_die(usage, "--ledger, --base-url, --audit and --actor need -c CONFIG");
	for (size_t i = 0; i < main_mo.rerun.n; i++)
		if (!lp_le_uuid_ok(main_mo.rerun.v[i]))
			lp_usage_die(usage, "--rerun: '%s' is not a journal run id (a uuid)", main_mo.rerun.v[i]);
	lp_date_fmt(have_as_of ? today : lp_date_today(), as_of);
	main_mo.as_of = as_of;

	lp_in *in = lp_in_open(argv + optind, argc - optind);
	json_t *rec;
	int rc, incomplete = 0;
	while ((rc = lp_in_next(in, &rec)) == 1) {
		const char *type = lp_json_str(rec, "type");
		if (!strcmp(type, "journal.line"))
			read_line(in, rec);
		else if (!strcmp(type, "journal.entry"))
			read_entry(in, rec);
		else if (!strcmp(type, "issue")) {
			json_incref(rec);
			*LP_VEC_PUSH(&passed) = rec;
		} else if (!strcmp(type, "stream_end") && !json_is_true(json_object_get(rec, "complete")))
			incomplete = 1;
		json_decref(rec);
	}
	if (rc < 0) {
		int code = lp_in_error(in);
		lp_in_close(in);
		return code;
	}
	lp_in_close(in);
	if (incomplete)
		lp_die(LP_EXIT_REMOTE, "the input says it is incomplete (stream_end complete:false): nothing written");
	for (size_t i = 0; i < runs.n; i++)
		if (!runs.v[i].has_entry)
			lp_die(LP_EXIT_DATA, "run %s: %zu journal.line records without their journal.entry (input ended early?): "
			       "nothing written", runs.v[i].id, runs.v[i].lines.n);

	int refused = 0;
	for (size_t i = 0; i < runs.n; i++) {
		struct run *r = &runs.v[i];
		if (!r->refusal)
			continue;
		refused++;
		lp_warn("%s: journal run %s (sequence %ld, %ld period %ld): refused: %s", client, r->id, r->seq, r->year,
			r->period, r->refusal);
		json_t *is = lp_issuef(client, "error", "J1", NULL, NULL, "journal_run_id",
				       "Loket's journal run must balance; have it recalculated in Loket",
				       "journal run %s (sequence %ld, %ld period %ld) not exported: %s", r->id, r->seq, r->year,
				       r->period, r->refusal);
		lp_issue_source(is, r->where);
		*LP_VEC_PUSH(&passed) = is;
	}

	int code;
	if (main_mo.config)
		code = je_mark_run(&main_mo, &main_outs);
	else {
		for (size_t i = 0; i < main_outs.n; i++)
			if (je_render(&main_outs.v[i], as_of))
				lp_die(LP_EXIT_IO, "out of memory (nothing written)");
		je_outputs files = {0};
		struct output *so = NULL;
		for (size_t i = 0; i < main_outs.n; i++)
			if (main_outs.v[i].path)
				*LP_VEC_PUSH(&files) = main_outs.v[i];
			else
				so = &main_outs.v[i];
		if (files.n)
			je_write_replace(&files);
		free(files.v);
		code = refused ? LP_EXIT_FINDINGS : LP_EXIT_OK;
		if (so) { /* the format on stdout: the issues are not mixed into it */
			if (je_write_all(1, so->mem, so->len))
				lp_die(LP_EXIT_IO, "write error on standard output: %s", strerror(errno));
			for (size_t i = 0; i < passed.n; i++)
				json_decref(passed.v[i]);
			passed.n = 0;
		} else if (je_pass_issues())
			code = LP_EXIT_IO;
		int oc = lp_out_close();
		if (oc)
			code = oc;
	}
	for (size_t i = 0; i < main_outs.n; i++)
		free(main_outs.v[i].mem);
	free(main_outs.v);
	free(main_mo.rerun.v);
	memset(&main_outs, 0, sizeof main_outs);
	memset(&main_mo, 0, sizeof main_mo);
	je_free_all();
	return code;
}
