/*
 * emu.c - code shared by the test emulators; see emu.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "emu.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

const char *emu_prog = "emu";

/* ------------------------------------------------------------------ utils */

void emu_oom(void)
{
	fprintf(stderr, "%s: out of memory\n", emu_prog);
	abort();
}

void *emu_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		emu_oom();
	return p;
}

void *emu_xrealloc(void *p, size_t sz)
{
	void *q = realloc(p, sz ? sz : 1);
	if (!q)
		emu_oom();
	return q;
}

char *emu_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		emu_oom();
	return p;
}

void emu_sb_grow(struct emu_sb *b, size_t need)
{
	if (b->len + need + 1 <= b->cap)
		return;
	size_t nc = b->cap ? b->cap : 256;
	while (nc < b->len + need + 1)
		nc *= 2;
	b->p = emu_xrealloc(b->p, nc);
	b->cap = nc;
}

void emu_sb_addn(struct emu_sb *b, const char *s, size_t n)
{
	emu_sb_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void emu_sb_adds(struct emu_sb *b, const char *s) { emu_sb_addn(b, s, strlen(s)); }

void emu_sb_addf(struct emu_sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof tmp) {
		emu_sb_addn(b, tmp, (size_t)n);
	} else if (n > 0) {
		emu_sb_grow(b, (size_t)n);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void emu_sb_reset(struct emu_sb *b) { free(b->p); b->p = NULL; b->len = b->cap = 0; }

/* A json_t as text, always with the project's dump flags. */
char *emu_dump_json(const json_t *j)
{
	char *s = json_dumps(j, EMU_DUMP_FLAGS | JSON_ENCODE_ANY);
	if (!s)
		emu_oom();
	return s;
}

/* json_string that survives invalid UTF-8 (bytes >= 0x80 become '?'). */
json_t *emu_jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (!j) {
		char *c = emu_xstrdup(s);
		for (char *q = c; *q; q++)
			if ((unsigned char)*q >= 0x80)
				*q = '?';
		j = json_string(c);
		free(c);
	}
	return j;
}

void emu_sb_json(struct emu_sb *b, json_t *j)
{
	char *s = emu_dump_json(j);
	emu_sb_adds(b, s);
	free(s);
	json_decref(j);
}

int emu_starts_with(const char *s, const char *pre) { return strncmp(s, pre, strlen(pre)) == 0; }

int emu_strict_ll(const char *s, long long lo, long long hi, long long *out)
{
	if (!s || !*s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	char *e;
	errno = 0;
	long long v = strtoll(s, &e, 10);
	if (errno || *e || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

uint32_t emu_fnv1a(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xffu) * 16777619u; /* field separator */
}

static int g_urandom = -1;

void emu_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];
	if (nbytes > sizeof buf)
		nbytes = sizeof buf;
	size_t got = 0;
	while (got < nbytes) {
		ssize_t n = read(g_urandom, buf + got, nbytes - got);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "%s: cannot read /dev/urandom\n", emu_prog);
			abort();
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < nbytes; i++)
		sprintf(out + 2 * i, "%02x", buf[i]);
	out[2 * nbytes] = '\0';
}

