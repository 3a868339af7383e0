/* lp_mask.c - see lp_mask.h for the rule. The text is decoded into code points once; three
 * passes mark what is never touched (paths, uuids, hashes), what is an IBAN and what is a
 * BSN; then the text is written again with every marked character as '*'. */
#include "lp_mask.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD 0xFFFFFFFFu /* a byte that is not UTF-8 */

struct txt {
	uint32_t *cp;
	size_t *off;
	unsigned char *len;
	unsigned char *mark; /* M_* */
	size_t n;
};

enum { M_NONE = 0, M_KEEP = 1, M_TAKEN = 2, M_STAR = 4 };

/* one code point of s (strict UTF-8: no overlong forms, surrogates or values past U+10FFFF) */
static size_t dec1(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80)
		return *cp = c, 1;
	size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
	if (!n || (c >= 0xF5))
		return *cp = BAD, 1;
	uint32_t v = c & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return *cp = BAD, 1;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
		return *cp = BAD, 1;
	return *cp = v, n;
}

static int decode(const char *in, struct txt *t)
{
	size_t bytes = strlen(in);
	memset(t, 0, sizeof *t);
	t->cp = malloc((bytes + 1) * sizeof *t->cp);
	t->off = malloc((bytes + 1) * sizeof *t->off);
	t->len = malloc(bytes + 1);
	t->mark = calloc(bytes + 1, 1);
	if (!t->cp || !t->off || !t->len || !t->mark)
		return -1;
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; i < bytes;) {
		size_t l = dec1(s + i, &t->cp[t->n]);
		t->off[t->n] = i;
		t->len[t->n] = (unsigned char)l;
		t->n++;
		i += l;
	}
	return 0;
}

static void txt_free(struct txt *t)
{
	free(t->cp);
	free(t->off);
	free(t->len);
	free(t->mark);
}

/* ---- classes */

static int digit_of(uint32_t c)
{
	static const uint32_t zero[] = {'0', 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0E50, 0xFF10};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (c >= zero[i] && c <= zero[i] + 9)
			return (int)(c - zero[i]);
	if (c >= 0x1D7CE && c <= 0x1D7FF) /* mathematical bold, double-struck, sans-serif, monospace */
		return (int)((c - 0x1D7CE) % 10);
	return -1;
}

static int is_letter(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
}

static int is_alnum(uint32_t c) { return is_letter(c) || digit_of(c) >= 0; }

