/* lp_http.c - see lp_http.h */
#include "lp_http.h"
#include "lp_cli.h"
#include "lp_map.h"
#include "lp_secret.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (256UL * 1024 * 1024)

/* What one transfer collects: the body and a Retry-After (shared by the blocking client and
 * the multi engine). */
struct xfer {
	char *body;
	size_t len, cap;
	int too_big;
	long retry_after_ms;
	char etag[128];
	char ctype[128];
	char disposition[512];
	int want_authz; /* LP_HTTP_AUTHZ */
	char *authz;    /* the response's Authorization: Bearer token, when wanted */
	int sends;     /* times libcurl put this request on a connection (its own resends included) */
	int no_resend; /* a second send is refused (requests that must not be repeated blindly) */
	int refused;   /* ... and it was */
};

struct lp_http {
	CURL *curl;
	char *proxy;       /* the configured proxy, only when the base URL is https; else NULL */
	char *base;        /* without trailing slash */
	char *origin;      /* scheme://host[:port] */
	lp_http_opts o;
	unsigned long requests;
	unsigned rng;
	char err[512];
	struct xfer x;     /* the blocking client's transfer */
	lp_http_gate_fn gate;
	void *gate_ctx;
};

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long x = strtol(v, &end, 10);
	return (*end || x < 0) ? dflt : x;
}

static int is_loopback(const char *host)
{
	if (!strcasecmp(host, "localhost") || !strcmp(host, "[::1]") || !strcmp(host, "::1"))
		return 1;
	return strncmp(host, "127.", 4) == 0 && strspn(host, "0123456789.") == strlen(host);
}

/* Split the base URL with libcurl's own parser so that what we check is what curl uses. */
static int set_base(lp_http *h, const char *url, char *err, size_t n)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *query = NULL;
	int rc = -1;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		snprintf(err, n, "base URL '%s' is not a URL", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_USER, &user, 0);
	curl_url_get(u, CURLUPART_QUERY, &query, 0);
	if (user || query) {
		snprintf(err, n, "base URL must not carry credentials or a query string");
		goto out;
	}
	if (!scheme || !host) {
		snprintf(err, n, "base URL '%s' has no scheme or host", url);
		goto out;
	}
	if (strcmp(scheme, "https") != 0) {
		if (strcmp(scheme, "http") != 0) {
			snprintf(err, n, "base URL scheme '%s' is not supported", scheme);
			goto out;
		}
		if (!is_loopback(host)) {
			snprintf(err, n, "refusing plain http to %s: only https, or http to a loopback emulator", host);
			goto out;
		}
	}
	if (h->o.proxy && !strcmp(scheme, "https"))
		h->proxy = lp_xstrdup(h->o.proxy);
	h->origin = port ? lp_xasprintf("%s://%s:%s", scheme, host, port) : lp_xasprintf("%s://%s", scheme, host);
	h->base = lp_xstrdup(url);
	size_t bl = strlen(h->base);
	while (bl > 0 && h->base[bl - 1] == '/')
		h->base[--bl] = '\0';
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(user);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

/* A proxy URL: scheme http, https, socks5 or socks5h, a host, no credentials, no path. */
static int check_proxy(const char *url, char *err, size_t n)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL, *path = NULL, *query = NULL;
	int rc = -1;
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		snprintf(err, n, "proxy: not a URL (http://HOST:PORT)");
	else {
		curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
		curl_url_get(u, CURLUPART_HOST, &host, 0);
		curl_url_get(u, CURLUPART_USER, &user, 0);
		curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		if (user || pw)
			snprintf(err, n, "proxy: must not carry credentials (a configuration file is no place for a secret)");
		else if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https") && strcmp(scheme, "socks5") &&
				     strcmp(scheme, "socks5h")))
			snprintf(err, n, "proxy '%s': the scheme must be http, https, socks5 or socks5h", url);
		else if (!host || !*host || (path && strcmp(path, "/")) || query)
			snprintf(err, n, "proxy '%s': expected SCHEME://HOST[:PORT] and nothing more", url);
		else
			rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return rc;
}