void emu_uuid(char out[37], int v4)
{
	char h[33];
	emu_random_hex(h, 16);
	if (v4) {
		h[12] = '4';
		h[16] = "89ab"[(isdigit((unsigned char)h[16]) ? h[16] - '0' : h[16] - 'a' + 10) & 3];
	}
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* ------------------------------------------------------------------ dates */

int emu_is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int emu_days_in_month(long y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && emu_is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 (H. Hinnant's emu_days_from_civil). */
long emu_days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Strict YYYY-MM-DD with a real calendar day. */
int emu_parse_date(const char *s, long *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	long yy = strtol(s, NULL, 10);
	int mm = (s[5] - '0') * 10 + (s[6] - '0');
	int dd = (s[8] - '0') * 10 + (s[9] - '0');
	if (yy < 1 || mm < 1 || mm > 12 || dd < 1 || dd > emu_days_in_month(yy, mm))
		return -1;
	*y = yy, *m = mm, *d = dd;
	return 0;
}

void emu_civil_from_days(long z, long *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int emu_date_days(const char *s, long *days)
{
	long y;
	int m, d;
	if (emu_parse_date(s, &y, &m, &d))
		return -1;
	*days = emu_days_from_civil(y, m, d);
	return 0;
}

/* ------------------------------------------------------------ fault plan */

void emu_plan_free(struct emu_plan *p)
{
	free(p->always_path);
	free(p->mal_path);
	free(p->scope);
	memset(p, 0, sizeof *p);
}

void emu_plan_default(struct emu_plan *p)
{
	memset(p, 0, sizeof *p);
	strcpy(p->retry_after, "1");
	p->prng = 0x9E3779B97F4A7C15ull;
}

double emu_prng_unit(struct emu_plan *p) /* xorshift64* */
{
	uint64_t x = p->prng;
	x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
	p->prng = x;
	return (double)((x * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

/* Parse a fault plan; 0 on success, else -1 with a message in err. */
int emu_plan_parse(const char *text, size_t len, struct emu_plan *p, char *err, size_t errlen)
{
	json_error_t je;
	emu_plan_default(p);
	json_t *o = json_loadb(text, len, 0, &je);
	if (!o) {
		snprintf(err, errlen, "fault plan: invalid JSON at %d:%d: %s", je.line, je.column, je.text);
		return -1;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "fault plan: expected a JSON object");
		goto bad;
	}
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		long long *cnt = strcmp(k, "429") == 0 ? &p->n429 : strcmp(k, "500") == 0 ? &p->n500
			       : strcmp(k, "drop") == 0 ? &p->ndrop : strcmp(k, "lost") == 0 ? &p->nlost
			       : strcmp(k, "latency_ms") == 0 ? &p->latency_ms
			       : strcmp(k, "after") == 0 ? &p->after : NULL;
		double *rate = strcmp(k, "rate_5xx") == 0 ? &p->r5xx : strcmp(k, "rate_429") == 0 ? &p->r429
			     : strcmp(k, "rate_drop") == 0 ? &p->rdrop : strcmp(k, "rate_lost") == 0 ? &p->rlost : NULL;
		if (cnt) {
			long long max = cnt == &p->latency_ms ? 600000 : 1000000000;
			if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
				snprintf(err, errlen, "fault plan: \"%s\" must be an integer 0..%lld", k, max);
				goto bad;
			}
			*cnt = json_integer_value(v);
		} else if (rate) {
			if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1) {
				snprintf(err, errlen, "fault plan: \"%s\" must be a number 0..1", k);
				goto bad;
			}
			*rate = json_number_value(v);
		} else if (strcmp(k, "scope") == 0) {
			if (!json_is_string(v) || json_string_value(v)[0] != '/') {
				snprintf(err, errlen, "fault plan: \"scope\" must be a path prefix such as \"/v2\"");
				goto bad;
			}
			free(p->scope);
			p->scope = emu_xstrdup(json_string_value(v));
		} else if (strcmp(k, "seed") == 0) {
			if (!json_is_integer(v)) {
				snprintf(err, errlen, "fault plan: \"seed\" must be an integer");
				goto bad;
			}
			uint64_t s = (uint64_t)json_integer_value(v);
			s = (s ^ 0x9E3779B97F4A7C15ull) * 0xBF58476D1CE4E5B9ull;
			p->prng = s ? s : 0x9E3779B97F4A7C15ull;
		} else if (strcmp(k, "retry_after") == 0) {
			if (json_is_integer(v) && json_integer_value(v) >= 0)
				snprintf(p->retry_after, sizeof p->retry_after, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			else if (json_is_string(v) && json_string_length(v) < sizeof p->retry_after &&
				 !strpbrk(json_string_value(v), "\r\n"))
				strcpy(p->retry_after, json_string_value(v));
			else {
				snprintf(err, errlen, "fault plan: \"retry_after\" must be a short string or a non-negative integer");
				goto bad;
			}
		} else if (strcmp(k, "always") == 0) {
			if (json_is_null(v))
				continue;
			const char *path = json_string_value(json_object_get(v, "path"));
			json_t *st = json_object_get(v, "status");
			if (!path || path[0] != '/' || !json_is_integer(st) || json_integer_value(st) < 400 ||
			    json_integer_value(st) > 599 || json_object_size(v) != 2) {
				snprintf(err, errlen, "fault plan: \"always\" must be {\"path\": \"/...\", \"status\": 400..599}");
				goto bad;
			}
			p->always_path = emu_xstrdup(path);
			p->always_status = (int)json_integer_value(st);
		} else if (strcmp(k, "malformed") == 0) {
			if (json_is_null(v))
				continue;
			const char *path = json_string_value(json_object_get(v, "path"));
			const char *kind = json_string_value(json_object_get(v, "kind"));
			static const char *kinds[EMU_MAL__N] = {NULL, "notjson", "truncated", "wrongshape", "status401",
								 "status403", "empty", "html", "notpdf"};
			enum emu_mal_kind mk = EMU_MAL_NONE;
			for (int i = 1; kind && i < EMU_MAL__N; i++)
				if (strcmp(kind, kinds[i]) == 0)
					mk = (enum emu_mal_kind)i;
			if (!path || path[0] != '/' || mk == EMU_MAL_NONE || json_object_size(v) != 2) {
				snprintf(err, errlen, "fault plan: \"malformed\" must be {\"path\": \"/...\", \"kind\": "
					 "\"notjson|truncated|wrongshape|status401|status403|empty|html|notpdf\"}");
				goto bad;
			}
			p->mal_path = emu_xstrdup(path);
			p->mal_kind = mk;
		} else {
			snprintf(err, errlen, "fault plan: unknown key \"%s\"", k);
			goto bad;
		}
	}
	json_decref(o);
	return 0;
bad:
	json_decref(o);
	emu_plan_free(p);
	return -1;
}

void emu_stats_reset(struct emu_stats *st)
{
	for (size_t i = 0; i < st->npaths; i++)
		free(st->paths[i].path);
	st->npaths = 0;
	st->other_paths = st->requests = st->f429 = st->f500 = st->fdrop = st->flost = st->fmal = st->fother = 0;
	memset(st->by_method, 0, sizeof st->by_method);
}

void emu_stats_json(json_t *o, const struct emu_stats *st, const struct emu_plan *p)
{
	json_t *bp = json_object();
	for (size_t i = 0; i < st->npaths; i++)
		json_object_set_new(bp, st->paths[i].path, json_integer((json_int_t)st->paths[i].n));
	if (st->other_paths)
		json_object_set_new(bp, "(other)", json_integer((json_int_t)st->other_paths));
	json_object_set_new(o, "requests", json_integer((json_int_t)st->requests));
	json_object_set_new(o, "by_path", bp);
	static const char *const mn[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "other"};
	json_t *bm = json_object();
	for (int i = 0; i < 6; i++)
		if (st->by_method[i])
			json_object_set_new(bm, mn[i], json_integer((json_int_t)st->by_method[i]));
	json_object_set_new(o, "by_method", bm);
	json_object_set_new(o, "faults",
			    json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "429", (json_int_t)st->f429, "500", (json_int_t)st->f500,
				      "drop", (json_int_t)st->fdrop, "lost", (json_int_t)st->flost, "malformed",
				      (json_int_t)st->fmal, "other", (json_int_t)st->fother));
	json_object_set_new(o, "pending",
			    json_pack("{s:I,s:I,s:I,s:I}", "429", (json_int_t)p->n429, "500", (json_int_t)p->n500, "drop",
				      (json_int_t)p->ndrop, "lost", (json_int_t)p->nlost));
}

static void count_path(struct emu_stats *st, const char *url)
{
	st->requests++;
	for (size_t i = 0; i < st->npaths; i++)
		if (strcmp(st->paths[i].path, url) == 0) {
			st->paths[i].n++;
			return;
		}
	if (st->npaths < EMU_MAX_PATHS) {
		st->paths[st->npaths].path = emu_xstrdup(url);
		st->paths[st->npaths++].n = 1;
	} else {
		st->other_paths++;
	}
}

void emu_decide_fault(pthread_mutex_t *lock, struct emu_plan *p, struct emu_stats *st, const char *method,
		      const char *url, struct emu_fault *f)
{
	static const char *const mn[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	pthread_mutex_lock(lock);
	count_path(st, url);
	int mi = 5;
	for (int i = 0; i < 5; i++)
		if (strcmp(method, mn[i]) == 0)
			mi = i;
	st->by_method[mi]++;
	f->latency_ms = p->latency_ms;
	int status = 0;
	if (p->scope && !emu_starts_with(url, p->scope)) {
		/* outside the plan's scope: no faults (latency still applies) */
	} else if (p->after > 0) {
		p->after--; /* not yet: the counted faults wait */
	} else if (p->n429 > 0) {
		p->n429--, status = 429;
	} else if (p->n500 > 0) {
		p->n500--, status = 500;
	} else if (p->ndrop > 0) {
		p->ndrop--, f->kind = EMU_F_DROP;
	} else if (p->nlost > 0) {
		p->nlost--, f->kind = EMU_F_LOST;
	} else if (p->always_path && emu_starts_with(url, p->always_path)) {
		status = p->always_status;
	} else {
		int drawn5 = 0, drawn4 = 0, drawnd = 0, drawnl = 0;
		if (p->r5xx > 0 || p->r429 > 0 || p->rdrop > 0 || p->rlost > 0) {
			drawn5 = emu_prng_unit(p) < p->r5xx;
			drawn4 = emu_prng_unit(p) < p->r429;
			drawnd = emu_prng_unit(p) < p->rdrop;
			drawnl = emu_prng_unit(p) < p->rlost;
		}
		if (drawn5)
			status = 500;
		else if (drawn4)
			status = 429;
		else if (drawnd)
			f->kind = EMU_F_DROP;
		else if (drawnl)
			f->kind = EMU_F_LOST;
		else if (p->mal_path && emu_starts_with(url, p->mal_path))
			f->kind = EMU_F_MALFORMED, f->mal = p->mal_kind, st->fmal++;
	}
	if (status) {
		f->kind = EMU_F_STATUS;
		f->status = status;
		if (status == 429)
			st->f429++, memcpy(f->retry_after, p->retry_after, sizeof f->retry_after);
		else if (status >= 500)
			st->f500++;
		else
			st->fother++;
	}
	if (f->kind == EMU_F_DROP)
		st->fdrop++;
	if (f->kind == EMU_F_LOST)
		st->flost++;
	pthread_mutex_unlock(lock);
}

/* ------------------------------------------------------- latency */

/* Every connection has its own thread (MHD_USE_THREAD_PER_CONNECTION), so latency is a plain
 * sleep in that thread: other connections are not held up, and nothing depends on
 * suspend/resume wake-ups (which libmicrohttpd 0.9.75 sometimes delivered one event late). */
static void sleep_ms(long long ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- misc */

const char *emu_bearer(struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h)
		return NULL;
	while (*h == ' ')
		h++;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

void emu_fixture_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", emu_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EMU_EXIT_FIXTURES);
}

json_t *emu_load_fixture(const char *path, int secret)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);
	if (!j) {
		if (secret) { /* jansson quotes the offending text: never echo secrets */
			char *near = strstr(err.text, " near ");
			if (near)
				*near = '\0';
		}
		if (err.line > 0)
			emu_fixture_fail("%s:%d:%d: %s", path, err.line, err.column, err.text);
		emu_fixture_fail("%s: %s", path, err.text);
	}
	return j;
}


/* ------------------------------------------------------------- replies */

const char *emu_status_title(int st)
{
	switch (st) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

int emu_malform_body(enum emu_mal_kind k, const char *wrongshape, struct emu_sb *body, unsigned *status,
		     const char **ctype)
{
	switch (k) {
	case EMU_MAL_NOTJSON:
		emu_sb_reset(body);
		emu_sb_adds(body, "<html>oops</html>");
		*status = 200, *ctype = "text/html";
		return 0;
	case EMU_MAL_TRUNCATED:
		body->len /= 2;
		if (body->p)
			body->p[body->len] = '\0';
		*status = 200;
		return 0;
	case EMU_MAL_WRONGSHAPE:
		emu_sb_reset(body);
		emu_sb_adds(body, wrongshape);
		*status = 200, *ctype = "application/json";
		return 0;
	case EMU_MAL_EMPTY: /* the content type stays what the answer would have had */
		emu_sb_reset(body);
		*status = 200;
		return 0;
	case EMU_MAL_HTML: /* a proxy's or a portal's error page instead of the answer */
		emu_sb_reset(body);
		emu_sb_adds(body, "<!DOCTYPE html>\n<html lang=\"nl\"><head><title>Storing</title></head>\n"
				  "<body><h1>Er is een fout opgetreden</h1><p>Probeer het later opnieuw.</p></body></html>\n");
		*status = 200, *ctype = "text/html; charset=utf-8";
		return 0;
	case EMU_MAL_NOTPDF: /* labelled a PDF, but the bytes are not one (no %PDF- at the start) */
		emu_sb_reset(body);
		emu_sb_adds(body, "PK\003\004 this is not a PDF document\n");
		*status = 200, *ctype = "application/pdf";
		return 0;
	default:
		return -1;
	}
}

struct MHD_Response *emu_response(struct emu_sb *body, const char *ctype)
{
	if (!body->p)
		emu_sb_addn(body, "", 0);
	struct MHD_Response *resp = MHD_create_response_from_buffer(body->len, body->p, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		emu_sb_reset(body);
		return NULL;
	}
	body->p = NULL; /* owned by MHD now */
	body->len = body->cap = 0;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype ? ctype : "application/json");
	return resp;
}

enum MHD_Result emu_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ret = MHD_queue_response(c, status ? status : 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

int emu_hold(struct MHD_Connection *c, const struct emu_fault *f, int *delayed)
{
	(void)c;
	if (f->latency_ms > 0 && !*delayed) {
		*delayed = 1;
		sleep_ms(f->latency_ms);
	}
	return f->kind == EMU_F_DROP ? -1 : 0;
}

/* ------------------------------------------------------------ start-up */

/* The flags every emulator takes. */
struct emu_opts {
	const char *fixtures, *port_file, *faults;
	long long port, threads, watch_pid;
};

static void (*g_usage)(FILE *);

void emu_bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "%s: %s%s%s\n", emu_prog, msg, arg ? ": " : "", arg ? arg : "");
	if (g_usage)
		g_usage(stderr);
	exit(EMU_EXIT_USAGE);
}

static void emu_parse_args(int argc, char **argv, void (*usage)(FILE *), int (*extra)(const char *name, const char *v),
			   const char *env, struct emu_opts *o, struct emu_plan *plan)
{
	g_usage = usage;
	memset(o, 0, sizeof *o);
	o->threads = 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		const char *eq = strchr(a, '=');
		char name[32];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", emu_prog, EMU_VERSION);
			exit(0);
		}
		if (!emu_starts_with(a, "--"))
			emu_bad_usage("unexpected argument", a);
		if (eq && (size_t)(eq - a) < sizeof name) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			v = eq + 1;
		} else {
			snprintf(name, sizeof name, "%s", a);
			if (i + 1 < argc)
				v = argv[++i];
		}
		if (!v)
			emu_bad_usage("missing value for", name);
		if (strcmp(name, "--fixtures") == 0)
			o->fixtures = v;
		else if (strcmp(name, "--port-file") == 0)
			o->port_file = v;
		else if (strcmp(name, "--faults") == 0)
			o->faults = v;
		else if (strcmp(name, "--port") == 0) {
			if (emu_strict_ll(v, 0, 65535, &o->port))
				emu_bad_usage("--port must be 0..65535", v);
		} else if (strcmp(name, "--threads") == 0) { /* accepted for old scripts: a thread per connection now */
			if (emu_strict_ll(v, 1, 256, &o->threads))
				emu_bad_usage("--threads must be 1..256", v);
		} else if (strcmp(name, "--watch-pid") == 0) {
			if (emu_strict_ll(v, 1, INT_MAX, &o->watch_pid))
				emu_bad_usage("--watch-pid must be a process id", v);
		} else if (!extra || extra(name, v))
			emu_bad_usage("unknown option", name);
	}
	if (!o->fixtures || !*o->fixtures)
		emu_bad_usage("--fixtures DIR is required", NULL);
	if (!o->faults)
		o->faults = getenv(env);
	emu_plan_default(plan);
	if (o->faults && *o->faults) {
		char err[256];
		if (emu_plan_parse(o->faults, strlen(o->faults), plan, err, sizeof err))
			emu_bad_usage(err, NULL);
	}
}

