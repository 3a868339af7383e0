/* extract-personio - read one client's employees and compensations from Personio as NDJSON.
 *
 * Employees come from the v1 API (POST /v1/auth, GET /v1/company/employees paged with
 * limit <= 100 and an element offset, checked against metadata.total_elements); each
 * becomes a "person" record. Compensations come from the v2 API (POST /v2/auth/token,
 * client credentials; GET /v2/compensations in one-month windows from the month of the
 * compensation start date to the --as-of month plus the configured future months, following
 * _meta.links.next.href); each distinct compensation becomes a "compensation" record, its
 * dates kept as Personio gave them (choosing what is effective is validate's job, rule D1).
 * Values that cannot be read become "issue" records. The last record is "stream_end" with
 * complete:true only when everything was received; any failure ends the stream with
 * complete:false and a non-zero exit, so a cut-off extract never looks complete.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_cli.h"
#include "lp_config.h"
#include "lp_date.h"
#include "lp_http.h"
#include "lp_json.h"
#include "lp_map.h"
#include "lp_ndjson.h"
#include "lp_personio.h"
#include "lp_emit.h"
#include "lp_secret.h"

static const char usage[] =
	"Usage: extract-personio --config FILE [OPTION]...\n"
	"Read one client's employees and compensations from Personio; write NDJSON records\n"
	"(person, compensation, issue, stream_end) to standard output.\n"
	"\n"
	"  -c, --config FILE        client configuration (schemas/client-config.schema.json)\n"
	"      --as-of DATE         the run date, YYYY-MM-DD (default: today, UTC)\n"
	"      --future-months N    months after the as-of month to read (default: config, else 2)\n"
	"      --only ID            only the employee with this Personio id or Employee number (Loket)\n"
	"      --base-url URL       Personio API base URL (default: config, else https://api.personio.de)\n"
	"      --record DIR         store every raw API response in DIR (mode 0700/0600)\n"
	"      --replay DIR         answer every request from DIR instead of the network\n"
	"  -v, --verbose            report counts and the number of HTTP requests on stderr\n"
	"  -h, --help               show this help and exit\n"
	"  -V, --version            show the version and exit\n"
	"\n"
	"Credentials: the JSON file personio.credentials_file of the configuration (mode 0600,\n"
	"{\"client_id\":...,\"client_secret\":...}), else PERSONIO_CLIENT_ID and PERSONIO_CLIENT_SECRET\n"
	"from the environment. Never on the command line.\n"
	"\n"
	"Exit status: 0 complete; 1 complete, with error issues in the data; 2 usage; 4 configuration\n"
	"or credentials; 5 Personio failed or answered nonsense (the stream is marked incomplete);\n"
	"6 Personio refused the credentials; 7 local I/O error. See loketpipe(7).\n";

struct run {
	lp_config *cfg;
	lp_http *http;
	lp_date as_of;
	int future;
	const char *only;
	int verbose;
	char *client_id, *client_secret;
	char *v1_token, *v2_token;
	char *only_pid;       /* Personio id of --only once known */
	unsigned long persons, compensations, issues, errors;
	json_t *issues_buf;   /* issue records waiting to be written */
};

