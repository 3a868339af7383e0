/* lp_date.c - see lp_date.h. Day-number conversions after H. Hinnant's civil algorithms. */
#include "lp_date.h"
#include "lp_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

lp_date lp_date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (lp_date)(era * 146097 + (int)doe - 719468);
}

void lp_date_ymd(lp_date z0, int *y, int *m, int *d)
{
	int z = z0 + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int yy = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yy + (*m <= 2);
}

int lp_date_days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int lp_date_parse_prefix(const char *s, lp_date *out)
{
	int y, m, d;
	if (!s || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -1;
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > lp_date_days_in_month(y, m))
		return -1;
	*out = lp_date_from_ymd(y, m, d);
	return 0;
}

int lp_date_parse(const char *s, lp_date *out)
{
	if (lp_date_parse_prefix(s, out))
		return -1;
	return s[10] == '\0' ? 0 : -1;
}

char *lp_date_fmt(lp_date dt, char *buf)
{
	int y, m, d;
	lp_date_ymd(dt, &y, &m, &d);
	snprintf(buf, 11, "%04d-%02d-%02d", y, m, d);
	return buf;
}

lp_date lp_date_month_start(lp_date dt)
{
	int y, m, d;
	lp_date_ymd(dt, &y, &m, &d);
	return lp_date_from_ymd(y, m, 1);
}

lp_date lp_date_month_end(lp_date dt)
{
	int y, m, d;
	lp_date_ymd(dt, &y, &m, &d);
	return lp_date_from_ymd(y, m, lp_date_days_in_month(y, m));
}

lp_date lp_date_add_months(lp_date dt, int n)
{
	int y, m, d;
	lp_date_ymd(dt, &y, &m, &d);
	int idx = y * 12 + (m - 1) + n;
	y = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
	m = idx - y * 12 + 1;
	int dim = lp_date_days_in_month(y, m);
	return lp_date_from_ymd(y, m, d > dim ? dim : d);
}

lp_date lp_date_today(void)
{
	return (lp_date)(time(NULL) / 86400);
}

lp_date lp_date_opt(const char *opt, const char *val)
{
	lp_date d;
	if (lp_date_parse(val, &d))
		lp_usage_die(NULL, "%s: expected a date YYYY-MM-DD, got '%s'", opt, val);
	return d;
}

void lp_period_of(lp_date dt, int *year, int *period)
{
	int d;
	lp_date_ymd(dt, year, period, &d);
}

lp_date lp_period_start(int year, int period)
{
	return lp_date_from_ymd(year, period, 1);
}

lp_date lp_period_end(int year, int period)
{
	return lp_date_from_ymd(year, period, lp_date_days_in_month(year, period));
}

char *lp_date_human(lp_date dt, char *buf)
{
	static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	int y, m, d;
	lp_date_ymd(dt, &y, &m, &d);
	snprintf(buf, 16, "%d %s %d", d, mon[m - 1], y);
	return buf;
}
