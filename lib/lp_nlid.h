/* lp_nlid.h - Dutch identifier helpers: BSN, IBAN, postal code.
 *
 * Pure functions over C strings, no allocation, no dependencies beyond libc.
 * Validators return 1 (valid) or 0 (invalid); a NULL argument is invalid.
 * Generators are deterministic: the same seed always gives the same value.
 */
#ifndef LP_NLID_H
#define LP_NLID_H

#include <stdint.h>

/* BSN (burgerservicenummer).
 * Valid = exactly 9 ASCII digits, no spaces or other characters, not all
 * zeros, and the 11-proef holds:
 *     9*d1 + 8*d2 + 7*d3 + 6*d4 + 5*d5 + 4*d6 + 3*d7 + 2*d8 - 1*d9 == 0 (mod 11).
 * Old 8-digit numbers are NOT accepted: callers must store the 9-digit form
 * (left-padded with 0), which is what Loket expects. */
int lp_nlid_bsn_valid(const char *s);

/* Writes a valid 9-digit BSN (plus NUL) for `seed` into out.  The first
 * digit is never 0.  Injective for seeds below 81 000 000 (distinct seeds in
 * that range give distinct BSNs); larger seeds wrap around.  Returns 0. */
int lp_nlid_bsn_make(uint32_t seed, char out[10]);

/* IBAN (ISO 13616).  Spaces are ignored anywhere, letters are
 * case-insensitive.  Valid = 2 letters (country), 2 digits (check), 11-30
 * alphanumerics, total 15-34, and the mod-97 check gives 1.  For country NL
 * additionally: exactly 18 characters, a 4-letter bank code and a 10-digit
 * account number.  (The old Dutch 11-proef on the account number is not
 * required: some real accounts, e.g. former Postbank ones, do not pass it.) */
int lp_nlid_iban_valid(const char *s);

/* Writes a valid NL IBAN without spaces ("NL91ABNA0417164300" form, 18 chars
 * plus NUL) for the 4-letter bank code `bank` (case-insensitive, written in
 * uppercase) and `seed`.  The 10-digit account number also passes the old
 * Dutch 11-proef and starts with 0, like real ABN AMRO / Rabobank accounts
 * ("0417164300").  Injective in seed for seeds below 81 000 000 (per bank
 * code).  Returns 0, or -1 (out = "") if bank is not four ASCII letters. */
int lp_nlid_iban_make(const char *bank, uint32_t seed, char out[19]);

/* Dutch postal code: 4 digits (first not 0), an optional single space, two
 * uppercase letters; the letter pairs SA, SD and SS are not issued and are
 * invalid.  Exact form only: no lowercase, no surrounding whitespace. */
int lp_nlid_postcode_valid(const char *s);

/* Normalises to "1234 AB" (7 chars plus NUL).  Lenient on input: leading and
 * trailing whitespace, any run of spaces between digits and letters, and
 * lowercase letters are accepted.  On invalid input out is "". */
void lp_nlid_postcode_normalise(const char *in, char out[8]);

/* Mask the personal numbers in free text for human-readable output (principle 7): the rule
 * of lp_mask_text (lib/lp_mask.h), written into out, which must hold strlen(in)+1 bytes (the
 * result is never longer). Returns out. */
char *lp_nlid_mask_text(const char *in, char *out);

#endif
