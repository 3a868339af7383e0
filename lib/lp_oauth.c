/* lp_oauth.c - see lp_oauth.h */
#include "lp_oauth.h"
#include "lp_cli.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_lock.h"
#include "lp_secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bytes of the token file reserved on disk before /token is called: far more than a token
 * file needs (refresh token, access token, expiry; Loket publishes no token lengths), so
 * that the answer always fits where space was found beforehand. */
#define TOKEN_FILE_RESERVE 65536

struct lp_oauth {
	lp_http *http;
	char *client_id, *client_secret, *token_file;
	char *pending; /* "<token file>.new": the next token file, written before it replaces it */
	char *lock;    /* "<token file>.lock": held while the token file is read, refreshed, saved */
	char *access;
	time_t expires;
};

static lp_oauth *oauth_new(const char *oauth_url, const char *proxy, const char *client_id, const char *client_secret,
			   const char *token_file, char *err, size_t errlen)
{
	lp_http_opts ho = {0};
	ho.base_url = oauth_url;
	ho.proxy = proxy;
	lp_http *h = lp_http_new(&ho, err, errlen);
	if (!h)
		return NULL;
	lp_oauth *o = lp_xmalloc(sizeof *o);
	memset(o, 0, sizeof *o);
	o->http = h;
	o->client_id = lp_xstrdup(client_id);
	o->client_secret = lp_xstrdup(client_secret);
	o->token_file = lp_xstrdup(token_file);
	o->pending = lp_xasprintf("%s.new", token_file);
	o->lock = lp_xasprintf("%s.lock", token_file);
	return o;
}

lp_oauth *lp_oauth_new(const char *oauth_url, const char *client_id, const char *client_secret,
		       const char *token_file, char *err, size_t errlen)
{
	return oauth_new(oauth_url, NULL, client_id, client_secret, token_file, err, errlen);
}

void lp_oauth_free(lp_oauth *o)
{
	if (!o)
		return;
	lp_http_free(o->http);
	lp_secret_free(o->client_id);
	lp_secret_free(o->client_secret);
	free(o->token_file);
	free(o->pending);
	free(o->lock);
	lp_secret_free(o->access);
	free(o);
}

unsigned long lp_oauth_requests(const lp_oauth *o) { return lp_http_requests(o->http); }

const char *lp_oauth_client_id(const lp_oauth *o) { return o->client_id; }

lp_oauth *lp_oauth_for_config(const lp_config *cfg)
{
	if (!cfg->loket.token_file)
		lp_die(LP_EXIT_CONFIG, "%s: loket.token_file is not set (the file where loket-auth keeps the tokens)", cfg->path);
	lp_lock_client(cfg->client, cfg->loket.lock_file);
	char *id, *secret, err[700];
	lp_secret_credentials(cfg->path, "loket.credentials_file", cfg->loket.credentials_file, "LOKET_CLIENT_ID",
			      "LOKET_CLIENT_SECRET", &id, &secret);
	lp_oauth *o = oauth_new(cfg->loket.oauth_url, cfg->loket.proxy, id, secret, cfg->loket.token_file, err, sizeof err);
	lp_secret_free(id);
	lp_secret_free(secret);
	if (!o)
		lp_die(LP_EXIT_CONFIG, "%s: loket.oauth_url: %s", cfg->client, err);
	return o;
}

/* "<token file>.new" left behind by an interrupted run. It is written only after Loket has
 * answered a refresh, and renamed over the token file right after; so when it holds a whole
 * token file and is not older than the token file, it has the newest refresh token (the one
 * in the token file was rotated away by that refresh) and takes the token file's place.
 * Anything else there (the padding of a reservation made before a refresh that never got an
 * answer, a torn write) is removed. Something that is not a private regular file of ours is
 * never touched: the run stops (4). 0, or an exit code with err filled. */
static int recover_pending(lp_oauth *o, char *err, size_t n)
{
	struct stat st, ts;
	if (lstat(o->pending, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, n, "%s: cannot stat: %s", o->pending, strerror(errno));
		return LP_EXIT_IO;
	}
	char *buf, ferr[512];
	size_t len;
	if (!S_ISREG(st.st_mode) || lp_secret_read_file(o->pending, &buf, &len, ferr, sizeof ferr)) {
		snprintf(err, n, "%s is in the way of the next token file and is not a private file of yours (%s): "
			 "look at it and remove it", o->pending, S_ISREG(st.st_mode) ? ferr : "not a regular file");
		return LP_EXIT_CONFIG;
	}
	json_t *j = json_loadb(buf, len, 0, NULL);
	lp_secret_free(buf);
	const char *rt = j ? lp_json_str(j, "refresh_token") : NULL;
	int whole = rt && *rt;
	if (rt)
		json_string_set(json_object_get(j, "refresh_token"), "");
	if (j && lp_json_str(j, "access_token"))
		json_string_set(json_object_get(j, "access_token"), "");
	json_decref(j);
	int newer = lstat(o->token_file, &ts) != 0 || st.st_mtim.tv_sec > ts.st_mtim.tv_sec ||
		    (st.st_mtim.tv_sec == ts.st_mtim.tv_sec && st.st_mtim.tv_nsec >= ts.st_mtim.tv_nsec);
	if (whole && newer) {
		if (lp_secret_install(o->pending, o->token_file, ferr, sizeof ferr)) {
			snprintf(err, n, "the newest refresh token is in %s, but it cannot replace the token file: %s",
				 o->pending, ferr);
			return LP_EXIT_IO;
		}
		lp_warn("%s: took over the refresh token that an interrupted run saved in %s", o->token_file, o->pending);
		return 0;
	}
	if (unlink(o->pending) != 0) {
		snprintf(err, n, "%s: cannot remove what an interrupted run left: %s", o->pending, strerror(errno));
		return LP_EXIT_IO;
	}
	return 0;
}

