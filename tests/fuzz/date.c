/* date.c - libFuzzer harness: dates (lib/lp_date).
 *
 * Properties:
 *   - lp_date_parse accepts exactly the texts YYYY-MM-DD of a real calendar day in 1900..2199
 *     (checked against the Gregorian rule written out here), and lp_date_fmt writes the same
 *     text back (round trip); lp_date_parse_prefix accepts the same first ten bytes;
 *   - a day number of that range written and read again is the same day; the next day is
 *     one more; month start <= day <= month end; the payroll period of a day holds it;
 *   - lp_date_add_months keeps the day of the month or clamps it to the month's last day,
 *     and lands in the month n months on.
 */
#include "fuzz.h"
#include "lp_cli.h"
#include "lp_date.h"

static int ref_dim(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

static int is_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void check_day(lp_date d)
{
	char buf[11];
	lp_date back;
	lp_date_fmt(d, buf);
	FUZZ_CHECK(lp_date_parse(buf, &back) == 0 && back == d);
	int y, m, dd;
	lp_date_ymd(d, &y, &m, &dd);
	FUZZ_CHECK(lp_date_from_ymd(y, m, dd) == d);
	FUZZ_CHECK(lp_date_month_start(d) <= d && d <= lp_date_month_end(d));
	FUZZ_CHECK(lp_date_month_end(d) - lp_date_month_start(d) + 1 == ref_dim(y, m));
	int py, pp;
	lp_period_of(d, &py, &pp);
	FUZZ_CHECK(lp_period_start(py, pp) <= d && d <= lp_period_end(py, pp));
	int ny, nm, nd;
	lp_date_ymd(d + 1, &ny, &nm, &nd);
	if (dd < ref_dim(y, m))
		FUZZ_CHECK(ny == y && nm == m && nd == dd + 1);
	else
		FUZZ_CHECK(nd == 1 && (nm == m % 12 + 1) && ny == (m == 12 ? y + 1 : y));
	char h[16];
	lp_date_human(d, h);
	FUZZ_CHECK(strlen(h) >= 10);
}

FUZZ_INIT("fuzz-date", (void)0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 6 && data[0] == 0xff) { /* a day number and a month count from the bytes */
		int32_t raw;
		int16_t n = 0;
		memcpy(&raw, data + 1, 4);
		memcpy(&n, data + 5, size - 5 >= 2 ? 2 : 1);
		lp_date lo = lp_date_from_ymd(1900, 1, 1), hi = lp_date_from_ymd(2199, 12, 31);
		lp_date d = lo + (lp_date)((uint32_t)raw % (uint32_t)(hi - lo + 1));
		check_day(d);
		int months = n % 1200; /* 100 years either way: beyond 1900..2199 the dates are only days */
		lp_date a = lp_date_add_months(d, months);
		int y, m, dd, ay, am, ad;
		lp_date_ymd(d, &y, &m, &dd);
		lp_date_ymd(a, &ay, &am, &ad);
		int idx = y * 12 + m - 1 + months;
		FUZZ_CHECK(ay * 12 + am - 1 == idx);
		FUZZ_CHECK(ad == (dd > ref_dim(ay, am) ? ref_dim(ay, am) : dd));
		return 0;
	}
	char *s = fuzz_str(data, size);
	lp_date d = 0, p = 0;
	int rc = lp_date_parse(s, &d);
	int rp = lp_date_parse_prefix(s, &p);
	int ok = 0;
	if (strlen(s) >= 10 && is_digits(s, 4) && s[4] == '-' && is_digits(s + 5, 2) && s[7] == '-' &&
	    is_digits(s + 8, 2)) {
		int y = atoi(s), m = (s[5] - '0') * 10 + s[6] - '0', dd = (s[8] - '0') * 10 + s[9] - '0';
		ok = y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && dd >= 1 && dd <= ref_dim(y, m);
	}
	FUZZ_CHECK((rp == 0) == ok);
	FUZZ_CHECK((rc == 0) == (ok && strlen(s) == 10));
	if (rp == 0) {
		char buf[11];
		FUZZ_CHECK(!memcmp(lp_date_fmt(p, buf), s, 10));
		check_day(p);
	}
	if (rc == 0)
		FUZZ_CHECK(d == p);
	free(s);
	return 0;
}
