/* lp_date.h - calendar dates as day numbers, ISO 8601 text, monthly payroll periods.
 *
 * A date is the number of days since 1970-01-01 (proleptic Gregorian), so comparisons and
 * day arithmetic are plain integer operations. Only years 1900..2199 are accepted.
 * "Today" never comes from here implicitly: filters take --as-of (lp_date_today() is only
 * its default).
 */
#ifndef LP_DATE_H
#define LP_DATE_H

#include <stdint.h>

typedef int32_t lp_date;

/* Strict "YYYY-MM-DD" with a real calendar day. 0 ok, -1 not a date. */
int lp_date_parse(const char *s, lp_date *out);
/* Also accepts a date-time "YYYY-MM-DDT..." and keeps the date as written (no zone shift). */
int lp_date_parse_prefix(const char *s, lp_date *out);
/* Writes "YYYY-MM-DD"; buf needs 11 bytes. */
char *lp_date_fmt(lp_date d, char *buf);

lp_date lp_date_from_ymd(int y, int m, int d);
void lp_date_ymd(lp_date d, int *y, int *m, int *day);
int lp_date_days_in_month(int y, int m);
lp_date lp_date_month_start(lp_date d);
lp_date lp_date_month_end(lp_date d);
/* Same day n months later (or earlier), clamped to the end of a shorter month. */
lp_date lp_date_add_months(lp_date d, int n);
/* Today in UTC from the wall clock; only a default for --as-of. */
lp_date lp_date_today(void);
/* Parse --as-of; exits 2 with a message on nonsense. */
lp_date lp_date_opt(const char *opt, const char *val);

/* Monthly payroll period: year and period number 1..12 of the month containing d. */
void lp_period_of(lp_date d, int *year, int *period);
/* First and last day of a monthly period. */
lp_date lp_period_start(int year, int period);
lp_date lp_period_end(int year, int period);

/* "1 Jan 2026" (English month abbreviations), for messages a person reads; buf 16 bytes. */
char *lp_date_human(lp_date d, char *buf);

#endif
