/* arena.c - one arena per client's state: strings and texts copied into large chunks
 * (no malloc header per string), freed all at once; interned strings are stored once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "lp_cli.h"
#include "lp_map.h"

#define CHUNK (64 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

static char *alloc(struct arena *a, size_t n, size_t align)
{
	struct arena_chunk *c = a->head;
	if (c)
		c->used = (c->used + align - 1) & ~(align - 1);
	if (!c || c->used > c->cap || c->cap - c->used < n) {
		size_t cap = n > CHUNK / 4 ? n : CHUNK; /* a large text gets a chunk of its own */
		c = lp_xmalloc(sizeof *c + cap);
		c->used = 0;
		c->cap = cap;
		if (a->head && cap != CHUNK) { /* keep filling the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	char *p = c->data + c->used;
	c->used += n;
	return p;
}

char *arena_alloc(struct arena *a, size_t n)
{
	return alloc(a, n, 16);
}

const char *arena_text(struct arena *a, const char *s, size_t n)
{
	char *d = alloc(a, n + 1, 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

const char *arena_str(struct arena *a, const char *s)
{
	return s ? arena_text(a, s, strlen(s)) : NULL;
}

const char *arena_intern(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	if (a->nset * 2 >= a->capset) { /* open addressing, at most half full */
		size_t cap = a->capset ? a->capset * 2 : 256;
		const char **set = lp_xmalloc(cap * sizeof *set);
		memset(set, 0, cap * sizeof *set);
		for (size_t i = 0; i < a->capset; i++)
			if (a->set[i]) {
				size_t j = lp_hash_str(a->set[i]) & (cap - 1);
				while (set[j])
					j = (j + 1) & (cap - 1);
				set[j] = a->set[i];
			}
		free(a->set);
		a->set = set;
		a->capset = cap;
	}
	size_t j = lp_hash_str(s) & (a->capset - 1);
	for (; a->set[j]; j = (j + 1) & (a->capset - 1))
		if (!strcmp(a->set[j], s))
			return a->set[j];
	a->nset++;
	return a->set[j] = arena_str(a, s);
}

void arena_free(struct arena *a)
{
	for (struct arena_chunk *c = a->head, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(a->set);
	memset(a, 0, sizeof *a);
}
