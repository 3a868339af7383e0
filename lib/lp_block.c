/* lp_block.c - see lp_block.h */
#include "lp_block.h"
#include "lp_cli.h"
#include "lp_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lp_block *block_new(const char *client)
{
	lp_block *b = lp_xmalloc(sizeof *b);
	b->client = lp_xstrdup(client);
	b->recs = json_array();
	b->where = NULL;
	b->raw = NULL;
	b->rawlen = NULL;
	b->n = b->cap = 0;
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
	for (size_t i = 0; i < b->n; i++) {
		free(b->where[i]);
		free(b->raw[i]);
	}
	free(b->where);
	free(b->raw);
	free(b->rawlen);
	free(b);
}

struct order {
	char **clients;
	size_t n, cap;
};

int lp_block_run(lp_in *in, lp_block_fn fn, void *ctx)
{
	lp_map *open = lp_map_new();
	struct order ord = {NULL, 0, 0}; /* clients in order of first record, for EOF flush */
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
			if (ord.n == ord.cap)
				ord.clients = lp_xrealloc(ord.clients, (ord.cap = ord.cap * 2 + 8) * sizeof *ord.clients);
			ord.clients[ord.n++] = lp_xstrdup(client);
		}
		if (b->n == b->cap) {
			b->cap = b->cap * 2 + 64;
			b->where = lp_xrealloc(b->where, b->cap * sizeof *b->where);
			b->raw = lp_xrealloc(b->raw, b->cap * sizeof *b->raw);
			b->rawlen = lp_xrealloc(b->rawlen, b->cap * sizeof *b->rawlen);
		}
		size_t len;
		const char *text = lp_in_raw(in, &len);
		b->where[b->n] = lp_xasprintf("%s:%lu", lp_in_name(in), lp_in_line(in));
		b->raw[b->n] = lp_xmalloc(len + 1);
		memcpy(b->raw[b->n], text, len);
		b->raw[b->n][len] = '\0';
		b->rawlen[b->n] = len;
		b->n++;
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
		if (!rc && lp_map_get(open, ord.clients[i], &v) && v) {
			lp_map_put(open, ord.clients[i], NULL);
			rc = fn(ctx, v);
			block_free(v);
		}
		free(ord.clients[i]);
	}
	free(ord.clients);
	lp_map_free(open, block_free);
	return rc;
}

const char *lp_block_where(const lp_block *b, size_t i)
{
	return b->where[i];
}

void lp_block_pass(const lp_block *b, size_t i)
{
	if (lp_out_raw(b->raw[i], b->rawlen[i]))
		lp_die(LP_EXIT_IO, "write error on standard output");
}