/* POST the form to /token; on success save the new refresh token, then keep the access token.
 * The new token file's space is reserved first: when the disk is full, the directory is
 * read-only or anything else keeps it from being written, Loket is not asked at all (exit 7),
 * so the refresh token in the token file still works. */
static int token_request(lp_oauth *o, char *form, char *err, size_t n)
{
	static const char *const hdr[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL};
	char ferr[600];
	int rc = recover_pending(o, err, n);
	lp_secret_res *res = rc ? NULL : lp_secret_reserve(o->token_file, o->pending, TOKEN_FILE_RESERVE, ferr, sizeof ferr);
	if (!res) {
		if (!rc)
			snprintf(err, n, "token file: %s; nothing was sent to Loket, so the saved refresh token still works: "
				 "make room there (or make the directory writable) and run again", ferr);
		lp_secret_free(form);
		return rc ? rc : LP_EXIT_IO;
	}
	lp_http_resp r;
	/* no blind retry: a lost answer to a refresh may already have rotated the token; only a
	 * 429, which Loket did not process, is tried again */
	rc = lp_http_request(o->http, "POST", "/token", hdr, form, strlen(form),
				 LP_HTTP_SECRET | LP_HTTP_NO_RETRY | LP_HTTP_RETRY_429 | LP_HTTP_FRESH, &r);
	lp_secret_free(form);
	if (rc) {
		lp_secret_abandon(res);
		snprintf(err, n, "%s", lp_http_error(o->http));
		return LP_EXIT_REMOTE;
	}
	json_t *j = r.status == 200 || r.status == 400 || r.status == 401 ? json_loadb(r.body, r.len, 0, NULL) : NULL;
	lp_secret_free(r.body);
	if (r.status != 200) {
		const char *e = j ? lp_json_str(j, "error") : NULL;
		int refused = r.status == 400 || r.status == 401;
		snprintf(err, n, "POST /token: HTTP %ld%s%s%s", r.status, e ? " (" : "", e ? e : "", e ? ")" : "");
		if (refused && e && (!strcmp(e, "invalid_grant") || !strcmp(e, "invalid_client")))
			snprintf(err + strlen(err), n - strlen(err), ": Loket refused the %s; re-authorisation needed: run loket-auth",
				 !strcmp(e, "invalid_client") ? "client credentials" : "refresh token");
		json_decref(j);
		lp_secret_abandon(res);
		return refused ? LP_EXIT_AUTH : LP_EXIT_REMOTE;
	}
	const char *access = j ? lp_json_str(j, "access_token") : NULL;
	const char *refresh = j ? lp_json_str(j, "refresh_token") : NULL;
	json_t *ei = j ? json_object_get(j, "expires_in") : NULL;
	if (!access || !refresh) {
		json_decref(j);
		lp_secret_abandon(res);
		snprintf(err, n, "POST /token: the answer has no access_token or refresh_token");
		return LP_EXIT_REMOTE;
	}
	time_t expires = time(NULL) + (json_is_integer(ei) ? (time_t)json_integer_value(ei) : 3599);
	/* the access token is kept too, so that the next run within its lifetime needs no
	 * refresh (every refresh rotates the refresh token: fewer refreshes, fewer chances to
	 * lose it) */
	json_t *save = json_pack("{s:s,s:s,s:I}", "refresh_token", refresh, "access_token", access, "expires_at",
				 (json_int_t)expires);
	char *text = json_dumps(save, JSON_COMPACT);
	json_string_set(json_object_get(save, "access_token"), "");
	json_string_set(json_object_get(save, "refresh_token"), "");
	json_decref(save);
	int kept = 0, w = lp_secret_commit(res, text, strlen(text), &kept, ferr, sizeof ferr);
	lp_secret_free(text);
	if (w) {
		json_decref(j);
		if (kept)
			snprintf(err, n, "Loket rotated the refresh token; the new one is saved in %s but could not replace "
				 "the token file (%s): the next run takes it over", o->pending, ferr);
		else
			snprintf(err, n, "Loket rotated the refresh token, but the new one could not be saved (%s): "
				 "re-authorisation needed: run loket-auth", ferr);
		return LP_EXIT_IO;
	}
	lp_secret_free(o->access);
	o->access = lp_xstrdup(access);
	o->expires = expires;
	json_string_set(json_object_get(j, "access_token"), "");
	json_string_set(json_object_get(j, "refresh_token"), "");
	json_decref(j);
	return 0;
}

