/* lp_snap.c - see lp_snap.h */
#include "lp_snap.h"
#include "lp_cli.h"
#include "lp_json.h"
#include "lp_secret.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define MAGIC "lp-snap 1 "
/* the largest snapshot loaded: about 1.8 kB per employee, so 1 GiB is some 500 000 employees */
#define LP_SNAP_MAX ((size_t)1 << 30)

int lp_snap_dir(const char *dir, char *err, size_t n)
{
	struct stat st;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, n, "%s: cannot create the state directory: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, n, "%s: not a directory", dir);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, n, "%s: the state directory is open to group or others (mode %03o; expected 0700)", dir,
			 (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

static char *path_of(const char *dir, const char *name) { return lp_xasprintf("%s/%s", dir, name); }

int lp_snap_save(const char *dir, const char *name, const char *content, size_t len, char *err, size_t n)
{
	char head[64];
	int hl = snprintf(head, sizeof head, MAGIC "%zu %08lx\n", len, crc32(0L, (const Bytef *)content, (uInt)len));
	char *buf = malloc((size_t)hl + len + 1);
	if (!buf)
		lp_die(LP_EXIT_IO, "out of memory");
	memcpy(buf, head, (size_t)hl);
	memcpy(buf + hl, content, len);
	char *p = path_of(dir, name);
	int rc = lp_secret_write_file(p, buf, (size_t)hl + len, err, n);
	free(p);
	free(buf);
	return rc;
}

int lp_snap_load(const char *dir, const char *name, char **content, size_t *len, char *err, size_t n)
{
	char *p = path_of(dir, name), *buf;
	size_t got;
	struct stat st;
	if (lstat(p, &st) != 0 && errno == ENOENT) {
		free(p);
		return 0;
	}
	if (lp_secret_read_file_max(p, &buf, &got, LP_SNAP_MAX, err, n)) {
		free(p);
		return -1;
	}
	size_t want = 0;
	unsigned long crc = 0;
	int used = 0;
	char *nl = memchr(buf, '\n', got < 64 ? got : 64);
	if (!nl || strncmp(buf, MAGIC, strlen(MAGIC)) || sscanf(buf + strlen(MAGIC), "%zu %8lx%n", &want, &crc, &used) != 2 ||
	    buf + strlen(MAGIC) + used != nl) {
		snprintf(err, n, "%s: not a snapshot (bad header line)", p);
	} else if ((size_t)(got - (size_t)(nl + 1 - buf)) != want) {
		snprintf(err, n, "%s: damaged snapshot (%zu bytes of content, the header says %zu)", p,
			 got - (size_t)(nl + 1 - buf), want);
	} else if (crc32(0L, (const Bytef *)nl + 1, (uInt)want) != crc) {
		snprintf(err, n, "%s: damaged snapshot (checksum mismatch)", p);
	} else {
		memmove(buf, nl + 1, want);
		buf[want] = '\0';
		*content = buf;
		*len = want;
		free(p);
		return 1;
	}
	free(buf);
	free(p);
	return -1;
}

const char *lp_snap_foreign(const json_t *snap, const lp_config *c)
{
	const char *cl = lp_json_str(snap, "client"), *em = lp_json_str(snap, "employer_id"),
		   *pa = lp_json_str(snap, "payroll_administration_id");
	const char *want = c->loket.payroll_administration_id ? c->loket.payroll_administration_id : "";
	if (strcmp(cl ? cl : "", c->client ? c->client : "") || strcmp(em ? em : "", c->loket.employer_id ? c->loket.employer_id : "") ||
	    strcmp(pa ? pa : "", want))
		return "was made for another client, employer or payroll administration";
	return NULL;
}

json_t *lp_snap_load_json(const char *dir, const char *name, const char *client, const char *then)
{
	char *buf, err[700];
	size_t len;
	int rc = lp_snap_load(dir, name, &buf, &len, err, sizeof err);
	if (rc < 0)
		lp_warn("%s: %s; %s", client, err, then);
	if (rc <= 0)
		return NULL;
	json_t *j = lp_json_loadb(buf, len, NULL);
	free(buf);
	return j ? j : json_null(); /* not JSON: the caller's shape check refuses it, with its warning */
}
