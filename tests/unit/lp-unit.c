/* lp-unit - a command-line window onto lib/ for the Bats unit tests (tests/lib.bats).
 *
 * Each sub-command calls one library function on its arguments and prints the result, so
 * tests can state tables of inputs and expected outputs in shell. Not installed.
 */
#include <curl/curl.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_addr.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_crcline.h"
#include "lp_csv.h"
#include "lp_date.h"
#include "lp_http.h"
#include "lp_journal.h"
#include "lp_json.h"
#include "lp_jalloc.h"
#include "lp_le.h"
#include "lp_le_benefit.h"
#include "lp_le_component.h"
#include "lp_le_concept.h"
#include "lp_le_employee.h"
#include "lp_le_employment.h"
#include "lp_le_journal.h"
#include "lp_le_ppd.h"
#include "lp_le_wage.h"
#include "lp_loket.h"
#include "lp_map.h"
#include "lp_money.h"
#include "lp_ndjson.h"
#include "lp_mask.h"
#include "lp_nlid.h"
#include "lp_oauth.h"
#include "lp_rate.h"
#include "lp_secret.h"
#include "lp_sha256.h"

static const char usage[] =
	"Usage: lp-unit COMMAND ARGS...\n"
	"  money-parse S | money-div S N | div-round A B | money-fuzz N SEED\n"
	"  date-parse S | date-add DATE N | month-end DATE | period DATE | human DATE\n"
	"  json-exact (stdin) | json-compare FILE | jalloc SEED N | jalloc-classes KIB | wipe-json\n"
	"  addr LINE | bsn S | iban S | postcode S\n"
	"  csv-read (stdin) | csv-write FIELD... | ndjson FILE... | map N\n"
	"  http BASE METHOD TARGET [BODY] | http-new BASE | secret FILE | secret-write FILE TEXT\n"
	"  journal FILE CLIENT PLAN_ID LOKET OPS [OP=STATE[/STATUS][@ID]]...\n"
	"  journal-damage JOURNAL PLAN | holds WANT HAVE\n"
	"  le-journal-mark FAILED APPLICATION_KEY [MESSAGE] | configs FILE...\n"
	"  le-same ENTITY BODY ITEM | le-ppd BODY ITEM | le-paths ID | loket-version TARGET\n"
	"  oauth-401 TOKEN_FILE [NEW_ACCESS] | rate-parse SPEC | sha256 [CHUNK] (stdin)\n"
	"  crclog FILE [JSON...]  (prints the lines it reads, appends JSON...)\n"
	"  doc-config CONFIG [YEAREND N YEAR PERIOD]  (the documents section; a title)\n"
	"  harden  (dumpable, core and address space limits after lp_init) | wipe  (freed secrets)\n";

/* A secret in a block that jansson (or libcurl) frees: the next block of that size, which
 * glibc hands out from the same bin, must not hold it any more. */
static int wipe_check(void)
{
	char secret[201]; /* long: no other block of the object shares its size class */
	for (size_t i = 0; i < sizeof secret - 1; i++)
		secret[i] = (char)('a' + i % 26);
	secret[sizeof secret - 1] = '\0';
	const char *tail = secret + 32; /* beyond the bytes a free list keeps its pointers in */
	int leaks = 0;
	lp_secret_holding();
	json_t *j = json_pack("{s:s}", "client_secret", secret);
	json_decref(j);
	unsigned char *p = malloc(sizeof secret);
	__asm__ volatile("" : : "r"(p) : "memory"); /* what the block holds is what this reads */
	int leak = memmem(p, sizeof secret, tail, strlen(tail)) != NULL;
	printf("jansson %s\n", leak ? "LEAK" : "clean");
	leaks += leak;
	free(p);
	char err[512];
	lp_http_opts ho = {0};
	ho.base_url = "http://127.0.0.1:9";
	lp_http_free(lp_http_new(&ho, err, sizeof err)); /* libcurl set up the way every program does */
	char hdr[sizeof secret + 32];
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", secret);
	curl_slist_free_all(curl_slist_append(NULL, hdr));
	p = malloc(strlen(hdr) + 1);
	__asm__ volatile("" : : "r"(p) : "memory");
	leak = memmem(p, strlen(hdr) + 1, tail, strlen(tail)) != NULL;
	printf("curl %s\n", leak ? "LEAK" : "clean");
	leaks += leak;
	free(p);
	return leaks ? 1 : 0;
}

/* After a secret was read, what lp_json_loadb decoded (a string or a long key with escapes,
 * in buffers of its own) is gone from the blocks the allocator hands out next, as it was when
 * jansson's parser decoded into jansson's (wiped) blocks. Prints "clean" or "LEAK". */
