/* lp_secret.c - see lp_secret.h */
#include "lp_secret.h"
#include "lp_cli.h"

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by another user; a secrets file must be yours", path);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "%s: permissions %04o are too open; run: chmod 600 '%s'", path,
			 (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

int lp_secret_check_file(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	int r = check_fd(fd, path, err, errlen);
	close(fd);
	return r;
}

int lp_secret_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (check_fd(fd, path, err, errlen)) {
		close(fd);
		return -1;
	}
	size_t cap = 4096, n = 0;
	char *buf = lp_xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= 1 << 20) {
				snprintf(err, errlen, "%s: larger than 1 MiB", path);
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

int lp_secret_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen)
{
	char *tmp = lp_xasprintf("%s.tmp.%ld", path, (long)getpid());
	char *dir = lp_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	int rc = -1, fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			snprintf(err, errlen, "%s: write error: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (off == len) {
		if (fsync(fd) != 0) {
			snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
			close(fd);
		} else if (close(fd) != 0)
			snprintf(err, errlen, "%s: close: %s", tmp, strerror(errno));
		else if (rename(tmp, path) != 0)
			snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		else
			rc = 0;
		fd = -1; /* closed above in every branch */
	}
	if (rc == 0) {
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

void lp_secret_free(char *p)
{
	if (!p)
		return;
	explicit_bzero(p, strlen(p));
	free(p);
}

void lp_secret_credentials(const char *cfg_path, const char *cfg_key, const char *file, const char *env_id,
			   const char *env_secret, char **id_out, char **secret_out)
{
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
