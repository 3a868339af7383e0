/* lp_loket_version.c - the resource version a request to Loket names, by path (lp_loket.h). */
#include <string.h>

#include "lp_loket.h"

/* 1 when the n bytes at s are an id: a UUID (8-4-4-4-12 hex digits) or a plan's placeholder
 * for one ("{conceptEmployeeId}"). */
static int is_id(const char *s, size_t n)
{
	if (n >= 2 && s[0] == '{' && s[n - 1] == '}')
		return 1;
	if (n != 36)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	}
	return 1;
}

/* 1 when path (from "/providers/", without its query) is the template t, where "*" is an id. */
static int match(const char *path, size_t len, const char *t)
{
	const char *p = path, *end = path + len;
	while (*t) {
		if (p >= end || *p != '/' || *t != '/')
			return 0;
		p++, t++;
		const char *ps = p, *ts = t;
		while (p < end && *p != '/')
			p++;
		while (*t && *t != '/')
			t++;
		size_t pn = (size_t)(p - ps), tn = (size_t)(t - ts);
		if (tn == 1 && *ts == '*' ? !is_id(ps, pn) : pn != tn || memcmp(ps, ts, pn) != 0)
			return 0;
	}
	return p == end;
}

/* The resources whose version is not LP_LOKET_VERSION: the spec declares them (their answers
 * and bodies) for these versions only, and Loket serves the latest version on or before the
 * one asked for ([SPEC-intro] "Versioning"), so 2018-01-01 would ask for none. The versions
 * are the oldest the spec has: the shapes loketpipe reads and writes. */
static const struct {
	const char *path;
	const char *accept, *content_type;
} VERSIONED[] = {
	/* the employee: 2018-12-31 (2021-03-29 adds the business e-mail and phone numbers) */
	{"/providers/employers/*/employees", "Accept: application/json;version=2018-12-31",
	 "Content-Type: application/json;version=2018-12-31"},
	{"/providers/employers/employees/*", "Accept: application/json;version=2018-12-31",
	 "Content-Type: application/json;version=2018-12-31"},
	/* the employer's employments (GetEmploymentsByEmployerId) and the comprehensive list */
	{"/providers/employers/*/employees/employments", "Accept: application/json;version=2019-12-16",
	 "Content-Type: application/json;version=2019-12-16"},
	{"/providers/employers/*/employees/employments/comprehensive", "Accept: application/json;version=2019-12-16",
	 "Content-Type: application/json;version=2019-12-16"},
};

static int find(const char *target)
{
	const char *p = target ? strstr(target, "/providers/") : NULL;
	if (!p)
		return -1;
	size_t len = strcspn(p, "?#");
	for (size_t i = 0; i < sizeof VERSIONED / sizeof VERSIONED[0]; i++)
		if (match(p, len, VERSIONED[i].path))
			return (int)i;
	return -1;
}

const char *lp_loket_accept(const char *target)
{
	int i = find(target);
	return i < 0 ? LP_LOKET_ACCEPT : VERSIONED[i].accept;
}

const char *lp_loket_content_type(const char *target)
{
	int i = find(target);
	return i < 0 ? LP_LOKET_CONTENT_TYPE : VERSIONED[i].content_type;
}