static int is_hex(uint32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static int is_ctrl(uint32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x200E || c == 0x200F ||
	       c == 0x061C || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == BAD;
}

/* characters nobody sees: they join digits however many there are */
static int is_invisible(uint32_t c)
{
	return is_ctrl(c) || (c >= 0x200B && c <= 0x200D) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF || c == 0x00AD ||
	       c == 0x180E;
}

/* one of these joins two groups of digits */
static int is_vsep(uint32_t c)
{
	return c == ' ' || c == '.' || c == '-' || c == 0x00A0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
	       c == 0x205F || c == 0x3000 || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFF0D || c == 0xFF0E;
}

/* the visible separator a dot or dash counts as, for dates and amounts */
static uint32_t sep_norm(uint32_t c)
{
	if (c == 0xFF0E)
		return '.';
	if (c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFF0D)
		return '-';
	return c;
}

static int usable(const struct txt *t, size_t i) { return i < t->n && !(t->mark[i] & (M_KEEP | M_TAKEN)); }

/* From i (just after a group): the end of a separator that joins the next group (invisible
 * characters, at most one visible one), its visible character in *vis (0: none); i itself when
 * nothing joins. */
static size_t skip_sep(const struct txt *t, size_t i, uint32_t *vis)
{
	size_t j = i;
	int seen = 0;
	*vis = 0;
	while (j < t->n && usable(t, j)) {
		if (is_invisible(t->cp[j]))
			j++;
		else if (!seen && is_vsep(t->cp[j])) {
			*vis = sep_norm(t->cp[j]);
			seen = 1;
			j++;
		} else
			break;
	}
	return j;
}

/* ---- pass 1: paths, URLs, uuids and hashes are never touched */

static int is_space_cp(uint32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x00A0; }

static int word_is_path(const struct txt *t, size_t a, size_t b)
{
	while (a < b && (t->cp[a] == '\'' || t->cp[a] == '"' || t->cp[a] == '(' || t->cp[a] == '<' || t->cp[a] == '['))
		a++;
	if (a >= b)
		return 0;
	uint32_t c0 = t->cp[a], c1 = a + 1 < b ? t->cp[a + 1] : 0, c2 = a + 2 < b ? t->cp[a + 2] : 0;
	if (c0 == '/' || (c0 == '~' && c1 == '/') || (c0 == '.' && c1 == '/') || (c0 == '.' && c1 == '.' && c2 == '/'))
		return 1;
	int slash = 0, letter = 0;
	for (size_t i = a; i < b; i++) {
		slash |= t->cp[i] == '/';
		letter |= is_letter(t->cp[i]);
	}
	return slash && letter; /* "out/20261115/plan.ndjson", "https://host/x" */
}

static void protect(struct txt *t)
{
	for (size_t i = 0; i < t->n;) { /* words */
		if (is_space_cp(t->cp[i])) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < t->n && !is_space_cp(t->cp[j]))
			j++;
		if (word_is_path(t, i, j))
			for (size_t k = i; k < j; k++)
				t->mark[k] |= M_KEEP;
		i = j;
	}
	for (size_t i = 0; i + 12 <= t->n; i++) { /* a loonheffingennummer: 9 digits, L, 2 digits */
		size_t k = 0;
		while (k < 9 && t->cp[i + k] >= '0' && t->cp[i + k] <= '9')
			k++;
		int l = t->cp[i + 9] == 'L' || t->cp[i + 9] == 'l';
		int dd = t->cp[i + 10] >= '0' && t->cp[i + 10] <= '9' && t->cp[i + 11] >= '0' && t->cp[i + 11] <= '9';
		if (k == 9 && l && dd && (!i || !is_alnum(t->cp[i - 1])) && (i + 12 == t->n || !is_alnum(t->cp[i + 12])))
			for (k = 0; k < 12; k++)
				t->mark[i + k] |= M_KEEP;
	}
	for (size_t i = 0; i < t->n; i++) { /* uuids and hashes */
		if (!is_hex(t->cp[i]) || (i && is_alnum(t->cp[i - 1])))
			continue;
		static const int len[] = {8, 4, 4, 4, 12};
		size_t j = i;
		int ok = 1;
		for (int g = 0; g < 5 && ok; g++) {
			for (int k = 0; k < len[g]; k++, j++)
				if (j >= t->n || !is_hex(t->cp[j]))
					ok = 0;
			if (ok && g < 4 && (j >= t->n || t->cp[j++] != '-'))
				ok = 0;
		}
		if (ok && (j >= t->n || !is_alnum(t->cp[j]))) {
			for (size_t k = i; k < j; k++)
				t->mark[k] |= M_KEEP;
			i = j - 1;
			continue;
		}
		j = i;
		while (j < t->n && is_hex(t->cp[j]))
			j++;
		size_t l = j - i;
		if ((l == 32 || l == 40 || l == 64) && (j >= t->n || !is_alnum(t->cp[j])))
			for (size_t k = i; k < j; k++)
				t->mark[k] |= M_KEEP;
		i = j - 1;
	}
}

/* ---- pass 2: IBANs */

static void iban_at(struct txt *t, size_t i)
{
	if (!(usable(t, i) && usable(t, i + 1) && usable(t, i + 2) && usable(t, i + 3) && is_letter(t->cp[i]) &&
	      is_letter(t->cp[i + 1]) && digit_of(t->cp[i + 2]) >= 0 && digit_of(t->cp[i + 3]) >= 0))
		return;
	if (i && is_alnum(t->cp[i - 1]))
		return;
	size_t j = i + 4, end = 0, bban = 0, digits = 0;
	for (int g = 0;; g++) {
		uint32_t vis;
		size_t s = skip_sep(t, j, &vis);
		size_t k = s, gl = 0, gd = 0;
		while (usable(t, k) && is_alnum(t->cp[k])) {
			gd += digit_of(t->cp[k]) >= 0;
			gl++;
			k++;
		}
		if (!gl || (g > 0 && !gd) || bban + gl > 30)
			break;
		bban += gl;
		digits += gd;
		end = j = k;
	}
	if (bban < 10 || digits < 6)
		return;
	size_t total = 4 + bban, seen = 0;
	for (size_t k = i; k < end; k++) {
		t->mark[k] |= M_TAKEN;
		if (!is_alnum(t->cp[k]))
			continue;
		if (seen >= 4 && seen < total - 4)
			t->mark[k] |= M_STAR;
		seen++;
	}
}

/* ---- pass 3: BSNs */

struct group {
	size_t a, b;  /* code points [a, b) */
	int nd;       /* digits */
	long val;     /* its value (groups up to 9 digits) */
	uint32_t sep; /* the visible separator joining it to the group before; 0 none */
	int joined;   /* joined to the group before */
	int glued;    /* a letter right before or after it */
	int bytes;    /* followed by " bytes" (a size) or ",dd" (an amount): kept when alone */
};