static int wipe_json_check(void)
{
	char secret[301];
	for (size_t i = 0; i < sizeof secret - 1; i++)
		secret[i] = (char)('a' + i % 26);
	secret[sizeof secret - 1] = '\0';
	const char *tail = secret + 32;
	lp_secret_holding();
	char body[800];
	int n = snprintf(body, sizeof body, "{\"\\n%s\":\"\\t%s\"}", secret, secret);
	json_t *j = lp_json_loadb(body, (size_t)n, NULL);
	if (!j)
		return printf("not read\n"), 2;
	json_decref(j);
	int leak = 0;
	size_t sizes[] = {sizeof secret + 1, 512, 1024, 2048};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
		unsigned char *p[4];
		for (int i = 0; i < 4; i++) {
			p[i] = malloc(sizes[s]);
			__asm__ volatile("" : : "r"(p[i]) : "memory");
			leak |= memmem(p[i], sizes[s], tail, strlen(tail)) != NULL;
		}
		for (int i = 0; i < 4; i++)
			free(p[i]);
	}
	printf("%s\n", leak ? "LEAK" : "clean");
	return leak;
}

static int money_parse(const char *s)
{
	lp_cents c;
	char b[32];
	int e = lp_money_parse(s, &c);
	if (e) {
		printf("error: %s\n", lp_dec_strerror(e));
		return 1;
	}
	printf("%s\n", lp_money_fmt(c, b));
	return 0;
}

/* xorshift64*: deterministic pseudo-random numbers for the property test */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Property: for N random amounts, format -> parse is the identity, the JSON path
 * (a fractional number in a document) gives the same cents, and a running sum of the
 * parsed values equals the sum of the originals. */
static int money_fuzz(long n, uint64_t seed)
{
	uint64_t s = seed ? seed : 1;
	int64_t sum_in = 0, sum_out = 0;
	for (long i = 0; i < n; i++) {
		int64_t c = (int64_t)(rnd(&s) % 200000000000ULL) - 100000000000LL; /* +-1e9 euro */
		if (i % 7 == 0)
			c %= 1000; /* many small values: 0.05, -0.99 ... */
		char b[32], doc[64];
		lp_money_fmt(c, b);
		lp_cents back;
		if (lp_money_parse(b, &back) || back != c) {
			printf("round trip failed for %s\n", b);
			return 1;
		}
		snprintf(doc, sizeof doc, "{\"v\":%s}", b);
		json_t *j = lp_json_loadb(doc, strlen(doc), NULL);
		lp_cents viaj;
		if (!j || lp_money_from_json(json_object_get(j, "v"), &viaj) || viaj != c) {
			printf("json path failed for %s\n", doc);
			json_decref(j);
			return 1;
		}
		json_decref(j);
		sum_in += c;
		sum_out += back;
	}
	char a[32];
	printf("ok %ld sum %s\n", n, lp_money_fmt(sum_out, a));
	return sum_in == sum_out ? 0 : 1;
}

static int row_print(void *ctx, unsigned long row, char **f, size_t n)
{
	(void)ctx;
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(f[i]));
	char *s = lp_json_dumps(a);
	printf("%lu %s\n", row, s);
	free(s);
	json_decref(a);
	return 0;
}

static int done_subset(lp_map *got, lp_map *orig, json_t *ids)
{
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id) {
		void *a, *b;
		int dg = lp_map_get(got, json_string_value(id), &a) && (intptr_t)a - 1 == LP_J_DONE;
		int dor = lp_map_get(orig, json_string_value(id), &b) && (intptr_t)b - 1 == LP_J_DONE;
		if (dg && !dor)
			return 0;
	}
	return 1;
}

/* Every truncation of a journal and every single-byte change at every position (eight
 * replacement bytes each): each is either refused or read as a journal whose "done" ops were
 * all done in the original. Prints the counts; exit 1 if any variant would skip an op that
 * was not done. */
