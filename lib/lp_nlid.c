/* lp_nlid.c - Dutch identifier helpers: BSN, IBAN, postal code.
 * See lp_nlid.h for the contract.  ASCII only: no <ctype.h>, so the result
 * never depends on the locale. */
#include "lp_nlid.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lp_mask.h"

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_upper(int c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(int c) { return c >= 'a' && c <= 'z'; }
static int to_upper(int c) { return is_lower(c) ? c - 'a' + 'A' : c; }
static int is_space(int c) { return c == ' ' || c == '\t'; }

/* Seeds are spread over the value space by an affine map modulo the number
 * of usable stems.  48271 is prime and shares no factor with 81 000 000
 * (= 2^6 * 3^4 * 5^6), so the map is a bijection on [0, 81 000 000). */
#define LP_NLID_STEMS 81000000ULL
#define LP_NLID_MULT 48271ULL

/* ---------------------------------------------------------------- BSN */

int lp_nlid_bsn_valid(const char *s)
{
    if (s == NULL)
        return 0;
    int sum = 0, nonzero = 0;
    for (int i = 0; i < 9; i++) {
        if (!is_digit(s[i]))
            return 0;              /* also catches a string shorter than 9 */
        int d = s[i] - '0';
        nonzero |= d;
        sum += (i < 8) ? (9 - i) * d : -d;   /* weights 9..2, then -1 */
    }
    if (s[9] != '\0')
        return 0;                  /* longer than 9 */
    return nonzero && ((sum % 11) + 11) % 11 == 0;
}

int lp_nlid_bsn_make(uint32_t seed, char out[10])
{
    /* k = block * 9 + j: block picks the first 7 digits (1000000..9999999),
     * j picks the j-th digit d8 for which the check digit d9 is 0..9.
     * Changing d8 by one changes the weighted sum by 2, so the ten choices
     * of d8 give ten different residues mod 11: at most one of them is 10,
     * hence every block has at least 9 usable d8 values. */
    uint64_t k = ((uint64_t)seed * LP_NLID_MULT + 12345u) % LP_NLID_STEMS;
    uint32_t prefix = 1000000u + (uint32_t)(k / 9);
    int j = (int)(k % 9);

    int sum = 0;
    for (int i = 6; i >= 0; i--) {           /* digits d1..d7, weights 9..3 */
        int d = (int)(prefix % 10);
        prefix /= 10;
        out[i] = (char)('0' + d);
        sum += (9 - i) * d;
    }
    for (int d8 = 0; d8 <= 9; d8++) {
        int d9 = (sum + 2 * d8) % 11;        /* 11-proef: d9 == sum mod 11 */
        if (d9 == 10)
            continue;                        /* no digit works: skip this stem */
        if (j-- == 0) {
            out[7] = (char)('0' + d8);
            out[8] = (char)('0' + d9);
            out[9] = '\0';
            return 0;
        }
    }
    out[0] = '\0';                           /* unreachable (see above) */
    return -1;
}

/* --------------------------------------------------------------- IBAN */

/* ISO 7064 mod 97-10 over the IBAN rearranged (first four characters moved
 * to the end), letters expanded to 10..35.  s must be uppercase alnum. */
static unsigned iban_mod97(const char *s, size_t n)
{
    unsigned r = 0;
    for (size_t i = 0; i < n; i++) {
        int c = s[(i + 4) % n];
        if (is_digit(c))
            r = (r * 10 + (unsigned)(c - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return r;
}

int lp_nlid_iban_valid(const char *s)
{
    if (s == NULL)
        return 0;
    char b[35];
    size_t n = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c == ' ')
            continue;
        c = to_upper(c);
        if (!is_digit(c) && !is_upper(c))
            return 0;
        if (n == 34)
            return 0;                        /* longer than any IBAN */
        b[n++] = (char)c;
    }
    if (n < 15)
        return 0;                            /* Norway's 15 is the shortest */
    if (!is_upper(b[0]) || !is_upper(b[1]) || !is_digit(b[2]) || !is_digit(b[3]))
        return 0;
    /* 00, 01 and 99 are never issued (they alias 97, 98 and 02 mod 97). */
    int check = (b[2] - '0') * 10 + (b[3] - '0');
    if (check < 2 || check > 98)
        return 0;
    if (b[0] == 'N' && b[1] == 'L') {
        if (n != 18)
            return 0;
        for (int i = 4; i < 8; i++)
            if (!is_upper(b[i]))
                return 0;
        for (int i = 8; i < 18; i++)
            if (!is_digit(b[i]))
                return 0;
    }
    return iban_mod97(b, n) == 1;
}

int lp_nlid_iban_make(const char *bank, uint32_t seed, char out[19])
{
    out[0] = '\0';
    if (bank == NULL || strlen(bank) != 4)
        return -1;
    char b[19] = "NL00";
    for (int i = 0; i < 4; i++) {
        int c = to_upper((unsigned char)bank[i]);
        if (!is_upper(c))
            return -1;
        b[4 + i] = (char)c;
    }

    /* Account number a1..a10 with a1 = 0 and the old Dutch 11-proef
     * 10*a1 + 9*a2 + ... + 1*a10 == 0 (mod 11).  Same block scheme as the
     * BSN: block gives a2..a8, j picks a9 (weight 2), a10 is the check. */
    uint64_t k = ((uint64_t)seed * LP_NLID_MULT + 777u) % LP_NLID_STEMS;
    uint32_t prefix = 1000000u + (uint32_t)(k / 9);
    int j = (int)(k % 9);
    char *acct = b + 8;
    acct[0] = '0';
    int sum = 0;
    for (int i = 7; i >= 1; i--) {           /* a2..a8, weights 9..3 */
        int d = (int)(prefix % 10);
        prefix /= 10;
        acct[i] = (char)('0' + d);
        sum += (10 - i) * d;
    }
    int found = 0;
    for (int a9 = 0; a9 <= 9 && !found; a9++) {
        int a10 = (11 - (sum + 2 * a9) % 11) % 11;
        if (a10 == 10)
            continue;
        if (j-- == 0) {
            acct[8] = (char)('0' + a9);
            acct[9] = (char)('0' + a10);
            found = 1;
        }
    }
    if (!found)
        return -1;                           /* unreachable */
    b[18] = '\0';

    /* Check digits: with "00" in place, 98 - (mod 97) makes the whole
     * rearranged number == 1 (mod 97). */
    unsigned cd = 98u - iban_mod97(b, 18);
    b[2] = (char)('0' + cd / 10);
    b[3] = (char)('0' + cd % 10);
    memcpy(out, b, 19);
    return 0;
}

/* -------------------------------------------------------- postal code */

/* Letter pairs PostNL never issues (wartime connotations). */
static int postcode_letters_ok(int a, int b)
{
    return !(a == 'S' && (b == 'A' || b == 'D' || b == 'S'));
}

int lp_nlid_postcode_valid(const char *s)
{
    if (s == NULL)
        return 0;
    if (s[0] < '1' || s[0] > '9' || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]))
        return 0;
    const char *p = s + 4;
    if (*p == ' ')
        p++;
    if (!is_upper(p[0]) || !is_upper(p[1]) || p[2] != '\0')
        return 0;
    return postcode_letters_ok(p[0], p[1]);
}

void lp_nlid_postcode_normalise(const char *in, char out[8])
{
    out[0] = '\0';
    if (in == NULL)
        return;
    const char *p = in;
    char t[8];
    while (is_space(*p))
        p++;
    for (int i = 0; i < 4; i++, p++) {
        if (!is_digit(*p))
            return;
        t[i] = *p;
    }
    t[4] = ' ';
    while (is_space(*p))
        p++;
    for (int i = 5; i < 7; i++, p++) {
        int c = to_upper((unsigned char)*p);
        if (!is_upper(c))
            return;
        t[i] = (char)c;
    }
    t[7] = '\0';
    while (is_space(*p) || *p == '\n' || *p == '\r')
        p++;
    if (*p != '\0' || !lp_nlid_postcode_valid(t))
        return;
    memcpy(out, t, 8);
}

char *lp_nlid_mask_text(const char *in, char *out)
{
	char *m = lp_mask_text(in);
	if (m) {
		strcpy(out, m); /* never longer than in */
		free(m);
		return out;
	}
	/* out of memory: every digit goes */
	size_t i = 0;
	for (; in[i]; i++)
		out[i] = is_digit(in[i]) ? '*' : in[i];
	out[i] = '\0';
	return out;
}
