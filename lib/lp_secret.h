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
/* Replace a private file atomically: write a temporary file (0600) beside it, fsync it,
 * rename it over path and fsync the directory. A crash leaves either the old or the new
 * content, never a torn file: the one valid refresh token can not be lost this way.
 * Returns 0, or -1 with a reason in err. */
int lp_secret_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* An API client's id and secret: from the JSON file {"client_id","client_secret"} named by
 * the configuration key cfg_key (path file, must be private), else from the two environment
 * variables. Exits 4 with a message naming the file or the variables when neither works. */
void lp_secret_credentials(const char *cfg_path, const char *cfg_key, const char *file, const char *env_id,
			   const char *env_secret, char **id, char **secret);
/* Wipe and free. */
void lp_secret_free(char *p);

#endif