static void star_last_kept(struct txt *t, const struct group *g, size_t from, size_t to)
{
	int total = 0;
	for (size_t k = from; k <= to; k++)
		total += g[k].nd;
	int seen = 0;
	for (size_t k = from; k <= to; k++)
		for (size_t c = g[k].a; c < g[k].b; c++)
			if (seen++ < total - 4)
				t->mark[c] |= M_STAR;
}

static void judge(struct txt *t, const struct group *g, size_t from, size_t to)
{
	if (from > to || (from == to && g[to].bytes))
		return; /* a size, "31457281 bytes", or an amount, "12345678,90" */
	int total = 0;
	for (size_t k = from; k <= to; k++)
		total += g[k].nd;
	if (total >= 8 && total <= 10) {
		star_last_kept(t, g, from, to);
		return;
	}
	/* longer: every stretch of whole groups from each group on with 8..10 digits (a BSN next to
	 * another number, or two BSNs) */
	for (size_t k = from; k <= to; k++) {
		int sum = 0;
		size_t e = k;
		while (e <= to && sum + g[e].nd <= 10)
			sum += g[e++].nd;
		if (sum >= 8)
			star_last_kept(t, g, k, e - 1);
	}
}

/* date-shaped: month up to 19, day up to 39 (a date with a typo, 2026-02-30 or 2025-12-32,
 * stays readable in the message that refuses it) */
static int real_date(long y, long m, long d)
{
	(void)y;
	return m <= 19 && d <= 39;
}

/* the groups from k on that are a date (3) or a year range (2) in this run (up to to); 0 none */
static int date_at(const struct group *g, size_t k, size_t to)
{
	if (k + 2 <= to && g[k + 1].sep == g[k + 2].sep) {
		const struct group *a = &g[k], *b = &g[k + 1], *c = &g[k + 2];
		if ((a->nd == 4 || a->nd == 5) && b->nd == 2 && c->nd == 2 && b->sep == '-' && real_date(a->val, b->val, c->val))
			return 3;
		if (a->nd <= 2 && b->nd <= 2 && c->nd == 4 && (b->sep == '-' || b->sep == '.') &&
		    real_date(c->val, b->val, a->val))
			return 3;
	}
	if (k + 1 <= to && g[k].nd == 4 && g[k + 1].nd == 4 && (g[k + 1].sep == '-' || g[k + 1].sep == ' ') &&
	    g[k].val >= 1900 && g[k].val <= 2199 && g[k + 1].val >= 1900 && g[k + 1].val <= 2199)
		return 2;
	return 0;
}

static void run_of(struct txt *t, const struct group *g, size_t from, size_t to)
{
	size_t sub = from;
	for (size_t k = from; k <= to;) {
		int n = date_at(g, k, to);
		if (!n && k + 1 == to && g[to].nd == 2 && g[to].sep == '.')
			n = 2; /* an amount ends the run */
		if (n) {
			if (k > sub)
				judge(t, g, sub, k - 1);
			k += (size_t)n;
			sub = k;
		} else
			k++;
	}
	if (sub <= to)
		judge(t, g, sub, to);
}

static int bsns(struct txt *t)
{
	struct group *g = malloc((t->n + 1) * sizeof *g);
	if (!g)
		return -1;
	size_t ng = 0;
	for (size_t i = 0; i < t->n;) {
		if (!usable(t, i) || digit_of(t->cp[i]) < 0) {
			i++;
			continue;
		}
		struct group x = {i, i, 0, 0, 0, 0, 0, 0};
		while (usable(t, x.b) && digit_of(t->cp[x.b]) >= 0) {
			if (x.nd < 9)
				x.val = x.val * 10 + digit_of(t->cp[x.b]);
			x.nd++;
			x.b++;
		}
		/* glued to a letter ("r101", "EM101"): part of a name or key, it joins no other group */
		x.glued = (x.a && is_letter(t->cp[x.a - 1])) || (x.b < t->n && is_letter(t->cp[x.b]));
		if (ng && !x.glued && !g[ng - 1].glued) { /* joined to the group before: only a separator between */
			struct group *p = &g[ng - 1];
			uint32_t vis;
			size_t e = skip_sep(t, p->b, &vis);
			if (e == x.a && e > p->b) {
				x.joined = 1;
				x.sep = vis;
			}
		}
		static const char unit[] = " bytes";
		size_t u = 0;
		while (u < 6 && x.b + u < t->n && t->cp[x.b + u] == (uint32_t)unit[u])
			u++;
		x.bytes = u >= 5 && (x.b + u >= t->n || !is_letter(t->cp[x.b + u])); /* " byte" or " bytes" */
		/* "12345678,90": an amount written with a decimal comma */
		if (x.b + 3 <= t->n && t->cp[x.b] == ',' && digit_of(t->cp[x.b + 1]) >= 0 && digit_of(t->cp[x.b + 2]) >= 0 &&
		    (x.b + 3 == t->n || digit_of(t->cp[x.b + 3]) < 0))
			x.bytes = 1;
		g[ng++] = x;
		i = x.b;
	}
	/* a run: groups joined by one kind of visible separator (invisible ones join any) */
	for (size_t k = 0; k < ng;) {
		size_t e = k;
		uint32_t kind = 0;
		while (e + 1 < ng && g[e + 1].joined && (!kind || !g[e + 1].sep || g[e + 1].sep == kind)) {
			if (g[e + 1].sep)
				kind = g[e + 1].sep;
			e++;
		}
		run_of(t, g, k, e);
		k = e + 1;
	}
	free(g);
	return 0;
}