lp_http *lp_http_new(const lp_http_opts *o, char *err, size_t n)
{
	static int global_done;
	if (!global_done) {
		/* libcurl (OpenSSL) would write every TLS session's keys to this file: whoever
		 * reads it can decrypt the tokens and secrets of a captured session */
		if (getenv("SSLKEYLOGFILE")) {
			lp_warn("SSLKEYLOGFILE is set: ignored (loketpipe never writes TLS session keys)");
			unsetenv("SSLKEYLOGFILE");
		}
		curl_global_init_mem(CURL_GLOBAL_DEFAULT, lp_secret_malloc, lp_secret_wipe_free, lp_secret_wipe_realloc,
				     lp_secret_strdup, lp_secret_calloc);
		global_done = 1;
	}
	if (o->proxy && check_proxy(o->proxy, err, n))
		return NULL;
	lp_http *h = lp_xmalloc(sizeof *h);
	memset(h, 0, sizeof *h);
	h->o = *o;
	if (!h->o.connect_timeout_ms) h->o.connect_timeout_ms = 10000;
	if (!h->o.timeout_ms) h->o.timeout_ms = env_long("LOKETPIPE_HTTP_TIMEOUT_MS", 60000);
	if (!h->o.max_attempts) h->o.max_attempts = (int)env_long("LOKETPIPE_HTTP_ATTEMPTS", 6);
	if (h->o.max_attempts < 1) h->o.max_attempts = 1;
	if (!h->o.backoff_base_ms) h->o.backoff_base_ms = env_long("LOKETPIPE_HTTP_BACKOFF_MS", 500);
	if (!h->o.backoff_max_ms) h->o.backoff_max_ms = 30000;
	if (!h->o.retry_after_max_ms) h->o.retry_after_max_ms = env_long("LOKETPIPE_HTTP_RETRY_AFTER_MAX_MS", 120000);
	h->rng = (unsigned)time(NULL) ^ (unsigned)getpid() * 2654435761u;
	if (h->o.replay_dir)
		return h; /* no network at all */
	if (!o->base_url || set_base(h, o->base_url, err, n)) {
		if (!o->base_url)
			snprintf(err, n, "no base URL");
		free(h->origin);
		free(h->base);
		free(h);
		return NULL;
	}
	h->curl = curl_easy_init();
	if (!h->curl)
		lp_die(LP_EXIT_IO, "cannot initialise libcurl");
	return h;
}

void lp_http_free(lp_http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->proxy);
	free(h->base);
	free(h->origin);
	lp_secret_wipe_free(h->x.body);
	lp_secret_free(h->x.authz);
	free(h);
}

int lp_http_replaying(const lp_http *h) { return h->o.replay_dir != NULL; }
unsigned long lp_http_requests(const lp_http *h) { return h->requests; }
const char *lp_http_error(const lp_http *h) { return h->err; }

void lp_http_resp_free(lp_http_resp *r)
{
	lp_secret_wipe_free(r->body);
	r->body = NULL;
	r->len = 0;
	lp_secret_free(r->authz);
	r->authz = NULL;
}

const char *lp_http_base(const lp_http *h) { return h->base; }

void lp_http_set_gate(lp_http *h, lp_http_gate_fn fn, void *ctx)
{
	h->gate = fn;
	h->gate_ctx = ctx;
}

/* The path and query of a target: what follows the origin of an absolute URL. */
static const char *path_and_query(const char *target)
{
	const char *s = strstr(target, "://");
	if (!s)
		return target;
	const char *p = strchr(s + 3, '/');
	return p ? p : "/";
}

const char *lp_http_path(const char *target, char *buf, size_t n)
{
	const char *p = path_and_query(target);
	size_t l = strcspn(p, "?#");
	if (l >= n)
		l = n - 1;
	memcpy(buf, p, l);
	buf[l] = '\0';
	return buf;
}

