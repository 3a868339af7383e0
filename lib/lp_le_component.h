/* lp_le_component.h - Loket's payroll component catalogue (per payroll administration and
 * year): its path and what a component does with its value.
 */
#ifndef LP_LE_COMPONENT_H
#define LP_LE_COMPONENT_H

#include <jansson.h>

/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/payrollcomponents/year/{year}":
 * the catalogue of one year (GET, paged). */
char *lp_le_component_catalogue(const char *payroll_administration_id, int year);

/* "/providers/employers/payrolladministrations/{payrollAdministrationId}/availablepayrollcomponentsets":
 * the administration's payroll component sets (GET; no paging declared), each {id,
 * payrollComponents[{payrollComponent: {key, ...}}], isDefault...}. */
char *lp_le_component_sets(const char *payroll_administration_id);
/* 1 when the set (an item of lp_le_component_sets) holds every key of the components of the
 * catalogue (loket.current.payroll_component records) of year. */
int lp_le_component_set_covers(const json_t *set, const json_t *catalogue, long long year);
/* 1 when the set holds the component with this key (a JSON integer). */
int lp_le_component_set_has(const json_t *set, const json_t *key);

/* What a payroll component does with its value, from the label of its deductionOrPayment:
 * "Inhouding" deducts, "Betaling" pays (the spec's example is {"key": 2, "value":
 * "Betaling"}; the deduction label is UNCONFIRMED; synonyms as lp_loket_label_eq's). NULL or
 * another label: neither (the spec: "In case the component is neither a deduction or a
 * payment, NULL is returned"). */
enum lp_component_kind { LP_COMPONENT_NEITHER = 0, LP_COMPONENT_PAYMENT = 1, LP_COMPONENT_DEDUCTION = 2 };
enum lp_component_kind lp_le_component_kind(const char *deduction_or_payment_label);

/* The loket.current.payroll_component fields of a component of the catalogue of year (an
 * item of lp_le_component_catalogue), set into rec: year, key, description, category and
 * deduction_or_payment ({key, value}), can_be_supplemented, is_collective_mutation_possible.
 * -1 when it has no key. */
int lp_le_component_current(json_t *rec, const json_t *item, int year);

#endif
