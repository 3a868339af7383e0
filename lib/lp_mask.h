/* lp_mask.h - text a person reads: personal numbers masked, control characters made visible.
 *
 * One function masks BSNs and IBANs for every human-readable output (report text and HTML,
 * batch-report, loket-employees' table, every message on standard error through lp_warn, and
 * the message and hint of every issue record through lp_issue). The rule (the one place it is
 * stated; README "Masking"):
 *
 *   Digits are any Unicode decimal digits: ASCII, full-width (U+FF10..U+FF19), Arabic-Indic
 *   (U+0660..), Extended Arabic-Indic (U+06F0..), Devanagari, Bengali, Thai and the
 *   mathematical digits (U+1D7CE..). A "group" is a maximal sequence of digits. Groups
 *   joined by one visible separator (space, '.', '-', NBSP U+00A0, U+2000..U+200A, narrow
 *   NBSP U+202F, U+205F, U+3000, the dashes U+2010..U+2015, U+2212, full-width '-' and '.')
 *   of one kind form a run ("1234.56.782"; "2026-11-15 123456782" is two runs);
 *   invisible characters (controls, zero-width and bidi characters, soft hyphen) between
 *   digits join groups too, however many there are, in any run.
 *   - BSN-like: a run of 8, 9 or 10 digits in all is masked; in a longer run, every stretch
 *     of whole groups with 8..10 digits is. Every digit but the last four (of the stretch)
 *     becomes '*'.
 *   - Left readable inside a run (they split it): a date shape (YYYY-MM-DD, also with a
 *     five-digit year, DD-MM-YYYY or DD.MM.YYYY, month up to 19 and day up to 39, so that the
 *     message refusing 2026-02-30, 2025-12-32 or 99999-01-01 stays readable), an amount (digits, '.',
 *     exactly two digits, ending the run: "1234567.89"), and a year range of two years
 *     1900..2199 ("2025-2026").
 *     So amounts, dates, employee numbers and counts (at most 7 digits) stay readable, and
 *     so does a size ("31457281 bytes") and an amount with a decimal comma ("12345678,90"). A group right next to a letter ("r101-2026-1-0",
 *     "EM101") is part of a key and joins no other group (alone, 8..10 digits are still
 *     masked: "x637017961y").
 *   - IBAN-like: two letters (either case, also full-width), two digits, then 10..30
 *     letters or digits with separators anywhere between them (as above), holding at least 6
 *     digits; a group of letters only ends it, except right after the check digits (the bank
 *     code). Every letter or digit but the first four and the last four becomes '*'.
 *   - Never touched: uuids (8-4-4-4-12 hex, Loket's ids), hex strings of 32, 40 or 64 digits
 *     (hashes), an administration's tax id (loonheffingennummer: 9 digits, L, 2 digits, as
 *     the configuration holds it), and paths and URLs (a word starting with '/', './', '../'
 *     or '~/', or holding a '/' and a letter: "out/20261115/plan.ndjson", "https://...").
 * A masked character is one '*' whatever its UTF-8 length, so the result is never longer.
 *
 * Control characters: C0 (U+0000..U+001F), DEL, C1 (U+0080..U+009F), the line and paragraph
 * separators U+2028/U+2029, the bidi controls U+200E/U+200F, U+061C, U+202A..U+202E and
 * U+2066..U+2069, and bytes that are not UTF-8. lp_text_escape shows each as "<U+001B>"
 * ("<0xFF>" for a stray byte), so that no terminal or browser acts on it.
 */
#ifndef LP_MASK_H
#define LP_MASK_H

#include <stddef.h>
#include <stdio.h>

/* BSNs and IBANs masked (malloc'd, never longer than in; NULL only when out of memory). */
char *lp_mask_text(const char *in);

/* Control characters shown as <U+XXXX> (malloc'd; NULL when out of memory). keep_nl: a line
 * feed and a tab stay as they are (text laid out by the program itself). */
char *lp_text_escape(const char *in, int keep_nl);

/* Both, masking first: what every human-readable output prints (malloc'd; NULL when out of
 * memory). */
char *lp_mask_human(const char *in, int keep_nl);

/* Write s (NULL: nothing) to f as lp_mask_human shows it; html: also escape & < > " ' as
 * entities. Returns 0, or -1 when out of memory (nothing of s is written then). */
int lp_mask_write(FILE *f, const char *s, int html, int keep_nl);
/* The same without masking (control characters shown, HTML escaped): only for text that
 * cannot hold a personal number, such as an amount read by lp_money. */
int lp_text_write(FILE *f, const char *s, int html, int keep_nl);

/* The first character of s that no name or free text may hold on its way to Loket: a
 * control character as above (line feed and tab included). Returns its byte offset and sets
 * *cp (0xFFFFFFFF for a byte that is not UTF-8), or -1 when there is none. */
long lp_text_ctrl(const char *s, unsigned long *cp);

/* "U+001B (ESC)"-style name of a code point lp_text_ctrl found, into buf (n >= 32). */
const char *lp_text_ctrl_name(unsigned long cp, char *buf, size_t n);

#endif