char *lp_http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t l = strlen(s);
	char *o = lp_xmalloc(l * 3 + 1), *q = o;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~')
			*q++ = (char)*p;
		else {
			*q++ = '%';
			*q++ = hex[*p >> 4];
			*q++ = hex[*p & 15];
		}
	}
	*q = '\0';
	return o;
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *h = ud;
	size_t n = size * nmemb;
	if (h->len + n + 1 > MAX_BODY) {
		h->too_big = 1;
		return 0;
	}
	if (h->len + n + 1 > h->cap) {
		size_t nc = h->cap ? h->cap : 16384;
		while (nc < h->len + n + 1)
			nc *= 2;
		h->body = lp_xrealloc(h->body, nc);
		h->cap = nc;
	}
	memcpy(h->body + h->len, ptr, n);
	h->len += n;
	h->body[h->len] = '\0';
	return n;
}

/* The value of header line buf (n bytes) when it is header name (with its ':'), trimmed, into
 * out (cut to size). */
static void header_val(const char *buf, size_t n, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(buf, name, nl) != 0)
		return;
	size_t l = n - nl;
	const char *v = buf + nl;
	while (l && (*v == ' ' || *v == '\t'))
		v++, l--;
	while (l && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
		l--;
	if (l >= size)
		l = size - 1;
	memcpy(out, v, l);
	out[l] = '\0';
}

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *h = ud;
	size_t n = size * nitems;
	header_val(buf, n, "Content-Type:", h->ctype, sizeof h->ctype);
	header_val(buf, n, "Content-Disposition:", h->disposition, sizeof h->disposition);
	if (n > 5 && strncasecmp(buf, "ETag:", 5) == 0) {
		size_t l = n - 5;
		const char *v = buf + 5;
		while (l && (*v == ' ' || *v == '\t'))
			v++, l--;
		while (l && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
			l--;
		if (l < sizeof h->etag) {
			memcpy(h->etag, v, l);
			h->etag[l] = '\0';
		}
	}
	if (h->want_authz && n > 21 && strncasecmp(buf, "Authorization: Bearer ", 22) == 0) {
		size_t l = n - 22;
		while (l && (buf[22 + l - 1] == '\r' || buf[22 + l - 1] == '\n' || buf[22 + l - 1] == ' '))
			l--;
		lp_secret_free(h->authz);
		h->authz = lp_xmalloc(l + 1);
		memcpy(h->authz, buf + 22, l);
		h->authz[l] = '\0';
	}
	if (n > 12 && strncasecmp(buf, "Retry-After:", 12) == 0) {
		char v[128];
		size_t l = n - 12;
		if (l >= sizeof v)
			l = sizeof v - 1;
		memcpy(v, buf + 12, l);
		v[l] = '\0';
		char *p = v + strspn(v, " \t");
		p[strcspn(p, "\r\n")] = '\0';
		char *end;
		long secs = strtol(p, &end, 10);
		if (end != p && *end == '\0' && secs >= 0)
			h->retry_after_ms = secs > 86400 ? 86400000L : secs * 1000;
		else {
			time_t t = curl_getdate(p, NULL);
			if (t != -1) {
				long d = (long)(t - time(NULL));
				h->retry_after_ms = d > 0 ? (d > 86400 ? 86400000L : d * 1000) : 0;
			}
		}
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long backoff_ms(lp_http *h, int attempt)
{
	long d = h->o.backoff_base_ms;
	for (int i = 1; i < attempt && d < h->o.backoff_max_ms; i++)
		d *= 2;
	if (d > h->o.backoff_max_ms)
		d = h->o.backoff_max_ms;
	/* "equal jitter": between half and all of the exponential step */
	long half = d / 2;
	return half + (half > 0 ? (long)(rand_r(&h->rng) % (unsigned)(half + 1)) : 0);
}

static int retryable(long status)
{
	return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* ---- record / replay ---------------------------------------------------------------- */

/* key "GET /v1/company/employees?limit=100&offset=0" -> "GET_v1_company_employees_limit_100_offset_0-<hash>" */
static char *record_name(const char *method, const char *target)
{
	char *key = lp_xasprintf("%s %s", method, path_and_query(target));
	char clean[121];
	size_t o = 0;
	for (const char *q = key; *q && o < sizeof clean - 1; q++) {
		char c = *q;
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!ok)
			c = '_';
		if (c == '_' && o > 0 && clean[o - 1] == '_')
			continue;
		clean[o++] = c;
	}
	clean[o] = '\0';
	char *name = lp_xasprintf("%s-%016llx", clean, (unsigned long long)lp_hash_str(key));
	free(key);
	return name;
}

static int record(lp_http *h, const char *method, const char *target, long status)
{
	if (mkdir(h->o.record_dir, 0700) != 0 && errno != EEXIST) {
		snprintf(h->err, sizeof h->err, "--record %s: cannot create: %s", h->o.record_dir, strerror(errno));
		return -1;
	}
	char *name = record_name(method, target);
	char *body = lp_xasprintf("%s/%s.body", h->o.record_dir, name);
	char *meta = lp_xasprintf("%s/%s.status", h->o.record_dir, name);
	/* the status line, then the download headers a reader needs (Content-Type,
	 * Content-Disposition) when the answer had them */
	char st[32 + sizeof h->x.ctype + sizeof h->x.disposition + 48];
	int n = snprintf(st, sizeof st, "%ld\n", status);
	if (h->x.ctype[0])
		n += snprintf(st + n, sizeof st - (size_t)n, "Content-Type: %s\n", h->x.ctype);
	if (h->x.disposition[0])
		n += snprintf(st + n, sizeof st - (size_t)n, "Content-Disposition: %s\n", h->x.disposition);
	char err[400];
	int rc = lp_secret_write_file(body, h->x.body ? h->x.body : "", h->x.len, err, sizeof err) ||
		 lp_secret_write_file(meta, st, (size_t)n, err, sizeof err);
	if (rc)
		snprintf(h->err, sizeof h->err, "--record: %s", err);
	free(name);
	free(body);
	free(meta);
	return rc ? -1 : 0;
}

static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t cap = 16384, n = 0;
	char *b = lp_xmalloc(cap);
	size_t r;
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (n + 1 >= cap)
			b = lp_xrealloc(b, cap *= 2);
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(b);
		return -1;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}

static int replay(lp_http *h, const char *method, const char *target, lp_http_resp *resp)
{
	char pbuf[256];
	char *name = record_name(method, target);
	char *body = lp_xasprintf("%s/%s.body", h->o.replay_dir, name);
	char *meta = lp_xasprintf("%s/%s.status", h->o.replay_dir, name);
	char *st = NULL;
	size_t stlen;
	int rc = -1;
	if (slurp(meta, &st, &stlen) != 0 || slurp(body, &resp->body, &resp->len) != 0) {
		snprintf(h->err, sizeof h->err, "%s %s: --replay %s has no recorded response (%s.body)", method,
			 lp_http_path(target, pbuf, sizeof pbuf), h->o.replay_dir, name);
	} else {
		resp->status = strtol(st, NULL, 10);
		resp->attempts = 0;
		for (char *ln = strchr(st, '\n'); ln && ln[1]; ln = strchr(ln + 1, '\n')) {
			size_t l = strcspn(ln + 1, "\n");
			header_val(ln + 1, l, "Content-Type:", resp->ctype, sizeof resp->ctype);
			header_val(ln + 1, l, "Content-Disposition:", resp->disposition, sizeof resp->disposition);
		}
		rc = 0;
	}
	free(st);
	free(name);
	free(body);
	free(meta);
	return rc;
}

/* ---- the request -------------------------------------------------------------------- */

/* The URL of a target: relative to the base, or absolute on the configured origin only. */
static char *make_url(lp_http *h, const char *method, const char *target, char *err, size_t n)
{
	char pbuf[256];
	if (strstr(target, "://")) {
		size_t ol = strlen(h->origin);
		if (strncasecmp(target, h->origin, ol) != 0 || (target[ol] != '/' && target[ol] != '\0')) {
			snprintf(err, n, "%s %s: the API pointed to another origin; not following it", method,
				 lp_http_path(target, pbuf, sizeof pbuf));
			return NULL;
		}
		return lp_xstrdup(target);
	}
	return lp_xasprintf("%s%s", h->base, target);
}

/* libcurl calls this each time it is about to send the request on a connection. When a reused
 * keep-alive connection turns out to be closed before any answer came, libcurl sends the same
 * request again on a fresh connection on its own ("Connection died, retrying a fresh
 * connect"); the server may have processed the first one. A request that must not be
 * repeated blindly refuses that second send, and the caller sees a transport error (its
 * answer is lost) instead; other requests are counted as one more attempt. */
static int prereq_cb(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
		     int conn_local_port)
{
	(void)conn_primary_ip, (void)conn_local_ip, (void)conn_primary_port, (void)conn_local_port;
	struct xfer *x = ud;
	if (x->sends && x->no_resend) {
		x->refused = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	x->sends++;
	return CURL_PREREQFUNC_OK;
}

/* The error text of a transfer libcurl would have sent twice. */
#define RESEND_REFUSED "the connection closed before an answer came; the request may have been processed"

/* One attempt's options on an easy handle (the same for both clients). */
static void setup_easy(lp_http *h, CURL *c, struct xfer *x, const char *url, const char *method,
		       struct curl_slist *hl, const char *body, size_t body_len, unsigned flags, char *cerr)
{
	x->len = 0;
	x->too_big = 0;
	x->retry_after_ms = -1;
	x->etag[0] = '\0';
	x->ctype[0] = x->disposition[0] = '\0';
	lp_secret_free(x->authz);
	x->authz = NULL;
	x->want_authz = (flags & LP_HTTP_AUTHZ) != 0;
	x->sends = x->refused = 0;
	x->no_resend = (flags & LP_HTTP_NO_RETRY) != 0;
	cerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, prereq_cb);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, x);
	if (flags & LP_HTTP_FRESH)
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->o.timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "loketpipe/" LP_VERSION);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (h->proxy) { /* configured, and the base URL is https */
		curl_easy_setopt(c, CURLOPT_PROXY, h->proxy);
		curl_easy_setopt(c, CURLOPT_NOPROXY, "");
	} else { /* "" : no proxy whatever the environment says */
		curl_easy_setopt(c, CURLOPT_PROXY, "");
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	}
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	} else if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
}

