/* lp_block.c - see lp_block.h */
#include "lp_block.h"
#include "lp_cli.h"
#include "lp_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_block *block_new(const char *client)
{
	lp_block *b = lp_xmalloc(sizeof *b);
	b->client = lp_xstrdup(client);
	b->recs = json_array();
	b->lines.v = NULL;
	b->lines.n = b->lines.cap = 0;
	b->has_end = 0;
	return b;
}

static void block_free(void *p)
{
	lp_block *b = p;
	if (!b)
		return;
	free((char *)b->client);
	json_decref(b->recs);
	for (size_t i = 0; i < b->lines.n; i++) {
		free(b->lines.v[i].where);
		free(b->lines.v[i].raw);
	}
	free(b->lines.v);
	free(b);
}

unsigned long lp_block_max_records(void)
{
	const char *v = getenv("LOKETPIPE_MAX_RECORDS");
	if (!v || !*v)
		return LP_BLOCK_MAX_RECORDS;
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-')
		lp_die(LP_EXIT_CONFIG, "LOKETPIPE_MAX_RECORDS: '%s' is not a whole number (0: no bound)", v);
	return n;
}

int lp_block_run(lp_in *in, lp_block_fn fn, void *ctx)
{
	unsigned long max = lp_block_max_records();
	lp_map *open = lp_map_new();
	LP_VEC(char *) ord = {NULL, 0, 0}; /* clients in order of first record, for EOF flush */
	json_t *rec;
	int r, rc = 0;
	while ((r = lp_in_next(in, &rec)) == 1) {
		const char *client = json_string_value(json_object_get(rec, "client"));
		if (!client || !*client) {
			lp_warn_at(lp_in_name(in), lp_in_line(in), "client", "missing or not a string");
			json_decref(rec);
			rc = LP_EXIT_DATA;
			break;
		}
		void *v = NULL;
		lp_block *b;
		if (lp_map_get(open, client, &v) && v)
			b = v;
		else {
			b = block_new(client);
			lp_map_put(open, client, b);
			*LP_VEC_PUSH(&ord) = lp_xstrdup(client);
		}
		if (max && b->lines.n >= max) {
			lp_warn_at(lp_in_name(in), lp_in_line(in), NULL,
				   "client %s: more than %lu records in one client's block, which %s holds in memory "
				   "(LOKETPIPE_MAX_RECORDS): split the input or raise the bound", client, max, lp_prog);
			json_decref(rec);
			rc = LP_EXIT_IO;
			break;
		}
		size_t len;
		const char *text = lp_in_raw(in, &len);
		struct lp_block_line *l = LP_VEC_PUSH(&b->lines);
		l->where = lp_xasprintf("%s:%lu", lp_in_name(in), lp_in_line(in));
		l->raw = lp_xmalloc(len + 1);
		memcpy(l->raw, text, len);
		l->raw[len] = '\0';
		l->rawlen = len;
		json_array_append_new(b->recs, rec);
		if (!strcmp(json_string_value(json_object_get(rec, "type")), "stream_end")) {
			b->has_end = 1;
			lp_map_put(open, client, NULL);
			rc = fn(ctx, b);
			block_free(b);
			if (rc)
				break;
		}
	}
	if (r < 0)
		rc = lp_in_error(in);
	for (size_t i = 0; i < ord.n; i++) {
		void *v = NULL;
		if (!rc && lp_map_get(open, ord.v[i], &v) && v) {
			lp_map_put(open, ord.v[i], NULL);
			rc = fn(ctx, v);
			block_free(v);
		}
		free(ord.v[i]);
	}
	free(ord.v);
	lp_map_free(open, block_free);
	return rc;
}

const char *lp_block_where(const lp_block *b, size_t i)
{
	return b->lines.v[i].where;
}

void lp_block_pass(const lp_block *b, size_t i)
{
	if (lp_out_raw(b->lines.v[i].raw, b->lines.v[i].rawlen))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}
