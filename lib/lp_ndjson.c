/* lp_ndjson.c - see lp_ndjson.h */
#include "lp_ndjson.h"
#include "lp_jalloc.h"
#include "lp_cli.h"
#include "lp_json.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct lp_in {
	char *const *paths;
	int n, idx;
	gzFile gz;
	const char *name;
	unsigned long line;
	char *buf;            /* read buffer */
	size_t bcap, bpos, blen;
	char *lbuf;           /* a line that spans two reads */
	size_t lcap, llen;
	char *cur;            /* the current line: in buf (most lines) or lbuf */
	int eof, err;
};

#define LP_IN_BUF (1 << 16)
/* reads of 4 x zlib's buffer: a file that is not gzip is then read straight into buf, not
 * copied through zlib's buffer first (zlib's gz_read reads directly at >= 2 x its size) */
#define LP_IN_READ (4 * LP_IN_BUF)

lp_in *lp_in_open(char *const *paths, int n)
{
	lp_in *in = lp_xmalloc(sizeof *in);
	memset(in, 0, sizeof *in);
	in->paths = paths;
	in->n = n;
	in->idx = -1;
	in->bcap = LP_IN_READ;
	in->buf = lp_xmalloc(in->bcap);
	return in;
}

static int open_next(lp_in *in)
{
	if (in->gz) {
		gzclose(in->gz);
		in->gz = NULL;
	}
	in->idx++;
	if (in->idx >= (in->n ? in->n : 1))
		return 0;
	const char *p = in->n ? in->paths[in->idx] : "-";
	int fd;
	if (strcmp(p, "-") == 0) {
		in->name = "-";
		fd = dup(0);
	} else {
		in->name = p;
		fd = open(p, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0 || !(in->gz = gzdopen(fd, "rb"))) {
		lp_warn("%s: cannot open: %s", in->name, strerror(errno));
		if (fd >= 0)
			close(fd);
		in->err = LP_EXIT_IO;
		return -1;
	}
	gzbuffer(in->gz, LP_IN_BUF);
	in->line = 0;
	in->bpos = in->blen = 0;
	in->eof = 0;
	return 1;
}

/* Read one line of the current file into lbuf (without '\n'). 1 line, 0 eof, -1 error. */
static int read_line(lp_in *in, size_t *len)
{
	size_t l = 0;
	for (;;) {
		if (in->bpos == in->blen) {
			if (in->eof)
				break;
			int r = gzread(in->gz, in->buf, (unsigned)in->bcap);
			if (r < 0) {
				int zerr;
				const char *msg = gzerror(in->gz, &zerr);
				lp_warn_at(in->name, in->line + 1, NULL, "read error: %s",
					   zerr == Z_ERRNO ? strerror(errno) : msg);
				in->err = LP_EXIT_IO;
				return -1;
			}
			if (r == 0) {
				/* gzread returns 0 at a clean end; a truncated gzip member sets an error */
				int zerr;
				const char *msg = gzerror(in->gz, &zerr);
				if (zerr != Z_OK && zerr != Z_STREAM_END) {
					lp_warn_at(in->name, in->line + 1, NULL, "read error: %s", msg);
					in->err = zerr == Z_ERRNO ? LP_EXIT_IO : LP_EXIT_DATA;
					return -1;
				}
				in->eof = 1;
				break;
			}
			in->bpos = 0;
			in->blen = (size_t)r;
		}
		char *s = in->buf + in->bpos;
		size_t avail = in->blen - in->bpos;
		char *nl = memchr(s, '\n', avail);
		size_t take = nl ? (size_t)(nl - s) : avail;
		if (nl && l == 0) { /* the whole line is in buf: used where it is */
			*nl = '\0';
			in->cur = s;
			in->bpos += take + 1;
			*len = take;
			in->line++;
			return 1;
		}
		if (l + take + 1 > in->lcap) {
			if (l + take + 1 > LP_NDJSON_MAX_LINE) {
				lp_warn_at(in->name, in->line + 1, NULL, "line longer than %lu bytes",
					   (unsigned long)LP_NDJSON_MAX_LINE);
				in->err = LP_EXIT_DATA;
				return -1;
			}
			size_t ncap = in->lcap ? in->lcap : 4096;
			while (ncap < l + take + 1)
				ncap *= 2;
			in->lbuf = lp_xrealloc(in->lbuf, ncap);
			in->lcap = ncap;
		}
		memcpy(in->lbuf + l, s, take);
		l += take;
		in->bpos += take + (nl ? 1 : 0);
		if (nl) {
			in->lbuf[l] = '\0';
			in->cur = in->lbuf;
			*len = l;
			in->line++;
			return 1;
		}
	}
	if (l == 0)
		return 0;
	in->lbuf[l] = '\0';
	in->cur = in->lbuf;
	*len = l;
	in->line++;
	return 1;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int lp_in_next(lp_in *in, json_t **rec)
{
	if (in->err)
		return -1;
	for (;;) {
		if (!in->gz) {
			int r = open_next(in);
			if (r <= 0)
				return r;
		}
		size_t len;
		int r = read_line(in, &len);
		if (r < 0)
			return -1;
		if (r == 0) {
			int o = open_next(in);
			if (o <= 0)
				return o;
			continue;
		}
		if (blank(in->cur, len))
			continue;
		in->llen = len;
		json_error_t e;
		int was = lp_jalloc_arena_pause(); /* (a caller's window stays as it was) */
		lp_jalloc_arena_begin();           /* a record's tree: lp_jalloc.h */
		json_t *v = lp_json_loadb(in->cur, len, &e);
		lp_jalloc_arena_resume(was);
		if (!v) {
			lp_warn_at(in->name, in->line, NULL, "not valid JSON: %s (column %d)", e.text, e.column);
			in->err = LP_EXIT_DATA;
			return -1;
		}
		if (!json_is_object(v)) {
			lp_warn_at(in->name, in->line, NULL, "a record must be a JSON object");
			json_decref(v);
			in->err = LP_EXIT_DATA;
			return -1;
		}
		if (!json_is_string(json_object_get(v, "type"))) {
			lp_warn_at(in->name, in->line, "type", "missing or not a string");
			json_decref(v);
			in->err = LP_EXIT_DATA;
			return -1;
		}
		*rec = v;
		return 1;
	}
}

int lp_in_error(const lp_in *in) { return in->err; }

const char *lp_in_raw(const lp_in *in, size_t *len)
{
	*len = in->llen;
	return in->cur;
}
const char *lp_in_name(const lp_in *in) { return in->name ? in->name : "-"; }
unsigned long lp_in_line(const lp_in *in) { return in->line; }

void lp_in_close(lp_in *in)
{
	if (!in)
		return;
	if (in->gz)
		gzclose(in->gz);
	free(in->buf);
	free(in->lbuf);
	free(in);
}

/* the first failed write to standard output: lp_stdout_errno (lp_cli.h) */
static int out_failed(void)
{
	if (!lp_stdout_errno)
		lp_stdout_errno = errno ? errno : EIO;
	return -1;
}

const char *lp_out_error(void)
{
	static char msg[160];
	int e = lp_stdout_errno ? lp_stdout_errno : errno; /* else a caller's own printf just failed */
	if (!e)
		return "write error on standard output";
	snprintf(msg, sizeof msg, "write error on standard output: %s", strerror(e));
	return msg;
}

/* One reusable buffer: json_dumpb() serialises into it and one fwrite() writes the line. */
static char *obuf;
static size_t ocap;

int lp_out(const json_t *rec)
{
	size_t n = json_dumpb(rec, obuf, ocap, JSON_COMPACT);
	if (n == 0)
		return -1;
	if (n + 1 > ocap) {
		ocap = (n + 1) * 2;
		obuf = lp_xrealloc(obuf, ocap);
		n = json_dumpb(rec, obuf, ocap, JSON_COMPACT);
	}
	n = lp_json_untag(obuf, n);
	obuf[n] = '\n';
	errno = 0;
	return fwrite(obuf, 1, n + 1, stdout) == n + 1 ? 0 : out_failed();
}

int lp_out_raw(const char *line, size_t len)
{
	errno = 0;
	if (fwrite(line, 1, len, stdout) != len)
		return out_failed();
	return putchar('\n') == EOF ? out_failed() : 0;
}

int lp_out_new(json_t *rec)
{
	int r = lp_out(rec);
	json_decref(rec);
	return r;
}

int lp_out_close(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		out_failed();
		lp_warn("%s", lp_out_error());
		return LP_EXIT_IO;
	}
	return 0;
}
