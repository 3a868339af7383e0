/* lp_journal.c - see lp_journal.h */
#include "lp_journal.h"
#include "lp_io.h"
#include "lp_cli.h"
#include "lp_crcline.h"
#include "lp_json.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "loketpipe push-loket"
#define FORMAT 2

struct lp_journal {
	int fd, dirty, resumed;
	char *path;
	lp_map *state; /* op_id -> enum lp_jstate + 1 */
	lp_map *ids;   /* op_id -> the id its POST created (malloc'd) */
};

static void say(int quiet, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int quiet, const char *fmt, ...)
{
	if (quiet)
		return;
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lp_warn("%s", msg);
}

#define DAMAGED                                                                                                       \
	"keep the file for the record and move it aside; a run with a new journal is safe (every POST reads its "    \
	"collection back first, an employee PUT reads the employee, a DELETE of a record already gone counts as done)"

struct check {
	const char *client, *plan_id, *loket, *name;
	const lp_map *plan_seq;
	lp_map *state_of, *id_of;
	int quiet;
};

static int check_line(json_t *j, const char *why, unsigned long line, void *ctx)
{
	struct check *c = ctx;
	if (!why && line == 1) {
		const char *m = lp_json_str(j, "journal"), *pid = lp_json_str(j, "plan_id"), *cl = lp_json_str(j, "client"),
			   *lk = lp_json_str(j, "loket");
		json_t *f = json_object_get(j, "format");
		if (!m || strcmp(m, MAGIC) || !json_is_integer(f) || json_integer_value(f) != FORMAT)
			why = "it is not a loketpipe push-loket journal header (format 2)";
		else if (!pid || strcmp(pid, c->plan_id) || !cl || strcmp(cl, c->client)) {
			say(c->quiet, "%s: journal %s belongs to another plan or client; use one journal per plan", c->client,
			    c->name);
			return LP_EXIT_CONFIG;
		} else if (!lk || strcmp(lk, c->loket)) {
			say(c->quiet, "%s: journal %s was written for another Loket (%s), not %s: its ops were not made "
			    "here; use one journal per plan and Loket", c->client, c->name, lk ? lk : "?", c->loket);
			return LP_EXIT_CONFIG;
		}
	} else if (!why) {
		const char *id = lp_json_str(j, "op_id"), *s = lp_json_str(j, "state");
		json_t *seq = json_object_get(j, "seq"), *made = json_object_get(j, "id");
		void *v;
		intptr_t st = !s ? 0 : !strcmp(s, "sent") ? LP_J_SENT : !strcmp(s, "done") ? LP_J_DONE
							     : !strcmp(s, "failed") ? LP_J_FAILED : 0;
		if (!id || !st || !json_is_integer(seq))
			why = "op_id, seq and a state (sent, done, failed) expected";
		else if (made && (!json_is_string(made) || st != LP_J_DONE))
			why = "an id belongs to a done line only";
		else if (!lp_map_get(c->plan_seq, id, &v))
			why = "it names an op the plan does not have";
		else if ((intptr_t)v != (intptr_t)json_integer_value(seq))
			why = "its seq is not the op's seq in the plan";
		else if (c->state_of) {
			void *old;
			if (lp_map_get(c->state_of, id, &old) && (intptr_t)old - 1 == LP_J_DONE)
				st = LP_J_DONE; /* done stays done */
			lp_map_put(c->state_of, id, (void *)(st + 1));
		}
		if (!why && made && c->id_of)
			free(lp_map_put(c->id_of, id, lp_xstrdup(json_string_value(made))));
	}
	if (why) {
		say(c->quiet, "%s: journal %s:%lu is damaged (%s): nothing is pushed; " DAMAGED, c->client, c->name, line,
		    why);
		return LP_EXIT_DATA;
	}
	return 0;
}

