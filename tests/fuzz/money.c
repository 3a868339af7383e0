/* money.c - libFuzzer harness: exact decimals and money (lib/lp_money) against __int128.
 *
 * The input is a decimal text (the first byte, mod 10, the scale). Properties:
 *   - lp_dec_parse never makes a wrong value: when it accepts, the value is exactly the
 *     text's value times 10^scale (computed here with __int128), and within LP_MONEY_MAX;
 *   - for a short text (at most 40 bytes, exponent at most 100) it refuses no value that is
 *     exact at the scale and within range, and says SYNTAX exactly when the text is not a
 *     decimal number;
 *   - lp_dec_fmt writes what lp_dec_parse reads back to the same value (round trip);
 *   - lp_div_round of two 64-bit numbers from the input is the __int128 quotient rounded
 *     half away from zero.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_money.h"

typedef __int128 i128;

/* The reference: 1 and *v when s is a decimal number, exact at scale, |v| <= LP_MONEY_MAX;
 * 0 when it is one that is not exact or too large; -1 when it is not a decimal number. */
static int ref_parse(const char *s, int scale, i128 *v)
{
	const char *p = s;
	int neg = 0;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	i128 m = 0;
	int sig = 0, nd = 0, frac = 0, seen_point = 0, big = 0;
	long dropped = 0; /* significant digits past what fits: counted as powers of ten */
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			nd++;
			if (seen_point)
				frac++;
			if (sig < 36) {
				m = m * 10 + (*p - '0');
				if (m)
					sig++;
			} else {
				dropped++;
				if (*p != '0')
					big = 1;
			}
		} else if (*p == '.' && !seen_point)
			seen_point = 1;
		else
			break;
	}
	if (nd == 0)
		return -1;
	long e = 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		int eneg = 0;
		if (*p == '-' || *p == '+')
			eneg = *p++ == '-';
		if (!(*p >= '0' && *p <= '9'))
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (eneg)
			e = -e;
	}
	if (*p)
		return -1;
	if (big)
		return 0;
	/* value = m * 10^(dropped - frac + e), times 10^scale */
	long pw = dropped - frac + e + scale;
	if (m == 0) {
		*v = 0;
		return 1;
	}
	while (pw < 0) {
		if (m % 10)
			return 0;
		m /= 10;
		pw++;
	}
	while (pw > 0) {
		if (m > LP_MONEY_MAX)
			return 0;
		m *= 10;
		pw--;
	}
	if (m > LP_MONEY_MAX)
		return 0;
	*v = neg ? -m : m;
	return 1;
}

static i128 ref_div_round(i128 num, i128 den)
{
	if (den < 0)
		num = -num, den = -den;
	i128 q = num / den, r = num % den;
	if (r < 0)
		r = -r;
	if (2 * r >= den)
		q += num < 0 ? -1 : 1;
	return q;
}

FUZZ_INIT("fuzz-money", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int scale = data[0] % 10;
	if (size >= 17) { /* the division: two int64 from bytes 1..16 */
		int64_t a, b;
		memcpy(&a, data + 1, 8);
		memcpy(&b, data + 9, 8);
		if (b != 0 && a != INT64_MIN && b != INT64_MIN)
			FUZZ_CHECK((i128)lp_div_round(a, b) == ref_div_round(a, b));
	}
	char *s = fuzz_str(data + 1, size - 1);
	if (strlen(s) != size - 1) { /* a NUL inside: only the text before it is read */
		free(s);
		return 0;
	}
	int64_t v = 0;
	int rc = lp_dec_parse(s, scale, &v);
	i128 want = 0;
	int ref = ref_parse(s, scale, &want);
	if (rc == LP_DEC_OK) {
		FUZZ_CHECK(ref == 1);
		FUZZ_CHECK((i128)v == want);
		FUZZ_CHECK(v <= LP_MONEY_MAX && v >= -LP_MONEY_MAX);
		char buf[32], *f = lp_dec_fmt(v, scale, buf);
		int64_t back = 0;
		FUZZ_CHECK(lp_dec_parse(f, scale, &back) == LP_DEC_OK && back == v);
		if (scale == 2) {
			lp_cents c;
			FUZZ_CHECK(lp_money_parse(lp_money_fmt(v, buf), &c) == LP_DEC_OK && c == v);
		}
	} else {
		FUZZ_CHECK(rc == LP_DEC_SYNTAX || rc == LP_DEC_PRECISION || rc == LP_DEC_RANGE);
		FUZZ_CHECK(rc != LP_DEC_SYNTAX || ref == -1);
	}
	/* a short text: exact values are never refused, and SYNTAX is said of exactly the non-numbers */
	const char *ex = strpbrk(s, "eE");
	int small_exp = 1; /* no exponent, or one of at most two digits after e and a sign */
	if (ex) {
		const char *q = ex + 1 + (ex[1] == '+' || ex[1] == '-');
		small_exp = strlen(q) <= 2;
	}
	if (size - 1 <= 40 && small_exp) {
		if (ref == 1)
			FUZZ_CHECK(rc == LP_DEC_OK);
		if (ref == -1)
			FUZZ_CHECK(rc == LP_DEC_SYNTAX);
	}
	free(s);
	return 0;
}
