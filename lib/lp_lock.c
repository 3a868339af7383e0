/* lp_lock.c - see lp_lock.h */
#include "lp_lock.h"
#include "lp_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

void lp_lock_client(const char *client, const char *lock_file)
{
	if (!lock_file)
		return;
	int fd = open(lock_file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		lp_die(LP_EXIT_CONFIG, "%s: %s: cannot open the lock file: %s", client, lock_file, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;
		lp_die(busy ? LP_EXIT_BUSY : LP_EXIT_CONFIG, "%s: %s%s%s", client,
		       busy ? "another run for this client is in progress (its lock " : strerror(errno),
		       busy ? lock_file : "", busy ? " is held); try again when it has finished" : "");
	}
	/* fd stays open (and locked) until the process ends */
}

static long wait_default(void)
{
	const char *v = getenv("LOKETPIPE_LOCK_WAIT_MS");
	char *end;
	long x = v && *v ? strtol(v, &end, 10) : -1;
	return v && *v && !*end && x >= 0 ? x : LP_LOCK_WAIT_MS;
}

int lp_lock_wait(const char *path, long wait_ms, int *busy, char *err, size_t n)
{
	*busy = 0;
	if (wait_ms < 0)
		wait_ms = wait_default();
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, n, "%s: cannot open the lock file: %s", path, strerror(errno));
		return -1;
	}
	long waited = 0, step = 1; /* ms: 1, 2, 4 ... 50 between tries */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			snprintf(err, n, "%s: cannot lock: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (waited >= wait_ms) {
			*busy = 1;
			snprintf(err, n, "%s: another process has held this lock for more than %ld ms", path, wait_ms);
			close(fd);
			return -1;
		}
		struct timespec ts = {0, step * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		waited += step;
		step = step * 2 > 50 ? 50 : step * 2;
	}
	return fd;
}

void lp_lock_release(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the only descriptor releases the flock */
}
