/* lp_secret.c - see lp_secret.h */
#include "lp_secret.h"
#include "lp_cli.h"

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

void lp_secret_free(char *p)
{
	if (!p)
		return;
	explicit_bzero(p, strlen(p));
	free(p);
}
