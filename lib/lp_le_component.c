/* lp_le_component.c - see lp_le_component.h */
#include "lp_le_component.h"
#include "lp_cli.h"
#include "lp_loket.h"

char *lp_le_component_catalogue(const char *payroll_administration_id, int year)
{
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/payrollcomponents/year/%d",
			    payroll_administration_id, year);
}

enum lp_component_kind lp_le_component_kind(const char *label)
{
	return lp_loket_label_eq(label, "Betaling")    ? LP_COMPONENT_PAYMENT
	       : lp_loket_label_eq(label, "Inhouding") ? LP_COMPONENT_DEDUCTION
						       : LP_COMPONENT_NEITHER;
}
