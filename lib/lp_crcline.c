/* lp_crcline.c - see lp_crcline.h */
#include "lp_crcline.h"
#include "lp_io.h"
#include "lp_cli.h"
#include "lp_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define CRC_TAIL 18 /* ,"crc":"XXXXXXXX"} */

static unsigned long crc_of(const char *p, size_t n)
{
	return crc32(crc32(0L, Z_NULL, 0), (const Bytef *)p, (uInt)n);
}

char *lp_crcline_of(json_t *obj, size_t *len)
{
	char *s = lp_json_dumps(obj);
	json_decref(obj);
	size_t n = strlen(s);
	s[--n] = '\0'; /* drop the closing brace: the CRC covers the rest */
	char *line = lp_xasprintf("%s,\"crc\":\"%08lx\"}\n", s, crc_of(s, n));
	free(s);
	*len = strlen(line);
	return line;
}

int lp_crcline_ok(const char *p, size_t n)
{
	if (n < CRC_TAIL + 2 || memcmp(p + n - CRC_TAIL, ",\"crc\":\"", 8) || memcmp(p + n - 2, "\"}", 2))
		return -1;
	size_t head = n - CRC_TAIL;
	char hex[9];
	memcpy(hex, p + n - 10, 8);
	hex[8] = '\0';
	if (strspn(hex, "0123456789abcdef") != 8)
		return -1;
	return strtoul(hex, NULL, 16) == crc_of(p, head) ? 0 : -1;
}

int lp_crcline_scan(const char *buf, size_t len, size_t *kept, lp_crcline_fn fn, void *ctx)
{
	size_t keep = len;
	while (keep > 0 && buf[keep - 1] != '\n')
		keep--; /* a torn last line */
	*kept = keep;
	unsigned long line = 0;
	const char *p = buf, *end = buf + keep;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)(nl - p);
		line++;
		json_t *j = NULL;
		const char *why = NULL;
		if (lp_crcline_ok(p, n))
			why = "its checksum does not match";
		else if ((j = lp_json_loadb(p, n, NULL)), !json_is_object(j)) /* the macro reads its argument twice */
			why = "it is not a JSON object";
		else
			json_object_del(j, "crc");
		int rc = fn(why ? NULL : j, why, line, ctx);
		json_decref(j);
		if (rc)
			return rc;
		p = nl + 1;
	}
	return 0;
}

int lp_crcline_file(const char *path, const char *name, int readonly, int *fdp, char **bufp, size_t *lenp)
{
	/* O_NONBLOCK: a FIFO or a device there is refused below, never waited on */
	int fd = readonly ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
			  : open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0) {
		int e = errno;
		struct stat ls;
		if (e == ELOOP && lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode))
			lp_warn("%s: a symbolic link; it must be a regular file of yours, not a link to one", name);
		else
			lp_warn("%s: %s", name, strerror(e));
		return e == ENOSPC || e == EIO ? LP_EXIT_IO : LP_EXIT_CONFIG;
	}
	struct stat st;
	int stat_failed = fstat(fd, &st) != 0;
	if (stat_failed || !S_ISREG(st.st_mode)) {
		lp_warn("%s: %s, not a regular file", name, stat_failed ? "cannot stat it" : lp_file_kind(st.st_mode));
		close(fd);
		return LP_EXIT_CONFIG;
	}
	if (st.st_uid != geteuid()) {
		lp_warn("%s: owned by another user (uid %u); it must be yours", name, (unsigned)st.st_uid);
		close(fd);
		return LP_EXIT_CONFIG;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (st.st_mode & 077) {
		lp_warn("%s: mode %o; it must be 0600", name, (unsigned)(st.st_mode & 0777));
		close(fd);
		return LP_EXIT_CONFIG;
	}
	char *buf = lp_xmalloc((size_t)st.st_size + 1);
	ssize_t got = pread(fd, buf, (size_t)st.st_size, 0);
	if (got != st.st_size) {
		lp_warn("%s: read failed: %s", name, got < 0 ? strerror(errno) : "short read");
		free(buf);
		close(fd);
		return LP_EXIT_IO;
	}
	buf[got] = '\0';
	*fdp = fd, *bufp = buf, *lenp = (size_t)got;
	return 0;
}