int lp_journal_check(const char *buf, size_t len, const char *client, const char *plan_id, const char *loket, const lp_map *plan_seq,
		     lp_map *state_of, lp_map *id_of, size_t *kept, int quiet, const char *name)
{
	struct check c = {client, plan_id, loket, name, plan_seq, state_of, id_of, quiet};
	return lp_crcline_scan(buf, len, kept, check_line, &c);
}

int lp_journal_open(const char *path, const char *client, const char *plan_id, const char *loket, const lp_map *plan_seq,
		    lp_journal **out)
{
	*out = NULL;
	char name[4200], *buf;
	size_t got;
	int fd;
	snprintf(name, sizeof name, "%s: journal %s", client, path);
	int rc0 = lp_crcline_file(path, name, 0, &fd, &buf, &got);
	if (rc0)
		return rc0;
	lp_journal *j = lp_xmalloc(sizeof *j);
	memset(j, 0, sizeof *j);
	j->fd = fd;
	j->path = lp_xstrdup(path);
	j->state = lp_map_new();
	j->ids = lp_map_new();
	size_t keep;
	int rc = lp_journal_check(buf, got, client, plan_id, loket, plan_seq, j->state, j->ids, &keep, 0, path);
	free(buf);
	if (!rc && keep != got && ftruncate(fd, (off_t)keep) != 0) {
		lp_warn("%s: journal %s: cannot cut off a torn last line: %s", client, path, strerror(errno));
		rc = LP_EXIT_IO;
	}
	if (!rc && keep == 0) { /* new (or torn inside its header): the header first */
		size_t n;
		char *l = lp_crcline_of(json_pack("{s:s,s:i,s:s,s:s,s:s}", "journal", MAGIC, "format", FORMAT, "client", client,
					    "plan_id", plan_id, "loket", loket),
				  &n);
		int wbad = lp_write_all(fd, l, n, NULL);
		if (wbad || fsync(fd) != 0) {
			lp_warn("%s: journal %s: %s failed: %s", client, path, wbad ? "write" : "fsync", strerror(errno));
			rc = LP_EXIT_IO;
		}
		free(l);
	} else if (!rc)
		j->resumed = 1;
	if (rc) {
		lp_journal_close(j);
		return rc;
	}
	*out = j;
	return 0;
}

int lp_journal_resumed(const lp_journal *j) { return j->resumed; }

const char *lp_journal_id(const lp_journal *j, const char *op_id)
{
	void *v;
	return lp_map_get(j->ids, op_id, &v) ? v : NULL;
}
const char *lp_journal_path(const lp_journal *j) { return j->path; }

enum lp_jstate lp_journal_state(const lp_journal *j, const char *op_id)
{
	void *v;
	return lp_map_get(j->state, op_id, &v) ? (enum lp_jstate)((intptr_t)v - 1) : LP_J_NONE;
}

int lp_journal_mark(lp_journal *j, const char *op_id, long seq, const char *state, long status, const char *id)
{
	json_t *l = json_pack("{s:s,s:I,s:s}", "op_id", op_id, "seq", (json_int_t)seq, "state", state);
	if (status >= 0)
		json_object_set_new(l, "status", json_integer(status));
	if (id)
		json_object_set_new(l, "id", json_string(id));
	size_t n;
	char *s = lp_crcline_of(l, &n);
	int bad = lp_write_all(j->fd, s, n, NULL); /* a short write: the rest says why (ENOSPC, EFBIG) */
	free(s);
	if (bad)
		return -1;
	j->dirty = 1;
	return 0;
}

int lp_journal_sync(lp_journal *j)
{
	if (j->dirty && fsync(j->fd) != 0)
		return -1;
	j->dirty = 0;
	return 0;
}

void lp_journal_close(lp_journal *j)
{
	if (!j)
		return;
	if (j->fd >= 0)
		close(j->fd);
	lp_map_free(j->state, NULL);
	lp_map_free(j->ids, free);
	free(j->path);
	free(j);
}