/* Fatal API failure: close the stream as incomplete and exit. */
static _Noreturn void fail(struct run *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void wipe(char **p);

static json_t *counts(const struct run *r)
{
	return json_pack("{s:I,s:I,s:I}", "persons", (json_int_t)r->persons, "compensations",
			 (json_int_t)r->compensations, "issues", (json_int_t)r->issues);
}

static void flush_issues(struct run *r)
{
	size_t i;
	json_t *v;
	json_array_foreach(r->issues_buf, i, v) {
		if (!strcmp(lp_json_str(v, "severity") ? lp_json_str(v, "severity") : "", "error"))
			r->errors++;
		r->issues++;
		if (lp_out(v))
			lp_die(LP_EXIT_IO, "write error on standard output");
	}
	json_array_clear(r->issues_buf);
}

/* the secrets go before the process does */
static void fail_cleanup(void *ctx)
{
	struct run *r = ctx;
	wipe(&r->v1_token);
	wipe(&r->v2_token);
	wipe(&r->client_id);
	wipe(&r->client_secret);
}

static void fail(struct run *r, int code, const char *fmt, ...)
{
	va_list ap;
	flush_issues(r);
	va_start(ap, fmt);
	lp_stream_vfail(r->cfg->client, "personio", counts(r), code, fail_cleanup, r, fmt, ap);
}

static void wipe(char **p)
{
	lp_secret_free(*p);
	*p = NULL;
}

/* ---- credentials and tokens -------------------------------------------------------- */

static void load_credentials(struct run *r)
{
	lp_secret_credentials(r->cfg->path, "personio.credentials_file", r->cfg->personio.credentials_file,
			      "PERSONIO_CLIENT_ID", "PERSONIO_CLIENT_SECRET", &r->client_id, &r->client_secret);
}

/* Headers for a request: the app headers, then the token (if any) or a content type. */
static const char *const *api_headers(struct run *r, const char *token, const char *content_type, char hbuf[3][600])
{
	static const char *h[6];
	int n = 0;
	h[n++] = "Accept: application/json";
	snprintf(hbuf[0], 600, "X-Personio-App-ID: %s", r->cfg->personio.app_id);
	h[n++] = hbuf[0];
	if (r->cfg->personio.partner_id) {
		snprintf(hbuf[1], 600, "X-Personio-Partner-ID: %s", r->cfg->personio.partner_id);
		h[n++] = hbuf[1];
	}
	if (token) {
		snprintf(hbuf[2], 600, "Authorization: Bearer %s", token);
		h[n++] = hbuf[2];
	}
	if (content_type)
		h[n++] = content_type;
	h[n] = NULL;
	return h;
}

/* POST credentials (body, wiped here) to an authentication endpoint and return the token
 * found at [obj.]key of the answer. Nothing of the request or answer is ever logged. */
static char *authenticate(struct run *r, const char *path, const char *content_type, char *body, const char *obj,
			  const char *key)
{
	char hbuf[3][600];
	lp_http_resp resp;
	int rc = lp_http_request(r->http, "POST", path, api_headers(r, NULL, content_type, hbuf), body, strlen(body),
				 LP_HTTP_SECRET, &resp);
	lp_secret_free(body);
	if (rc)
		fail(r, LP_EXIT_REMOTE, "%s", lp_http_error(r->http));
	if (resp.status != 200) {
		lp_secret_free(resp.body);
		if (resp.status == 400 || resp.status == 401 || resp.status == 403)
			fail(r, LP_EXIT_AUTH,
			     "POST %s: HTTP %ld: Personio refused the credentials; check client_id and client_secret "
			     "of this client's Personio API credential", path, resp.status);
		fail(r, LP_EXIT_REMOTE, "POST %s: HTTP %ld%s", path, resp.status, resp.attempts > 1 ? " after retries" : "");
	}
	json_t *j = json_loadb(resp.body, resp.len, 0, NULL);
	lp_secret_free(resp.body);
	json_t *holder = obj ? lp_json_obj(j, obj) : j;
	const char *tok = holder ? lp_json_str(holder, key) : NULL;
	if (!tok || !*tok) {
		json_decref(j);
		fail(r, LP_EXIT_REMOTE, "POST %s: the answer has no %s%s%s", path, obj ? obj : "", obj ? "." : "", key);
	}
	char *t = lp_xstrdup(tok);
	json_string_set(json_object_get(holder, key), "");
	json_decref(j);
	return t;
}

static void v1_auth(struct run *r)
{
	json_t *b = json_pack("{s:s,s:s}", "client_id", r->client_id, "client_secret", r->client_secret);
	char *body = json_dumps(b, JSON_COMPACT);
	json_string_set(json_object_get(b, "client_secret"), "");
	json_decref(b);
	r->v1_token = authenticate(r, "/v1/auth", "Content-Type: application/json", body, "data", "token");
}

static void v2_auth(struct run *r)
{
	char *id = lp_http_escape(r->client_id), *sec = lp_http_escape(r->client_secret);
	char *body = lp_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", id, sec);
	lp_secret_free(id);
	lp_secret_free(sec);
	r->v2_token = authenticate(r, "/v2/auth/token", "Content-Type: application/x-www-form-urlencoded", body, NULL,
				   "access_token");
}

/* A short, safe excerpt of an API error body: Personio's own message only. */
static void api_message(const lp_http_resp *resp, char *out, size_t n)
{
	out[0] = '\0';
	json_t *j = lp_json_loadb(resp->body, resp->len, NULL);
	const char *m = NULL;
	if (j) {
		json_t *e = lp_json_obj(j, "error");
		json_t *errs = lp_json_arr(j, "errors");
		if (e)
			m = lp_json_str(e, "message");
		else if (errs && json_array_size(errs) > 0)
			m = lp_json_str(json_array_get(errs, 0), "detail");
		else
			m = lp_json_str(j, "error_description");
	}
	if (m)
		snprintf(out, n, ": %.200s", m);
	json_decref(j);
}

/* GET with the token of the API version; on 401 re-authenticate once and try again. */
static json_t *api_get(struct run *r, int v2, const char *target, const char *what)
{
	char hbuf[3][600], pbuf[256], msg[256];
	const char *path = lp_http_path(target, pbuf, sizeof pbuf);
	for (int reauth = 0;; reauth++) {
		char **tok = v2 ? &r->v2_token : &r->v1_token;
		lp_http_resp resp;
		if (lp_http_request(r->http, "GET", target, api_headers(r, *tok, NULL, hbuf), NULL, 0, 0, &resp))
			fail(r, LP_EXIT_REMOTE, "%s (%s)", lp_http_error(r->http), what);
		if (resp.status == 401 && !reauth && !lp_http_replaying(r->http)) {
			lp_http_resp_free(&resp);
			wipe(tok);
			if (v2)
				v2_auth(r);
			else
				v1_auth(r);
			continue;
		}
		if (resp.status != 200) {
			api_message(&resp, msg, sizeof msg);
			long st = resp.status;
			int att = resp.attempts;
			lp_http_resp_free(&resp);
			fail(r, st == 401 || st == 403 ? LP_EXIT_AUTH : LP_EXIT_REMOTE, "GET %s: HTTP %ld%s%s (%s)", path, st,
			     att > 1 ? " after retries" : "", msg, what);
		}
		json_error_t e;
		json_t *j = lp_json_loadb(resp.body, resp.len, &e);
		lp_http_resp_free(&resp);
		if (!j || !json_is_object(j))
			fail(r, LP_EXIT_REMOTE, "GET %s: the answer is not a JSON object%s%s (%s)", path, j ? "" : ": ",
			     j ? "" : e.text, what);
		return j;
	}
}

/* ---- employees --------------------------------------------------------------------- */

static int matches_only(const struct run *r, const json_t *person)
{
	const char *pid = lp_json_str(person, "personio_id");
	const char *en = lp_json_str(person, "employee_number");
	return (pid && !strcmp(pid, r->only)) || (en && !strcmp(en, r->only));
}

static void employees(struct run *r)
{
	long page = r->cfg->personio.page_size;
	long offset = 0, total = -1;
	lp_map *seen = lp_map_new();
	int attr_seen[LP_A__COUNT] = {0};
	for (;;) {
		char *target = lp_xasprintf("/v1/company/employees?limit=%ld&offset=%ld", page, offset);
		char what[64];
		snprintf(what, sizeof what, "employees offset %ld", offset);
		json_t *j = api_get(r, 0, target, what);
		free(target);
		json_t *meta = lp_json_obj(j, "metadata");
		json_t *te = meta ? json_object_get(meta, "total_elements") : NULL;
		json_t *data = lp_json_arr(j, "data");
		if (!json_is_true(json_object_get(j, "success")) || !data || !json_is_integer(te) ||
		    json_integer_value(te) < 0)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: the answer has the wrong shape (expected success, data[] and "
			     "metadata.total_elements) (%s)", what);
		if (total < 0)
			total = (long)json_integer_value(te);
		else if (json_integer_value(te) != total)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: the number of employees changed from %ld to %lld during the "
			     "extract; run it again (%s)", total, (long long)json_integer_value(te), what);
		size_t n = json_array_size(data), i;
		json_t *emp;
		json_array_foreach(data, i, emp) {
			char idb[64], src[96];
			const char *id = json_is_object(emp) ? lp_personio_employee_id(emp, idb, sizeof idb) : NULL;
			if (!id)
				fail(r, LP_EXIT_REMOTE, "GET /v1/company/employees: item %zu has no attributes.id (%s)", i, what);
			if (!lp_map_add(seen, id))
				fail(r, LP_EXIT_REMOTE,
				     "GET /v1/company/employees: employee %s was returned twice; the paging is not what "
				     "Personio documents (%s)", id, what);
			snprintf(src, sizeof src, "GET /v1/company/employees offset %ld item %zu", offset, i);
			json_t *p = lp_personio_person(r->cfg, emp, src, r->issues_buf);
			if (r->only && !matches_only(r, p)) {
				json_decref(p);
				json_array_clear(r->issues_buf);
				continue;
			}
			lp_personio_check_attributes(r->cfg, emp, attr_seen, r->issues_buf);
			if (r->only)
				r->only_pid = lp_xstrdup(lp_json_str(p, "personio_id"));
			if (lp_out_new(p))
				lp_die(LP_EXIT_IO, "write error on standard output");
			r->persons++;
			flush_issues(r);
		}
		json_decref(j);
		offset += (long)n;
		if (offset >= total)
			break;
		if (n == 0)
			fail(r, LP_EXIT_REMOTE,
			     "GET /v1/company/employees: empty page at offset %ld but Personio announced %ld employees; "
			     "the list is incomplete", offset, total);
	}
	if ((long)lp_map_size(seen) != total)
		fail(r, LP_EXIT_REMOTE, "GET /v1/company/employees: received %zu employees, Personio announced %ld",
		     lp_map_size(seen), total);
	lp_map_free(seen, NULL);
	if (r->only && !r->only_pid)
		fail(r, LP_EXIT_DATA, "--only %s: no employee has this Personio id or Employee number (Loket)", r->only);
}

