/* lp_crcline.h - CRC-checked NDJSON logs: push-loket's journal, fetch-documents' index,
 * push-documents' ledger.
 *
 * Every line is one compact JSON object whose last member is "crc": the CRC-32 (zlib) of the
 * line's text without it, as 8 lower-case hex digits. CRC-32 detects every error of up to 32
 * bits in a row, so a flipped bit or byte, or a torn sector inside a line, is always seen.
 *
 * A log file (lp_crclog) is append-only, mode 0600 (a file with group or other access is
 * refused), written one line per write(2) on an O_APPEND descriptor and made durable with
 * lp_crclog_sync (one fsync for many lines). A short write (a full disk) is cut off again,
 * so the file never keeps half a line followed by good ones. Opening a log that exists:
 *   - a torn last line (no newline at its end: the run was killed while writing it) is cut
 *     off; lp_crclog_torn() says so;
 *   - any other damage (a bad CRC, not a JSON object) is refused with FILE:LINE: nothing is
 *     guessed.
 */
#ifndef LP_CRCLINE_H
#define LP_CRCLINE_H

#include <jansson.h>
#include <stddef.h>

/* The line for obj (stolen): its compact JSON with "crc" last, and a newline; *len its length.
 * obj must not be empty nor have a "crc" member. Caller frees. */
char *lp_crcline_of(json_t *obj, size_t *len);
/* 0 when the line p[0..n) (without its newline) carries the CRC of its own text, else -1. */
int lp_crcline_ok(const char *p, size_t n);

/* Called for every complete line of a buffer, in order: obj is the line's object without its
 * "crc" member (borrowed), or NULL with why saying what is wrong with the line. A nonzero
 * return stops the scan and is returned by lp_crcline_scan. */
typedef int (*lp_crcline_fn)(json_t *obj, const char *why, unsigned long line, void *ctx);
/* Scan buf[0..len): *kept is set to the length without a torn last line (the bytes after the
 * last newline). Returns 0 or what fn returned. */
int lp_crcline_scan(const char *buf, size_t len, size_t *kept, lp_crcline_fn fn, void *ctx);

/* Open path for appending (O_APPEND, created 0600, never through a symlink; readonly: only
 * for reading, never created; O_NONBLOCK, so a FIFO or device there is refused at once, never
 * waited on) and read it whole: a regular file of the effective user's with no group/other
 * access only. Messages start with name ("ledger
 * /x/y"). Returns 0 with *fd, *buf (malloc'd, NUL-terminated) and *len, or an exit code:
 * LP_EXIT_CONFIG (cannot open, a symbolic link, not a regular file, another user's, wrong mode), LP_EXIT_IO (unreadable). */
int lp_crcline_file(const char *path, const char *name, int readonly, int *fd, char **buf, size_t *len);

typedef struct lp_crclog lp_crclog;
/* Open or create the log at path (0600). Every good line goes to fn (which may be NULL; its
 * why is always NULL here: a damaged line stops the open first); fn returns 0 or an exit code
 * that stops the open. what names the log in messages ("ledger"). Returns 0 and sets *out,
 * or an exit code with a message printed, *out NULL:
 *   LP_EXIT_CONFIG  cannot be opened, not a regular file, group/other access
 *   LP_EXIT_DATA    a damaged line ("FILE:LINE: WHAT is damaged (why)")
 *   LP_EXIT_IO      cannot be read, or the torn line cannot be cut off. */
int lp_crclog_open(const char *path, const char *what, int (*fn)(json_t *obj, unsigned long line, void *ctx),
		   void *ctx, lp_crclog **out);
/* The same reading of an existing log, changing nothing: a torn last line is left as it is
 * (and not handed to fn). What a rehearsal (--dry-run) uses. 0, or the exit code open gives. */
int lp_crclog_read(const char *path, const char *what, int (*fn)(json_t *obj, unsigned long line, void *ctx), void *ctx);
/* Append one line for obj (borrowed; it must not have "crc"). 0, or -1 with errno (a short
 * write is cut off again and reported as ENOSPC). */
int lp_crclog_append(lp_crclog *l, json_t *obj);
/* fsync when lines were appended since the last sync. 0, or -1 with errno. */
int lp_crclog_sync(lp_crclog *l);
/* 1 when the open cut off a torn last line. */
int lp_crclog_torn(const lp_crclog *l);
/* Lines read at open plus lines appended. */
unsigned long lp_crclog_lines(const lp_crclog *l);
const char *lp_crclog_path(const lp_crclog *l);
void lp_crclog_close(lp_crclog *l);

#endif
