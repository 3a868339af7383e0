/* enospc-shim.c - an LD_PRELOAD library that makes file operations fail on the paths a test
 * names, so that a full disk or a read-only directory can be tested without either.
 *
 *   ENOSPC_SHIM_PATTERN  fnmatch(3) pattern for the path (required; unset: the shim does nothing).
 *                        For fd operations the path is /proc/self/fd/N's target.
 *   ENOSPC_SHIM_OPS      comma list of what fails: fallocate (posix_fallocate, fallocate),
 *                        write (write, pwrite), open (open/openat for writing or creating),
 *                        fsync, rename (the old path), unlink. Default: fallocate,write.
 *   ENOSPC_SHIM_ERRNO    ENOSPC (default), EDQUOT, EROFS, EACCES or EIO; or KILL: instead of
 *                        failing, the process kills itself (SIGKILL) right there, as a
 *                        power cut or kill -9 at that point would leave things.
 *   ENOSPC_SHIM_SKIP     let this many matching calls pass before the first failure (default 0):
 *                        e.g. with fsync, 1 lets the reservation's fsync pass and fails the next.
 *
 * Built by the tests themselves (tests/loket-auth.bats):
 *   cc -shared -fPIC -o enospc-shim.so tests/tools/enospc-shim.c -ldl
 * With an AddressSanitizer build, libasan must come first: LD_PRELOAD=libasan.so.N:enospc-shim.so
 * (ASan's interceptors then call on into this shim, which calls on into libc).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static int err_no(void)
{
	const char *e = getenv("ENOSPC_SHIM_ERRNO");
	if (e && !strcmp(e, "KILL"))
		raise(SIGKILL);
	if (!e || !strcmp(e, "ENOSPC"))
		return ENOSPC;
	if (!strcmp(e, "EDQUOT"))
		return EDQUOT;
	if (!strcmp(e, "EROFS"))
		return EROFS;
	if (!strcmp(e, "EACCES"))
		return EACCES;
	return EIO;
}

static int op_on(const char *op)
{
	const char *ops = getenv("ENOSPC_SHIM_OPS");
	if (!ops)
		ops = "fallocate,write";
	size_t l = strlen(op);
	for (const char *p = ops; *p;) {
		size_t n = strcspn(p, ",");
		if (n == l && !strncmp(p, op, l))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int path_hit(const char *op, const char *path)
{
	static long passed;
	const char *pat = getenv("ENOSPC_SHIM_PATTERN"), *skip = getenv("ENOSPC_SHIM_SKIP");
	if (!pat || !path || !op_on(op) || fnmatch(pat, path, 0) != 0)
		return 0;
	return !(skip && passed++ < atol(skip));
}

static int fd_hit(const char *op, int fd)
{
	if (!getenv("ENOSPC_SHIM_PATTERN") || !op_on(op))
		return 0;
	char link[64], path[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return path_hit(op, path);
}

#define REAL(ret, name, ...)                                                                       \
	static ret (*real_##name)(__VA_ARGS__);                                                    \
	if (!real_##name)                                                                          \
		real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

int posix_fallocate(int fd, off_t off, off_t len)
{
	REAL(int, posix_fallocate, int, off_t, off_t);
	return fd_hit("fallocate", fd) ? err_no() : real_posix_fallocate(fd, off, len);
}

int posix_fallocate64(int fd, off_t off, off_t len)
{
	REAL(int, posix_fallocate64, int, off_t, off_t);
	return fd_hit("fallocate", fd) ? err_no() : real_posix_fallocate64(fd, off, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	REAL(int, fallocate, int, int, off_t, off_t);
	if (fd_hit("fallocate", fd))
		return errno = err_no(), -1;
	return real_fallocate(fd, mode, off, len);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
	REAL(int, fallocate64, int, int, off_t, off_t);
	if (fd_hit("fallocate", fd))
		return errno = err_no(), -1;
	return real_fallocate64(fd, mode, off, len);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, write, int, const void *, size_t);
	if (fd_hit("write", fd))
		return errno = err_no(), -1;
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	if (fd_hit("write", fd))
		return errno = err_no(), -1;
	return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, pwrite64, int, const void *, size_t, off_t);
	if (fd_hit("write", fd))
		return errno = err_no(), -1;
	return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, writev, int, const struct iovec *, int);
	if (fd_hit("write", fd))
		return errno = err_no(), -1;
	return real_writev(fd, iov, cnt);
}

int fsync(int fd)
{
	REAL(int, fsync, int);
	if (fd_hit("fsync", fd))
		return errno = err_no(), -1;
	return real_fsync(fd);
}

static int writes(int flags) { return (flags & (O_CREAT | O_WRONLY | O_RDWR | O_TRUNC)) != 0; }

static mode_t mode_of(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	REAL(int, open, const char *, int, ...);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_of(flags, ap);
	va_end(ap);
	if (writes(flags) && path_hit("open", path))
		return errno = err_no(), -1;
	return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	REAL(int, open64, const char *, int, ...);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_of(flags, ap);
	va_end(ap);
	if (writes(flags) && path_hit("open", path))
		return errno = err_no(), -1;
	return real_open64(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(int, openat, int, const char *, int, ...);
	va_list ap;
	va_start(ap, flags);
	mode_t mode = mode_of(flags, ap);
	va_end(ap);
	if (writes(flags) && path_hit("open", path))
		return errno = err_no(), -1;
	return real_openat(dirfd, path, flags, mode);
}

int unlink(const char *path)
{
	REAL(int, unlink, const char *);
	if (path_hit("unlink", path))
		return errno = err_no(), -1;
	return real_unlink(path);
}

int rename(const char *from, const char *to)
{
	REAL(int, rename, const char *, const char *);
	if (path_hit("rename", from))
		return errno = err_no(), -1;
	return real_rename(from, to);
}
