/* out.c - the report's output: every text masked (BSNs, IBANs; lib/lp_mask), its control
 * characters shown as <U+XXXX>, and in HTML escaped; the
 * markup, which text leaves out; the HTML page around the report.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_json.h"
#include "lp_mask.h"
#include "report.h"

int html;

/* s escaped in HTML, masked (mask) or not */
static void put_m(const char *s, int mask)
{
	/* the report's own layout has line feeds; every other control character is shown */
	if ((mask ? lp_mask_write : lp_text_write)(stdout, s ? s : "-", html, 1))
		lp_die(LP_EXIT_IO, "out of memory");
}

void text_clean(char *s)
{
	char *w = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*w++ = ' ';
		else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
			*w++ = ' ';
			p += 2;
		} else
			*w++ = (char)*p;
	}
	*w = '\0';
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

static void vpara(int indent, int rest, const char *lead, const char *fmt, va_list ap)
{
	char b[4096];
	vsnprintf(b, sizeof b, fmt, ap);
	if (html) {
		put(lead);
		put(b);
		return;
	}
	/* masked first, as a whole: a BSN written with spaces cannot escape the mask by being
	 * wrapped over two lines. Then the words onto lines of at most 78 columns (a word longer
	 * than a line gets one of its own); columns are counted in bytes, never fewer than the
	 * characters */
	char *m = lp_mask_text(b);
	if (!m)
		lp_die(LP_EXIT_IO, "out of memory");
	char *w = m, *line = lp_xmalloc(strlen(m) + 2);
	size_t used = 0, pre = strlen(lead);
	while (*w) {
		while (*w == ' ')
			w++;
		if (!*w)
			break;
		size_t k = strcspn(w, " ");
		if (used && (size_t)indent + pre + used + 1 + k > 78) {
			line[used] = '\0';
			printf("%*s", indent, "");
			put_plain(lead);
			put_plain(line);
			printf("\n");
			used = 0;
			indent = rest;
			lead = "";
			pre = 0;
		}
		if (used)
			line[used++] = ' ';
		memcpy(line + used, w, k);
		used += k;
		w += k;
	}
	if (used) {
		line[used] = '\0';
		printf("%*s", indent, "");
		put_plain(lead);
		put_plain(line);
		printf("\n");
	}
	free(line);
	free(m);
}

void para(int indent, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpara(indent, indent, "", fmt, ap);
	va_end(ap);
}

void para_hang(int indent, int rest, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpara(indent, rest, "", fmt, ap);
	va_end(ap);
}

void para_lead(int indent, int rest, const char *lead, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vpara(indent, rest, lead, fmt, ap);
	va_end(ap);
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
	       ".incomplete{border:2px solid #a00;padding:0 1em;margin:1em 0}"
	       ".destroyed{border:2px solid #a00;padding:0 1em;margin:1em 0}"
	       "tr.person th{background:#eee}td.num{text-align:right;font-variant-numeric:tabular-nums}"
	       "@page{size:A4;margin:15mm}"
	       "@media print{body{max-width:none;margin:0;font-size:10pt}table{width:100%%}"
	       "td,th{overflow-wrap:anywhere}tr,li{break-inside:avoid}h2{break-after:avoid}"
	       "section.client+section.client{break-before:page}}</style></head><body>\n");
}

void page_end(void)
{
	if (html)
		printf("</body></html>\n");
}
