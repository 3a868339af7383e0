/* lp_secret.c - see lp_secret.h */
#include "lp_secret.h"
#include "lp_jalloc.h"
#include "lp_cli.h"
#include "lp_io.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static void wipe_json_from_now_on(void);

int lp_secret_check_file(const char *path, char *err, size_t errlen)
{
	int fd = lp_open_private(path, O_RDONLY, 0, err, errlen, NULL);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int lp_secret_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	return lp_secret_read_file_max(path, out, len, (size_t)1 << 20, err, errlen);
}

int lp_secret_read_file_max(const char *path, char **out, size_t *len, size_t max, char *err, size_t errlen)
{
	wipe_json_from_now_on();
	int fd = lp_open_private(path, O_RDONLY, 0, err, errlen, NULL);
	if (fd < 0)
		return -1;
	size_t cap = 4096, n = 0;
	char *buf = lp_xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= max) {
				snprintf(err, errlen, "%s: larger than %zu MiB", path, max >> 20);
				explicit_bzero(buf, cap);
				free(buf);
				close(fd);
				return -1;
			}
			char *nb = lp_xmalloc(cap * 2);
			memcpy(nb, buf, n);
			explicit_bzero(buf, cap);
			free(buf);
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
			explicit_bzero(buf, cap);
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}


struct lp_secret_res {
	int fd;
	char *path, *tmp;
	size_t size;
};

static void sync_dir_of(const char *path)
{
	char *dir = lp_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
}

/* pwrite all of buf at off; 0, or -1 with errno set */
static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len) {
		ssize_t w = pwrite(fd, buf, len, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
		off += w;
	}
	return 0;
}

static void res_free(lp_secret_res *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	free(r->tmp);
	free(r);
}

lp_secret_res *lp_secret_reserve(const char *path, const char *tmp, size_t size, char *err, size_t errlen)
{
	lp_secret_res *r = lp_xmalloc(sizeof *r);
	r->path = lp_xstrdup(path);
	r->size = size;
	if (tmp) {
		r->tmp = lp_xstrdup(tmp);
		r->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	} else {
		r->tmp = lp_xasprintf("%s.tmp.XXXXXX", path);
		r->fd = mkostemp(r->tmp, O_CLOEXEC); /* O_EXCL, 0600, a fresh name on a collision */
	}
	if (r->fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", r->tmp, strerror(errno));
		res_free(r);
		return NULL;
	}
	int e = 0, synced = 1;
	if (size) {
		e = posix_fallocate(r->fd, 0, (off_t)size);
		if (e == EOPNOTSUPP || e == EINVAL)
			e = 0; /* not supported here: the padding below still takes the space */
		if (!e) {
			char pad[4096];
			memset(pad, ' ', sizeof pad); /* blanks: never a token, and JSON whitespace */
			for (size_t off = 0; off < size && !e; off += sizeof pad)
				if (pwrite_all(r->fd, pad, size - off < sizeof pad ? size - off : sizeof pad, (off_t)off))
					e = errno;
		}
		if (!e && fsync(r->fd) != 0) {
			e = errno;
			synced = 0;
		}
	}
	if (e) {
		snprintf(err, errlen, "%s: cannot reserve space for %zu bytes%s: %s", r->tmp, size, synced ? "" : " (fsync)",
			 strerror(e));
		unlink(r->tmp);
		res_free(r);
		return NULL;
	}
	return r;
}

void lp_secret_abandon(lp_secret_res *r)
{
	if (!r)
		return;
	unlink(r->tmp);
	res_free(r);
}

int lp_secret_install(const char *from, const char *to, char *err, size_t errlen)
{
	if (rename(from, to) != 0) {
		snprintf(err, errlen, "%s: rename to %s: %s", from, to, strerror(errno));
		return -1;
	}
	sync_dir_of(to);
	return 0;
}

