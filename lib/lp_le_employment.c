/* lp_le_employment.c - see lp_le_employment.h */
#include "lp_le_employment.h"
#include "lp_cli.h"

char *lp_le_employment_list(const char *employer_id)
{
	return lp_xasprintf("/providers/employers/%s/employees/employments", employer_id);
}
