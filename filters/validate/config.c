/* config.c - the client configurations checked against each other (C1, C2), for every run and
 * for --check-config.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "validate.h"

static void cfg_issue(struct ctx *x, const lp_config *c, const char *rule, const char *field, const char *msg,
		      const char *hint)
{
	void *v = NULL;
	lp_map_get(x->cfg_issues, c->client, &v);
	json_t *i = lp_issue(c->client, "error", rule, NULL, NULL, field, msg, hint);
	lp_issue_source(i, c->path);
	json_array_append_new(v, i);
}

/* The Personio account a configuration reads: its base URL and its credentials file (by
 * device and inode, so any path to one file is the same; its text when it cannot be
 * examined), or "env" when the credentials come from the environment (one environment, one
 * account). Caller frees. */
static char *account_of(const lp_config *c)
{
	struct stat st;
	const char *f = c->personio.credentials_file;
	if (!f)
		return lp_xasprintf("%s\nenv", c->personio.base_url);
	if (stat(f, &st) == 0)
		return lp_xasprintf("%s\nfile %ju:%ju", c->personio.base_url, (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	return lp_xasprintf("%s\npath %s", c->personio.base_url, f);
}

void check_configs(struct ctx *x)
{
	char **acct = lp_xmalloc((x->cfgs.n + 1) * sizeof *acct);
	for (size_t i = 0; i < x->cfgs.n; i++) {
		lp_map_put(x->cfg_issues, x->cfgs.v[i]->client, json_array());
		acct[i] = account_of(x->cfgs.v[i]);
	}
	for (size_t i = 0; i < x->cfgs.n; i++) {
		lp_config *c = x->cfgs.v[i];
		char msg[512];
		if (!c->loket.payroll_administration_id)
			cfg_issue(x, c, "C1", "loket.payroll_administration_id",
				  "the legal entity is not linked to a Loket payroll administration",
				  "set loket.payroll_administration_id in the client configuration");
		if (!c->loket.tax_id)
			cfg_issue(x, c, "C2", "loket.tax_id", "the payroll administration has no tax id (loonheffingennummer)",
				  "set loket.tax_id, e.g. 123456789L01");
		for (size_t j = 0; j < x->cfgs.n; j++) {
			lp_config *o = x->cfgs.v[j];
			if (j == i)
				continue;
			if (c->loket.payroll_administration_id && o->loket.payroll_administration_id &&
			    !strcasecmp(c->loket.payroll_administration_id, o->loket.payroll_administration_id)) { /* a uuid */
				snprintf(msg, sizeof msg, "payroll administration %s is also linked to client %s: one "
					 "legal entity, one administration", c->loket.payroll_administration_id, o->client);
				cfg_issue(x, c, "C1", "loket.payroll_administration_id", msg,
					  "link each Loket payroll administration to one client only");
			}
			if (c->loket.tax_id && o->loket.tax_id && !strcasecmp(c->loket.tax_id, o->loket.tax_id)) {
				snprintf(msg, sizeof msg, "tax id %s is shared with client %s", c->loket.tax_id, o->client);
				cfg_issue(x, c, "C2", "loket.tax_id", msg,
					  "administrations that share a tax id are not supported");
			}
			if (!strcmp(acct[i], acct[j]) && !strcmp(c->personio.legal_entity_id, o->personio.legal_entity_id)) {
				snprintf(msg, sizeof msg, "legal entity %s is also linked by client %s%s",
					 c->personio.legal_entity_id, o->client,
					 c->personio.credentials_file ? "" : " (both read Personio with the credentials from the environment)");
				cfg_issue(x, c, "C1", "personio.legal_entity_id", msg,
					  "link each Personio legal entity to one administration only");
			}
		}
	}
	for (size_t i = 0; i < x->cfgs.n; i++)
		free(acct[i]);
	free(acct);
}

/* --check-config: check_configs' findings (C1, C2), each as its issue record on stdout and one
 * line on stderr naming its file; nothing is read. Exit 4 when there is any. */
int check_config_only(struct ctx *x)
{
	unsigned long n = 0;
	for (size_t i = 0; i < x->cfgs.n; i++) {
		void *v = NULL;
		lp_map_get(x->cfg_issues, x->cfgs.v[i]->client, &v);
		size_t k;
		json_t *is;
		json_array_foreach((json_t *)v, k, is) {
			lp_warn("%s: %s %s: %s (fix: %s)", x->cfgs.v[i]->path, lp_json_str(is, "rule"),
				lp_json_str(is, "field"), lp_json_str(is, "message"), lp_json_str(is, "hint"));
			out(is);
			n++;
		}
	}
	int oc = lp_out_close();
	return oc ? oc : n ? LP_EXIT_CONFIG : LP_EXIT_OK;
}
