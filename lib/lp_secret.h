/* lp_secret.h - reading credentials safely.
 *
 * Secrets come only from the environment or from files that are private to the user:
 * a regular file, owned by the effective user, with no group/other permission bits
 * (0600 or 0400). They are never taken from argv, never written to logs, and wiped from
 * memory when freed.
 */
#ifndef LP_SECRET_H
#define LP_SECRET_H

#include <stddef.h>

/* Read a whole private file. Returns 0 and a NUL-terminated malloc'd buffer, or -1 with a
 * reason in err (which names the path and the problem, never the content). */
int lp_secret_read_file(const char *path, char **out, size_t *len, char *err, size_t errlen);
/* Check the permissions only (0 ok). */
int lp_secret_check_file(const char *path, char *err, size_t errlen);
/* Wipe and free. */
void lp_secret_free(char *p);

#endif