static sigset_t g_sigs;

static int emu_start(void)
{
	g_urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (g_urandom < 0) {
		fprintf(stderr, "%s: /dev/urandom: %s\n", emu_prog, strerror(errno));
		return -1;
	}

	/* Signals are taken synchronously by main; every other thread inherits the mask. */
	sigemptyset(&g_sigs);
	sigaddset(&g_sigs, SIGINT);
	sigaddset(&g_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &g_sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	return 0;
}

__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (strstr(msg, "Application reported internal error"))
		return; /* our own "drop" fault */
	fprintf(stderr, "%s: mhd: %s%s", emu_prog, msg, strchr(msg, '\n') ? "" : "\n");
}

static void (*g_free_req)(void *);

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	if (*con_cls)
		g_free_req(*con_cls);
	*con_cls = NULL;
}

static struct MHD_Daemon *emu_listen(const struct emu_opts *o, MHD_AccessHandlerCallback on_request, unsigned *port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)o->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem opts[] = {
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* must come first */
		{MHD_OPTION_SOCK_ADDR, 0, &sin},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, 120, NULL},
		{MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(flags, (uint16_t)o->port, NULL, NULL, on_request, NULL, MHD_OPTION_ARRAY,
						opts, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "%s: cannot listen on 127.0.0.1:%lld\n", emu_prog, o->port);
		return NULL;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info ? info->port : (unsigned)o->port;
	return d;
}