static void take_body(const struct xfer *x, long status, int attempt, lp_http_resp *resp)
{
	resp->status = status;
	resp->body = lp_xmalloc(x->len + 1);
	if (x->len)
		memcpy(resp->body, x->body, x->len);
	resp->body[x->len] = '\0';
	resp->len = x->len;
	resp->attempts = attempt;
	memcpy(resp->etag, x->etag, sizeof resp->etag);
	memcpy(resp->ctype, x->ctype, sizeof resp->ctype);
	memcpy(resp->disposition, x->disposition, sizeof resp->disposition);
	resp->authz = x->authz ? lp_xstrdup(x->authz) : NULL;
}

/* How long to wait before attempt+1: Retry-After when given (capped), else the backoff. */
static long retry_wait(lp_http *h, const struct xfer *x, int attempt)
{
	long wait = x->retry_after_ms >= 0 ? x->retry_after_ms : backoff_ms(h, attempt);
	return wait > h->o.retry_after_max_ms ? h->o.retry_after_max_ms : wait;
}

int lp_http_request(lp_http *h, const char *method, const char *target, const char *const *headers,
		    const char *body, size_t body_len, unsigned flags, lp_http_resp *resp)
{
	char pbuf[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	memset(resp, 0, sizeof *resp);
	h->err[0] = '\0';

	if (h->o.replay_dir) {
		if (flags & LP_HTTP_SECRET) {
			snprintf(h->err, sizeof h->err, "%s %s: authentication is not replayed", method, path);
			return -1;
		}
		return replay(h, method, target, resp);
	}

	char *url = make_url(h, method, target, h->err, sizeof h->err);
	if (!url)
		return -1;

	struct curl_slist *hl = NULL;
	for (const char *const *p = headers; p && *p; p++)
		hl = curl_slist_append(hl, *p);
	hl = curl_slist_append(hl, "Expect:");

	CURL *c = h->curl;
	int only429 = (flags & LP_HTTP_NO_RETRY) && (flags & LP_HTTP_RETRY_429);
	int max = (flags & LP_HTTP_NO_RETRY) && !only429 ? 1 : h->o.max_attempts;
	int rc = -1, resends = 0;
	char cerr[CURL_ERROR_SIZE];
	for (int attempt = 1; attempt <= max; attempt++) {
		curl_easy_reset(c);
		if (h->gate)
			h->gate(h->gate_ctx, method, path);
		setup_easy(h, c, &h->x, url, method, hl, body, body_len, flags, cerr);
		h->requests++;
		CURLcode cc = curl_easy_perform(c);
		long status = 0;
		long wait;
		if (h->x.sends > 1) { /* libcurl sent it again itself: one more attempt */
			resends += h->x.sends - 1;
			h->requests += (unsigned long)(h->x.sends - 1);
		}
		if (cc == CURLE_OK) {
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (!(only429 ? status == 429 : retryable(status)) || attempt == max) {
				take_body(&h->x, status, attempt + resends, resp);
				if (h->o.record_dir && !(flags & LP_HTTP_SECRET) && record(h, method, target, status)) {
					lp_http_resp_free(resp);
					break;
				}
				rc = 0;
				break;
			}
			wait = retry_wait(h, &h->x, attempt);
		} else {
			if (h->x.too_big) {
				snprintf(h->err, sizeof h->err, "%s %s: response larger than %lu bytes", method, path,
					 (unsigned long)MAX_BODY);
				break;
			}
			if (attempt == max || only429) {
				int n = attempt + resends;
				snprintf(h->err, sizeof h->err, "%s %s: %s after %d attempt%s", method, path,
					 h->x.refused ? RESEND_REFUSED : cerr[0] ? cerr : curl_easy_strerror(cc),
					 n, n == 1 ? "" : "s");
				break;
			}
			wait = backoff_ms(h, attempt);
		}
		sleep_ms(wait);
	}
	curl_slist_free_all(hl);
	free(url);
	if ((flags & LP_HTTP_SECRET) && h->x.body) /* a token answer is not kept for the next request */
		explicit_bzero(h->x.body, h->x.cap);
	return rc;
}

/* ---- many requests at once (libcurl multi) ------------------------------------------ */

struct mreq {
	char *method, *target, *body;
	char **extra; /* headers of this request only */
	size_t len;
	unsigned flags;
	lp_http_done fn;
	void *ud;
	int attempt, resends; /* attempts made here; sends libcurl made on its own */
	long long not_before; /* monotonic ms */
	CURL *c;
	struct curl_slist *hl;
	char *url;
	struct xfer x;
	char cerr[CURL_ERROR_SIZE];
	struct mreq *next;
};

struct lp_http_multi {
	lp_http *h;
	CURLM *m;
	int parallel, running;
	lp_http_headers_fn hf;
	void *hctx;
	struct mreq *head, *tail; /* waiting, in order of arrival */
	CURL **pool;
	int npool;
	long long next_start; /* when the next request waiting to retry may start, -1: none */
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

lp_http_multi *lp_http_multi_new(lp_http *h, int parallel, lp_http_headers_fn hf, void *hctx)
{
	if (h->o.replay_dir)
		return NULL;
	lp_http_multi *m = lp_xmalloc(sizeof *m);
	memset(m, 0, sizeof *m);
	m->h = h;
	m->parallel = parallel < 1 ? 1 : parallel;
	m->hf = hf;
	m->hctx = hctx;
	m->m = curl_multi_init();
	if (!m->m)
		lp_die(LP_EXIT_IO, "cannot initialise libcurl");
	/* no CURLMOPT_MAX_HOST_CONNECTIONS: the engine bounds the transfers itself, and a transfer
	 * parked by libcurl waiting for a free connection would start one event late */
	m->pool = lp_xmalloc((size_t)m->parallel * sizeof *m->pool);
	return m;
}

static void mreq_free(struct mreq *r)
{
	curl_slist_free_all(r->hl);
	free(r->method);
	free(r->target);
	free(r->body);
	for (char **p = r->extra; p && *p; p++)
		free(*p);
	free(r->extra);
	free(r->url);
	lp_secret_wipe_free(r->x.body);
	lp_secret_free(r->x.authz);
	free(r);
}

static void enqueue(lp_http_multi *m, struct mreq *r)
{
	r->next = NULL;
	if (m->tail)
		m->tail->next = r;
	else
		m->head = r;
	m->tail = r;
}

void lp_http_multi_add(lp_http_multi *m, const char *method, const char *target, const char *const *headers,
		       const char *body, size_t len, unsigned flags, lp_http_done fn, void *ud)
{
	struct mreq *r = lp_xmalloc(sizeof *r);
	memset(r, 0, sizeof *r);
	size_t nh = 0;
	while (headers && headers[nh])
		nh++;
	if (nh) {
		r->extra = lp_xmalloc((nh + 1) * sizeof *r->extra);
		for (size_t i = 0; i < nh; i++)
			r->extra[i] = lp_xstrdup(headers[i]);
		r->extra[nh] = NULL;
	}
	r->method = lp_xstrdup(method);
	r->target = lp_xstrdup(target);
	if (body) {
		r->body = lp_xmalloc(len + 1);
		memcpy(r->body, body, len);
		r->body[len] = '\0';
		r->len = len;
	}
	r->flags = flags;
	r->fn = fn;
	r->ud = ud;
	enqueue(m, r);
}

static void fail_req(struct mreq *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail_req(struct mreq *r, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->fn(r->ud, NULL, msg);
	mreq_free(r);
}

/* Start r now: headers from the hook (a fresh token), an easy handle from the pool. */
static void start(lp_http_multi *m, struct mreq *r)
{
	char err[512], pbuf[256];
	if (!r->url && !(r->url = make_url(m->h, r->method, r->target, err, sizeof err))) {
		fail_req(r, "%s", err);
		return;
	}
	const char *const *hs = m->hf ? m->hf(m->hctx, err, sizeof err) : NULL;
	if (m->hf && !hs) {
		fail_req(r, "%s %s: %s", r->method, lp_http_path(r->target, pbuf, sizeof pbuf), err);
		return;
	}
	curl_slist_free_all(r->hl);
	r->hl = NULL;
	for (const char *const *p = hs; p && *p; p++)
		r->hl = curl_slist_append(r->hl, *p);
	for (char **p = r->extra; p && *p; p++)
		r->hl = curl_slist_append(r->hl, *p);
	r->hl = curl_slist_append(r->hl, "Expect:");
	r->c = m->npool ? m->pool[--m->npool] : curl_easy_init();
	if (!r->c)
		lp_die(LP_EXIT_IO, "cannot initialise libcurl");
	curl_easy_reset(r->c);
	setup_easy(m->h, r->c, &r->x, r->url, r->method, r->hl, r->body, r->len, r->flags, r->cerr);
	curl_easy_setopt(r->c, CURLOPT_PRIVATE, r);
	r->attempt++;
	m->h->requests++;
	curl_multi_add_handle(m->m, r->c);
	m->running++;
}

static void finish(lp_http_multi *m, CURL *c, CURLcode cc)
{
	struct mreq *r;
	char pbuf[256];
	curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&r);
	curl_multi_remove_handle(m->m, c);
	m->pool[m->npool++] = c;
	r->c = NULL;
	m->running--;
	int only429 = (r->flags & LP_HTTP_NO_RETRY) && (r->flags & LP_HTTP_RETRY_429);
	int max = (r->flags & LP_HTTP_NO_RETRY) && !only429 ? 1 : m->h->o.max_attempts;
	const char *path = lp_http_path(r->target, pbuf, sizeof pbuf);
	if (r->x.sends > 1) { /* libcurl sent it again itself: one more attempt */
		r->resends += r->x.sends - 1;
		m->h->requests += (unsigned long)(r->x.sends - 1);
	}
	if (cc == CURLE_OK) {
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if ((only429 ? status == 429 : retryable(status)) && r->attempt < max) {
			r->not_before = mono_ms() + retry_wait(m->h, &r->x, r->attempt);
			enqueue(m, r);
			return;
		}
		lp_http_resp resp;
		memset(&resp, 0, sizeof resp);
		take_body(&r->x, status, r->attempt + r->resends, &resp);
		r->fn(r->ud, &resp, NULL);
		lp_http_resp_free(&resp);
		mreq_free(r);
		return;
	}
	if (r->x.too_big) {
		fail_req(r, "%s %s: response larger than %lu bytes", r->method, path, (unsigned long)MAX_BODY);
		return;
	}
	if (r->attempt < max && !only429) {
		r->not_before = mono_ms() + backoff_ms(m->h, r->attempt);
		enqueue(m, r);
		return;
	}
	int n = r->attempt + r->resends;
	fail_req(r, "%s %s: %s after %d attempt%s", r->method, path,
		 r->x.refused ? RESEND_REFUSED : r->cerr[0] ? r->cerr : curl_easy_strerror(cc), n,
		 n == 1 ? "" : "s");
}

/* Start what may start, in order of arrival (a request waiting to retry does not hold up
 * the ones behind it), and send it. Returns when the next waiting request may start (-1: none
 * waiting to retry). */
static long long send_round(lp_http_multi *m)
{
	long long now = mono_ms(), next = -1;
	struct mreq **pp = &m->head, *prev = NULL;
	while (*pp && m->running < m->parallel) {
		struct mreq *r = *pp;
		if (r->not_before > now) {
			if (next < 0 || r->not_before < next)
				next = r->not_before;
			prev = r;
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		if (m->tail == r)
			m->tail = prev;
		start(m, r);
		pp = prev ? &prev->next : &m->head; /* start() may have appended (a callback) */
	}
	int still = 0;
	curl_multi_perform(m->m, &still);
	m->next_start = next;
	return next;
}

int lp_http_multi_send(lp_http_multi *m)
{
	if (m->head || m->running)
		send_round(m);
	return m->head || m->running;
}

int lp_http_multi_wait(lp_http_multi *m)
{
	if (m->head || m->running) {
		/* wait for answers, hand the finished ones to their callbacks and return at once,
		 * so that the caller can start the next requests before the engine waits again */
		long long now = mono_ms(), next = m->next_start;
		long timeout = 1000;
		if (next >= 0 && next - now < timeout)
			timeout = next - now < 0 ? 0 : (long)(next - now);
		int still = 0;
		if (m->running)
			curl_multi_poll(m->m, NULL, 0, (int)timeout, NULL);
		else if (m->head && timeout > 0)
			sleep_ms(timeout); /* everything waiting is waiting to retry */
		curl_multi_perform(m->m, &still);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m->m, &left)))
			if (msg->msg == CURLMSG_DONE)
				finish(m, msg->easy_handle, msg->data.result);
	}
	return m->head || m->running;
}

int lp_http_multi_step(lp_http_multi *m)
{
	lp_http_multi_send(m);
	return lp_http_multi_wait(m);
}

int lp_http_multi_run(lp_http_multi *m)
{
	while (lp_http_multi_step(m))
		;
	return 0;
}

int lp_http_multi_pending(const lp_http_multi *m)
{
	int n = m->running;
	for (const struct mreq *r = m->head; r; r = r->next)
		n++;
	return n;
}

void lp_http_multi_free(lp_http_multi *m)
{
	if (!m)
		return;
	while (m->head) {
		struct mreq *r = m->head;
		m->head = r->next;
		mreq_free(r);
	}
	for (int i = 0; i < m->npool; i++)
		curl_easy_cleanup(m->pool[i]);
	curl_multi_cleanup(m->m);
	free(m->pool);
	free(m);
}
