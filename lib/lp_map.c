/* lp_map.c - see lp_map.h */
#include "lp_map.h"
#include "lp_cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	char *key;
	void *value;
	uint64_t hash;
};

struct lp_map {
	struct slot *s;
	size_t cap, n;
};

uint64_t lp_hash_str(const char *k)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *k; k++) {
		h ^= (unsigned char)*k;
		h *= 1099511628211ULL;
	}
	return h;
}

lp_map *lp_map_new(void)
{
	lp_map *m = lp_xmalloc(sizeof *m);
	m->cap = 64;
	m->n = 0;
	m->s = lp_xmalloc(m->cap * sizeof *m->s);
	memset(m->s, 0, m->cap * sizeof *m->s);
	return m;
}

void lp_map_free(lp_map *m, void (*free_value)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		if (m->s[i].key) {
			free(m->s[i].key);
			if (free_value)
				free_value(m->s[i].value);
		}
	free(m->s);
	free(m);
}

static struct slot *find(const lp_map *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;;) {
		struct slot *s = &m->s[i];
		if (!s->key || (s->hash == h && !strcmp(s->key, key)))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

static void grow(lp_map *m)
{
	struct slot *old = m->s;
	size_t oc = m->cap;
	m->cap *= 2;
	m->s = lp_xmalloc(m->cap * sizeof *m->s);
	memset(m->s, 0, m->cap * sizeof *m->s);
	for (size_t i = 0; i < oc; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].hash) = old[i];
	free(old);
}

void *lp_map_put(lp_map *m, const char *key, void *value)
{
	if ((m->n + 1) * 10 > m->cap * 7)
		grow(m);
	uint64_t h = lp_hash_str(key);
	struct slot *s = find(m, key, h);
	if (s->key) {
		void *prev = s->value;
		s->value = value;
		return prev;
	}
	s->key = lp_xstrdup(key);
	s->hash = h;
	s->value = value;
	m->n++;
	return NULL;
}

int lp_map_get(const lp_map *m, const char *key, void **value)
{
	struct slot *s = find(m, key, lp_hash_str(key));
	if (!s->key)
		return 0;
	if (value)
		*value = s->value;
	return 1;
}

int lp_map_add(lp_map *m, const char *key)
{
	if (lp_map_get(m, key, NULL))
		return 0;
	lp_map_put(m, key, NULL);
	return 1;
}

size_t lp_map_size(const lp_map *m) { return m->n; }
