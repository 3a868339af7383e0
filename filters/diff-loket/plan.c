/* plan.c - diff-loket's side of the plan writer (lib/lp_plan.h): its ops named after the
 * employee, its issues and the plan record of a client.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_emit.h"
#include "lp_json.h"
#include "lp_ndjson.h"
#include "lp_plan.h"

void out_new(json_t *r)
{
	if (lp_out_new(r))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}

char *numkey(long long n, char buf[24])
{
	char d[24]; /* "%lld" without printf: a map key of every component and employee looked up */
	size_t k = sizeof d;
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	do
		d[--k] = (char)('0' + u % 10);
	while (u /= 10);
	if (n < 0)
		d[--k] = '-';
	memcpy(buf, d + k, sizeof d - k);
	buf[sizeof d - k] = '\0';
	return buf;
}

const char *where_fmt(char *buf, size_t n, const char *name, unsigned long line)
{
	char digits[24];
	size_t k = sizeof digits;
	do
		digits[--k] = (char)('0' + line % 10);
	while ((line /= 10) && k);
	size_t nl = strlen(name), nd = sizeof digits - k;
	if (nl + 1 + nd + 1 > n)
		nl = n > nd + 2 ? n - nd - 2 : 0; /* as snprintf would cut it, but the line number stays */
	memcpy(buf, name, nl);
	buf[nl] = ':';
	memcpy(buf + nl + 1, digits + k, nd);
	buf[nl + 1 + nd] = '\0';
	return buf;
}

int is_mapped(const struct run *r, long long key)
{
	char nb[24];
	return lp_map_get(r->mapped, numkey(key, nb), NULL);
}

const char *want_pid(const struct want_employee *d)
{
	return d ? d->pid : NULL;
}

const char *want_number(const struct want_employee *d, char buf[24])
{
	return d && d->number >= 0 ? numkey(d->number, buf) : NULL;
}

void issue_put(struct run *r, const char *severity, json_t *issue)
{
	if (!strcmp(severity, "error"))
		r->findings = 1;
	r->issues++;
	out_new(issue);
}

void plan_op(struct run *r, const struct plan_op *o, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const struct want_employee *d = o->d;
	struct lp_plan_op po = {.personio_id = want_pid(d), .employee_number = d && d->number >= 0 ? d->number : -1,
				.rule = o->rule, .entity = o->entity, .action = o->action, .chain = o->chain,
				.method = o->method, .path = o->path, .body = o->body, .before = o->before,
				.after = o->after, .expect = o->expect, .needs_id = o->needs_id};
	out_new(lp_plan_op(&r->plan, &po, msg));
}

void plan_record(struct run *r, int blocked, const char *reason, json_t *created)
{
	json_t *waiting = json_array();
	if (r->cur)
		for (size_t i = 0; i < r->cur->concepts.n; i++) {
			const struct cur_concept *k = &r->cur->concepts.v[i];
			json_array_append_new(waiting, json_pack("{s:s,s:s?,s:o}", "id", k->id, "unique_name", k->name,
								 "employee_number",
								 k->number >= 0 ? json_integer(k->number) : json_null()));
		}
	size_t i;
	json_t *v;
	json_array_foreach(created, i, v) json_array_append(waiting, v);
	out_new(lp_plan_record(&r->plan, blocked, reason, r->issues, waiting));
}
