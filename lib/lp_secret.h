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
/* The same, for files up to max bytes (lp_secret_read_file: 1 MiB, for secrets; a snapshot of a
 * large client's Loket state is bigger). */
int lp_secret_read_file_max(const char *path, char **out, size_t *len, size_t max, char *err, size_t errlen);
/* Check the permissions only (0 ok). */
int lp_secret_check_file(const char *path, char *err, size_t errlen);
/* Replace a private file atomically: write a temporary file (0600, a new unique name
 * "<path>.tmp.XXXXXX") beside it, fsync it, rename it over path and fsync the directory. A
 * crash leaves either the old or the new content, never a torn file. Returns 0, or -1 with a
 * reason in err (the temporary file is removed). */
int lp_secret_write_file(const char *path, const char *data, size_t len, char *err, size_t errlen);

/* The same in two steps, so that what can fail on this disk fails before something that
 * cannot be undone is done elsewhere (a refresh token rotating at Loket):
 *   lp_secret_reserve  creates the temporary file tmp beside path (0600, O_EXCL: never an
 *                      existing file, never through a symlink; tmp NULL: a unique name) and
 *                      makes size bytes of it real on disk: posix_fallocate, then written
 *                      with padding and fsync'd. A full disk (ENOSPC), a quota, a read-only
 *                      or missing directory show here. NULL with a reason in err (nothing
 *                      is left behind).
 *   lp_secret_commit   writes data into the reserved bytes (none has to be found any more),
 *                      cuts the file to len, fsyncs it, renames it over path and fsyncs the
 *                      directory. 0, or -1 with a reason in err; then *kept (when kept is
 *                      not NULL) says whether tmp was kept: it is when data was already on
 *                      disk in it (only the rename failed), since it may hold the only copy
 *                      of a new secret. Otherwise tmp is removed. r is freed either way.
 *   lp_secret_abandon  removes the reservation and frees r.
 * On a copy-on-write or compressing file system (btrfs, ZFS) the reservation is only a
 * strong hint: such a file system may still need new space to overwrite. */
typedef struct lp_secret_res lp_secret_res;
lp_secret_res *lp_secret_reserve(const char *path, const char *tmp, size_t size, char *err, size_t errlen);
int lp_secret_commit(lp_secret_res *r, const char *data, size_t len, int *kept, char *err, size_t errlen);
void lp_secret_abandon(lp_secret_res *r);
/* rename(from, to), then fsync the directory of to. 0, or -1 with a reason in err. */
int lp_secret_install(const char *from, const char *to, char *err, size_t errlen);
/* An API client's id and secret: from the JSON file {"client_id","client_secret"} named by
 * the configuration key cfg_key (path file, must be private), else from the two environment
 * variables. Exits 4 with a message naming the file or the variables when neither works. */
void lp_secret_credentials(const char *cfg_path, const char *cfg_key, const char *file, const char *env_id,
			   const char *env_secret, char **id, char **secret);
/* Wipe and free. */
void lp_secret_free(char *p);

/* ---- the process that holds secrets (lp_init calls this for every program) ----
 * lp_secret_harden: no core dump can be written (prctl PR_SET_DUMPABLE 0, which also keeps
 * other processes of the user from ptrace-attaching and reading /proc/PID/mem, and
 * RLIMIT_CORE 0). Jansson's allocations that fail end the program with "out of memory",
 * exit 7 (never taken for bad JSON). Idempotent.
 * lp_secret_holding: from now on every block jansson frees is wiped first, so that the
 * strings of a parsed token answer, credentials file or token file (and json_dumps output)
 * leave no copy behind. lp_secret_read_file* and lp_secret_credentials call it before the
 * first secret is read; a program that gets a secret another way calls it first. */
void lp_secret_harden(void);
void lp_secret_holding(void);
/* The allocator behind that, for other libraries' allocation hooks (libcurl's
 * curl_global_init_mem): malloc/calloc/strdup that return NULL on failure as usual, free
 * and realloc that wipe the old block (its whole usable size) before it is released. */
void *lp_secret_malloc(size_t n);
void lp_secret_wipe_free(void *p);
void *lp_secret_wipe_realloc(void *p, size_t n);
char *lp_secret_strdup(const char *s);
void *lp_secret_calloc(size_t nmemb, size_t size);

#endif
