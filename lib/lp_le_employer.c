/* lp_le_employer.c - see lp_le_employer.h */
#include "lp_le_employer.h"
#include "lp_cli.h"
#include "lp_http.h"
#include "lp_json.h"

#include <stdlib.h>

char *lp_le_employer_version(const char *employer_id)
{
	char *f = lp_xasprintf("id eq '%s'", employer_id), *e = lp_http_escape(f);
	char *p = lp_xasprintf("/providers/employers/lastmodifiedversionnumbers?filter=%s", e);
	free(f);
	free(e);
	return p;
}

int lp_le_version_item(const json_t *item, const char **id, json_int_t *version)
{
	const json_t *v = json_object_get(item, "lastModifiedVersionNumber");
	*id = lp_json_str(item, "id");
	if (!*id || !json_is_integer(v))
		return 0;
	*version = json_integer_value(v);
	return 1;
}
