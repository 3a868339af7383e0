/* audit-verify - check the hash chain of audit logs (A1, lib/lp_audit.h) and name the first
 * broken line: deleted, edited, reordered or duplicated lines, a torn last line, a line that
 * is not JSON.
 *
 * The whole log is read under a shared flock (writers hold it exclusively while they append),
 * so a line being written is never taken for a torn one.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_json.h"
#include "lp_sha256.h"

static const char usage[] =
	"Usage: audit-verify [-q] [-c CONFIG]... [FILE]...\n"
	"Check the hash chain of audit logs (A1): every line's seq, prev (the SHA-256 of the line\n"
	"before) and hash (of its own content). The first broken line is named as FILE:LINE: what\n"
	"(deleted line, edited line, reordered, duplicated line, torn, not JSON).\n"
	"\n"
	"  -c, --config FILE   verify this client configuration's audit_log (repeatable)\n"
	"  -q, --quiet         print nothing for an intact log\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"FILE '-' (or no FILE and no -c) is standard input. An intact log prints\n"
	"\"FILE: intact: N events, last seq S hash H\": keep the last hash elsewhere (a ticket, a\n"
	"mail) and a later rewrite of the whole chain shows too. A torn line that a writer recovered\n"
	"(log.recovered) and lines older than the chain (sealed by log.chained) are noted on\n"
	"standard error, and the log counts as intact.\n"
	"\n"
	"Exit status: 0 every log intact; 1 a log is broken; 3 a file is not an audit log, or has no\n"
	"hash chain (written before it: the next event appended seals its lines); 7 I/O (a file\n"
	"that cannot be read); 2 usage; 4 a configuration that does not load or names no audit_log.\n"
	"With several files, the highest of these. See loketpipe(7).\n";

static int quiet;

#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

enum kind { L_CHAIN, L_LEGACY, L_JSON, L_NOTJSON, L_TORN };

struct line {
	const char *p;
	size_t n;
	size_t off;
	enum kind kind;
	long long seq;
	char prev[65], content[65], stated[65];
	const char *event;
	long long torn_offset, torn_bytes;
	char torn_sha[65];
};

static void parse(struct line *l)
{
	json_t *j = lp_json_loadb(l->p, l->n, NULL);
	if (!json_is_object(j)) {
		l->kind = L_NOTJSON;
		json_decref(j);
		return;
	}
	json_t *s = json_object_get(j, "seq");
	const char *pv = lp_json_str(j, "prev"), *ev = lp_json_str(j, "event");
	if (json_is_integer(s) && pv && strlen(pv) == 64 && ev && lp_json_str(j, "hash") &&
	    lp_audit_line_hashes(l->p, l->n, l->content, l->stated)) {
		l->kind = L_CHAIN;
		l->seq = (long long)json_integer_value(s);
		memcpy(l->prev, pv, 65);
		l->event = !strcmp(ev, "log.recovered") ? "log.recovered" : !strcmp(ev, "log.chained") ? "log.chained" : "";
		json_t *to = json_object_get(j, "torn_offset"), *tb = json_object_get(j, "torn_bytes");
		const char *ts = lp_json_str(j, "torn_sha256");
		l->torn_offset = json_is_integer(to) ? (long long)json_integer_value(to) : -1;
		l->torn_bytes = json_is_integer(tb) ? (long long)json_integer_value(tb) : -1;
		snprintf(l->torn_sha, sizeof l->torn_sha, "%s", ts ? ts : "");
	} else if (!json_object_get(j, "prev") && !json_object_get(j, "hash") && ev && lp_json_str(j, "time"))
		l->kind = L_LEGACY;
	else
		l->kind = L_JSON;
	json_decref(j);
}

static int broken(const char *name, size_t line, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int broken(const char *name, size_t line, const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: %s:%zu: %s: ", lp_prog, name, line, what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return LP_EXIT_FINDINGS;
}

/* Whether line i (0-based) is a torn line that line i+1 recovered (log.recovered naming it). */
static int recovered(const struct line *L, size_t n, size_t i)
{
	if (i + 1 >= n || L[i + 1].kind != L_CHAIN || strcmp(L[i + 1].event, "log.recovered"))
		return 0;
	char h[65];
	lp_sha256_hex(L[i].p, L[i].n, h);
	return L[i + 1].torn_offset == (long long)L[i].off && L[i + 1].torn_bytes == (long long)L[i].n &&
	       !strcmp(L[i + 1].torn_sha, h);
}

