/* lp_block.c - see lp_block.h */
#include "lp_block.h"
#include "lp_cli.h"
#include "lp_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The "FILE:LINE" texts of a block, made on demand into chunks that never move (the
 * pointers handed out stay valid until the block is freed). */
struct lp_block_where_chunk {
	struct lp_block_where_chunk *next;
	size_t used, cap;
	char text[];
};

static lp_block *block_new(const char *client)
{
	lp_block *b = lp_xmalloc(sizeof *b);
	memset(b, 0, sizeof *b);
	b->client = lp_xstrdup(client);
	b->recs = json_array();
	return b;
}

static void block_free(void *p)
{
	lp_block *b = p;
	if (!b)
		return;
	free((char *)b->client);
	json_decref(b->recs);
	free(b->lines.v);
	free(b->text);
	for (size_t i = 0; i < b->names.n; i++)
		free(b->names.v[i]);
	free(b->names.v);
	for (struct lp_block_where_chunk *c = b->wheres, *nx; c; c = nx) {
		nx = c->next;
		free(c);
	}
	free(b);
}

/* record text appended to the block's arena, with where it came from */
static void block_add(lp_block *b, const char *name, unsigned long line, const char *text, size_t len)
{
	if (!b->names.n || strcmp(b->names.v[b->names.n - 1], name))
		*LP_VEC_PUSH(&b->names) = lp_xstrdup(name);
	if (b->tlen + len > b->tcap) {
		size_t cap = b->tcap ? b->tcap : 1 << 16;
		while (cap < b->tlen + len)
			cap *= 2;
		b->text = lp_xrealloc(b->text, cap);
		b->tcap = cap;
	}
	memcpy(b->text + b->tlen, text, len);
	struct lp_block_line *l = LP_VEC_PUSH(&b->lines);
	l->off = b->tlen;
	l->rawlen = len;
	l->line = line;
	l->file = b->names.n - 1;
	l->where = NULL;
	b->tlen += len;
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

/* a client's state in lp_block_route, with its count of records */
struct route_client {
	void *state;
	unsigned long n;
	const lp_block_route_ops *ops;
};

static void route_drop(void *p)
{
	struct route_client *c = p;
	if (!c)
		return;
	c->ops->drop(c->state);
	free(c);
}

int lp_block_route(lp_in *in, const lp_block_route_ops *ops, void *ctx)
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
		struct route_client *c;
		if (lp_map_get(open, client, &v) && v)
			c = v;
		else {
			c = lp_xmalloc(sizeof *c);
			c->state = ops->open(ctx, client, lp_in_name(in), lp_in_line(in));
			c->n = 0;
			c->ops = ops;
			lp_map_put(open, client, c);
			*LP_VEC_PUSH(&ord) = lp_xstrdup(client);
		}
		if (max && c->n >= max) {
			lp_warn_at(lp_in_name(in), lp_in_line(in), NULL,
				   "client %s: more than %lu records in one client's block%s%s%s (LOKETPIPE_MAX_RECORDS): split "
				   "the input or raise the bound",
				   client, max, ops->holds ? ", which " : "", ops->holds ? lp_prog : "",
				   ops->holds ? " holds in memory" : "");
			json_decref(rec);
			rc = LP_EXIT_IO;
			break;
		}
		c->n++;
		int end = !strcmp(json_string_value(json_object_get(rec, "type")), "stream_end");
		if (end)
			lp_map_put(open, client, NULL); /* before rec (and so client) may go */
		size_t len;
		const char *text = lp_in_raw(in, &len);
		rc = ops->record(ctx, c->state, rec, text, len, lp_in_name(in), lp_in_line(in));
		if (end) {
			if (!rc)
				rc = ops->end(ctx, c->state, 1);
			else
				ops->drop(c->state);
			free(c);
		}
		if (rc)
			break;
	}
	if (r < 0)
		rc = lp_in_error(in);
	for (size_t i = 0; i < ord.n; i++) {
		void *v = NULL;
		if (!rc && lp_map_get(open, ord.v[i], &v) && v) {
			struct route_client *c = v;
			lp_map_put(open, ord.v[i], NULL);
			rc = ops->end(ctx, c->state, 0);
			free(c);
		}
		free(ord.v[i]);
	}
	free(ord.v);
	lp_map_free(open, route_drop);
	return rc;
}

/* lp_block_run on lp_block_route: the state of a client is its lp_block */
struct run_ctx {
	lp_block_fn fn;
	void *ctx;
};

static void *block_open(void *ctx, const char *client, const char *name, unsigned long line)
{
	(void)ctx, (void)name, (void)line;
	return block_new(client);
}

static int block_record(void *ctx, void *state, json_t *rec, const char *raw, size_t len, const char *name,
			unsigned long line)
{
	(void)ctx;
	lp_block *b = state;
	block_add(b, name, line, raw, len);
	json_array_append_new(b->recs, rec);
	return 0;
}

static int block_end(void *ctx, void *state, int has_end)
{
	struct run_ctx *x = ctx;
	lp_block *b = state;
	b->has_end = has_end;
	int rc = x->fn(x->ctx, b);
	block_free(b);
	return rc;
}

int lp_block_run(lp_in *in, lp_block_fn fn, void *ctx)
{
	static const lp_block_route_ops ops = {block_open, block_record, block_end, block_free, 1};
	struct run_ctx x = {fn, ctx};
	return lp_block_route(in, &ops, &x);
}

const char *lp_block_where(const lp_block *cb, size_t i)
{
	lp_block *b = (lp_block *)cb; /* the cache of texts made is the block's own, not the caller's */
	struct lp_block_line *l = &b->lines.v[i];
	if (l->where)
		return l->where;
	const char *name = b->names.v[l->file];
	size_t nl = strlen(name), need = nl + 1 + 21;
	struct lp_block_where_chunk *c = b->wheres;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > 4000 ? need : 4000;
		c = lp_xmalloc(sizeof *c + cap);
		c->cap = cap;
		c->used = 0;
		c->next = b->wheres;
		b->wheres = c;
	}
	char *w = c->text + c->used, digits[21], *d = digits + sizeof digits;
	unsigned long v = l->line;
	do
		*--d = (char)('0' + v % 10);
	while (v /= 10);
	size_t dl = (size_t)(digits + sizeof digits - d);
	memcpy(w, name, nl);
	w[nl] = ':';
	memcpy(w + nl + 1, d, dl);
	w[nl + 1 + dl] = '\0';
	c->used += nl + dl + 2;
	l->where = w;
	return w;
}

const char *lp_block_text(const lp_block *b, size_t i, size_t *len)
{
	*len = b->lines.v[i].rawlen;
	return b->text + b->lines.v[i].off;
}

void lp_block_pass(const lp_block *b, size_t i)
{
	size_t len;
	const char *t = lp_block_text(b, i, &len);
	if (lp_out_raw(t, len))
		lp_die(LP_EXIT_IO, "%s", lp_out_error());
}
