/* lp_io.h - small I/O helpers that keep error messages honest.
 *
 * A write(2) that writes less than asked sets no errno: "write failed: Success" is what a
 * message built from errno then says. lp_write_all writes the rest too, so that a full disk
 * or a file size limit shows as what it is (ENOSPC, EFBIG, EDQUOT).
 */
#ifndef LP_IO_H
#define LP_IO_H

#include <stddef.h>
#include <sys/types.h>

/* Write all n bytes (retrying after EINTR and short writes). 0, or -1 with errno set to the
 * reason (EIO when the system wrote nothing and gave none); *done (when not NULL) is set to
 * the bytes written either way. */
int lp_write_all(int fd, const void *buf, size_t n, size_t *done);

/* What a file of this mode is, for a message: "a regular file", "a directory", "a FIFO
 * (named pipe)", "a device", "a socket", "a symbolic link". */
const char *lp_file_kind(mode_t mode);

/* Open a file that must be a private regular file of the user's (a secret, a token file, a
 * journal, a ledger): flags are open(2)'s (O_CLOEXEC and O_NOFOLLOW are added; O_NONBLOCK
 * for the open only, so that a FIFO or a device at the path never blocks), then fstat: it
 * must be a regular file, owned by the effective user, with no group/other permission bits.
 * mode is the creation mode (with O_CREAT). Returns the descriptor (blocking again), or -1
 * with the reason in err, which names path and never the content ("PATH: a FIFO (named
 * pipe), not a regular file"); *errnum (when not NULL) is the errno of a failed open(2), or 0
 * when the file opened but is not acceptable. */
int lp_open_private(const char *path, int flags, mode_t mode, char *err, size_t errlen, int *errnum);

#endif