static int verify(const char *name, const char *buf, size_t len)
{
	/* the lines */
	size_t n = 0, cap = 0;
	struct line *L = NULL;
	for (size_t o = 0; o < len;) {
		const char *nl = memchr(buf + o, '\n', len - o);
		size_t e = nl ? (size_t)(nl - buf) : len;
		if (n == cap)
			L = lp_xrealloc(L, (cap = cap ? cap * 2 : 256) * sizeof *L);
		memset(&L[n], 0, sizeof L[n]);
		L[n].p = buf + o;
		L[n].n = e - o;
		L[n].off = o;
		if (nl)
			parse(&L[n]);
		else
			L[n].kind = L_TORN;
		n++;
		o = e + 1;
	}
	size_t chain = 0, legacy = 0;
	for (size_t i = 0; i < n; i++) {
		chain += L[i].kind == L_CHAIN;
		legacy += L[i].kind == L_LEGACY;
	}
	int rc = 0;
	if (!chain) {
		if (n == 0) {
			if (!quiet)
				printf("%s: intact: 0 events (empty)\n", name);
		} else if (L[0].kind == L_LEGACY && legacy == n)
			rc = (lp_warn("%s: no hash chain: its %zu line(s) predate the chain (an older loketpipe wrote them), so "
				      "nothing can be verified; the next event appended seals them as a whole (log.chained)",
				      name, n), LP_EXIT_DATA);
		else {
			size_t i = 0;
			while (i < n && L[i].kind == L_LEGACY)
				i++;
			rc = (lp_warn("%s:%zu: not an audit log: %s", name, i + 1,
				      L[i].kind == L_NOTJSON ? "not JSON" :
				      L[i].kind == L_TORN    ? "not JSON (and no newline)" :
							       "a JSON value that is not an audit event"),
			      LP_EXIT_DATA);
		}
		free(L);
		return rc;
	}
	long long want = 1;
	char prev[65] = ZEROS;
	size_t last = 0, events = 0, notes_torn = 0, first_chain = 0;
	int started = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct line *l = &L[i];
		size_t ln = i + 1;
		switch (l->kind) {
		case L_LEGACY:
			if (!started)
				continue; /* before the chain: sealed by log.chained (checked there) */
			rc = broken(name, ln, "edited line", "an event without prev and hash inside the chain (added by "
				    "hand, or its chain members were removed)");
			break;
		case L_TORN:
			rc = broken(name, ln, "torn", "the last line (%zu bytes at offset %zu) has no newline: a write was cut short "
				    "(a kill, a full disk); the next event appended records it (log.recovered)", l->n, l->off);
			break;
		case L_NOTJSON:
		case L_JSON:
			if (!started && L[0].kind == L_LEGACY)
				continue; /* before the chain of an old log (a torn old line): sealed with it */
			if (recovered(L, n, i)) {
				lp_warn("%s:%zu: note: a torn line (%zu bytes at offset %zu: a write cut short) was recovered by "
					"line %zu (log.recovered); the event it held is lost", name, ln, l->n, l->off, ln + 1);
				notes_torn++;
				continue;
			}
			if (l->kind == L_NOTJSON)
				rc = broken(name, ln, "not JSON", "the line is not a JSON object");
			else
				rc = broken(name, ln, "edited line", "a JSON object without a valid chain (seq, prev, hash as "
					    "the last member, event)");
			break;
		case L_CHAIN:
			if (strcmp(l->content, l->stated)) {
				rc = broken(name, ln, "edited line", "its content does not match its hash (seq %lld)", l->seq);
				break;
			}
			if (!started) {
				started = 1;
				first_chain = i;
				if (i > 0 && L[0].kind != L_LEGACY && !(i == 1 && recovered(L, n, 0))) {
					rc = broken(name, ln, "edited line", "line(s) before the first one of the chain are no events");
					break;
				}
				if (i > 0 && L[0].kind == L_LEGACY) {
					/* the lines before the chain: sealed by the SHA-256 of all their bytes */
					lp_sha256_hex(buf, l->off, prev);
					if (strcmp(l->event, "log.chained") || l->seq != 1) {
						rc = broken(name, ln, "edited line", "the chain starts after %zu older line(s) without "
							    "a log.chained event of seq 1", i);
						break;
					}
					if (strcmp(l->prev, prev)) {
						rc = broken(name, ln, "edited line", "line(s) 1-%zu (older than the chain) do not "
							    "match this line's prev: one of them was edited, deleted or added", i);
						break;
					}
					if (!quiet)
						lp_warn("%s: note: lines 1-%zu predate the hash chain; they are sealed as a whole by "
							"line %zu (log.chained)", name, i, ln);
				}
			}
			if (!strcmp(l->event, "log.recovered") && !(i > 0 && recovered(L, n, i - 1))) {
				rc = broken(name, ln, "edited line", "log.recovered names a torn line at offset %lld that is not the "
					    "line before it", l->torn_offset);
				break;
			}
			if (l->seq == want) {
				if (strcmp(l->prev, prev)) {
					if (want == 1)
						rc = broken(name, ln, "edited line", "the first line's prev is not %s",
							    first_chain ? "the SHA-256 of the lines before it" : "64 zeros");
					else
						rc = broken(name, last + 1, "edited line",
							    "its bytes do not match the prev of line %zu (seq %lld)", ln, l->seq);
					break;
				}
			} else if (l->seq > want) {
				size_t later = 0;
				for (size_t k = i + 1; k < n && !later; k++)
					if (L[k].kind == L_CHAIN && L[k].seq == want)
						later = k + 1;
				if (later)
					rc = broken(name, ln, "reordered", "seq %lld comes before seq %lld (line %zu)", l->seq, want,
						    later);
				else if (want == 1)
					rc = broken(name, ln, "deleted line", "the log starts at seq %lld: %lld line(s) before it "
						    "(seq 1-%lld) are missing", l->seq, l->seq - 1, l->seq - 1);
				else
					rc = broken(name, ln, "deleted line", "seq %lld follows seq %lld (line %zu): %lld line(s) "
						    "missing", l->seq, want - 1, last + 1, l->seq - want);
				break;
			} else {
				size_t copy = 0;
				for (size_t k = 0; k < i && !copy; k++)
					if (L[k].kind == L_CHAIN && L[k].seq == l->seq && L[k].n == l->n &&
					    !memcmp(L[k].p, l->p, l->n))
						copy = k + 1;
				if (copy)
					rc = broken(name, ln, "duplicated line", "a copy of line %zu (seq %lld)", copy, l->seq);
				else
					rc = broken(name, ln, "reordered", "seq %lld comes after seq %lld (line %zu)", l->seq, want - 1,
						    last + 1);
				break;
			}
			lp_sha256_hex(l->p, l->n, prev);
			want = l->seq + 1;
			last = i;
			events++;
			break;
		}
	}
	if (!rc && !quiet)
		printf("%s: intact: %zu events, last seq %lld hash %s%s\n", name, events, want - 1, prev,
		       notes_torn ? " (torn lines recovered: see above)" : "");
	free(L);
	return rc;
}

