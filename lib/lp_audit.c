/* lp_audit.c - see lp_audit.h */
#include "lp_audit.h"
#include "lp_io.h"
#include "lp_cli.h"
#include "lp_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct lp_audit {
	int fd;
	char *path, *actor, *client;
};

lp_audit *lp_audit_open(const char *path, const char *actor, const char *client)
{
	if (!path)
		return NULL;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		lp_die(LP_EXIT_CONFIG, "%s: audit log %s: %s", client, path, strerror(errno));
	lp_audit *a = lp_xmalloc(sizeof *a);
	a->fd = fd;
	a->path = lp_xstrdup(path);
	const char *u = actor && *actor ? actor : getenv("USER");
	a->actor = lp_xstrdup(u && *u ? u : "unknown");
	a->client = lp_xstrdup(client);
	return a;
}

void lp_audit_event(lp_audit *a, const char *event, json_t *fields)
{
	if (!a) {
		json_decref(fields);
		return;
	}
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "time", ts, "event", event, "actor", a->actor, "client", a->client,
			      "program", lp_prog);
	if (fields)
		json_object_update(o, fields);
	json_decref(fields);
	char *line = lp_json_dumps(o);
	json_decref(o);
	size_t n = strlen(line);
	line = lp_xrealloc(line, n + 2);
	line[n] = '\n';
	line[n + 1] = '\0';
	int bad = lp_write_all(a->fd, line, n + 1, NULL); /* a short write: the rest says why, never "Success" */
	free(line);
	if (bad || fsync(a->fd) != 0)
		lp_die(LP_EXIT_IO, "%s: audit log %s: %s failed: %s", a->client, a->path, bad ? "write" : "fsync", strerror(errno));
}

void lp_audit_close(lp_audit *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a->path);
	free(a->actor);
	free(a->client);
	free(a);
}