static int emu_announce(const char *path, unsigned port)
{
	if (path) {
		size_t n = strlen(path) + 32;
		char *tmp = emu_xcalloc(1, n);
		snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
		FILE *f = fopen(tmp, "w");
		int ok = f && fprintf(f, "%u\n", port) > 0;
		if (f && fclose(f))
			ok = 0;
		if (ok && rename(tmp, path))
			ok = 0;
		if (!ok) {
			fprintf(stderr, "%s: cannot write port file %s: %s\n", emu_prog, path, strerror(errno));
			unlink(tmp);
		}
		free(tmp);
		if (!ok)
			return -1;
	}
	printf("listening on 127.0.0.1:%u\n", port);
	fflush(stdout);
	return 0;
}

static void emu_wait(long long watch_pid)
{
	for (;;) {
		struct timespec tick = {0, 200 * 1000000L};
		int s = sigtimedwait(&g_sigs, NULL, &tick);
		if (s == SIGINT || s == SIGTERM)
			break;
		if (watch_pid > 0 && kill((pid_t)watch_pid, 0) < 0 && errno == ESRCH)
			break;
	}
}

static void emu_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}

static void emu_finish(void)
{
	close(g_urandom);
	g_urandom = -1;
}

int emu_main(int argc, char **argv, const struct emu_app *app)
{
	struct emu_opts o;
	emu_prog = app->name;
	g_free_req = app->free_req;
	emu_parse_args(argc, argv, app->usage, app->option, app->faults_env, &o, app->plan);

	app->load(o.fixtures);

	if (emu_start())
		return 1;

	if (app->on_port)
		app->on_port((unsigned)o.port);
	unsigned port = 0;
	struct MHD_Daemon *d = emu_listen(&o, app->on_request, &port);
	int rc = 0;
	if (!d) {
		rc = 1;
	} else {
		if (app->on_port)
			app->on_port(port);
		if (emu_announce(o.port_file, port))
			rc = 1;
		else
			emu_wait(o.watch_pid);
	}

	emu_stop(d);
	app->cleanup();
	emu_finish();
	return rc;
}
