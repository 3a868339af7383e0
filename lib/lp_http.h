/* lp_http.h - HTTP through libcurl, the way every loketpipe client talks to an API.
 *
 * - TLS certificate and host verification are always on. Plain http:// is refused except
 *   to a loopback host (127.0.0.0/8, localhost, [::1]) where the emulators live.
 * - Redirects are not followed (a Bearer token must never travel to another host), and an
 *   absolute URL handed back by an API (a "next" link) is only followed when it points at
 *   the configured base URL's scheme, host and port.
 * - 429, 5xx and transport errors are retried with exponential backoff and jitter, bounded
 *   in attempts; a Retry-After header (seconds or HTTP date) is honoured up to a cap.
 *   LP_HTTP_NO_RETRY turns that off for requests that must not be repeated blindly.
 * - Proxies: none, unless the client configuration names one (loket.proxy, personio.proxy:
 *   lp_http_opts.proxy), and that one only for https. The environment's http_proxy,
 *   https_proxy, ALL_PROXY and NO_PROXY are ignored: plain http goes only to a loopback
 *   emulator, never through a proxy, so no token or secret crosses a network in clear text.
 * - Secrets in memory: libcurl allocates through lp_secret's wiping allocator (headers with a
 *   Bearer token, request buffers are wiped when freed), response buffers are wiped too.
 *   SSLKEYLOGFILE (which would make libcurl write the TLS session keys, and so every token,
 *   to a file) is removed from the environment with a warning before libcurl starts.
 * - Every attempt is counted (lp_http_requests()).
 * - Messages name the method and the path without its query string, never headers or
 *   bodies of LP_HTTP_SECRET requests, so no token or secret can reach a log.
 * - --record DIR stores every final response (status + raw body, mode 0600) under a name
 *   derived from method, path and query, with its Content-Type and Content-Disposition
 *   headers (lines after the status in the .status file; older recordings have none); --replay DIR answers from those files with no
 *   network at all. LP_HTTP_SECRET requests (authentication) are never recorded.
 *
 * Test knobs (environment): LOKETPIPE_HTTP_ATTEMPTS, LOKETPIPE_HTTP_BACKOFF_MS,
 * LOKETPIPE_HTTP_TIMEOUT_MS, LOKETPIPE_HTTP_RETRY_AFTER_MAX_MS.
 */
#ifndef LP_HTTP_H
#define LP_HTTP_H

#include <stddef.h>

typedef struct lp_http lp_http;

typedef struct {
	const char *base_url;     /* "https://api.personio.de", or "http://127.0.0.1:PORT" */
	long connect_timeout_ms;  /* 0: 10 s */
	long timeout_ms;          /* 0: 60 s per attempt */
	int max_attempts;         /* 0: 6 */
	long backoff_base_ms;     /* 0: 500 ms, doubled per attempt */
	long backoff_max_ms;      /* 0: 30 s */
	long retry_after_max_ms;  /* 0: 120 s */
	const char *record_dir;   /* NULL: do not record */
	const char *replay_dir;   /* NULL: live */
	const char *proxy;        /* NULL: no proxy; else the proxy URL for an https base URL
				   * (http://HOST:PORT, https://, socks5://, socks5h://; no
				   * credentials); never used for plain http (loopback) */
} lp_http_opts;

typedef struct {
	long status;      /* HTTP status of the final attempt */
	char *body;       /* NUL-terminated, malloc'd */
	size_t len;
	int attempts;     /* attempts made for this request */
	char etag[128];   /* the ETag header, "" when none */
	char ctype[128];  /* the Content-Type header, "" when none */
	char disposition[512]; /* the Content-Disposition header, "" when none (a download's
				* file name) */
	char *authz;      /* with LP_HTTP_AUTHZ: the token of an "Authorization: Bearer" response
			   * header (Personio v1's rotation header), malloc'd, wiped by
			   * lp_http_resp_free; NULL when none */
} lp_http_resp;