/* ---- compensations ----------------------------------------------------------------- */

static void compensations(struct run *r)
{
	lp_map *seen = lp_map_new();
	lp_date first = lp_date_month_start(r->cfg->compensation.start_date);
	lp_date last = lp_date_month_start(lp_date_add_months(r->as_of, r->future));
	char *le = lp_http_escape(r->cfg->personio.legal_entity_id);
	char *person = r->only_pid ? lp_http_escape(r->only_pid) : NULL;
	for (lp_date m = first; m <= last; m = lp_date_add_months(m, 1)) {
		char d1[11], d2[11];
		lp_date_fmt(m, d1);
		lp_date_fmt(lp_date_month_end(m), d2);
		char *target = lp_xasprintf("/v2/compensations?start_date=%s&end_date=%s&legal_entity.id=%s%s%s&limit=100",
					    d1, d2, le, person ? "&person.id=" : "", person ? person : "");
		lp_map *links = lp_map_new();
		for (int pageno = 0;; pageno++) {
			char what[64];
			snprintf(what, sizeof what, "compensations %.7s page %d", d1, pageno + 1);
			json_t *j = api_get(r, 1, target, what);
			json_t *data = lp_json_arr(j, "_data");
			json_t *meta = lp_json_obj(j, "_meta");
			json_t *links_o = meta ? lp_json_obj(meta, "links") : NULL;
			json_t *next = links_o ? json_object_get(links_o, "next") : NULL;
			const char *href = json_is_object(next) ? lp_json_str(next, "href") : NULL;
			if (!data || (next && !json_is_null(next) && !href))
				fail(r, LP_EXIT_REMOTE,
				     "GET /v2/compensations: the answer has the wrong shape (expected _data[] and "
				     "_meta.links.next.href) (%s)", what);
			size_t i;
			json_t *item;
			json_array_foreach(data, i, item) {
				char src[96], cidb[160];
				snprintf(src, sizeof src, "GET /v2/compensations %s page %d item %zu", d1, pageno + 1, i);
				json_t *idv = json_is_object(item) ? json_object_get(item, "id") : NULL;
				if (json_is_string(idv) || json_is_integer(idv)) {
					if (json_is_string(idv))
						snprintf(cidb, sizeof cidb, "%s", json_string_value(idv));
					else
						snprintf(cidb, sizeof cidb, "%lld", (long long)json_integer_value(idv));
					if (!lp_map_add(seen, cidb))
						continue; /* seen in an earlier month window */
				}
				json_t *c = lp_personio_compensation(r->cfg, item, src, r->issues_buf);
				if (c) {
					if (lp_out_new(c))
						lp_die(LP_EXIT_IO, "write error on standard output");
					r->compensations++;
				}
				flush_issues(r);
			}
			if (!href) {
				json_decref(j);
				break;
			}
			if (json_array_size(data) == 0)
				fail(r, LP_EXIT_REMOTE,
				     "GET /v2/compensations: an empty page still links to a next page; stopping instead "
				     "of looping (%s)", what);
			if (!lp_map_add(links, href))
				fail(r, LP_EXIT_REMOTE,
				     "GET /v2/compensations: the next link repeats an earlier page; stopping instead of "
				     "looping (%s)", what);
			free(target);
			target = lp_xstrdup(href);
			json_decref(j);
		}
		lp_map_free(links, NULL);
		free(target);
	}
	free(le);
	free(person);
	lp_map_free(seen, NULL);
}

