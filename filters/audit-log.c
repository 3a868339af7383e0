/* audit-log - append one event to a client's audit log (A1) from a shell pipeline
 * (monthly-sync, bureau-sync): the same writer as every program's (lib/lp_audit: seq, prev,
 * hash, os_user, actor, under the log's lock), so a pipeline's events are in the chain too.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_audit.h"
#include "lp_cli.h"
#include "lp_config.h"
#include "lp_json.h"
#include "lp_secret.h"

static const char usage[] =
	"Usage: audit-log -c CONFIG [--audit FILE] [--actor NAME] [--fields FILE] EVENT [KEY=TEXT|KEY:=JSON]...\n"
	"Append the event EVENT to the client's audit log (A1), with the fields given: KEY=TEXT a\n"
	"string, KEY:=JSON any JSON value (a number, true, null, an object), and with --fields the\n"
	"members of the JSON object in FILE (a run status record, say) before them.\n"
	"\n"
	"  -c, --config FILE   the client configuration (client, audit_log)\n"
	"      --audit FILE    the audit log (default: the configuration's audit_log; neither: nothing\n"
	"                      is written, exit 0)\n"
	"      --actor NAME    who runs it (recorded as actor, beside os_user, the effective user)\n"
	"      --fields FILE   a JSON object whose members are added\n"
	"  -h, --help          show this help and exit\n"
	"  -V, --version       show the version and exit\n"
	"\n"
	"EVENT: lower-case letters, digits, '.' and '_'; KEY: letters, digits and '_' (seq, prev,\n"
	"hash and os_user are the chain's own: given, they are kept as caller_KEY). Pass no secret\n"
	"and no BSN or IBAN: the log is for people to read.\n"
	"\n"
	"Exit status: 0 written (or no audit log configured); 2 usage; 3 a --fields file or KEY:=JSON\n"
	"that is not JSON; 4 configuration, or the audit log refused (a symbolic link, another user's,\n"
	"wider than 0600, its end not an event); 7 the log cannot be written; 8 its lock stayed held\n"
	"past the wait. See loketpipe(7).\n";

static int name_ok(const char *s, const char *extra)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"audit", required_argument, 0, 'a'},
					     {"actor", required_argument, 0, 'A'},  {"fields", required_argument, 0, 'f'},
					     {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, 'V'},
					     {0, 0, 0, 0}};
	const char *config = NULL, *audit = NULL, *actor = NULL, *ffile = NULL;
	int c;
	lp_init(argv[0]);
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'a': audit = optarg; break;
		case 'A': actor = optarg; break;
		case 'f': ffile = optarg; break;
		case 'h': lp_usage_exit(usage, 0);
		case 'V': lp_version_exit();
		default: lp_usage_exit(usage, LP_EXIT_USAGE);
		}
	}
	if (!config)
		lp_usage_die(usage, "--config is required");
	if (optind >= argc)
		lp_usage_die(usage, "EVENT is required");
	const char *event = argv[optind++];
	if (!name_ok(event, "._"))
		lp_usage_die(usage, "'%s': not an event name (lower-case letters, digits, '.', '_')", event);
	json_t *fields = json_object();
	if (ffile) {
		char *buf, err[600];
		size_t len;
		FILE *f = fopen(ffile, "r");
		if (!f)
			lp_die(LP_EXIT_IO, "%s: %s", ffile, strerror(errno));
		len = 0;
		size_t cap = 4096;
		buf = lp_xmalloc(cap);
		size_t r;
		while ((r = fread(buf + len, 1, cap - len, f)) > 0)
			if ((len += r) == cap)
				buf = lp_xrealloc(buf, cap *= 2);
		int bad = ferror(f);
		fclose(f);
		if (bad)
			lp_die(LP_EXIT_IO, "%s: read failed", ffile);
		json_error_t je;
		json_t *o = lp_json_loadb(buf, len, &je);
		free(buf);
		if (!json_is_object(o)) {
			snprintf(err, sizeof err, "%s", o ? "not a JSON object" : je.text);
			lp_die(LP_EXIT_DATA, "%s:%d: %s", ffile, o ? 1 : je.line, err);
		}
		json_object_update(fields, o);
		json_decref(o);
	}
	for (int i = optind; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		if (!eq || eq == a)
			lp_usage_die(usage, "'%s': not KEY=TEXT or KEY:=JSON", a);
		int js = eq[-1] == ':';
		size_t kl = (size_t)(eq - a) - (size_t)js;
		char *k = lp_xmalloc(kl + 1);
		memcpy(k, a, kl);
		k[kl] = '\0';
		if (!kl || !name_ok(k, "_ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
			lp_usage_die(usage, "'%s': not a key (letters, digits, '_')", k);
		json_t *v;
		if (js) {
			json_error_t je;
			v = lp_json_loadb(eq + 1, strlen(eq + 1), &je);
			if (!v)
				lp_die(LP_EXIT_DATA, "argument %d: %s: not JSON: %s", i, k, je.text);
		} else
			v = json_string(eq + 1);
		if (!v)
			lp_die(LP_EXIT_DATA, "argument %d: %s: not UTF-8 text", i, k);
		json_object_set_new(fields, k, v);
		free(k);
	}
	lp_config *cfg = lp_config_load(config);
	if (!cfg)
		return LP_EXIT_CONFIG;
	lp_audit *log = lp_audit_open(audit ? audit : cfg->audit_log, actor, cfg->client);
	lp_audit_event(log, event, fields);
	lp_audit_close(log);
	lp_config_free(cfg);
	return 0;
}
