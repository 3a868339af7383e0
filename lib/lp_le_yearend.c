/* lp_le_yearend.c - see lp_le_yearend.h */
#include "lp_le_yearend.h"
#include "lp_cli.h"
#include "lp_le.h"

#include <stdio.h>

char *lp_le_yearend_list(const char *employment_id)
{
	return lp_xasprintf("/providers/employers/employees/employments/%s/yearendstatements", employment_id);
}

char *lp_le_yearend_pdf(const char *employment_id, int year)
{
	if (!lp_le_uuid_ok(employment_id) || year < 1900 || year > 2199)
		return NULL;
	return lp_xasprintf("/providers/employers/employees/employments/%s/yearendstatements/%d", employment_id, year);
}

int lp_le_yearend_read(const json_t *item, int *year, char *err, size_t n)
{
	json_t *y = json_object_get(item, "year");
	if (!json_is_integer(y) || json_integer_value(y) < 1900 || json_integer_value(y) > 2199) {
		snprintf(err, n, "year: expected a year");
		return -1;
	}
	*year = (int)json_integer_value(y);
	return 0;
}
