/* lp_http.c - see lp_http.h */
#include "lp_http.h"
#include "lp_cli.h"
#include "lp_map.h"
#include "lp_secret.h"

#include <curl/curl.h>
#include <errno.h>
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

struct lp_http {
	CURL *curl;
	char *base;        /* without trailing slash */
	char *origin;      /* scheme://host[:port] */
	lp_http_opts o;
	unsigned long requests;
	unsigned rng;
	char err[512];
	/* per attempt */
	char *body;
	size_t len, cap;
	int too_big;
	long retry_after_ms;
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

lp_http *lp_http_new(const lp_http_opts *o, char *err, size_t n)
{
	static int global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = 1;
	}
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
	free(h->base);
	free(h->origin);
	free(h->body);
	free(h);
}

int lp_http_replaying(const lp_http *h) { return h->o.replay_dir != NULL; }
unsigned long lp_http_requests(const lp_http *h) { return h->requests; }
const char *lp_http_error(const lp_http *h) { return h->err; }

void lp_http_resp_free(lp_http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
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
	lp_http *h = ud;
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

static size_t header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	lp_http *h = ud;
	size_t n = size * nitems;
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
	char st[32];
	int n = snprintf(st, sizeof st, "%ld\n", status);
	char err[400];
	int rc = lp_secret_write_file(body, h->body ? h->body : "", h->len, err, sizeof err) ||
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
		rc = 0;
	}
	free(st);
	free(name);
	free(body);
	free(meta);
	return rc;
}

/* ---- the request -------------------------------------------------------------------- */

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

	char *url;
	if (strstr(target, "://")) {
		size_t ol = strlen(h->origin);
		if (strncasecmp(target, h->origin, ol) != 0 || (target[ol] != '/' && target[ol] != '\0')) {
			snprintf(h->err, sizeof h->err, "%s %s: the API pointed to another origin; not following it", method, path);
			return -1;
		}
		url = lp_xstrdup(target);
	} else
		url = lp_xasprintf("%s%s", h->base, target);

	struct curl_slist *hl = NULL;
	for (const char *const *p = headers; p && *p; p++)
		hl = curl_slist_append(hl, *p);
	hl = curl_slist_append(hl, "Expect:");

	CURL *c = h->curl;
	int only429 = (flags & LP_HTTP_NO_RETRY) && (flags & LP_HTTP_RETRY_429);
	int max = (flags & LP_HTTP_NO_RETRY) && !only429 ? 1 : h->o.max_attempts;
	int rc = -1;
	char cerr[CURL_ERROR_SIZE];
	for (int attempt = 1; attempt <= max; attempt++) {
		curl_easy_reset(c);
		h->len = 0;
		h->too_big = 0;
		h->retry_after_ms = -1;
		cerr[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
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
		if (body) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		} else if (!strcmp(method, "HEAD"))
			curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
		h->requests++;
		CURLcode cc = curl_easy_perform(c);
		long status = 0;
		long wait;
		if (cc == CURLE_OK) {
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (!(only429 ? status == 429 : retryable(status)) || attempt == max) {
				resp->status = status;
				resp->body = lp_xmalloc(h->len + 1);
				if (h->len)
					memcpy(resp->body, h->body, h->len);
				resp->body[h->len] = '\0';
				resp->len = h->len;
				resp->attempts = attempt;
				if (h->o.record_dir && !(flags & LP_HTTP_SECRET) && record(h, method, target, status)) {
					lp_http_resp_free(resp);
					break;
				}
				rc = 0;
				break;
			}
			wait = h->retry_after_ms >= 0 ? h->retry_after_ms : backoff_ms(h, attempt);
			if (wait > h->o.retry_after_max_ms)
				wait = h->o.retry_after_max_ms;
		} else {
			if (h->too_big) {
				snprintf(h->err, sizeof h->err, "%s %s: response larger than %lu bytes", method, path,
					 (unsigned long)MAX_BODY);
				break;
			}
			if (attempt == max || only429) {
				snprintf(h->err, sizeof h->err, "%s %s: %s after %d attempt%s", method, path,
					 cerr[0] ? cerr : curl_easy_strerror(cc), attempt, attempt == 1 ? "" : "s");
				break;
			}
			wait = backoff_ms(h, attempt);
		}
		sleep_ms(wait);
	}
	curl_slist_free_all(hl);
	free(url);
	return rc;
}