static int journal_damage(const char *jpath, const char *plan)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(jpath, "rb");
	if (!f)
		return perror(jpath), 2;
	char chunk[65536];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf = lp_xrealloc(buf, len + r + 1);
		memcpy(buf + len, chunk, r);
		len += r;
	}
	fclose(f);
	lp_map *seq = lp_map_new();
	json_t *ids = json_array();
	char *pv[] = {(char *)plan, NULL};
	lp_in *in = lp_in_open(pv, 1);
	json_t *rec;
	char client[128] = "";
	while (lp_in_next(in, &rec) == 1) {
		if (!strcmp(lp_json_str(rec, "type"), "loket.op")) {
			lp_map_put(seq, lp_json_str(rec, "op_id"), (void *)(intptr_t)json_integer_value(json_object_get(rec, "seq")));
			json_array_append_new(ids, json_string(lp_json_str(rec, "op_id")));
			snprintf(client, sizeof client, "%s", lp_json_str(rec, "client"));
		}
		json_decref(rec);
	}
	lp_in_close(in);
	json_t *hdr = lp_json_loadb(buf, (size_t)((char *)memchr(buf, '\n', len) - buf), NULL);
	char plan_id[64], loket[512];
	snprintf(plan_id, sizeof plan_id, "%s", lp_json_str(hdr, "plan_id"));
	snprintf(loket, sizeof loket, "%s", lp_json_str(hdr, "loket") ? lp_json_str(hdr, "loket") : "");
	json_decref(hdr);
	lp_map *orig = lp_map_new();
	size_t kept;
	if (lp_journal_check(buf, len, client, plan_id, loket, seq, orig, NULL, &kept, 0, jpath) || kept != len)
		return printf("the original journal does not check out\n"), 1;
	unsigned long refused = 0, resumed = 0, unsafe = 0;
	char *v = lp_xmalloc(len + 1);
	for (size_t cut = 0; cut < len; cut++) {
		lp_map *st = lp_map_new();
		int rc = lp_journal_check(buf, cut, client, plan_id, loket, seq, st, NULL, &kept, 1, jpath);
		rc ? refused++ : done_subset(st, orig, ids) ? resumed++ : unsafe++;
		lp_map_free(st, NULL);
	}
	static const unsigned char flips[] = {0x01, 0x02, 0x10, 0x20, 0x80, 0xff};
	static const char repl[] = {'0', '"', '\n', '}', 'f'};
	for (size_t i = 0; i < len; i++)
		for (size_t k = 0; k < sizeof flips + sizeof repl; k++) {
			memcpy(v, buf, len);
			v[i] = k < sizeof flips ? (char)(buf[i] ^ flips[k]) : repl[k - sizeof flips];
			if (v[i] == buf[i])
				continue;
			lp_map *st = lp_map_new();
			int rc = lp_journal_check(v, len, client, plan_id, loket, seq, st, NULL, &kept, 1, jpath);
			rc ? refused++ : done_subset(st, orig, ids) ? resumed++ : unsafe++;
			lp_map_free(st, NULL);
		}
	printf("%zu bytes: %lu refused, %lu resumed safely, %lu unsafe\n", len, refused, resumed, unsafe);
	free(v);
	free(buf);
	lp_map_free(seq, NULL);
	lp_map_free(orig, NULL);
	json_decref(ids);
	return unsafe ? 1 : 0;
}

static const char *const jstate_names[] = {"none", "sent", "done", "failed"};

/* journal FILE CLIENT PLAN_ID LOKET OPS [OP=STATE[/STATUS][@ID]]...: open (or resume) the
 * journal of a plan whose ops are OPS ("id:seq,id:seq,..."); print "new" or "resumed" and
 * each op's state as read back (with the id its done line recorded), then append the lines
 * given (an op the plan does not have gets seq 99) and sync once. Exits with
 * lp_journal_open's code, or 7 (printing "mark ...: ERROR" or "sync: ERROR") when a line
 * cannot be written or made durable. */