static char *form(const char *fmt, const char *a, const char *b, const char *c, const char *d)
{
	char *ea = lp_http_escape(a), *eb = lp_http_escape(b), *ec = lp_http_escape(c), *ed = lp_http_escape(d);
	char *f = lp_xasprintf(fmt, ea, eb, ec, ed);
	lp_secret_free(ea);
	lp_secret_free(eb);
	lp_secret_free(ec);
	lp_secret_free(ed);
	return f;
}

/* The token file's lock, for one read-refresh-save step: 0 (*fd holds it), or an exit code
 * with err filled (8: another process held it longer than the wait). */
static int lock_tokens(lp_oauth *o, int *fd, char *err, size_t n)
{
	int busy;
	char lerr[600];
	*fd = lp_lock_wait(o->lock, -1, &busy, lerr, sizeof lerr);
	if (*fd >= 0)
		return 0;
	snprintf(err, n, "token file: %s%s", lerr, busy ? "; nothing was sent to Loket" : "");
	return busy ? LP_EXIT_BUSY : LP_EXIT_IO;
}

int lp_oauth_exchange_code(lp_oauth *o, const char *code, const char *redirect_uri, char *err, size_t n)
{
	int fd, rc = lock_tokens(o, &fd, err, n);
	if (rc)
		return rc;
	char *f = form("grant_type=authorization_code&code=%s&redirect_uri=%s&client_id=%s&client_secret=%s", code,
		       redirect_uri, o->client_id, o->client_secret);
	rc = token_request(o, f, err, n);
	lp_lock_release(fd);
	return rc;
}

/* Under the token file's lock: the token file read again (another process may have
 * refreshed meanwhile) and its access token taken when it will do, else a refresh.
 * force: the access token in memory was refused (a 401), or, with none in memory yet, a
 * refresh is wanted whatever the file holds (loket-auth --check). */
static int locked_access_token(lp_oauth *o, int force, char *err, size_t n)
{
	char *buf, ferr[512];
	size_t len;
	int code = recover_pending(o, err, n);
	if (code)
		return code;
	if (lp_secret_read_file(o->token_file, &buf, &len, ferr, sizeof ferr)) {
		snprintf(err, n, "token file %s; run loket-auth to log in once", ferr);
		return LP_EXIT_CONFIG;
	}
	json_t *j = json_loadb(buf, len, 0, NULL);
	lp_secret_free(buf);
	const char *rt = j ? lp_json_str(j, "refresh_token") : NULL;
	const char *at = j ? lp_json_str(j, "access_token") : NULL;
	json_t *ea = j ? json_object_get(j, "expires_at") : NULL;
	int fresh = rt && *rt && at && *at && json_is_integer(ea) && (time_t)json_integer_value(ea) - time(NULL) > 300;
	/* a refused token is only replaced by a refresh while the file still holds it: when
	 * another process has saved a newer one, that one is used */
	int usable = fresh && (!force || (o->access && strcmp(at, o->access) != 0));
	if (usable) {
		lp_secret_free(o->access);
		o->access = lp_xstrdup(at);
		o->expires = (time_t)json_integer_value(ea);
	}
	char *f = NULL;
	if (!usable && rt && *rt)
		f = form("grant_type=refresh_token&refresh_token=%s&client_id=%s&client_secret=%s%s", rt, o->client_id,
			 o->client_secret, "");
	if (rt)
		json_string_set(json_object_get(j, "refresh_token"), "");
	if (at)
		json_string_set(json_object_get(j, "access_token"), "");
	json_decref(j);
	if (usable)
		return 0;
	if (!f) {
		snprintf(err, n, "%s: not a token file (no refresh_token); run loket-auth", o->token_file);
		return LP_EXIT_CONFIG;
	}
	return token_request(o, f, err, n);
}

static const char *access_token(lp_oauth *o, int force, int *code, char *err, size_t n)
{
	if (!force && o->access && o->expires - time(NULL) > 300)
		return o->access;
	int fd;
	if ((*code = lock_tokens(o, &fd, err, n)))
		return NULL;
	*code = locked_access_token(o, force, err, n);
	lp_lock_release(fd);
	return *code ? NULL : o->access;
}

const char *lp_oauth_access_token(lp_oauth *o, int *code, char *err, size_t n)
{
	return access_token(o, 0, code, err, n);
}

const char *lp_oauth_refresh(lp_oauth *o, int *code, char *err, size_t n)
{
	return access_token(o, 1, code, err, n);
}
