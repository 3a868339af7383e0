/* lp_le_component.c - see lp_le_component.h */
#include "lp_le_component.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_le.h"
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

int lp_le_component_current(json_t *rec, const json_t *c, int year)
{
	json_t *k = json_object_get(c, "key");
	if (!json_is_integer(k))
		return -1;
	json_object_set_new(rec, "year", json_integer(year));
	json_object_set_new(rec, "key", json_deep_copy(k));
	json_object_set_new(rec, "description", lp_le_copy(c, "description"));
	json_object_set_new(rec, "category", lp_le_metadata_of(c, "category"));
	json_object_set_new(rec, "deduction_or_payment", lp_le_metadata_of(c, "deductionOrPayment"));
	json_object_set_new(rec, "can_be_supplemented", json_boolean(json_is_true(json_object_get(c, "canBeSupplemented"))));
	json_object_set_new(rec, "is_collective_mutation_possible",
			    json_boolean(json_is_true(json_object_get(c, "isCollectiveMutationPossible"))));
	return 0;
}

char *lp_le_component_sets(const char *payroll_administration_id)
{
	return lp_xasprintf("/providers/employers/payrolladministrations/%s/availablepayrollcomponentsets",
			    payroll_administration_id);
}

int lp_le_component_set_has(const json_t *set, const json_t *key)
{
	size_t k;
	json_t *m;
	json_array_foreach(json_object_get(set, "payrollComponents"), k, m)
		if (json_equal(json_object_get(json_object_get(m, "payrollComponent"), "key"), key))
			return 1;
	return 0;
}

int lp_le_component_set_covers(const json_t *set, const json_t *catalogue, long long year)
{
	size_t i;
	json_t *c;
	json_array_foreach(catalogue, i, c)
		if (json_integer_value(json_object_get(c, "year")) == year && !lp_le_component_set_has(set, json_object_get(c, "key")))
			return 0;
	return 1;
}