static int journal(int argc, char **argv)
{
	lp_map *seq = lp_map_new();
	json_t *ids = json_array();
	char *ops = lp_xstrdup(argv[5]), *save = NULL;
	for (char *tok = strtok_r(ops, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		if (!colon)
			lp_die(2, "journal: OPS is id:seq,id:seq,...");
		*colon = '\0';
		lp_map_put(seq, tok, (void *)(intptr_t)atol(colon + 1));
		json_array_append_new(ids, json_string(tok));
	}
	free(ops);
	lp_journal *j;
	int rc = lp_journal_open(argv[1], argv[2], argv[3], argv[4], seq, &j);
	if (!rc) {
		printf("%s\n", lp_journal_resumed(j) ? "resumed" : "new");
		size_t i;
		json_t *id;
		json_array_foreach(ids, i, id) {
			const char *made = lp_journal_id(j, json_string_value(id));
			printf("%s %s%s%s\n", json_string_value(id), jstate_names[lp_journal_state(j, json_string_value(id))],
			       made ? " " : "", made ? made : "");
		}
	}
	for (int i = 6; i < argc && !rc; i++) {
		char *op = lp_xstrdup(argv[i]), *state = strchr(op, '='), *made, *status;
		if (!state)
			lp_die(2, "journal: a line is OP=STATE[/STATUS][@ID]");
		*state++ = '\0';
		if ((made = strchr(state, '@')))
			*made++ = '\0';
		if ((status = strchr(state, '/')))
			*status++ = '\0';
		void *v;
		long sq = lp_map_get(seq, op, &v) ? (long)(intptr_t)v : 99;
		if (lp_journal_mark(j, op, sq, state, status ? atol(status) : -1, made)) {
			printf("mark %s: %s\n", argv[i], strerror(errno));
			rc = LP_EXIT_IO;
		}
		free(op);
	}
	if (!rc && lp_journal_sync(j)) {
		printf("sync: %s\n", strerror(errno));
		rc = LP_EXIT_IO;
	}
	lp_journal_close(j);
	lp_map_free(seq, NULL);
	json_decref(ids);
	return rc;
}

/* The access token of a token file is taken, refused (as a 401 would), and replaced; when
 * NEW_ACCESS is given, another process "refreshed" in between (the file now holds it). Prints
 * what lp_oauth_refresh did: "took the saved token <token>" or "refresh: exit N: why". The
 * OAuth URL is a closed loopback port: a refresh attempt cannot succeed. */
static int crclog_print(json_t *obj, unsigned long line, void *ctx)
{
	(void)ctx;
	char *t = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%lu %s\n", line, t);
	free(t);
	return 0;
}

static int crclog(int argc, char **argv)
{
	lp_crclog *l;
	int rc = lp_crclog_open(argv[0], "log", crclog_print, NULL, &l);
	if (rc)
		return rc;
	if (lp_crclog_torn(l))
		printf("torn\n");
	for (int i = 1; i < argc; i++) {
		json_t *j = json_loads(argv[i], 0, NULL);
		if (!j || lp_crclog_append(l, j) || lp_crclog_sync(l)) {
			printf("append failed: %s\n", strerror(errno));
			json_decref(j);
			lp_crclog_close(l);
			return 7;
		}
		json_decref(j);
	}
	printf("%lu lines\n", lp_crclog_lines(l));
	lp_crclog_close(l);
	return 0;
}

static int oauth_401(const char *tokf, const char *fresh)
{
	char err[700];
	int code;
	lp_oauth *o = lp_oauth_new("http://127.0.0.1:9", "id", "secret", tokf, err, sizeof err);
	if (!o || !lp_oauth_access_token(o, &code, err, sizeof err))
		return printf("first token: %s\n", err), 1;
	if (fresh) {
		char *buf;
		size_t len;
		if (lp_secret_read_file(tokf, &buf, &len, err, sizeof err))
			return printf("%s\n", err), 1;
		json_t *j = json_loadb(buf, len, 0, NULL);
		lp_secret_free(buf);
		json_object_set_new(j, "access_token", json_string(fresh));
		char *t = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		if (lp_secret_write_file(tokf, t, strlen(t), err, sizeof err))
			return printf("%s\n", err), 1;
		free(t);
	}
	const char *tok = lp_oauth_refresh(o, &code, err, sizeof err);
	if (tok)
		printf("took the saved token %s (%lu token requests)\n", tok, lp_oauth_requests(o));
	else
		printf("refresh: exit %d: %s\n", code, err);
	lp_oauth_free(o);
	return 0;
}

/* FILE parsed whole by lp_json_loadb and by lp_json_loadb_ref (the reader it replaced): both
 * must accept it, or both refuse it; accepted, the trees must dump the same (members in order).
 * Prints "accept DUMP" or "refuse TEXT (line L, column C)"; exit 1 when the two differ. */
static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0, r;
	char *b = lp_xmalloc(cap);
	while ((r = fread(b + len, 1, cap - len, f)) > 0)
		if ((len += r) == cap)
			b = lp_xrealloc(b, cap *= 2);
	fclose(f);
	*n = len;
	return b;
}

static int json_compare(const char *path)
{
	size_t n;
	char *buf = slurp(path, &n);
	if (!buf)
		return printf("cannot read %s\n", path), 2;
	json_error_t e, re;
	json_t *a = lp_json_loadb(buf, n, &e), *b = lp_json_loadb_ref(buf, n, &re);
	int rc = 0;
	if (!a != !b) {
		printf("differ: new %s, reference %s (%s)\n", a ? "accepts" : "refuses", b ? "accepts" : "refuses",
		       a ? re.text : e.text);
		rc = 1;
	} else if (a) {
		char *x = lp_json_dumps(a), *y = lp_json_dumps(b);
		if (strcmp(x, y))
			printf("differ: new %s, reference %s\n", x, y), rc = 1;
		else
			printf("accept %s\n", x);
		free(x);
		free(y);
	} else
		printf("refuse %s (line %d, column %d)\n", e.text, e.line, e.column);
	json_decref(a);
	json_decref(b);
	free(buf);
	return rc;
}

/* lp_jalloc's arena under a random mix of allocations and frees, as jansson makes them inside
 * and outside the window: every live block keeps its bytes (no block is ever handed out twice),
 * a record's tree kept beyond thousands of others stays whole, everything freed leaves no live
 * block, and freed blocks are reused (the number of chunks stays small). */
