/* people.c - who a record is about, in words a payroll administrator reads: the person's name
 * with the employee number (or "no employee number") and the Personio id.
 *
 * Names come from whatever the input holds: Personio's person records (extract-personio,
 * validate), map-compensation's loket.employee records and fetch-loket's
 * loket.current.employee records; Personio's name wins (it is the one the sync writes). They
 * are looked up by Personio id, else by employee number. A record of push-loket (loket.result)
 * carries neither name nor Personio id: its op (by op_id) tells the Personio id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_map.h"
#include "report.h"

/* "first prefix last" of the parts that are there (NULL when none is) */
static char *join_name(const char *first, const char *prefix, const char *last)
{
	const char *p[3] = {first, prefix, last};
	size_t n = 1;
	for (int i = 0; i < 3; i++)
		n += p[i] ? strlen(p[i]) + 1 : 0;
	char *s = lp_xmalloc(n), *w = s;
	*w = '\0';
	for (int i = 0; i < 3; i++) {
		const char *q = p[i] ? p[i] + strspn(p[i], " ") : NULL;
		size_t k = q ? strlen(q) : 0;
		while (k && q[k - 1] == ' ')
			k--;
		if (k)
			w += sprintf(w, "%s%.*s", w > s ? " " : "", (int)k, q);
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	text_clean(s); /* one line: a name cannot add a line to the report */
	return s;
}

static void keep(lp_map *m, const char *key, const char *name, int wins)
{
	if (wins || !lp_map_get(m, key, NULL))
		free(lp_map_put(m, key, lp_xstrdup(name))); /* the name it replaces */
}

void names_note(struct client *c, const char *type, const json_t *r)
{
	char *name = NULL;
	int wins = 0;
	if (!strcmp(type, "person")) {
		name = join_name(str(r, "first_name"), str(r, "prefix"), str(r, "last_name"));
		wins = 1;
	} else if (!strcmp(type, "loket.employee") || !strcmp(type, "loket.current.employee")) {
		const json_t *pd = json_object_get(json_object_get(r, "employee"), "personalDetails");
		name = join_name(str(pd, "firstName"), str(pd, "prefix"), str(pd, "lastName"));
	}
	if (!name)
		return;
	if (!c->names)
		c->names = lp_map_new();
	char key[80];
	if (str(r, "personio_id")) {
		snprintf(key, sizeof key, "p:%s", str(r, "personio_id"));
		keep(c->names, key, name, wins);
	}
	if (empno(r) >= 0) {
		snprintf(key, sizeof key, "e:%lld", empno(r));
		keep(c->names, key, name, wins);
	}
	free(name);
}

void names_free(struct client *c)
{
	if (c->names)
		lp_map_free(c->names, free);
}

const json_t *op_of(const struct client *c, const json_t *r)
{
	void *v;
	const char *id = str(r, "op_id");
	if (!str(r, "type") || strcmp(str(r, "type"), "loket.result") || !id || !c->op_ids)
		return r;
	return lp_map_get(c->op_ids, id, &v) ? v : NULL;
}

const char *personio_of(const struct client *c, const json_t *r)
{
	if (str(r, "personio_id"))
		return str(r, "personio_id");
	const json_t *op = op_of(c, r);
	return op && op != r ? str(op, "personio_id") : NULL;
}

const char *name_of(const struct client *c, const char *pid, long long e)
{
	void *v;
	char key[80];
	if (!c->names)
		return NULL;
	if (pid) {
		snprintf(key, sizeof key, "p:%s", pid);
		if (lp_map_get(c->names, key, &v))
			return v;
	}
	if (e >= 0) {
		snprintf(key, sizeof key, "e:%lld", e);
		if (lp_map_get(c->names, key, &v))
			return v;
	}
	return NULL;
}

char *who(const struct client *c, const json_t *r)
{
	const char *pid = personio_of(c, r), *name;
	long long e = empno(r);
	char num_s[48], pid_s[300] = "";
	if (e >= 0)
		snprintf(num_s, sizeof num_s, "employee %lld", e);
	else
		snprintf(num_s, sizeof num_s, "no employee number");
	if (pid)
		snprintf(pid_s, sizeof pid_s, ", Personio %s", pid);
	name = name_of(c, pid, e);
	if (name)
		return lp_xasprintf("%s (%s%s)", name, num_s, pid_s);
	return lp_xasprintf("%s%s", num_s, pid_s);
}

int about_person(const struct client *c, const json_t *r)
{
	return empno(r) >= 0 || personio_of(c, r);
}