/* The whole of a file (under its shared lock), or of standard input. */
static int verify_file(const char *path)
{
	int in = !strcmp(path, "-");
	const char *name = in ? "standard input" : path;
	int fd = in ? 0 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		lp_warn("%s: cannot read: %s", name, strerror(errno));
		return LP_EXIT_IO;
	}
	if (!in && !S_ISREG(st.st_mode)) {
		close(fd);
		lp_warn("%s: not a regular file", name);
		return LP_EXIT_IO;
	}
	if (!in) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (lp_audit_lock(fd, LOCK_SH) != 0) {
			lp_warn("%s: cannot lock it (a writer held it past the wait): %s", name, strerror(errno));
			close(fd);
			return errno == EWOULDBLOCK ? LP_EXIT_BUSY : LP_EXIT_IO;
		}
	}
	size_t len = 0, cap = 65536;
	char *buf = lp_xmalloc(cap);
	for (;;) {
		if (len == cap)
			buf = lp_xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			lp_warn("%s: read failed: %s", name, strerror(errno));
			free(buf);
			if (!in)
				close(fd);
			return LP_EXIT_IO;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (!in)
		close(fd); /* the lock goes with it */
	int rc = verify(name, buf, len);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"quiet", no_argument, 0, 'q'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	lp_init(argv[0]);
	int c, rc = 0, any = 0;
	const char **cfgs = lp_xmalloc((size_t)argc * sizeof *cfgs);
	size_t ncfg = 0;
	while ((c = getopt_long(argc, argv, "c:qhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cfgs[ncfg++] = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	for (size_t i = 0; i < ncfg; i++) {
		lp_config *cfg = lp_config_load(cfgs[i]);
		if (!cfg) {
			free(cfgs);
			return LP_EXIT_CONFIG;
		}
		if (!cfg->audit_log) {
			lp_warn("%s: audit_log is not set", cfgs[i]);
			lp_config_free(cfg);
			free(cfgs);
			return LP_EXIT_CONFIG;
		}
		int r = verify_file(cfg->audit_log);
		rc = r > rc ? r : rc;
		lp_config_free(cfg);
		any = 1;
	}
	free(cfgs);
	for (int i = optind; i < argc; i++) {
		int r = verify_file(argv[i]);
		rc = r > rc ? r : rc;
		any = 1;
	}
	if (!any)
		rc = verify_file("-");
	return rc;
}