static int jalloc_check(unsigned seed, long n)
{
	enum { SLOTS = 4096 };
	static unsigned char *blk[SLOTS];
	static size_t len[SLOTS];
	static unsigned char tag[SLOTS];
	lp_jalloc_install();
	srand(seed);
	size_t maxchunks = 0;
	for (long k = 0; k < n; k++) {
		int i = rand() % SLOTS;
		if (blk[i]) {
			for (size_t b = 0; b < len[i]; b++)
				if (blk[i][b] != tag[i])
					return printf("block %d overwritten at byte %zu\n", i, b), 1;
			lp_jalloc_free(blk[i]);
			blk[i] = NULL;
			continue;
		}
		int in = rand() % 4 != 0; /* most inside the window */
		len[i] = (size_t)(rand() % 8 == 0 ? rand() % 5000 : rand() % 64);
		tag[i] = (unsigned char)(1 + rand() % 255);
		if (in)
			lp_jalloc_arena_begin();
		blk[i] = lp_jalloc_malloc(len[i]);
		if (in)
			lp_jalloc_arena_end();
		memset(blk[i], tag[i], len[i]);
		if (lp_jalloc_chunks() > maxchunks)
			maxchunks = lp_jalloc_chunks();
	}
	/* a tree kept while thousands of others are made and freed */
	const char *rec = "{\"type\":\"person\",\"client\":\"t\",\"name\":\"A\\u00e9 B\",\"n\":[1,2,{\"x\":\"4166.67\"}],\"amount\":4166.67}";
	lp_jalloc_arena_begin();
	json_t *keep = lp_json_loadb(rec, strlen(rec), NULL);
	lp_jalloc_arena_end();
	char *want = lp_json_dumps(keep);
	for (int r = 0; r < 20000; r++) {
		lp_jalloc_arena_begin();
		json_t *o = lp_json_loadb(rec, strlen(rec), NULL);
		lp_jalloc_arena_end();
		if (r % 7 == 0) /* a node moved into a tree made outside the window */
			json_object_set(keep, "moved", json_object_get(o, "n"));
		json_decref(o);
	}
	json_object_del(keep, "moved");
	char *got = lp_json_dumps(keep);
	if (strcmp(want, got))
		return printf("kept tree changed: %s\n", got), 1;
	free(want);
	free(got);
	json_decref(keep);
	for (int i = 0; i < SLOTS; i++)
		if (blk[i]) {
			lp_jalloc_free(blk[i]);
			blk[i] = NULL;
		}
	printf("live %zu chunks %zu max %zu\n", lp_jalloc_live(), lp_jalloc_chunks(), maxchunks);
	return lp_jalloc_live() != 0;
}

/* lp_jalloc against a stream whose records each use other size classes (record k: blocks of
 * 8k bytes, all freed before the next record): each block size is used once and never again,
 * so a free list of one class never serves the next record. Prints the arena's chunks and
 * the most live at once (KiB); the arena must stay bounded, not grow by a record per class. */
static int jalloc_classes(long per_class_kib)
{
	lp_jalloc_install();
	enum { MAXB = 1 << 16 };
	static void *blk[MAXB];
	size_t peak = 0;
	for (size_t k = 1; k <= 256; k++) {
		size_t sz = 8 * k, n = (size_t)per_class_kib * 1024 / sz;
		if (n > MAXB)
			n = MAXB;
		lp_jalloc_arena_begin();
		for (size_t i = 0; i < n; i++)
			memset(blk[i] = lp_jalloc_malloc(sz), (int)k, sz);
		lp_jalloc_arena_end();
		if (n * sz > peak)
			peak = n * sz;
		for (size_t i = 0; i < n; i++)
			lp_jalloc_free(blk[i]);
	}
	printf("live %zu chunks %zu peak %zu\n", lp_jalloc_live(), lp_jalloc_chunks(), peak >> 10);
	return lp_jalloc_live() != 0;
}

