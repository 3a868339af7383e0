/* lp_lock.c - see lp_lock.h */
#include "lp_lock.h"
#include "lp_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void lp_lock_client(const char *client, const char *token_file)
{
	if (!token_file)
		return;
	char path[strlen(token_file) + sizeof ".lock"]; /* on the stack: nothing to free on the way out */
	snprintf(path, sizeof path, "%s.lock", token_file);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		lp_die(LP_EXIT_CONFIG, "%s: %s: cannot open the lock file: %s", client, path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;
		lp_die(busy ? LP_EXIT_BUSY : LP_EXIT_CONFIG, "%s: %s", client,
		       busy ? "another run for this client is in progress (its lock is held); try again when it has finished"
			    : strerror(errno));
	}
	/* fd stays open (and locked) until the process ends */
}