enum {
	LP_HTTP_SECRET = 1,   /* carries credentials: never recorded, body never in a message */
	LP_HTTP_NO_RETRY = 2, /* do not retry (non-idempotent writes) */
	LP_HTTP_RETRY_429 = 4, /* with NO_RETRY: still retry a 429, which the server did not process */
	LP_HTTP_FRESH = 8,     /* on a new connection (never one the server may just have closed) */
	LP_HTTP_AUTHZ = 16     /* keep a response's Authorization header in resp->authz */
};
/* Whatever the flags, libcurl's own resend of a request on a fresh connection (when a reused
 * keep-alive connection closed before any answer) is seen: with LP_HTTP_NO_RETRY it is refused
 * and the request fails as "the answer is lost" (the first send may have been processed);
 * otherwise it counts as one more attempt in resp->attempts and lp_http_requests(). */

/* Returns NULL with a message in err on a bad base URL (e.g. plain http to a remote host). */
lp_http *lp_http_new(const lp_http_opts *o, char *err, size_t errlen);
void lp_http_free(lp_http *h);
int lp_http_replaying(const lp_http *h);
/* The base URL, without a trailing slash. */
const char *lp_http_base(const lp_http *h);
unsigned long lp_http_requests(const lp_http *h);

/* target: "/path?query" relative to the base URL, or an absolute URL on the same origin.
 * headers: NULL-terminated "Name: value" strings (may be NULL).
 * Returns 0 when an answer was received (look at resp->status; 429/5xx only after the
 * retries ran out), -1 on failure; lp_http_error() then says why, naming method and path. */
int lp_http_request(lp_http *h, const char *method, const char *target, const char *const *headers,
		    const char *body, size_t body_len, unsigned flags, lp_http_resp *resp);
const char *lp_http_error(const lp_http *h);
/* A gate that every attempt of a blocking request (each retry too) passes before it is sent,
 * not when replaying: lp_rate_wait waits there for its rate-limit tokens. NULL: none. */
typedef void (*lp_http_gate_fn)(void *ctx, const char *method, const char *path);
void lp_http_set_gate(lp_http *h, lp_http_gate_fn fn, void *ctx);
void lp_http_resp_free(lp_http_resp *r);

/* ---- many requests at once (libcurl multi), for writes at bureau scale ----
 * Up to `parallel` requests are in flight; each is retried as above (the same backoff,
 * jitter, Retry-After and flags) without holding up the others. Before every attempt the
 * headers hook supplies the headers (so a refreshed access token is used); it returns NULL
 * with err filled to fail that request. The done callback runs once per request, with the
 * final answer or with an error message (resp NULL); it may add more requests. */
typedef struct lp_http_multi lp_http_multi;
typedef void (*lp_http_done)(void *ud, const lp_http_resp *resp, const char *err);
typedef const char *const *(*lp_http_headers_fn)(void *ctx, char *err, size_t errlen);

/* NULL when h replays (the multi engine is live only). */
lp_http_multi *lp_http_multi_new(lp_http *h, int parallel, lp_http_headers_fn hf, void *hctx);
/* headers: this request's own headers besides the hook's (e.g. If-Match), NULL-terminated or NULL. */
void lp_http_multi_add(lp_http_multi *m, const char *method, const char *target, const char *const *headers,
		       const char *body, size_t len, unsigned flags, lp_http_done fn, void *ud);
/* One round: start and send what may start, wait up to a second for answers, run the
 * callbacks. Returns nonzero while requests are waiting or in flight. The two halves are
 * also available apart, so that a caller can do work (an fsync) while requests are out. */
int lp_http_multi_step(lp_http_multi *m);
int lp_http_multi_send(lp_http_multi *m);
int lp_http_multi_wait(lp_http_multi *m);
/* Rounds until no request is waiting or in flight. */
int lp_http_multi_run(lp_http_multi *m);
/* Requests waiting or in flight. */
int lp_http_multi_pending(const lp_http_multi *m);
void lp_http_multi_free(lp_http_multi *m);

/* "/v1/company/employees" from "/v1/company/employees?limit=100" or an absolute URL. buf 256. */
const char *lp_http_path(const char *target, char *buf, size_t n);
/* Percent-encode a query value (RFC 3986 unreserved kept). Caller frees. */
char *lp_http_escape(const char *s);

#endif