int main(int argc, char **argv)
{
	lp_init(argv[0]);
	if (argc < 2)
		lp_usage_exit(usage, 2);
	const char *cmd = argv[1];
	char b[64], c[64], d[64];
	if (!strcmp(cmd, "harden") && argc == 2) {
		struct rlimit core, as;
		getrlimit(RLIMIT_CORE, &core);
		getrlimit(RLIMIT_AS, &as);
		printf("dumpable %d core %lld as %lld\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), (long long)core.rlim_cur,
		       as.rlim_cur == RLIM_INFINITY ? -1LL : (long long)as.rlim_cur);
		return 0;
	}
	if (!strcmp(cmd, "json-compare") && argc == 3)
		return json_compare(argv[2]);
	if (!strcmp(cmd, "jalloc-classes") && argc == 3)
		return jalloc_classes(atol(argv[2]));
	if (!strcmp(cmd, "jalloc") && argc == 4)
		return jalloc_check((unsigned)atoi(argv[2]), atol(argv[3]));
	if (!strcmp(cmd, "wipe-json") && argc == 2)
		return wipe_json_check();
	if (!strcmp(cmd, "wipe") && argc == 2)
		return wipe_check();
	if (!strcmp(cmd, "money-parse") && argc == 3)
		return money_parse(argv[2]);
	if (!strcmp(cmd, "money-div") && argc == 4) {
		lp_cents v;
		if (lp_money_parse(argv[2], &v))
			return printf("error\n"), 1;
		printf("%s\n", lp_money_fmt(lp_div_round(v, atoll(argv[3])), b));
		return 0;
	}
	if (!strcmp(cmd, "div-round") && argc == 4) {
		printf("%lld\n", (long long)lp_div_round(atoll(argv[2]), atoll(argv[3])));
		return 0;
	}
	if (!strcmp(cmd, "rate-parse") && argc == 3) {
		lp_rate_spec rs;
		if (lp_rate_parse(argv[2], &rs))
			return printf("error\n"), 1;
		printf("%ld per %ld s, burst %ld\n", rs.n, rs.per_s, rs.burst);
		return 0;
	}
	if (!strcmp(cmd, "sha256") && (argc == 2 || argc == 3)) { /* stdin fed in CHUNK-byte updates */
		size_t chunk = argc == 3 ? (size_t)atol(argv[2]) : 4096, n;
		if (!chunk || chunk > 4096)
			return 2;
		char buf[4096], hex[65];
		unsigned char dg[32];
		lp_sha256_ctx x;
		lp_sha256_init(&x);
		while ((n = fread(buf, 1, chunk, stdin)) > 0)
			lp_sha256_update(&x, buf, n);
		lp_sha256_final(&x, dg);
		lp_sha256_tohex(dg, hex);
		printf("%s\n", hex);
		return 0;
	}
	if (!strcmp(cmd, "doc-config") && (argc == 3 || argc == 7)) {
		lp_config *cf = lp_config_load(argv[2]);
		if (!cf)
			return 4;
		if (argc == 7) {
			char *t = lp_config_doc_title(cf, atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atoi(argv[6]));
			printf("%s\n", t);
			free(t);
		} else {
			char fd[11];
			printf("category_id %lld\ncategory %s\nfrom %s\ndir %s\n", cf->documents.category_id,
			       cf->documents.category ? cf->documents.category : "-", lp_date_fmt(cf->documents.from, fd),
			       cf->documents.dir ? cf->documents.dir : "-");
		}
		lp_config_free(cf);
		return 0;
	}
	if (!strcmp(cmd, "crclog") && argc >= 3)
		return crclog(argc - 2, argv + 2);
	if (!strcmp(cmd, "oauth-401") && (argc == 3 || argc == 4))
		return oauth_401(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "journal") && argc >= 6)
		return journal(argc - 1, argv + 1);
	if (!strcmp(cmd, "configs") && argc >= 3) { /* load them all as a filter of many clients does */
		lp_configs cs = {0};
		for (int i = 2; i < argc; i++)
			lp_configs_add(&cs, argv[i]);
		printf("%zu configurations\n", cs.n);
		lp_configs_free(&cs);
		return 0;
	}
	if (!strcmp(cmd, "le-journal-mark") && (argc == 4 || argc == 5)) {
		json_t *o = lp_le_journal_mark_body(atoi(argv[2]), atoll(argv[3]), argc == 5 ? argv[4] : NULL);
		char *t = json_dumps(o, JSON_COMPACT);
		printf("%s\n", t);
		free(t);
		json_decref(o);
		return 0;
	}
	if (!strcmp(cmd, "journal-damage") && argc == 4)
		return journal_damage(argv[2], argv[3]);
	if (!strcmp(cmd, "holds") && argc == 4) {
		json_t *w = lp_json_loadb(argv[2], strlen(argv[2]), NULL), *h = lp_json_loadb(argv[3], strlen(argv[3]), NULL);
		char diff[300] = "";
		int ok = w && h && lp_json_holds(w, h, diff, sizeof diff);
		printf("%s%s%s\n", ok ? "held" : "not held", ok ? "" : ": ", ok ? "" : diff);
		json_decref(w);
		json_decref(h);
		return 0;
	}
	if ((!strcmp(cmd, "le-same") && argc == 5) || (!strcmp(cmd, "le-ppd") && argc == 4)) {
		const char *bt = argv[argc - 2], *it = argv[argc - 1];
		json_t *bj = lp_json_loadb(bt, strlen(bt), NULL), *ij = lp_json_loadb(it, strlen(it), NULL);
		if (argc == 5)
			printf("%s\n", lp_le_same_record(argv[2], bj, ij) ? "same" : "other");
		else
			printf("%s %s\n", lp_le_ppd_lands_in(bj, ij) ? "lands" : "elsewhere",
			       lp_le_ppd_holds(bj, ij) ? "held" : "not held");
		json_decref(bj);
		json_decref(ij);
		return 0;
	}
	if (!strcmp(cmd, "loket-version") && argc == 3) {
		printf("%s\n%s\n", lp_loket_accept(argv[2]), lp_loket_content_type(argv[2]));
		return 0;
	}
	if (!strcmp(cmd, "le-paths") && argc == 3) {
		const char *id = argv[2];
		char *(*const fns[])(const char *) = {
			lp_le_employee_list, lp_le_employee_record, lp_le_employee_bsn, lp_le_employee_metadata,
			lp_le_employment_list, lp_le_wage_collection, lp_le_wage_record, lp_le_wage_metadata,
			lp_le_benefit_collection, lp_le_benefit_record, lp_le_ppd_collection, lp_le_ppd_record,
			lp_le_concept_list, lp_le_concept_metadata, lp_le_concept_bsn};
		for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
			char *t = fns[i](id);
			printf("%s\n", t);
			free(t);
		}
		char *t = lp_le_component_catalogue(id, 2025);
		char *f = lp_le_ppd_period_filter(2025, 3);
		printf("%s\n%s\n", t, f);
		free(t);
		free(f);
		return 0;
	}
	if (!strcmp(cmd, "money-fuzz") && argc == 4)
		return money_fuzz(atol(argv[2]), strtoull(argv[3], NULL, 10));
	if (!strcmp(cmd, "date-parse") && argc == 3) {
		lp_date dt;
		if (lp_date_parse(argv[2], &dt))
			return printf("error\n"), 1;
		printf("%s %ld\n", lp_date_fmt(dt, b), (long)dt);
		return 0;
	}
	if (!strcmp(cmd, "date-add") && argc == 4) {
		lp_date dt;
		if (lp_date_parse(argv[2], &dt))
			return printf("error\n"), 1;
		printf("%s\n", lp_date_fmt(lp_date_add_months(dt, atoi(argv[3])), b));
		return 0;
	}
	if (!strcmp(cmd, "month-end") && argc == 3) {
		lp_date dt;
		if (lp_date_parse(argv[2], &dt))
			return printf("error\n"), 1;
		printf("%s\n", lp_date_fmt(lp_date_month_end(dt), b));
		return 0;
	}
	if (!strcmp(cmd, "period") && argc == 3) {
		lp_date dt;
		int y, p;
		if (lp_date_parse(argv[2], &dt))
			return printf("error\n"), 1;
		lp_period_of(dt, &y, &p);
		printf("%d %d %s %s\n", y, p, lp_date_fmt(lp_period_start(y, p), b), lp_date_fmt(lp_period_end(y, p), c));
		return 0;
	}
	if (!strcmp(cmd, "human") && argc == 3) {
		lp_date dt;
		if (lp_date_parse(argv[2], &dt))
			return printf("error\n"), 1;
		printf("%s\n", lp_date_human(dt, b));
		return 0;
	}
	if (!strcmp(cmd, "json-exact") && argc == 2) {
		char buf[65536];
		size_t n = fread(buf, 1, sizeof buf, stdin);
		json_error_t e;
		json_t *j = lp_json_loadb(buf, n, &e);
		if (!j)
			return printf("error: %s\n", e.text), 1;
		char *s = lp_json_dumps(j);
		printf("%s\n", s);
		free(s);
		json_decref(j);
		return 0;
	}
	if (!strcmp(cmd, "addr") && argc == 3) {
		char st[128];
		int r = lp_addr_split(argv[2], st, sizeof st, b, sizeof b, c, sizeof c);
		printf("%s|%s|%s%s\n", st, b, c, r ? " (no number)" : "");
		return 0;
	}
	if (!strcmp(cmd, "mask") && argc == 3) {
		char *o = lp_xmalloc(strlen(argv[2]) + 1);
		printf("%s\n", lp_nlid_mask_text(argv[2], o));
		free(o);
		return 0;
	}
	if (!strcmp(cmd, "mask-lines") && argc == 2) { /* every line of standard input through lp_mask_human */
		char line[8192];
		while (fgets(line, sizeof line, stdin)) {
			line[strcspn(line, "\n")] = '\0';
			char *m = lp_mask_human(line, 0);
			printf("%s\n", m);
			free(m);
		}
		return 0;
	}
	if (!strcmp(cmd, "ctrl") && argc == 3) { /* the first control character lp_text_ctrl finds */
		unsigned long cp;
		char nb[64];
		long at = lp_text_ctrl(argv[2], &cp);
		if (at < 0)
			return printf("none\n"), 0;
		return printf("%ld %s\n", at, lp_text_ctrl_name(cp, nb, sizeof nb)), 0;
	}
	if (!strcmp(cmd, "bsn") && argc == 3)
		return printf("%d\n", lp_nlid_bsn_valid(argv[2])), 0;
	if (!strcmp(cmd, "iban") && argc == 3)
		return printf("%d\n", lp_nlid_iban_valid(argv[2])), 0;
	if (!strcmp(cmd, "postcode") && argc == 3) {
		char out[8];
		lp_nlid_postcode_normalise(argv[2], out);
		printf("%d [%s]\n", lp_nlid_postcode_valid(argv[2]), out);
		return 0;
	}
	if (!strcmp(cmd, "csv-read") && argc == 2)
		return lp_csv_read(stdin, "-", ',', row_print, NULL) ? 1 : 0;
	if (!strcmp(cmd, "csv-write") && argc >= 3)
		return lp_csv_write_row(stdout, ';', (const char *const *)argv + 2, (size_t)argc - 2) ? 1 : 0;
	if (!strcmp(cmd, "ndjson")) {
		lp_in *in = lp_in_open(argv + 2, argc - 2);
		json_t *r;
		int rc;
		while ((rc = lp_in_next(in, &r)) == 1) {
			printf("%s:%lu %s\n", lp_in_name(in), lp_in_line(in), json_string_value(json_object_get(r, "type")));
			json_decref(r);
		}
		int err = rc < 0 ? lp_in_error(in) : 0;
		lp_in_close(in);
		return err;
	}
	if (!strcmp(cmd, "map") && argc == 3) {
		long n = atol(argv[2]);
		lp_map *m = lp_map_new();
		for (long i = 0; i < n; i++) {
			snprintf(b, sizeof b, "k%ld", i);
			if (!lp_map_add(m, b))
				return printf("duplicate %s\n", b), 1;
		}
		for (long i = 0; i < n; i++) {
			snprintf(b, sizeof b, "k%ld", i);
			if (lp_map_add(m, b))
				return printf("lost %s\n", b), 1;
		}
		int absent = lp_map_get(m, "nope", NULL);
		printf("%zu %d\n", lp_map_size(m), absent);
		lp_map_free(m, NULL);
		return 0;
	}
	if (!strcmp(cmd, "http-new") && argc == 3) {
		lp_http_opts o = {0};
		char err[512];
		o.base_url = argv[2];
		lp_http *h = lp_http_new(&o, err, sizeof err);
		if (!h)
			return printf("error: %s\n", err), 4;
		printf("ok\n");
		lp_http_free(h);
		return 0;
	}
	if (!strcmp(cmd, "http") && (argc == 5 || argc == 6)) {
		lp_http_opts o = {0};
		char err[512];
		o.base_url = argv[2];
		o.record_dir = getenv("LP_UNIT_RECORD");
		o.replay_dir = getenv("LP_UNIT_REPLAY");
		lp_http *h = lp_http_new(&o, err, sizeof err);
		if (!h)
			return printf("error: %s\n", err), 4;
		lp_http_resp r;
		const char *body = argc == 6 ? argv[5] : NULL;
		int rc = lp_http_request(h, argv[3], argv[4], NULL, body, body ? strlen(body) : 0,
					 getenv("LP_UNIT_NO_RETRY") ? LP_HTTP_NO_RETRY : 0, &r);
		if (rc) {
			printf("error: %s (requests %lu)\n", lp_http_error(h), lp_http_requests(h));
			lp_http_free(h);
			return 5;
		}
		printf("status %ld attempts %d requests %lu bytes %zu\n", r.status, r.attempts, lp_http_requests(h), r.len);
		lp_http_resp_free(&r);
		lp_http_free(h);
		return 0;
	}
	if (!strcmp(cmd, "secret") && argc == 3) {
		char *s, err[512];
		size_t n;
		if (lp_secret_read_file(argv[2], &s, &n, err, sizeof err))
			return printf("error: %s\n", err), 4;
		printf("ok %zu bytes\n", n);
		lp_secret_free(s);
		return 0;
	}
	if (!strcmp(cmd, "secret-write") && argc == 4) {
		char err[512];
		if (lp_secret_write_file(argv[2], argv[3], strlen(argv[3]), err, sizeof err))
			return printf("error: %s\n", err), 7;
		printf("ok\n");
		return 0;
	}
	(void)d;
	lp_usage_exit(usage, 2);
}
