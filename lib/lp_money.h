/* lp_money.h - exact money: int64 cents, decimal strings in and out, stated rounding.
 *
 * Amounts are parsed from decimal text ("4166.67", "-85.4", "3000", "4.16667e3") straight
 * into integer cents; they are written as "-85.40" (always two decimals, '.' separator).
 * There is no floating point anywhere in this module.
 *
 * Rounding rule (the one place it is stated): a quotient is rounded half away from zero
 * to whole cents ("rekenkundig afronden"): 50000.00 / 12 = 4166.666.. -> 4166.67,
 * 0.05 / 12 -> 0.00, 0.06 / 12 = 0.005 -> 0.01, -0.06 / 12 -> -0.01.
 */
#ifndef LP_MONEY_H
#define LP_MONEY_H

#include <jansson.h>
#include <stdint.h>

typedef int64_t lp_cents;

/* Largest magnitude accepted: 10^15 cents (ten trillion euro) keeps every sum we make
 * far from int64 overflow. */
#define LP_MONEY_MAX INT64_C(1000000000000000)

enum lp_dec_err {
	LP_DEC_OK = 0,
	LP_DEC_SYNTAX = -1,    /* not a decimal number */
	LP_DEC_PRECISION = -2, /* more significant decimals than the scale holds */
	LP_DEC_RANGE = -3      /* too large */
};

/* Parse a decimal number (optional sign, digits, optional fraction, optional exponent)
 * into an integer scaled by 10^scale (scale 0..9). Exact or an error, never rounded. */
int lp_dec_parse(const char *s, int scale, int64_t *out);
/* Format v scaled by 10^scale with exactly scale decimals. buf needs 32 bytes. */
char *lp_dec_fmt(int64_t v, int scale, char *buf);

int lp_money_parse(const char *s, lp_cents *out);       /* scale 2 */
/* Accepts a JSON integer (whole units) or a decimal string as produced by lp_json_loadb(). */
int lp_money_from_json(const json_t *v, lp_cents *out);
char *lp_money_fmt(lp_cents c, char buf[32]);
const char *lp_dec_strerror(int err);

/* num / den rounded half away from zero (den != 0). */
int64_t lp_div_round(int64_t num, int64_t den);

#endif