struct lp_crclog {
	int fd, dirty, torn;
	unsigned long lines;
	char *path;
};

struct open_ctx {
	const char *path, *what;
	int (*fn)(json_t *, unsigned long, void *);
	void *ctx;
	unsigned long lines;
};

static int open_line(json_t *obj, const char *why, unsigned long line, void *ctx)
{
	struct open_ctx *o = ctx;
	if (why) {
		lp_warn("%s:%lu: %s is damaged (%s): nothing is done; keep it for the record and move it aside", o->path,
			line, o->what, why);
		return LP_EXIT_DATA;
	}
	o->lines = line;
	return o->fn ? o->fn(obj, line, o->ctx) : 0;
}

int lp_crclog_open(const char *path, const char *what, int (*fn)(json_t *obj, unsigned long line, void *ctx),
		   void *ctx, lp_crclog **out)
{
	*out = NULL;
	char name[4200], *buf;
	size_t got;
	int fd;
	snprintf(name, sizeof name, "%s %s", what, path);
	int rc0 = lp_crcline_file(path, name, 0, &fd, &buf, &got);
	if (rc0)
		return rc0;
	struct open_ctx o = {path, what, fn, ctx, 0};
	size_t keep;
	int rc = lp_crcline_scan(buf, got, &keep, open_line, &o);
	free(buf);
	if (!rc && keep != got && (ftruncate(fd, (off_t)keep) != 0 || fsync(fd) != 0)) {
		lp_warn("%s %s: cannot cut off a torn last line: %s", what, path, strerror(errno));
		rc = LP_EXIT_IO;
	}
	if (rc) {
		close(fd);
		return rc;
	}
	lp_crclog *l = lp_xmalloc(sizeof *l);
	*l = (lp_crclog){.fd = fd, .torn = keep != got, .lines = o.lines, .path = lp_xstrdup(path)};
	*out = l;
	return 0;
}

int lp_crclog_append(lp_crclog *l, json_t *obj)
{
	size_t n;
	off_t before = lseek(l->fd, 0, SEEK_END);
	char *s = lp_crcline_of(json_incref(obj), &n);
	size_t w;
	int bad = lp_write_all(l->fd, s, n, &w); /* after a short write, the rest says why (ENOSPC, EFBIG) */
	free(s);
	if (bad) {
		int e = errno;
		if (w > 0 && before >= 0) /* if even that fails, a torn last line: cut off at the next open */
			(void)!ftruncate(l->fd, before);
		errno = e;
		return -1;
	}
	l->dirty = 1;
	l->lines++;
	return 0;
}

int lp_crclog_sync(lp_crclog *l)
{
	if (l->dirty && fsync(l->fd) != 0)
		return -1;
	l->dirty = 0;
	return 0;
}

int lp_crclog_torn(const lp_crclog *l) { return l->torn; }
unsigned long lp_crclog_lines(const lp_crclog *l) { return l->lines; }
const char *lp_crclog_path(const lp_crclog *l) { return l->path; }

void lp_crclog_close(lp_crclog *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l);
}

int lp_crclog_read(const char *path, const char *what, int (*fn)(json_t *obj, unsigned long line, void *ctx), void *ctx)
{
	char name[4200], *buf;
	size_t got, keep;
	int fd;
	snprintf(name, sizeof name, "%s %s", what, path);
	int rc = lp_crcline_file(path, name, 1, &fd, &buf, &got);
	if (rc)
		return rc;
	struct open_ctx o = {path, what, fn, ctx, 0};
	rc = lp_crcline_scan(buf, got, &keep, open_line, &o);
	free(buf);
	close(fd);
	return rc;
}
