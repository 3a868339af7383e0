/* lp_scope.c - E1: the one place that says whether a person is in scope. */
#include <stdio.h>
#include <string.h>

#include "lp_rec.h"
#include "lp_scope.h"

const char *lp_scope_why_not(const lp_config *c, const json_t *person, const char *where, char *buf, size_t n)
{
	const char *le = lp_rec_str(person, "legal_entity_id", 1, where);
	const char *st = lp_rec_str(person, "status", 1, where);
	int nl = lp_rec_bool(person, "consider_nl_payroll", 1, where);
	if (!le || strcmp(le, c->personio.legal_entity_id)) {
		snprintf(buf, n, "legal entity %s is not linked to this Loket administration (only %s is)",
			 le ? le : "(none)", c->personio.legal_entity_id);
		return buf;
	}
	if (!st || strcmp(st, "active")) {
		snprintf(buf, n, "status is %s; only Active employees are synced", st ? st : "(none)");
		return buf;
	}
	if (nl != 1) {
		snprintf(buf, n, "%s", nl == 0 ? "Consider in NL payroll is No" : "Consider in NL payroll is not set");
		return buf;
	}
	return NULL;
}
