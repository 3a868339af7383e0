/* lp_range.c - see lp_range.h */
#include "lp_range.h"

#include <stdio.h>
#include <string.h>

const char *lp_range_wage(lp_cents v, int hourly, char *buf, size_t n)
{
	char a[32], lo[32], hi[32];
	lp_money_fmt(v, a);
	lp_money_fmt(LP_RANGE_WAGE_MIN, lo);
	if (v <= 0)
		snprintf(buf, n, "%s is not more than 0: Loket takes a gross wage of 0.01 to %s", a,
			 lp_money_fmt(LP_RANGE_WAGE_MAX, hi));
	else if (v < LP_RANGE_WAGE_MIN)
		snprintf(buf, n, "%s is less than %s: Loket refuses it for a new employee (1 to 1000000) and it is no "
			 "full-time wage", a, lo);
	else if (hourly && v > LP_RANGE_HOURLY_MAX)
		snprintf(buf, n, "%s is more than %s an hour, no payroll rate (a monthly or yearly amount entered as "
			 "hourly?)", a, lp_money_fmt(LP_RANGE_HOURLY_MAX, hi));
	else if (v > LP_RANGE_WAGE_MAX)
		snprintf(buf, n, "%s is more than the %s Loket takes as a gross wage", a, lp_money_fmt(LP_RANGE_WAGE_MAX, hi));
	else
		return NULL;
	return buf;
}

const char *lp_range_benefit(lp_cents v, char *buf, size_t n)
{
	char a[32], lo[32], hi[32];
	lp_cents m = v < 0 ? -v : v; /* |v| <= LP_MONEY_MAX: no overflow */
	if (m >= LP_RANGE_BENEFIT_MIN && m <= LP_RANGE_BENEFIT_MAX)
		return NULL;
	lp_money_fmt(LP_RANGE_BENEFIT_MIN, lo);
	lp_money_fmt(LP_RANGE_BENEFIT_MAX, hi);
	if (!m)
		snprintf(buf, n, "0.00 is no amount: Loket takes a benefit or deduction of %s to %s", lo, hi);
	else
		snprintf(buf, n, "%s is more than the %s Loket takes as a benefit or deduction%s", lp_money_fmt(v, a), hi,
			 v < 0 ? " (in absolute value)" : "");
	return buf;
}

const char *lp_range_salary(const char *cid, lp_cents amount, const char *interval, char *buf, size_t n)
{
	int hourly = !strcmp(interval, "hourly"), yearly = !strcmp(interval, "yearly");
	lp_cents v = yearly ? lp_div_round(amount, 12) : amount;
	char why[200], a[32], m[32];
	if (!lp_range_wage(v, hourly, why, sizeof why))
		return NULL;
	if (yearly)
		snprintf(buf, n, "salary %s of %s a year is %s a month (/ 12): %s", cid, lp_money_fmt(amount, a),
			 lp_money_fmt(v, m), why);
	else
		snprintf(buf, n, "salary %s of %s %s: %s", cid, lp_money_fmt(amount, a), hourly ? "an hour" : "a month", why);
	return buf;
}

const char *lp_range_recurring(const char *cid, const char *type, lp_cents amount, char *buf, size_t n)
{
	char why[200], a[32];
	if (!lp_range_benefit(amount, why, sizeof why))
		return NULL;
	snprintf(buf, n, "recurring compensation %s%s%s%s of %s a month: %s", cid, type ? " (" : "", type ? type : "",
		 type ? ")" : "", lp_money_fmt(amount, a), why);
	return buf;
}
