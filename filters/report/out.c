/* out.c - the report's output: every text masked (BSNs, IBANs) and, in HTML, escaped; the
 * markup, which text leaves out; the HTML page around the report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_nlid.h"
#include "report.h"

int html;

/* s escaped in HTML, masked (mask) or not */
static void put_m(const char *s, int mask)
{
	if (!s)
		s = "-";
	char *m = lp_xmalloc(strlen(s) + 1);
	if (mask)
		lp_nlid_mask_text(s, m);
	else
		strcpy(m, s);
	if (!html)
		fputs(m, stdout);
	else
		for (const char *p = m; *p; p++) {
			switch (*p) {
			case '<': fputs("&lt;", stdout); break;
			case '>': fputs("&gt;", stdout); break;
			case '&': fputs("&amp;", stdout); break;
			case '"': fputs("&quot;", stdout); break;
			default: putchar(*p);
			}
		}
	free(m);
}

void put(const char *s)
{
	put_m(s, 1);
}

void put_plain(const char *s)
{
	put_m(s, 0);
}

void putf(const char *fmt, ...)
{
	char b[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	put(b);
}

/* raw markup (HTML only) */
void tag(const char *s)
{
	if (html)
		fputs(s, stdout);
}

void heading(int level, const char *text)
{
	if (html) {
		printf("<h%d>", level);
		put(text);
		printf("</h%d>\n", level);
	} else {
		printf("\n");
		put(text);
		printf("\n");
		for (size_t i = strlen(text); i > 0; i--)
			putchar(level == 1 ? '=' : '-');
		printf("\n");
	}
}

const char *num(long long v)
{
	static char b[4][24];
	static int k;
	k = (k + 1) % 4;
	snprintf(b[k], sizeof b[k], "%lld", v);
	return b[k];
}

const char *str(const json_t *r, const char *k)
{
	return lp_json_text(json_object_get(r, k));
}

/* the HTML page around the report: its head, with the title and the style (text has none) */
void page_begin(const char *title)
{
	if (!html)
		return;
	printf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	put(title);
	printf("</title>\n<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
	       "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
	       ".failed{color:#a00}.skipped{color:#a60}.applied{color:#060}"
	       ".incomplete{border:2px solid #a00;padding:0 1em;margin:1em 0}</style></head><body>\n");
}

void page_end(void)
{
	if (html)
		printf("</body></html>\n");
}