int lp_secret_commit(lp_secret_res *r, const char *data, size_t len, int *kept, char *err, size_t errlen)
{
	int durable = 0, rc = -1;
	if (kept)
		*kept = 0;
	if (pwrite_all(r->fd, data, len, 0))
		snprintf(err, errlen, "%s: write error: %s", r->tmp, strerror(errno));
	else if (ftruncate(r->fd, (off_t)len) != 0)
		snprintf(err, errlen, "%s: truncate: %s", r->tmp, strerror(errno));
	else if (fsync(r->fd) != 0)
		snprintf(err, errlen, "%s: fsync: %s", r->tmp, strerror(errno));
	else {
		durable = 1;
		int fd = r->fd;
		r->fd = -1;
		if (close(fd) != 0)
			snprintf(err, errlen, "%s: close: %s", r->tmp, strerror(errno));
		else
			rc = lp_secret_install(r->tmp, r->path, err, errlen);
	}
	if (rc && durable && kept)
		*kept = 1;
	else if (rc)
		unlink(r->tmp);
	res_free(r);
	return rc;
}

int lp_secret_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	/* nothing to keep safe elsewhere meanwhile: no reservation, one fsync */
	lp_secret_res *r = lp_secret_reserve(path, NULL, 0, err, errlen);
	return r ? lp_secret_commit(r, data, len, NULL, err, errlen) : -1;
}

void lp_secret_free(char *p)
{
	if (!p)
		return;
	explicit_bzero(p, strlen(p));
	free(p);
}

void *lp_secret_malloc(size_t n)
{
	return malloc(n);
}

void lp_secret_wipe_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void *lp_secret_wipe_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (!n) {
		lp_secret_wipe_free(p);
		return NULL;
	}
	size_t old = malloc_usable_size(p);
	if (n <= old)
		return p; /* it fits: nothing is left behind */
	void *q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, old);
	lp_secret_wipe_free(p);
	return q;
}

char *lp_secret_strdup(const char *s)
{
	size_t l = strlen(s) + 1;
	char *p = malloc(l);
	if (p)
		memcpy(p, s, l);
	return p;
}

void *lp_secret_calloc(size_t nmemb, size_t size)
{
	return calloc(nmemb, size);
}

/* jansson's frees are wiped from the first secret on (a program that never reads one, such
 * as validate over millions of records, does not pay for it); blocks allocated before are
 * freed the same way, so switching is safe at any time (lp_jalloc) */
static void wipe_json_from_now_on(void)
{
	lp_jalloc_wipe();
}

void lp_secret_harden(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct rlimit rl = {0, 0};
	setrlimit(RLIMIT_CORE, &rl);
	lp_jalloc_install(); /* jansson's allocations: out of memory is exit 7 */
}

void lp_secret_holding(void)
{
	wipe_json_from_now_on();
}

void lp_secret_credentials(const char *cfg_path, const char *cfg_key, const char *file, const char *env_id,
			   const char *env_secret, char **id_out, char **secret_out)
{
	wipe_json_from_now_on();
	if (file) {
		char *buf, err[512];
		size_t len;
		if (lp_secret_read_file(file, &buf, &len, err, sizeof err))
			lp_die(LP_EXIT_CONFIG, "%s: %s", cfg_key, err);
		json_t *j = json_loadb(buf, len, 0, NULL);
		lp_secret_free(buf);
		json_t *idv = json_object_get(j, "client_id"), *secv = json_object_get(j, "client_secret");
		if (!json_is_string(idv) || !json_is_string(secv) || !*json_string_value(idv) ||
		    !*json_string_value(secv)) {
			json_decref(j);
			lp_die(LP_EXIT_CONFIG, "%s: must be a JSON object with strings client_id and client_secret", file);
		}
		*id_out = lp_xstrdup(json_string_value(idv));
		*secret_out = lp_xstrdup(json_string_value(secv));
		json_string_set(secv, ""); /* drop the parsed copy */
		json_decref(j);
		return;
	}
	const char *id = getenv(env_id), *sec = getenv(env_secret);
	if (!id || !sec || !*id || !*sec)
		lp_die(LP_EXIT_CONFIG, "%s: no credentials: set %s in the configuration, or %s and %s in the environment",
		       cfg_path, cfg_key, env_id, env_secret);
	*id_out = lp_xstrdup(id);
	*secret_out = lp_xstrdup(sec);
}