/* what the command line names (the rest of it lands in r) */
struct args {
	const char *config, *as_of, *base, *rec, *rep;
};

/* the options, into a and r; exits 0 on --help and --version, 2 on a usage error */
static void parse_args(int argc, char **argv, struct args *a, struct run *r)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"as-of", required_argument, 0, 'a'},
		{"future-months", required_argument, 0, 'f'}, {"only", required_argument, 0, 'o'},
		{"base-url", required_argument, 0, 'b'}, {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'p'}, {"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "c:vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 'a': a->as_of = optarg; break;
		case 'f': r->future = (int)lp_opt_long("--future-months", optarg, 0, 24); break;
		case 'o': r->only = optarg; break;
		case 'b': a->base = optarg; break;
		case 'r': a->rec = optarg; break;
		case 'p': a->rep = optarg; break;
		case 'v': r->verbose = 1; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (optind < argc)
		lp_usage_die(usage, "unexpected argument '%s' (credentials are never taken from the command line)",
			     argv[optind]);
	if (!a->config)
		lp_usage_die(usage, "--config is required");
	if (a->rec && a->rep)
		lp_usage_die(usage, "--record and --replay exclude each other");
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct run r;
	memset(&r, 0, sizeof r);
	r.future = -1;
	lp_init(argv[0]);
	parse_args(argc, argv, &a, &r);
	r.as_of = a.as_of ? lp_date_opt("--as-of", a.as_of) : lp_date_today();
	r.cfg = lp_config_load(a.config);
	if (!r.cfg)
		return LP_EXIT_CONFIG;
	if (r.future < 0)
		r.future = r.cfg->personio.future_months;
	if (r.as_of < r.cfg->compensation.start_date && lp_date_month_start(r.as_of) < lp_date_month_start(r.cfg->compensation.start_date))
		lp_warn("%s: --as-of is before the compensation start date; reading from the start date's month", r.cfg->client);

	lp_http_opts ho = {0};
	ho.base_url = a.base ? a.base : r.cfg->personio.base_url;
	ho.record_dir = a.rec;
	ho.replay_dir = a.rep;
	char err[512];
	r.http = lp_http_new(&ho, err, sizeof err);
	if (!r.http)
		lp_die(LP_EXIT_CONFIG, "%s: %s", r.cfg->client, err);
	r.issues_buf = json_array();

	if (!lp_http_replaying(r.http)) {
		load_credentials(&r);
		v1_auth(&r);
	}
	employees(&r);
	if (!lp_http_replaying(r.http))
		v2_auth(&r);
	compensations(&r);

	lp_out_new(lp_stream_end(r.cfg->client, "personio", 1, counts(&r), NULL));
	int out = lp_out_close();
	if (r.verbose)
		lp_warn("%s: %lu persons, %lu compensations, %lu issues (%lu errors), %lu HTTP requests", r.cfg->client,
			r.persons, r.compensations, r.issues, r.errors, lp_http_requests(r.http));
	wipe(&r.v1_token);
	wipe(&r.v2_token);
	wipe(&r.client_id);
	wipe(&r.client_secret);
	free(r.only_pid);
	json_decref(r.issues_buf);
	lp_http_free(r.http);
	lp_config_free(r.cfg);
	if (out)
		return out;
	return r.errors ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}
