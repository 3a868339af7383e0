/* lp_snap.h - a program's state directory: snapshots that are either whole or detected.
 *
 * A state directory (created 0700 when missing; refused when group or others may enter it)
 * holds snapshot files (0600), each replaced atomically (lp_secret_write_file: a temporary
 * file, fsync, rename, fsync of the directory), so that a crash, a SIGKILL or a full disk
 * leaves the old snapshot or the new one, never half of one. Each file is the line
 * "lp-snap 1 LENGTH CRC32\n" followed by LENGTH bytes of content whose zlib crc32 (8 hex
 * digits) is CRC32: flipped bytes, a cut or a stray append are found on reading.
 */
#ifndef LP_SNAP_H
#define LP_SNAP_H

#include <jansson.h>
#include <stddef.h>

#include "lp_config.h"

/* The mark a writer to Loket leaves in fetch-loket's state directory before its first write
 * (push-loket --state): while it exists, fetch-loket takes no payroll period from its snapshot
 * (a write may have gone into a closed period); fetch-loket removes it once it saved a snapshot
 * read after it. Both hold the client's lock meanwhile, so the two never interleave. */
#define LP_SNAP_WRITTEN "loket-written"

/* Create dir (0700) when it does not exist; 0, or -1 with a reason in err when it cannot be
 * made, is no directory, or is open to group or others. */
int lp_snap_dir(const char *dir, char *err, size_t n);
/* Replace dir/name with content (len bytes). 0, or -1 with a reason in err (the old file
 * is left as it was). */
int lp_snap_save(const char *dir, const char *name, const char *content, size_t len, char *err, size_t n);
/* Read dir/name: 1 with the content (malloc'd, NUL-terminated, *len bytes), 0 when there is
 * none, -1 with a reason in err when it is damaged (bad header, length or checksum) or
 * cannot be read (or is not private to the user). */
int lp_snap_load(const char *dir, const char *name, char **content, size_t *len, char *err, size_t n);
/* lp_snap_load of dir/name parsed as JSON (lp_json_loadb: exact numbers): the value, or NULL
 * when there is none, or when it is damaged or unreadable, then after the warning
 * "CLIENT: REASON; THEN" (then: what the program does instead, e.g. "reading everything").
 * Content that is not JSON comes back as JSON null: the caller checks the shape (and warns). */
json_t *lp_snap_load_json(const char *dir, const char *name, const char *client, const char *then);
/* NULL when a snapshot's "client", "employer_id" and "payroll_administration_id" are the
 * configuration's (an absent administration matches an empty one), else why it is not the
 * client's (for the warning of a program that then reads everything again). */
const char *lp_snap_foreign(const json_t *snap, const lp_config *c);

#endif
