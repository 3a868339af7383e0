/* loket-auth - the one-time Loket login: authorization code in, refresh token file out.
 *
 * Loket offers no client-credentials grant: a person logs in once in a browser (with TOTP),
 * and from then on the sync runs unattended on rotating refresh tokens. loket-auth prints the
 * authorize URL, reads the code (or the whole redirect URL) from standard input, exchanges it
 * at the token endpoint and writes the refresh token to loket.token_file (0600, atomically;
 * its space is reserved before the token endpoint is called, lp_oauth.h).
 * With --check it refreshes once instead, proving the saved token still works (and rotating it).
 * Nothing secret is ever printed: not the code, not a token, not the client secret.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_http.h"
#include "lp_oauth.h"
#include "lp_secret.h"

static const char usage[] =
	"Usage: loket-auth -c CONFIG [--check] [--audit FILE] [--actor NAME]\n"
	"Log in to Loket once: print the authorize URL, read the authorization code (or the whole\n"
	"redirect URL) from standard input, and save the refresh token to loket.token_file (0600).\n"
	"\n"
	"  -c, --config FILE   the client configuration (loket.oauth_url, loket.token_file,\n"
	"                      loket.redirect_uri, loket.credentials_file)\n"
	"      --check         refresh once with the saved token instead (rotates it)\n"
	"      --audit FILE    append the credential change to this audit log (default: audit_log)\n"
	"      --actor NAME    who is logging in, for the audit log (beside os_user, the user)\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"Client credentials: loket.credentials_file (0600 JSON {client_id, client_secret}), else\n"
	"LOKET_CLIENT_ID and LOKET_CLIENT_SECRET from the environment. Never on the command line.\n"
	"\n"
	"Clients sharing one Loket login name the same token file: it is read, refreshed and saved\n"
	"under its lock (<token file>.lock, waited for up to 60 s, LOKETPIPE_LOCK_WAIT_MS), so one\n"
	"refresh serves them all. The run lock of a client is loket.lock_file (default\n"
	"<client>.lock beside the token file).\n"
	"\n"
	"Exit status: 0 saved; 2 usage; 4 configuration or token file; 5 Loket failed;\n"
	"6 Loket refused the code, the token or the client; 7 the new token file cannot be written\n"
	"(checked before Loket is asked: the saved token then still works); 8 another run for this\n"
	"client holds its lock, or the token file's lock stayed held past the wait. See loketpipe(7).\n";

/* The code itself, or the value of code= in a pasted redirect URL. Returns a new string. */
static char *code_from(const char *line)
{
	const char *q = strchr(line, '?');
	if (!q)
		return lp_xstrdup(line);
	for (const char *p = q + 1; *p;) {
		size_t l = strcspn(p, "&#");
		if (l > 5 && !strncmp(p, "code=", 5)) {
			char *c = lp_xmalloc(l - 4);
			/* percent-decoding: codes are URL-safe in practice; decode %XX anyway */
			size_t o = 0;
			for (size_t i = 5; i < l; i++) {
				if (p[i] == '%' && i + 2 < l) {
					char hx[3] = {p[i + 1], p[i + 2], 0};
					c[o++] = (char)strtol(hx, NULL, 16);
					i += 2;
				} else
					c[o++] = p[i];
			}
			c[o] = '\0';
			return c;
		}
		p += l + (p[l] == '&');
		if (p[-1] == '#')
			break;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"check", no_argument, 0, 'k'},
					     {"audit", required_argument, 0, 'a'}, {"actor", required_argument, 0, 'A'},
					     {"help", no_argument, 0, 'h'}, {"version", no_argument, 0, 'V'}, {0, 0, 0, 0}};
	const char *config = NULL, *audit_path = NULL, *actor = NULL;
	int check = 0, c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'k': check = 1; break;
		case 'a': audit_path = optarg; break;
		case 'A': actor = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config || optind < argc)
		lp_usage_die(usage,
			     config ? "unexpected argument '%s' (codes and secrets are read from standard input)"
				    : "--config is required%s",
			     config ? argv[optind] : "");
	lp_config *cfg = lp_config_load(config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	lp_oauth *o = lp_oauth_for_config(cfg);
	lp_audit *audit = lp_audit_open(audit_path ? audit_path : cfg->audit_log, actor, cfg->client);
	lp_oauth_set_audit(o, audit); /* the rotation and a refusal (login.failed) with the actor */
	char err[700];
	int rc = 0;
	if (check) {
		if (!lp_oauth_refresh(o, &rc, err, sizeof err))
			lp_warn("%s: %s", cfg->client, err);
		else {
			lp_audit_event(audit, "credentials", json_pack("{s:s,s:s}", "what", "loket refresh token rotated (check)",
								     "token_file", cfg->loket.token_file));
			lp_warn("%s: the saved refresh token works; the new one is saved in %s", cfg->client,
				cfg->loket.token_file);
		}
	} else {
		if (!cfg->loket.redirect_uri)
			lp_die(LP_EXIT_CONFIG, "%s: loket.redirect_uri is not set", cfg->path);
		char *eid = lp_http_escape(lp_oauth_client_id(o)), *eru = lp_http_escape(cfg->loket.redirect_uri);
		fprintf(stderr,
			"Open this address in a browser, log in to Loket as the integration user, and paste\n"
			"the code (or the whole address you were sent to) here:\n\n"
			"  %s/authorize?client_id=%s&redirect_uri=%s&response_type=code&scope=all&state=%s\n\n",
			cfg->loket.oauth_url, eid, eru, cfg->client);
		free(eid);
		free(eru);
		char *line = NULL;
		size_t cap = 0;
		ssize_t n = getline(&line, &cap, stdin);
		if (n <= 0)
			lp_die(LP_EXIT_USAGE, "no authorization code on standard input");
		line[strcspn(line, "\r\n")] = '\0';
		char *code = code_from(line);
		lp_secret_free(line);
		if (!code || !*code)
			lp_die(LP_EXIT_USAGE, "no code= in the address given");
		rc = lp_oauth_exchange_code(o, code, cfg->loket.redirect_uri, err, sizeof err);
		lp_secret_free(code);
		if (rc)
			lp_warn("%s: %s", cfg->client, err);
		else {
			lp_audit_event(audit, "credentials", json_pack("{s:s,s:s}", "what", "loket login: new refresh token saved",
								     "token_file", cfg->loket.token_file));
			lp_warn("%s: logged in; the refresh token is saved in %s (mode 0600)", cfg->client,
				cfg->loket.token_file);
		}
	}
	lp_oauth_free(o);
	lp_audit_close(audit);
	lp_config_free(cfg);
	return rc;
}
