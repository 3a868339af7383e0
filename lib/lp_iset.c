/* lp_iset.c - see lp_iset.h */
#include "lp_iset.h"
#include "lp_cli.h"

#include <stdlib.h>
#include <string.h>

static size_t hash(uint64_t k)
{
	k ^= k >> 33; /* murmur3's finaliser: every bit of the key reaches the low bits */
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return (size_t)k;
}

static void put(uint64_t *slot, size_t cap, uint64_t v)
{
	size_t i = hash(v - 1) & (cap - 1);
	while (slot[i])
		i = (i + 1) & (cap - 1);
	slot[i] = v;
}

int lp_iset_add(lp_iset *s, uint64_t key)
{
	if (key == UINT64_MAX)
		lp_die(LP_EXIT_IO, "lp_iset: key out of range");
	if (s->cap && lp_iset_has(s, key))
		return 0;
	if ((s->n + 1) * 4 > s->cap * 3) { /* at most 3/4 full */
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *slot = lp_xmalloc(cap * sizeof *slot);
		memset(slot, 0, cap * sizeof *slot);
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				put(slot, cap, s->slot[i]);
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	put(s->slot, s->cap, key + 1);
	s->n++;
	return 1;
}

int lp_iset_has(const lp_iset *s, uint64_t key)
{
	if (!s->cap)
		return 0;
	uint64_t v = key + 1;
	for (size_t i = hash(key) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i] == v)
			return 1;
		if (!s->slot[i])
			return 0;
	}
}

void lp_iset_free(lp_iset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = s->cap = 0;
}
