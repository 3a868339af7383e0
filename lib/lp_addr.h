/* lp_addr.h - splitting a Dutch address line into street, house number and addition.
 *
 * "Keizersgracht 123-A" -> Keizersgracht / 123 / A; "Laan van Meerdervoort 1234 bis" ->
 * Laan van Meerdervoort / 1234 / bis; "2e Jan Steenstraat 5 hs" -> 2e Jan Steenstraat / 5 / hs;
 * "Plein 1944 12" -> Plein 1944 / 12; "Dorpsstraat 7 / 2" -> Dorpsstraat / 7 / 2. The house
 * number is the last token that starts with a digit (after the first token, and not right
 * after a '/' or '-'); what follows it, and letters glued to it, are the addition.
 */
#ifndef LP_ADDR_H
#define LP_ADDR_H

#include <stddef.h>

/* Returns 0 when a house number was found; the outputs are NUL-terminated (truncated
 * to their sizes). On -1 the whole line is in street. */
int lp_addr_split(const char *line, char *street, size_t ns, char *number, size_t nn, char *addition, size_t na);

#endif
