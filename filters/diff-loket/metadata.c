/* metadata.c - Loket's metadata and payroll component catalogue: loaded from the current
 * state (loket.current.metadata, loket.current.payroll_component), and the keys of the
 * desired state's metadata fields (gender, country, grossWageType) looked up in it, never
 * guessed (LX2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_le_wage.h"
#include "lp_loket.h"
#include "lp_rec.h"

/* "resource/field", the field's last dotted part in lower case (Loket's field names). */
static void meta_key(char *buf, size_t n, const char *resource, const char *field)
{
	const char *dot = strrchr(field, '.');
	snprintf(buf, n, "%s/%s", resource, dot ? dot + 1 : field);
	char *q = strchr(buf, '/');
	for (; q && *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
}

/* The resource's own list, else any resource's (generic metadata such as gender and country
 * "are the same for every object", the spec says). */
const json_t *meta_options(const struct cur *c, const char *resource, const char *field)
{
	char k[160], tail[140];
	meta_key(k, sizeof k, resource, field);
	json_t *v = json_object_get(c->meta, k);
	if (v)
		return v;
	meta_key(tail, sizeof tail, "", field); /* "/field" */
	const char *mk;
	json_object_foreach(c->meta, mk, v) {
		size_t lk = strlen(mk), lt = strlen(tail);
		if (lk > lt && !strcmp(mk + lk - lt, tail))
			return v;
	}
	return NULL;
}

void load_metadata(struct cur *c, json_t *r, const char *w)
{
	const char *res = lp_rec_str(r, "resource", 0, w), *field = lp_rec_str(r, "field", 0, w);
	json_t *opts = json_object_get(r, "options");
	size_t i;
	json_t *o;
	if (!json_is_array(opts))
		lp_die_at(LP_EXIT_DATA, w, "options", "expected an array of {key, value}");
	json_array_foreach(opts, i, o) if (!json_is_object(o) || !json_object_get(o, "key"))
		lp_die_at(LP_EXIT_DATA, w, "options", "option %zu: expected an object with a key", i + 1);
	char k[160];
	meta_key(k, sizeof k, res, field);
	json_object_set(c->meta, k, opts);
}

void load_component(struct cur *c, json_t *r, const char *w)
{
	struct cur_component *x = LP_VEC_PUSH(&c->comps);
	x->year = (int)lp_rec_int(r, "year", 0, w);
	x->key = lp_rec_int(r, "key", 0, w);
	x->desc = cur_keep(c, lp_rec_str(r, "description", 1, w));
	json_t *dp = json_object_get(r, "deduction_or_payment");
	x->label = json_is_null(dp) ? NULL : cur_keep(c, lp_rec_str(r, "deduction_or_payment.value", 1, w));
	x->kind = lp_le_component_kind(x->label);
	char k[48];
	snprintf(k, sizeof k, "%d", x->year);
	lp_map_add(c->comp_years, k);
	if (x->year > c->comp_max_year)
		c->comp_max_year = x->year;
	snprintf(k, sizeof k, "%d/%lld", x->year, x->key);
	if (lp_map_put(c->comp_by, k, (void *)c->comps.n))
		lp_die_at(LP_EXIT_DATA, w, "key", "payroll component %lld twice in the catalogue of %d", x->key, x->year);
}

const struct cur_component *cur_component(const struct cur *c, int year, long long key)
{
	char k[48];
	void *v;
	snprintf(k, sizeof k, "%d/%lld", year, key);
	return lp_map_get(c->comp_by, k, &v) ? &c->comps.v[(size_t)v - 1] : NULL;
}

int cur_has_year(const struct cur *c, int year)
{
	char k[48];
	snprintf(k, sizeof k, "%d", year);
	return lp_map_get(c->comp_years, k, NULL);
}

/* A current wage's type is compared by kind: Loket's key read through its metadata. */
void read_wage_kinds(struct cur *c)
{
	const json_t *wt = meta_options(c, "wage", LP_LE_WAGE_TYPE_FIELD);
	for (size_t i = 0; i < c->wages.n; i++)
		c->wages.v[i].type = lp_le_wage_kind_of_key(wt, c->wages.v[i].type);
}

/* ---- metadata keys: from Loket's metadata in the current state, never guessed */

long long loket_wage_key(const struct cur *c, int kind)
{
	return kind == LP_LE_WAGE_PERIODIC || kind == LP_LE_WAGE_HOURLY ? c->wage_key_of[kind] : -1;
}

void set_wage_keys(struct cur *c)
{
	lp_le_wage_keys(meta_options(c, "wage", LP_LE_WAGE_TYPE_FIELD), c->wage_key_of);
}

/* LX2: every desired wage of the employee has a key in Loket's wage metadata; else an error
 * and none of the employee's wages is changed (Loket keeps them). */
int wage_keys_ok(struct run *r, const struct want_employee *d)
{
	char lb[200];
	for (size_t i = 0; i < d->w.n; i++) {
		if (loket_wage_key(r->cur, d->w.v[i].type) >= 0)
			continue;
		issue(r, d, "error", "LX2", "gross_wage_type",
		      "check Loket's wage metadata (grossWageType): the labels loketpipe knows are in lib/lp_loket.c",
		      "Employee %lld: Loket's wage metadata has no single grossWageType option for a%s wage (options: %s), "
		      "and the key is never guessed: no wage of this employee is sent", d->number,
		      d->w.v[i].type == LP_LE_WAGE_HOURLY ? "n hourly" : " periodic",
		      lp_loket_option_labels(meta_options(r->cur, "wage", LP_LE_WAGE_TYPE_FIELD), lb, sizeof lb));
		return 0;
	}
	return 1;
}

/* Each metadata object of o that names its option ({value} or {isoCode}, no key) becomes
 * {key} from Loket's metadata for resource; one Loket has no single option for is removed (a
 * missing field is not compared, so Loket keeps its value) with an LX2 warning. */
static void resolve_into(struct run *r, const struct want_employee *d, json_t *o, const char *resource,
			 const char *prefix)
{
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(o, tmp, k, v) {
		char path[256], lb[200];
		snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
		if (!json_is_object(v))
			continue;
		if (!lp_loket_names_option(v)) {
			resolve_into(r, d, v, resource, path);
			continue;
		}
		const json_t *opts = meta_options(r->cur, resource, k);
		json_t *key = NULL;
		int found = opts ? lp_loket_option_key(opts, v, &key) : 0;
		if (found == 1) {
			json_object_set_new(o, k, lp_loket_key_object(key));
			continue;
		}
		const char *name = lp_loket_option_label(v);
		issue(r, d, "warning", "LX2", path, "correct the value in Personio (a country as its ISO code, e.g. NL), or set it in Loket by hand",
		      "Employee %lld: %s '%s' has %s in Loket's %s metadata (options: %s), and the key is never guessed: "
		      "left as it is in Loket", d->number, path, name ? name : "?", found < 0 ? "more than one option" : "no option",
		      k, lp_loket_option_labels(opts, lb, sizeof lb));
		json_object_del(o, k);
	}
}

json_t *with_keys(struct run *r, const struct want_employee *d, const json_t *employee, const char *resource)
{
	json_t *o = json_deep_copy(employee);
	resolve_into(r, d, o, resource, "");
	return o;
}

json_t *with_keys_in(struct run *r, const struct want_employee *d, json_t *employee, const char *resource)
{
	resolve_into(r, d, employee, resource, "");
	return json_incref(employee);
}
