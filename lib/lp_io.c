/* lp_io.c - see lp_io.h */
#include "lp_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lp_write_all(int fd, const void *buf, size_t n, size_t *done)
{
	const char *p = buf;
	size_t left = n;
	int rc = 0;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			rc = -1;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (done)
		*done = n - left;
	return rc;
}

const char *lp_file_kind(mode_t m)
{
	return S_ISREG(m) ? "a regular file" : S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO (named pipe)"
	       : S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link"
	       : "not a file";
}

int lp_open_private(const char *path, int flags, mode_t mode, char *err, size_t n, int *errnum)
{
	if (errnum)
		*errnum = 0;
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode);
	if (fd < 0) {
		int e = errno;
		struct stat ls;
		if (e == ELOOP && lstat(path, &ls) == 0 && S_ISLNK(ls.st_mode))
			snprintf(err, n, "%s: a symbolic link; it must be a regular file of yours, not a link to one", path);
		else if (e == ENXIO) /* a FIFO opened for writing with no reader, or a socket */
			snprintf(err, n, "%s: not a regular file", path);
		else
			snprintf(err, n, "%s: cannot open: %s", path, strerror(e));
		if (errnum)
			*errnum = e;
		errno = e;
		return -1;
	}
	struct stat st;
	const char *why = NULL;
	char mbuf[160];
	if (fstat(fd, &st) != 0) {
		snprintf(err, n, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode))
		snprintf(mbuf, sizeof mbuf, "%s, not a regular file", lp_file_kind(st.st_mode)), why = mbuf;
	else if (st.st_uid != geteuid())
		snprintf(mbuf, sizeof mbuf, "owned by another user (uid %u); it must be yours", (unsigned)st.st_uid), why = mbuf;
	else if (st.st_mode & 077) {
		snprintf(err, n, "%s: permissions %04o are too open; run: chmod 600 '%s'", path, (unsigned)(st.st_mode & 07777),
			 path);
		close(fd);
		return -1;
	}
	if (why) {
		snprintf(err, n, "%s: %s", path, why);
		close(fd);
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}