char *lp_mask_text(const char *in)
{
	struct txt t;
	if (decode(in, &t)) {
		txt_free(&t);
		return NULL;
	}
	protect(&t);
	for (size_t i = 0; i < t.n; i++)
		iban_at(&t, i);
	char *out = bsns(&t) ? NULL : malloc(strlen(in) + 1), *o = out; /* out of memory: nothing, never unmasked */
	if (out) {
		for (size_t i = 0; i < t.n; i++) {
			if (t.mark[i] & M_STAR)
				*o++ = '*';
			else {
				memcpy(o, in + t.off[i], t.len[i]);
				o += t.len[i];
			}
		}
		*o = '\0';
	}
	txt_free(&t);
	return out;
}

char *lp_text_escape(const char *in, int keep_nl)
{
	size_t n = strlen(in), cap = n + 1, o = 0;
	char *out = malloc(cap);
	const unsigned char *s = (const unsigned char *)in;
	for (size_t i = 0; out && i < n;) {
		uint32_t c;
		size_t l = dec1(s + i, &c);
		char esc[16];
		const char *add = in + i;
		size_t al = l;
		if (is_ctrl(c) && !(keep_nl && (c == '\n' || c == '\t'))) {
			if (c == BAD)
				snprintf(esc, sizeof esc, "<0x%02X>", s[i]);
			else
				snprintf(esc, sizeof esc, "<U+%04X>", (unsigned)c);
			add = esc;
			al = strlen(esc);
		}
		if (o + al + 1 > cap) {
			cap = (o + al + 1) * 2;
			char *p = realloc(out, cap);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
		}
		memcpy(out + o, add, al);
		o += al;
		i += l;
	}
	if (out)
		out[o] = '\0';
	return out;
}

char *lp_mask_human(const char *in, int keep_nl)
{
	char *m = lp_mask_text(in);
	if (!m)
		return NULL;
	char *e = lp_text_escape(m, keep_nl);
	free(m);
	return e;
}

static int write_shown(FILE *f, const char *s, int mask, int html, int keep_nl)
{
	static const char *const ent[256] = {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
					     ['\''] = "&#39;"};
	if (!s)
		return 0;
	char *m = mask ? lp_mask_human(s, keep_nl) : lp_text_escape(s, keep_nl);
	if (!m)
		return -1;
	for (const unsigned char *p = (const unsigned char *)m; *p; p++) {
		if (html && ent[*p])
			fputs(ent[*p], f);
		else
			putc(*p, f);
	}
	free(m);
	return 0;
}

int lp_mask_write(FILE *f, const char *s, int html, int keep_nl) { return write_shown(f, s, 1, html, keep_nl); }

int lp_text_write(FILE *f, const char *s, int html, int keep_nl) { return write_shown(f, s, 0, html, keep_nl); }

long lp_text_ctrl(const char *s, unsigned long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; u[i];) {
		uint32_t c;
		size_t l = dec1(u + i, &c);
		if (is_ctrl(c)) {
			*cp = c;
			return (long)i;
		}
		i += l;
	}
	return -1;
}

const char *lp_text_ctrl_name(unsigned long cp, char *buf, size_t n)
{
	static const char *const c0[32] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "TAB", "LF",
					   "VT",  "FF",  "CR",  "SO",  "SI",  "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
					   "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};
	const char *what = cp < 32 ? c0[cp] : cp == 0x7F ? "DEL" : cp <= 0x9F ? "C1 control" : cp == 0x2028 ? "line separator"
			   : cp == 0x2029 ? "paragraph separator" : "bidi control";
	if (cp == BAD)
		snprintf(buf, n, "a byte that is not UTF-8");
	else
		snprintf(buf, n, "U+%04lX (%s)", cp, what);
	return buf;
}
