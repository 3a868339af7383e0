/* lp_addr.c - see lp_addr.h */
#include "lp_addr.h"

#include <stdio.h>
#include <string.h>

static void put(char *dst, size_t n, const char *s, size_t len)
{
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int isdig(char c) { return c >= '0' && c <= '9'; }
static int issp(char c) { return c == ' ' || c == '\t' || c == ','; }

int lp_addr_split(const char *line, char *street, size_t ns, char *number, size_t nn, char *addition, size_t na)
{
	number[0] = addition[0] = '\0';
	while (issp(*line))
		line++;
	size_t len = strlen(line);
	while (len > 0 && issp(line[len - 1]))
		len--;
	/* find the last token (not the first) that starts with a digit */
	const char *num = NULL;
	for (size_t i = 1; i < len; i++) {
		if (!issp(line[i - 1]) || !isdig(line[i]))
			continue;
		/* "7 / 2", "7 - 2": a number after a separator belongs to the addition */
		size_t j = i - 1;
		while (j > 0 && issp(line[j]))
			j--;
		if (num && (line[j] == '/' || line[j] == '-'))
			continue;
		num = line + i;
	}
	if (!num) {
		put(street, ns, line, len);
		return -1;
	}
	const char *end = line + len;
	const char *d = num;
	while (d < end && isdig(*d))
		d++;
	/* street: everything before num, trimmed */
	size_t sl = (size_t)(num - line);
	while (sl > 0 && issp(line[sl - 1]))
		sl--;
	put(street, ns, line, sl);
	put(number, nn, num, (size_t)(d - num));
	/* addition: the rest, without separators like '-', ' ', '/' at its start */
	while (d < end && (issp(*d) || *d == '-' || *d == '/'))
		d++;
	put(addition, na, d, (size_t)(end - d));
	return 0;
}
