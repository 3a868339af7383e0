/* lp_le.c - see lp_le.h */
#include "lp_le.h"
#include "lp_json.h"
#include "lp_le_benefit.h"
#include "lp_le_concept.h"
#include "lp_le_ppd.h"
#include "lp_le_wage.h"
#include "lp_rec.h"

#include <string.h>

json_t *lp_le_money_num(lp_cents c)
{
	char b[32];
	return lp_json_dec(lp_money_fmt(c, b));
}

json_t *lp_le_money_str(lp_cents c)
{
	char b[32];
	return json_string(lp_money_fmt(c, b));
}

json_t *lp_le_date_str(lp_date d)
{
	char b[16];
	return json_string(lp_date_fmt(d, b));
}

json_t *lp_le_bsn_body(const char *bsn)
{
	return json_pack("{s:s}", "citizenServiceNumber", bsn);
}

int lp_le_same_record(const char *entity, const json_t *body, const json_t *item)
{
	static const struct {
		const char *entity;
		const char *const *(*identity)(void);
	} ids[] = {
		{"wage", lp_le_wage_identity},
		{"benefit_deduction", lp_le_benefit_identity},
		{"concept_employee", lp_le_concept_identity},
		{"variable_input", lp_le_ppd_identity},
	};
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		if (strcmp(ids[i].entity, entity))
			continue;
		for (const char *const *f = ids[i].identity(); *f; f++) {
			const json_t *x = lp_rec_get(body, *f), *y = lp_rec_get(item, *f);
			if (!x || !y || !json_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 0;
}
